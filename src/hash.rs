//! Hash primitives shared by the stages: the finaliser that spreads shingle and band hashes, the one
//! multiply step word and band hashes are built from, and a `Hasher` for keys that are hashes already.
//! Used by [`crate::shingle`] (words, n-grams), [`crate::minhash`], [`crate::lsh`] (bands) and
//! [`crate::align`] (n-gram sets).

use std::hash::Hasher;

/// A bijective finaliser (MurmurHash3's), so that n-grams sharing words do not get related hashes.
#[inline(always)]
pub(crate) fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The multiplier of [`hash_step`].
pub(crate) const HASH_K: u64 = 0x9e37_79b9_7f4a_7c15;

/// One step of the multiplicative hash the word and band hashes are built from.
#[inline(always)]
pub(crate) fn hash_step(h: u64, v: u64) -> u64 {
    (h ^ v).wrapping_mul(HASH_K).rotate_left(29)
}

/// Hashes a `u64` that is already a hash (an n-gram hash) with one multiply, instead of SipHash: the
/// stop-word and n-gram sets are probed for every word read and every pair verified. Iteration order is never
/// relied on (the default hasher is randomly seeded anyway).
#[derive(Default)]
pub struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}
