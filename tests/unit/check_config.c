/* Unit tests for the configuration table, the file syntax, precedence and
 * error reporting. */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/config_value.h"
#include "core/log.h"
#include "hl_check.h"

static char	 tmpdir[] = "/tmp/hl-check-config-XXXXXX";

/* Write text to NAME inside tmpdir and return its path (static buffer). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[4096];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void
clear_env(void)
{
	size_t i;
	char name[128], *p;

	for (i = 0; i < config_nkeys; i++) {
		snprintf(name, sizeof name, "HOTLINE_%s", config_keys[i].name);
		for (p = name; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		unsetenv(name);
		if (config_keys[i].env_alias != NULL)
			unsetenv(config_keys[i].env_alias);
	}
}

static int
has_error(const struct config *cf, const char *needle)
{
	int i;

	for (i = 0; i < cf->nerrors; i++) {
		if (strstr(cf->errors[i], needle) != NULL)
			return 1;
	}
	return 0;
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	clear_env();
	log_set_level(LOG_LEVEL_ERROR);
}

static void
teardown(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX");
}

START_TEST(defaults_load)
{
	struct config cf;

	ck_assert_int_eq(config_load(&cf, NULL, 0, NULL, 0), 0);
	ck_assert_str_eq(cf.listen, "0.0.0.0:8000");
	ck_assert_str_eq(cf.admin_listen, "127.0.0.1:9000");
	ck_assert_int_ge(cf.workers, 1);
	ck_assert_int_le(cf.workers, cf.max_workers);
	ck_assert_int_eq(cf.profiling_interval_seconds, 30);
	ck_assert_int_eq(cf.profiling_enabled, 1);
	ck_assert_int_eq(cf.log_level, LOG_LEVEL_INFO);
	/* The default comes from configure:
	 * $localstatedir/lib/hotline/reports. */
	ck_assert(cf.profiling_output_dir[0] == '/');
	ck_assert(strstr(cf.profiling_output_dir,
	    "/lib/hotline/reports") != NULL);
	config_free(&cf);
}
END_TEST

/* Every default in the table must itself parse: a typo there is caught. */
START_TEST(every_default_parses)
{
	struct config cf;
	char err[512];
	size_t i;

	memset(&cf, 0, sizeof cf);
	for (i = 0; i < config_nkeys; i++) {
		int rc = config_value_set(&cf, &config_keys[i],
		    config_keys[i].def, err, sizeof err);
		ck_assert_msg(rc == 0, "%s: %s", config_keys[i].name, err);
		ck_assert_msg(config_keys[i].help != NULL &&
		    config_keys[i].help[0] != '\0', "%s has no help",
		    config_keys[i].name);
	}
	for (i = 0; i < config_nkeys; i++)
		config_value_free(&cf, &config_keys[i]);
}
END_TEST

START_TEST(file_values_and_syntax)
{
	const char *path = write_file("a.conf",
	    "# comment\n"
	    "\n"
	    "   workers 3   # trailing comment\n"
	    "listen 127.0.0.1:8123\n"
	    "admin_token \"a b#c \\\"q\\\" \\\\\"\n"
	    "profiling_enabled off\n"
	    "log_level debug\n"
	    "pidfile run/h.pid\n"
	    "profiling_output_dir /abs/dir\n"
	    "listen_backlog 64\r\n");
	struct config cf;

	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), 0);
	ck_assert_int_eq(cf.workers, 3);
	ck_assert_str_eq(cf.listen, "127.0.0.1:8123");
	ck_assert_str_eq(cf.admin_token, "a b#c \"q\" \\");
	ck_assert_int_eq(cf.profiling_enabled, 0);
	ck_assert_int_eq(cf.log_level, LOG_LEVEL_DEBUG);
	ck_assert(cf.pidfile[0] == '/');
	ck_assert(strstr(cf.pidfile, "/run/h.pid") != NULL);
	ck_assert_str_eq(cf.profiling_output_dir, "/abs/dir");
	ck_assert_int_eq(cf.listen_backlog, 64);
	ck_assert_str_eq(cf.path, path);
	config_free(&cf);
}
END_TEST

