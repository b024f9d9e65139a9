/* Symbolizer: program counters of a process -> object, function, file:line,
 * with inlined scopes expanded (as `addr2line -i -f`), using elfutils libdw.
 *
 * The master owns one and resolves the workers' samples with it: workers fork
 * from the master without exec after modules are dlopen'ed, so the master's
 * layout of the daemon, its libraries and its modules is theirs too.
 *
 * Thread-safety: none inside. A symbolizer is used by one thread at a time
 * (the master's reporter owns one); separate symbolizers in separate threads
 * are independent. symbolizer_new() unsets DEBUGINFOD_URLS in the process
 * environment, so call it before starting threads that read the environment.
 */
#ifndef HL_SYMBOLIZE_H
#define HL_SYMBOLIZE_H

#include <stdint.h>
#include <sys/types.h>

/* Entries in the pc cache before new pcs are resolved but not kept. */
#define SYM_CACHE_CAP 65536
/* Most frames (inlined scopes + their real function) kept for one pc. */
#define SYM_MAX_FRAMES 16
/* Least time between two automatic re-reads of the process maps. */
#define SYM_REFRESH_MIN_MS 1000

/* Debug information found for the main executable. */
enum sym_debug {
	SYM_DEBUG_LINES, /* .debug_line: file:line and inlines */
	SYM_DEBUG_FUNCTIONS, /* symbol table only: "functions only" */
	SYM_DEBUG_NONE, /* not even a symbol table */
};

/* One resolved frame. Every string is owned by the symbolizer, interned
 * (equal strings share one pointer) and valid until symbolizer_free(). */
struct sym_frame {
	const char *function; /* name, "[unknown]" or "[unmapped]" */
	const char *file; /* source path as in DWARF (comp_dir joined), or
			   * NULL when the object has no line info */
	const char *object; /* path of the module, NULL when unmapped */
	uint32_t line; /* 0 when unknown */
	uint32_t column; /* 0 when unknown */
	uint8_t own; /* main executable or a symbolizer_mark_own path */
	uint8_t inlined; /* this scope was inlined into the next frame */
};

/* The module (executable or shared object) a pc lies in. */
#define SYM_BUILD_ID_MAX 32 /* bytes of build id kept */
struct sym_module {
	const char *path; /* interned, as in the maps */
	uint64_t start; /* its span in the process */
	uint64_t limit;
	char build_id[2 * SYM_BUILD_ID_MAX + 1]; /* hex, "" when none */
};

/* Counters for the status endpoint. */
struct sym_stats {
	uint64_t lookups; /* symbolizer_lookup calls */
	uint64_t cache_hits; /* answered from the cache, no libdw */
	uint64_t unresolved; /* lookups answered [unmapped] or [unknown] */
	uint64_t refreshes; /* re-reads of the process maps */
	uint64_t cache_entries; /* pcs in the cache */
	uint64_t cache_refused; /* resolved but not cached: cache full */
	uint64_t strings; /* interned strings */
};

struct symbolizer;

/* Reports the modules mapped in process pid (getpid() for ourselves) and
 * checks the main executable's debug information. Returns a symbolizer the
 * caller owns, or NULL (cause logged) when /proc/pid/maps cannot be read or
 * libdw fails. */
struct symbolizer *symbolizer_new(pid_t pid);

/* Frees the symbolizer and every string it handed out. NULL is a no-op. */
void symbolizer_free(struct symbolizer *sym);

/* Re-reads the process maps now (modules loaded since are added). Cached
 * pcs stay; cached [unmapped] answers are retried on their next lookup.
 * Returns 0, or -1 with the previous module list kept. Lookups call this
 * themselves, at most every SYM_REFRESH_MIN_MS, for an unmapped pc. */
int symbolizer_refresh(struct symbolizer *sym);

/* Marks the module at path (a handler module) as own code; the main
 * executable always is. Copies path; resolves symlinks when it can.
 * Affects pcs resolved after the call. Returns 0, or -1 on a bad path. */
int symbolizer_mark_own(struct symbolizer *sym, const char *path);

/* Resolves pc into at most max_frames frames written to out: the innermost
 * inlined scope first, then each scope it was inlined into, ending with the
 * real function. is_return_address: pc is a caller's return address, looked
 * up at pc - 1 so the line is the call's, not the next statement's.
 * Returns the number of frames (>= 1 when max_frames >= 1; an unresolvable
 * pc gives one "[unmapped]" or "[unknown]" frame), 0 when max_frames < 1.
 * Strings in out are owned by sym (see struct sym_frame). */
int symbolizer_lookup(struct symbolizer *sym, uint64_t pc,
    int is_return_address, struct sym_frame *out, int max_frames);

/* Fills out with the module pc lies in (after a lookup of pc, so the maps
 * are fresh). Returns 0, or -1 when no module holds pc. */
int symbolizer_module(struct symbolizer *sym, uint64_t pc,
    struct sym_module *out);

/* Debug information of the main executable, found at symbolizer_new. */
enum sym_debug symbolizer_debug(const struct symbolizer *sym);

/* 1 when the main executable has no line table ("functions only"). */
int symbolizer_stripped(const struct symbolizer *sym);

/* "lines", "functions only" or "none", for the status endpoint. */
const char *symbolizer_debug_name(enum sym_debug debug);

/* Copies the counters into *out. */
void symbolizer_stats(const struct symbolizer *sym, struct sym_stats *out);

/* Lowers the cache cap below SYM_CACHE_CAP (tests); call before lookups.
 * Returns 0, or -1 when the cache already holds entries or cap is 0. */
int symbolizer_set_cache_cap(struct symbolizer *sym, uint32_t cap);

/* Changes the least time between automatic refreshes (SYM_REFRESH_MIN_MS by
 * default); tests that must not race the clock raise it. */
void symbolizer_set_refresh_min_ms(struct symbolizer *sym, uint64_t ms);

#endif /* HL_SYMBOLIZE_H */
