//! Collection statistics, counted while reading: how many documents hold each stem and each phrase (word
//! trigram, and word pair). Signing leaves collection-common stems out of the rewording views; verification
//! ([`crate::align`]) weighs words by rarity; direction ([`crate::score`]) tells stock phrasing from a
//! text's own.

use crate::leb128;
use crate::shingle::Token;

/// How many documents of the collection hold each stem and each word trigram, kept in fixed-size tables
/// of counters indexed by hash (count sketches: a collision only ever overestimates a count).
#[derive(Clone, Debug)]
pub struct Frequencies {
    stems: Vec<u32>,
    phrases: Vec<u16>,
    documents: u64,
}

impl Frequencies {
    const STEM_BITS: u32 = 22;
    const PHRASE_BITS: u32 = 24;

    /// Empty tables.
    pub fn new() -> Frequencies {
        Frequencies { stems: vec![0; 1 << Self::STEM_BITS], phrases: vec![0; 1 << Self::PHRASE_BITS], documents: 0 }
    }

    fn slot(hash: u64, bits: u32) -> usize {
        (hash >> (64 - bits)) as usize
    }

    /// Counts `documents` documents at once from their stems and word trigrams (each document's distinct
    /// ones). The counters are first grouped by the window of the table they fall in, so the tables
    /// (tens of megabytes) are updated one cache-sized window at a time, not probed at random.
    pub fn add_documents<'a>(
        &mut self,
        documents: u64,
        stems: impl Iterator<Item = &'a u64>,
        phrases: impl Iterator<Item = &'a u64>,
    ) {
        self.documents += documents;
        let stems: Vec<u32> = stems.map(|&h| Self::slot(h, Self::STEM_BITS) as u32).collect();
        count_by_window(&mut self.stems, &stems, Self::STEM_BITS, |c| *c += 1);
        let phrases: Vec<u32> = phrases.map(|&h| Self::slot(h, Self::PHRASE_BITS) as u32).collect();
        count_by_window(&mut self.phrases, &phrases, Self::PHRASE_BITS, |c| *c = c.saturating_add(1));
    }

    /// Adds the counts of `other` (documents counted in one and not the other), as if its documents had
    /// been counted here.
    pub fn add(&mut self, other: &Frequencies) {
        self.documents += other.documents;
        self.stems.iter_mut().zip(&other.stems).for_each(|(c, o)| *c += o);
        self.phrases.iter_mut().zip(&other.phrases).for_each(|(c, o)| *c = c.saturating_add(*o));
    }

    /// The counters that are not zero, as (slot, count), in slot order, and the number of documents
    /// counted: what an index segment keeps (a segment of a few articles sets a few thousand of the tables'
    /// twenty million counters).
    pub(crate) fn counts(&self) -> Counts {
        fn nonzero<C: Copy + Default + PartialEq>(table: &[C]) -> Vec<(u32, C)> {
            (table.iter().enumerate()).filter(|(_, c)| **c != C::default()).map(|(s, &c)| (s as u32, c)).collect()
        }
        Counts { stems: nonzero(&self.stems), phrases: nonzero(&self.phrases), documents: self.documents }
    }

    /// Adds `counts` (of documents not counted here), as [`Frequencies::add`] does; `false`, adding
    /// nothing, when a slot is not in the tables.
    pub(crate) fn add_counts(&mut self, counts: &Counts) -> bool {
        let fits = |slot: u32, bits: u32| (slot as usize) < 1 << bits;
        if !counts.stems.iter().all(|&(s, _)| fits(s, Self::STEM_BITS))
            || !counts.phrases.iter().all(|&(s, _)| fits(s, Self::PHRASE_BITS))
        {
            return false;
        }
        self.documents += counts.documents;
        counts.stems.iter().for_each(|&(s, c)| self.stems[s as usize] += c);
        counts.phrases.iter().for_each(|&(s, c)| self.phrases[s as usize] = self.phrases[s as usize].saturating_add(c));
        true
    }

    /// The sizes of the tables in bits, which an index records.
    pub(crate) const fn bits() -> (u32, u32) {
        (Self::STEM_BITS, Self::PHRASE_BITS)
    }

    /// Weight of a stem: high for rare stems, about 1 for stems in every document. The ten pseudo-
    /// documents keep the weights sensible in a small collection, where every word is "common".
    pub fn weight(&self, stem: u64) -> f32 {
        self.weight_of(self.df(stem))
    }

    /// Documents holding a stem, at least.
    pub(crate) fn df(&self, stem: u64) -> u32 {
        self.stems[Self::slot(stem, Self::STEM_BITS)]
    }

    pub(crate) fn weight_of(&self, df: u32) -> f32 {
        (1.0 + (self.documents as f64 + 10.0) / (df as f64 + 1.0)).ln() as f32
    }

    pub(crate) fn common(&self, df: u32) -> bool {
        df > 50 && df as u64 * 50 > self.documents
    }

    /// Whether a stem is in so many documents that sharing it is no evidence of copying: more than one in
    /// 50 documents of the collection (2%), and more than 50.
    pub fn is_common(&self, stem: u64) -> bool {
        self.common(self.df(stem))
    }

    /// Number of documents holding a word trigram or word pair (by [`phrase_hashes`]), at least.
    pub fn phrase_documents(&self, trigram: u64) -> u32 {
        self.phrases[Self::slot(trigram, Self::PHRASE_BITS)] as u32
    }
}

