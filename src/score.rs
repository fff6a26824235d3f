//! Verdicts: the relation of a candidate pair from its [`Alignment`], and which text is the source.
//!
//! [`classify`] decides `duplicate`, `near_duplicate`, `rewrite`, `partial` or nothing from the alignment
//! figures. A rewrite restates most of the shorter text in the order of the longer, clearly above the
//! similarity that independent reports of one event reach by chance; a partial reuse shares narrative
//! phrasing in several sentences, or restates the other's opening (an article grown from a lead); two
//! reports of one event that share only names, numbers and quotations
//! are neither.
//!
//! [`direction`] then weighs the evidence of one pair for each side being the source: publication dates;
//! containment (an excerpt copied from inside a longer text); *stock phrasing*, wording where the two
//! differ that recurs across unrelated documents (templates, the stock phrases of rewriting tools), which
//! marks the copy; and *attestation*: an original's distinctive phrasing usually survives in its other
//! copies and in other reports of the event, while a spun copy's substitutions appear nowhere else.
//! [`orient`] names each pair's source from its own lean and its neighbours': a source is favoured
//! across all its pairs, and two texts a third is favoured over are siblings, with no source.

use serde::Serialize;

use crate::align::{Alignment, Analysis};
use crate::config::{SemanticConfig, VerdictBars};
use crate::direction::{
    DirectionModel, FEATURE_NAMES, Features, Measured, Weigher, absent_specifics_counts, count_difference,
    machine_vocabulary,
};
use crate::embed::Restatement;
use crate::frequencies::{Frequencies, pair_hash};
use crate::graph::Neighbours;
use crate::hash::mix;
use crate::input::{DatePrecision, same_page};

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
/// Share of the shorter text that a rewrite restates, in order: most of it.
const REWRITE_COVERAGE: f64 = 0.5;
/// Aligned sentences sharing narrative phrasing needed for a partial reuse.
const PARTIAL_SENTENCES: usize = 2;

/// Similarity of the first sentences, weight of evidence and coverage of the shorter text that make a
/// pair whose openings restate each other derived.
const LEAD_SIMILARITY: f64 = 0.5;
const LEAD_STRENGTH: f64 = 0.5;
const LEAD_COVERAGE: f64 = 0.4;

/// The relation of a pair and a confidence in 0..1, or `None` when the texts are not derived.
pub fn classify(a: &Analysis, b: &Analysis, al: &Alignment, bars: &VerdictBars) -> Option<(Relation, f64)> {
    let same_words =
        a.words() == b.words() && a.tokens.tokens.iter().zip(&b.tokens.tokens).all(|(x, y)| x.word == y.word);
    if same_words && a.words() > 0 {
        return Some((Relation::Duplicate, 1.0));
    }
    if al.jaccard5 >= NEAR_DUPLICATE_JACCARD {
        return Some((Relation::NearDuplicate, (0.8 + 0.2 * al.jaccard5).min(0.99)));
    }
    let (small, large) = coverages(a, b, al);
    let evidence = saturated_evidence(al);
    if small >= REWRITE_COVERAGE && al.strength >= bars.rewrite_strength {
        let confidence = 0.4 + 0.3 * small + 0.1 * large + 0.2 * evidence;
        return Some((Relation::Rewrite, confidence.min(0.99)));
    }
    if al.copied_sentences >= PARTIAL_SENTENCES && al.copied_strength >= bars.partial_strength {
        let confidence = 0.4 + 0.2 * small + 0.3 * evidence;
        return Some((Relation::Partial, confidence.min(0.95)));
    }
    // A text grown from another's lead: the openings restate each other and much of the shorter text
    // follows, with less evidence than a full rewrite.
    if al.lead_similarity >= LEAD_SIMILARITY && al.strength >= LEAD_STRENGTH && small >= LEAD_COVERAGE {
        let relation = if small >= REWRITE_COVERAGE { Relation::Rewrite } else { Relation::Partial };
        let confidence = 0.3 + 0.2 * small + 0.2 * al.lead_similarity + 0.2 * evidence;
        return Some((relation, confidence.min(0.9)));
    }
    None
}

/// The share of the shorter text restated in the other, and of the longer; of two texts of one length, the
/// larger share first, whichever text the pair names first (an order that follows their ids).
fn coverages(a: &Analysis, b: &Analysis, al: &Alignment) -> (f64, f64) {
    let (ca, cb) = (al.coverage_a, al.coverage_b);
    match a.words().cmp(&b.words()) {
        std::cmp::Ordering::Less => (ca, cb),
        std::cmp::Ordering::Greater => (cb, ca),
        std::cmp::Ordering::Equal => (ca.max(cb), ca.min(cb)),
    }
}

/// The alignment's weight of evidence, saturating: 0.63 at 3, 0.86 at 6.
fn saturated_evidence(al: &Alignment) -> f64 {
    1.0 - (-al.strength / 3.0).exp()
}

/// A rewrite by its specific content, for a pair [`classify`] does not judge derived: it restates most
/// of the shorter text in order, in two sentences or more (one sentence alike is what texts written apart
/// on one topic share by chance), one text keeps half the other's names and numbers by rarity and at
/// least one rare one's weight ([`SPECIFICS_KEPT`], [`SPECIFICS_WEIGHT`]), and reaches the bars' weight of
/// evidence for it, below a plain rewrite's: a rewrite keeps its source's specific content, a text on
/// the same topic has its own. The confidence and the evidence that tells why; `None` when it is not
/// one (or the bars have no such rule).
pub fn specifics_rewrite(a: &Analysis, b: &Analysis, al: &Alignment, bars: &VerdictBars) -> Option<(f64, Evidence)> {
    let strength = bars.specifics_strength?;
    let (small, large) = coverages(a, b, al);
    let restates = small >= REWRITE_COVERAGE
        && al.aligned >= PARTIAL_SENTENCES
        && al.specifics >= SPECIFICS_KEPT
        && al.specifics_weight >= SPECIFICS_WEIGHT
        && al.strength >= strength;
    restates.then(|| {
        let confidence = (0.3 + 0.3 * small + 0.1 * large + 0.2 * saturated_evidence(al)).min(0.9);
        let detail = format!(
            "{:.0}% of the shorter text restated in order in {} sentences, and {:.0}% of one text's names and \
             numbers (by rarity) in the other: a text written apart on one topic has its own",
            100.0 * small,
            al.aligned,
            100.0 * al.specifics
        );
        (confidence, Evidence { signal: "specifics_restated", favours: None, detail })
    })
}

/// Sentences restated in order below which the semantic view asks for closer restatement, by this much:
/// a sentence or two meaning the same is what texts written apart on one topic share by chance.
const FEW_SENTENCES: usize = 3;
const FEW_SENTENCES_MARGIN: f64 = 0.05;

/// Share of one text's names and numbers (weighed by rarity) that the other keeps in a rewrite, when the
/// semantic view or the specifics rule finds it: a rewrite restates its source's specific content; a text
/// on the same topic (another county of one state, another update from one health agency) has its own.
pub const SPECIFICS_KEPT: f64 = 0.5;
/// Weight of the names and numbers the two must share: about one rare one (a name all of a collection's
/// texts hold weighs about 1).
pub const SPECIFICS_WEIGHT: f64 = 5.0;

/// The semantic view's verdict on a pair the wording does not show: a rewrite when the leads are close,
/// the share of the shorter text's sentences restated in order and their closeness ([`Restatement`])
/// reach the settings' bars, and the pair shares the shorter text's specifics, with a confidence of 0.5
/// at the bar rising to 0.9 for identical meaning; `None` otherwise.
pub fn semantic_rewrite(f: &SemanticFigures, s: &SemanticConfig) -> Option<f64> {
    let r = f.restatement.filter(|_| f.leads >= s.threshold)?;
    if f.specifics < SPECIFICS_KEPT || f.specifics_weight < SPECIFICS_WEIGHT {
        return None;
    }
    let bar = if r.in_order >= FEW_SENTENCES { s.restatement } else { s.restatement + FEW_SENTENCES_MARGIN };
    (r.in_order_share() >= s.coverage && r.closeness >= bar)
        .then(|| (0.5 + 0.4 * (r.closeness - bar) / (1.0 - bar).max(1e-9)).clamp(0.5, 0.9))
}

/// What the semantic view measured of a pair the wording does not show derived.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SemanticFigures {
    /// Cosine similarity of the two leads' embeddings.
    pub leads: f64,
    /// How the shorter text's sentences are restated in the other; `None` when the leads are too far
    /// apart for the sentences to be compared.
    #[serde(skip)]
    pub restatement: Option<Restatement>,
    /// Share of one text's names and numbers the other has, in any case, each weighed by its rarity (the
    /// larger of the two texts' shares).
    pub specifics: f64,
    /// The weight of the names and numbers the two share.
    pub specifics_weight: f64,
}

