/*
 * The master cycle: set up (config already loaded), fork workers, then act
 * on signals and a 100 ms supervisor tick until stopped. Signals arrive
 * through a signalfd on the master's libevent loop, never in a handler.
 */
#include "autoconf.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <event2/event.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin.h"
#include "auth/auth.h"
#include "bcast/bcast.h"
#include "bcast/bcast_conn.h"
#include "app/handlers.h"
#include "app/module.h"
#include "prof/prof.h"
#include "profd/reporter.h"
#include "app/router.h"
#include "core/daemon.h"
#include "cycle/master.h"
#include "core/proc.h"
#include "core/util.h"

#define MASTER_TICK_MS	100

static struct master	 master;

/* A reaped worker's slot is free: the master tells those who keep
 * something per slot (the profiler's rings and tables, auth's per-user
 * counts), so the supervisor need not know them. */
void
master_worker_reaped(struct master *m, int slot, int status,
    const struct rusage *ru)
{
	struct prof_exit ex = { status,
	    ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6,
	    ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6 };

	prof_master_reaped(slot, &ex);
	auth_master_reaped(slot);
}

/* Log and hand a startup error to a waiting parent; returns the exit code. */
static int
master_fail(const char *msg)
{
	log_error("%s", msg);
	daemon_fail(msg);
	return 1;
}

/* Accounts that run the workers of a master started as root with `user`
 * empty: a dedicated one when the package made it, else nobody. */
static const char *const master_default_users[] = { "hotline", "nobody" };

/* The account for workers started by root with `user` empty, or NULL. */
static struct passwd *
master_default_user(void)
{
	struct passwd *pw;
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(master_default_users); i++) {
		if ((pw = getpwnam(master_default_users[i])) != NULL)
			return pw;
	}
	return NULL;
}

/* Workers parse untrusted input: when the master runs as root they switch
 * to cf.user, to an unprivileged account when it is empty, and stay root
 * only when it says "root". */
static int
master_resolve_user(struct master *m, char *err, size_t errsize)
{
	struct passwd *pw;

	m->worker_uid = (uid_t)-1;
	m->worker_gid = (gid_t)-1;
	if (geteuid() != 0) {
		if (m->cf.user[0] != '\0')
			log_warn("user %s: not running as root; workers keep "
			    "uid %ld", m->cf.user, (long)geteuid());
		return 0;
	}
	if (strcmp(m->cf.user, "root") == 0) {
		log_warn("user root: workers run as root, parsing untrusted "
		    "WebSocket, JSON and JWT input with every privilege");
		return 0;
	}
	if (m->cf.user[0] != '\0')
		pw = getpwnam(m->cf.user);
	else if ((pw = master_default_user()) == NULL) {
		snprintf(err, errsize, "user: empty, and neither \"hotline\" "
		    "nor \"nobody\" exists to run the workers; name an "
		    "account, or root to keep root workers");
		return -1;
	}
	if (pw == NULL) {
		snprintf(err, errsize, "user: no such user \"%s\"", m->cf.user);
		return -1;
	}
	if (m->cf.user[0] == '\0')
		log_notice("user is empty and hotlined runs as root: workers "
		    "run as %s (uid %ld); set user root to keep them root",
		    pw->pw_name, (long)pw->pw_uid);
	m->worker_uid = pw->pw_uid;
	m->worker_gid = pw->pw_gid;
	log_set_owner(pw->pw_uid, pw->pw_gid);
	return 0;
}

static void
master_check_stopped(struct master *m)
{
	if (m->stop != MASTER_RUNNING && supervisor_live(&m->sup) == 0)
		event_base_loopexit(m->base, NULL);
}

/* SIGHUP: a bad configuration changes nothing; a good one starts a new
 * generation of workers while the old one drains. */
