/*
 * Configuration: one table of keys (config_keys.c). Values come from, in
 * rising precedence, built-in defaults, the file, the environment
 * (HOTLINE_<KEY> and a few aliases from the seed service) and the command
 * line. A reload re-reads all four, so keys set in the environment or on the
 * command line keep those values across SIGHUP.
 */
#ifndef HL_CONFIG_H
#define HL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_MAX_ERRORS	64
#define CONFIG_MAX_INCLUDE	8	/* include nesting depth */
#define CONFIG_LINE_MAX		4096

enum config_type {
	CONFIG_BOOL,
	CONFIG_INT,
	CONFIG_SIZE,	/* bytes, with optional k/m/g suffix */
	CONFIG_STRING,
	CONFIG_PATH,	/* made absolute against the working directory */
	CONFIG_ENUM,
	CONFIG_ADDR,	/* host:port, [v6]:port or *:port */
	CONFIG_LIST,	/* paths; repeated lines (or commas) add items */
};

/* A CONFIG_LIST value. A source (file, environment, command line) that
 * sets the key replaces what lower sources gave; within a source the items
 * add up. */
struct config_list {
	char		**items;
	int		  n;
};

#define CONFIG_RELOADABLE	0x01	/* SIGHUP may change it */
#define CONFIG_SECRET		0x02	/* never printed */
#define CONFIG_URL_SECRET	0x04	/* a URL printed without its password */
#define CONFIG_HTTP_URL		0x08	/* STRING: empty, http:// or https:// */
#define CONFIG_LABELS		0x10	/* STRING: empty or k=v,k=v */

/* The `workloads` key: which limits the demonstration handlers get. */
enum workload_mode {
	WORKLOADS_OFF,
	WORKLOADS_DEMO,
	WORKLOADS_FULL,
};

enum config_origin {
	CONFIG_FROM_DEFAULT,
	CONFIG_FROM_FILE,
	CONFIG_FROM_ENV,
	CONFIG_FROM_CMDLINE,
};

struct config {
	/* server */
	char		*listen;
	int		 listen_backlog;
	int		 workers;	/* 0 before config_load: CPUs */
	int		 max_workers;
	char		*user;
	char		*pidfile;
	int		 shutdown_timeout;
	int		 reload_drain_timeout;	/* 0: until connections end */
	int		 watchdog_timeout;	/* 0: off */
	int		 watchdog_kill_timeout;	/* 0: never */
	/* logging */
	char		*log_file;
	int		 log_level;	/* enum log_level */
	/* admin port */
	char		*admin_listen;
	char		*admin_token;
	char		*admin_read_token;
	int		 admin_request_timeout;
	int		 admin_max_connections;
	/* WebSocket */
	char		*ws_path;
	int		 ws_echo;
	size_t		 ws_max_header_bytes;
	int		 ws_max_headers;
	int		 ws_handshake_timeout;
	size_t		 ws_max_message_bytes;
	size_t		 ws_worker_input_bytes;
	size_t		 ws_send_queue_bytes;
	size_t		 ws_worker_output_bytes;
	int		 ws_max_deferred;
	int		 ws_worker_deferred;
	int		 ws_idle_timeout;
	int		 ws_ping_interval;
	char		*ws_origins;
	char		*ws_subprotocols;
	/* handlers */
	struct config_list module;
	int		 pkg_id_echo;
	int		 pkg_id_time;
	int		 workloads;	/* enum workload_mode */
	int		 pkg_id_work;
	int		 pkg_id_json;
	int		 pkg_id_hash;
	int		 pkg_id_alloc;
	int		 pkg_id_delay;
	size_t		 alloc_keep_bytes;
	/* broadcast (src/bcast/bcast.c) */
	int		 pkg_id_subscribe;
	int		 pkg_id_unsubscribe;
	int		 broadcast_pkg_id;
	int		 broadcast_max_topics;
	int		 broadcast_max_topic_bytes;
	size_t		 broadcast_max_bytes;
	size_t		 broadcast_outbox_bytes;
	int		 broadcast_slow_policy;	/* 0 drop, 1 close */
	int		 broadcast_fanout_slice;
	char		*redis_url;
	char		*redis_password_file;
	char		*redis_broadcast_channel;
	char		*redis_broadcast_secret;
	char		*redis_broadcast_secret_file;
	int		 redis_broadcast_max_age;
	/* authentication (src/auth/auth.c) */
	int		 auth;			/* 0 off, 1 jwt */
	char		*auth_token_sources;
	int		 auth_timeout;
	int		 auth_max_connections_per_user;
	int		 auth_rate_limit;
	int		 auth_rate_window;
	int		 auth_rate_limit_action;	/* 0 close, 1 error */
	char		*jwt_alg;
	char		*jwt_secret;
	char		*jwt_secret_file;
	char		*jwt_key_file;
	char		*jwks_file;
	char		*jwks_url;
	int		 jwks_refresh_seconds;
	int		 jwks_min_refresh_seconds;
	int		 jwks_timeout;
	char		*jwks_ca_file;
	char		*jwks_ca_dir;
	char		*jwt_issuer;
	char		*jwt_audience;
	int		 jwt_audience_azp;
	int		 jwt_leeway;
	int		 jwt_require_exp;
	char		*jwt_user_claim;
	char		*jwt_roles_claim;
	char		*jwt_roles_client;
	int		 auth_sessions;
	char		*auth_session_prefix;
	int		 auth_session_timeout;	/* milliseconds */
	int		 redis_fail_mode;	/* 0 open, 1 closed */
	char		*auth_rate_redis_prefix;
	/* profiling */
	int		 profiling_enabled;
	char		*profiling_output_dir;
	int		 profiling_interval_seconds;
	int		 profiling_clock;		/* 0 cpu, 1 wall */
	int		 profiling_timer;	/* 0 auto, 1 perf, 2 posix */
	int		 profiling_sample_interval_ms;
	int		 profiling_stack_depth;
	int		 profiling_cpu_only;
	int		 profiling_memory_only;
	size_t		 profiling_memory_sample_bytes;
	int		 profiling_copy;
	size_t		 profiling_leak_min_growth;
	int		 profiling_pprof;
	char		*profiling_push_url;
	char		*profiling_push_labels;
	int		 profiling_reduced_profile;
	int		 profiling_cpu_percent_threshold;
	char		*profiling_only;
	char		*profiling_exclude;
	char		*profiling_source_root;
	int		 profiling_max_reports;
	size_t		 profiling_max_report_bytes;

