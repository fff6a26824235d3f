//! One immutable segment of an index: the signed documents of one `build`, `add` or `compact`, in their
//! fixed order, as one file read through a memory map. Layout (little-endian): the magic `UNSPUNSG` and
//! the format version (u32, then 4 zero bytes); the sections, each starting at a multiple of 8 bytes
//! (zeros between them); the header (JSON: format version, signing parameters, counts, each section's
//! place and xxh3-64 checksum); then the header's offset and length, the xxh3-64 checksum of the header
//! (u64 each) and the magic `UNSPUNEN`.
//!
//! What is checked when: opening reads only the head, the trailer and the header (magic, version, end
//! magic, the length the trailer implies, the header's checksum, every section inside the file), so it
//! costs the same for any size and a torn write (no end magic, a length that does not add up) is found
//! at once. A section is checked against its checksum the first time this process reads it (a query reads
//! every section but the text store), and [`Segment::verify`] (`unspun index verify`) checks them all and
//! the zeros between them. The text store is not checked whole by a query: each text is a zstd frame with
//! its content's checksum, checked when that text is read. Every failure names the file (and section).
//!
//! Sections: `documents` (zstd JSON Lines: id as read, path, bytes, words, date, extra fields), `exact`
//! (u64 a document: the hash of its words), `words` and `word_starts` (the words view's MinHash minima,
//! each document's in a Rice code or, for a near-copy, against an earlier document's, see `encode_minima`,
//! and where its bytes start), `lead_stems`
//! (u8 or u32), `stem_dictionary`, `stems` and `stem_starts` (each document's distinct content stems as ranks
//! in the segment's dictionary, see `StemCoder`, and where its row's bytes start), `samples` and
//! `sample_starts` (its sampled word 5-grams without the low bits no query reads, see `sample_bits`), `texts` and `text_starts` (each text compressed by
//! zstd on its own, so one is read without the others; a `*_starts` section is u32 a row when its end
//! fits, else u64), and
//! `stem_counts` and `phrase_counts` (zstd: the collection statistics of the texts this segment counted
//! first, [`crate::frequencies::Frequencies`]).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use memmap2::Mmap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use super::Params;
use crate::error::{Error, Result};
use crate::frequencies::{self, Counts};
use crate::input::{self, Origin, Store, TextStore};
use crate::leb128;
use crate::pipeline::Join;
use crate::pipeline::read::SketchStore;
use crate::ragged::Ragged;
use crate::scan::DocInfo;

const MAGIC: &[u8; 8] = b"UNSPUNSG";
const END: &[u8; 8] = b"UNSPUNEN";
/// The segment and manifest layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 5;
/// Magic, version, padding.
const START: u64 = 16;
/// Header offset, header length, header checksum, end magic.
const TRAILER: usize = 32;
/// The sections every segment has, in the order they are written.
const SECTIONS: [&str; 14] = [
    "documents",
    "exact",
    "word_starts",
    "words",
    "lead_stems",
    "stem_dictionary",
    "stem_starts",
    "stems",
    "sample_starts",
    "samples",
    "text_starts",
    "texts",
    "stem_counts",
    "phrase_counts",
];

/// A section's name, place in the file and checksum.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Section {
    name: String,
    offset: u64,
    len: u64,
    /// xxh3-64 of its bytes.
    checksum: u64,
}

/// What a segment says of itself.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Header {
    format_version: u32,
    params: Params,
    documents: usize,
    /// Documents counted in this segment's statistics (texts not seen before).
    counted: u64,
    sections: Vec<Section>,
}

/// A document's description as a segment keeps it.
#[derive(Serialize, Deserialize)]
struct Stored {
    id: String,
    path: String,
    bytes: usize,
    words: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    extra: Map<String, Value>,
}

/// The contents of a segment, held in memory: what a segment is written from and what `compact` merges.
#[derive(Default)]
pub struct Contents {
    /// Documents in their fixed order, ids as read.
    pub documents: Vec<DocInfo>,
    pub exact: Vec<u64>,
    /// The words view's minima, `num_hashes` a document (empty without a words view).
    pub words: Vec<u32>,
    pub lead_stems: Vec<u32>,
    pub stems: Ragged<u32>,
    pub samples: Ragged<u64>,
    /// Each text compressed by zstd.
    pub texts: Ragged<u8>,
    /// The statistics of the texts this segment counted first: the counters that are not zero.
    pub counts: Counts,
}

impl Contents {
    /// Appends the documents of `other` after these. Their statistics are the caller's to add up (in a
    /// [`crate::frequencies::Frequencies`]: adding sparse counts to sparse counts, segment after segment, costs the square).
    pub fn append(&mut self, other: &Contents) {
        self.documents.extend(other.documents.iter().cloned());
        self.exact.extend_from_slice(&other.exact);
        self.words.extend_from_slice(&other.words);
        self.lead_stems.extend_from_slice(&other.lead_stems);
        self.stems.append(&other.stems);
        self.samples.append(&other.samples);
        self.texts.append(&other.texts);
    }
}

