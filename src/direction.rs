//! The direction model: what two texts say about which is the source, as a few named features, and the
//! fitted weights that turn them into the log-odds that the first text is the source.
//!
//! [`Features::of`] measures one pair; every feature is antisymmetric (swapping the texts negates it),
//! positive when it favours the first text. The weights are not chosen by hand: `scripts/fit-direction`
//! fits them on the labelled collections in `../shared/eval` (each collection weighing the same), reports
//! every figure leave-one-collection-out, and writes `src/direction.json` with the hashes of the data
//! that made it. That file is built into the binary; `--direction-model FILE` reads another (one fitted on
//! a user's own labelled collection, or a fold of the fitting script).

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::align::{Analysis, GramSet};
use crate::error::Result;
use crate::frequencies::Frequencies;
use crate::shingle::Tokens;

/// Number of direction features.
pub const FEATURES: usize = 13;

/// The features' names, in order: the keys of the model file's weights.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "attestation",
    "stock_phrasing",
    "excerpt",
    "specifics",
    "rare_words",
    "length",
    "coverage",
    "machine_vocabulary",
    "aligned_specifics",
    "aligned_rare_words",
    "aligned_length",
    "centrality",
    "context_fit",
];

/// The features that read the related documents rather than the two texts: attestation and centrality.
pub const FAMILY_FEATURES: [&str; 2] = ["attestation", "centrality"];

/// Words that language models overuse and plain human writing seldom has (from the studies of "excess
/// vocabulary" in text written since 2023: Liang et al. 2024, Kobak et al. 2025), leaving out those that
/// encyclopedic and news prose use as often (significant, particularly, potential, notably…). A
/// derivation made by a model gains them; its human original rarely has them. Says nothing where both
/// texts are human (simplification, newsroom editing, spinners): the feature is then zero.
const MACHINE_WORDS: &[&str] = &[
    "delve",
    "delves",
    "delving",
    "showcase",
    "showcases",
    "showcasing",
    "underscore",
    "underscores",
    "underscoring",
    "tapestry",
    "realm",
    "meticulous",
    "meticulously",
    "commendable",
    "pivotal",
    "intricate",
    "intricacies",
    "testament",
    "unwavering",
    "amidst",
    "captivating",
    "navigate",
    "navigating",
    "crucial",
    "embark",
    "embarked",
    "endeavor",
    "endeavors",
    "multifaceted",
    "paramount",
    "seamless",
    "seamlessly",
    "transformative",
    "vibrant",
    "garnered",
    "bolster",
    "bolstering",
    "fostering",
    "heightened",
    "resonate",
    "resonates",
    "grappling",
    "invaluable",
    "insightful",
    "noteworthy",
    "furthermore",
    "additionally",
    "ensuring",
    "emphasizing",
    "highlighting",
    "landscape",
    "nuanced",
];

fn machine_words() -> &'static GramSet {
    static SET: OnceLock<GramSet> = OnceLock::new();
    SET.get_or_init(|| MACHINE_WORDS.iter().filter_map(|w| Tokens::new(w).tokens.first().map(|t| t.word)).collect())
}

/// How many words of the text are among those language models overuse.
pub fn machine_vocabulary(x: &Analysis) -> usize {
    x.tokens.tokens.iter().filter(|t| machine_words().contains(&t.word)).count()
}

/// Collection documents a content word may be in and still count as a rare word of the text holding it.
const RARE_DOCUMENTS: u32 = 3;

/// A pair's direction features, positive when they favour the first text as the source.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Features(pub [f64; FEATURES]);

/// What [`Features::of`] needs beyond the two analyses: the evidence [`crate::score::direction`] has
/// weighed already.
pub struct Measured<'a> {
    /// Attestation: how much more the first text's differing wording recurs in related documents
    /// (a difference of proportions in standard errors, halved, ±2; 0 without related documents).
    pub attestation: f64,
    /// Stock phrasing: how much more the second text's differing wording is stock (same units).
    pub stock: f64,
    /// +1 when the second text is an excerpt of the first, −1 the other way, else 0.
    pub excerpt: f64,
    /// Share of each text covered by the other.
    pub coverage: [f64; 2],
    /// The aligned sentence pairs `(sentence of a, sentence of b)`.
    pub sentences: &'a [(usize, usize)],
    /// Related documents (the pair's candidate neighbours outside its near-duplicate groups).
    pub third: &'a [&'a Analysis],
    /// How many of its names and numbers each text has that the other lacks altogether
    /// ([`absent_specifics_counts`]), measured when one text derives from the other whole (a rewrite or
    /// a near-duplicate): of texts that share some passages only, the names outside them say nothing.
    pub specifics: Option<(usize, usize)>,
    /// Words swapped in an unchanged context: how many more of the first text's make phrases other
    /// documents use than the second's, in standard deviations (±3; 0 under three swaps).
    pub context_fit: f64,
}

