/* Unit tests for the symbolizer: it resolves pcs of this very binary (built
 * -g -O2), of libc and of a forked child, expands inlined scopes, and
 * answers repeated pcs from its cache. Functions whose pcs are checked are
 * noipa (no inlining, cloning or tail calls), so their names and lines are
 * the ones written here. */
#include "autoconf.h"

#include <check.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profile/symbolize.h"
#include "hl_check.h"

#define NOIPA __attribute__((noipa))

static volatile int helper_line; /* set by sym_inline_helper */

/* Returns the address its caller resumes at. */
NOIPA static uint64_t
capture_return_address(void)
{
	return (uint64_t)__builtin_return_address(0);
}

/* Calls capture_return_address at the line stored in *line. */
NOIPA static uint64_t
call_site(int *line)
{
	uint64_t ra;

	*line = __LINE__ + 1;
	ra = capture_return_address();
	__asm__ volatile("" : : "r"(ra)); /* not a tail call */
	return ra;
}

/* Inlined into its caller; the call inside it is at helper_line. */
static inline __attribute__((always_inline)) uint64_t
sym_inline_helper(void)
{
	uint64_t ra;

	helper_line = __LINE__ + 1;
	ra = capture_return_address();
	__asm__ volatile("" : : "r"(ra));
	return ra;
}

/* Calls the inlined helper at the line stored in *line. */
NOIPA static uint64_t
inline_caller(int *line)
{
	uint64_t ra;

	*line = __LINE__ + 1;
	ra = sym_inline_helper();
	__asm__ volatile("" : : "r"(ra));
	return ra;
}

/* A function whose entry pc is looked up: at -O2 the entry is charged to
 * the line of the name, the brace or the first statement. */
static const int target_first_line = __LINE__ + 2;
NOIPA static int
target_function(int x)
{
	return x * 3 + 1;
}

static uint64_t qsort_return; /* a return address inside qsort's code */

/* qsort comparator that records where qsort called it from. */
NOIPA static int
compare_ints(const void *a, const void *b)
{
	qsort_return = (uint64_t)__builtin_return_address(0);
	return *(const int *)a - *(const int *)b;
}

/* The last path component of path. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* A symbolizer for this process, which the test must get. */
static struct symbolizer *
self_symbolizer(void)
{
	struct symbolizer *sym = symbolizer_new(getpid());

	ck_assert_ptr_nonnull(sym);
	return sym;
}

/* Checks fr is own code in this file, function fn, line line. */
static void
check_own_frame(const struct sym_frame *fr, const char *fn, int line)
{
	ck_assert_str_eq(fr->function, fn);
	ck_assert_ptr_nonnull(fr->file);
	ck_assert_str_eq(base_name(fr->file), "check_symbolize.c");
	ck_assert_int_eq(fr->line, line);
	ck_assert_ptr_nonnull(fr->object);
	ck_assert_int_eq(fr->own, 1);
}

START_TEST(function_entry)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	int n;

	ck_assert_int_eq(target_function(1), 4);
	n = symbolizer_lookup(
	    sym, (uint64_t)(uintptr_t)&target_function, 0, fr, 4);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(fr[0].function, "target_function");
	ck_assert_str_eq(base_name(fr[0].file), "check_symbolize.c");
	ck_assert_ptr_null(strstr(fr[0].file, "/../")); /* normalized */
	ck_assert_int_ge(fr[0].line, target_first_line);
	ck_assert_int_le(fr[0].line, target_first_line + 2);
	ck_assert_int_eq(fr[0].own, 1);
	ck_assert_int_eq(fr[0].inlined, 0);
	ck_assert_ptr_nonnull(strstr(fr[0].object, "check_symbolize"));
	symbolizer_free(sym);
}
END_TEST

START_TEST(return_address_is_call_line)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	int line = 0, n;
	uint64_t ra = call_site(&line);

	n = symbolizer_lookup(sym, ra, 1, fr, 4);
	ck_assert_int_eq(n, 1);
	check_own_frame(&fr[0], "call_site", line);
	symbolizer_free(sym);
}
END_TEST

