/* Symbolizer: pcs -> frames with elfutils libdw, cached (see symbolize.h).
 *
 * A miss asks libdw for the module, the CU and the DWARF scopes of the pc;
 * inlined scopes are unrolled as elfutils' addr2line -i does. The result is
 * copied into a frame pool with interned strings and the pc is cached in an
 * open-addressing table, so a hit is a hash probe and a memcpy. */
#include "autoconf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "profile/symbolize.h"
#include "core/util.h"

#define SYM_UNMAPPED "[unmapped]"
#define SYM_UNKNOWN  "[unknown]"
#define SYM_MAX_OWN  32

/* One cached pc; nframes 0 marks an empty slot. */
struct sym_entry {
	uint64_t addr; /* lookup address: pc, or pc - 1 for returns */
	uint32_t first; /* index of its first frame in sym->frames */
	uint16_t nframes;
	uint16_t gen; /* refresh generation of an [unmapped] answer */
};

/* Interned strings: an open-addressing set of owned copies. */
struct sym_strings {
	char **slots;
	uint32_t size; /* power of two */
	uint32_t used;
};

struct symbolizer {
	Dwfl *dwfl;
	Dwfl_Callbacks callbacks;
	char *debuginfo_path; /* storage libdw points callbacks at */
	pid_t pid;
	const char *exe; /* interned /proc/pid/exe */
	const char *unknown, *unmapped; /* interned placeholders */
	const char *own[SYM_MAX_OWN]; /* interned module paths */
	int nown;
	enum sym_debug debug;
	uint64_t last_refresh_ms;
	uint64_t refresh_min_ms; /* between automatic refreshes */
	uint16_t gen;

	struct sym_entry *table; /* pc cache */
	uint32_t table_size; /* power of two */
	uint32_t cap; /* most entries kept */
	struct sym_frame *frames; /* frame pool the entries index */
	uint32_t nframes, frames_size;

	struct sym_strings strings;
	struct sym_stats stats;
};

/* --- interned strings ----------------------------------------------------- */

/* FNV-1a of a NUL-terminated string. */
static uint32_t
sym_str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The slot holding s, or the empty slot where it belongs. */
static char **
sym_str_slot(char **slots, uint32_t size, const char *s)
{
	uint32_t i = sym_str_hash(s) & (size - 1);

	while (slots[i] != NULL && strcmp(slots[i], s) != 0)
		i = (i + 1) & (size - 1);
	return &slots[i];
}

/* Doubles the string set, keeping every string where it is in memory. */
static void
sym_str_grow(struct sym_strings *st)
{
	uint32_t size = st->size == 0 ? 256 : st->size * 2, i;
	char **slots = xcalloc(size, sizeof(*slots));

	for (i = 0; i < st->size; i++)
		if (st->slots[i] != NULL)
			*sym_str_slot(slots, size, st->slots[i]) = st->slots[i];
	free(st->slots);
	st->slots = slots;
	st->size = size;
}

/* The one stored copy of s (NULL stays NULL). */
static const char *
sym_intern(struct symbolizer *sym, const char *s)
{
	struct sym_strings *st = &sym->strings;
	char **slot;

	if (s == NULL)
		return NULL;
	if ((st->used + 1) * 2 > st->size)
		sym_str_grow(st);
	slot = sym_str_slot(st->slots, st->size, s);
	if (*slot == NULL) {
		*slot = xstrdup(s);
		st->used++;
	}
	return *slot;
}

/* Drops the last component written before *out for a "..": returns 1
 * when done (or when an absolute path is at its root), 0 when the ".."
 * must stay (nothing, or only "..", left in a relative path). */
static int
sym_path_pop(char *root, char **out, int absolute)
{
	char *last = *out;

	while (last > root && last[-1] != '/')
		last--;
	if (*out == root)
		return absolute;
	if (*out - last == 2 && last[0] == '.' && last[1] == '.')
		return 0;
	*out = last > root ? last - 1 : root;
	return 1;
}

/* Removes "." and "dir/.." components and doubled slashes in place, so one
 * file named two ways (a build dir's "../src/x.c") is interned once.
 * Lexical, like the paths the compiler recorded. */
