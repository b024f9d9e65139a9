/* hotline-bench: the option table, its parser and the loopback-only target. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

enum opt_type { OPT_UINT, OPT_U64, OPT_DOUBLE, OPT_STR, OPT_FLAG };

/* One row per option: the usage text and the parser both read it. */
struct opt_row {
	const char *name;
	int key; /* short option, or a value above 255 */
	enum opt_type type;
	size_t offset;
	double min, max;
	const char *arg, *help;
};

#define OFF(f) offsetof(struct bench_opts, f)
static const struct opt_row opt_table[] = {
	{ "url", 'u', OPT_STR, OFF(url), 0, 0, "URL",
	    "target, ws://127.0.0.1:8000/web (loopback only)" },
	{ "connections", 'c', OPT_UINT, OFF(conns), 1, 1000000, "N",
	    "connections (rr 100, connect 8, idle 1000, broadcast 100, "
	    "scenario 1000)" },
	{ "pipeline", 'p', OPT_UINT, OFF(pipeline), 1, 4096, "P",
	    "requests in flight per connection (rr, scenario; 1)" },
	{ "size", 's', OPT_UINT, OFF(size), 0, 16 << 20, "BYTES",
	    "message payload size (16)" },
	{ "threads", 't', OPT_UINT, OFF(threads), 1, BENCH_MAX_THREADS, "T",
	    "threads, one event base each (1)" },
	{ "duration", 'd', OPT_DOUBLE, OFF(duration), 0.01, 86400, "SECS",
	    "measure for SECS after the warm-up (10)" },
	{ "count", 'n', OPT_U64, OFF(count), 1, 1e15, "N",
	    "stop after N responses, handshakes or publications" },
	{ "warmup", 'w', OPT_DOUBLE, OFF(warmup), 0, 3600, "SECS",
	    "run SECS before measuring (0)" },
	{ "messages", 'm', OPT_UINT, OFF(messages), 1, 100000000, "N",
	    "scenario: messages per connection (100)" },
	{ "token", 256, OPT_STR, OFF(token), 0, 0, "T",
	    "send T as ?token= (or with --bearer as a header)" },
	{ "bearer", 257, OPT_FLAG, OFF(token_header), 0, 0, NULL,
	    "send the token as Authorization: Bearer" },
	{ "subscribe", 258, OPT_STR, OFF(subscribe), 0, 0, "JSON",
	    "broadcast: message each subscriber sends once open" },
	{ "publish", 259, OPT_STR, OFF(publish), 0, 0, "JSON",
	    "broadcast: publisher message; %T becomes the send stamp" },
	{ "rate", 260, OPT_DOUBLE, OFF(rate), 0.001, 1e7, "R",
	    "broadcast: publications per second (10); rr: requests per "
	    "second in all, a fixed offered load (unlimited)" },
	{ "open-burst", 261, OPT_UINT, OFF(open_burst), 1, 100000, "N",
	    "handshakes in flight per thread while opening (64)" },
	{ "timeout", 262, OPT_DOUBLE, OFF(timeout), 0.01, 3600, "SECS",
	    "handshake and close timeout (5)" },
	{ "progress", 263, OPT_FLAG, OFF(progress), 0, 0, NULL,
	    "print progress each second even when not on a terminal" },
	{ "message", 264, OPT_STR, OFF(message), 0, 0, "JSON",
	    "rr, scenario: send this envelope; {seq} {conn} {rand:N} "
	    "are replaced, req_id added when absent (echo)" },
	{ "mix", 265, OPT_STR, OFF(mix), 0, 0, "FILE",
	    "rr, scenario: weighted messages, \"WEIGHT JSON\" a line" },
	{ "scenario", 266, OPT_STR, OFF(scenario), 0, 0, "NAME",
	    "a named load: seed (1000 connections x 100 messages, "
	    "opened at 100/s)" },
	{ "ramp", 267, OPT_DOUBLE, OFF(ramp), 0.001, 1e6, "R",
	    "rr, scenario: open R connections/s after the go (all first)" },
	{ "print-plan", 268, OPT_FLAG, OFF(print_plan), 0, 0, NULL,
	    "print what would run and exit" },
};
#define OPT_ROWS (sizeof opt_table / sizeof opt_table[0])