START_TEST(inlined_helper_gives_two_frames)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	int line = 0, n;
	uint64_t ra = inline_caller(&line);

	n = symbolizer_lookup(sym, ra, 1, fr, 4);
	ck_assert_int_eq(n, 2);
	check_own_frame(&fr[0], "sym_inline_helper", helper_line);
	ck_assert_int_eq(fr[0].inlined, 1);
	check_own_frame(&fr[1], "inline_caller", line);
	ck_assert_int_eq(fr[1].inlined, 0);
	ck_assert_ptr_eq(fr[0].file, fr[1].file); /* interned once */
	ck_assert_ptr_eq(fr[0].object, fr[1].object);

	/* max_frames cuts from the outside: the innermost scope stays. */
	ck_assert_int_eq(symbolizer_lookup(sym, ra, 1, fr, 1), 1);
	ck_assert_str_eq(fr[0].function, "sym_inline_helper");
	ck_assert_int_eq(symbolizer_lookup(sym, ra, 1, fr, 0), 0);
	symbolizer_free(sym);
}
END_TEST

START_TEST(libc_is_native)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *fn;
	int v[] = { 3, 1, 2 }, n;

	/* dlsym on libc's handle: under ASan the default lookup would
	 * give the sanitizer's interceptor. */
	ck_assert_ptr_nonnull(libc);
	fn = dlsym(libc, "getpid");
	ck_assert_ptr_nonnull(fn);
	n = symbolizer_lookup(sym, (uint64_t)(uintptr_t)fn, 0, fr, 4);
	ck_assert_int_ge(n, 1);
	ck_assert_ptr_nonnull(fr[0].object);
	ck_assert_ptr_nonnull(strstr(base_name(fr[0].object), "libc"));
	ck_assert_int_eq(fr[0].own, 0);
	ck_assert_str_ne(fr[0].function, "[unknown]");
	ck_assert_str_ne(fr[0].function, "[unmapped]");

	/* The comparator's caller is native code (libc, or ASan's qsort). */
	qsort(v, 3, sizeof(v[0]), compare_ints);
	n = symbolizer_lookup(sym, qsort_return, 1, fr, 4);
	ck_assert_int_ge(n, 1);
	ck_assert_ptr_nonnull(fr[n - 1].object);
	ck_assert_int_eq(fr[n - 1].own, 0);
	dlclose(libc);
	symbolizer_free(sym);
}
END_TEST

START_TEST(unmapped_address)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	struct sym_stats st;

	ck_assert_int_eq(symbolizer_lookup(sym, 0x10, 0, fr, 4), 1);
	ck_assert_str_eq(fr[0].function, "[unmapped]");
	ck_assert_ptr_null(fr[0].object);
	ck_assert_ptr_null(fr[0].file);
	ck_assert_int_eq(fr[0].line, 0);
	ck_assert_int_eq(symbolizer_lookup(sym, 0, 1, fr, 4), 1);
	ck_assert_str_eq(fr[0].function, "[unmapped]");
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.lookups, 2);
	ck_assert_uint_eq(st.unresolved, 2);
	symbolizer_free(sym);
}
END_TEST

START_TEST(second_lookup_is_a_hit)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame a[4], b[4];
	struct sym_stats st;
	int line = 0;
	uint64_t ra = call_site(&line);

	ck_assert_int_eq(symbolizer_lookup(sym, ra, 1, a, 4), 1);
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.lookups, 1);
	ck_assert_uint_eq(st.cache_hits, 0);
	ck_assert_uint_eq(st.cache_entries, 1);
	ck_assert_int_eq(symbolizer_lookup(sym, ra, 1, b, 4), 1);
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.lookups, 2);
	ck_assert_uint_eq(st.cache_hits, 1);
	ck_assert_uint_eq(st.cache_entries, 1);
	ck_assert_uint_eq(st.unresolved, 0);
	ck_assert_ptr_eq(a[0].function, b[0].function);
	ck_assert_ptr_eq(a[0].file, b[0].file);
	ck_assert_int_eq(b[0].line, line);
	/* The same instruction asked as a pc (not a return) is pc - 1's
	 * entry: one lookup address, one entry. */
	ck_assert_int_eq(symbolizer_lookup(sym, ra - 1, 0, b, 4), 1);
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.cache_hits, 2);
	symbolizer_free(sym);
}
END_TEST

