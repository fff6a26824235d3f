//! The command line's arguments (clap; their doc comments are the `--help` text), and their conversion into
//! a validated [`Config`]: the library never sees a clap type.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use unspun::config::{SemanticConfig, VerdictBars, ViewConfig};
use unspun::direction::DirectionModel;
use unspun::shingle::View;
use unspun::{Config, Error, Result};

/// Find which news articles are copies, rewrites or spins of which, and which one is the source.
#[derive(Parser, Debug)]
#[command(name = "unspun", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Hide progress bars and the closing summary on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Print how long each stage took (reading, banding each view, verifying, writing) on stderr.
    #[arg(long, global = true)]
    pub timings: bool,
    /// Worker threads (default: one per core; at most 1024). Results are the same for any number.
    #[arg(long, short = 'j', global = true, value_parser = clap::value_parser!(u16).range(1..=unspun::config::MAX_THREADS as i64))]
    pub threads: Option<u16>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files and folders of articles and report which derive from which.
    Scan(ScanArgs),
    /// Scan DIR/docs with the same defaults as `scan` and score the result against DIR/truth.jsonl.
    Eval(EvalArgs),
    /// Keep an archive of articles signed in an index (a folder), to check new articles against it with
    /// `query` without reading the archive again.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Report which of the articles under PATHS copy, rewrite or excerpt the articles of INDEX: the pairs
    /// `scan PATHS --against ARCHIVE` reports, in the same report formats.
    Query(QueryArgs),
    /// Prepare the semantic view's model.
    #[command(subcommand)]
    Model(ModelCommand),
}

/// `unspun model …`.
#[derive(Subcommand, Debug)]
pub enum ModelCommand {
    /// Distil the model in DIR into word vectors (DIR/word-vectors.safetensors), which `--word-vectors`
    /// embeds with: each vocabulary entry run through the model once, alone.
    Distill {
        /// The model's folder (config.json, tokenizer.json, model.safetensors).
        dir: PathBuf,
    },
}

/// `unspun index …`.
#[derive(Subcommand, Debug)]
pub enum IndexCommand {
    /// Make a new index in INDEX (a folder, absent or empty) of the articles under PATHS.
    Build(IndexInputArgs),
    /// Add the articles under PATHS to INDEX, as a new segment (existing ones are not rewritten).
    Add(IndexInputArgs),
    /// Print INDEX's counts, signing parameters, segments and sizes.
    Info(IndexInfoArgs),
    /// Merge INDEX's segments into one.
    Compact(IndexArgs),
    /// Check every byte of INDEX against its checksums (opening it checks only each segment's header and
    /// trailer; a query checks what it reads).
    Verify(IndexArgs),
}

#[derive(clap::Args, Debug)]
pub struct IndexArgs {
    /// The index's folder.
    pub index: PathBuf,
}

/// The settings an index does not keep (a query's, or what no index can answer): `index build` and `add`
/// refuse them by name, and their help leaves them out.
const NOT_FOR_AN_INDEX: [&str; 12] = [
    "thresholds",
    "max_bucket",
    "window",
    "report_unrelated",
    "direction_model",
    "verdict_bars",
    "candidates_only",
    "boilerplate",
    "model",
    "semantic_threshold",
    "semantic_bars",
    "word_vectors",
];

/// The settings a query refuses by name (it verifies every pair against the index as it was kept): its
/// help leaves them out.
const NOT_FOR_A_QUERY: [&str; 6] =
    ["candidates_only", "boilerplate", "model", "semantic_threshold", "semantic_bars", "word_vectors"];

impl Cli {
    /// The command line's definition, the settings each command refuses left out of its help (they are
    /// still parsed, so that giving one is refused with a message that names it).
    pub fn definition() -> clap::Command {
        let hide =
            |command: clap::Command, ids: &[&str]| ids.iter().fold(command, |c, &id| c.mut_arg(id, |a| a.hide(true)));
        <Cli as clap::CommandFactory>::command()
            .mut_subcommand("index", |index| {
                index
                    .mut_subcommand("build", |c| hide(c, &NOT_FOR_AN_INDEX))
                    .mut_subcommand("add", |c| hide(c, &NOT_FOR_AN_INDEX))
            })
            .mut_subcommand("query", |c| hide(c, &NOT_FOR_A_QUERY))
    }
}

