#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""No circles between product files, no arrows back up between folders.

usage: circles.py BUILD_DIR [SOURCE_DIR]

An arrow A -> B means: the object file of A.c uses (nm: undefined) a
function or global that B.c defines, resolved as the linker would (a
program's own files first, then the library).  A folder arrow lib/x ->
lib/y exists when a file of lib/x has an arrow to a file of lib/y, or
a file of lib/x (or src/x) includes a header of lib/y.  It fails,
printing each offence, when

  - files form a circle (A -> B -> ... -> A),
  - folders form a circle (lib/verifier -> lib/evidence -> lib/verifier),
  - a folder uses one that is not above it in the layers of
    docs/design.md (the diagram under "## Layers": each line may use
    only the lines above it), or a product folder is missing there.

Arrows into a program's main.c for the symbols listed in MAIN_OK (the
program's name, which the subcommand table pattern shares) are allowed.
Only compile_commands.json, docs/design.md and one nm run are read:
cheap, and the output is sorted, so the same tree always gives the same
answer.
"""
import json
import os
import re
import subprocess
import sys

# Globals of a program's main.c that other files of it may read.
MAIN_OK = {'prog', 'prog_name', 'program_name'}

def product_objects(build):
    with open(os.path.join(build, 'compile_commands.json')) as f:
        cmds = json.load(f)
    objs = {}
    for e in cmds:
        src = os.path.normpath(os.path.join(e['directory'], e['file']))
        out = os.path.normpath(os.path.join(e['directory'], e['output']))
        rel = os.path.relpath(out, build)
        # The library archive and the programs; not tests, fuzzers, benches.
        if not (rel.startswith('lib/') or rel.startswith('src/')):
            continue
        unit = 'lib' if rel.startswith('lib/') else rel.split('/')[1]
        objs[out] = (src, unit)
    return objs


def nm_symbols(paths):
    """{object: (defined set, undefined set)} from one nm call."""
    res = {p: (set(), set()) for p in paths}
    out = subprocess.run(['nm', '-A', '-P', '-g'] + sorted(paths), check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        # "path: symbol TYPE [value size]"; for archives "path[member]: ...".
        obj, _, rest = line.partition(': ')
        f = rest.split()
        if len(f) < 2 or obj not in res:
            continue
        sym, typ = f[0], f[1]
        if typ == 'U':
            res[obj][1].add(sym)
        elif typ not in 'wvN':
            res[obj][0].add(sym)
    return res


def file_arrows(objs, syms, src_root):
    definer = {}  # (unit, sym) -> source
    for o, (src, unit) in objs.items():
        for s in syms[o][0]:
            definer.setdefault((unit, s), src)
    arrows = {}
    for o, (src, unit) in sorted(objs.items()):
        for s in sorted(syms[o][1]):
            to = definer.get((unit, s)) or definer.get(('lib', s))
            if not to or to == src:
                continue
            if os.path.basename(to) == 'main.c' and unit != 'lib' and s in MAIN_OK:
                continue
            a, b = rel(src, src_root), rel(to, src_root)
            arrows.setdefault(a, {}).setdefault(b, set()).add(s)
    return arrows


def rel(p, root):
    return os.path.relpath(p, root)


def folder_of(path):
    return os.path.dirname(path)


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def include_arrows(src_root):
    """x -> lib/y for a file of lib/x or src/x that includes "y/..." (a header of lib/y)."""
    arrows = {}
    lib = os.path.join(src_root, 'lib')
    for top in ('lib', 'src'):
        for d, _, files in sorted(os.walk(os.path.join(src_root, top))):
            for fn in sorted(files):
                if not fn.endswith(('.c', '.h')):
                    continue
                p = os.path.join(d, fn)
                with open(p, errors='replace') as f:
                    text = f.read()
                for inc in INCLUDE.findall(text):
                    target = os.path.normpath(os.path.join(d, inc))
                    if not os.path.exists(target):
                        target = os.path.normpath(os.path.join(lib, inc))
                    if not os.path.exists(target):
                        continue
                    a, b = folder_of(rel(p, src_root)), folder_of(rel(target, src_root))
                    if a != b:
                        arrows.setdefault(a, {}).setdefault(b, set()).add(
                            '#include "%s" in %s' % (inc, rel(p, src_root)))
    return arrows


FOLDER = re.compile(r'^\s*(?:\+->\s*)?((?:lib|src)/[A-Za-z0-9_-]+)/\s')


def layers(src_root):
    """{folder: rank} from the diagram under "## Layers" in docs/design.md.

    The first line of the diagram is lib/ itself (its top-level files);
    every later line naming lib/x/ or src/x/ is one rank lower.  A folder
    may use only folders of a smaller rank.
    """
    path = os.path.join(src_root, 'docs', 'design.md')
    with open(path) as f:
        text = f.read()
    m = re.search(r'^## Layers\n.*?^```\n(.*?)^```', text, re.M | re.S)
    if not m:
        raise SystemExit('circles: no "## Layers" diagram in %s' % path)
    rank = {'lib': 0}
    for line in m.group(1).splitlines():
        f = FOLDER.match(line)
        if f and f.group(1) not in rank:
            rank[f.group(1)] = len(rank)
    return rank


def back_arrows(folders, rank):
    """Sorted (a, b, why) for each folder arrow that does not point up the layers."""
    out = []
    for a in sorted(folders):
        for b in sorted(folders[a]):
            if a in rank and b in rank and rank[b] < rank[a]:
                continue
            out.append((a, b, sorted(folders[a][b])))
    return out


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan), sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    nodes = sorted(set(graph) | {b for a in graph for b in graph[a]})

    def visit(v):
        work = [(v, iter(sorted(graph.get(v, {}))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
                continue
            if nxt not in index:
                index[nxt] = low[nxt] = counter[0]
                counter[0] += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(graph.get(nxt, {})))))
            elif nxt in on:
                low[node] = min(low[node], index[nxt])

    for n in nodes:
        if n not in index:
            visit(n)
    return sorted(out)


def one_circle(graph, comp):
    """A shortest circle through the first node of comp, as a list of nodes."""
    start = comp[0]
    members = set(comp)
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, {})):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def report(kind, graph, comps):
    for comp in comps:
        path = one_circle(graph, comp)
        print('circle of %s (%d in all: %s):' % (kind, len(comp), ' '.join(comp)))
        for a, b in zip(path, path[1:]):
            why = sorted(graph[a][b])
            more = ' (+%d more)' % (len(why) - 3) if len(why) > 3 else ''
            print('  %s -> %s: %s%s' % (a, b, ', '.join(why[:3]), more))


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    src_root = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                               os.path.join(os.path.dirname(__file__), '..'))
    objs = product_objects(build)
    missing = sorted(o for o in objs if not os.path.exists(o))
    if not objs or missing:
        print('circles: %d object files, %d not built (first: %s)' %
              (len(objs), len(missing), missing[0] if missing else '-'), file=sys.stderr)
        return 1
    syms = nm_symbols(list(objs))
    files = file_arrows(objs, syms, src_root)
    folders = include_arrows(src_root)
    for a in files:
        for b, why in files[a].items():
            fa, fb = folder_of(a), folder_of(b)
            if fa != fb:
                folders.setdefault(fa, {}).setdefault(fb, set()).update(
                    '%s -> %s' % (s, os.path.basename(b)) for s in why)
    rank = layers(src_root)
    seen = sorted({folder_of(rel(s, src_root)) for s, _ in objs.values()} | set(folders))
    unplaced = [f for f in seen if f not in rank]
    for f in unplaced:
        print('circles: folder %s is not in the layers of docs/design.md' % f)
    back = back_arrows(folders, rank)
    for a, b, why in back:
        more = ' (+%d more)' % (len(why) - 3) if len(why) > 3 else ''
        print('back arrow %s -> %s (%s is not above it in docs/design.md): %s%s' %
              (a, b, b, ', '.join(why[:3]), more))
    fc, dc = cycles(files), cycles(folders)
    report('files', files, fc)
    report('folders', folders, dc)
    nfiles = len({rel(s, src_root) for s, _ in objs.values()})
    narrows = sum(len(v) for v in files.values())
    if fc or dc or back or unplaced:
        print('circles: %d file circle(s), %d folder circle(s), %d back arrow(s), '
              '%d unplaced folder(s) among %d files, %d arrows' %
              (len(fc), len(dc), len(back), len(unplaced), nfiles, narrows))
        return 1
    print('circles: none among %d files (%d arrows between them), '
          'every arrow between %d folders points up the layers' %
          (nfiles, narrows, len(rank)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
