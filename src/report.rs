//! The documented output format of a scan: JSON (one object), JSON Lines (one object a line, tagged by
//! `type`) and text (one line a pair, then clusters). Every JSON field is described on the structs below
//! and in the README; passages are byte ranges into the original files, so anyone can slice the evidence.
//! For people, [`Report::explain`] quotes the passages from the texts read again, and the text format
//! shows them with the evidence under each pair. Built from a [`crate::scan::Scan`]; writing to a
//! file happens in the binary, atomically.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::align::Passage;
use crate::input::{self, InputOptions};
use crate::lsh::LshStats;
use crate::scan::Scan;
use crate::score::{Evidence, Relation};

/// Aligned passages of a pair quoted by [`Report::explain`].
pub const EXPLAINED_PASSAGES: usize = 3;
/// Longest quotation of a passage, in characters.
const QUOTE_CHARS: usize = 160;

/// Version of the report format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 2;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Always "unspun".
    pub tool: &'static str,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Every document read, sorted by id.
    pub documents: Vec<DocumentEntry>,
    /// Every reported pair, sorted by `a` then `b`.
    pub pairs: Vec<PairEntry>,
    /// Groups of documents connected by reported pairs.
    pub clusters: Vec<ClusterEntry>,
    /// Counts for the run.
    pub summary: Summary,
    /// Per pair, what [`Report::explain`] quoted of it, when it ran.
    #[serde(skip)]
    pub explained: Option<Vec<Explanation>>,
}

/// What [`Report::explain`] quotes of a pair.
#[derive(Clone, Debug, Default)]
pub struct Explanation {
    /// Its first passages, quoted from both texts (`(a, b)`).
    pub passages: Vec<(Quote, Quote)>,
    /// For copies (`duplicate`, `near_duplicate`), where the texts differ: from the first to the last
    /// differing word, in `a` and in `b`; `None` inside when they are byte-identical.
    pub differs: Option<Option<(Quote, Quote)>>,
}

/// A byte range of a text and its quotation.
#[derive(Clone, Debug, Default)]
pub struct Quote {
    /// `[start, end)` in bytes.
    pub range: [u32; 2],
    /// The quotation: white space collapsed, cut with an ellipsis when long.
    pub text: String,
}