/// Writes `contents` as a segment at `path` (through a temporary file beside it, synced and renamed, so
/// the path holds a whole segment or nothing); returns its size and checksum.
pub fn write(path: &Path, params: &Params, contents: &Contents) -> Result<(u64, u64)> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let err = |source| Error::Write { path: path.to_path_buf(), source };
    let tmp = super::temporary(dir, ".tmp-segment-").map_err(err)?;
    let mut out =
        Out { w: BufWriter::with_capacity(1 << 20, tmp.as_file()), hash: Xxh3::new(), at: 0, sections: Vec::new() };
    out.put(MAGIC).map_err(err)?;
    out.put(&FORMAT_VERSION.to_le_bytes()).map_err(err)?;
    out.put(&[0; 4]).map_err(err)?;
    let n = contents.documents.len();
    let lines: Vec<u8> = contents
        .documents
        .iter()
        .flat_map(|d| {
            let stored = Stored {
                id: d.id.clone(),
                path: crate::escape::path_text(&d.path).into_owned(),
                bytes: d.bytes,
                words: d.words,
                date: d.date.clone(),
                extra: d.extra.to_map(),
            };
            let mut line = serde_json::to_vec(&stored).unwrap_or_default();
            line.push(b'\n');
            line
        })
        .collect();
    let documents = zstd::bulk::compress(&lines, 3).map_err(err)?;
    drop(lines);
    let counts = &contents.counts;
    let stem_counts =
        zstd::bulk::compress(&frequencies::encode_counters(counts.stems.iter().copied()), 3).map_err(err)?;
    let phrase_counts =
        zstd::bulk::compress(&frequencies::encode_counters(counts.phrases.iter().map(|&(s, c)| (s, c.into()))), 3)
            .map_err(err)?;
    let counted = counts.documents;
    // Where each row starts and the last ends: u32 when the end fits, else u64 (a reader tells them apart
    // by the section's length, 4 or 8 bytes a document and one).
    let starts = |out: &mut Out, len: &dyn Fn(usize) -> usize| {
        let end: u64 = (0..n).map(|i| len(i) as u64).sum();
        let narrow = u32::try_from(end).is_ok();
        let put = |out: &mut Out, at: u64| {
            if narrow { out.put(&(at as u32).to_le_bytes()) } else { out.put(&at.to_le_bytes()) }
        };
        let mut at = 0u64;
        put(out, 0)?;
        for i in 0..n {
            at += len(i) as u64;
            put(out, at)?;
        }
        Ok(())
    };
    let stems = StemCoder::new(&contents.stems, &contents.lead_stems);
    // Each section is written as it is made, a document's row at a time: nothing is held twice.
    let lanes = params.views.iter().find(|v| v.view == "words").map_or(0, |v| v.num_hashes);
    if contents.words.len() != n * lanes {
        return Err(Error::Index {
            path: path.to_path_buf(),
            message: format!("{} words minima for {n} documents of {lanes} lanes", contents.words.len()),
        });
    }
    let minima = |i: usize| &contents.words[i * lanes..(i + 1) * lanes];
    let references = references(&contents.words, lanes, n);
    let encode = |i: usize, out: &mut Vec<u8>| {
        encode_minima(minima(i), references[i].map(|back| (back, minima(i - back as usize))), out)
    };
    let written = (|| -> std::io::Result<()> {
        out.section("documents", |out| out.put(&documents))?;
        out.section("exact", |out| out.put(&le(contents.exact.iter().map(|x| x.to_le_bytes()))))?;
        let mut row = Vec::new();
        out.section("word_starts", |out| starts(out, &|i| encode(i, &mut Vec::new())))?;
        out.section("words", |out| {
            (0..n).try_for_each(|i| {
                encode(i, &mut row);
                out.put(&row)
            })
        })?;
        // A byte a document when every lead has fewer than 256 stems (a reader tells by the length).
        out.section("lead_stems", |out| match contents.lead_stems.iter().all(|&l| l < 256) {
            true => out.put(&contents.lead_stems.iter().map(|&l| l as u8).collect::<Vec<u8>>()),
            false => out.put(&le(contents.lead_stems.iter().map(|x| x.to_le_bytes()))),
        })?;
        out.section("stem_dictionary", |out| out.put(&le(stems.dictionary.iter().map(|x| x.to_le_bytes()))))?;
        out.section("stem_starts", |out| starts(out, &|i| stems.encode(i, &mut Vec::new())))?;
        let mut row = Vec::new();
        out.section("stems", |out| {
            (0..n).try_for_each(|i| {
                stems.encode(i, &mut row);
                out.put(&row)
            })
        })?;
        out.section("sample_starts", |out| starts(out, &|i| contents.samples.row(i).len()))?;
        let (low, width) = sample_bits(n);
        out.section("samples", |out| {
            (0..n).try_for_each(|i| {
                row.clear();
                row.extend(
                    contents.samples.row(i).iter().flat_map(|x| (x >> low).to_le_bytes().into_iter().take(width)),
                );
                out.put(&row)
            })
        })?;
        out.section("text_starts", |out| starts(out, &|i| contents.texts.row(i).len()))?;
        out.section("texts", |out| (0..n).try_for_each(|i| out.put(contents.texts.row(i))))?;
        out.section("stem_counts", |out| out.put(&stem_counts))?;
        out.section("phrase_counts", |out| out.put(&phrase_counts))
    })();
    written.map_err(err)?;
    let sections = std::mem::take(&mut out.sections);
    let header = Header { format_version: FORMAT_VERSION, params: params.clone(), documents: n, counted, sections };
    let header = serde_json::to_vec(&header).unwrap_or_default();
    out.align().map_err(err)?;
    let header_at = out.at;
    // The header holds every section's checksum, so its own checksum names the whole segment (the
    // manifest records it).
    let checksum = xxh3_64(&header);
    out.put(&header).map_err(err)?;
    for word in [header_at, header.len() as u64, checksum] {
        out.put(&word.to_le_bytes()).map_err(err)?;
    }
    out.put(END).map_err(err)?;
    let size = out.at;
    out.w.flush().map_err(err)?;
    drop(out);
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    super::sync_dir(dir)?;
    Ok((size, checksum))
}

/// Little-endian bytes of a sequence of values, concatenated.
fn le<const N: usize>(values: impl Iterator<Item = [u8; N]>) -> Vec<u8> {
    values.flatten().collect()
}

/// A file being written, with its length, the running checksum of the section being written, and the
/// sections written.
struct Out<'a> {
    w: BufWriter<&'a File>,
    hash: Xxh3,
    at: u64,
    sections: Vec<Section>,
}

impl Out<'_> {
    /// Writes a section, 8-aligned, by `write`.
    fn section(&mut self, name: &str, write: impl FnOnce(&mut Self) -> std::io::Result<()>) -> std::io::Result<()> {
        debug_assert_eq!(SECTIONS.get(self.sections.len()), Some(&name));
        self.align()?;
        let offset = self.at;
        self.hash = Xxh3::new();
        write(self)?;
        let checksum = self.hash.digest();
        self.sections.push(Section { name: name.into(), offset, len: self.at - offset, checksum });
        Ok(())
    }

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.w.write_all(bytes)?;
        self.hash.update(bytes);
        self.at += bytes.len() as u64;
        Ok(())
    }

    fn align(&mut self) -> std::io::Result<()> {
        let pad = (8 - self.at % 8) % 8;
        self.put(&[0; 8][..pad as usize])
    }
}

/// An open segment: its file mapped, its head, trailer and header checked (its sections are checked as
/// they are first read).
pub struct Segment {
    path: PathBuf,
    map: Mmap,
    header: Header,
    /// Whether each section (in the order of the header's) matched its checksum, once it was read.
    checked: Vec<OnceLock<bool>>,
    /// The checksum of its header, which names the segment (see [`write()`]).
    pub checksum: u64,
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Segment({})", crate::escape::path_text(&self.path))
    }
}

/// Verification, `--explain` and the reports read an archived text again from its segment.
impl TextStore for Segment {
    fn text(&self, doc: usize) -> Result<String> {
        Segment::text(self, doc)
    }
}

/// A query reads the stems and samples of the few archived documents that take part (near-duplicate
/// groups' leaders) from the map, a document at a time: decoded whole, they were half of its memory.
impl SketchStore for Segment {
    fn documents(&self) -> usize {
        self.header.documents
    }

    fn stems(&self, doc: usize, lead: usize) -> Result<Vec<u32>> {
        let dictionary = self.section("stem_dictionary")?;
        let rank = |r: usize| Some(u32::from_le_bytes(dictionary.get(4 * r..4 * r + 4)?.try_into().ok()?));
        let mut stems = Vec::new();
        decode_stem_row(self.row("stem_starts", "stems", doc, 1)?, lead, rank, &mut stems)
            .ok_or_else(|| self.damaged("stems"))?;
        Ok(stems)
    }

    fn samples(&self, doc: usize) -> Result<Vec<u64>> {
        let (low, width) = sample_bits(self.header.documents);
        Ok(sample_values(self.row("sample_starts", "samples", doc, width)?, low, width).collect())
    }
}

/// How much of a segment [`Segment::contents`] decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decode {
    /// What a query reads whole: the documents' descriptions, word hashes and lead lengths, the statistics
    /// and the minima. The stems and samples are checked and left in the map, read a document at a time
    /// when asked ([`SketchStore`]).
    Query,
    /// Everything, the compressed texts too (`compact`).
    All,
}

