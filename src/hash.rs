//! Hash primitives shared by the stages: the finaliser that spreads shingle and band hashes, the one
//! multiply step word and band hashes are built from, the hash of a word's bytes (which the tokenizer,
//! the fast word reader and the lexicon's word lists share), and a `Hasher` for keys that are hashes
//! already.
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

/// The hash of a normalised word (as [`crate::shingle::Token::word`] holds it).
pub fn word_hash(word: &[u8]) -> u64 {
    hash_bytes(word, 0)
}

/// Or-ed into ASCII letters and digits, it lower-cases the letters and leaves the digits as they are.
pub(crate) const ASCII_LOWER: u64 = 0x2020_2020_2020_2020;

/// The low `len` bytes of a word set, for `len` in 0..=8.
#[inline(always)]
pub(crate) fn low_bytes(len: usize) -> u64 {
    if len >= 8 { u64::MAX } else { (1u64 << (8 * len)) - 1 }
}

/// The hash of bytes as little-endian eight-byte chunks, zero-padded, at least two of them (so every
/// word of up to 16 bytes takes the same steps), each or-ed with `mask` over its real bytes first. A
/// `mask` of [`ASCII_LOWER`] hashes a run of ASCII letters and digits as its lower-case form.
#[inline(always)]
pub(crate) fn hash_bytes(bytes: &[u8], mask: u64) -> u64 {
    let n = bytes.len();
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes")) as u64;
    // The zero-padded chunk of the `len` (1..8) bytes from `at`, read as overlapping loads within
    // `bytes` (never copied: a copy through the stack stalls the load that follows it).
    let ragged = |at: usize, len: usize| -> u64 {
        if n >= 8 {
            u64_at(n - 8) >> (8 * (8 - len))
        } else if len >= 4 {
            u32_at(at) | u32_at(at + len - 4) << (8 * (len - 4))
        } else {
            let b = |k: usize| (bytes[at + k] as u64) << (8 * k);
            b(0) | b(len / 2) | b(len - 1)
        }
    };
    let mut h = (n as u64).wrapping_mul(HASH_K);
    let mut at = 0;
    while at + 8 <= n {
        h = hash_step(h, u64_at(at) | mask);
        at += 8;
    }
    let mut chunks = at / 8;
    if at < n {
        let len = n - at;
        h = hash_step(h, ragged(at, len) | (mask & low_bytes(len)));
        chunks += 1;
    }
    for _ in chunks..2 {
        h = hash_step(h, 0);
    }
    mix(h)
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
