//! Locality-sensitive hashing by banding: candidate pairs from [`crate::minhash`] signatures.
//!
//! A signature of `bands × rows` lanes is cut into bands; two documents become a candidate pair when any band
//! of theirs hashes alike. [`LshParams::for_threshold`] picks bands and rows for a Jaccard threshold by
//! minimising the expected false positives plus false negatives. Each band is a table of its own
//! ([`band_entries`], [`band_pairs`]; the pipeline builds them in parallel and [`merge_bands`] their pairs):
//! the `(band hash, document)` entries of a band are sorted and equal runs are buckets. A bucket shared by
//! more than `max_bucket` documents (boilerplate, templates, mass duplicates) would emit a quadratic number
//! of pairs: it is chained instead (each document paired with its next few neighbours in the bucket), which
//! keeps such a group connected at linear cost, and it is counted in [`LshStats`]. The caller drops the
//! pairs whose full signatures estimate a similarity far below the threshold, without estimating again
//! those an earlier band kept ([`not_kept`]). [`shared_sample_pairs`]
//! is the other candidate source: an inverted index of sampled word n-grams, for a short text copied into a
//! long one, which banding cannot see. The pairs go on to [`crate::align`] and [`crate::score`].

use std::sync::Mutex;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::hash::{HASH_K, hash_step, mix};
use crate::pair::{PairKey, pair_key};

/// The most MinHash lanes a signature may have (a view's `--hashes`).
pub const MAX_HASHES: usize = 1024;

/// How the lanes of a signature are cut into bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LshParams {
    /// Number of bands (tables).
    pub bands: usize,
    /// Lanes per band.
    pub rows: usize,
}

/// Probability that two sets of Jaccard similarity `s` share at least one band.
pub fn collision_probability(s: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32)
}

fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    // Midpoint rule; the integrands are smooth and this runs once per view.
    let steps = 200;
    let dx = (hi - lo) / steps as f64;
    (0..steps).map(|i| f(lo + (i as f64 + 0.5) * dx) * dx).sum()
}

impl LshParams {
    /// The bands and rows (with `bands * rows <= num_hashes`) that minimise the area of false positives
    /// below `threshold` plus the area of false negatives above it, equally weighted.
    pub fn for_threshold(threshold: f64, num_hashes: usize) -> Result<LshParams> {
        if !(0.0..=1.0).contains(&threshold) || threshold == 0.0 {
            return Err(Error::Config(format!("LSH threshold {threshold:?} is not in (0, 1]")));
        }
        // Checked before the search below, whose time grows with the square of the number.
        if !(1..=MAX_HASHES).contains(&num_hashes) {
            return Err(Error::Config(format!("{num_hashes} hashes is not in 1..={MAX_HASHES}")));
        }
        // Worked out once per setting in a process: it takes tens of milliseconds.
        static KNOWN: Mutex<Vec<((u64, usize), LshParams)>> = Mutex::new(Vec::new());
        let key = (threshold.to_bits(), num_hashes);
        if let Some(known) = KNOWN.lock().ok().and_then(|k| k.iter().find(|e| e.0 == key).map(|e| e.1)) {
            return Ok(known);
        }
        let mut best = (f64::INFINITY, LshParams { bands: 1, rows: num_hashes });
        for bands in 1..=num_hashes {
            for rows in 1..=num_hashes / bands {
                let fp = integrate(|s| collision_probability(s, bands, rows), 0.0, threshold);
                let fn_ = integrate(|s| 1.0 - collision_probability(s, bands, rows), threshold, 1.0);
                if fp + fn_ < best.0 {
                    best = (fp + fn_, LshParams { bands, rows });
                }
            }
        }
        if let Ok(mut known) = KNOWN.lock() {
            known.push((key, best.1));
        }
        Ok(best.1)
    }