impl Segment {
    /// Maps the segment at `path` and checks its magic, format version, end magic, length, header
    /// checksum and layout; not its sections' bytes (see the module's doc).
    pub fn open(path: &Path) -> Result<Segment> {
        let file = File::open(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        // SAFETY: segments are never written in place once published (they are written under a temporary
        // name and renamed), so the mapped bytes do not change under the reader; every section is checked
        // against its checksum before its bytes are used, and every place read is bounds-checked.
        let map = unsafe { Mmap::map(&file) }.map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let bad = |message: String| Error::Index { path: path.to_path_buf(), message };
        let len = map.len();
        if len < START as usize + TRAILER || &map[..8] != MAGIC {
            return Err(bad("not an unspun index segment (no UNSPUNSG magic at its start)".into()));
        }
        let word = |at: usize| u64::from_le_bytes(map[at..at + 8].try_into().unwrap_or_default());
        let (header_at, header_len, checksum) = (word(len - 32), word(len - 24), word(len - 16));
        let version = u32::from_le_bytes(map[8..12].try_into().unwrap_or_default());
        if version != FORMAT_VERSION {
            // Believed only when the header, whole under its checksum, says the same: a flipped bit in the
            // head is damage, not another version.
            let header = (header_at.checked_add(header_len).is_some_and(|e| e <= len as u64))
                .then(|| &map[header_at as usize..(header_at + header_len) as usize])
                .filter(|h| xxh3_64(h) == checksum)
                .and_then(|h| serde_json::from_slice::<serde_json::Value>(h).ok());
            let said = header.and_then(|h| h.get("format_version").and_then(serde_json::Value::as_u64));
            return Err(bad(if said == Some(version as u64) {
                format!(
                    "segment format version {version}, this build reads version {FORMAT_VERSION}: rebuild the index"
                )
            } else {
                format!("the segment's head says format version {version}, its header does not: the segment is damaged")
            }));
        }
        if &map[len - 8..] != END {
            return Err(bad(
                "no end magic at the segment's end: cut short (a torn write) or with bytes after its end; \
                 the index is damaged"
                    .into(),
            ));
        }
        let fits = header_at >= START
            && header_at.checked_add(header_len).and_then(|e| e.checked_add(TRAILER as u64)) == Some(len as u64);
        if map[12..16] != [0; 4] || !fits {
            return Err(bad("the segment's head or trailer does not add up (cut short or damaged)".into()));
        }
        let header_bytes = &map[header_at as usize..(header_at + header_len) as usize];
        if xxh3_64(header_bytes) != checksum {
            return Err(bad("checksum mismatch in the segment's header: the segment is damaged".into()));
        }
        let header: Header =
            serde_json::from_slice(header_bytes).map_err(|_| bad("the segment's header cannot be read".into()))?;
        // The sections in the order written, each 8-aligned, none overlapping another or the header.
        let names: Vec<&str> = header.sections.iter().map(|s| s.name.as_str()).collect();
        if header.format_version != FORMAT_VERSION || names != SECTIONS {
            return Err(bad("the segment's header does not list the sections this format has".into()));
        }
        let mut end = START;
        for s in &header.sections {
            if s.offset % 8 != 0 || s.offset < end || s.offset.saturating_add(s.len) > header_at {
                return Err(bad(format!("section {} lies outside its place in the segment", s.name)));
            }
            end = s.offset + s.len;
        }
        let checked = header.sections.iter().map(|_| OnceLock::new()).collect();
        Ok(Segment { path: path.to_path_buf(), map, header, checked, checksum })
    }

    /// Checks every section against its checksum and that only zeros lie between them: the whole file,
    /// as opening does not (`unspun index verify`). Returns the bytes checked.
    pub fn verify(&self) -> Result<u64> {
        let mut end = START as usize;
        for s in &self.header.sections {
            let gap = &self.map[end..s.offset as usize];
            if gap.iter().any(|&b| b != 0) {
                return Err(Error::Index {
                    path: self.path.clone(),
                    message: format!("the padding before section {} is not zeros: the segment is damaged", s.name),
                });
            }
            self.section(&s.name)?;
            end = (s.offset + s.len) as usize;
        }
        let header_at = self.map.len() - TRAILER - self.header_len();
        if self.map[end..header_at].iter().any(|&b| b != 0) {
            return Err(self.damaged("padding before the header"));
        }
        release(&self.map);
        Ok(self.map.len() as u64)
    }

    fn header_len(&self) -> usize {
        let at = self.map.len() - 24;
        u64::from_le_bytes(self.map[at..at + 8].try_into().unwrap_or_default()) as usize
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parameters its documents were signed with.
    pub fn params(&self) -> &Params {
        &self.header.params
    }

    /// Number of documents.
    pub fn documents(&self) -> usize {
        self.header.documents
    }

    /// Its size in bytes.
    pub fn bytes(&self) -> u64 {
        self.map.len() as u64
    }

    /// Bytes of its compressed text store.
    pub fn text_bytes(&self) -> u64 {
        self.header.sections.iter().find(|s| s.name == "texts").map_or(0, |s| s.len)
    }

    /// Each section's name and size in bytes.
    pub fn section_sizes(&self) -> Vec<(String, u64)> {
        self.header.sections.iter().map(|s| (s.name.clone(), s.len)).collect()
    }

    /// The bytes of section `name`, unchecked.
    fn place(&self, name: &str) -> Result<(usize, &[u8])> {
        let k = self.header.sections.iter().position(|s| s.name == name).ok_or_else(|| Error::Index {
            path: self.path.clone(),
            message: format!("the segment has no section {name}"),
        })?;
        let s = &self.header.sections[k];
        Ok((k, &self.map[s.offset as usize..(s.offset + s.len) as usize]))
    }

    /// The bytes of section `name`, checked against its checksum the first time they are asked for.
    fn section(&self, name: &str) -> Result<&[u8]> {
        let (k, bytes) = self.place(name)?;
        let sound = *self.checked[k].get_or_init(|| xxh3_64(bytes) == self.header.sections[k].checksum);
        if !sound {
            return Err(Error::Index {
                path: self.path.clone(),
                message: format!("checksum mismatch in section {name}: the segment is damaged"),
            });
        }
        Ok(bytes)
    }

    fn damaged(&self, what: &str) -> Error {
        Error::Index { path: self.path.clone(), message: format!("the segment's {what} cannot be read") }
    }

    /// The word hashes of its documents' texts (see [`crate::pipeline::SignedCorpus::exact`]).
    pub fn exact(&self) -> Result<Vec<u64>> {
        Ok(u64s(self.section("exact")?))
    }

    /// The text of document `doc`, read from the compressed store (its frame's checksum checked).
    pub fn text(&self, doc: usize) -> Result<String> {
        thread_local! {
            /// A decompression context a thread, reused from text to text.
            static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
                const { std::cell::RefCell::new(None) };
        }
        let starts = self.section("text_starts")?;
        let (_, texts) = self.place("texts")?;
        let frame =
            row_in(starts, self.header.documents, texts, doc, 1).ok_or_else(|| self.damaged("text store's table"))?;
        // Each frame checks its text (a checksum of its own); the store is not checked whole before.
        let damaged = || Error::Index {
            path: self.path.clone(),
            message: format!(
                "the text of its document {} (counted from 1) cannot be read from the text store: the segment \
                 is damaged (`unspun index verify` checks every byte)",
                doc + 1
            ),
        };
        // Each frame records its text's length (zstd's one-shot compression writes it).
        let len = zstd::zstd_safe::get_frame_content_size(frame).ok().flatten().ok_or_else(damaged)?;
        let bytes = DECOMPRESSOR.with_borrow_mut(|d| {
            let d = match d {
                Some(d) => d,
                None => d.insert(zstd::bulk::Decompressor::new().ok()?),
            };
            d.decompress(frame, len as usize).ok()
        });
        String::from_utf8(bytes.ok_or_else(damaged)?).map_err(|_| damaged())
    }

    /// The ids of the segment's documents, in order (their descriptions decoded, nothing else).
    pub fn ids(&self) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let lines = zstd::decode_all(self.section("documents")?).map_err(|_| self.damaged("documents"))?;
        (lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()))
            .map(|line| serde_json::from_slice::<Id>(line).map(|s| s.id).map_err(|_| self.damaged("documents")))
            .collect()
    }

    /// What the segment holds, as `decode` says, its documents' texts to be read through `this` (see
    /// [`Origin::Stored`]), their paths shared through `paths`. The documents (and stems) are decoded in
    /// one piece of work, the statistics and the words view's minima in another, run by `join` (one after
    /// the other, or side by side: the caller decides).
    pub fn contents(
        this: &Arc<Segment>,
        paths: &mut std::collections::HashMap<String, Arc<Path>>,
        decode: Decode,
        join: Join,
    ) -> Result<Contents> {
        let n = this.header.documents;
        let (mut described, mut counted) = (None, None);
        join(&mut || described = Some(Segment::described(this, paths, decode)), &mut || {
            counted = Some(Segment::counted(this))
        });
        let run = "a join runs both pieces of work";
        let (mut contents, (counts, words)) = (described.expect(run)?, counted.expect(run)?);
        (contents.counts, contents.words) = (counts, words);
        release(&this.map);
        let words_per_doc = this.header.params.views.iter().find(|v| v.view == "words").map_or(0, |v| v.num_hashes);
        if contents.documents.len() != n
            || contents.exact.len() != n
            || contents.lead_stems.len() != n
            || contents.words.len() != n * words_per_doc
        {
            return Err(this.damaged("tables"));
        }
        Ok(contents)
    }