/// One document.
#[derive(Debug, Serialize)]
pub struct DocumentEntry {
    /// Identifier used in `pairs` and `clusters`.
    pub id: String,
    /// File it was read from.
    pub path: String,
    /// Number of words, a Chinese or Japanese character counting as half a word.
    pub words: usize,
    /// Publication date, when the input gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Why the document was not compared (`empty`, `too short to judge`), when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<&'static str>,
    /// Whether it belongs to the reference collection (`--against`); absent when it does not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reference: bool,
    /// Fields passed through from the input (url, title…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A pair of documents one of which derives from the other.
#[derive(Debug, Serialize)]
pub struct PairEntry {
    /// First document id (the smaller in document order).
    pub a: String,
    /// Second document id.
    pub b: String,
    /// `duplicate`, `near_duplicate`, `rewrite` or `partial`; `candidate` when verification was off;
    /// `none` for a verified pair judged not derived (only with `--report-unrelated`).
    pub relation: &'static str,
    /// The source document's id, or null when the evidence does not say.
    pub source: Option<String>,
    /// Confidence in the relation, 0..1.
    pub confidence: f64,
    /// Word 5-gram Jaccard similarity.
    pub jaccard5: f64,
    /// Share of `a`'s content restated in `b`.
    pub coverage_a: f64,
    /// Share of `b`'s content restated in `a`.
    pub coverage_b: f64,
    /// Mean similarity of aligned sentences (weighted content-word overlap, 0..1).
    pub similarity: f64,
    /// Sum over aligned sentences of their similarity above chance level (0.3): the weight of evidence.
    pub strength: f64,
    /// Similarity of the two first sentences when they align, else 0.
    pub lead_similarity: f64,
    /// Share of the shorter text's narrative phrasing (word trigrams outside quotations) found in the other.
    pub phrasing: f64,
    /// Aligned sentence pairs.
    pub aligned_sentences: usize,
    /// Aligned sentence pairs that share narrative phrasing (a word trigram outside quotations).
    pub copied_sentences: usize,
    /// The part of `strength` from sentence pairs that share narrative phrasing.
    pub copied_strength: f64,
    /// Views whose candidate step proposed the pair.
    pub views: Vec<&'static str>,
    /// Aligned passages as byte ranges `[start, end)` into each original text.
    pub passages: Vec<Passage>,
    /// Evidence about which text is the source.
    pub evidence: Vec<Evidence>,
}

/// A cluster.
#[derive(Debug, Serialize)]
pub struct ClusterEntry {
    /// The document the others derive from, when known.
    pub source: Option<String>,
    /// Member ids, sorted.
    pub members: Vec<String>,
}

/// An input problem, with where it is as fields, so a script can go back to the line or record.
#[derive(Debug, Serialize)]
pub struct ProblemEntry {
    /// The file (`stdin` for standard input).
    pub path: String,
    /// Line (for CSV the row, the header being row 1), when the problem is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Byte offset of the web-archive record (in the uncompressed stream), when the problem is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl ProblemEntry {
    fn new(p: &input::Problem) -> ProblemEntry {
        ProblemEntry { path: p.file_name(), line: p.line, record: p.record, message: p.message.clone() }
    }
}

/// Counts for the run.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Documents read.
    pub documents: usize,
    /// Documents not compared (empty or too short).
    pub skipped_documents: usize,
    /// Input problems (damaged or unreadable input), in the order met.
    pub problems: Vec<ProblemEntry>,
    /// Distinct candidate pairs over all views.
    pub candidate_pairs: usize,
    /// Documents in a near-duplicate group of eight or more (estimated word 5-gram Jaccard ≥ 0.5) other
    /// than its first:
    /// each is reported against its group's first document, which alone is compared in the rewording
    /// views for all of them.
    pub grouped_documents: usize,
    /// Candidate statistics per view (`pairs`, `capped_buckets`: buckets too large to pair in full,
    /// chained instead; `largest_bucket`).
    pub views: Map<String, Value>,
    /// Reported pairs.
    pub pairs: usize,
    /// Against a reference collection (`--against`): its documents, and how many of them are in a
    /// reported pair (found copied or copying).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<References>,
}

/// The reference collection's share of a scan against it.
#[derive(Debug, Serialize)]
pub struct References {
    /// Reference documents read.
    pub documents: usize,
    /// Reference documents in at least one reported pair.
    pub paired: usize,
}

impl Summary {
    /// The counts of a scan, without building the rest of the report (for `--format summary`).
    pub fn new(scan: &Scan) -> Summary {
        let views = scan
            .candidates
            .iter()
            .map(|(v, s): &(_, LshStats)| (v.name().to_string(), serde_json::to_value(s).unwrap_or(Value::Null)))
            .collect();
        // Not known when the pairs were only counted.
        let against = scan.documents.iter().any(|d| d.reference) && scan.counted_pairs.is_none();
        let references = against.then(|| {
            let mut paired = vec![false; scan.documents.len()];
            for p in &scan.pairs {
                paired[p.a as usize] = true;
                paired[p.b as usize] = true;
            }
            References {
                documents: scan.documents.iter().filter(|d| d.reference).count(),
                paired: scan.documents.iter().zip(&paired).filter(|&(d, &p)| d.reference && p).count(),
            }
        });
        Summary {
            references,
            documents: scan.documents.len(),
            skipped_documents: scan.documents.iter().filter(|d| d.skipped.is_some()).count(),
            problems: scan.problems.iter().map(ProblemEntry::new).collect(),
            candidate_pairs: scan.candidate_pairs,
            grouped_documents: scan.grouped_documents,
            views,
            pairs: scan.counted_pairs.unwrap_or(scan.pairs.len()),
        }
    }

