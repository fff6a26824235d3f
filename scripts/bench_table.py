#!/usr/bin/env python3
"""Summarise a scripts/bench results directory as a markdown table (stdlib only).

Usage: bench_table.py RESULTS_DIR

RESULTS_DIR/manifest.tsv has one line per planned run:
    corpus <TAB> tool <TAB> run <TAB> status <TAB> prefix
status is "ran" or "skipped"; for "ran", prefix.time is the `/usr/bin/time -v -o` report,
prefix.out / prefix.err the tool's stdout / stderr and prefix.rc its exit code.

Per (tool, corpus): median wall seconds and median peak RSS over the runs; the pairs count
(from a peer-style `RESULT {json}` line, else the first `"pairs": N`, `pairs=N`, `pairs: N`
or `N pairs` in stdout/stderr; distinct values across runs are joined with "|").
A cell is "failed" if any run exited non-zero, "skipped" if it was not run.
unspun rows print `--format summary` (one JSON object): the like-for-like row's pairs are its
candidate_pairs, the full row's its verified pairs "of" its candidates.
Ratios are relative to the unspun like-for-like row (tool "unspun-lfl"):
  speed-up = tool wall / unspun-lfl wall   (>1: unspun like-for-like is faster)
  RSS ratio = tool RSS / unspun-lfl RSS    (>1: unspun like-for-like uses less memory)
  full speed-up = tool wall / unspun-full wall (>1: the full unspun scan is faster)
"""
import json
import os
import re
import statistics
import sys

REF = 'unspun-lfl'
FULL = 'unspun-full'
WALL_RE = re.compile(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\):\s*(\S+)')
RSS_RE = re.compile(r'Maximum resident set size \(kbytes\):\s*(\d+)')
PAIR_RES = [re.compile(p, re.I) for p in (
    r'"pairs"\s*:\s*(\d+)', r'\bpairs\s*[=:]\s*(\d+)', r'(\d+)\s+(?:candidate\s+)?pairs\b')]


def parse_wall(s):
    secs = 0.0
    for part in s.split(':'):
        secs = secs * 60 + float(part)
    return secs


def read(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def pairs_of(text, tool=''):
    # unspun --format summary: one JSON object; the like-for-like row counts candidate pairs (what the
    # peers count), the full scan its reported (verified) pairs.
    try:
        summary = json.loads(text)
    except ValueError:
        summary = None
    if isinstance(summary, dict) and 'candidate_pairs' in summary:
        if tool == 'unspun-full':
            return f"{summary['pairs']:,} verified of {summary['candidate_pairs']:,}"
        return summary['candidate_pairs']
    for line in text.splitlines():
        if line.startswith('RESULT '):
            try:
                p = json.loads(line[7:]).get('pairs')
                if p is not None:
                    return int(p)
            except ValueError:
                pass
    for rx in PAIR_RES:
        m = rx.search(text)
        if m:
            return int(m.group(1))
    return None


def parse_run(prefix, tool=''):
    t = read(prefix + '.time')
    rc_txt = read(prefix + '.rc').strip()
    rc = int(rc_txt) if rc_txt.lstrip('-').isdigit() else None
    w, r = WALL_RE.search(t), RSS_RE.search(t)
    out, err = read(prefix + '.out'), read(prefix + '.err')
    return {
        'ok': rc == 0 and w is not None and r is not None,
        'rc': rc,
        'wall': parse_wall(w.group(1)) if w else None,
        'rss_kb': int(r.group(1)) if r else None,
        'pairs': pairs_of(out, tool) if pairs_of(out, tool) is not None else pairs_of(err),
        'err_tail': (err.strip().splitlines() or [''])[-1][:200],
    }


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rdir = sys.argv[1]
    corpora, tools, cells = [], [], {}
    with open(os.path.join(rdir, 'manifest.tsv'), encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            corpus, tool, _run, status, prefix = line.rstrip('\n').split('\t')
            if corpus not in corpora:
                corpora.append(corpus)
            if tool not in tools:
                tools.append(tool)
            c = cells.setdefault((tool, corpus), {'skipped': False, 'runs': []})
            if status == 'skipped':
                c['skipped'] = True
            else:
                c['runs'].append(parse_run(prefix if os.path.isabs(prefix) else os.path.join(rdir, prefix), tool))

    summ = {}
    failures = []
    for (tool, corpus), c in cells.items():
        runs = c['runs']
        if c['skipped'] or not runs:
            summ[tool, corpus] = {'state': 'skipped'}
        elif not all(r['ok'] for r in runs):
            bad = [r for r in runs if not r['ok']]
            summ[tool, corpus] = {'state': 'failed'}
            failures.append(f'{tool} on {corpus}: {len(bad)}/{len(runs)} runs failed '
                            f'(exit {bad[0]["rc"]}): {bad[0]["err_tail"]}')
        else:
            ps = sorted({r['pairs'] for r in runs}, key=lambda p: (p is None, str(p)))
            summ[tool, corpus] = {
                'state': 'ok', 'n': len(runs),
                'wall': statistics.median(r['wall'] for r in runs),
                'rss_kb': statistics.median(r['rss_kb'] for r in runs),
                'pairs': '|'.join('?' if p is None else p if isinstance(p, str) else f'{p:,}' for p in ps),
            }

    hdr = ['tool']
    for corpus in corpora:
        hdr += [f'{corpus} wall s', f'{corpus} RSS MiB', f'{corpus} pairs',
                f'{corpus} LFL speed-up', f'{corpus} RSS ratio', f'{corpus} full speed-up']
    print('| ' + ' | '.join(hdr) + ' |')
    print('|' + '|'.join(['---'] + ['--:'] * (len(hdr) - 1)) + '|')
    for tool in tools:
        row = [tool]
        for corpus in corpora:
            s = summ.get((tool, corpus), {'state': 'skipped'})
            if s['state'] != 'ok':
                row += [s['state']] + ['–'] * 5
                continue
            ref = summ.get((REF, corpus), {'state': 'missing'})
            if ref['state'] == 'ok':
                sp = f'{s["wall"] / ref["wall"]:.2f}×' if ref['wall'] > 0 else '–'
                rr = f'{s["rss_kb"] / ref["rss_kb"]:.2f}×' if ref['rss_kb'] > 0 else '–'
            else:
                sp = rr = '–'
            full = summ.get((FULL, corpus), {'state': 'missing'})
            fs = f'{s["wall"] / full["wall"]:.2f}×' if full['state'] == 'ok' and full['wall'] > 0 else '–'
            row += [f'{s["wall"]:.2f}', f'{s["rss_kb"] / 1024:.0f}', s['pairs'], sp, rr, fs]
        print('| ' + ' | '.join(row) + ' |')
    print()
    print(f'Medians over the runs of each cell; speed-up = tool wall / {REF} wall, '
          f'RSS ratio = tool peak RSS / {REF} peak RSS (both >1 favour unspun like-for-like); '
          f'full speed-up = tool wall / {FULL} wall.')
    for line in failures:
        print(f'- failed: {line}')


if __name__ == '__main__':
    main()
