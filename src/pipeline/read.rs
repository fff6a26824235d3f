//! The first stage: read the documents and sign them. Reading (decompressing, cutting lines) runs on a
//! thread of its own and hands batches over; each batch is signed in parallel straight into one flat
//! signature matrix a view, so a document's state is its signatures plus its [`DocInfo`] and its text is
//! dropped once signed. When the run verifies, the rewording views (content, lead) are signed only once
//! reading is done (`Sketches::sign_rewording`), from each document's distinct stems, without the stems
//! common to the collection, which are known only then. The result, a [`SignedCorpus`], has its documents
//! in a fixed order (by id), whatever the order of the input or the number of threads.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::Plan;
use crate::boilerplate::{Boilerplate, Learner};
use crate::config::Config;
use crate::embed::{self, Embedding};
use crate::error::{Error, Result};
use crate::frequencies::{Frequencies, phrase_hashes};
use crate::input::{self, Document, InputFile, Problem};
use crate::minhash::{EMPTY, Signatures};
use crate::progress::{Progress, Unit, go_on};
use crate::ragged::Ragged;
use crate::scan::DocInfo;
use crate::shingle::{Masks, Token, Tokens, View, lead, tokenize_into, word_hashes, word_ngrams};

/// Why a document with fewer than `min_words` words is not compared (it is still matched as an exact
/// duplicate, see [`super::exact_duplicates_of_short`]).
pub(super) const TOO_SHORT: &str = "too short to judge";
/// Documents signed together between reads; bounds the texts held at once.
const BATCH: usize = 4096;
/// One word n-gram in this many is sampled for the passages candidate source (by hash, so every document
/// samples the same n-grams): a passage of 25 words shares about 2.6 sampled 5-grams.
const PASSAGE_SAMPLE: u64 = 8;

/// What a scan reads: documents given in memory, then files (the reference collection's among them).
pub(super) struct Inputs<'a> {
    /// Documents the caller holds (see [`crate::pipeline::scan_documents`]).
    pub documents: Box<dyn Iterator<Item = Document> + Send + 'a>,
    /// Files to read, in order.
    pub files: Vec<InputFile>,
    /// The files of the reference collection (`--against`).
    pub reference: HashSet<PathBuf>,
}

/// What candidate generation consumes of each document, freed once it is done: the signatures of each
/// view (in the fixed document order) and, kept in read order and found through `read_index`, the stems
/// the rewording views are signed from and the sampled n-grams of the passages source.
#[derive(Default)]
pub struct Sketches {
    /// One matrix a view, in the order of [`crate::config::Config::views`]; a rewording view's is empty until
    /// `Sketches::sign_rewording`.
    pub signatures: Vec<Signatures>,
    /// Each document's distinct content stems (the high halves of their hashes), the lead's first; empty
    /// for a document of `stored` ([`Sketches::stems_of`] reads those).
    pub stems: Ragged<u32>,
    /// How many of a document's `stems` are its lead's.
    pub lead_stems: Vec<usize>,
    /// Each document's distinct sampled word n-grams (one in eight by hash); empty for a document of
    /// `stored` ([`Sketches::samples_of`] reads those).
    pub samples: Ragged<u64>,
    /// For each document in the fixed order, its position in read order.
    pub read_index: Vec<usize>,
    /// Where the stems and samples of the first documents in read order are kept instead (an index's, as
    /// the reference collection): each store with the read position of its first document.
    pub stored: Vec<(usize, Arc<dyn SketchStore>)>,
}

/// Stems and samples kept outside memory and read a document at a time when asked: an index segment's. A
/// query signs the rewording views and samples passages only for the archived documents that take part
/// (near-duplicate groups' leaders: at a million archived articles, one in fourteen), so the rest are
/// never decoded.
pub trait SketchStore: Send + Sync {
    /// How many documents it holds.
    fn documents(&self) -> usize;
    /// Document `doc`'s distinct content stems, its lead's `lead` first, as [`Sketches::stems`] holds them.
    fn stems(&self, doc: usize, lead: usize) -> Result<Vec<u32>>;
    /// Document `doc`'s distinct sampled word n-grams, as [`Sketches::samples`] holds them.
    fn samples(&self, doc: usize) -> Result<Vec<u64>>;
}