impl Features {
    /// The features of the pair `a`, `b`; those not `wanted` are left 0 (a scan measures only those its
    /// model weighs: the others cost time on every verified pair).
    pub fn of(
        a: &Analysis,
        b: &Analysis,
        measured: &Measured,
        frequencies: &Frequencies,
        wanted: &[bool; FEATURES],
    ) -> Features {
        let (wa, wb) = (a.words().max(1) as f64, b.words().max(1) as f64);
        // Names and numbers, and rare content words, of the tokens in `range`.
        let specifics = |x: &Analysis, range: std::ops::Range<usize>| x.specifics(range);
        let rare = |x: &Analysis, range: std::ops::Range<usize>| -> HashSet<u64> {
            x.tokens.tokens[range]
                .iter()
                .filter(|t| t.is_content() && frequencies.df(t.stem) <= RARE_DOCUMENTS)
                .map(|t| t.stem)
                .collect()
        };
        let all = |x: &Analysis| 0..x.words();
        // Within each aligned sentence pair: what a sentence has that its counterpart lacks, summed. A
        // derived sentence keeps or drops its source's specifics and seldom adds new ones, whatever the
        // rest of the texts holds (added paragraphs, a source stored cut).
        let (mut own_specifics, mut own_rare, mut words) = ([0usize; 2], [0usize; 2], [0usize; 2]);
        if wanted[8..].iter().any(|&w| w) {
            for &(i, j) in measured.sentences {
                let (si, sj) = (a.tokens.sentence(i), b.tokens.sentence(j));
                words[0] += si.len();
                words[1] += sj.len();
                let (x, y) = (specifics(a, si.clone()), specifics(b, sj.clone()));
                own_specifics[0] += x.difference(&y).count();
                own_specifics[1] += y.difference(&x).count();
                let (x, y) = (rare(a, si), rare(b, sj));
                own_rare[0] += x.difference(&y).count();
                own_rare[1] += y.difference(&x).count();
            }
        }
        let aligned_length =
            if words[0] > 0 && words[1] > 0 { (words[0] as f64 / words[1] as f64).ln().clamp(-2.0, 2.0) } else { 0.0 };
        let measure: [&dyn Fn() -> f64; FEATURES] = [
            &|| measured.attestation,
            &|| measured.stock,
            &|| measured.excerpt,
            &|| measured.specifics.map_or(0.0, |(x, y)| count_difference(x, y)),
            &|| own_difference(&rare(a, all(a)), &rare(b, all(b))),
            &|| (wa / wb).ln().clamp(-2.0, 2.0),
            &|| measured.coverage[1] - measured.coverage[0],
            &|| count_difference(machine_vocabulary(b), machine_vocabulary(a)),
            &|| count_difference(own_specifics[0], own_specifics[1]),
            &|| count_difference(own_rare[0], own_rare[1]),
            &|| aligned_length,
            &|| centrality(a, b, measured.third),
            &|| measured.context_fit,
        ];
        let mut f = Features::default();
        for k in 0..FEATURES {
            if wanted[k] {
                f.0[k] = measure[k]();
            }
        }
        f
    }

    /// The features of the pair the other way round.
    pub fn swapped(self) -> Features {
        Features(self.0.map(|f| -f))
    }
}

