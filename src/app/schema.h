/* A JSON-schema subset over jansson, compiled once when a handler registers
 * and applied to each request's data before the handler runs.
 *
 * Keywords: type (a name or an array of names among object, array, string,
 * integer, number, boolean, null), required, properties,
 * additionalProperties (boolean or schema), enum, minimum, maximum
 * (inclusive), minLength, maxLength (Unicode code points), items (one
 * schema for every element), minItems, maxItems. The annotations $schema,
 * $id, $comment, title, description, default and examples are accepted and
 * ignored; any other keyword is a compile error, so a schema never silently
 * checks less than its author meant.
 *
 * Deliberate choices:
 *  - "integer" matches jansson integers and reals with no fraction (1.0), as
 *    JSON Schema says; "number" matches both kinds.
 *  - enum compares with json_equal, so 1 and 1.0 are different members.
 *  - Boolean schemas (true/false) are accepted only as additionalProperties.
 */
#ifndef HL_SCHEMA_H
#define HL_SCHEMA_H

#include <stddef.h>

#include <jansson.h>

/* Nesting bound of a schema document (properties/items/additional...). */
#define SCHEMA_MAX_DEPTH	32
/* Room for an error message: path and reason. */
#define SCHEMA_ERROR_MAX	256

struct schema;

/*
 * Compile the schema document doc (borrowed; nothing in it is kept, enum
 * values are copied). Returns the compiled schema, owned by the caller and
 * freed with schema_free, or NULL with err[0..errlen) naming the schema path
 * and the problem, e.g. `schema.properties.n.maximum: expected a number`.
 */
struct schema	*schema_compile(const json_t *doc, char *err, size_t errlen);

/* Free a compiled schema; NULL is ignored. */
void		 schema_free(struct schema *schema);

/*
 * Validate value (borrowed) against schema. root names the value in
 * messages ("data"). Returns 0, or -1 with err[0..errlen) holding the path
 * of the first failure and why, e.g.
 *   data.items[2].name: expected string, got integer
 *   data: missing required property "iterations"
 *   data.n: 5000001 is above the maximum 5000000
 * Validation only descends where the schema does, so its depth is bounded
 * by SCHEMA_MAX_DEPTH whatever the value's depth. value NULL (absent data)
 * is validated as JSON null.
 */
int		 schema_validate(const struct schema *schema,
		    const json_t *value, const char *root, char *err,
		    size_t errlen);

#endif
