//! A persistent index of signed articles, to check new articles against an archive without reading and
//! signing the archive again (`unspun index` and `unspun query`). An index is a folder of immutable
//! [`segment`]s plus a `MANIFEST` naming them. Each segment holds the documents of one `build`, `add` or
//! `compact` as the reading stage leaves them ([`crate::pipeline::read`]: the words view's signatures,
//! the content stems the rewording views are signed from, the sampled 5-grams of the passages source, the
//! word hash of each text), their texts compressed (so verification and passages need no original file)
//! and the collection statistics of the texts it counted first. A query ([`crate::pipeline::query`])
//! joins them, as the reference collection, to the new articles it reads and runs the same stages as
//! `scan NEW --against ARCHIVE`, so it reports the same pairs.
//!
//! Publishing is atomic: a segment is written under a temporary name, synced and renamed; then the
//! manifest is written the same way and renamed over the old one. A reader reads the manifest once and
//! maps the segments it names, so it sees the index before or after a change, never a mix; a kill at any
//! moment leaves the last published manifest and its segments whole. Every file starts with a magic and
//! its format version and ends with a checksum; the manifest and each segment record the signing
//! parameters, and an index made with other parameters or another format version is refused by name.
//! Writers take an exclusive lock on `LOCK` in the folder (released by the system if the writer dies).

pub mod segment;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

pub use segment::{Contents, Decode, FORMAT_VERSION, Segment};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::frequencies::Frequencies;
use crate::input::Problem;
use crate::minhash::Signatures;
use crate::pipeline::read::SketchStore;
use crate::pipeline::{self, Archive, Join, Prior, SignedCorpus, one_after_the_other};
use crate::progress::{Progress, Unit};
use crate::shingle::View;

const MANIFEST: &str = "MANIFEST";
const LOCK: &str = "LOCK";
const MANIFEST_MAGIC: &[u8; 8] = b"UNSPUNMF";

/// The parameters documents are signed with: an index answers only runs that sign the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub views: Vec<ViewParams>,
    pub seed: u64,
    pub min_words: usize,
    pub passages: bool,
    /// The sizes (bits) of the statistics' tables.
    pub stem_bits: u32,
    pub phrase_bits: u32,
    /// How words were read into hashes ([`READING`]); 0 in an index built before it was kept.
    #[serde(default)]
    pub reading: u32,
}

/// The version of how texts are read into word hashes and stems, raised whenever a change gives some text
/// other hashes: an index keeps the hashes of the build that made it, and compared with another build's
/// they would silently miss copies. 1: invisible marks inside words (a soft hyphen, a zero-width space)
/// left out and a word's accents composed (NFC), both 2026-12-07.
pub const READING: u32 = 1;

/// How one view is signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewParams {
    pub view: String,
    pub shingle: usize,
    pub num_hashes: usize,
}

impl Params {
    /// The signing parameters of `config`.
    pub fn of(config: &Config) -> Params {
        let (stem_bits, phrase_bits) = Frequencies::bits();
        Params {
            views: config
                .views
                .iter()
                .map(|v| ViewParams { view: v.view.name().into(), shingle: v.shingle, num_hashes: v.num_hashes })
                .collect(),
            seed: config.seed,
            min_words: config.min_words,
            passages: config.passages,
            stem_bits,
            phrase_bits,
            reading: READING,
        }
    }
}

