#!/usr/bin/env python3
"""Measure direction signals ("which one is the source") on every labelled set that names sources.

Usage: scripts/direction_signals.py [--bin PATH] [--shared DIR] [--out FILE]

  --bin     the unspun binary (default: target/release/unspun in this repo; nothing is built)
  --shared  the shared data folder holding eval/ (default: ../shared relative to the repo)
  --out     the markdown file written (default: docs/direction-signals.md in this repo)

The sets are corpus/ and every ../shared/eval/<set>/ whose truth.jsonl names a `source` on some line.
Only truth pairs with a source are measured. Nothing is copied out of the data folders; the scan
reports go to a temporary folder. Stdlib only; the sets are scanned one at a time.

What it measures, per set, per truth `label` (and per `generator` / `dataset` where the set has them):

1. The scan's own direction. `unspun eval SET --quiet --format json --report R.json` (exit 2 is
   fine); for every truth pair with a source that the scan reported: did the scan name a source, and
   was it the true one; and for every evidence item (pairs[].evidence: signal, favours, detail):
   did it favour the true source, the derived text, or neither.

2. Candidate signals computed from the texts, for every truth pair with a source, reported or not.
   Each looks at the two texts symmetrically (never at which one is `a`), picks a side or abstains
   inside a dead zone, and is scored by its decided share (picked a side / pairs) and its right share
   (picked the true source / decided). The dead zones are fixed below, the same for every set.

   specificity     specifics = capitalised words not at a sentence start, numbers, and rare words
                   (content words in at most RARE_SHARE of the set's documents, at least 2); the
                   source is the side whose specifics the other lacks more often, per word of text
                   (a derived text drops specifics and rarely adds new ones). Also per component:
                   names, numbers, names + numbers, rare words.
   length          the longer text is the source.
   containment     the source is the side less covered by the other (share of its content-word
                   types found in the other text).
   centrality      in a family of 3+ documents, the original is the member with the highest mean
                   Jaccard to the others. Families: the connected components of the truth pairs with
                   a source (content words; word trigrams), and the scan's own clusters (content
                   words; what the scanner could use). Also per family: is the most central member
                   the true source.
   attestation     in a family of 3+, each side's novel items (word trigrams, or content words, the
                   other side lacks) found in another member: the source's own wording is what the
                   other derived texts copied, while each rewriter's changes are its own, so the
                   side with the larger attested share is the source. Families: the truth family,
                   and the documents the scan paired with either side (what the scanner could use;
                   also with a wider dead zone).
   vocab rarity    mean IDF (in the set) of the content-word tokens; the rarer side is the source.
                   Expected to flip between simplification (source rarer) and LLM polish.
   novel rarity    mean IDF of each side's novel content words (types the other text lacks): a
                   rewriter's new words are commoner than the words of the source it replaced.
                   Both rarities are also measured against a background of general news
                   (../shared/eval/news-scale, words it lacks counted as rarest), which does not
                   depend on how many sources and derived texts a set holds.
   quotations      quoted passages (3+ words) of one side that the other lacks (under half of their
                   word trigrams found): the side with more is the source (derived texts turn quotes
                   into reported speech more often than they invent them).

   Besides label / generator / dataset, pairs are grouped by whether the scan reported them and,
   in a set with 10+ such pairs, by whether the source text is exactly 4,000 characters long (a data
   limitation: some LLMFake originals are stored cut there, while the LLM was given the whole text,
   so the derived text may hold more of the original than the stored source does).

3. Prints markdown tables and writes them, with the exact command at the top and a reading derived
   from the figures, to --out.
"""
import argparse
import collections
import gzip
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RARE_SHARE = 0.01      # a content word in at most this share of the set's documents (and >= 2) is rare
MIN_SET_PAIRS = 20     # sets with fewer pairs with a source are shown but not used in the reading
MIN_DECIDED = 10       # a (set, signal) cell needs this many decided pairs to count in the reading
GOOD = 0.9             # "holds": right share when decided at least this
CUT_CHARS = 4000       # a source exactly this long may be stored cut (see the LLMFake README)

