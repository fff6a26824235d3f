//! The words-only reader: the hash of every word of a text, as the tokenizer (`tokens.rs`) would give it,
//! several times faster, for the verbatim-words view ([`super::View::Words`]) when nothing else is wanted.
//! The text is classified into bit masks 64 bytes at a time (SSE2 on x86-64, a scalar loop elsewhere);
//! plain ASCII words are hashed in place with the tokenizer's word hash, and everything else goes through
//! the tokenizer's own word reader.

use super::tokens::{
    ALNUM, ASCII_CLASS, Runs, char_at, hash_ascii_run, is_unspaced, joins_on, read_word, stripped_suffix,
    without_apostrophes,
};
use crate::hash::word_hash;

/// The hash of every word of `text`, in order: the `word` of each token
/// [`tokenize_into`](super::tokenize_into) would give, several times faster, for the verbatim-words view
/// alone (no offsets, stems, flags or sentences). Returns the text's length in words, as
/// [`Tokens::word_count`](super::Tokens::word_count) counts them.
///
/// The text is first classified 64 bytes at a time into bit masks (ASCII letters and digits; bytes of
/// non-ASCII characters), and words are found by scanning the masks. Most words are a run of ASCII
/// letters and digits followed by a byte that cannot join them to more (see `joins_on`): they are hashed
/// in place, lower-cased on the fly. Anything else (non-ASCII letters, apostrophes, "1,000") goes
/// through the tokenizer's own word reader.
pub fn word_hashes(text: &str, out: &mut Vec<u64>, masks: &mut Masks, scratch: &mut String) -> usize {
    out.clear();
    masks.classify(text.as_bytes());
    let Masks { alnum, interesting } = masks;
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut runs = Runs::default();
    // Han and kana characters, each half a word.
    let mut characters = 0;
    // A suffix a stripped apostrophe left is read with its word, as the tokenizer reads it.
    let stripped = without_apostrophes(text);
    let suffix_after = |end: usize| if stripped { stripped_suffix(bytes, end) } else { None };
    let mut i = 0;
    loop {
        let s = next_one(interesting, i, false);
        if s >= n {
            break;
        }
        if bit(alnum, s) {
            let e = next_one(alnum, s, true).min(n);
            if !joins_on(bytes, e) {
                match suffix_after(e) {
                    Some(after) => {
                        scratch.clear();
                        scratch.push_str(&text[s..e]);
                        scratch.make_ascii_lowercase();
                        scratch.push_str(&text[e + 1..after]);
                        out.push(word_hash(scratch.as_bytes()));
                        i = after;
                    }
                    None => {
                        out.push(hash_ascii_run(bytes, s, e));
                        i = e;
                    }
                }
                continue;
            }
        }
        // The general path, to the end of this run of letters, digits and non-ASCII bytes (or further,
        // where a word joins across an apostrophe or a separator).
        let end = next_one(interesting, s, true).min(n);
        let mut j = s;
        while j < end {
            let c = char_at(text, j);
            if c.is_alphanumeric() {
                let (after, _) = read_word(text, j, scratch, &mut runs);
                characters += usize::from(is_unspaced(c));
                j = after;
                if let Some(past) = suffix_after(after) {
                    scratch.push_str(&text[after + 1..past]);
                    j = past;
                }
                out.push(word_hash(scratch.as_bytes()));
            } else {
                j += c.len_utf8();
            }
        }
        i = j;
    }
    (2 * out.len() - characters).div_ceil(2)
}

/// Bit masks of a text, bit `k` of word `k / 64` for byte `k`: its ASCII letters and digits, and those
/// together with every byte of a non-ASCII character (where a word may be). Reused between documents.
#[derive(Default)]
pub struct Masks {
    alnum: Vec<u64>,
    interesting: Vec<u64>,
}

