"use strict";
// The unspun HTML report. Everything from the input (texts, ids, titles, URLs, evidence) is put in the
// page as text (textContent, text nodes, dataset), never as markup. The data are in the JSON block
// #data; each pair's marks (#m<pair>) and each paired document's text (#t<document>) are in blocks of
// their own, parsed when a pair shows them.
(function () {
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const docs = DATA.documents;
  const pairs = DATA.pairs;
  const PAGE = 200; // rows of the pair list, and clusters, shown at a time
  const RELATIONS = ["duplicate", "near_duplicate", "rewrite", "partial", "candidate", "none"];
  const RELATION_WORDS = {
    duplicate: "a duplicate: the two texts are the same words",
    near_duplicate: "a near-duplicate: most of their word 5-grams are the same",
    rewrite: "a rewrite: at least half of the shorter text is restated in the other",
    partial: "partial reuse: passages of one are restated in the other, the rest differs",
    candidate: "a candidate pair, not verified",
    none: "verified and judged not derived",
  };
  const SIGNAL_WORDS = {
    canonical: "Canonical link",
    date: "Publication dates",
    duplicate: "Duplicate",
    containment: "Containment",
    stock_phrasing: "Stock phrasing",
    attestation: "Attestation",
    hub: "Hub",
    siblings: "Siblings",
    shared_source: "Shared source",
    semantic: "Semantic model",
    specifics: "Specifics",
    specifics_restated: "Specifics restated",
    machine_vocabulary: "Machine vocabulary",
    context_fit: "Context fit",
    conflict: "Conflict",
    family: "Family",
  };

  // ---- small helpers: elements made with text only ----
  // Control characters, line separators and bidirectional overrides from the input are shown as escapes
  // (as the text report shows them), so an id cannot hide a line break or reverse what follows it; a
  // backslash is doubled, so an escape cannot be forged.
  const HIDDEN = /[\\\p{Cc}\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb\u{110bd}\u{110cd}\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e00ff}\u{e01f0}-\u{e0fff}]/gu;
  const ESCAPES = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };
  function shown(s) {
    return String(s).replace(HIDDEN, (c) => ESCAPES[c] || "\\u{" + c.codePointAt(0).toString(16) + "}");
  }
  // An article's own text keeps its line breaks (CR LF, or a CR alone, one break), tabs, backslashes and
  // the invisible marks text holds by right (soft hyphens, zero-width spaces, left-to-right and
  // right-to-left marks, a byte-order mark): shown as escapes they altered the copy an editor checks. Its
  // other hidden characters (controls, bidirectional overrides and isolates, which would reorder what
  // follows) are shown as escapes.
  const KEPT_IN_TEXT = new Set(["\n", "\t", "\\", "\u00ad", "\u200b", "\u200e", "\u200f", "\ufeff"]);
  function shownText(s) {
    return String(s).replace(/\r\n?/g, "\n").replace(HIDDEN, (c) => (KEPT_IN_TEXT.has(c) ? c : shown(c)));
  }
  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = shown(text);
    return e;
  }
  function fixed(x, n) {
    return typeof x === "number" ? x.toFixed(n === undefined ? 2 : n) : "";
  }
  function percent(x) {
    return typeof x === "number" ? Math.round(x * 100) + "%" : "";
  }
  function field(d, name) {
    const v = d.fields ? d.fields[name] : undefined;
    return typeof v === "string" ? v : null;
  }
  // Only web addresses become links: a javascript: or data: URL from the input stays text.
  function safeUrl(s) {
    if (typeof s !== "string") return null;
    try {
      const u = new URL(s);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }
  function pairLink(k) {
    return "#pair=" + Number(k);
  }
  // The derived document and the source of pair p, or null when no source is named.
  function direction(p) {
    if (p.source === null || p.source === undefined) return null;
    return p.source === p.a ? { source: p.a, derived: p.b } : { source: p.b, derived: p.a };
  }
  function relationBadge(r) {
    return el("span", "relation " + (RELATIONS.indexOf(r) >= 0 ? r : "candidate"), r.replace("_", " "));
  }
  function docLabel(d) {
    return docs[d] ? docs[d].id : "?"; // shown once, by el() or shown() where it is written
  }

  // ---- the overview ----
  const state = { relations: new Set(RELATIONS), minConfidence: 0, search: "", sort: "order", desc: false, shown: PAGE, clustersShown: 50 };
  let searchable = null; // per pair, its ids, titles and URLs in lower case, made on the first search

  function renderStats() {
    const s = DATA.summary;
    const box = document.getElementById("stats");
    box.replaceChildren();
    const byRelation = {};
    for (const p of pairs) byRelation[p.relation] = (byRelation[p.relation] || 0) + 1;
    const stat = (n, label) => {
      const d = el("div", "stat");
      d.append(el("b", null, n), el("span", null, label));
      box.append(d);
    };
    stat(s.documents, "documents" + (s.skipped_documents ? " (" + s.skipped_documents + " not compared)" : ""));
    stat(s.pairs, "reported pairs");
    for (const r of RELATIONS) if (byRelation[r]) stat(byRelation[r], r.replace("_", " "));
    stat(DATA.clusters.length, "clusters");
    stat(s.candidate_pairs, "candidate pairs");
    if (s.references) stat(s.references.paired + " of " + s.references.documents, "reference documents paired");
    if (s.problems.length) {
      const det = document.getElementById("problems");
      det.hidden = false;
      det.querySelector("summary").textContent = s.problems.length + (s.problems.length === 1 ? " input problem" : " input problems");
      const ul = det.querySelector("ul");
      for (const m of s.problems.slice(0, 100)) ul.append(el("li", null, m));
      if (s.problems.length > 100) ul.append(el("li", "hint", s.problems.length - 100 + " more: the JSON report lists them all"));
    }
  }

  function renderFilters() {
    const box = document.getElementById("relations");
    const present = new Set(pairs.map((p) => p.relation));
    for (const r of RELATIONS) {
      if (!present.has(r)) continue;
      const label = el("label");
      const input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = r;
      input.addEventListener("change", () => {
        if (input.checked) state.relations.add(r);
        else state.relations.delete(r);
        state.shown = PAGE;
        renderPairs();
      });
      label.append(input, " ", relationBadge(r));
      box.append(label);
    }
    const range = document.getElementById("min-confidence");
    range.addEventListener("input", () => {
      state.minConfidence = Number(range.value);
      document.getElementById("min-confidence-value").textContent = fixed(state.minConfidence);
      state.shown = PAGE;
      renderPairs();
    });
    const search = document.getElementById("search");
    search.addEventListener("input", () => {
      state.search = search.value.trim().toLowerCase();
      state.shown = PAGE;
      renderPairs();
    });
    document.getElementById("filters").addEventListener("submit", (e) => e.preventDefault());
    for (const th of document.querySelectorAll("#pairs th.sortable")) {
      const sort = () => {
        const key = th.dataset.key;
        if (state.sort === key) state.desc = !state.desc;
        else {
          state.sort = key;
          state.desc = key === "confidence" || key === "coverage" || key === "jaccard5" || key === "passages";
        }
        renderPairs();
      };
      th.tabIndex = 0;
      th.setAttribute("role", "button");
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          sort();
        }
      });
    }
    document.getElementById("more-pairs").addEventListener("click", () => {
      state.shown += PAGE;
      renderPairs();
    });
    document.getElementById("more-clusters").addEventListener("click", () => {
      state.clustersShown += 50;
      renderClusters();
    });
  }

  function searchText(p) {
    const parts = [];
    for (const d of [p.a, p.b]) {
      const doc = docs[d];
      parts.push(doc.id, field(doc, "title") || "", field(doc, "url") || "");
    }
    return parts.join("\n").toLowerCase();
  }

  function sortKey(k) {
    const p = pairs[k];
    switch (state.sort) {
      case "name": {
        const dir = direction(p);
        return dir ? docs[dir.source].id + "\u0000" + docs[dir.derived].id : docs[p.a].id + "\u0000" + docs[p.b].id;
      }
      case "relation": return RELATIONS.indexOf(p.relation);
      case "confidence": return p.confidence;
      case "coverage": return Math.max(p.coverage_a, p.coverage_b);
      case "jaccard5": return p.jaccard5;
      case "passages": return p.passages.length;
      default: return k;
    }
  }

  function selectedPairs() {
    if (state.search && !searchable) searchable = pairs.map(searchText);
    const out = [];
    for (let k = 0; k < pairs.length; k++) {
      const p = pairs[k];
      if (!state.relations.has(p.relation)) continue;
      if (p.confidence < state.minConfidence) continue;
      if (state.search && searchable[k].indexOf(state.search) < 0) continue;
      out.push(k);
    }
    if (state.sort !== "order" || state.desc) {
      const keys = new Map(out.map((k) => [k, sortKey(k)]));
      out.sort((x, y) => {
        const a = keys.get(x), b = keys.get(y);
        const c = a < b ? -1 : a > b ? 1 : x - y;
        return state.desc ? -c : c;
      });
    }
    return out;
  }

  function idsCell(p) {
    const td = el("td", "ids");
    const dir = direction(p);
    const [first, second] = dir ? [dir.source, dir.derived] : [p.a, p.b];
    td.append(el("span", null, docLabel(first)), el("span", "arrow", dir ? "→" : "~"), el("span", null, docLabel(second)));
    const t1 = field(docs[first], "title"), t2 = field(docs[second], "title");
    if (t1 || t2) td.append(el("span", "title", (t1 || "") + (t1 && t2 ? " · " : "") + (t2 || "")));
    return td;
  }

  function renderPairs() {
    const selected = selectedPairs();
    const body = document.querySelector("#pairs tbody");
    const rows = document.createDocumentFragment();
    for (const k of selected.slice(0, state.shown)) {
      const p = pairs[k];
      const tr = el("tr");
      tr.dataset.pair = String(k);
      const rel = el("td");
      rel.append(relationBadge(p.relation));
      const conf = el("td", "num", fixed(p.confidence));
      conf.append(el("span", "bar w" + Math.round(Math.max(0, Math.min(1, p.confidence)) * 10)));
      const dir = direction(p);
      const number = el("td", "num");
      const link = el("a", null, k + 1);
      link.href = pairLink(k);
      number.append(link);
      tr.append(
        number,
        idsCell(p),
        rel,
        conf,
        // In the order the ids are listed (source first when there is one).
        el("td", "num", dir && dir.source === p.b ? percent(p.coverage_b) + " / " + percent(p.coverage_a) : percent(p.coverage_a) + " / " + percent(p.coverage_b)),
        el("td", "num", fixed(p.jaccard5)),
        el("td", "num", p.passages.length)
      );
      rows.append(tr);
    }
    body.replaceChildren(rows);
    for (const th of document.querySelectorAll("#pairs th.sortable")) {
      th.classList.toggle("sorted-asc", th.dataset.key === state.sort && !state.desc);
      th.classList.toggle("sorted-desc", th.dataset.key === state.sort && state.desc);
      th.setAttribute("aria-sort", th.dataset.key !== state.sort ? "none" : state.desc ? "descending" : "ascending");
    }
    const count = document.getElementById("pair-count");
    count.textContent =
      selected.length === pairs.length
        ? pairs.length + " pairs"
        : selected.length + " of " + pairs.length + " pairs match the filters";
    const more = document.getElementById("more-pairs");
    const rest = selected.length - Math.min(state.shown, selected.length);
    more.hidden = rest <= 0;
    more.textContent = "Show " + Math.min(rest, PAGE) + " more (" + rest + " not shown)";
  }

  // Each document's pairs, for the cluster trees.
  let pairsOf = null;
  function buildPairsOf() {
    pairsOf = new Map();
    pairs.forEach((p, k) => {
      for (const d of [p.a, p.b]) {
        if (!pairsOf.has(d)) pairsOf.set(d, []);
        pairsOf.get(d).push(k);
      }
    });
  }

  function nodeItem(d, isSource) {
    const li = el("li");
    const name = el("span", "node-id" + (isSource ? " source" : ""), docLabel(d));
    li.append(name);
    const title = field(docs[d], "title");
    if (title) li.append(el("span", "title", " " + title));
    return li;
  }

  function edgeLink(k, text) {
    const p = pairs[k];
    const a = el("a", "edge");
    a.href = pairLink(k);
    a.append(relationBadge(p.relation), " " + text + fixed(p.confidence));
    return a;
  }

  // A cluster as the report's tree: each member under its parent (the report's `parents`), with the pair
  // that joins them; under each member, its other pairs in the cluster (another source it has, a pair
  // without a source), each pair once, so that every pair of the cluster is shown.
  function renderCluster(c) {
    const box = el("div", "cluster");
    const members = new Set(c.members);
    const parent = new Map(c.members.map((m, i) => [m, c.parents ? c.parents[i] : null]));
    const children = new Map(); // parent -> [child]
    for (const m of c.members) {
      const up = parent.get(m);
      if (up === null || up === undefined || !members.has(up)) continue;
      if (!children.has(up)) children.set(up, []);
      children.get(up).push(m);
    }
    const edge = new Map(); // "parent child" -> the pair joining them
    const others = new Map(); // document -> [[text, other, pair]] for the pairs no edge shows
    for (const m of c.members) {
      for (const k of pairsOf.get(m) || []) {
        const p = pairs[k];
        if (p.a !== m || !members.has(p.b)) continue; // each pair once, from its first document
        const dir = direction(p);
        if (dir && parent.get(dir.derived) === dir.source) {
          edge.set(dir.source + " " + dir.derived, k);
          continue;
        }
        // Listed under the derived document ("from" its other source), or under the first (" ~ ").
        const [under, other, text] = dir ? [dir.derived, dir.source, " from "] : [p.a, p.b, " ~ "];
        if (!others.has(under)) others.set(under, []);
        others.get(under).push([text, other, k]);
      }
    }
    const head = el("div", "cluster-head", c.members.length + " documents" + (c.source !== null && c.source !== undefined ? ", source " + docLabel(c.source) : ", no single source"));
    box.append(head);
    const placed = new Set();
    const tree = el("ul", "tree");
    const grow = (d, li) => {
      placed.add(d);
      for (const [text, other, k] of others.get(d) || []) {
        const also = el("span", "siblings");
        also.append(el("span", "tilde", text), shown(docLabel(other)), " ", edgeLink(k, ""));
        li.append(also);
      }
      const kids = (children.get(d) || []).filter((x) => !placed.has(x));
      if (!kids.length) return;
      const ul = el("ul");
      for (const x of kids) {
        const child = nodeItem(x, children.has(x));
        const k = edge.get(d + " " + x);
        if (k !== undefined) child.append(edgeLink(k, ""));
        ul.append(child);
        grow(x, child);
      }
      li.append(ul);
    };
    // Roots: the members without a parent in the cluster, the source first.
    const roots = c.members.filter((m) => !children.has(parent.get(m)) || !members.has(parent.get(m)));
    roots.sort((x, y) => (y === c.source) - (x === c.source));
    for (const r of roots.concat(c.members)) {
      if (placed.has(r)) continue;
      const li = nodeItem(r, children.has(r));
      tree.append(li);
      grow(r, li);
    }
    box.append(tree);
    return box;
  }

  function renderClusters() {
    if (!pairsOf) buildPairsOf();
    const box = document.getElementById("clusters");
    const frag = document.createDocumentFragment();
    for (const c of DATA.clusters.slice(0, state.clustersShown)) frag.append(renderCluster(c));
    box.replaceChildren(frag);
    if (!DATA.clusters.length) box.append(el("p", "hint", "No clusters: no pair was reported."));
    const more = document.getElementById("more-clusters");
    const rest = DATA.clusters.length - Math.min(state.clustersShown, DATA.clusters.length);
    more.hidden = rest <= 0;
    more.textContent = "Show more (" + rest + " not shown)";
  }

  let overviewBuilt = false;
  function showOverview() {
    if (!overviewBuilt) {
      renderStats();
      renderFilters();
      renderPairs();
      renderClusters();
      document.querySelector("#pairs tbody").addEventListener("click", (e) => {
        if (e.target.closest("a")) return; // the pair's link: opened as links are
        const tr = e.target.closest("tr");
        if (tr && tr.dataset.pair) location.hash = pairLink(tr.dataset.pair);
      });
      overviewBuilt = true;
    }
    document.getElementById("pair").hidden = true;
    document.getElementById("overview").hidden = false;
    document.title = "unspun report: " + pairs.length + " pairs";
    window.scrollTo(0, state.scrollY || 0); // back where the list was left
  }

  // ---- the pair view ----
  const texts = new Map();
  function textOf(d) {
    if (texts.has(d)) return texts.get(d);
    const block = document.getElementById("t" + d);
    const text = block ? JSON.parse(block.textContent) : null;
    texts.set(d, text);
    return text;
  }

  // Per passage of pair k, the marks of each side, [[a marks], [b marks]].
  function marksOf(k) {
    const block = document.getElementById("m" + k);
    return block ? JSON.parse(block.textContent) : [];
  }

  // The UTF-16 index of each byte offset in `bytes` (the report's ranges are bytes of UTF-8).
  function utf16Offsets(text, bytes) {
    const wanted = Array.from(new Set(bytes)).sort((x, y) => x - y);
    const out = new Map();
    let b = 0, i = 0, w = 0;
    while (w < wanted.length) {
      while (w < wanted.length && wanted[w] <= b) out.set(wanted[w++], i);
      if (i >= text.length) break;
      const c = text.codePointAt(i);
      b += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      i += c >= 0x10000 ? 2 : 1;
    }
    while (w < wanted.length) out.set(wanted[w++], text.length);
    return out;
  }

  // The text of document d with the passages of one side of pair p (side "a" or "b") as spans, their
  // shared words as marks. Passages may overlap (one sentence aligned with two), so the text is cut at
  // every passage's start and end: each piece is one span listing the passages it is in (data-ns, with
  // its byte range in data-bytes), labelled with those that start there.
  function renderText(container, d, k, side) {
    const p = pairs[k];
    container.replaceChildren();
    const text = textOf(d);
    if (text === null) {
      const why = docs[d].text;
      container.append(el("p", "unread", typeof why === "string" ? why : "The text is not in this report."));
      return;
    }
    const ranges = p.passages.map((q) => q[side]);
    const cuts = Array.from(new Set(ranges.flat())).sort((x, y) => x - y);
    const marks = marksOf(k).flatMap((q) => q[side === "a" ? 0 : 1]).sort((x, y) => x[0] - y[0]);
    const at = utf16Offsets(text, cuts.concat(marks.flatMap((k) => [k[0], k[1]])));
    const frag = document.createDocumentFragment();
    let pos = 0; // the text is written up to here (UTF-16)
    let m = 0; // the next mark
    for (let c = 0; c + 1 < cuts.length; c++) {
      const [x, y] = [cuts[c], cuts[c + 1]];
      const ns = [];
      ranges.forEach((r, n) => {
        if (r[0] <= x && r[1] >= y) ns.push(n);
      });
      if (!ns.length) continue;
      const start = Math.max(pos, at.get(x));
      const end = Math.max(start, at.get(y));
      if (start > pos) frag.append(document.createTextNode(shownText(text.slice(pos, start))));
      const span = el("span", "passage");
      span.dataset.ns = ns.join(" ");
      span.dataset.bytes = x + "-" + y;
      const starting = ns.filter((n) => ranges[n][0] === x).map((n) => n + 1);
      if (starting.length) span.dataset.label = starting.join("·");
      span.tabIndex = 0;
      span.setAttribute("role", "button");
      span.title = "Passage " + ns.map((n) => n + 1).join(" and ") + " of " + p.passages.length + ": click to show its match";
      let cursor = start;
      while (m < marks.length && at.get(marks[m][1]) <= cursor) m++;
      for (let k = m; k < marks.length && at.get(marks[k][0]) < end; k++) {
        const ms = Math.max(cursor, at.get(marks[k][0]));
        const me = Math.min(end, at.get(marks[k][1]));
        if (me <= ms) continue;
        if (ms > cursor) span.append(document.createTextNode(shownText(text.slice(cursor, ms))));
        const mark = el("mark", marks[k][2] === 1 ? "quoted" : "verbatim");
        mark.textContent = shownText(text.slice(ms, me)); // line breaks and all
        span.append(mark);
        cursor = me;
      }
      if (end > cursor) span.append(document.createTextNode(shownText(text.slice(cursor, end))));
      frag.append(span);
      pos = end;
    }
    if (pos < text.length) frag.append(document.createTextNode(shownText(text.slice(pos))));
    container.append(frag);
  }

  function renderMeta(header, d, role) {
    header.replaceChildren();
    const doc = docs[d];
    header.append(el("div", "role", role));
    header.append(el("div", "doc-id", doc.id));
    const title = field(doc, "title");
    if (title) header.append(el("span", "doc-title", title));
    const facts = el("div", "doc-facts");
    const url = field(doc, "url");
    if (url) {
      const href = safeUrl(url);
      if (href) {
        const a = el("a", null, url);
        a.href = href;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        facts.append(a, el("br"));
      } else facts.append(el("span", null, url), el("br"));
    }
    const bits = [];
    if (doc.date) bits.push(doc.date);
    bits.push(doc.words + " words");
    if (doc.reference) bits.push("reference collection");
    bits.push(doc.path);
    facts.append(shown(bits.join(" · ")));
    for (const [k, v] of Object.entries(doc.fields || {})) {
      if (k === "title" || k === "url") continue;
      facts.append(el("br"), shown(k + ": " + (typeof v === "string" ? v : JSON.stringify(v))));
    }
    header.append(facts);
  }

  function verdictWords(p) {
    const dir = direction(p);
    const words = RELATION_WORDS[p.relation] || p.relation;
    const said = words.charAt(0).toUpperCase() + words.slice(1) + ".";
    // A candidate was not verified and a pair judged not derived has no source to name: the relation says
    // all there is.
    if (p.relation === "candidate" || p.relation === "none") {
      return said + (typeof p.confidence === "number" ? " Confidence " + fixed(p.confidence) + "." : "");
    }
    return (
      said + " " +
      (dir
        ? docLabel(dir.derived) + " derives from " + docLabel(dir.source) + ", its source."
        : "The evidence names neither as the source: siblings of a third text, reuse of a common source, or too little evidence.") +
      (typeof p.confidence === "number" ? " Confidence " + fixed(p.confidence) + "." : "")
    );
  }

  // A figure of a pair that was not verified (a candidate) is left blank, not written "of X".
  function coverageWords(p) {
    if (typeof p.coverage_a !== "number" || typeof p.coverage_b !== "number") return "";
    return percent(p.coverage_a) + " of " + docLabel(p.a) + ", " + percent(p.coverage_b) + " of " + docLabel(p.b);
  }

  function renderFigures(p) {
    const dl = document.getElementById("figures");
    dl.replaceChildren();
    const row = (k, v) => dl.append(el("dt", null, k), el("dd", null, v));
    row("confidence", fixed(p.confidence));
    row("coverage", coverageWords(p));
    row("5-gram Jaccard", fixed(p.jaccard5));
    row("similarity", fixed(p.similarity));
    row("phrasing", percent(p.phrasing));
    row("aligned sentences", typeof p.aligned_sentences === "number"
      ? p.aligned_sentences + " (" + p.copied_sentences + " sharing phrasing)" : "");
    row("passages", String(p.passages.length));
    row("found by", p.views.join(", "));
  }

  function renderEvidence(p) {
    const ul = document.getElementById("evidence");
    ul.replaceChildren();
    if (!p.evidence.length) ul.append(el("li", "hint", "No direction evidence: nothing tells which text came first."));
    for (const e of p.evidence) {
      const li = el("li");
      li.append(el("span", "signal", SIGNAL_WORDS[e.signal] || e.signal));
      if (e.favours) li.append(el("span", "favours", " (favours " + e.favours + ")"));
      li.append(": " + shown(e.detail));
      ul.append(li);
    }
  }

  // Brings the match of the passage clicked (`span`, a piece of one or more passages; clicked again, the
  // next of them) into view on the other side, level with the click, and marks the passage on both.
  let activePassage = -1;
  function showMatch(span) {
    const ns = span.dataset.ns.split(" ").map(Number);
    const n = ns[(ns.indexOf(activePassage) + 1) % ns.length];
    activePassage = n;
    const side = span.closest(".side");
    const other = document.querySelector(side.id === "side-left" ? "#side-right" : "#side-left");
    for (const a of document.querySelectorAll(".passage.active")) a.classList.remove("active");
    for (const piece of document.querySelectorAll('.passage[data-ns~="' + n + '"]')) piece.classList.add("active");
    const first = side.querySelector('.passage[data-ns~="' + n + '"]');
    const match = other.querySelector('.passage[data-ns~="' + n + '"]');
    if (!match) return;
    const box = other.querySelector(".text");
    box.scrollTop = Math.max(0, match.offsetTop - first.offsetTop + first.closest(".text").scrollTop);
    match.classList.remove("flash");
    void match.offsetWidth; // restarts the animation
    match.classList.add("flash");
  }

  function showPair(k) {
    const p = pairs[k];
    const overview = document.getElementById("overview");
    if (!overview.hidden) state.scrollY = window.scrollY;
    overview.hidden = true;
    document.getElementById("pair").hidden = false;
    const dir = direction(p);
    const [left, right] = dir ? [dir.source, dir.derived] : [p.a, p.b];
    const title = document.getElementById("pair-title");
    title.replaceChildren(el("span", null, docLabel(left)), el("span", "arrow", dir ? " → " : " ~ "), el("span", null, docLabel(right)), " ", relationBadge(p.relation));
    document.getElementById("verdict").textContent = shown(verdictWords(p));
    renderEvidence(p);
    renderFigures(p);
    // Previous and Next step through the list as it is filtered and sorted, when the pair is in it.
    const listed = selectedPairs();
    const i = listed.indexOf(k);
    const [order, at] = i >= 0 ? [listed, i] : [null, k];
    const count = order ? order.length : pairs.length;
    const stepTo = (j) => (j < 0 || j >= count ? null : order ? order[j] : j);
    document.getElementById("position").textContent =
      "pair " + (at + 1) + " of " + count + (order && count < pairs.length ? " (as filtered; " + pairs.length + " in all)" : "");
    for (const [id, j] of [["prev", stepTo(at - 1)], ["next", stepTo(at + 1)]]) {
      const a = document.getElementById(id);
      if (j === null) a.removeAttribute("href");
      else a.href = pairLink(j);
    }
    const sides = [["side-left", left], ["side-right", right]];
    for (const [id, d] of sides) {
      const box = document.getElementById(id);
      const role = dir ? (d === dir.source ? "source" : "derived") : d === p.a ? "a" : "b";
      box.dataset.doc = String(d);
      box.dataset.side = d === p.a ? "a" : "b";
      renderMeta(box.querySelector(".meta"), d, role);
      const text = box.querySelector(".text");
      renderText(text, d, k, d === p.a ? "a" : "b");
      text.scrollTop = 0;
    }
    activePassage = -1;
    document.title = shown("unspun: " + docLabel(left) + (dir ? " → " : " ~ ") + docLabel(right));
    window.scrollTo(0, 0);
  }

  // ---- routing: #pair=K opens a pair, anything else the overview ----
  function route() {
    const m = /^#pair=(\d+)$/.exec(location.hash);
    const k = m ? Number(m[1]) : -1;
    if (k >= 0 && k < pairs.length) {
      if (document.readyState === "loading") {
        // The texts follow this script in the page.
        document.addEventListener("DOMContentLoaded", route, { once: true });
        return;
      }
      showPair(k);
      document.documentElement.dataset.view = "pair";
    } else {
      showOverview();
      document.documentElement.dataset.view = "overview";
    }
    document.documentElement.dataset.ready = "1";
    if (!performance.getEntriesByName("unspun-ready").length) performance.mark("unspun-ready");
  }

  for (const box of document.querySelectorAll(".side .text")) {
    box.addEventListener("click", (e) => {
      const span = e.target.closest(".passage");
      if (span) showMatch(span);
    });
    box.addEventListener("keydown", (e) => {
      const span = e.target.closest && e.target.closest(".passage");
      if (span && (e.key === "Enter" || e.key === " ")) {
        e.preventDefault();
        showMatch(span);
      }
    });
  }
  window.addEventListener("hashchange", route);
  route();
})();
