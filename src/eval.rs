//! Scores a scan against labelled truth: precision (and precision\*, which also accepts unlisted
//! near-identical pairs, and precision†, which also joins the clusters of near-identical sources),
//! recall by relation and label (and over the pairs whose texts the scan could judge), F1, how many
//! labelled negatives were reported, how often the source was named and named right, and how often two
//! siblings were given one. Used by `unspun eval` and `scripts/eval`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::direction::{FEATURE_NAMES, probability};
use crate::escape::escape_controls;
use crate::graph::{find, union};
use crate::input::{RELATIONS, TruthPair};
use crate::scan::Scan;
use crate::score::Lean;

/// Relations of truth pairs that count as positives: the first three of [`RELATIONS`].
pub const POSITIVE: &[&str] = RELATIONS.split_at(3).0;
/// Word 5-gram Jaccard at or above which an unlisted reported pair counts as right for precision\*.
pub const NEAR_IDENTICAL: f64 = 0.8;

/// Found and total positives of one group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Recall {
    /// Positive pairs reported.
    pub found: usize,
    /// Positive pairs labelled.
    pub total: usize,
    /// `found / total`.
    pub recall: f64,
    /// Positive pairs not found with a document the scan skipped (too short to judge, empty).
    pub unjudged: usize,
}

/// The scores of one evaluation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Documents scanned.
    pub documents: usize,
    /// Pairs reported.
    pub reported: usize,
    /// Reported pairs inside one truth cluster.
    pub correct: usize,
    /// `correct / reported` (1 when nothing was reported). A pair the truth labels a negative is never
    /// correct, in one truth cluster or not, here or in the precisions below.
    pub precision: f64,
    /// Precision counting unlisted near-identical pairs as right.
    pub precision_star: f64,
    /// Precision\* with the truth clusters of two labelled sources joined when the scan found the sources
    /// near-identical: real collections hold one article under two ids, and the rewrites of the two
    /// copies are rewrites of one article that the truth lists apart.
    pub precision_joined: f64,
    /// Recall over all positive pairs; None (null) when the truth has none, as a set of labelled
    /// negatives only: nothing to recall, which a 0 would hide.
    pub recall: Option<f64>,
    /// Positive pairs with a document the scan skipped (too short to judge, empty) or did not read (an
    /// empty file, or an id naming no document), not reported.
    pub unjudged: usize,
    /// Recall over the positive pairs whose documents were both judged (None when there is none).
    pub recall_judged: Option<f64>,
    /// F1 of precision and recall (None with recall).
    pub f1: Option<f64>,
    /// F1 of precision and recall judged: the figure the issues' targets name (None with it).
    pub f1_judged: Option<f64>,
    /// Recall by truth relation.
    pub by_relation: BTreeMap<String, Recall>,
    /// Recall by truth label.
    pub by_label: BTreeMap<String, Recall>,
    /// Reported pairs by the truth relation of a labelled negative (`unrelated`, `independent`, `same_story`).
    pub negatives_reported: BTreeMap<String, usize>,
    /// Labelled negatives by relation.
    pub negatives_total: BTreeMap<String, usize>,
    /// Found positive pairs whose truth names a source.
    pub directed: usize,
    /// Of those, pairs where a source was named.
    pub decided: usize,
    /// Of those, pairs where it was the right one.
    pub right: usize,
    /// Share of directed pairs that were decided.
    pub decided_share: f64,
    /// Share of decided pairs decided right.
    pub accuracy: f64,
    /// Reported pairs of siblings: two documents the truth derives from others (with a source named)
    /// and names as no one's source, in one cluster, unlisted. Neither copied the other.
    pub siblings: usize,
    /// Of those, pairs given a source anyway: a wrong direction the labelled pairs do not show.
    pub siblings_given_source: usize,
    /// Decided directed pairs by the direction model's confidence ([`DIRECTION_BANDS`]), and those that a
    /// canonical link or the dates settled (`from` 1): is the confidence calibrated?
    pub direction_bands: Vec<Band>,
    /// Reported pairs by the confidence of their relation ([`CONFIDENCE_BANDS`]; `decided` counts the
    /// pairs, `right` those that precision\* counts right): how far the confidence can be read as a
    /// probability on this collection.
    pub confidence_bands: Vec<Band>,
}

