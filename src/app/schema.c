/* The schema validator: walks a compiled tree over a jansson value and
 * reports the first failure with its path. */
#include "autoconf.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "app/schema_tree.h"
#include "core/util.h"

const struct schema_type_name schema_types[SCHEMA_NTYPES] = {
	{ "object", SCHEMA_T_OBJECT },
	{ "array", SCHEMA_T_ARRAY },
	{ "string", SCHEMA_T_STRING },
	{ "integer", SCHEMA_T_INTEGER },
	{ "number", SCHEMA_T_NUMBER },
	{ "boolean", SCHEMA_T_BOOLEAN },
	{ "null", SCHEMA_T_NULL },
};

static int	validate_node(struct schema_ctx *, const struct schema *,
		    const json_t *);

size_t
schema_path_push(struct schema_ctx *c, const char *fmt, ...)
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

/* Cut the path back to a length schema_path_push returned. */
void
schema_path_pop(struct schema_ctx *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

/* Write "path: reason" as the error; always returns -1. */
int
schema_fail(struct schema_ctx *c, const char *fmt, ...)
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
	return schema_fail(c, "expected %s, got %s", names, value_type_name(v));
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
	return schema_fail(c, "value is not one of the allowed values");
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
		return schema_fail(c, "%s is below the minimum %s", val, bound);
	}
	if (s->maximum != NULL && number_cmp(v, s->maximum) > 0) {
		number_text(v, val, sizeof val);
		number_text(s->maximum, bound, sizeof bound);
		return schema_fail(c, "%s is above the maximum %s", val, bound);
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
		return schema_fail(c, "string of %" JSON_INTEGER_FORMAT
		    " characters is shorter than %" JSON_INTEGER_FORMAT,
		    n, s->min_length);
	if (s->max_length >= 0 && n > s->max_length)
		return schema_fail(c, "string of %" JSON_INTEGER_FORMAT
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
		return schema_fail(c, "array of %" JSON_INTEGER_FORMAT
		    " items has fewer than %" JSON_INTEGER_FORMAT, n,
		    s->min_items);
	if (s->max_items >= 0 && n > s->max_items)
		return schema_fail(c, "array of %" JSON_INTEGER_FORMAT
		    " items has more than %" JSON_INTEGER_FORMAT, n,
		    s->max_items);
	if (s->items == NULL)
		return 0;
	json_array_foreach(v, i, item) {
		mark = schema_path_push(c, "[%zu]", i);
		if (validate_node(c, s->items, item) == -1)
			return -1;
		schema_path_pop(c, mark);
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
		return schema_fail(c, "property \"%s\" is not allowed", name);
	if (sub == NULL)
		sub = s->additional_schema;
	if (sub == NULL)
		return 0;
	mark = schema_path_push(c, ".%s", name);
	rc = validate_node(c, sub, member);
	if (rc == 0)
		schema_path_pop(c, mark);
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
			return schema_fail(c,
			    "missing required property \"%s\"", s->required[i]);
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
	schema_path_push(&c, "%s", root);
	if (errlen > 0)
		err[0] = '\0';
	return validate_node(&c, schema, value == NULL ? json_null() : value);
}
