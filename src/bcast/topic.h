/*
 * The topic registry of one worker: topic name -> the members subscribed
 * to it, with intrusive lists both ways (a topic's members, a member's
 * topics), so delivery walks a list and allocates nothing, and a member
 * that goes away leaves all its topics in one walk. Members are opaque
 * pointers (a connection in the daemon, anything in a test). A topic with
 * no members is freed, except while a walk over it is running.
 */
#ifndef HL_TOPIC_H
#define HL_TOPIC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

struct topic;
struct topic_sub;

/* What a member embeds: the head of its own subscriptions. */
struct topic_member {
	struct topic_sub	*subs;
	uint32_t		 nsubs;
};

struct topic_registry {
	struct topic	**buckets;
	size_t		  nbuckets;	/* a power of two */
	size_t		  ntopics;
	size_t		  nsubs;
};

enum topic_result {
	TOPIC_OK = 0,
	TOPIC_ALREADY = 1,	/* join: already a member; leave: was not */
	TOPIC_LIMIT = -1,	/* the member has max topics already */
};

void	 topic_registry_init(struct topic_registry *reg);
/* Free every topic and subscription; members' heads are left dangling
 * (worker exit, or the end of a test). */
void	 topic_registry_free(struct topic_registry *reg);

/* Subscribe member (owner is what walks hand back) to name[0..len), which
 * is copied. At most max topics per member. */
enum topic_result topic_join(struct topic_registry *reg,
	    struct topic_member *m, void *owner, const char *name, size_t len,
	    uint32_t max);
enum topic_result topic_leave(struct topic_registry *reg,
	    struct topic_member *m, const char *name, size_t len);
/* Leave every topic (a closed connection). */
void	 topic_leave_all(struct topic_registry *reg, struct topic_member *m);

/* Call fn(owner, arg) for every member of name[0..len). fn may make any
 * member (its own included) leave topics or all of them: the walk holds
 * on to the next member first. Returns the members visited. */
typedef void topic_visit_fn(void *owner, void *arg);
size_t	 topic_each(struct topic_registry *reg, const char *name, size_t len,
	    topic_visit_fn *fn, void *arg);
/* Members of name, 0 for an unknown topic. */
size_t	 topic_count(const struct topic_registry *reg, const char *name,
	    size_t len);

#endif