/// A piece of evidence about direction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// What kind of evidence: `canonical`, `date`, `duplicate`, `containment`, `stock_phrasing`,
    /// `attestation`, `specifics`, `machine_vocabulary`, `hub`, `siblings`, `shared_source`, `conflict`,
    /// `family`; and `semantic` for the relation itself, when only the semantic view saw it.
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
    /// How precisely `date` places the text: an instant of publication (a time with its zone, not the time
    /// a crawler fetched the page), a time without a zone (a local time read as UTC), or a day.
    pub precision: DatePrecision,
    /// The document's own URL, when known.
    pub url: Option<&'a str>,
    /// The URL the document names as its original (an HTML page's `<link rel="canonical">`, as syndicated
    /// copies are asked to point at the article they reprint), when it names one.
    pub canonical: Option<&'a str>,
}

/// A witness's publication date (when known), how precisely it places it, and its id.
pub type WitnessDate<'a> = (Option<f64>, DatePrecision, &'a str);

/// What [`direction`] knows about the rest of the collection around a pair.
#[derive(Clone, Copy, Default)]
pub struct Related<'a> {
    /// Analyses of other documents related to either side (their candidate neighbours), the copies of
    /// either side left out: the witnesses of direction.
    pub witnesses: &'a [&'a Analysis],
    /// Each witness's publication date (when known), how precisely it places it, and its id, in the
    /// order of `witnesses`; may be empty.
    pub witness_dates: &'a [WitnessDate<'a>],
    /// Documents of either side's near-duplicate group besides the pair: copies, which use its wording
    /// without being unrelated to it.
    pub copies: u32,
    /// Documents that share passages of either side's wording but are not among the witnesses (past
    /// their cap): relatives too, taken as using its wording, as copies are (sixty edited copies of one
    /// story are no unrelated documents that make its wording stock phrasing).
    pub unconsulted: u32,
}

/// Which way the evidence of one pair leans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lean {
    /// Settled by the pair alone: the source side (0 for `a`, 1 for `b`), or `None` when the pair can
    /// have no source (identical texts, or reuse from a common source).
    Settled(Option<usize>),
    /// Weight of evidence for `a` being the source (negative: for `b`).
    Towards(f64),
}

/// Days apart beyond which the earlier article is taken as the source: a day, as a date may be a day
/// (2025-05-24) or a local time without its zone, read as UTC.
const DATE_TOLERANCE_DAYS: f64 = 1.0;
/// The same for two instants of publication ([`DatePrecision::Instant`]): an hour, for clocks and feeds that round.
const INSTANT_TOLERANCE_DAYS: f64 = 1.0 / 24.0;
/// Unrelated documents a phrase must recur in to count as stock phrasing.
const STOCK_DOCUMENTS: u32 = 3;
/// Share of a longer text's own wording that related documents must share for a shorter text copied as
/// its opening to count as an excerpt of it (rather than the lead it grew from).
const REST_ATTESTED: f64 = 0.2;
/// Stock phrasing that differs by less than this (in the units of [`proportion_difference`]) is noise.
const STOCK_NOISE: f64 = 1.0 / 3.0;
/// Words swapped in an unchanged context below which their fit says nothing.
const MIN_SWAPS: usize = 3;
/// A text's own wording recurring across unrelated documents at under this share of the rate of the
/// wording both texts share ...
const UNWRITTEN_SHARE: f64 = 0.25;
/// ... and this many standard errors below it, was not written the way the shared wording was.
const UNWRITTEN_ERRORS: f64 = 2.0;
/// Shared trigrams (of those sampled) a rate needs to be a baseline.
const MIN_BASELINE: usize = 10;

/// Whether two publication dates (days since 1970, and how precisely each places its text) are far enough
/// apart to name the earlier the source: which one (0 or 1) and how many days apart.
pub fn dated_apart(a: (Option<f64>, DatePrecision), b: (Option<f64>, DatePrecision)) -> Option<(usize, f64)> {
    let precisions = [a.1, b.1];
    let tolerance =
        if precisions == [DatePrecision::Instant; 2] { INSTANT_TOLERANCE_DAYS } else { DATE_TOLERANCE_DAYS };
    // A day without a time may be any moment of it: against it, the other date counts by its day too (a
    // day, then 00:30 of the day after, may be half an hour apart), as two days do.
    let day = |date: f64| if precisions.contains(&DatePrecision::Day) { date.floor() } else { date };
    let (da, db) = (day(a.0?), day(b.0?));
    // Days carry minutes as a fraction: exactly an hour apart is not more than one, whatever the rounding.
    let apart = (da - db).abs();
    (apart > tolerance + 1e-9).then_some((if da < db { 0 } else { 1 }, apart))
}

/// How a date that names the source is told: "published 6.0 hours earlier", "published 2.0 days earlier".
pub fn published_earlier(apart: f64) -> String {
    if apart < 1.0 {
        format!("published {:.1} hours earlier", apart * 24.0)
    } else {
        format!("published {apart:.1} days earlier")
    }
}

