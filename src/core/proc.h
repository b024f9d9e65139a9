/* Process plumbing: the fork sequence of DESIGN.md section 1, signalfd, and
 * the child-side reset. */
#ifndef HL_PROC_H
#define HL_PROC_H

#include <signal.h>
#include <sys/types.h>

/* Descriptors proc_fork can keep: a few of its own, plus the broadcast
 * eventfd of every worker slot (SUP_MAX_SLOTS). */
#define PROC_KEEP_MAX	2064

/*
 * Fork with every signal blocked and stdio flushed. In the child, signal
 * dispositions are reset to default and every descriptor except 0-2 and
 * those in keep is closed; signals stay blocked (proc_child_ready unblocks
 * them). Returns as fork(2) does.
 */
pid_t	 proc_fork(const int *keep, int nkeep);
/* Child: drop to uid/gid (unless -1), then every capability unless it is
 * root, die with the parent, check it is still there. Exits the child on
 * failure. */
void	 proc_child_setup(pid_t parent, uid_t uid, gid_t gid);
/* Block sigs and return a non-blocking signalfd for them, or -1. Every
 * other signal is unblocked. */
int	 proc_signalfd(const int *sigs, int nsigs);
/* Read one signal number from a signalfd; 0 when none is pending. */
int	 proc_signalfd_read(int fd);
/* Raise RLIMIT_NOFILE to its hard limit; returns the new soft limit. */
long	 proc_raise_nofile(void);

#endif
