/*
 * A standalone driver for the libFuzzer harnesses, so they build with gcc
 * and run in `make check`: every seed of the corpus as it is, then seeded
 * random mutations of the seeds (byte and bit changes, inserts, deletes,
 * duplicated ranges, splices, dictionary words, and edits made inside
 * decoded base64url runs so the JSON in a JWT gets mutated too) for a
 * bounded number of runs and seconds. It is not coverage-guided: it keeps
 * the harnesses building and catches the shallow crashes; build the
 * libFuzzer binaries (make fuzz, with clang) for real fuzzing
 * (docs/fuzzing.md).
 *
 *   fuzz_NAME [-n RUNS] [-t SECONDS] [-s SEED] [-m MAX_LEN] [PATH...]
 *
 * PATHs are corpus files or directories (default: $top_srcdir/tests/fuzz/
 * corpus/NAME, and the dictionary NAME.dict beside it when present).
 * FUZZ_RUNS, FUZZ_SECONDS and FUZZ_SEED set the defaults (200000 runs,
 * 2 s, seed 1). The output is TAP; a run is reproduced by its seed. If the
 * harness crashes, the input is first written to fuzz-NAME.crash.
 */
#include "autoconf.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef FUZZ_NAME
#error "build with -DFUZZ_NAME=\"name\""
#endif

#define FUZZ_SEEDS_MAX	256
#define FUZZ_WORDS_MAX	256
#define FUZZ_FILE_MAX	(64 * 1024)
#define HL_FUZZ_MIN(a, b)	((a) < (b) ? (a) : (b))

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

struct fuzz_blob {
	uint8_t	*p;
	size_t	 len;
};

static struct fuzz_blob	 seeds[FUZZ_SEEDS_MAX], words[FUZZ_WORDS_MAX];
static size_t		 nseeds, nwords;
static uint64_t		 rng;
static uint8_t		*cur;		/* the input being run */
static size_t		 cur_len;

/* xorshift64*: reproducible from FUZZ_SEED on every platform. */
static uint64_t
fuzz_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static size_t
fuzz_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(fuzz_rand() % n);
}

static void *
fuzz_alloc(size_t n)
{
	void *p = malloc(n > 0 ? n : 1);

	if (p == NULL) {
		perror("fuzz: malloc");
		exit(2);
	}
	return p;
}

/* Written from the signal handler: only write(2) and friends. */
static void
fuzz_crash(int sig)
{
	int fd = open("fuzz-" FUZZ_NAME ".crash", O_WRONLY | O_CREAT |
	    O_TRUNC, 0644);
	static const char msg[] = "# fuzz: crashing input written to fuzz-"
	    FUZZ_NAME ".crash\n";

	if (fd >= 0) {
		if (write(fd, cur, cur_len) < 0) {
			/* nothing more a handler can do */
		}
		close(fd);
	}
	if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0) {
		/* as above */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
fuzz_add_seed(const char *path)
{
	struct stat st;
	FILE *f;

	if (nseeds == FUZZ_SEEDS_MAX || stat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_size > FUZZ_FILE_MAX ||
	    (f = fopen(path, "rb")) == NULL)
		return;
	seeds[nseeds].p = fuzz_alloc((size_t)st.st_size);
	seeds[nseeds].len = fread(seeds[nseeds].p, 1, (size_t)st.st_size, f);
	fclose(f);
	nseeds++;
}

static int
fuzz_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A corpus directory's files, in name order (runs are reproducible). */
static void
fuzz_add_dir(const char *dir)
{
	char *names[FUZZ_SEEDS_MAX], path[4096];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fuzz_add_seed(dir);
		return;
	}
	while ((de = readdir(d)) != NULL && n < FUZZ_SEEDS_MAX)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], fuzz_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		fuzz_add_seed(path);
		free(names[i]);
	}
}