impl Sketches {
    /// The store holding the document at read position `read`, and its number there.
    fn store_of(&self, read: usize) -> Option<(&dyn SketchStore, usize)> {
        let k = self.stored.partition_point(|(first, _)| *first <= read).checked_sub(1)?;
        let (first, store) = &self.stored[k];
        (read - first < store.documents()).then(|| (store.as_ref(), read - first))
    }

    /// The stems of the document at read position `read` (see [`Sketches::stems`]).
    pub fn stems_of(&self, read: usize) -> Result<Cow<'_, [u32]>> {
        match self.store_of(read) {
            Some((store, doc)) => Ok(Cow::Owned(store.stems(doc, self.lead_stems[read])?)),
            None => Ok(Cow::Borrowed(self.stems.row(read))),
        }
    }

    /// The sampled n-grams of the document at read position `read` (see [`Sketches::samples`]).
    pub fn samples_of(&self, read: usize) -> Result<Cow<'_, [u64]>> {
        match self.store_of(read) {
            Some((store, doc)) => Ok(Cow::Owned(store.samples(doc)?)),
            None => Ok(Cow::Borrowed(self.samples.row(read))),
        }
    }

    /// The signatures of rewording view `k`, in document order, from the stems kept: each document's
    /// stems (or its lead's) less those common to the collection, seeded as every shingle is. Only the
    /// documents `j` with `wanted(j)` are signed; the others read as empty and take no room (a signature
    /// is the document's own, whichever others are signed).
    pub(super) fn sign_rewording(
        &self,
        k: usize,
        plan: &Plan,
        frequencies: &Frequencies,
        wanted: impl Fn(usize) -> bool + Sync,
    ) -> Result<Signatures> {
        let (v, hasher) = (&plan.config.views[k], &plan.hashers[k]);
        let n = self.read_index.len();
        let signed: Vec<usize> = (0..n).into_par_iter().filter(|&j| wanted(j)).collect();
        let mut m = if signed.len() == n {
            Signatures::empty(hasher.params(), n)
        } else {
            Signatures::some(hasher.params(), n, &signed)
        };
        let rows = m.rows_mut().par_chunks_mut(v.num_hashes).zip(&signed);
        rows.try_for_each_init(Vec::new, |shingles, (row, &j)| -> Result<()> {
            let read = self.read_index[j];
            let stems = self.stems_of(read)?;
            let stems = if v.view == View::Lead { &stems[..self.lead_stems[read]] } else { &stems[..] };
            shingles.clear();
            let stems = stems.iter().map(|&high| (high as u64) << 32);
            shingles.extend(stems.filter(|&s| !frequencies.is_common(s)).map(|s| s ^ plan.config.seed));
            hasher.update_all(row, shingles);
            Ok(())
        })?;
        Ok(m)
    }
}

/// Every document read and signed, in a fixed order (by id, then path), ids made unique and those too
/// short to compare marked.
pub struct SignedCorpus {
    pub documents: Vec<DocInfo>,
    /// The hash of all the words of each document (when verifying; else only of those too short to
    /// compare otherwise, 0 for the others).
    pub exact: Vec<u64>,
    /// The collection's stem and phrase counts.
    pub frequencies: Frequencies,
    /// The semantic view's embedding of each document's lead (empty when the view is off).
    pub embeddings: Vec<Embedding>,
    /// Each document's names and numbers (numbers and capitalised words; empty when the semantic view is
    /// off): the view's blocking keys, and what verification asks a pair it confirms to share.
    pub specifics: Vec<Vec<u64>>,
    /// What candidate generation consumes.
    pub sketches: Sketches,
    /// Input that was damaged, unreadable or read lossily.
    pub problems: Vec<Problem>,
    /// Documents whose id another had first, renamed `ID#2`… ([`settle`]), by place.
    pub renamed_ids: Vec<u32>,
    /// Each document's text compressed (zstd), when [`Prior::keep_texts`] asked for them (for an index).
    pub texts: Vec<Vec<u8>>,
}

