//! The documented output format of a scan: JSON (one object), JSON Lines (one object a line, tagged by
//! `type`), text (one line a pair, then clusters) and CSV (the pairs). Every JSON field is described on
//! the structs below and in the README; passages are byte ranges into each document's text as read (in
//! UTF-8: a UTF-8 text file itself), so anyone can slice the evidence. Built from a [`crate::scan::Scan`]; writing to a file happens in the binary,
//! atomically.
//!
//! This module holds the wire model ([`Report`], its entries, [`Summary`]) and writes it as JSON and
//! JSON Lines. Its neighbours write the other formats, `text` for people, `csv` for spreadsheets and
//! `html` (one self-contained page with the texts side by side), and `explain` reads the texts again:
//! [`Report::explain`] quotes the passages for the text format to show under each pair,
//! [`Report::read_texts`] keeps whole texts for the HTML page.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::align::Passage;
use crate::direction::probability;
use crate::input;
use crate::lsh::LshStats;
use crate::scan::{DocInfo, Fields, Scan};
use crate::score::Evidence;

mod csv;
mod explain;
mod html;
mod text;

pub use explain::{Difference, EXPLAINED_PASSAGES, Explanation, Quote};

/// `n` and `noun`, the noun in the plural unless `n` is 1: `1 document`, `3 documents`.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Version of the report format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 3;

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Always "unspun".
    pub tool: &'static str,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Every document read, sorted by id; of a reference collection (`--against`, or a query's index),
    /// only those a pair names.
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
    /// Per document, its text read again by [`Report::read_texts`] (or why it could not be), when it
    /// ran: `None` for a document in no pair. For the HTML report.
    #[serde(skip)]
    pub texts: Option<Vec<Option<std::result::Result<String, String>>>>,
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
    /// Probability that `source` is right, from the fitted direction model (calibrated on labelled
    /// collections); null when no source is named, or when a canonical link or the dates named it.
    pub source_confidence: Option<f64>,
    /// Confidence in the relation, 0..1; null for a candidate pair not verified (so are the figures
    /// below, which verification measures).
    pub confidence: Option<f64>,
    /// Word 5-gram Jaccard similarity.
    pub jaccard5: Option<f64>,
    /// Share of `a`'s content restated in `b`.
    pub coverage_a: Option<f64>,
    /// Share of `b`'s content restated in `a`.
    pub coverage_b: Option<f64>,
    /// Mean similarity of aligned sentences (weighted content-word overlap, 0..1).
    pub similarity: Option<f64>,
    /// Sum over aligned sentences of their similarity above chance level (0.3): the weight of evidence.
    pub strength: Option<f64>,
    /// Similarity of the two first sentences when they align, else 0.
    pub lead_similarity: Option<f64>,
    /// Share of the shorter text's narrative phrasing (word trigrams outside quotations) found in the other.
    pub phrasing: Option<f64>,
    /// Aligned sentence pairs.
    pub aligned_sentences: Option<usize>,
    /// Aligned sentence pairs that share narrative phrasing (a word trigram outside quotations).
    pub copied_sentences: Option<usize>,
    /// The part of `strength` from sentence pairs that share narrative phrasing.
    pub copied_strength: Option<f64>,
    /// Views whose candidate step proposed the pair.
    pub views: Vec<&'static str>,
    /// Aligned passages as byte ranges `[start, end)` into each original text.
    pub passages: Vec<Passage>,
    /// Evidence about which text is the source.
    pub evidence: Vec<Evidence>,
    /// With the semantic view, for a pair the wording alone does not show derived: what the view
    /// measured (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic: Option<SemanticEntry>,
}

/// The semantic view's figures of a pair.
#[derive(Debug, Serialize)]
pub struct SemanticEntry {
    /// Cosine similarity of the two leads' embeddings.
    pub leads: f64,
    /// Sentences of the shorter text compared (null when the leads were too far apart to compare them).
    pub sentences: Option<usize>,
    /// How many of them mean the same as a sentence of the other, in order.
    pub restated_in_order: Option<usize>,
    /// Mean over them of the closest similarity to a sentence of the other.
    pub closeness: Option<f64>,
    /// Share of the shorter text's names and numbers found in the other, each weighed by its rarity.
    pub specifics: f64,
    /// The weight of the names and numbers the two share (a rare one weighs about 8, one in half the
    /// collection's documents 1).
    pub specifics_weight: f64,
}

