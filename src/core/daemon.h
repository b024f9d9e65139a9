/* Becoming a daemon: detaching, the pidfile, and systemd's notify socket. */
#ifndef HL_DAEMON_H
#define HL_DAEMON_H

#include <stddef.h>

/* Fork into the background, start a session, chdir("/") and point stdio at
 * /dev/null. Returns in the daemon; the parent exits 0 once the daemon says
 * it is ready (daemon_ready) or 1 if it dies first. */
int	 daemon_detach(char *err, size_t errsize);
/* In the daemon: tell the waiting parent startup succeeded. */
void	 daemon_ready(void);
/* In the daemon: hand the waiting parent an error to print; it exits 1. */
void	 daemon_fail(const char *msg);
/* Create and lock path with our pid. Fails when another live hotlined holds
 * it. Returns 0, or -1 with a reason in err. */
int	 daemon_pidfile_open(const char *path, char *err, size_t errsize);
void	 daemon_pidfile_remove(void);
/* Started by systemd? (NOTIFY_SOCKET or INVOCATION_ID set.) */
int	 daemon_under_systemd(void);
/* sd_notify(3) by hand: send state ("READY=1"...) to $NOTIFY_SOCKET. A no-op
 * without it. */
void	 daemon_notify(const char *state);

#endif
