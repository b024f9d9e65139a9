/* Line tables of handler modules, read with libelf (see module_lines.h). */
#include "autoconf.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/module_lines.h"

/* Sections that mean file:line can be found for the module's code. */
static const char *const line_sections[] = {
	".debug_line", ".zdebug_line", ".gnu_debuglink",
};

static int
module_lines_section(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof line_sections / sizeof line_sections[0]; i++)
		if (strcmp(name, line_sections[i]) == 0)
			return 1;
	return 0;
}

static int
module_lines_scan(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr shdr;
	const char *name;

	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx))
		return -1;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &shdr) == NULL)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name != NULL && module_lines_section(name))
			return 1;
	}
	return 0;
}

int
module_has_lines(const char *path)
{
	Elf *elf;
	int fd, rc;

	if (elf_version(EV_CURRENT) == EV_NONE ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	rc = elf != NULL ? module_lines_scan(elf) : -1;
	elf_end(elf);
	close(fd);
	return rc;
}

void
module_lines_warning(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	snprintf(buf, size, "module %s has no line table: the profiler names "
	    "its code %s!function, without lines; build it with -g -O2 "
	    "-fno-omit-frame-pointer", path, base);
}
