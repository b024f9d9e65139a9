/*
 * hotline-bench: shared types of the load generator.
 *
 * One run (struct bench_run) owns 1..2 threads; each thread owns one
 * libevent base and a fixed array of connections. Threads share nothing but
 * the run's flags and timestamps (atomics) until they are joined; counters
 * are per thread, single-writer, stored with relaxed atomics so that the
 * main thread's progress line may read them, and merged after the join.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include <wslay/wslay.h>

#include "bench_msg.h"
#include "hist.h"

#define BENCH_MAX_THREADS 2
/* bytes of a fragmented message kept for checks */
#define BENCH_HEAD        512
#define BENCH_TS_MARK     "hlbts:"
#define BENCH_TS_DIGITS   19

enum bench_mode_id {
	MODE_RR,
	MODE_CONNECT,
	MODE_IDLE,
	MODE_BROADCAST,
	MODE_SCENARIO,
};

/* Error kinds, each counted and reported once on stderr. */
enum bench_err {
	ERR_IO, /* read/write/connect failed */
	ERR_CLOSED, /* the server closed a connection we were using */
	ERR_PROTOCOL, /* wslay refused the server's frames */
	ERR_OPCODE, /* a response that is not a text frame */
	ERR_REQ_ID, /* response without the expected req_id */
	ERR_STATUS, /* response whose status_code is not 0 */
	ERR_TIMEOUT, /* handshake or close took too long */
	ERR__COUNT
};

struct bench_opts {
	enum bench_mode_id mode;
	const char *url;
	char host[64]; /* Host header value */
	char path[256]; /* request target, with ?token= when asked */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	unsigned conns; /* -c */
	unsigned pipeline; /* -p */
	unsigned size; /* -s payload bytes */
	unsigned threads; /* -t */
	unsigned messages; /* scenario: messages per connection */
	unsigned open_burst; /* handshakes in flight per thread while opening */
	double duration; /* -d seconds of measurement */
	double warmup; /* --warmup seconds before it */
	double timeout; /* handshake and close timeout, seconds */
	uint64_t count; /* -n, 0 when bounded by duration */
	const char *token;
	int token_header; /* send the token as Authorization: Bearer */
	const char *subscribe;
	const char *publish;
	double rate; /* broadcast: publications per second; rr: requests
		      * per second in all, 0 unlimited */
	int progress; /* print a progress line each second */
	const char *message; /* --message template */
	const char *mix; /* --mix file */
	const char *scenario; /* --scenario name */
	double ramp; /* connections opened per second after the go; 0 all
		      * before it */
	int print_plan; /* print what would run, then exit */
	struct bench_msgset msgs; /* rr, scenario: what is sent */
};

/* Responses of one pkg_id (rr, scenario). */
struct bench_pkgstat {
	uint64_t errors; /* status not 0, unexpected req_id */
	struct hist lat;
};

/* Per-thread counters; merged into the run's totals after the join. */
struct bench_stats {
	uint64_t messages; /* responses/deliveries/handshakes in the window */
	uint64_t sent;
	uint64_t errors;
	uint64_t err_kind[ERR__COUNT];
	uint64_t hs_failures;
	uint64_t bytes_out;
	uint64_t bytes_in;
	uint64_t opened; /* connections currently open */
	uint64_t published;
	uint64_t other; /* messages that were not measured */
	uint64_t done_conns; /* scenario: connections that sent their quota */
	struct hist lat;
	struct hist last; /* broadcast: time until the last subscriber */
	uint64_t incomplete; /* broadcast: messages some subscriber missed */
	uint64_t untracked;
	struct bench_pkgstat pkg[BENCH_MAX_PKGS]; /* by msgs.pkg_ids index */
};

/* Single-writer counter update that a reader in another thread may load. */
#define STAT_ADD(field, n) \
	__atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define STAT_LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* Outgoing frames: a ring of (pointer, length) the owner keeps alive. */
struct bench_outq {
	struct iovec *iov;
	unsigned cap, head, count;
	size_t off; /* bytes of iov[head] already written */
};

/* A message as delivered to a mode: the whole payload or its head. */
struct bench_msg {
	int opcode;
	const uint8_t *data;
	size_t len; /* bytes at data */
	size_t total; /* message length (len < total: head only) */
	uint64_t now; /* CLOCK_MONOTONIC ns at delivery */
};

/* printf arguments showing at most 120 bytes of a message: "%.*s". */
#define BENCH_SHOW(m) \
	(int)((m)->len < 120 ? (m)->len : 120), (const char *)(m)->data

enum bench_conn_state {
	CONN_FREE,
	CONN_CONNECTING,
	CONN_HANDSHAKE,
	CONN_OPEN,
	CONN_CLOSING, /* close frame sent, reading until EOF */
};

struct bench_wsin;
struct bench_thread;

