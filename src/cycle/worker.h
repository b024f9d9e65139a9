/*
 * A worker process: its own libevent loop accepting on its index's socket,
 * a heartbeat and counters in its scoreboard slot, and clean stop paths
 * (fast on SIGTERM, draining on SIGQUIT).
 */
#ifndef HL_WORKER_H
#define HL_WORKER_H

struct master;

/* The child side of a spawn: never returns. */
void	 worker_main(struct master *m, int slot, int index)
	    __attribute__((noreturn));

#endif
