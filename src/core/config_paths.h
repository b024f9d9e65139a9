/*
 * What hotlined -t checks beyond the keys themselves, as nginx -t opens its
 * logs: the report directory and the log file can be written.
 */
#ifndef HL_CONFIG_PATHS_H
#define HL_CONFIG_PATHS_H

#include <stdio.h>

struct config;

/* Print one line per path the master could not write to fp, naming
 * file:line (or where the value came from) and the key; returns how many. */
int	config_check_paths(const struct config *cf, FILE *fp);

#endif
