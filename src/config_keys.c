/*
 * The table of configuration keys: the one place a key is defined. The file
 * parser, the environment, the command line, `hotlined -T`, the sample
 * config and the man page all follow it (a unit test checks the last two).
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define OFF(field)	offsetof(struct config, field)
#define FIXED		0
#define RELOAD		CONFIG_RELOADABLE

static const char *const clocks[] = { "cpu", "wall", NULL };

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
	{ "ws_path", NULL, CONFIG_STRING, 0, 0, "/web",
	  OFF(ws_path), RELOAD, NULL,
	  "the application's WebSocket path" },
	{ "ws_echo", NULL, CONFIG_BOOL, 0, 0, "no",
	  OFF(ws_echo), RELOAD, NULL,
	  "serve /echo, which sends every message back verbatim (for "
	  "conformance tests)" },
	{ "ws_max_header_bytes", NULL, CONFIG_SIZE, 1024, 65536, "8k",
	  OFF(ws_max_header_bytes), RELOAD, NULL,
	  "largest upgrade request (request line and headers); 431 beyond" },
	{ "ws_max_headers", NULL, CONFIG_INT, 8, 1024, "64",
	  OFF(ws_max_headers), RELOAD, NULL,
	  "most header fields in an upgrade request; 431 beyond" },
	{ "ws_handshake_timeout", NULL, CONFIG_INT, 1, 300, "10",
	  OFF(ws_handshake_timeout), RELOAD, NULL,
	  "seconds a client has to complete the upgrade request; 408 after" },
	{ "ws_max_message_bytes", NULL, CONFIG_SIZE, 125, 1LL << 30, "1m",
	  OFF(ws_max_message_bytes), RELOAD, NULL,
	  "largest message, fragments included; close 1009 beyond" },
	{ "ws_send_queue_bytes", NULL, CONFIG_SIZE, 4096, 1LL << 30, "4m",
	  OFF(ws_send_queue_bytes), RELOAD, NULL,
	  "bytes queued for a client that reads slowly; it is closed beyond" },
	{ "ws_idle_timeout", NULL, CONFIG_INT, 0, 86400, "120",
	  OFF(ws_idle_timeout), RELOAD, NULL,
	  "seconds without traffic before a connection is closed (1001); "
	  "0 never" },
	{ "ws_ping_interval", NULL, CONFIG_INT, 0, 86400, "30",
	  OFF(ws_ping_interval), RELOAD, NULL,
	  "seconds without traffic before the server pings; 0 never" },
	{ "ws_origins", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(ws_origins), RELOAD, NULL,
	  "comma-separated Origin allow-list; empty allows every origin" },
	{ "ws_subprotocols", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(ws_subprotocols), RELOAD, NULL,
	  "comma-separated subprotocols the server speaks, preferred first" },
	{ "module", NULL, CONFIG_LIST, 0, 0, "",
	  OFF(module), FIXED, NULL,
	  "a handler module (shared object) to load; one line each" },
	{ "pkg_id_echo", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "1",
	  OFF(pkg_id_echo), FIXED, NULL,
	  "pkg_id of the built-in echo handler; 0 disables it" },
	{ "pkg_id_time", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "2",
	  OFF(pkg_id_time), FIXED, NULL,
	  "pkg_id of the built-in time handler; 0 disables it" },
	{ "pkg_id_work", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "3",
	  OFF(pkg_id_work), FIXED, NULL,
	  "pkg_id of the CPU workload handler; 0 disables it" },
	{ "pkg_id_json", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "4",
	  OFF(pkg_id_json), FIXED, NULL,
	  "pkg_id of the JSON workload handler; 0 disables it" },
	{ "pkg_id_hash", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "5",
	  OFF(pkg_id_hash), FIXED, NULL,
	  "pkg_id of the SHA-256 workload handler; 0 disables it" },
	{ "pkg_id_alloc", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "6",
	  OFF(pkg_id_alloc), FIXED, NULL,
	  "pkg_id of the allocation workload handler; 0 disables it" },
	{ "pkg_id_delay", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "7",
	  OFF(pkg_id_delay), FIXED, NULL,
	  "pkg_id of the delayed-reply handler; 0 disables it" },
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
	{ "profiling_clock", NULL, CONFIG_ENUM, 0, 0,
	  "cpu", OFF(profiling_clock), RELOAD, clocks,
	  "cpu: sample the workers' CPU time (Scalene's --use-virtual-time); "
	  "wall: elapsed time, waiting included" },
	{ "profiling_sample_interval_ms", NULL, CONFIG_INT, 1, 1000, "10",
	  OFF(profiling_sample_interval_ms), RELOAD, NULL,
	  "mean milliseconds between samples, randomized +-50%; below the "
	  "kernel tick (4 ms) it is raised to it" },
	{ "profiling_stack_depth", NULL, CONFIG_INT, 1, 128, "32",
	  OFF(profiling_stack_depth), RELOAD, NULL,
	  "frames recorded per sample" },
	{ "profiling_cpu_only", NULL, CONFIG_BOOL, 0, 0, "no",
	  OFF(profiling_cpu_only), RELOAD, NULL,
	  "sample CPU only, no memory or copy hooks (Scalene's --cpu-only)" },
	{ "profiling_memory_only", NULL, CONFIG_BOOL, 0, 0, "no",
	  OFF(profiling_memory_only), RELOAD, NULL,
	  "profile memory only, no CPU sampling (Scalene's --memory-only)" },
	{ "profiling_reduced_profile", NULL, CONFIG_BOOL, 0, 0, "no",
	  OFF(profiling_reduced_profile), RELOAD, NULL,
	  "reports list only lines at or above "
	  "profiling_cpu_percent_threshold (Scalene's --reduced-profile)" },
	{ "profiling_cpu_percent_threshold", NULL, CONFIG_INT, 0, 100, "1",
	  OFF(profiling_cpu_percent_threshold), RELOAD, NULL,
	  "the CPU percentage a line needs to appear in a reduced profile" },
	{ "profiling_only", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(profiling_only), RELOAD, NULL,
	  "comma-separated path substrings: report only files matching one "
	  "(Scalene's --profile-only)" },
	{ "profiling_exclude", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(profiling_exclude), RELOAD, NULL,
	  "comma-separated path substrings: leave matching files out "
	  "(Scalene's --profile-exclude)" },
	{ "profiling_max_reports", NULL, CONFIG_INT, 1, 100000, "100",
	  OFF(profiling_max_reports), RELOAD, NULL,
	  "report sets (.json, .html, .folded of one window) kept; the oldest "
	  "are deleted beyond" },
	{ "profiling_max_report_bytes", NULL, CONFIG_SIZE, 1024, 1LL << 40,
	  "256m", OFF(profiling_max_report_bytes), RELOAD, NULL,
	  "total bytes of report files kept; the oldest sets are deleted "
	  "beyond" },
};

const size_t config_nkeys = sizeof config_keys / sizeof config_keys[0];