/// How many of the first text's names and numbers the second lacks altogether (its word nowhere in the
/// other, in any case or place), and the other way round (numbers only when either text shows no names:
/// [`crate::align::Vocabulary::cased`]): a derived text keeps or drops its source's names and numbers
/// and seldom adds new ones. `None` when either text is cut short (it ends inside a sentence: a feed's
/// excerpt, an article stored cut, a generation stopped at its length limit): what the cut text lacks
/// may be past its end. A name or number the collection holds widely
/// ([`Analysis::is_common_specific`]) counts only when it is in a sentence the other text restates
/// (`sentences`, the aligned pairs): elsewhere it is boilerplate or context (a syndicated copy's credit
/// line names its site and the year), where a source's own names are the story's (a revision that turns
/// "the Lord" into "Jehovah" does so in a sentence it restates).
pub fn absent_specifics_counts(a: &Analysis, b: &Analysis, sentences: &[(usize, usize)]) -> Option<(usize, usize)> {
    if a.tokens.cut_short || b.tokens.cut_short {
        return None;
    }
    // Names count only when both texts show them: of a text written in one case, only its numbers can
    // be told, and the other's names would all seem its own.
    let names = a.vocabulary().cased && b.vocabulary().cased;
    let absent = |x: &Analysis, y: &Analysis, restated: &mut dyn Iterator<Item = usize>| {
        let (own, words) = (x.vocabulary(), &y.vocabulary().words);
        let restated = x.common_specifics_in(restated);
        let counts = |w: &&u32| !x.is_common_specific(**w) || restated.binary_search(w).is_ok();
        let lacking = |list: &[u32]| list.iter().filter(|w| words.binary_search(w).is_err()).filter(counts).count();
        lacking(&own.numbers) + if names { lacking(&own.names) } else { 0 }
    };
    Some((absent(a, b, &mut sentences.iter().map(|p| p.0)), absent(b, a, &mut sentences.iter().map(|p| p.1))))
}

/// Family structure: how much nearer the first text is to the related documents than the second, in
/// word-trigram Jaccard similarity, averaged over them and scaled by ten (±3). In a family of derivations
/// the original is the one nearest to all of them: each kept much of it, and they differ from each other
/// where each changed it.
fn centrality(a: &Analysis, b: &Analysis, third: &[&Analysis]) -> f64 {
    if third.is_empty() {
        return 0.0;
    }
    let jaccard = |x: &Analysis, y: &Analysis| {
        let (small, large) = if x.trigrams().len() <= y.trigrams().len() {
            (x.trigrams(), y.trigrams())
        } else {
            (y.trigrams(), x.trigrams())
        };
        let shared = small.iter().filter(|g| large.contains(g)).count();
        let union = small.len() + large.len() - shared;
        if union == 0 { 0.0 } else { shared as f64 / union as f64 }
    };
    let difference: f64 = third.iter().map(|t| jaccard(a, t) - jaccard(b, t)).sum();
    (10.0 * difference / third.len() as f64).clamp(-3.0, 3.0)
}

/// How many more of its own items (that the other lacks) the first set has than the second, in standard
/// deviations of a fair split: a few differing names weigh little, dozens a lot. ±3 at most.
fn own_difference(x: &HashSet<u64>, y: &HashSet<u64>) -> f64 {
    count_difference(x.difference(y).count(), y.difference(x).count())
}

pub(crate) fn count_difference(x: usize, y: usize) -> f64 {
    ((x as f64 - y as f64) / ((x + y) as f64 + 1.0).sqrt()).clamp(-3.0, 3.0)
}

/// Fitted weights and the settings of the decision (read from `src/direction.json` or a file of the
/// same layout).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectionModel {
    /// Layout version of the file: 1.
    pub version: u32,
    /// Weight of each feature, by name; a feature left out weighs 0.
    pub weights: std::collections::BTreeMap<String, f64>,
    /// Weight of the context: how much more a text is favoured over its other neighbours than the other
    /// text over its own (log-odds, clamped to ±2).
    pub context_weight: f64,
    /// Log-odds from which a source is named.
    pub decisive: f64,
    /// Log-odds by which a third text must be favoured over both of a pair to make them siblings.
    pub sibling_lean: f64,
    /// How the model was made (fitting data, hashes, command); not read by the decision.
    #[serde(default)]
    pub fitted: serde_json::Value,
}

/// The model built into the binary.
const BUILT_IN: &str = include_str!("direction.json");

impl Default for DirectionModel {
    fn default() -> DirectionModel {
        static MODEL: OnceLock<DirectionModel> = OnceLock::new();
        MODEL.get_or_init(|| DirectionModel::parse(BUILT_IN).expect("the built-in direction model is valid")).clone()
    }
}

