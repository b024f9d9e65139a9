/* Process titles as nginx and Redis set them: `ps` shows "hotlined:
 * master" and "hotlined: worker 3 gen 2" instead of the command line. */
#ifndef HL_PROCTITLE_H
#define HL_PROCTITLE_H

/* Call first in main(): moves argv's strings and the environment to the
 * heap (argv[i] and environ then point at the copies, kept for the life of
 * the process) so their original area can hold a title. */
void	 proctitle_init(int argc, char **argv);
/* Write a title over the original area, truncated to its size; does
 * nothing before proctitle_init. */
void	 proctitle_set(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