#[derive(clap::Args, Debug)]
pub struct IndexInputArgs {
    /// The index's folder.
    pub index: PathBuf,
    /// Files and folders of articles, read as `scan` reads them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(clap::Args, Debug)]
pub struct IndexInfoArgs {
    /// The index's folder.
    pub index: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct QueryArgs {
    /// The index's folder.
    pub index: PathBuf,
    /// Files and folders of new articles, read as `scan` reads them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format (default: the one the --output file's extension names; else text).
    #[arg(long, short, value_enum)]
    pub format: Option<Format>,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Text format: under each pair, its evidence, where two copies differ and its first passages, quoted
    /// from both texts (the index's from its text store).
    #[arg(long)]
    pub explain: bool,
    /// Report at most K pairs for each new article (those of highest confidence).
    #[arg(long, value_name = "K")]
    pub top: Option<usize>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// A folder with `docs/` (the articles) and `truth.jsonl` (labelled pairs).
    pub dir: PathBuf,
    /// Output format of the scores.
    #[arg(long, short, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
    /// Also write the scan's own report (JSON) to this file, for looking at what was reported.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Also write, as JSON Lines, each reported pair's direction features, the source named and the
    /// source the truth names: what `scripts/fit-direction` fits the direction model on.
    #[arg(long, value_name = "FILE")]
    pub direction_pairs: Option<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Output formats.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// One line a pair (`source → derived  relation  confidence`), then clusters.
    Text,
    /// One JSON object: documents, pairs, clusters, summary.
    Json,
    /// JSON Lines: one document, pair or cluster a line, tagged by `type`, then a summary line.
    Jsonl,
    /// CSV for spreadsheets: one row a pair (documents, relation, source, figures, each side's URL,
    /// title and date, the evidence's signals).
    Csv,
    /// Only the summary object of the JSON report (counts of documents, candidate and reported pairs):
    /// for monitoring and benchmarks, where writing every pair would cost more than finding them.
    Summary,
    /// One self-contained HTML page for people to check the evidence: an overview of the pairs and
    /// clusters, and each pair's two texts side by side with the aligned passages highlighted. It holds
    /// the texts of every paired document (read again), so it is for up to tens of thousands of pairs.
    Html,
}

/// Output formats of `eval`'s scores.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum EvalFormat {
    /// The scores as lines for people.
    Text,
    /// The scores as one JSON object.
    Json,
}

/// Input formats, to read every file as one of them whatever its name says.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum InputFormat {
    /// One plain-text article per file.
    Text,
    /// One HTML page per file (its main text).
    Html,
    /// JSON Lines: one article per line.
    Jsonl,
    /// CSV with a header row: one article per row (separated by commas, or the semicolons, tabs or bars
    /// the header line shows).
    Csv,
    /// WARC or WET web archive.
    Warc,
}

