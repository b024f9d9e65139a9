/*
 * The table of configuration keys: the one place a key is defined. The file
 * parser, the environment, the command line, `hotlined -T`, the sample
 * config and the man page all follow it (a unit test checks the last two).
 */
#include "autoconf.h"

#include <stddef.h>

#include "config.h"

#define OFF(field)	offsetof(struct config, field)
#define FIXED		0
#define RELOAD		CONFIG_RELOADABLE

static const char *const log_levels[] = {
	"debug", "info", "notice", "warn", "error", NULL,
};

const struct config_key config_keys[] = {
	{ "listen", NULL, CONFIG_ADDR, 0, 0, "0.0.0.0:8000",
	  OFF(listen), FIXED, NULL,
	  "WebSocket listening address, host:port" },
	{ "listen_backlog", NULL, CONFIG_INT, 1, 65535, "511",
	  OFF(listen_backlog), FIXED, NULL,
	  "accept queue length of each worker's listening socket" },
	{ "workers", NULL, CONFIG_INT, 0, 1024, "0",
	  OFF(workers), RELOAD, NULL,
	  "worker processes; 0 means one per CPU" },
	{ "max_workers", NULL, CONFIG_INT, 1, 1024, "32",
	  OFF(max_workers), FIXED, NULL,
	  "most workers a reload may ask for; sizes shared memory" },
	{ "user", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(user), FIXED, NULL,
	  "when started as root, workers run as this user" },
	{ "pidfile", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(pidfile), FIXED, NULL,
	  "file holding the master's pid; empty for none" },
	{ "shutdown_timeout", NULL, CONFIG_INT, 0, 3600, "10",
	  OFF(shutdown_timeout), RELOAD, NULL,
	  "seconds a graceful stop waits for connections before closing them" },
	{ "log_file", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(log_file), FIXED, NULL,
	  "log file; empty: stderr in the foreground, syslog as a daemon; "
	  "\"syslog\" for syslog" },
	{ "log_level", NULL, CONFIG_ENUM, 0, 0, "info",
	  OFF(log_level), RELOAD, log_levels,
	  "debug, info, notice, warn or error" },
	{ "admin_listen", NULL, CONFIG_ADDR, 0, 0, "127.0.0.1:9000",
	  OFF(admin_listen), FIXED, NULL,
	  "admin HTTP address (health, metrics, scoreboard, reports)" },
	{ "admin_token", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(admin_token), RELOAD | CONFIG_SECRET, NULL,
	  "when set, admin requests need Authorization: Bearer <token>" },
	{ "profiling_enabled", "PROFILING_ENABLED", CONFIG_BOOL, 0, 0, "yes",
	  OFF(profiling_enabled), RELOAD, NULL,
	  "sample workers and write periodic reports" },
	{ "profiling_output_dir", "PROFILING_OUTPUT_DIR", CONFIG_PATH, 0, 0,
	  "profiling_reports",
	  OFF(profiling_output_dir), RELOAD, NULL,
	  "directory for report files" },
	{ "profiling_interval_seconds", "PROFILING_INTERVAL_SECONDS",
	  CONFIG_INT, 1, 86400, "30",
	  OFF(profiling_interval_seconds), RELOAD, NULL,
	  "seconds covered by each periodic report" },
};

const size_t config_nkeys = sizeof config_keys / sizeof config_keys[0];
