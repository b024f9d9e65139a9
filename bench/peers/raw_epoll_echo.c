/*
 * raw_epoll_echo: the ceiling of what this machine allows, for hotline-bench.
 * Not a server: one thread, level-triggered epoll, fixed buffers, a
 * handshake parsed by memmem, and a JSON "parser" that only finds the
 * envelope's fields by memmem. Built by bench/run.sh:
 *
 *   cc -O2 -o raw_epoll_echo raw_epoll_echo.c -lcrypto
 *   raw_epoll_echo PORT
 *
 * Listens on 127.0.0.1:PORT. For each masked client text frame
 * {"pkg_id":N,"req_id":R,"data":D} it answers {"pkg_id":N,"req_id":R,
 * "status_code":0,"data":D} (the request with status_code spliced in before
 * "data"). pkg_id 2 subscribes the connection; pkg_id 3 sends the reply to
 * every subscriber (a loop of write()s, the same protocol as the Python and
 * Node peers). A close frame is answered and the connection closed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXFD	70000
#define RBUF	65536
#define WBUF	65536

struct conn {
	int	 upgraded, sub;
	size_t	 rlen;
	char	*rbuf;
};

static struct conn *conns[MAXFD];
static int subs[MAXFD], nsubs;
static char out[WBUF + 256];
static char gbuf[RBUF];	/* reads land here unless a partial frame waits */