    /// The documents' descriptions, word hashes and lead lengths, and with [`Decode::All`] their stems,
    /// samples and compressed texts: the contents but for the statistics and the minima
    /// ([`Segment::counted`]).
    fn described(
        this: &Arc<Segment>,
        paths: &mut std::collections::HashMap<String, Arc<Path>>,
        decode: Decode,
    ) -> Result<Contents> {
        let n = this.header.documents;
        let lines = zstd::decode_all(this.section("documents")?).map_err(|_| this.damaged("documents"))?;
        let mut documents = Vec::with_capacity(n);
        for (doc, line) in lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
            let s: Stored = serde_json::from_slice(line).map_err(|_| this.damaged("documents"))?;
            let path = paths.entry(s.path).or_insert_with_key(|p| Path::new(p).into()).clone();
            let crawled = s.extra.get("crawled").and_then(Value::as_str);
            let (day, precision) = input::publication(s.date.as_deref(), crawled);
            documents.push(DocInfo {
                day,
                precision,
                id: s.id,
                path,
                origin: Origin::Stored { store: Store(this.clone()), doc },
                bytes: s.bytes,
                words: s.words,
                date: s.date,
                extra: s.extra.into(),
                skipped: None,
                reference: true,
            });
        }
        let starts =
            |name: &str| -> Result<Vec<u64>> { starts(this.section(name)?, n).ok_or_else(|| this.damaged(name)) };
        let lead_stems = match this.section("lead_stems")? {
            b if b.len() == n => b.iter().map(|&l| l as u32).collect(),
            b if b.len() == 4 * n => u32s(b),
            _ => return Err(this.damaged("lead_stems")),
        };
        let (stems, samples) = if decode == Decode::All {
            let stems = decode_stems(
                &u32s(this.section("stem_dictionary")?),
                this.section("stems")?,
                &starts("stem_starts")?,
                &lead_stems,
            )
            .ok_or_else(|| this.damaged("stems"))?;
            let (low, width) = sample_bits(n);
            let bytes = this.section("samples")?;
            if bytes.len() % width != 0 {
                return Err(this.damaged("samples"));
            }
            let values = sample_values(bytes, low, width).collect();
            (stems, ragged(values, starts("sample_starts")?, n).ok_or_else(|| this.damaged("samples"))?)
        } else {
            this.check_sketches()?;
            (Ragged::default(), Ragged::default())
        };
        let texts = if decode == Decode::All {
            ragged(this.section("texts")?.to_vec(), starts("text_starts")?, n).ok_or_else(|| this.damaged("texts"))?
        } else {
            Ragged::default()
        };
        let exact = u64s(this.section("exact")?);
        Ok(Contents { documents, exact, lead_stems, stems, samples, texts, ..Contents::default() })
    }

    /// Checks the sections a query reads a document at a time ([`SketchStore`]): their checksums, and that
    /// the rows' starts stay in order inside them.
    fn check_sketches(&self) -> Result<()> {
        let n = self.header.documents;
        self.section("stem_dictionary")?;
        let (_, width) = sample_bits(n);
        for (rows, values, unit) in [("stem_starts", "stems", 1), ("sample_starts", "samples", width)] {
            let bytes = self.section(values)?.len();
            let starts = starts(self.section(rows)?, n).ok_or_else(|| self.damaged(rows))?;
            if !bytes.is_multiple_of(unit) || !starts_fit(&starts, n, bytes / unit) {
                return Err(self.damaged(values));
            }
        }
        Ok(())
    }

    /// The bytes of document `doc`'s row in section `values`, whose rows (of `unit` bytes a value) start
    /// where section `starts` says.
    fn row(&self, starts: &str, values: &str, doc: usize, unit: usize) -> Result<&[u8]> {
        let (starts, bytes) = (self.section(starts)?, self.section(values)?);
        row_in(starts, self.header.documents, bytes, doc, unit).ok_or_else(|| self.damaged(values))
    }

    /// The statistics of the texts the segment counted first, and the words view's minima.
    fn counted(this: &Segment) -> Result<(Counts, Vec<u32>)> {
        let n = this.header.documents;
        let table = |name: &str| {
            let bytes = zstd::decode_all(this.section(name)?).map_err(|_| this.damaged(name))?;
            frequencies::decode_counters(&bytes).ok_or_else(|| this.damaged(name))
        };
        let stems = table("stem_counts")?;
        let phrases = table("phrase_counts")?;
        let phrases = phrases.into_iter().map(|(s, c)| Some((s, u16::try_from(c).ok()?))).collect::<Option<Vec<_>>>();
        let phrases = phrases.ok_or_else(|| this.damaged("phrase_counts"))?;
        let counts = Counts { stems, phrases, documents: this.header.counted };
        let lanes = this.header.params.views.iter().find(|v| v.view == "words").map_or(0, |v| v.num_hashes);
        let word_starts = starts(this.section("word_starts")?, n).ok_or_else(|| this.damaged("word_starts"))?;
        let bytes = this.section("words")?;
        let mut words = Vec::with_capacity(n * lanes);
        for i in 0..n {
            let row = bytes.get(word_starts[i] as usize..word_starts[i + 1] as usize);
            row.and_then(|row| decode_minima(row, lanes, &mut words)).ok_or_else(|| this.damaged("words"))?;
        }
        Ok((counts, words))
    }
}

/// Lets the pages of a read-only file mapping go from this process's memory; they are read again from the
/// file (or the page cache) when next touched.
fn release(map: &Mmap) {
    // Safety: the mapping is read-only and its file is never written in place (segments are immutable), so
    // dropping its pages loses nothing: the next access reads the file again. A failure only leaves the pages where they are.
    let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
}

/// Rows from their flat values and starts, when they agree.
fn ragged<T>(values: Vec<T>, starts: Vec<u64>, n: usize) -> Option<Ragged<T>> {
    starts_fit(&starts, n, values.len())
        .then(|| Ragged::from_parts(values, starts.into_iter().map(|s| s as usize).collect()))
}

/// Whether the starts of `n` rows begin at 0, never go back and end at `values`.
fn starts_fit(starts: &[u64], n: usize, values: usize) -> bool {
    starts.len() == n + 1
        && starts.first() == Some(&0)
        && starts.windows(2).all(|w| w[0] <= w[1])
        && starts.last().is_some_and(|&e| e as usize == values)
}

/// Lanes of a document's minima matched in pairs, [`KEY_BANDS`] pairs, to find an earlier near-copy.
const KEY_BANDS: usize = 8;
/// The first byte of a row of minima coded against an earlier document's ([`encode_minima`]); a plain
/// Rice code starts with its parameter, 0 to 32.
const REFERENCED: u8 = 0xff;

/// Writes a document's minima `own` into `out` (cleared first): in a Rice code ([`rice`]), or, when coded
/// against a `reference` (how many documents back, and its minima), as [`REFERENCED`], how many documents
/// back (LEB128), a bitmap of the lanes equal to the reference's (lane `l` in bit `l % 8` of byte `l / 8`)
/// and the other lanes in a Rice code. Returns the bytes written.
fn encode_minima(own: &[u32], reference: Option<(u32, &[u32])>, out: &mut Vec<u8>) -> usize {
    let Some((back, reference)) = reference else {
        return rice(own, out);
    };
    let mut bitmap = vec![0u8; own.len().div_ceil(8)];
    let mut differing = Vec::new();
    for (l, (&x, &y)) in own.iter().zip(reference).enumerate() {
        if x == y {
            bitmap[l / 8] |= 1 << (l % 8);
        } else {
            differing.push(x);
        }
    }
    rice(&differing, out);
    let code = std::mem::take(out);
    out.push(REFERENCED);
    leb128::put(back, out);
    out.extend_from_slice(&bitmap);
    out.extend_from_slice(&code);
    out.len()
}

