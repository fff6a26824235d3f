//! Verdicts: the relation of a candidate pair from its [`Alignment`], and which text is the source.
//!
//! [`classify`] decides `duplicate`, `near_duplicate`, `rewrite`, `partial` or nothing from the alignment
//! figures. A rewrite restates most of the shorter text in the order of the longer, clearly above the
//! similarity that independent reports of one event reach by chance; a partial reuse shares narrative
//! phrasing in several sentences; two reports of one event that share only names, numbers and quotations
//! are neither.
//!
//! [`direction`] then weighs evidence for each side being the source: publication dates; containment (an
//! excerpt inside a longer text); and *attestation*, the wording where the two differ. An original's
//! phrasing usually survives in its other copies and in other reports of the event, while a spun copy's
//! substitutions appear nowhere else: the text whose own wording is found in third documents of the
//! collection is the source. Pairs whose two texts both derive from a third are siblings
//! ([`resolve_siblings`]) and get no source.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::align::{Alignment, Analysis};

/// How one text derives from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The same words.
    Duplicate,
    /// The same text, lightly edited.
    NearDuplicate,
    /// The same content in other words.
    Rewrite,
    /// Some passages reused.
    Partial,
}

impl Relation {
    /// The relation's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Relation::Duplicate => "duplicate",
            Relation::NearDuplicate => "near_duplicate",
            Relation::Rewrite => "rewrite",
            Relation::Partial => "partial",
        }
    }
}

/// Word 5-gram Jaccard at or above which a pair is a near-duplicate.
const NEAR_DUPLICATE_JACCARD: f64 = 0.7;
/// Share of the shorter text that a rewrite restates, in order.
const REWRITE_COVERAGE: f64 = 0.5;
/// Weight of evidence ([`Alignment::strength`]) a rewrite needs: about three sentences restated clearly
/// above the similarity independent reports reach by chance.
const REWRITE_STRENGTH: f64 = 1.0;
/// Aligned sentences sharing narrative phrasing needed for a partial reuse.
const PARTIAL_SENTENCES: usize = 2;
/// Weight of evidence a partial reuse needs from the sentences that share narrative phrasing.
const PARTIAL_STRENGTH: f64 = 1.0;

/// The relation of a pair and a confidence in 0..1, or `None` when the texts are not derived.
pub fn classify(a: &Analysis, b: &Analysis, al: &Alignment) -> Option<(Relation, f64)> {
    let same_words =
        a.words() == b.words() && a.tokens.tokens.iter().zip(&b.tokens.tokens).all(|(x, y)| x.word == y.word);
    if same_words && a.words() > 0 {
        return Some((Relation::Duplicate, 1.0));
    }
    if al.jaccard5 >= NEAR_DUPLICATE_JACCARD {
        return Some((Relation::NearDuplicate, (0.8 + 0.2 * al.jaccard5).min(0.99)));
    }
    let (small, large) =
        if a.words() <= b.words() { (al.coverage_a, al.coverage_b) } else { (al.coverage_b, al.coverage_a) };
    // Saturating weight of evidence: 0.63 at 3, 0.86 at 6.
    let evidence = 1.0 - (-al.strength / 3.0).exp();
    if small >= REWRITE_COVERAGE && al.strength >= REWRITE_STRENGTH {
        let confidence = 0.4 + 0.3 * small + 0.1 * large + 0.2 * evidence;
        return Some((Relation::Rewrite, confidence.min(0.99)));
    }
    if al.copied_sentences >= PARTIAL_SENTENCES && al.copied_strength >= PARTIAL_STRENGTH {
        let confidence = 0.4 + 0.2 * small + 0.3 * evidence;
        return Some((Relation::Partial, confidence.min(0.95)));
    }
    None
}

/// A piece of evidence about direction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// What kind of evidence: `date`, `containment`, `attestation`, `length`, `siblings`, `shared_source`.
    pub signal: &'static str,
    /// The document this evidence points to as the source, if any.
    pub favours: Option<String>,
    /// What was seen, for a person to check.
    pub detail: String,
}

/// What [`direction`] knows about one side of a pair.
pub struct Side<'a> {
    /// Document id.
    pub id: &'a str,
    /// The analysed text.
    pub analysis: &'a Analysis,
    /// Share of this text covered by the other.
    pub coverage: f64,
    /// Publication time in days since 1970, when known.
    pub date: Option<f64>,
}

/// Days apart beyond which the earlier article is taken as the source.
const DATE_TOLERANCE_DAYS: f64 = 1.0;
/// Difference in attestation share that counts as evidence.
const ATTESTATION_MARGIN: f64 = 0.05;

