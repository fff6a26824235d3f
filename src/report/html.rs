//! The HTML format, for people checking the evidence ([`Report::write_html`]): one self-contained page
//! (`html/page.html`, `page.css`, `page.js`, built in with `include_str!`) that loads nothing from
//! anywhere. This module writes the report's data into it: the documents, pairs and clusters as one
//! JSON block, then each pair's marks (the words its passages share, from `marks`) and each paired
//! document's text as JSON blocks of their own, which the page parses only when a pair is opened. The texts come from
//! [`Report::read_texts`] (in `explain`, the part of the report that reads the input again).
//!
//! Nothing from the input reaches the page as markup: the data are JSON inside `<script
//! type="application/json">` with `<`, `>`, `&`, U+2028 and U+2029 written as `\u` escapes, so no
//! `</script>` in an article can end its block, and the page's script puts them in the document as text
//! (`textContent`), never as HTML. The page's Content-Security-Policy (`csp`) forbids every load and every
//! script and style but its own.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use super::{DocumentEntry, PairEntry, Report};
use crate::score::Evidence;
use crate::shingle::Tokens;

mod csp;
mod marks;

use marks::Mark;

const PAGE: &str = include_str!("html/page.html");
const STYLE: &str = include_str!("html/page.css");
const SCRIPT: &str = include_str!("html/page.js");

/// The data the page reads, with documents named by their index in `documents`.
#[derive(Serialize)]
struct Data<'r> {
    tool: &'static str,
    format_version: u32,
    summary: SummaryData<'r>,
    documents: Vec<DocumentData<'r>>,
    pairs: Vec<PairData<'r>>,
    clusters: Vec<ClusterData>,
}

#[derive(Serialize)]
struct SummaryData<'r> {
    documents: usize,
    skipped_documents: usize,
    candidate_pairs: usize,
    grouped_documents: usize,
    pairs: usize,
    problems: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    references: Option<&'r super::References>,
}

#[derive(Serialize)]
struct DocumentData<'r> {
    id: &'r str,
    path: &'r str,
    words: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    reference: bool,
    /// The input's extra fields (url, title…).
    #[serde(skip_serializing_if = "Map::is_empty")]
    fields: &'r Map<String, Value>,
    /// Whether the page holds its text (`true`), or why not (a message); absent for a document in no pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Value>,
}

#[derive(Serialize)]
struct PairData<'r> {
    a: usize,
    b: usize,
    relation: &'static str,
    source: Option<usize>,
    /// These figures are null for a candidate pair (not verified).
    confidence: Option<f64>,
    jaccard5: Option<f64>,
    coverage_a: Option<f64>,
    coverage_b: Option<f64>,
    similarity: Option<f64>,
    phrasing: Option<f64>,
    aligned_sentences: Option<usize>,
    copied_sentences: Option<usize>,
    views: &'r [&'static str],
    evidence: &'r [Evidence],
    passages: Vec<PassageData>,
}

/// An aligned passage: its byte ranges, as in the JSON report.
#[derive(Serialize)]
struct PassageData {
    a: [u32; 2],
    b: [u32; 2],
}

/// Per pair, per passage, the marks of each side (`[a, b]`): written in a block of their own, as they
/// are most of a large report's data and only wanted when the pair is opened.
type PairMarks = Vec<[Vec<Mark>; 2]>;

#[derive(Serialize)]
struct ClusterData {
    source: Option<usize>,
    members: Vec<usize>,
    /// Each member's parent (the report's `parents`), in the order of `members`.
    parents: Vec<Option<usize>>,
}

/// JSON made safe inside a `<script>` element: `<`, `>` and `&` (which can only be inside strings in
/// JSON) as `\u` escapes, so that no `</script>` or `<!--` can end or change the element, and U+2028 and
/// U+2029 too, which older JavaScript took for line ends.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

impl Report {
    /// Writes the report as one self-contained HTML page: an overview (counts, clusters as trees, a
    /// filterable, sortable pair list) and, for each pair, the two texts side by side with the aligned
    /// passages highlighted and linked. The texts are those [`Report::read_texts`] read; without them the
    /// page shows the pairs and says their texts were not read.
    pub fn write_html(&self, out: &mut dyn Write) -> io::Result<()> {
        let (data, marks) = self.html_data();
        let json = serde_json::to_string(&data).map_err(io::Error::other)?;
        let mut page = PAGE;
        let mut part = |marker: &str| -> io::Result<&str> {
            let (before, after) =
                page.split_once(marker).ok_or_else(|| io::Error::other(format!("the HTML template lacks {marker}")))?;
            page = after;
            Ok(before)
        };
        out.write_all(part("@CSP@")?.as_bytes())?;
        out.write_all(csp::policy(SCRIPT, STYLE).as_bytes())?;
        out.write_all(part("@STYLE@")?.as_bytes())?;
        out.write_all(STYLE.as_bytes())?;
        out.write_all(part("@DATA@")?.as_bytes())?;
        write!(out, "<script type=\"application/json\" id=\"data\">{}</script>", script_safe(&json))?;
        out.write_all(part("@SCRIPT@")?.as_bytes())?;
        out.write_all(SCRIPT.as_bytes())?;
        out.write_all(part("@TEXTS@")?.as_bytes())?;
        for (k, marks) in marks.iter().enumerate() {
            let json = serde_json::to_string(marks).map_err(io::Error::other)?;
            writeln!(out, "<script type=\"application/json\" id=\"m{k}\">{}</script>", script_safe(&json))?;
        }
        for (d, text) in self.texts.iter().flatten().enumerate() {
            if let Some(Ok(text)) = text {
                let json = serde_json::to_string(text).map_err(io::Error::other)?;
                writeln!(out, "<script type=\"application/json\" id=\"t{d}\">{}</script>", script_safe(&json))?;
            }
        }
        out.write_all(page.as_bytes())
    }

