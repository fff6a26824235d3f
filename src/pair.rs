//! Candidate pairs as the stages pass them on: a pair of document indices packed into one integer
//! ([`PairKey`]), and what proposed it ([`Proposer`], a set of them [`Proposers`]): the views banded by
//! [`crate::lsh`], shared passages, and the semantic view of [`crate::embed`].

use crate::shingle::View;

/// A candidate pair of document indices, `a < b`, packed as `a << 32 | b` so pairs sort and dedup as
/// plain integers.
pub type PairKey = u64;

/// Packs a pair.
pub fn pair_key(a: u32, b: u32) -> PairKey {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    (a as u64) << 32 | b as u64
}

/// Unpacks a pair.
pub fn unpack(key: PairKey) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

/// What proposed a candidate pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proposer {
    /// The LSH of one view's signatures.
    View(View),
    /// Shared sampled word n-grams (see [`crate::lsh::shared_sample_pairs`]).
    Passages,
    /// Close embeddings of the leads, among documents sharing a rare name or number.
    Semantic,
}

impl Proposer {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Proposer::View(view) => view.name(),
            Proposer::Passages => "passages",
            Proposer::Semantic => "semantic",
        }
    }
}

/// A set of proposers: bit `k` for [`crate::scan::Scan::proposers`]`[k]`.
pub type Proposers = u32;