/// A cluster.
#[derive(Debug, Serialize)]
pub struct ClusterEntry {
    /// The document the others derive from, when known.
    pub source: Option<String>,
    /// Member ids, sorted.
    pub members: Vec<String>,
    /// Each member's parent (the text it was derived from, when the pairs name one; null for the source
    /// and for members no pair names a source of), by member id: the family as a tree.
    pub parents: std::collections::BTreeMap<String, Option<String>>,
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

impl DocumentEntry {
    /// The entry of a document read.
    pub fn new(d: &DocInfo) -> DocumentEntry {
        DocumentEntry {
            id: d.id.clone(),
            // Named as the problems name it: `stdin` for standard input.
            path: if input::is_stdin(&d.path) {
                "stdin".into()
            } else {
                crate::escape::path_text(&d.path).into_owned()
            },
            words: d.words,
            date: d.date.clone(),
            skipped: d.skipped,
            reference: d.reference,
            extra: clear_of_entry_fields(&d.extra),
        }
    }
}

/// The names a document's entry gives its own fields (and JSON Lines its `type`).
const ENTRY_FIELDS: [&str; 7] = ["id", "path", "words", "date", "skipped", "reference", "type"];

/// An input's passed-through fields, those named like the entry's own fields (a record's `path` or
/// `words`) renamed `input_NAME`: they would otherwise be written as a second key of that name, which
/// a JSON reader takes in place of the entry's.
fn clear_of_entry_fields(extra: &Fields) -> Map<String, Value> {
    if !ENTRY_FIELDS.iter().any(|name| extra.contains_key(name)) {
        return extra.to_map();
    }
    let mut out = Map::new();
    for (key, value) in extra.iter() {
        let mut name = key.to_string();
        // Past the entry's names, and past the input's own fields and those renamed before.
        while ENTRY_FIELDS.contains(&name.as_str())
            || name != key && extra.contains_key(&name)
            || out.contains_key(&name)
        {
            name = format!("input_{name}");
        }
        out.insert(name, value.clone());
    }
    out
}

impl ProblemEntry {
    /// The entry of an input problem.
    pub fn new(p: &input::Problem) -> ProblemEntry {
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
    /// With `--boilerplate`: the page furniture lines found, each site's counted apart, and left out of
    /// the texts compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub furniture_lines: Option<usize>,
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
            furniture_lines: scan.furniture_lines,
        }
    }

    /// Writes the summary alone as one JSON object.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }
}

/// The places in `scan.documents` of the documents a report lists, in order: against a reference
/// collection (an archive of years, a query's index), its documents are listed only when a pair names
/// them (the summary counts the others).
fn listed(scan: &Scan) -> impl Iterator<Item = usize> + '_ {
    let mut named = vec![false; scan.documents.len()];
    for p in &scan.pairs {
        named[p.a as usize] = true;
        named[p.b as usize] = true;
    }
    (0..scan.documents.len()).filter(move |&d| !scan.documents[d].reference || named[d])
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Report {
    /// Builds the report of a scan.
    pub fn new(scan: &Scan) -> Report {
        let id = |i: u32| scan.documents[i as usize].id.clone();
        let documents = listed(scan).map(|d| DocumentEntry::new(&scan.documents[d])).collect();
        let pairs = scan
            .pairs
            .iter()
            .map(|p| {
                let measured = |x: f64| p.verified.then(|| round(x));
                PairEntry {
                    a: id(p.a),
                    b: id(p.b),
                    relation: match (p.relation, p.verified) {
                        (Some(r), _) => r.name(),
                        (None, true) => "none",
                        (None, false) => "candidate",
                    },
                    source: p.source.map(id),
                    source_confidence: p.source.and(p.log_odds).map(|x| round(probability(x.abs()))),
                    confidence: measured(p.confidence),
                    jaccard5: measured(p.alignment.jaccard5),
                    coverage_a: measured(p.alignment.coverage_a),
                    coverage_b: measured(p.alignment.coverage_b),
                    similarity: measured(p.alignment.similarity),
                    strength: measured(p.alignment.strength),
                    lead_similarity: measured(p.alignment.lead_similarity),
                    phrasing: measured(p.alignment.phrasing),
                    aligned_sentences: p.verified.then_some(p.alignment.aligned),
                    copied_sentences: p.verified.then_some(p.alignment.copied_sentences),
                    copied_strength: measured(p.alignment.copied_strength),
                    views: scan.proposer_names(p.proposed_by),
                    passages: p.alignment.passages.clone(),
                    evidence: p.evidence.clone(),
                    semantic: p.semantic.map(|f| SemanticEntry {
                        leads: round(f.leads),
                        sentences: f.restatement.map(|r| r.sentences),
                        restated_in_order: f.restatement.map(|r| r.in_order),
                        closeness: f.restatement.map(|r| round(r.closeness)),
                        specifics: round(f.specifics),
                        specifics_weight: round(f.specifics_weight),
                    }),
                }
            })
            .collect();
        let clusters = scan
            .clusters
            .iter()
            .map(|c| ClusterEntry {
                source: c.source.map(id),
                members: c.members.iter().map(|&m| id(m)).collect(),
                parents: c.members.iter().zip(&c.parents).map(|(&m, p)| (id(m), p.map(id))).collect(),
            })
            .collect();
        let summary = Summary::new(scan);
        Report {
            tool: "unspun",
            format_version: FORMAT_VERSION,
            documents,
            pairs,
            clusters,
            summary,
            explained: None,
            texts: None,
        }
    }

    /// Writes the report as one JSON object.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }

    /// Writes the report as JSON Lines: each document, pair and cluster on its own line with a `type`
    /// field (`document`, `pair`, `cluster`), then one `summary` line.
    pub fn write_jsonl(&self, out: &mut dyn Write) -> io::Result<()> {
        for d in &self.documents {
            write_jsonl_line(out, "document", d)?;
        }
        for p in &self.pairs {
            write_jsonl_line(out, "pair", p)?;
        }
        for c in &self.clusters {
            write_jsonl_line(out, "cluster", c)?;
        }
        write_jsonl_line(out, "summary", &self.summary)
    }
}

/// Writes one line of the JSON Lines report: `item` with a `type` field (`document`, `pair`, `cluster`,
/// `summary`); for a writer that puts the report together from parts.
pub fn write_jsonl_line<T: Serialize>(out: &mut dyn Write, kind: &str, item: &T) -> io::Result<()> {
    let mut value = serde_json::to_value(item)?;
    if let Value::Object(map) = &mut value {
        map.insert("type".into(), Value::String(kind.into()));
    }
    serde_json::to_writer(&mut *out, &value)?;
    writeln!(out)
}