impl Params {
    /// What `other` signs otherwise, each as "what these say (the setting that gives it), this run's".
    fn differences(&self, other: &Params) -> Vec<String> {
        let mut out = Vec::new();
        // A setting given by a flag and its value: `what` with the index's value in place of `{}`.
        let mut differ = |what: &str, flag: &str, mine: &dyn std::fmt::Display, theirs: &dyn std::fmt::Display| {
            let (mine, theirs) = (mine.to_string(), theirs.to_string());
            if mine != theirs {
                out.push(format!("{} ({flag} {mine}), where this run has {theirs}", what.replace("{}", &mine)));
            }
        };
        let names = |p: &Params| p.views.iter().map(|v| v.view.as_str()).collect::<Vec<_>>().join(",");
        differ("views {}", "--views", &names(self), &names(other));
        for (v, w) in self.views.iter().zip(&other.views).filter(|(v, w)| v.view == w.view) {
            differ("{} hashes a view", "--hashes", &v.num_hashes, &w.num_hashes);
            let (what, flag) =
                if v.view == "lead" { ("a lead of {} words", "--lead") } else { ("word {}-grams", "--shingle") };
            differ(what, flag, &v.shingle, &w.shingle);
        }
        differ("seed {}", "--seed", &self.seed, &other.seed);
        differ("min words {}", "--min-words", &self.min_words, &other.min_words);
        if self.passages != other.passages {
            let (what, flag) = if self.passages {
                ("passages on", "without --no-passages")
            } else {
                ("passages off", "--no-passages")
            };
            let theirs = if other.passages { "them on" } else { "them off" };
            out.push(format!("{what} ({flag}), where this run has {theirs}"));
        }
        if (self.stem_bits, self.phrase_bits, self.reading) != (other.stem_bits, other.phrase_bits, other.reading) {
            out.push(format!("{self}, by another build of unspun"));
        }
        // Views signed alike differ alike: said once.
        out.dedup();
        out
    }
}

impl std::fmt::Display for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let views: Vec<String> =
            self.views.iter().map(|v| format!("{} (n={}, {} hashes)", v.view, v.shingle, v.num_hashes)).collect();
        write!(
            f,
            "views {}, seed {}, min words {}, passages {}, reading {}",
            views.join(", "),
            self.seed,
            self.min_words,
            if self.passages { "on" } else { "off" },
            self.reading
        )
    }
}

/// A segment as the manifest names it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SegmentEntry {
    pub file: String,
    pub documents: usize,
    pub bytes: u64,
    pub checksum: u64,
}

/// The manifest: which segments make the index now.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Manifest {
    format_version: u32,
    /// Incremented by every publication.
    generation: u64,
    params: Params,
    segments: Vec<SegmentEntry>,
}

/// An open index: its manifest and its segments, mapped and checked.
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
    segments: Vec<Arc<Segment>>,
}

/// What `index info` shows.
#[derive(Clone, Debug, Serialize)]
pub struct Info {
    pub format_version: u32,
    pub generation: u64,
    pub params: Params,
    pub documents: usize,
    pub segments: Vec<SegmentEntry>,
    /// Bytes of all segments.
    pub bytes: u64,
    /// Bytes of their compressed text stores.
    pub text_bytes: u64,
    /// Bytes of each kind of section, over all segments, in the order of a segment's sections.
    pub sections: Vec<(String, u64)>,
}

