/* Unit tests for the JSON-schema subset: each keyword, paths in messages,
 * compile errors and code-point string lengths. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/schema.h"

static char err[SCHEMA_ERROR_MAX];

/* Compile schema text; fails the test if it does not compile. */
static struct schema *
compile(const char *text)
{
	json_error_t jerr;
	struct schema *s;
	json_t *doc;

	doc = json_loads(text, 0, &jerr);
	ck_assert_msg(doc != NULL, "bad test schema: %s", jerr.text);
	s = schema_compile(doc, err, sizeof err);
	json_decref(doc);
	ck_assert_msg(s != NULL, "%s: %s", text, err);
	return s;
}

/* Compile schema text expecting the error message want. */
static void
compile_fails(const char *text, const char *want)
{
	json_error_t jerr;
	struct schema *s;
	json_t *doc;

	doc = json_loads(text, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(doc != NULL, "bad test schema: %s", jerr.text);
	s = schema_compile(doc, err, sizeof err);
	json_decref(doc);
	ck_assert_msg(s == NULL, "compiled: %s", text);
	ck_assert_str_eq(err, want);
}

/* Validate value text against s: returns 0 or -1, message in err. */
static int
check(const struct schema *s, const char *value)
{
	json_error_t jerr;
	json_t *v;
	int rc;

	v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	ck_assert_msg(v != NULL, "bad test value: %s", jerr.text);
	rc = schema_validate(s, v, "data", err, sizeof err);
	json_decref(v);
	return rc;
}

#define ck_valid(s, value) \
	ck_assert_msg(check((s), (value)) == 0, "%s: %s", (value), err)

#define ck_invalid(s, value, want) do {					\
	ck_assert_msg(check((s), (value)) == -1, "accepted %s",		\
	    (value));							\
	ck_assert_str_eq(err, (want));					\
} while (0)

START_TEST(test_type_single)
{
	struct schema *s = compile("{\"type\":\"string\"}");

	ck_valid(s, "\"x\"");
	ck_invalid(s, "1", "data: expected string, got integer");
	ck_invalid(s, "1.5", "data: expected string, got number");
	ck_invalid(s, "null", "data: expected string, got null");
	ck_invalid(s, "true", "data: expected string, got boolean");
	ck_invalid(s, "[]", "data: expected string, got array");
	ck_invalid(s, "{}", "data: expected string, got object");
	schema_free(s);
}
END_TEST

START_TEST(test_type_numbers)
{
	struct schema *s = compile("{\"type\":\"integer\"}");

	ck_valid(s, "3");
	ck_valid(s, "3.0");
	ck_valid(s, "-1e3");
	ck_invalid(s, "3.5", "data: expected integer, got number");
	schema_free(s);
	s = compile("{\"type\":\"number\"}");
	ck_valid(s, "3");
	ck_valid(s, "3.5");
	ck_invalid(s, "\"3\"", "data: expected number, got string");
	schema_free(s);
}
END_TEST

START_TEST(test_type_list)
{
	struct schema *s = compile("{\"type\":[\"string\",\"null\"]}");

	ck_valid(s, "\"x\"");
	ck_valid(s, "null");
	ck_invalid(s, "false", "data: expected string or null, got boolean");
	schema_free(s);
	s = compile("{}");
	ck_valid(s, "false");
	ck_valid(s, "{\"any\":[1]}");
	schema_free(s);
	s = compile("{\"type\":\"object\"}");
	ck_assert_int_eq(schema_validate(s, NULL, "data", err, sizeof err), -1);
	ck_assert_str_eq(err, "data: expected object, got null");
	schema_free(s);
}
END_TEST

START_TEST(test_required_and_properties)
{
	struct schema *s = compile("{\"type\":\"object\","
	    "\"required\":[\"iterations\"],"
	    "\"properties\":{\"iterations\":{\"type\":\"integer\","
	    "\"minimum\":1,\"maximum\":5000000},"
	    "\"label\":{\"type\":\"string\"}}}");

	ck_valid(s, "{\"iterations\":10}");
	ck_valid(s, "{\"iterations\":10,\"label\":\"x\",\"other\":[]}");
	ck_invalid(s, "{}", "data: missing required property \"iterations\"");
	ck_invalid(s, "{\"iterations\":5000001}",
	    "data.iterations: 5000001 is above the maximum 5000000");
	ck_invalid(s, "{\"iterations\":0}",
	    "data.iterations: 0 is below the minimum 1");
	ck_invalid(s, "{\"iterations\":1,\"label\":2}",
	    "data.label: expected string, got integer");
	schema_free(s);
}
END_TEST

