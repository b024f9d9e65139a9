/* Daemonizing, pidfile and systemd notification. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/daemon.h"
#include "core/log.h"
#include "core/util.h"

static int	 ready_fd = -1;
static char	 pidfile_path[4096];
static int	 pidfile_fd = -1;

/* The parent waits for "ready" (or an error to print), so an init script
 * sees a failed start as a failure. */
static void __attribute__((noreturn))
daemon_parent_wait(int pipefd[2])
{
	char msg[1024];
	ssize_t n;

	close(pipefd[1]);
	n = read(pipefd[0], msg, sizeof msg - 1);
	if (n > 0 && msg[0] == '1')
		_exit(0);
	if (n > 1) {
		msg[n] = '\0';
		fprintf(stderr, "hotlined: %s\n", msg + 1);
	} else {
		fprintf(stderr, "hotlined: the daemon exited during startup; "
		    "see its log\n");
	}
	_exit(1);
}

int
daemon_detach(char *err, size_t errsize)
{
	int pipefd[2], devnull;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		snprintf(err, errsize, "cannot daemonize: %s", strerror(errno));
		return -1;
	}
	if (pid != 0)
		daemon_parent_wait(pipefd);
	close(pipefd[0]);
	ready_fd = pipefd[1];
	if (setsid() == -1 || chdir("/") == -1) {
		snprintf(err, errsize, "cannot daemonize: %s", strerror(errno));
		return -1;
	}
	if ((devnull = open("/dev/null", O_RDWR)) != -1) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
	return 0;
}

void
daemon_ready(void)
{
	if (ready_fd == -1)
		return;
	if (write(ready_fd, "1", 1) != 1)
		log_warn("cannot tell the starting parent we are ready");
	close(ready_fd);
	ready_fd = -1;
}

void
daemon_fail(const char *msg)
{
	char buf[1024];
	int n;

	if (ready_fd == -1)
		return;
	n = snprintf(buf, sizeof buf, "0%s", msg);
	if (write(ready_fd, buf, (size_t)HL_MIN(n, (int)sizeof buf - 1)) < 0) {
		/* The parent is gone; the log has the message. */
	}
	close(ready_fd);
	ready_fd = -1;
}

int
daemon_pidfile_open(const char *path, char *err, size_t errsize)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char buf[32];
	int fd, len;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		snprintf(err, errsize, "pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	if (fcntl(fd, F_SETLK, &fl) == -1) {
		len = (int)read(fd, buf, sizeof buf - 1);
		buf[len > 0 ? len : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errsize,
		    "pidfile %s: hotlined is already running (pid %s)", path,
		    buf[0] != '\0' ? buf : "?");
		close(fd);
		return -1;
	}
	len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, buf, (size_t)len) != len) {
		snprintf(err, errsize, "pidfile %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(pidfile_path, sizeof pidfile_path, "%s", path);
	pidfile_fd = fd;
	return 0;
}

void
daemon_pidfile_remove(void)
{
	if (pidfile_fd == -1)
		return;
	unlink(pidfile_path);
	close(pidfile_fd);
	pidfile_fd = -1;
}

int
daemon_under_systemd(void)
{
	return getenv("NOTIFY_SOCKET") != NULL ||
	    getenv("INVOCATION_ID") != NULL;
}

void
daemon_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof sun.sun_path)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1)
		log_debug("sd_notify %s: %s", state, strerror(errno));
	close(fd);
}
