//! Runs the stages in order: read and sign ([`crate::input`], [`crate::shingle`], [`crate::minhash`]),
//! band ([`crate::lsh`]), verify and decide ([`crate::align`], [`crate::score`]). This is the one place that
//! decides parallelism (rayon, as order-preserving maps whose results are sorted before use, so the output
//! is the same for any number of threads and any order of the input files) and reports progress.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Map, Value};
use xxhash_rust::xxh3::xxh3_64;

use crate::align::{AlignScratch, Alignment, Analysis, Frequencies, align_with, trigram_hashes};
use crate::config::{Config, ViewConfig};
use crate::embed::{self, Embedding, Model};
use crate::error::{Error, Result};
use crate::input::{self, Document, Origin, Problem};
use crate::lsh::{self, LshStats, Neighbours, PairKey, pair_key, unpack};
use crate::minhash::{EMPTY, Hasher, MinHashParams, Signatures, estimate};
use crate::progress::{Progress, Unit};
use crate::score::{self, Evidence, Lean, Leaning, Relation, Side};
use crate::shingle::{Masks, Tokens, View, tokenize_into, word_hashes, word_ngrams};

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
    /// Fields passed through from the input.
    pub extra: Map<String, Value>,
    /// Why the document was not compared with others (too short), if it was not.
    pub skipped: Option<&'static str>,
    /// Whether it was read from the reference collection ([`Config::against`]).
    pub reference: bool,
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
            extra: Map::new(),
            skipped: None,
            reference: false,
        }
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
    /// The alignment figures and passages. Its sentence pairs are not kept once the pair is scored (the
    /// passages hold them, merged): a crawl reports millions of pairs.
    pub alignment: Alignment,
    /// The candidate sources that proposed the pair, a bit each in the order of [`Scan::sources`] (views
    /// whose LSH did, `passages`, `semantic`): a crawl reports millions of pairs.
    pub views: ViewSet,
    /// Evidence about direction.
    pub evidence: Vec<Evidence>,
}

/// A group of documents connected by reported pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// The one document the others derive from, when the pairs say so.
    pub source: Option<u32>,
    /// All members, ascending.
    pub members: Vec<u32>,
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
    pub candidates: Vec<(&'static str, LshStats)>,
    /// Distinct candidate pairs over all views.
    pub candidate_pairs: usize,
    /// Documents compared through the leader of their near-duplicate group in the rewording views.
    pub grouped_documents: usize,
    /// The number of pairs that would have been reported, when [`Config::count_only`] left `pairs` empty.
    pub counted_pairs: Option<usize>,
    /// Input that was damaged, unreadable or read lossily.
    pub problems: Vec<Problem>,
    /// Names of the candidate sources, in the order of the bits of [`ScoredPair::views`].
    pub sources: Vec<&'static str>,
}

impl Scan {
    /// The names of the candidate sources in `views`.
    pub fn source_names(&self, views: ViewSet) -> Vec<&'static str> {
        self.sources.iter().enumerate().filter(|(k, _)| views >> k & 1 != 0).map(|(_, &v)| v).collect()
    }
}

/// Why a document with fewer than `min_words` words is not compared (it is still matched as an exact
/// duplicate, by `exact_duplicates_of_short`).
const TOO_SHORT: &str = "too short to judge";
/// Documents signed together between reads; bounds the texts held at once.
const BATCH: usize = 4096;
/// Candidate pairs scored together (see the verifying loop in [`scan`]).
const SCORE_BLOCK: usize = 1 << 16;
/// Related documents consulted for attestation, per pair side.
const MAX_THIRD: usize = 32;
/// One word n-gram in this many is sampled for the passages candidate source (by hash, so every document
/// samples the same n-grams): a passage of 25 words shares about 2.6 sampled 5-grams.
const PASSAGE_SAMPLE: u64 = 8;
/// Sampled n-grams two documents must share to be a passages candidate.
const MIN_SHARED_PASSAGES: usize = 2;
/// Name of the passages candidate source in reports, beside the views.
const PASSAGES: &str = "passages";
/// Name of the semantic view's candidates in reports.
const SEMANTIC: &str = "semantic";
/// Sentences of a text the semantic view compares (its first).
const MAX_SENTENCES: usize = 40;

struct Signed {
    words: usize,
    phrases: Vec<u64>,
    exact: u64,
    /// When verifying: the distinct content stems of the lead, then those of the rest (each once), for the
    /// collection's stem counts and the rewording views signed after reading.
    rewording: Vec<u64>,
    /// How many of `rewording` are the lead's.
    lead_len: usize,
    /// When verifying: the document's sampled word n-grams, distinct (see [`PASSAGE_SAMPLE`]).
    samples: Vec<u64>,
    /// The semantic view's embedding of the lead (empty when the view is off).
    embedding: Embedding,
}

