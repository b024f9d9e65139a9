/* hotlined: command line, configuration, then the master. */
#include "autoconf.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/module_lines.h"
#include "auth/auth.h"
#include "bcast/bcast.h"
#include "core/config.h"
#include "core/config_paths.h"
#include "core/daemon.h"
#include "core/log.h"
#include "core/proctitle.h"
#include "cycle/master.h"
#include "core/util.h"

#define MAIN_MAX_OVERRIDES	64

#ifndef HL_SYSCONFDIR
#define HL_SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONF HL_SYSCONFDIR "/hotline/hotline.conf"

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: hotlined [-ftTVh] [-c file] [-p pidfile] [-w workers] "
	    "[-o key=value]...\n"
	    "  -c file     configuration file (default %s, if present)\n"
	    "  -f          stay in the foreground (default under systemd)\n"
	    "  -t          check the configuration and exit 0 or 1\n"
	    "  -T          check it and print the effective configuration\n"
	    "  -p pidfile  write the master's pid here (key pidfile)\n"
	    "  -w workers  number of workers (key workers)\n"
	    "  -o key=val  set any configuration key; wins over file and "
	    "environment\n"
	    "  -V          print the version\n"
	    "  -h          this help\n"
	    "Signals: TERM/INT fast stop, QUIT graceful stop, HUP reload, "
	    "USR1 reopen logs.\n", DEFAULT_CONF);
	exit(code);
}

struct main_args {
	const char		*conf;
	int			 conf_given;
	int			 foreground;
	int			 test;		/* 1: -t, 2: -T */
	struct config_override	 ov[MAIN_MAX_OVERRIDES];
	size_t			 nov;
};

static void
main_override(struct main_args *a, const char *key, const char *value,
    const char *flag)
{
	if (a->nov == MAIN_MAX_OVERRIDES)
		fatalx("more than %d command-line settings",
		    MAIN_MAX_OVERRIDES);
	a->ov[a->nov++] = (struct config_override){ key, value, flag };
}

/* -o key=value: the key is copied out of argv's copy. */
static void
main_option(struct main_args *a, const char *arg)
{
	static char keys[MAIN_MAX_OVERRIDES][64];
	const char *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg) : 0;

	if (eq == NULL || len == 0 || len >= sizeof keys[0]) {
		fprintf(stderr, "hotlined: -o %s: expected key=value\n", arg);
		exit(1);
	}
	if (a->nov == MAIN_MAX_OVERRIDES)
		fatalx("more than %d command-line settings",
		    MAIN_MAX_OVERRIDES);
	memcpy(keys[a->nov], arg, len);
	keys[a->nov][len] = '\0';
	main_override(a, keys[a->nov], eq + 1, "-o");
}

static void
main_parse_args(struct main_args *a, int argc, char **argv)
{
	int ch;

	a->conf = DEFAULT_CONF;
	while ((ch = getopt(argc, argv, "c:fhp:o:tTVw:")) != -1) {
		switch (ch) {
		case 'c': a->conf = optarg; a->conf_given = 1; break;
		case 'f': a->foreground = 1; break;
		case 'h': usage(0);
		case 'p': main_override(a, "pidfile", optarg, "-p"); break;
		case 'o': main_option(a, optarg); break;
		case 't': a->test = 1; break;
		case 'T': a->test = 2; break;
		case 'V': printf("hotlined %s\n", PACKAGE_VERSION); exit(0);
		case 'w': main_override(a, "workers", optarg, "-w"); break;
		default: usage(1);
		}
	}
	if (optind != argc)
		usage(1);
}

/* Log to the configured file now, so a bad path fails on the terminal. */
static void
main_open_log(const struct config *cf)
{
	log_set_level((enum log_level)cf->log_level);
	if (strcmp(cf->log_file, "syslog") == 0)
		log_open(LOG_TARGET_SYSLOG, NULL);
	else if (cf->log_file[0] != '\0' &&
	    log_open(LOG_TARGET_FILE, cf->log_file) == -1)
		fatal("log_file %s", cf->log_file);
}

/* -t: name the modules the profiler will see without lines (-t does not
 * load them; it reads their ELF sections). */
static void
main_check_module_lines(const struct config *cf)
{
	char msg[PATH_MAX + 160];
	int i;

	for (i = 0; i < cf->module.n; i++) {
		if (module_has_lines(cf->module.items[i]) != 0)
			continue;
		module_lines_warning(cf->module.items[i], msg, sizeof msg);
		fprintf(stderr, "hotlined: warning: %s\n", msg);
	}
}

int
main(int argc, char **argv)
{
	struct main_args args = { 0 };
	struct master_options opt;
	struct config cf;
	char *conf_abs, err[512];
	int rc;

	proctitle_init(argc, argv);
	main_parse_args(&args, argc, argv);
	if (config_remember_cwd() == -1)
		fatal("cannot read the working directory");
	/* A reload re-reads the file after daemonizing moved to "/". */
	args.conf = conf_abs = config_absolute_path(args.conf);
	if (config_load(&cf, args.conf, args.conf_given, args.ov,
	    args.nov) == -1) {
		config_print_errors(&cf, stderr);
		fprintf(stderr, "hotlined: configuration has %d error%s\n",
		    cf.nerrors + cf.nerrors_dropped,
		    cf.nerrors + cf.nerrors_dropped == 1 ? "" : "s");
		config_free(&cf);
		free(conf_abs);
		return 1;
	}
	if (auth_config_check(&cf, err, sizeof err) == -1 ||
	    bcast_config_check(&cf, err, sizeof err) == -1) {
		fprintf(stderr, "hotlined: %s\n", err);
		config_free(&cf);
		free(conf_abs);
		return 1;
	}
	if (args.test && config_check_paths(&cf, stderr) > 0) {
		config_free(&cf);
		free(conf_abs);
		return 1;
	}
	if (args.test) {
		if (args.test == 2)
			config_dump(&cf, stdout);
		main_check_module_lines(&cf);
		fprintf(stderr, "hotlined: configuration %s is valid\n",
		    cf.path != NULL ? cf.path : "(built-in defaults)");
		config_free(&cf);
		free(conf_abs);
		return 0;
	}
	main_open_log(&cf);
	proctitle_set("hotlined: master");
	opt = (struct master_options){
		.conf_path = args.conf,
		.conf_required = args.conf_given,
		.overrides = args.ov,
		.noverrides = args.nov,
		.daemonize = !args.foreground && !daemon_under_systemd(),
	};
	rc = master_run(&opt, &cf);
	free(conf_abs);
	return rc;
}