STOP = frozenset("""
a about above after again against all almost also although always am among an and another any anyone
anything are around as at be because been before being below between both but by can cannot could did do
does doing done down during each either else even ever every few for from further had has have having he
her here hers herself him himself his how however i if in into is it its itself just least less like made
make many may me might more most much must my myself neither no nor not now of off often on once one only
or other others our ours ourselves out over own per perhaps rather really said same say says see seen she
should since so some still such than that the their theirs them themselves then there these they this
those though through thus to too under until up upon us very was we well were what when where whether
which while who whom whose why will with within without would yet you your yours yourself yourselves
mr mrs ms dr st
""".split())
ABBREV = frozenset("mr mrs ms dr st jr sr gen gov sen rep no vs etc prof col lt sgt capt inc corp co".split())

TOKEN_RE = re.compile(r"(\d+(?:[.,]\d+)*)|([^\W\d_]+(?:['’][^\W\d_]+)*)|([.!?]+(?=[\s\"'”’)\]]|$)|\n)")
QUOTE_RE = re.compile(r"[\"“]([^\"“”\n]{12,600}?)[\"”]")


# ---------------------------------------------------------------------------------------------------
# Reading the sets

def sets_with_sources(shared):
    """corpus/ first, then every shared eval set whose truth names a source."""
    found = [os.path.join(REPO, "corpus")]
    root = os.path.join(shared, "eval")
    for name in sorted(os.listdir(root)):
        truth = os.path.join(root, name, "truth.jsonl")
        if os.path.isfile(truth) and any(r["source"] for r in read_truth(truth)):
            found.append(os.path.join(root, name))
    return found


def read_truth(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_docs(set_dir):
    docs = {}
    folder = os.path.join(set_dir, "docs")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".txt"):
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                docs[name[:-4]] = f.read()
    return docs


