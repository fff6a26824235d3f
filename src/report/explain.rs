//! Quoting the evidence ([`Report::explain`]): each pair's first passages read again from both texts
//! (through [`crate::input::reload`]) and, for copies, where the two differ; and the whole texts of the
//! paired documents for the HTML page ([`Report::read_texts`]). The one part of the report that touches
//! the input again; `text` shows what it quotes, `html` the texts, and the parent module, `report`,
//! keeps the [`Explanation`]s and texts in the [`Report`].

use super::Report;
use crate::input::{self, InputOptions};
use crate::scan::Scan;
use crate::score::Relation;

/// Aligned passages of a pair quoted by [`Report::explain`].
pub const EXPLAINED_PASSAGES: usize = 3;
/// Longest quotation of a passage, in characters.
const QUOTE_CHARS: usize = 160;

/// What [`Report::explain`] quotes of a pair.
#[derive(Clone, Debug, Default)]
pub struct Explanation {
    /// Its first passages, quoted from both texts (`(a, b)`).
    pub passages: Vec<(Quote, Quote)>,
    /// For copies (`duplicate`, `near_duplicate`), how the texts differ.
    pub differs: Option<Difference>,
}

/// How the texts of two copies differ.
#[derive(Clone, Debug)]
pub enum Difference {
    /// Not at all: byte-identical.
    Identical,
    /// In white space only (spaces, line breaks, CRLF for LF): the same words in the same order.
    Spacing,
    /// In words: from the first to the last differing word, in `a` and in `b`.
    Words(Quote, Quote),
}

/// A byte range of a text and its quotation.
#[derive(Clone, Debug, Default)]
pub struct Quote {
    /// `[start, end)` in bytes.
    pub range: [u32; 2],
    /// The quotation: white space collapsed, cut with an ellipsis when long.
    pub text: String,
}

/// The text of a byte range, its white space collapsed, in quotation marks, cut to [`QUOTE_CHARS`]
/// characters with an ellipsis; a range that no longer fits the text (it changed since the scan) says so.
fn quote(text: &str, [start, end]: [u32; 2]) -> String {
    let Some(slice) = text.get(start as usize..end as usize) else {
        return "(the text changed since the scan)".into();
    };
    let words: Vec<&str> = slice.split_whitespace().collect();
    let flat = words.join(" ");
    match flat.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("“{}…”", flat[..cut].trim_end()),
        None => format!("“{flat}”"),
    }
}

/// Where two texts differ: the byte ranges, in each, from the first to the last differing word (the
/// common beginning and end left out, widened to whole words), or `None` when they are byte-identical.
fn differing(a: &str, b: &str) -> Option<([u32; 2], [u32; 2])> {
    let mut start = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    if start == a.len() && start == b.len() {
        return None;
    }
    let room = (a.len() - start).min(b.len() - start);
    let common_end = a.bytes().rev().zip(b.bytes().rev()).take(room).take_while(|(x, y)| x == y).count();
    // The common beginning is the same bytes in both, so one start serves both.
    while !a.is_char_boundary(start) {
        start -= 1;
    }
    start = a[..start].rfind(char::is_whitespace).map_or(0, |i| i + a[i..].chars().next().map_or(1, char::len_utf8));
    let end = |t: &str| {
        let mut end = t.len() - common_end;
        while !t.is_char_boundary(end) {
            end += 1;
        }
        t[end..].find(char::is_whitespace).map_or(t.len(), |i| end + i)
    };
    let range = |end: usize| [start as u32, end as u32];
    Some((range(end(a)), range(end(b))))
}

/// The text of document `d` read again, or why it could not be, as a message.
fn read_again(scan: &Scan, d: u32, options: &InputOptions) -> Result<String, String> {
    let doc = &scan.documents[d as usize];
    as_scanned(
        input::reload(&doc.path, &doc.origin, options).map_err(|e| format!("(text not read again: {e})"))?,
        doc.bytes,
    )
}

