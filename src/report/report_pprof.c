/*
 * pprof's profile.proto for a window, through protobuf-c's generated code
 * (src/report/vendor/pprof) and zlib. Strings, functions, locations and
 * mappings are numbered once each through one small map keyed by pointers:
 * the symbolizer interns its strings, so equal names share a pointer.
 * Every message is allocated from the encoder's list and freed with it.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"
#include "core/util.h"
#include "profile/memsite.h"
#include "profile/stacktab.h"
#include "profile/symbolize.h"
#include "report/report_json.h"
#include "report/report_pprof.h"

typedef Perftools__Profiles__Profile	pb_profile;
typedef Perftools__Profiles__Sample	pb_sample;
typedef Perftools__Profiles__Label	pb_label;
typedef Perftools__Profiles__Location	pb_location;
typedef Perftools__Profiles__Line	pb_line;
typedef Perftools__Profiles__Function	pb_function;
typedef Perftools__Profiles__Mapping	pb_mapping;
typedef Perftools__Profiles__ValueType	pb_value_type;

/* (a, b) -> id, open addressing; id 0 is "absent". */
struct pp_slot {
	uint64_t	 a, b, id;
};

struct pp_map {
	struct pp_slot	*slots;
	size_t		 n, count;	/* n a power of two */
};

/* A growing array of message pointers, as protobuf-c wants them. */
struct pp_vec {
	void		**items;
	size_t		 n, cap;
};

struct pprof {
	struct symbolizer		*sym;
	const struct report_input	*in;
	struct pp_map			 strs, funcs, locs, maps;
	struct pp_vec			 strings, samples, locations;
	struct pp_vec			 functions, mappings;
	struct pp_vec			 owned;	/* everything to free */
};

/* The sample types and period of each kind (as Go's runtime/pprof). */
static const struct pprof_shape {
	const char	*types[2][2];		/* {type, unit} */
	const char	*period[2];
} pprof_shapes[] = {
	[PPROF_CPU] = { { { "samples", "count" }, { "cpu", "nanoseconds" } },
	    { "cpu", "nanoseconds" } },
	[PPROF_HEAP] = { { { "inuse_objects", "count" },
	    { "inuse_space", "bytes" } }, { "space", "bytes" } },
	[PPROF_ALLOCS] = { { { "alloc_objects", "count" },
	    { "alloc_space", "bytes" } }, { "space", "bytes" } },
	[PPROF_WINDOW_ALLOCS] = { { { "alloc_objects", "count" },
	    { "alloc_space", "bytes" } }, { "space", "bytes" } },
};

#define PPROF_MEMORY_WRAPPERS	"x(malloc|calloc|realloc|strdup)"

static const char *const pprof_class_names[] = {
	"own", "native", "system", "idle"
};

static size_t
pp_hash(uint64_t a, uint64_t b)
{
	uint64_t h = (a * 0x9e3779b97f4a7c15ULL) ^ (b + (a >> 29));

	return (size_t)(h ^ (h >> 31));
}

static struct pp_slot *
pp_map_slot(struct pp_map *m, uint64_t a, uint64_t b)
{
	size_t i = pp_hash(a, b) & (m->n - 1);

	while (m->slots[i].id != 0 && (m->slots[i].a != a ||
	    m->slots[i].b != b))
		i = (i + 1) & (m->n - 1);
	return &m->slots[i];
}

static uint64_t
pp_map_get(struct pp_map *m, uint64_t a, uint64_t b)
{
	return m->n == 0 ? 0 : pp_map_slot(m, a, b)->id;
}

static void
pp_map_put(struct pp_map *m, uint64_t a, uint64_t b, uint64_t id)
{
	struct pp_map old = *m;
	size_t i;

	if ((m->count + 1) * 2 > m->n) {
		m->n = HL_MAX(old.n * 2, 256);
		m->slots = xcalloc(m->n, sizeof *m->slots);
		for (i = 0; i < old.n; i++)
			if (old.slots[i].id != 0)
				*pp_map_slot(m, old.slots[i].a,
				    old.slots[i].b) = old.slots[i];
		free(old.slots);
	}
	*pp_map_slot(m, a, b) = (struct pp_slot){ a, b, id };
	m->count++;
}

static void
pp_push(struct pp_vec *v, void *item)
{
	if (v->n == v->cap) {
		v->cap = HL_MAX(v->cap * 2, 64);
		v->items = xrealloc(v->items, v->cap * sizeof *v->items);
	}
	v->items[v->n++] = item;
}