/// Applies `add` to the counter of each slot of `slots` in `table` (of `2^bits` counters), a window of
/// `2^(bits - 8)` counters at a time: the slots are first placed window by window (a counting sort on
/// their top eight bits).
fn count_by_window<C>(table: &mut [C], slots: &[u32], bits: u32, add: impl Fn(&mut C)) {
    const WINDOW_BITS: u32 = 8;
    let window = |slot: u32| (slot >> (bits - WINDOW_BITS)) as usize;
    let mut next = [0usize; 1 << WINDOW_BITS];
    for &slot in slots {
        next[window(slot)] += 1;
    }
    let mut start = 0;
    for n in next.iter_mut() {
        (*n, start) = (start, start + *n);
    }
    let mut placed = vec![0u32; slots.len()];
    for &slot in slots {
        let at = &mut next[window(slot)];
        placed[*at] = slot;
        *at += 1;
    }
    for &slot in &placed {
        add(&mut table[slot as usize]);
    }
}

/// The counters of [`Frequencies`] that are not zero ([`Frequencies::counts`]), as (slot, count) in slot
/// order, and the number of documents counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub stems: Vec<(u32, u32)>,
    pub phrases: Vec<(u32, u16)>,
    pub documents: u64,
}

impl Counts {
    /// Adds `other`'s counters (of documents not counted here), as [`Frequencies::add`] adds tables.
    pub(crate) fn add(&mut self, other: &Counts) {
        self.documents += other.documents;
        self.stems = merge(&self.stems, &other.stems, |a, b| a + b);
        self.phrases = merge(&self.phrases, &other.phrases, u16::saturating_add);
    }
}

/// Two lists of counters in slot order as one, the counts of a slot in both added by `add`.
fn merge<C: Copy>(a: &[(u32, C)], b: &[(u32, C)], add: impl Fn(C, C) -> C) -> Vec<(u32, C)> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let ((sa, ca), (sb, cb)) = (a[i], b[j]);
        out.push(match sa.cmp(&sb) {
            std::cmp::Ordering::Less => (i += 1, (sa, ca)).1,
            std::cmp::Ordering::Greater => (j += 1, (sb, cb)).1,
            std::cmp::Ordering::Equal => (i += 1, j += 1, (sa, add(ca, cb))).2,
        });
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Counters in slot order as LEB128 pairs: the gap from the slot after the one before, and the count.
pub(crate) fn encode_counters(counters: impl Iterator<Item = (u32, u32)>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut next = 0u64;
    for (slot, count) in counters {
        leb128::put((slot as u64 - next) as u32, &mut out);
        leb128::put(count, &mut out);
        next = slot as u64 + 1;
    }
    out
}

/// The counters [`encode_counters`] wrote; `None` when the bytes end inside one or a slot passes `u32`.
pub(crate) fn decode_counters(mut bytes: &[u8]) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    let mut next = 0u64;
    while !bytes.is_empty() {
        let (gap, used) = leb128::get(bytes)?;
        let (count, more) = leb128::get(&bytes[used..])?;
        bytes = &bytes[used + more..];
        let slot = u32::try_from(next + gap as u64).ok()?;
        out.push((slot, count));
        next = slot as u64 + 1;
    }
    Some(out)
}

impl Default for Frequencies {
    fn default() -> Frequencies {
        Frequencies::new()
    }
}

/// Words a phrase spans: shared phrasing is counted in word trigrams.
const PHRASE_WORDS: usize = 3;