impl DirectionModel {
    /// Reads a model file.
    pub fn load(path: &Path) -> Result<DirectionModel> {
        crate::error::read_parsed(path, DirectionModel::parse)
    }

    fn parse(text: &str) -> std::result::Result<DirectionModel, String> {
        let model: DirectionModel = serde_json::from_str(text).map_err(|e| format!("not a direction model: {e}"))?;
        if model.version != 1 {
            return Err(format!("direction model version {} (this build reads version 1)", model.version));
        }
        if let Some(unknown) = model.weights.keys().find(|k| !FEATURE_NAMES.contains(&k.as_str())) {
            return Err(format!("unknown feature {unknown:?} (known: {})", FEATURE_NAMES.join(", ")));
        }
        let weights = model.weights.iter().map(|(name, &w)| (name.as_str(), w, false));
        let given = [("context_weight", model.context_weight, false), ("decisive", model.decisive, true)];
        for (name, v, log_odds) in weights.chain(given).chain([("sibling_lean", model.sibling_lean, true)]) {
            if !v.is_finite() || (log_odds && v < 0.0) {
                let what = if log_odds { "log-odds (0 or more)" } else { "weight" };
                return Err(format!("{name} {v} is not a {what}"));
            }
        }
        Ok(model)
    }

    /// The features a scan measures: those the model weighs, or all of them (`all`) for the fitting data.
    pub fn wanted(&self, all: bool) -> [bool; FEATURES] {
        FEATURE_NAMES.map(|name| all || self.weights.get(name).is_some_and(|&w| w != 0.0))
    }

    /// Log-odds that the first text of a pair with these features is the source.
    pub fn score(&self, f: &Features) -> f64 {
        let (family, own) = self.score_parts(f);
        family + own
    }

    /// The log-odds of [`DirectionModel::score`] in two parts: what the related documents say
    /// ([`FAMILY_FEATURES`]: whose wording they share, which text they are nearer to) and what the two
    /// texts say themselves (stock phrasing, names and numbers, machine vocabulary, …).
    pub fn score_parts(&self, f: &Features) -> (f64, f64) {
        let mut parts = (0.0, 0.0);
        for (name, x) in FEATURE_NAMES.iter().zip(f.0) {
            let weighed = self.weights.get(*name).copied().unwrap_or(0.0) * x;
            if FAMILY_FEATURES.contains(name) {
                parts.0 += weighed;
            } else {
                parts.1 += weighed;
            }
        }
        parts
    }

    /// Whether the related documents and the two texts themselves each lean clearly to a source (by the
    /// lean that makes two texts siblings, `sibling_lean`), and not the same: then neither is taken, and
    /// the pair's `(family, own)` log-odds are returned. The family's evidence assumes
    /// derivations made apart, each keeping its source's wording where another changed it; derivations
    /// that share their changes (two machine polishes fixing the same slips, revisions following one
    /// convention, a chain of edits) vouch for each other instead, and it names a derived text.
    pub fn conflicting(&self, f: &Features) -> Option<(f64, f64)> {
        let (family, own) = self.score_parts(f);
        let clear = |x: f64| x.abs() >= self.sibling_lean;
        (family * own < 0.0 && clear(family) && clear(own)).then_some((family, own))
    }
}

/// A model and the features a scan measures for it.
pub struct Weigher<'a> {
    /// The model.
    pub model: &'a DirectionModel,
    /// The features measured ([`DirectionModel::wanted`]).
    pub wanted: [bool; FEATURES],
}

impl Weigher<'_> {
    /// The model, measuring every feature when `all` (the fitting data) or only those it weighs.
    pub fn new(model: &DirectionModel, all: bool) -> Weigher<'_> {
        Weigher { model, wanted: model.wanted(all) }
    }
}

