/* Typed configuration values: parse text into a struct config field, format
 * it back, copy and free it. Used only by config.c and its tests. */
#ifndef HL_CONFIG_VALUE_H
#define HL_CONFIG_VALUE_H

#include <stddef.h>

#include "core/config.h"

/* Parse text into k's field of cf. Returns 0, or -1 with a reason in err. */
int	 config_value_set(struct config *cf, const struct config_key *k,
	    const char *text, char *err, size_t errsize);
void	 config_value_format(const struct config *cf,
	    const struct config_key *k, char *buf, size_t size);
/* Copy k's value from src to dst. */
void	 config_value_copy(struct config *dst, const struct config *src,
	    const struct config_key *k);
void	 config_value_free(struct config *cf, const struct config_key *k);
/* Empty a list value before a higher source sets it; a no-op for others. */
void	 config_value_clear(struct config *cf, const struct config_key *k);
int	 config_value_equal(const struct config *a, const struct config *b,
	    const struct config_key *k);

#endif
