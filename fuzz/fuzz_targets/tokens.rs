//! Fuzzes the tokenizer: any text gives tokens in order, on character boundaries, each starting with a
//! letter or digit, sentences that start at tokens, and the fast word reader's hashes and word count; an
//! analysis of it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unspun::align::Analysis;
use unspun::frequencies::Frequencies;
use unspun::shingle::{Masks, Tokens, word_hashes};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let tokens = Tokens::new(&text);
    let mut at = 0;
    for t in &tokens.tokens {
        let (start, end) = (t.start as usize, t.end as usize);
        assert!(at <= start && start < end, "tokens out of order at {start}..{end}");
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        assert!(text[start..].chars().next().is_some_and(char::is_alphanumeric), "{:?}", &text[start..end]);
        at = end;
    }
    for i in 0..tokens.sentence_count() {
        let r = tokens.sentence(i);
        assert!(r.start < r.end && r.end <= tokens.tokens.len());
    }
    let mut words = Vec::new();
    let count = word_hashes(&text, &mut words, &mut Masks::default(), &mut String::new());
    assert_eq!(words, tokens.tokens.iter().map(|t| t.word).collect::<Vec<u64>>());
    assert_eq!(count, tokens.word_count());
    let _ = Analysis::new(tokens, &Frequencies::new());
});