/// The phrases (word trigrams) of a token sequence as token ranges, one starting at each token until the
/// text runs out. A Han or kana character counts as half a word (Chinese words are mostly two characters
/// long), so a Chinese phrase spans six characters: three characters are less than a word, which
/// unrelated texts share all the time.
pub(crate) fn phrases(tokens: &[Token]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let (mut end, mut held) = (0, 0);
    (0..tokens.len()).map_while(move |start| {
        while held < 2 * PHRASE_WORDS && end < tokens.len() {
            held += tokens[end].halves();
            end += 1;
        }
        let phrase = (held >= 2 * PHRASE_WORDS).then_some(start..end);
        held -= tokens[start].halves();
        phrase
    })
}

/// What a document adds to the phrase counts: its distinct word trigrams (`phrases`, hashed by `ngram_hash`) and word
/// pairs (two tokens in a row, `ngram_hash` of the two), in no particular order. A pair and a trigram
/// share a counter only by a collision of their 64-bit hashes. Made distinct by an open-addressing set
/// with twice as many places as the text has phrases, not by sorting: they are a document's most
/// numerous keys, and the counts do not need them in order.
pub fn phrase_hashes(tokens: &[Token]) -> Vec<u64> {
    let bits = (4 * tokens.len()).max(16).next_power_of_two().trailing_zeros();
    // Place 0 marks an empty place; the hash 0 is kept aside.
    let (mut table, mut zero) = (vec![0u64; 1 << bits], false);
    let mut out = Vec::with_capacity(2 * tokens.len());
    let mut insert = |hash: u64| {
        if hash == 0 {
            zero = true;
            return;
        }
        let mut at = (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize;
        loop {
            match table[at] {
                0 => {
                    table[at] = hash;
                    out.push(hash);
                    return;
                }
                held if held == hash => return,
                _ => at = (at + 1) & ((1 << bits) - 1),
            }
        }
    };
    if tokens.iter().all(|t| t.halves() == 2) {
        // Without Han or kana a phrase is three tokens: its hash continues that of the pair opening it.
        for (k, pair) in tokens.windows(2).enumerate() {
            let hash = pair_hash(pair[0].word, pair[1].word);
            insert(hash);
            if let Some(next) = tokens.get(k + 2) {
                insert(ngram_step(hash, next.word));
            }
        }
    } else {
        phrases(tokens).for_each(|r| insert(ngram_hash(&tokens[r])));
        tokens.windows(2).for_each(|pair| insert(ngram_hash(pair)));
    }
    if zero {
        out.push(0);
    }
    out
}

/// The hash of a token sequence's words, in order (FNV-style, one multiply a word).
pub(crate) fn ngram_hash(tokens: &[Token]) -> u64 {
    tokens.iter().fold(NGRAM_SEED, |h, t| ngram_step(h, t.word))
}

/// [`ngram_hash`] of two words given by their word hashes.
pub(crate) fn pair_hash(x: u64, y: u64) -> u64 {
    ngram_step(ngram_step(NGRAM_SEED, x), y)
}

const NGRAM_SEED: u64 = 0xcbf2_9ce4_8422_2325;

#[inline(always)]
fn ngram_step(h: u64, word: u64) -> u64 {
    (h ^ word).wrapping_mul(0x0100_0000_01b3).rotate_left(23)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::Tokens;

    #[test]
    fn a_document_counts_its_word_pairs_beside_its_trigrams() {
        let t = Tokens::new("the firm said the firm said");
        let words: Vec<u64> = t.tokens.iter().map(|t| t.word).collect();
        let mut hashes = phrase_hashes(&t.tokens);
        hashes.sort_unstable();
        // Trigrams: the firm said, firm said the, said the firm; pairs: the firm, firm said, said the.
        assert_eq!(hashes.len(), 6);
        assert!(hashes.windows(2).all(|w| w[0] < w[1]));
        assert!(phrases(&t.tokens).all(|r| hashes.binary_search(&ngram_hash(&t.tokens[r])).is_ok()));
        for p in words.windows(2) {
            assert!(hashes.binary_search(&pair_hash(p[0], p[1])).is_ok());
        }
        let mut f = Frequencies::new();
        f.add_documents(1, std::iter::empty(), hashes.iter());
        assert_eq!(f.phrase_documents(pair_hash(words[0], words[1])), 1);
    }

    #[test]
    fn phrases_span_three_words_or_six_characters() {
        let spans = |text: &str| {
            let t = Tokens::new(text);
            phrases(&t.tokens).map(|r| (r.start, r.end)).collect::<Vec<_>>()
        };
        // English: every word trigram, as `windows(3)`.
        assert_eq!(spans("the drones hit Kyiv overnight"), [(0, 3), (1, 4), (2, 5)]);
        assert_eq!(spans("two words"), []);
        // Chinese: six characters, three two-character words.
        assert_eq!(spans("台风海燕在福建登陆"), [(0, 6), (1, 7), (2, 8), (3, 9)]);
        // Mixed: a Latin word counts as two characters.
        assert_eq!(spans("台风Haiyan在福建"), [(0, 5), (1, 6)]);
    }

    #[test]
    fn counters_read_back_as_written() {
        let counters = [(0, 1), (1, 7), (5, 300), (1 << 22, 1), (u32::MAX, u32::MAX)];
        let bytes = encode_counters(counters.iter().copied());
        assert_eq!(decode_counters(&bytes).as_deref(), Some(&counters[..]));
        assert_eq!(decode_counters(&[]), Some(Vec::new()));
        // Cut inside a pair, or a slot past u32: damaged.
        assert_eq!(decode_counters(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode_counters(&encode_counters([(0, 1)].into_iter())[..1]), None);
        let mut past = encode_counters([(u32::MAX, 1)].into_iter());
        past.extend([0, 1]);
        assert_eq!(decode_counters(&past), None);
    }

    proptest::proptest! {
        /// The oracle: counting each hash's slot one by one, in the order given.
        #[test]
        fn frequencies_count_every_slot(
            stems in proptest::collection::vec(proptest::num::u64::ANY, 0..300),
            phrases in proptest::collection::vec(proptest::prop_oneof![proptest::num::u64::ANY, 0u64..4], 0..300),
        ) {
            let mut freq = Frequencies::new();
            // Two batches, as reading adds them.
            let half = |v: &[u64]| v.len() / 2;
            freq.add_documents(3, stems[..half(&stems)].iter(), phrases[..half(&phrases)].iter());
            freq.add_documents(4, stems[half(&stems)..].iter(), phrases[half(&phrases)..].iter());
            proptest::prop_assert_eq!(freq.documents, 7);
            for &h in &stems {
                let want = stems.iter().filter(|&&x| Frequencies::slot(x, Frequencies::STEM_BITS) == Frequencies::slot(h, Frequencies::STEM_BITS)).count() as u32;
                proptest::prop_assert_eq!(freq.df(h), want);
            }
            for &h in &phrases {
                let want = phrases.iter().filter(|&&x| Frequencies::slot(x, Frequencies::PHRASE_BITS) == Frequencies::slot(h, Frequencies::PHRASE_BITS)).count() as u32;
                proptest::prop_assert_eq!(freq.phrase_documents(h), want);
            }
        }

        /// The oracle: the tables of the two batches added ([`Frequencies::add`]), then their nonzero
        /// counters taken.
        #[test]
        fn counts_add_as_the_tables_do(
            a in proptest::collection::vec(proptest::num::u64::ANY, 0..200),
            b in proptest::collection::vec(proptest::prop_oneof![proptest::num::u64::ANY, 0u64..4], 0..200),
        ) {
            let (mut fa, mut fb) = (Frequencies::new(), Frequencies::new());
            fa.add_documents(2, a.iter(), b.iter());
            fb.add_documents(3, b.iter(), a.iter().chain(&b));
            let mut sum = fa.counts();
            sum.add(&fb.counts());
            fa.add(&fb);
            proptest::prop_assert_eq!(sum, fa.counts());
        }

        /// The oracle: every trigram's and word pair's hash, sorted and made distinct. Words from a small
        /// vocabulary so phrases repeat; half the texts with Han characters too (six-character phrases).
        #[test]
        fn phrase_hashes_are_the_distinct_trigrams_and_pairs(
            words in proptest::collection::vec(proptest::sample::select(vec!["the", "firm", "said", "it", "台", "风", "of"]), 0..400),
            han in proptest::bool::ANY,
        ) {
            let words: Vec<&str> = words.into_iter().filter(|w| han || w.is_ascii()).collect();
            let t = Tokens::new(&words.join(" "));
            let mut want: Vec<u64> = phrases(&t.tokens).map(|r| ngram_hash(&t.tokens[r])).collect();
            want.extend(t.tokens.windows(2).map(ngram_hash));
            want.sort_unstable();
            want.dedup();
            let mut got = phrase_hashes(&t.tokens);
            got.sort_unstable();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