    /// Checks the banding fits in `num_hashes` lanes.
    pub fn validate(&self, num_hashes: usize) -> Result<()> {
        if self.bands == 0 || self.rows == 0 || self.bands * self.rows > num_hashes {
            return Err(Error::Config(format!(
                "{} bands × {} rows does not fit in {num_hashes} hashes",
                self.bands, self.rows
            )));
        }
        Ok(())
    }
}

/// What banding found, for the report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LshStats {
    /// Distinct candidate pairs.
    pub pairs: usize,
    /// Buckets larger than the cap, chained instead of fully paired.
    pub capped_buckets: usize,
    /// Documents in the largest bucket seen.
    pub largest_bucket: usize,
    /// Banded pairs dropped because their full signatures estimate a similarity below `min_estimate`
    /// (counted once per band that proposed them).
    pub dissimilar: usize,
}

impl LshStats {
    /// The statistics of two bands (or groups of bands) together; `pairs` is left for the caller to count.
    pub fn and(self, other: LshStats) -> LshStats {
        LshStats {
            pairs: 0,
            capped_buckets: self.capped_buckets + other.capped_buckets,
            largest_bucket: self.largest_bucket.max(other.largest_bucket),
            dissimilar: self.dissimilar + other.dissimilar,
        }
    }
}

/// Neighbours each document of an over-full bucket is paired with.
const CHAIN: usize = 2;

/// The entry of document `i` in each of the bands `first..first + out.len()`: the band's hash in the
/// high bits, the document in the low ones (`doc_mask`, see [`doc_mask`]), so that a sort of plain
/// integers makes a band's buckets, each in document order. Bits that number the documents are taken
/// from the hash, which keeps the other 64 - ⌈log2 n⌉ (at least 32): two documents share a bucket by
/// chance with probability n / 2^(64 - ⌈log2 n⌉) per band.
pub fn band_entries(mins: &[u32], params: LshParams, first: usize, doc_mask: u64, i: usize, out: &mut [u64]) {
    for (k, h) in out.iter_mut().enumerate() {
        let band = first + k;
        let lanes = band * params.rows..(band + 1) * params.rows;
        *h = band_hash(&mins[lanes], band) & !doc_mask | i as u64;
    }
}

/// The candidate pairs of one band, from its entries (see [`band_entries`]), sorted and free of
/// duplicates: every pair of documents in a bucket, except in a bucket of more than `max_bucket`
/// (boilerplate, templates, mass duplicates), where each document is paired with its next two
/// instead. Which of them are similar enough to keep is for the caller to estimate. The statistics count
/// the buckets with a document that `counts` (see [`buckets`]).
pub fn band_pairs(
    mut entries: Vec<u64>,
    doc_mask: u64,
    max_bucket: usize,
    counts: impl Fn(usize) -> bool,
) -> (Vec<PairKey>, LshStats) {
    let mut pairs = Vec::new();
    let stats = buckets(&mut entries, doc_mask, max_bucket, counts, |bucket, partners| {
        for (k, x) in bucket.iter().enumerate() {
            for y in bucket.iter().skip(k + 1).take(partners) {
                pairs.push(pair_key((x & doc_mask) as u32, (y & doc_mask) as u32));
            }
        }
    });
    pairs.sort_unstable();
    pairs.dedup();
    (pairs, stats)
}

/// The buckets of one band: sorts its `entries` (see [`band_entries`]) and calls `bucket(members,
/// partners)` for each run of one band hash, in document order, where each member is paired with its next
/// `partners` members: all of them, or two in a bucket of more than `max_bucket` (chained). The statistics
/// count the buckets holding a document that `counts` (against a reference collection, a scanned one:
/// the reference documents' own buckets are not the scan's to report).
/// What [`band_pairs`] lists; a caller that needs only some of a bucket's pairs walks them itself.
pub fn buckets(
    entries: &mut [u64],
    doc_mask: u64,
    max_bucket: usize,
    counts: impl Fn(usize) -> bool,
    mut bucket: impl FnMut(&[u64], usize),
) -> LshStats {
    entries.sort_unstable();
    let mut stats = LshStats::default();
    for members in entries.chunk_by(|x, y| x & !doc_mask == y & !doc_mask) {
        let chained = members.len() > max_bucket;
        if members.iter().any(|&x| counts((x & doc_mask) as usize)) {
            stats.largest_bucket = stats.largest_bucket.max(members.len());
            stats.capped_buckets += usize::from(chained);
        }
        bucket(members, if chained { CHAIN } else { members.len() });
    }
    stats
}

