/* The JSON-schema subset: a compiler from schema JSON into a small tree and
 * a validator that walks that tree over a jansson value. */
#include "autoconf.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "schema.h"
#include "util.h"

/* Type bits of the "type" keyword. */
enum schema_type {
	SCHEMA_T_OBJECT = 1 << 0,
	SCHEMA_T_ARRAY = 1 << 1,
	SCHEMA_T_STRING = 1 << 2,
	SCHEMA_T_INTEGER = 1 << 3,
	SCHEMA_T_NUMBER = 1 << 4,
	SCHEMA_T_BOOLEAN = 1 << 5,
	SCHEMA_T_NULL = 1 << 6,
};

static const struct {
	const char	*name;
	unsigned	 bit;
} schema_types[] = {
	{ "object", SCHEMA_T_OBJECT },
	{ "array", SCHEMA_T_ARRAY },
	{ "string", SCHEMA_T_STRING },
	{ "integer", SCHEMA_T_INTEGER },
	{ "number", SCHEMA_T_NUMBER },
	{ "boolean", SCHEMA_T_BOOLEAN },
	{ "null", SCHEMA_T_NULL },
};

/* additionalProperties: absent/true, false, or a schema. */
enum schema_additional {
	SCHEMA_ADDITIONAL_ANY,
	SCHEMA_ADDITIONAL_NONE,
	SCHEMA_ADDITIONAL_SCHEMA,
};

struct schema_property {
	char		*name;
	struct schema	*schema;
};

/* One compiled schema node; absent bounds are -1 or NULL. */
struct schema {
	unsigned		 types;		/* 0: any type */
	json_t			*enum_values;	/* array, owned */
	json_t			*minimum;	/* number, owned */
	json_t			*maximum;
	json_int_t		 min_length, max_length;
	json_int_t		 min_items, max_items;
	struct schema_property	*properties;
	size_t			 nproperties;
	char			**required;
	size_t			 nrequired;
	enum schema_additional	 additional;
	struct schema		*additional_schema;
	struct schema		*items;
};

/* Compile or validate state: the path so far and where errors go. */
struct schema_ctx {
	char		 path[SCHEMA_ERROR_MAX];
	size_t		 pathlen;
	char		*err;
	size_t		 errlen;
	unsigned	 depth;
};

static struct schema	*compile_node(struct schema_ctx *, const json_t *);
static int		 validate_node(struct schema_ctx *,
			    const struct schema *, const json_t *);

/* Append to the path; returns the old length for path_pop. */
static size_t HL_PRINTF(2, 3)
path_push(struct schema_ctx *c, const char *fmt, ...)
{
	size_t old = c->pathlen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + old, sizeof c->path - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->pathlen = HL_MIN(old + (size_t)n, sizeof c->path - 1);
	return old;
}