START_TEST(full_cache_refuses_and_counts)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	struct sym_stats st;
	uint64_t base = (uint64_t)(uintptr_t)&target_function;
	int i;

	ck_assert_int_eq(symbolizer_set_cache_cap(sym, 0), -1);
	ck_assert_int_eq(symbolizer_set_cache_cap(sym, 2), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(symbolizer_lookup(sym, base + i, 0, fr, 4), 1);
		ck_assert_str_eq(fr[0].function, "target_function");
	}
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.cache_entries, 2);
	ck_assert_uint_eq(st.cache_refused, 1);
	/* Refused pcs still resolve, from libdw each time. */
	ck_assert_int_eq(symbolizer_lookup(sym, base + 2, 0, fr, 4), 1);
	ck_assert_str_eq(fr[0].function, "target_function");
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.cache_hits, 0);
	ck_assert_uint_eq(st.cache_refused, 2);
	ck_assert_int_eq(symbolizer_set_cache_cap(sym, 8), -1);
	symbolizer_free(sym);
}
END_TEST

/* The dynamic-section address of a library dlopen'ed now (one this test
 * does not link), or 0; *name gets its file name. */
static uint64_t
load_new_library(const char **name)
{
	static const char *const candidates[] = { "libanl.so.1", "libutil.so.1",
		"libnss_files.so.2", "libBrokenLocale.so.1" };
	struct link_map *map;
	size_t i;
	void *h;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if ((h = dlopen(candidates[i], RTLD_NOW | RTLD_NOLOAD)) !=
		    NULL) {
			dlclose(h);
			continue;
		}
		if ((h = dlopen(candidates[i], RTLD_NOW)) == NULL)
			continue;
		if (dlinfo(h, RTLD_DI_LINKMAP, &map) != 0)
			continue;
		*name = candidates[i];
		return (uint64_t)(uintptr_t)map->l_ld;
	}
	return 0;
}

START_TEST(refresh_finds_new_library)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	struct sym_stats st;
	const char *name = NULL;
	uint64_t addr;

	/* No automatic refresh may race this test on a slow (ASan) run. */
	symbolizer_set_refresh_min_ms(sym, 3600 * 1000);
	addr = load_new_library(&name);

	if (addr == 0) {
		fprintf(stderr, "# no library to dlopen; refresh untested\n");
		symbolizer_free(sym);
		return;
	}
	/* No automatic refresh yet: the new library is [unmapped] (and
	 * cached so), even when the loader put it inside the span of
	 * another object (library_in_another_span). */
	ck_assert_int_eq(symbolizer_lookup(sym, addr, 0, fr, 4), 1);
	if (fr[0].object != NULL)
		ck_abort_msg("%s resolved to %s before a refresh", name,
		    fr[0].object);
	ck_assert_str_eq(fr[0].function, "[unmapped]");
	ck_assert_int_eq(symbolizer_lookup(sym, addr, 0, fr, 4), 1);
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.cache_hits, 1);
	ck_assert_uint_eq(st.refreshes, 0);
	/* After a refresh the cached [unmapped] answer is retried. */
	ck_assert_int_eq(symbolizer_refresh(sym), 0);
	ck_assert_int_eq(symbolizer_lookup(sym, addr, 0, fr, 4), 1);
	ck_assert_ptr_nonnull(fr[0].object);
	ck_assert_ptr_nonnull(strstr(fr[0].object, name));
	ck_assert_int_eq(fr[0].own, 0);
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.refreshes, 1);
	ck_assert_uint_eq(st.cache_entries, 1);
	symbolizer_free(sym);
}
END_TEST