/// The pairs of `proposed` (sorted) that are not in `kept` (sorted): those still to be estimated.
pub fn not_kept(proposed: Vec<PairKey>, kept: &[PairKey]) -> Vec<PairKey> {
    let mut k = 0;
    proposed
        .into_iter()
        .filter(|&key| {
            while k < kept.len() && kept[k] < key {
                k += 1;
            }
            kept.get(k) != Some(&key)
        })
        .collect()
}

/// The union of two bands' (or groups of bands') pairs and their statistics: sorted and free of
/// duplicates, whatever order bands are merged in.
pub fn merge_bands((a, x): (Vec<PairKey>, LshStats), (b, y): (Vec<PairKey>, LshStats)) -> (Vec<PairKey>, LshStats) {
    (merge_sorted(&a, &b), x.and(y))
}

/// Candidate pairs from shared passages, a first step: every pair of documents that share a sampled word
/// n-gram, once for each they share (unsorted), from `entries`, sorted, holding one `hash & !doc_mask |
/// document` for each sampled n-gram of each document (the n-grams whose hash falls in a fixed range, so
/// two documents sample the same ones; each once per document). N-grams sampled in more than `max_docs`
/// documents (boilerplate, famous quotations) are skipped and counted as capped buckets. Banding finds
/// documents similar as wholes; this finds a short text copied into a long one (an excerpt, a wire
/// paragraph, a cut-and-paste answer), whose Jaccard similarity is low. A run holding no document that
/// `counts` is neither paired nor counted (against a reference collection: a run of reference documents
/// only, whose pairs are not listed).
pub fn shared_sample_pairs(
    entries: &[u64],
    doc_mask: u64,
    max_docs: usize,
    counts: impl Fn(usize) -> bool,
) -> (Vec<PairKey>, LshStats) {
    let mut stats = LshStats::default();
    let mut pairs = Vec::new();
    for run in entries.chunk_by(|x, y| x & !doc_mask == y & !doc_mask) {
        if !run.iter().any(|&x| counts((x & doc_mask) as usize)) {
            continue;
        }
        if run.len() > max_docs {
            stats.capped_buckets += 1;
            continue;
        }
        stats.largest_bucket = stats.largest_bucket.max(run.len());
        for (k, x) in run.iter().enumerate() {
            // Two n-grams of one document can share the hash bits kept.
            for y in run[k + 1..].iter().filter(|&&y| y & doc_mask != x & doc_mask) {
                pairs.push(pair_key((x & doc_mask) as u32, (y & doc_mask) as u32));
            }
        }
    }
    (pairs, stats)
}

/// Candidate pairs from shared passages, the second step: from the pairs of [`shared_sample_pairs`],
/// sorted, those sharing at least `min_shared` sampled n-grams, sorted and free of duplicates; the others
/// count as dissimilar in `stats`.
pub fn sharing_enough(pairs: &[PairKey], min_shared: usize, mut stats: LshStats) -> (Vec<PairKey>, LshStats) {
    let mut kept = Vec::new();
    for same in pairs.chunk_by(|x, y| x == y) {
        if same.len() >= min_shared {
            kept.push(same[0]);
        } else {
            stats.dissimilar += 1;
        }
    }
    stats.pairs = kept.len();
    (kept, stats)
}

/// The mask of the low bits that number `n` documents in a packed entry (at least one bit).
pub fn doc_mask(n: usize) -> u64 {
    u64::MAX >> (n.max(2) - 1).leading_zeros()
}

