/*
 * How many mallocs wslay's client event API costs per message: the number
 * behind hotline-bench's choice to send pre-masked frames itself and to run
 * wslay with no_buffering (see bench_frame.c). Built by hand (glibc only,
 * not with sanitizers, which replace malloc themselves):
 *
 *   cc -O2 -o wslay_alloc_probe bench/client/wslay_alloc_probe.c -lwslay
 *   ./wslay_alloc_probe
 *
 * wslay 1.1.1 (Debian 12): queue_msg+send 3.00, buffered recv 4.00,
 * no_buffering recv with frame chunk callbacks 0.00 mallocs per message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

#define ROUNDS 1000

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static long allocs;
static int counting;
static unsigned char wire[1 << 20];
static size_t wire_len, wire_pos;

/* The allocator, interposed: count while counting is set. */
void *
malloc(size_t n)
{
	allocs += counting;
	return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	allocs += counting;
	return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	allocs += counting;
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}

static ssize_t
probe_send_cb(wslay_event_context_ptr ctx, const uint8_t *d, size_t len,
    int flags, void *user)
{
	if (wire_len + len > sizeof wire)
		wire_len = 0;
	memcpy(wire + wire_len, d, len);
	wire_len += len;
	return (ssize_t)len;
}

static ssize_t
probe_recv_cb(
    wslay_event_context_ptr ctx, uint8_t *d, size_t len, int flags, void *user)
{
	size_t n = wire_len - wire_pos;

	if (n == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	n = n < len ? n : len;
	memcpy(d, wire + wire_pos, n);
	wire_pos += n;
	return (ssize_t)n;
}

static int
probe_mask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
	memset(buf, 7, len);
	return 0;
}

static void
probe_msg_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
}

static void
probe_chunk_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_chunk_arg *arg, void *user)
{
}

static const char msg[] =
    "{\"pkg_id\":1,\"req_id\":\"req-1\",\"data\":{\"message\":\"hello\"}}";

/* Fill the wire with ROUNDS unmasked server frames carrying msg. */
static void
probe_server_frames(void)
{
	int i;

	wire_len = wire_pos = 0;
	for (i = 0; i < ROUNDS; i++) {
		wire[wire_len++] = 0x81;
		wire[wire_len++] = (unsigned char)(sizeof msg - 1);
		memcpy(wire + wire_len, msg, sizeof msg - 1);
		wire_len += sizeof msg - 1;
	}
}

/* Mallocs per message over ROUNDS queued (queue) or received messages. */
static double
probe_count(wslay_event_context_ptr ctx, int queue)
{
	struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (const uint8_t *)msg,
		sizeof msg - 1 };
	int i;

	allocs = 0;
	counting = 1;
	if (queue)
		for (i = 0; i < ROUNDS; i++) {
			wslay_event_queue_msg(ctx, &m);
			wslay_event_send(ctx);
		}
	else
		wslay_event_recv(ctx);
	counting = 0;
	return (double)allocs / ROUNDS;
}

int
main(void)
{
	struct wslay_event_callbacks buffered = { probe_recv_cb, probe_send_cb,
		probe_mask_cb, NULL, NULL, NULL, probe_msg_cb };
	struct wslay_event_callbacks chunked = { probe_recv_cb, probe_send_cb,
		probe_mask_cb, NULL, probe_chunk_cb, NULL, NULL };
	wslay_event_context_ptr a, b;

	if (wslay_event_context_client_init(&a, &buffered, NULL) != 0 ||
	    wslay_event_context_client_init(&b, &chunked, NULL) != 0)
		return 1;
	wslay_event_config_set_no_buffering(b, 1);
	printf("queue_msg + send:             %.2f mallocs/message\n",
	    probe_count(a, 1));
	probe_server_frames();
	printf("recv, buffered (on_msg_recv): %.2f mallocs/message\n",
	    probe_count(a, 0));
	probe_server_frames();
	printf("recv, no_buffering (chunks):  %.2f mallocs/message\n",
	    probe_count(b, 0));
	wslay_event_context_free(a);
	wslay_event_context_free(b);
	return 0;
}