/// Weighs the evidence for `a` or `b` being the source. Returns the lean, the evidence in words and, when
/// the pair alone does not settle it, the features that `model` weighed.
pub fn direction(
    relation: Relation,
    al: &Alignment,
    a: &Side,
    b: &Side,
    related: Related,
    frequencies: &Frequencies,
    weigher: &Weigher,
) -> (Lean, Vec<Evidence>, Option<Features>) {
    let third = related.witnesses;
    let model = weigher.model;
    let mut evidence = Vec::new();
    let favours = |k: usize| Some(if k == 0 { a.id.to_string() } else { b.id.to_string() });
    // A page that names the other as its original says outright which is the copy; two that name each
    // other say nothing (taking the first would let the ids decide).
    let names = |source: &Side, copy: &Side| match (source.url, copy.canonical) {
        (Some(url), Some(canonical)) => {
            same_page(url, canonical) && !copy.url.is_some_and(|own| same_page(own, canonical))
        }
        _ => false,
    };
    let named = match (names(a, b), names(b, a)) {
        (true, false) => Some((0, a, b)),
        (false, true) => Some((1, b, a)),
        _ => None,
    };
    if let Some((k, source, copy)) = named {
        let url = source.url.unwrap_or_default();
        let detail = format!("{} names {url} as its original (canonical link)", copy.id);
        evidence.push(Evidence { signal: "canonical", favours: favours(k), detail });
        return (Lean::Settled(Some(k)), evidence, None);
    }
    if let Some((k, apart)) = dated_apart((a.date, a.precision), (b.date, b.precision)) {
        let (earlier, later) = if k == 0 { (a, b) } else { (b, a) };
        if let Some((common, kept)) = common_source(earlier, later, &related) {
            let detail = format!(
                "{} was published after {} and keeps {kept} word trigrams of the earlier {common}'s that {} lacks: it was not made from {} alone, so no source is named",
                later.id, earlier.id, earlier.id, earlier.id
            );
            evidence.push(Evidence { signal: "siblings", favours: None, detail });
            return (Lean::Settled(None), evidence, None);
        }
        evidence.push(Evidence { signal: "date", favours: favours(k), detail: published_earlier(apart) });
        return (Lean::Settled(Some(k)), evidence, None);
    }
    if relation == Relation::Duplicate {
        let detail = "identical words: nothing tells which came first".into();
        evidence.push(Evidence { signal: "duplicate", favours: None, detail });
        return (Lean::Settled(None), evidence, None);
    }
    let mut measured = Measured {
        attestation: 0.0,
        stock: 0.0,
        excerpt: 0.0,
        coverage: [a.coverage, b.coverage],
        sentences: &al.sentences,
        third,
        specifics: None,
        context_fit: 0.0,
    };
    let feature_at = |name: &str| FEATURE_NAMES.iter().position(|&n| n == name).unwrap_or(0);
    if matches!(relation, Relation::Rewrite | Relation::NearDuplicate) && weigher.wanted[feature_at("specifics")] {
        measured.specifics = absent_specifics_counts(a.analysis, b.analysis, &al.sentences);
    }
    // The wording each text has and the other has not, sorted; and a fixed quarter of the wording both
    // have (the trigrams whose hash ends in two zero bits), for rule 9 below.
    let (mut only_a, mut shared) = (Vec::new(), Vec::new());
    for &g in a.analysis.trigrams() {
        if !b.analysis.trigrams().contains(&g) {
            only_a.push(g);
        } else if g & 3 == 0 {
            shared.push(g);
        }
    }
    only_a.sort_unstable();
    let mut only_b: Vec<u64> =
        b.analysis.trigrams().iter().filter(|g| !a.analysis.trigrams().contains(g)).copied().collect();
    only_b.sort_unstable();
    // What other documents say of a differing trigram: whether related documents use it, and whether it
    // is stock phrasing, used by documents beyond this pair and its related ones (templates and the stock
    // phrases of rewriting tools recur there, and mark the text that has them as the copy). The related
    // documents are only counted for a trigram the collection uses often enough to be stock; the copies
    // of either side (its near-duplicate group) are taken as all using it: a text copied many times
    // has its wording recur in its copies, which says nothing of which side was rewritten.
    let witnessed = |g: u64| third.iter().filter(|t| t.trigrams().contains(&g)).count() as u32;
    let is_stock = |g: &u64| {
        let documents = frequencies.phrase_documents(*g);
        let relatives = witnessed(*g) + related.copies + related.unconsulted;
        documents > STOCK_DOCUMENTS && documents.saturating_sub(1 + relatives) >= STOCK_DOCUMENTS
    };
    let attested = |g: &u64| third.iter().any(|t| t.trigrams().contains(g)) && !is_stock(g);
    // Containment: a text almost wholly copied inside a clearly longer one is an excerpt of it. Copied,
    // not restated: a text restated at greater length is an expansion (an LLM grows articles from a
    // lead). An excerpt taken from inside the longer text is evidence. One that is the longer text's
    // opening looks exactly like a lead grown into an article, unless the rest of the longer text is
    // wording that related texts share too (an original others also copy from), not new material.
    let (wa, wb) = (a.analysis.words() as f64, b.analysis.words() as f64);
    for (k, long, short, short_side) in [(0, wa, wb, b), (1, wb, wa, a)] {
        if long > 1.5 * short && short_side.coverage >= 0.8 && al.phrasing >= 0.5 {
            let first_in_long = al.sentences.first().map_or(0, |p| if k == 0 { p.0 } else { p.1 });
            let rest = if k == 0 { &only_a } else { &only_b };
            let shared = rest.iter().filter(|g| attested(g)).count();
            let rest_attested = !rest.is_empty() && shared as f64 >= REST_ATTESTED * rest.len() as f64;
            let place = if first_in_long > 0 { "from inside" } else { "as the opening of" };
            // Its sentences restated, their phrasing (half of it at least) copied.
            let mut detail = format!(
                "{} is {:.0}% restated {place} a text {:.1}× longer, {:.0}% of its phrasing the same",
                short_side.id,
                100.0 * short_side.coverage,
                long / short,
                100.0 * al.phrasing
            );
            let favoured = if first_in_long > 0 || rest_attested {
                measured.excerpt = if k == 0 { 1.0 } else { -1.0 };
                favours(k)
            } else {
                detail += &format!(
                    ", whose other wording is its own ({shared} of {} trigrams recur in related documents): an excerpt or an expansion",
                    rest.len()
                );
                None
            };
            evidence.push(Evidence { signal: "containment", favours: favoured, detail });
        }
    }
    let (na, nb) = (only_a.len(), only_b.len());
    if na > 0 && nb > 0 {
        let stock_a = only_a.iter().filter(|g| is_stock(g)).count();
        let stock_b = only_b.iter().filter(|g| is_stock(g)).count();
        let weight = -proportion_difference(stock_a, na, stock_b, nb);
        if weight.abs() >= STOCK_NOISE {
            measured.stock = weight;
            let detail = format!(
                "stock phrasing: {stock_a} of {na} trigrams only {} has and {stock_b} of {nb} only {} has recur across unrelated documents",
                a.id, b.id
            );
            evidence.push(Evidence { signal: "stock_phrasing", favours: favours(usize::from(weight < 0.0)), detail });
            // Stock phrasing weighs two fluent texts' choices. When the wording of the text it would name
            // the source recurs across unrelated documents far less often than the wording both texts
            // share, that text's changes were not written as the rest of it was: words swapped in without
            // regard to their use (a spinner's), which recur nowhere, while the other text's recur because
            // they are ordinary language. Set aside, as below when context fit shows it.
            let (kept, own) = if weight > 0.0 { (stock_a, na) } else { (stock_b, nb) };
            // The shared wording's rate is counted only when the text's could be far below it (a rate is at
            // most 1), from the quarter of it sampled above: a near-duplicate shares hundreds of trigrams.
            // A shared trigram is in both texts: the documents beyond them.
            let stock_shared = if (kept as f64) < UNWRITTEN_SHARE * own as f64 {
                let stock = |g: &&u64| {
                    let documents = frequencies.phrase_documents(**g);
                    documents > STOCK_DOCUMENTS
                        && documents.saturating_sub(2 + witnessed(**g) + related.copies) >= STOCK_DOCUMENTS
                };
                shared.iter().filter(stock).count()
            } else {
                0
            };
            if far_below(kept, own, stock_shared, shared.len()) {
                measured.stock = 0.0;
                let stock = evidence.last_mut().expect("stock phrasing was just pushed");
                stock.favours = None;
                stock.detail += &format!(
                    ": set aside, {stock_shared} of {} sampled trigrams both have recur so: the text it favours was not written the way the wording both share was",
                    shared.len()
                );
            }
        }
    }
    // Words swapped in an unchanged context, and how many of each text's make word pairs with their
    // neighbours that documents outside the pair's family write too: a spinner's substitute seldom does
    // ("the firm said", "the steady said"). It names no source (a fluent derivation, a polish or a
    // modernising revision, fits its context better than its source did), but it tells whether stock
    // phrasing may speak, below.
    let (fits, swaps) = if weigher.wanted[feature_at("context_fit")] || weigher.wanted[feature_at("stock_phrasing")] {
        swapped_words(a.analysis, b.analysis, &al.sentences, frequencies, related)
    } else {
        ([0; 2], 0)
    };
    if swaps >= MIN_SWAPS {
        let weight = count_difference(fits[0], fits[1]);
        measured.context_fit = weight;
        if weight.abs() >= 1.0 {
            let detail = format!(
                "{swaps} words swapped in an unchanged context: {} of {}'s and {} of {}'s make word pairs with their neighbours that documents outside the pair's family write",
                fits[0], a.id, fits[1], b.id
            );
            evidence.push(Evidence { signal: "context_fit", favours: None, detail });
            // Stock phrasing weighs two fluent texts' choices: rewriters converge on stock phrases. When it
            // names the text whose swapped words fit their context the derived one, the other text's words
            // were swapped in without regard to it (a spinner's), and the fitting text's phrasing recurs
            // because it is ordinary language, which says nothing of which was rewritten: set aside.
            if measured.stock * weight < 0.0
                && let Some(stock) = evidence.iter_mut().find(|e| e.signal == "stock_phrasing")
            {
                measured.stock = 0.0;
                stock.favours = None;
                stock.detail += ": set aside, the other text's swapped words do not fit their context";
            }
        }
    }
    // Attestation: where the aligned sentences differ, whose distinctive wording do related documents
    // use? Stock phrasing does not count: rewriting tools converge on it, the source need not have had it.
    if !third.is_empty() {
        // The aligned sentences' trigrams the other text lacks: those among the text's own differing ones.
        let aligned_only = |x: &Analysis, only: &[u64], sentences: &mut dyn Iterator<Item = usize>| -> Vec<u64> {
            x.sentence_trigrams_among(sentences, only)
        };
        // A text cut short inside a sentence (a feed's excerpt, an article stored cut) differs from the
        // other's restatement of its last sentence by the cut, not by a rewording ("f" where the other
        // has "federal government…"): that sentence pair says nothing of which was rewritten.
        let unfinished =
            |x: &Analysis| (x.tokens.cut_short && x.tokens.punctuated).then(|| x.tokens.sentence_count() - 1);
        let (last_a, last_b) = (unfinished(a.analysis), unfinished(b.analysis));
        let compared = || al.sentences.iter().filter(|p| Some(p.0) != last_a && Some(p.1) != last_b);
        let ga = aligned_only(a.analysis, &only_a, &mut compared().map(|p| p.0));
        let gb = aligned_only(b.analysis, &only_b, &mut compared().map(|p| p.1));
        let (ka, kb) = (ga.iter().filter(|g| attested(g)).count(), gb.iter().filter(|g| attested(g)).count());
        if !ga.is_empty() && !gb.is_empty() {
            let weight = proportion_difference(ka, ga.len(), kb, gb.len());
            measured.attestation = weight;
            let detail = format!(
                "where the aligned passages differ, {ka} of {} word trigrams of {} and {kb} of {} of {} recur in {} related documents",
                ga.len(),
                a.id,
                gb.len(),
                b.id,
                third.len()
            );
            let lean = (weight.abs() >= 0.5).then(|| favours(usize::from(weight < 0.0))).flatten();
            evidence.push(Evidence { signal: "attestation", favours: lean, detail });
        }
    }
    let features = Features::of(a.analysis, b.analysis, &measured, frequencies, &weigher.wanted);
    let score = model.score(&features);
    let feature = |name: &str| features.0[feature_at(name)];
    let specifics = feature("specifics");
    if specifics.abs() >= 1.0
        && let Some((sa, sb)) = measured.specifics
    {
        let detail = format!(
            "names and numbers the other text lacks altogether: {sa} of {}'s, {sb} of {}'s (a derived text keeps or drops its source's, and seldom adds new ones)",
            a.id, b.id
        );
        evidence.push(Evidence { signal: "specifics", favours: favours(usize::from(specifics < 0.0)), detail });
    }
    let machine = feature("machine_vocabulary");
    if machine.abs() >= 1.0 {
        let (ma, mb) = (machine_vocabulary(a.analysis), machine_vocabulary(b.analysis));
        let detail = format!(
            "words language models overuse (crucial, testament, showcasing…): {ma} in {}, {mb} in {}",
            a.id, b.id
        );
        evidence.push(Evidence { signal: "machine_vocabulary", favours: favours(usize::from(machine < 0.0)), detail });
    }
    // Partial reuse between two texts that each have much of their own: the shared passages may come
    // from a common source neither of them is, unless the evidence says clearly which was rewritten from
    // which (twice what naming a source takes).
    if relation == Relation::Partial && a.coverage < 0.6 && b.coverage < 0.6 && score.abs() < 2.0 * model.decisive {
        let detail = format!(
            "each text is mostly its own ({:.0}% and {:.0}% shared): the shared passages may come from a common source",
            100.0 * a.coverage,
            100.0 * b.coverage
        );
        evidence.push(Evidence { signal: "shared_source", favours: None, detail });
        return (Lean::Settled(None), evidence, Some(features));
    }
    // The related documents vouch for one text, the two texts' own evidence for the other: neither is
    // taken (see [`DirectionModel::conflicting`]), and the pair leans neither way.
    if let Some((family, own)) = model.conflicting(&features) {
        let (by_family, by_own) = if family > 0.0 { (a.id, b.id) } else { (b.id, a.id) };
        let detail = format!(
            "related documents share {by_family}'s wording (log-odds {:.1}), while the texts' own evidence names {by_own} (log-odds {:.1}): derivations that share their changes vouch for each other, so no source is named",
            family.abs(),
            own.abs()
        );
        evidence.push(Evidence { signal: "conflict", favours: None, detail });
        // No lean either way, but weighed as any other pair (the fitting data keeps its features).
        return (Lean::Towards(0.0), evidence, Some(features));
    }
    (Lean::Towards(score), evidence, Some(features))
}

