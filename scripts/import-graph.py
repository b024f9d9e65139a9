#!/usr/bin/env python3
"""The import drawing of src/: which folder includes which, and the loops.

    scripts/import-graph.py [--dot] [--check] [SRCDIR]

Reads every #include "folder/file.h" under SRCDIR (default: src/ beside
this script) and prints one line per folder with the folders it includes
(and how many includes), then every pair of folders that include each other.
--dot prints a Graphviz digraph instead. --check exits 1 when a loop
crosses folders (docs/architecture.md: no loop may).
"""
import collections
import os
import re
import sys

INCLUDE = re.compile(r'#include "([a-z]+)/([a-z_0-9]+\.h)"')


def edges_of(src):
    edges = collections.defaultdict(lambda: collections.defaultdict(list))
    for folder in sorted(os.listdir(src)):
        path = os.path.join(src, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith(('.c', '.h')):
                continue
            with open(os.path.join(path, name)) as f:
                for m in INCLUDE.finditer(f.read()):
                    if m.group(1) != folder:
                        edges[folder][m.group(1)].append(
                            '%s -> %s/%s' % (name, m.group(1), m.group(2)))
    return edges


def loops_of(edges):
    out = []
    for a in sorted(edges):
        for b in sorted(edges[a]):
            if a < b and a in edges.get(b, {}):
                out.append((a, b))
    return out


def floors_of(edges, folders):
    """Folders by floor: a folder sits one above the highest it includes.
    Folders left over sit on a cycle (of any length)."""
    floor, left = {}, set(folders)
    inside = {f: [b for b in edges.get(f, {}) if b in left] for f in left}
    while left:
        ready = [f for f in sorted(left) if all(b in floor for b in inside[f])]
        if not ready:
            break
        for f in ready:
            floor[f] = 1 + max([floor[b] for b in inside[f]] or [-1])
        left -= set(ready)
    return floor, sorted(left)


def main(argv):
    dot = '--dot' in argv
    check = '--check' in argv
    args = [a for a in argv if not a.startswith('--')]
    src = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'src')
    edges = edges_of(src)
    loops = loops_of(edges)
    folders = sorted(d for d in os.listdir(src)
                     if os.path.isdir(os.path.join(src, d)))
    floor, cyclic = floors_of(edges, folders)
    if dot:
        print('digraph src {')
        print('  node [shape=box];')
        looped = {frozenset(p) for p in loops}
        for a in sorted(edges):
            for b, why in sorted(edges[a].items()):
                colour = ' color=red' if frozenset((a, b)) in looped else ''
                print('  "%s" -> "%s" [label=%d%s];' % (a, b, len(why),
                                                         colour))
        print('}')
    else:
        for a in folders:
            print('%-7s -> %s' % (a, ', '.join(
                '%s (%d)' % (b, len(v)) for b, v in sorted(edges[a].items()))
                or '(nothing)'))
        for a, b in loops:
            print('loop %s <-> %s' % (a, b))
            for why in edges[a][b] + edges[b][a]:
                print('    %s%s' % (a + '/' if why in edges[a][b] else
                                    b + '/', why))
        for n in range(max(floor.values(), default=-1), -1, -1):
            print('floor %d: %s' % (n, ' '.join(
                sorted(f for f in floor if floor[f] == n))))
        if cyclic:
            print('on a longer cycle: %s' % ' '.join(cyclic))
        print('%d folders, %d loops across folders' % (len(folders),
                                                        len(loops) +
                                                        bool(cyclic)))
    return 1 if check and (loops or cyclic) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