static void
sym_path_clean(char *path)
{
	int absolute = path[0] == '/';
	char *root = path + absolute, *out = root, *in = root, *seg;
	size_t len;

	while (*in != '\0') {
		while (*in == '/')
			in++;
		seg = in;
		while (*in != '\0' && *in != '/')
			in++;
		if ((len = (size_t)(in - seg)) == 0 ||
		    (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.' &&
		    sym_path_pop(root, &out, absolute))
			continue;
		if (out > root)
			*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == path)
		*out++ = '.';
	*out = '\0';
}

/* Interns file (joined to dir when relative: DWARF's comp_dir, itself
 * relative in prefix-mapped builds such as Debian's), cleaned. */
static const char *
sym_intern_path(struct symbolizer *sym, const char *dir, const char *file)
{
	char buf[PATH_MAX];
	int n;

	if (file == NULL)
		return NULL;
	if (file[0] == '/' || dir == NULL || dir[0] == '\0')
		n = snprintf(buf, sizeof(buf), "%s", file);
	else
		n = snprintf(buf, sizeof(buf), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return sym_intern(sym, file);
	sym_path_clean(buf);
	return sym_intern(sym, buf);
}

/* --- pc cache ------------------------------------------------------------- */

/* Slot index of addr's home in a table of size entries. */
static uint32_t
sym_cache_home(uint64_t addr, uint32_t size)
{
	return (uint32_t)((addr * 0x9e3779b97f4a7c15ull) >> 32) & (size - 1);
}

/* The entry for addr, or the empty slot where it belongs. */
static struct sym_entry *
sym_cache_slot(struct sym_entry *table, uint32_t size, uint64_t addr)
{
	uint32_t i = sym_cache_home(addr, size);

	while (table[i].nframes != 0 && table[i].addr != addr)
		i = (i + 1) & (size - 1);
	return &table[i];
}

/* Doubles the table; entries keep their frames. */
static void
sym_cache_grow(struct symbolizer *sym)
{
	uint32_t size = sym->table_size * 2, i;
	struct sym_entry *table = xcalloc(size, sizeof(*table));

	for (i = 0; i < sym->table_size; i++)
		if (sym->table[i].nframes != 0)
			*sym_cache_slot(table, size, sym->table[i].addr) =
			    sym->table[i];
	free(sym->table);
	sym->table = table;
	sym->table_size = size;
}

/* Appends n frames to the pool; returns the index of the first. */
static uint32_t
sym_frames_add(struct symbolizer *sym, const struct sym_frame *fr, int n)
{
	uint32_t first = sym->nframes;

	while (sym->nframes + (uint32_t)n > sym->frames_size) {
		sym->frames_size =
		    sym->frames_size == 0 ? 1024 : sym->frames_size * 2;
		sym->frames = xrealloc(
		    sym->frames, sym->frames_size * sizeof(*sym->frames));
	}
	memcpy(&sym->frames[first], fr, (size_t)n * sizeof(*fr));
	sym->nframes += (uint32_t)n;
	return first;
}

/* Stores fr[0..n) as addr's answer in slot e (found by sym_cache_slot);
 * refuses and counts when the cache is full. */
static void
sym_cache_store(struct symbolizer *sym, struct sym_entry *e, uint64_t addr,
    const struct sym_frame *fr, int n)
{
	if (e->nframes != 0 && n <= e->nframes) {
		/* A retried [unmapped] answer: reuse its frames. */
		memcpy(&sym->frames[e->first], fr, (size_t)n * sizeof(*fr));
	} else if (e->nframes != 0) {
		e->first = sym_frames_add(sym, fr, n);
	} else if (sym->stats.cache_entries >= sym->cap) {
		sym->stats.cache_refused++;
		return;
	} else {
		e->addr = addr;
		e->first = sym_frames_add(sym, fr, n);
		sym->stats.cache_entries++;
	}
	e->nframes = (uint16_t)n;
	e->gen = sym->gen;
	if (sym->stats.cache_entries * 2 > sym->table_size)
		sym_cache_grow(sym);
}

/* --- modules -------------------------------------------------------------- */

/* Reads the maps of sym->pid into dwfl, adding to the modules known. */
static int
sym_report(struct symbolizer *sym)
{
	int rc;

	/* begin_add keeps modules unmapped since: samples drained late may
	 * still point into them. Re-reported modules keep their DWARF. */
	dwfl_report_begin_add(sym->dwfl);
	rc = dwfl_linux_proc_report(sym->dwfl, sym->pid);
	if (dwfl_report_end(sym->dwfl, NULL, NULL) != 0 && rc == 0)
		rc = -1;
	if (rc != 0) {
		log_warn("symbolize: reading maps of pid %ld: %s",
		    (long)sym->pid, rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
		return -1;
	}
	return 0;
}

int
symbolizer_refresh(struct symbolizer *sym)
{
	sym->last_refresh_ms = hl_now_ms();
	sym->stats.refreshes++;
	sym->gen++;
	return sym_report(sym);
}

/* Interned path of mod as named in the maps. */
static const char *
sym_module_path(struct symbolizer *sym, Dwfl_Module *mod)
{
	return sym_intern(sym,
	    dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
}

/* Whether the interned module path is own code. */
static int
sym_is_own(const struct symbolizer *sym, const char *path)
{
	int i;

	if (path == NULL)
		return 0;
	if (path == sym->exe)
		return 1;
	for (i = 0; i < sym->nown; i++)
		if (path == sym->own[i])
			return 1;
	return 0;
}

int
symbolizer_mark_own(struct symbolizer *sym, const char *path)
{
	char real[PATH_MAX];

	if (path == NULL || path[0] == '\0' || sym->nown >= SYM_MAX_OWN)
		return -1;
	/* The maps name the resolved file, so compare with that. */
	if (realpath(path, real) != NULL)
		path = real;
	sym->own[sym->nown++] = sym_intern(sym, path);
	return 0;
}

/* Module callback: remembers the module named exe in *arg. */
static int
sym_find_exe_cb(Dwfl_Module *mod, void **userdata, const char *name,
    Dwarf_Addr start, void *arg)
{
	void **found = arg;
	struct symbolizer *sym = found[0];

	if (name != NULL && sym->exe != NULL && strcmp(name, sym->exe) == 0) {
		found[1] = mod;
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

/* Whether the ELF file elf has a section named name. */
static int
sym_elf_has_section(Elf *elf, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr shdr;
	const char *sname;

	if (elf == NULL || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return 0;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &shdr) == NULL)
			continue;
		sname = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (sname != NULL && strcmp(sname, name) == 0)
			return 1;
	}
	return 0;
}

/* Classifies the main executable's debug information (libdw's standard
 * debuginfo search also tries /usr/lib/debug/.build-id and debuglinks). */
static enum sym_debug
sym_probe_debug(struct symbolizer *sym)
{
	void *found[2] = { sym, NULL };
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	Dwarf *dw;

	dwfl_getmodules(sym->dwfl, sym_find_exe_cb, found, 0);
	if ((mod = found[1]) == NULL)
		return SYM_DEBUG_NONE;
	dw = dwfl_module_getdwarf(mod, &bias);
	if (dw != NULL &&
	    (sym_elf_has_section(dwarf_getelf(dw), ".debug_line") ||
		sym_elf_has_section(dwarf_getelf(dw), ".zdebug_line")))
		return SYM_DEBUG_LINES;
	return dwfl_module_getsymtab(mod) > 0 ? SYM_DEBUG_FUNCTIONS
					      : SYM_DEBUG_NONE;
}

/* Interned target of /proc/pid/exe, or NULL. */
static const char *
sym_read_exe(struct symbolizer *sym)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)sym->pid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	return sym_intern(sym, path);
}

struct symbolizer *
symbolizer_new(pid_t pid)
{
	struct symbolizer *sym = xcalloc(1, sizeof(*sym));

	/* Debuginfo lookups stay local: no network from the master. */
	unsetenv("DEBUGINFOD_URLS");
	sym->pid = pid;
	sym->cap = SYM_CACHE_CAP;
	sym->table_size = 1024;
	sym->table = xcalloc(sym->table_size, sizeof(*sym->table));
	sym->callbacks.find_elf = dwfl_linux_proc_find_elf;
	sym->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	sym->callbacks.debuginfo_path = &sym->debuginfo_path;
	if ((sym->dwfl = dwfl_begin(&sym->callbacks)) == NULL) {
		log_warn("symbolize: dwfl_begin: %s", dwfl_errmsg(-1));
		goto fail;
	}
	sym->exe = sym_read_exe(sym);
	sym->unknown = sym_intern(sym, SYM_UNKNOWN);
	sym->unmapped = sym_intern(sym, SYM_UNMAPPED);
	sym->last_refresh_ms = hl_now_ms();
	sym->refresh_min_ms = SYM_REFRESH_MIN_MS;
	if (sym_report(sym) != 0)
		goto fail;
	sym->debug = sym_probe_debug(sym);
	return sym;
fail:
	symbolizer_free(sym);
	return NULL;
}

void
symbolizer_free(struct symbolizer *sym)
{
	uint32_t i;

	if (sym == NULL)
		return;
	if (sym->dwfl != NULL)
		dwfl_end(sym->dwfl);
	for (i = 0; i < sym->strings.size; i++)
		free(sym->strings.slots[i]);
	free(sym->strings.slots);
	free(sym->table);
	free(sym->frames);
	free(sym);
}

/* --- resolving a miss ----------------------------------------------------- */

/* Unsigned attribute at of die, or 0. */
static uint32_t
sym_die_udata(Dwarf_Die *die, unsigned int at)
{
	Dwarf_Attribute attr;
	Dwarf_Word val;

	if (dwarf_formudata(dwarf_attr(die, at, &attr), &val) != 0 ||
	    val > UINT32_MAX)
		return 0;
	return (uint32_t)val;
}

/* Whether die is a function-like scope: a frame of its own. */
static int
sym_is_function(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	    tag == DW_TAG_entry_point;
}

/* Interned name of a function DIE (abstract origin followed). */
static const char *
sym_die_name(struct symbolizer *sym, Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);

	return name != NULL ? sym_intern(sym, name) : sym->unknown;
}

/* Call site of the inlined scope die: its DW_AT_call_* in the caller. */
static void
sym_call_site(struct symbolizer *sym, Dwarf_Die *cudie, Dwarf_Die *die,
    struct sym_frame *caller)
{
	Dwarf_Files *files;
	Dwarf_Attribute attr;
	const char *comp_dir, *file = NULL;
	uint32_t idx = sym_die_udata(die, DW_AT_call_file);

	if (idx != 0 && dwarf_getsrcfiles(cudie, &files, NULL) == 0)
		file = dwarf_filesrc(files, idx, NULL, NULL);
	comp_dir = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &attr));
	caller->file = sym_intern_path(sym, comp_dir, file);
	caller->line = sym_die_udata(die, DW_AT_call_line);
	caller->column = sym_die_udata(die, DW_AT_call_column);
}