START_TEST(test_nested_paths)
{
	struct schema *s = compile("{\"type\":\"object\",\"properties\":{"
	    "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	    "\"required\":[\"name\"],"
	    "\"properties\":{\"name\":{\"type\":\"string\"},"
	    "\"tags\":{\"items\":{\"enum\":[\"a\",\"b\"]}}}}}}}");

	ck_valid(s, "{\"items\":[{\"name\":\"x\"},"
	    "{\"name\":\"y\",\"tags\":[\"a\"]}]}");
	ck_invalid(s, "{\"items\":[{\"name\":\"x\"},{\"name\":\"y\"},"
	    "{\"name\":3}]}",
	    "data.items[2].name: expected string, got integer");
	ck_invalid(s, "{\"items\":[{\"name\":\"x\",\"tags\":[\"a\",\"c\"]}]}",
	    "data.items[0].tags[1]: value is not one of the allowed values");
	ck_invalid(s, "{\"items\":[{}]}",
	    "data.items[0]: missing required property \"name\"");
	schema_free(s);
}
END_TEST

START_TEST(test_additional_properties)
{
	struct schema *s = compile("{\"properties\":{\"a\":{}},"
	    "\"additionalProperties\":false}");

	ck_valid(s, "{\"a\":1}");
	ck_invalid(s, "{\"a\":1,\"b\":2}",
	    "data: property \"b\" is not allowed");
	schema_free(s);
	s = compile("{\"properties\":{\"a\":{}},"
	    "\"additionalProperties\":{\"type\":\"integer\"}}");
	ck_valid(s, "{\"a\":\"s\",\"b\":2}");
	ck_invalid(s, "{\"a\":1,\"b\":\"x\"}",
	    "data.b: expected integer, got string");
	schema_free(s);
	s = compile("{\"additionalProperties\":true}");
	ck_valid(s, "{\"z\":null}");
	schema_free(s);
}
END_TEST

START_TEST(test_enum)
{
	struct schema *s = compile("{\"enum\":[\"red\",2,null,{\"k\":[1]}]}");

	ck_valid(s, "\"red\"");
	ck_valid(s, "2");
	ck_valid(s, "null");
	ck_valid(s, "{\"k\":[1]}");
	ck_invalid(s, "\"blue\"",
	    "data: value is not one of the allowed values");
	ck_invalid(s, "2.0", "data: value is not one of the allowed values");
	schema_free(s);
}
END_TEST

START_TEST(test_min_max)
{
	struct schema *s = compile("{\"minimum\":-1.5,\"maximum\":10}");

	ck_valid(s, "-1.5");
	ck_valid(s, "10");
	ck_valid(s, "10.0");
	ck_valid(s, "\"not a number: bounds do not apply\"");
	ck_invalid(s, "-2", "data: -2 is below the minimum -1.5");
	ck_invalid(s, "10.25", "data: 10.25 is above the maximum 10");
	schema_free(s);
	/* Large integers compare exactly, not through double. */
	s = compile("{\"maximum\":9007199254740993}");
	ck_valid(s, "9007199254740993");
	ck_invalid(s, "9007199254740994",
	    "data: 9007199254740994 is above the maximum 9007199254740993");
	schema_free(s);
}
END_TEST