static const struct {
	const char *name;
	enum bench_mode_id id;
	unsigned conns;
} mode_table[] = {
	{ "rr", MODE_RR, 100 },
	{ "connect", MODE_CONNECT, 8 },
	{ "idle", MODE_IDLE, 1000 },
	{ "broadcast", MODE_BROADCAST, 100 },
	{ "scenario", MODE_SCENARIO, 1000 },
};
#define MODE_ROWS (sizeof mode_table / sizeof mode_table[0])

#define SCENARIO_CAP   300 /* seconds a scenario may run without -d */
#define MAX_FRAME_HEAD 14 /* a masked client frame's header, at most */
#define MAX_FRAMES_MIB 1024 /* request frames held in all, MiB */

/* Named loads: the modes' defaults they replace (explicit options win). */
static const struct {
	const char *name;
	const char *mode;
	unsigned conns;
	unsigned messages;
	double ramp;
	const char *message;
} scenario_table[] = {
	/* The seed guide's load test: its script's 1000 connections x 100
	 * messages ({"pkg_id":1,"data":{"message":"test-i"}}) at locust's
	 * --spawn-rate 100. */
	{ "seed", "scenario", 1000, 100, 100,
	    "{\"pkg_id\":1,\"data\":{\"message\":\"test-{seq}\"}}" },
};
#define SCENARIO_ROWS (sizeof scenario_table / sizeof scenario_table[0])

/* Print the usage text generated from the table. */
static void
opts_usage(FILE *f)
{
	size_t i;
	char left[40];

	fprintf(f,
	    "usage: hotline-bench MODE [options]\n"
	    "modes: rr connect idle broadcast scenario\n");
	for (i = 0; i < OPT_ROWS; i++) {
		const struct opt_row *r = &opt_table[i];

		if (r->key < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", r->key,
			    r->name, r->arg ? " " : "", r->arg ? r->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", r->name,
			    r->arg ? " " : "", r->arg ? r->arg : "");
		fprintf(f, "  %-26s %s\n", left, r->help);
	}
	fprintf(f, "  %-26s %s\n", "-h, --help", "this text");
	fprintf(f, "  %-26s %s\n", "-V, --version", "print the version");
}

/* Store one option's argument through its row; -1 with a message if bad. */
static int
opts_store(struct bench_opts *o, const struct opt_row *r, const char *arg)
{
	char *p = (char *)o + r->offset, *end = NULL;
	double v;

	if (r->type == OPT_FLAG) {
		*(int *)(void *)p = 1;
		return 0;
	}
	if (r->type == OPT_STR) {
		*(const char **)(void *)p = arg;
		return 0;
	}
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || v < r->min || v > r->max ||
	    (r->type != OPT_DOUBLE && v != (double)(uint64_t)v)) {
		fprintf(stderr,
		    "hotline-bench: --%s: '%s' is not a number "
		    "in [%g, %g]\n",
		    r->name, arg, r->min, r->max);
		return -1;
	}
	if (r->type == OPT_UINT)
		*(unsigned *)(void *)p = (unsigned)v;
	else if (r->type == OPT_U64)
		*(uint64_t *)(void *)p = (uint64_t)v;
	else
		*(double *)(void *)p = v;
	return 0;
}

/* True when the address is 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. */
static int
opts_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127;
	}
	return 0;
}

