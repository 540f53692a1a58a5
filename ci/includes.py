#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The house's include graph, checked (issue 24).

    python3 ci/includes.py [--graph] [ROOT]

Reads every #include "x.h" of the house's own C (git ls-files; not
subprojects/ or build dirs) and checks three things:
  - module names are unique: no two headers share a base name (one binary's
    include path would pick either), but the per-architecture vmlinux.h;
  - no include circle between modules (x.c, x.h and a private x_internal.h
    are module x of their directory): a circle is a strongly connected set
    of more than one;
  - rooms (tools/<x>, tests/<x>, or a top-level directory) only include
    downwards: every arrow goes to a room of a lower floor in FLOORS below.
--graph prints the room graph. Exit status 0 when all hold, 1 otherwise,
with one line per fault.
"""
import argparse
import os
import re
import subprocess
import sys
from collections import defaultdict

# Bottom to top. A room includes only rooms of lower floors (and itself).
FLOORS = [
    ['tools/lib'],                              # helpers every tool shares
    ['tools/btfhub', 'tools/deb'],              # BTFHub's rules; Debian's deb822
    ['libbtfbundle', 'audit', 'bpf'],           # the runtime library; object audit; BPF side
    ['tools/fetch', 'embedgen'],                # stage 1 (fetch); stage 3 (bundle writer)
    ['tools/apt', 'btfgen'],                    # APT repository reader; stage 2
    ['tools/make', 'btfkit-build', 'tracer'],   # programs over the stages
    ['examples', 'bench'],
    ['tests'],                                  # every tests/<x>
]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# Same name by design: the include path picks the architecture's.
SAME_NAME_OK = {'vmlinux.h'}


def room_of(path):
    parts = path.split('/')
    if parts[0] in ('tools', 'tests') and len(parts) > 2:
        return '/'.join(parts[:2])
    return parts[0]


def module_of(path):
    """dir/x for dir/x.c, dir/x.h and the module's private dir/x_internal.h."""
    stem = os.path.splitext(path)[0]
    return stem[:-len('_internal')] if stem.endswith('_internal') else stem


def floor_of(room):
    for i, rooms in enumerate(FLOORS):
        if room in rooms or room.split('/')[0] in rooms:
            return i
    return None


def house_files(root):
    out = subprocess.run(['git', '-C', root, 'ls-files', '--', '*.c', '*.h'],
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.split() if not f.startswith('subprojects/')]


def sccs(nodes, edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out, n = {}, {}, set(), [], [], 0
    for v0 in nodes:
        if v0 in index:
            continue
        work = [(v0, iter(sorted(edges[v0])))]
        index[v0] = low[v0] = n
        n += 1
        stack.append(v0)
        on.add(v0)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n
                    n += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--graph', action='store_true', help='print the room graph')
    ap.add_argument('root', nargs='?',
                    default=os.path.join(os.path.dirname(__file__), '..'))
    a = ap.parse_args()
    files = house_files(a.root)
    fileset = set(files)
    by_name = defaultdict(list)
    for f in files:
        if f.endswith('.h'):
            by_name[os.path.basename(f)].append(f)
    faults = []
    for name, where in sorted(by_name.items()):
        if len(where) > 1 and name not in SAME_NAME_OK:
            faults.append(f'module name {name} twice: {", ".join(where)}')

    mod_edges, room_edges = defaultdict(set), defaultdict(set)
    for f in files:
        with open(os.path.join(a.root, f), errors='replace') as fp:
            text = fp.read()
        src_mod = module_of(f)
        mod_edges[src_mod]
        for inc in INCLUDE.findall(text):
            here = os.path.normpath(os.path.join(os.path.dirname(f), inc))
            if here in fileset:
                target = here
            else:
                cands = by_name.get(os.path.basename(inc), [])
                if len(cands) != 1:
                    continue    # a system, generated or per-architecture header
                target = cands[0]
            dst_mod = module_of(target)
            if dst_mod != src_mod:
                mod_edges[src_mod].add(dst_mod)
                mod_edges[dst_mod]
            sr, dr = room_of(f), room_of(target)
            if sr != dr:
                room_edges[sr].add(dr)

    for comp in sccs(sorted(mod_edges), mod_edges):
        if len(comp) > 1:
            faults.append('include circle: ' + ' <-> '.join(comp))
    for sr in sorted(room_edges):
        for dr in sorted(room_edges[sr]):
            fs, fd = floor_of(sr), floor_of(dr)
            if fs is None or fd is None:
                faults.append(f'room not in FLOORS: {sr if fs is None else dr}')
            elif fd >= fs and not (sr.startswith('tests/') and dr.startswith('tests/')):
                faults.append(f'arrow up or sideways: {sr} (floor {fs}) -> {dr} (floor {fd})')
    if a.graph:
        for sr in sorted(room_edges):
            print(f'{sr} -> {", ".join(sorted(room_edges[sr]))}')
    for f in faults:
        print(f)
    if not faults:
        print(f'{len(files)} files, {len(mod_edges)} modules, '
              f'{sum(map(len, room_edges.values()))} room arrows: no circle, all downwards, '
              'names unique')
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main())