/// Lower bounds of the bands of relation confidence that [`Evaluation::confidence_bands`] counts.
pub const CONFIDENCE_BANDS: [f64; 6] = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9];

/// Lower bounds of the bands of direction confidence that [`Evaluation::direction_bands`] counts.
pub const DIRECTION_BANDS: [f64; 5] = [0.5, 0.6, 0.7, 0.8, 0.9];

/// Decided pairs whose direction confidence is at least `from` (and below the next band's).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Band {
    /// Lower bound of the band; 1 for the pairs settled without the model (canonical link, dates).
    pub from: f64,
    /// Pairs decided in the band.
    pub decided: usize,
    /// Of those, decided right.
    pub right: usize,
}

/// One reported pair as the direction model saw it, with what the truth says: the data that
/// `scripts/fit-direction` fits the model on.
#[derive(Clone, Debug, Serialize)]
pub struct DirectionRecord {
    /// First document id.
    pub a: String,
    /// Second document id.
    pub b: String,
    /// The relation reported.
    pub relation: &'static str,
    /// The features (by name), when the model weighed the pair.
    pub features: Option<BTreeMap<&'static str, f64>>,
    /// When the pair alone settled its direction: `a`, `b` or `none` (identical texts, a shared source).
    pub settled: Option<&'static str>,
    /// The source named.
    pub source: Option<String>,
    /// The source the truth names, for a labelled positive pair that names one.
    pub truth_source: Option<String>,
}

/// The direction records of every reported pair.
pub fn direction_records(scan: &Scan, truth: &[TruthPair]) -> Vec<DirectionRecord> {
    let labelled: HashMap<(&str, &str), &TruthPair> =
        truth.iter().filter(|t| POSITIVE.contains(&t.relation.as_str())).map(|t| (key(&t.a, &t.b), t)).collect();
    let id = |i: u32| scan.documents[i as usize].id.clone();
    scan.pairs
        .iter()
        .filter_map(|p| {
            let (relation, lean) = (p.relation?, p.lean?);
            let (a, b) = (id(p.a), id(p.b));
            let truth_source = labelled.get(&key(&a, &b)).and_then(|t| t.source.clone());
            let features = p.features.as_deref().filter(|_| matches!(lean, Lean::Towards(_)));
            Some(DirectionRecord {
                relation: relation.name(),
                features: features.map(|f| FEATURE_NAMES.iter().copied().zip(f.0).collect()),
                settled: match lean {
                    Lean::Towards(_) => None,
                    Lean::Settled(Some(0)) => Some("a"),
                    Lean::Settled(Some(_)) => Some("b"),
                    Lean::Settled(None) => Some("none"),
                },
                source: p.source.map(id),
                truth_source,
                a,
                b,
            })
        })
        .collect()
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 }
}

fn ratio(a: usize, b: usize, empty: f64) -> f64 {
    if b == 0 { empty } else { a as f64 / b as f64 }
}

fn key<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Union-find cluster label of every document in a positive pair (labels are below the number of
/// documents in positive pairs).
fn truth_clusters<'t>(truth: &'t [TruthPair]) -> HashMap<&'t str, u32> {
    let mut ids: HashMap<&'t str, u32> = HashMap::new();
    let mut parent: Vec<u32> = Vec::new();
    for t in truth.iter().filter(|t| POSITIVE.contains(&t.relation.as_str())) {
        let mut id = |s: &'t str| {
            let n = ids.len() as u32;
            *ids.entry(s).or_insert_with(|| {
                parent.push(n);
                n
            })
        };
        let (x, y) = (id(&t.a), id(&t.b));
        union(&mut parent, x, y);
    }
    let keys: Vec<(&str, u32)> = ids.iter().map(|(k, v)| (*k, *v)).collect();
    keys.into_iter().map(|(k, v)| (k, find(&mut parent, v))).collect()
}

/// A reported pair's source, and the confidence the direction model gave it.
type Named<'a> = (Option<&'a str>, Option<f64>);

