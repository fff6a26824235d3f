//! MinHash signatures of shingle sets.
//!
//! Every 64-bit shingle hash `x` is first seeded, mixed and cut to 32 bits, `y = mix(x ^ k) >> 32`;
//! each lane `i` then applies `a_i * y + b_i` modulo 2^32 (a permutation of the 32-bit values, `a_i` odd)
//! and keeps the minimum. `k`, `a_i` and `b_i` come from the seed. Lanes of 32-bit multiplications are
//! sixteen to a vector register on AVX-512 (eight on AVX2), three times the throughput of 64-bit ones. The parameters travel with
//! every signature ([`MinHashParams`]) and comparing signatures made differently is an error, never a
//! wrong number. Shingle hashes come from [`crate::shingle`]; banding is in [`crate::lsh`].

use serde::Serialize;

use crate::error::{Error, Result};
use crate::hash::mix;
use crate::shingle::View;

/// How a signature was made. Two signatures are comparable only when these are equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MinHashParams {
    /// The shingle view hashed.
    pub view: View,
    /// Word n-gram length of the view (only meaningful for [`View::Words`]).
    pub shingle: u8,
    /// Number of hash lanes.
    pub num_hashes: u16,
    /// Seed of the lane hash functions and of the shingle hash.
    pub seed: u64,
}

impl MinHashParams {
    fn describe(&self) -> String {
        format!("{}/{} {} hashes seed {}", self.view.name(), self.shingle, self.num_hashes, self.seed)
    }
}

/// The hash functions of one parameter set, ready to sign many documents.
#[derive(Clone, Debug)]
pub struct Hasher {
    params: MinHashParams,
    k: u64,
    a: Vec<u32>,
    b: Vec<u32>,
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Minimum value of an empty lane; a signature of an empty set has every lane at this value.
pub const EMPTY: u32 = u32::MAX;

impl Hasher {
    /// Draws the lane hash functions from `params.seed`.
    pub fn new(params: MinHashParams) -> Hasher {
        let mut state = params.seed ^ 0x6d69_6e68_6173_6821;
        let n = params.num_hashes as usize;
        let k = splitmix64(&mut state) | 1;
        let a = (0..n).map(|_| splitmix64(&mut state) as u32 | 1).collect();
        let b = (0..n).map(|_| splitmix64(&mut state) as u32).collect();
        Hasher { params, k, a, b }
    }

    /// The parameters signatures from this hasher carry.
    pub fn params(&self) -> MinHashParams {
        self.params
    }

    /// The 32-bit value the lanes permute: `x` seeded and mixed first, so that even structured shingle
    /// hashes (the lanes are linear) give independent-looking lanes.
    #[inline(always)]
    fn reduce(&self, x: u64) -> u32 {
        (mix(x ^ self.k) >> 32) as u32
    }

    /// Folds one shingle hash into `mins` (of length `num_hashes`).
    #[inline]
    pub fn update(&self, mins: &mut [u32], x: u64) {
        let y = self.reduce(x);
        for ((m, &a), &b) in mins.iter_mut().zip(&self.a).zip(&self.b) {
            *m = (*m).min(a.wrapping_mul(y).wrapping_add(b));
        }
    }

    /// Folds many shingle hashes into `mins`: the same result as [`Hasher::update`] on each, in any order,
    /// several times faster. This is where signing spends its time (a multiplication per lane and
    /// shingle), so it keeps blocks of lanes in registers across all the shingles, and is compiled for
    /// AVX-512 and AVX2 as well as the baseline, the best one picked at run time.
    pub fn update_all(&self, mins: &mut [u32], xs: &[u64]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F, checked just above.
                return unsafe { fold_avx512(mins, self, xs) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { fold_avx2(mins, self, xs) };
            }
        }
        fold(mins, self, xs)
    }

    /// Signs a set of shingle hashes.
    pub fn sign(&self, shingles: impl IntoIterator<Item = u64>) -> Signature {
        let mut mins = vec![EMPTY; self.params.num_hashes as usize];
        for x in shingles {
            self.update(&mut mins, x);
        }
        Signature { params: self.params, mins }
    }
}

/// Lanes kept in registers while every shingle of a document goes by (64 minima, multipliers and offsets
/// take 12 AVX-512 registers; with AVX2 the compiler spills a little).
const LANE_BLOCK: usize = 64;

