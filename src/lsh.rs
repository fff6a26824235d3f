//! Locality-sensitive hashing by banding: candidate pairs from [`crate::minhash`] signatures.
//!
//! A signature of `bands × rows` lanes is cut into bands; two documents become a candidate pair when any
//! band of theirs hashes alike. [`LshParams::for_threshold`] picks bands and rows for a Jaccard threshold
//! by minimising the expected false positives plus false negatives. Each band is a table built
//! independently (in parallel with rayon): the `(band hash, document)` entries of a band are sorted and
//! equal runs are buckets. A bucket shared by more than `max_bucket` documents (boilerplate, templates,
//! mass duplicates) would emit a quadratic number of pairs: it is chained instead (each document paired with
//! its next few neighbours in the bucket), which keeps such a group connected at linear cost, and it is
//! counted in [`LshStats`]. Pairs whose full signatures estimate a similarity far below the threshold are
//! dropped band by band. [`shared_samples`] is the other candidate source: an inverted index of sampled
//! word n-grams, for a short text copied into a long one, which banding cannot see. The pairs go on to
//! [`crate::align`] and [`crate::score`].

use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::hash::{HASH_K, hash_step, mix};
use crate::minhash::{EMPTY, Signatures, estimate};
use crate::pair::{PairKey, pair_key, unpack};

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
            return Err(Error::Config(format!("LSH threshold {threshold} is not in (0, 1]")));
        }
        if num_hashes == 0 {
            return Err(Error::Config("number of hashes must be positive".into()));
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

/// Neighbours each document of an over-full bucket is paired with.
const CHAIN: usize = 2;

/// Candidate pairs among the documents `i` with `include(i)` true: every pair that shares a band and
/// whose full signatures estimate a Jaccard similarity of at least `min_estimate`. Banding at a low
/// threshold lets through many pairs far below it (any one band can match by chance); dropping them
/// band by band, before the bands are merged, keeps memory to the pairs worth verifying. The result is
/// sorted and free of duplicates, the same for any number of threads.
pub fn candidates(
    signatures: &Signatures,
    params: LshParams,
    max_bucket: usize,
    min_estimate: f64,
    include: impl Fn(usize) -> bool + Sync,
) -> Result<(Vec<PairKey>, LshStats)> {
    params.validate(signatures.params.num_hashes as usize)?;
    let n = signatures.len();
    // Bits that number the documents; the band hash keeps the other 64 - ⌈log2 n⌉ (at least 32), so
    // two documents share a bucket by chance with probability n / 2^(64 - ⌈log2 n⌉) per band.
    let doc_mask = doc_mask(n);
    // Asked once, not once a band; an empty document matches nothing.
    let banded: Vec<bool> = (0..n).into_par_iter().map(|i| include(i) && signatures.mins(i)[0] != EMPTY).collect();
    // The band hashes of a few bands at a time, worked out document by document while its signature is
    // in cache (one table a band would read each signature once a band, a cache miss each time).
    let group = 2 * rayon::current_num_threads().max(1);
    let hash_group = |hashes: &mut Vec<u64>, first: usize, g: usize| {
        hashes.clear();
        hashes.resize(n * g, 0);
        hashes.par_chunks_mut(g).enumerate().filter(|(i, _)| banded[*i]).for_each(|(i, out)| {
            let mins = signatures.mins(i);
            for (k, h) in out.iter_mut().enumerate() {
                let band = first + k;
                let lanes = band * params.rows..(band + 1) * params.rows;
                *h = band_hash(&mins[lanes], band) & !doc_mask | i as u64;
            }
        });
    };
    let band_pairs = |hashes: &[u64], g: usize, k: usize| {
        // One entry per document: the band's hash in the high bits, the document in the low ones, so a
        // sort of plain integers makes the buckets (equal high bits), each in document order.
        let mut entries: Vec<u64> = Vec::with_capacity(n);
        entries.extend((0..n).filter(|&i| banded[i]).map(|i| hashes[i * g + k]));
        entries.sort_unstable();
        let mut pairs = Vec::new();
        let mut stats = LshStats::default();
        for bucket in entries.chunk_by(|x, y| x & !doc_mask == y & !doc_mask) {
            stats.largest_bucket = stats.largest_bucket.max(bucket.len());
            if bucket.len() > max_bucket {
                stats.capped_buckets += 1;
                for (k, x) in bucket.iter().enumerate() {
                    for y in bucket.iter().skip(k + 1).take(CHAIN) {
                        pairs.push(pair_key((x & doc_mask) as u32, (y & doc_mask) as u32));
                    }
                }
            } else {
                for (k, x) in bucket.iter().enumerate() {
                    for y in &bucket[k + 1..] {
                        pairs.push(pair_key((x & doc_mask) as u32, (y & doc_mask) as u32));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        if min_estimate > 0.0 {
            let before = pairs.len();
            pairs.retain(|&key| {
                let (a, b) = unpack(key);
                estimate(signatures.mins(a as usize), signatures.mins(b as usize)) >= min_estimate
            });
            stats.dissimilar = before - pairs.len();
        }
        (pairs, stats)
    };
    // Bands are built a few at a time, their pair lists merged pairwise in parallel and then into the
    // running result, so the pair lists of all bands, mostly the same pairs again, are never held at
    // once.
    let merge = |(a, x): (Vec<PairKey>, LshStats), (b, y): (Vec<PairKey>, LshStats)| {
        let stats = LshStats {
            pairs: 0,
            capped_buckets: x.capped_buckets + y.capped_buckets,
            largest_bucket: x.largest_bucket.max(y.largest_bucket),
            dissimilar: x.dissimilar + y.dissimilar,
        };
        (merge_sorted(&a, &b), stats)
    };
    let (mut done, mut hashes) = ((Vec::new(), LshStats::default()), Vec::new());
    for first in (0..params.bands).step_by(group) {
        let g = group.min(params.bands - first);
        hash_group(&mut hashes, first, g);
        let bands = (0..g).into_par_iter().map(|k| band_pairs(&hashes, g, k));
        done = merge(done, bands.reduce(|| (Vec::new(), LshStats::default()), merge));
    }
    let (all, mut stats) = done;
    stats.pairs = all.len();
    Ok((all, stats))
}

/// Candidate pairs from shared passages. `entries` holds one `hash & !doc_mask | document` for each
/// sampled word n-gram of each document (the n-grams whose hash falls in a fixed range, so two documents
/// sample the same ones; each once per document). Two documents sharing at least `min_shared` of them are
/// a pair, whatever their lengths: banding finds documents similar as wholes, this finds a short text
/// copied into a long one (an excerpt, a wire paragraph, a cut-and-paste answer), whose Jaccard
/// similarity is low. N-grams sampled in more than `max_docs` documents (boilerplate, famous quotations)
/// are skipped and counted as capped buckets; pairs sharing fewer than `min_shared` count as dissimilar.
/// The result is sorted and free of duplicates.
pub fn shared_samples(
    mut entries: Vec<u64>,
    doc_mask: u64,
    max_docs: usize,
    min_shared: usize,
) -> (Vec<PairKey>, LshStats) {
    entries.par_sort_unstable();
    let mut stats = LshStats::default();
    let mut pairs = Vec::new();
    for run in entries.chunk_by(|x, y| x & !doc_mask == y & !doc_mask) {
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
    drop(entries);
    pairs.par_sort_unstable();
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
    use crate::minhash::{Hasher, MinHashParams};
    use crate::shingle::View;

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

    fn sigs(sets: &[Vec<u64>], k: u16) -> Signatures {
        let h = Hasher::new(MinHashParams { view: View::Content, shingle: 1, num_hashes: k, seed: 3 });
        let mut m = Signatures::new(h.params());
        for s in sets {
            m.push(&h.sign(s.iter().copied())).unwrap();
        }
        m
    }

    /// The brute-force oracle: every pair whose minima agree on all rows of some band.
    fn oracle(m: &Signatures, p: LshParams) -> Vec<PairKey> {
        let mut out = vec![];
        for i in 0..m.len() {
            for j in i + 1..m.len() {
                let shares = (0..p.bands).any(|b| {
                    let r = b * p.rows..(b + 1) * p.rows;
                    m.mins(i)[0] != EMPTY && m.mins(i)[r.clone()] == m.mins(j)[r]
                });
                if shares {
                    out.push(pair_key(i as u32, j as u32));
                }
            }
        }
        out
    }

    proptest! {
        #[test]
        fn banding_matches_brute_force(sets in prop::collection::vec(prop::collection::vec(0u64..40, 0..12), 0..30), rows in 1usize..4) {
            let m = sigs(&sets, 24);
            let p = LshParams { bands: 24 / rows, rows };
            let (got, stats) = candidates(&m, p, usize::MAX, 0.0, |_| true).unwrap();
            prop_assert_eq!(stats.capped_buckets, 0);
            prop_assert_eq!(got, oracle(&m, p));
        }
    }

    proptest! {
        /// Shared samples against the brute force: every pair of documents with at least `min_shared`
        /// sampled n-grams in common, counting only n-grams held by at most `max_docs` documents.
        #[test]
        fn shared_samples_match_brute_force(
            docs in prop::collection::vec(prop::collection::btree_set(0u64..30, 0..10), 0..25),
            max_docs in 2usize..8,
            min_shared in 1usize..4,
        ) {
            let mask = doc_mask(docs.len());
            let hash = |x: u64| crate::hash::mix(x + 1);
            let entries: Vec<u64> = docs
                .iter()
                .enumerate()
                .flat_map(|(d, set)| set.iter().map(move |&x| hash(x) & !mask | d as u64))
                .collect();
            let (got, stats) = shared_samples(entries, mask, max_docs, min_shared);
            let holders = |x: u64| docs.iter().filter(|s| s.contains(&x)).count();
            let mut want = vec![];
            for i in 0..docs.len() {
                for j in i + 1..docs.len() {
                    let shared = docs[i].intersection(&docs[j]).filter(|&&x| holders(x) <= max_docs).count();
                    if shared >= min_shared {
                        want.push(pair_key(i as u32, j as u32));
                    }
                }
            }
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(stats.pairs, want.len());
            let capped = (0..30u64).filter(|&x| holders(x) > max_docs).count();
            prop_assert_eq!(stats.capped_buckets, capped);
        }
    }

    #[test]
    fn oversized_bucket_is_chained_and_counted() {
        let sets: Vec<Vec<u64>> = (0..50).map(|_| vec![1, 2, 3]).collect();
        let m = sigs(&sets, 16);
        let (pairs, stats) = candidates(&m, LshParams { bands: 4, rows: 4 }, 10, 0.0, |_| true).unwrap();
        assert_eq!(stats.capped_buckets, 4);
        assert_eq!(stats.largest_bucket, 50);
        // Chained, not 50·49/2 = 1225 pairs, and still connected.
        assert_eq!(pairs.len(), 49 + 48);
    }

    #[test]
    fn dissimilar_pairs_are_dropped_after_banding() {
        // Documents 0 and 1 are the same set; 2 shares a quarter of it. One row a band: 2 meets both.
        let m = sigs(&[(0..20).collect(), (0..20).collect(), (15..35).collect()], 64);
        let (all, _) = candidates(&m, LshParams { bands: 64, rows: 1 }, 100, 0.0, |_| true).unwrap();
        assert_eq!(all.len(), 3);
        let (kept, stats) = candidates(&m, LshParams { bands: 64, rows: 1 }, 100, 0.5, |_| true).unwrap();
        assert_eq!(kept, vec![pair_key(0, 1)]);
        assert!(stats.dissimilar >= 2, "{stats:?}");
        assert_eq!(stats.pairs, 1);
    }

    #[test]
    fn excluded_documents_are_not_paired() {
        let m = sigs(&[vec![1, 2], vec![1, 2], vec![1, 2]], 8);
        let (pairs, _) = candidates(&m, LshParams { bands: 2, rows: 4 }, 100, 0.0, |i| i != 1).unwrap();
        assert_eq!(pairs, vec![pair_key(0, 2)]);
    }
}
