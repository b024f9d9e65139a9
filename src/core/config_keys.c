/*
 * The table of configuration keys: the one place a key is defined. The file
 * parser, the environment, the command line, `hotlined -T`, the sample
 * config and the man page all follow it (a unit test checks the last two).
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

#define OFF(field)	offsetof(struct config, field)
#define FIXED		0
#define RELOAD		CONFIG_RELOADABLE

static const char *const clocks[] = { "cpu", "wall", NULL };

static const char *const timers[] = { "auto", "perf", "posix", NULL };

static const char *const slow_policies[] = { "drop", "close", NULL };

static const char *const auth_modes[] = { "off", "jwt", NULL };

static const char *const fail_modes[] = { "open", "closed", NULL };

static const char *const rate_actions[] = { "close", "error", NULL };

static const char *const workload_modes[] = { "off", "demo", "full", NULL };

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
	  "when started as root, workers run as this user; empty: hotline "
	  "if it exists, else nobody; root keeps them root" },
	{ "pidfile", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(pidfile), FIXED, NULL,
	  "file holding the master's pid; empty for none" },
	{ "shutdown_timeout", NULL, CONFIG_INT, 0, 3600, "10",
	  OFF(shutdown_timeout), RELOAD, NULL,
	  "seconds a graceful stop waits for connections before closing them" },
	{ "reload_drain_timeout", NULL, CONFIG_INT, 0, 86400, "0",
	  OFF(reload_drain_timeout), RELOAD, NULL,
	  "seconds the old workers keep serving their connections after a "
	  "reload before closing them with 1001; 0 waits until they end" },
	{ "watchdog_timeout", NULL, CONFIG_INT, 0, 3600, "10",
	  OFF(watchdog_timeout), RELOAD, NULL,
	  "seconds without a heartbeat after which a worker counts as stuck "
	  "(/health degraded, a log line names its handler); 0 for off" },
	{ "watchdog_kill_timeout", NULL, CONFIG_INT, 0, 86400, "0",
	  OFF(watchdog_kill_timeout), RELOAD, NULL,
	  "seconds without a heartbeat after which a worker is killed and "
	  "replaced; 0 never" },
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
	  "when set, admin requests need Authorization: Bearer <token>; "
	  "required when admin_listen is not a loopback address" },
	{ "admin_read_token", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(admin_read_token), RELOAD | CONFIG_SECRET, NULL,
	  "a second bearer token good for reading only (health, metrics, "
	  "workers, report list and get); needs admin_token" },
	{ "admin_request_timeout", NULL, CONFIG_INT, 1, 3600, "10",
	  OFF(admin_request_timeout), RELOAD, NULL,
	  "seconds an admin connection has for each request, in total (not "
	  "per read), before it is closed" },
	{ "admin_max_connections", NULL, CONFIG_INT, 1, 65536, "128",
	  OFF(admin_max_connections), RELOAD, NULL,
	  "admin connections open at once; past it accepting pauses" },
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
	{ "ws_worker_input_bytes", NULL, CONFIG_SIZE, 65536, 1LL << 40, "256m",
	  OFF(ws_worker_input_bytes), FIXED, NULL,
	  "bytes one worker may hold in partly received messages over all its "
	  "connections; a connection that needs more is closed with 1013" },
	{ "ws_send_queue_bytes", NULL, CONFIG_SIZE, 4096, 1LL << 30, "4m",
	  OFF(ws_send_queue_bytes), RELOAD, NULL,
	  "bytes queued for a client that reads slowly; it is closed beyond" },
	{ "ws_worker_output_bytes", NULL, CONFIG_SIZE, 65536, 1LL << 40, "256m",
	  OFF(ws_worker_output_bytes), RELOAD, NULL,
	  "bytes one worker may hold in send queues over all its connections "
	  "(payload plus 48 per queued slice; a broadcast frame counts once "
	  "per queue); a connection that needs more is closed with 1013" },
	{ "ws_max_deferred", NULL, CONFIG_INT, 1, 1000000, "1024",
	  OFF(ws_max_deferred), RELOAD, NULL,
	  "deferred replies one connection may have pending; a request past "
	  "it gets an error envelope (status 1)" },
	{ "ws_worker_deferred", NULL, CONFIG_INT, 1, 100000000, "65536",
	  OFF(ws_worker_deferred), RELOAD, NULL,
	  "deferred replies one worker may have pending over all its "
	  "connections; a request past it gets an error envelope (status 1)" },
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
	{ "workloads", NULL, CONFIG_ENUM, 0, 0, "off",
	  OFF(workloads), FIXED, workload_modes,
	  "the demonstration workloads (work, json, hash, alloc, delay): off; "
	  "demo, each request bounded to a few ms of CPU and 4 MiB; full, "
	  "the stress limits (seconds of CPU, 16 MiB), for tests on loopback" },
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
	{ "alloc_keep_bytes", NULL, CONFIG_SIZE, 0, 1LL << 40, "16m",
	  OFF(alloc_keep_bytes), FIXED, NULL,
	  "what the alloc handler's kept blocks may cost per worker, "
	  "allocator overhead included; a keep past it gets an error "
	  "envelope" },
	{ "pkg_id_subscribe", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "8",
	  OFF(pkg_id_subscribe), FIXED, NULL,
	  "pkg_id of the built-in subscribe handler; 0 disables it" },
	{ "pkg_id_unsubscribe", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "9",
	  OFF(pkg_id_unsubscribe), FIXED, NULL,
	  "pkg_id of the built-in unsubscribe handler; 0 disables it" },
	{ "broadcast_pkg_id", NULL, CONFIG_INT, INT32_MIN, INT32_MAX, "0",
	  OFF(broadcast_pkg_id), FIXED, NULL,
	  "pkg_id of broadcast envelopes sent to subscribers" },
	{ "broadcast_max_topics", NULL, CONFIG_INT, 1, 4096, "32",
	  OFF(broadcast_max_topics), RELOAD, NULL,
	  "topics one connection may subscribe to" },
	{ "broadcast_max_topic_bytes", NULL, CONFIG_INT, 1, 1024, "128",
	  OFF(broadcast_max_topic_bytes), FIXED, NULL,
	  "longest topic name, in bytes" },
	{ "broadcast_max_bytes", NULL, CONFIG_SIZE, 256, 16LL << 20, "64k",
	  OFF(broadcast_max_bytes), FIXED, NULL,
	  "largest broadcast envelope; larger ones are refused and counted" },
	{ "broadcast_outbox_bytes", NULL, CONFIG_SIZE, 64 * 1024, 1LL << 30,
	  "1m", OFF(broadcast_outbox_bytes), FIXED, NULL,
	  "shared-memory ring of each publisher (a power of two; rounded up); "
	  "a worker more than this far behind loses the oldest messages" },
	{ "broadcast_fanout_slice", NULL, CONFIG_INT, 1, 1000000, "256",
	  OFF(broadcast_fanout_slice), RELOAD, NULL,
	  "connections a worker delivers broadcasts to per loop turn before "
	  "it serves its sockets again" },
	{ "broadcast_slow_policy", NULL, CONFIG_ENUM, 0, 0, "drop",
	  OFF(broadcast_slow_policy), RELOAD, slow_policies,
	  "a subscriber whose send queue is full: drop the message for it, or "
	  "close it" },
	{ "redis_url", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(redis_url), FIXED | CONFIG_URL_SECRET, NULL,
	  "redis://[[USER]:PASSWORD@]IP[:PORT][/DB] of the Redis that "
	  "carries broadcasts, sessions and message rate limits between "
	  "instances (AUTH, then SELECT DB); empty: this instance only" },
	{ "redis_password_file", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(redis_password_file), FIXED, NULL,
	  "file holding the Redis password (AUTH; one trailing newline "
	  "ignored), instead of one in redis_url" },
	{ "redis_broadcast_channel", NULL, CONFIG_STRING, 0, 0,
	  "hotline:broadcast", OFF(redis_broadcast_channel), FIXED, NULL,
	  "Redis pub/sub channel of broadcasts" },
	{ "redis_broadcast_secret", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(redis_broadcast_secret), FIXED | CONFIG_SECRET, NULL,
	  "shared secret (at least 32 bytes) of the instances: broadcasts "
	  "on Redis carry an HMAC-SHA256 with it, and unsigned or badly "
	  "signed ones are dropped and counted" },
	{ "redis_broadcast_secret_file", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(redis_broadcast_secret_file), FIXED, NULL,
	  "file holding redis_broadcast_secret (one trailing newline "
	  "ignored)" },
	{ "redis_broadcast_max_age", NULL, CONFIG_INT, 0, 86400, "0",
	  OFF(redis_broadcast_max_age), FIXED, NULL,
	  "with redis_broadcast_secret: seconds a signed broadcast's publish "
	  "time may be from this host's clock before it is dropped as a "
	  "possible replay; 0: no limit" },
	{ "auth", NULL, CONFIG_ENUM, 0, 0, "off",
	  OFF(auth), FIXED, auth_modes,
	  "off: anyone may connect; jwt: WebSocket clients present a JWT" },
	{ "auth_token_sources", NULL, CONFIG_STRING, 0, 0, "query,header",
	  OFF(auth_token_sources), FIXED, NULL,
	  "where the token may come from, a comma list of query (?token=), "
	  "header (Authorization: Bearer) and message (the first message)" },
	{ "auth_timeout", NULL, CONFIG_INT, 1, 300, "5",
	  OFF(auth_timeout), FIXED, NULL,
	  "seconds a client has to send its auth message; close 4002 after" },
	{ "auth_max_connections_per_user", NULL, CONFIG_INT, 0, 1000000, "5",
	  OFF(auth_max_connections_per_user), FIXED, NULL,
	  "concurrent connections of one user over all workers; 0 unlimited" },
	{ "auth_rate_limit", NULL, CONFIG_INT, 0, 1000000000, "100",
	  OFF(auth_rate_limit), FIXED, NULL,
	  "messages one user may send per auth_rate_window over all workers; "
	  "0 unlimited" },
	{ "auth_rate_window", NULL, CONFIG_INT, 1, 86400, "60",
	  OFF(auth_rate_window), FIXED, NULL,
	  "seconds of the message rate window" },
	{ "auth_rate_limit_action", NULL, CONFIG_ENUM, 0, 0, "close",
	  OFF(auth_rate_limit_action), FIXED, rate_actions,
	  "a message over the rate limit: close 1008, or answer it with an "
	  "error envelope" },
	{ "jwt_alg", NULL, CONFIG_STRING, 0, 0, "HS256",
	  OFF(jwt_alg), FIXED, NULL,
	  "the one accepted algorithm: HS256, HS384, HS512, RS256 or ES256" },
	{ "jwt_secret", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(jwt_secret), FIXED | CONFIG_SECRET, NULL,
	  "HMAC secret (at least 32 bytes) for HS* tokens" },
	{ "jwt_secret_file", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(jwt_secret_file), FIXED, NULL,
	  "file holding the HMAC secret (one trailing newline ignored)" },
	{ "jwt_key_file", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(jwt_key_file), FIXED, NULL,
	  "PEM public key or certificate for RS256/ES256 tokens" },
	{ "jwks_file", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(jwks_file), FIXED, NULL,
	  "JWKS document (Keycloak realm certs); keys chosen by kid" },
	{ "jwks_url", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(jwks_url), FIXED, NULL,
	  "http:// or https:// URL of a JWKS document (Keycloak's "
	  ".../protocol/openid-connect/certs), fetched by each worker and "
	  "refreshed; tokens are refused until the first fetch succeeds" },
	{ "jwks_refresh_seconds", NULL, CONFIG_INT, 10, 86400, "300",
	  OFF(jwks_refresh_seconds), FIXED, NULL,
	  "seconds between fetches of jwks_url; a failed fetch keeps the "
	  "keys held and is retried sooner, with backoff" },
	{ "jwks_min_refresh_seconds", NULL, CONFIG_INT, 1, 3600, "10",
	  OFF(jwks_min_refresh_seconds), FIXED, NULL,
	  "least seconds between the early fetches a token with an unknown "
	  "kid triggers" },
	{ "jwks_timeout", NULL, CONFIG_INT, 1, 300, "10",
	  OFF(jwks_timeout), FIXED, NULL,
	  "seconds one fetch of jwks_url may take" },
	{ "jwks_ca_file", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(jwks_ca_file), FIXED, NULL,
	  "PEM CA certificates that verify an https jwks_url; with "
	  "jwks_ca_dir empty too, the system's default store" },
	{ "jwks_ca_dir", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(jwks_ca_dir), FIXED, NULL,
	  "directory of hashed CA certificates (c_rehash) for an https "
	  "jwks_url" },
	{ "jwt_issuer", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(jwt_issuer), FIXED, NULL,
	  "required \"iss\"; empty: not checked" },
	{ "jwt_audience", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(jwt_audience), FIXED, NULL,
	  "a value \"aud\" must hold; empty: not checked" },
	{ "jwt_audience_azp", NULL, CONFIG_BOOL, 0, 0, "no",
	  OFF(jwt_audience_azp), FIXED, NULL,
	  "also accept Keycloak's \"azp\" equal to jwt_audience" },
	{ "jwt_leeway", NULL, CONFIG_INT, 0, 86400, "0",
	  OFF(jwt_leeway), FIXED, NULL,
	  "seconds of clock skew allowed on exp and nbf" },
	{ "jwt_require_exp", NULL, CONFIG_BOOL, 0, 0, "yes",
	  OFF(jwt_require_exp), FIXED, NULL,
	  "refuse tokens without \"exp\"" },
	{ "jwt_user_claim", NULL, CONFIG_STRING, 0, 0, "sub",
	  OFF(jwt_user_claim), FIXED, NULL,
	  "claim holding the user id (sub, or preferred_username)" },
	{ "jwt_roles_claim", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(jwt_roles_claim), FIXED, NULL,
	  "dot path to an array of roles; empty: Keycloak's "
	  "realm_access.roles and resource_access.<jwt_roles_client>.roles" },
	{ "jwt_roles_client", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(jwt_roles_client), FIXED, NULL,
	  "Keycloak client whose resource_access roles also count" },
	{ "auth_sessions", NULL, CONFIG_BOOL, 0, 0, "no",
	  OFF(auth_sessions), FIXED, NULL,
	  "with auth jwt and redis_url: a connection needs the Redis key "
	  "auth_session_prefix<user>; missing: close 4001" },
	{ "auth_session_prefix", NULL, CONFIG_STRING, 0, 0, "session:",
	  OFF(auth_session_prefix), FIXED, NULL,
	  "prefix of the session keys in Redis" },
	{ "auth_session_timeout", NULL, CONFIG_INT, 10, 60000, "500",
	  OFF(auth_session_timeout), FIXED, NULL,
	  "milliseconds a session lookup or a rate count in Redis may take; "
	  "then redis_fail_mode decides" },
	{ "redis_fail_mode", NULL, CONFIG_ENUM, 0, 0, "open",
	  OFF(redis_fail_mode), FIXED, fail_modes,
	  "Redis unreachable or slow during a session lookup: open admits "
	  "the client, closed refuses it (close 4001); during a rate check: "
	  "open applies the per-instance limit only, closed refuses the "
	  "message as over the rate" },
	{ "auth_rate_redis_prefix", NULL, CONFIG_STRING, 0, 0,
	  "hotline:rate:", OFF(auth_rate_redis_prefix), FIXED, NULL,
	  "with redis_url and auth_rate_limit: prefix of the per-user window "
	  "counters that hold the message rate across instances" },
	{ "profiling_enabled", "PROFILING_ENABLED", CONFIG_BOOL, 0, 0, "yes",
	  OFF(profiling_enabled), RELOAD, NULL,
	  "sample workers and write periodic reports" },
	{ "profiling_output_dir", "PROFILING_OUTPUT_DIR", CONFIG_PATH, 0, 0,
	  HL_REPORTDIR,
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
	{ "profiling_timer", NULL, CONFIG_ENUM, 0, 0, "auto",
	  OFF(profiling_timer), FIXED, timers,
	  "what drives CPU samples: perf (the thread's task clock, exact; "
	  "refused under some seccomp policies), posix (a CPU-clock timer, "
	  "checked at the 4 ms tick: biased when CPUs are contended), auto "
	  "(perf, else posix)" },
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
	{ "profiling_memory_sample_bytes", NULL, CONFIG_SIZE, 64, 1LL << 30,
	  "512k", OFF(profiling_memory_sample_bytes), FIXED, NULL,
	  "mean bytes allocated between allocation samples (randomized, "
	  "geometric); smaller is more precise and costs more" },
	{ "profiling_copy", NULL, CONFIG_BOOL, 0, 0, "no",
	  OFF(profiling_copy), FIXED, NULL,
	  "sample library-call memcpy/memmove by bytes too (costs on every "
	  "call; inlined and in-glibc copies are not seen)" },
	{ "profiling_leak_min_growth", NULL, CONFIG_SIZE, 0, 1LL << 40, "1k",
	  OFF(profiling_leak_min_growth), RELOAD, NULL,
	  "bytes per second a line's sampled net memory must grow by, besides "
	  "a leak likelihood over 0.95, to be reported as a leak" },
	{ "profiling_pprof", NULL, CONFIG_BOOL, 0, 0, "yes",
	  OFF(profiling_pprof), RELOAD, NULL,
	  "write a pprof profile (.pb.gz, gzip'ed profile.proto) of each "
	  "window's CPU samples beside its JSON, HTML and folded files" },
	{ "profiling_push_url", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(profiling_push_url), RELOAD | CONFIG_HTTP_URL, NULL,
	  "a Grafana Pyroscope server (http:// or https://): each window's "
	  "CPU and allocation pprof is pushed to its /ingest; empty: none" },
	{ "profiling_push_labels", NULL, CONFIG_STRING, 0, 0, "",
	  OFF(profiling_push_labels), RELOAD | CONFIG_LABELS, NULL,
	  "labels the pushed profiles carry besides instance and host, "
	  "k=v,k=v (k: letters, digits, _; v: also . - / :)" },
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
	{ "profiling_source_root", NULL, CONFIG_PATH, 0, 0, "",
	  OFF(profiling_source_root), RELOAD, NULL,
	  "directory the HTML report looks for source files under when the "
	  "path DWARF recorded does not exist here: relative paths are joined "
	  "to it, absolute ones tried by ever shorter suffixes" },
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