/// The minima of `xs` folded into `mins`, a block of lanes at a time.
#[inline(always)]
fn fold(mins: &mut [u32], h: &Hasher, xs: &[u64]) {
    for ((m, a), b) in mins.chunks_mut(LANE_BLOCK).zip(h.a.chunks(LANE_BLOCK)).zip(h.b.chunks(LANE_BLOCK)) {
        if let (Ok(m), Ok(a), Ok(b)) = (
            <&mut [u32; LANE_BLOCK]>::try_from(&mut *m),
            <&[u32; LANE_BLOCK]>::try_from(a),
            <&[u32; LANE_BLOCK]>::try_from(b),
        ) {
            // Fixed-size arrays: the compiler unrolls and vectorises the lane loop.
            let mut acc = *m;
            for &x in xs {
                let y = h.reduce(x);
                for i in 0..LANE_BLOCK {
                    acc[i] = acc[i].min(a[i].wrapping_mul(y).wrapping_add(b[i]));
                }
            }
            *m = acc;
        } else {
            for &x in xs {
                let y = h.reduce(x);
                for ((m, &a), &b) in m.iter_mut().zip(a).zip(b) {
                    *m = (*m).min(a.wrapping_mul(y).wrapping_add(b));
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl")]
fn fold_avx512(mins: &mut [u32], h: &Hasher, xs: &[u64]) {
    fold(mins, h, xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fold_avx2(mins: &mut [u32], h: &Hasher, xs: &[u64]) {
    fold(mins, h, xs)
}

/// A MinHash signature and the parameters it was made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// How it was made.
    pub params: MinHashParams,
    /// One minimum per lane.
    pub mins: Vec<u32>,
}

impl Signature {
    /// Estimated Jaccard similarity of the two shingle sets: the share of lanes with equal minima.
    /// Errors when the signatures were made with different parameters.
    pub fn jaccard(&self, other: &Signature) -> Result<f64> {
        check_compatible(&self.params, &other.params)?;
        Ok(estimate(&self.mins, &other.mins))
    }

    /// Whether the signed set was empty.
    pub fn is_empty(&self) -> bool {
        self.mins.iter().all(|&m| m == EMPTY)
    }
}

/// Errors unless two parameter sets are the same.
pub fn check_compatible(a: &MinHashParams, b: &MinHashParams) -> Result<()> {
    if a == b { Ok(()) } else { Err(Error::Incompatible { left: a.describe(), right: b.describe() }) }
}

/// Share of equal lanes between two minima slices of equal length.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    // Summed as integers rather than filtered and counted, so that the compiler vectorises it: every
    // banded pair of a crawl is estimated once in each band it shares.
    let equal: u32 = a.iter().zip(b).map(|(x, y)| u32::from(x == y && *x != EMPTY)).sum();
    f64::from(equal) / a.len() as f64
}

/// The signatures of many documents for one parameter set, stored flat (`num_hashes` lanes a document)
/// so a million documents cost one allocation. A matrix may hold only some documents' signatures
/// ([`Signatures::some`]): the others read as empty.
#[derive(Clone, Debug)]
pub struct Signatures {
    /// How every signature here was made.
    pub params: MinHashParams,
    mins: Vec<u32>,
    /// When only some documents are signed: each document's row in `mins` ([`NO_ROW`] for none).
    rows: Option<Vec<u32>>,
}

/// The row of a document a matrix of some documents does not hold.
const NO_ROW: u32 = u32::MAX;

/// The minima of a document not signed: empty, as a document without shingles.
static UNSIGNED: [u32; crate::lsh::MAX_HASHES] = [EMPTY; crate::lsh::MAX_HASHES];

impl Signatures {
    /// An empty matrix for `params`.
    pub fn new(params: MinHashParams) -> Signatures {
        Signatures { params, mins: Vec::new(), rows: None }
    }

    /// `documents` empty signatures, to be signed in place (see [`Signatures::rows_mut`]).
    pub(crate) fn empty(params: MinHashParams, documents: usize) -> Signatures {
        Signatures { params, mins: vec![EMPTY; documents * params.num_hashes as usize], rows: None }
    }

    /// Empty signatures of the documents `signed` (ascending) of `documents`, to be signed in place in
    /// that order ([`Signatures::rows_mut`]); the other documents read as empty and take no room.
    pub(crate) fn some(params: MinHashParams, documents: usize, signed: &[usize]) -> Signatures {
        let mut rows = vec![NO_ROW; documents];
        for (row, &d) in signed.iter().enumerate() {
            rows[d] = row as u32;
        }
        Signatures { params, mins: vec![EMPTY; signed.len() * params.num_hashes as usize], rows: Some(rows) }
    }

    /// Appends a document's minima; errors if the signature was made differently.
    pub fn push(&mut self, signature: &Signature) -> Result<()> {
        check_compatible(&self.params, &signature.params)?;
        debug_assert!(self.rows.is_none(), "a matrix of some documents is signed in place");
        self.mins.extend_from_slice(&signature.mins);
        Ok(())
    }

    /// Appends `documents` empty signatures and returns their minima, to be signed in place.
    pub(crate) fn extend_empty(&mut self, documents: usize) -> &mut [u32] {
        debug_assert!(self.rows.is_none(), "a matrix of some documents has its documents");
        let start = self.mins.len();
        self.mins.resize(start + documents * self.params.num_hashes as usize, EMPTY);
        &mut self.mins[start..]
    }

    /// A matrix of `mins` (`num_hashes` a document), as [`Signatures::rows`] gave them.
    pub(crate) fn from_rows(params: MinHashParams, mins: Vec<u32>) -> Signatures {
        Signatures { params, mins, rows: None }
    }

    /// All minima, `num_hashes` a document, taken out of the matrix.
    pub(crate) fn into_rows(self) -> Vec<u32> {
        debug_assert!(self.rows.is_none(), "a matrix of some documents has no row for each");
        self.mins
    }

    /// All minima, `num_hashes` a document.
    pub(crate) fn rows(&self) -> &[u32] {
        debug_assert!(self.rows.is_none(), "a matrix of some documents has no row for each");
        &self.mins
    }

    /// All minima, `num_hashes` a document (of the documents signed, for a matrix of some), to sign
    /// documents in place after they were pushed.
    pub(crate) fn rows_mut(&mut self) -> &mut [u32] {
        &mut self.mins
    }

    /// Swaps the signatures of documents `i` and `j` (to reorder the matrix in place).
    pub(crate) fn swap(&mut self, i: usize, j: usize) {
        debug_assert!(self.rows.is_none(), "a matrix of some documents is not reordered");
        let k = self.params.num_hashes as usize;
        if i == j {
            return;
        }
        let (lo, hi) = (i.min(j), i.max(j));
        let (head, tail) = self.mins.split_at_mut(hi * k);
        head[lo * k..(lo + 1) * k].swap_with_slice(&mut tail[..k]);
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        match &self.rows {
            Some(rows) => rows.len(),
            None => self.mins.len() / self.params.num_hashes.max(1) as usize,
        }
    }

    /// Whether no document is signed.
    pub fn is_empty(&self) -> bool {
        self.mins.is_empty()
    }

    /// Asks the processor to bring document `i`'s signature into cache, ahead of reading it: estimating
    /// a banded pair reads two signatures from anywhere in a large matrix, and waiting on memory for
    /// each, not comparing them, is what estimating costs.
    pub fn prefetch(&self, i: usize) {
        #[cfg(not(target_arch = "x86_64"))]
        let _ = i;
        #[cfg(target_arch = "x86_64")]
        for line in self.mins(i).chunks(16) {
            // SAFETY: a prefetch is a hint that never faults or changes memory; the address is in `mins`.
            unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(line.as_ptr().cast()) }
        }
    }

    /// The minima of document `i` (all [`EMPTY`] for a document a matrix of some does not hold).
    pub fn mins(&self, i: usize) -> &[u32] {
        let k = self.params.num_hashes as usize;
        let row = match &self.rows {
            None => i,
            Some(rows) if rows[i] == NO_ROW => return &UNSIGNED[..k],
            Some(rows) => rows[i] as usize,
        };
        &self.mins[row * k..(row + 1) * k]
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    fn params(num_hashes: u16, seed: u64) -> MinHashParams {
        MinHashParams { view: View::Words, shingle: 5, num_hashes, seed }
    }

    #[test]
    fn a_matrix_of_some_documents_reads_the_others_as_empty() {
        let h = Hasher::new(MinHashParams { view: View::Words, shingle: 5, num_hashes: 8, seed: 1 });
        let mut m = Signatures::some(h.params(), 4, &[1, 3]);
        assert_eq!((m.len(), m.is_empty()), (4, false));
        for (row, shingles) in m.rows_mut().chunks_mut(8).zip([[1u64, 2], [3, 4]]) {
            h.update_all(row, &shingles);
        }
        let mut whole = Signatures::empty(h.params(), 4);
        for (d, shingles) in [(1, [1u64, 2]), (3, [3, 4])] {
            h.update_all(&mut whole.rows_mut()[d * 8..(d + 1) * 8], &shingles);
        }
        for d in 0..4 {
            assert_eq!(m.mins(d), whole.mins(d), "document {d}");
        }
        assert!(m.mins(0).iter().all(|&x| x == EMPTY));
        assert!(Signatures::some(h.params(), 3, &[]).is_empty());
    }

    #[test]
    fn identical_sets_estimate_one_and_empty_sets_zero() {
        let h = Hasher::new(params(64, 7));
        let a = h.sign([1u64, 2, 3]);
        assert_eq!(a.jaccard(&h.sign([3u64, 2, 1, 1])).unwrap(), 1.0);
        let empty = h.sign([]);
        assert!(empty.is_empty());
        assert_eq!(empty.jaccard(&h.sign([])).unwrap(), 0.0);
    }

    #[test]
    fn different_params_refuse_to_compare() {
        let a = Hasher::new(params(64, 7)).sign([1u64]);
        let b = Hasher::new(params(64, 8)).sign([1u64]);
        assert!(matches!(a.jaccard(&b), Err(Error::Incompatible { .. })));
        let mut m = Signatures::new(params(64, 8));
        assert!(m.push(&a).is_err());
        assert!(m.push(&b).is_ok());
        assert_eq!(m.len(), 1);
    }

    /// The lanes behave as independent random permutations: over many pairs of sets, the estimate is
    /// unbiased and its squared error is what 128 independent lanes give (J(1 - J) / 128), even for
    /// shingle hashes as structured as consecutive integers. Correlated lanes would inflate the error.
    #[test]
    fn lanes_are_independent_enough() {
        let k = 128;
        for structured in [false, true] {
            let (mut bias, mut error, mut expected) = (0.0, 0.0, 0.0);
            let trials = 400u64;
            for t in 0..trials {
                let (shared, only) = (50 + t % 200, 20 + (t * 37) % 300);
                let key = |x: u64| if structured { x } else { x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17) };
                let a: Vec<u64> = (0..shared + only).map(|x| key(t << 32 | x)).collect();
                let b: Vec<u64> =
                    (0..shared).chain(shared + only..shared + 2 * only).map(|x| key(t << 32 | x)).collect();
                let exact = shared as f64 / (shared + 2 * only) as f64;
                let h = Hasher::new(params(k, t));
                let est = h.sign(a).jaccard(&h.sign(b)).unwrap();
                bias += est - exact;
                error += (est - exact).powi(2);
                expected += exact * (1.0 - exact) / k as f64;
            }
            let (bias, ratio) = (bias / trials as f64, error / expected);
            assert!(bias.abs() < 0.01, "structured {structured}: bias {bias}");
            assert!((0.7..1.4).contains(&ratio), "structured {structured}: squared error {ratio} × the ideal");
        }
    }

    proptest! {
        /// The blocked, vectorised fold gives exactly the lane-by-lane minima, for any number of lanes.
        #[test]
        fn update_all_matches_update(xs in prop::collection::vec(any::<u64>(), 0..50), k in 1u16..100, seed: u64) {
            let h = Hasher::new(params(k, seed));
            let mut one = vec![EMPTY; k as usize];
            for &x in &xs {
                h.update(&mut one, x);
            }
            let mut all = vec![EMPTY; k as usize];
            h.update_all(&mut all, &xs);
            prop_assert_eq!(one, all);
        }

        /// The estimate stays within the bound 256 hashes imply (standard error ≤ 1/(2·16) = 0.031;
        /// 0.15 is over four standard errors, so a failure means a broken hash, not bad luck).
        #[test]
        fn estimate_tracks_exact_jaccard(shared in 0u64..300, only_a in 0u64..300, only_b in 0u64..300, seed: u64) {
            prop_assume!(shared + only_a + only_b > 0);
            let mix = |x: u64| x.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed;
            let a: HashSet<u64> = (0..shared).chain(1000..1000 + only_a).map(mix).collect();
            let b: HashSet<u64> = (0..shared).chain(5000..5000 + only_b).map(mix).collect();
            let exact = a.intersection(&b).count() as f64 / a.union(&b).count() as f64;
            let h = Hasher::new(params(256, seed));
            let est = h.sign(a.iter().copied()).jaccard(&h.sign(b.iter().copied())).unwrap();
            prop_assert!((est - exact).abs() < 0.15, "estimate {est} exact {exact}");
        }
    }
}
