//! A collection judged in parts, for a cluster of machines (the Python package's `unspun.spark` job): the
//! same verdicts as a scan of the whole, from pieces that each see a part of it.
//!
//! A scan's judgement of a pair depends on the collection in two ways only: its statistics ([`Frequencies`]:
//! rare and common stems and phrases, counted once per distinct text) and the documents it meets in the
//! same LSH bucket, passage sample or group of identical short texts (near-duplicate groups, bucket caps,
//! witnesses of direction and the orientation of a family all follow from those). So a collection can be
//! judged in parts: [`count`] gives each part's statistics (each distinct text counted in one part only),
//! summed into a [`Collection`]; [`links`] gives each document's bucket keys under those statistics;
//! documents that share a key are joined (connected components, outside this crate); and [`judge_part`]
//! runs the stages after reading over any union of whole components with the collection's statistics.
//! Its pairs and clusters are the whole scan's that fall in the part, and the parts' candidate
//! statistics add up to the whole's.

use std::collections::HashSet;

use super::read::{self, Inputs, Prior, TOO_SHORT};
use super::{Plan, judge};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::frequencies::{self, Counts, Frequencies};
use crate::input::Document;
use crate::lsh::band_entries;
use crate::minhash::{EMPTY, Signatures};
use crate::progress::Progress;
use crate::scan::{DocInfo, Scan};
use crate::shingle::{Masks, View, word_hashes};

/// The key table of the passages' sampled word n-grams in [`Links::keys`].
pub const PASSAGES: u32 = u32::MAX - 1;
/// The key table of the texts too short to judge, by their words' hash, in [`Links::keys`].
pub const TOO_SHORT_TEXTS: u32 = u32::MAX;

/// What every part of a collection is judged with: the whole's statistics and size.
pub struct Collection {
    /// The stem and phrase counts of the whole collection, each distinct text counted once.
    pub frequencies: Frequencies,
    /// The number of documents of the whole collection.
    pub documents: usize,
}

/// One document's place in the collection: what the report says of it and the keys it shares with the
/// documents it may be compared with.
#[derive(Debug)]
pub struct Links {
    /// The document as read and settled (too short or empty ones marked).
    pub info: DocInfo,
    /// The hash of its words ([`exact_hash`]).
    pub exact: u64,
    /// `(table, key)`: two documents with an equal pair are in one bucket of a scan of the whole. Tables
    /// `view << 16 | band` hold the views' band hashes (the document bits cleared as the whole's
    /// [`crate::lsh::band_entries`] clears them), [`PASSAGES`] the sampled word n-grams, and
    /// [`TOO_SHORT_TEXTS`] the words' hash of a text too short to judge.
    pub keys: Vec<(u32, u64)>,
}