/* Zeroed memory freed with the encoder. */
static void *
pp_alloc(struct pprof *pp, size_t size)
{
	void *p = xcalloc(1, size);

	pp_push(&pp->owned, p);
	return p;
}

/* The string table index of s, a string that outlives the encoder or is
 * owned by it (pointers are the keys). */
static int64_t
pp_str(struct pprof *pp, const char *s)
{
	uint64_t id;

	if (s == NULL || *s == '\0')
		return 0;
	if ((id = pp_map_get(&pp->strs, (uintptr_t)s, 0)) != 0)
		return (int64_t)id;
	pp_push(&pp->strings, (void *)(uintptr_t)s);
	pp_map_put(&pp->strs, (uintptr_t)s, 0, pp->strings.n - 1);
	return (int64_t)pp->strings.n - 1;
}

/* A number as a string made here, kept in the owned list. */
static int64_t
pp_number(struct pprof *pp, long long n)
{
	char *s = pp_alloc(pp, 32);

	snprintf(s, 32, "%lld", n);
	return pp_str(pp, s);
}

static uint64_t
pp_function(struct pprof *pp, const struct sym_frame *f)
{
	pb_function *fn;
	uint64_t id;

	id = pp_map_get(&pp->funcs, (uintptr_t)f->function,
	    (uintptr_t)f->file);
	if (id != 0)
		return id;
	fn = pp_alloc(pp, sizeof *fn);
	perftools__profiles__function__init(fn);
	fn->id = pp->functions.n + 1;
	fn->name = fn->system_name = pp_str(pp, f->function);
	fn->filename = pp_str(pp, f->file != NULL ? f->file : f->object);
	pp_push(&pp->functions, fn);
	pp_map_put(&pp->funcs, (uintptr_t)f->function, (uintptr_t)f->file,
	    fn->id);
	return fn->id;
}

/* The mapping of the module pc lies in (0: none). */
static uint64_t
pp_mapping(struct pprof *pp, uint64_t pc, const struct sym_frame *f)
{
	struct sym_module mod;
	pb_mapping *m;
	uint64_t id;
	char *bid;

	if (f->object == NULL)
		return 0;
	if ((id = pp_map_get(&pp->maps, (uintptr_t)f->object, 1)) != 0)
		return id;
	if (symbolizer_module(pp->sym, pc, &mod) == -1)
		return 0;
	m = pp_alloc(pp, sizeof *m);
	perftools__profiles__mapping__init(m);
	m->id = pp->mappings.n + 1;
	m->memory_start = mod.start;
	m->memory_limit = mod.limit;
	m->filename = pp_str(pp, mod.path);
	bid = pp_alloc(pp, sizeof mod.build_id);
	memcpy(bid, mod.build_id, sizeof mod.build_id);
	m->build_id = pp_str(pp, bid);
	m->has_functions = m->has_inline_frames = 1;
	m->has_filenames = m->has_line_numbers = f->file != NULL;
	pp_push(&pp->mappings, m);
	pp_map_put(&pp->maps, (uintptr_t)f->object, 1, m->id);
	return m->id;
}

/* The location of a pc: its frames innermost first, as Line entries. */
static uint64_t
pp_location(struct pprof *pp, uint64_t pc, int is_return)
{
	struct sym_frame f[SYM_MAX_FRAMES];
	pb_location *loc;
	uint64_t id;
	int n, i;

	if ((id = pp_map_get(&pp->locs, pc, (uint64_t)is_return)) != 0)
		return id;
	n = symbolizer_lookup(pp->sym, pc, is_return, f, SYM_MAX_FRAMES);
	loc = pp_alloc(pp, sizeof *loc);
	perftools__profiles__location__init(loc);
	loc->id = pp->locations.n + 1;
	loc->address = is_return && pc > 0 ? pc - 1 : pc;
	loc->mapping_id = pp_mapping(pp, loc->address, &f[0]);
	loc->line = pp_alloc(pp, (size_t)n * sizeof *loc->line);
	for (i = 0; i < n; i++) {
		pb_line *l = pp_alloc(pp, sizeof *l);

		perftools__profiles__line__init(l);
		l->function_id = pp_function(pp, &f[i]);
		l->line = f[i].line;
		loc->line[loc->n_line++] = l;
	}
	pp_push(&pp->locations, loc);
	pp_map_put(&pp->locs, pc, (uint64_t)is_return, loc->id);
	return loc->id;
}

