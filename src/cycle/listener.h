/*
 * The WebSocket listening sockets: one SO_REUSEPORT socket per worker index,
 * created and kept by the master, so a respawned or reloaded worker takes
 * over its index's accept queue and the kernel spreads connections evenly.
 */
#ifndef HL_LISTENER_H
#define HL_LISTENER_H

#include "core/netaddr.h"

#define LISTENER_MAX	1024

struct listener {
	struct netaddr	 addr;		/* with the real port once bound */
	int		 backlog;
	int		 fds[LISTENER_MAX];
	int		 nfds;
};

/* Parse text and bind the first socket (port 0 picks a free port), after
 * checking that no other process holds the address. Returns 0, or -1 with a
 * reason in err. */
int	 listener_open(struct listener *l, const char *text, int backlog,
	    char *err, size_t errsize);
/* Make sure sockets 0..n-1 exist. Returns 0, or -1 with a reason in err. */
int	 listener_ensure(struct listener *l, int n, char *err, size_t errsize);
/* Close sockets n.. (after a reload shrank the worker count). */
void	 listener_trim(struct listener *l, int n);
void	 listener_close(struct listener *l);

#endif
