/*
 * The SIGPROF handler and its timer. QUARANTINED: everything the handler
 * reaches must be async-signal-safe. It may call only:
 *   clock_gettime, timer_settime        (async-signal-safe per POSIX)
 *   ioctl(PERF_EVENT_IOC_PERIOD)        (a plain system call, no libc state:
 *       the perf timer's next random period)
 *   unw_init_local2, unw_step, unw_get_reg  (libunwind local unwinding with
 *       the global cache, set up before the timer is armed; never
 *       unw_backtrace, whose per-thread cache munmaps and calls
 *       pthread_once, never unw_get_proc_name)
 *   ring_reserve, ring_commit           (lock-free, no allocation)
 * and read plain memory. No malloc, no locks, no stdio, no logging; errno
 * is saved and restored. Debug builds prove "no malloc" with a hook that
 * aborts when entered from the handler (sampler_in_handler).
 */
#include "autoconf.h"

#define UNW_LOCAL_ONLY
#include <errno.h>
#include <fcntl.h>
#include <libunwind.h>
#include <linux/perf_event.h>
#include <link.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "prof/ring.h"
#include "prof/record.h"
#include "prof/sampler.h"
#include "core/util.h"

volatile sig_atomic_t	 sampler_pkg_id = SAMPLE_NO_PKG;
volatile sig_atomic_t	 sampler_in_handler;

static struct {
	struct ring		*ring;
	timer_t			 timer;
	int			 have_timer;	/* a timer or perf event set */
	int			 perf_fd;	/* -1: the POSIX timer */
	int			 perf_user_only;
	volatile sig_atomic_t	 armed;
	int			 wall;
	unsigned		 depth;
	uint64_t		 mean_ns;
	uint64_t		 rng;		/* xorshift64 state, seeded per
						 * worker after fork so workers
						 * do not sample in lockstep */
	uint64_t		 last_cpu_ns;
	uint64_t		 last_wall_ns;
	uint64_t		 samples;
	uint64_t		 dropped;
	uint64_t		 handler_ns;
	uint64_t		 delivery_ns;
} sampler = { .perf_fd = -1 };

static uint64_t
ns_of(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}


/* The next interval, uniform in [mean/2, 3 mean/2), so periodic work is
 * not aliased with the sampling period. */
static void
sampler_rearm(void)
{
	uint64_t ns = sampler.mean_ns / 2 +
	    hl_xorshift64(&sampler.rng) % sampler.mean_ns;
	struct itimerspec its;

	if (sampler.perf_fd >= 0) {
		/* Restarts the period from now, in the thread's CPU time. */
		ioctl(sampler.perf_fd, PERF_EVENT_IOC_PERIOD, &ns);
		return;
	}
	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = (time_t)(ns / 1000000000ULL);
	its.it_value.tv_nsec = (long)(ns % 1000000000ULL);
	timer_settime(sampler.timer, 0, &its, NULL);
}

/* A signal from our timer: perf's overflow (POLL_IN on its fd) or the POSIX
 * timer's; anything else (a stray kill -PROF) is not a sample. */
static int
sampler_ours(const siginfo_t *si)
{
	if (sampler.perf_fd >= 0)
		return si->si_code == POLL_IN && si->si_fd == sampler.perf_fd;
	return si->si_code == SI_TIMER;
}

/* A sample taken in the kernel: the interrupted instruction follows a
 * `syscall` (0f 05), or is one when the kernel rewound it for a restart.
 * Reading ip - 2 stays inside the mapped text page unless ip is at its
 * very start, which is skipped. */
static int
sampler_in_syscall(uint64_t ip)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)ip;

	if ((ip & 0xfff) >= 2 && p[-2] == 0x0f && p[-1] == 0x05)
		return 1;
	return (ip & 0xfff) <= 0xffe && p[0] == 0x0f && p[1] == 0x05;
}

