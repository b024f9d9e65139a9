/*
 * A socketpair in front of the real connection layer: see conn_pair.h.
 */
#include "autoconf.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ws/conn.h"
#include "conn_pair.h"

/* Loop turns with nothing read or written before the server is taken to
 * have stopped reading (a closing connection reads no more). */
#define PAIR_IDLE_TURNS		3
#define PAIR_MAX_TURNS		1000000

static struct event_base	*pair_base;

static void
pair_die(const char *what)
{
	perror(what);
	abort();
}

void
bytes_add(struct pair_bytes *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = b->len + len > b->cap * 2 ? b->len + len : b->cap * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			pair_die("realloc");
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

void
bytes_free(struct pair_bytes *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void
bytes_upgrade(struct pair_bytes *b, const char *path)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof head, "GET %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", path);
	bytes_add(b, head, (size_t)n);
}

/* The header of a frame: FIN, opcode and the shortest length form. */
static void
bytes_frame_head(struct pair_bytes *b, int fin, uint8_t opcode, size_t len,
    int masked)
{
	uint8_t h[10];
	size_t n = 2, i;

	h[0] = (uint8_t)((fin ? 0x80 : 0) | opcode);
	h[1] = masked ? 0x80 : 0;
	if (len < 126) {
		h[1] |= (uint8_t)len;
	} else if (len <= 0xffff) {
		h[1] |= 126;
		h[2] = (uint8_t)(len >> 8);
		h[3] = (uint8_t)len;
		n = 4;
	} else {
		h[1] |= 127;
		for (i = 0; i < 8; i++)
			h[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
		n = 10;
	}
	bytes_add(b, h, n);
}

void
bytes_client_frame(struct pair_bytes *b, int fin, uint8_t opcode,
    const uint8_t *payload, size_t len, uint32_t key)
{
	uint8_t k[4] = { key >> 24, key >> 16, key >> 8, key };
	size_t start, i;

	bytes_frame_head(b, fin, opcode, len, 1);
	bytes_add(b, k, 4);
	start = b->len;
	bytes_add(b, payload, len);
	for (i = 0; i < len; i++)
		b->p[start + i] ^= k[i & 3];
}

void
bytes_server_frame(struct pair_bytes *b, int fin, uint8_t opcode,
    const uint8_t *payload, size_t len)
{
	bytes_frame_head(b, fin, opcode, len, 0);
	bytes_add(b, payload, len);
}

void
pair_server_init(struct event_base *base, uint64_t max_message_bytes)
{
	struct conn_limits lim = {
		.max_header_bytes = 8192,
		.max_headers = 64,
		.max_message_bytes = max_message_bytes,
		.send_queue_bytes = (size_t)1 << 30,
		.worker_input_bytes = (uint64_t)1 << 40,
		.handshake_timeout_ms = 60000,
		.path = "/web",
		.echo = 1,
	};

	pair_base = base;
	conn_server_init(base, &lim);
}

void
pair_server_free(void)
{
	conn_server_free();
}

static void
pair_nonblock(int fd)
{
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		pair_die("fcntl");
}

void
pair_open(struct conn_pair *p)
{
	int sv[2];

	memset(p, 0, sizeof *p);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		pair_die("socketpair");
	pair_nonblock(sv[0]);
	pair_nonblock(sv[1]);
	conn_accept(sv[0]);
	p->cli = sv[1];
}

/* Take what the server wrote; returns the bytes taken. */
static size_t
pair_drain(struct conn_pair *p)
{
	uint8_t buf[65536];
	size_t got = 0;
	ssize_t n;

	while (!p->eof) {
		n = read(p->cli, buf, sizeof buf);
		if (n > 0) {
			bytes_add(&p->out, buf, (size_t)n);
			got += (size_t)n;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			p->eof = 1;
		} else {
			break;
		}
	}
	return got;
}

/* Bytes written by the client that the server has not read yet. */
static int
pair_unread(const struct conn_pair *p)
{
	int n = 0;

	if (p->eof || ioctl(p->cli, SIOCOUTQ, &n) == -1)
		return 0;
	return n;
}

/* Run the loop until the client's bytes are read and the server has
 * nothing more to say, or nothing moves for a few turns. */
static void
pair_settle(struct conn_pair *p)
{
	int idle = 0, turns = 0, unread, before;

	while (idle < PAIR_IDLE_TURNS && turns++ < PAIR_MAX_TURNS) {
		before = pair_unread(p);
		event_base_loop(pair_base, EVLOOP_NONBLOCK);
		unread = pair_unread(p);
		if (pair_drain(p) > 0 || unread != before)
			idle = 0;
		else
			idle++;
	}
	if (turns >= PAIR_MAX_TURNS)
		pair_die("pair_settle: no progress");
}

void
pair_feed(struct conn_pair *p, const uint8_t *data, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len && !p->eof) {
		n = send(p->cli, data + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
		} else if (n == -1 && errno != EAGAIN && errno != EINTR) {
			break;		/* the server is gone */
		}
		if (off < len)
			pair_settle(p);	/* the socket is full: let it read */
	}
	pair_settle(p);
}

void
pair_feed_cut(struct conn_pair *p, const uint8_t *data, size_t len,
    const size_t *cuts, size_t ncuts)
{
	size_t from = 0, i, to;

	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : len;
		if (to > len)
			to = len;
		if (to > from)
			pair_feed(p, data + from, to - from);
		if (to > from)
			from = to;
	}
}

void
pair_close(struct conn_pair *p)
{
	if (p->cli != -1)
		close(p->cli);
	p->cli = -1;
	bytes_free(&p->out);
}

size_t
pair_body(const struct conn_pair *p)
{
	size_t i;

	for (i = 0; i + 4 <= p->out.len; i++)
		if (memcmp(p->out.p + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}
