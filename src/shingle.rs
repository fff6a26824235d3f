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

use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::hash::{HASH_K, U64Hasher, hash_step, mix};

/// The token starts with an upper-case letter.
pub const CAPITALISED: u8 = 1;
/// The token contains a digit.
pub const NUMBER: u8 = 2;
/// The token is inside quotation marks.
pub const QUOTED: u8 = 4;
/// The token is a stop word (its `stem` is zero).
pub const STOP: u8 = 8;
/// The token is a Han or kana character, a word of its own in text written without spaces.
pub const UNSPACED: u8 = 16;

/// One word of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte in the original text.
    pub start: u32,
    /// Byte offset one past the last byte in the original text.
    pub end: u32,
    /// Hash of the normalised word.
    pub word: u64,
    /// Hash of the light stem of the normalised word; zero for stop words.
    pub stem: u64,
    /// Bit set of [`CAPITALISED`], [`NUMBER`], [`QUOTED`], [`STOP`].
    pub flags: u8,
}

impl Token {
    /// Whether the token carries meaning (not a stop word).
    pub fn is_content(&self) -> bool {
        self.flags & STOP == 0
    }

    /// Whether the token is inside a quotation.
    pub fn is_quoted(&self) -> bool {
        self.flags & QUOTED != 0
    }

    /// How much of a word the token is, in halves: a Han or kana character is half a word (Chinese words
    /// are mostly two characters long), any other token a whole one.
    pub fn halves(&self) -> usize {
        if self.flags & UNSPACED != 0 { 1 } else { 2 }
    }
}

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

/// A tokenised document: tokens in order and the index of the first token of each sentence.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    /// The words, in text order.
    pub tokens: Vec<Token>,
    /// Index into `tokens` of the first token of each sentence, ascending, starting with 0 when
    /// there is at least one token.
    pub sentence_starts: Vec<u32>,
}

impl Tokens {
    /// Tokenises `text`.
    pub fn new(text: &str) -> Tokens {
        let mut tokens = Tokens::default();
        // News averages six bytes a word with its space: room for that at once instead of growing
        // step by step, then the excess given back.
        tokens.tokens.reserve(text.len() / 5 + 4);
        tokenize_into(text, &mut tokens, &mut String::new());
        tokens.tokens.shrink_to_fit();
        tokens
    }

    /// The token index range of sentence `i`.
    pub fn sentence(&self, i: usize) -> std::ops::Range<usize> {
        let start = self.sentence_starts[i] as usize;
        let end = self.sentence_starts.get(i + 1).map_or(self.tokens.len(), |&e| e as usize);
        start..end
    }

    /// Number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.sentence_starts.len()
    }

    /// Length in words, a Han or kana character counting as half a word (rounded up).
    pub fn word_count(&self) -> usize {
        self.tokens.iter().map(Token::halves).sum::<usize>().div_ceil(2)
    }
}

/// Words that carry little meaning on their own. Their hashes are looked up, never their strings.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "even",
    "ever",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "said",
    "says",
    "say",
    "according",
    "told",
    "s",
    "t",
    "mr",
    "mrs",
    "ms",
];

/// Abbreviations after whose full stop a sentence does not end.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "gov", "sen", "rep", "lt", "col", "capt", "sgt", "inc", "corp",
    "co", "ltd", "no", "vs", "prof", "rev", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "mt", "ft", "e.g", "i.e", "etc", "approx",
];

fn hash_set(words: &[&str]) -> HashSet<u64, BuildHasherDefault<U64Hasher>> {
    words.iter().map(|w| word_hash(w.as_bytes())).collect()
}

fn stop_words() -> &'static HashSet<u64, BuildHasherDefault<U64Hasher>> {
    static SET: OnceLock<HashSet<u64, BuildHasherDefault<U64Hasher>>> = OnceLock::new();
    SET.get_or_init(|| hash_set(STOP_WORDS))
}

fn abbreviations() -> &'static HashSet<u64, BuildHasherDefault<U64Hasher>> {
    static SET: OnceLock<HashSet<u64, BuildHasherDefault<U64Hasher>>> = OnceLock::new();
    SET.get_or_init(|| hash_set(ABBREVIATIONS))
}

