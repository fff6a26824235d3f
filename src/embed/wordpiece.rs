//! BERT's tokenizer for [`super::Model`]: lower-cased, accents stripped, punctuation and CJK ideographs
//! split off, then greedy longest-match WordPiece over the vocabulary of the model's `tokenizer.json`
//! (read by `model`, which owns the [`WordPiece`] and encodes the ids it gives).

use std::collections::HashMap;

use super::UNREADABLE;

/// A WordPiece vocabulary and its `[UNK]` id.
pub(super) struct WordPiece {
    pub(super) vocab: HashMap<String, u32>,
    pub(super) unknown: u32,
}

impl WordPiece {
    /// BERT's tokenizer: up to `max` WordPiece ids of `text`.
    pub(super) fn tokenize(&self, text: &str, max: usize, ids: &mut Vec<u32>, word: &mut String) {
        ids.clear();
        word.clear();
        for c in text.chars() {
            if ids.len() >= max {
                break;
            }
            if c.is_whitespace() || c.is_control() || c == '\u{fffd}' {
                self.word_pieces(word, ids);
            } else if is_punctuation(c) || is_cjk(c) {
                self.word_pieces(word, ids);
                word.push(c);
                self.word_pieces(word, ids);
            } else {
                push_normalised(c, word);
            }
        }
        self.word_pieces(word, ids);
        ids.truncate(max);
    }

    /// Whether `ids` are of a text the model can read: some ids, at most [`UNREADABLE`] of them `[UNK]`.
    pub(super) fn readable(&self, ids: &[u32]) -> bool {
        let unknown = ids.iter().filter(|&&id| id == self.unknown).count();
        !ids.is_empty() && unknown as f64 <= UNREADABLE * ids.len() as f64
    }

    /// Appends the WordPiece ids of `word` (greedy longest match, continuations prefixed `##`; a word
    /// that cannot be cut so, or over 100 characters, is `[UNK]`) and clears it.
    fn word_pieces(&self, word: &mut String, ids: &mut Vec<u32>) {
        if word.is_empty() {
            return;
        }
        let before = ids.len();
        if word.chars().count() > 100 || !self.longest_pieces(word, ids) {
            ids.truncate(before);
            ids.push(self.unknown);
        }
        word.clear();
    }

    /// Appends the ids of the longest vocabulary pieces of `word`, left to right; false when some part
    /// of it starts no piece.
    fn longest_pieces(&self, word: &str, ids: &mut Vec<u32>) -> bool {
        let mut piece = String::with_capacity(word.len() + 2);
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            loop {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[start..end]);
                if let Some(&id) = self.vocab.get(&piece) {
                    ids.push(id);
                    break;
                }
                end = word[start..end].char_indices().last().map_or(start, |(i, _)| start + i);
                if end == start {
                    return false;
                }
            }
            start = end;
        }
        true
    }
}

/// BERT's punctuation: every ASCII symbol that is not a letter, digit or space, and the Unicode
/// punctuation blocks (general punctuation, CJK symbols, Latin-1 marks, full-width forms).
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    matches!(c, '\u{a1}' | '\u{a7}' | '\u{ab}' | '\u{b6}' | '\u{b7}' | '\u{bb}' | '\u{bf}'
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205e}' | '\u{3001}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}' | '\u{ff01}'..='\u{ff0f}')
}

/// CJK ideographs, which BERT's tokenizer makes words of their own.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{20000}'..='\u{2a6df}'
        | '\u{f900}'..='\u{faff}' | '\u{2f800}'..='\u{2fa1f}')
}

/// Appends `c` lower-cased with its accents stripped (canonical decomposition, combining marks dropped).
fn push_normalised(c: char, word: &mut String) {
    if c.is_ascii() {
        word.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        unicode_normalization::char::decompose_canonical(lower, |d| {
            if !unicode_normalization::char::is_combining_mark(d) {
                word.push(d);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made vocabulary, its ids in order.
    fn tiny() -> WordPiece {
        let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "un", "##able", "##s", ".", ",", "cafe"];
        WordPiece { vocab: words.iter().enumerate().map(|(i, w)| (w.to_string(), i as u32)).collect(), unknown: 1 }
    }

    #[test]
    fn tokenizer_splits_punctuation_and_word_pieces() {
        let m = tiny();
        let mut ids = Vec::new();
        m.tokenize("The cats sat, unable. Café zzz", 100, &mut ids, &mut String::new());
        // the cat ##s sat , un ##able . cafe [UNK]
        assert_eq!(ids, [4, 5, 9, 6, 11, 7, 8, 10, 12, 1]);
        m.tokenize("The cats sat", 2, &mut ids, &mut String::new());
        assert_eq!(ids, [4, 5]);
    }
}
