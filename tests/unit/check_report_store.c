/* Unit tests for the report store: names, atomic writes, retention,
 * listing, open and delete, on a private directory under /tmp. */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report_store.h"

static char top[64];
static char dir[128];
static struct report_store st;
static char err[512];

static void
setup(void)
{
	snprintf(top, sizeof top, "/tmp/hl-report-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(dir, sizeof dir, "%s/reports", top);
	report_store_init(&st, dir, 100, 1 << 20);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	report_store_free(&st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

static int
exists(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Write a file by hand, as something other than the store would. */
static void
put(const char *name, const char *text, time_t mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	char path[PATH_MAX];
	FILE *fp;

	mkdir(dir, 0755);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* Store len bytes of 'x' under name. */
static void
write_n(const char *name, size_t len)
{
	char *buf = malloc(len + 1);

	memset(buf, 'x', len);
	ck_assert_msg(report_store_write(&st, name, buf, len, err,
	    sizeof err) == 0, "%s", err);
	free(buf);
}

static size_t
count_entries(void)
{
	char cmd[PATH_MAX + 32], out[32] = "";
	FILE *p;

	snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(out, sizeof out, p));
	pclose(p);
	return (size_t)atoi(out);
}

START_TEST(name_validation_table)
{
	static const char *const good[] = {
		"profile_20261124T101500Z_0007.json",
		"profile_20261124T101500Z_0007.html",
		"profile_20261124T101500Z_0007.folded",
		"profile_19700101T000000Z_0000.json",
		"profile_20261124T101500Z_12345.json",
		"profile_20261124T101500Z_1234567890.json",
		"profile_20261124T101500Z_0007.pb.gz",
		"broadcast_profile_20261124T101500Z_0007.json",
		"a-B_9_profile_20261124T101500Z_0007.html",
		"my_profile_x_profile_20261124T101500Z_0007.json",
	};
	static const char *const bad[] = {
		"", "..", "../profile_20261124T101500Z_0007.json",
		"profile_20261124T101500Z_0007..json",
		"a/b", "a\\b", "profile_20261124T101500Z_0007.json/",
		"x/profile_20261124T101500Z_0007.json",
		"profile_20261124T101500Z_0007.json\\",
		"%2e%2e%2fetc%2fpasswd", "profile_20261124T101500Z_%30007.json",
		"not_a_report.txt", "broadcast_profile.html",
		"profile_20261124T101500Z_0007.txt",
		"profile_20261124T101500Z_0007.jsonx",
		"profile_20261124T101500Z_0007.JSON",
		"profile_20261124T101500Z_0007",
		"profile_20261124T101500Z_0007.",
		"profile_20261124T101500Z_.json",
		"profile_20261124T101500Z.json",
		"profile_20261124T101500Z_007.json",
		"profile_20261124T101500Z_12345678901.json",
		"profile_2026112T101500Z_0007.json",
		"profile_20261124T10150Z_0007.json",
		"profile_20261124t101500z_0007.json",
		"Profile_20261124T101500Z_0007.json",
		".profile_20261124T101500Z_0007.json.tmp",
		" profile_20261124T101500Z_0007.json",
		"profile_20261124T101500Z_0007.json ",
		"_profile_20261124T101500Z_0007.json",
		"bad name_profile_20261124T101500Z_0007.json",
		"a.b_profile_20261124T101500Z_0007.json",
		"broadcastprofile_20261124T101500Z_0007.json",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"	/* 65 characters */
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "_profile_20261124T101500Z_0007.json",
	};
	char longname[300];
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(report_store_valid_name(good[i]), "%s", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!report_store_valid_name(bad[i]), "%s", bad[i]);
	ck_assert(!report_store_valid_name(NULL));
	snprintf(longname, sizeof longname,
	    "profile_20261124T101500Z_%0250d.json", 7);
	ck_assert(!report_store_valid_name(longname));
}
END_TEST

START_TEST(names_share_a_set_then_advance)
{
	char a[REPORT_STORE_NAME_MAX], b[REPORT_STORE_NAME_MAX];
	char c[REPORT_STORE_NAME_MAX], d[REPORT_STORE_NAME_MAX];
	time_t t = 1795515300;	/* 2026-11-24 10:15:00 UTC */

	ck_assert_int_eq(report_store_name(&st, t, "json", a), 0);
	ck_assert_str_eq(a, "profile_20261124T101500Z_0001.json");
	ck_assert_int_eq(report_store_name(&st, t, "html", b), 0);
	ck_assert_str_eq(b, "profile_20261124T101500Z_0001.html");
	ck_assert_int_eq(report_store_name(&st, t, "json", c), 0);
	ck_assert_str_eq(c, "profile_20261124T101500Z_0002.json");
	ck_assert_int_eq(report_store_name(&st, t + 30, "folded", d), 0);
	ck_assert_str_eq(d, "profile_20261124T101530Z_0003.folded");
	ck_assert(report_store_valid_name(a) && report_store_valid_name(d));
	ck_assert_int_eq(report_store_name(&st, t, "txt", a), -1);
	ck_assert_int_lt(strcmp(a, d), 0);	/* names sort by time */
}
END_TEST

START_TEST(content_type_by_extension)
{
	ck_assert_str_eq(report_store_content_type(
	    "profile_20261124T101500Z_0007.json"), "application/json");
	ck_assert_str_eq(report_store_content_type(
	    "profile_20261124T101500Z_0007.html"), "text/html; charset=utf-8");
	ck_assert_str_eq(report_store_content_type(
	    "profile_20261124T101500Z_0007.folded"), "text/plain");
}
END_TEST

START_TEST(write_is_atomic_and_exact)
{
	static const char text[] = "{\"schema_version\":\"1.0\"}\n";
	const char *name = "profile_20261124T101500Z_0001.json";
	char path[PATH_MAX], got[64] = "";
	struct stat sb;
	FILE *fp;

	ck_assert_int_eq(report_store_write(&st, name, text, strlen(text), err,
	    sizeof err), 0);
	ck_assert_int_eq(stat(dir, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0755);
	ck_assert_uint_eq(count_entries(), 1);	/* no temp file left */
	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	ck_assert_uint_eq(fread(got, 1, sizeof got - 1, fp), strlen(text));
	fclose(fp);
	ck_assert_str_eq(got, text);
	/* Replacing it keeps one file with the new content. */
	ck_assert_int_eq(report_store_write(&st, name, "{}", 2, err,
	    sizeof err), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 2);
	ck_assert_uint_eq(count_entries(), 1);
}
END_TEST

START_TEST(write_refuses_bad_names)
{
	ck_assert_int_eq(report_store_write(&st, "../evil.json", "x", 1, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a report file name"));
	ck_assert_int_eq(access(dir, F_OK), -1);	/* nothing created */
}
END_TEST

/* Three sets of two files with max_reports 2: the oldest set goes whole. */
START_TEST(retention_by_count_deletes_oldest_sets)
{
	report_store_configure(&st, dir, 2, 1 << 20);
	write_n("profile_20261124T101500Z_0001.json", 10);
	write_n("profile_20261124T101500Z_0001.html", 10);
	write_n("profile_20261124T101530Z_0002.json", 10);
	write_n("profile_20261124T101530Z_0002.html", 10);
	ck_assert_uint_eq(count_entries(), 4);
	write_n("profile_20261124T101600Z_0003.json", 10);
	ck_assert(!exists("profile_20261124T101500Z_0001.json"));
	ck_assert(!exists("profile_20261124T101500Z_0001.html"));
	ck_assert(exists("profile_20261124T101530Z_0002.json"));
	ck_assert(exists("profile_20261124T101530Z_0002.html"));
	/* The set being written is not cut when its second file arrives. */
	write_n("profile_20261124T101600Z_0003.html", 10);
	ck_assert(exists("profile_20261124T101600Z_0003.json"));
	ck_assert(exists("profile_20261124T101600Z_0003.html"));
	ck_assert_uint_eq(count_entries(), 4);
}
END_TEST

/* Byte limit: oldest sets go until the total fits; the newest stays even
 * when it alone is over the limit. */
START_TEST(retention_by_bytes_spares_the_newest)
{
	report_store_configure(&st, dir, 100, 100);
	write_n("profile_20261124T101500Z_0001.json", 30);
	write_n("profile_20261124T101500Z_0001.folded", 10);
	write_n("profile_20261124T101530Z_0002.json", 40);
	ck_assert_uint_eq(count_entries(), 3);		/* 80 bytes */
	write_n("profile_20261124T101600Z_0003.json", 40);	/* 120 */
	ck_assert(!exists("profile_20261124T101500Z_0001.json"));
	ck_assert(!exists("profile_20261124T101500Z_0001.folded"));
	ck_assert(exists("profile_20261124T101530Z_0002.json"));
	write_n("profile_20261124T101630Z_0004.json", 500);
	ck_assert_uint_eq(count_entries(), 1);
	ck_assert(exists("profile_20261124T101630Z_0004.json"));
}
END_TEST

/* Retention goes by name order, which is time order even past 9999. */
START_TEST(retention_orders_sequence_numerically)
{
	report_store_configure(&st, dir, 1, 1 << 20);
	put("profile_20261124T101500Z_9999.json", "a", 1000);
	write_n("profile_20261124T101500Z_10000.json", 1);
	ck_assert(!exists("profile_20261124T101500Z_9999.json"));
	ck_assert(exists("profile_20261124T101500Z_10000.json"));
}
END_TEST

static json_t *
list(void)
{
	json_t *out;

	ck_assert_msg(report_store_list(&st, &out, err, sizeof err) == 0, "%s",
	    err);
	return out;
}

START_TEST(list_newest_first_with_fields)
{
	char path[PATH_MAX];
	json_t *out, *r;

	put("profile_20261124T101500Z_0001.json", "12345", 1000);
	put("profile_20261124T101530Z_0002.json", "123", 2000);
	put("profile_20261124T101530Z_0002.html", "<p>", 2000);
	/* Strangers: not listed. */
	put("README", "x", 3000);
	put(".profile_20261124T101600Z_0003.json.tmp", "x", 3000);
	put("profile_x.txt", "x", 3000);
	snprintf(path, sizeof path, "%s/profile_20261124T101600Z_0004.json",
	    dir);
	mkdir(path, 0755);
	out = list();
	ck_assert_int_eq(json_integer_value(json_object_get(out,
	    "total_count")), 3);
	r = json_object_get(out, "reports");
	ck_assert_uint_eq(json_array_size(r), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 0),
	    "filename")), "profile_20261124T101530Z_0002.json");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 1),
	    "filename")), "profile_20261124T101530Z_0002.html");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 2),
	    "filename")), "profile_20261124T101500Z_0001.json");
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_array_get(r, 2), "size_bytes")), 5);
	ck_assert(json_is_integer(json_object_get(json_array_get(r, 2),
	    "created_at")));
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_array_get(r, 2), "created_at")), 1000);
	ck_assert_uint_eq(json_object_size(json_array_get(r, 0)), 3);
	json_decref(out);
}
END_TEST

