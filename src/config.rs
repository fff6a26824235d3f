//! Validated settings for a run. The command line builds a [`Config`]; the library never sees a clap
//! type. Every knob has a default chosen for news articles, applied unchanged to every collection.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::direction::DirectionModel;
use crate::error::{Error, Result};
use crate::input::InputOptions;
use crate::lsh::LshParams;
use crate::minhash::MinHashParams;
use crate::shingle::View;

/// Settings of one view: how its signatures are made and banded.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewConfig {
    /// The view.
    pub view: View,
    /// Word n-gram length (for [`View::Words`]).
    pub shingle: usize,
    /// MinHash lanes.
    pub num_hashes: usize,
    /// Jaccard similarity above which pairs should become candidates.
    pub threshold: f64,
    /// Banding, derived from the threshold unless given.
    pub lsh: LshParams,
}

impl ViewConfig {
    /// A view with banding chosen for `threshold`.
    pub fn new(view: View, shingle: usize, num_hashes: usize, threshold: f64) -> Result<ViewConfig> {
        let lsh = LshParams::for_threshold(threshold, num_hashes)?;
        Ok(ViewConfig { view, shingle, num_hashes, threshold, lsh })
    }

    /// The MinHash parameters this view signs with under `seed`.
    pub fn minhash(&self, seed: u64) -> MinHashParams {
        MinHashParams { view: self.view, shingle: self.shingle as u8, num_hashes: self.num_hashes as u16, seed }
    }

    /// The default settings of a view, 128 hashes each: verbatim word 5-grams at Jaccard 0.5 (the usual
    /// web-dedup setting); stemmed content words and the content words of the first 60 words at 0.2,
    /// low enough to catch paraphrases, high enough that same-vocabulary news does not flood verification.
    pub fn default_for(view: View) -> ViewConfig {
        let (shingle, hashes, threshold) = match view {
            View::Words => (5, 128, 0.5),
            View::Content => (1, 128, 0.2),
            View::Lead => (60, 128, 0.2),
        };
        // The defaults are valid by construction.
        ViewConfig::new(view, shingle, hashes, threshold).expect("default view settings are valid")
    }
}

/// The most worker threads a run may ask for: each is an operating-system thread with its own stack,
/// started before any work, so a mistyped count must not start a million.
pub const MAX_THREADS: usize = 1024;

/// Everything a scan needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// Views used for candidates, each with its own signature and LSH.
    pub views: Vec<ViewConfig>,
    /// Seed of every hash function.
    pub seed: u64,
    /// Buckets shared by more documents than this are chained rather than fully paired.
    pub max_bucket: usize,
    /// Documents with fewer words than this are too short to judge: counted and skipped.
    pub min_words: usize,
    /// Also propose the pairs that share sampled word 5-grams (passages), whatever their lengths.
    pub passages: bool,
    /// Stop after candidate generation: report candidate pairs without verification.
    pub candidates_only: bool,
    /// Also report verified candidate pairs judged not derived (relation `none`), for auditing.
    pub report_unrelated: bool,
    /// Only the counts are wanted (`--format summary`): with `candidates_only`, the candidate pairs are
    /// found, deduplicated and counted as usual but not turned into [`crate::scan::ScoredPair`]s
    /// (over 200 bytes each, against 16 for the sorted pair list), and no clusters are formed.
    pub count_only: bool,
    /// Days two dated articles may be apart and still be compared (`None`: no limit).
    pub window_days: Option<f64>,
    /// A reference collection (files and folders, read like the scanned ones): when given, only pairs of
    /// one reference document and one scanned document are compared and reported (which articles of a
    /// crawl copy ours?). A near-duplicate group is led by a reference document when it holds one, and
    /// each scanned copy is paired with its original rather than only through its group's leader.
    pub against: Vec<PathBuf>,
    /// Against a reference collection (`against`, or an index's), the most pairs reported for each scanned
    /// document: those of highest confidence (`None`: all).
    pub top: Option<usize>,
    /// How input is found and decoded.
    pub input: InputOptions,
    /// The optional semantic view (`None`: off, the default).
    pub semantic: Option<SemanticConfig>,
    /// How direction is decided: the built-in fitted model unless another is given.
    pub direction: DirectionModel,
    /// The weight of evidence a pair must reach to be judged derived.
    pub verdict: VerdictBars,
    /// Measure every direction feature of each pair, not only those the model weighs (for
    /// [`crate::eval::direction_records`], the data the model is fitted on).
    pub all_direction_features: bool,
    /// Leave out each site's page furniture, the lines it repeats on its pages, before comparing
    /// ([`crate::boilerplate`]; reads the inputs twice, not with an index).
    pub boilerplate: bool,
}