/// What a run starts from besides its inputs: an index's documents ([`crate::index`]), already signed,
/// and the collection statistics they were counted into.
#[derive(Default)]
pub struct Prior {
    /// The stem and phrase counts to add the documents read to (empty for a collection of its own).
    pub frequencies: Frequencies,
    /// The word hashes ([`SignedCorpus::exact`]) of the texts counted in `frequencies`: a text read again
    /// (a copy) is not counted twice.
    pub seen: HashSet<u64>,
    /// Signed documents joined to those read as if read after them (an index's, as the reference
    /// collection): in their fixed order, ids as read (not yet made unique).
    pub archive: Option<Archive>,
    /// Keep each document's text, compressed, in [`SignedCorpus::texts`].
    pub keep_texts: bool,
    /// The documents read are counted in `frequencies` already (a part of a collection whose statistics
    /// were gathered beforehand, [`super::parts`]): they are not counted again.
    pub counted: bool,
    /// The documents come in their fixed order already, ids made unique (a part of a collection, ordered
    /// with the whole, [`super::parts`]): kept in the order given, where sorting the ids made unique
    /// (`x#10` before `x#9`) would not give the whole's order.
    pub in_order: bool,
}

/// Documents signed before (an index's): what [`Sketches`] and [`SignedCorpus`] hold of each, in one
/// fixed order.
pub struct Archive {
    pub documents: Vec<DocInfo>,
    pub exact: Vec<u64>,
    /// The signatures of the views signed when read (the words view), one matrix a view of
    /// [`crate::config::Config::views`] (empty for the others).
    pub signatures: Vec<Signatures>,
    pub lead_stems: Vec<usize>,
    /// Where their stems and samples are kept, in order, holding every document between them.
    pub stored: Vec<Arc<dyn SketchStore>>,
}

/// Reads `inputs` and signs every document.
pub(super) fn read_and_sign(inputs: Inputs, plan: &Plan, progress: &dyn Progress) -> Result<SignedCorpus> {
    let mut corpus = read_signed(inputs, plan, Prior::default(), progress)?;
    settle(&mut corpus, plan);
    Ok(corpus)
}

/// Makes ids unique and marks the documents too short to compare (see [`TOO_SHORT`]), once the documents
/// of a run are all in their fixed order.
pub(super) fn settle(corpus: &mut SignedCorpus, plan: &Plan) {
    corpus.renamed_ids = make_ids_unique(&mut corpus.documents);
    // Short and empty documents are not compared, but identical ones are still duplicates.
    for d in corpus.documents.iter_mut() {
        if d.words == 0 {
            d.skipped = Some("empty");
        } else if d.words < plan.config.min_words {
            d.skipped = Some(TOO_SHORT);
        }
    }
}

/// Reads `inputs` once to learn their sites' page furniture ([`crate::boilerplate`]), before they are read
/// and signed: the documents given in memory are kept to be read again; standard input cannot be.
pub(super) fn learn_boilerplate<'a>(
    inputs: Inputs<'a>,
    config: &Config,
    progress: &dyn Progress,
) -> Result<(Inputs<'a>, Boilerplate)> {
    let Inputs { documents, files, reference } = inputs;
    let once = |f: &&InputFile| input::is_stdin(&f.path) || std::fs::metadata(&f.path).is_ok_and(|m| !m.is_file());
    if let Some(once) = files.iter().find(once) {
        return Err(Error::Config(format!(
            "--boilerplate reads the inputs twice, and {} (standard input or a pipe) can be read once",
            crate::escape::path_text(&once.path)
        )));
    }
    let total_bytes = files.iter().map(|f| input::file_size(&f.path)).sum();
    progress.stage("finding page furniture", Some(total_bytes), Unit::Bytes);
    let mut learner = Learner::default();
    let documents: Vec<Document> = documents.collect();
    for d in &documents {
        learner.add(&d.text, d.url());
    }
    for file in &files {
        // What cannot be read is reported when the inputs are read for comparison.
        let mut emit = |d: Document| learner.add(&d.text, d.url());
        let _ = input::read_with(file, &config.input, &ParallelParse, &mut emit, &mut |_| {}, progress);
    }
    progress.finish();
    let inputs = Inputs { documents: Box::new(documents.into_iter()), files, reference };
    Ok((inputs, learner.finish(config.min_words)))
}