START_TEST(test_string_lengths)
{
	struct schema *s = compile("{\"minLength\":2,\"maxLength\":5}");

	ck_valid(s, "\"ab\"");
	/* 5 code points, 6 bytes */
	ck_valid(s, "\"h\xc3\xa9llo\"");
	ck_valid(s, "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"");	/* 2, 8 bytes */
	/* 5 code points, 15 bytes */
	ck_valid(s, "\"\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\"");
	ck_invalid(s, "\"\xf0\x9f\x98\x80\"",
	    "data: string of 1 characters is shorter than 2");
	ck_invalid(s, "\"h\xc3\xa9llo!\"",
	    "data: string of 6 characters is longer than 5");
	ck_valid(s, "\"a\\u0000\"");		/* NUL counts as one */
	ck_valid(s, "7");
	schema_free(s);
}
END_TEST

START_TEST(test_items_counts)
{
	struct schema *s = compile("{\"type\":\"array\",\"minItems\":1,"
	    "\"maxItems\":3,\"items\":{\"type\":\"integer\"}}");

	ck_valid(s, "[1]");
	ck_valid(s, "[1,2,3]");
	ck_invalid(s, "[]", "data: array of 0 items has fewer than 1");
	ck_invalid(s, "[1,2,3,4]", "data: array of 4 items has more than 3");
	ck_invalid(s, "[1,\"2\"]", "data[1]: expected integer, got string");
	schema_free(s);
}
END_TEST

START_TEST(test_annotations_ignored)
{
	struct schema *s = compile("{\"$schema\":\"x\",\"title\":\"t\","
	    "\"description\":\"d\",\"default\":1,\"examples\":[1],"
	    "\"$comment\":\"c\",\"$id\":\"i\",\"type\":\"integer\"}");

	ck_valid(s, "1");
	schema_free(s);
}
END_TEST

START_TEST(test_compile_errors)
{
	compile_fails("{\"pattern\":\"a*\"}",
	    "schema: unsupported keyword \"pattern\"");
	compile_fails("{\"properties\":{\"n\":{\"maximum\":\"5\"}}}",
	    "schema.properties.n.maximum: expected a number");
	compile_fails("{\"type\":\"int\"}",
	    "schema.type: unknown type \"int\"");
	compile_fails("{\"type\":[\"string\",7]}",
	    "schema.type[1]: expected a type name string");
	compile_fails("{\"type\":[\"string\",\"string\"]}",
	    "schema.type[1]: type \"string\" listed twice");
	compile_fails("{\"type\":[]}",
	    "schema.type: expected at least one type");
	compile_fails("{\"items\":[{}]}",
	    "schema.items: expected one schema "
	    "(the array form is not supported)");
	compile_fails("{\"items\":{\"items\":{\"format\":\"x\"}}}",
	    "schema.items.items: unsupported keyword \"format\"");
	compile_fails("{\"required\":[\"a\",1]}",
	    "schema.required[1]: expected a property name string");
	compile_fails("{\"required\":\"a\"}",
	    "schema.required: expected an array of property names");
	compile_fails("{\"minLength\":-1}",
	    "schema.minLength: expected a non-negative integer");
	compile_fails("{\"maxItems\":1.5}",
	    "schema.maxItems: expected a non-negative integer");
	compile_fails("{\"enum\":[]}",
	    "schema.enum: expected a non-empty array");
	compile_fails("{\"properties\":[]}",
	    "schema.properties: expected an object of schemas");
	compile_fails("{\"properties\":{\"a\":true}}",
	    "schema.properties.a: expected a schema object");
	compile_fails("{\"additionalProperties\":3}",
	    "schema.additionalProperties: expected a schema object");
	compile_fails("[]", "schema: expected a schema object");
}
END_TEST

START_TEST(test_compile_depth)
{
	char text[1024];
	size_t i, o = 0;

	for (i = 0; i < 40; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "{\"items\":");
	o += (size_t)snprintf(text + o, sizeof text - o, "{}");
	for (i = 0; i < 40; i++)
		text[o++] = '}';
	text[o] = '\0';
	compile_fails(text, "schema.items.items.items.items.items.items.items."
	    "items.items.items.items.items.items.items.items.items.items.items."
	    "items.items.items.items.items.items.items.items.items.items.items."
	    "items.items.items: schema nested deeper than 32 levels");
}
END_TEST

/* A deep value is fine: validation follows the schema, not the value. */
START_TEST(test_deep_value)
{
	struct schema *s = compile("{\"type\":\"object\"}");
	json_t *v = json_object(), *inner = v;
	int i, rc;

	for (i = 0; i < 1000; i++) {
		json_t *next = json_object();

		json_object_set_new(inner, "x", next);
		inner = next;
	}
	rc = schema_validate(s, v, "data", err, sizeof err);
	ck_assert_int_eq(rc, 0);
	json_decref(v);
	schema_free(s);
}
END_TEST

static Suite *
schema_suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("validate");

	tcase_add_test(tc, test_type_single);
	tcase_add_test(tc, test_type_numbers);
	tcase_add_test(tc, test_type_list);
	tcase_add_test(tc, test_required_and_properties);
	tcase_add_test(tc, test_nested_paths);
	tcase_add_test(tc, test_additional_properties);
	tcase_add_test(tc, test_enum);
	tcase_add_test(tc, test_min_max);
	tcase_add_test(tc, test_string_lengths);
	tcase_add_test(tc, test_items_counts);
	tcase_add_test(tc, test_annotations_ignored);
	tcase_add_test(tc, test_deep_value);
	suite_add_tcase(s, tc);
	tc = tcase_create("compile");
	tcase_add_test(tc, test_compile_errors);
	tcase_add_test(tc, test_compile_depth);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(schema_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
