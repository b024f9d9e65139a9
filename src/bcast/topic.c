/* The per-worker topic registry (see topic.h). */
#include "autoconf.h"

#include <string.h>

#include "bcast/topic.h"
#include "core/util.h"

#define TOPIC_FIRST_BUCKETS	64

struct topic_sub {
	TAILQ_ENTRY(topic_sub)	 in_topic;
	struct topic_sub	*next;		/* the member's next topic */
	struct topic		*topic;
	void			*owner;		/* NULL: left during a walk */
};

TAILQ_HEAD(topic_subs, topic_sub);

struct topic {
	struct topic		*next;		/* hash chain */
	struct topic_subs	 subs;
	uint32_t		 count;		/* live members */
	uint32_t		 walking;	/* walks in progress */
	uint32_t		 dead;		/* left during a walk */
	uint32_t		 hash;
	size_t			 len;
	char			 name[];
};

/* FNV-1a: names are short and chosen by clients; the table grows, so a
 * long chain costs a client only its own topics' lookups. */
static uint32_t
topic_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

void
topic_registry_init(struct topic_registry *reg)
{
	memset(reg, 0, sizeof *reg);
}

static struct topic *
topic_find(const struct topic_registry *reg, const char *name, size_t len,
    uint32_t h)
{
	struct topic *t;

	if (reg->nbuckets == 0)
		return NULL;
	for (t = reg->buckets[h & (reg->nbuckets - 1)]; t != NULL; t = t->next)
		if (t->hash == h && t->len == len &&
		    memcmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

/* Double the table when it averages more than one topic a bucket. */
static void
topic_grow(struct topic_registry *reg)
{
	size_t n = reg->nbuckets ? reg->nbuckets * 2 : TOPIC_FIRST_BUCKETS, i;
	struct topic **b = xcalloc(n, sizeof *b), *t, *next;

	for (i = 0; i < reg->nbuckets; i++) {
		for (t = reg->buckets[i]; t != NULL; t = next) {
			next = t->next;
			t->next = b[t->hash & (n - 1)];
			b[t->hash & (n - 1)] = t;
		}
	}
	free(reg->buckets);
	reg->buckets = b;
	reg->nbuckets = n;
}

static struct topic *
topic_create(struct topic_registry *reg, const char *name, size_t len,
    uint32_t h)
{
	struct topic *t = xcalloc(1, sizeof *t + len + 1);

	if (reg->ntopics >= reg->nbuckets)
		topic_grow(reg);
	TAILQ_INIT(&t->subs);
	t->hash = h;
	t->len = len;
	memcpy(t->name, name, len);
	t->next = reg->buckets[h & (reg->nbuckets - 1)];
	reg->buckets[h & (reg->nbuckets - 1)] = t;
	reg->ntopics++;
	return t;
}

static void
topic_destroy(struct topic_registry *reg, struct topic *t)
{
	struct topic **pp = &reg->buckets[t->hash & (reg->nbuckets - 1)];

	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	reg->ntopics--;
	free(t);
}

enum topic_result
topic_join(struct topic_registry *reg, struct topic_member *m, void *owner,
    const char *name, size_t len, uint32_t max)
{
	uint32_t h = topic_hash(name, len);
	struct topic *t = topic_find(reg, name, len, h);
	struct topic_sub *s;

	for (s = m->subs; t != NULL && s != NULL; s = s->next)
		if (s->topic == t)
			return TOPIC_ALREADY;
	if (m->nsubs >= max)
		return TOPIC_LIMIT;
	if (t == NULL)
		t = topic_create(reg, name, len, h);
	s = xmalloc(sizeof *s);
	s->topic = t;
	s->owner = owner;
	s->next = m->subs;
	m->subs = s;
	m->nsubs++;
	TAILQ_INSERT_TAIL(&t->subs, s, in_topic);
	t->count++;
	reg->nsubs++;
	return TOPIC_OK;
}

/* Take s out of its topic (s is already off its member's list). */
static void
topic_unlink(struct topic_registry *reg, struct topic_sub *s)
{
	struct topic *t = s->topic;

	t->count--;
	reg->nsubs--;
	if (t->walking > 0) {
		s->owner = NULL;	/* the walk frees it */
		t->dead++;
		return;
	}
	TAILQ_REMOVE(&t->subs, s, in_topic);
	free(s);
	if (t->count == 0)
		topic_destroy(reg, t);
}

enum topic_result
topic_leave(struct topic_registry *reg, struct topic_member *m,
    const char *name, size_t len)
{
	struct topic *t = topic_find(reg, name, len, topic_hash(name, len));
	struct topic_sub **pp, *s;

	for (pp = &m->subs; t != NULL && (s = *pp) != NULL; pp = &s->next) {
		if (s->topic != t)
			continue;
		*pp = s->next;
		m->nsubs--;
		topic_unlink(reg, s);
		return TOPIC_OK;
	}
	return TOPIC_ALREADY;
}

void
topic_leave_all(struct topic_registry *reg, struct topic_member *m)
{
	struct topic_sub *s, *next;

	for (s = m->subs; s != NULL; s = next) {
		next = s->next;
		topic_unlink(reg, s);
	}
	m->subs = NULL;
	m->nsubs = 0;
}

/* After the last walk: free what left meanwhile, and an empty topic. */
static void
topic_walk_done(struct topic_registry *reg, struct topic *t)
{
	struct topic_sub *s, *next;

	if (--t->walking > 0 || t->dead == 0)
		return;
	for (s = TAILQ_FIRST(&t->subs); s != NULL; s = next) {
		next = TAILQ_NEXT(s, in_topic);
		if (s->owner == NULL) {
			TAILQ_REMOVE(&t->subs, s, in_topic);
			free(s);
		}
	}
	t->dead = 0;
	if (t->count == 0)
		topic_destroy(reg, t);
}

size_t
topic_each(struct topic_registry *reg, const char *name, size_t len,
    topic_visit_fn *fn, void *arg)
{
	struct topic *t = topic_find(reg, name, len, topic_hash(name, len));
	struct topic_sub *s, *last;
	size_t n = 0;

	if (t == NULL)
		return 0;
	t->walking++;
	/* Members joining during the walk are not visited. */
	last = TAILQ_LAST(&t->subs, topic_subs);
	TAILQ_FOREACH(s, &t->subs, in_topic) {
		if (s->owner != NULL) {
			fn(s->owner, arg);
			n++;
		}
		if (s == last)
			break;
	}
	topic_walk_done(reg, t);
	return n;
}

size_t
topic_count(const struct topic_registry *reg, const char *name, size_t len)
{
	struct topic *t = topic_find(reg, name, len, topic_hash(name, len));

	return t != NULL ? t->count : 0;
}

void
topic_registry_free(struct topic_registry *reg)
{
	struct topic *t, *next;
	struct topic_sub *s, *snext;
	size_t i;

	for (i = 0; i < reg->nbuckets; i++) {
		for (t = reg->buckets[i]; t != NULL; t = next) {
			next = t->next;
			for (s = TAILQ_FIRST(&t->subs); s != NULL; s = snext) {
				snext = TAILQ_NEXT(s, in_topic);
				free(s);
			}
			free(t);
		}
	}
	free(reg->buckets);
	memset(reg, 0, sizeof *reg);
}