	/* Bookkeeping, filled by config_load. */
	char		*path;		/* the main file, or NULL */
	unsigned char	*origin;	/* per key: enum config_origin */
	char		**where;	/* per key: "file:line", env name... */
	char		*errors[CONFIG_MAX_ERRORS];
	int		 nerrors;
	int		 nerrors_dropped;
};

struct config_key {
	const char		*name;
	const char		*env_alias;	/* besides HOTLINE_<NAME> */
	enum config_type	 type;
	long long		 min, max;	/* INT, SIZE */
	const char		*def;		/* default, as file text */
	size_t			 offset;
	unsigned		 flags;		/* CONFIG_RELOADABLE... */
	const char *const	*choices;	/* ENUM, NULL-terminated */
	const char		*help;
};

/* A command-line setting, "key" = "value", with the flag that set it. */
struct config_override {
	const char	*key;
	const char	*value;
	const char	*flag;
};

extern const struct config_key	config_keys[];
extern const size_t		config_nkeys;

/*
 * Fill cf from defaults, the file at path (NULL: none; a missing file is an
 * error only when required), the environment and the overrides. Returns 0, or
 * -1 with every problem in cf->errors, each naming file:line, the
 * environment variable or the flag, and the key. cf must be zeroed or freed.
 */
int	 config_load(struct config *cf, const char *path, int required,
	    const struct config_override *ov, size_t nov);
void	 config_free(struct config *cf);
/* Print each error on its own line to fp. */
void	 config_print_errors(const struct config *cf, FILE *fp);
/* Where name's value came from: "file:line", the variable or the flag. */
const char	*config_where(const struct config *cf, const char *name);
/* Print the effective configuration with where each value came from. */
void	 config_dump(const struct config *cf, FILE *fp);
/* Keep old's values of keys that a reload may not change; log a warning for
 * each one that changed. */
void	 config_keep_fixed(struct config *next, const struct config *old);
const struct config_key *config_find(const char *name);
/* Remember the working directory that relative paths are resolved against
 * (at start, before daemonizing); -1 with errno if it cannot be read. */
int	 config_remember_cwd(void);
/* path made absolute against that directory; the caller frees it. */
char	*config_absolute_path(const char *path);
/* url with the password of its user info as *** (for logs). */
void	 config_redact_url(const char *url, char *out, size_t size);
/* The value of a key as text, for printing and comparing. */
void	 config_format(const struct config *cf, const struct config_key *k,
	    char *buf, size_t size);

#endif