impl Masks {
    fn classify(&mut self, bytes: &[u8]) {
        self.alnum.clear();
        self.interesting.clear();
        let mut blocks = bytes.chunks_exact(64);
        for block in &mut blocks {
            let (alnum, high) = block_masks(block.try_into().expect("64 bytes"));
            self.alnum.push(alnum);
            self.interesting.push(alnum | high);
        }
        if !blocks.remainder().is_empty() {
            // Zero padding is neither a letter nor part of a non-ASCII character.
            let mut block = [0u8; 64];
            block[..blocks.remainder().len()].copy_from_slice(blocks.remainder());
            let (alnum, high) = block_masks(&block);
            self.alnum.push(alnum);
            self.interesting.push(alnum | high);
        }
    }
}

#[inline(always)]
fn bit(words: &[u64], k: usize) -> bool {
    words[k / 64] >> (k % 64) & 1 != 0
}

/// The first position at or after `from` whose bit is set (or, with `clear`, not set); past the end of
/// `words` when there is none.
#[inline(always)]
fn next_one(words: &[u64], from: usize, clear: bool) -> usize {
    let flip = if clear { u64::MAX } else { 0 };
    let mut w = from / 64;
    if w >= words.len() {
        return usize::MAX;
    }
    let mut bits = (words[w] ^ flip) & (u64::MAX << (from % 64));
    loop {
        if bits != 0 {
            return w * 64 + bits.trailing_zeros() as usize;
        }
        w += 1;
        if w == words.len() {
            return usize::MAX;
        }
        bits = words[w] ^ flip;
    }
}

/// The masks of one block of 64 bytes: (ASCII letters and digits, bytes of non-ASCII characters).
#[inline(always)]
fn block_masks(block: &[u8; 64]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        block_masks_sse2(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block_masks_scalar(block)
    }
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn block_masks_scalar(block: &[u8; 64]) -> (u64, u64) {
    let (mut alnum, mut high) = (0u64, 0u64);
    for (k, &b) in block.iter().enumerate() {
        alnum |= ((ASCII_CLASS[b as usize] & ALNUM != 0) as u64) << k;
        high |= ((b >> 7) as u64) << k;
    }
    (alnum, high)
}

/// [`block_masks_scalar`] sixteen bytes at a time (SSE2 is part of every x86-64 CPU): a byte is a digit
/// when `b - '0'` is at most 9 and a letter when `(b | 0x20) - 'a'` is at most 25, as unsigned bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_masks_sse2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::*;
    let (mut alnum, mut high) = (0u64, 0u64);
    for k in 0..4 {
        // SAFETY: the 16 bytes read lie inside `block`; SSE2 is always available on x86-64.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let d = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            let digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
            let l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(b'a' as i8));
            let letter = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l);
            alnum |= (_mm_movemask_epi8(_mm_or_si128(digit, letter)) as u16 as u64) << (16 * k);
            high |= (_mm_movemask_epi8(v) as u16 as u64) << (16 * k);
        }
    }
    (alnum, high)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::shingle::Tokens;
    use crate::shingle::tokens::tests::tricky_text;

    /// Whether the fast reader gives the tokenizer's word hashes and word count for `text`.
    fn reads_like_the_tokenizer(text: &str) -> std::result::Result<(), TestCaseError> {
        let tokens = Tokens::new(text);
        let want: Vec<u64> = tokens.tokens.iter().map(|t| t.word).collect();
        let mut got = Vec::new();
        let words = word_hashes(text, &mut got, &mut Masks::default(), &mut String::new());
        prop_assert_eq!(got, want);
        prop_assert_eq!(words, tokens.word_count());
        Ok(())
    }

    proptest! {
        #[test]
        fn word_hashes_match_the_tokenizer(text in tricky_text()) {
            reads_like_the_tokenizer(&text)?;
        }

        #[test]
        fn stripped_text_is_read_alike(text in tricky_text()) {
            // The tricky pieces without apostrophes, with suffixes a stripped apostrophe leaves standing.
            reads_like_the_tokenizer(&text.replace(['\'', '’'], " ").replace("  ", " s "))?;
        }

        #[test]
        fn block_masks_agree_with_the_scalar_version(block in prop::array::uniform32(any::<u8>()), rest in prop::array::uniform32(any::<u8>())) {
            let mut whole = [0u8; 64];
            whole[..32].copy_from_slice(&block);
            whole[32..].copy_from_slice(&rest);
            prop_assert_eq!(block_masks(&whole), block_masks_scalar(&whole));
        }
    }
}
