/* /proc/<pid>/stat, limits and fd, read as the Prometheus client libraries'
 * process collector reads them. */
#include "autoconf.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/procstat.h"

/* Read a small /proc file whole into buf (NUL-terminated). */
static ssize_t
procstat_file(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Boot time in epoch seconds (btime of /proc/stat), read once. */
static double
procstat_boot_time(void)
{
	static double btime;
	char buf[8192], *p;
	ssize_t n;
	int fd;

	if (btime > 0)
		return btime;
	if ((fd = open("/proc/stat", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nbtime ")) != NULL)
		btime = strtod(p + 7, NULL);
	return btime;
}

/*
 * Fields 14, 15 (utime, stime), 22 (starttime), 23 (vsize) and 24 (rss)
 * of proc(5), counted after the command name's closing parenthesis (the
 * name may hold spaces and parentheses of its own).
 */
int
procstat_stat(pid_t pid, struct procstat *ps)
{
	unsigned long long utime, stime, start, vsize, rss;
	double tck = (double)sysconf(_SC_CLK_TCK);
	char buf[1024], *p;

	if (procstat_file(pid, "stat", buf, sizeof buf) <= 0)
		return -1;
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 1,
	    " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu"
	    " %*d %*d %*d %*d %*d %*d %llu %llu %llu",
	    &utime, &stime, &start, &vsize, &rss) != 5) {
		errno = EINVAL;
		return -1;
	}
	ps->user_seconds = (double)utime / tck;
	ps->system_seconds = (double)stime / tck;
	ps->cpu_seconds = (double)(utime + stime) / tck;
	ps->start_time = procstat_boot_time() + (double)start / tck;
	ps->virtual_bytes = vsize;
	ps->resident_bytes = rss * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

/* The soft "Max open files" of /proc/<pid>/limits. */
static double
procstat_max_fds(pid_t pid)
{
	char buf[4096], *p;

	if (procstat_file(pid, "limits", buf, sizeof buf) <= 0 ||
	    (p = strstr(buf, "Max open files")) == NULL)
		return NAN;
	p += strlen("Max open files");
	while (*p == ' ')
		p++;
	if (strncmp(p, "unlimited", 9) == 0)
		return INFINITY;
	return strtod(p, NULL);
}

/*
 * Open descriptors. Since Linux 6.2 the size of /proc/<pid>/fd is their
 * count, one stat; before, the entries are counted as client_golang does
 * (a pass over at most RLIMIT_NOFILE names, about 0.3 us each).
 */
static double
procstat_open_fds(pid_t pid)
{
	char path[64];
	struct dirent *d;
	struct stat st;
	double n = 0;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	if (stat(path, &st) == 0 && st.st_size > 0)
		return (double)st.st_size;
	if ((dir = opendir(path)) == NULL)
		return NAN;
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

int
procstat_read(pid_t pid, struct procstat *ps)
{
	memset(ps, 0, sizeof *ps);
	if (procstat_stat(pid, ps) == -1)
		return -1;
	ps->max_fds = procstat_max_fds(pid);
	ps->open_fds = procstat_open_fds(pid);
	return 0;
}
