/* Admin connections answered without evhttp (see admin_overflow.h). */
#include "autoconf.h"

#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin/admin_api.h"
#include "admin/admin_overflow.h"
#include "core/util.h"
#include "core/config.h"
#include "core/shm.h"

#define ADMIN_OVERFLOW_REQUEST	1024	/* request bytes read, at most */

struct admin_boat {
	struct admin_overflow	*ov;
	struct event		*ev;		/* NULL: free */
	int			 fd;
	enum admin_overflow_why	 why;
	void			(*done)(void *);
	void			*arg;
};

struct admin_overflow {
	struct admin_host		*host;
	struct admin_boat	 boats[ADMIN_OVERFLOW_BOATS];
	uint64_t		 answers;
};

static const char *const admin_overflow_text[] = {
	[ADMIN_OVERFLOW_CAP] =
	    "{\"error\":\"too many admin connections; retry later\"}\n",
	[ADMIN_OVERFLOW_NOFILE] =
	    "{\"error\":\"the admin port is out of file descriptors; retry "
	    "later\"}\n",
};

/* /health's body as text (NULL when out of memory). */
static char *
admin_overflow_health(const struct admin_host *h, int *code)
{
	json_t *j = admin_api_health(h, code);
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return text;
}

static int
admin_overflow_is_health(const struct admin_host *h, const char *req)
{
	return h->cf->admin_token[0] == '\0' &&
	    (strncmp(req, "GET /health ", 12) == 0 ||
	    strncmp(req, "GET /health?", 12) == 0);
}

/* The one answer to request (what has arrived of it), then close. */
static void
admin_overflow_reply(struct admin_overflow *ov, int fd, const char *req,
    enum admin_overflow_why why)
{
	const char *text = admin_overflow_text[why];
	char head[256], *body = NULL;
	int code = 503, n;

	if (admin_overflow_is_health(ov->host, req) &&
	    (body = admin_overflow_health(ov->host, &code)) != NULL)
		text = body;
	n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: "
	    "application/json\r\nCache-Control: no-store\r\nConnection: close"
	    "\r\nContent-Length: %zu\r\n\r\n", code, code == 200 ? "OK" :
	    "Service Unavailable", strlen(text));
	send(fd, head, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
	free(body);
	shutdown(fd, SHUT_WR);
	close(fd);
	ov->answers++;
}

/* Read what has arrived; -1 when nothing has yet. */
static int
admin_overflow_read(int fd, char *req, size_t size)
{
	ssize_t got = recv(fd, req, size - 1, MSG_DONTWAIT);

	req[got > 0 ? got : 0] = '\0';
	return got == -1 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : 0;
}

static void
admin_overflow_boat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct admin_boat *b = arg;
	char req[ADMIN_OVERFLOW_REQUEST];

	admin_overflow_read(b->fd, req, sizeof req);
	admin_overflow_reply(b->ov, b->fd, req, b->why);
	event_free(b->ev);
	b->ev = NULL;
	if (b->done != NULL)
		b->done(b->arg);
}

int
admin_overflow_room(const struct admin_overflow *ov)
{
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(ov->boats); i++) {
		if (ov->boats[i].ev == NULL)
			return 1;
	}
	return 0;
}

/* Park fd until its request arrives; -1 when no boat is free. */
static int
admin_overflow_park(struct admin_overflow *ov, int fd,
    enum admin_overflow_why why, void (*done)(void *), void *arg)
{
	struct timeval wait = { 0, ADMIN_OVERFLOW_WAIT_MS * 1000 };
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(ov->boats); i++) {
		struct admin_boat *b = &ov->boats[i];

		if (b->ev != NULL)
			continue;
		*b = (struct admin_boat){ ov, NULL, fd, why, done, arg };
		b->ev = event_new(ov->host->base, fd, EV_READ,
		    admin_overflow_boat_cb, b);
		if (b->ev == NULL || event_add(b->ev, &wait) == -1)
			fatalx("admin: cannot wait for an overflow request");
		return 0;
	}
	return -1;
}

void
admin_overflow_take(struct admin_overflow *ov, int fd,
    enum admin_overflow_why why, void (*done)(void *), void *arg)
{
	char req[ADMIN_OVERFLOW_REQUEST];

	if (admin_overflow_read(fd, req, sizeof req) == -1 &&
	    admin_overflow_park(ov, fd, why, done, arg) == 0)
		return;
	admin_overflow_reply(ov, fd, req, why);
	if (done != NULL)
		done(arg);
}

struct admin_overflow *
admin_overflow_new(struct admin_host *h)
{
	struct admin_overflow *ov = xcalloc(1, sizeof *ov);

	ov->host = h;
	return ov;
}

void
admin_overflow_free(struct admin_overflow *ov)
{
	size_t i;

	if (ov == NULL)
		return;
	for (i = 0; i < HL_ARRAY_LEN(ov->boats); i++) {
		if (ov->boats[i].ev != NULL) {
			event_free(ov->boats[i].ev);
			close(ov->boats[i].fd);
		}
	}
	free(ov);
}

uint64_t
admin_overflow_answers(const struct admin_overflow *ov)
{
	return ov->answers;
}