/* Split ws://HOST[:PORT][/PATH] into o->host, o->path and o->addr. */
static int
opts_url(struct bench_opts *o)
{
	const char *u = o->url, *hs, *he, *ps;
	char host[64], port[8] = "80";
	struct addrinfo hints = { 0 }, *ai = NULL;
	int rc;

	if (strncmp(u, "ws://", 5) != 0) {
		fprintf(stderr,
		    "hotline-bench: %s: only ws:// URLs are "
		    "supported\n",
		    u);
		return -1;
	}
	hs = u + 5;
	ps = hs + strcspn(hs, "/?");
	if (*hs == '[') {
		he = memchr(hs, ']', (size_t)(ps - hs));
		if (he == NULL)
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(he - hs - 1), hs + 1);
		he++;
	} else {
		he = memchr(hs, ':', (size_t)(ps - hs));
		if (he == NULL)
			he = ps;
		snprintf(host, sizeof host, "%.*s", (int)(he - hs), hs);
	}
	if (*he == ':')
		snprintf(port, sizeof port, "%.*s", (int)(ps - he - 1), he + 1);
	else if (he != ps)
		goto bad;
	snprintf(o->host, sizeof o->host, "%.*s", (int)(ps - hs), hs);
	snprintf(o->path, sizeof o->path, "%s", *ps ? ps : "/");
	if (o->path[0] == '?')
		snprintf(o->path, sizeof o->path, "/%s", ps);

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		fprintf(
		    stderr, "hotline-bench: %s: %s\n", host, gai_strerror(rc));
		return -1;
	}
	if (!opts_is_loopback(ai->ai_addr)) {
		fprintf(stderr,
		    "hotline-bench: refusing %s: the target must be "
		    "a loopback address (127.0.0.0/8 or ::1); load "
		    "tests against other hosts are not allowed "
		    "here\n",
		    host);
		freeaddrinfo(ai);
		return -1;
	}
	memcpy(&o->addr, ai->ai_addr, ai->ai_addrlen);
	o->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	fprintf(stderr, "hotline-bench: %s: malformed URL\n", u);
	return -1;
}

/* Append ?token=T (percent-encoded) to the request path. */
static int
opts_token_query(struct bench_opts *o)
{
	size_t n = strlen(o->path);
	const unsigned char *s;

	n += (size_t)snprintf(o->path + n, sizeof o->path - n,
	    "%ctoken=", strchr(o->path, '?') ? '&' : '?');
	for (s = (const unsigned char *)o->token; *s && n + 4 < sizeof o->path;
	     s++) {
		if (strchr("-._~", *s) || (*s >= '0' && *s <= '9') ||
		    ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))
			o->path[n++] = (char)*s;
		else
			n += (size_t)snprintf(o->path + n, 4, "%%%02X", *s);
	}
	o->path[n] = '\0';
	if (*s != '\0') {
		fprintf(stderr, "hotline-bench: --token is too long\n");
		return -1;
	}
	return 0;
}

/* Find the mode named by the first argument or --mode=. */
static int
opts_mode(struct bench_opts *o, const char *name)
{
	size_t i;

	for (i = 0; i < MODE_ROWS; i++)
		if (strcmp(name, mode_table[i].name) == 0) {
			o->mode = mode_table[i].id;
			if (o->conns == 0)
				o->conns = mode_table[i].conns;
			return 0;
		}
	fprintf(stderr, "hotline-bench: unknown mode '%s'\n", name);
	return -1;
}

/* Fill what --scenario NAME sets and the command line left unset. */
static int
opts_scenario(struct bench_opts *o, const char **mode)
{
	size_t i;

	for (i = 0; i < SCENARIO_ROWS; i++)
		if (strcmp(o->scenario, scenario_table[i].name) == 0)
			break;
	if (i == SCENARIO_ROWS) {
		fprintf(stderr,
		    "hotline-bench: unknown scenario '%s' "
		    "(known: seed)\n",
		    o->scenario);
		return -1;
	}
	if (*mode != NULL && strcmp(*mode, scenario_table[i].mode) != 0) {
		fprintf(stderr,
		    "hotline-bench: --scenario %s is mode %s, "
		    "not %s\n",
		    o->scenario, scenario_table[i].mode, *mode);
		return -1;
	}
	*mode = scenario_table[i].mode;
	if (o->conns == 0)
		o->conns = scenario_table[i].conns;
	if (o->messages == 0)
		o->messages = scenario_table[i].messages;
	if (o->ramp == 0)
		o->ramp = scenario_table[i].ramp;
	if (o->message == NULL && o->mix == NULL)
		o->message = scenario_table[i].message;
	return 0;
}

/* Load --message or --mix (rr and scenario only); echo by default. */
static int
opts_messages(struct bench_opts *o)
{
	int rr = o->mode == MODE_RR || o->mode == MODE_SCENARIO;

	if ((o->message || o->mix || o->ramp > 0) && !rr) {
		fprintf(stderr,
		    "hotline-bench: --message, --mix and --ramp "
		    "are for the rr and scenario modes\n");
		return -1;
	}
	if (o->message != NULL && o->mix != NULL) {
		fprintf(stderr,
		    "hotline-bench: --message or --mix, not "
		    "both\n");
		return -1;
	}
	if (o->message != NULL)
		return bench_msg_add(&o->msgs, o->message, 1, "--message");
	if (o->mix != NULL)
		return bench_msg_load_mix(&o->msgs, o->mix);
	bench_msg_pkg(&o->msgs, 1); /* the built-in echo request */
	return 0;
}

