/* hotlined -t: can the master write its reports and its log? */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/config_paths.h"

/* The deepest existing directory on path's way (path itself, or an
 * ancestor the master would mkdir under), into dir. */
static void
paths_existing(const char *path, char *dir, size_t size)
{
	struct stat st;
	char *slash;

	snprintf(dir, size, "%s", path[0] != '\0' ? path : ".");
	while (stat(dir, &st) == -1 && (slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir) {
			dir[1] = '\0';
			return;
		}
		*slash = '\0';
	}
	if (strchr(dir, '/') == NULL && stat(dir, &st) == -1)
		snprintf(dir, size, ".");
}

/* NULL when a directory at path exists or can be created and written;
 * else why not, in why. */
static const char *
paths_dir_writable(const char *path, char *why, size_t size)
{
	char dir[PATH_MAX];
	struct stat st;

	paths_existing(path, dir, sizeof dir);
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		snprintf(why, size, "%s is not a directory", dir);
	else if (access(dir, W_OK | X_OK) == -1)
		snprintf(why, size, "%s %s: %s", strcmp(dir, path) == 0 ?
		    "cannot write in" : "cannot create it under", dir,
		    strerror(errno));
	else
		return NULL;
	return why;
}

/* NULL when the log file can be opened for appending (or created). */
static const char *
paths_file_writable(const char *path, char *why, size_t size)
{
	char dir[PATH_MAX], *slash;

	if (access(path, F_OK) == 0) {
		if (access(path, W_OK) == 0)
			return NULL;
		snprintf(why, size, "cannot write %s: %s", path,
		    strerror(errno));
		return why;
	}
	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		slash[slash == dir ? 1 : 0] = '\0';
	if (access(dir, W_OK | X_OK) == 0)
		return NULL;
	snprintf(why, size, "cannot create it in %s: %s", dir,
	    strerror(errno));
	return why;
}

int
config_check_paths(const struct config *cf, FILE *fp)
{
	char why[PATH_MAX + 128];
	int n = 0;

	if (cf->profiling_enabled &&
	    paths_dir_writable(cf->profiling_output_dir, why, sizeof why)) {
		fprintf(fp, "hotlined: %s: profiling_output_dir: %s\n",
		    config_where(cf, "profiling_output_dir"), why);
		n++;
	}
	if (cf->log_file[0] != '\0' && strcmp(cf->log_file, "syslog") != 0 &&
	    paths_file_writable(cf->log_file, why, sizeof why)) {
		fprintf(fp, "hotlined: %s: log_file: %s\n",
		    config_where(cf, "log_file"), why);
		n++;
	}
	return n;
}
