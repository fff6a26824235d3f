//! What a scan finds: the documents read ([`DocInfo`]), the verified pairs ([`ScoredPair`]), the clusters
//! they form and the counts of each stage ([`Scan`]). Made by [`crate::pipeline`]; written by
//! [`crate::report`] and scored by [`crate::eval`].

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::align::Alignment;
use crate::direction::Features;
use crate::input::{DatePrecision, Origin, Problem};
use crate::lsh::LshStats;
use crate::pair::{PairKey, Proposer, Proposers, unpack};
use crate::score::{Evidence, Lean, Relation, SemanticFigures};

/// What is known of a document after reading; its text is not kept.
#[derive(Clone, Debug)]
pub struct DocInfo {
    /// Identifier, unique in the run.
    pub id: String,
    /// File it came from (shared by all the documents of a file).
    pub path: Arc<Path>,
    /// Where in the file, to read it again.
    pub origin: Origin,
    /// Length of the text in bytes.
    pub bytes: usize,
    /// Number of words, a Chinese or Japanese character counting as half a word.
    pub words: usize,
    /// Publication date as given.
    pub date: Option<String>,
    /// Publication time in days since 1970, when the date could be read.
    pub day: Option<f64>,
    /// How precisely `day` places the document ([`crate::input::publication`]).
    pub precision: DatePrecision,
    /// Fields passed through from the input.
    pub extra: Fields,
    /// Why the document was not compared with others (too short), if it was not.
    pub skipped: Option<&'static str>,
    /// Whether it was read from the reference collection ([`crate::config::Config::against`]).
    pub reference: bool,
}

/// Whether two documents were published at most `window` days apart (or either is undated), as `--window`
/// asks. A day without a time is any moment of it: against it, the other counts by its day too (a day and
/// 10:00 of that day are the same day, at `--window 0`).
pub(crate) fn published_within(a: &DocInfo, b: &DocInfo, window: f64) -> bool {
    let (Some(x), Some(y)) = (a.day, b.day) else { return true };
    if (x - y).abs() <= window {
        return true;
    }
    [a.precision, b.precision].contains(&DatePrecision::Day) && (x.floor() - y.floor()).abs() <= window
}

#[cfg(test)]
impl DocInfo {
    /// A document of 100 words read from nowhere, for tests of what follows reading.
    pub(crate) fn stub(id: &str) -> DocInfo {
        DocInfo {
            id: id.into(),
            path: Path::new("").into(),
            origin: Origin::File,
            bytes: 0,
            words: 100,
            date: None,
            day: None,
            precision: DatePrecision::Time,
            extra: Fields::default(),
            skipped: None,
            reference: false,
        }
    }
}

/// A document's fields passed through from the input (url, title, outlet…), held for the whole run in
/// little memory: a list sorted by name, where a map of a few entries costs a tree node of hundreds of
/// bytes (four fields took about a kilobyte a document). Read like a map, in the map's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(Box<[(Box<str>, Value)]>);

impl Fields {
    /// The value of the field `name`, if the input gave one.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.binary_search_by(|(key, _)| (**key).cmp(name)).ok().map(|k| &self.0[k].1)
    }

    /// Whether the input gave a field `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(key, value)| (&**key, value))
    }

    /// The fields as a map.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter().map(|(key, value)| (key.to_string(), value.clone())).collect()
    }
}

impl From<Map<String, Value>> for Fields {
    fn from(map: Map<String, Value>) -> Fields {
        // A map iterates by name: the list comes out sorted.
        Fields(map.into_iter().map(|(key, value)| (key.into_boxed_str(), value)).collect())
    }
}

impl std::ops::Index<&str> for Fields {
    type Output = Value;

    /// The value of the field `name`; panics when there is none, as a map does.
    fn index(&self, name: &str) -> &Value {
        self.get(name).unwrap_or_else(|| panic!("no field {name}"))
    }
}