/* Refuse runs whose request frames would not fit the memory bound. */
static int
opts_memory(const struct bench_opts *o)
{
	size_t msg = o->msgs.n ? o->msgs.max_len : o->size + 64;
	double mib = (double)o->conns * o->pipeline *
	    (double)(msg + MAX_FRAME_HEAD) / (1 << 20);

	if (mib <= MAX_FRAMES_MIB)
		return 0;
	fprintf(stderr,
	    "hotline-bench: %u connections x pipeline %u x "
	    "%zu-byte messages would hold %.0f MiB of request frames, more "
	    "than %d\n",
	    o->conns, o->pipeline, msg, mib, MAX_FRAMES_MIB);
	return -1;
}

/* Build getopt_long's arrays from the table. */
static void
opts_getopt_spec(struct option *lo, char *so)
{
	size_t i;

	*so++ = 'h';
	*so++ = 'V';
	for (i = 0; i < OPT_ROWS; i++) {
		lo[i].name = opt_table[i].name;
		lo[i].has_arg = opt_table[i].type == OPT_FLAG
		    ? no_argument
		    : required_argument;
		lo[i].flag = NULL;
		lo[i].val = opt_table[i].key;
		if (opt_table[i].key < 256) {
			*so++ = (char)opt_table[i].key;
			*so++ = ':';
		}
	}
	lo[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[i++] = (struct option){ "mode", required_argument, NULL, 'M' };
	lo[i++] = (struct option){ "version", no_argument, NULL, 'V' };
	lo[i] = (struct option){ 0 };
	*so = '\0';
}

/* Fill o from argv; 0 on success, -1 after printing why (2 = --help). */
int
bench_opts_parse(struct bench_opts *o, int argc, char **argv)
{
	struct option lo[OPT_ROWS + 4];
	char so[2 * OPT_ROWS + 3];
	const char *mode = NULL;
	int c;
	size_t i;

	*o = (struct bench_opts){ .url = "ws://127.0.0.1:8000/web",
		.pipeline = 1,
		.size = 16,
		.threads = 1,
		.open_burst = 64,
		.timeout = 5 };
	opts_getopt_spec(lo, so);
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == 'h') {
			opts_usage(stdout);
			return 2;
		}
		if (c == 'V') {
			printf("hotline-bench %s\n", PACKAGE_VERSION);
			return 2;
		}
		if (c == 'M') {
			mode = optarg;
			continue;
		}
		for (i = 0; i < OPT_ROWS && opt_table[i].key != c; i++)
			;
		if (i == OPT_ROWS) {
			opts_usage(stderr);
			return -1;
		}
		if (opts_store(o, &opt_table[i], optarg) < 0)
			return -1;
	}
	if (mode == NULL && optind < argc)
		mode = argv[optind++];
	if (o->scenario != NULL && opts_scenario(o, &mode) < 0)
		return -1;
	if (mode == NULL || optind != argc) {
		opts_usage(stderr);
		return -1;
	}
	if (opts_mode(o, mode) < 0 || opts_url(o) < 0 || opts_messages(o) < 0 ||
	    opts_memory(o) < 0)
		return -1;
	if (o->token != NULL && !o->token_header && opts_token_query(o) < 0)
		return -1;
	if (o->publish != NULL && strstr(o->publish, "%T") == NULL) {
		fprintf(stderr,
		    "hotline-bench: --publish must contain %%T, "
		    "where the send stamp goes\n");
		return -1;
	}
	if (o->rate == 0 && o->mode == MODE_BROADCAST)
		o->rate = 10;
	/* Duration-bound by default; scenario runs until its quota is sent. */
	if (o->duration == 0 && o->count == 0 && o->mode != MODE_SCENARIO)
		o->duration = 10;
	if (o->duration == 0 && o->mode == MODE_SCENARIO)
		o->duration = SCENARIO_CAP;
	if (o->messages == 0)
		o->messages = 100;
	if (o->progress == 0)
		o->progress = isatty(STDERR_FILENO);
	if (o->print_plan) {
		bench_report_plan(o);
		return 2;
	}
	return 0;
}