START_TEST(bool_spellings)
{
	static const char *const yes[] = { "yes", "on", "true", "1", "YES" };
	static const char *const no[] = { "no", "off", "false", "0", "Off" };
	const struct config_key *k = config_find("profiling_enabled");
	struct config cf;
	char err[256];
	size_t i;

	memset(&cf, 0, sizeof cf);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(config_value_set(&cf, k, yes[i], err, 256), 0);
		ck_assert_int_eq(cf.profiling_enabled, 1);
		ck_assert_int_eq(config_value_set(&cf, k, no[i], err, 256), 0);
		ck_assert_int_eq(cf.profiling_enabled, 0);
	}
	ck_assert_int_eq(config_value_set(&cf, k, "maybe", err, 256), -1);
	ck_assert(strstr(err, "maybe") != NULL);
}
END_TEST

START_TEST(int_bounds_and_types)
{
	const struct config_key *k = config_find("workers");
	struct config cf;
	char err[256];

	memset(&cf, 0, sizeof cf);
	ck_assert_int_eq(config_value_set(&cf, k, "1024", err, 256), 0);
	ck_assert_int_eq(config_value_set(&cf, k, "1025", err, 256), -1);
	ck_assert(strstr(err, "out of range 0-1024") != NULL);
	ck_assert_int_eq(config_value_set(&cf, k, "-1", err, 256), -1);
	ck_assert_int_eq(config_value_set(&cf, k, "3x", err, 256), -1);
	ck_assert(strstr(err, "not an integer") != NULL);
	ck_assert_int_eq(config_value_set(&cf, k, "", err, 256), -1);
	ck_assert_int_eq(config_value_set(&cf, k,
	    "99999999999999999999999", err, 256), -1);
	/* A size suffix is only for size keys. */
	ck_assert_int_eq(config_value_set(&cf, k, "1k", err, 256), -1);
}
END_TEST

START_TEST(size_suffixes)
{
	static const struct config_key k = { "size", NULL, CONFIG_SIZE, 0,
	    1LL << 40, "1", 0, 0, NULL, "a size" };
	struct { size_t v; } s;
	char err[256];

	ck_assert_int_eq(config_value_set((struct config *)(void *)&s, &k,
	    "8k", err, 256), 0);
	ck_assert_uint_eq(s.v, 8192);
	ck_assert_int_eq(config_value_set((struct config *)(void *)&s, &k,
	    "3M", err, 256), 0);
	ck_assert_uint_eq(s.v, 3u << 20);
	ck_assert_int_eq(config_value_set((struct config *)(void *)&s, &k,
	    "2g", err, 256), 0);
	ck_assert_uint_eq(s.v, 2ULL << 30);
	ck_assert_int_eq(config_value_set((struct config *)(void *)&s, &k,
	    "2t", err, 256), -1);
	ck_assert_int_eq(config_value_set((struct config *)(void *)&s, &k,
	    "2048g", err, 256), -1);
}
END_TEST

START_TEST(enum_and_addr)
{
	struct config cf;
	char err[256];

	memset(&cf, 0, sizeof cf);
	ck_assert_int_eq(config_value_set(&cf, config_find("log_level"),
	    "loud", err, 256), -1);
	ck_assert(strstr(err, "debug, info, notice, warn, error") != NULL);
	ck_assert_int_eq(config_value_set(&cf, config_find("listen"),
	    "[::1]:80", err, 256), 0);
	ck_assert_int_eq(config_value_set(&cf, config_find("listen"),
	    "*:80", err, 256), 0);
	ck_assert_int_eq(config_value_set(&cf, config_find("listen"),
	    "127.0.0.1:65536", err, 256), -1);
	ck_assert_int_eq(config_value_set(&cf, config_find("listen"),
	    "127.0.0.1", err, 256), -1);
	ck_assert_int_eq(config_value_set(&cf, config_find("listen"),
	    "no.such.host.invalid:80", err, 256), -1);
	ck_assert(strstr(err, "cannot resolve") != NULL);
	config_value_free(&cf, config_find("listen"));
}
END_TEST