/// The hash of a band's lanes, seeded with the band number.
fn band_hash(mins: &[u32], band: usize) -> u64 {
    mix(mins.iter().fold(band as u64 ^ HASH_K, |h, &m| hash_step(h, m as u64)))
}

/// The union of two sorted, duplicate-free lists, sorted and duplicate-free.
fn merge_sorted(a: &[PairKey], b: &[PairKey]) -> Vec<PairKey> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn pairs_kept_already_are_left_out() {
        let key = |a, b| pair_key(a, b);
        let proposed = vec![key(0, 1), key(0, 2), key(1, 2), key(3, 4)];
        assert_eq!(not_kept(proposed.clone(), &[key(0, 2), key(2, 9), key(3, 4)]), vec![key(0, 1), key(1, 2)]);
        assert_eq!(not_kept(proposed.clone(), &[]), proposed);
    }

    #[test]
    fn threshold_picks_sensible_banding() {
        let p = LshParams::for_threshold(0.5, 128).unwrap();
        assert!(p.bands * p.rows <= 128);
        let mid = collision_probability(0.5, p.bands, p.rows);
        assert!(collision_probability(0.8, p.bands, p.rows) > 0.95, "{p:?}");
        assert!(collision_probability(0.2, p.bands, p.rows) < 0.1, "{p:?}");
        assert!(mid > 0.2 && mid < 0.9, "{p:?} {mid}");
        assert!(LshParams::for_threshold(0.0, 128).is_err());
        assert!(LshParams { bands: 20, rows: 7 }.validate(128).is_err());
    }

    proptest! {
        /// Shared samples against the brute force: every pair of documents with at least `min_shared`
        /// sampled n-grams in common, counting only n-grams held by at most `max_docs` documents; with
        /// only some documents counted (every `scanned`th, as the scanned ones against a reference
        /// collection), the same pairs with a counted document, and only the n-grams a counted document
        /// holds capped.
        #[test]
        fn shared_samples_match_brute_force(
            docs in prop::collection::vec(prop::collection::btree_set(0u64..30, 0..10), 0..25),
            max_docs in 2usize..8,
            min_shared in 1usize..4,
            scanned in 1usize..4,
        ) {
            let mask = doc_mask(docs.len());
            let hash = |x: u64| crate::hash::mix(x + 1);
            let mut entries: Vec<u64> = docs
                .iter()
                .enumerate()
                .flat_map(|(d, set)| set.iter().map(move |&x| hash(x) & !mask | d as u64))
                .collect();
            entries.sort_unstable();
            let counts = |d: usize| d.is_multiple_of(scanned);
            let (mut pairs, stats) = shared_sample_pairs(&entries, mask, max_docs, counts);
            pairs.sort_unstable();
            let (mut got, stats) = sharing_enough(&pairs, min_shared, stats);
            let holders = |x: u64| docs.iter().filter(|s| s.contains(&x)).count();
            let mut want = vec![];
            for i in 0..docs.len() {
                for j in i + 1..docs.len() {
                    let shared = docs[i].intersection(&docs[j]).filter(|&&x| holders(x) <= max_docs).count();
                    if shared >= min_shared && (counts(i) || counts(j)) {
                        want.push(pair_key(i as u32, j as u32));
                    }
                }
            }
            if scanned == 1 {
                prop_assert_eq!(stats.pairs, want.len());
            }
            got.retain(|&key| { let (a, b) = crate::pair::unpack(key); counts(a as usize) || counts(b as usize) });
            prop_assert_eq!(&got, &want);
            let held = |x: u64| docs.iter().enumerate().any(|(d, s)| counts(d) && s.contains(&x));
            let capped = (0..30u64).filter(|&x| holders(x) > max_docs && held(x)).count();
            prop_assert_eq!(stats.capped_buckets, capped);
        }
    }
}