struct bench_conn {
	struct bench_thread *t;
	unsigned idx;
	int fd;
	enum bench_conn_state state;
	struct event *rev, *wev;
	uint64_t t_start; /* connect() or close began, ns */
	char *hs; /* handshake buffer, freed once open */
	size_t hs_len, hs_off;
	char accept[32]; /* expected Sec-WebSocket-Accept */
	struct bench_wsin *in; /* wslay state, created on first read */
	struct bench_outq out;
	int drained; /* last read was short: socket empty */
	void *mode_state;
};

struct bench_run;

struct bench_thread {
	unsigned id;
	struct bench_run *run;
	struct event_base *base;
	struct event *tick;
	struct bench_conn *conns;
	unsigned nconns;
	unsigned next_open; /* persistent modes: next connection to open */
	unsigned opening; /* handshakes in flight */
	unsigned nopen;
	int started, ready, done;
	uint64_t quota; /* -n share, 0 = unbounded */
	uint64_t last_sweep;
	uint64_t t_done; /* when the thread finished its quota */
	struct bench_stats st;
	void *mode_state;
};

/*
 * What a mode does at each point of a connection's and thread's life.
 * on_message runs inside wslay_event_recv(): it may queue frames with
 * bench_conn_send() (they are written in one writev when wslay returns) or
 * start a close, but must not close the connection or flush.
 */
struct bench_mode {
	const char *name;
	int persistent; /* connections are opened once and held */
	int (*thread_init)(struct bench_thread *);
	void (*thread_fini)(struct bench_thread *);
	void (*on_open)(struct bench_conn *);
	void (*on_message)(struct bench_conn *, const struct bench_msg *);
	void (*on_start)(struct bench_thread *);
	void (*on_tick)(struct bench_thread *, uint64_t now);
	void (*on_closed)(struct bench_conn *);
	/* main thread, every 100 ms: may the run end? (default: deadline) */
	int (*finished)(struct bench_run *, uint64_t now);
	void (*merge)(struct bench_run *); /* after the join */
};

struct bench_run {
	struct bench_opts *o;
	const struct bench_mode *mode;
	struct bench_thread threads[BENCH_MAX_THREADS];
	unsigned nthreads;
	/* written by the main thread, read by the workers */
	int go, stop;
	uint64_t t_go, t_measure, t_end; /* ns; t_end 0 = no deadline */
	uint64_t wall_go; /* CLOCK_REALTIME at t_go, for stamps */
	uint64_t bcast_expected; /* deliveries the publisher asked for */
	/* written by workers */
	unsigned ready_threads, done_threads;
	int setup_failed;
	uint64_t t_open_ns; /* time to open every connection */
	uint64_t held; /* connections open when the run ended */
	uint64_t t_last; /* latest completion any thread saw */
	struct bench_stats total;
	double elapsed; /* measured seconds */
	int interrupted;
};

/* bench_opts.c */
int bench_opts_parse(struct bench_opts *, int argc, char **argv);

/* bench_hs.c: the HTTP upgrade, bytes only */
int bench_hs_key(char key[25], char accept[29]);
int bench_hs_request(
    char *buf, size_t size, const struct bench_opts *, const char *key);
int bench_hs_response(
    const char *buf, size_t len, const char *accept, const char **cause);

/* bench_conn.c */
int bench_conn_open(struct bench_conn *);
void bench_conn_close(struct bench_conn *);
void bench_conn_hangup(struct bench_conn *);
void bench_conn_send(struct bench_conn *, const void *frame, size_t len);
void bench_conn_flush(struct bench_conn *);
void bench_conn_start_close(struct bench_conn *);
void bench_conn_sweep(struct bench_thread *, uint64_t now);
void bench_error(struct bench_thread *, enum bench_err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* bench_frame.c: client frames built once, patched in place */
size_t bench_frame_build(uint8_t *out, size_t size, int opcode,
    const void *payload, size_t len, uint8_t mask[4]);
void bench_frame_patch(uint8_t *payload, size_t at, const char *src, size_t n,
    const uint8_t mask[4]);
size_t bench_frame_header_len(size_t payload_len);
const char *bench_json_value(const uint8_t *data, size_t len, const char *key);
void bench_random(void *buf, size_t len);

/* bench_thread.c */
void *bench_thread_main(void *);
void bench_thread_free(struct bench_thread *);
int bench_thread_open(struct bench_conn *);
void bench_thread_opened(struct bench_conn *);
void bench_thread_open_failed(struct bench_conn *);
void bench_thread_finish(struct bench_thread *);
int bench_in_window(const struct bench_thread *, uint64_t now);

/* bench_report.c */
void bench_report_progress(struct bench_run *, double secs);
void bench_report_final(struct bench_run *);
void bench_report_plan(const struct bench_opts *);

/* modes */
extern const struct bench_mode bench_mode_rr, bench_mode_scenario,
    bench_mode_connect, bench_mode_idle, bench_mode_broadcast;

/* Monotonic nanoseconds. */
static inline uint64_t
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall-clock nanoseconds: the broadcast stamp, comparable across processes. */
static inline uint64_t
bench_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
