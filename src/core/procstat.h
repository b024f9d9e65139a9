/*
 * What /proc says of a process, in the units of the Prometheus client
 * libraries' process collector (client_golang, python prometheus_client):
 * CPU seconds, memory bytes, descriptors, start time in epoch seconds.
 * The master reads its own figures and each worker's when /metrics is
 * scraped: a few small files per process, nothing on the workers' loops.
 */
#ifndef HL_PROCSTAT_H
#define HL_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

struct procstat {
	double		cpu_seconds;	/* user + system */
	double		user_seconds;
	double		system_seconds;
	uint64_t	resident_bytes;
	uint64_t	virtual_bytes;
	double		start_time;	/* epoch seconds */
	double		open_fds;	/* NaN when /proc/<pid>/fd is closed
					 * to us (another user's worker) */
	double		max_fds;	/* soft RLIMIT_NOFILE; +Inf unlimited */
};

/* Fill ps for pid from /proc/<pid>/{stat,limits,fd}. Returns 0, or -1
 * with errno when the process is gone or /proc cannot be read. */
int	 procstat_read(pid_t pid, struct procstat *ps);
/* Only /proc/<pid>/stat: the CPU, memory and start time fields of ps (the
 * descriptor fields are left as they are). Returns 0 or -1 with errno. */
int	 procstat_stat(pid_t pid, struct procstat *ps);

#endif
