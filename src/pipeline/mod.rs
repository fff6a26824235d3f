//! Runs the stages in order: [`read`] (read and sign: [`crate::input`], [`crate::shingle`],
//! [`crate::minhash`]) gives a [`SignedCorpus`]; [`candidates`] ([`crate::lsh`], passages, the semantic
//! view) gives [`Candidates`]; [`verify`] ([`crate::align`], [`crate::score`]) the scored pairs; [`orient`]
//! their sources and the clusters. This is the one place that decides parallelism (rayon, as
//! order-preserving maps whose results are sorted before use, so the output is the same for any number of
//! threads and any order of the input) and reports progress.

pub mod candidates;
pub mod orient;
pub mod parts;
pub mod read;
pub mod verify;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::align::Alignment;
use crate::boilerplate::Boilerplate;
use crate::config::Config;
use crate::embed::Encoder;
use crate::error::{Error, Result};
use crate::input::{self, Document, Problem};
use crate::minhash::Hasher;
use crate::progress::{Progress, go_on};
use crate::scan::{DocInfo, Scan, ScoredPair};
use crate::score::{self, Evidence, Lean, Relation};
use crate::shingle::View;

pub use candidates::Candidates;
pub use read::{Archive, Prior, SignedCorpus};
use read::{Inputs, TOO_SHORT};

/// Scans the articles under `paths` (files and folders; `-` is standard input), and those of
/// [`Config::against`] as the reference collection.
pub fn scan(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<Scan> {
    run(std::iter::empty(), paths, config, progress)
}

/// Scans documents held in memory (see [`Document::new`]), with those of [`Config::against`] read from
/// files as the reference collection when it names any.
pub fn scan_documents(
    documents: impl IntoIterator<Item = Document, IntoIter: Send>,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Scan> {
    run(documents, &[], config, progress)
}

/// What every stage needs besides its input: the settings and what is built from them once.
pub(crate) struct Plan<'a> {
    pub config: &'a Config,
    /// One MinHash hasher a view, in the order of [`Config::views`].
    pub hashers: Vec<Hasher>,
    /// The semantic view's model, when it is on.
    pub model: Option<Encoder>,
    /// Whether candidate pairs are verified (not [`Config::candidates_only`]).
    pub verify: bool,
    /// Whether the documents are judged against a reference collection (`--against` or an index): only
    /// pairs of a reference and a scanned document are compared.
    pub against: bool,
    /// When the documents read are a part of a larger collection ([`parts`]): the number of documents of
    /// the whole, whose packed band entries the part's must match bit for bit.
    pub collection: Option<usize>,
    /// The sites' page furniture, left out of every text compared ([`Config::boilerplate`]; empty
    /// otherwise).
    pub boilerplate: Boilerplate,
}

impl Plan<'_> {
    /// Whether a view is signed while its documents are read. When the run verifies, the rewording views
    /// are signed once reading is done, without the collection's common stems (see [`read`]).
    pub fn signed_when_read(&self, view: View) -> bool {
        !self.verify || view == View::Words
    }

    /// Whether the collection's stem and phrase counts are made while reading: verification weighs words
    /// by them, and the semantic view blocks on each document's rarest names even when nothing is
    /// verified (`--candidates-only`).
    pub fn counts_collection(&self) -> bool {
        self.verify || self.model.is_some()
    }

    /// The mask of the low bits that number the documents in a packed band or passage entry
    /// ([`crate::lsh::doc_mask`]) for `n` documents read: a part of a collection keeps as many hash bits
    /// as the whole, so that its buckets are the whole's.
    pub fn doc_mask(&self, n: usize) -> u64 {
        crate::lsh::doc_mask(self.collection.unwrap_or(n).max(n))
    }
}