/// Word trigrams a later text must keep of an earlier third's, that the earlier of the pair lacks, to be
/// taken as made from that third rather than from the earlier text: two changed words' worth (a word
/// makes three trigrams), more than a coincidence of phrasing; and they must be most of what the later
/// text has that the earlier lacks (texts written to one template share a few phrases with every other).
const KEPT_FROM_COMMON_SOURCE: usize = 6;

/// For a pair whose dates name `earlier` the source of `later`: a related document published before both
/// whose wording `later` keeps where `earlier` lacks it, most of what `later` has that `earlier` lacks
/// ([`KEPT_FROM_COMMON_SOURCE`]). `later` was then made from that document (the original of two
/// syndicated copies, a wire story another outlet also republished), not from `earlier`: the two are
/// siblings, whatever their dates. Returns the document's id and the trigrams kept; the witness keeping
/// most, the first among equals.
fn common_source<'a>(earlier: &Side, later: &Side, related: &Related<'a>) -> Option<(&'a str, usize)> {
    earlier.date?;
    let own: Vec<u64> =
        later.analysis.trigrams().iter().filter(|g| !earlier.analysis.trigrams().contains(g)).copied().collect();
    // Published before the earlier text, as far apart as dates must be to name a source.
    let before = |date: Option<f64>, precision| {
        dated_apart((date, precision), (earlier.date, earlier.precision)).is_some_and(|(k, _)| k == 0)
    };
    related
        .witnesses
        .iter()
        .zip(related.witness_dates)
        .filter(|(_, (date, precision, _))| before(*date, *precision))
        .map(|(w, &(_, _, id))| (id, own.iter().filter(|g| w.trigrams().contains(g)).count()))
        .filter(|&(_, kept)| kept >= KEPT_FROM_COMMON_SOURCE && 2 * kept > own.len())
        .fold(None, |best: Option<(&str, usize)>, (id, kept)| match best {
            Some((_, most)) if most >= kept => best,
            _ => Some((id, kept)),
        })
}

/// Words swapped in an unchanged context: in the aligned sentence pairs `sentences`, each place where the
/// two texts have the same word before and after (once in each sentence) and a different word between.
/// Returns how many of those words fit their context in `a` and in `b`, and how many places there are. A
/// word fits when both word pairs it makes with its neighbours are in more documents of the collection than
/// the text, its copies and the `related` documents that hold them: pairs someone else writes too, beyond
/// the pair's own family (whose members share their changes: a later spin keeps an earlier spin's words).
/// Word pairs, not trigrams: a writer's word, archaic or modern, makes pairs the collection holds ("said
/// unto", "said to") where a spinner's substitute seldom does ("steady said"); a trigram is seldom written
/// twice in a collection of thousands, whoever wrote it.
fn swapped_words(
    a: &Analysis,
    b: &Analysis,
    sentences: &[(usize, usize)],
    frequencies: &Frequencies,
    related: Related,
) -> ([usize; 2], usize) {
    let (mut fits, mut swaps) = ([0usize; 2], 0usize);
    // Whether documents beyond the text, its copies and the related documents hold the word pair `x`,
    // `y`; the related documents are read only when the count leaves room for them, and only until as
    // many hold it as the count allows.
    let written_elsewhere = |x: u64, y: u64| {
        let others = frequencies.phrase_documents(pair_hash(x, y)).saturating_sub(1 + related.copies) as usize;
        if others == 0 || others > related.witnesses.len() {
            return others > 0;
        }
        let holding = |t: &&&Analysis| t.tokens.tokens.windows(2).any(|p| p[0].word == x && p[1].word == y);
        related.witnesses.iter().filter(holding).take(others).count() < others
    };
    let fit = |tokens: &[crate::shingle::Token], k: u32| {
        let k = k as usize;
        let (before, word, after) = (tokens[k - 1].word, tokens[k].word, tokens[k + 1].word);
        usize::from(written_elsewhere(before, word) && written_elsewhere(word, after))
    };
    // Each word inside a sentence as (its context: the words before and after, hashed; the word; its
    // place), sorted, the contexts found more than once left out.
    let mut places: [Vec<(u64, u64, u32)>; 2] = Default::default();
    for &(i, j) in sentences {
        let (x, y) = (&a.tokens.tokens[a.tokens.sentence(i)], &b.tokens.tokens[b.tokens.sentence(j)]);
        // Most aligned sentences of a near-duplicate are the same words: nothing swapped.
        if x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.word == q.word) {
            continue;
        }
        for (words, list) in [x, y].into_iter().zip(places.iter_mut()) {
            list.clear();
            let context = |k: usize| mix(words[k - 1].word ^ words[k + 1].word.rotate_left(1));
            list.extend((1..words.len().saturating_sub(1)).map(|k| (context(k), words[k].word, k as u32)));
            list.sort_unstable();
            let mut kept = 0;
            for at in 0..list.len() {
                let key = list[at].0;
                if (at == 0 || list[at - 1].0 != key) && list.get(at + 1).is_none_or(|next| next.0 != key) {
                    list[kept] = list[at];
                    kept += 1;
                }
            }
            list.truncate(kept);
        }
        let [xs, ys] = &places;
        let (mut m, mut n) = (0, 0);
        while m < xs.len() && n < ys.len() {
            match xs[m].0.cmp(&ys[n].0) {
                std::cmp::Ordering::Less => m += 1,
                std::cmp::Ordering::Greater => n += 1,
                std::cmp::Ordering::Equal => {
                    if xs[m].1 != ys[n].1 {
                        swaps += 1;
                        fits[0] += fit(x, xs[m].2);
                        fits[1] += fit(y, ys[n].2);
                    }
                    m += 1;
                    n += 1;
                }
            }
        }
    }
    (fits, swaps)
}

/// Whether `k` of `n` is far below the rate `ks / ns` of a baseline: under [`UNWRITTEN_SHARE`] of it and
/// [`UNWRITTEN_ERRORS`] standard errors below it (a binomial at the baseline's rate), on a baseline of
/// [`MIN_BASELINE`] or more; a rate of 0 or 1 is no baseline.
fn far_below(k: usize, n: usize, ks: usize, ns: usize) -> bool {
    if ns < MIN_BASELINE || ks == 0 || ks == ns {
        return false;
    }
    let rate = ks as f64 / ns as f64;
    let expected = n as f64 * rate;
    (k as f64) < UNWRITTEN_SHARE * expected
        && (k as f64 - expected) / (expected * (1.0 - rate)).sqrt() <= -UNWRITTEN_ERRORS
}

/// Evidence from two proportions `ka / na` and `kb / nb`: their difference in standard errors, halved
/// and clamped to ±2, so a handful of differing words (a near-duplicate) weighs little and hundreds
/// weigh a lot. Positive when the first proportion is larger.
fn proportion_difference(ka: usize, na: usize, kb: usize, nb: usize) -> f64 {
    let (pa, pb) = (ka as f64 / na as f64, kb as f64 / nb as f64);
    let pooled = (ka + kb) as f64 / (na + nb) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / na as f64 + 1.0 / nb as f64)).sqrt().max(1e-9);
    ((pa - pb) / se / 2.0).clamp(-2.0, 2.0)
}

