/*
 * Worker supervision: which slot runs which worker index, spawning into free
 * slots, reaping, respawn backoff with crash-loop protection, and the
 * deadlines after which a worker that would not stop is killed.
 */
#ifndef HL_SUPERVISOR_H
#define HL_SUPERVISOR_H

#include <stdint.h>
#include <sys/types.h>

#define SUP_MAX_SLOTS		2048	/* 2 x max_workers at most */
#define SUP_FAST_DEATH_MS	5000	/* a worker dying younger crashed */
#define SUP_BACKOFF_FIRST_MS	250
#define SUP_BACKOFF_MAX_MS	30000
#define SUP_CRASH_LOOP		5	/* fast deaths in a row: say so */
#define SUP_FAST_STOP_MS	3000	/* SIGTERM -> SIGKILL */
#define SUP_DRAIN_GRACE_MS	2000	/* drain timeout + this -> SIGKILL */

struct master;

struct sup_slot {
	pid_t		 pid;		/* 0: free */
	int		 index;
	uint64_t	 epoch;
	uint64_t	 spawned_ms;	/* monotonic */
	uint64_t	 kill_at;	/* monotonic ms; 0: none */
	int		 draining;
	int		 stuck;		/* the watchdog logged it stuck */
	int		 watchdog_killed; /* SIGKILL sent, death pending */
};

struct sup_index {
	int		 fast_deaths;	/* in a row */
	uint64_t	 respawn_at;	/* monotonic ms */
	int		 last_slot;	/* reused on respawn; -1: none */
};

struct supervisor {
	struct sup_slot		 slots[SUP_MAX_SLOTS];
	struct sup_index	 index[SUP_MAX_SLOTS / 2];
	int			 nslots;
	uint64_t		 epoch;		/* generation of the workers */
	uint64_t		 restarts;	/* respawns after a death */
	uint64_t		 spawn_failures;
};

void	 supervisor_init(struct supervisor *sup, int nslots);
/* Start what the configuration asks for and is due; never blocks. */
void	 supervisor_converge(struct master *m);
/* Reap every exited child; called on SIGCHLD. */
void	 supervisor_reap(struct master *m);
/* Kill overdue workers and start due respawns; called on a timer. */
void	 supervisor_tick(struct master *m);
/* A new generation: old workers drain, new ones start. */
void	 supervisor_reload(struct master *m);
/* Ask every worker to stop, gracefully (SIGQUIT) or fast (SIGTERM). */
void	 supervisor_stop(struct master *m, int fast);
/* Forward a signal (SIGUSR1) to every live worker. */
void	 supervisor_signal(struct master *m, int sig);
int	 supervisor_live(const struct supervisor *sup);

#endif
