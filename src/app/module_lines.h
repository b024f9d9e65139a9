/* Whether a module carries a line table, so the profiler can name its
 * lines (issue 16): checked at load and by `hotlined -t`. */
#ifndef HL_MODULE_LINES_H
#define HL_MODULE_LINES_H

/* 1 when the ELF file at path has .debug_line (or .zdebug_line) or a
 * .gnu_debuglink to a separate debug file, 0 when it has neither, -1
 * when it cannot be read as ELF. */
int	 module_has_lines(const char *path);

/* The warning for a module without lines, into buf: names the module,
 * what the profile will show instead and how to build it. */
void	 module_lines_warning(const char *path, char *buf, size_t size);

#endif