/// What [`orient`] made of one pair.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Oriented {
    /// The source, when one is named.
    pub source: Option<u32>,
    /// The evidence that decided, when it was the neighbours' (a hub, or siblings).
    pub evidence: Option<Evidence>,
    /// For a pair the model weighed (neither settled by the pair alone nor made siblings): the log-odds
    /// that `a` is the source, its own evidence and its neighbours' together.
    pub log_odds: Option<f64>,
}

/// A pair as [`orient`] sees it.
pub struct Leaning {
    /// First document.
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// Which way its own evidence leans.
    pub lean: Lean,
    /// Whether the two texts are copies of each other (duplicate or near-duplicate).
    pub copies: bool,
}

/// Names the source of each pair from its own evidence and its neighbours'. Two texts that a third is
/// favoured over are siblings, derived from it, and get no source. Otherwise the pair's own lean is
/// added to half the difference of its two sides' leans over their other pairs: a source sits at the hub
/// of its derivations, its wording surviving in each, so it is favoured across its pairs. Two texts
/// that this names one third the source of are siblings too (the report never says that a third is the
/// source of both and one of them the source of the other). Dates and identical texts settle a pair
/// whatever its neighbours say. Returns each pair's source and, where the neighbours decided, the
/// evidence saying so.
pub fn orient(pairs: &[Leaning], model: &DirectionModel, name: impl Fn(u32) -> String) -> Vec<Oriented> {
    // Dense tables by document (a scan orients millions of pairs): each document's lean over all its
    // pairs, its neighbours, and the pairs sorted by their documents with their lean toward the first.
    let documents = pairs.iter().map(|p| p.a.max(p.b) as usize + 1).max().unwrap_or(0);
    let leans: Vec<f64> = pairs
        .iter()
        .map(|p| match p.lean {
            Lean::Towards(s) => s,
            Lean::Settled(Some(0)) => 2.0,
            Lean::Settled(Some(_)) => -2.0,
            Lean::Settled(None) => 0.0,
        })
        .collect();
    let mut net = vec![0.0f64; documents];
    for (p, &s) in pairs.iter().zip(&leans) {
        net[p.a as usize] += s;
        net[p.b as usize] -= s;
    }
    let mut by_pair: Vec<(u32, u32, f64, bool)> =
        pairs.iter().zip(&leans).map(|(p, &s)| (p.a, p.b, s, p.copies)).collect();
    for e in by_pair.iter_mut().filter(|e| e.0 > e.1) {
        (e.0, e.1, e.2) = (e.1, e.0, -e.2);
    }
    by_pair.sort_unstable_by_key(|e| (e.0, e.1));
    let find = |x: u32, y: u32| {
        let key = (x.min(y), x.max(y));
        by_pair.binary_search_by_key(&key, |e| (e.0, e.1)).ok().map(|i| &by_pair[i])
    };
    let towards = |x: u32, y: u32| find(x, y).map(|e| if x < y { e.2 } else { -e.2 });
    let copy = |x: u32, y: u32| find(x, y).is_some_and(|e| e.3);
    let neighbours = Neighbours::new(documents, pairs.iter().map(|p| (p.a, p.b)));
    // Whether some neighbour of a document is favoured over it enough to be a common source.
    let mut outranked = vec![false; documents];
    for e in &by_pair {
        if e.2 >= model.sibling_lean {
            outranked[e.1 as usize] = true;
        } else if -e.2 >= model.sibling_lean {
            outranked[e.0 as usize] = true;
        }
    }
    // Siblings: a third document that is the source of both is their common source, unless it is a copy
    // of one of them (then that one is a copy of the source, hence a source too). The most favoured such
    // document, the first by index among equals. It neighbours both: the shorter list of neighbours is
    // searched.
    let common_source = |p: &Leaning, source_of: &dyn Fn(u32, u32) -> bool| {
        let (x, y) = (neighbours.of(p.a), neighbours.of(p.b));
        let shorter = if x.len() <= y.len() { x } else { y };
        shorter
            .iter()
            .copied()
            .filter(|&h| {
                h != p.a && h != p.b && !copy(h, p.a) && !copy(h, p.b) && source_of(h, p.a) && source_of(h, p.b)
            })
            .min_by(|&x, &y| net[y as usize].total_cmp(&net[x as usize]).then(x.cmp(&y)))
    };
    let siblings = |h: u32| {
        let detail = format!("both derive from {}", name(h));
        Oriented { evidence: Some(Evidence { signal: "siblings", favours: None, detail }), ..Oriented::default() }
    };
    let named: Vec<Oriented> = pairs
        .iter()
        .zip(&leans)
        .map(|(p, &score)| {
            if let Lean::Settled(k) = p.lean {
                return Oriented { source: k.map(|k| if k == 0 { p.a } else { p.b }), ..Oriented::default() };
            }
            // A third the evidence favours over both. A copy of a copy shares its source's wording too,
            // so siblings are decided by the common source, whatever the pair's own evidence says.
            let favoured = |h: u32, d: u32| towards(h, d).is_some_and(|s| s >= model.sibling_lean);
            if outranked[p.a as usize]
                && outranked[p.b as usize]
                && let Some(h) = common_source(p, &favoured)
            {
                return siblings(h);
            }
            // The pair's own evidence, and half the lean of each side's other pairs: a source's
            // wording survives in all its derivations, so it is favoured across its pairs.
            let (net_a, net_b) = (net[p.a as usize], net[p.b as usize]);
            let context = model.context_weight * ((net_a - score) - (net_b + score)).clamp(-2.0, 2.0);
            let total = score + context;
            if total.abs() < model.decisive {
                return Oriented { log_odds: Some(total), ..Oriented::default() };
            }
            let source = if total > 0.0 { p.a } else { p.b };
            let evidence = (context.abs() >= 0.5 && score.abs() < model.decisive).then(|| Evidence {
                signal: "hub",
                favours: Some(name(source)),
                detail: format!("{} is favoured across its other pairs too", name(source)),
            });
            Oriented { source: Some(source), evidence, log_odds: Some(total) }
        })
        .collect();
    // Second look: a third named the source of both (by its neighbours' evidence, where its own was not
    // enough to favour it over them) makes them siblings.
    let mut derivations: Vec<(u32, u32)> =
        pairs.iter().zip(&named).filter_map(|(p, n)| n.source.map(|s| (s, if s == p.a { p.b } else { p.a }))).collect();
    derivations.sort_unstable();
    let named_source = |h: u32, d: u32| derivations.binary_search(&(h, d)).is_ok();
    pairs
        .iter()
        .zip(named)
        .map(|(p, n)| match (&p.lean, n.source) {
            (Lean::Towards(_), Some(_)) => common_source(p, &named_source).map_or(n, siblings),
            _ => n,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::align;
    use crate::frequencies::{Frequencies, phrase_hashes};
    use crate::shingle::Tokens;

    /// [`direction`] with no collection statistics and the built-in model.
    fn weigh(
        relation: Relation,
        al: &Alignment,
        a: &Side,
        b: &Side,
        related: Related,
    ) -> (Lean, Vec<Evidence>, Option<Features>) {
        direction(relation, al, a, b, related, &Frequencies::new(), &Weigher::new(&DirectionModel::default(), true))
    }

    /// A side of a pair for tests: its whole text covered, no date, URL or canonical link.
    fn plain_side<'a>(id: &'a str, analysis: &'a Analysis) -> Side<'a> {
        Side { id, analysis, coverage: 1.0, date: None, url: None, canonical: None, precision: DatePrecision::Time }
    }

    #[test]
    fn semantic_rewrites_need_a_run_of_close_restatements() {
        let s = SemanticConfig { restatement: 0.7, coverage: 0.6, ..SemanticConfig::new("model".into(), false) };
        let r = |in_order, sentences, closeness| SemanticFigures {
            leads: 0.8,
            restatement: Some(Restatement { sentences, in_order, closeness }),
            specifics: 0.8,
            specifics_weight: 20.0,
        };
        // Most sentences restated in order, closely: a rewrite, more confident the closer.
        let close = semantic_rewrite(&r(8, 10, 0.8), &s).unwrap();
        assert!(close > 0.5 && close < semantic_rewrite(&r(8, 10, 0.95), &s).unwrap());
        // Too few of the sentences in order, or restated too loosely on average.
        assert_eq!(semantic_rewrite(&r(5, 10, 0.8), &s), None);
        assert_eq!(semantic_rewrite(&r(8, 10, 0.65), &s), None);
        // Two sentences of two: they must be restated more closely than a run of three.
        assert_eq!(semantic_rewrite(&r(2, 2, 0.72), &s), None);
        assert!(semantic_rewrite(&r(3, 3, 0.72), &s).is_some());
        assert!(semantic_rewrite(&r(2, 2, 0.8), &s).is_some());
        assert_eq!(semantic_rewrite(&r(0, 0, 1.0), &s), None);
        // Restated closely, but with other names and numbers, or only common ones: the same topic.
        let other_names = SemanticFigures { specifics: 0.3, ..r(8, 10, 0.95) };
        assert_eq!(semantic_rewrite(&other_names, &s), None);
        let common_names = SemanticFigures { specifics_weight: 2.0, ..r(8, 10, 0.95) };
        assert_eq!(semantic_rewrite(&common_names, &s), None);
        // Leads apart, or sentences not compared.
        assert_eq!(semantic_rewrite(&SemanticFigures { leads: 0.5, ..r(8, 10, 0.95) }, &s), None);
        assert_eq!(semantic_rewrite(&SemanticFigures { restatement: None, ..r(8, 10, 0.95) }, &s), None);
    }

    #[test]
    fn a_rewrite_by_its_specifics_keeps_the_shorter_texts_names_and_numbers() {
        let long = analyse(STORY);
        let short = analyse("Russia freed 307 Ukrainians.\nKyiv was hit by drones.");
        let bars = VerdictBars { specifics_strength: Some(0.2), ..VerdictBars::default() };
        // The shorter text (the second) restated in two sentences, weak evidence, most of its names kept.
        let al = Alignment {
            coverage_a: 0.3,
            coverage_b: 0.8,
            aligned: 2,
            strength: 0.3,
            specifics: 0.9,
            specifics_weight: 12.0,
            ..Alignment::default()
        };
        let (confidence, evidence) = specifics_rewrite(&long, &short, &al, &bars).unwrap();
        assert!(confidence > 0.5 && confidence <= 0.9, "{confidence}");
        assert_eq!((evidence.signal, evidence.favours), ("specifics_restated", None));
        // The coverage asked is the shorter text's, whichever side it is.
        assert!(
            specifics_rewrite(&short, &long, &Alignment { coverage_a: 0.8, coverage_b: 0.3, ..al.clone() }, &bars)
                .is_some()
        );
        // Each bar is needed: the shorter text half restated, two sentences, the share and a rare one's
        // weight of its names and numbers, the weight of evidence; and bars that have the rule at all.
        for other in [
            Alignment { coverage_b: 0.4, ..al.clone() },
            Alignment { aligned: 1, ..al.clone() },
            Alignment { specifics: 0.45, ..al.clone() },
            Alignment { specifics_weight: 3.0, ..al.clone() },
            Alignment { strength: 0.1, ..al.clone() },
        ] {
            assert!(specifics_rewrite(&long, &short, &other, &bars).is_none(), "{other:?}");
        }
        assert!(specifics_rewrite(&long, &short, &al, &VerdictBars { specifics_strength: None, ..bars }).is_none());
    }

    fn analyse(text: &str) -> Analysis {
        Analysis::new(Tokens::new(text), &Frequencies::new())
    }

    #[test]
    fn texts_of_one_length_are_measured_alike_whichever_comes_first() {
        let a = analyse("The council approved the budget on Monday after a long debate about the roads.");
        let b = analyse("On Monday the council passed the budget after a long debate over roads. Fine.");
        assert_eq!(a.words(), b.words());
        let (ab, ba) = (align(&a, &b), align(&b, &a));
        assert_ne!(ab.coverage_a, ab.coverage_b, "{ab:?}");
        assert_eq!(coverages(&a, &b, &ab), coverages(&b, &a, &ba));
        let (small, large) = coverages(&a, &b, &ab);
        assert!(small >= large);
    }

    const STORY: &str = "Russia released 307 Ukrainian prisoners on Saturday in exchange for Russian servicemen.\n\
        The servicemen are being cared for in Belarus before their return to Russia.\n\
        Drones and ballistic missiles hit Kyiv overnight, damaging apartment buildings and a shopping mall.\n\
        Officials in Kharkiv said four people were killed in attacks over the past day.";

    #[test]
    fn duplicate_and_near_duplicate() {
        let a = analyse(STORY);
        let b = analyse(&STORY.to_uppercase());
        assert_eq!(classify(&a, &b, &align(&a, &b), &VerdictBars::default()).unwrap().0, Relation::Duplicate);
        let edited = STORY.replace("four people", "four civilians");
        let c = analyse(&edited);
        assert_eq!(classify(&a, &c, &align(&a, &c), &VerdictBars::default()).unwrap().0, Relation::NearDuplicate);
    }

    #[test]
    fn unrelated_texts_are_not_derived() {
        let a = analyse(STORY);
        let b = analyse(
            "Solar module prices fell sharply this quarter.\nManufacturers in China expanded capacity again.\nAnalysts expect installations to grow next year.",
        );
        assert_eq!(classify(&a, &b, &align(&a, &b), &VerdictBars::default()), None);
    }

    #[test]
    fn a_rewrite_needs_the_bars_weight_of_evidence() {
        let a = analyse(STORY);
        let b = analyse(
            "Weather in the region stayed cold and wet all week, forecasters said.\n\
             On Saturday Russia freed 307 Ukrainian prisoners, swapping them for Russian servicemen.\n\
             The servicemen are cared for in Belarus before going back to Russia.\n\
             Overnight drones and missiles struck Kyiv and damaged apartment buildings and a shopping mall.\n\
             Kharkiv officials reported four people killed in attacks during the past day.",
        );
        let al = align(&a, &b);
        let bars = VerdictBars::default();
        assert_eq!(classify(&a, &b, &al, &bars).map(|v| v.0), Some(Relation::Rewrite));
        let strict =
            VerdictBars { rewrite_strength: al.strength + 0.1, partial_strength: al.copied_strength + 0.1, ..bars };
        assert_eq!(classify(&a, &b, &al, &strict), None);
    }

    #[test]
    fn a_canonical_link_to_the_other_names_the_source() {
        let (a, b) = (analyse(STORY), analyse(STORY));
        let al = align(&a, &b);
        let side = |id, an, date, url, canonical| Side { date, url, canonical, ..plain_side(id, an) };
        let lean = |x: &Side, y: &Side| weigh(Relation::Rewrite, &al, x, y, Related::default());
        // y names x's page as its original, though y's date is the earlier: the link decides.
        let x = side("x", &a, Some(13.0), Some("https://news.example/story"), None);
        let y = side("y", &b, Some(10.0), Some("http://copies.example/a"), Some("http://www.news.example/story/#top"));
        let (k, ev, _) = lean(&x, &y);
        assert_eq!((k, ev[0].signal), (Lean::Settled(Some(0)), "canonical"));
        assert_eq!(lean(&y, &x).0, Lean::Settled(Some(1)));
        // A page that names itself, or a page not in the pair, says nothing: the dates decide.
        let own = side("y", &b, Some(10.0), Some("http://copies.example/a"), Some("http://copies.example/a/"));
        assert_eq!(lean(&x, &own).1[0].signal, "date");
        let elsewhere = side("y", &b, Some(10.0), None, Some("http://third.example/story"));
        assert_eq!(lean(&x, &elsewhere).1[0].signal, "date");
        // Two pages that name each other settle nothing, whichever comes first: the dates decide.
        let x = side("x", &a, Some(13.0), Some("https://news.example/story"), Some("http://copies.example/a"));
        assert_eq!(lean(&x, &y).1[0].signal, "date");
        assert_eq!(lean(&y, &x).1[0].signal, "date");
    }

    #[test]
    fn dates_decide_direction() {
        let a = analyse(STORY);
        let b = analyse(STORY);
        let side = |id, an, date| Side { date, ..plain_side(id, an) };
        let al = align(&a, &b);
        let (k, ev, _) =
            weigh(Relation::Rewrite, &al, &side("x", &a, Some(10.0)), &side("y", &b, Some(13.0)), Related::default());
        assert_eq!(k, Lean::Settled(Some(0)));
        assert_eq!(ev[0].signal, "date");
        let (k, _, _) =
            weigh(Relation::Duplicate, &al, &side("x", &a, Some(10.0)), &side("y", &b, Some(10.5)), Related::default());
        assert_eq!(k, Lean::Settled(None));
    }

    #[test]
    fn a_day_without_a_time_is_any_moment_of_it() {
        let (a, b) = (analyse(STORY), analyse(STORY));
        let al = align(&a, &b);
        let settled = |x: (f64, DatePrecision), y: (f64, DatePrecision)| {
            let side = |id, an, (date, precision)| Side { date: Some(date), precision, ..plain_side(id, an) };
            let lean = weigh(Relation::NearDuplicate, &al, &side("x", &a, x), &side("y", &b, y), Related::default());
            matches!(lean.0, Lean::Settled(Some(_)))
        };
        use DatePrecision::{Day, Instant, Time};
        let half_hour = 1.0 / 48.0;
        // 2025-05-24 and 00:30 of the 25th: maybe half an hour apart. Two days apart is more than a day.
        assert!(!settled((10.0, Day), (11.0 + half_hour, Instant)));
        assert!(!settled((11.0 + half_hour, Time), (10.0, Day)));
        assert!(settled((10.0, Day), (12.0 + half_hour, Instant)));
        assert!(!settled((10.0, Day), (11.0, Day)));
        assert!(settled((10.0, Day), (12.0, Day)));
        // Without a day alone, the times count as they are.
        assert!(settled((10.0, Time), (11.0 + half_hour, Instant)));
        assert!(settled((10.0, Instant), (10.0 + 3.0 * half_hour, Instant)));
    }

    #[test]
    fn a_later_text_keeping_an_earlier_thirds_wording_that_the_earlier_lacks_is_not_derived_from_it() {
        // The original, a copy that dropped its last paragraph and added a credit, and a later copy of the
        // whole original with a credit of its own: the later copy was not made from the earlier one.
        let (body, last) = STORY.rsplit_once('\n').unwrap();
        let original = analyse(STORY);
        let cut = analyse(&format!("{body}\nRepublished by the Daily Ledger."));
        let full = analyse(&format!("{STORY}\nRepublished by the Metro Courier."));
        fn side<'a>(id: &'a str, analysis: &'a Analysis, date: f64) -> Side<'a> {
            Side { date: Some(date), ..plain_side(id, analysis) }
        }
        let lean = |earlier: &Analysis, later: &Analysis, third_date: Option<f64>| {
            weigh(
                Relation::NearDuplicate,
                &align(earlier, later),
                &side("earlier", earlier, 3.0),
                &side("later", later, 5.0),
                Related {
                    witnesses: &[&original],
                    witness_dates: &[(third_date, DatePrecision::Time, "original")],
                    copies: 0,
                    unconsulted: 0,
                },
            )
        };
        let (k, ev, _) = lean(&cut, &full, Some(1.0));
        assert_eq!(k, Lean::Settled(None), "{ev:?}");
        assert_eq!(ev[0].signal, "siblings");
        assert!(ev[0].detail.contains("original's that earlier lacks"), "{}", ev[0].detail);
        // A third published after the earlier text, or undated, says nothing: the dates decide.
        assert_eq!(lean(&cut, &full, Some(4.0)).0, Lean::Settled(Some(0)));
        assert_eq!(lean(&cut, &full, None).0, Lean::Settled(Some(0)));
        // A later text made from the earlier one keeps nothing of the third's that the earlier lacks.
        let recopied = analyse(&format!("{body}\nRepublished by the Daily Ledger. Also in the Evening Post."));
        assert_eq!(lean(&cut, &recopied, Some(1.0)).0, Lean::Settled(Some(0)));
        // Nor does a later text whose differences are mostly its own, sharing a phrase or two with the
        // third (texts written to one template).
        let own = "Its own reporters added that markets in Moscow and Kyiv were closed for the holiday weekend.";
        let mostly_own = analyse(&format!("{body}\n{own} {own}\n{last}"));
        assert!(mostly_own.trigrams().len() > cut.trigrams().len());
        assert_eq!(lean(&cut, &mostly_own, Some(1.0)).0, Lean::Settled(Some(0)));
        // Instants of publication hours apart: the third published two hours before the earlier text is
        // before both, as a third a day before dates is.
        let instant = |id, analysis, date| Side { precision: DatePrecision::Instant, ..side(id, analysis, date) };
        let hours = |h: f64| 3.0 + h / 24.0;
        let settled = |third: f64| {
            weigh(
                Relation::NearDuplicate,
                &align(&cut, &full),
                &instant("earlier", &cut, hours(0.0)),
                &instant("later", &full, hours(4.0)),
                Related {
                    witnesses: &[&original],
                    witness_dates: &[(Some(third), DatePrecision::Instant, "original")],
                    copies: 0,
                    unconsulted: 0,
                },
            )
            .0
        };
        assert_eq!(settled(hours(-2.0)), Lean::Settled(None));
        assert_eq!(settled(hours(-0.5)), Lean::Settled(Some(0)), "within the hour");
    }

    #[test]
    fn attested_wording_is_the_source() {
        let original =
            analyse("The ministry released hundreds of prisoners on a difficult night for the capital city.");
        let spun = analyse("The ministry freed hundreds of captives on a hard evening for the principal metropolis.");
        let other = analyse("Witnesses said it was a difficult night for the capital city as prisoners were released.");
        let side = |id, an| Side { coverage: 0.7, ..plain_side(id, an) };
        let al = align(&spun, &original);
        let (k, ev, _) = weigh(
            Relation::Rewrite,
            &al,
            &side("spun", &spun),
            &side("orig", &original),
            Related { witnesses: &[&other], witness_dates: &[], copies: 0, unconsulted: 0 },
        );
        assert!(matches!(k, Lean::Towards(s) if s <= -1.0), "{k:?} {ev:?}");
    }

    #[test]
    fn a_last_sentence_cut_short_attests_nothing() {
        // An article stored cut inside a word, and a rewrite made from the whole, whose last sentence a
        // related text shares: the cut says nothing of which was rewritten. The same sentence finished
        // in other words does.
        let opening = "The council approved the new budget on Monday after a long debate over the roads. ";
        let whole = analyse(&format!(
            "{opening}The mayor said the roads would be repaired before winter and the federal grant would pay for it."
        ));
        let other =
            analyse("Officials said the federal grant would pay for it once the council approved the new budget.");
        let attestation = |stored: &str| {
            let stored = analyse(&format!("{opening}{stored}"));
            let al = align(&stored, &whole);
            let (_, ev, _) = weigh(
                Relation::NearDuplicate,
                &al,
                &plain_side("stored", &stored),
                &plain_side("whole", &whole),
                Related { witnesses: &[&other], witness_dates: &[], copies: 0, unconsulted: 0 },
            );
            ev.into_iter().find(|e| e.signal == "attestation").map(|e| e.detail)
        };
        let cut = "The mayor said the roads would be repaired before winter and the f";
        assert!(analyse(&format!("{opening}{cut}")).tokens.cut_short);
        assert_eq!(attestation(cut), None);
        let finished = "The mayor said the roads would be repaired before winter and the city would pay for them.";
        assert_eq!(
            attestation(finished).as_deref(),
            Some(
                "where the aligned passages differ, 0 of 4 word trigrams of stored and 4 of 5 of whole recur in 1 related documents"
            )
        );
    }

    #[test]
    fn words_swapped_into_contexts_no_one_else_writes_set_stock_phrasing_aside() {
        let original = analyse("The firm said on Monday that its profits rose sharply in the third quarter.");
        let spun = analyse("The steady said on Monday that its gains rose sharply in the tertiary quarter.");
        let al = align(&original, &spun);
        assert_eq!(al.sentences, vec![(0, 0)]);
        // The original's phrases are written in five documents of the collection, the spin's in itself.
        let mut frequencies = Frequencies::new();
        for _ in 0..5 {
            frequencies.add_documents(1, std::iter::empty(), phrase_hashes(&original.tokens.tokens).iter());
        }
        frequencies.add_documents(1, std::iter::empty(), phrase_hashes(&spun.tokens.tokens).iter());
        // firm / steady, profits / gains, third / tertiary.
        assert_eq!(swapped_words(&original, &spun, &al.sentences, &frequencies, Related::default()), ([3, 0], 3));
        assert_eq!(
            swapped_words(
                &spun,
                &original,
                &al.sentences.iter().map(|&(i, j)| (j, i)).collect::<Vec<_>>(),
                &frequencies,
                Related::default()
            ),
            ([0, 3], 3)
        );
        // The original's four copies account for all of its phrases' documents: then they fit no better.
        let copies = Related { witnesses: &[], witness_dates: &[], copies: 4, unconsulted: 0 };
        assert_eq!(swapped_words(&original, &spun, &al.sentences, &frequencies, copies), ([0, 0], 3));
        // Nor do word pairs only the pair's family writes: three related documents are the original's
        // copies and a later spin of it that kept "profits" and "third"; of the original's words, only
        // "firm" makes pairs written outside the family.
        let later = analyse("The company said on Monday that its profits rose sharply in the third quarter.");
        let family = [&original, &original, &original, &later];
        let related = Related { witnesses: &family, witness_dates: &[], copies: 0, unconsulted: 0 };
        assert_eq!(swapped_words(&original, &spun, &al.sentences, &frequencies, related), ([1, 0], 3));
        let side = plain_side;
        let (_, evidence, features) = direction(
            Relation::Rewrite,
            &al,
            &side("spun", &spun),
            &side("original", &original),
            Related::default(),
            &frequencies,
            &Weigher::new(&DirectionModel::default(), true),
        );
        // Context fit names no source; the original's phrasing recurs in the collection, so stock phrasing
        // would name it the copy, and is set aside.
        let fit = evidence.iter().find(|e| e.signal == "context_fit").expect("context fit speaks");
        assert_eq!(fit.favours, None, "{fit:?}");
        let stock = evidence.iter().find(|e| e.signal == "stock_phrasing").expect("stock phrasing is measured");
        assert!(stock.favours.is_none() && stock.detail.ends_with("do not fit their context"), "{stock:?}");
        let features = features.unwrap();
        assert!(features.0[FEATURE_NAMES.len() - 1] < -1.0);
        assert_eq!(features.0[FEATURE_NAMES.iter().position(|&n| n == "stock_phrasing").unwrap()], 0.0);
    }

    #[test]
    fn far_below_needs_a_quarter_of_the_baseline_rate_and_two_standard_errors() {
        // A spin's differing trigrams against the wording both texts share (a pair of scripts/spinner).
        assert!(far_below(0, 54, 29, 211));
        // An LLM rewrite's source: below the shared rate, not far below it.
        assert!(!far_below(12, 100, 19, 100));
        // Under a quarter, but too few to say (2 expected).
        assert!(!far_below(0, 8, 5, 20));
        // No baseline: too few shared trigrams, or none or all of them recur.
        assert!(!far_below(0, 40, 3, 9));
        assert!(!far_below(0, 40, 0, 50));
        assert!(!far_below(0, 40, 50, 50));
    }

    #[test]
    fn a_text_whose_own_wording_recurs_far_less_than_what_both_share_is_not_named_by_stock_phrasing() {
        // Two-word spans swapped, so no word is swapped between an unchanged word before and after: context
        // fit has nothing to say. The last sentence is both texts' and recurs nowhere else.
        let lines = STORY.replace('\n', " ") + "\nThe exchange was the third this year, a spokesman said.";
        let original = analyse(&lines);
        let spun = analyse(
            &lines
                .replace("on Saturday", "upon Sabbath")
                .replace("cared for", "tended after")
                .replace("apartment buildings", "flat edifices")
                .replace("were killed", "got slain"),
        );
        let al = align(&original, &spun);
        let only: Vec<u64> = original.trigrams().iter().filter(|g| !spun.trigrams().contains(g)).copied().collect();
        let stock = |unrelated: &[u64]| {
            let mut frequencies = Frequencies::new();
            for _ in 0..5 {
                frequencies.add_documents(1, std::iter::empty(), unrelated.iter());
            }
            frequencies.add_documents(1, std::iter::empty(), original.trigrams().iter());
            frequencies.add_documents(1, std::iter::empty(), spun.trigrams().iter());
            let side = plain_side;
            let (_, evidence, _) = direction(
                Relation::Rewrite,
                &al,
                &side("original", &original),
                &side("spun", &spun),
                Related::default(),
                &frequencies,
                &Weigher::new(&DirectionModel::default(), true),
            );
            assert!(evidence.iter().all(|e| e.signal != "context_fit"), "{evidence:?}");
            evidence.into_iter().find(|e| e.signal == "stock_phrasing").expect("stock phrasing is measured")
        };
        // Unrelated documents write the story's first four sentences: the original's own wording recurs, the
        // spin's does not, and most of the wording both share does. The spin's changes were not written the
        // way the rest of it was: stock phrasing is set aside.
        let story: Vec<u64> = analyse(STORY).trigrams().iter().copied().collect();
        let set_aside = stock(&story);
        assert!(set_aside.favours.is_none() && set_aside.detail.contains("not written the way"), "{set_aside:?}");
        // They write only the original's own wording: the shared wording recurs nowhere, so the spin's
        // recurring nowhere says nothing against it, and stock phrasing names it the source as before.
        let named = stock(&only);
        assert_eq!(named.favours.as_deref(), Some("spun"), "{named:?}");
    }

    #[test]
    fn the_wording_a_texts_copies_share_is_not_stock_phrasing() {
        // The original and an edit of it; the original copied nine times more in the collection, so its
        // wording recurs in ten documents. Counted as unrelated documents, the copies make the original's
        // wording look like stock phrasing, and the edit the source.
        let original = analyse(STORY);
        let edit = analyse(&STORY.replace("overnight", "during the night").replace("damaging", "hitting"));
        let al = align(&original, &edit);
        let mut frequencies = Frequencies::new();
        for _ in 0..10 {
            frequencies.add_documents(1, std::iter::empty(), original.trigrams().iter());
        }
        frequencies.add_documents(1, std::iter::empty(), edit.trigrams().iter());
        let stock = |copies| {
            let side = plain_side;
            let (_, evidence, _) = direction(
                Relation::NearDuplicate,
                &al,
                &side("original", &original),
                &side("edit", &edit),
                Related { witnesses: &[], witness_dates: &[], copies, unconsulted: 0 },
                &frequencies,
                &Weigher::new(&DirectionModel::default(), true),
            );
            evidence.into_iter().find(|e| e.signal == "stock_phrasing").map(|e| e.favours)
        };
        assert_eq!(stock(0), Some(Some("edit".to_string())), "nine unexplained copies read as stock phrasing");
        assert_eq!(stock(9), None, "the nine copies known as the original's near-duplicate group");
    }

    #[test]
    fn a_copied_opening_is_an_excerpt_only_when_the_rest_is_attested() {
        // The short text is the long one's first two sentences, word for word: a lead reprinted alone,
        // or the lead a longer text grew from. Only related texts sharing the long text's other wording
        // say it is the original.
        let lead = STORY.lines().take(2).collect::<Vec<_>>().join("\n");
        let long_text = format!(
            "{STORY}\nEngineers restored power to the northern districts by morning.\n\
             Schools in the capital will reopen on Monday, the mayor's office announced."
        );
        let (short, long) = (analyse(&lead), analyse(&long_text));
        let al = align(&short, &long);
        let side = |id, an, coverage| Side { coverage, ..plain_side(id, an) };
        let judge = |third: &[&Analysis]| {
            weigh(
                Relation::Partial,
                &al,
                &side("lead", &short, al.coverage_a),
                &side("article", &long, al.coverage_b),
                Related { witnesses: third, witness_dates: &[], copies: 0, unconsulted: 0 },
            )
        };
        // The excerpt feature (index 2) is what the model weighs; the evidence says it in words.
        let (_, evidence, features) = judge(&[]);
        assert_eq!(features.unwrap().0[2], 0.0, "{evidence:?}");
        assert_eq!(evidence[0].signal, "containment");
        assert_eq!(evidence[0].favours, None);
        assert!(evidence[0].detail.starts_with("lead is 100% restated as the opening of a text"), "{evidence:?}");
        assert!(evidence[0].detail.contains("× longer, 100% of its phrasing the same"), "{evidence:?}");
        let witness = analyse(
            "Drones and ballistic missiles hit Kyiv overnight, damaging apartment buildings and a shopping mall.\n\
             Engineers restored power to the northern districts by morning.",
        );
        let (_, evidence, features) = judge(&[&witness]);
        assert_eq!(features.unwrap().0[2], -1.0, "{evidence:?}");
        assert_eq!(evidence[0].favours.as_deref(), Some("article"));
    }

    #[test]
    fn the_hub_is_the_source_and_its_derivations_are_siblings() {
        // 0 is favoured against both 1 and 2; 1-2 lean weakly one way; 3-4 stand apart.
        // The weights of the rules before any fitting: context 0.5, decisive 1, siblings 0.5.
        let model =
            DirectionModel { context_weight: 0.5, decisive: 1.0, sibling_lean: 0.5, ..DirectionModel::default() };
        let l = |a, b, s| Leaning { a, b, lean: Lean::Towards(s), copies: false };
        let pairs = vec![l(0, 1, 2.0), l(0, 2, 1.5), l(1, 2, 1.2), l(3, 4, -1.5), l(5, 6, 0.3)];
        let got: Vec<Option<u32>> = orient(&pairs, &model, |i| i.to_string()).into_iter().map(|r| r.source).collect();
        assert_eq!(got, vec![Some(0), Some(0), None, Some(4), None]);
        let settled =
            vec![Leaning { a: 0, b: 1, lean: Lean::Settled(Some(1)), copies: false }, l(0, 2, 2.0), l(1, 2, 0.0)];
        assert_eq!(orient(&settled, &model, |i| i.to_string())[0].source, Some(1));
        // 0 is a near-copy of 1 (the same article under two ids), favoured over 1 and 2 alike: 1 is a
        // copy of the source, so 1-2 keep their own lean instead of becoming siblings.
        let mut copy = l(0, 1, 0.6);
        copy.copies = true;
        let pairs = vec![copy, l(0, 2, 1.5), l(1, 2, 1.2)];
        assert_eq!(orient(&pairs, &model, |i| i.to_string())[2].source, Some(1));
        assert_eq!(orient(&[l(0, 1, 0.6), l(0, 2, 1.5), l(1, 2, 1.2)], &model, |i| i.to_string())[2].source, None);
        // 0 is favoured over 1 on its own but over 2 only by its other pairs (0.4 alone): still named the
        // source of both, so 1 and 2 are siblings rather than 1 the source of 2.
        let got = orient(&[l(0, 1, 2.5), l(0, 2, 0.4), l(1, 2, 2.5)], &model, |i| i.to_string());
        assert_eq!((got[0].source, got[1].source, got[2].source), (Some(0), Some(0), None));
        assert_eq!(got[1].evidence.as_ref().map(|e| e.signal), Some("hub"));
        assert_eq!(
            got[2].evidence.as_ref().map(|e| (e.signal, e.detail.as_str())),
            Some(("siblings", "both derive from 0"))
        );
    }
}
