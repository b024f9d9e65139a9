/*
 * Source text for the HTML report. The report document names files as
 * DWARF recorded them; the page shows their lines. Reading happens when a
 * page is rendered (the daemon's reporter thread, or hotline-report render),
 * bounded per file and per page; each file is read once per page.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report_html.h"
#include "core/util.h"

/* Read a whole regular text file of at most REPORT_HTML_SOURCE_MAX bytes;
 * NULL when it is missing, too big, not regular or binary. */
static char *
html_src_read(const char *path, size_t *len)
{
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > REPORT_HTML_SOURCE_MAX)
		goto fail;
	text = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	    (n = read(fd, text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	if (memchr(text, '\0', got) != NULL)
		goto fail;	/* not source text */
	text[got] = '\0';
	*len = got;
	close(fd);
	return text;
fail:
	free(text);
	close(fd);
	return NULL;
}

/* The text as a JSON string; bytes that are not UTF-8 become '?'. */
static json_t *
html_src_string(char *text, size_t len)
{
	json_t *s = json_stringn(text, len);
	size_t i;

	if (s != NULL)
		return s;
	/* Rare (Latin-1 comments): degrade to ASCII rather than drop. */
	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			text[i] = '?';
	return json_stringn(text, len);
}

/* Read root/rest; NULL when the path is too long or does not read. */
static char *
html_src_read_under(const char *root, const char *rest, size_t *len)
{
	char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof path, "%s%s%s", root,
	    root[strlen(root) - 1] == '/' ? "" : "/", rest);
	if (n < 0 || (size_t)n >= sizeof path)
		return NULL;
	return html_src_read(path, len);
}

/*
 * Read file as DWARF wrote it; when that fails and a root is set, look
 * under the root: a relative path joined to it, an absolute one by ever
 * shorter suffixes (/build/x/src/a.c: root/build/x/src/a.c, root/x/src/a.c,
 * root/src/a.c, root/a.c), so a checkout anywhere on this machine matches
 * the build directory recorded on another. NULL when nothing reads.
 */
static char *
html_src_find(const char *root, const char *file, size_t *len)
{
	const char *rest;
	char *text;

	if ((text = html_src_read(file, len)) != NULL)
		return text;
	if (root == NULL || *root == '\0' || *file == '\0')
		return NULL;
	if (file[0] != '/')
		return html_src_read_under(root, file, len);
	for (rest = file; rest != NULL; rest = strchr(rest + 1, '/')) {
		if (rest[1] != '\0' &&
		    (text = html_src_read_under(root, rest + 1, len)) != NULL)
			return text;
	}
	return NULL;
}

json_t *
report_html_sources(const json_t *doc, const char *source_root)
{
	json_t *out = json_object(), *f, *s;
	size_t i, len, total = 0;
	const char *file;
	char *text;

	json_array_foreach(json_object_get(doc, "files"), i, f) {
		file = json_string_value(json_object_get(f, "file"));
		if (file == NULL || json_object_get(out, file) != NULL)
			continue;
		if ((text = html_src_find(source_root, file, &len)) == NULL)
			continue;
		if (total + len <= REPORT_HTML_SOURCES_TOTAL &&
		    (s = html_src_string(text, len)) != NULL) {
			json_object_set_new(out, file, s);
			total += len;
		}
		free(text);
	}
	return out;
}