/* Unrolls the scopes holding the innermost scope DIE inner: fr[0] (file and
 * line already set from the line table) gets the innermost function, and
 * each inlined scope adds its caller at the call site. Returns the count. */
static int
sym_unroll(struct symbolizer *sym, Dwarf_Die *cudie, Dwarf_Die *inner,
    struct sym_frame *fr, int max)
{
	Dwarf_Die *chain = NULL, *callee = NULL;
	int nchain, i, n = 0;

	/* dwarf_getscopes continues an inlined scope with its abstract
	 * origin; dwarf_getscopes_die gives the physical nesting, whose
	 * next function-like scope is the caller (as addr2line -i). */
	nchain = dwarf_getscopes_die(inner, &chain);
	for (i = 0; i < nchain && n < max; i++) {
		if (!sym_is_function(&chain[i]))
			continue;
		if (callee != NULL) {
			fr[n] = fr[n - 1];
			sym_call_site(sym, cudie, callee, &fr[n]);
			fr[n - 1].inlined = 1;
		}
		fr[n++].function = sym_die_name(sym, &chain[i]);
		if (dwarf_tag(&chain[i]) != DW_TAG_inlined_subroutine)
			break;
		callee = &chain[i];
	}
	free(chain);
	return n;
}

/* Innermost file:line:column of addr from mod's line table into fr. */
static void
sym_line(struct symbolizer *sym, Dwfl_Module *mod, Dwarf_Addr addr,
    struct sym_frame *fr)
{
	Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
	const char *file;
	int lineno = 0, col = 0;