/// Weighs the evidence for `a` or `b` being the source. `third` are the analyses of other documents
/// related to either (their candidate neighbours). Returns the index of the source side (0 for `a`, 1 for
/// `b`) when the evidence supports one, and the evidence either way.
pub fn direction(relation: Relation, a: &Side, b: &Side, third: &[&Analysis]) -> (Option<usize>, Vec<Evidence>) {
    let mut evidence = Vec::new();
    let favours = |k: usize| Some(if k == 0 { a.id.to_string() } else { b.id.to_string() });
    if let (Some(da), Some(db)) = (a.date, b.date) {
        if (da - db).abs() > DATE_TOLERANCE_DAYS {
            let k = if da < db { 0 } else { 1 };
            evidence.push(Evidence {
                signal: "date",
                favours: favours(k),
                detail: format!("published {:.1} days earlier", (da - db).abs()),
            });
            return (Some(k), evidence);
        }
    }
    if relation == Relation::Duplicate {
        evidence.push(Evidence {
            signal: "duplicate",
            favours: None,
            detail: "identical words: nothing tells which came first".into(),
        });
        return (None, evidence);
    }
    let mut score = 0.0f64; // > 0 favours a
    // Containment: a text almost wholly restated inside a clearly longer one is an excerpt of it.
    let (wa, wb) = (a.analysis.words() as f64, b.analysis.words() as f64);
    if wa > 1.5 * wb && b.coverage >= 0.8 && a.coverage < 0.6 {
        score += 1.0;
        evidence.push(Evidence {
            signal: "containment",
            favours: favours(0),
            detail: format!("{} is {:.0}% restated inside the longer text", b.id, 100.0 * b.coverage),
        });
    } else if wb > 1.5 * wa && a.coverage >= 0.8 && b.coverage < 0.6 {
        score -= 1.0;
        evidence.push(Evidence {
            signal: "containment",
            favours: favours(1),
            detail: format!("{} is {:.0}% restated inside the longer text", a.id, 100.0 * a.coverage),
        });
    }
    // Attestation: where the texts differ, whose wording do third documents use?
    let only = |x: &Analysis, y: &Analysis| -> Vec<u64> {
        x.trigrams().iter().filter(|g| !y.trigrams().contains(g)).copied().collect()
    };
    let attested = |grams: &[u64]| grams.iter().filter(|g| third.iter().any(|t| t.trigrams().contains(g))).count();
    let (oa, ob) = (only(a.analysis, b.analysis), only(b.analysis, a.analysis));
    let (ka, kb) = (attested(&oa), attested(&ob));
    if !third.is_empty() && !oa.is_empty() && !ob.is_empty() {
        let (sa, sb) = (ka as f64 / oa.len() as f64, kb as f64 / ob.len() as f64);
        let detail = format!(
            "of the wording where they differ, {ka} of {} trigrams of {} and {kb} of {} of {} recur in {} related documents",
            oa.len(),
            a.id,
            ob.len(),
            b.id,
            third.len()
        );
        if (sa - sb).abs() >= ATTESTATION_MARGIN {
            let k = if sa > sb { 0 } else { 1 };
            score += if k == 0 { 2.0 } else { -2.0 };
            evidence.push(Evidence { signal: "attestation", favours: favours(k), detail });
        } else {
            evidence.push(Evidence { signal: "attestation", favours: None, detail });
        }
    }
    // Partial reuse between two texts that each have much of their own: the shared passages may come
    // from a common source neither of them is.
    if relation == Relation::Partial && a.coverage < 0.6 && b.coverage < 0.6 {
        evidence.push(Evidence {
            signal: "shared_source",
            favours: None,
            detail: format!("each text is mostly its own ({:.0}% and {:.0}% shared): the shared passages may come from a common source", 100.0 * a.coverage, 100.0 * b.coverage),
        });
        return (None, evidence);
    }
    if score.abs() >= 1.0 { (Some(if score > 0.0 { 0 } else { 1 }), evidence) } else { (None, evidence) }
}

/// A scored pair as far as sibling resolution needs it: indices of the two documents and of the source.
pub trait Directed {
    /// The two documents.
    fn ends(&self) -> (u32, u32);
    /// The source document, if named.
    fn source(&self) -> Option<u32>;
    /// Takes the source away and records why.
    fn make_sibling(&mut self, common: u32, evidence: Evidence);
}