/// A text read again, when it has the `bytes` it had when scanned: the passages' byte ranges are into the
/// text as scanned, and a file changed since would show none of them right.
fn as_scanned(text: String, bytes: usize) -> Result<String, String> {
    if text.len() != bytes {
        return Err(format!(
            "(the text changed since the scan: {bytes} bytes were scanned, {} are there now)",
            text.len()
        ));
    }
    Ok(text)
}

impl Report {
    /// Reads again the text of every document in a reported pair, each once, and keeps them for
    /// [`Report::write_html`], which shows them side by side, in the order of the report's documents.
    /// Unlike [`Report::explain`] this holds the paired documents' texts all at once: the HTML page
    /// carries them all anyway.
    pub fn read_texts(&mut self, scan: &Scan, options: &InputOptions) {
        let mut paired = vec![false; scan.documents.len()];
        for p in &scan.pairs {
            paired[p.a as usize] = true;
            paired[p.b as usize] = true;
        }
        let texts = super::listed(scan).map(|d| paired[d].then(|| read_again(scan, d as u32, options)));
        self.texts = Some(texts.collect());
    }

    /// Quotes the first [`EXPLAINED_PASSAGES`] passages of each pair from both texts, read again (each
    /// document once, but a pair of copies reads its two together), and where two copies differ, for
    /// [`Report::write_text`]. A text that cannot be read again is quoted as the reason.
    pub fn explain(&mut self, scan: &Scan, options: &InputOptions) {
        let copies = |k: usize| matches!(scan.pairs[k].relation, Some(Relation::Duplicate | Relation::NearDuplicate));
        let read = |d: u32| read_again(scan, d, options);
        let quoted = |text: &Result<String, String>, range| match text {
            Ok(text) => Quote { range, text: quote(text, range) },
            Err(e) => Quote { range, text: e.clone() },
        };
        let mut explained: Vec<Explanation> = scan
            .pairs
            .iter()
            .map(|p| Explanation {
                passages: vec![Default::default(); p.alignment.passages.len().min(EXPLAINED_PASSAGES)],
                differs: None,
            })
            .collect();
        // Copies need both texts at once: each pair reads its two, for its passages and where they differ.
        for (k, e) in explained.iter_mut().enumerate().filter(|(k, _)| copies(*k)) {
            let p = &scan.pairs[k];
            let (a, b) = (read(p.a), read(p.b));
            for (slot, passage) in e.passages.iter_mut().zip(&p.alignment.passages) {
                *slot = (quoted(&a, passage.a), quoted(&b, passage.b));
            }
            if let (Ok(ta), Ok(tb)) = (&a, &b) {
                e.differs = Some(match differing(ta, tb) {
                    None => Difference::Identical,
                    Some(_) if ta.split_whitespace().eq(tb.split_whitespace()) => Difference::Spacing,
                    Some((ra, rb)) => Difference::Words(quoted(&a, ra), quoted(&b, rb)),
                });
            }
        }
        // The other pairs' passages, grouped by document so that each text is read once: (document, pair,
        // passage, side, range).
        let mut wanted: Vec<(u32, usize, usize, bool, [u32; 2])> = Vec::new();
        for (k, p) in scan.pairs.iter().enumerate().filter(|(k, _)| !copies(*k)) {
            for (n, passage) in p.alignment.passages.iter().take(EXPLAINED_PASSAGES).enumerate() {
                wanted.push((p.a, k, n, false, passage.a));
                wanted.push((p.b, k, n, true, passage.b));
            }
        }
        wanted.sort_unstable_by_key(|w| w.0);
        for group in wanted.chunk_by(|x, y| x.0 == y.0) {
            let text = read(group[0].0);
            for &(_, k, n, side, range) in group {
                let slot = &mut explained[k].passages[n];
                *(if side { &mut slot.1 } else { &mut slot.0 }) = quoted(&text, range);
            }
        }
        self.explained = Some(explained);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_changed_since_the_scan_is_not_shown() {
        assert_eq!(as_scanned("Kyiv".into(), 4), Ok("Kyiv".into()));
        let e = as_scanned("CORRECTION: Kyiv".into(), 4).unwrap_err();
        assert_eq!(e, "(the text changed since the scan: 4 bytes were scanned, 16 are there now)");
    }

    #[test]
    fn quotes_collapse_white_space_and_cut_long_passages_between_characters() {
        let text = "Kyiv  was\n\thit overnight.";
        assert_eq!(quote(text, [0, text.len() as u32]), "“Kyiv was hit overnight.”");
        assert_eq!(quote(text, [6, 9]), "“was”");
        // Cut after QUOTE_CHARS characters, not bytes: 'é' takes two bytes.
        let long = "é".repeat(QUOTE_CHARS + 10);
        let quoted = quote(&long, [0, long.len() as u32]);
        assert_eq!(quoted, format!("“{}…”", "é".repeat(QUOTE_CHARS)));
        // A range the text no longer has, or one that splits a character: the text changed.
        assert_eq!(quote(text, [0, 999]), "(the text changed since the scan)");
        assert_eq!(quote(&long, [1, 4]), "(the text changed since the scan)");
    }

    #[test]
    fn copies_differ_from_the_first_to_the_last_differing_word() {
        let at = |t: &str, r: [u32; 2]| t[r[0] as usize..r[1] as usize].to_string();
        let (a, b) = ("Kyiv was hit by drones overnight.", "Kyiv was hit by missiles overnight.");
        let (ra, rb) = differing(a, b).unwrap();
        assert_eq!((at(a, ra), at(b, rb)), ("drones".into(), "missiles".into()));
        // Several edits: one span from the first to the last; a word cut by a multi-byte character.
        let (a, b) = ("un café, deux cafés, trois", "un cafè, deux cafès, trois");
        let (ra, rb) = differing(a, b).unwrap();
        assert_eq!((at(a, ra), at(b, rb)), ("café, deux cafés,".into(), "cafè, deux cafès,".into()));
        // One text ends where the other goes on; identical texts do not differ.
        let (ra, rb) = differing("a b c", "a b c d e").unwrap();
        assert_eq!((at("a b c", ra), at("a b c d e", rb)), ("c".into(), "c d e".into()));
        assert_eq!(differing("same", "same"), None);
    }

    proptest::proptest! {
        /// Against the definition: putting b's differing span in place of a's turns a into b, and the
        /// spans start and end at whole words (after white space or at the text's start; before white
        /// space or at its end).
        #[test]
        fn the_differing_spans_turn_one_text_into_the_other(
            a in "[ab é\n]{0,24}",
            edits in proptest::collection::vec((0usize..24, 0usize..3, "[ab é]{0,3}"), 0..3),
        ) {
            // b is a with a few characters replaced, deleted or inserted here and there.
            let mut b = a.clone();
            for (at, delete, insert) in edits {
                let chars: Vec<char> = b.chars().collect();
                let at = at.min(chars.len());
                let end = (at + delete).min(chars.len());
                b = chars[..at].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(&chars[end..]).collect();
            }
            match differing(&a, &b) {
                None => proptest::prop_assert_eq!(&a, &b),
                Some((ra, rb)) => {
                    let (s, ea, eb) = (ra[0] as usize, ra[1] as usize, rb[1] as usize);
                    proptest::prop_assert_eq!(rb[0] as usize, s);
                    proptest::prop_assert_eq!(format!("{}{}{}", &a[..s], &b[s..eb], &a[ea..]), b.clone());
                    let word_start = |t: &str| s == 0 || t[..s].ends_with(char::is_whitespace);
                    let word_end = |t: &str, e: usize| e == t.len() || t[e..].starts_with(char::is_whitespace);
                    proptest::prop_assert!(word_start(&a) && word_start(&b));
                    proptest::prop_assert!(word_end(&a, ea) && word_end(&b, eb));
                }
            }
        }
    }
}