def run_scan(binary, set_dir, report_path):
    """The scan's JSON report of SET (unspun eval ... --report); exit 2 (input skipped) is fine."""
    cmd = [binary, "eval", set_dir, "--quiet", "--format", "json", "--report", report_path]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed (exit {done.returncode}): {done.stderr.strip()}")
    with open(report_path, encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------------------------------
# Text features

class Doc:
    """The features of one text that the signals use."""
    __slots__ = ("words", "lower", "content", "ctypes", "types", "names", "numbers", "quotes", "trigrams")

    def __init__(self, text):
        lower, names, numbers = [], set(), set()
        at_start, prev = True, ""
        for m in TOKEN_RE.finditer(text):
            num, word, stop = m.groups()
            if stop is not None:
                if not (stop == "." and (prev in ABBREV or len(prev) == 1)):
                    at_start = True
                continue
            if num is not None:
                tok = num.replace(",", "")
                numbers.add(tok)
            else:
                tok = word.lower().replace("’", "'")
                if not at_start and word[0].isupper() and len(word) > 1 and tok not in STOP:
                    names.add(tok)
            lower.append(tok)
            prev, at_start = tok, False
        self.lower = lower
        self.words = len(lower)
        self.content = [w for w in lower if len(w) > 1 and w not in STOP and not w[0].isdigit()]
        self.ctypes = set(self.content)
        self.types = set(lower)
        self.names = names
        self.numbers = numbers
        self.quotes = [q for q in (words_of(m.group(1)) for m in QUOTE_RE.finditer(text)) if len(q) >= 3]
        self.trigrams = {tuple(lower[i:i + 3]) for i in range(len(lower) - 2)}


def words_of(text):
    return [m.group(0).lower() for m in re.finditer(r"[^\W_]+", text)]


def trigrams(words):
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def jaccard(x, y):
    return len(x & y) / len(x | y) if x or y else 0.0


class SetContext:
    """A set's documents, their document frequencies and families, shared by the signals."""

    def __init__(self, texts, pairs, report, background):
        self.docs = {i: Doc(t) for i, t in texts.items()}
        self.chars = {i: len(t.strip()) for i, t in texts.items()}
        self.background = background
        df = collections.Counter()
        for d in self.docs.values():
            df.update(d.ctypes)
        n = len(self.docs)
        self.idf = {w: math.log(n / c) for w, c in df.items()}
        rare_df = max(2, RARE_SHARE * n)
        self.rare = {i: {w for w in d.ctypes if df[w] <= rare_df} for i, d in self.docs.items()}
        self.truth_families = families_of([(p["a"], p["b"]) for p in pairs])
        self.scan_families = [set(c["members"]) for c in report["clusters"] if len(c["members"]) >= 3]
        self.family_of = {m: f for f in self.truth_families for m in f}
        self.neighbours = collections.defaultdict(set)
        for p in report["pairs"]:
            self.neighbours[p["a"]].add(p["b"])
            self.neighbours[p["b"]].add(p["a"])
        self._centrality = {}

    def others(self, which, x, y):
        """The other members of the pair's family: the truth family, or the scan's neighbours of x and y."""
        if which == "truth":
            fam = self.family_of.get(x, set())
        else:
            fam = self.neighbours[x] | self.neighbours[y]
        return sorted(m for m in fam if m not in (x, y) and m in self.docs)

    def background_idf(self, word):
        n, df = self.background
        return math.log(n / df.get(word, 0.5))

    def centrality(self, which, doc_id):
        """Mean Jaccard of doc_id to the other members of its family (None outside a family of 3+)."""
        key = (which, doc_id)
        if key not in self._centrality:
            fams = self.truth_families if which[0] == "truth" else self.scan_families
            fam = next((f for f in fams if doc_id in f and len(f) >= 3), None)
            value = None
            if fam is not None and all(m in self.docs for m in fam):
                feat = (lambda d: d.ctypes) if which[1] == "content" else (lambda d: d.trigrams)
                me = feat(self.docs[doc_id])
                others = [feat(self.docs[m]) for m in sorted(fam) if m != doc_id]
                value = math.fsum(jaccard(me, o) for o in others) / len(others)
            self._centrality[key] = value
        return self._centrality[key]


def load_background(shared):
    """(documents, document frequency of each lower-case word) of ../shared/eval/news-scale, or None."""
    path = os.path.join(shared, "eval", "news-scale", "news-scale.jsonl.gz")
    if not os.path.isfile(path):
        return None
    n, df = 0, collections.Counter()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            n += 1
            df.update({m.group(2).lower().replace("’", "'")
                       for m in TOKEN_RE.finditer(json.loads(line)["text"]) if m.group(2)})
    return n, df


def families_of(edges):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups = collections.defaultdict(set)
    for x in list(parent):
        groups[find(x)].add(x)
    return [g for g in groups.values() if len(g) >= 3]


# ---------------------------------------------------------------------------------------------------
# The signals. Each takes (ctx, x, y) (doc ids) and returns +1 (x is the source), -1 (y is), or 0.

def larger(vx, vy, rel=0.0, absolute=0.0):
    """+1 if vx is larger than vy beyond the dead zone, -1 if smaller, 0 inside it."""
    diff = vx - vy
    if abs(diff) <= absolute or abs(diff) <= rel * max(abs(vx), abs(vy)):
        return 0
    return 1 if diff > 0 else -1


def specifics_signal(kinds):
    """The side whose specifics (of the given kinds) the other text lacks more often, per word."""

    def signal(ctx, x, y):
        dx, dy = ctx.docs[x], ctx.docs[y]
        sx, sy = specifics(ctx, x, kinds), specifics(ctx, y, kinds)
        extra_x, extra_y = len(sx - dy.types), len(sy - dx.types)
        if max(extra_x, extra_y) < 2 or not dx.words or not dy.words:
            return 0
        return larger(extra_x / dx.words, extra_y / dy.words, rel=0.25)

    return signal


def specifics(ctx, doc_id, kinds):
    d = ctx.docs[doc_id]
    out = set()
    if "names" in kinds:
        out |= d.names
    if "numbers" in kinds:
        out |= d.numbers
    if "rare" in kinds:
        out |= ctx.rare[doc_id]
    return out


def length_signal(ctx, x, y):
    return larger(ctx.docs[x].words, ctx.docs[y].words, rel=0.05)


def containment_signal(ctx, x, y):
    cx, cy = ctx.docs[x].ctypes, ctx.docs[y].ctypes
    if not cx or not cy:
        return 0
    shared = len(cx & cy)
    return -larger(shared / len(cx), shared / len(cy), rel=0.05)


def centrality_signal(which):
    def signal(ctx, x, y):
        vx, vy = ctx.centrality(which, x), ctx.centrality(which, y)
        if vx is None or vy is None:
            return None  # not applicable: outside a family of 3+
        return larger(vx, vy, rel=0.05)

    return signal


def attestation_signal(which, feature, rel=0.1):
    """The side whose novel items (vs the other side) more often recur in the rest of the family."""

    def signal(ctx, x, y):
        others = ctx.others(which, x, y)
        if not others:
            return None  # not applicable: no family beyond the pair
        feat = (lambda d: d.ctypes) if feature == "content" else (lambda d: d.trigrams)
        fx, fy = feat(ctx.docs[x]), feat(ctx.docs[y])
        nx, ny = fx - fy, fy - fx
        if len(nx) < 3 or len(ny) < 3:
            return 0
        rest = [feat(ctx.docs[o]) for o in others]
        share = lambda items: sum(1 for g in items if any(g in r for r in rest)) / len(items)
        return larger(share(nx), share(ny), rel=rel)

    return signal


def mean_idf(ctx, words, background=False):
    idf = ctx.background_idf if background else ctx.idf.__getitem__
    return math.fsum(idf(w) for w in words) / len(words)  # fsum: the same whatever the set order


def vocab_rarity_signal(background):
    def signal(ctx, x, y):
        if background and ctx.background is None:
            return None
        cx, cy = ctx.docs[x].content, ctx.docs[y].content
        if not cx or not cy:
            return 0
        return larger(mean_idf(ctx, cx, background), mean_idf(ctx, cy, background), rel=0.02)

    return signal


def novel_rarity_signal(background):
    def signal(ctx, x, y):
        if background and ctx.background is None:
            return None
        cx, cy = ctx.docs[x].ctypes, ctx.docs[y].ctypes
        nx, ny = cx - cy, cy - cx
        if len(nx) < 3 or len(ny) < 3:
            return 0
        return larger(mean_idf(ctx, nx, background), mean_idf(ctx, ny, background), rel=0.05)

    return signal


def quotation_signal(ctx, x, y):
    dx, dy = ctx.docs[x], ctx.docs[y]

    def unshared(quotes, other):
        return sum(1 for q in quotes if len(trigrams(q) & other.trigrams) * 2 < max(1, len(q) - 2))

    return larger(unshared(dx.quotes, dy), unshared(dy.quotes, dx), absolute=0)


SIGNALS = [
    ("specificity", specifics_signal(("names", "numbers", "rare")),
     "the side with more specifics (names, numbers, rare words) the other lacks, per word"),
    ("specifics: names", specifics_signal(("names",)), "the same with capitalised words only"),
    ("specifics: numbers", specifics_signal(("numbers",)), "the same with numbers only"),
    ("specifics: names + numbers", specifics_signal(("names", "numbers")),
     "the same with capitalised words and numbers"),
    ("specifics: rare words", specifics_signal(("rare",)), "the same with rare words only"),
    ("length", length_signal, "the longer text (dead zone 5%)"),
    ("containment", containment_signal, "the side less covered by the other (content-word types)"),
    ("centrality: truth family, content", centrality_signal(("truth", "content")),
     "highest mean content-word Jaccard to the rest of its truth family (3+)"),
    ("centrality: truth family, trigrams", centrality_signal(("truth", "trigrams")),
     "highest mean word-trigram Jaccard to the rest of its truth family (3+)"),
    ("centrality: scan cluster, content", centrality_signal(("scan", "content")),
     "highest mean content-word Jaccard to the rest of the scan's cluster (3+)"),
    ("attestation: truth family, trigrams", attestation_signal("truth", "trigrams"),
     "larger share of its novel word trigrams found in the rest of its truth family (3+)"),
    ("attestation: truth family, content", attestation_signal("truth", "content"),
     "larger share of its novel content words found in the rest of its truth family (3+)"),
    ("attestation: scan neighbours, trigrams", attestation_signal("scan", "trigrams"),
     "larger share of its novel word trigrams found in the other documents the scan paired with either"),
    ("attestation: scan neighbours, trigrams, dead zone 30%", attestation_signal("scan", "trigrams", rel=0.3),
     "the same, deciding only when one share exceeds the other by more than 30% (10% above)"),
    ("vocab rarity", vocab_rarity_signal(False), "higher mean IDF (in the set) of the content-word tokens"),
    ("vocab rarity: news background", vocab_rarity_signal(True),
     "higher mean IDF (in general news) of the content-word tokens"),
    ("novel rarity", novel_rarity_signal(False),
     "rarer novel words (in the set; types the other lacks; 3+ each side)"),
    ("novel rarity: news background", novel_rarity_signal(True), "rarer novel words (in general news)"),
    ("quotations", quotation_signal, "more quoted passages (3+ words) the other lacks"),
]


# ---------------------------------------------------------------------------------------------------
# Tallies

class Tally:
    """applicable / decided / right counts."""
    __slots__ = ("n", "applicable", "decided", "right")

    def __init__(self):
        self.n = self.applicable = self.decided = self.right = 0

    def add(self, verdict):
        """verdict: None (not applicable), 0 (undecided), +1 right, -1 wrong."""
        self.n += 1
        if verdict is None:
            return
        self.applicable += 1
        if verdict:
            self.decided += 1
            self.right += verdict > 0

    def cell(self):
        if not self.applicable:
            return "–"
        share = self.decided / self.n
        right = f"{self.right / self.decided:.2f}" if self.decided else "–"
        return f"{share:.2f} / {right}"

    def right_share(self):
        return self.right / self.decided if self.decided else None


KINDS = ("label", "generator", "dataset")


def pair_groups(pairs, ctx, report):
    """The groups each truth pair is counted in: all; its label, generator and dataset where given;
    whether the scan reported it; and, in a set with 10+ such pairs, whether its source is exactly
    CUT_CHARS long (stored cut)."""
    reported = {frozenset((p["a"], p["b"])) for p in report["pairs"]}
    cut = [ctx.chars.get(t["source"]) == CUT_CHARS for t in pairs]
    out = []
    for t, is_cut in zip(pairs, cut):
        groups = ["all"] + [f"{k}={t[k]}" for k in KINDS if k in t]
        groups.append("scan=" + ("reported" if frozenset((t["a"], t["b"])) in reported else "missed"))
        if sum(cut) >= 10:
            groups.append("source=" + (f"cut at {CUT_CHARS:,} chars" if is_cut else "other"))
        out.append(groups)
    return out


def measure_scan(report, pairs, groups):
    """For truth pairs with a source that the scan reported: the scan's source and each evidence item."""
    reported = {frozenset((p["a"], p["b"])): p for p in report["pairs"]}
    scan = collections.defaultdict(Tally)         # group -> named a source / right
    evidence = collections.defaultdict(collections.Counter)  # signal -> fired/right/wrong/neither
    n_reported = 0
    for t, gs in zip(pairs, groups):
        p = reported.get(frozenset((t["a"], t["b"])))
        if p is None:
            continue
        n_reported += 1
        derived = t["b"] if t["source"] == t["a"] else t["a"]
        named = p.get("source")
        verdict = 0 if named is None else (1 if named == t["source"] else -1)
        for g in gs:
            scan[g].add(verdict)
        seen = set()
        for e in p.get("evidence", []):
            sig = e["signal"]
            fav = e.get("favours")
            kind = "right" if fav == t["source"] else "wrong" if fav == derived else "neither"
            if sig not in seen:
                evidence[sig]["fired"] += 1
                seen.add(sig)
            evidence[sig][kind] += 1
    return n_reported, scan, evidence


def measure_text(ctx, pairs, groups):
    """Every text signal on every truth pair with a source: group -> signal -> Tally."""
    table = collections.defaultdict(lambda: collections.defaultdict(Tally))
    for t, gs in zip(pairs, groups):
        a, b = t["a"], t["b"]
        if a not in ctx.docs or b not in ctx.docs:
            continue
        for name, signal, _ in SIGNALS:
            v = signal(ctx, a, b)
            verdict = None if v is None else (v if t["source"] == a else -v)
            for g in gs:
                table[g][name].add(verdict)
    return table


def family_argmax(ctx, pairs):
    """Per truth family of 3+ with one source: is its most central member (content words) the source?"""
    sources = {t["source"] for t in pairs}
    right = total = 0
    for fam in ctx.truth_families:
        srcs = fam & sources
        if len(srcs) != 1:
            continue
        total += 1
        best = max(sorted(fam), key=lambda m: ctx.centrality(("truth", "content"), m) or 0.0)
        right += best in srcs
    return right, total


# ---------------------------------------------------------------------------------------------------
# Output

def md_table(header, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def scan_section(name, n_pairs, n_reported, scan, evidence):
    t = scan["all"]
    named = f"{t.decided} ({t.decided / t.n:.2f} of reported)" if t.n else "0"
    right = f"{t.right} ({t.right_share():.2f})" if t.decided else "–"
    out = [f"### {name}", "",
           f"{n_reported} of {n_pairs} truth pairs with a source were reported; "
           f"the scan named a source on {named}, the true one on {right}.", ""]
    rows = []
    for sig in sorted(evidence, key=lambda s: -evidence[s]["fired"]):
        c = evidence[sig]
        fav = c["right"] + c["wrong"]
        rows.append([sig, f"{c['fired']} ({c['fired'] / n_reported:.2f})", fav,
                     f"{c['right'] / fav:.2f}" if fav else "–", c["neither"]])
    if rows:
        out.append(md_table(["evidence", "fired on pairs (share of reported)", "favoured a side",
                             "right share", "favoured neither"], rows))
    else:
        out.append("No evidence items on these pairs.")
    return "\n".join(out)


def group_order(groups):
    rank = {"all": 0, "label": 1, "generator": 2, "dataset": 3, "scan": 4, "source": 5}
    return sorted(groups, key=lambda g: (rank.get(g.split("=")[0], 5), g))


def reading(results):
    """Which signals hold (right >= GOOD when decided) on every set, which on some, which flip."""
    big = [r for r in results if r["n_pairs"] >= MIN_SET_PAIRS]
    lines = []
    for name, _, _ in SIGNALS:
        cells = []
        for r in big:
            t = r["text"]["all"][name]
            if t.decided >= MIN_DECIDED:
                cells.append((r["name"], t.right_share(), t.decided / t.n))
        if not cells:
            lines.append(f"- **{name}**: decided on too few pairs to judge.")
            continue
        desc = ", ".join(f"{s} {rs:.2f} ({d:.2f} decided)" for s, rs, d in cells)
        good = [s for s, rs, _ in cells if rs >= GOOD]
        low = [s for s, rs, _ in cells if rs < 0.4]
        high = [s for s, rs, _ in cells if rs > 0.6]
        if len(good) == len(cells) and len(cells) == len(big):
            verdict = f"right ≥ {GOOD} on every set"
        elif low and high:
            verdict = f"flips: points at the source on {', '.join(high)}, at the derived text on {', '.join(low)}"
        elif good:
            verdict = f"right ≥ {GOOD} only on {', '.join(good)}"
        else:
            verdict = f"right < {GOOD} everywhere"
        missing = [r["name"] for r in big if r["name"] not in {s for s, _, _ in cells}]
        if missing:
            verdict += f"; not measurable on {', '.join(missing)}"
        worst = weakest_label(results, name)
        lines.append(f"- **{name}**: {verdict}. Right share (decided share): {desc}.{worst}")
    return "\n".join(lines)


def weakest_label(results, signal):
    """The kind (label, generator, dataset) with the lowest right share (20+ decided), as a note."""
    worst = None
    for r in results:
        for g, sigs in r["text"].items():
            if g.split("=")[0] not in KINDS:
                continue
            t = sigs[signal]
            if t.decided >= 20 and (worst is None or t.right_share() < worst[0]):
                worst = (t.right_share(), r["name"], g, t.decided)
    if worst is None:
        return ""
    return f" Weakest kind: {worst[1]} {worst[2]}, {worst[0]:.2f} right of {worst[3]} decided."


def cut_table(results):
    cut_group, other = f"source=cut at {CUT_CHARS:,} chars", "source=other"
    rows = []
    for r in results:
        if cut_group not in r["text"]:
            continue
        n_cut, n_other = r["text"][cut_group][SIGNALS[0][0]].n, r["text"][other][SIGNALS[0][0]].n
        rows.append([f"{r['name']}: scan (reported)", r["scan"][cut_group].cell(), r["scan"][other].cell()])
        for name, _, _ in SIGNALS:
            rows.append([f"{r['name']}: {name}", r["text"][cut_group][name].cell(), r["text"][other][name].cell()])
    if not rows:
        return ""
    return md_table(["signal", f"source cut ({n_cut} pairs)", f"other pairs ({n_other})"], rows)


def render(results, command):
    out = ["# Direction signals: which text is the source", "",
           f"Made by `{command}` (from the repository root).", "",
           "Every truth pair with a `source` in corpus/ and in the sets of `../shared/eval` that name sources. "
           "Part 1 is what the scan reports today (`unspun eval SET --report`); part 2 measures candidate signals "
           "computed from the texts on every such pair, reported or not. A cell `d / r` is the decided share "
           "(the signal picked a side, of all pairs) and the right share (picked the true source, of decided); "
           "`–` means not applicable (centrality needs a family of 3+). Every signal looks at the two texts "
           "symmetrically and has a fixed dead zone, the same on every set. How each signal is computed is in "
           "the docstring of `scripts/direction_signals.py`.", "",
           "## 1. The scan's own direction and evidence", ""]
    for r in results:
        out += [scan_section(r["name"], r["n_pairs"], r["n_reported"], r["scan"], r["evidence"]), ""]

    out += ["## 2. Signals from the texts, all pairs with a source", ""]
    header = ["signal"] + [f"{r['name']} ({r['n_pairs']})" for r in results]
    rows = [["scan (reported pairs only)"] + [r["scan"]["all"].cell() for r in results]]
    for name, _, _ in SIGNALS:
        rows.append([name] + [r["text"]["all"][name].cell() for r in results])
    fam = [f"{rt}/{tot}" if tot else "–" for rt, tot in (r["argmax"] for r in results)]
    rows.append(["truth families: most central member is the source"] + fam)
    out += [md_table(header, rows), "", "What each row picks as the source:", ""]
    out += [f"- {name}: {desc}." for name, _, desc in SIGNALS]
    out.append("")

    out += ["## 3. By kind of derivation (truth label, generator, dataset)", ""]
    short = {name: (name.replace("centrality: ", "centr. ").replace("specifics: ", "spec. ")
                    .replace("attestation: ", "attest. ").replace("news background", "news bg"))
             for name, _, _ in SIGNALS}
    for r in results:
        groups = group_order(r["text"].keys())
        header = ["group", "pairs", "scan"] + [short[n] for n, _, _ in SIGNALS]
        rows = []
        for g in groups:
            n = r["text"][g][SIGNALS[0][0]].n
            rows.append([g, n, r["scan"][g].cell()] + [r["text"][g][s].cell() for s, _, _ in SIGNALS])
        out += [f"### {r['name']}", "", md_table(header, rows), ""]

    cut = cut_table(results)
    if cut:
        out += ["## Pairs whose stored source is cut", "",
                f"Sources exactly {CUT_CHARS:,} characters long are stored cut; the derived text was made from the "
                "whole original, so it may hold more than the stored source. `d / r` as above.", "", cut, ""]
    out += ["## Reading", "",
            f"Judged on the sets with {MIN_SET_PAIRS}+ pairs with a source, a cell counting when {MIN_DECIDED}+ "
            f"pairs were decided; \"holds\" means right ≥ {GOOD} when decided. The weakest kind is the label, "
            "generator or dataset with the lowest right share among those with 20+ decided pairs.", "",
            reading(results), ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------

def measure_set(binary, set_dir, tmp, background):
    name = os.path.basename(set_dir.rstrip("/"))
    pairs = [t for t in read_truth(os.path.join(set_dir, "truth.jsonl")) if t["source"]]
    report = run_scan(binary, set_dir, os.path.join(tmp, name + ".json"))
    ctx = SetContext(read_docs(set_dir), pairs, report, background)
    groups = pair_groups(pairs, ctx, report)
    n_reported, scan, evidence = measure_scan(report, pairs, groups)
    return {"name": name, "n_pairs": len(pairs), "n_reported": n_reported, "scan": scan,
            "evidence": evidence, "text": measure_text(ctx, pairs, groups), "argmax": family_argmax(ctx, pairs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "unspun"))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"))
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "direction-signals.md"))
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"no unspun binary at {args.bin} (build it, or pass --bin)")
    command = " ".join(shlex.quote(a) for a in ["scripts/direction_signals.py"] + sys.argv[1:])
    background = load_background(args.shared)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for set_dir in sets_with_sources(args.shared):  # one scan at a time
            print(f"measuring {set_dir}", file=sys.stderr)
            results.append(measure_set(args.bin, set_dir, tmp, background))
    text = render(results, command)
    print(text)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
