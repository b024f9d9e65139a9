/* The schema compiler: schema JSON into the tree of schema_tree.h, with
 * errors that name the schema path. */
#include "autoconf.h"

#include <string.h>

#include "app/schema_tree.h"
#include "core/util.h"

static struct schema	*compile_node(struct schema_ctx *, const json_t *);

/* The bit of a type name, or 0 when it is not one. */
static unsigned
type_bit(const char *name)
{
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(schema_types); i++)
		if (strcmp(schema_types[i].name, name) == 0)
			return schema_types[i].bit;
	return 0;
}

/* Add one type name from "type" to the node. */
static int
compile_type_name(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	unsigned bit;

	if (!json_is_string(v))
		return schema_fail(c, "expected a type name string");
	bit = type_bit(json_string_value(v));
	if (bit == 0)
		return schema_fail(c, "unknown type \"%s\"",
		    json_string_value(v));
	if (s->types & bit)
		return schema_fail(c, "type \"%s\" listed twice",
		    json_string_value(v));
	s->types |= bit;
	return 0;
}

static int
compile_type(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	const json_t *name;
	size_t i, mark;

	if (!json_is_array(v))
		return compile_type_name(c, s, v);
	if (json_array_size(v) == 0)
		return schema_fail(c, "expected at least one type");
	json_array_foreach(v, i, name) {
		mark = schema_path_push(c, "[%zu]", i);
		if (compile_type_name(c, s, name) == -1)
			return -1;
		schema_path_pop(c, mark);
	}
	return 0;
}

static int
compile_enum(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) == 0)
		return schema_fail(c, "expected a non-empty array");
	s->enum_values = json_deep_copy(v);
	if (s->enum_values == NULL)
		fatalx("out of memory copying a schema enum");
	return 0;
}

/* minimum / maximum: any number, kept as given. */
static int
compile_bound(struct schema_ctx *c, json_t **slot, const json_t *v)
{
	if (!json_is_number(v))
		return schema_fail(c, "expected a number");
	*slot = json_deep_copy(v);
	if (*slot == NULL)
		fatalx("out of memory copying a schema bound");
	return 0;
}

static int
compile_minimum(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	return compile_bound(c, &s->minimum, v);
}

static int
compile_maximum(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	return compile_bound(c, &s->maximum, v);
}

/* The length and count keywords: a non-negative integer. */
static int
compile_count(struct schema_ctx *c, json_int_t *slot, const json_t *v)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return schema_fail(c, "expected a non-negative integer");
	*slot = json_integer_value(v);
	return 0;
}

static int
compile_min_length(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	return compile_count(c, &s->min_length, v);
}

static int
compile_max_length(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	return compile_count(c, &s->max_length, v);
}

static int
compile_min_items(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	return compile_count(c, &s->min_items, v);
}

static int
compile_max_items(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	return compile_count(c, &s->max_items, v);
}

static int
compile_required(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	const json_t *name;
	size_t i;

	if (!json_is_array(v))
		return schema_fail(c, "expected an array of property names");
	s->required = xcalloc(json_array_size(v) + 1, sizeof *s->required);
	json_array_foreach(v, i, name) {
		if (!json_is_string(name)) {
			schema_path_push(c, "[%zu]", i);
			return schema_fail(c,
			    "expected a property name string");
		}
		s->required[s->nrequired++] = xstrdup(json_string_value(name));
	}
	return 0;
}

static int
compile_properties(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	struct schema_property *p;
	const char *name;
	json_t *sub;
	size_t mark;

	if (!json_is_object(v))
		return schema_fail(c, "expected an object of schemas");
	s->properties = xcalloc(json_object_size(v) + 1,
	    sizeof *s->properties);
	json_object_foreach((json_t *)v, name, sub) {
		p = &s->properties[s->nproperties];
		mark = schema_path_push(c, ".%s", name);
		p->schema = compile_node(c, sub);
		if (p->schema == NULL)
			return -1;
		schema_path_pop(c, mark);
		p->name = xstrdup(name);
		s->nproperties++;
	}
	return 0;
}