fn run(
    documents: impl IntoIterator<Item = Document, IntoIter: Send>,
    paths: &[PathBuf],
    config: &Config,
    progress: &dyn Progress,
) -> Result<Scan> {
    config.validate()?;
    if config.top.is_some() && config.against.is_empty() {
        return Err(Error::Config(
            "--top keeps each scanned article's best pairs against a reference collection: give --against".into(),
        ));
    }
    let (mut inputs, problems) = discover(Box::new(documents.into_iter()), paths, config)?;
    let mut plan = Plan::new(config, !config.against.is_empty())?;
    if config.boilerplate {
        (inputs, plan.boilerplate) = read::learn_boilerplate(inputs, config, progress)?;
    }
    go_on(progress)?;
    let corpus = read::read_and_sign(inputs, &plan, progress)?;
    judge(corpus, problems, &plan, progress)
}

/// Runs two independent pieces of work, one after the other or side by side: the pipeline decides
/// ([`query`] passes `rayon::join`; [`one_after_the_other`] runs neither in parallel).
pub type Join<'a> = &'a (dyn Fn(&mut (dyn FnMut() + Send), &mut (dyn FnMut() + Send)) + Sync);

/// A [`Join`] that runs the first piece of work, then the second.
pub fn one_after_the_other(a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)) {
    a();
    b();
}