/// For each of `n` documents of `lanes` minima in `words`, whether to code its minima against an earlier
/// document's, and how far back: an archive holds many near-copies of one article (a wire story in every
/// paper, a page crawled again), and a near-copy has most of its minima equal to its original's. Candidates
/// are the first document sharing any of [`KEY_BANDS`] pairs of lanes; the one with most lanes equal is
/// taken when the row it gives is shorter than the plain one. Deterministic: a segment's bytes depend only
/// on its contents.
fn references(words: &[u32], lanes: usize, n: usize) -> Vec<Option<u32>> {
    let mut references = vec![None; n];
    if lanes < 2 * KEY_BANDS || n < 2 {
        return references;
    }
    let row = |i: usize| &words[i * lanes..(i + 1) * lanes];
    // (key, document) packed in a u64: the key's hash in the high bits, the document in the low ones.
    let doc_bits = 64 - (n as u64 - 1).leading_zeros();
    let low = (1u64 << doc_bits) - 1;
    let mut keys: Vec<u64> = (0..n)
        .flat_map(|i| {
            let r = row(i);
            (0..KEY_BANDS).map(move |b| {
                let pair = (r[2 * b] as u64) << 32 | r[2 * b + 1] as u64;
                crate::hash::mix(pair ^ (b as u64).wrapping_mul(crate::hash::HASH_K)) & !low | i as u64
            })
        })
        .collect();
    keys.sort_unstable();
    // Each document later in a run of one key, with the run's first.
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    for run in keys.chunk_by(|x, y| x & !low == y & !low) {
        let first = (run[0] & low) as u32;
        candidates.extend(run[1..].iter().map(|&k| ((k & low) as u32, first)).filter(|&(d, f)| d != f));
    }
    drop(keys);
    candidates.sort_unstable();
    candidates.dedup();
    let mut plain = Vec::new();
    for group in candidates.chunk_by(|x, y| x.0 == y.0) {
        let i = group[0].0 as usize;
        let equal = |j: u32| row(i).iter().zip(row(j as usize)).filter(|(x, y)| x == y).count();
        // The most lanes equal, then the nearest.
        let (best, _) =
            group.iter().map(|&(_, j)| (j, equal(j))).max_by_key(|&(j, e)| (e, j)).expect("a group has members");
        let back = (i - best as usize) as u32;
        if encode_minima(row(i), Some((back, row(best as usize))), &mut plain) < rice(row(i), &mut plain) {
            references[i] = Some(back);
        }
    }
    references
}

/// Appends the `lanes` minima of a row [`encode_minima`] wrote in `bytes` to `out`, which holds the
/// earlier documents' minima; `None` when the bytes are not such a row.
fn decode_minima(bytes: &[u8], lanes: usize, out: &mut Vec<u32>) -> Option<()> {
    if bytes.first() != Some(&REFERENCED) {
        return unrice(bytes, lanes, out);
    }
    let (back, used) = leb128::get(&bytes[1..])?;
    let at = out.len().checked_sub(back as usize * lanes).filter(|_| back > 0)?;
    let bitmap = bytes.get(1 + used..1 + used + lanes.div_ceil(8))?;
    let equal = |l: usize| bitmap[l / 8] >> (l % 8) & 1 == 1;
    // Bits past the last lane are zero in a row written by `encode_minima`.
    if (lanes..bitmap.len() * 8).any(equal) {
        return None;
    }
    let differing = (0..lanes).filter(|&l| !equal(l)).count();
    let mut own = Vec::with_capacity(differing);
    unrice(&bytes[1 + used + bitmap.len()..], differing, &mut own)?;
    let mut own = own.into_iter();
    for l in 0..lanes {
        let value = if equal(l) { out[at + l] } else { own.next()? };
        out.push(value);
    }
    Some(())
}

/// Writes a document's MinHash minima into `out` (cleared first) in a Rice code: a byte `k` (0 to 32), then
/// each value as `value >> k` in unary (that many one bits and a zero) and its `k` low bits, least
/// significant bits first. A minimum of a few hundred shingles' hashes is about 2^32 / shingles: with `k`
/// near its logarithm a lane takes about 26 bits instead of 32. Returns the bytes written.
fn rice(values: &[u32], out: &mut Vec<u8>) -> usize {
    out.clear();
    if values.is_empty() {
        return 0;
    }
    let mean = values.iter().map(|&v| v as u64).sum::<u64>() / values.len() as u64;
    // The parameter for a geometric distribution of this mean is near log2(mean); its neighbours are
    // tried too and the cheapest kept (any `k` reads back: this only sizes the code).
    let guess = (63 - mean.max(1).leading_zeros()).min(32);
    let cost = |k: u32| values.iter().map(|&v| ((v as u64) >> k) + 1 + k as u64).sum::<u64>();
    let k =
        [guess.saturating_sub(1), guess, (guess + 1).min(32)].into_iter().min_by_key(|&k| (cost(k), k)).unwrap_or(32);
    out.push(k as u8);
    let (mut acc, mut bits) = (0u64, 0u32);
    let mut put = |out: &mut Vec<u8>, value: u64, n: u32| {
        acc |= value << bits;
        bits += n;
        while bits >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            bits -= 8;
        }
    };
    for &v in values {
        let mut q = (v as u64) >> k;
        while q > 0 {
            let m = q.min(32) as u32;
            put(out, (1 << m) - 1, m);
            q -= m as u64;
        }
        put(out, 0, 1);
        put(out, v as u64 & ((1 << k) - 1), k);
    }
    put(out, 0, 7);
    out.len()
}

/// Appends the `lanes` minima [`rice`] wrote in `bytes` to `out`; `None` when the bytes are not such a code.
fn unrice(bytes: &[u8], lanes: usize, out: &mut Vec<u32>) -> Option<()> {
    if lanes == 0 {
        return bytes.is_empty().then_some(());
    }
    let (&k, code) = bytes.split_first()?;
    let k = k as u32;
    if k > 32 {
        return None;
    }
    let end = code.len() * 8;
    // The 57 or more bits from bit `at` on (zeros past the end).
    let window = |at: usize| {
        let i = at / 8;
        let mut b = [0u8; 8];
        let have = code.len().saturating_sub(i).min(8);
        b[..have].copy_from_slice(&code[i..i + have]);
        u64::from_le_bytes(b) >> (at % 8)
    };
    let mut at = 0;
    for _ in 0..lanes {
        let mut q = 0u64;
        loop {
            let ones = window(at).trailing_ones().min(56);
            q += ones as u64;
            at += ones as usize;
            if at >= end || q > u32::MAX as u64 {
                return None;
            }
            if ones < 56 {
                at += 1;
                break;
            }
        }
        let low = window(at) & ((1u64 << k) - 1);
        at += k as usize;
        out.push(u32::try_from(q << k | low).ok()?);
    }
    (at <= end && end - at < 8).then_some(())
}

/// How a segment of `n` documents keeps its sampled word n-grams: without their low bits that the passages
/// source masks off to number the documents ([`crate::lsh::doc_mask`] of the documents a query holds, who
/// are this segment's and more), so a query's entries are the same; the rest in as few bytes as hold it.
/// Returns the bits dropped and the bytes a sample.
fn sample_bits(n: usize) -> (u32, usize) {
    let low = crate::lsh::doc_mask(n).count_ones();
    (low, (64 - low as usize).div_ceil(8))
}

