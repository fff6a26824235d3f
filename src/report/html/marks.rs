//! What the HTML report highlights inside an aligned passage: the stretches whose words are the same as
//! in the passage it is aligned with. A stretch is *verbatim* when it is made of word trigrams (the
//! collection's one definition of a phrase, `frequencies::phrases`) found in the other passage, and
//! *quoted* when those words are inside quotation marks on its side (a shared quotation is what
//! independent reports of one speech have in common, not a sign of copying); the rest of a passage is
//! *reworded*. The passages themselves come from the alignment (`align`); the parent module, `html`,
//! writes the marks beside them.

use std::collections::HashSet;

use serde::Serialize;

use crate::align::Passage;
use crate::frequencies::{ngram_hash, phrases};
use crate::shingle::{Token, Tokens};

/// How a marked stretch of a passage is shared with its match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The same words, outside quotation marks.
    Verbatim,
    /// The same words, inside quotation marks.
    Quoted,
}

/// A marked stretch: `[start, end, kind]`, bytes into the text and 0 for verbatim, 1 for quoted (three
/// numbers, to keep a large report small).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Mark(pub u32, pub u32, pub u8);

impl Mark {
    fn new(start: u32, end: u32, kind: Kind) -> Mark {
        Mark(start, end, kind as u8)
    }
}

/// The marks of each side of `passage` (`a` in the first text's `tokens_a`, `b` in the second's), in
/// text order.
pub fn marks(tokens_a: &Tokens, tokens_b: &Tokens, passage: &Passage) -> (Vec<Mark>, Vec<Mark>) {
    let (a, b) = (within(&tokens_a.tokens, passage.a), within(&tokens_b.tokens, passage.b));
    (stretches(a, &shared(a, b)), stretches(b, &shared(b, a)))
}

/// Which of a passage's tokens are in a trigram the other passage has, and which are joined to the next
/// token by such a trigram: two shared trigrams side by side ("at least 15 people" and "in the
/// capital", where the other text has "were hurt" between) are two stretches, not one.
struct Shared {
    token: Vec<bool>,
    joined: Vec<bool>,
}

/// The tokens wholly inside the byte range.
fn within(tokens: &[Token], [start, end]: [u32; 2]) -> &[Token] {
    let first = tokens.partition_point(|t| t.start < start);
    let last = tokens.partition_point(|t| t.end <= end).max(first);
    &tokens[first..last]
}

/// For each of `mine`, whether it is in a trigram that `theirs` also has, and whether such a trigram joins
/// it to the next.
fn shared(mine: &[Token], theirs: &[Token]) -> Shared {
    let their_phrases: HashSet<u64> = phrases(theirs).map(|r| ngram_hash(&theirs[r])).collect();
    let mut out = Shared { token: vec![false; mine.len()], joined: vec![false; mine.len()] };
    for r in phrases(mine) {
        if their_phrases.contains(&ngram_hash(&mine[r.clone()])) {
            out.joined[r.start..r.end - 1].fill(true);
            out.token[r].fill(true);
        }
    }
    out
}

/// Runs of shared tokens of one kind, each joined to the next by a shared trigram, from the first one's
/// start to the last one's end.
fn stretches(tokens: &[Token], shared: &Shared) -> Vec<Mark> {
    let kind = |t: &Token| if t.is_quoted() { Kind::Quoted } else { Kind::Verbatim };
    let mut out: Vec<Mark> = Vec::new();
    let mut previous: Option<(usize, Kind)> = None;
    for (i, t) in tokens.iter().enumerate().filter(|&(i, _)| shared.token[i]) {
        match (previous, out.last_mut()) {
            (Some((p, k)), Some(last)) if p + 1 == i && shared.joined[p] && k == kind(t) => last.1 = t.end,
            _ => out.push(Mark::new(t.start, t.end, kind(t))),
        }
        previous = Some((i, kind(t)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marked words as (text, kind).
    type Marked = Vec<(String, u8)>;

    /// The marked words of each side of two whole texts aligned as one passage.
    fn marked(a: &str, b: &str) -> (Marked, Marked) {
        let passage = Passage { a: [0, a.len() as u32], b: [0, b.len() as u32] };
        let (ma, mb) = marks(&Tokens::new(a), &Tokens::new(b), &passage);
        let show = |t: &str, m: Vec<Mark>| m.iter().map(|m| (t[m.0 as usize..m.1 as usize].to_string(), m.2)).collect();
        (show(a, ma), show(b, mb))
    }

    #[test]
    fn shared_trigrams_are_verbatim_and_the_rest_is_reworded() {
        let (a, b) = marked(
            "Drones hit Kyiv overnight, damaging apartment buildings in the capital.",
            "Overnight, drones hit Kyiv again and damaged apartment buildings in the capital.",
        );
        assert_eq!(a, [("Drones hit Kyiv".into(), 0), ("apartment buildings in the capital".into(), 0)]);
        assert_eq!(b, [("drones hit Kyiv".into(), 0), ("apartment buildings in the capital".into(), 0)]);
        // Two words in common are not a phrase.
        assert_eq!(marked("Kyiv was hit.", "Kyiv was struck.").0, []);
        // Two shared phrases side by side, which the other has apart, are two stretches.
        let (a, b) = marked(
            "It injured at least 15 people in the capital overnight.",
            "It injured at least 15 people who were hurt in the capital overnight.",
        );
        assert_eq!(a, [("It injured at least 15 people".into(), 0), ("in the capital overnight".into(), 0)]);
        assert_eq!(b, [("It injured at least 15 people".into(), 0), ("in the capital overnight".into(), 0)]);
    }

    #[test]
    fn shared_words_inside_quotation_marks_are_quoted() {
        let (a, b) = marked(
            "Zelenskyy said it was \"a difficult night for all of us\" after the attack.",
            "The attack came after what Zelenskyy called \"a difficult night for all of us\".",
        );
        assert_eq!(a, [("a difficult night for all of us".into(), 1)]);
        assert_eq!(b, [("a difficult night for all of us".into(), 1)]);
    }

    #[test]
    fn only_the_passage_is_marked() {
        let a = "Drones hit Kyiv overnight. Markets were calm.";
        let b = "Markets were calm. Drones hit Kyiv overnight.";
        // The first sentence of a with the second of b.
        let passage = Passage { a: [0, 26], b: [19, b.len() as u32] };
        let (ma, mb) = marks(&Tokens::new(a), &Tokens::new(b), &passage);
        assert_eq!((ma, mb), (vec![Mark(0, 25, 0)], vec![Mark(19, 44, 0)]));
    }
}
