/*
 * Process titles: the kernel shows /proc/PID/cmdline from the area that
 * held argv's strings at exec, with the environment's strings right after
 * it. Both are copied to the heap once, and the title is written over the
 * whole area (nginx's ngx_setproctitle.c, Redis's setproctitle.c). The
 * process name (comm) stays "hotlined": `ps -C hotlined`, pidof and the
 * init script's check go by it.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/proctitle.h"
#include "core/util.h"

extern char **environ;

static struct {
	char	*area;	/* argv[0]'s original string */
	size_t	 size;	/* to the end of the last contiguous one */
} title;

/* The end of the strings laid out one after another from `end`. */
static char *
proctitle_area_end(char *end, char *const *strs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strs[i] == end)
			end = strs[i] + strlen(strs[i]) + 1;
	return end;
}

void
proctitle_init(int argc, char **argv)
{
	char **env, *end;
	size_t n, i;

	if (argc < 1 || argv[0] == NULL)
		return;
	for (n = 0; environ[n] != NULL; n++)
		;
	end = proctitle_area_end(argv[0], argv, (size_t)argc);
	end = proctitle_area_end(end, environ, n);
	env = xcalloc(n + 1, sizeof *env);
	for (i = 0; i < n; i++)
		env[i] = xstrdup(environ[i]);
	environ = env;
	title.area = argv[0];
	title.size = (size_t)(end - argv[0]);
	for (i = 0; i < (size_t)argc; i++)
		argv[i] = xstrdup(argv[i]);
	/* glibc's names for err() and friends point into the old area. */
	program_invocation_name = argv[0];
	program_invocation_short_name = strrchr(argv[0], '/') != NULL ?
	    strrchr(argv[0], '/') + 1 : argv[0];
}

void
proctitle_set(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (title.area == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(title.area, title.size, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= title.size)
		n = (int)title.size - 1;
	memset(title.area + n, '\0', title.size - (size_t)n);
}
