/* The built-in handlers: echo and time for clients, and demonstration
 * workloads whose cost is known, so the profiler's reports can be checked:
 * work (pure CPU in two separate loops), json (time in jansson), hash (time
 * in OpenSSL), alloc (memory and leaks), delay (a deferred reply). */
#ifndef HL_HANDLERS_H
#define HL_HANDLERS_H

#include <stddef.h>

struct config;

/* Register every built-in whose pkg_id key is not 0. Master, before fork.
 * Returns 0, or -1 with a reason in err. */
int	 handlers_register(const struct config *cf, char *err, size_t errsize);
/* Release what the alloc handler kept (worker exit). */
void	 handlers_release(void);

#endif