/* pprof names a profile after its first mapping: hotlined's own, found
 * through this very function (the workers fork from this process). */
static void
pp_main_mapping(struct pprof *pp)
{
	struct sym_frame f;
	uint64_t pc = (uint64_t)(uintptr_t)&report_pprof;

	if (symbolizer_lookup(pp->sym, pc, 0, &f, 1) == 1)
		pp_mapping(pp, pc, &f);
}

static pb_label *
pp_label(struct pprof *pp, const char *key, int64_t str, int64_t num)
{
	pb_label *l = pp_alloc(pp, sizeof *l);

	perftools__profiles__label__init(l);
	l->key = pp_str(pp, key);
	l->str = str;
	l->num = num;
	return l;
}

static const char *
pp_handler_name(const struct report_input *in, int32_t pkg_id)
{
	int i;

	for (i = 0; i < in->nhandlers; i++)
		if (in->handlers[i].pkg_id == pkg_id)
			return in->handlers[i].name;
	return NULL;
}

/* A sample of a stack (leaf first; pcs[0] exact when exact0) with two
 * values, labelled with its handler; room for two more labels. */
static pb_sample *
pp_sample(struct pprof *pp, const uint64_t *pcs, unsigned depth,
    int exact0, int32_t pkg_id, int64_t v0, int64_t v1)
{
	pb_sample *s = pp_alloc(pp, sizeof *s);
	const char *name = pp_handler_name(pp->in, pkg_id);
	unsigned i;

	perftools__profiles__sample__init(s);
	s->location_id = pp_alloc(pp, (depth + 1) * sizeof *s->location_id);
	for (i = 0; i < depth; i++)
		s->location_id[s->n_location_id++] = pp_location(pp, pcs[i],
		    i > 0 || !exact0);
	s->value = pp_alloc(pp, 2 * sizeof *s->value);
	s->value[0] = v0;
	s->value[1] = v1;
	s->n_value = 2;
	s->label = pp_alloc(pp, 4 * sizeof *s->label);
	if (pkg_id >= 0) {
		s->label[s->n_label++] = pp_label(pp, "pkg_id", 0, pkg_id);
		if (name != NULL)
			s->label[s->n_label++] = pp_label(pp, "handler",
			    pp_str(pp, name), 0);
	}
	pp_push(&pp->samples, s);
	return s;
}

/* CPU: a sample per stack, labelled with its worker slot and class. */
static void
pp_cpu(struct pprof *pp)
{
	const struct stacktab *tab = pp->in->tab;
	const struct stack_entry *e;
	pb_sample *s;
	size_t i = 0;

	while ((e = stacktab_next(tab, &i)) != NULL) {
		s = pp_sample(pp, stacktab_pcs(tab, e), e->depth, 1, e->pkg_id,
		    (int64_t)e->samples, (int64_t)e->weight_ns);
		s->label[s->n_label++] = pp_label(pp, "worker",
		    pp_number(pp, e->worker), 0);
		s->label[s->n_label++] = pp_label(pp, "kind",
		    pp_str(pp, pprof_class_names[e->cls & 3]), 0);
	}
}

/* Memory: a sample per site, in use or allocated since the start. */
static void
pp_mem(struct pprof *pp, enum pprof_kind kind)
{
	const struct memsnap *snap = pp->in->snap;
	const struct memsite *m;
	int64_t objects, bytes;
	size_t i;

	for (i = 0; snap != NULL && i < snap->nsites; i++) {
		m = &snap->sites[i];
		objects = (int64_t)(kind == PPROF_HEAP ? m->allocs - m->frees :
		    m->allocs);
		bytes = (int64_t)(kind == PPROF_HEAP ? m->live :
		    m->alloc_bytes);
		if (bytes > 0)
			pp_sample(pp, snap->arena + m->pcs_off, m->depth, 0,
			    m->pkg_id, objects, bytes);
	}
}

/* The window's allocations: its memory table's MEM_CLS_ALLOC stacks. */
static void
pp_mem_window(struct pprof *pp)
{
	const struct stacktab *mem = pp->in->mem;
	const struct stack_entry *e;
	size_t i = 0;

	while (mem != NULL && (e = stacktab_next(mem, &i)) != NULL)
		if (e->cls == MEM_CLS_ALLOC)
			pp_sample(pp, stacktab_pcs(mem, e), e->depth, 0,
			    e->pkg_id, (int64_t)e->samples,
			    (int64_t)e->weight_ns);
}