/* A library file this process has not mapped, by absolute path in libc's
 * directory, or NULL. */
static const char *
unmapped_library(const char *skip, char *path, size_t size)
{
	static const char *const candidates[] = { "libanl.so.1",
		"libutil.so.1", "libBrokenLocale.so.1", "libnss_files.so.2" };
	Dl_info info;
	size_t i;
	char *slash;
	void *h;

	if (dladdr((void *)&printf, &info) == 0 || info.dli_fname == NULL)
		return NULL;
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (skip != NULL && strcmp(base_name(skip), candidates[i]) == 0)
			continue;
		if ((h = dlopen(candidates[i], RTLD_NOW | RTLD_NOLOAD)) !=
		    NULL) {
			dlclose(h);
			continue;
		}
		snprintf(path, size, "%s", info.dli_fname);
		if ((slash = strrchr(path, '/')) == NULL)
			return NULL;
		snprintf(slash + 1, size - (size_t)(slash + 1 - path), "%s",
		    candidates[i]);
		if (access(path, R_OK) == 0)
			return path;
	}
	return NULL;
}

/* Map length bytes of path from offset 0 at addr, over this test's own
 * reservation; 0 or -1. */
static int
map_file_at(const char *path, uintptr_t addr, size_t length)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd == -1)
		return -1;
	p = mmap((void *)addr, length, PROT_READ, MAP_PRIVATE | MAP_FIXED,
	    fd, 0);
	close(fd);
	return p == (void *)addr ? 0 : -1;
}

/* The file offset of path's executable PT_LOAD where it equals its vaddr
 * (so a whole-file mapping at b puts that code at b + offset), or 0. */
static uint64_t
text_offset(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	if (fd == -1 || pread(fd, &eh, sizeof eh, 0) != sizeof eh)
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff +
		    (uint64_t)i * eh.e_phentsize)) != sizeof ph)
			break;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    ph.p_offset == ph.p_vaddr && ph.p_filesz > 0) {
			off = ph.p_offset;
			break;
		}
	}
out:
	if (fd != -1)
		close(fd);
	return off;
}

/* libdw gives a module the span from its first mapping to its last; a
 * library mapped into the gap (as the loader may do, seen in 2 of 10 ASan
 * runs) must resolve to itself, never to the object around it: laid out
 * on purpose here in a reserved hole (PROT_NONE, kept so that nothing
 * else is mapped into it meanwhile), outer's first page at its start and
 * again 48 pages on, the inner library whole at 16 pages. */
