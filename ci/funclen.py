#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""List the house's C functions longer than a limit (issue 24).

    python3 ci/funclen.py [--limit 80] [--all] [--check] [ROOT]

A function is measured from the line of its name to its closing brace, in
the house's kernel style: the body opens with "{" at column 0 and closes
with "}" at column 0. A long function passes --check when the comment right
above it says why it is kept whole, with the words "Kept whole:" (a flat
decision table, one straight sequence); --all lists those too. Only the
house's own code is read: not tests/, bench/, subprojects/, build*/ or generated
files.
Exit status: 0, or 1 with --check when an unexplained function is over.
"""
import argparse
import os
import re
import subprocess
import sys

# The house's code; not tests/ or bench/, whose long functions are lists of
# checks and measurements.
ROOTS = ('btfgen', 'btfkit-build', 'embedgen', 'libbtfbundle', 'tools',
         'tracer', 'bpf', 'audit', 'examples')
NAME = re.compile(r'([A-Za-z_]\w*)\s*\(')
WHY = 'Kept whole:'


def c_files(root):
    try:
        out = subprocess.run(['git', '-C', root, 'ls-files', '--', '*.c'],
                             capture_output=True, text=True, check=True).stdout
        files = out.split()
    except (OSError, subprocess.CalledProcessError):
        files = [os.path.relpath(os.path.join(d, f), root)
                 for top in ROOTS for d, _, fs in os.walk(os.path.join(root, top))
                 for f in fs if f.endswith('.c')]
    return sorted(f for f in files if f.split('/')[0] in ROOTS)


def functions(lines):
    """Yield (name, first line, length, comment above) per definition."""
    i = 0
    while i < len(lines):
        if lines[i].rstrip() != '{':
            i += 1
            continue
        # The signature: back from the brace to the line holding the name.
        j = i - 1
        while j >= 0 and not NAME.search(lines[j]) and lines[j].strip():
            j -= 1
        while j > 0 and lines[j][:1] in (' ', '\t') and lines[j - 1].strip():
            j -= 1   # a name continued over lines starts where it starts
        start = j
        m = None
        for k in range(start, i):
            m = NAME.search(lines[k])
            if m:
                break
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != '}':
            end += 1
        # The comment directly above (blank lines end it).
        c = start - 1
        while c >= 0 and lines[c].strip() and not lines[c].startswith('}'):
            c -= 1
        comment = ''.join(lines[c + 1:start])
        if m:
            yield m.group(1), start + 1, end - start + 1, comment
        i = end + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--limit', type=int, default=80)
    ap.add_argument('--all', action='store_true',
                    help='list the explained ones too')
    ap.add_argument('--check', action='store_true',
                    help='exit 1 when an unexplained function is over')
    ap.add_argument('root', nargs='?',
                    default=os.path.join(os.path.dirname(__file__), '..'))
    a = ap.parse_args()
    over = []
    for f in c_files(a.root):
        with open(os.path.join(a.root, f), errors='replace') as fp:
            lines = fp.readlines()
        for name, line, n, comment in functions(lines):
            if n > a.limit:
                over.append((n, f, line, name, WHY in comment))
    bad = 0
    for n, f, line, name, why in sorted(over, reverse=True):
        if why and not a.all:
            continue
        bad += not why
        print(f'{n:4} {f}:{line} {name}{"  (kept whole)" if why else ""}')
    return 1 if a.check and bad else 0


if __name__ == '__main__':
    sys.exit(main())