/// Where row `i` starts in a `*_starts` section of `n` rows (u32 or u64 a row and one, see [`write`]).
fn start_at(starts: &[u8], n: usize, i: usize) -> Option<u64> {
    let width = starts.len() / (n + 1);
    let b = starts.get(i * width..(i + 1) * width)?;
    match width {
        4 => Some(u32::from_le_bytes(b.try_into().ok()?) as u64),
        8 => Some(u64::from_le_bytes(b.try_into().ok()?)),
        _ => None,
    }
}

/// The bytes of row `i` of `values`, whose rows (of `unit` bytes a value) start where the `*_starts`
/// section `starts` of `n` rows says.
fn row_in<'v>(starts: &[u8], n: usize, values: &'v [u8], i: usize, unit: usize) -> Option<&'v [u8]> {
    let at = |i: usize| start_at(starts, n, i).and_then(|s| usize::try_from(s).ok()?.checked_mul(unit));
    // A start past its end is no range: `get` gives none.
    values.get(at(i)?..at(i + 1)?)
}

/// A `*_starts` section of `n` rows, whole.
fn starts(bytes: &[u8], n: usize) -> Option<Vec<u64>> {
    match bytes.len() {
        l if l == 4 * (n + 1) => Some(u32s(bytes).into_iter().map(u64::from).collect()),
        l if l == 8 * (n + 1) => Some(u64s(bytes)),
        _ => None,
    }
}

/// The content stems of a segment's documents, written compactly: each stem as its rank in the segment's
/// dictionary of stems (most frequent first), a document's lead stems and its other stems each sorted by
/// rank and written as LEB128 gaps. A document's 60-odd stems take about a byte and a half each instead
/// of four; [`decode_stems`] gives back each row as it was (both runs in the order of the stems).
struct StemCoder<'a> {
    rows: &'a Ragged<u32>,
    lead: &'a [u32],
    /// Stems by rank.
    dictionary: Vec<u32>,
    rank: HashMap<u32, u32>,
}

impl<'a> StemCoder<'a> {
    fn new(rows: &'a Ragged<u32>, lead: &'a [u32]) -> StemCoder<'a> {
        let mut count: HashMap<u32, u32> = HashMap::new();
        for i in 0..rows.len() {
            for &stem in rows.row(i) {
                *count.entry(stem).or_default() += 1;
            }
        }
        let mut dictionary: Vec<(u32, u32)> = count.into_iter().collect();
        dictionary.sort_unstable_by_key(|&(stem, n)| (std::cmp::Reverse(n), stem));
        let rank = dictionary.iter().enumerate().map(|(r, &(stem, _))| (stem, r as u32)).collect();
        StemCoder { rows, lead, dictionary: dictionary.into_iter().map(|(stem, _)| stem).collect(), rank }
    }

    /// Writes row `i` into `out` (cleared first); returns its length in bytes.
    fn encode(&self, i: usize, out: &mut Vec<u8>) -> usize {
        out.clear();
        let row = self.rows.row(i);
        let lead = (self.lead[i] as usize).min(row.len());
        for run in [&row[..lead], &row[lead..]] {
            let mut ranks: Vec<u32> = run.iter().map(|s| self.rank[s]).collect();
            ranks.sort_unstable();
            let mut last = 0;
            for r in ranks {
                leb128::put(r - last, out);
                last = r;
            }
        }
        out.len()
    }
}

/// The rows [`StemCoder`] wrote, from its dictionary, bytes, rows' starts and lead lengths; `None` when
/// they do not agree.
fn decode_stems(dictionary: &[u32], bytes: &[u8], starts: &[u64], lead: &[u32]) -> Option<Ragged<u32>> {
    let mut out = Ragged::default();
    let mut row = Vec::new();
    for (i, &lead) in lead.iter().enumerate() {
        let at = usize::try_from(*starts.get(i)?).ok()?;
        let end = usize::try_from(*starts.get(i + 1)?).ok()?;
        decode_stem_row(bytes.get(at..end)?, lead as usize, |rank| dictionary.get(rank).copied(), &mut row)?;
        out.push(row.iter().copied());
    }
    (starts.len() == lead.len() + 1 && starts.last().map(|&e| e as usize) == Some(bytes.len())).then_some(out)
}

/// One row [`StemCoder`] wrote, from its bytes, its lead's length and the dictionary (a stem by its rank),
/// into `row` (cleared first); `None` when they do not agree.
fn decode_stem_row(
    bytes: &[u8],
    lead: usize,
    dictionary: impl Fn(usize) -> Option<u32>,
    row: &mut Vec<u32>,
) -> Option<()> {
    row.clear();
    let (mut at, mut rank) = (0, 0u32);
    while at < bytes.len() {
        let (value, used) = leb128::get(&bytes[at..])?;
        at += used;
        // The other stems' run starts again from rank 0.
        if row.len() == lead {
            rank = 0;
        }
        rank = rank.checked_add(value)?;
        row.push(dictionary(rank as usize)?);
    }
    if row.len() < lead {
        return None;
    }
    row[..lead].sort_unstable();
    row[lead..].sort_unstable();
    Some(())
}

/// The sampled n-grams written `width` bytes each without their `low` bits ([`sample_bits`]), restored.
fn sample_values(bytes: &[u8], low: u32, width: usize) -> impl Iterator<Item = u64> + '_ {
    bytes.chunks_exact(width).map(move |c| {
        let mut x = [0; 8];
        x[..width].copy_from_slice(c);
        u64::from_le_bytes(x) << low
    })
}

fn u64s(bytes: &[u8]) -> Vec<u64> {
    bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect()
}

