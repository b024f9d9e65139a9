/* Loading handler modules and the worker services they call. */
#include "autoconf.h"

#include <dlfcn.h>
#include <limits.h>
#include <hotline/module.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "app/module.h"
#include "app/module_lines.h"
#include "core/util.h"

#define MODULE_MAX	64

static struct {
	const struct hl_module	*mods[MODULE_MAX];
	char			*paths[MODULE_MAX];
	void			*handles[MODULE_MAX];
	size_t			 n;
	struct event_base	*base;
	int			 index;
} modules = { .index = -1 };

/* A module built without -g profiles as object!function: say so. */
static void
module_warn_lines(const char *path)
{
	char msg[PATH_MAX + 160];

	if (module_has_lines(path) != 0)
		return;
	module_lines_warning(path, msg, sizeof msg);
	log_warn("%s", msg);
}

static int
module_load(const char *path, char *err, size_t errsize)
{
	const struct hl_module *m;
	void *h;

	if (modules.n == MODULE_MAX) {
		snprintf(err, errsize, "module %s: more than %d modules", path,
		    MODULE_MAX);
		return -1;
	}
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errsize, "module %s: %s", path, dlerror());
		return -1;
	}
	m = dlsym(h, HL_MODULE_SYMBOL);
	if (m == NULL || m->abi != HL_MODULE_ABI) {
		snprintf(err, errsize, "module %s: %s", path, m == NULL ?
		    "no " HL_MODULE_SYMBOL " symbol" : "built for another "
		    "module ABI (rebuild it against this hotline)");
		dlclose(h);
		return -1;
	}
	modules.handles[modules.n] = h;
	modules.paths[modules.n] = xstrdup(path);
	modules.mods[modules.n++] = m;
	if (m->load != NULL && m->load() == -1) {
		snprintf(err, errsize, "module %s: load() failed; see the log",
		    path);
		return -1;
	}
	log_info("module %s (%s) loaded", m->name != NULL ? m->name : "?",
	    path);
	module_warn_lines(path);
	return 0;
}

int
module_load_all(const struct config *cf, char *err, size_t errsize)
{
	int i;

	for (i = 0; i < cf->module.n; i++) {
		if (module_load(cf->module.items[i], err, errsize) == -1)
			return -1;
	}
	return 0;
}

int
module_worker_init(struct event_base *base, int index, char *err,
    size_t errsize)
{
	size_t i;

	modules.base = base;
	modules.index = index;
	for (i = 0; i < modules.n; i++) {
		const struct hl_module *m = modules.mods[i];

		if (m->worker_init != NULL && m->worker_init(base) == -1) {
			snprintf(err, errsize,
			    "module %s: worker_init() failed",
			    modules.paths[i]);
			return -1;
		}
	}
	return 0;
}

void
module_worker_fini(void)
{
	size_t i;

	for (i = modules.n; i > 0; i--) {
		if (modules.mods[i - 1]->worker_fini != NULL)
			modules.mods[i - 1]->worker_fini();
	}
}

size_t
module_count(void)
{
	return modules.n;
}

const char *
module_path(size_t i)
{
	return i < modules.n ? modules.paths[i] : NULL;
}

struct event_base *
hl_worker_base(void)
{
	return modules.base;
}

int
hl_worker_index(void)
{
	return modules.index;
}

void
hl_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	switch (level) {
	case HL_LOG_DEBUG: log_debug("%s", msg); break;
	case HL_LOG_INFO: log_info("%s", msg); break;
	case HL_LOG_NOTICE: log_notice("%s", msg); break;
	case HL_LOG_WARN: log_warn("%s", msg); break;
	default: log_error("%s", msg); break;
	}
}
