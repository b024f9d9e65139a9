/*
 * The hooks the worker installs on the connection layer (auth, broadcast)
 * and the small API they use on a connection, so neither reaches into
 * struct conn. An indirect call per installed hook per message.
 */
#include "autoconf.h"

#include <stdio.h>
#include <sys/socket.h>

#include "core/netaddr.h"
#include "ws/conn_int.h"

static struct {
	const struct conn_hooks	*tab[CONN_HOOKS_MAX];
	int			 n;
} hooks;

int
conn_hooks_add(const struct conn_hooks *h)
{
	if (hooks.n == CONN_HOOKS_MAX)
		return -1;
	hooks.tab[hooks.n] = h;
	return hooks.n++;
}

void
conn_hooks_clear(void)
{
	hooks.n = 0;
}

void *
conn_slot(const struct conn *c, int slot)
{
	return c->slots[slot];
}

void
conn_set_slot(struct conn *c, int slot, void *p)
{
	c->slots[slot] = p;
}

int
conn_hooks_upgrade(struct conn *c, const struct ws_handshake_request *req,
    enum ws_handshake_refusal *why, const char **detail)
{
	int i;

	for (i = 0; i < hooks.n; i++)
		if (hooks.tab[i]->upgrade != NULL &&
		    hooks.tab[i]->upgrade(c, req, why, detail) == -1)
			return -1;
	return 0;
}

void
conn_hooks_opened(struct conn *c)
{
	int i;

	for (i = 0; i < hooks.n; i++)
		if (hooks.tab[i]->opened != NULL)
			hooks.tab[i]->opened(c);
}

enum conn_verdict
conn_hooks_message(struct conn *c, uint8_t opcode, const uint8_t *p,
    size_t len, const char **refuse)
{
	enum conn_verdict v;
	int i;

	for (i = 0; i < hooks.n; i++) {
		if (hooks.tab[i]->message == NULL)
			continue;
		if ((v = hooks.tab[i]->message(c, opcode, p, len, refuse)) !=
		    CONN_ROUTE)
			return v;
	}
	return CONN_ROUTE;
}

const struct request_identity *
conn_hooks_who(const struct conn *c)
{
	const struct request_identity *who;
	int i;

	for (i = 0; i < hooks.n; i++)
		if (hooks.tab[i]->who != NULL &&
		    (who = hooks.tab[i]->who(c)) != NULL)
			return who;
	return NULL;
}

void
conn_hooks_closed(struct conn *c)
{
	int i;

	for (i = hooks.n - 1; i >= 0; i--)
		if (hooks.tab[i]->closed != NULL)
			hooks.tab[i]->closed(c);
}

int
conn_is_open(const struct conn *c)
{
	return c->state == CONN_OPEN;
}

int
conn_is_app(const struct conn *c)
{
	return c->state == CONN_OPEN && !(c->flags & CONN_F_ECHO);
}

void
conn_peer(const struct conn *c, char *out, size_t size)
{
	struct netaddr peer;

	snprintf(out, size, "?");
	peer.len = sizeof peer.ss;
	if (c->state != CONN_CLOSED &&
	    getpeername(c->fd, (struct sockaddr *)&peer.ss, &peer.len) == 0)
		netaddr_format(&peer, out, size);
}

void
conn_send_frame(struct conn *c, uint8_t opcode, const uint8_t *p, size_t len)
{
	out_frame(c, opcode, p, len);
}

void
conn_flush_if_idle(struct conn *c)
{
	out_flush_if_idle(c);
}

void
conn_flush(void)
{
	out_flush();
}

void
conn_each(void (*fn)(struct conn *c, void *arg), void *arg)
{
	struct conn *c;

	TAILQ_FOREACH(c, &conn_srv.lru, lru)
		fn(c, arg);
}

struct event_base *
conn_base(void)
{
	return conn_srv.base;
}