    /// Writes the summary alone as one JSON object.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }
}

/// The text of a byte range, its white space collapsed, in quotation marks, cut to [`QUOTE_CHARS`]
/// characters with an ellipsis; a range that no longer fits the text (it changed since the scan) says so.
fn quote(text: &str, [start, end]: [u32; 2]) -> String {
    let Some(slice) = text.get(start as usize..end as usize) else {
        return "(the text changed since the scan)".into();
    };
    let words: Vec<&str> = slice.split_whitespace().collect();
    let flat = words.join(" ");
    match flat.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("“{}…”", flat[..cut].trim_end()),
        None => format!("“{flat}”"),
    }
}

/// Where two texts differ: the byte ranges, in each, from the first to the last differing word (the
/// common beginning and end left out, widened to whole words), or `None` when they are byte-identical.
fn differing(a: &str, b: &str) -> Option<([u32; 2], [u32; 2])> {
    let mut start = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    if start == a.len() && start == b.len() {
        return None;
    }
    let room = (a.len() - start).min(b.len() - start);
    let common_end = a.bytes().rev().zip(b.bytes().rev()).take(room).take_while(|(x, y)| x == y).count();
    // The common beginning is the same bytes in both, so one start serves both.
    while !a.is_char_boundary(start) {
        start -= 1;
    }
    start = a[..start].rfind(char::is_whitespace).map_or(0, |i| i + a[i..].chars().next().map_or(1, char::len_utf8));
    let end = |t: &str| {
        let mut end = t.len() - common_end;
        while !t.is_char_boundary(end) {
            end += 1;
        }
        t[end..].find(char::is_whitespace).map_or(t.len(), |i| end + i)
    };
    let range = |end: usize| [start as u32, end as u32];
    Some((range(end(a)), range(end(b))))
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Report {
    /// Builds the report of a scan.
    pub fn new(scan: &Scan) -> Report {
        let id = |i: u32| scan.documents[i as usize].id.clone();
        let documents = scan
            .documents
            .iter()
            .map(|d| DocumentEntry {
                id: d.id.clone(),
                path: d.path.display().to_string(),
                words: d.words,
                date: d.date.clone(),
                skipped: d.skipped,
                reference: d.reference,
                extra: d.extra.clone(),
            })
            .collect();
        let pairs = scan
            .pairs
            .iter()
            .map(|p| PairEntry {
                a: id(p.a),
                b: id(p.b),
                relation: match (p.relation, p.verified) {
                    (Some(r), _) => r.name(),
                    (None, true) => "none",
                    (None, false) => "candidate",
                },
                source: p.source.map(id),
                confidence: round(p.confidence),
                jaccard5: round(p.alignment.jaccard5),
                coverage_a: round(p.alignment.coverage_a),
                coverage_b: round(p.alignment.coverage_b),
                similarity: round(p.alignment.similarity),
                strength: round(p.alignment.strength),
                lead_similarity: round(p.alignment.lead_similarity),
                phrasing: round(p.alignment.phrasing),
                aligned_sentences: p.alignment.aligned,
                copied_sentences: p.alignment.copied_sentences,
                copied_strength: round(p.alignment.copied_strength),
                views: scan.proposer_names(p.proposed_by),
                passages: p.alignment.passages.clone(),
                evidence: p.evidence.clone(),
            })
            .collect();
        let clusters = scan
            .clusters
            .iter()
            .map(|c| ClusterEntry { source: c.source.map(id), members: c.members.iter().map(|&m| id(m)).collect() })
            .collect();
        let summary = Summary::new(scan);
        Report { tool: "unspun", format_version: FORMAT_VERSION, documents, pairs, clusters, summary, explained: None }
    }

    /// Quotes the first [`EXPLAINED_PASSAGES`] passages of each pair from both texts, read again (each
    /// document once, but a pair of copies reads its two together), and where two copies differ, for
    /// [`Report::write_text`]. A text that cannot be read again is quoted as the reason.
    pub fn explain(&mut self, scan: &Scan, options: &InputOptions) {
        let copies = |k: usize| matches!(scan.pairs[k].relation, Some(Relation::Duplicate | Relation::NearDuplicate));
        let read = |d: u32| {
            let doc = &scan.documents[d as usize];
            input::reload(&doc.path, &doc.origin, options).map_err(|e| format!("(text not read again: {e})"))
        };
        let quoted = |text: &Result<String, String>, range| match text {
            Ok(text) => Quote { range, text: quote(text, range) },
            Err(e) => Quote { range, text: e.clone() },
        };
        let mut explained: Vec<Explanation> = scan
            .pairs
            .iter()
            .map(|p| Explanation {
                passages: vec![Default::default(); p.alignment.passages.len().min(EXPLAINED_PASSAGES)],
                differs: None,
            })
            .collect();
        // Copies need both texts at once: each pair reads its two, for its passages and where they differ.
        for (k, e) in explained.iter_mut().enumerate().filter(|(k, _)| copies(*k)) {
            let p = &scan.pairs[k];
            let (a, b) = (read(p.a), read(p.b));
            for (slot, passage) in e.passages.iter_mut().zip(&p.alignment.passages) {
                *slot = (quoted(&a, passage.a), quoted(&b, passage.b));
            }
            if let (Ok(ta), Ok(tb)) = (&a, &b) {
                e.differs = Some(differing(ta, tb).map(|(ra, rb)| (quoted(&a, ra), quoted(&b, rb))));
            }
        }
        // The other pairs' passages, grouped by document so that each text is read once: (document, pair,
        // passage, side, range).
        let mut wanted: Vec<(u32, usize, usize, bool, [u32; 2])> = Vec::new();
        for (k, p) in scan.pairs.iter().enumerate().filter(|(k, _)| !copies(*k)) {
            for (n, passage) in p.alignment.passages.iter().take(EXPLAINED_PASSAGES).enumerate() {
                wanted.push((p.a, k, n, false, passage.a));
                wanted.push((p.b, k, n, true, passage.b));
            }
        }
        wanted.sort_unstable_by_key(|w| w.0);
        for group in wanted.chunk_by(|x, y| x.0 == y.0) {
            let text = read(group[0].0);
            for &(_, k, n, side, range) in group {
                let slot = &mut explained[k].passages[n];
                *(if side { &mut slot.1 } else { &mut slot.0 }) = quoted(&text, range);
            }
        }
        self.explained = Some(explained);
    }

    /// Writes the report as one JSON object.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }

    /// Writes the report as JSON Lines: each document, pair and cluster on its own line with a `type`
    /// field (`document`, `pair`, `cluster`), then one `summary` line.
    pub fn write_jsonl(&self, out: &mut dyn Write) -> io::Result<()> {
        fn line<T: Serialize>(out: &mut dyn Write, kind: &str, item: &T) -> io::Result<()> {
            let mut value = serde_json::to_value(item)?;
            if let Value::Object(map) = &mut value {
                map.insert("type".into(), Value::String(kind.into()));
            }
            serde_json::to_writer(&mut *out, &value)?;
            writeln!(out)
        }
        for d in &self.documents {
            line(out, "document", d)?;
        }
        for p in &self.pairs {
            line(out, "pair", p)?;
        }
        for c in &self.clusters {
            line(out, "cluster", c)?;
        }
        line(out, "summary", &self.summary)
    }

    /// Writes the pairs as CSV for spreadsheets, one row a pair with a header row: the two documents and
    /// the derived one's source, the relation and its figures, each side's URL, title and date when the
    /// input gave them, and the direction evidence's signals. Documents and clusters are left to the JSON
    /// formats.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let by_id: std::collections::HashMap<&str, &DocumentEntry> =
            self.documents.iter().map(|d| (d.id.as_str(), d)).collect();
        let field = |id: &str, name: &str| -> String {
            let Some(d) = by_id.get(id) else { return String::new() };
            match name {
                "date" => d.date.clone().unwrap_or_default(),
                _ => d.extra.get(name).and_then(Value::as_str).unwrap_or_default().to_string(),
            }
        };
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "a",
            "b",
            "relation",
            "source",
            "confidence",
            "jaccard5",
            "coverage_a",
            "coverage_b",
            "similarity",
            "a_url",
            "b_url",
            "a_title",
            "b_title",
            "a_date",
            "b_date",
            "evidence",
        ])?;
        for p in &self.pairs {
            let number = |x: f64| format!("{x:.3}");
            let signals: Vec<&str> = p.evidence.iter().map(|e| e.signal).collect();
            w.write_record([
                p.a.clone(),
                p.b.clone(),
                p.relation.to_string(),
                p.source.clone().unwrap_or_default(),
                number(p.confidence),
                number(p.jaccard5),
                number(p.coverage_a),
                number(p.coverage_b),
                number(p.similarity),
                field(&p.a, "url"),
                field(&p.b, "url"),
                field(&p.a, "title"),
                field(&p.b, "title"),
                field(&p.a, "date"),
                field(&p.b, "date"),
                signals.join(";"),
            ])?;
        }
        w.flush()
    }

    /// Writes the report for people: one line a pair (`source → derived  relation  confidence`, or
    /// `a ~ b` when no source is named), then the clusters. After [`Report::explain`], each pair's
    /// evidence, where two copies differ, and its quoted passages follow its line.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let quote_line = |out: &mut dyn Write, id: &str, q: &Quote| {
            writeln!(out, "      {id} [{}..{}] {}", q.range[0], q.range[1], q.text)
        };
        for (k, p) in self.pairs.iter().enumerate() {
            let link = match &p.source {
                Some(s) if *s == p.a => format!("{} → {}", p.a, p.b),
                Some(_) => format!("{} → {}", p.b, p.a),
                None => format!("{} ~ {}", p.a, p.b),
            };
            writeln!(out, "{link}  {}  {:.2}", p.relation, p.confidence)?;
            let Some(explained) = &self.explained else { continue };
            for e in &p.evidence {
                let favours = e.favours.as_ref().map(|f| format!(" (favours {f})")).unwrap_or_default();
                writeln!(out, "    {}{favours}: {}", e.signal, e.detail)?;
            }
            match &explained[k].differs {
                Some(Some((qa, qb))) => {
                    writeln!(out, "    where they differ:")?;
                    quote_line(out, &p.a, qa)?;
                    quote_line(out, &p.b, qb)?;
                }
                Some(None) => writeln!(out, "    the texts are byte-identical")?,
                None => {}
            }
            for (n, (qa, qb)) in explained[k].passages.iter().enumerate() {
                writeln!(out, "    passage {} of {}:", n + 1, p.passages.len())?;
                quote_line(out, &p.a, qa)?;
                quote_line(out, &p.b, qb)?;
            }
        }
        if !self.clusters.is_empty() {
            writeln!(out, "\nclusters:")?;
        }
        for c in &self.clusters {
            match &c.source {
                Some(s) => {
                    let rest: Vec<&str> = c.members.iter().filter(|m| *m != s).map(String::as_str).collect();
                    writeln!(out, "  {s} (source): {}", rest.join(", "))?
                }
                None => writeln!(out, "  {}", c.members.join(", "))?,
            }
        }
        let s = &self.summary;
        writeln!(
            out,
            "\n{} documents ({} not compared), {} candidate pairs, {} reported pairs, {} input problems",
            s.documents,
            s.skipped_documents,
            s.candidate_pairs,
            s.pairs,
            s.problems.len()
        )?;
        if let Some(r) = &s.references {
            writeln!(out, "{} of the {} reference documents are in a reported pair", r.paired, r.documents)?;
        }
        for (view, stats) in &s.views {
            if stats.get("capped_buckets").and_then(Value::as_u64).unwrap_or(0) > 0 {
                writeln!(
                    out,
                    "note: view {view}: {stats} — buckets larger than the cap were chained, not paired in full"
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_collapse_white_space_and_cut_long_passages_between_characters() {
        let text = "Kyiv  was\n\thit overnight.";
        assert_eq!(quote(text, [0, text.len() as u32]), "“Kyiv was hit overnight.”");
        assert_eq!(quote(text, [6, 9]), "“was”");
        // Cut after QUOTE_CHARS characters, not bytes: 'é' takes two bytes.
        let long = "é".repeat(QUOTE_CHARS + 10);
        let quoted = quote(&long, [0, long.len() as u32]);
        assert_eq!(quoted, format!("“{}…”", "é".repeat(QUOTE_CHARS)));
        // A range the text no longer has, or one that splits a character: the text changed.
        assert_eq!(quote(text, [0, 999]), "(the text changed since the scan)");
        assert_eq!(quote(&long, [1, 4]), "(the text changed since the scan)");
    }

    #[test]
    fn copies_differ_from_the_first_to_the_last_differing_word() {
        let at = |t: &str, r: [u32; 2]| t[r[0] as usize..r[1] as usize].to_string();
        let (a, b) = ("Kyiv was hit by drones overnight.", "Kyiv was hit by missiles overnight.");
        let (ra, rb) = differing(a, b).unwrap();
        assert_eq!((at(a, ra), at(b, rb)), ("drones".into(), "missiles".into()));
        // Several edits: one span from the first to the last; a word cut by a multi-byte character.
        let (a, b) = ("un café, deux cafés, trois", "un cafè, deux cafès, trois");
        let (ra, rb) = differing(a, b).unwrap();
        assert_eq!((at(a, ra), at(b, rb)), ("café, deux cafés,".into(), "cafè, deux cafès,".into()));
        // One text ends where the other goes on; identical texts do not differ.
        let (ra, rb) = differing("a b c", "a b c d e").unwrap();
        assert_eq!((at("a b c", ra), at("a b c d e", rb)), ("c".into(), "c d e".into()));
        assert_eq!(differing("same", "same"), None);
    }

    proptest::proptest! {
        /// Against the definition: putting b's differing span in place of a's turns a into b, and the
        /// spans start and end at whole words (after white space or at the text's start; before white
        /// space or at its end).
        #[test]
        fn the_differing_spans_turn_one_text_into_the_other(
            a in "[ab é\n]{0,24}",
            edits in proptest::collection::vec((0usize..24, 0usize..3, "[ab é]{0,3}"), 0..3),
        ) {
            // b is a with a few characters replaced, deleted or inserted here and there.
            let mut b = a.clone();
            for (at, delete, insert) in edits {
                let chars: Vec<char> = b.chars().collect();
                let at = at.min(chars.len());
                let end = (at + delete).min(chars.len());
                b = chars[..at].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(&chars[end..]).collect();
            }
            match differing(&a, &b) {
                None => proptest::prop_assert_eq!(&a, &b),
                Some((ra, rb)) => {
                    let (s, ea, eb) = (ra[0] as usize, ra[1] as usize, rb[1] as usize);
                    proptest::prop_assert_eq!(rb[0] as usize, s);
                    proptest::prop_assert_eq!(format!("{}{}{}", &a[..s], &b[s..eb], &a[ea..]), b.clone());
                    let word_start = |t: &str| s == 0 || t[..s].ends_with(char::is_whitespace);
                    let word_end = |t: &str, e: usize| e == t.len() || t[e..].starts_with(char::is_whitespace);
                    proptest::prop_assert!(word_start(&a) && word_start(&b));
                    proptest::prop_assert!(word_end(&a, ea) && word_end(&b, eb));
                }
            }
        }
    }
}