/* A libFuzzer dictionary: lines of name="value" with \\, \" and \xNN. */
static void
fuzz_load_dict(const char *path)
{
	char line[1024], *q;
	uint8_t buf[512];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return;
	while (nwords < FUZZ_WORDS_MAX && fgets(line, sizeof line, f)) {
		if (line[0] == '#' || (q = strchr(line, '"')) == NULL)
			continue;
		for (n = 0, q++; *q != '\0' && *q != '"' && n < sizeof buf;
		    q++) {
			if (*q == '\\' && q[1] == 'x' && q[2] && q[3]) {
				char hex[3] = { q[2], q[3], 0 };

				buf[n++] = (uint8_t)strtoul(hex, NULL, 16);
				q += 3;
			} else if (*q == '\\' && q[1] != '\0') {
				buf[n++] = (uint8_t)*++q;
			} else {
				buf[n++] = (uint8_t)*q;
			}
		}
		words[nwords].p = fuzz_alloc(n);
		memcpy(words[nwords].p, buf, n);
		words[nwords++].len = n;
	}
	fclose(f);
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
fuzz_b64_val(uint8_t c)
{
	const char *p = c != 0 ? strchr(b64url, c) : NULL;

	return p != NULL ? (int)(p - b64url) : -1;
}

/* Replace [at, at+len) of buf (of *n bytes, room for cap) with rep. */
static void
fuzz_splice(uint8_t *buf, size_t *n, size_t cap, size_t at, size_t len,
    const uint8_t *rep, size_t replen)
{
	if (*n - len + replen > cap)
		replen = cap - (*n - len);
	memmove(buf + at + replen, buf + at + len, *n - at - len);
	if (replen > 0)
		memcpy(buf + at, rep, replen);
	*n = *n - len + replen;
}

/* One edit of tmp's bytes (a plain byte mutation). */
static void
fuzz_mutate_bytes(uint8_t *b, size_t *n, size_t cap)
{
	static const uint8_t odd[] = { 0, 0xff, 0x7f, 0x80, '"', '\\', '{',
	    '}', '[', ']', ',', ':', '.', '=', ' ', '-', '_', '0', '9' };
	uint8_t tmp[64];
	size_t at = fuzz_below(*n + 1), len, i;
	const struct fuzz_blob *w;

	switch (fuzz_below(8)) {
	case 0: if (*n) b[fuzz_below(*n)] ^= (uint8_t)(1u << fuzz_below(8));
		break;
	case 1: if (*n) b[fuzz_below(*n)] = odd[fuzz_below(sizeof odd)];
		break;
	case 2: if (*n) b[fuzz_below(*n)] = (uint8_t)fuzz_rand();
		break;
	case 3: len = 1 + fuzz_below(8);
		for (i = 0; i < len; i++)
			tmp[i] = (uint8_t)fuzz_rand();
		fuzz_splice(b, n, cap, at, 0, tmp, len);
		break;
	case 4: len = at < *n ? 1 + fuzz_below(HL_FUZZ_MIN(*n - at, 32)) : 0;
		fuzz_splice(b, n, cap, at, len, NULL, 0);
		break;
	case 5: if (*n == 0) break;	/* duplicate a range */
		i = fuzz_below(*n);
		len = 1 + fuzz_below(HL_FUZZ_MIN(*n - i, sizeof tmp));
		memcpy(tmp, b + i, len);
		fuzz_splice(b, n, cap, at, 0, tmp, len);
		break;
	case 6: if (nwords == 0) break;
		w = &words[fuzz_below(nwords)];
		fuzz_splice(b, n, cap, at, fuzz_below(2) && at < *n ?
		    HL_FUZZ_MIN(w->len, *n - at) : 0, w->p, w->len);
		break;
	default: {		/* splice in part of another seed */
		const struct fuzz_blob *s = &seeds[fuzz_below(nseeds)];

		if (s->len == 0) break;
		i = fuzz_below(s->len);
		len = 1 + fuzz_below(s->len - i);
		fuzz_splice(b, n, cap, at, at < *n ? fuzz_below(*n - at) : 0,
		    s->p + i, len);
	}
	}
}

/* Decode a run of base64url characters at a random place, edit the bytes,
 * encode them back: the JSON inside a token's segments gets mutated. */
static void
fuzz_mutate_b64(uint8_t *b, size_t *n, size_t cap)
{
	size_t start = fuzz_below(*n), end, dn = 0, i, bits = 0, en = 0;
	uint8_t dec[FUZZ_FILE_MAX / 2], *enc;
	uint32_t acc = 0;

	while (start > 0 && fuzz_b64_val(b[start - 1]) >= 0)
		start--;
	for (end = start; end < *n && fuzz_b64_val(b[end]) >= 0; end++)
		;
	if (end - start < 4 || end - start > sizeof dec)
		return;
	for (i = start; i < end; i++) {
		acc = acc << 6 | (uint32_t)fuzz_b64_val(b[i]);
		if ((bits += 6) >= 8) {
			bits -= 8;
			dec[dn++] = (uint8_t)(acc >> bits);
		}
	}
	i = 1 + fuzz_below(3);
	while (i-- > 0)
		fuzz_mutate_bytes(dec, &dn, sizeof dec);
	enc = fuzz_alloc(dn * 4 / 3 + 4);
	for (i = 0, acc = 0, bits = 0; i < dn; i++) {
		acc = acc << 8 | dec[i];
		for (bits += 8; bits >= 6; bits -= 6)
			enc[en++] = (uint8_t)b64url[(acc >> (bits - 6)) & 63];
	}
	if (bits > 0)
		enc[en++] = (uint8_t)b64url[(acc << (6 - bits)) & 63];
	fuzz_splice(b, n, cap, start, end - start, enc, en);
	free(enc);
}

static size_t
fuzz_env(const char *name, size_t def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? (size_t)strtoull(v, NULL, 0) : def;
}

int
main(int argc, char **argv)
{
	size_t runs = fuzz_env("FUZZ_RUNS", 200000), max_len = 4096, i, done;
	size_t secs = fuzz_env("FUZZ_SECONDS", 2), k;
	uint64_t seed = fuzz_env("FUZZ_SEED", 1);
	const char *srcdir = getenv("top_srcdir");
	char path[4096];
	time_t t0 = time(NULL);
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* TAP lines survive a crash */
	while ((c = getopt(argc, argv, "n:t:s:m:")) != -1) {
		switch (c) {
		case 'n': runs = strtoull(optarg, NULL, 0); break;
		case 't': secs = strtoull(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'm': max_len = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [-n runs] [-t seconds] "
			    "[-s seed] [-m max_len] [path...]\n", argv[0]);
			return 2;
		}
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = (size_t)optind; i < (size_t)argc; i++)
		fuzz_add_dir(argv[i]);
	if ((size_t)optind == (size_t)argc) {
		snprintf(path, sizeof path, "%s/tests/fuzz/corpus/" FUZZ_NAME,
		    srcdir != NULL ? srcdir : ".");
		fuzz_add_dir(path);
		snprintf(path, sizeof path, "%s/tests/fuzz/corpus/" FUZZ_NAME
		    ".dict", srcdir != NULL ? srcdir : ".");
		fuzz_load_dict(path);
	}
	printf("1..2\n# fuzz_%s: %zu seeds, %zu dictionary words, seed %llu\n",
	    FUZZ_NAME, nseeds, nwords, (unsigned long long)seed);
	if (nseeds == 0) {
		printf("not ok 1 - fuzz_%s: no corpus\n", FUZZ_NAME);
		return 1;
	}
	signal(SIGABRT, fuzz_crash);
	signal(SIGSEGV, fuzz_crash);
	signal(SIGBUS, fuzz_crash);
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	cur = fuzz_alloc(max_len);
	for (i = 0; i < nseeds; i++) {
		cur_len = HL_FUZZ_MIN(seeds[i].len, max_len);
		memcpy(cur, seeds[i].p, cur_len);
		LLVMFuzzerTestOneInput(cur, cur_len);
	}
	printf("ok 1 - fuzz_%s: every seed as it is\n", FUZZ_NAME);
	for (done = 0; done < runs; done++) {
		const struct fuzz_blob *s = &seeds[fuzz_below(nseeds)];

		if ((done & 255) == 0 && (size_t)(time(NULL) - t0) >= secs)
			break;
		cur_len = HL_FUZZ_MIN(s->len, max_len);
		memcpy(cur, s->p, cur_len);
		for (k = 1 + fuzz_below(4); k > 0; k--)
			if (fuzz_below(3) == 0)
				fuzz_mutate_b64(cur, &cur_len, max_len);
			else
				fuzz_mutate_bytes(cur, &cur_len, max_len);
		/* A copy of exactly cur_len bytes, so ASan sees overreads. */
		{
			uint8_t *in = fuzz_alloc(cur_len);

			memcpy(in, cur, cur_len);
			LLVMFuzzerTestOneInput(in, cur_len);
			free(in);
		}
	}
	printf("ok 2 - fuzz_%s: %zu mutated runs in %llds\n", FUZZ_NAME, done,
	    (long long)(time(NULL) - t0));
	return 0;
}