/// Reduces a lower-case word to a light stem, so that "drones", "drone" and "released", "release",
/// "releasing" meet. Deliberately conservative: it only strips common English inflections.
pub fn stem(word: &str) -> &str {
    let n = word.len();
    if !word.is_ascii() || n <= 3 {
        return word;
    }
    let w = if n > 4 && word.ends_with("ies") {
        // "countries" -> "countr", which meets "country" -> "countr" below.
        &word[..n - 3]
    } else if word.ends_with("sses") {
        &word[..n - 2]
    } else if word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") && !word.ends_with("is") {
        &word[..n - 1]
    } else {
        word
    };
    let n = w.len();
    let w = if n > 5 && w.ends_with("ing") {
        &w[..n - 3]
    } else if (n > 4 && w.ends_with("ed")) || (n > 5 && w.ends_with("ly")) {
        &w[..n - 2]
    } else {
        w
    };
    let n = w.len();
    if n > 3 && (w.ends_with('e') || w.ends_with('y')) { &w[..n - 1] } else { w }
}

/// Tokenises `text` into `out`, reusing its buffers and `scratch` (so a worker allocates only while its
/// buffers grow).
pub fn tokenize_into(text: &str, out: &mut Tokens, scratch: &mut String) {
    STEMS.with_borrow_mut(|stems| tokenize_with(text, out, scratch, stems, true));
}

/// The stem hashes (0 for a stop word) of the words a thread saw last, by word hash: news vocabulary is
/// so skewed that most tokens are words seen a moment ago, whose stemming and hashing this skips.
struct StemCache(Vec<(u64, u64)>);

thread_local! {
    static STEMS: std::cell::RefCell<StemCache> = std::cell::RefCell::new(StemCache(vec![(0, 0); 1 << 12]));
}

impl StemCache {
    /// The stem hash of the word hashing to `word`, from `compute` unless cached.
    fn get(&mut self, word: u64, compute: impl FnOnce() -> u64) -> u64 {
        let slot = &mut self.0[(word >> 52) as usize];
        // Word hash 0 marks an empty slot; a word hashing to 0 is computed each time.
        if slot.0 != word || word == 0 {
            *slot = (word, compute());
        }
        slot.1
    }
}