/// Scores `scan` against `truth`.
pub fn evaluate(scan: &Scan, truth: &[TruthPair]) -> Evaluation {
    let clusters = truth_clusters(truth);
    let id = |i: u32| scan.documents[i as usize].id.as_str();
    // An unverified candidate (`candidates_only`) counts as reported, so the banded views' candidate recall
    // can be measured (the passages proposer runs only when verifying).
    let reported: Vec<_> = scan.pairs.iter().filter(|p| p.relation.is_some() || !p.verified).collect();
    let mut found: HashMap<(&str, &str), Named> = HashMap::new();
    let mut bands: Vec<Band> =
        DIRECTION_BANDS.iter().chain(&[1.0]).map(|&from| Band { from, ..Band::default() }).collect();
    let mut e = Evaluation {
        documents: scan.documents.len(),
        reported: reported.len(),
        confidence_bands: CONFIDENCE_BANDS.iter().map(|&from| Band { from, ..Band::default() }).collect(),
        ..Evaluation::default()
    };
    let labelled: HashMap<(&str, &str), &TruthPair> = truth.iter().map(|t| (key(&t.a, &t.b), t)).collect();
    // Clusters joined through near-identical labelled sources, for precision†.
    let sources: HashSet<&str> = truth.iter().filter_map(|t| t.source.as_deref()).collect();
    let mut joined: Vec<u32> = (0..clusters.len() as u32).collect();
    for p in &reported {
        let (a, b) = (id(p.a), id(p.b));
        if p.alignment.jaccard5 >= NEAR_IDENTICAL
            && sources.contains(a)
            && sources.contains(b)
            && let (Some(&x), Some(&y)) = (clusters.get(a), clusters.get(b))
        {
            union(&mut joined, x, y);
        }
    }
    // Documents the truth derives from a named source; a sibling is one that is no one's source.
    let derived: HashSet<&str> = truth
        .iter()
        .filter(|t| POSITIVE.contains(&t.relation.as_str()))
        .filter_map(|t| t.source.as_deref().map(|s| if s == t.a { t.b.as_str() } else { t.a.as_str() }))
        .collect();
    let sibling = |d: &str| derived.contains(d) && !sources.contains(d);
    let (mut star, mut joined_right) = (0, 0);
    for p in &reported {
        let (a, b) = (id(p.a), id(p.b));
        found.insert(key(a, b), (p.source.map(id), p.source.and(p.log_odds).map(|x| probability(x.abs()))));
        let (ca, cb) = (clusters.get(a).copied(), clusters.get(b).copied());
        let negative = labelled.get(&key(a, b)).filter(|t| !POSITIVE.contains(&t.relation.as_str()));
        let near_identical = p.alignment.jaccard5 >= NEAR_IDENTICAL && negative.is_none();
        let same = ca.is_some() && ca == cb && negative.is_none();
        if same {
            e.correct += 1;
            if sibling(a) && sibling(b) && !labelled.contains_key(&key(a, b)) {
                e.siblings += 1;
                e.siblings_given_source += usize::from(p.source.is_some());
            }
        }
        star += usize::from(near_identical || same);
        let band = CONFIDENCE_BANDS.iter().rposition(|&from| p.confidence >= from).unwrap_or(0);
        e.confidence_bands[band].decided += 1;
        e.confidence_bands[band].right += usize::from(near_identical || same);
        joined_right += usize::from(
            near_identical
                || negative.is_none()
                    && matches!((ca, cb), (Some(x), Some(y)) if find(&mut joined, x) == find(&mut joined, y)),
        );
        if let Some(t) = negative {
            *e.negatives_reported.entry(t.relation.clone()).or_default() += 1;
        }
    }
    e.precision = ratio(e.correct, e.reported, 1.0);
    e.precision_star = ratio(star, e.reported, 1.0);
    e.precision_joined = ratio(joined_right, e.reported, 1.0);
    let skipped: HashSet<&str> = scan.documents.iter().filter(|d| d.skipped.is_some()).map(|d| d.id.as_str()).collect();
    let read: HashSet<&str> = scan.documents.iter().map(|d| d.id.as_str()).collect();
    let judged = |id: &str| read.contains(id) && !skipped.contains(id);
    let mut hits = 0;
    let mut positives = 0;
    for t in truth {
        if !POSITIVE.contains(&t.relation.as_str()) {
            *e.negatives_total.entry(t.relation.clone()).or_default() += 1;
            continue;
        }
        positives += 1;
        let hit = found.get(&key(&t.a, &t.b));
        let unjudged = hit.is_none() && !(judged(&t.a) && judged(&t.b));
        let label = t.label.clone().unwrap_or_else(|| t.relation.clone());
        for group in [e.by_relation.entry(t.relation.clone()).or_default(), e.by_label.entry(label).or_default()] {
            group.total += 1;
            group.found += usize::from(hit.is_some());
            group.unjudged += usize::from(unjudged);
        }
        e.unjudged += usize::from(unjudged);
        let Some((named, confidence)) = hit else { continue };
        hits += 1;
        if let Some(truth_source) = &t.source {
            e.directed += 1;
            if let Some(named) = named {
                e.decided += 1;
                let right = named == truth_source;
                e.right += usize::from(right);
                let band = match confidence {
                    Some(c) => DIRECTION_BANDS.iter().rposition(|&from| *c >= from).unwrap_or(0),
                    None => DIRECTION_BANDS.len(),
                };
                bands[band].decided += 1;
                bands[band].right += usize::from(right);
            }
        }
    }
    for g in e.by_relation.values_mut().chain(e.by_label.values_mut()) {
        g.recall = ratio(g.found, g.total, 0.0);
    }
    let judged = positives - e.unjudged;
    e.recall = (positives > 0).then(|| ratio(hits, positives, 0.0));
    e.recall_judged = (judged > 0).then(|| ratio(hits, judged, 0.0));
    e.f1 = e.recall.map(|r| f1(e.precision, r));
    e.f1_judged = e.recall_judged.map(|r| f1(e.precision, r));
    e.decided_share = ratio(e.decided, e.directed, 0.0);
    e.accuracy = ratio(e.right, e.decided, 0.0);
    e.direction_bands = bands;
    e
}

