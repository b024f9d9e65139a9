/* Handler modules: loaded in the master before fork, initialised in each
 * worker after it. Also the worker-side services of the module API. */
#ifndef HL_MODULE_H
#define HL_MODULE_H

#include <stddef.h>

struct config;
struct event_base;

/* dlopen every `module` and run its load(). Master, before fork. Returns
 * 0, or -1 with a reason naming the module in err. */
int	 module_load_all(const struct config *cf, char *err, size_t errsize);
/* In a worker: remember its base and index, run every worker_init().
 * Returns 0, or -1 with a reason in err. */
int	 module_worker_init(struct event_base *base, int index, char *err,
	    size_t errsize);
/* In a worker on exit: every worker_fini(). */
void	 module_worker_fini(void);
/* How many modules were loaded, and the path of one (for the profiler). */
size_t	 module_count(void);
const char *module_path(size_t i);

#endif