/// A verified pair.
#[derive(Clone, Debug)]
pub struct ScoredPair {
    /// First document (index into [`Scan::documents`], `a < b`).
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// The relation; `None` for a pair judged not derived (reported only with `report_unrelated`) or an
    /// unverified candidate (`candidates_only`).
    pub relation: Option<Relation>,
    /// Whether the pair went through verification.
    pub verified: bool,
    /// Confidence in the relation, 0..1.
    pub confidence: f64,
    /// The source document, when the evidence names one.
    pub source: Option<u32>,
    /// Which way the pair's own evidence leans, for pairs judged derived.
    pub lean: Option<Lean>,
    /// The direction features the lean weighed, when the pair alone did not settle it and
    /// [`crate::config::Config::all_direction_features`] asks for them (boxed: a crawl reports millions
    /// of pairs).
    pub features: Option<Box<Features>>,
    /// For a pair whose lean the model weighed: its log-odds in two parts, what the related documents say
    /// and what the two texts say themselves ([`crate::direction::DirectionModel::score_parts`]).
    pub lean_parts: Option<(f64, f64)>,
    /// For a pair whose direction the model weighed: the log-odds that `a` is the source
    /// ([`crate::score::Oriented::log_odds`]).
    pub log_odds: Option<f64>,
    /// The alignment figures and passages. Its sentence pairs are not kept once the pair is scored (the
    /// passages hold them, merged): a crawl reports millions of pairs.
    pub alignment: Alignment,
    /// The candidate sources that proposed the pair, a bit each in the order of [`Scan::proposers`] (views
    /// whose LSH did, `passages`, `semantic`): a crawl reports millions of pairs.
    pub proposed_by: Proposers,
    /// Evidence about direction.
    pub evidence: Vec<Evidence>,
    /// What the semantic view measured, for a pair the wording alone did not show derived.
    pub semantic: Option<SemanticFigures>,
}

impl ScoredPair {
    /// A candidate pair as found, before verification (reported so with
    /// [`crate::config::Config::candidates_only`]).
    pub(crate) fn unverified(key: PairKey, proposed_by: Proposers) -> ScoredPair {
        let (a, b) = unpack(key);
        ScoredPair {
            a,
            b,
            relation: None,
            verified: false,
            confidence: 0.0,
            source: None,
            lean: None,
            features: None,
            lean_parts: None,
            log_odds: None,
            alignment: Alignment::default(),
            proposed_by,
            evidence: Vec::new(),
            semantic: None,
        }
    }
}

/// A group of documents connected by reported pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// The one document the others derive from, when the pairs say so.
    pub source: Option<u32>,
    /// All members, ascending.
    pub members: Vec<u32>,
    /// Each member's parent, in the order of `members`: the text it was derived from, when the pairs name
    /// one (the nearest of its sources: in a chain original → edit → edit of the edit, the edit), `None`
    /// for a source and for a member no pair names a source of. Siblings share a parent.
    pub parents: Vec<Option<u32>>,
}

/// The result of a scan.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// Every document read, sorted by id.
    pub documents: Vec<DocInfo>,
    /// Reported pairs, sorted by document.
    pub pairs: Vec<ScoredPair>,
    /// Clusters of two or more documents.
    pub clusters: Vec<Cluster>,
    /// Candidate statistics of each view, and of passages.
    pub candidates: Vec<(Proposer, LshStats)>,
    /// Distinct candidate pairs over all views.
    pub candidate_pairs: usize,
    /// Documents compared through the leader of their near-duplicate group in the rewording views.
    pub grouped_documents: usize,
    /// The number of pairs that would have been reported, when [`crate::config::Config::count_only`] left
    /// `pairs` empty.
    pub counted_pairs: Option<usize>,
    /// Input that was damaged, unreadable or read lossily.
    pub problems: Vec<Problem>,
    /// The candidate sources, in the order of the bits of [`ScoredPair::proposed_by`].
    pub proposers: Vec<Proposer>,
    /// With [`crate::config::Config::boilerplate`]: the page furniture lines found (each site's counted
    /// apart).
    pub furniture_lines: Option<usize>,
    /// Documents whose id an earlier one had, reported as `ID#2`, `ID#3`…, by their place (ascending):
    /// each follows the documents read with its id, the first of which keeps it.
    pub renamed_ids: Vec<u32>,
}

impl DocInfo {
    /// The URL it was read from, when the input gave one.
    pub fn url(&self) -> Option<&str> {
        self.extra.get("url").and_then(Value::as_str)
    }
}

impl Scan {
    /// The names of the proposers in `set`.
    pub fn proposer_names(&self, set: Proposers) -> Vec<&'static str> {
        self.proposers.iter().enumerate().filter(|(k, _)| set >> k & 1 != 0).map(|(_, v)| v.name()).collect()
    }
}
