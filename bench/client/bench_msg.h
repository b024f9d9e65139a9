/*
 * hotline-bench: the messages rr and scenario send (--message, --mix).
 *
 * A template is a whole envelope, {"pkg_id":N,"data":...}, in which {seq}
 * (the message's number on its connection, from 0), {conn} (the
 * connection's number, from 0) and {rand:N} (a uniform integer in
 * [0, N)) are replaced per message. hotline-bench adds "req_id" when the
 * template has none and matches responses by it; a template with its own
 * req_id is sent as written and its responses are matched in order.
 */
#ifndef BENCH_MSG_H
#define BENCH_MSG_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_TEMPLATES 256 /* lines of a --mix file */
#define BENCH_MAX_PKGS      32 /* distinct pkg_ids in one run */
#define BENCH_MAX_MSG       65536 /* bytes of one expanded message */
#define BENCH_MAX_WEIGHT    1000000

struct bench_tmpl {
	char *text; /* the envelope, req_id mark inserted when absent */
	size_t len;
	size_t max_len; /* bytes of the longest expansion */
	uint64_t cum; /* weights of this and every earlier template */
	unsigned pkg; /* index into bench_msgset.pkg_ids */
	int own_id; /* the template carries its own req_id */
};

struct bench_msgset {
	struct bench_tmpl tmpl[BENCH_MAX_TEMPLATES];
	unsigned n;
	int pkg_ids[BENCH_MAX_PKGS];
	unsigned npkgs;
	size_t max_len; /* of every template */
};

/*
 * Check one template and add it with weight; where names it in errors
 * ("--message", "FILE:LINE"). -1 after printing why on stderr.
 */
int bench_msg_add(struct bench_msgset *, const char *json, unsigned weight,
    const char *where);
/* Add every "WEIGHT JSON" line of path; -1 after printing FILE:LINE: why. */
int bench_msg_load_mix(struct bench_msgset *, const char *path);
/* The pkg index of pkg_id, added when new; -1 when the table is full. */
int bench_msg_pkg(struct bench_msgset *, int pkg_id);
/* The template for a uniform random r (weighted choice). */
const struct bench_tmpl *bench_msg_pick(
    const struct bench_msgset *, uint64_t r);
/*
 * Expand t into out (max_len bytes at least) for message seq of connection
 * conn, drawing {rand:N} from *rng; returns the length.
 */
size_t bench_msg_expand(const struct bench_tmpl *t, char *out, uint64_t seq,
    unsigned conn, uint64_t *rng);
/* Free the templates' texts. */
void bench_msg_free(struct bench_msgset *);

#endif