/// [`tokenize_into`]; with `ascii_runs`, a word that is a run of ASCII letters and digits ending where
/// nothing can join it to more is hashed in place (lower-cased on the fly) instead of read into `scratch`
/// first, which is most words of most text (the same tokens either way).
fn tokenize_with(text: &str, out: &mut Tokens, scratch: &mut String, stems: &mut StemCache, ascii_runs: bool) {
    out.tokens.clear();
    out.sentence_starts.clear();
    let bytes = text.as_bytes();
    let stops = stop_words();
    let abbrevs = abbreviations();
    let mut in_quote = false;
    // A sentence starts at the first token, after a line break or a Chinese or Japanese full stop, and
    // after other terminal punctuation that is followed by a capitalised word, a number or an opening
    // quotation mark.
    let mut new_sentence = true;
    let mut terminator = false;
    let mut quote_opened = false;
    let mut unspaced = false;
    let mut runs = Runs::default();
    let mut i = 0;
    while i < bytes.len() {
        let c = char_at(text, i);
        if c.is_alphanumeric() {
            let start = i;
            let run = if ascii_runs { ascii_word(bytes, i) } else { None };
            let (end, number, word) = match run {
                Some((end, number)) => (end, number, hash_ascii_run(bytes, start, end)),
                None => {
                    let (end, number) = read_word(text, i, scratch, &mut runs);
                    (end, number, word_hash(scratch.as_bytes()))
                }
            };
            i = end;
            let mut flags = 0u8;
            if c.is_uppercase() {
                flags |= CAPITALISED;
            }
            if !c.is_ascii() && is_unspaced(c) {
                flags |= UNSPACED;
                unspaced = true;
            }
            if number {
                flags |= NUMBER;
            }
            let stem_hash = stems.get(word, || {
                if run.is_some() {
                    scratch.clear();
                    scratch.push_str(&text[start..end]);
                    scratch.make_ascii_lowercase();
                }
                if stops.contains(&word) {
                    0
                } else {
                    // Seeded so that a stem never collides with the hash of the same string as a word.
                    xxh3_64_with_seed(stem(scratch).as_bytes(), 0x57e4)
                }
            });
            if stem_hash == 0 {
                flags |= STOP;
            }
            if in_quote {
                flags |= QUOTED;
            }
            let index = out.tokens.len() as u32;
            let capital_or_number = flags & (CAPITALISED | NUMBER) != 0;
            if new_sentence || (terminator && (capital_or_number || quote_opened)) {
                out.sentence_starts.push(index);
            }
            new_sentence = false;
            terminator = false;
            quote_opened = false;
            out.tokens.push(Token { start: start as u32, end: i as u32, word, stem: stem_hash, flags });
            // After the token, look at what follows to decide on abbreviations.
            if i < bytes.len() && bytes[i] == b'.' {
                let one_letter = if run.is_some() { end - start == 1 } else { scratch.chars().count() == 1 };
                let single_initial = one_letter && flags & CAPITALISED != 0;
                if single_initial || abbrevs.contains(&word) {
                    // Skip the full stop so it does not end the sentence.
                    i += 1;
                }
            }
            continue;
        }
        match c {
            '\n' => {
                new_sentence = true;
                // A quotation left open at the end of a paragraph closes there: news style reopens
                // it at the start of the next paragraph.
                in_quote = false;
            }
            '.' | '!' | '?' => terminator = true,
            // Chinese and Japanese full stops: whatever follows starts a sentence (there are no capitals).
            '。' | '！' | '？' | '｡' => new_sentence = true,
            '"' => {
                in_quote = !in_quote;
                quote_opened = in_quote;
            }
            '“' | '«' | '„' | '「' | '『' => {
                in_quote = true;
                quote_opened = true;
            }
            '”' | '»' | '」' | '』' => in_quote = false,
            _ => {}
        }
        i += c.len_utf8();
    }
    if unspaced {
        stem_character_pairs(text, &mut out.tokens);
    }
}

/// Gives each Han or kana character the stem of the pair it starts with the next character (most Chinese
/// words are two characters long), and the last character of a run none (a stop word): characters alone
/// are so few that unrelated Chinese texts share most of them, character pairs as rarely as words.
fn stem_character_pairs(text: &str, tokens: &mut [Token]) {
    let is_character = |t: &Token| t.flags & UNSPACED != 0;
    for k in 0..tokens.len() {
        if !is_character(&tokens[k]) {
            continue;
        }
        let end = tokens.get(k + 1).filter(|next| next.start == tokens[k].end && is_character(next)).map(|n| n.end);
        let t = &mut tokens[k];
        match end {
            Some(end) => {
                t.stem = xxh3_64_with_seed(&text.as_bytes()[t.start as usize..end as usize], 0x57e4);
                t.flags &= !STOP;
            }
            None => {
                t.stem = 0;
                t.flags |= STOP;
            }
        }
    }
}