/// Reads `inputs` and signs every document, counted into `prior`'s statistics and joined by its
/// archive; in the fixed order, ids as read (see [`settle`]).
pub(super) fn read_signed(inputs: Inputs, plan: &Plan, prior: Prior, progress: &dyn Progress) -> Result<SignedCorpus> {
    let config = plan.config;
    // Standard input's length is not known in advance.
    let total_bytes = (!inputs.files.iter().any(|f| input::is_stdin(&f.path)))
        .then(|| inputs.files.iter().map(|f| input::file_size(&f.path)).sum());
    progress.stage("reading", total_bytes, Unit::Bytes);
    let Prior { frequencies, seen, archive, keep_texts, counted, in_order } = prior;
    let mut signer = Signer::new(plan);
    (signer.counted, signer.in_order) = (counted, in_order);
    (signer.frequencies, signer.distinct_texts, signer.keep_texts) = (frequencies, seen, keep_texts);
    let Inputs { documents, files, reference } = inputs;
    // Reading (decompressing, cutting lines) runs on a thread of its own and hands batches over, so the
    // serial part of reading overlaps the signing of the batch before. Batches keep the read order.
    let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Document>>(1);
    let reading = std::thread::scope(|scope| {
        let reader = scope.spawn(|| -> Result<Vec<Problem>> {
            // Owned here, so the channel closes when reading ends.
            let batches = batches;
            let mut problems = Vec::new();
            let mut batch = Vec::with_capacity(BATCH);
            let mut emit = |d: Document| {
                // Cancelled: the rest is read through (a file is not left half-parsed) but not kept.
                if progress.cancelled() {
                    return;
                }
                batch.push(d);
                if batch.len() >= BATCH {
                    // The receiver only goes away if signing panicked; the panic is re-raised below.
                    let _ = batches.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                }
            };
            // A document given in memory keeps no date that does not read as one, as a record read from a
            // file keeps none; one problem counts them and quotes the first (by its index among them, from
            // 0, as the caller's list counts it and as the Python package's own messages do).
            let mut unread = (0, None);
            for (k, mut d) in documents.enumerate() {
                // Read as a file's record is: a blank date is none, passed-through fields past a kilobyte
                // are dropped, a text past `max_document_bytes` is cut (said).
                d.date.take_if(|date| date.trim().is_empty());
                input::keep_small_fields(&mut d.extra);
                let len = d.text.len();
                if let Some(cut) = input::cut_to(&mut d.text, config.input.max_document_bytes) {
                    let message =
                        format!("document {k} (id {:?}): document of {len} bytes cut to the first {cut}", d.id);
                    problems.push(Problem::in_file(input::MEMORY_PATH, message));
                    // What verification reads again is the text as cut, not as given.
                    if let input::Origin::Memory(_) = d.origin {
                        d.origin = input::Origin::Memory(d.text.as_str().into());
                    }
                }
                if let Some(date) = d.date.take_if(|date| input::parse_day(date).is_none()) {
                    unread.0 += 1;
                    unread.1.get_or_insert((k as u64, date));
                }
                emit(d);
            }
            if let (count, Some((first, date))) = unread {
                let message = input::unread_dates_message("date", count, ("document", first), &date);
                problems.push(Problem::in_file(input::MEMORY_PATH, message));
            }
            for file in &files {
                go_on(progress)?;
                let mut problem = |p: Problem| problems.push(p);
                if let Err(e) = input::read_with(file, &config.input, &ParallelParse, &mut emit, &mut problem, progress)
                {
                    // A full temporary folder (the spill store) is the run's failure, not this file's.
                    if config.input.strict || matches!(e, Error::Spill { .. }) {
                        return Err(e);
                    }
                    problems.push(Problem::from_error(e, &file.path));
                }
            }
            let _ = batches.send(batch);
            Ok(problems)
        });
        for batch in received {
            signer.sign_batch(batch);
        }
        reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let read_problems = reading?;
    progress.finish();
    go_on(progress)?;
    if let Some(archive) = archive {
        signer.join(archive);
    }
    let mut corpus = signer.finish();
    corpus.problems = read_problems;
    if !config.against.is_empty() {
        corpus.documents.iter_mut().for_each(|d| d.reference = reference.contains(&*d.path));
    }
    Ok(corpus)
}

/// Signs batches of documents as they are read, into what becomes the [`SignedCorpus`].
struct Signer<'a> {
    plan: &'a Plan<'a>,
    /// Tokens (with stems, flags and sentences) feed the content and lead views and the frequencies
    /// verification weighs terms by; the plain MinHash-LSH job over verbatim words needs word hashes only.
    tokens: bool,
    /// A batch's minima, all views of a document in a row (`lanes` wide), reused from batch to batch.
    rows: Vec<u32>,
    lanes: usize,
    documents: Vec<DocInfo>,
    exact: Vec<u64>,
    frequencies: Frequencies,
    /// The word hashes ([`DocumentSketch::exact`]) of the texts counted in `frequencies`.
    distinct_texts: HashSet<u64>,
    embeddings: Vec<Embedding>,
    specifics: Vec<Vec<u64>>,
    sketches: Sketches,
    keep_texts: bool,
    texts: Vec<Vec<u8>>,
    /// Whether the documents are counted in `frequencies` already (see [`Prior::counted`]).
    counted: bool,
    /// Whether the documents come in their fixed order already (see [`Prior::in_order`]).
    in_order: bool,
}

impl<'a> Signer<'a> {
    fn new(plan: &'a Plan) -> Signer<'a> {
        let config = plan.config;
        Signer {
            plan,
            tokens: plan.verify || config.semantic.is_some() || config.views.iter().any(|v| v.view != View::Words),
            rows: Vec::new(),
            lanes: config.views.iter().map(|v| v.num_hashes).sum(),
            documents: Vec::new(),
            exact: Vec::new(),
            frequencies: Frequencies::new(),
            distinct_texts: HashSet::new(),
            embeddings: Vec::new(),
            specifics: Vec::new(),
            sketches: Sketches {
                signatures: plan.hashers.iter().map(|h| Signatures::new(h.params())).collect(),
                ..Sketches::default()
            },
            keep_texts: false,
            texts: Vec::new(),
            counted: false,
            in_order: false,
        }
    }

    /// Joins documents signed before (their statistics are already counted). The archive's tables are
    /// large and the documents read are few, so those read are appended to the archive's tables rather
    /// than the archive copied after them: in read order the archive comes first. The fixed order is the
    /// same either way, as it sorts by id and path and only documents of the same file keep their read
    /// order, and a query's files are not the archive's.
    fn join(&mut self, archive: Archive) {
        let Archive { mut documents, mut exact, signatures, mut lead_stems, stored } = archive;
        for (m, mut from) in self.sketches.signatures.iter_mut().zip(signatures) {
            if !from.is_empty() {
                from.extend_empty(m.len()).copy_from_slice(m.rows());
                *m = from;
            }
        }
        // The archive's stems and samples stay in its stores: empty rows here.
        let mut first = 0;
        for store in stored {
            let n = store.documents();
            self.sketches.stored.push((first, store));
            first += n;
        }
        let (mut stems, mut samples) = (Ragged::empty_rows(documents.len()), Ragged::empty_rows(documents.len()));
        stems.append(&self.sketches.stems);
        samples.append(&self.sketches.samples);
        lead_stems.append(&mut self.sketches.lead_stems);
        exact.append(&mut self.exact);
        documents.append(&mut self.documents);
        (self.sketches.stems, self.sketches.samples, self.sketches.lead_stems) = (stems, samples, lead_stems);
        (self.exact, self.documents) = (exact, documents);
    }

    /// Signs a batch in parallel, each document into its row and turned into its `DocInfo` by a worker,
    /// which drops its text; then appends the batch's results in read order.
    fn sign_batch(&mut self, batch: Vec<Document>) {
        let (plan, tokens, lanes, keep_texts) = (self.plan, self.tokens, self.lanes, self.keep_texts);
        self.rows.clear();
        self.rows.resize(batch.len() * lanes, EMPTY);
        let out: Vec<(DocInfo, DocumentSketch)> = batch
            .into_par_iter()
            .zip(self.rows.par_chunks_mut(lanes))
            .map_init(Scratch::default, |scratch, (d, row)| {
                let mut sketch = sign(&plan.boilerplate.strip(&d.text, d.url()), plan, tokens, scratch, row);
                if keep_texts {
                    // Level 3, zstd's default: a news article compresses about twofold on its own. Each
                    // frame carries its content's checksum, so a damaged text in an index's store is found
                    // when it is read (the store is too big to check whole on every open).
                    let compressor = match &mut scratch.compressor {
                        Some(c) => Some(c),
                        slot => zstd::bulk::Compressor::new(3)
                            .and_then(|mut c| {
                                c.set_parameter(zstd::stream::raw::CParameter::ChecksumFlag(true)).map(|_| c)
                            })
                            .ok()
                            .map(|c| slot.insert(c)),
                    };
                    sketch.stored = compressor.and_then(|c| c.compress(d.text.as_bytes()).ok()).unwrap_or_default();
                }
                let crawled = d.extra.get("crawled").and_then(serde_json::Value::as_str);
                let (day, precision) = input::publication(d.date.as_deref(), crawled);
                let info = DocInfo {
                    day,
                    precision,
                    id: d.id,
                    path: d.path,
                    origin: d.origin,
                    bytes: d.text.len(),
                    words: sketch.words,
                    date: d.date,
                    extra: d.extra.into(),
                    skipped: None,
                    reference: false,
                };
                (info, sketch)
            })
            .collect();
        if plan.counts_collection() && !self.counted {
            // Copies count once: a text's words are counted the first time they are read, so that a crawl's
            // hundred copies of an article do not make its own wording look common (stock phrasing) or
            // leave its rewrites without the stems they share with it.
            let first: Vec<&DocumentSketch> =
                out.iter().map(|(_, s)| s).filter(|s| self.distinct_texts.insert(s.exact)).collect();
            let stems = first.iter().flat_map(|s| &s.rewording);
            self.frequencies.add_documents(first.len() as u64, stems, first.iter().flat_map(|s| &s.phrases));
        }
        let mut offset = 0;
        for (v, m) in plan.config.views.iter().zip(self.sketches.signatures.iter_mut()) {
            let k = m.params.num_hashes as usize;
            if plan.signed_when_read(v.view) {
                let to = m.extend_empty(self.rows.len() / lanes);
                to.par_chunks_mut(k).zip(self.rows.par_chunks(lanes)).for_each(|(to, row)| {
                    to.copy_from_slice(&row[offset..offset + k]);
                });
            }
            offset += k;
        }
        for (info, mut s) in out {
            self.exact.push(s.exact);
            if self.keep_texts {
                self.texts.push(std::mem::take(&mut s.stored));
            }
            if plan.model.is_some() {
                self.embeddings.push(s.embedding);
                self.specifics.push(s.specifics);
            }
            if plan.verify {
                self.sketches.lead_stems.push(s.lead_stems);
                // The stem hashes' high halves: a million documents keep a hundred million stems, and 32
                // bits tell apart the stems of a collection as well as the 32-bit MinHash lanes can.
                self.sketches.stems.push(s.rewording.iter().map(|&stem| (stem >> 32) as u32));
                self.sketches.samples.push(s.samples);
            }
            self.documents.push(info);
        }
    }

    /// Puts the documents in their fixed order (see [`settle`] for what follows).
    fn finish(self) -> SignedCorpus {
        let Signer {
            mut documents,
            mut exact,
            frequencies,
            mut embeddings,
            mut specifics,
            mut sketches,
            mut texts,
            in_order,
            ..
        } = self;
        // A fixed document order, whatever the order of the input (stable: equal ids keep their read
        // order). Applied in place, so no second copy of the signatures is made.
        let mut order: Vec<usize> = (0..documents.len()).collect();
        if !in_order {
            order.par_sort_by(|&x, &y| {
                (&documents[x].id, &documents[x].path).cmp(&(&documents[y].id, &documents[y].path))
            });
        }
        permute(&order, |i, j| {
            documents.swap(i, j);
            exact.swap(i, j);
            if !embeddings.is_empty() {
                embeddings.swap(i, j);
                specifics.swap(i, j);
            }
            if !texts.is_empty() {
                texts.swap(i, j);
            }
            for m in sketches.signatures.iter_mut().filter(|m| !m.is_empty()) {
                m.swap(i, j);
            }
        });
        sketches.read_index = order;
        SignedCorpus {
            documents,
            exact,
            frequencies,
            embeddings,
            specifics,
            sketches,
            problems: Vec::new(),
            renamed_ids: Vec::new(),
            texts,
        }
    }
}

/// What signing keeps of one document besides its signatures.
struct DocumentSketch {
    words: usize,
    phrases: Vec<u64>,
    exact: u64,
    /// When verifying: the distinct content stems of the lead, then those of the rest (each once), for the
    /// collection's stem counts and the rewording views signed after reading.
    rewording: Vec<u64>,
    /// How many of `rewording` are the lead's.
    lead_stems: usize,
    /// When verifying: the document's sampled word n-grams, distinct (one in eight by hash).
    samples: Vec<u64>,
    /// The semantic view's embedding of the lead (empty when the view is off).
    embedding: Embedding,
    /// The stems of the document's names and numbers, when the semantic view is on.
    specifics: Vec<u64>,
    /// The text compressed, when kept for an index.
    stored: Vec<u8>,
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
    /// A compression context for the texts an index keeps, made once a worker (not once a text).
    compressor: Option<zstd::bulk::Compressor<'static>>,
}

/// Signs `text` into `mins` (every view's lanes, in the order of the views) and collects what else is
/// kept of it; `tokens` says whether it is tokenised or only hashed word by word.
fn sign(text: &str, plan: &Plan, tokens: bool, scratch: &mut Scratch, mins: &mut [u32]) -> DocumentSketch {
    let Scratch { tokens: toks, words, masks, word, bytes, shingles, embed, .. } = scratch;
    let config = plan.config;
    // Length in words, Chinese and Japanese characters counting as half a word each.
    let n_words = if tokens {
        tokenize_into(text, toks, word);
        words.clear();
        words.extend(toks.tokens.iter().map(|t| t.word));
        toks.word_count()
    } else {
        word_hashes(text, words, masks, word)
    };
    let mut samples = Vec::new();
    let mut offset = 0;
    for (v, h) in config.views.iter().zip(&plan.hashers) {
        let k = v.num_hashes;
        if !plan.signed_when_read(v.view) {
            offset += k;
            continue;
        }
        shingles.clear();
        if v.view == View::Words {
            word_ngrams(words, v.shingle, config.seed, |x| shingles.push(x));
            if plan.verify && config.passages {
                samples.extend(shingles.iter().filter(|&&x| x % PASSAGE_SAMPLE == 0));
                samples.sort_unstable();
                samples.dedup();
            }
        } else {
            v.view.shingles(&toks.tokens, v.shingle, config.seed, |x| shingles.push(x));
        }
        h.update_all(&mut mins[offset..offset + k], shingles);
        offset += k;
    }
    // The hash of all the words: documents too short to compare otherwise are matched by it, and the
    // collection's counts take each text once.
    let mut exact = 0;
    if n_words < config.min_words || plan.counts_collection() {
        bytes.clear();
        bytes.extend(words.iter().flat_map(|w| w.to_le_bytes()));
        exact = xxh3_64(bytes);
    }
    let (mut rewording, mut lead_stems, mut phrases) = (Vec::new(), 0, Vec::new());
    if plan.counts_collection() {
        let lead_words = config.views.iter().find(|v| v.view == View::Lead).map_or(0, |v| v.shingle);
        let distinct = |tokens: &[Token]| {
            let mut v: Vec<u64> = tokens.iter().filter(|t| t.is_content()).map(|t| t.stem).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let lead = distinct(lead(&toks.tokens, lead_words));
        lead_stems = lead.len();
        let rest = distinct(&toks.tokens).into_iter().filter(|s| lead.binary_search(s).is_err());
        rewording = lead.iter().copied().chain(rest).collect();
        phrases = phrase_hashes(&toks.tokens);
    }
    // A text too short to judge is compared with no other (see `TOO_SHORT`).
    let embedding = match (plan.model.as_ref(), &config.semantic) {
        (Some(model), Some(s)) if n_words >= config.min_words => model.embed(text, s.tokens, embed),
        _ => Vec::new(),
    };
    let specifics = if plan.model.is_some() { specific_stems(&toks.tokens) } else { Vec::new() };
    DocumentSketch {
        words: n_words,
        phrases,
        exact,
        rewording,
        lead_stems,
        samples,
        embedding,
        specifics,
        stored: Vec::new(),
    }
}

/// The stems of the numbers and capitalised content words of `tokens`, sorted and distinct: what a
/// rewrite keeps of its source, the semantic view's blocking keys.
fn specific_stems(tokens: &[Token]) -> Vec<u64> {
    let mut v: Vec<u64> = tokens.iter().filter(|t| t.is_specific()).map(|t| t.stem).collect();
    v.sort_unstable();
    v.dedup();
    v
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

/// Gives repeated ids a `#2`, `#3`… suffix, in the fixed document order, skipping any suffix that is
/// another document's id already; returns how many were renamed. (Not a problem of the input: a page
/// crawled twice has its URL as the id of both.)
fn make_ids_unique(docs: &mut [DocInfo]) -> Vec<u32> {
    if !docs.windows(2).any(|w| w[0].id == w[1].id) {
        return Vec::new();
    }
    let mut taken: HashSet<String> = docs.iter().map(|d| d.id.clone()).collect();
    let mut renamed = Vec::new();
    // Sorted by id, so the documents sharing one are neighbours.
    let mut at = 0;
    for same in docs.chunk_by_mut(|a, b| a.id == b.id) {
        let mut k = 1;
        for (j, d) in same.iter_mut().enumerate().skip(1) {
            d.id = loop {
                k += 1;
                let id = format!("{}#{k}", d.id);
                if taken.insert(id.clone()) {
                    break id;
                }
            };
            renamed.push((at + j) as u32);
        }
        at += same.len();
    }
    renamed
}

/// Parses the lines of JSON Lines input on the thread pool.
struct ParallelParse;

impl input::ParseMap for ParallelParse {
    fn map(&self, n: usize, f: &(dyn Fn(usize) -> input::ParsedLine + Sync)) -> Vec<input::ParsedLine> {
        (0..n).into_par_iter().map(f).collect()
    }
}
