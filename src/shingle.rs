//! Tokens with byte offsets, normalisation, and the shingle views that feed MinHash.
//!
//! The tokenizer walks a document once and yields [`Token`]s: the byte range of the word in the original
//! text (never changed by normalisation), the hash of its normalised form (lower case, apostrophes and
//! thousands separators removed), the hash of its light stem (zero for stop words) and flags (capitalised,
//! number, inside quotation marks). Sentence starts are recorded as token indices. Everything downstream,
//! [`crate::minhash`] and [`crate::align`], works on these hashes and offsets, never on re-sliced strings.
//!
//! A [`View`] turns the tokens into a set of shingle hashes: verbatim word n-grams, or the stemmed content
//! words of each sentence, a view that survives synonym spinning and LLM paraphrase.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Serialize;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// The token starts with an upper-case letter.
pub const CAPITALISED: u8 = 1;
/// The token contains a digit.
pub const NUMBER: u8 = 2;
/// The token is inside quotation marks.
pub const QUOTED: u8 = 4;
/// The token is a stop word (its `stem` is zero).
pub const STOP: u8 = 8;

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
        tokenize_into(text, &mut tokens, &mut String::new());
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

fn hash_set(words: &[&str]) -> HashSet<u64> {
    words.iter().map(|w| xxh3_64(w.as_bytes())).collect()
}

fn stop_words() -> &'static HashSet<u64> {
    static SET: OnceLock<HashSet<u64>> = OnceLock::new();
    SET.get_or_init(|| hash_set(STOP_WORDS))
}

fn abbreviations() -> &'static HashSet<u64> {
    static SET: OnceLock<HashSet<u64>> = OnceLock::new();
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
    tokenize_with(text, out, scratch, true);
}

/// [`tokenize_into`]; without `stems`, every token's `stem` is zero and no token is flagged [`STOP`]
/// (for the verbatim-words view alone, which hashes only `word`: half the tokenising time is stemming).
pub fn tokenize_with(text: &str, out: &mut Tokens, scratch: &mut String, stems: bool) {
    out.tokens.clear();
    out.sentence_starts.clear();
    let bytes = text.as_bytes();
    let stops = stop_words();
    let abbrevs = abbreviations();
    let mut in_quote = false;
    // A sentence starts at the first token, after a line break, and after terminal punctuation that is
    // followed by a capitalised word, a number or an opening quotation mark.
    let mut line_break = true;
    let mut terminator = false;
    let mut quote_opened = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = char_at(text, i);
        if c.is_alphanumeric() {
            let start = i;
            scratch.clear();
            let mut flags = 0u8;
            if c.is_uppercase() {
                flags |= CAPITALISED;
            }
            let mut prev = c;
            while i < bytes.len() {
                // Most of the text is ASCII letters and digits: take them a byte at a time, without
                // decoding a `char` (the same result as the general path below).
                if ASCII_CLASS[bytes[i] as usize] & ALNUM != 0 {
                    // A run of ASCII letters and digits, classified by table lookups and copied in one go.
                    let (mut end, mut seen) = (i, 0u8);
                    while end < bytes.len() {
                        let class = ASCII_CLASS[bytes[end] as usize];
                        if class & ALNUM == 0 {
                            break;
                        }
                        seen |= class;
                        end += 1;
                    }
                    let at = scratch.len();
                    scratch.push_str(&text[i..end]);
                    if seen & UPPER != 0 {
                        scratch[at..].make_ascii_lowercase();
                    }
                    if seen & DIGIT != 0 {
                        flags |= NUMBER;
                    }
                    prev = bytes[end - 1] as char;
                    i = end;
                    continue;
                }
                let c = char_at(text, i);
                let width = c.len_utf8();
                if c.is_alphanumeric() {
                    if c.is_ascii() {
                        scratch.push(c.to_ascii_lowercase());
                    } else {
                        scratch.extend(c.to_lowercase());
                    }
                    if c.is_numeric() {
                        flags |= NUMBER;
                    }
                    prev = c;
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
            let word = xxh3_64(scratch.as_bytes());
            let stem_hash = if !stems {
                0
            } else if stops.contains(&word) {
                flags |= STOP;
                0
            } else {
                // Seeded so that a stem never collides with the hash of the same string as a word.
                xxh3_64_with_seed(stem(scratch).as_bytes(), 0x57e4)
            };
            if in_quote {
                flags |= QUOTED;
            }
            let index = out.tokens.len() as u32;
            let capital_or_number = flags & (CAPITALISED | NUMBER) != 0;
            if line_break || (terminator && (capital_or_number || quote_opened)) {
                out.sentence_starts.push(index);
            }
            line_break = false;
            terminator = false;
            quote_opened = false;
            out.tokens.push(Token { start: start as u32, end: i as u32, word, stem: stem_hash, flags });
            // After the token, look at what follows to decide on abbreviations.
            if i < bytes.len() && bytes[i] == b'.' {
                let single_initial = scratch.chars().count() == 1 && flags & CAPITALISED != 0;
                if single_initial || abbrevs.contains(&word) {
                    // Skip the full stop so it does not end the sentence.
                    i += 1;
                }
            }
            continue;
        }
        match c {
            '\n' => {
                line_break = true;
                // A quotation left open at the end of a paragraph closes there: news style reopens
                // it at the start of the next paragraph.
                in_quote = false;
            }
            '.' | '!' | '?' => terminator = true,
            '"' => {
                in_quote = !in_quote;
                quote_opened = in_quote;
            }
            '“' | '«' | '„' => {
                in_quote = true;
                quote_opened = true;
            }
            '”' | '»' => in_quote = false,
            _ => {}
        }
        i += c.len_utf8();
    }
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
                if tokens.is_empty() {
                    return;
                }
                // A document shorter than one n-gram is one shingle of all its words.
                let n = n.clamp(1, tokens.len());
                let mut buf = [0u8; 8 * 16];
                let n = n.min(16);
                for window in tokens.windows(n) {
                    for (k, t) in window.iter().enumerate() {
                        buf[8 * k..8 * k + 8].copy_from_slice(&t.word.to_le_bytes());
                    }
                    emit(xxh3_64_with_seed(&buf[..8 * n], seed));
                }
            }
            View::Content => {
                for t in tokens.iter().filter(|t| t.is_content()) {
                    emit(t.stem ^ seed);
                }
            }
            View::Lead => {
                for t in tokens.iter().take(n).filter(|t| t.is_content()) {
                    emit(t.stem ^ seed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