START_TEST(library_in_another_span)
{
	char outer_buf[PATH_MAX], inner_buf[PATH_MAX];
	const char *outer = unmapped_library(NULL, outer_buf, sizeof outer_buf);
	const char *inner = outer == NULL ? NULL :
	    unmapped_library(outer, inner_buf, sizeof inner_buf);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct stat st;
	struct symbolizer *sym;
	struct sym_frame fr[4];
	uintptr_t base;
	uint64_t pc, text;
	void *hole;

	if (inner == NULL || stat(inner, &st) != 0 ||
	    (text = text_offset(inner)) == 0 ||
	    st.st_size > (off_t)(24 * page)) {
		fprintf(stderr, "# no two small libraries to lay out; "
		    "untested\n");
		return;
	}
	hole = mmap(NULL, 64 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	ck_assert_ptr_ne(hole, MAP_FAILED);
	base = (uintptr_t)hole;
	ck_assert_int_eq(map_file_at(outer, base, page), 0);
	ck_assert_int_eq(map_file_at(outer, base + 48 * page, page), 0);
	sym = self_symbolizer();
	symbolizer_set_refresh_min_ms(sym, 3600 * 1000);
	ck_assert_int_eq(map_file_at(inner, base + 16 * page,
	    (size_t)st.st_size), 0);
	pc = base + 16 * page + text;
	/* Not reported yet: unmapped, not the outer object. */
	ck_assert_int_eq(symbolizer_lookup(sym, pc, 0, fr, 4), 1);
	if (fr[0].object != NULL)
		ck_abort_msg("%s's code resolved to %s", base_name(inner),
		    fr[0].object);
	/* Reported: itself. */
	ck_assert_int_eq(symbolizer_refresh(sym), 0);
	ck_assert_int_eq(symbolizer_lookup(sym, pc, 0, fr, 4), 1);
	ck_assert_ptr_nonnull(fr[0].object);
	ck_assert_str_eq(base_name(fr[0].object), base_name(inner));
	symbolizer_free(sym);
	munmap((void *)base, 64 * page);
}
END_TEST

START_TEST(automatic_refresh_is_rate_limited)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	struct sym_stats st;

	usleep((SYM_REFRESH_MIN_MS + 50) * 1000);
	ck_assert_int_eq(symbolizer_lookup(sym, 0x10, 0, fr, 4), 1);
	ck_assert_int_eq(symbolizer_lookup(sym, 0x20, 0, fr, 4), 1);
	ck_assert_int_eq(symbolizer_lookup(sym, 0x30, 0, fr, 4), 1);
	symbolizer_stats(sym, &st);
	ck_assert_uint_eq(st.refreshes, 1);
	symbolizer_free(sym);
}
END_TEST

START_TEST(mark_own_module)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame fr[4];
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *fn = dlsym(libc, "getpid");
	Dl_info info;

	ck_assert_ptr_nonnull(fn);
	ck_assert_int_ne(dladdr(fn, &info), 0);
	ck_assert_int_eq(symbolizer_mark_own(sym, NULL), -1);
	ck_assert_int_eq(symbolizer_mark_own(sym, ""), -1);
	/* dladdr may name /lib/... where the maps say /usr/lib/... */
	ck_assert_int_eq(symbolizer_mark_own(sym, info.dli_fname), 0);
	ck_assert_int_ge(
	    symbolizer_lookup(sym, (uint64_t)(uintptr_t)fn, 0, fr, 4), 1);
	ck_assert_int_eq(fr[0].own, 1);
	dlclose(libc);
	symbolizer_free(sym);
}
END_TEST

START_TEST(debug_status_of_this_binary)
{
	struct symbolizer *sym = self_symbolizer();

	ck_assert_int_eq(symbolizer_debug(sym), SYM_DEBUG_LINES);
	ck_assert_int_eq(symbolizer_stripped(sym), 0);
	ck_assert_str_eq(symbolizer_debug_name(SYM_DEBUG_LINES), "lines");
	ck_assert_str_eq(
	    symbolizer_debug_name(SYM_DEBUG_FUNCTIONS), "functions only");
	ck_assert_str_eq(symbolizer_debug_name(SYM_DEBUG_NONE), "none");
	symbolizer_free(sym);
}
END_TEST

