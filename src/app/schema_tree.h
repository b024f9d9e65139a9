/* The compiled schema tree, shared by the compiler (schema_compile.c) and
 * the validator (schema.c). Private to the schema module. */
#ifndef HL_SCHEMA_TREE_H
#define HL_SCHEMA_TREE_H

#include <stddef.h>

#include <jansson.h>

#include "core/log.h"
#include "app/schema.h"

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

/* additionalProperties: absent/true, false, or a schema. */
enum schema_additional {
	SCHEMA_ADDITIONAL_ANY,
	SCHEMA_ADDITIONAL_NONE,
	SCHEMA_ADDITIONAL_SCHEMA,
};

/* A declared property and its schema. */
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

/* A type name and its bit, in the order messages list them. */
struct schema_type_name {
	const char	*name;
	unsigned	 bit;
};

#define SCHEMA_NTYPES 7
extern const struct schema_type_name schema_types[SCHEMA_NTYPES];

/* Append to the context path (printf-style); returns the old length. */
size_t	 schema_path_push(struct schema_ctx *, const char *, ...)
	    HL_PRINTF(2, 3);
/* Cut the path back to a length schema_path_push returned. */
void	 schema_path_pop(struct schema_ctx *, size_t);
/* Write "path: reason" as the error; always returns -1. */
int	 schema_fail(struct schema_ctx *, const char *, ...) HL_PRINTF(2, 3);

#endif
