#!/usr/bin/python3
"""The system calls a run made that a unit's SystemCallFilter refuses.

  syscalls.py UNIT TRACE

UNIT: a systemd unit file; its SystemCallFilter= lines, in order (the
first an allow list; later ones add, or remove with ~), are expanded with
`systemd-analyze syscall-filter`. TRACE: `strace -f -o` output, from the exec of hotlined on. Prints the
refused calls, one per line, sorted.
"""
import re
import subprocess
import sys

groups = {}


def expand(name):
    if not name.startswith("@"):
        return {name}
    if name not in groups:
        out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                             capture_output=True, text=True,
                             timeout=30).stdout
        calls = set()
        for line in out.splitlines()[1:]:
            word = line.strip()
            if word and not word.startswith("#"):
                calls |= expand(word)
        groups[name] = calls
    return groups[name]


def allowed(unit):
    calls = None
    for line in open(unit):
        m = re.match(r"SystemCallFilter=(~?)(.*)", line.strip())
        if not m:
            continue
        names = set()
        for word in m.group(2).split():
            names |= expand(word)
        if calls is None:
            calls = names
        elif m.group(1):
            calls -= names
        else:
            calls |= names
    return calls or set()


def used(trace):
    """Calls from the exec of hotlined on (not its launcher's)."""
    calls, started = set(), False
    for line in open(trace):
        started = started or re.search(r'execve\("[^"]*/hotlined"', line)
        m = re.match(r"\d+\s+([a-z_0-9]+)\(", line)
        if started and m:
            calls.add(m.group(1))
    return calls


for call in sorted(used(sys.argv[2]) - allowed(sys.argv[1])):
    print(call)