/// Settings of the semantic view ([`crate::embed`]): a sentence-embedding model proposes and confirms
/// pairs whose leads say the same thing in other words.
#[derive(Clone, Debug, PartialEq)]
pub struct SemanticConfig {
    /// Folder of the model (`config.json`, `tokenizer.json`, `model.safetensors`).
    pub model: PathBuf,
    /// WordPiece tokens of each document embedded (its lead).
    pub tokens: usize,
    /// Cosine similarity of two leads' embeddings from which the pair is a candidate, and is judged a
    /// rewrite when its wording alone does not show it.
    pub threshold: f64,
    /// Most candidates a document takes from this view (its most similar).
    pub neighbours: usize,
    /// Share of the shorter text's sentences that must mean the same as the other's, in order, for the
    /// pair to be a rewrite.
    pub coverage: f64,
    /// Similarity from which two sentences mean the same.
    pub sentence_similarity: f64,
    /// How closely the shorter text's sentences must be restated in the other, on average
    /// ([`crate::embed::Restatement::closeness`]), for the pair to be a rewrite.
    pub restatement: f64,
    /// Embed with the word vectors distilled from the model ([`crate::embed::WordVectors`]) instead of
    /// the model itself.
    pub word_vectors: bool,
}

/// The weight of evidence a pair's alignment must reach to be judged derived: fitted on the labelled
/// collections by `scripts/fit-verdict` (leave one collection out) and built in from `src/verdict.json`;
/// `--verdict-bars FILE` reads others.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
pub struct VerdictBars {
    /// Weight of evidence ([`crate::align::Alignment::strength`]) a rewrite needs, beside restating most of
    /// the shorter text in order (about 1 is three sentences restated clearly above the similarity
    /// independent reports reach by chance).
    pub rewrite_strength: f64,
    /// Weight of evidence a partial reuse needs from the sentences that share narrative phrasing.
    pub partial_strength: f64,
    /// Weight of evidence a pair needs to be a rewrite by its specific content
    /// ([`crate::score::specifics_rewrite`]: it restates most of the shorter text in two sentences or
    /// more, and one text keeps half the other's names and numbers by rarity, as a text written apart on one
    /// topic does not), below `rewrite_strength`. Absent: no such rewrite (bars written before it).
    #[serde(default)]
    pub specifics_strength: Option<f64>,
}

/// The file `scripts/fit-verdict --write` writes: the bars (and how they were fitted, which is not read).
#[derive(Deserialize)]
struct VerdictFile {
    version: u32,
    #[serde(flatten)]
    bars: VerdictBars,
}

/// The bars built into the binary.
const VERDICT_BARS: &str = include_str!("verdict.json");

impl Default for VerdictBars {
    fn default() -> VerdictBars {
        static BARS: OnceLock<VerdictBars> = OnceLock::new();
        *BARS.get_or_init(|| VerdictBars::parse(VERDICT_BARS).expect("the built-in src/verdict.json is valid"))
    }
}

impl VerdictBars {
    /// Reads bars from a file in the layout of `src/verdict.json`.
    pub fn load(path: &std::path::Path) -> Result<VerdictBars> {
        crate::error::read_parsed(path, VerdictBars::parse)
    }

    fn parse(text: &str) -> std::result::Result<VerdictBars, String> {
        let file: VerdictFile = serde_json::from_str(text).map_err(|e| format!("not verdict bars: {e}"))?;
        if file.version != 1 {
            return Err(format!("verdict bars version {} (this build reads version 1)", file.version));
        }
        let b = file.bars;
        let given = [("rewrite_strength", Some(b.rewrite_strength)), ("partial_strength", Some(b.partial_strength))];
        for (name, bar) in given.into_iter().chain([("specifics_strength", b.specifics_strength)]) {
            if let Some(bar) = bar.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(format!("{name} {bar} is not a weight of evidence (0 or more)"));
            }
        }
        Ok(b)
    }
}

/// Default cosine similarity of two leads' embeddings from which the semantic view pairs them (with the
/// model itself; the word vectors' is in `semantic.json`).
pub const SEMANTIC_THRESHOLD: f64 = 0.7;

/// The semantic view's bars for each encoder, fitted by `scripts/fit-semantic --write`.
const SEMANTIC_FIT: &str = include_str!("semantic.json");

/// One encoder's bars in `semantic.json`.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SemanticBars {
    leads: f64,
    coverage: f64,
    closeness: f64,
    sentence: f64,
}

/// The bars of both encoders, as `semantic.json` holds them.
#[derive(Debug, Deserialize)]
struct SemanticFit {
    word_vectors: SemanticBars,
    transformer: SemanticBars,
}