/// The hash of a text's words, as the scan takes it to count each distinct text once (and to match texts
/// too short to judge): documents with equal hashes are counted together by [`count`] when they are
/// in one part.
pub fn exact_hash(text: &str) -> u64 {
    let (mut words, mut masks, mut scratch) = (Vec::new(), Masks::default(), String::new());
    word_hashes(text, &mut words, &mut masks, &mut scratch);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// The statistics of `documents`, each distinct text counted once: a part's share of the collection's,
/// when every copy of a text is in the same part (summed with [`Frequencies::add`]).
pub fn count(documents: Vec<Document>, config: &Config) -> Result<Frequencies> {
    check(config)?;
    let plan = Plan::new(config, false)?;
    let corpus = read::read_signed(inputs(documents), &plan, Prior::default(), &crate::progress::NoProgress)?;
    Ok(corpus.frequencies)
}

/// Each of `documents` with its bucket keys in a scan of the whole `collection` (see [`Links::keys`]), in
/// the order given. The ids must be unique in the collection already (see [`judge_part`] for the order).
pub fn links(documents: Vec<Document>, collection: &Collection, config: &Config) -> Result<Vec<Links>> {
    check(config)?;
    let plan = part_plan(config, collection)?;
    let prior = Prior { counted: true, in_order: true, ..Prior::default() };
    let mut corpus = read::read_signed(inputs(documents), &plan, prior, &crate::progress::NoProgress)?;
    read::settle(&mut corpus, &plan);
    let n = corpus.documents.len();
    let mask = plan.doc_mask(n);
    let sketches = &corpus.sketches;
    let rewording: Vec<Option<Signatures>> = (0..config.views.len())
        .map(|k| {
            let signed = plan.signed_when_read(config.views[k].view);
            (!signed).then(|| sketches.sign_rewording(k, &plan, &collection.frequencies, |_| true)).transpose()
        })
        .collect::<Result<_>>()?;
    let signatures: Vec<&Signatures> =
        sketches.signatures.iter().zip(&rewording).map(|(m, r)| r.as_ref().unwrap_or(m)).collect();
    let passages = config.passages && config.views.iter().any(|v| v.view == View::Words);
    let mut out = Vec::with_capacity(n);
    for (j, info) in corpus.documents.into_iter().enumerate() {
        let mut keys = Vec::new();
        if info.skipped.is_none() {
            for (k, (v, m)) in config.views.iter().zip(&signatures).enumerate() {
                let mins = m.mins(j);
                if mins[0] == EMPTY {
                    continue;
                }
                let mut entries = vec![0u64; v.lsh.bands];
                // Document 0: the entry is the band's hash with the document bits cleared.
                band_entries(mins, v.lsh, 0, mask, 0, &mut entries);
                keys.extend(entries.iter().enumerate().map(|(band, &h)| ((k as u32) << 16 | band as u32, h)));
            }
            if passages {
                keys.extend(sketches.samples.row(sketches.read_index[j]).iter().map(|&h| (PASSAGES, h & !mask)));
            }
        } else if info.skipped == Some(TOO_SHORT) {
            keys.push((TOO_SHORT_TEXTS, corpus.exact[j]));
        }
        out.push(Links { info, exact: corpus.exact[j], keys });
    }
    Ok(out)
}

/// Judges `documents`, a union of whole components of the collection's documents joined by shared keys
/// ([`links`]), as a scan of the whole collection judges them: the stages after reading, with the
/// collection's statistics. The ids must be unique in the collection already, and the documents in the
/// whole's fixed order (by id as read, then path, then read order; ids made unique after): the order
/// names a pair's first document and a cluster's members, and sorting the ids made unique would not
/// give it back (`x#10` sorts before `x#9`, `x#3` before `x#2` when another document's id is `x#2`).
pub fn judge_part(
    documents: Vec<Document>,
    collection: &Collection,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Scan> {
    check(config)?;
    let plan = part_plan(config, collection)?;
    let prior =
        Prior { frequencies: collection.frequencies.clone(), counted: true, in_order: true, ..Prior::default() };
    let mut corpus = read::read_signed(inputs(documents), &plan, prior, progress)?;
    read::settle(&mut corpus, &plan);
    judge(corpus, Vec::new(), &plan, progress)
}

/// Settings a collection can be judged in parts with: verified pairs, no semantic view (its nearest
/// neighbours are not bucketed), no reference collection.
fn check(config: &Config) -> Result<()> {
    config.validate()?;
    if config.candidates_only || config.semantic.is_some() || !config.against.is_empty() {
        return Err(Error::Config(
            "a collection judged in parts verifies its pairs, without the semantic view or --against".into(),
        ));
    }
    Ok(())
}

fn part_plan<'a>(config: &'a Config, collection: &Collection) -> Result<Plan<'a>> {
    let mut plan = Plan::new(config, false)?;
    plan.collection = Some(collection.documents);
    Ok(plan)
}

fn inputs<'a>(documents: Vec<Document>) -> Inputs<'a> {
    Inputs { documents: Box::new(documents.into_iter()), files: Vec::new(), reference: HashSet::new() }
}

/// The magic number and version that open [`frequencies_to_bytes`]' encoding.
const MAGIC: &[u8; 8] = b"unspunF\x03";

/// The statistics as bytes, to send between machines: a magic number and version (`unspunF\x03`), then,
/// zstd-compressed, the documents counted (u64, little-endian), the length in bytes of the stem counters
/// (u64) and the stem and phrase counters that are not zero, each in slot order as LEB128 gaps and counts
/// (the coding of an index segment's statistics): a part of a few thousand articles sets a few hundred
/// thousand of the tables' twenty million counters.
pub fn frequencies_to_bytes(frequencies: &Frequencies) -> Vec<u8> {
    counts_to_bytes(&frequencies.counts())
}