static void
path_pop(struct schema_ctx *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

/* Write "path: reason" as the error; always returns -1. */
static int HL_PRINTF(2, 3)
ctx_fail(struct schema_ctx *c, const char *fmt, ...)
{
	char reason[SCHEMA_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: %s", c->path, reason);
	return -1;
}

/* --- compiling ----------------------------------------------------------- */

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
		return ctx_fail(c, "expected a type name string");
	bit = type_bit(json_string_value(v));
	if (bit == 0)
		return ctx_fail(c, "unknown type \"%s\"", json_string_value(v));
	if (s->types & bit)
		return ctx_fail(c, "type \"%s\" listed twice",
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
		return ctx_fail(c, "expected at least one type");
	json_array_foreach(v, i, name) {
		mark = path_push(c, "[%zu]", i);
		if (compile_type_name(c, s, name) == -1)
			return -1;
		path_pop(c, mark);
	}
	return 0;
}

static int
compile_enum(struct schema_ctx *c, struct schema *s, const json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) == 0)
		return ctx_fail(c, "expected a non-empty array");
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
		return ctx_fail(c, "expected a number");
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
		return ctx_fail(c, "expected a non-negative integer");
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
		return ctx_fail(c, "expected an array of property names");
	s->required = xcalloc(json_array_size(v) + 1, sizeof *s->required);
	json_array_foreach(v, i, name) {
		if (!json_is_string(name)) {
			path_push(c, "[%zu]", i);
			return ctx_fail(c, "expected a property name string");
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
		return ctx_fail(c, "expected an object of schemas");
	s->properties = xcalloc(json_object_size(v) + 1,
	    sizeof *s->properties);
	json_object_foreach((json_t *)v, name, sub) {
		p = &s->properties[s->nproperties];
		mark = path_push(c, ".%s", name);
		p->schema = compile_node(c, sub);
		if (p->schema == NULL)
			return -1;
		path_pop(c, mark);
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
		return ctx_fail(c, "expected one schema (the array form is "
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
		return ctx_fail(c, "unsupported keyword \"%s\"", key);
	if (kw->compile == NULL)
		return 0;
	mark = path_push(c, ".%s", key);
	rc = kw->compile(c, s, v);
	if (rc == 0)
		path_pop(c, mark);
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
		ctx_fail(c, "expected a schema object");
		return NULL;
	}
	if (c->depth >= SCHEMA_MAX_DEPTH) {
		ctx_fail(c, "schema nested deeper than %d levels",
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
	path_push(&c, "schema");
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

/* --- validating ---------------------------------------------------------- */

/* The JSON Schema type name of a value, for messages. */
static const char *
value_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

/* Whether v has one of the types in the bit set. */
static bool
type_matches(unsigned types, const json_t *v)
{
	double d;

	switch (json_typeof(v)) {
	case JSON_OBJECT: return types & SCHEMA_T_OBJECT;
	case JSON_ARRAY: return types & SCHEMA_T_ARRAY;
	case JSON_STRING: return types & SCHEMA_T_STRING;
	case JSON_INTEGER:
		return types & (SCHEMA_T_INTEGER | SCHEMA_T_NUMBER);
	case JSON_REAL:
		if (types & SCHEMA_T_NUMBER)
			return true;
		d = json_real_value(v);
		return (types & SCHEMA_T_INTEGER) && floor(d) == d;
	case JSON_TRUE:
	case JSON_FALSE: return types & SCHEMA_T_BOOLEAN;
	case JSON_NULL: return types & SCHEMA_T_NULL;
	}
	return false;
}

/* "string" or "string or null": the names of a type set. */
static void
type_names(unsigned types, char *out, size_t outlen)
{
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < HL_ARRAY_LEN(schema_types); i++) {
		if (!(types & schema_types[i].bit))
			continue;
		n = snprintf(out + used, outlen - used, "%s%s",
		    used > 0 ? " or " : "", schema_types[i].name);
		if (n < 0 || (size_t)n >= outlen - used)
			return;
		used += (size_t)n;
	}
}

static int
check_type(struct schema_ctx *c, const struct schema *s, const json_t *v)
{
	char names[96];

	if (s->types == 0 || type_matches(s->types, v))
		return 0;
	type_names(s->types, names, sizeof names);
	return ctx_fail(c, "expected %s, got %s", names, value_type_name(v));
}

static int
check_enum(struct schema_ctx *c, const struct schema *s, const json_t *v)
{
	const json_t *member;
	size_t i;

	if (s->enum_values == NULL)
		return 0;
	json_array_foreach(s->enum_values, i, member)
		if (json_equal(member, v))
			return 0;
	return ctx_fail(c, "value is not one of the allowed values");
}

/* Compare two numbers exactly when both are integers: <0, 0, >0. */
static int
number_cmp(const json_t *a, const json_t *b)
{
	double x, y;

	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t i = json_integer_value(a), j = json_integer_value(b);

		return (i > j) - (i < j);
	}
	x = json_number_value(a);
	y = json_number_value(b);
	return (x > y) - (x < y);
}

/* A number as jansson writes it, for messages. */
static void
number_text(const json_t *v, char *out, size_t outlen)
{
	size_t n = json_dumpb(v, out, outlen - 1, JSON_ENCODE_ANY);

	out[n < outlen ? n : 0] = '\0';
}

static int
check_number(struct schema_ctx *c, const struct schema *s, const json_t *v)
{
	char val[48], bound[48];

	if (s->minimum != NULL && number_cmp(v, s->minimum) < 0) {
		number_text(v, val, sizeof val);
		number_text(s->minimum, bound, sizeof bound);
		return ctx_fail(c, "%s is below the minimum %s", val, bound);
	}
	if (s->maximum != NULL && number_cmp(v, s->maximum) > 0) {
		number_text(v, val, sizeof val);
		number_text(s->maximum, bound, sizeof bound);
		return ctx_fail(c, "%s is above the maximum %s", val, bound);
	}
	return 0;
}

/* Code points of a valid UTF-8 string: bytes that are not continuations. */
static json_int_t
utf8_code_points(const char *str, size_t len)
{
	json_int_t n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)str[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static int
check_string(struct schema_ctx *c, const struct schema *s, const json_t *v)
{
	json_int_t n;

	if (s->min_length < 0 && s->max_length < 0)
		return 0;
	n = utf8_code_points(json_string_value(v), json_string_length(v));
	if (s->min_length >= 0 && n < s->min_length)
		return ctx_fail(c, "string of %" JSON_INTEGER_FORMAT
		    " characters is shorter than %" JSON_INTEGER_FORMAT,
		    n, s->min_length);
	if (s->max_length >= 0 && n > s->max_length)
		return ctx_fail(c, "string of %" JSON_INTEGER_FORMAT
		    " characters is longer than %" JSON_INTEGER_FORMAT,
		    n, s->max_length);
	return 0;
}

static int
check_array(struct schema_ctx *c, const struct schema *s, const json_t *v)
{
	json_int_t n = (json_int_t)json_array_size(v);
	const json_t *item;
	size_t i, mark;

	if (s->min_items >= 0 && n < s->min_items)
		return ctx_fail(c, "array of %" JSON_INTEGER_FORMAT " items has "
		    "fewer than %" JSON_INTEGER_FORMAT, n, s->min_items);
	if (s->max_items >= 0 && n > s->max_items)
		return ctx_fail(c, "array of %" JSON_INTEGER_FORMAT " items has "
		    "more than %" JSON_INTEGER_FORMAT, n, s->max_items);
	if (s->items == NULL)
		return 0;
	json_array_foreach(v, i, item) {
		mark = path_push(c, "[%zu]", i);
		if (validate_node(c, s->items, item) == -1)
			return -1;
		path_pop(c, mark);
	}
	return 0;
}

/* The schema of a declared property, or NULL. */
static const struct schema *
property_schema(const struct schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nproperties; i++)
		if (strcmp(s->properties[i].name, name) == 0)
			return s->properties[i].schema;
	return NULL;
}

/* One member of an object: its declared schema, or the additional rule. */
static int
check_member(struct schema_ctx *c, const struct schema *s, const char *name,
    const json_t *member)
{
	const struct schema *sub = property_schema(s, name);
	size_t mark;
	int rc;

	if (sub == NULL && s->additional == SCHEMA_ADDITIONAL_NONE)
		return ctx_fail(c, "property \"%s\" is not allowed", name);
	if (sub == NULL)
		sub = s->additional_schema;
	if (sub == NULL)
		return 0;
	mark = path_push(c, ".%s", name);
	rc = validate_node(c, sub, member);
	if (rc == 0)
		path_pop(c, mark);
	return rc;
}

static int
check_object(struct schema_ctx *c, const struct schema *s, const json_t *v)
{
	const char *name;
	json_t *member;
	size_t i;

	for (i = 0; i < s->nrequired; i++)
		if (json_object_get(v, s->required[i]) == NULL)
			return ctx_fail(c, "missing required property \"%s\"",
			    s->required[i]);
	json_object_foreach((json_t *)v, name, member)
		if (check_member(c, s, name, member) == -1)
			return -1;
	return 0;
}

/* Validate v against node s; keywords apply to the types they concern. */
static int
validate_node(struct schema_ctx *c, const struct schema *s, const json_t *v)
{
	if (check_type(c, s, v) == -1 || check_enum(c, s, v) == -1)
		return -1;
	switch (json_typeof(v)) {
	case JSON_INTEGER:
	case JSON_REAL:
		return check_number(c, s, v);
	case JSON_STRING:
		return check_string(c, s, v);
	case JSON_ARRAY:
		return check_array(c, s, v);
	case JSON_OBJECT:
		return check_object(c, s, v);
	default:
		return 0;
	}
}

int
schema_validate(const struct schema *schema, const json_t *value,
    const char *root, char *err, size_t errlen)
{
	struct schema_ctx c;

	memset(&c, 0, sizeof c);
	c.err = err;
	c.errlen = errlen;
	path_push(&c, "%s", root);
	if (errlen > 0)
		err[0] = '\0';
	return validate_node(&c, schema, value == NULL ? json_null() : value);
}