/* All errors are collected, each naming file:line and the key. */
START_TEST(errors_name_file_line_and_key)
{
	const char *path = write_file("bad.conf",
	    "workers many\n"
	    "# fine\n"
	    "no_such_key 1\n"
	    "log_level\n"
	    "admin_token \"unterminated\n"
	    "listen 1.2.3.4:99999\n");
	char want[4200];
	struct config cf;

	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), -1);
	ck_assert_int_eq(cf.nerrors, 5);
	snprintf(want, sizeof want, "%s:1: workers: \"many\"", path);
	ck_assert_msg(has_error(&cf, want), "%s", cf.errors[0]);
	snprintf(want, sizeof want, "%s:3: unknown key \"no_such_key\"", path);
	ck_assert(has_error(&cf, want));
	snprintf(want, sizeof want, "%s:4: log_level: missing value", path);
	ck_assert(has_error(&cf, want));
	snprintf(want, sizeof want, "%s:5: admin_token: unterminated", path);
	ck_assert(has_error(&cf, want));
	snprintf(want, sizeof want, "%s:6: listen: port", path);
	ck_assert(has_error(&cf, want));
	config_free(&cf);
}
END_TEST

START_TEST(missing_file)
{
	struct config cf;

	ck_assert_int_eq(config_load(&cf, "/nonexistent/h.conf", 1, NULL, 0),
	    -1);
	ck_assert(has_error(&cf, "/nonexistent/h.conf: cannot open"));
	config_free(&cf);
	/* The default path may be absent: built-in defaults then. */
	ck_assert_int_eq(config_load(&cf, "/nonexistent/h.conf", 0, NULL, 0),
	    0);
	ck_assert_ptr_null(cf.path);
	config_free(&cf);
}
END_TEST

START_TEST(include_relative_and_glob)
{
	char cmd[4200], main_text[256];
	const char *path;
	struct config cf;

	snprintf(cmd, sizeof cmd, "mkdir -p '%s/conf.d'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	write_file("conf.d/10-a.conf", "workers 2\n");
	write_file("conf.d/20-b.conf", "workers 4\nlog_level warn\n");
	write_file("extra.conf", "listen_backlog 77\n");
	snprintf(main_text, sizeof main_text,
	    "workers 1\ninclude extra.conf\ninclude conf.d/*.conf\n"
	    "include empty.d/*.conf\n");
	path = write_file("main.conf", main_text);
	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), 0);
	ck_assert_int_eq(cf.workers, 4);	/* later wins, in glob order */
	ck_assert_int_eq(cf.listen_backlog, 77);
	ck_assert_int_eq(cf.log_level, LOG_LEVEL_WARN);
	config_free(&cf);
}
END_TEST

START_TEST(include_errors)
{
	const char *path;
	struct config cf;

	path = write_file("loop.conf", "include loop.conf\n");
	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), -1);
	ck_assert(has_error(&cf, "include: nested more than 8 deep"));
	config_free(&cf);
	path = write_file("missing.conf", "include nope.conf\n");
	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), -1);
	ck_assert(has_error(&cf, "missing.conf:1: include: cannot open"));
	config_free(&cf);
}
END_TEST