static int
compile_additional(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	if (json_is_boolean(v)) {
		s->additional = json_is_true(v) ? SCHEMA_ADDITIONAL_ANY :
		    SCHEMA_ADDITIONAL_NONE;
		return 0;
	}
	s->additional_schema = compile_node(c, v);
	if (s->additional_schema == NULL)
		return -1;
	s->additional = SCHEMA_ADDITIONAL_SCHEMA;
	return 0;
}

static int
compile_items(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	if (json_is_array(v))
		return schema_fail(c, "expected one schema (the array form is "
		    "not supported)");
	s->items = compile_node(c, v);
	return s->items == NULL ? -1 : 0;
}

/* Every keyword the compiler knows; compile NULL marks an annotation. */
static const struct schema_keyword {
	const char	*name;
	int		(*compile)(struct schema_ctx *, struct schema *,
			    const json_t *);
} schema_keywords[] = {
	{ "type", compile_type },
	{ "enum", compile_enum },
	{ "minimum", compile_minimum },
	{ "maximum", compile_maximum },
	{ "minLength", compile_min_length },
	{ "maxLength", compile_max_length },
	{ "minItems", compile_min_items },
	{ "maxItems", compile_max_items },
	{ "required", compile_required },
	{ "properties", compile_properties },
	{ "additionalProperties", compile_additional },
	{ "items", compile_items },
	{ "$schema", NULL },
	{ "$id", NULL },
	{ "$comment", NULL },
	{ "title", NULL },
	{ "description", NULL },
	{ "default", NULL },
	{ "examples", NULL },
};

/* Compile one keyword of a schema object into s. */
static int
compile_keyword(struct schema_ctx *c, struct schema *s, const char *key,
    const json_t *v)
{
	const struct schema_keyword *kw = NULL;
	size_t i, mark;
	int rc;

	for (i = 0; i < HL_ARRAY_LEN(schema_keywords); i++)
		if (strcmp(schema_keywords[i].name, key) == 0)
			kw = &schema_keywords[i];
	if (kw == NULL)
		return schema_fail(c, "unsupported keyword \"%s\"", key);
	if (kw->compile == NULL)
		return 0;
	mark = schema_path_push(c, ".%s", key);
	rc = kw->compile(c, s, v);
	if (rc == 0)
		schema_path_pop(c, mark);
	return rc;
}

/* Compile a schema object into a new node, or NULL with the error set. */
static struct schema *
compile_node(struct schema_ctx *c, const json_t *doc)
{
	struct schema *s;
	const char *key;
	json_t *v;

	if (!json_is_object(doc)) {
		schema_fail(c, "expected a schema object");
		return NULL;
	}
	if (c->depth >= SCHEMA_MAX_DEPTH) {
		schema_fail(c, "schema nested deeper than %d levels",
		    SCHEMA_MAX_DEPTH);
		return NULL;
	}
	c->depth++;
	s = xcalloc(1, sizeof *s);
	s->min_length = s->max_length = s->min_items = s->max_items = -1;
	json_object_foreach((json_t *)doc, key, v) {
		if (compile_keyword(c, s, key, v) == -1) {
			schema_free(s);
			return NULL;
		}
	}
	c->depth--;
	return s;
}

struct schema *
schema_compile(const json_t *doc, char *err, size_t errlen)
{
	struct schema_ctx c;

	memset(&c, 0, sizeof c);
	c.err = err;
	c.errlen = errlen;
	schema_path_push(&c, "schema");
	if (errlen > 0)
		err[0] = '\0';
	return compile_node(&c, doc);
}

void
schema_free(struct schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	json_decref(s->enum_values);
	json_decref(s->minimum);
	json_decref(s->maximum);
	for (i = 0; i < s->nproperties; i++) {
		free(s->properties[i].name);
		schema_free(s->properties[i].schema);
	}
	free(s->properties);
	for (i = 0; i < s->nrequired; i++)
		free(s->required[i]);
	free(s->required);
	schema_free(s->additional_schema);
	schema_free(s->items);
	free(s);
}