START_TEST(list_of_missing_directory_is_empty)
{
	json_t *out = list();

	ck_assert_int_eq(json_integer_value(json_object_get(out,
	    "total_count")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(out, "reports")), 0);
	json_decref(out);
}
END_TEST

/* Tests run as root, where a mode of 0500 does not stop writes: a
 * directory under a regular file (ENOTDIR) is unwritable for everyone. */
START_TEST(unwritable_directory_is_an_error)
{
	char file[256], sub[PATH_MAX];
	json_t *out;
	FILE *fp;

	snprintf(file, sizeof file, "%s/plain", top);
	snprintf(sub, sizeof sub, "%s/reports", file);
	ck_assert_ptr_nonnull(fp = fopen(file, "w"));
	fclose(fp);
	report_store_configure(&st, sub, 100, 1 << 20);
	ck_assert_uint_eq(report_store_write_failures(&st), 0);
	ck_assert_int_eq(report_store_write(&st,
	    "profile_20261124T101500Z_0001.json", "{}", 2, err, sizeof err),
	    -1);
	ck_assert_msg(strstr(err, strerror(ENOTDIR)) != NULL, "%s", err);
	ck_assert_uint_eq(report_store_write_failures(&st), 1);
	ck_assert_ptr_nonnull(strstr(err, sub));
	ck_assert_int_eq(report_store_list(&st, &out, err, sizeof err), -1);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(open_and_delete)
{
	const char *name = "profile_20261124T101500Z_0001.html";
	char path[PATH_MAX], target[PATH_MAX / 2];
	off_t size = 0;
	int fd;

	put(name, "<html></html>", 1000);
	ck_assert_int_eq(report_store_open(&st, name, &fd, &size, err,
	    sizeof err), 0);
	ck_assert_int_eq(size, 13);
	close(fd);
	ck_assert_int_eq(report_store_open(&st,
	    "profile_20261124T101500Z_0002.html", &fd, &size, err, sizeof err),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(report_store_open(&st, "../../etc/passwd", &fd, &size,
	    err, sizeof err), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* A symbolic link with a report's name is not followed. */
	snprintf(target, sizeof target, "%s/%s", dir, name);
	snprintf(path, sizeof path, "%s/profile_20261124T101500Z_0003.json",
	    dir);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(report_store_open(&st,
	    "profile_20261124T101500Z_0003.json", &fd, &size, err, sizeof err),
	    -1);
	ck_assert_int_eq(errno, ENOENT);

	ck_assert_int_eq(report_store_delete(&st, name, err, sizeof err), 0);
	ck_assert(!exists(name));
	ck_assert_int_eq(report_store_delete(&st, name, err, sizeof err), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(report_store_delete(&st, "a/b", err, sizeof err), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A new store continues the sequence and clears stale temp files. */
START_TEST(init_recovers_sequence_and_clears_temps)
{
	char name[REPORT_STORE_NAME_MAX];
	struct report_store_summary sum;

	put("profile_20261124T101500Z_0041.json", "ab", 1000);
	put("profile_20261124T101500Z_0041.html", "cd", 1000);
	put(".profile_20261124T101530Z_0042.json.tmp", "partial", 1000);
	put(".other.tmp", "not ours", 1000);
	report_store_free(&st);
	report_store_init(&st, dir, 100, 1 << 20);
	ck_assert(!exists(".profile_20261124T101530Z_0042.json.tmp"));
	ck_assert(exists(".other.tmp"));
	ck_assert_int_eq(report_store_name(&st, 0, "json", name), 0);
	ck_assert_str_eq(name, "profile_19700101T000000Z_0042.json");
	report_store_summarize(&st, &sum);
	ck_assert_str_eq(sum.dir, dir);
	ck_assert_int_eq(sum.files, 2);
	ck_assert_int_eq(sum.sets, 1);
	ck_assert_uint_eq(sum.bytes, 4);
}
END_TEST

static Suite *
report_store_suite(void)
{
	Suite *s = suite_create("report_store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, name_validation_table);
	tcase_add_test(tc, names_share_a_set_then_advance);
	tcase_add_test(tc, content_type_by_extension);
	tcase_add_test(tc, write_is_atomic_and_exact);
	tcase_add_test(tc, write_refuses_bad_names);
	tcase_add_test(tc, retention_by_count_deletes_oldest_sets);
	tcase_add_test(tc, retention_by_bytes_spares_the_newest);
	tcase_add_test(tc, retention_orders_sequence_numerically);
	tcase_add_test(tc, list_newest_first_with_fields);
	tcase_add_test(tc, list_of_missing_directory_is_empty);
	tcase_add_test(tc, unwritable_directory_is_an_error);
	tcase_add_test(tc, open_and_delete);
	tcase_add_test(tc, init_recovers_sequence_and_clears_temps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