impl SemanticConfig {
    /// The defaults with the model in `model`, embedding with its distilled word vectors when
    /// `word_vectors`.
    pub fn new(model: PathBuf, word_vectors: bool) -> SemanticConfig {
        static FIT: OnceLock<SemanticFit> = OnceLock::new();
        let fit = FIT.get_or_init(|| serde_json::from_str(SEMANTIC_FIT).expect("src/semantic.json is valid"));
        SemanticConfig::with_fit(model, word_vectors, fit)
    }

    /// The settings with the bars of `json`, a file in the layout of `src/semantic.json` (what
    /// `scripts/fit-semantic` tries); `path` names it in errors.
    pub fn with_bars(model: PathBuf, word_vectors: bool, json: &str, path: &std::path::Path) -> Result<SemanticConfig> {
        let fit: SemanticFit = serde_json::from_str(json).map_err(|e| Error::Input {
            path: path.to_path_buf(),
            line: Some(e.line() as u64),
            message: e.to_string(),
        })?;
        Ok(SemanticConfig::with_fit(model, word_vectors, &fit))
    }

    fn with_fit(model: PathBuf, word_vectors: bool, fit: &SemanticFit) -> SemanticConfig {
        let bars = if word_vectors { fit.word_vectors } else { fit.transformer };
        SemanticConfig {
            model,
            tokens: 128,
            threshold: bars.leads,
            neighbours: 10,
            coverage: bars.coverage,
            sentence_similarity: bars.sentence,
            restatement: bars.closeness,
            word_vectors,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            views: View::ALL.iter().map(|&v| ViewConfig::default_for(v)).collect(),
            seed: 0x756e_7370_756e,
            max_bucket: 200,
            min_words: 20,
            passages: true,
            candidates_only: false,
            report_unrelated: false,
            count_only: false,
            window_days: None,
            against: Vec::new(),
            top: None,
            input: InputOptions::default(),
            semantic: None,
            direction: DirectionModel::default(),
            verdict: VerdictBars::default(),
            all_direction_features: false,
            boilerplate: false,
        }
    }
}

/// The largest bucket cap (`--max-bucket`) taken.
pub const MAX_BUCKET_CAP: usize = 10_000;