static void
drop(int ep, int fd)
{
	int i;

	if (conns[fd] != NULL && conns[fd]->sub) {
		for (i = 0; i < nsubs; i++)
			if (subs[i] == fd) {
				subs[i] = subs[--nsubs];
				break;
			}
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	if (conns[fd] != NULL) {
		if (conns[fd]->rbuf != gbuf)
			free(conns[fd]->rbuf);
		free(conns[fd]);
		conns[fd] = NULL;
	}
}

/* Blocking-ish write of a whole buffer (loopback; a full socket is rare). */
static int
sendall(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0; /* drop it: a slow reader misses it */
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
handshake(struct conn *c, int fd)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char *end, *k, *ke, buf[256], acc[64], resp[256];
	unsigned char sha[SHA_DIGEST_LENGTH];
	size_t kl;
	int n;

	end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
	if (end == NULL)
		return c->rlen < RBUF ? 0 : -1;
	k = memmem(c->rbuf, (size_t)(end - c->rbuf), "Sec-WebSocket-Key:", 18);
	if (k == NULL)
		k = memmem(c->rbuf, (size_t)(end - c->rbuf),
		    "sec-websocket-key:", 18);
	if (k == NULL)
		return -1;
	k += 18;
	while (*k == ' ')
		k++;
	ke = memchr(k, '\r', (size_t)(end + 2 - k));
	if (ke == NULL || (kl = (size_t)(ke - k)) > 100)
		return -1;
	memcpy(buf, k, kl);
	memcpy(buf + kl, guid, sizeof guid - 1);
	SHA1((unsigned char *)buf, kl + sizeof guid - 1, sha);
	EVP_EncodeBlock((unsigned char *)acc, sha, SHA_DIGEST_LENGTH);
	n = snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
	if (sendall(fd, resp, (size_t)n) == -1)
		return -1;
	c->upgraded = 1;
	end += 4;
	c->rlen -= (size_t)(end - c->rbuf);
	memmove(c->rbuf, end, c->rlen);
	return 1;
}

/* Frame header for an unmasked server frame of n bytes; returns its size. */
static size_t
hdr(char *h, int op, size_t n)
{
	h[0] = (char)(0x80 | op);
	if (n < 126) {
		h[1] = (char)n;
		return 2;
	}
	h[1] = 126;
	h[2] = (char)(n >> 8);
	h[3] = (char)n;
	return 4;
}

static int
message(int ep, int fd, struct conn *c, char *p, size_t n)
{
	static const char st[] = "\"status_code\":0,";
	char *d, *pk;
	size_t pre, len, h;
	int i, pkg = 0;

	/* Splice status_code in before "data" (or before the final brace). */
	d = memmem(p, n, "\"data\"", 6);
	if (d == NULL)
		d = p + n - 1;
	pre = (size_t)(d - p);
	len = n + sizeof st - 1;
	if (len > WBUF)
		return -1;
	h = hdr(out, 1, len);
	memcpy(out + h, p, pre);
	memcpy(out + h + pre, st, sizeof st - 1);
	memcpy(out + h + pre + sizeof st - 1, d, n - pre);
	pk = memmem(p, n, "\"pkg_id\":", 9);
	if (pk != NULL)
		pkg = atoi(pk + 9);
	if (pkg == 2 && !c->sub) {
		c->sub = 1;
		subs[nsubs++] = fd;
	} else if (pkg == 3) {
		for (i = 0; i < nsubs; i++)
			if (subs[i] != fd)
				(void)sendall(subs[i], out, h + len);
	}
	(void)ep;
	return sendall(fd, out, h + len);
}

/* Parse every complete frame in the buffer. */
static int
frames(int ep, int fd, struct conn *c)
{
	size_t off = 0;

	for (;;) {
		unsigned char *b = (unsigned char *)c->rbuf + off;
		size_t avail = c->rlen - off, len, hl = 2, i;
		unsigned char *mask;
		int op;

		if (avail < 2)
			break;
		op = b[0] & 0x0f;
		len = b[1] & 0x7f;
		if (!(b[1] & 0x80))
			return -1;
		if (len == 126) {
			if (avail < 4)
				break;
			len = (size_t)b[2] << 8 | b[3];
			hl = 4;
		} else if (len == 127) {
			return -1;
		}
		if (avail < hl + 4 + len)
			break;
		mask = b + hl;
		for (i = 0; i < len; i++)
			b[hl + 4 + i] ^= mask[i & 3];
		if (op == 8) {
			char h[4];
			size_t x = hdr(h, 8, 0);
			(void)sendall(fd, h, x);
			return -1;
		} else if (op == 9) {
			char h[4 + 125];
			size_t x = hdr(h, 10, len);
			memcpy(h + x, b + hl + 4, len);
			(void)sendall(fd, h, x + len);
		} else if (op == 1 || op == 2) {
			if (message(ep, fd, c, (char *)b + hl + 4, len) == -1)
				return -1;
		}
		off += hl + 4 + len;
	}
	c->rlen -= off;
	if (off > 0 && c->rlen > 0)
		memmove(c->rbuf, c->rbuf + off, c->rlen);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev, evs[256];
	struct rlimit rl;
	int ls, ep, one = 1, i, n;

	if (argc != 2) {
		fprintf(stderr, "usage: raw_epoll_echo PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max < MAXFD ? rl.rlim_max : MAXFD;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(ls, 4096) == -1) {
		perror("bind/listen");
		return 1;
	}
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = ls;
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	for (;;) {
		n = epoll_wait(ep, evs, 256, -1);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			struct conn *c;
			ssize_t r;

			if (fd == ls) {
				int cfd;
				while ((cfd = accept4(ls, NULL, NULL,
				    SOCK_NONBLOCK)) >= 0) {
					if (cfd >= MAXFD) {
						close(cfd);
						continue;
					}
					setsockopt(cfd, IPPROTO_TCP,
					    TCP_NODELAY, &one, sizeof one);
					/* No buffer of its own until a partial
					 * frame must wait: the idle mode
					 * measures memory per connection. */
					c = calloc(1, sizeof *c);
					conns[cfd] = c;
					ev.events = EPOLLIN;
					ev.data.fd = cfd;
					epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
				}
				continue;
			}
			c = conns[fd];
			if (c == NULL)
				continue;
			if (c->rbuf == NULL)
				c->rbuf = gbuf;
			r = read(fd, c->rbuf + c->rlen, RBUF - c->rlen);
			if (r <= 0) {
				if (r < 0 &&
				    (errno == EAGAIN || errno == EINTR))
					continue;
				drop(ep, fd);
				continue;
			}
			c->rlen += (size_t)r;
			if (!c->upgraded) {
				int h = handshake(c, fd);
				if (h == -1) {
					drop(ep, fd);
					continue;
				}
				if (h == 0)
					continue;
			}
			if (frames(ep, fd, c) == -1 || c->rlen == RBUF) {
				drop(ep, fd);
				continue;
			}
			if (c->rlen > 0 && c->rbuf == gbuf) {
				c->rbuf = malloc(RBUF);
				memcpy(c->rbuf, gbuf, c->rlen);
			} else if (c->rlen == 0 && c->rbuf != gbuf) {
				free(c->rbuf);
				c->rbuf = NULL;
			} else if (c->rlen == 0) {
				c->rbuf = NULL;
			}
		}
	}
}