	if (line == NULL)
		return;
	file = dwfl_lineinfo(line, NULL, &lineno, &col, NULL, NULL);
	if (file == NULL)
		return;
	fr->file = sym_intern_path(sym, dwfl_line_comp_dir(line), file);
	fr->line = lineno > 0 ? (uint32_t)lineno : 0;
	fr->column = col > 0 ? (uint32_t)col : 0;
}

/* DWARF answer for addr in mod: line table plus scopes. Returns the frame
 * count, 0 when mod has no DWARF scope for addr (fr[0] may have a line). */
static int
sym_resolve_dwarf(struct symbolizer *sym, Dwfl_Module *mod, Dwarf_Addr addr,
    struct sym_frame *fr, int max)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cudie, *scopes = NULL;
	int nscopes, n = 0;

	if ((cudie = dwfl_module_addrdie(mod, addr, &bias)) == NULL)
		return 0;
	sym_line(sym, mod, addr, &fr[0]);
	nscopes = dwarf_getscopes(cudie, addr - bias, &scopes);
	if (nscopes > 0)
		n = sym_unroll(sym, cudie, &scopes[0], fr, max);
	free(scopes);
	return n;
}

/* Own code without a line table (a module built without -g) is named
 * `object!function` in a "file" that is the object's path, line 0, so it
 * is charged there and never to a caller's line (issue 16). */