    /// The documents, pairs with their passages' marks, and clusters, as the page reads them.
    fn html_data(&self) -> (Data<'_>, Vec<PairMarks>) {
        let index: HashMap<&str, usize> = self.documents.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect();
        let at = |id: &str| index.get(id).copied().unwrap_or(usize::MAX);
        let text = |d: usize| self.texts.as_ref().and_then(|t| t.get(d)).and_then(Option::as_ref);
        let documents = self
            .documents
            .iter()
            .enumerate()
            .map(|(d, e): (usize, &DocumentEntry)| DocumentData {
                id: &e.id,
                path: &e.path,
                words: e.words,
                date: e.date.as_deref(),
                skipped: e.skipped,
                reference: e.reference,
                fields: &e.extra,
                text: text(d).map(|t| match t {
                    Ok(_) => Value::Bool(true),
                    Err(e) => Value::String(e.clone()),
                }),
            })
            .collect();
        let mut pair_marks = Vec::with_capacity(self.pairs.len());
        let pairs = self
            .pairs
            .iter()
            .map(|p: &PairEntry| {
                let (a, b) = (at(&p.a), at(&p.b));
                let tokens = match (text(a), text(b)) {
                    (Some(Ok(ta)), Some(Ok(tb))) if !p.passages.is_empty() => Some((Tokens::new(ta), Tokens::new(tb))),
                    _ => None,
                };
                let marked = p.passages.iter().map(|passage| {
                    let (ma, mb) = tokens.as_ref().map(|(ta, tb)| marks::marks(ta, tb, passage)).unwrap_or_default();
                    [ma, mb]
                });
                pair_marks.push(marked.collect());
                let passages = p.passages.iter().map(|passage| PassageData { a: passage.a, b: passage.b }).collect();
                PairData {
                    a,
                    b,
                    relation: p.relation,
                    source: p.source.as_deref().map(at),
                    confidence: p.confidence,
                    jaccard5: p.jaccard5,
                    coverage_a: p.coverage_a,
                    coverage_b: p.coverage_b,
                    similarity: p.similarity,
                    phrasing: p.phrasing,
                    aligned_sentences: p.aligned_sentences,
                    copied_sentences: p.copied_sentences,
                    views: &p.views,
                    evidence: &p.evidence,
                    passages,
                }
            })
            .collect();
        let clusters = self
            .clusters
            .iter()
            .map(|c| ClusterData {
                source: c.source.as_deref().map(at),
                members: c.members.iter().map(|m| at(m)).collect(),
                parents: c.members.iter().map(|m| c.parents.get(m).cloned().flatten().as_deref().map(at)).collect(),
            })
            .collect();
        let s = &self.summary;
        let summary = SummaryData {
            documents: s.documents,
            skipped_documents: s.skipped_documents,
            candidate_pairs: s.candidate_pairs,
            grouped_documents: s.grouped_documents,
            pairs: s.pairs,
            problems: s
                .problems
                .iter()
                .map(|p| match p.line {
                    Some(line) => format!("{}:{line}: {}", p.path, p.message),
                    None => format!("{}: {}", p.path, p.message),
                })
                .collect(),
            references: s.references.as_ref(),
        };
        let data = Data { tool: self.tool, format_version: self.format_version, summary, documents, pairs, clusters };
        (data, pair_marks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_json_cannot_end_its_element() {
        let hostile = "</script><script>alert(1)</script> <!-- & \u{2028}\u{2029}";
        let json = serde_json::to_string(hostile).unwrap();
        let safe = script_safe(&json);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!safe.contains(bad), "{safe}");
        }
        // Still the same JSON value.
        assert_eq!(serde_json::from_str::<String>(&safe).unwrap(), hostile);
    }

    #[test]
    fn the_template_has_each_marker_once_in_order() {
        let mut rest = PAGE;
        for marker in ["@CSP@", "@STYLE@", "@DATA@", "@SCRIPT@", "@TEXTS@"] {
            assert_eq!(rest.matches(marker).count(), 1, "{marker}");
            rest = rest.split_once(marker).unwrap().1;
        }
        // The page's own code cannot end its element early.
        assert!(!SCRIPT.contains("</script") && !STYLE.contains("</style"));
    }
}