fn u32s(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn doc(id: &str, words: usize) -> DocInfo {
        DocInfo {
            id: id.into(),
            path: Path::new("archive/a.jsonl").into(),
            origin: Origin::File,
            bytes: 5,
            words,
            date: Some("2025-05-24".into()),
            day: None,
            precision: input::DatePrecision::Time,
            extra: Map::from_iter([("title".to_string(), Value::from("T"))]).into(),
            skipped: None,
            reference: false,
        }
    }

    /// Two documents of two words view lanes each.
    fn contents() -> Contents {
        let mut c = Contents {
            documents: vec![doc("a", 30), doc("b", 3)],
            exact: vec![11, 22],
            lead_stems: vec![1, 0],
            ..Contents::default()
        };
        c.stems.push([5, 6]);
        c.stems.push([]);
        c.samples.push([7]);
        c.samples.push([8, 9]);
        let mut compressor = zstd::bulk::Compressor::new(3).unwrap();
        compressor.set_parameter(zstd::stream::raw::CParameter::ChecksumFlag(true)).unwrap();
        for text in ["hello", "world"] {
            c.texts.push(compressor.compress(text.as_bytes()).unwrap());
        }
        let mut frequencies = crate::frequencies::Frequencies::new();
        frequencies.add_documents(2, [1u64 << 60, 2 << 60].iter(), [3u64].iter());
        c.counts = frequencies.counts();
        c
    }

    fn params() -> Params {
        let mut config = Config::default();
        config.views.iter_mut().for_each(|v| v.num_hashes = 2);
        Params::of(&config)
    }

    #[test]
    fn a_segment_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("segment-1.useg");
        let mut written = contents();
        written.words = vec![1, 2, 3, 4];
        let (size, checksum) = write(&path, &params(), &written).unwrap();
        let segment = Arc::new(Segment::open(&path).unwrap());
        assert_eq!((segment.bytes(), segment.checksum, segment.documents()), (size, checksum, 2));
        assert_eq!(segment.params(), &params());
        let read =
            Segment::contents(&segment, &mut Default::default(), Decode::All, &crate::pipeline::one_after_the_other)
                .unwrap();
        assert_eq!(read.exact, written.exact);
        assert_eq!(read.words, written.words);
        assert_eq!(read.lead_stems, written.lead_stems);
        assert_eq!((read.stems.row(0), read.stems.row(1)), (&[5u32, 6][..], &[][..]));
        // The samples' low bit, which numbers the documents of any query of two or more, is not kept.
        assert_eq!((read.samples.row(0), read.samples.row(1)), (&[6u64][..], &[8u64, 8][..]));
        // A query leaves the stems and samples in the map and reads them a document at a time, the same.
        let query =
            Segment::contents(&segment, &mut Default::default(), Decode::Query, &crate::pipeline::one_after_the_other)
                .unwrap();
        assert_eq!((query.stems.len(), query.samples.len(), &query.lead_stems), (0, 0, &written.lead_stems));
        for doc in 0..2 {
            assert_eq!(segment.stems(doc, read.lead_stems[doc] as usize).unwrap(), read.stems.row(doc));
            assert_eq!(SketchStore::samples(&*segment, doc).unwrap(), read.samples.row(doc));
        }
        let d = &read.documents[1];
        assert_eq!((d.id.as_str(), d.words, d.date.as_deref(), d.reference), ("b", 3, Some("2025-05-24"), true));
        assert_eq!(d.extra["title"], "T");
        assert!(d.day.is_some());
        assert_eq!(input::reload(&d.path, &d.origin, &Default::default()).unwrap(), "world");
        assert_eq!(segment.text(0).unwrap(), "hello");
        assert_eq!(read.counts, written.counts);
        // Only the counters that are not zero are kept: a few bytes, not the tables' tens of megabytes.
        let sizes = segment.section_sizes();
        let size = |name: &str| sizes.iter().find(|(n, _)| n == name).map(|&(_, b)| b).unwrap();
        assert!(size("stem_counts") < 64 && size("phrase_counts") < 64, "{sizes:?}");
        let mut frequencies = crate::frequencies::Frequencies::new();
        assert!(frequencies.add_counts(&read.counts));
        assert_eq!(frequencies.counts().documents, 2);
        assert_eq!(frequencies.df(1 << 60), 1);
        assert_eq!(frequencies.phrase_documents(3), 1);
        assert_eq!(segment.exact().unwrap(), [11, 22]);
    }

    #[test]
    fn samples_keep_every_bit_a_query_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("segment-1.useg");
        let n = 300;
        let mut c = Contents::default();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..n {
            c.documents.push(doc(&format!("d{i}"), 30));
            c.exact.push(i as u64);
            c.words.extend([1, 2]);
            // Leads of 256 stems or more: the lead_stems section keeps u32s.
            let lead = 256 + i as u32 % 40;
            c.lead_stems.push(lead);
            c.stems.push(0..lead + 3);
            let row: Vec<u64> = (0..i % 7)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state & !7
                })
                .collect();
            c.samples.push(row);
            c.texts.push(zstd::bulk::compress(b"x", 3).unwrap());
        }
        write(&path, &params(), &c).unwrap();
        let segment = Arc::new(Segment::open(&path).unwrap());
        let read =
            Segment::contents(&segment, &mut Default::default(), Decode::All, &crate::pipeline::one_after_the_other)
                .unwrap();
        assert_eq!(read.lead_stems, c.lead_stems);
        // A query holds these documents and maybe more: the bits its entries keep are the same, read whole
        // or a document at a time.
        for m in [n, n + 1, 5000, 1 << 21, 1 << 31] {
            let mask = crate::lsh::doc_mask(m);
            for i in 0..n {
                let kept: Vec<u64> = read.samples.row(i).iter().map(|h| h & !mask).collect();
                assert_eq!(SketchStore::samples(&*segment, i).unwrap(), read.samples.row(i));
                let signed: Vec<u64> = c.samples.row(i).iter().map(|h| h & !mask).collect();
                assert_eq!(kept, signed, "document {i}, {m} documents");
            }
        }
        // Fewer bytes than eight a sample.
        let (_, width) = sample_bits(n);
        assert_eq!(width, 7);
    }

    #[test]
    fn another_version_is_told_from_a_damaged_head() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("segment-1.useg");
        let mut written = contents();
        written.words = vec![1, 2, 3, 4];
        write(&path, &params(), &written).unwrap();
        let good = std::fs::read(&path).unwrap();
        let (at, len) = header_place(&good);
        let open = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            Segment::open(&path).err().map(|e| e.to_string()).unwrap_or_default()
        };
        // The head's version changed alone: damage.
        let mut flipped = good.clone();
        flipped[8..12].copy_from_slice(&4u32.to_le_bytes());
        assert!(open(&flipped).contains("its header does not: the segment is damaged"), "{}", open(&flipped));
        // Head and header (under its checksum) both of version 4: another version.
        let header = String::from_utf8(good[at..at + len].to_vec()).unwrap();
        let older = header.replace(&format!("\"format_version\":{FORMAT_VERSION}"), "\"format_version\":4");
        assert_ne!(older, header);
        assert_eq!(older.len(), header.len());
        flipped[at..at + len].copy_from_slice(older.as_bytes());
        let n = flipped.len();
        flipped[n - 16..n - 8].copy_from_slice(&xxh3_64(older.as_bytes()).to_le_bytes());
        assert!(open(&flipped).contains("segment format version 4, this build reads version"), "{}", open(&flipped));
    }

    /// Where the header of the segment file `bytes` is (offset, length), as its trailer says.
    fn header_place(bytes: &[u8]) -> (usize, usize) {
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
        (word(bytes.len() - 32), word(bytes.len() - 24))
    }

    /// The place of section `name` in the segment file `bytes`, read from its header.
    fn place_of(bytes: &[u8], name: &str) -> std::ops::Range<usize> {
        let (at, len) = header_place(bytes);
        let header: Header = serde_json::from_slice(&bytes[at..at + len]).unwrap();
        let s = header.sections.iter().find(|s| s.name == name).unwrap();
        s.offset as usize..(s.offset + s.len) as usize
    }

    proptest::proptest! {
        /// Each row's lead run and other run, each sorted (as the reading stage leaves them, equal high
        /// halves of two stems included), come back as they were.
        #[test]
        fn stems_read_back_as_written(rows in proptest::collection::vec(
            (proptest::collection::vec(0u32..300, 0..20), proptest::collection::vec(some_stem(), 0..40)),
            0..30,
        )) {
            let mut ragged = Ragged::default();
            let mut lead = Vec::new();
            for (mut a, mut b) in rows {
                a.sort_unstable();
                b.sort_unstable();
                lead.push(a.len() as u32);
                ragged.push(a.into_iter().chain(b));
            }
            let coder = StemCoder::new(&ragged, &lead);
            let (mut bytes, mut starts, mut row) = (Vec::new(), vec![0u64], Vec::new());
            for i in 0..ragged.len() {
                coder.encode(i, &mut row);
                bytes.extend_from_slice(&row);
                starts.push(bytes.len() as u64);
            }
            let read = decode_stems(&coder.dictionary, &bytes, &starts, &lead).unwrap();
            for i in 0..ragged.len() {
                proptest::prop_assert_eq!(read.row(i), ragged.row(i));
            }
            // Cut short, the rows do not agree with their starts.
            if !bytes.is_empty() {
                proptest::prop_assert!(decode_stems(&coder.dictionary, &bytes[..bytes.len() - 1], &starts, &lead).is_none());
            }
        }
    }

    proptest::proptest! {
        /// Minima of every size (those of a text, of a short one, of an empty one: all `u32::MAX`) read
        /// back as written, and a code cut short or run on does not.
        #[test]
        fn minima_read_back_as_written(scale in 0u32..=32, raw in proptest::collection::vec(proptest::num::u32::ANY, 0..200), empty in proptest::bool::ANY) {
            let values: Vec<u32> = if empty { vec![u32::MAX; raw.len()] } else { raw.iter().map(|&v| v.checked_shr(scale).unwrap_or(0)).collect() };
            let mut code = Vec::new();
            let len = rice(&values, &mut code);
            proptest::prop_assert_eq!(len, code.len());
            let mut read = vec![7];
            proptest::prop_assert!(unrice(&code, values.len(), &mut read).is_some());
            proptest::prop_assert_eq!(&read[1..], &values[..]);
            if !values.is_empty() {
                proptest::prop_assert!(unrice(&code[..code.len() - 1], values.len(), &mut Vec::new()).is_none());
                proptest::prop_assert!(unrice(&[&code[..], &[0]].concat(), values.len(), &mut Vec::new()).is_none());
            }
        }
    }

    /// Each row of `words` coded as [`write`] codes it (against its reference, if any), and the rows read
    /// back in order.
    fn minima_coded(words: &[u32], lanes: usize) -> (Vec<Vec<u8>>, Vec<u32>) {
        let n = words.len() / lanes;
        let row = |i: usize| &words[i * lanes..(i + 1) * lanes];
        let references = references(words, lanes, n);
        let rows: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let mut code = Vec::new();
                encode_minima(row(i), references[i].map(|back| (back, row(i - back as usize))), &mut code);
                code
            })
            .collect();
        let mut read = Vec::new();
        for code in &rows {
            assert!(decode_minima(code, lanes, &mut read).is_some());
        }
        (rows, read)
    }

    proptest::proptest! {
        /// Documents and near-copies of earlier ones (some lanes changed) read back as written, however
        /// their rows were coded.
        #[test]
        fn minima_of_near_copies_read_back_as_written(
            lanes in 16usize..40,
            docs in proptest::collection::vec((proptest::num::u32::ANY, 0usize..8, proptest::collection::vec(0usize..40, 0..30)), 1..40),
        ) {
            let mut words: Vec<u32> = Vec::new();
            for (k, (seed, copy_of, changed)) in docs.iter().enumerate() {
                let n = words.len() / lanes;
                let row: Vec<u32> = if n > 0 && *copy_of < 6 {
                    let j = copy_of % n;
                    let mut r = words[j * lanes..(j + 1) * lanes].to_vec();
                    for &l in changed {
                        r[l % lanes] = r[l % lanes].wrapping_add(seed | 1);
                    }
                    r
                } else {
                    (0..lanes as u32).map(|l| seed.wrapping_mul(l + 1).rotate_left(k as u32) >> 6).collect()
                };
                words.extend(row);
            }
            let (_, read) = minima_coded(&words, lanes);
            proptest::prop_assert_eq!(read, words);
        }
    }

    #[test]
    fn near_copies_take_a_fraction_of_the_bytes_and_damage_is_found() {
        // An original's minima and five near-copies, each with a tenth of its lanes changed.
        let lanes = 128;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state as u32) >> 8
        };
        let original: Vec<u32> = (0..lanes).map(|_| next()).collect();
        let mut words = original.clone();
        for _ in 0..5 {
            words.extend(original.iter().enumerate().map(|(l, &x)| if l % 10 == 3 { next() } else { x }));
        }
        let (rows, read) = minima_coded(&words, lanes);
        assert_eq!(read, words);
        let plain = rice(&original, &mut Vec::new());
        assert_eq!(rows[0].len(), plain);
        for (k, row) in rows.iter().enumerate().skip(1) {
            assert_eq!((row[0], row[1]), (REFERENCED, k as u8), "coded against the original, {k} documents back");
            assert!(row.len() * 3 < plain, "{} bytes of {plain}", row.len());
        }
        // A reference before the first document, or to the document itself, and bits set past the last
        // lane are refused.
        let mut earlier = words[..lanes].to_vec();
        assert!(decode_minima(&rows[1], lanes, &mut earlier).is_some());
        assert!(decode_minima(&rows[1], lanes, &mut Vec::new()).is_none());
        let mut itself = rows[1].clone();
        itself[1] = 0;
        assert!(decode_minima(&itself, lanes, &mut words[..lanes].to_vec()).is_none());
        assert!(decode_minima(&rows[1], lanes - 4, &mut words[..lanes - 4].to_vec()).is_none());
    }

    #[test]
    fn minima_of_a_text_take_fewer_bits() {
        // The minima of 150 shingles' hashes are about 2^32 / 150.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let values: Vec<u32> = (0..128)
            .map(|_| {
                (0..150)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state as u32
                    })
                    .min()
                    .unwrap()
            })
            .collect();
        let mut code = Vec::new();
        assert!(rice(&values, &mut code) < 440, "{} bytes", code.len());
    }

    /// Stems from the whole range, some frequent.
    fn some_stem() -> impl proptest::strategy::Strategy<Value = u32> {
        use proptest::strategy::Strategy;
        (0u32..4, proptest::num::u32::ANY).prop_map(|(k, x)| if k == 0 { x % 8 } else { x })
    }

    /// A small segment written in `dir`: its path and its bytes.
    fn written(dir: &Path) -> (PathBuf, Vec<u8>) {
        let path = dir.join("segment-1.useg");
        let mut c = contents();
        c.words = vec![1, 2, 3, 4];
        write(&path, &params(), &c).unwrap();
        let good = std::fs::read(&path).unwrap();
        (path, good)
    }

    #[test]
    fn a_damaged_section_is_found_when_read_not_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let (path, good) = written(dir.path());
        // A query reads the stems and samples a document at a time, but checks their sections on loading.
        for name in ["words", "samples", "stems", "stem_counts"] {
            let mut bad = good.clone();
            bad[place_of(&good, name).start + 1] ^= 0x01;
            std::fs::write(&path, &bad).unwrap();
            // Opening reads the head, trailer and header only; reading the section finds the damage.
            let segment = Arc::new(Segment::open(&path).unwrap());
            assert_eq!(segment.text(1).unwrap(), "world");
            let e = Segment::contents(
                &segment,
                &mut Default::default(),
                Decode::Query,
                &crate::pipeline::one_after_the_other,
            )
            .err()
            .unwrap()
            .to_string();
            assert!(e.contains("segment-1.useg") && e.contains(&format!("section {name}")), "{e}");
            let e = segment.verify().unwrap_err().to_string();
            assert!(e.contains("segment-1.useg") && e.contains(name), "{e}");
        }
        // A text's frame carries its checksum: the damaged text, not its neighbour, fails to read.
        let mut bad = good.clone();
        let texts = place_of(&good, "texts");
        bad[texts.end - 2] ^= 0x01;
        std::fs::write(&path, &bad).unwrap();
        let segment = Segment::open(&path).unwrap();
        assert_eq!(segment.text(0).unwrap(), "hello");
        let e = segment.text(1).unwrap_err().to_string();
        assert!(e.contains("segment-1.useg") && e.contains("its document 2 (counted from 1)"), "{e}");
        assert!(e.contains("the segment is damaged"), "{e}");
        assert!(segment.verify().unwrap_err().to_string().contains("section texts"));
    }

    #[test]
    fn every_damaged_byte_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let (path, good) = written(dir.path());
        // A sample of positions, every byte of the small head and tail.
        let positions = (0..good.len()).filter(|&i| i < 64 || i + 64 > good.len() || i % 997 == 0);
        for at in positions {
            let mut bad = good.clone();
            bad[at] ^= 0x10;
            std::fs::write(&path, &bad).unwrap();
            let e = Segment::open(&path)
                .and_then(|s| s.verify())
                .err()
                .unwrap_or_else(|| panic!("byte {at} changed, not found"));
            assert!(e.to_string().contains("segment-1.useg"), "{e}");
        }
        for cut in [1, 8, 16, good.len() / 2, good.len() - 1] {
            std::fs::write(&path, &good[..good.len() - cut]).unwrap();
            assert!(Segment::open(&path).is_err(), "cut by {cut}");
        }
    }
}