impl Index {
    /// Opens the index in `dir`: reads its manifest and maps and checks every segment it names. Should
    /// a writer replace the manifest and remove a segment between the two (`compact`), the new manifest
    /// is read again.
    pub fn open(dir: &Path) -> Result<Index> {
        let mut tries = 0;
        loop {
            let manifest = read_manifest(dir)?;
            let mut segments = Vec::new();
            let mut missing = None;
            for s in &manifest.segments {
                let path = dir.join(&s.file);
                // A length other than the one written: cut short by a torn copy, or grown.
                if let Ok(meta) = std::fs::metadata(&path)
                    && meta.len() != s.bytes
                {
                    let (len, bytes) = (meta.len(), s.bytes);
                    let how = if len < bytes { "cut short" } else { "longer than written" };
                    return Err(Error::Index {
                        path,
                        message: format!("{len} bytes where the manifest says {bytes}: {how}; the index is damaged"),
                    });
                }
                match Segment::open(&path) {
                    Ok(segment) => segments.push(Arc::new(segment)),
                    Err(Error::Read { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                        missing = Some(path);
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(path) = missing {
                tries += 1;
                let again = read_manifest(dir)?;
                if again.generation != manifest.generation && tries < 10 {
                    continue;
                }
                return Err(Error::Index { path, message: "segment named by the manifest is missing".into() });
            }
            for (s, entry) in segments.iter().zip(&manifest.segments) {
                if s.params() != &manifest.params {
                    return Err(Error::Index {
                        path: s.path().to_path_buf(),
                        message: format!("signed with {}, the manifest says {}", s.params(), manifest.params),
                    });
                }
                if s.checksum != entry.checksum || s.documents() != entry.documents {
                    return Err(Error::Index {
                        path: s.path().to_path_buf(),
                        message: "not the segment the manifest names (its checksum differs)".into(),
                    });
                }
            }
            return Ok(Index { dir: dir.to_path_buf(), manifest, segments });
        }
    }

    /// Makes a new index in `dir` (absent or empty) of the articles under `paths`.
    pub fn build(dir: &Path, paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<Written> {
        let werr = |source| Error::Write { path: dir.to_path_buf(), source };
        if dir.exists() && !dir.is_dir() {
            let message = "is a file, not a folder: an index is built in a new or empty folder".into();
            return Err(Error::Index { path: dir.to_path_buf(), message });
        }
        let created = !dir.exists();
        std::fs::create_dir_all(dir).map_err(werr)?;
        let built = Index::build_in(dir, paths, config, progress);
        if built.is_err() && created {
            // A folder this build made and published nothing in is removed, not left holding a lock.
            remove_unpublished(dir, &[]);
            let _ = std::fs::remove_file(dir.join(LOCK));
            let _ = std::fs::remove_dir(dir);
        }
        built
    }

    /// [`Index::build`] in the folder `dir`, which exists.
    fn build_in(dir: &Path, paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<Written> {
        // Only an index's own files (those an interrupted build left) may be here: an index is not built
        // into a folder of other things, which the clean-up below could touch.
        let entries = std::fs::read_dir(dir).map_err(|source| Error::Read { path: dir.to_path_buf(), source })?;
        if let Some(other) = entries.flatten().map(|e| e.file_name()).find(|n| !is_index_file(&n.to_string_lossy())) {
            return Err(Error::Index {
                path: dir.to_path_buf(),
                message: format!(
                    "is not empty (it holds {}): an index is built in a new or empty folder",
                    other.to_string_lossy()
                ),
            });
        }
        let _lock = lock(dir)?;
        if dir.join(MANIFEST).exists() {
            return Err(Error::Index {
                path: dir.join(MANIFEST),
                message: "an index is already here: `unspun index add` adds articles to it".into(),
            });
        }
        remove_unpublished(dir, &[]);
        let corpus = pipeline::sign_for_index(paths, Prior::default(), config, progress)?;
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            generation: 0,
            params: Params::of(config),
            segments: Vec::new(),
        };
        let (repeated_ids, documents) = (repeated_ids(HashSet::new(), &corpus.documents), corpus.documents.len());
        let problems = write_corpus(dir, manifest, corpus, config, progress)?;
        Ok(Written { problems, repeated_ids, documents })
    }

    /// Adds the articles under `paths` to the index in `dir` as a new segment, counted into its
    /// statistics; existing segments are not rewritten.
    pub fn add(dir: &Path, paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<Written> {
        // Not an index: said before a lock file is left in the folder.
        read_manifest(dir)?;
        let _lock = lock(dir)?;
        let index = Index::open(dir)?;
        index.check(config)?;
        remove_unpublished(dir, &index.manifest.segments);
        // Texts already in the index are not counted again.
        let mut seen = HashSet::new();
        for s in &index.segments {
            seen.extend(s.exact()?);
        }
        let prior = Prior { seen, ..Prior::default() };
        let corpus = pipeline::sign_for_index(paths, prior, config, progress)?;
        if corpus.documents.is_empty() {
            return Ok(Written { problems: corpus.problems, repeated_ids: 0, documents: 0 });
        }
        let mut archived = HashSet::new();
        for s in &index.segments {
            archived.extend(s.ids()?);
        }
        let (repeated_ids, documents) = (repeated_ids(archived, &corpus.documents), corpus.documents.len());
        let problems = write_corpus(dir, index.manifest, corpus, config, progress)?;
        Ok(Written { problems, repeated_ids, documents })
    }

    /// Merges every segment of the index in `dir` into one.
    pub fn compact(dir: &Path, progress: &dyn Progress) -> Result<()> {
        read_manifest(dir)?;
        let _lock = lock(dir)?;
        let index = Index::open(dir)?;
        remove_unpublished(dir, &index.manifest.segments);
        if index.segments.len() <= 1 {
            return Ok(());
        }
        progress.stage("compacting", Some(index.documents() as u64), Unit::Documents);
        let mut paths = HashMap::new();
        let (mut merged, mut frequencies) = (Contents::default(), Frequencies::new());
        for s in &index.segments {
            let c = Segment::contents(s, &mut paths, Decode::All, &one_after_the_other)?;
            add_counts(&mut frequencies, s, &c)?;
            merged.append(&c);
            progress.inc(s.documents() as u64);
        }
        merged.counts = frequencies.counts();
        let mut manifest = index.manifest.clone();
        manifest.segments.clear();
        let old: Vec<PathBuf> = index.segments.iter().map(|s| s.path().to_path_buf()).collect();
        drop(index);
        publish_segment(dir, manifest, &merged)?;
        progress.finish();
        // Readers that read the old manifest and have not yet mapped its segments read the new one.
        for path in old {
            let _ = std::fs::remove_file(path);
        }
        Ok(())
    }

    /// Refuses settings that sign differently from the index.
    pub fn check(&self, config: &Config) -> Result<()> {
        let asked = Params::of(config);
        let built = &self.manifest.params;
        if built.reading != asked.reading && (Params { reading: asked.reading, ..built.clone() }) == asked {
            return Err(Error::Index {
                path: self.dir.join(MANIFEST),
                message: format!(
                    "the index was built by a build that reads words otherwise (reading {}, this build {}: accents, \
                     invisible marks), so its copies would be missed: build the index again from its articles",
                    built.reading, asked.reading
                ),
            });
        }
        if asked != self.manifest.params {
            return Err(Error::Index {
                path: self.dir.join(MANIFEST),
                message: format!(
                    "the index was built with {}: give the index's settings, or build another index",
                    built.differences(&asked).join("; ")
                ),
            });
        }
        Ok(())
    }

    /// Number of documents.
    pub fn documents(&self) -> usize {
        self.segments.iter().map(|s| s.documents()).sum()
    }

    /// Checks every byte of every segment (opening checks only their heads, trailers and headers; a
    /// query checks the sections it reads, and each text it reads); returns the bytes checked.
    pub fn verify(&self, progress: &dyn Progress) -> Result<u64> {
        progress.stage("verifying", Some(self.info().bytes), Unit::Bytes);
        let mut checked = 0;
        for s in &self.segments {
            let bytes = s.verify()?;
            checked += bytes;
            progress.inc(bytes);
        }
        progress.finish();
        Ok(checked)
    }

    /// Counts, parameters, segments and sizes.
    pub fn info(&self) -> Info {
        let mut sections: Vec<(String, u64)> = Vec::new();
        for (name, len) in self.segments.iter().flat_map(|s| s.section_sizes()) {
            match sections.iter_mut().find(|(n, _)| *n == name) {
                Some((_, total)) => *total += len,
                None => sections.push((name, len)),
            }
        }
        Info {
            format_version: self.manifest.format_version,
            generation: self.manifest.generation,
            params: self.manifest.params.clone(),
            documents: self.documents(),
            segments: self.manifest.segments.clone(),
            bytes: self.segments.iter().map(|s| s.bytes()).sum(),
            text_bytes: self.segments.iter().map(|s| s.text_bytes()).sum(),
            sections,
        }
    }

    /// Which of the articles under `paths` copy, rewrite or excerpt the index's, judged as a scan of them
    /// `--against` the index's articles would judge them (`unspun query`, `scan --against INDEX`).
    pub fn query(&self, paths: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<crate::scan::Scan> {
        if config.candidates_only || config.semantic.is_some() {
            return Err(Error::Config(
                "a query of an index verifies every pair, without --candidates-only or --model".into(),
            ));
        }
        pipeline::query(paths, |join| self.prior(config, progress, join), config, progress)
    }

    /// What a query of `config` starts from: the index's documents, as the reference collection, and
    /// its statistics; each segment's decoding is split in two pieces of work that `join` runs.
    pub fn prior(&self, config: &Config, progress: &dyn Progress, join: Join) -> Result<Prior> {
        self.check(config)?;
        progress.stage("loading index", Some(self.documents() as u64), Unit::Documents);
        let mut paths = HashMap::new();
        let (mut all, mut frequencies) = (Contents::default(), Frequencies::new());
        for s in &self.segments {
            let contents = Segment::contents(s, &mut paths, Decode::Query, join)?;
            add_counts(&mut frequencies, s, &contents)?;
            if all.documents.is_empty() {
                all = contents;
            } else {
                all.append(&contents);
            }
            progress.inc(s.documents() as u64);
        }
        let Contents { documents, exact, mut words, lead_stems, .. } = all;
        // The minima move into the (last) words view's matrix, not copied: at a million documents they are
        // half a gigabyte.
        let mut words_views = config.views.iter().filter(|v| v.view == View::Words).count();
        let signatures = config
            .views
            .iter()
            .map(|v| {
                let params = v.minhash(config.seed);
                let rows = match v.view {
                    View::Words => {
                        words_views -= 1;
                        if words_views == 0 { std::mem::take(&mut words) } else { words.clone() }
                    }
                    _ => Vec::new(),
                };
                Signatures::from_rows(params, rows)
            })
            .collect();
        let seen = exact.iter().copied().collect();
        progress.finish();
        let archive = Archive {
            documents,
            exact,
            signatures,
            lead_stems: lead_stems.into_iter().map(|l| l as usize).collect(),
            stored: self.segments.iter().map(|s| s.clone() as Arc<dyn SketchStore>).collect(),
        };
        Ok(Prior { frequencies, seen, archive: Some(archive), ..Prior::default() })
    }
}

/// The index among `against`, the paths a scan is compared with (`--against`), which the scan then
/// queries; `None` when none is one. An index given with other paths is refused: `index add` puts them in.
pub fn among(against: &[PathBuf]) -> Result<Option<&Path>> {
    let Some(index) = against.iter().find(|p| is_index(p)) else { return Ok(None) };
    if against.len() > 1 {
        return Err(Error::Config(format!(
            "--against {} is an index: give it alone (`unspun index add` puts more articles in it)",
            crate::escape::path_text(index)
        )));
    }
    Ok(Some(index))
}

/// Whether `path` is an index's folder (it holds a `MANIFEST` that starts as one does), so that `scan
/// --against` can take an index where it takes files of articles.
pub fn is_index(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0; 8];
    path.is_dir()
        && File::open(path.join(MANIFEST)).and_then(|mut f| f.read_exact(&mut magic)).is_ok()
        && &magic == MANIFEST_MAGIC
}

/// Writes what was read as a new segment and publishes it.
/// What `build` or `add` did besides writing the segment: the input problems met, and how many of the
/// documents written have the id of one the index held or of an earlier one written (a page crawled
/// again): both are kept, and reports name the later `ID#2`, `ID#3`… by id, then file, as a scan of all
/// of them names them.
#[derive(Debug)]
pub struct Written {
    pub problems: Vec<Problem>,
    pub repeated_ids: usize,
    /// The documents written: none by an `add` that read none, which writes no segment (an empty one
    /// would only be one more for every query to open).
    pub documents: usize,
}

/// How many of `documents` have an id in `ids` or of an earlier one of them.
fn repeated_ids(mut ids: HashSet<String>, documents: &[crate::scan::DocInfo]) -> usize {
    documents.iter().filter(|d| !ids.insert(d.id.clone())).count()
}

fn write_corpus(
    dir: &Path,
    manifest: Manifest,
    corpus: SignedCorpus,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Vec<Problem>> {
    let SignedCorpus { documents, exact, frequencies, sketches, problems, texts, .. } = corpus;
    progress.stage("writing segment", Some(documents.len() as u64), Unit::Documents);
    let mut sketches = sketches;
    let words = config
        .views
        .iter()
        .zip(std::mem::take(&mut sketches.signatures))
        .find(|(v, _)| v.view == View::Words)
        .map_or(Vec::new(), |(_, m)| m.into_rows());
    let mut contents = Contents { exact, words, counts: frequencies.counts(), ..Contents::default() };
    for &read in &sketches.read_index {
        contents.stems.push(sketches.stems_of(read)?.iter().copied());
        contents.samples.push(sketches.samples_of(read)?.iter().copied());
        contents.lead_stems.push(sketches.lead_stems[read] as u32);
    }
    drop(sketches);
    for t in texts {
        contents.texts.push(t);
    }
    contents.documents = documents;
    publish_segment(dir, manifest, &contents)?;
    progress.inc(contents.documents.len() as u64);
    progress.finish();
    Ok(problems)
}

/// Writes `contents` as a segment and publishes a manifest naming `manifest`'s segments and it.
fn publish_segment(dir: &Path, mut manifest: Manifest, contents: &Contents) -> Result<()> {
    manifest.generation += 1;
    let file = format!("segment-{:08}-{:016x}.useg", manifest.generation, rand_suffix());
    let (bytes, checksum) = segment::write(&dir.join(&file), &manifest.params, contents)?;
    manifest.segments.push(SegmentEntry { file: file.clone(), documents: contents.documents.len(), bytes, checksum });
    let published = write_manifest(dir, &manifest);
    // A segment no manifest names is removed (a full disk had room for it, not for the manifest); one the
    // manifest on disk names stays, though syncing the folder failed after.
    if published.is_err() && !read_manifest(dir).is_ok_and(|m| m.segments.iter().any(|s| s.file == file)) {
        let _ = std::fs::remove_file(dir.join(&file));
    }
    published
}

/// A value that differs from run to run, so two writers' file names never meet.
fn rand_suffix() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    xxh3_64(&[t.to_le_bytes(), (std::process::id() as u64).to_le_bytes()].concat())
}

/// Writes the manifest under a temporary name, syncs it and renames it over `MANIFEST`.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = dir.join(MANIFEST);
    let err = |source| Error::Write { path: path.clone(), source };
    let body = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    let mut bytes = Vec::with_capacity(body.len() + 24);
    bytes.extend_from_slice(MANIFEST_MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&body);
    bytes.extend_from_slice(&xxh3_64(&bytes).to_le_bytes());
    let mut tmp = temporary(dir, ".tmp-manifest-").map_err(err)?;
    tmp.write_all(&bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(&path).map_err(|e| err(e.error))?;
    sync_dir(dir)
}

/// Reads and checks the manifest of the index in `dir`.
fn read_manifest(dir: &Path) -> Result<Manifest> {
    if dir.is_file() {
        return Err(Error::Index {
            path: dir.to_path_buf(),
            message: "is a file, not an index's folder (`unspun index build INDEX INPUT…` makes one)".into(),
        });
    }
    let path = dir.join(MANIFEST);
    let bytes = std::fs::read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::Index {
            path: path.clone(),
            message: "not found: not an index (`unspun index build` makes one), or its build did not finish".into(),
        },
        _ => Error::Read { path: path.clone(), source },
    })?;
    let bad = |message: &str| Error::Index { path: path.clone(), message: message.into() };
    if bytes.len() < 24 || &bytes[..8] != MANIFEST_MAGIC {
        return Err(bad("not an unspun index manifest (no UNSPUNMF magic at its start)"));
    }
    // The version is believed only when the checksum holds: a flipped bit there is damage, not a version.
    let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
    let other_version =
        || format!("index format version {version}, this build reads version {FORMAT_VERSION}: rebuild the index");
    let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap_or_default()) as usize;
    let sized = bytes.len() == 16 + len + 8;
    let whole =
        sized && xxh3_64(&bytes[..16 + len]) == u64::from_le_bytes(bytes[16 + len..].try_into().unwrap_or_default());
    match (whole, version == FORMAT_VERSION) {
        (true, true) => {}
        (true, false) => return Err(bad(&other_version())),
        (false, true) if !sized => return Err(bad("the manifest is cut short or too long: damaged")),
        (false, true) => return Err(bad("checksum mismatch: the manifest is damaged")),
        (false, false) => {
            return Err(bad(&format!("checksum mismatch: the manifest is damaged, or {}", other_version())));
        }
    }
    let manifest: Manifest =
        serde_json::from_slice(&bytes[16..16 + len]).map_err(|e| bad(&format!("the manifest cannot be read: {e}")))?;
    // A segment is a file of the folder the index writes: a name that leads elsewhere (`../other/…`) is
    // damage, never read, nor deleted by `compact`.
    if let Some(s) = manifest.segments.iter().find(|s| !is_segment(&s.file) || s.file.contains(['/', '\\'])) {
        return Err(bad(&format!(
            "it names {} as a segment, not a segment file of the index's folder: the manifest is damaged",
            crate::escape::quoted(&s.file)
        )));
    }
    Ok(manifest)
}

/// Adds the statistics of segment `s` (its `contents`) to `frequencies`; an error naming the segment when
/// they do not fit the tables.
fn add_counts(frequencies: &mut Frequencies, s: &Segment, contents: &Contents) -> Result<()> {
    match frequencies.add_counts(&contents.counts) {
        true => Ok(()),
        false => Err(Error::Index { path: s.path().to_path_buf(), message: "statistics out of range: damaged".into() }),
    }
}

/// A temporary file in `dir` to be renamed into place: as readable as any file the user creates (0666
/// less the umask), so others can query an index its owner shares, not private (0600, tempfile's default).
/// Its name holds the process's id after `prefix` ([`remove_own_temporaries`]).
pub(crate) fn temporary(dir: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{prefix}{}-", std::process::id());
    builder.prefix(&prefix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir)
}

/// Removes the temporary files this process is writing in the index folder `dir` (a segment or manifest
/// not yet renamed into place): for an interrupt handler about to end the process, which would leave them
/// for the next writer to remove. Another process's are left alone (a second writer may be refused the
/// lock while the first writes); a rename that the removal beats fails, so nothing half-written is
/// published.
pub fn remove_own_temporaries(dir: &Path) {
    let own = [".tmp-segment-", ".tmp-manifest-"].map(|p| format!("{p}{}-", std::process::id()));
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if own.iter().any(|p| e.file_name().to_string_lossy().starts_with(p.as_str())) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Syncs a folder, so a rename in it is on disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|source| Error::Write { path: dir.to_path_buf(), source })
}

/// Takes the writers' lock of the index in `dir` (held until the file is dropped).
fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| Error::Write { path: path.clone(), source })?;
    file.try_lock().map_err(|_| Error::Index {
        path,
        message: "another `unspun index` build, add or compact is writing this index; try again when it is done".into(),
    })?;
    Ok(file)
}

