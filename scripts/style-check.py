#!/usr/bin/env python3
"""Check hotline's C sources against the house style (docs/style.md).

    scripts/style-check.py [--fix-trailing] [FILE...]

With no FILE, checks every tracked .c and .h (git ls-files) of the tree
the script lives in, or of HOTLINE_SRCDIR, except the exclusions below
(a distribution tarball has no .git: then the .c and .h files under the
source folders). Prints "file:line: rule: text" for each finding and
exits 1 if there was any. --fix-trailing strips trailing white space in
place first, so that rule never fires.
"""
import os
import re
import subprocess
import sys

COLUMNS = 80
TAB = 8

# Files the checker never reads, each with why.
EXCLUDE = [
    # Vendored sources keep their upstream's style.
    (re.compile(r'(^|/)vendor/'), 'vendored'),
    # Generated at build time (protobuf-c).
    (re.compile(r'\.pb-c\.[ch]$'), 'generated'),
    # Test data: the tests assert on these files' line numbers and shape.
    (re.compile(r'^tests/fixtures/'), 'fixture'),
]

# Where the sources are, when git cannot say (a tarball).
SOURCE_DIRS = ['src', 'include', 'tools', 'bench', 'tests', 'contrib']

# .c files that do not start with #include "autoconf.h", each with why:
# modules are built against the installed hl_ API only, and the benchmark
# peers and probes are compiled by hand with a bare cc.
NO_AUTOCONF = [
    (re.compile(r'^contrib/modules/'), 'module: installed API only'),
    (re.compile(r'^tests/modules/'), 'module: installed API only'),
    (re.compile(r'^bench/peers/'), 'built by bench/run.sh with cc'),
    (re.compile(r'^bench/client/wslay_alloc_probe\.c$'), 'built by hand'),
]

INDENT = re.compile(r'^\t* {0,7}(?:\S|$)')
TRAILING = re.compile(r'[ \t]+$')
INCLUDE = re.compile(r'^#\s*include\s+(\S+)')
# A definition's head written on one line with its return type: a word,
# then more words or stars, then name( at column 0.
TYPE_AND_NAME = re.compile(r'^[A-Za-z_][\w \t\*]*[\s\*](\w+)\(')


def width(line):
    return len(line.expandtabs(TAB))


def line_rules(lines):
    """Findings of the rules that look at one line at a time."""
    for n, line in enumerate(lines, 1):
        if line.endswith('\r'):
            yield n, 'crlf', 'line ends with CR LF'
            line = line[:-1]
        if TRAILING.search(line):
            yield n, 'trailing-space', 'white space at the end of the line'
        if width(line) > COLUMNS:
            yield n, 'long-line', '%d columns (tab = %d), at most %d' % (
                width(line), TAB, COLUMNS)
        if not INDENT.match(line):
            yield n, 'space-indent', 'indent with tabs, then at most ' \
                '7 spaces'


def file_end(text):
    if text and not text.endswith('\n'):
        yield text.count('\n') + 1, 'end-newline', 'no newline at the end'
    elif text.endswith('\n\n'):
        yield text.count('\n'), 'end-newline', 'blank lines at the end'


def first_include(path, lines):
    if not path.endswith('.c'):
        return
    if any(rx.search(path) for rx, _ in NO_AUTOCONF):
        return
    for n, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if m:
            if m.group(1) != '"autoconf.h"':
                yield n, 'first-include', 'the first #include must be ' \
                    '"autoconf.h", not %s' % m.group(1)
            return
    yield 1, 'first-include', 'no #include "autoconf.h"'


def return_type(lines):
    """A '{' alone at column 0 opens a function body: the head above it,
    up to its first line at column 0, must start with the function's
    name (the return type stands on the line before)."""
    for n, line in enumerate(lines, 1):
        if line.rstrip('\r') != '{':
            continue
        i = n - 2
        while i >= 0 and lines[i][:1] in (' ', '\t'):
            i -= 1
        if i < 0:
            continue
        head = lines[i]
        m = TYPE_AND_NAME.match(head)
        if m:
            yield i + 1, 'return-type', 'return type on its own line ' \
                'above %s(' % m.group(1)


RULES = [line_rules, return_type]


def check(path, text):
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    found = list(file_end(text))
    for rule in RULES:
        found.extend(rule(lines))
    found.extend(first_include(path, lines))
    return sorted(found)


def tracked(top):
    try:
        out = subprocess.run(['git', 'ls-files', '*.c', '*.h'], cwd=top,
                             capture_output=True, text=True, check=True)
        names = out.stdout.split()
    except (OSError, subprocess.CalledProcessError):
        names = []
        for d, _, files in (w for f in SOURCE_DIRS
                            for w in os.walk(os.path.join(top, f))):
            for f in files:
                if f.endswith(('.c', '.h')):
                    names.append(os.path.relpath(os.path.join(d, f), top))
    return sorted(n for n in names
                  if not any(rx.search(n) for rx, _ in EXCLUDE))


def fix_trailing(path):
    with open(path, encoding='utf-8', newline='') as f:
        text = f.read()
    fixed = re.sub(r'[ \t]+(\r?\n)', r'\1', text)
    if fixed != text:
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(fixed)


def main(argv):
    fix = '--fix-trailing' in argv
    args = [a for a in argv if a != '--fix-trailing']
    if any(a.startswith('-') for a in args):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    top = os.environ.get('HOTLINE_SRCDIR') or \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    files = args or [os.path.join(top, n) for n in tracked(top)]
    bad = 0
    for path in files:
        if fix:
            fix_trailing(path)
        with open(path, encoding='utf-8', newline='') as f:
            text = f.read()
        name = os.path.relpath(path, top) if not args else path
        for n, rule, what in check(name, text):
            print('%s:%d: %s: %s' % (name, n, rule, what))
            bad += 1
    if bad:
        print('%d finding(s); the rules are in docs/style.md' % bad,
              file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
