/* Logging: levels, one line per write(2), to stderr, a file or syslog. */
#ifndef HL_LOG_H
#define HL_LOG_H

#include <stdarg.h>
#include <sys/types.h>

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
};

/* Where log lines go. */
enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_FILE,
	LOG_TARGET_SYSLOG,
};

#define HL_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Choose the destination; path is used with LOG_TARGET_FILE. Returns -1 and
 * sets errno when the file cannot be opened (the old target stays). */
int	 log_open(enum log_target target, const char *path);
/* Reopen the log file after rotation (SIGUSR1); a no-op for other targets. */
int	 log_reopen(void);
void	 log_set_level(enum log_level level);
/* Files the log (re)creates are chowned to uid:gid, so workers that dropped
 * privileges can reopen them after rotation. */
void	 log_set_owner(uid_t uid, gid_t gid);
/* A short name shown on every line, e.g. "master" or "worker 2". */
void	 log_set_role(const char *role);
/* The descriptor the log writes to, or -1; kept open across fork. */
int	 log_fd(void);
/* In a forked child: reconnect to syslog (its socket was closed). */
void	 log_after_fork(void);

void	 log_debug(const char *fmt, ...) HL_PRINTF(1, 2);
void	 log_info(const char *fmt, ...) HL_PRINTF(1, 2);
void	 log_notice(const char *fmt, ...) HL_PRINTF(1, 2);
void	 log_warn(const char *fmt, ...) HL_PRINTF(1, 2);
void	 log_error(const char *fmt, ...) HL_PRINTF(1, 2);
/* Startup or impossible states only: log and exit(1). fatal appends
 * strerror(errno). */
void	 fatal(const char *fmt, ...) HL_PRINTF(1, 2) __attribute__((noreturn));
void	 fatalx(const char *fmt, ...) HL_PRINTF(1, 2) __attribute__((noreturn));

#endif
