/*
 * Logging. Every line is formatted into a stack buffer and written with one
 * write(2) to an O_APPEND descriptor, so lines from the master and the
 * workers never interleave mid-line. Not for signal handlers.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

#define LOG_LINE_MAX 2048

static struct {
	enum log_target	 target;
	enum log_level	 level;
	int		 fd;
	char		 path[4096];
	char		 role[32];
	uid_t		 uid;
	gid_t		 gid;
} logger = { LOG_TARGET_STDERR, LOG_LEVEL_INFO, -1, "", "hotlined",
    (uid_t)-1, (gid_t)-1 };

static const char *const level_names[] = {
	"debug", "info", "notice", "warn", "error",
};

static const int level_syslog[] = {
	LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR,
};

int
log_open(enum log_target target, const char *path)
{
	int fd = -1;

	if (target == LOG_TARGET_FILE) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0640);
		if (fd == -1)
			return -1;
		if (logger.uid != (uid_t)-1 &&
		    fchown(fd, logger.uid, logger.gid) == -1) {
			/* Workers may then fail to reopen; they say so. */
		}
		snprintf(logger.path, sizeof logger.path, "%s", path);
	}
	if (logger.target == LOG_TARGET_SYSLOG && target != LOG_TARGET_SYSLOG)
		closelog();
	if (logger.fd != -1)
		close(logger.fd);
	logger.fd = fd;
	logger.target = target;
	if (target == LOG_TARGET_SYSLOG)
		openlog("hotlined", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return 0;
}

int
log_reopen(void)
{
	if (logger.target != LOG_TARGET_FILE)
		return 0;
	return log_open(LOG_TARGET_FILE, logger.path);
}

void
log_after_fork(void)
{
	if (logger.target != LOG_TARGET_SYSLOG)
		return;
	closelog();
	openlog("hotlined", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_owner(uid_t uid, gid_t gid)
{
	logger.uid = uid;
	logger.gid = gid;
	if (logger.target == LOG_TARGET_FILE && uid != (uid_t)-1 &&
	    fchown(logger.fd, uid, gid) == -1) {
		/* As above: the workers report a failed reopen. */
	}
}

void
log_set_level(enum log_level level)
{
	logger.level = level;
}

void
log_set_role(const char *role)
{
	snprintf(logger.role, sizeof logger.role, "%s", role);
}

int
log_fd(void)
{
	if (logger.target == LOG_TARGET_FILE)
		return logger.fd;
	if (logger.target == LOG_TARGET_STDERR)
		return STDERR_FILENO;
	return -1;
}

/* Format "2026-11-25T09:48:43.123Z [pid] role level: message\n", write it. */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap, int with_errno)
{
	char line[LOG_LINE_MAX], msg[LOG_LINE_MAX - 128];
	int saved = errno, n;
	struct timespec ts;
	struct tm tm;

	if (level < logger.level)
		return;
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		msg[0] = '\0';
	if (with_errno) {
		size_t len = strlen(msg);
		snprintf(msg + len, sizeof msg - len, ": %s", strerror(saved));
	}
	if (logger.target == LOG_TARGET_SYSLOG) {
		syslog(level_syslog[level], "%s: %s", logger.role, msg);
		errno = saved;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof line,
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%ld] %s %s: %s\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, (long)getpid(),
	    logger.role, level_names[level], msg);
	if (n >= (int)sizeof line) {
		n = sizeof line;
		line[n - 1] = '\n';
	}
	if (write(log_fd(), line, (size_t)n) == -1) {
		/* Nowhere left to report it. */
	}
	errno = saved;
}

#define LOG_FN(name, level)						\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	log_vwrite(level, fmt, ap, 0);					\
	va_end(ap);							\
}

LOG_FN(log_debug, LOG_LEVEL_DEBUG)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_notice, LOG_LEVEL_NOTICE)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_error, LOG_LEVEL_ERROR)

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