/// Which of the articles under `paths` copy, rewrite or excerpt those of an index, judged as a scan of
/// them `--against` the articles the index holds would judge them: the index's documents join the ones
/// read, already signed, and its statistics are theirs. `load` makes what the index holds
/// ([`crate::index::Index::prior`]), given how to run two pieces of work side by side.
pub fn query(
    paths: &[PathBuf],
    load: impl FnOnce(Join) -> Result<Prior>,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Scan> {
    config.validate()?;
    let given = not_kept(config);
    if !given.is_empty() || !config.against.is_empty() {
        let given = if config.against.is_empty() { given } else { [&given[..], &["--against"]].concat() };
        return Err(Error::Config(format!(
            "a query verifies its pairs against the whole index as its documents were kept: {} cannot be given to it",
            given.join(", ")
        )));
    }
    let prior = load(&|a, b| {
        rayon::join(a, b);
    })?;
    let (inputs, problems) = discover(Box::new(std::iter::empty()), paths, config)?;
    let plan = Plan::new(config, true)?;
    let mut corpus = read::read_signed(inputs, &plan, prior, progress)?;
    read::settle(&mut corpus, &plan);
    judge(corpus, problems, &plan, progress)
}

/// The settings given in `config`, by their flags, that an index does not keep and a query cannot use:
/// only candidates, the semantic view (its model's embeddings are not stored) and boilerplate removal
/// (which changes the texts read).
fn not_kept(config: &Config) -> Vec<&'static str> {
    [
        ("--candidates-only", config.candidates_only),
        ("--model", config.semantic.is_some()),
        ("--boilerplate", config.boilerplate),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect()
}

/// Reads and signs the articles under `paths` as an index keeps them ([`crate::index`]): in their fixed
/// order, ids as read, texts kept (compressed), counted into `prior`'s statistics (which then hold only
/// the texts not seen before).
pub fn sign_for_index(
    paths: &[PathBuf],
    mut prior: Prior,
    config: &Config,
    progress: &dyn Progress,
) -> Result<SignedCorpus> {
    config.validate()?;
    let given = not_kept(config);
    if !given.is_empty() {
        return Err(Error::Config(format!(
            "an index keeps what verification needs, read as the text is: {} cannot be given to `index build` or `add`",
            given.join(", ")
        )));
    }
    let (inputs, mut problems) = discover(Box::new(std::iter::empty()), paths, config)?;
    let plan = Plan::new(config, false)?;
    prior.keep_texts = true;
    let mut corpus = read::read_signed(inputs, &plan, prior, progress)?;
    problems.append(&mut corpus.problems);
    corpus.problems = problems;
    Ok(corpus)
}

impl<'a> Plan<'a> {
    /// The plan of a run of `config`; `against` when the documents read are judged against a reference
    /// collection (`--against`, or an index).
    pub(crate) fn new(config: &'a Config, against: bool) -> Result<Plan<'a>> {
        let hashers = config.views.iter().map(|v| Hasher::new(v.minhash(config.seed))).collect();
        let model = config.semantic.as_ref().map(|s| Encoder::load(&s.model, s.word_vectors)).transpose()?;
        let verify = !config.candidates_only;
        Ok(Plan { config, hashers, model, verify, against, collection: None, boilerplate: Boilerplate::default() })
    }
}

/// The stages after reading: candidates, verification, direction and clusters.
pub(crate) fn judge(
    mut corpus: SignedCorpus,
    mut problems: Vec<Problem>,
    plan: &Plan,
    progress: &dyn Progress,
) -> Result<Scan> {
    let config = plan.config;
    problems.append(&mut corpus.problems);
    let sketches = std::mem::take(&mut corpus.sketches);
    let mut candidates = candidates::find_candidates(&corpus, sketches, plan, progress)?;
    go_on(progress)?;
    let mut pairs = exact_duplicates_of_short(&corpus.documents, &corpus.exact, plan.against, config.window_days);
    let mut scan = Scan {
        candidates: std::mem::take(&mut candidates.stats),
        candidate_pairs: candidates.count,
        grouped_documents: candidates.grouped_documents(),
        proposers: candidates.proposers.clone(),
        furniture_lines: config.boilerplate.then(|| plan.boilerplate.lines()),
        renamed_ids: std::mem::take(&mut corpus.renamed_ids),
        ..Scan::default()
    };
    if config.candidates_only {
        if config.count_only {
            scan.counted_pairs = Some(pairs.len() + candidates.pairs.len());
        } else {
            pairs.extend(candidates.pairs.iter().map(|&(key, proposed_by)| ScoredPair::unverified(key, proposed_by)));
            pairs.sort_unstable_by_key(|p| (p.a, p.b));
            scan.clusters = orient::clusters(pairs.iter(), corpus.documents.len());
            scan.pairs = pairs;
        }
    } else {
        let verified = verify::verify(&corpus, candidates, plan, progress)?;
        pairs.extend(verified.pairs);
        problems.extend(verified.problems);
        scan.clusters = orient::orient(&mut pairs, &corpus.documents, &plan.config.direction, progress);
        if let (true, Some(top)) = (plan.against, config.top) {
            pairs = top_pairs(pairs, &corpus.documents, top);
            scan.clusters = orient::clusters(pairs.iter().filter(|p| p.relation.is_some()), corpus.documents.len());
        }
        scan.pairs = pairs;
    }
    scan.documents = corpus.documents;
    scan.problems = problems;
    Ok(scan)
}

/// Against a reference collection, each scanned document's `top` pairs of highest confidence (ties to
/// the earlier reference document); the order of `pairs` is kept.
fn top_pairs(pairs: Vec<ScoredPair>, docs: &[DocInfo], top: usize) -> Vec<ScoredPair> {
    let scanned = |p: &ScoredPair| if docs[p.a as usize].reference { p.b } else { p.a };
    let mut ranked: Vec<usize> = (0..pairs.len()).collect();
    ranked.sort_by(|&x, &y| {
        let (p, q) = (&pairs[x], &pairs[y]);
        scanned(p).cmp(&scanned(q)).then(q.confidence.total_cmp(&p.confidence)).then((p.a, p.b).cmp(&(q.a, q.b)))
    });
    let mut keep = vec![false; pairs.len()];
    for same in ranked.chunk_by(|&x, &y| scanned(&pairs[x]) == scanned(&pairs[y])) {
        same.iter().take(top).for_each(|&i| keep[i] = true);
    }
    pairs.into_iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| p).collect()
}

/// The files to read (the reference collection's after the others) after the documents in memory, and
/// the problems of finding them.
fn discover<'a>(
    documents: Box<dyn Iterator<Item = Document> + Send + 'a>,
    paths: &[PathBuf],
    config: &Config,
) -> Result<(Inputs<'a>, Vec<Problem>)> {
    let (mut files, mut problems) = input::discover(paths, &config.input)?;
    // The reference collection is read with the rest; its documents are told apart by their files.
    let (reference_files, reference_problems) = input::discover(&config.against, &config.input)?;
    if !config.against.is_empty() {
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let scanned: HashSet<PathBuf> = files.iter().map(|f| canonical(&f.path)).collect();
        if let Some(both) = reference_files.iter().find(|r| scanned.contains(&canonical(&r.path))) {
            return Err(Error::Config(format!(
                "{} is both scanned and a reference (--against)",
                crate::escape::path_text(&both.path)
            )));
        }
    }
    let reference: HashSet<PathBuf> = reference_files.iter().map(|f| f.path.clone()).collect();
    files.extend(reference_files);
    problems.extend(reference_problems);
    if let (true, Some(p)) = (config.input.strict, problems.first()) {
        return Err(p.clone().into());
    }
    Ok((Inputs { documents, files, reference }, problems))
}