/// Two texts that both derive from a third are siblings: neither is the source of the other. Removes the
/// source of every such pair and says through which document they are related. `name` maps a document
/// index to its id for the evidence.
pub fn resolve_siblings<P: Directed>(pairs: &mut [P], name: impl Fn(u32) -> String) {
    let mut derived_from: HashMap<u32, HashSet<u32>> = HashMap::new();
    for p in pairs.iter() {
        if let Some(s) = p.source() {
            let (x, y) = p.ends();
            let d = if s == x { y } else { x };
            derived_from.entry(d).or_default().insert(s);
        }
    }
    for p in pairs.iter_mut() {
        let (x, y) = p.ends();
        let (Some(sx), Some(sy)) = (derived_from.get(&x), derived_from.get(&y)) else {
            continue;
        };
        let mut common: Vec<u32> = sx.intersection(sy).copied().collect();
        common.sort_unstable();
        if let Some(&c) = common.first() {
            let detail = format!("both derive from {}", name(c));
            p.make_sibling(c, Evidence { signal: "siblings", favours: None, detail });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::{Idf, align};
    use crate::shingle::Tokens;

    fn analyse(text: &str) -> Analysis {
        Analysis::new(Tokens::new(text), &Idf::new())
    }

    const STORY: &str = "Russia released 307 Ukrainian prisoners on Saturday in exchange for Russian servicemen.\n\
        The servicemen are being cared for in Belarus before their return to Russia.\n\
        Drones and ballistic missiles hit Kyiv overnight, damaging apartment buildings and a shopping mall.\n\
        Officials in Kharkiv said four people were killed in attacks over the past day.";

    #[test]
    fn duplicate_and_near_duplicate() {
        let a = analyse(STORY);
        let b = analyse(&STORY.to_uppercase());
        assert_eq!(classify(&a, &b, &align(&a, &b)).unwrap().0, Relation::Duplicate);
        let edited = STORY.replace("four people", "four civilians");
        let c = analyse(&edited);
        assert_eq!(classify(&a, &c, &align(&a, &c)).unwrap().0, Relation::NearDuplicate);
    }

    #[test]
    fn unrelated_texts_are_not_derived() {
        let a = analyse(STORY);
        let b = analyse(
            "Solar module prices fell sharply this quarter.\nManufacturers in China expanded capacity again.\nAnalysts expect installations to grow next year.",
        );
        assert_eq!(classify(&a, &b, &align(&a, &b)), None);
    }

    #[test]
    fn dates_decide_direction() {
        let a = analyse(STORY);
        let b = analyse(STORY);
        let side = |id, an, date| Side { id, analysis: an, coverage: 1.0, date };
        let (k, ev) = direction(Relation::Rewrite, &side("x", &a, Some(10.0)), &side("y", &b, Some(13.0)), &[]);
        assert_eq!(k, Some(0));
        assert_eq!(ev[0].signal, "date");
        let (k, _) = direction(Relation::Duplicate, &side("x", &a, Some(10.0)), &side("y", &b, Some(10.5)), &[]);
        assert_eq!(k, None);
    }

    #[test]
    fn attested_wording_is_the_source() {
        let original =
            analyse("The ministry released hundreds of prisoners on a difficult night for the capital city.");
        let spun = analyse("The ministry freed hundreds of captives on a hard evening for the principal metropolis.");
        let other = analyse("Witnesses said it was a difficult night for the capital city as prisoners were released.");
        let side = |id, an| Side { id, analysis: an, coverage: 0.7, date: None };
        let (k, ev) = direction(Relation::Rewrite, &side("spun", &spun), &side("orig", &original), &[&other]);
        assert_eq!(k, Some(1), "{ev:?}");
    }

    struct P(u32, u32, Option<u32>, Vec<Evidence>);
    impl Directed for P {
        fn ends(&self) -> (u32, u32) {
            (self.0, self.1)
        }
        fn source(&self) -> Option<u32> {
            self.2
        }
        fn make_sibling(&mut self, _: u32, e: Evidence) {
            self.2 = None;
            self.3.push(e);
        }
    }

    #[test]
    fn siblings_lose_their_source() {
        let mut pairs =
            vec![P(0, 1, Some(0), vec![]), P(0, 3, Some(0), vec![]), P(1, 3, Some(1), vec![]), P(2, 4, None, vec![])];
        resolve_siblings(&mut pairs, |i| i.to_string());
        assert_eq!(pairs.iter().map(|p| p.2).collect::<Vec<_>>(), vec![Some(0), Some(0), None, None]);
        assert_eq!(pairs[2].3[0].detail, "both derive from 0");
    }
}