static pb_value_type *
pp_value_type(struct pprof *pp, const char *type, const char *unit)
{
	pb_value_type *vt = pp_alloc(pp, sizeof *vt);

	perftools__profiles__value_type__init(vt);
	vt->type = pp_str(pp, type);
	vt->unit = pp_str(pp, unit);
	return vt;
}

/* The header: sample types, period, times. */
static void
pp_header(struct pprof *pp, pb_profile *p, enum pprof_kind kind)
{
	const struct pprof_shape *sh = &pprof_shapes[kind];
	const char *clock = pp->in->wall ? "wall" : sh->types[1][0];
	int i;

	p->sample_type = pp_alloc(pp, 2 * sizeof *p->sample_type);
	for (i = 0; i < 2; i++)
		p->sample_type[i] = pp_value_type(pp, i == 1 &&
		    kind == PPROF_CPU ? clock : sh->types[i][0],
		    sh->types[i][1]);
	p->n_sample_type = 2;
	p->default_sample_type = p->sample_type[1]->type;
	p->period_type = pp_value_type(pp, kind == PPROF_CPU ? clock :
	    sh->period[0], sh->period[1]);
	p->period = kind == PPROF_CPU ?
	    (int64_t)pp->in->sample_interval_ms * 1000000 :
	    (int64_t)pp->in->memory_sample_bytes;
	p->time_nanos = (int64_t)(pp->in->start * 1e9);
	if (kind == PPROF_WINDOW_ALLOCS)
		p->duration_nanos = (int64_t)((pp->in->end - pp->in->start) *
		    1e9);
	if (kind != PPROF_CPU) {
		/* As Go's runtime.malloc: pprof drops the allocation wrappers
		 * from the leaf, so the line that asked is on top, as the JSON
		 * report charges it (report_json.c's wrappers). */
		p->drop_frames = pp_str(pp, PPROF_MEMORY_WRAPPERS);
		return;
	}
	p->duration_nanos = (int64_t)((pp->in->end - pp->in->start) * 1e9);
}

/* gzip of len bytes; NULL when zlib fails. */
static unsigned char *
pp_gzip(const uint8_t *data, size_t len, size_t *outlen)
{
	z_stream z = { 0 };
	unsigned char *out = NULL;
	uLong bound;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	bound = deflateBound(&z, (uLong)len) + 32;
	out = xmalloc(bound);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		free(out);
		out = NULL;
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

static void
pp_free(struct pprof *pp)
{
	size_t i;

	for (i = 0; i < pp->owned.n; i++)
		free(pp->owned.items[i]);
	free(pp->owned.items);
	free(pp->strings.items);
	free(pp->samples.items);
	free(pp->locations.items);
	free(pp->functions.items);
	free(pp->mappings.items);
	free(pp->strs.slots);
	free(pp->funcs.slots);
	free(pp->locs.slots);
	free(pp->maps.slots);
}

unsigned char *
report_pprof(struct symbolizer *sym, const struct report_input *in,
    enum pprof_kind kind, size_t *len)
{
	struct pprof pp = { .sym = sym, .in = in };
	pb_profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	unsigned char *gz;
	uint8_t *packed;
	size_t n;

	pp_push(&pp.strings, pp_alloc(&pp, 1));	/* string 0 is "" */
	pp_header(&pp, &p, kind);
	pp_main_mapping(&pp);
	if (kind == PPROF_CPU)
		pp_cpu(&pp);
	else if (kind == PPROF_WINDOW_ALLOCS)
		pp_mem_window(&pp);
	else
		pp_mem(&pp, kind);
	p.sample = (pb_sample **)pp.samples.items;
	p.n_sample = pp.samples.n;
	p.location = (pb_location **)pp.locations.items;
	p.n_location = pp.locations.n;
	p.function = (pb_function **)pp.functions.items;
	p.n_function = pp.functions.n;
	p.mapping = (pb_mapping **)pp.mappings.items;
	p.n_mapping = pp.mappings.n;
	p.string_table = (char **)pp.strings.items;
	p.n_string_table = pp.strings.n;
	n = perftools__profiles__profile__get_packed_size(&p);
	packed = xmalloc(n + 1);
	perftools__profiles__profile__pack(&p, packed);
	gz = pp_gzip(packed, n, len);
	free(packed);
	pp_free(&pp);
	return gz;
}