static void
master_reload(struct master *m)
{
	struct config next;
	char err[512];
	int i;

	log_notice("reloading the configuration");
	daemon_notify("RELOADING=1");
	if (config_load(&next, m->opt.conf_path, m->opt.conf_required,
	    m->opt.overrides, m->opt.noverrides) == -1) {
		for (i = 0; i < next.nerrors; i++)
			log_error("%s", next.errors[i]);
		log_error("reload failed; the running configuration stays");
		goto keep;
	}
	config_keep_fixed(&next, &m->cf);
	if (next.workers > next.max_workers) {
		log_error("workers %d is more than max_workers %d, which "
		    "cannot change on reload; the running configuration stays",
		    next.workers, next.max_workers);
		goto keep;
	}
	if (listener_ensure(&m->listener, next.workers, err, sizeof err)) {
		log_error("%s; the running configuration stays", err);
		goto keep;
	}
	config_free(&m->cf);
	m->cf = next;
	report_store_configure(&m->reports, m->cf.profiling_output_dir,
	    m->cf.profiling_max_reports, m->cf.profiling_max_report_bytes);
	log_set_level((enum log_level)m->cf.log_level);
	m->reloads++;
	__atomic_add_fetch(&m->shm.hdr->epoch, 1, __ATOMIC_RELAXED);
	supervisor_reload(m);
	listener_trim(&m->listener, m->cf.workers);
	prof_master_reload();
	log_notice("reloaded: %d workers", m->cf.workers);
	daemon_notify("READY=1");
	return;
keep:
	config_free(&next);
	daemon_notify("READY=1");
}

static void
master_stop(struct master *m, int fast)
{
	if (fast && m->stop != MASTER_STOP_FAST) {
		log_notice("fast stop");
		m->stop = MASTER_STOP_FAST;
		supervisor_stop(m, 1);
	} else if (!fast && m->stop == MASTER_RUNNING) {
		log_notice("graceful stop (shutdown_timeout %d s)",
		    m->cf.shutdown_timeout);
		m->stop = MASTER_STOP_GRACEFUL;
		supervisor_stop(m, 0);
	}
	daemon_notify("STOPPING=1");
	master_check_stopped(m);
}

static void
master_signal_cb(evutil_socket_t fd, short what, void *arg)
{
	struct master *m = arg;
	int sig;

	while ((sig = proc_signalfd_read(fd)) != 0) {
		switch (sig) {
		case SIGCHLD:
			supervisor_reap(m);
			master_check_stopped(m);
			break;
		case SIGHUP:
			if (m->stop == MASTER_RUNNING)
				master_reload(m);
			break;
		case SIGQUIT:
			master_stop(m, 0);
			break;
		case SIGTERM:
		case SIGINT:
			master_stop(m, 1);
			break;
		case SIGUSR1:
			if (log_reopen() == -1)
				log_error("cannot reopen the log: %s",
				    strerror(errno));
			else
				log_notice("log reopened (USR1)");
			supervisor_signal(m, SIGUSR1);
			break;
		default:
			break;
		}
	}
}

static void
master_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct master *m = arg;

	watchdog_check(m);
	admin_tick(m->admin);
	supervisor_tick(m);
	master_check_stopped(m);
}

static int
master_setup_events(struct master *m, char *err, size_t errsize)
{
	static const int sigs[] = {
		SIGCHLD, SIGHUP, SIGQUIT, SIGTERM, SIGINT, SIGUSR1,
	};
	struct timeval tick = { 0, MASTER_TICK_MS * 1000 };

	if ((m->base = event_base_new()) == NULL) {
		snprintf(err, errsize, "cannot create an event base");
		return -1;
	}
	if (master_admin_start(m, err, errsize) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	if ((m->sigfd = proc_signalfd(sigs, HL_ARRAY_LEN(sigs))) == -1) {
		snprintf(err, errsize, "signalfd: %s", strerror(errno));
		return -1;
	}
	m->sig_event = event_new(m->base, m->sigfd, EV_READ | EV_PERSIST,
	    master_signal_cb, m);
	m->tick_event = event_new(m->base, -1, EV_PERSIST, master_tick_cb, m);
	event_add(m->sig_event, NULL);
	evtimer_add(m->tick_event, &tick);
	return 0;
}

/* OpenSSL loads its configuration and providers lazily; do it once here so
 * no worker does it after fork (DESIGN.md section 1). */
static int
master_preload_openssl(char *err, size_t errsize)
{
	EVP_MD *md;

	if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1 ||
	    (md = EVP_MD_fetch(NULL, "SHA1", NULL)) == NULL) {
		snprintf(err, errsize, "cannot initialise OpenSSL");
		return -1;
	}
	EVP_MD_free(md);
	if ((md = EVP_MD_fetch(NULL, "SHA256", NULL)) != NULL)
		EVP_MD_free(md);
	return 0;
}

/* Built-in handlers and modules register now, in the master, so every
 * worker forks with the same sealed table. */
static int
master_load_handlers(struct master *m, char *err, size_t errsize)
{
	if (handlers_register(&m->cf, err, errsize) == -1 ||
	    bcast_handlers_register(&m->cf, err, errsize) == -1 ||
	    module_load_all(&m->cf, err, errsize) == -1)
		return -1;
	router_seal();
	return 0;
}