/// Scans the articles under `paths`.
pub fn scan(paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<Scan> {
    config.validate()?;
    let (mut files, mut problems) = input::discover(paths, &config.input);
    // The reference collection is read with the rest; its documents are told apart by their files.
    let (reference_files, reference_problems) = input::discover(&config.against, &config.input);
    let against = !config.against.is_empty();
    if against {
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let scanned: HashSet<PathBuf> = files.iter().map(|f| canonical(&f.path)).collect();
        if let Some(both) = reference_files.iter().find(|r| scanned.contains(&canonical(&r.path))) {
            return Err(Error::Config(format!("{} is both scanned and a reference (--against)", both.path.display())));
        }
    }
    let reference: HashSet<PathBuf> = reference_files.iter().map(|f| f.path.clone()).collect();
    files.extend(reference_files);
    problems.extend(reference_problems);
    if let (true, Some(p)) = (config.input.strict, problems.first()) {
        return Err(p.clone().into());
    }
    let hashers: Vec<Hasher> = config
        .views
        .iter()
        .map(|v| {
            Hasher::new(MinHashParams {
                view: v.view,
                shingle: v.shingle as u8,
                num_hashes: v.num_hashes as u16,
                seed: config.seed,
            })
        })
        .collect();
    let model = match &config.semantic {
        Some(s) => Some(Model::load(&s.model)?),
        None => None,
    };
    // Standard input's length is not known in advance.
    let total_bytes = (!files.iter().any(|f| crate::input::is_stdin(&f.path)))
        .then(|| files.iter().map(|f| crate::input::file_size(&f.path)).sum());

    // Read and sign: documents are signed in parallel a batch at a time, straight into one flat matrix a
    // view, so a document's state is its signatures plus its `DocInfo`; its text is dropped once signed.
    progress.stage("reading", total_bytes, Unit::Bytes);
    let mut docs: Vec<DocInfo> = Vec::new();
    let mut exact: Vec<u64> = Vec::new();
    let mut matrices: Vec<Signatures> = hashers.iter().map(|h| Signatures::new(h.params())).collect();
    let mut freq = Frequencies::new();
    let verify = !config.candidates_only;
    // When verifying, the rewording views are signed only once reading is done (see below), one at a
    // time as they are banded; until then each document keeps its distinct stems.
    let signed_when_read = |view: View| !verify || view == View::Words;
    // Tokens (with stems, flags and sentences) feed the content and lead views and the frequencies
    // verification weighs terms by; the plain MinHash-LSH job over verbatim words needs word hashes only.
    let tokens = verify || config.views.iter().any(|v| v.view != View::Words);
    // The rewording views are signed without the stems used by a large share of the collection (wire
    // templates, the vocabulary of a beat), known once reading is done: those make every earnings report
    // a candidate of every other and are no evidence of copying anyway (see `Frequencies::is_common`).
    // Kept as the stem hashes' high halves: a million documents keep a hundred million stems, and 32
    // bits tell apart the stems of a collection as well as the 32-bit MinHash lanes can.
    let mut rewording: Vec<u32> = Vec::new();
    let mut rewording_at: Vec<(usize, usize)> = Vec::new(); // (start, lead length) per document
    let (mut samples, mut samples_at): (Vec<u64>, Vec<usize>) = (Vec::new(), Vec::new());
    let mut embeddings: Vec<Embedding> = Vec::new();
    // A batch's minima, all views of a document in a row (`lanes` wide), kept from batch to batch.
    let lanes: usize = config.views.iter().map(|v| v.num_hashes).sum();
    let mut rows: Vec<u32> = Vec::new();
    let mut flush = |batch: Vec<Document>| {
        // Each document is signed into its row and turned into its `DocInfo` by a worker, which drops its
        // text.
        rows.clear();
        rows.resize(batch.len() * lanes, EMPTY);
        let out: Vec<(DocInfo, Signed)> = batch
            .into_par_iter()
            .zip(rows.par_chunks_mut(lanes))
            .map_init(Scratch::default, |scratch, (d, row)| {
                let work = Work { config, hashers: &hashers, tokens, verify, model: model.as_ref() };
                let s = sign(&d.text, &work, scratch, row);
                let info = DocInfo {
                    day: d.date.as_deref().and_then(input::parse_day),
                    id: d.id,
                    path: d.path,
                    origin: d.origin,
                    bytes: d.text.len(),
                    words: s.words,
                    date: d.date,
                    extra: d.extra,
                    skipped: None,
                    reference: false,
                };
                (info, s)
            })
            .collect();
        if verify {
            let stems = out.iter().flat_map(|(_, s)| &s.rewording);
            freq.add_documents(out.len() as u64, stems, out.iter().flat_map(|(_, s)| &s.phrases));
        }
        let mut offset = 0;
        for (v, m) in config.views.iter().zip(matrices.iter_mut()) {
            let k = m.params.num_hashes as usize;
            if signed_when_read(v.view) {
                let to = m.extend_empty(rows.len() / lanes);
                to.par_chunks_mut(k).zip(rows.par_chunks(lanes)).for_each(|(to, row)| {
                    to.copy_from_slice(&row[offset..offset + k]);
                });
            }
            offset += k;
        }
        for (info, s) in out {
            exact.push(s.exact);
            if model.is_some() {
                embeddings.push(s.embedding);
            }
            if verify {
                rewording_at.push((rewording.len(), s.lead_len));
                rewording.extend(s.rewording.iter().map(|&stem| (stem >> 32) as u32));
                samples_at.push(samples.len());
                samples.extend_from_slice(&s.samples);
            }
            docs.push(info);
        }
    };
    // Reading (decompressing, cutting lines) runs on a thread of its own and hands batches over, so the
    // serial part of reading overlaps the signing of the batch before. Batches keep the read order.
    let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Document>>(1);
    let reading = std::thread::scope(|scope| {
        let reader = scope.spawn(|| -> Result<Vec<Problem>> {
            // Owned here, so the channel closes when reading ends.
            let batches = batches;
            let mut problems = Vec::new();
            let mut batch = Vec::with_capacity(BATCH);
            for file in &files {
                let mut emit = |d: Document| {
                    batch.push(d);
                    if batch.len() >= BATCH {
                        // The receiver only goes away if signing panicked; the panic is re-raised below.
                        let _ = batches.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                    }
                };
                let mut problem = |p: Problem| problems.push(p);
                if let Err(e) = input::read_with(file, &config.input, &ParallelParse, &mut emit, &mut problem, progress)
                {
                    if config.input.strict {
                        return Err(e);
                    }
                    problems.push(Problem::in_file(&file.path, e.to_string()));
                }
            }
            let _ = batches.send(batch);
            Ok(problems)
        });
        for batch in received {
            flush(batch);
        }
        reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    problems.extend(reading?);
    progress.finish();
    if against {
        docs.iter_mut().for_each(|d| d.reference = reference.contains(&*d.path));
    }

    // A fixed document order, whatever the order of the input (stable: equal ids keep their read order).
    // Applied in place, so no second copy of the signatures is made.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.par_sort_by(|&x, &y| (&docs[x].id, &docs[x].path).cmp(&(&docs[y].id, &docs[y].path)));
    permute(&order, |i, j| {
        docs.swap(i, j);
        exact.swap(i, j);
        if !embeddings.is_empty() {
            embeddings.swap(i, j);
        }
        for m in matrices.iter_mut().filter(|m| !m.is_empty()) {
            m.swap(i, j);
        }
    });
    // A rewording view's signatures, made when it is banded, in document order, from the stems kept (see
    // `signed_when_read`).
    rewording_at.push((rewording.len(), 0));
    let sign_rewording = |k: usize| {
        let (v, h) = (&config.views[k], &hashers[k]);
        let mut m = Signatures::empty(h.params(), order.len());
        m.rows_mut().par_chunks_mut(v.num_hashes).enumerate().for_each_init(Vec::new, |shingles, (j, row)| {
            let read = order[j];
            let ((start, lead_len), (end, _)) = (rewording_at[read], rewording_at[read + 1]);
            let stems = if v.view == View::Lead { &rewording[start..start + lead_len] } else { &rewording[start..end] };
            shingles.clear();
            let stems = stems.iter().map(|&high| (high as u64) << 32);
            shingles.extend(stems.filter(|&s| !freq.is_common(s)).map(|s| s ^ config.seed));
            h.update_all(row, shingles);
        });
        m
    };
    make_ids_unique(&mut docs);

    // Short and empty documents are not compared, but identical ones are still duplicates.
    for d in docs.iter_mut() {
        if d.words == 0 {
            d.skipped = Some("empty");
        } else if d.words < config.min_words {
            d.skipped = Some(TOO_SHORT);
        }
    }

    // Band every view, then merge the views' sorted pair lists into one, each pair with the set of views
    // that proposed it (a bit per view, in the order of `config.views`). The words and content views
    // find the near-duplicate groups (see `join_near_duplicates`); later views and passages see only
    // each group's leader.
    let mut per_view: Vec<Vec<PairKey>> = vec![Vec::new(); config.views.len()];
    let mut stats: Vec<(&'static str, LshStats)> =
        config.views.iter().map(|v| (v.view.name(), LshStats::default())).collect();
    let mut represented_by: Vec<u32> = (0..docs.len() as u32).collect();
    let mut parent: Vec<u32> = represented_by.clone();
    let grouping = |v: &ViewConfig| matches!(v.view, View::Words | View::Content);
    for phase in [true, false] {
        // The views of this phase signed now; those of the grouping phase before it starts, as grouping
        // asks both (see `join_near_duplicates`).
        for (k, v) in config.views.iter().enumerate().filter(|(_, v)| grouping(v) == phase) {
            if verify && !signed_when_read(v.view) {
                progress.stage(&format!("signing {}", v.view.name()), None, Unit::Documents);
                matrices[k] = sign_rewording(k);
                progress.finish();
            }
        }
        // Near-duplicates by either grouping view's estimate, whichever view banded the pair: a copy that
        // the words view's banding missed is still found by the content view's.
        let bars: Vec<(&Signatures, f64)> = config
            .views
            .iter()
            .zip(&matrices)
            .filter_map(|(v, m)| match v.view {
                View::Words => Some((m, NEAR_DUPLICATE_WORDS)),
                View::Content => Some((m, NEAR_DUPLICATE_CONTENT)),
                View::Lead => None,
            })
            .collect();
        for (k, (v, m)) in config.views.iter().zip(&matrices).enumerate().filter(|(_, (v, _))| grouping(v) == phase) {
            progress.stage(&format!("banding {}", v.view.name()), None, Unit::Bands);
            // The plain MinHash-LSH job reports every banded pair. Verification takes those whose whole
            // signatures estimate the view's threshold at least: banding also catches pairs well below it.
            let min_estimate = if config.candidates_only { 0.0 } else { v.threshold };
            // A group found by an earlier view takes part in later ones through its leader.
            let include = |i: usize| docs[i].skipped.is_none() && represented_by[i] == i as u32;
            let (pairs, s) = lsh::candidates(m, v.lsh, config.max_bucket, min_estimate, include)?;
            if phase && verify {
                join_near_duplicates(&mut parent, &bars, &pairs);
                represented_by = group_leaders(&mut parent);
                if against {
                    represented_by = prefer_reference_leaders(&represented_by, &docs);
                }
            }
            progress.finish();
            per_view[k] = pairs;
            stats[k].1 = s;
        }
        drop(bars);
        if phase && verify {
            let grouped: Vec<usize> = (0..config.views.len()).filter(|&k| grouping(&config.views[k])).collect();
            for &k in &grouped {
                per_view[k] = through_leaders(std::mem::take(&mut per_view[k]), &represented_by);
            }
            // A member whose pair with its leader was banded in no view (it joined through another
            // member) gets one, counted as the first grouping view's.
            let mut linked = vec![false; docs.len()];
            for &k in &grouped {
                for &key in &per_view[k] {
                    let (a, b) = unpack(key);
                    if represented_by[b as usize] == a && a != b {
                        linked[b as usize] = true;
                    }
                }
            }
            if let Some(&first) = grouped.first() {
                let list = &mut per_view[first];
                list.extend(
                    represented_by
                        .iter()
                        .enumerate()
                        .filter(|&(i, &l)| l != i as u32 && !linked[i])
                        .map(|(i, &l)| pair_key(l, i as u32)),
                );
                list.sort_unstable();
            }
            // Grouping is done and its views' signatures are not asked again: freed before the next.
            for (_, m) in config.views.iter().zip(matrices.iter_mut()).filter(|(v, _)| grouping(v)) {
                *m = Signatures::new(m.params);
            }
        }
    }
    // The signatures have done their work: verification reads the texts again.
    drop(matrices);
    drop(rewording);
    drop(rewording_at);
    drop(parent);
    // Names of the candidate sources, in the order of their bits: the views, then passages and the
    // semantic view when they run.
    let mut sources: Vec<&'static str> = config.views.iter().map(|v| v.view.name()).collect();
    // Passages: documents sharing sampled word n-grams, whatever their lengths (`lsh::shared_samples`).
    let words_view = config.views.iter().any(|v| v.view == View::Words);
    if verify && config.passages && words_view {
        progress.stage("passages", None, Unit::Documents);
        samples_at.push(samples.len());
        let mask = lsh::doc_mask(docs.len());
        let entries: Vec<u64> = (0..docs.len())
            .into_par_iter()
            .filter(|&j| docs[j].skipped.is_none() && represented_by[j] == j as u32)
            .flat_map_iter(|j| {
                let read = order[j];
                samples[samples_at[read]..samples_at[read + 1]].iter().map(move |&h| h & !mask | j as u64)
            })
            .collect();
        drop(samples);
        let (pairs, s) = lsh::shared_samples(entries, mask, config.max_bucket, MIN_SHARED_PASSAGES);
        progress.finish();
        per_view.push(pairs);
        stats.push((PASSAGES, s));
        sources.push(PASSAGES);
    }
    drop(order);
    // Semantic view: documents whose leads' embeddings are close (`embed::candidates`).
    if let Some(s) = &config.semantic {
        progress.stage("semantic", None, Unit::Documents);
        let include = |i: usize| docs[i].skipped.is_none() && represented_by[i] == i as u32;
        let (pairs, st) = embed::candidates(&embeddings, s.threshold, s.neighbours, include);
        progress.finish();
        per_view.push(pairs);
        stats.push((SEMANTIC, st));
        sources.push(SEMANTIC);
    }
    let grouped_documents = represented_by.iter().enumerate().filter(|&(i, &r)| r != i as u32).count();
    let mut candidates = merge_views(per_view);
    if against {
        candidates = across(candidates, &docs, &represented_by);
    }
    if let Some(window) = config.window_days {
        candidates.retain(|&(key, _)| {
            let (a, b) = unpack(key);
            match (docs[a as usize].day, docs[b as usize].day) {
                (Some(x), Some(y)) => (x - y).abs() <= window,
                _ => true,
            }
        });
    }
    let candidate_pairs = candidates.len();
    let mut pairs = exact_duplicates_of_short(&docs, &exact, against);

    if config.candidates_only && config.count_only {
        let counted_pairs = Some(pairs.len() + candidates.len());
        return Ok(Scan {
            documents: docs,
            candidates: stats,
            candidate_pairs,
            grouped_documents,
            counted_pairs,
            problems,
            sources,
            ..Scan::default()
        });
    }
    if config.candidates_only {
        pairs.extend(candidates.into_iter().map(|(key, views)| {
            let (a, b) = unpack(key);
            ScoredPair {
                a,
                b,
                relation: None,
                verified: false,
                confidence: 0.0,
                source: None,
                lean: None,
                alignment: Alignment::default(),
                views,
                evidence: Vec::new(),
            }
        }));
        pairs.sort_unstable_by_key(|p| (p.a, p.b));
        let clusters = clusters(pairs.iter(), docs.len());
        return Ok(Scan {
            documents: docs,
            pairs,
            clusters,
            candidates: stats,
            candidate_pairs,
            grouped_documents,
            counted_pairs: None,
            problems,
            sources,
        });
    }

    // Verify: analyse each document of a candidate pair once, then score the pairs. Documents are found
    // through dense per-document tables (a slot index, a neighbour list), not hash maps. A member of a
    // near-duplicate group whose only pair is the one with its leader (or, against a reference
    // collection, with the reference its leader was paired with) is analysed while that pair is scored
    // and dropped after it, so the analyses held at once are those of leaders and of documents
    // with other pairs (a crawl's copies would otherwise all be in memory together).
    let mut degree = vec![0u32; docs.len()];
    for &(key, _) in &candidates {
        let (a, b) = unpack(key);
        degree[a as usize] += 1;
        degree[b as usize] += 1;
    }
    let streamed = |key: PairKey| -> Option<u32> {
        let (a, b) = unpack(key);
        [(a, b), (b, a)]
            .into_iter()
            .find(|&(m, l)| {
                represented_by[m as usize] != m && represented_by[l as usize] == l && degree[m as usize] == 1
            })
            .map(|(m, _)| m)
    };
    let mut needed: Vec<u32> = candidates
        .iter()
        .flat_map(|&(key, _)| {
            let (a, b) = unpack(key);
            let member = streamed(key);
            [a, b].into_iter().filter(move |&d| Some(d) != member)
        })
        .collect();
    needed.par_sort_unstable();
    needed.dedup();
    progress.stage("analysing", Some(needed.len() as u64), Unit::Documents);
    let load = |i: u32| -> std::result::Result<Analysis, Problem> {
        let d = &docs[i as usize];
        input::reload(&d.path, &d.origin, &config.input)
            .map(|text| Analysis::new(Tokens::new(&text), &freq))
            .map_err(|e| Problem::in_file(d.path.to_path_buf(), format!("cannot read again for verification: {e}")))
    };
    let loaded: Vec<std::result::Result<Analysis, Problem>> = needed
        .par_iter()
        .map(|&i| {
            let result = load(i);
            progress.inc(1);
            result
        })
        .collect();
    const NONE: u32 = u32::MAX;
    let mut slot: Vec<u32> = vec![NONE; docs.len()];
    let mut analyses: Vec<Analysis> = Vec::with_capacity(loaded.len());
    for (&i, r) in needed.iter().zip(loaded) {
        match r {
            Ok(a) => {
                slot[i as usize] = analyses.len() as u32;
                analyses.push(a);
            }
            Err(p) if config.input.strict => return Err(p.into()),
            Err(p) => problems.push(p),
        }
    }
    drop(needed);
    let analysis = |d: u32| match slot[d as usize] {
        NONE => None,
        s => Some(&analyses[s as usize]),
    };
    candidates.retain(|&(k, _)| {
        let (a, b) = unpack(k);
        let member = streamed(k);
        [a, b].into_iter().all(|d| Some(d) == member || analysis(d).is_some())
    });
    progress.stage("verifying", Some(candidates.len() as u64), Unit::Pairs);
    let neighbours = Neighbours::new(docs.len(), candidates.iter().map(|&(key, _)| unpack(key)));
    let mut unread = Vec::new();
    // The semantic view's sentence embeddings of a document, made the first time a pair asks for them (a
    // source is asked by each of its rewrites).
    let sentence_embeddings: Vec<std::sync::OnceLock<Vec<Embedding>>> = match model {
        Some(_) => (0..docs.len()).map(|_| std::sync::OnceLock::new()).collect(),
        None => Vec::new(),
    };
    // Each worker's buffers: the alignment's, and the encoder's for the semantic view's sentences.
    let score = |(scratch, encoder): &mut (AlignScratch, embed::Scratch), &(key, views): &(PairKey, ViewSet)| {
        let (a, b) = unpack(key);
        let own = match streamed(key) {
            Some(member) => match load(member) {
                Ok(analysis) => Some((member, analysis)),
                Err(problem) => return Err(problem),
            },
            None => None,
        };
        let get = |d: u32| match &own {
            Some((member, analysis)) if *member == d => Some(analysis),
            _ => analysis(d),
        };
        // Both are present: pairs without an analysis were dropped above.
        let (Some(x), Some(y)) = (get(a), get(b)) else { return Ok(None) };
        let mut alignment = align_with(x, y, scratch);
        let mut verdict = score::classify(x, y, &alignment);
        // The semantic view confirms what the wording alone does not show: the leads say the same thing,
        // and the texts go on saying it sentence after sentence (texts written apart on one topic open
        // alike too). Their sentences are embedded only for such pairs, from the texts read again.
        let mut semantic = None;
        if let (None, Some(s), Some(model)) = (verdict, &config.semantic, model.as_ref()) {
            let similarity = embed::similarity(&embeddings[a as usize], &embeddings[b as usize]);
            if similarity >= s.threshold {
                let mut sentences = |d: u32, analysis: &Analysis| {
                    sentence_embeddings[d as usize].get_or_init(|| {
                        let doc = &docs[d as usize];
                        let ranges = analysis.sentence_bytes();
                        input::reload(&doc.path, &doc.origin, &config.input)
                            .map(|text| model.embed_sentences(&text, ranges, MAX_SENTENCES, encoder))
                            .unwrap_or_default()
                    })
                };
                let (ex, ey) = (sentences(a, x), sentences(b, y));
                let r = embed::restatement(ex, ey, s.sentence_similarity);
                if let Some(confidence) = score::semantic_rewrite(&r, s) {
                    verdict = Some((Relation::Rewrite, confidence));
                    semantic = Some(Evidence {
                        signal: SEMANTIC,
                        favours: None,
                        detail: format!(
                            "the leads (first {} tokens) mean the same (embeddings' cosine similarity \
                             {similarity:.3}), {:.0}% of the shorter text's sentences restate the other's in \
                             order, and its sentences' closest matches reach {:.3} on average",
                            s.tokens,
                            100.0 * r.in_order_share(),
                            r.closeness
                        ),
                    });
                }
            }
        }
        progress.inc(1);
        let Some((relation, confidence)) = verdict else {
            alignment.sentences = Vec::new();
            return Ok(config.report_unrelated.then(|| ScoredPair {
                a,
                b,
                relation: None,
                verified: true,
                confidence: 0.0,
                source: None,
                lean: None,
                alignment,
                views,
                evidence: Vec::new(),
            }));
        };
        // Witnesses: related documents other than the pair, and other than near-duplicates of either
        // side (a copy of one side holds all of its wording and is no independent witness).
        let group = |d: u32| represented_by[d as usize];
        let third: Vec<&Analysis> = [a, b]
            .iter()
            .flat_map(|&d| {
                neighbours.of(d).iter().filter(|&&n| group(n) != group(a) && group(n) != group(b)).take(MAX_THIRD)
            })
            .filter_map(|&n| analysis(n))
            .collect();
        let side = |i: u32, an, coverage| {
            let d = &docs[i as usize];
            let field = |name: &str| d.extra.get(name).and_then(Value::as_str);
            Side { id: &d.id, analysis: an, coverage, date: d.day, url: field("url"), canonical: field("canonical") }
        };
        let (lean, mut evidence) = score::direction(
            relation,
            &alignment,
            &side(a, x, alignment.coverage_a),
            &side(b, y, alignment.coverage_b),
            &third,
            &freq,
        );
        evidence.extend(semantic);
        // Kept until the report, for each of what may be millions of pairs: no more room than used.
        alignment.sentences = Vec::new();
        alignment.passages.shrink_to_fit();
        for e in &mut evidence {
            e.detail.shrink_to_fit();
        }
        evidence.shrink_to_fit();
        Ok(Some(ScoredPair {
            a,
            b,
            relation: Some(relation),
            verified: true,
            confidence,
            source: None,
            lean: Some(lean),
            alignment,
            views,
            evidence,
        }))
    };
    // Scored a block at a time, so only one block's results are held beside the pairs kept.
    for block in candidates.chunks(SCORE_BLOCK) {
        let scored: Vec<std::result::Result<Option<ScoredPair>, Problem>> =
            block.par_iter().map_init(Default::default, score).collect();
        for result in scored {
            match result {
                Ok(pair) => pairs.extend(pair),
                Err(problem) => unread.push(problem),
            }
        }
    }
    progress.finish();
    // What verification held (the analyses above all) is freed before the pairs are oriented.
    drop(candidates);
    drop(neighbours);
    drop(analyses);
    drop(embeddings);
    drop(sentence_embeddings);
    if let (true, Some(p)) = (config.input.strict, unread.first()) {
        return Err(p.clone().into());
    }
    problems.extend(unread);
    progress.stage("orienting", None, Unit::Pairs);
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    let leanings: Vec<Leaning> = pairs
        .iter()
        .filter_map(|p| {
            let copies = matches!(p.relation, Some(Relation::Duplicate | Relation::NearDuplicate));
            p.lean.map(|lean| Leaning { a: p.a, b: p.b, lean, copies })
        })
        .collect();
    let oriented = score::orient(&leanings, |i| docs[i as usize].id.clone());
    for (p, (source, evidence)) in pairs.iter_mut().filter(|p| p.lean.is_some()).zip(oriented) {
        p.source = source;
        p.evidence.extend(evidence);
    }
    let clusters = clusters(pairs.iter().filter(|p| p.relation.is_some()), docs.len());
    progress.finish();
    Ok(Scan {
        documents: docs,
        pairs,
        clusters,
        candidates: stats,
        candidate_pairs,
        grouped_documents,
        counted_pairs: None,
        problems,
        sources,
    })
}

/// What signing a document needs to know.
struct Work<'a> {
    config: &'a Config,
    hashers: &'a [Hasher],
    /// Whether documents are tokenised (content and lead views, verification), not only hashed word by word.
    tokens: bool,
    /// Whether the run verifies: then the document's distinct stems and trigrams are collected for the
    /// collection's counts, and its rewording views are signed after reading, from `Signed::rewording`.
    verify: bool,
    /// The semantic view's model, when it is on.
    model: Option<&'a Model>,
}

/// A worker's buffers, reused from one document to the next.
#[derive(Default)]
struct Scratch {
    tokens: Tokens,
    words: Vec<u64>,
    masks: Masks,
    word: String,
    bytes: Vec<u8>,
    shingles: Vec<u64>,
    embed: embed::Scratch,
}

/// Signs `text` into `mins` (every view's lanes, in the order of the views) and collects what else is
/// kept of it.
fn sign(text: &str, work: &Work, scratch: &mut Scratch, mins: &mut [u32]) -> Signed {
    let Scratch { tokens, words, masks, word: scratch, bytes, shingles, embed } = scratch;
    let config = work.config;
    // Length in words, Chinese and Japanese characters counting as half a word each.
    let n_words = if work.tokens {
        tokenize_into(text, tokens, scratch);
        words.clear();
        words.extend(tokens.tokens.iter().map(|t| t.word));
        tokens.word_count()
    } else {
        word_hashes(text, words, masks, scratch)
    };
    let mut samples = Vec::new();
    let mut offset = 0;
    for (v, h) in config.views.iter().zip(work.hashers) {
        let k = v.num_hashes;
        if work.verify && v.view != View::Words {
            offset += k;
            continue;
        }
        shingles.clear();
        if v.view == View::Words {
            word_ngrams(words, v.shingle, config.seed, |x| shingles.push(x));
            if work.verify && config.passages {
                samples.extend(shingles.iter().filter(|&&x| x % PASSAGE_SAMPLE == 0));
                samples.sort_unstable();
                samples.dedup();
            }
        } else {
            v.view.shingles(&tokens.tokens, v.shingle, config.seed, |x| shingles.push(x));
        }
        h.update_all(&mut mins[offset..offset + k], shingles);
        offset += k;
    }
    // The hash of all the words is only needed for documents too short to compare otherwise.
    let mut exact = 0;
    if n_words < config.min_words {
        bytes.clear();
        bytes.extend(words.iter().flat_map(|w| w.to_le_bytes()));
        exact = xxh3_64(bytes);
    }
    let (mut rewording, mut lead_len, mut phrases) = (Vec::new(), 0, Vec::new());
    if work.verify {
        let lead_words = config.views.iter().find(|v| v.view == View::Lead).map_or(0, |v| v.shingle);
        let distinct = |tokens: &[crate::shingle::Token]| {
            let mut v: Vec<u64> = tokens.iter().filter(|t| t.is_content()).map(|t| t.stem).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let lead = distinct(crate::shingle::lead(&tokens.tokens, lead_words));
        lead_len = lead.len();
        let rest = distinct(&tokens.tokens).into_iter().filter(|s| lead.binary_search(s).is_err());
        rewording = lead.iter().copied().chain(rest).collect();
        phrases = trigram_hashes(&tokens.tokens);
    }
    // A text too short to judge is compared with no other (see `TOO_SHORT`).
    let embedding = match (work.model, &config.semantic) {
        (Some(model), Some(s)) if n_words >= config.min_words => model.embed(text, s.tokens, embed),
        _ => Vec::new(),
    };
    Signed { words: n_words, phrases, exact, rewording, lead_len, samples, embedding }
}

/// Reorders so that position `j` holds what was at `order[j]`, by following the permutation's cycles
/// and calling `swap` (which must swap two positions of everything being reordered).
fn permute(order: &[usize], mut swap: impl FnMut(usize, usize)) {
    let mut done = vec![false; order.len()];
    for start in 0..order.len() {
        let mut at = start;
        while !done[at] {
            done[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            swap(at, from);
            at = from;
        }
    }
}

/// A set of candidate sources: bit `k` for [`Scan::sources`]`[k]`.
pub type ViewSet = u32;

/// Dense union-find over indices (documents; eval's truth clusters), with path halving: the root of a set
/// is its smallest member.
pub(crate) fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// Joins the sets of `a` and `b` (see [`find`]).
pub(crate) fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    parent[ra.max(rb) as usize] = ra.min(rb);
}

/// Word 5-gram similarity (estimated from the signatures) at which documents are near-duplicates.
const NEAR_DUPLICATE_WORDS: f64 = 0.5;
/// Content-word similarity (estimated, common stems left out) at which documents are near-duplicates: the
/// same words with a few changed, which breaks many 5-grams of a short text.
const NEAR_DUPLICATE_CONTENT: f64 = 0.8;
/// Members a near-duplicate group needs to be compared through its leader.
const MIN_GROUP: u32 = 8;

/// Joins, in the union-find `parent`, the banded `pairs` whose signatures in one of `bars` estimate a
/// similarity of at least its bar: near-duplicates, in the words view (estimated 5-gram Jaccard ≥ 0.5) or
/// the content view (estimated Jaccard ≥ 0.8). A crawl holds many copies of one article; comparing every
/// copy with every rewrite of it would square the work. So the groups of eight or more documents joined
/// this way, transitively, are compared through their leader (see [`group_leaders`] and
/// [`through_leaders`]).
fn join_near_duplicates(parent: &mut [u32], bars: &[(&Signatures, f64)], pairs: &[PairKey]) {
    let close: Vec<bool> = pairs
        .par_iter()
        .map(|&key| {
            let (a, b) = unpack(key);
            bars.iter().any(|(m, bar)| estimate(m.mins(a as usize), m.mins(b as usize)) >= *bar)
        })
        .collect();
    for (&key, _) in pairs.iter().zip(&close).filter(|(_, c)| **c) {
        let (a, b) = unpack(key);
        union(parent, a, b);
    }
}

/// Each document's leader: the first document of its group when the group has eight or more members,
/// itself otherwise. Only the leader takes part in later views and passages; the other members are
/// compared with their leader (a star, not every pair of the group) and their relations to other texts
/// go through it. Small groups are compared in full: it costs little, and every member keeps its own
/// pairs.
fn group_leaders(parent: &mut [u32]) -> Vec<u32> {
    let n = parent.len();
    let root: Vec<u32> = (0..n as u32).map(|i| find(parent, i)).collect();
    let mut size = vec![0u32; n];
    for &r in &root {
        size[r as usize] += 1;
    }
    root.iter().enumerate().map(|(i, &r)| if size[r as usize] >= MIN_GROUP { r } else { i as u32 }).collect()
}

/// Against a reference collection, a group's leader is its first reference document when it has one, so
/// that the star from the leader pairs each scanned copy with a reference original.
fn prefer_reference_leaders(leader: &[u32], docs: &[DocInfo]) -> Vec<u32> {
    let mut first_reference = vec![u32::MAX; leader.len()];
    for (i, &l) in leader.iter().enumerate() {
        if docs[i].reference && first_reference[l as usize] == u32::MAX {
            first_reference[l as usize] = i as u32;
        }
    }
    leader
        .iter()
        .map(|&l| if first_reference[l as usize] == u32::MAX { l } else { first_reference[l as usize] })
        .collect()
}

/// Against a reference collection: the candidate pairs of a reference and a scanned document, sorted.
/// A scanned document that leads a group of copies (which has no reference document, or a reference
/// would lead it) stands for its members too: each member is paired with the reference document as
/// well, so every copy is reported with its original, not only through its group's leader.
fn across(candidates: Vec<(PairKey, ViewSet)>, docs: &[DocInfo], leader: &[u32]) -> Vec<(PairKey, ViewSet)> {
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (i, &l) in leader.iter().enumerate().filter(|&(i, &l)| l != i as u32) {
        members.entry(l).or_default().push(i as u32);
    }
    let mut out = Vec::with_capacity(candidates.len());
    for (key, views) in candidates {
        let (a, b) = unpack(key);
        let (reference, scanned) = match (docs[a as usize].reference, docs[b as usize].reference) {
            (true, false) => (a, b),
            (false, true) => (b, a),
            _ => continue,
        };
        out.push((key, views));
        let copies = members.get(&scanned).map_or(&[][..], Vec::as_slice);
        out.extend(copies.iter().map(|&m| (pair_key(reference, m), views)));
    }
    out.sort_unstable_by_key(|&(key, _)| key);
    out
}

/// The pairs of a view to verify once groups are known: within a group only the star from its leader;
/// across groups, the pair of their leaders (a member's relations to other texts go through its
/// leader, so copies do not multiply the pairs).
fn through_leaders(pairs: Vec<PairKey>, leader: &[u32]) -> Vec<PairKey> {
    let mut out: Vec<PairKey> = pairs
        .into_iter()
        .filter_map(|key| {
            let (a, b) = unpack(key);
            let (la, lb) = (leader[a as usize], leader[b as usize]);
            if la == lb { (la == a || la == b).then_some(key) } else { Some(pair_key(la, lb)) }
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Merges per-view sorted, duplicate-free pair lists into one sorted list of pairs with their views.
fn merge_views(per_view: Vec<Vec<PairKey>>) -> Vec<(PairKey, ViewSet)> {
    if per_view.len() == 1 {
        return per_view.into_iter().flatten().map(|k| (k, 1)).collect();
    }
    let mut all: Vec<(PairKey, ViewSet)> = Vec::with_capacity(per_view.iter().map(Vec::len).sum());
    for (k, pairs) in per_view.into_iter().enumerate() {
        all.extend(pairs.into_iter().map(|p| (p, 1 << k)));
    }
    all.par_sort_unstable();
    all.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 |= next.1;
        }
        same
    });
    all
}

/// Parses the lines of JSON Lines input on the thread pool.
struct ParallelParse;

impl input::ParseMap for ParallelParse {
    fn map(&self, n: usize, f: &(dyn Fn(usize) -> input::ParsedLine + Sync)) -> Vec<input::ParsedLine> {
        (0..n).into_par_iter().map(f).collect()
    }
}

/// Documents too short to judge are still duplicates of identical ones: each such group is reported as
/// `duplicate` pairs from its first member.
fn exact_duplicates_of_short(docs: &[DocInfo], exact: &[u64], against: bool) -> Vec<ScoredPair> {
    let mut groups: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for (i, (d, &e)) in docs.iter().zip(exact).enumerate() {
        if d.skipped == Some(TOO_SHORT) {
            groups.entry(e).or_default().push(i as u32);
        }
    }
    let reference = |i: u32| docs[i as usize].reference;
    let mut out = Vec::new();
    for members in groups.values_mut().filter(|m| m.len() > 1) {
        // Each is paired with the first; against a reference collection, the first reference document
        // with each scanned one.
        if against {
            members.sort_by_key(|&i| !reference(i));
        }
        let first = members[0];
        for &other in members[1..].iter().filter(|&&o| !against || reference(o) != reference(first)) {
            out.push(ScoredPair {
                a: first.min(other),
                b: first.max(other),
                relation: Some(Relation::Duplicate),
                verified: true,
                confidence: 1.0,
                source: None,
                lean: Some(Lean::Settled(None)),
                alignment: Alignment { jaccard5: 1.0, coverage_a: 1.0, coverage_b: 1.0, ..Alignment::default() },
                views: 0,
                evidence: vec![Evidence {
                    signal: "duplicate",
                    favours: None,
                    detail: "identical words in a text too short to judge otherwise".into(),
                }],
            });
        }
    }
    out
}

/// Gives repeated ids a `#2`, `#3`… suffix, in the fixed document order.
fn make_ids_unique(docs: &mut [DocInfo]) {
    // Sorted by id, so the documents sharing one are neighbours.
    for same in docs.chunk_by_mut(|a, b| a.id == b.id) {
        for (k, d) in same.iter_mut().enumerate().skip(1) {
            d.id = format!("{}#{}", d.id, k + 1);
        }
    }
}

/// Connected components of the reported pairs, with the source of each when one document is the source
/// of others and derived from none. Clusters come out ordered by their smallest member.
fn clusters<'a>(pairs: impl Iterator<Item = &'a ScoredPair> + Clone, documents: usize) -> Vec<Cluster> {
    const NONE: u32 = u32::MAX;
    let mut parent: Vec<u32> = Vec::new();
    // Per document: 0 not in a pair, 1 in a pair, 2 the source of some pair and derived in none, 3 derived.
    let mut role = vec![0u8; documents];
    for p in pairs.clone() {
        if parent.is_empty() {
            parent = (0..documents as u32).collect();
        }
        union(&mut parent, p.a, p.b);
        for d in [p.a, p.b] {
            role[d as usize] = role[d as usize].max(1);
        }
    }
    for p in pairs {
        if let Some(s) = p.source {
            let derived = if s == p.a { p.b } else { p.a };
            role[s as usize] = role[s as usize].max(2);
            role[derived as usize] = 3;
        }
    }
    let mut cluster_of = vec![NONE; if parent.is_empty() { 0 } else { documents }];
    let mut out: Vec<Cluster> = Vec::new();
    let mut sources: Vec<Vec<u32>> = Vec::new();
    for d in 0..documents as u32 {
        if role[d as usize] == 0 {
            continue;
        }
        // The root is the smallest member, so its cluster was made when `d` was the root.
        let r = find(&mut parent, d);
        if cluster_of[r as usize] == NONE {
            cluster_of[r as usize] = out.len() as u32;
            out.push(Cluster { source: None, members: Vec::new() });
            sources.push(Vec::new());
        }
        let c = cluster_of[r as usize] as usize;
        out[c].members.push(d);
        if role[d as usize] == 2 {
            sources[c].push(d);
        }
    }
    for (c, roots) in out.iter_mut().zip(sources) {
        if roots.len() == 1 {
            c.source = Some(roots[0]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_go_through_group_leaders() {
        // Documents 0-2 are a group led by 0, 3-4 a group led by 3, 5 stands alone.
        let leader = [0, 0, 0, 3, 3, 5];
        let pairs =
            vec![pair_key(0, 1), pair_key(1, 2), pair_key(1, 4), pair_key(2, 5), pair_key(0, 5), pair_key(3, 4)];
        // Within a group only the star from its leader; across groups the leaders' pair, once.
        let want = vec![pair_key(0, 1), pair_key(0, 3), pair_key(0, 5), pair_key(3, 4)];
        assert_eq!(through_leaders(pairs, &leader), want);
    }

    #[test]
    fn against_a_reference_only_cross_pairs_each_copy_with_its_original() {
        // 0 and 4 are reference documents. Documents 0-3 are a group: its leader becomes 0, the reference
        // (found through 1, its first member). 5-7 are a scanned group led by 5; 8 stands alone.
        let docs: Vec<DocInfo> = (0..9).map(|i| DocInfo { reference: i == 0 || i == 4, ..DocInfo::stub("") }).collect();
        let leader = prefer_reference_leaders(&[1, 1, 1, 1, 4, 5, 5, 5, 8], &docs);
        assert_eq!(leader, [0, 0, 0, 0, 4, 5, 5, 5, 8]);
        let pairs = through_leaders(
            vec![
                pair_key(0, 1),
                pair_key(0, 2),
                pair_key(0, 3),
                pair_key(0, 4),
                pair_key(4, 5),
                pair_key(6, 7),
                pair_key(7, 8),
            ],
            &leader,
        );
        let candidates = pairs.into_iter().map(|k| (k, 1)).collect();
        // Kept: the star from reference 0 to scanned 1-3, and 4 with 5 and, through 5, with 6 and 7. Not
        // 0-4 (two references), 5-8 (two scanned; 7-8 went to their leaders 5 and 8).
        let want: Vec<(PairKey, ViewSet)> =
            [(0, 1), (0, 2), (0, 3), (4, 5), (4, 6), (4, 7)].iter().map(|&(a, b)| (pair_key(a, b), 1)).collect();
        assert_eq!(across(candidates, &docs, &leader), want);
    }

    #[test]
    fn near_duplicates_join_by_either_view() {
        // Minima agreeing in `same` of 128 lanes estimate a similarity of `same / 128`.
        let matrix = |rows: &[usize]| {
            let mut m = Signatures::new(MinHashParams { view: View::Words, shingle: 5, num_hashes: 128, seed: 0 });
            for (doc, &same) in rows.iter().enumerate() {
                let mins: Vec<u32> =
                    (0..128u32).map(|l| if (l as usize) < same { l } else { 1000 + 128 * doc as u32 + l }).collect();
                m.extend_empty(1).copy_from_slice(&mins);
            }
            m
        };
        // Document 0 is the original. By words, 1 is close to it (estimate 0.75) and 2 is not (0.25); by
        // content, 2 is (0.875) and 3 is not (0.5).
        let words = matrix(&[128, 96, 32, 32]);
        let content = matrix(&[128, 128, 112, 64]);
        let bars = [(&words, NEAR_DUPLICATE_WORDS), (&content, NEAR_DUPLICATE_CONTENT)];
        let mut parent: Vec<u32> = (0..4).collect();
        join_near_duplicates(&mut parent, &bars, &[pair_key(0, 1), pair_key(0, 2), pair_key(0, 3)]);
        let roots: Vec<u32> = (0..4).map(|i| find(&mut parent, i)).collect();
        assert_eq!(roots, [0, 0, 0, 3]);
    }
}
