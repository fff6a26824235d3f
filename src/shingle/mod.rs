//! Tokens with byte offsets, normalisation, and the shingle views that feed MinHash.
//!
//! The tokenizer walks a document once and yields [`Token`]s: the byte range of the word in the original
//! text (never changed by normalisation), the hash of its normalised form (lower case, apostrophes and
//! thousands separators removed), the hash of its light stem (zero for stop words) and flags (capitalised,
//! number, inside quotation marks). Sentence starts are recorded as token indices. Chinese and Japanese,
//! written without spaces, are read a Han or kana character a word, stemmed as the character pair it
//! starts; such a character counts as half a word in a lead or a phrase ([`Token::halves`]). Thai, Lao,
//! Burmese and Khmer are cut into words by ICU's dictionary segmenter. Everything downstream,
//! [`crate::minhash`] and [`crate::align`], works on these hashes and offsets, never on re-sliced strings.
//!
//! A [`View`] turns the tokens into a set of shingle hashes: verbatim word n-grams, or the stemmed content
//! words of each sentence, a view that survives synonym spinning and LLM paraphrase. When only verbatim
//! words are wanted (the plain MinHash-LSH job), [`word_hashes`] finds and hashes the words several times
//! faster, from SIMD bit masks of the text, and [`word_ngrams`] rolls their n-gram hashes.
//!
//! The files: `tokens.rs` the tokenizer (tokens, flags, the word reader and word hash, character classes,
//! ICU segmentation); `lexicon.rs` the stop words, abbreviations and light stemmer it consults; `fast.rs`
//! the words-only reader ([`word_hashes`], [`Masks`]); this file the views over the tokens ([`View`],
//! [`word_ngrams`], [`lead`]).

mod fast;
mod lexicon;
mod tokens;

use serde::Serialize;

use crate::hash::mix;

pub use fast::{Masks, word_hashes};
pub use lexicon::stem;

/// Whether `word`, lower-case, is a stop word (one that carries no stem).
pub fn is_stop_word(word: &str) -> bool {
    lexicon::stop_words().contains(&word_hash(word.as_bytes()))
}
pub use crate::hash::word_hash;
pub use tokens::{CAPITALISED, NUMBER, QUOTED, STOP, TITLED, Token, Tokens, UNSPACED, tokenize_into};

/// The lead of a text: its first `words` words, Han and kana characters counting as half a word each.
pub fn lead(tokens: &[Token], words: usize) -> &[Token] {
    let mut halves = 0;
    let end = tokens
        .iter()
        .take_while(|t| {
            let before = halves;
            halves += t.halves();
            before < 2 * words
        })
        .count();
    &tokens[..end]
}

/// The ways a document is turned into a set of shingles, each with its own signature and LSH.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Verbatim word n-grams (normalised words, stop words kept): copies and light edits.
    Words,
    /// Stemmed content words, stop words removed: survives synonym swaps and paraphrase.
    Content,
    /// Stemmed content words of the lead (the first `n` words): a rewrite keeps its source's lead even
    /// when it drops or reorders the rest, and a long source and a short rewrite still meet here.
    Lead,
}

impl View {
    /// All views, in a fixed order.
    pub const ALL: [View; 3] = [View::Words, View::Content, View::Lead];

    /// The view's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            View::Words => "words",
            View::Content => "content",
            View::Lead => "lead",
        }
    }

    /// Parses a view name.
    pub fn from_name(name: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Calls `emit` with the hash of every shingle of the view over `tokens`. `n` is the word n-gram
    /// length of [`View::Words`] and the lead length of [`View::Lead`]. A shingle may be emitted more
    /// than once; MinHash does not care.
    pub fn shingles(self, tokens: &[Token], n: usize, seed: u64, mut emit: impl FnMut(u64)) {
        match self {
            View::Words => {
                let words: Vec<u64> = tokens.iter().map(|t| t.word).collect();
                word_ngrams(&words, n, seed, emit);
            }
            View::Content => {
                for t in tokens.iter().filter(|t| t.is_content()) {
                    emit(t.stem ^ seed);
                }
            }
            View::Lead => {
                for t in lead(tokens, n).iter().filter(|t| t.is_content()) {
                    emit(t.stem ^ seed);
                }
            }
        }
    }
}

/// Calls `emit` with the hash of every word `n`-gram of `words` (word hashes, in order); a document
/// shorter than one n-gram is one shingle of all its words. The n-gram hash is a polynomial in the word
/// hashes, rolled along the text (two multiplications a word, whatever `n`), then mixed with `seed`.
pub fn word_ngrams(words: &[u64], n: usize, seed: u64, mut emit: impl FnMut(u64)) {
    if words.is_empty() {
        return;
    }
    let n = n.clamp(1, words.len());
    // Multiplier of the polynomial (odd) and its (n-1)th power, which takes the oldest word out.
    const BASE: u64 = 0x9e37_79b9_7f4a_7c15;
    let top = (1..n).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let mut h = words[..n].iter().fold(0u64, |h, &w| h.wrapping_mul(BASE).wrapping_add(w));
    emit(mix(h ^ seed));
    for (&out, &new) in words.iter().zip(&words[n..]) {
        h = h.wrapping_sub(out.wrapping_mul(top)).wrapping_mul(BASE).wrapping_add(new);
        emit(mix(h ^ seed));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_lead_counts_characters_as_half_words() {
        let text = |t: &Tokens, n: usize| lead(&t.tokens, n).len();
        assert_eq!(text(&Tokens::new("the drones hit Kyiv overnight"), 3), 3);
        assert_eq!(text(&Tokens::new("the drones"), 3), 2);
        assert_eq!(text(&Tokens::new("台风海燕在福建登陆"), 3), 6);
        assert_eq!(text(&Tokens::new("台风Haiyan在福建"), 2), 3);
    }

    proptest! {
        #[test]
        fn word_ngrams_hash_each_window(words in prop::collection::vec(0u64..6, 0..30), n in 1usize..7, seed: u64) {
            // Oracle: the polynomial of each window computed afresh.
            let poly = |w: &[u64]| w.iter().fold(0u64, |h, &x| h.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(x));
            let want: Vec<u64> = if words.is_empty() {
                vec![]
            } else {
                words.windows(n.min(words.len())).map(|w| mix(poly(w) ^ seed)).collect()
            };
            let mut got = Vec::new();
            word_ngrams(&words, n, seed, |h| got.push(h));
            prop_assert_eq!(&got, &want);
            // Equal windows hash alike, different ones apart.
            let windows: Vec<&[u64]> = if words.is_empty() { vec![] } else { words.windows(n.min(words.len())).collect() };
            for (x, wx) in got.iter().zip(&windows) {
                for (y, wy) in got.iter().zip(&windows) {
                    prop_assert_eq!(x == y, wx == wy);
                }
            }
        }
    }

    #[test]
    fn words_view_short_document_is_one_shingle() {
        let t = Tokens::new("two words");
        let mut out = vec![];
        View::Words.shingles(&t.tokens, 5, 1, |h| out.push(h));
        assert_eq!(out.len(), 1);
        let t = Tokens::new("one two three four five six");
        out.clear();
        View::Words.shingles(&t.tokens, 5, 1, |h| out.push(h));
        assert_eq!(out.len(), 2);
    }
}