impl Config {
    /// Checks that the settings are consistent.
    pub fn validate(&self) -> Result<()> {
        if self.views.is_empty() {
            return Err(Error::Config("at least one view is needed".into()));
        }
        for (k, v) in self.views.iter().enumerate() {
            if self.views[..k].iter().any(|w| w.view == v.view) {
                return Err(Error::Config(format!("--views names {} twice", v.view.name())));
            }
            if !(1..=1000).contains(&v.shingle) {
                let (what, option) = match v.view {
                    View::Lead => ("lead length", "--lead"),
                    _ => ("shingle size", "--shingle"),
                };
                return Err(Error::Config(format!("{what} {} ({option}) is not in 1..=1000", v.shingle)));
            }
            if !(1..=crate::lsh::MAX_HASHES).contains(&v.num_hashes) {
                return Err(Error::Config(format!("{} hashes is not in 1..={}", v.num_hashes, crate::lsh::MAX_HASHES)));
            }
            if !(v.threshold > 0.0 && v.threshold <= 1.0) {
                return Err(Error::Config(format!("threshold {:?} is not in (0, 1]", v.threshold)));
            }
            v.lsh.validate(v.num_hashes)?;
        }
        if let Some(s) = &self.semantic {
            if !(3..=512).contains(&s.tokens) {
                return Err(Error::Config(format!("{} semantic tokens is not in 3..=512", s.tokens)));
            }
            for (what, v) in [
                ("threshold", s.threshold),
                ("coverage", s.coverage),
                ("sentence similarity", s.sentence_similarity),
                ("restatement", s.restatement),
            ] {
                if !(v > 0.0 && v <= 1.0) {
                    return Err(Error::Config(match what {
                        "threshold" => format!("--semantic-threshold {v} is not in (0, 1]"),
                        _ => format!("semantic {what} {v} is not in (0, 1]"),
                    }));
                }
            }
            if s.neighbours == 0 {
                return Err(Error::Config("the semantic view needs at least one neighbour".into()));
            }
        }
        let fields = [
            ("--id-field", &self.input.id_field),
            ("--text-field", &self.input.text_field),
            ("--date-field", &self.input.date_field),
            ("--url-field", &self.input.url_field),
        ];
        for (k, (option, field)) in fields.iter().enumerate() {
            if let Some((other, _)) = fields[..k].iter().find(|(_, f)| f == field) {
                return Err(Error::Config(format!(
                    "{option} {} names the {other} too: a field is read as one of them, so give each its own",
                    crate::escape::quoted(field)
                )));
            }
        }
        if self.max_bucket < 2 {
            return Err(Error::Config(format!("--max-bucket {}: the bucket cap must be at least 2", self.max_bucket)));
        }
        // A bucket under the cap is paired whole: a cap of 10,000 lists up to 50 million pairs a bucket.
        if self.max_bucket > MAX_BUCKET_CAP {
            return Err(Error::Config(format!(
                "--max-bucket {}: at most {MAX_BUCKET_CAP} (a bucket under the cap is paired whole, n²/2 pairs)",
                self.max_bucket
            )));
        }
        if let Some(days) = self.window_days
            && !(days.is_finite() && days >= 0.0)
        {
            return Err(Error::Config(format!("--window {days:?} is not a number of days (0 or more)")));
        }
        if self.top == Some(0) {
            return Err(Error::Config("--top 0 would report nothing: give 1 or more".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_is_named_once() {
        let mut config = Config::default();
        config.views.push(config.views[0].clone());
        assert!(config.validate().unwrap_err().to_string().contains("--views names words twice"));
    }

    /// A date field that is the text field was read as neither date nor problem: said at once.
    #[test]
    fn each_field_has_a_name_of_its_own() {
        let mut config = Config::default();
        config.input.date_field = "text".into();
        let e = config.validate().unwrap_err().to_string();
        assert!(e.contains("--date-field \"text\" names the --text-field too"), "{e}");
        config.input.date_field = "published".into();
        config.input.url_field = "id".into();
        assert!(config.validate().unwrap_err().to_string().contains("--url-field \"id\" names the --id-field"));
    }

    #[test]
    fn verdict_bar_files_are_checked() {
        let bars = VerdictBars::default();
        assert_eq!(VerdictBars::parse(VERDICT_BARS), Ok(bars));
        let version = VERDICT_BARS.replace("\"version\": 1", "\"version\": 2");
        assert!(VerdictBars::parse(&version).unwrap_err().contains("version 2"));
        let missing = r#"{"version": 1, "rewrite_strength": 0.5}"#;
        assert!(VerdictBars::parse(missing).unwrap_err().contains("partial_strength"));
        // Bars written before the specifics rule have none.
        let earlier = VerdictBars::parse(r#"{"version": 1, "rewrite_strength": 0.5, "partial_strength": 0.4}"#);
        assert_eq!(earlier.map(|b| b.specifics_strength), Ok(None));
        let with = r#"{"version": 1, "rewrite_strength": 0.5, "partial_strength": 0.4, "specifics_strength": 0.2}"#;
        assert_eq!(VerdictBars::parse(with).map(|b| b.specifics_strength), Ok(Some(0.2)));
        let negative = with.replace("\"partial_strength\": 0.4", "\"partial_strength\": -1");
        assert!(VerdictBars::parse(&negative).unwrap_err().contains("partial_strength -1 is not"));
        let path = std::env::temp_dir().join("unspun-no-such-bars.json");
        assert!(VerdictBars::load(&path).unwrap_err().to_string().contains("unspun-no-such-bars.json"));
    }

    #[test]
    fn defaults_are_valid_and_bad_settings_are_refused() {
        Config::default().validate().unwrap();
        let mut c = Config::default();
        c.views[0].lsh = LshParams { bands: 50, rows: 5 };
        assert!(c.validate().is_err());
        assert!(ViewConfig::new(View::Words, 5, 128, 1.5).is_err());
        let mut c = Config::default();
        c.views.clear();
        assert!(c.validate().is_err());
        let mut c = Config { semantic: Some(SemanticConfig::new("model".into(), false)), ..Config::default() };
        c.validate().unwrap();
        c.semantic.as_mut().unwrap().coverage = 1.5;
        assert!(c.validate().unwrap_err().to_string().contains("semantic coverage 1.5"));
        for days in [f64::NAN, -1.0, f64::NEG_INFINITY, f64::INFINITY] {
            let c = Config { window_days: Some(days), ..Config::default() };
            assert!(c.validate().unwrap_err().to_string().contains("--window"), "{days}");
        }
        Config { window_days: Some(0.0), ..Config::default() }.validate().unwrap();
        for (cap, ok) in [(1, false), (2, true), (MAX_BUCKET_CAP, true), (MAX_BUCKET_CAP + 1, false)] {
            assert_eq!(Config { max_bucket: cap, ..Config::default() }.validate().is_ok(), ok, "{cap}");
        }
        assert!(Config { top: Some(0), ..Config::default() }.validate().unwrap_err().to_string().contains("--top 0"));
        let mut c = Config::default();
        let lead = c.views.iter_mut().find(|v| v.view == View::Lead).unwrap();
        lead.shingle = 0;
        assert!(c.validate().unwrap_err().to_string().contains("--lead"));
    }
}