/// Statistics from [`frequencies_to_bytes`]; an error when the bytes are not that encoding of this
/// build's tables.
pub fn frequencies_from_bytes(bytes: &[u8]) -> Result<Frequencies> {
    let mut frequencies = Frequencies::new();
    frequencies.add_counts(&counts_from_bytes(bytes)?).then_some(frequencies).ok_or_else(not_statistics)
}

/// The sum of two encodings of [`frequencies_to_bytes`], encoded the same way, without making the
/// tables: what a tree of sums over a cluster's parts does at each node.
pub fn add_encoded_frequencies(a: &[u8], b: &[u8]) -> Result<Vec<u8>> {
    let mut sum = counts_from_bytes(a)?;
    sum.add(&counts_from_bytes(b)?);
    Ok(counts_to_bytes(&sum))
}

fn not_statistics() -> Error {
    Error::Config("not statistics encoded by this version of unspun".into())
}

fn counts_to_bytes(counts: &Counts) -> Vec<u8> {
    let stems = frequencies::encode_counters(counts.stems.iter().copied());
    let phrases = frequencies::encode_counters(counts.phrases.iter().map(|&(s, c)| (s, c.into())));
    let mut plain = Vec::with_capacity(16 + stems.len() + phrases.len());
    plain.extend_from_slice(&counts.documents.to_le_bytes());
    plain.extend_from_slice(&(stems.len() as u64).to_le_bytes());
    plain.extend_from_slice(&stems);
    plain.extend_from_slice(&phrases);
    let mut out = MAGIC.to_vec();
    // Compressing bytes in memory fails only on allocation, which aborts first.
    out.extend_from_slice(&zstd::bulk::compress(&plain, 3).unwrap_or_default());
    out
}