/* defaults < file < environment < command line; the seed's names work. */
START_TEST(precedence)
{
	const char *path = write_file("p.conf",
	    "workers 2\nprofiling_interval_seconds 10\nlog_level warn\n"
	    "shutdown_timeout 7\n");
	struct config_override ov[] = {
		{ "workers", "5", "-w" },
	};
	struct config cf;
	size_t wi = (size_t)(config_find("workers") - config_keys);

	setenv("HOTLINE_WORKERS", "3", 1);
	setenv("PROFILING_INTERVAL_SECONDS", "45", 1);
	setenv("PROFILING_ENABLED", "false", 1);
	setenv("HOTLINE_LOG_LEVEL", "error", 1);
	ck_assert_int_eq(config_load(&cf, path, 1, ov, 1), 0);
	ck_assert_int_eq(cf.workers, 5);
	ck_assert_str_eq(cf.where[wi], "command line -w");
	ck_assert_int_eq(cf.origin[wi], CONFIG_FROM_CMDLINE);
	ck_assert_int_eq(cf.profiling_interval_seconds, 45);
	ck_assert_int_eq(cf.profiling_enabled, 0);
	ck_assert_int_eq(cf.log_level, LOG_LEVEL_ERROR);
	ck_assert_int_eq(cf.shutdown_timeout, 7);
	config_free(&cf);
	/* HOTLINE_<KEY> wins over the seed's alias. */
	setenv("HOTLINE_PROFILING_INTERVAL_SECONDS", "60", 1);
	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), 0);
	ck_assert_int_eq(cf.profiling_interval_seconds, 60);
	ck_assert_int_eq(cf.workers, 3);
	config_free(&cf);
	clear_env();
}
END_TEST

START_TEST(env_and_cmdline_errors_say_where)
{
	struct config_override ov[] = {
		{ "workers", "x", "-w" },
		{ "bogus", "1", "-o" },
	};
	struct config cf;

	setenv("HOTLINE_SHUTDOWN_TIMEOUT", "-5", 1);
	ck_assert_int_eq(config_load(&cf, NULL, 0, ov, 2), -1);
	ck_assert(has_error(&cf, "HOTLINE_SHUTDOWN_TIMEOUT: shutdown_timeout"));
	ck_assert(has_error(&cf, "command line -w: workers: \"x\""));
	ck_assert(has_error(&cf, "command line -o: unknown key \"bogus\""));
	config_free(&cf);
	clear_env();
}
END_TEST

START_TEST(cross_checks)
{
	const char *path = write_file("x.conf",
	    "max_workers 2\nworkers 3\nuser no_such_user_hl\n");
	struct config cf;

	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), -1);
	ck_assert(has_error(&cf, "x.conf:2: workers: 3 is more than "
	    "max_workers 2"));
	ck_assert(has_error(&cf, "x.conf:3: user: no such user"));
	config_free(&cf);
	/* workers 0 means one per CPU, capped by max_workers. */
	path = write_file("y.conf", "max_workers 1\nworkers 0\n");
	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), 0);
	ck_assert_int_eq(cf.workers, 1);
	config_free(&cf);
}
END_TEST

START_TEST(too_many_errors_are_counted)
{
	char text[8192] = "";
	const char *path;
	struct config cf;
	int i;

	for (i = 0; i < 100; i++)
		strcat(text, "nope 1\n");
	path = write_file("many.conf", text);
	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), -1);
	ck_assert_int_eq(cf.nerrors, CONFIG_MAX_ERRORS);
	ck_assert_int_eq(cf.nerrors_dropped, 100 - CONFIG_MAX_ERRORS);
	config_free(&cf);
}
END_TEST

START_TEST(long_line)
{
	char text[CONFIG_LINE_MAX * 2 + 64];
	const char *path;
	struct config cf;

	memset(text, 'a', sizeof text);
	memcpy(text, "admin_token ", 12);
	strcpy(text + CONFIG_LINE_MAX + 100, "\nworkers 1\n");
	path = write_file("long.conf", text);
	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), -1);
	ck_assert_int_eq(cf.nerrors, 1);
	ck_assert(has_error(&cf, "long.conf:1: line longer than"));
	config_free(&cf);
}
END_TEST

