//! The word lists and the stemmer the tokenizer (`tokens.rs`) consults: stop words (whose tokens carry no
//! stem and do not count as content), abbreviations (after whose full stop a sentence goes on), and a light
//! English stemmer. The lists are held as sets of word hashes ([`word_hash`]), so a token is looked up by
//! the hash it already has.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use crate::hash::{U64Hasher, word_hash};

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

pub(super) fn stop_words() -> &'static HashSet<u64, BuildHasherDefault<U64Hasher>> {
    static SET: OnceLock<HashSet<u64, BuildHasherDefault<U64Hasher>>> = OnceLock::new();
    SET.get_or_init(|| hash_set(STOP_WORDS))
}

pub(super) fn abbreviations() -> &'static HashSet<u64, BuildHasherDefault<U64Hasher>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::{Token, Tokens};

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
}