START_TEST(forked_child_pc_resolves_in_parent)
{
	struct symbolizer *sym = self_symbolizer(), *child_sym;
	struct sym_frame fr[4];
	int to_parent[2], to_child[2], status, line = 0;
	uint64_t msg[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(to_parent), 0);
	ck_assert_int_eq(pipe(to_child), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The child captures a pc and waits until the parent is
		 * done reading its maps. */
		close(to_child[1]);
		msg[0] = call_site(&line);
		msg[1] = (uint64_t)line;
		if (write(to_parent[1], msg, sizeof(msg)) != sizeof(msg))
			_exit(1);
		_exit(read(to_child[0], &c, 1) == 0 ? 0 : 1);
	}
	close(to_child[0]);
	ck_assert_int_eq(read(to_parent[0], msg, sizeof(msg)), sizeof(msg));
	ck_assert_int_eq(symbolizer_lookup(sym, msg[0], 1, fr, 4), 1);
	check_own_frame(&fr[0], "call_site", (int)msg[1]);

	/* A symbolizer of the child's own maps agrees. */
	child_sym = symbolizer_new(pid);
	ck_assert_ptr_nonnull(child_sym);
	ck_assert_int_eq(symbolizer_lookup(child_sym, msg[0], 1, fr, 4), 1);
	check_own_frame(&fr[0], "call_site", (int)msg[1]);
	symbolizer_free(child_sym);

	close(to_child[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	symbolizer_free(sym);
}
END_TEST

START_TEST(missing_process)
{
	/* pid 0 is never a process: no maps to read, no symbolizer. */
	ck_assert_ptr_null(symbolizer_new(0));
	symbolizer_free(NULL);
}
END_TEST

/* Argument that makes this binary report a pc and wait for EOF on stdin
 * instead of testing. */
#define WAIT_ARG "--wait-for-eof"

/* Writes &target_function to stdout, then waits for EOF on stdin. Leaves
 * by _exit: under ASan, the leak check at exit would report check's own
 * start-up allocations and change the status. */
static void
wait_for_eof(void)
{
	uint64_t pc = (uint64_t)(uintptr_t)&target_function;
	char c;

	if (write(1, &pc, sizeof(pc)) != sizeof(pc))
		_exit(EXIT_FAILURE);
	while (read(0, &c, 1) > 0)
		;
	_exit(EXIT_SUCCESS);
}

/* A copy of this binary without its debug sections, running. */
struct copy_run {
	char dir[64]; /* private directory holding the files */
	char exe[96]; /* the stripped copy */
	char debug[96]; /* its separate debug file, when asked for */
	pid_t pid;
	int in, out; /* its stdin (write end), its stdout (read end) */
	uint64_t pc; /* &target_function in the copy */
};

/* Makes the stripped copy (with a .gnu_debuglink to a separate debug file
 * when debuglink is set) and starts it. Returns 0, or -1 when objcopy is
 * missing; the test fails on anything else. */
static int
copy_start(struct copy_run *run, int debuglink)
{
	char cmd[512];
	int in[2], out[2];

	snprintf(run->dir, sizeof(run->dir), "/tmp/check_symbolize_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(run->dir));
	snprintf(run->exe, sizeof(run->exe), "%s/copy", run->dir);
	snprintf(run->debug, sizeof(run->debug), "%s/copy.debug", run->dir);
	if (debuglink)
		snprintf(cmd, sizeof(cmd),
		    "objcopy --only-keep-debug /proc/%ld/exe %s && "
		    "objcopy --strip-debug --add-gnu-debuglink=%s "
		    "/proc/%ld/exe %s",
		    (long)getpid(), run->debug, run->debug, (long)getpid(),
		    run->exe);
	else
		snprintf(cmd, sizeof(cmd),
		    "objcopy --strip-debug /proc/%ld/exe %s", (long)getpid(),
		    run->exe);
	if (system(cmd) != 0 || chmod(run->exe, 0700) != 0)
		return -1;
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	run->pid = fork();
	ck_assert_int_ge(run->pid, 0);
	if (run->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(run->exe, run->exe, WAIT_ARG, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	run->in = in[1];
	run->out = out[0];
	/* Its pc arrives once the copy runs: its maps are the copy's. */
	ck_assert_int_eq(
	    read(run->out, &run->pc, sizeof(run->pc)), sizeof(run->pc));
	return 0;
}

/* Stops the copy and removes its files. */
static void
copy_stop(struct copy_run *run)
{
	int status;

	if (run->pid > 0) {
		close(run->in);
		ck_assert_int_eq(waitpid(run->pid, &status, 0), run->pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		close(run->out);
	}
	unlink(run->exe);
	unlink(run->debug);
	rmdir(run->dir);
}

/* A debug-stripped copy: "functions only", names from the symbol table. */
START_TEST(stripped_copy_is_functions_only)
{
	struct copy_run run = { .pid = -1 };
	struct symbolizer *sym;
	struct sym_frame fr[4];

	if (copy_start(&run, 0) != 0) {
		fprintf(stderr, "# objcopy unavailable; stripped untested\n");
		copy_stop(&run);
		return;
	}
	sym = symbolizer_new(run.pid);
	ck_assert_ptr_nonnull(sym);
	ck_assert_int_eq(symbolizer_debug(sym), SYM_DEBUG_FUNCTIONS);
	ck_assert_int_eq(symbolizer_stripped(sym), 1);
	ck_assert_int_eq(symbolizer_lookup(sym, run.pc, 0, fr, 4), 1);
	/* Own code without lines: `object!function` in the object's file. */
	ck_assert_ptr_nonnull(strchr(fr[0].function, '!'));
	ck_assert_str_eq(strchr(fr[0].function, '!') + 1, "target_function");
	ck_assert_ptr_eq(fr[0].file, fr[0].object);
	ck_assert_int_eq(fr[0].line, 0);
	ck_assert_int_eq(fr[0].own, 1);
	symbolizer_free(sym);
	copy_stop(&run);
}
END_TEST

/* A stripped copy whose debug file sits beside it (found by debuglink,
 * as libdw finds /usr/lib/debug/.build-id files): full lines again. */
START_TEST(separate_debug_file_is_found)
{
	struct copy_run run = { .pid = -1 };
	struct symbolizer *sym;
	struct sym_frame fr[4];

	if (copy_start(&run, 1) != 0) {
		fprintf(stderr, "# objcopy unavailable; debuglink untested\n");
		copy_stop(&run);
		return;
	}
	sym = symbolizer_new(run.pid);
	ck_assert_ptr_nonnull(sym);
	ck_assert_int_eq(symbolizer_debug(sym), SYM_DEBUG_LINES);
	ck_assert_int_eq(symbolizer_stripped(sym), 0);
	ck_assert_int_eq(symbolizer_lookup(sym, run.pc, 0, fr, 4), 1);
	ck_assert_str_eq(fr[0].function, "target_function");
	ck_assert_ptr_nonnull(fr[0].file);
	ck_assert_str_eq(base_name(fr[0].file), "check_symbolize.c");
	ck_assert_int_ge(fr[0].line, target_first_line);
	ck_assert_int_le(fr[0].line, target_first_line + 2);
	symbolizer_free(sym);
	copy_stop(&run);
}
END_TEST

START_TEST(debuginfod_is_switched_off)
{
	struct symbolizer *sym;

	setenv("DEBUGINFOD_URLS", "http://127.0.0.1:9", 1);
	sym = self_symbolizer();
	ck_assert_ptr_null(getenv("DEBUGINFOD_URLS"));
	symbolizer_free(sym);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite *s = suite_create("symbolize");
	TCase *tc = tcase_create("symbolizer");

	if (argc > 1 && strcmp(argv[1], WAIT_ARG) == 0)
		wait_for_eof();
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, function_entry);
	tcase_add_test(tc, return_address_is_call_line);
	tcase_add_test(tc, inlined_helper_gives_two_frames);
	tcase_add_test(tc, libc_is_native);
	tcase_add_test(tc, unmapped_address);
	tcase_add_test(tc, second_lookup_is_a_hit);
	tcase_add_test(tc, full_cache_refuses_and_counts);
	tcase_add_test(tc, refresh_finds_new_library);
	tcase_add_test(tc, library_in_another_span);
	tcase_add_test(tc, automatic_refresh_is_rate_limited);
	tcase_add_test(tc, mark_own_module);
	tcase_add_test(tc, debug_status_of_this_binary);
	tcase_add_test(tc, forked_child_pc_resolves_in_parent);
	tcase_add_test(tc, missing_process);
	tcase_add_test(tc, stripped_copy_is_functions_only);
	tcase_add_test(tc, separate_debug_file_is_found);
	tcase_add_test(tc, debuginfod_is_switched_off);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