static void
sym_name_by_object(struct symbolizer *sym, struct sym_frame *fr)
{
	const char *base = strrchr(fr->object, '/');
	char name[512];

	base = base != NULL ? base + 1 : fr->object;
	snprintf(name, sizeof name, "%s!%s", base, fr->function);
	fr->function = sym_intern(sym, name);
	fr->file = fr->object;
	fr->line = 0;
}

/* Frames for addr inside mod: DWARF scopes, else the symbol table. */
static int
sym_resolve_module(struct symbolizer *sym, Dwfl_Module *mod, uint64_t addr,
    struct sym_frame *fr, int max)
{
	const char *name;
	int n;

	fr[0].object = sym_module_path(sym, mod);
	fr[0].own = (uint8_t)sym_is_own(sym, fr[0].object);
	if ((n = sym_resolve_dwarf(sym, mod, addr, fr, max)) > 0)
		return n;
	/* Functions only: an object without DWARF, or code (assembly)
	 * that its DWARF has no subprogram for. */
	name = dwfl_module_addrname(mod, addr);
	fr[0].function = name != NULL ? sym_intern(sym, name) : sym->unknown;
	if (fr[0].own && fr[0].object != NULL)
		sym_name_by_object(sym, &fr[0]);
	return 1;
}

/* Whether an unmapped pc may trigger a re-read of the maps now. */
static int
sym_refresh_due(const struct symbolizer *sym)
{
	return hl_now_ms() - sym->last_refresh_ms >= sym->refresh_min_ms;
}

/* Whether addr lies in one of mod's PT_LOAD segments. 1 when its ELF
 * cannot be read (nothing better to go by). */
static int
sym_module_holds(Dwfl_Module *mod, Dwarf_Addr addr)
{
	GElf_Phdr mem, *ph;
	Dwarf_Addr bias, at;
	size_t n, i;
	Elf *elf = dwfl_module_getelf(mod, &bias);

	if (elf == NULL || elf_getphdrnum(elf, &n) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		if ((ph = gelf_getphdr(elf, (int)i, &mem)) == NULL ||
		    ph->p_type != PT_LOAD)
			continue;
		at = ph->p_vaddr + bias;
		if (addr >= at && addr - at < ph->p_memsz)
			return 1;
	}
	return 0;
}

struct sym_holder {
	Dwarf_Addr	 addr;
	Dwfl_Module	*mod;		/* found */
};

static int
sym_holder_cb(Dwfl_Module *mod, void **userdata, const char *name,
    Dwarf_Addr start, void *arg)
{
	struct sym_holder *h = arg;
	Dwarf_Addr end;

	dwfl_module_info(mod, NULL, NULL, &end, NULL, NULL, NULL, NULL);
	if (h->addr < start || h->addr >= end || !sym_module_holds(mod,
	    h->addr))
		return DWARF_CB_OK;
	h->mod = mod;
	return DWARF_CB_ABORT;
}

/* The module whose segments hold addr. libdw's module span runs from its
 * first segment to its last, so a library the loader mapped into a gap
 * of another object's span is inside that span too: dwfl_addrmodule's
 * answer is checked against its PT_LOAD segments, and when they miss,
 * the module that does hold addr is looked for (none: not mapped yet). */
static Dwfl_Module *
sym_addrmodule(struct symbolizer *sym, Dwarf_Addr addr)
{
	struct sym_holder h = { addr, NULL };
	Dwfl_Module *mod = dwfl_addrmodule(sym->dwfl, addr);

	if (mod == NULL || sym_module_holds(mod, addr))
		return mod;
	dwfl_getmodules(sym->dwfl, sym_holder_cb, &h, 0);
	return h.mod;
}