impl From<InputFormat> for unspun::input::Format {
    fn from(f: InputFormat) -> Self {
        use unspun::input::Format;
        match f {
            InputFormat::Text => Format::Text,
            InputFormat::Html => Format::Html,
            InputFormat::Jsonl => Format::Jsonl,
            InputFormat::Csv => Format::Csv,
            InputFormat::Warc => Format::Warc,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Files and folders to read. Folders are walked recursively; `-` reads standard input (its format and
    /// compression told by its first bytes, or by --input-format).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format (default: the one the --output file's extension names, `.json`, `.jsonl`/`.ndjson`,
    /// `.csv` or `.html`/`.htm`; else text).
    #[arg(long, short, value_enum)]
    pub format: Option<Format>,
    /// Write the report to this file (atomically: a temporary file renamed into place) instead of stdout
    /// (`-`: stdout). Without --format, its extension chooses the format.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Text format: under each pair, the evidence for its direction, where two copies differ, and its
    /// first three aligned passages, quoted from both texts (read again), for checking a verdict by eye.
    /// JSON reports always carry the evidence and the passages' byte ranges.
    #[arg(long)]
    pub explain: bool,
    /// A reference collection (files or folders, read like PATHS; repeatable): only pairs of one
    /// reference article and one scanned article are compared and reported, as when a crawl is searched
    /// for copies of one outlet's articles. Each scanned copy is paired with its original itself, not
    /// only through a group of near-duplicates. An index's folder (`unspun index build`), given alone,
    /// stands for the archive it holds: the scan is then `unspun query INDEX PATHS`.
    #[arg(long, value_name = "PATH")]
    pub against: Vec<PathBuf>,
    /// With --against: report at most K pairs for each scanned article (those of highest confidence),
    /// as `query --top` does.
    #[arg(long, value_name = "K")]
    pub top: Option<usize>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

impl ScanArgs {
    /// The report's format: `--format`, else the one the output file's extension names (`.json`,
    /// `.jsonl`, `.ndjson`, `.csv`, in any case), else text. Also the extension it came from, if it did.
    pub fn format(&self) -> Result<(Format, Option<String>)> {
        report_format(self.format, self.output.as_deref())
    }
}

/// The report's format: `format`, else the one the output file's extension names (`.json`, `.jsonl`,
/// `.ndjson`, `.csv`, `.html`, `.htm`, in any case), else text. Also the extension it came from, if it did.
/// An extension that names a format the report is not written in (compressed, tab-separated, a
/// spreadsheet's own) is an error
/// unless `format` is given: the file would not be what its name says.
pub fn report_format(format: Option<Format>, output: Option<&std::path::Path>) -> Result<(Format, Option<String>)> {
    if let Some(format) = format {
        return Ok((format, None));
    }
    let extension = output.and_then(|p| p.extension()).map(|e| e.to_string_lossy().to_lowercase());
    let format = match extension.as_deref() {
        Some("json") => Format::Json,
        Some("jsonl" | "ndjson") => Format::Jsonl,
        Some("csv") => Format::Csv,
        Some("html" | "htm") => Format::Html,
        Some(e @ ("gz" | "zst" | "bz2" | "xz" | "zip" | "tsv" | "parquet" | "xlsx" | "xls" | "ods")) => {
            return Err(Error::Config(format!(
                "the report is not written as .{e}: name it .json, .jsonl, .csv or .html (and compress it \
                 afterwards), or give --format"
            )));
        }
        _ => return Ok((Format::Text, None)),
    };
    Ok((format, extension.map(|e| format!(".{e}"))))
}

/// Knobs shared by `scan` and `eval`.
#[derive(clap::Args, Debug)]
pub struct SettingsArgs {
    /// In folders, the extensions of article files (comma-separated, e.g. `txt,html,jsonl.gz,warc.wet.gz`).
    /// Other files (README, truth) are ignored. A file named on the command line is always read, in the
    /// format its name (`.txt`, `.html`/`.htm`, `.jsonl`, `.ndjson`, `.csv`/`.tsv`, `.warc`, `.wet`, each
    /// optionally `.gz`/`.zst`) or else its first bytes show.
    #[arg(long, default_value = "txt", value_delimiter = ',')]
    pub ext: Vec<String>,
    /// JSON Lines and CSV: the field (column) holding each article's id (one without is named `FILE:LINE`).
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// JSON Lines and CSV: the field (column) holding the article's text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// JSON Lines and CSV: the field holding the publication date (ISO 8601; drives direction, `--window`).
    #[arg(long, default_value = "date")]
    pub date_field: String,
    /// JSON Lines and CSV: the field holding the article's URL, reported as `url`.
    #[arg(long, default_value = "url")]
    pub url_field: String,
    /// Stop with an error (exit code 1) at the first damaged input, instead of skipping it (exit code 2).
    #[arg(long)]
    pub strict: bool,
    /// Read every file (and standard input) in this format, whatever its name or first bytes say: for a
    /// CSV export piped in, or files named otherwise. Compression is still told by the first bytes.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Views used to find candidates (comma-separated): `words` (verbatim word 5-grams: copies, light
    /// edits), `content` (stemmed content words: spinners and paraphrases) and `lead` (content words of
    /// the first words: rewrites much shorter than their source).
    #[arg(long, default_value = "words,content,lead", value_delimiter = ',')]
    pub views: Vec<String>,
    /// MinHash hashes per view.
    #[arg(long, default_value_t = 128)]
    pub hashes: usize,
    /// Seed of all hash functions.
    #[arg(long)]
    pub seed: Option<u64>,
    /// LSH Jaccard threshold of a view, as VIEW=T (repeatable). Defaults: words=0.5 (about half the
    /// 5-grams shared), content=0.2, lead=0.2 (a fifth of the content words shared).
    #[arg(long = "threshold", value_name = "VIEW=T")]
    pub thresholds: Vec<String>,
    /// Length of the `lead` view, in words.
    #[arg(long, default_value_t = 60)]
    pub lead: usize,
    /// Word n-gram length of the `words` view (and of the passages it samples, below).
    #[arg(long, default_value_t = 5)]
    pub shingle: usize,
    /// Buckets shared by more documents than this (boilerplate, templates) are chained, not fully paired
    /// (2 to 10,000).
    #[arg(long, default_value_t = 200)]
    pub max_bucket: usize,
    /// Documents with fewer words are too short to judge: only exact duplicates among them are reported.
    #[arg(long, default_value_t = 20)]
    pub min_words: usize,
    /// Do not propose the pairs that share passages (sampled word 5-grams) without being similar as
    /// wholes: a short text copied into a long one, wire paragraphs in different stories. The passages are
    /// the `words` view's n-grams (`--shingle`), sampled: without that view (`--views content,lead`) none
    /// are proposed.
    #[arg(long)]
    pub no_passages: bool,
    /// Web crawls: leave out each site's page furniture before comparing, the lines (menus, cookie and
    /// newsletter notices, footers) found on five or more of the site's pages (by URL host). For WET
    /// records and pages whose markup does not mark the article; reads the inputs twice.
    #[arg(long)]
    pub boilerplate: bool,
    /// Report candidate pairs without verifying them (the plain MinHash-LSH job: the banded views' pairs;
    /// the passages proposer, which works on what verification samples of the texts, does not run).
    #[arg(long)]
    pub candidates_only: bool,
    /// Also report verified candidate pairs judged not derived (relation `none`), with their figures.
    #[arg(long)]
    pub report_unrelated: bool,
    /// Compare only articles published at most this many days apart (when both dates are known; a date
    /// without a time is any moment of its day; with `query`, the new articles' dates against the archived
    /// ones').
    #[arg(long)]
    pub window: Option<f64>,
    /// Also use the semantic view: the sentence-embedding model in DIR (all-MiniLM-L6-v2, fetched by
    /// `scripts/setup-model` into models/all-MiniLM-L6-v2) pairs documents whose leads say the same thing
    /// in other words (LLM rewrites). Off by default: it embeds every document, tens per second per core.
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// Cosine similarity of two leads' embeddings from which the semantic view pairs them [default: the
    /// fitted one, 0.6 with --word-vectors, 0.7 without].
    #[arg(long, requires = "model")]
    pub semantic_threshold: Option<f64>,
    /// With --model: the semantic view's bars from FILE (the layout of src/semantic.json, as
    /// `scripts/fit-semantic` writes it) instead of the built-in ones.
    #[arg(long, value_name = "FILE", requires = "model")]
    pub semantic_bars: Option<PathBuf>,
    /// With --model: embed with the word vectors distilled from the model (`unspun model distill DIR`,
    /// which scripts/setup-model runs) instead of running the model on every text.
    #[arg(long, requires = "model")]
    pub word_vectors: bool,
    /// Decide direction with the model in FILE (the layout of src/direction.json, as
    /// `scripts/fit-direction` writes it) instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub direction_model: Option<PathBuf>,
    /// Judge pairs derived with the bars in FILE (the layout of src/verdict.json, as `scripts/fit-verdict`
    /// writes it: the weight of evidence a rewrite and a partial reuse need) instead of the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub verdict_bars: Option<PathBuf>,
}

impl SettingsArgs {
    /// Validated settings; `against` and `count_only` are the scan's (see [`Config`]).
    pub fn to_config(&self, against: &[PathBuf], count_only: bool) -> Result<Config> {
        let mut config = Config { against: against.to_vec(), count_only, ..Config::default() };
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        if let Some(path) = &self.direction_model {
            config.direction = DirectionModel::load(path)?;
        }
        if let Some(path) = &self.verdict_bars {
            config.verdict = VerdictBars::load(path)?;
        }
        // Each --threshold names a view scanned, once.
        let mut named = Vec::new();
        for t in &self.thresholds {
            let name = t.split_once('=').map_or(t.as_str(), |(name, _)| name);
            if View::from_name(name).is_some() && !self.views.iter().any(|v| v.trim() == name) {
                let views = self.views.join(",");
                return Err(Error::Config(format!(
                    "--threshold {t:?}: the {name} view is not scanned (--views {views})"
                )));
            }
            if named.contains(&name) {
                return Err(Error::Config(format!("--threshold {t:?}: the {name} view's threshold is given twice")));
            }
            named.push(name);
        }
        if self.candidates_only && self.report_unrelated {
            return Err(Error::Config(
                "--report-unrelated reports verified pairs judged not derived; --candidates-only verifies none".into(),
            ));
        }
        config.views = Vec::new();
        for name in &self.views {
            let view = View::from_name(name.trim())
                .ok_or_else(|| Error::Config(format!("unknown view {name:?} (known: words, content, lead)")))?;
            let default = ViewConfig::default_for(view);
            let mut threshold = default.threshold;
            for t in &self.thresholds {
                let (name, value) =
                    t.split_once('=').ok_or_else(|| Error::Config(format!("--threshold {t:?} is not VIEW=T")))?;
                if View::from_name(name).is_none() {
                    return Err(Error::Config(format!("--threshold {t:?}: unknown view {name:?}")));
                }
                if name == view.name() {
                    threshold = value
                        .parse()
                        .map_err(|_| Error::Config(format!("--threshold {t:?}: {value:?} is not a number")))?;
                    if !(threshold > 0.0 && threshold <= 1.0) {
                        return Err(Error::Config(format!("--threshold {t:?}: {threshold} is not in (0, 1]")));
                    }
                }
            }
            let shingle = match view {
                View::Words => self.shingle,
                View::Content => default.shingle,
                View::Lead => self.lead,
            };
            config.views.push(ViewConfig::new(view, shingle, self.hashes, threshold)?);
        }
        // The order views are named in changes nothing they find: kept in one order, so that an index
        // built with `--views lead,content,words` is queried by default settings, and reports list views
        // alike.
        config.views.sort_by_key(|v| v.view);
        config.max_bucket = self.max_bucket;
        config.min_words = self.min_words;
        config.candidates_only = self.candidates_only;
        config.passages = !self.no_passages;
        config.report_unrelated = self.report_unrelated;
        config.boilerplate = self.boilerplate;
        config.window_days = self.window;
        config.semantic = self
            .model
            .as_ref()
            .map(|dir| {
                let fitted = match &self.semantic_bars {
                    Some(path) => {
                        let json = std::fs::read_to_string(path)
                            .map_err(|source| Error::Read { path: path.clone(), source })?;
                        SemanticConfig::with_bars(dir.clone(), self.word_vectors, &json, path)?
                    }
                    None => SemanticConfig::new(dir.clone(), self.word_vectors),
                };
                Ok::<_, Error>(SemanticConfig {
                    threshold: self.semantic_threshold.unwrap_or(fitted.threshold),
                    ..fitted
                })
            })
            .transpose()?;
        // `txt, jsonl` as `txt,jsonl`: a space after the comma is no part of an extension.
        config.input.extensions = self.ext.iter().map(|e| e.trim().trim_start_matches('.').to_string()).collect();
        config.input.id_field = self.id_field.clone();
        config.input.text_field = self.text_field.clone();
        config.input.date_field = self.date_field.clone();
        config.input.url_field = self.url_field.clone();
        config.input.strict = self.strict;
        config.input.format = self.input_format.map(Into::into);
        config.validate()?;
        Ok(config)
    }
}