/* -T output is a config file that loads back to the same values. */
START_TEST(dump_round_trips)
{
	const char *path = write_file("r.conf",
	    "workers 2\nadmin_listen 127.0.0.1:9100\n"
	    "log_file \"/tmp/a b.log\"\nuser \"\"\n");
	char dump_path[4200], a[CONFIG_LINE_MAX], b[CONFIG_LINE_MAX];
	struct config cf, back;
	size_t i;
	FILE *fp;

	ck_assert_int_eq(config_load(&cf, path, 1, NULL, 0), 0);
	snprintf(dump_path, sizeof dump_path, "%s/dump.conf", tmpdir);
	fp = fopen(dump_path, "w");
	config_dump(&cf, fp);
	fclose(fp);
	ck_assert_int_eq(config_load(&back, dump_path, 1, NULL, 0), 0);
	for (i = 0; i < config_nkeys; i++) {
		config_format(&cf, &config_keys[i], a, sizeof a);
		config_format(&back, &config_keys[i], b, sizeof b);
		ck_assert_msg(strcmp(a, b) == 0, "%s: %s vs %s",
		    config_keys[i].name, a, b);
	}
	config_free(&cf);
	config_free(&back);
}
END_TEST

START_TEST(dump_hides_secrets)
{
	struct config_override ov[] = { { "admin_token", "s3cret", "-o" } };
	char *buf = NULL;
	size_t len = 0;
	struct config cf;
	FILE *fp;

	ck_assert_int_eq(config_load(&cf, NULL, 0, ov, 1), 0);
	fp = open_memstream(&buf, &len);
	config_dump(&cf, fp);
	fclose(fp);
	ck_assert(strstr(buf, "s3cret") == NULL);
	ck_assert(strstr(buf, "# admin_token is set (hidden)") != NULL);
	free(buf);
	config_free(&cf);
}
END_TEST

/* A reload keeps fixed keys, takes reloadable ones. */
START_TEST(reload_keeps_fixed_keys)
{
	struct config old, next;
	struct config_override a[] = {
		{ "listen", "127.0.0.1:8001", "-o" },
		{ "workers", "2", "-o" },
	};
	struct config_override b[] = {
		{ "listen", "127.0.0.1:8002", "-o" },
		{ "workers", "3", "-o" },
	};

	ck_assert_int_eq(config_load(&old, NULL, 0, a, 2), 0);
	ck_assert_int_eq(config_load(&next, NULL, 0, b, 2), 0);
	config_keep_fixed(&next, &old);
	ck_assert_str_eq(next.listen, "127.0.0.1:8001");
	ck_assert_int_eq(next.workers, 3);
	config_free(&old);
	config_free(&next);
}
END_TEST

/* Documentation follows the table: every key is in the sample config and
 * the man page. */
START_TEST(docs_name_every_key)
{
	static const char *const docs[] = {
		"etc/hotline.conf", "man/hotline.conf.5",
	};
	const char *srcdir = getenv("top_srcdir");
	char path[4096], *text;
	size_t i, d, len;
	FILE *fp;

	if (srcdir == NULL)
		srcdir = ".";
	for (d = 0; d < 2; d++) {
		snprintf(path, sizeof path, "%s/%s", srcdir, docs[d]);
		fp = fopen(path, "r");
		ck_assert_msg(fp != NULL, "cannot open %s", path);
		text = calloc(1, 1 << 20);
		len = fread(text, 1, (1 << 20) - 1, fp);
		fclose(fp);
		text[len] = '\0';
		for (i = 0; i < config_nkeys; i++) {
			const char *name = config_keys[i].name;
			ck_assert_msg(strstr(text, name) != NULL,
			    "%s does not mention %s", docs[d], name);
		}
		free(text);
	}
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_load);
	tcase_add_test(tc, every_default_parses);
	tcase_add_test(tc, file_values_and_syntax);
	tcase_add_test(tc, bool_spellings);
	tcase_add_test(tc, int_bounds_and_types);
	tcase_add_test(tc, size_suffixes);
	tcase_add_test(tc, enum_and_addr);
	tcase_add_test(tc, errors_name_file_line_and_key);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, include_relative_and_glob);
	tcase_add_test(tc, include_errors);
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, env_and_cmdline_errors_say_where);
	tcase_add_test(tc, cross_checks);
	tcase_add_test(tc, too_many_errors_are_counted);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, dump_round_trips);
	tcase_add_test(tc, dump_hides_secrets);
	tcase_add_test(tc, reload_keeps_fixed_keys);
	tcase_add_test(tc, docs_name_every_key);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return hl_check_run(config_suite());
}
