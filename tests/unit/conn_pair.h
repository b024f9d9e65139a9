/*
 * The real connection layer (src/ws/conn.c, conn_out.c) driven without a
 * daemon: one end of a socketpair is handed to conn_accept, the test writes
 * the client's bytes in chunks it chooses and runs the event loop until the
 * server has read each chunk, so every chunk boundary is a read boundary
 * (a chunk over 64 KiB is also cut at the worker's read size). Everything
 * the server writes is collected. Shared by check_conn and fuzz_conn.
 */
#ifndef HL_CONN_PAIR_H
#define HL_CONN_PAIR_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

struct pair_bytes {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
};

struct conn_pair {
	int			 cli;	/* the client's end; -1 once closed */
	struct pair_bytes	 out;	/* what the server wrote */
	int			 eof;	/* the server closed its end */
};

/* Serve on base with test limits: /web and /echo, messages up to
 * max_message_bytes, send queue and input bounds out of the way. */
void	 pair_server_init(struct event_base *base, uint64_t max_message_bytes);
/* Close every connection and free the connection layer's state. */
void	 pair_server_free(void);

/* A connected pair; the server end is now owned by the connection layer. */
void	 pair_open(struct conn_pair *p);
/* Write len bytes as one chunk and run the loop until the server has read
 * them (or stopped reading) and written what it will. */
void	 pair_feed(struct conn_pair *p, const uint8_t *data, size_t len);
/* Feed data cut at the ascending offsets cuts[0..ncuts). */
void	 pair_feed_cut(struct conn_pair *p, const uint8_t *data, size_t len,
	    const size_t *cuts, size_t ncuts);
/* Close the client's end and free the output. */
void	 pair_close(struct conn_pair *p);
/* Offset of the first byte after the server's HTTP response head, or 0
 * when there is none yet. */
size_t	 pair_body(const struct conn_pair *p);

void	 bytes_add(struct pair_bytes *b, const void *data, size_t len);
void	 bytes_free(struct pair_bytes *b);
/* An upgrade request for path, as a client sends it. */
void	 bytes_upgrade(struct pair_bytes *b, const char *path);
/* A client frame (masked with key) and a server frame (unmasked). */
void	 bytes_client_frame(struct pair_bytes *b, int fin, uint8_t opcode,
	    const uint8_t *payload, size_t len, uint32_t key);
void	 bytes_server_frame(struct pair_bytes *b, int fin, uint8_t opcode,
	    const uint8_t *payload, size_t len);

#endif