impl Evaluation {
    /// A few lines for people; a figure with nothing to count (recall of a set without positives) is `–`.
    pub fn to_text(&self) -> String {
        let or_none = |x: Option<f64>| x.map_or("–".to_string(), |x| format!("{x:.3}"));
        let (recall, f1) = (or_none(self.recall), or_none(self.f1));
        let mut s = format!(
            "documents {}  reported {}  precision {:.3}  precision* {:.3}  precision† {:.3}  recall {recall}  F1 {f1}\n",
            self.documents, self.reported, self.precision, self.precision_star, self.precision_joined,
        );
        s += &format!(
            "recall of judged pairs {}  F1 judged {} ({} positive pairs have a text too short, empty or not read, and \
             were not found)\n",
            or_none(self.recall_judged),
            or_none(self.f1_judged),
            self.unjudged
        );
        if self.directed == 0 {
            s += "direction: no found pair has a labelled source\n";
        } else {
            s += &format!(
                "direction: decided {}/{} ({:.3}), right {}/{} ({}); siblings given a source {}/{}\n",
                self.decided,
                self.directed,
                self.decided_share,
                self.right,
                self.decided,
                or_none((self.decided > 0).then_some(self.accuracy)),
                self.siblings_given_source,
                self.siblings
            );
        }
        let band_name = |bands: &[f64], i: usize| match bands.get(i + 1) {
            Some(next) => format!("{:.1}–{next:.1}", bands[i]),
            None => format!("≥{:.1}", bands[i]),
        };
        let bands: Vec<String> = self
            .direction_bands
            .iter()
            .enumerate()
            .filter(|(_, b)| b.decided > 0)
            .map(|(i, b)| {
                let name = if b.from >= 1.0 { "dates or links".to_string() } else { band_name(&DIRECTION_BANDS, i) };
                format!("{name} {}/{} ({:.3})", b.right, b.decided, ratio(b.right, b.decided, 0.0))
            })
            .collect();
        if !bands.is_empty() {
            s += &format!("direction right by confidence: {}\n", bands.join(", "));
        }
        let bands: Vec<String> = self
            .confidence_bands
            .iter()
            .enumerate()
            .filter(|(_, b)| b.decided > 0)
            .map(|(i, b)| {
                let name = band_name(&CONFIDENCE_BANDS, i);
                format!("{name} {}/{} ({:.3})", b.right, b.decided, ratio(b.right, b.decided, 0.0))
            })
            .collect();
        if !bands.is_empty() {
            s += &format!("precision* by confidence: {}\n", bands.join(", "));
        }
        for (name, groups) in [("relation", &self.by_relation), ("label", &self.by_label)] {
            for (k, g) in groups {
                s += &format!(
                    "recall {name} {}: {}/{} = {:.3} ({} unjudged)\n",
                    escape_controls(k),
                    g.found,
                    g.total,
                    g.recall,
                    g.unjudged
                );
            }
        }
        for (k, total) in &self.negatives_total {
            s += &format!(
                "labelled {} reported: {} of {total}\n",
                escape_controls(k),
                self.negatives_reported.get(k).copied().unwrap_or(0)
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Alignment;
    use crate::scan::{DocInfo, ScoredPair};
    use crate::score::Relation;

    fn doc(id: &str) -> DocInfo {
        DocInfo::stub(id)
    }

    /// A document the scan skipped as too short to judge.
    fn short(id: &str) -> DocInfo {
        DocInfo { words: 5, skipped: Some("too short"), ..doc(id) }
    }

    fn pair(a: u32, b: u32, source: Option<u32>, jaccard5: f64) -> ScoredPair {
        ScoredPair {
            a,
            b,
            relation: Some(Relation::Rewrite),
            verified: true,
            confidence: 0.9,
            source,
            lean: None,
            features: None,
            lean_parts: None,
            log_odds: None,
            alignment: Alignment { jaccard5, ..Alignment::default() },
            proposed_by: 0,
            evidence: vec![],
            semantic: None,
        }
    }

    fn truth(a: &str, b: &str, relation: &str, source: Option<&str>) -> TruthPair {
        TruthPair {
            a: a.into(),
            b: b.into(),
            relation: relation.into(),
            source: source.map(Into::into),
            label: Some(format!("l_{relation}")),
        }
    }

    #[test]
    fn siblings_unlisted_duplicates_and_direction() {
        // o is the source of r1 and r2 (siblings); x and y are unlisted near-identical; n is a negative.
        let docs = ["n", "o", "r1", "r2", "x", "y"];
        let scan = Scan {
            documents: docs.iter().map(|d| doc(d)).collect(),
            pairs: vec![
                pair(1, 2, Some(1), 0.1), // o-r1, right source
                pair(1, 3, Some(3), 0.1), // o-r2, wrong source
                pair(2, 3, None, 0.1),    // siblings: right
                pair(4, 5, None, 0.9),    // unlisted duplicate: right only for precision*
                pair(0, 1, None, 0.1),    // a labelled negative
            ],
            ..Scan::default()
        };
        let t = vec![
            truth("o", "r1", "rewrite", Some("o")),
            truth("o", "r2", "rewrite", Some("o")),
            truth("o", "q", "partial", Some("o")),
            truth("n", "o", "unrelated", None),
        ];
        let e = evaluate(&scan, &t);
        assert_eq!((e.reported, e.correct), (5, 3));
        assert!((e.precision - 0.6).abs() < 1e-9);
        assert!((e.precision_star - 0.8).abs() < 1e-9);
        assert_eq!(e.precision_joined, e.precision_star);
        assert!((e.recall.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(e.by_relation["partial"].found, 0);
        assert_eq!(e.by_label["l_rewrite"].recall, 1.0);
        assert_eq!(e.negatives_reported["unrelated"], 1);
        assert_eq!((e.directed, e.decided, e.right), (2, 2, 1));
        assert_eq!(e.accuracy, 0.5);
        assert_eq!((e.siblings, e.siblings_given_source), (1, 0));
        // Every pair here has confidence 0.9: one band, its precision* that of the whole report; the
        // decided pairs have no model confidence (sources given by hand), counted as settled.
        let at = |from: f64| e.confidence_bands.iter().find(|b| b.from == from).unwrap();
        assert_eq!(
            (at(0.9).decided, at(0.9).right),
            (e.reported, (e.precision_star * e.reported as f64).round() as usize)
        );
        assert_eq!(e.confidence_bands.iter().map(|b| b.decided).sum::<usize>(), e.reported);
        assert_eq!(e.direction_bands.last().map(|b| (b.decided, b.right)), Some((2, 1)));
    }

    #[test]
    fn clusters_join_only_through_near_identical_sources() {
        // s1 and s2 are one article under two ids: their rewrites r1 and r2 are siblings. g3 and g4 are
        // identical junk rewrites of the different sources s3 and s4, which join nothing.
        let docs = ["g3", "g4", "r1", "r2", "s1", "s2", "s3", "s4"];
        let scan = Scan {
            documents: docs.iter().map(|d| doc(d)).collect(),
            pairs: vec![
                pair(4, 5, None, 0.95), // s1-s2: unlisted duplicate sources
                pair(2, 3, None, 0.1),  // r1-r2: right only once the clusters are joined
                pair(0, 1, None, 1.0),  // g3-g4: identical, right for precision* and precision†
                pair(6, 7, None, 0.1),  // s3-s4: wrong, though their rewrites are identical
            ],
            ..Scan::default()
        };
        let t =
            ["1", "2", "3", "4"].map(|n| truth(&format!("s{n}"), &format!("r{n}"), "rewrite", Some(&format!("s{n}"))));
        let mut t = t.to_vec();
        t[2].b = "g3".into();
        t[3].b = "g4".into();
        let e = evaluate(&scan, &t);
        assert_eq!(e.correct, 0);
        assert!((e.precision_star - 0.5).abs() < 1e-9);
        assert!((e.precision_joined - 0.75).abs() < 1e-9);
    }

    #[test]
    fn siblings_are_derived_documents_that_are_no_source() {
        // s → x and s → y: x and y are siblings. a → b → c → d is a chain: b-d is unlisted, and both are
        // derived, but b is c's source. u - v - w without named sources: v-w are in one cluster but
        // nothing says who derives from whom.
        let docs = ["a", "b", "c", "d", "s", "u", "v", "w", "x", "y"];
        let scan = Scan {
            documents: docs.iter().map(|d| doc(d)).collect(),
            pairs: vec![
                pair(8, 9, Some(8), 0.1), // x-y: siblings, given a source
                pair(1, 3, Some(1), 0.1), // b-d: along a chain, not siblings
                pair(6, 7, Some(6), 0.1), // v-w: no named sources
            ],
            ..Scan::default()
        };
        let t = [
            truth("s", "x", "rewrite", Some("s")),
            truth("s", "y", "rewrite", Some("s")),
            truth("a", "b", "rewrite", Some("a")),
            truth("b", "c", "rewrite", Some("b")),
            truth("c", "d", "rewrite", Some("c")),
            truth("u", "v", "rewrite", None),
            truth("u", "w", "rewrite", None),
        ];
        let e = evaluate(&scan, &t);
        assert_eq!(e.correct, 3);
        assert_eq!((e.siblings, e.siblings_given_source), (1, 1));
    }

    #[test]
    fn nothing_reported_is_precise_but_recalls_nothing() {
        let scan = Scan { documents: vec![doc("a"), doc("b")], ..Scan::default() };
        let e = evaluate(&scan, &[truth("a", "b", "near_copy", None)]);
        assert_eq!((e.precision, e.recall, e.f1), (1.0, Some(0.0), Some(0.0)));
        // Labelled negatives only: nothing to recall, said as such, not as a recall of 0.
        let e = evaluate(&scan, &[truth("a", "b", "unrelated", None)]);
        assert_eq!((e.precision, e.recall, e.f1, e.recall_judged, e.f1_judged), (1.0, None, None, None, None));
        assert!(e.to_text().contains("recall –  F1 –"), "{}", e.to_text());
    }

    #[test]
    fn judged_recall_leaves_out_pairs_with_a_skipped_text_unless_found() {
        // a-s: s skipped and not found; a-b: missed though judged; a-t: t skipped but found (an exact
        // duplicate of a short text is still reported).
        let scan = Scan {
            documents: vec![doc("a"), doc("b"), short("s"), short("t")],
            pairs: vec![pair(0, 3, None, 1.0)],
            ..Scan::default()
        };
        let t =
            [truth("a", "s", "rewrite", None), truth("a", "b", "rewrite", None), truth("a", "t", "near_copy", None)];
        let e = evaluate(&scan, &t);
        assert!((e.recall.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(e.unjudged, 1);
        assert_eq!(e.by_relation["rewrite"].unjudged, 1);
        assert_eq!(e.by_relation["near_copy"].unjudged, 0);
        assert!((e.recall_judged.unwrap() - 0.5).abs() < 1e-9);
    }
}