/// The hash of every word of `text`, in order: the `word` of each token [`tokenize_into`] would give,
/// several times faster, for the verbatim-words view alone (no offsets, stems, flags or sentences).
/// Returns the text's length in words, as [`Tokens::word_count`] counts them.
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
    let mut i = 0;
    loop {
        let s = next_one(interesting, i, false);
        if s >= n {
            break;
        }
        if bit(alnum, s) {
            let e = next_one(alnum, s, true).min(n);
            if !joins_on(bytes, e) {
                out.push(hash_ascii_run(bytes, s, e));
                i = e;
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
                out.push(word_hash(scratch.as_bytes()));
                characters += usize::from(is_unspaced(c));
                j = after;
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

/// The hash of a normalised word (as [`Token::word`] holds it).
pub fn word_hash(word: &[u8]) -> u64 {
    hash_bytes(word, 0)
}

/// Or-ed into ASCII letters and digits, it lower-cases the letters and leaves the digits as they are.
const ASCII_LOWER: u64 = 0x2020_2020_2020_2020;

/// The low `len` bytes of a word set, for `len` in 0..=8.
#[inline(always)]
fn low_bytes(len: usize) -> u64 {
    if len >= 8 { u64::MAX } else { (1u64 << (8 * len)) - 1 }
}

/// The hash of bytes as little-endian eight-byte chunks, zero-padded, at least two of them (so every
/// word of up to 16 bytes takes the same steps), each or-ed with `mask` over its real bytes first. A
/// `mask` of [`ASCII_LOWER`] hashes a run of ASCII letters and digits as its lower-case form.
#[inline(always)]
fn hash_bytes(bytes: &[u8], mask: u64) -> u64 {
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

/// When the word at `start` is a run of ASCII letters and digits that nothing joins to more (a
/// non-ASCII letter, an apostrophe, a separator between digits), its end and whether it holds a digit.
fn ascii_word(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    let (end, seen) = ascii_run(bytes, start);
    (end > start && !joins_on(bytes, end)).then_some((end, seen & DIGIT != 0))
}

/// Whether the word reader would join the run of ASCII letters and digits ending at `end` to what
/// follows: a non-ASCII letter, an apostrophe, or a separator between digits ("1,000", "3.5").
#[inline(always)]
fn joins_on(bytes: &[u8], end: usize) -> bool {
    let digit = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit);
    match bytes.get(end) {
        Some(b',' | b'.') => digit(end - 1) && digit(end + 1),
        Some(b'\'' | 0x80..) => true,
        _ => false,
    }
}

/// The end of the run of ASCII letters and digits from `start`, and the classes ([`ASCII_CLASS`]) of its
/// bytes or-ed together.
#[inline(always)]
fn ascii_run(bytes: &[u8], start: usize) -> (usize, u8) {
    let (mut end, mut seen) = (start, 0u8);
    while end < bytes.len() {
        let class = ASCII_CLASS[bytes[end] as usize];
        if class & ALNUM == 0 {
            break;
        }
        seen |= class;
        end += 1;
    }
    (end, seen)
}

/// [`hash_bytes`] with [`ASCII_LOWER`] of the run of ASCII letters and digits `text[start..end]`, for
/// runs of up to 16 bytes with 16 bytes of text from `start` on: two loads, masked, no branch on the
/// length.
#[inline(always)]
fn hash_ascii_run(text: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    if len > 16 || start + 16 > text.len() {
        return hash_bytes(&text[start..end], ASCII_LOWER);
    }
    let chunk = |at: usize, len: usize| {
        (u64::from_le_bytes(text[at..at + 8].try_into().expect("eight bytes")) | ASCII_LOWER) & low_bytes(len)
    };
    let h = (len as u64).wrapping_mul(HASH_K);
    let h = hash_step(h, chunk(start, len.min(8)));
    mix(hash_step(h, chunk(start + 8, len.saturating_sub(8))))
}

/// Reads the word that starts at byte `i` (an alphanumeric character) into `scratch`, normalised (lower
/// case, apostrophes and thousands separators dropped); returns the offset one past it and whether it
/// holds a digit.
#[inline(always)]
fn read_word(text: &str, mut i: usize, scratch: &mut String, runs: &mut Runs) -> (usize, bool) {
    let bytes = text.as_bytes();
    scratch.clear();
    let mut number = false;
    let mut prev = '\0';
    while i < bytes.len() {
        // Most of the text is ASCII letters and digits: take them a byte at a time, without decoding a
        // `char` (the same result as the general path below).
        if ASCII_CLASS[bytes[i] as usize] & ALNUM != 0 {
            // A run of ASCII letters and digits, classified by table lookups and copied in one go.
            let (end, seen) = ascii_run(bytes, i);
            let at = scratch.len();
            scratch.push_str(&text[i..end]);
            if seen & UPPER != 0 {
                scratch[at..].make_ascii_lowercase();
            }
            number |= seen & DIGIT != 0;
            prev = bytes[end - 1] as char;
            i = end;
            continue;
        }
        let c = char_at(text, i);
        let width = c.len_utf8();
        if is_segmented(c) {
            // Thai and its neighbours: the word the dictionary finds in the run of such text.
            if scratch.is_empty() {
                let end = runs.word_end(text, i);
                scratch.push_str(&text[i..end]);
                number |= scratch.chars().any(char::is_numeric);
                i = end;
            }
            break;
        }
        if is_unspaced(c) {
            // Chinese and Japanese are written without spaces between words: each such character is a
            // word of its own, and ends a word of another script written against it.
            if scratch.is_empty() {
                scratch.push(c);
                i += width;
                // With its combining marks (a decomposed voiced kana).
                while let Some(m) =
                    text[i..].chars().next().filter(|&m| unicode_normalization::char::is_combining_mark(m))
                {
                    scratch.push(m);
                    i += m.len_utf8();
                }
            }
            break;
        }
        if c.is_alphanumeric() {
            if c.is_ascii() {
                scratch.push(c.to_ascii_lowercase());
            } else {
                scratch.extend(c.to_lowercase());
            }
            number |= c.is_numeric();
            prev = c;
            i += width;
            continue;
        }
        if unicode_normalization::char::is_combining_mark(c) && !scratch.is_empty() {
            // A vowel sign, virama or vowel mark (Devanagari, Arabic) belongs to its letter.
            scratch.push(c);
            i += width;
            continue;
        }
        let next = text[i + width..].chars().next();
        let joins = match c {
            // "Moscow's", "don’t": one word, the apostrophe dropped.
            '\'' | '’' => prev.is_alphabetic() && next.is_some_and(char::is_alphabetic),
            // "1,000" and "2.5": one number; the thousands separator is dropped.
            ',' | '.' => prev.is_ascii_digit() && next.is_some_and(|n| n.is_ascii_digit()),
            _ => false,
        };
        if !joins {
            break;
        }
        if c == '.' {
            scratch.push('.');
        }
        i += width;
    }
    (i, number)
}

const ALNUM: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 4;

/// Classes of ASCII bytes (letters and digits, upper case, digits); zero for every other byte.
static ASCII_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if c.is_ascii_lowercase() {
            ALNUM
        } else if c.is_ascii_digit() {
            ALNUM | DIGIT
        } else {
            0
        };
        b += 1;
    }
    table
};

#[inline]
fn char_at(text: &str, i: usize) -> char {
    // `i` always sits on a character boundary: it only advances by whole characters.
    match text.as_bytes()[i] {
        b if b.is_ascii() => b as char,
        _ => text[i..].chars().next().unwrap_or('\0'),
    }
}

/// Characters of scripts written without spaces between words, each a word of its own: Han ideographs
/// (Chinese, Japanese kanji) and Japanese kana. Korean separates its words with spaces.
fn is_unspaced(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{31f0}'..='\u{31ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}' | '\u{ff66}'..='\u{ff9f}' | '\u{20000}'..='\u{2fa1f}')
}

/// Letters of Thai, Lao, Burmese and Khmer, also written without spaces between words, whose words are
/// longer than a character and found with a dictionary ([`Runs`]).
fn is_segmented(c: char) -> bool {
    matches!(c, '\u{0e00}'..='\u{0eff}' | '\u{1000}'..='\u{109f}' | '\u{1780}'..='\u{17ff}' | '\u{19e0}'..='\u{19ff}'
        | '\u{a9e0}'..='\u{a9ff}' | '\u{aa60}'..='\u{aa7f}')
}

/// The word breaks of the run of Thai, Lao, Burmese or Khmer text the word reader is in, found once for
/// the run by ICU's dictionary segmenter (a word's end depends on what follows it). One for each text
/// read.
#[derive(Default)]
struct Runs {
    start: usize,
    end: usize,
    breaks: Vec<usize>,
}

impl Runs {
    /// The end of the word starting at byte `i` of `text`, a letter of such a run.
    fn word_end(&mut self, text: &str, i: usize) -> usize {
        if !(self.start..self.end).contains(&i) {
            let within = |c: char| is_segmented(c) || unicode_normalization::char::is_combining_mark(c);
            let end = text[i..].char_indices().find(|&(_, c)| !within(c)).map_or(text.len(), |(k, _)| i + k);
            static SEGMENTER: OnceLock<WordSegmenterBorrowed<'static>> = OnceLock::new();
            let segmenter = SEGMENTER.get_or_init(|| WordSegmenter::new_dictionary(Default::default()));
            self.breaks.clear();
            self.breaks.extend(segmenter.segment_str(&text[i..end]).map(|b| i + b));
            (self.start, self.end) = (i, end);
        }
        let next = self.breaks.partition_point(|&b| b <= i);
        self.breaks.get(next).copied().unwrap_or(self.end)
    }
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

    fn words(text: &str) -> Vec<&str> {
        Tokens::new(text).tokens.iter().map(|t| &text[t.start as usize..t.end as usize]).collect()
    }

    fn sentences(text: &str) -> Vec<String> {
        let t = Tokens::new(text);
        (0..t.sentence_count())
            .map(|i| {
                let r = t.sentence(i);
                text[t.tokens[r.start].start as usize..t.tokens[r.end - 1].end as usize].to_string()
            })
            .collect()
    }

    macro_rules! token_cases {
        ($($name:ident: $text:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                let want: Vec<&str> = $want;
                assert_eq!(words($text), want);
            }
        )*};
    }

    token_cases! {
        empty: "" => vec![];
        punctuation_only: " -- ... “ ” " => vec![];
        apostrophe_joins: "Moscow’s forces don't" => vec!["Moscow’s", "forces", "don't"];
        trailing_apostrophe: "the players' union" => vec!["the", "players", "union"];
        thousands: "exchange 1,000 prisoners, 2.5 tonnes." => vec!["exchange", "1,000", "prisoners", "2.5", "tonnes"];
        hyphen_splits: "Iranian-designed drones" => vec!["Iranian", "designed", "drones"];
        unicode_words: "Mathernová said «horrific» Türkiye" => vec!["Mathernová", "said", "horrific", "Türkiye"];
        dateline: "KYIV, May 24 (Reuters) - Russia" => vec!["KYIV", "May", "24", "Reuters", "Russia"];
        chinese_characters_are_words: "台风“海燕”14日登陆" => vec!["台", "风", "海", "燕", "14", "日", "登", "陆"];
        japanese_kana_and_kanji_are_words: "東京都はカメラを" => vec!["東", "京", "都", "は", "カ", "メ", "ラ", "を"];
        a_latin_word_ends_at_a_character: "iPhone手机和Apple's" => vec!["iPhone", "手", "机", "和", "Apple's"];
        korean_is_spaced: "서울 시장은 말했다" => vec!["서울", "시장은", "말했다"];
        marks_stay_with_their_letters: "प्रधानमंत्री ने कहा, كَتَبَ الوَلَدُ" => vec!["प्रधानमंत्री", "ने", "कहा", "كَتَبَ", "الوَلَدُ"];
        decomposed_kana: "か\u{3099}くせい" => vec!["か\u{3099}", "く", "せ", "い"];
        thai_words_by_dictionary: "aภาษาไทยภาษาไทย ในวันอังคาร" => vec!["a", "ภาษา", "ไทย", "ภาษา", "ไทย", "ใน", "วัน", "อังคาร"];
    }

    #[test]
    fn normalisation_changes_hashes_not_offsets() {
        let a = Tokens::new("Moscow’s 1,000 DRONES");
        let b = Tokens::new("moscows 1000 drones");
        let hashes = |t: &Tokens| t.tokens.iter().map(|t| t.word).collect::<Vec<_>>();
        assert_eq!(hashes(&a), hashes(&b));
        assert_eq!((a.tokens[0].start, a.tokens[0].end), (0, 10));
        assert_eq!(a.tokens[0].flags & CAPITALISED, CAPITALISED);
        assert_eq!(b.tokens[0].flags & CAPITALISED, 0);
    }

    #[test]
    fn stems_meet() {
        for (a, b) in [
            ("drones", "drone"),
            ("released", "release"),
            ("returning", "return"),
            ("countries", "country"),
            ("exchanged", "exchanges"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem("bus"), "bus");
    }

    #[test]
    fn stop_words_have_no_stem() {
        let t = Tokens::new("the Drones of war");
        let content: Vec<bool> = t.tokens.iter().map(Token::is_content).collect();
        assert_eq!(content, vec![false, true, false, true]);
        assert_eq!(t.tokens[0].stem, 0);
    }

    #[test]
    fn quotes_are_flagged_and_close_at_paragraph_end() {
        let text = "He said “it is obvious\nthat we” and \"plain\" end";
        let t = Tokens::new(text);
        let quoted: Vec<bool> = t.tokens.iter().map(Token::is_quoted).collect();
        assert_eq!(quoted, vec![false, false, true, true, true, false, false, false, true, false]);
    }

    #[test]
    fn sentence_boundaries() {
        assert_eq!(
            sentences("Mr. Smith went to Washington D.C. on Friday. He met U.S. officials! 2 left.\nNew line"),
            vec!["Mr. Smith went to Washington D.C. on Friday", "He met U.S. officials", "2 left", "New line"]
        );
        assert_eq!(sentences("It was 2.5 per cent. “Yes,” he said."), vec!["It was 2.5 per cent", "Yes,” he said"]);
        // Chinese and Japanese full stops end a sentence whatever follows; there are no capitals.
        assert_eq!(
            sentences("台风登陆。渔船回港！是吗？yes. 東京都は発表した｡終"),
            vec!["台风登陆", "渔船回港", "是吗", "yes. 東京都は発表した", "終"]
        );
    }

    #[test]
    fn chinese_stems_are_character_pairs() {
        // "Typhoon Haiyan lands. Typhoon": each character stems as the pair it starts, a run's last
        // character as none, so two texts share a stem where they share a two-character word.
        let t = Tokens::new("台风海燕登陆。台风");
        let stems: Vec<u64> = t.tokens.iter().map(|t| t.stem).collect();
        assert_eq!(stems[0], stems[6], "台风 in both sentences");
        assert!(stems[..5].iter().all(|&s| s != 0) && stems[5] == 0 && stems[7] == 0, "{stems:?}");
        assert!(!t.tokens[5].is_content() && t.tokens[4].is_content());
        let pair = Tokens::new("了台风").tokens[1].stem;
        assert_eq!(pair, stems[0]);
        // A Latin word between characters breaks the run.
        let mixed = Tokens::new("台iPhone风");
        assert_eq!((mixed.tokens[0].stem, mixed.tokens[2].stem), (0, 0));
    }

    #[test]
    fn word_counts_take_characters_as_half_words() {
        assert_eq!(Tokens::new("the drones hit Kyiv").word_count(), 4);
        assert_eq!(Tokens::new("台风海燕在福建登陆").word_count(), 5);
        assert_eq!(Tokens::new("台风Haiyan").word_count(), 2);
    }

    #[test]
    fn a_lead_counts_characters_as_half_words() {
        let text = |t: &Tokens, n: usize| lead(&t.tokens, n).len();
        assert_eq!(text(&Tokens::new("the drones hit Kyiv overnight"), 3), 3);
        assert_eq!(text(&Tokens::new("the drones"), 3), 2);
        assert_eq!(text(&Tokens::new("台风海燕在福建登陆"), 3), 6);
        assert_eq!(text(&Tokens::new("台风Haiyan在福建"), 2), 3);
    }

    #[test]
    fn corner_brackets_are_quotation_marks() {
        let t = Tokens::new("知事は「安心したい」と述べた");
        let quoted: Vec<bool> = t.tokens.iter().map(Token::is_quoted).collect();
        assert_eq!(quoted, [false, false, false, true, true, true, true, true, false, false, false, false]);
    }

    /// Text made of pieces that exercise every path of the word readers: ASCII words in both cases,
    /// numbers with separators, apostrophes, non-ASCII letters and punctuation, long words.
    fn tricky_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z]{1,20}",
            "[0-9]{1,4}",
            Just(" ".to_string()),
            Just("\n".to_string()),
            prop::sample::select(vec![
                ",",
                ".",
                "'",
                "’",
                "“",
                "”",
                "é",
                "Ü",
                "ß",
                "İ",
                "—",
                "Δ",
                "日本",
                "1,000",
                "2.5",
                "don't",
                "«",
                "\u{304b}\u{3099}",
                "प्र",
                "\u{94d}",
                "ि",
                "e\u{301}",
                "\u{301}",
                "كَتَبَ",
                "ที่",
                "ภาษาไทยภาษาไทย",
                "ๆ",
                "๏",
                "๑๒",
                "ລາວ",
                "ខ្មែរ",
                "မြန်မာစာ",
                "。",
                "「",
                "」",
                "東京都は",
                "カメラ",
                "ｶﾒﾗ",
                "iPhone手机",
                "𠀋",
            ])
            .prop_map(str::to_string),
        ];
        prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
    }

    proptest! {
        /// The oracle: every word read through the general word reader.
        #[test]
        fn ascii_runs_tokenize_as_the_word_reader_does(text in tricky_text(), abbreviation in prop::bool::ANY) {
            let text = if abbreviation { format!("Mr. J. Smith of U.S. Steel. {text}") } else { text };
            let tokenize = |ascii_runs: bool| {
                let mut out = Tokens::default();
                STEMS.with_borrow_mut(|stems| tokenize_with(&text, &mut out, &mut String::new(), stems, ascii_runs));
                out
            };
            let (fast, general) = (tokenize(true), tokenize(false));
            prop_assert_eq!(fast.sentence_starts, general.sentence_starts);
            prop_assert_eq!(fast.tokens.len(), general.tokens.len());
            for (x, y) in fast.tokens.iter().zip(&general.tokens) {
                prop_assert_eq!((x.start, x.end, x.word, x.stem, x.flags), (y.start, y.end, y.word, y.stem, y.flags));
            }
        }

        #[test]
        fn word_hashes_match_the_tokenizer(text in tricky_text()) {
            let tokens = Tokens::new(&text);
            let want: Vec<u64> = tokens.tokens.iter().map(|t| t.word).collect();
            let mut got = Vec::new();
            let words = word_hashes(&text, &mut got, &mut Masks::default(), &mut String::new());
            prop_assert_eq!(got, want);
            prop_assert_eq!(words, tokens.word_count());
        }

        /// Any Unicode text: tokens in order, on character boundaries, each starting with a letter or digit,
        /// and the fast word reader agreeing.
        #[test]
        fn any_text_tokenizes_in_order_on_character_boundaries(text in "\\PC{0,80}") {
            let t = Tokens::new(&text);
            let mut at = 0;
            for token in &t.tokens {
                let (start, end) = (token.start as usize, token.end as usize);
                prop_assert!(at <= start && start < end && text.is_char_boundary(start) && text.is_char_boundary(end));
                prop_assert!(text[start..].chars().next().is_some_and(char::is_alphanumeric));
                at = end;
            }
            let mut got = Vec::new();
            let words = word_hashes(&text, &mut got, &mut Masks::default(), &mut String::new());
            prop_assert_eq!(got, t.tokens.iter().map(|t| t.word).collect::<Vec<u64>>());
            prop_assert_eq!(words, t.word_count());
        }

        #[test]
        fn ascii_runs_hash_as_their_lower_case(word in "[a-zA-Z0-9]{1,40}", after in "[ .,a-z]{0,20}") {
            let text = format!("{word}{after}");
            let lower = word.to_ascii_lowercase();
            prop_assert_eq!(hash_ascii_run(text.as_bytes(), 0, word.len()), word_hash(lower.as_bytes()));
        }

        #[test]
        fn block_masks_agree_with_the_scalar_version(block in prop::array::uniform32(any::<u8>()), rest in prop::array::uniform32(any::<u8>())) {
            let mut whole = [0u8; 64];
            whole[..32].copy_from_slice(&block);
            whole[32..].copy_from_slice(&rest);
            prop_assert_eq!(block_masks(&whole), block_masks_scalar(&whole));
        }

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