fn counts_from_bytes(bytes: &[u8]) -> Result<Counts> {
    let decode = || -> Option<Counts> {
        let plain = zstd::decode_all(bytes.strip_prefix(MAGIC)?).ok()?;
        let documents = u64::from_le_bytes(plain.get(..8)?.try_into().ok()?);
        let stem_len = usize::try_from(u64::from_le_bytes(plain.get(8..16)?.try_into().ok()?)).ok()?;
        let (stems, phrases) = plain.get(16..)?.split_at_checked(stem_len)?;
        let stems = frequencies::decode_counters(stems)?;
        let phrases = frequencies::decode_counters(phrases)?;
        let phrases = phrases.into_iter().map(|(s, c)| Some((s, u16::try_from(c).ok()?))).collect::<Option<_>>()?;
        Some(Counts { stems, phrases, documents })
    };
    decode().ok_or_else(not_statistics)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::graph::{find, union};
    use crate::input;
    use crate::progress::NoProgress;
    use crate::report::Report;

    /// The report's pair and cluster lines, which name documents by id.
    fn verdicts(scan: &Scan) -> Vec<String> {
        let report = Report::new(scan);
        let pairs = report.pairs.iter().map(|p| serde_json::to_string(p).unwrap());
        pairs.chain(report.clusters.iter().map(|c| serde_json::to_string(c).unwrap())).collect()
    }

    fn seeds() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs")
    }

    /// The documents of the scan `whole` judged in parts, in the fixed order as the job gives them:
    /// counted in `counting` parts, linked in two, judged in `judging` parts of whole components.
    fn judged_in_parts(whole: &Scan, counting: u64, judging: u32) {
        let config = Config::default();
        let documents: Vec<Document> = whole
            .documents
            .iter()
            .map(|d| {
                let text = input::reload(&d.path, &d.origin, &config.input).unwrap();
                Document {
                    path: d.path.clone(),
                    date: d.date.clone(),
                    extra: d.extra.to_map(),
                    ..Document::new(&d.id, text)
                }
            })
            .collect();
        let n = documents.len();
        // Summed as the job sums them: encoded, two at a time.
        let mut sum = frequencies_to_bytes(&Frequencies::new());
        for part in 0..counting {
            let mine = documents.iter().filter(|d| exact_hash(&d.text) % counting == part).cloned().collect();
            sum = add_encoded_frequencies(&sum, &frequencies_to_bytes(&count(mine, &config).unwrap())).unwrap();
        }
        let frequencies = frequencies_from_bytes(&sum).unwrap();
        let collection = Collection { frequencies, documents: n };
        let index: BTreeMap<String, u32> =
            documents.iter().enumerate().map(|(i, d)| (d.id.clone(), i as u32)).collect();
        let (mut parent, mut first): (Vec<u32>, BTreeMap<(u32, u64), u32>) = ((0..n as u32).collect(), BTreeMap::new());
        for half in [0, 1] {
            let mine = documents.iter().enumerate().filter(|(i, _)| i % 2 == half).map(|(_, d)| d.clone()).collect();
            for l in links(mine, &collection, &config).unwrap() {
                let i = index[&l.info.id];
                for key in l.keys {
                    let j = *first.entry(key).or_insert(i);
                    union(&mut parent, i, j);
                }
            }
        }
        let mut lines = Vec::new();
        for part in 0..judging {
            let mine: Vec<Document> = documents
                .iter()
                .enumerate()
                .filter(|&(i, _)| find(&mut parent, i as u32) % judging == part)
                .map(|(_, d)| d.clone())
                .collect();
            lines.extend(verdicts(&judge_part(mine, &collection, &config, &NoProgress).unwrap()));
        }
        let mut want = verdicts(whole);
        want.sort();
        lines.sort();
        assert_eq!(lines, want);
    }

    #[test]
    fn a_collection_judged_in_parts_is_judged_as_a_whole() {
        let whole = crate::scan(&[seeds()], &Config::default(), &NoProgress).unwrap();
        assert!(whole.pairs.len() >= 3);
        judged_in_parts(&whole, 1, 1);
        judged_in_parts(&whole, 3, 2);
        judged_in_parts(&whole, 2, 5);
    }

    /// Eleven documents of id `x` and one of id `x#2`: named `x`, `x#3` … `x#12` in the order read, where
    /// sorting those names would put `x#10` before `x#3`, and so turn pairs and clusters around.
    #[test]
    fn repeated_ids_keep_the_wholes_order_in_parts() {
        let mut texts: Vec<String> =
            std::fs::read_dir(seeds()).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
        texts.sort();
        let ids = std::iter::repeat_n("x", 11).chain(["x#2"]);
        let documents: Vec<Document> =
            ids.zip(texts.iter().cycle()).map(|(id, t)| Document::new(id, t.as_str())).collect();
        let whole = crate::pipeline::scan_documents(documents, &Config::default(), &NoProgress).unwrap();
        let names: Vec<&str> = whole.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(names[..4], ["x", "x#3", "x#4", "x#5"]);
        // Pairs whose names sort the other way round.
        let id = |k: u32| &whole.documents[k as usize].id;
        assert!(whole.pairs.iter().any(|p| id(p.a) > id(p.b)));
        judged_in_parts(&whole, 1, 1);
        judged_in_parts(&whole, 2, 3);
    }

    #[test]
    fn statistics_survive_their_encoding() {
        let config = Config::default();
        let documents = vec![Document::new("a", "Drones and missiles hit Kyiv overnight, damaging buildings.")];
        let frequencies = count(documents, &config).unwrap();
        let bytes = frequencies_to_bytes(&frequencies);
        assert_eq!(frequencies_to_bytes(&frequencies_from_bytes(&bytes).unwrap()), bytes);
        assert!(frequencies_from_bytes(&bytes[1..]).is_err());
        assert!(frequencies_from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(add_encoded_frequencies(&bytes, b"unspunF\x02").is_err());
        // Only the counters set are sent: a few hundred bytes, not the tables' 48 MiB.
        assert!(bytes.len() < 1000, "{} bytes", bytes.len());
        // A slot past this build's tables is refused, not dropped.
        let past = Counts { stems: vec![(1 << Frequencies::bits().0, 1)], ..Counts::default() };
        assert!(frequencies_from_bytes(&counts_to_bytes(&past)).is_err());
    }
}