/* Unwind from the signal frame into pcs; returns the depth. */
static unsigned
sampler_unwind(ucontext_t *uc, uint64_t *pcs, unsigned max, int *truncated)
{
	unw_cursor_t cursor;
	unw_word_t ip;
	unsigned n = 0;

	*truncated = 0;
	if (unw_init_local2(&cursor, (unw_context_t *)uc,
	    UNW_INIT_SIGNAL_FRAME) < 0)
		return 0;
	do {
		if (n == max) {
			*truncated = 1;
			break;
		}
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		pcs[n++] = ip;
	} while (unw_step(&cursor) > 0);
	return n;
}

static void
sampler_record(ucontext_t *uc, uint64_t now_cpu, uint64_t now_wall)
{
	struct sample_cpu *s;
	unsigned depth;
	int truncated;

	s = ring_reserve(sampler.ring, sample_bytes(SAMPLE_CPU, sampler.depth));
	if (s == NULL) {
		sampler.dropped++;
		return;
	}
	depth = sampler_unwind(uc, s->pcs, sampler.depth, &truncated);
	sample_hdr_init(&s->hdr, SAMPLE_CPU, depth, now_wall);
	s->weight_ns = sampler.wall ? now_wall - sampler.last_wall_ns :
	    now_cpu - sampler.last_cpu_ns;
	s->pkg_id = (int32_t)sampler_pkg_id;
	s->reserved = 0;
	if (truncated)
		s->hdr.flags |= SAMPLE_F_TRUNCATED;
	if (sampler.wall)
		s->hdr.flags |= SAMPLE_CPU_WALL;
	if (depth > 0 && sampler_in_syscall(s->pcs[0]))
		s->hdr.flags |= SAMPLE_CPU_SYSTEM;
	ring_commit(sampler.ring, sample_bytes(SAMPLE_CPU, depth));
	sampler.samples++;
}

static void
sampler_handler(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	uint64_t now_cpu, now_wall;

	if (!sampler.armed || sampler_in_handler || !sampler_ours(si)) {
		errno = saved;
		return;
	}
	sampler_in_handler = 1;
	now_cpu = ns_of(CLOCK_THREAD_CPUTIME_ID);
	now_wall = ns_of(CLOCK_MONOTONIC);
	sampler_record(ctx, now_cpu, now_wall);
	sampler.last_cpu_ns = now_cpu;
	sampler.last_wall_ns = now_wall;
	sampler_rearm();
	sampler.handler_ns += ns_of(CLOCK_THREAD_CPUTIME_ID) - now_cpu;
	sampler_in_handler = 0;
	errno = saved;
}

/* What a signal costs outside the handler: raise SIGPROF at ourselves while
 * the handler returns at once (not armed; the signal is not a timer's),
 * and time the round trips on the thread's CPU clock. An estimate: a timer
 * overflow also pays the timer interrupt. */
static void
sampler_calibrate(void)
{
	enum { N = 64 };
	uint64_t t0;
	int i;

	t0 = ns_of(CLOCK_THREAD_CPUTIME_ID);
	for (i = 0; i < N; i++)
		raise(SIGPROF);
	sampler.delivery_ns = (ns_of(CLOCK_THREAD_CPUTIME_ID) - t0) / N;
}

/* One unwind outside the handler: libunwind reads unwind tables and sets
 * up its caches lazily, which must not first happen inside a signal. */
static void
sampler_warm_up(void)
{
	unw_context_t uc;
	unw_cursor_t cursor;
	unw_word_t ip;

	unw_getcontext(&uc);
	if (unw_init_local(&cursor, &uc) < 0)
		return;
	do {
		unw_get_reg(&cursor, UNW_REG_IP, &ip);
	} while (unw_step(&cursor) > 0);
}

/* The thread's task clock, counting only while it runs; overflows raise
 * SIGPROF in this thread (F_SETOWN_EX), one per period (continuous mode:
 * a handler that returns early cannot stop the sampling for good). */