/// Whether a file name is one an index writes: its manifest, lock, segments and their temporary files.
fn is_index_file(name: &str) -> bool {
    name == MANIFEST
        || name == LOCK
        || name.starts_with(".tmp-segment-")
        || name.starts_with(".tmp-manifest-")
        || is_segment(name)
}

fn is_segment(name: &str) -> bool {
    name.starts_with("segment-") && name.ends_with(".useg")
}

/// Removes what an interrupted writer left: temporary files and segments no manifest names.
fn remove_unpublished(dir: &Path, published: &[SegmentEntry]) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let orphan = is_segment(&name) && !published.iter().any(|s| s.file == name);
        if orphan || name.starts_with(".tmp-segment-") || name.starts_with(".tmp-manifest-") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_writer_removes_its_own_temporaries_only() {
        let dir = tempfile::tempdir().unwrap();
        let own = [temporary(dir.path(), ".tmp-segment-").unwrap(), temporary(dir.path(), ".tmp-manifest-").unwrap()];
        let others = [".tmp-segment-1-x", ".tmp-manifest-1-y", "segment-1-a.useg"];
        for name in others {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        remove_own_temporaries(dir.path());
        assert!(own.iter().all(|t| !t.path().exists()));
        assert!(others.iter().all(|n| dir.path().join(n).exists()));
    }

    /// A segment written whose manifest could not be (a full disk) is not left behind, named by none.
    #[test]
    fn a_segment_whose_manifest_failed_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        // A folder in the manifest's place: the new manifest cannot be renamed over it.
        std::fs::create_dir_all(dir.path().join(MANIFEST).join("x")).unwrap();
        let contents = Contents { documents: Vec::new(), ..Contents::default() };
        assert!(publish_segment(dir.path(), manifest(), &contents).is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, [MANIFEST]);
    }

    fn manifest() -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            generation: 3,
            params: Params::of(&Config::default()),
            segments: vec![SegmentEntry { file: "segment-1.useg".into(), documents: 5, bytes: 100, checksum: 7 }],
        }
    }

    #[test]
    fn the_manifest_reads_back_and_damage_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write_manifest(dir.path(), &manifest()).unwrap();
        let read = read_manifest(dir.path()).unwrap();
        assert_eq!((read.generation, read.params, read.segments[0].documents), (3, manifest().params, 5));
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let path = dir.path().join(MANIFEST);
        let good = std::fs::read(&path).unwrap();
        for at in [0, 9, 20, good.len() / 2, good.len() - 1] {
            let mut bad = good.clone();
            bad[at] ^= 1;
            std::fs::write(&path, &bad).unwrap();
            let e = read_manifest(dir.path()).unwrap_err().to_string();
            assert!(e.contains("MANIFEST"), "{e}");
        }
        // A segment named outside the folder (a manifest edited, its checksum made again) is refused, so
        // neither read nor deleted by `compact`.
        for file in ["../other/segment-1.useg", "segment-1.useg/../../x.useg", "notes.txt"] {
            let mut elsewhere = manifest();
            elsewhere.segments[0].file = file.into();
            write_manifest(dir.path(), &elsewhere).unwrap();
            let e = read_manifest(dir.path()).unwrap_err().to_string();
            assert!(e.contains("not a segment file of the index's folder: the manifest is damaged"), "{e}");
        }
    }

    #[test]
    fn params_tell_apart_what_signs_differently() {
        let base = Params::of(&Config::default());
        let seed = Params::of(&Config { seed: 1, ..Config::default() });
        let min_words = Params::of(&Config { min_words: 5, ..Config::default() });
        let passages = Params::of(&Config { passages: false, ..Config::default() });
        let window = Params::of(&Config { window_days: Some(3.0), max_bucket: 50, ..Config::default() });
        assert!(base != seed && base != min_words && base != passages);
        // What only a query decides is not a signing parameter.
        assert_eq!(base, window);
        assert!(seed.to_string().contains("seed 1"), "{seed}");
        // Each difference named with the setting that gives the index's; nothing else named.
        assert_eq!(base.differences(&base), Vec::<String>::new());
        let said = |other: &Params| base.differences(other).join("; ");
        assert!(said(&seed).contains(&format!("--seed {}), where this run has 1", base.seed)), "{}", said(&seed));
        assert!(said(&min_words).starts_with("min words 20 (--min-words 20), where this run has 5"));
        assert!(said(&passages).starts_with("passages on (without --no-passages)"));
        let mut lead = base.clone();
        lead.views.iter_mut().filter(|v| v.view == "lead").for_each(|v| v.shingle = 40);
        assert_eq!(said(&lead), "a lead of 60 words (--lead 60), where this run has 40");
        let mut hashes = base.clone();
        hashes.views.iter_mut().for_each(|v| v.num_hashes = 64);
        assert_eq!(said(&hashes), "128 hashes a view (--hashes 128), where this run has 64");
        let mut views = base.clone();
        views.views.truncate(1);
        assert_eq!(said(&views), "views words,content,lead (--views words,content,lead), where this run has words");
    }

    #[test]
    fn an_index_whose_words_were_read_otherwise_is_refused() {
        let config = Config::default();
        let open = |params: Params| Index {
            dir: PathBuf::from("idx"),
            manifest: Manifest { params, ..manifest() },
            segments: Vec::new(),
        };
        assert!(open(Params::of(&config)).check(&config).is_ok());
        // Built before the reading was kept (the manifest has none: 0), or by another reading.
        let built: Manifest = serde_json::from_str(
            &serde_json::to_string(&manifest()).unwrap().replace(&format!(",\"reading\":{READING}"), ""),
        )
        .unwrap();
        assert_eq!(built.params.reading, 0);
        let message = open(built.params).check(&config).unwrap_err().to_string();
        assert!(
            message.contains("reads words otherwise (reading 0, this build 1") && message.contains("again"),
            "{message}"
        );
        // Another seed too: the settings are what to give.
        let other = Params { reading: 0, seed: 7, ..Params::of(&config) };
        assert!(open(other).check(&config).unwrap_err().to_string().contains("built with"));
    }

    #[test]
    fn only_index_files_are_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        for name in
            ["segment-1-a.useg", "segment-2-b.useg", ".tmp-segment-x", ".tmp-manifest-y", ".tmp-other", "notes.useg"]
        {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let published = [SegmentEntry { file: "segment-2-b.useg".into(), documents: 0, bytes: 0, checksum: 0 }];
        remove_unpublished(dir.path(), &published);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".tmp-other", "notes.useg", "segment-2-b.useg"]);
    }
}