/* Resolves addr with libdw into fr[0..max); returns the frame count. */
static int
sym_resolve(
    struct symbolizer *sym, uint64_t addr, struct sym_frame *fr, int max)
{
	Dwfl_Module *mod;

	memset(fr, 0, (size_t)max * sizeof(*fr));
	mod = addr == 0 ? NULL : sym_addrmodule(sym, addr);
	if (mod == NULL && addr != 0 && sym_refresh_due(sym) &&
	    symbolizer_refresh(sym) == 0)
		mod = sym_addrmodule(sym, addr);
	if (mod == NULL) {
		fr[0].function = sym->unmapped;
		return 1;
	}
	return sym_resolve_module(sym, mod, addr, fr, max);
}

/* Whether a cached answer is [unmapped]: worth retrying after a refresh. */
static int
sym_is_unmapped(const struct sym_frame *fr)
{
	return fr->object == NULL;
}

/* Counts an unresolved answer. */
static void
sym_count(struct symbolizer *sym, const struct sym_frame *fr)
{
	if (fr->object == NULL || fr->function == sym->unknown)
		sym->stats.unresolved++;
}

int
symbolizer_lookup(struct symbolizer *sym, uint64_t pc, int is_return_address,
    struct sym_frame *out, int max_frames)
{
	struct sym_frame fr[SYM_MAX_FRAMES];
	struct sym_entry *e;
	uint64_t addr = is_return_address && pc > 0 ? pc - 1 : pc;
	int n;

	if (sym == NULL || out == NULL || max_frames < 1)
		return 0;
	sym->stats.lookups++;
	e = sym_cache_slot(sym->table, sym->table_size, addr);
	if (e->nframes != 0 &&
	    (e->gen == sym->gen || !sym_is_unmapped(&sym->frames[e->first]))) {
		sym->stats.cache_hits++;
		n = HL_MIN(e->nframes, max_frames);
		memcpy(out, &sym->frames[e->first], (size_t)n * sizeof(*out));
		sym_count(sym, out);
		return n;
	}
	n = sym_resolve(sym, addr, fr, SYM_MAX_FRAMES);
	sym_cache_store(sym, e, addr, fr, n);
	sym_count(sym, fr);
	n = HL_MIN(n, max_frames);
	memcpy(out, fr, (size_t)n * sizeof(*out));
	return n;
}

enum sym_debug
symbolizer_debug(const struct symbolizer *sym)
{
	return sym->debug;
}

int
symbolizer_stripped(const struct symbolizer *sym)
{
	return sym->debug != SYM_DEBUG_LINES;
}

const char *
symbolizer_debug_name(enum sym_debug debug)
{
	switch (debug) {
	case SYM_DEBUG_LINES: return "lines";
	case SYM_DEBUG_FUNCTIONS: return "functions only";
	case SYM_DEBUG_NONE: return "none";
	}
	return "none";
}

void
symbolizer_stats(const struct symbolizer *sym, struct sym_stats *out)
{
	*out = sym->stats;
	out->strings = sym->strings.used;
}

void
symbolizer_set_refresh_min_ms(struct symbolizer *sym, uint64_t ms)
{
	sym->refresh_min_ms = ms;
}

int
symbolizer_set_cache_cap(struct symbolizer *sym, uint32_t cap)
{
	if (cap == 0 || cap > SYM_CACHE_CAP || sym->stats.cache_entries != 0)
		return -1;
	sym->cap = cap;
	return 0;
}

int
symbolizer_module(struct symbolizer *sym, uint64_t pc, struct sym_module *out)
{
	Dwfl_Module *mod = dwfl_addrmodule(sym->dwfl, pc);
	const unsigned char *bits;
	GElf_Addr vaddr, start, end;
	int n, i;

	memset(out, 0, sizeof *out);
	if (mod == NULL)
		return -1;
	out->path = sym_module_path(sym, mod);
	dwfl_module_info(mod, NULL, &start, &end, NULL, NULL, NULL, NULL);
	out->start = start;
	out->limit = end;
	n = dwfl_module_build_id(mod, &bits, &vaddr);
	for (i = 0; i < n && i < SYM_BUILD_ID_MAX; i++)
		snprintf(out->build_id + 2 * i, 3, "%02x", bits[i]);
	return 0;
}
