/* The fork sequence and signal plumbing shared by master and workers. */
#include "autoconf.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"
#include "core/proc.h"

static int
int_compare(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close every descriptor above 2 not in keep (sorted here). */
static void
proc_close_others(const int *keep, int nkeep)
{
	int sorted[PROC_KEEP_MAX], i, next = 3;

	if (nkeep > PROC_KEEP_MAX)
		fatalx("proc_close_others: too many descriptors to keep");
	memcpy(sorted, keep, (size_t)nkeep * sizeof *keep);
	qsort(sorted, (size_t)nkeep, sizeof *sorted, int_compare);
	for (i = 0; i < nkeep; i++) {
		if (sorted[i] < next)
			continue;
		if (sorted[i] > next)
			close_range((unsigned)next, (unsigned)sorted[i] - 1, 0);
		next = sorted[i] + 1;
	}
	close_range((unsigned)next, ~0U, 0);
}

static void
proc_reset_signals(void)
{
	struct sigaction sa;
	int sig;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	}
}

pid_t
proc_fork(const int *keep, int nkeep)
{
	sigset_t all, old;
	pid_t pid;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	fflush(NULL);
	pid = fork();
	if (pid != 0) {
		int saved = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = saved;
		return pid;
	}
	proc_reset_signals();
	proc_close_others(keep, nkeep);
	return 0;
}

/* A worker that is not root holds no capabilities. Under the systemd unit
 * the daemon runs as an unprivileged account with ambient capabilities
 * (binding a low port, perf events); the worker has opened its perf event
 * by now and parses untrusted input from here on. A root worker keeps root
 * (user root is an explicit choice); one that setuid() left has none. */
static void
proc_drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2], none[2];

	if (geteuid() == 0)
		return;
	if (syscall(SYS_capget, &hdr, caps) == 0 &&
	    (caps[0].permitted | caps[1].permitted) == 0)
		return;		/* nothing to drop */
	memset(none, 0, sizeof none);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 ||
	    syscall(SYS_capset, &hdr, none) == -1)
		fatal("cannot drop capabilities");
}

void
proc_child_setup(pid_t parent, uid_t uid, gid_t gid)
{
	if (gid != (gid_t)-1 &&
	    (setgroups(1, &gid) == -1 || setgid(gid) == -1))
		fatal("cannot switch to group %ld", (long)gid);
	if (uid != (uid_t)-1 && setuid(uid) == -1)
		fatal("cannot switch to user %ld", (long)uid);
	proc_drop_caps();
	/* SIGKILL, not a signal the loop reads: a worker inside a long
	 * handler reads signals only between events, and until it exits it
	 * holds its listening socket, so a new master cannot bind. With the
	 * master gone there is no one to drain for or report to. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		fatal("prctl(PR_SET_PDEATHSIG)");
	/* The master may have died between fork and prctl. */
	if (getppid() != parent)
		fatalx("master %ld is gone", (long)parent);
}

int
proc_signalfd(const int *sigs, int nsigs)
{
	sigset_t set, unblock;
	int i;

	sigemptyset(&set);
	for (i = 0; i < nsigs; i++)
		sigaddset(&set, sigs[i]);
	sigfillset(&unblock);
	for (i = 0; i < nsigs; i++)
		sigdelset(&unblock, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int
proc_signalfd_read(int fd)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof si) != (ssize_t)sizeof si)
		return 0;
	return (int)si.ssi_signo;
}

long
proc_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("cannot raise the open-file limit to %ld: %s",
			    (long)rl.rlim_max, strerror(errno));
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	return (long)rl.rlim_cur;
}