/// Documents too short to judge are still duplicates of identical ones: each such group is reported as
/// `duplicate` pairs, every pair of a group of fewer than eight (with `--window`, those published within
/// it), as near-duplicate groups are compared, and from its first member in a larger one (against a
/// reference collection, its first reference member, with each member of the other side; only pairs of
/// the two sides in either). With `--window`, a member of a large group published too far from that one
/// is paired instead with the group's earliest member within the window of it, as near-duplicate groups
/// are (`candidates::within_window`). Dates far enough apart name the earlier the source, as for any pair.
fn exact_duplicates_of_short(docs: &[DocInfo], exact: &[u64], against: bool, window: Option<f64>) -> Vec<ScoredPair> {
    let mut groups: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for (i, (d, &e)) in docs.iter().zip(exact).enumerate() {
        if d.skipped == Some(TOO_SHORT) {
            groups.entry(e).or_default().push(i as u32);
        }
    }
    let doc = |i: u32| &docs[i as usize];
    let apart_sides = |x: u32, y: u32| !against || doc(x).reference != doc(y).reference;
    let mut paired = HashSet::new();
    let mut out = Vec::new();
    for members in groups.values_mut().filter(|m| m.len() > 1) {
        if against {
            members.sort_by_key(|&i| !doc(i).reference);
        }
        let first = members[0];
        let within = |x: u32, y: u32| window.is_none_or(|w| crate::scan::published_within(doc(x), doc(y), w));
        let pairs: Vec<(u32, u32)> = if members.len() < candidates::MIN_GROUP as usize {
            // A small group in full, as near-duplicate groups are: every member keeps its pairs.
            let each = members.iter().enumerate().flat_map(|(k, &x)| members[k + 1..].iter().map(move |&y| (x, y)));
            each.filter(|&(x, y)| apart_sides(x, y) && within(x, y)).collect()
        } else {
            let star = members[1..].iter().filter(|&&o| apart_sides(first, o)).filter_map(|&other| {
                let partner = match window {
                    Some(w) if !within(first, other) => candidates::earliest_within(members, other, docs, w, against),
                    _ => Some(first),
                };
                Some((partner?, other))
            });
            star.collect()
        };
        for (x, y) in pairs {
            let (a, b) = (x.min(y), x.max(y));
            if !paired.insert((a, b)) {
                continue;
            }
            let dated = score::dated_apart((doc(a).day, doc(a).precision), (doc(b).day, doc(b).precision));
            let (source, lean, evidence) = match dated {
                Some((k, apart)) => {
                    let source = if k == 0 { a } else { b };
                    let favours = Some(doc(source).id.clone());
                    let evidence = Evidence { signal: "date", favours, detail: score::published_earlier(apart) };
                    (Some(source), Lean::Settled(Some(k)), evidence)
                }
                None => {
                    let detail = "identical words in a text too short to judge otherwise".into();
                    (None, Lean::Settled(None), Evidence { signal: "duplicate", favours: None, detail })
                }
            };
            out.push(ScoredPair {
                a,
                b,
                relation: Some(Relation::Duplicate),
                verified: true,
                confidence: 1.0,
                source,
                lean: Some(lean),
                features: None,
                lean_parts: None,
                log_odds: None,
                semantic: None,
                alignment: Alignment { jaccard5: 1.0, coverage_a: 1.0, coverage_b: 1.0, ..Alignment::default() },
                proposed_by: 0,
                evidence: vec![evidence],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::MEMORY_PATH;
    use crate::progress::NoProgress;

    /// The pairs as reported: documents by id, relation, source by id and confidence, a line each.
    fn verdicts(scan: &Scan) -> Vec<String> {
        let id = |d: u32| scan.documents[d as usize].id.clone();
        let pairs = scan.pairs.iter();
        pairs
            .map(|p| format!("{} {} {:?} {:?} {:.6}", id(p.a), id(p.b), p.relation, p.source.map(id), p.confidence))
            .collect()
    }

    #[test]
    fn documents_in_memory_are_judged_as_the_same_files_are() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let config = Config::default();
        let from_files = scan(std::slice::from_ref(&corpus), &config, &NoProgress).unwrap();
        assert!(from_files.pairs.len() >= 3, "{:?}", verdicts(&from_files));
        // Given in reverse order, under the ids the files get.
        let documents: Vec<Document> = from_files
            .documents
            .iter()
            .rev()
            .map(|d| Document::new(d.id.clone(), std::fs::read_to_string(&d.path).unwrap()))
            .collect();
        let in_memory = scan_documents(documents, &config, &NoProgress).unwrap();
        assert_eq!(verdicts(&in_memory), verdicts(&from_files));
        assert!(in_memory.documents.iter().all(|d| &*d.path == Path::new(MEMORY_PATH)));
    }

    /// Progress that asks to stop once a stage whose name starts with `.0` has begun, and counts the work
    /// done after that.
    struct CancelAt(&'static str, std::sync::atomic::AtomicBool, std::sync::atomic::AtomicU64);

    impl Progress for CancelAt {
        fn stage(&self, name: &str, _total: Option<u64>, _unit: crate::progress::Unit) {
            if name.starts_with(self.0) {
                self.1.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        fn inc(&self, n: u64) {
            if self.cancelled() {
                self.2.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            }
        }
        fn cancelled(&self) -> bool {
            self.1.load(std::sync::atomic::Ordering::Relaxed)
        }
    }

    #[test]
    fn a_run_cancelled_at_any_stage_stops_there_with_an_error() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let paths = std::slice::from_ref(&corpus);
        let config = Config::default();
        for stage in ["reading", "signing", "banding", "analysing", "verifying"] {
            let progress = CancelAt(stage, Default::default(), Default::default());
            let done = scan(paths, &config, &progress);
            assert!(matches!(done, Err(Error::Cancelled)), "cancelled at {stage}: {:?}", done.map(|s| verdicts(&s)));
            if stage == "verifying" {
                assert_eq!(progress.2.into_inner(), 0, "no pair is verified once cancelled");
            }
        }
        // Never cancelled, the same progress runs to the end.
        let progress = CancelAt("(no such stage)", Default::default(), Default::default());
        assert!(!verdicts(&scan(paths, &config, &progress).unwrap()).is_empty());
    }

    /// A date that does not read as one is no date, as a record's from a file, and one problem says so.
    #[test]
    fn documents_in_memory_with_unreadable_dates_have_none() {
        let dated =
            |id: &str, date: &str| Document { date: Some(date.into()), ..Document::new(id, "Some words here.") };
        let documents = vec![dated("a", "2025-13-45"), dated("b", "2025-05-24"), dated("c", "not a date")];
        let scan = scan_documents(documents, &Config::default(), &NoProgress).unwrap();
        let dates: Vec<Option<&str>> = scan.documents.iter().map(|d| d.date.as_deref()).collect();
        assert_eq!(dates, [None, Some("2025-05-24"), None]);
        assert_eq!(scan.problems.len(), 1, "{:?}", scan.problems);
        let message = &scan.problems[0].message;
        assert!(message.starts_with(
            "2 records: field \"date\" does not read as a date (the first at document 0: \"2025-13-45\")"
        ));
    }
}