/// The probability that log-odds `x` stand for.
pub fn probability(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyse(text: &str) -> Analysis {
        Analysis::new(Tokens::new(text), &Frequencies::new())
    }

    /// The specifics feature of two texts: how many more of the first text's names and numbers the
    /// second lacks than the other way round, ±3.
    fn absent_specifics(a: &Analysis, b: &Analysis, sentences: &[(usize, usize)]) -> f64 {
        absent_specifics_counts(a, b, sentences).map_or(0.0, |(x, y)| count_difference(x, y))
    }

    #[test]
    fn features_are_antisymmetric() {
        let a = analyse("The Senate passed the bill 52 to 48 on Tuesday after Senator Jane Ortiz spoke.");
        let b = analyse("The bill passed the Senate on Tuesday. It was a crucial vote, underscoring the divide.");
        let m = |k: f64| Measured {
            attestation: 0.5 * k,
            stock: -0.2 * k,
            excerpt: 0.0,
            coverage: [0.4, 0.7],
            sentences: &[(0, 0)],
            third: &[],
            specifics: absent_specifics_counts(&a, &b, &[(0, 0)]),
            context_fit: 0.4 * k,
        };
        let ab = Features::of(&a, &b, &m(1.0), &Frequencies::new(), &[true; FEATURES]);
        let mut flipped = m(-1.0);
        flipped.coverage = [0.7, 0.4];
        flipped.specifics = flipped.specifics.map(|(x, y)| (y, x));
        let ba = Features::of(&b, &a, &flipped, &Frequencies::new(), &[true; FEATURES]);
        assert_eq!(ab.swapped(), ba);
        // a keeps names and numbers b lacks, b adds model vocabulary: both favour a.
        assert!(ab.0[3] > 0.0 && ab.0[7] > 0.0, "{ab:?}");
        // Reuse of some passages only: the names outside them are not measured.
        let part =
            Features::of(&a, &b, &Measured { specifics: None, ..m(1.0) }, &Frequencies::new(), &[true; FEATURES]);
        assert_eq!(part.0[3], 0.0);
    }

    #[test]
    fn names_one_text_lacks_altogether_favour_the_other_unless_one_is_cut_short() {
        let source = analyse("Senator Jane Ortiz spoke in Denver on Tuesday. The bill passed 52 to 48.");
        let derived = analyse("A senator spoke on Tuesday. The bill passed narrowly.");
        assert!(absent_specifics(&source, &derived, &[]) > 0.0);
        assert_eq!(absent_specifics(&derived, &source, &[]), -absent_specifics(&source, &derived, &[]));
        // A name the other text has in lower case or opening a sentence is not lacking.
        let lower = analyse("Ortiz spoke in denver. Jane said the bill passed 52 to 48 on tuesday.");
        assert_eq!(absent_specifics(&source, &lower, &[]), 0.0);
        // The derived text cut inside a sentence: what it lacks may be past its end.
        let cut = analyse("A senator spoke on Tuesday. The bill passed narrowly after a long");
        assert_eq!(absent_specifics(&source, &cut, &[]), 0.0);
    }

    #[test]
    fn a_collection_common_name_counts_only_in_a_sentence_the_other_text_restates() {
        // A syndicated copy: the story word for word, and a credit line naming its site and the year,
        // which the collection holds in many documents.
        let story = "Senator Jane Ortiz spoke in Denver on Tuesday. The bill passed 52 to 48.";
        let credit = "Republished by the Daily Ledger. Copyright 2024 Daily Ledger.";
        let text = |s: &str| Tokens::new(s);
        let mut frequencies = Frequencies::new();
        let credit_stems: Vec<u64> = text(credit).tokens.iter().map(|t| t.stem).collect();
        frequencies.add_documents(200, credit_stems.iter().cycle().take(200 * credit_stems.len()), std::iter::empty());
        let original = Analysis::new(text(story), &frequencies);
        let copy = Analysis::new(text(&format!("{story}\n{credit}")), &frequencies);
        let restated = [(0, 0), (1, 1)];
        assert_eq!(
            absent_specifics_counts(&copy, &original, &restated),
            Some((0, 0)),
            "the credit line is boilerplate"
        );
        // Without the collection's counts its names are the copy's own, as a source's would be.
        let (original, copy) = (analyse(story), analyse(&format!("{story}\n{credit}")));
        assert_eq!(absent_specifics_counts(&copy, &original, &restated), Some((3, 0)));
    }

    #[test]
    fn a_text_written_in_one_case_is_compared_by_its_numbers_only() {
        // The source stored in lower case shows no names; its rewrite's names are not its own additions.
        let source = analyse("senator jane ortiz spoke in denver on tuesday. the bill passed 52 to 48.");
        let rewrite = analyse("Senator Jane Ortiz, speaking in Denver on Tuesday, saw the bill pass 52 to 48.");
        assert!(!source.vocabulary().cased && rewrite.vocabulary().cased);
        assert_eq!(absent_specifics_counts(&source, &rewrite, &[]), Some((0, 0)));
        // Numbers still count: the rewrite dropped the vote.
        let dropped = analyse("Senator Jane Ortiz, speaking in Denver on Tuesday, saw the bill pass narrowly.");
        assert_eq!(absent_specifics_counts(&source, &dropped, &[]), Some((2, 0)));
        // The same in capitals.
        let shouting = analyse("SENATOR JANE ORTIZ SPOKE IN DENVER ON TUESDAY. THE BILL PASSED 52 TO 48.");
        assert!(!shouting.vocabulary().cased);
        assert_eq!(absent_specifics_counts(&shouting, &dropped, &[]), Some((2, 0)));
        // Without sentence punctuation, a capitalised word may open a sentence: numbers only.
        let run_on = analyse("Senator Jane Ortiz spoke in Denver on Tuesday Meanwhile the bill passed 52 to 48");
        assert!(!run_on.vocabulary().cased);
        // Two texts that show case compare their names too.
        let added =
            analyse("Senator Jane Ortiz, speaking in Denver on Tuesday with Mayor Lee, saw the bill pass 52 to 48.");
        assert_eq!(absent_specifics_counts(&rewrite, &added, &[]), Some((0, 2)), "Mayor, Lee");
    }

    #[test]
    fn the_built_in_model_loads_and_files_are_checked() {
        let model = DirectionModel::default();
        assert_eq!(model.version, 1);
        assert!(model.weights.keys().all(|k| FEATURE_NAMES.contains(&k.as_str())));
        assert!(
            DirectionModel::parse(&BUILT_IN.replace("\"version\": 1", "\"version\": 9"))
                .unwrap_err()
                .contains("version 9")
        );
        assert!(DirectionModel::parse("{}").is_err());
        let unknown = BUILT_IN.replacen("\"attestation\"", "\"astrology\"", 1);
        assert!(DirectionModel::parse(&unknown).unwrap_err().contains("astrology"));
        // A negative margin names a source with no evidence at all.
        let at = BUILT_IN.find("\"decisive\": ").unwrap() + "\"decisive\": ".len();
        let end = at + BUILT_IN[at..].find([',', '\n']).unwrap();
        let negative = format!("{}-3{}", &BUILT_IN[..at], &BUILT_IN[end..]);
        assert!(DirectionModel::parse(&negative).unwrap_err().contains("decisive -3 is not a log-odds"));
    }

    #[test]
    fn score_is_the_weighted_sum() {
        let weights = [("length".to_string(), 2.0)].into();
        let model = DirectionModel { weights, ..DirectionModel::default() };
        let mut f = Features::default();
        f.0[5] = 0.5;
        assert_eq!(model.score(&f), 1.0);
        assert_eq!(model.score(&f.swapped()), -1.0);
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_family_and_the_texts_naming_different_sources_is_a_conflict() {
        let weights = [("attestation".to_string(), 1.5), ("stock_phrasing".to_string(), 1.0)].into();
        let model = DirectionModel { weights, decisive: 1.0, sibling_lean: 0.5, ..DirectionModel::default() };
        let at = |name: &str| FEATURE_NAMES.iter().position(|&n| n == name).unwrap();
        let with = |attestation: f64, stock: f64| {
            let mut f = Features::default();
            f.0[at("attestation")] = attestation;
            f.0[at("stock_phrasing")] = stock;
            f
        };
        // Related documents vouch for the first text, its stock phrasing marks it as the copy.
        assert_eq!(model.score_parts(&with(1.0, -0.8)), (1.5, -0.8));
        assert_eq!(model.conflicting(&with(1.0, -0.8)), Some((1.5, -0.8)));
        assert_eq!(model.conflicting(&with(1.0, -0.8).swapped()), Some((-1.5, 0.8)));
        // Agreeing, or one side leaning less than the sibling lean: no conflict.
        assert_eq!(model.conflicting(&with(1.0, 0.8)), None);
        assert_eq!(model.conflicting(&with(1.0, -0.4)), None);
        assert_eq!(model.conflicting(&with(0.2, -2.0)), None);
    }
}