int
sampler_open_perf(void)
{
	struct perf_event_attr attr;
	struct f_owner_ex owner;
	int fd, saved;

	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.sample_period = 10000000;	/* replaced at start */
	attr.disabled = 1;
	attr.wakeup_events = 1;
	attr.exclude_hv = 1;
	fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1,
	    PERF_FLAG_FD_CLOEXEC);
	if (fd == -1 && errno == EACCES) {
		/* perf_event_paranoid 2 without CAP_PERFMON: user time only. */
		attr.exclude_kernel = 1;
		sampler.perf_user_only = 1;
		fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1,
		    PERF_FLAG_FD_CLOEXEC);
	}
	if (fd == -1)
		return -1;
	owner.type = F_OWNER_TID;
	owner.pid = (pid_t)syscall(SYS_gettid);
	if (fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETSIG, SIGPROF) == -1 ||
	    fcntl(fd, F_SETOWN_EX, &owner) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	sampler.perf_fd = fd;
	return 0;
}

/* The POSIX timer on the thread's CPU clock or the monotonic clock. */
static int
sampler_posix_timer(int wall)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGPROF;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	return timer_create(wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID,
	    &sev, &sampler.timer);
}

int
sampler_init(struct ring *cpu_ring, const struct sampler_config *cf)
{
	struct sigaction sa;
	uint64_t min;

	sampler.ring = cpu_ring;
	sampler.wall = cf->wall;
	sampler.depth = cf->depth;
	if (cf->wall && sampler.perf_fd >= 0) {
		close(sampler.perf_fd);	/* wall time is the POSIX timer's */
		sampler.perf_fd = -1;
	}
	min = sampler.perf_fd >= 0 ? SAMPLER_PERF_MIN_NS :
	    SAMPLER_MIN_INTERVAL_NS;
	sampler.mean_ns = cf->mean_ns < min ? min : cf->mean_ns;
	sampler.rng = ns_of(CLOCK_MONOTONIC) ^ ((uint64_t)getpid() << 32) ^
	    0x9e3779b97f4a7c15ULL;
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_GLOBAL);
	sampler_warm_up();
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = sampler_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) == -1)
		return -1;
	sampler_calibrate();
	if (sampler.perf_fd < 0 && sampler_posix_timer(cf->wall) == -1)
		return -1;
	sampler.have_timer = 1;
	return 0;
}

int
sampler_timer(void)
{
	if (!sampler.have_timer)
		return SAMPLER_TIMER_NONE;
	return sampler.perf_fd >= 0 ? SAMPLER_TIMER_PERF : SAMPLER_TIMER_POSIX;
}

int
sampler_perf_user_only(void)
{
	return sampler.perf_fd >= 0 && sampler.perf_user_only;
}

int
sampler_start(void)
{
	if (!sampler.have_timer)
		return -1;
	sampler.last_cpu_ns = ns_of(CLOCK_THREAD_CPUTIME_ID);
	sampler.last_wall_ns = ns_of(CLOCK_MONOTONIC);
	sampler.armed = 1;
	if (sampler.perf_fd >= 0) {
		ioctl(sampler.perf_fd, PERF_EVENT_IOC_RESET, 0);
		sampler_rearm();
		return ioctl(sampler.perf_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	sampler_rearm();
	return 0;
}

int
sampler_stop(void)
{
	struct itimerspec off;

	if (!sampler.have_timer)
		return -1;
	sampler.armed = 0;
	if (sampler.perf_fd >= 0)
		return ioctl(sampler.perf_fd, PERF_EVENT_IOC_DISABLE, 0);
	memset(&off, 0, sizeof off);
	return timer_settime(sampler.timer, 0, &off, NULL);
}

void
sampler_free(void)
{
	if (!sampler.have_timer)
		return;
	sampler_stop();
	if (sampler.perf_fd >= 0) {
		close(sampler.perf_fd);
		sampler.perf_fd = -1;
	} else {
		timer_delete(sampler.timer);
	}
	sampler.have_timer = 0;
}

void
sampler_get_stats(struct sampler_stats *st)
{
	st->samples = sampler.samples;
	st->dropped = sampler.dropped;
	st->handler_ns = sampler.handler_ns;
	st->delivery_ns = sampler.delivery_ns;
}