/* Everything that can fail before workers start, in an order that lets an
 * error reach the terminal: bind first, then detach, then the loop. */
static int
master_setup(struct master *m, char *err, size_t errsize)
{
	long nofile = proc_raise_nofile();
	uint32_t nslots = (uint32_t)m->cf.max_workers * 2;

	if (master_resolve_user(m, err, errsize) == -1 ||
	    master_preload_openssl(err, errsize) == -1 ||
	    master_load_handlers(m, err, errsize) == -1)
		return -1;
	if (listener_open(&m->listener, m->cf.listen, m->cf.listen_backlog,
	    err, errsize) == -1 ||
	    listener_ensure(&m->listener, m->cf.workers, err, errsize) == -1)
		return -1;
	if (m->opt.daemonize) {
		if (daemon_detach(err, errsize) == -1)
			return -1;
		if (m->cf.log_file[0] == '\0')
			log_open(LOG_TARGET_SYSLOG, NULL);
	}
	if (m->cf.pidfile[0] != '\0' &&
	    daemon_pidfile_open(m->cf.pidfile, err, errsize) == -1)
		return -1;
	if (shm_create(&m->shm, nslots, prof_cpu_ring_bytes(),
	    prof_event_ring_bytes(),
	    bcast_region_bytes(&m->cf, nslots)) == -1) {
		snprintf(err, errsize, "shared memory: %s", strerror(errno));
		return -1;
	}
	report_store_init(&m->reports, m->cf.profiling_output_dir,
	    m->cf.profiling_max_reports, m->cf.profiling_max_report_bytes);
	if (master_setup_events(m, err, errsize) == -1 ||
	    bcast_master_init(&m->shm, &m->cf, m->base, err, errsize) == -1 ||
	    auth_master_init(&m->cf, m->shm.hdr->nslots, err, errsize) == -1)
		return -1;
	/* After the signal mask is set (the reporter thread inherits it) and
	 * before the first fork (workers attach to formatted rings). */
	if (prof_master_start(&(struct prof_host){ &m->cf, &m->shm, m->base,
	    &m->reports, &m->retired }, err, errsize) == -1)
		return -1;
	log_debug("open-file limit %ld", nofile);
	return 0;
}

static void
master_announce(struct master *m)
{
	char ws[128], state[64];

	netaddr_format(&m->listener.addr, ws, sizeof ws);
	log_notice("hotlined %s ready: WebSocket ws://%s/web, admin http://%s/,"
	    " %d workers", PACKAGE_VERSION, ws, admin_address(m->admin),
	    m->cf.workers);
	daemon_ready();
	snprintf(state, sizeof state, "READY=1\nMAINPID=%ld", (long)getpid());
	daemon_notify(state);
}

static void
master_cleanup(struct master *m)
{
	admin_stop(m->admin);
	bcast_master_free();
	auth_master_free();
	if (m->sig_event != NULL)
		event_free(m->sig_event);
	if (m->tick_event != NULL)
		event_free(m->tick_event);
	if (m->sigfd > 0)
		close(m->sigfd);
	if (m->base != NULL)
		event_base_free(m->base);
	listener_close(&m->listener);
	shm_destroy(&m->shm);
	report_store_free(&m->reports);
	daemon_pidfile_remove();
	router_reset();
	config_free(&m->cf);
}

int
master_run(const struct master_options *opt, struct config *cf)
{
	struct master *m = &master;
	char err[1024];
	int rc = 0;

	m->opt = *opt;
	m->cf = *cf;
	memset(cf, 0, sizeof *cf);
	m->sigfd = -1;
	log_set_role("master");
	if (master_setup(m, err, sizeof err) == -1) {
		rc = master_fail(err);
		goto out;
	}
	supervisor_init(&m->sup, (int)m->shm.hdr->nslots);
	supervisor_converge(m);
	master_announce(m);
	event_base_dispatch(m->base);
	prof_master_stop(m->stop == MASTER_STOP_GRACEFUL);
	if (reporter_abandoned()) {
		/* The reporter thread still runs: tearing down what it reads
		 * (routes, config, libraries' atexit state) would race it. */
		log_notice("stopped (the last report was skipped)");
		daemon_pidfile_remove();
		_exit(0);
	}
	log_notice("stopped");
out:
	master_cleanup(m);
	return rc;
}
