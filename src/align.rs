//! Sentence alignment of a candidate pair: which sentences of one text restate which of the other, as
//! byte ranges into both original texts.
//!
//! Sentences are compared by their stemmed content words ([`crate::shingle`]), each weighted by its rarity
//! in the collection ([`Frequencies`]), so a paraphrase that keeps the names, numbers and key nouns of a sentence
//! aligns with it while function words and common vocabulary count for little. Words inside quotation
//! marks on both sides count for a quarter: every report of an event repeats its quotations; words used
//! by a large share of the collection (templates) make no match. Sentences align along the best monotone
//! path, so order is built in. The [`Alignment`] gives how much of each text the other covers, the
//! strength of the evidence, how much *narrative* phrasing (word trigrams outside quotations that are not just names and
//! numbers) the two share, and the [`Passage`]s; [`crate::score`] turns these figures into a verdict.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use serde::Serialize;

use crate::frequencies::{Frequencies, ngram_hash, phrases};
use crate::hash::U64Hasher;
use crate::ragged::Ragged;
use crate::shingle::{CAPITALISED, NUMBER, STOP, Token, Tokens};

/// Weight of a shared word that is quoted on both sides, relative to narrative.
const QUOTED_WEIGHT: f32 = 0.25;

/// One content word of a sentence.
#[derive(Clone, Copy, Debug)]
struct Term {
    stem: u64,
    weight: f32,
    quoted: bool,
    /// Used by so many documents of the collection that sharing it says nothing (template words such
    /// as "shr", "cts", "qtly" in wire earnings reports).
    common: bool,
}

/// A set of n-gram hashes.
pub type GramSet = HashSet<u64, BuildHasherDefault<U64Hasher>>;

/// A document prepared for alignment: its tokens and, per sentence, its distinct weighted stems.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The tokens, with byte offsets into the original text.
    pub tokens: Tokens,
    sentences: Ragged<Term>,
    /// Total weight of each sentence.
    sentence_weight: Vec<f32>,
    /// Word trigrams outside quotations that carry phrasing (not only names, numbers and stop words),
    /// sorted and distinct.
    phrasing: Vec<u64>,
    /// All word trigrams.
    trigrams: GramSet,
    /// Distinct word 5-grams, sorted.
    five_grams: Vec<u64>,
    /// The sentences holding each distinctive (not collection-common) stem.
    index: StemIndex,
    /// Per sentence, its trigrams that are in `phrasing`, sorted.
    sentence_phrasing: Ragged<u64>,
    /// The names and numbers the collection holds in so many documents that they say nothing specific
    /// (a site's name in its boilerplate, the current year): each occurrence of such a word, in any case,
    /// as its 32-bit fingerprint and sentence, sorted.
    common_specifics: Vec<(u32, u32)>,
    /// The stems of the names and numbers (as [`crate::shingle::Token::is_specific`] tells them), as
    /// their hashes' high halves (a text's few dozen names are told apart by 32 bits), distinct and sorted,
    /// each with its weight in the collection: what a rewrite keeps of its source.
    name_weights: Vec<(u32, f32)>,
    /// The distinct words, names and numbers, as 32-bit fingerprints: made when direction first asks.
    vocabulary: std::sync::OnceLock<Vocabulary>,
}

impl Analysis {
    /// Prepares a tokenised document.
    pub fn new(tokens: Tokens, freq: &Frequencies) -> Analysis {
        Analysis::among(tokens, freq, 0, &|_| 0)
    }

    /// Prepares a tokenised document that `related` documents of the collection are related to (its
    /// candidate partners and near-copies), taken to hold every word it does: a stem is collection-common
    /// (template wording, no evidence of copying, [`Frequencies::is_common`]) only when it is common among
    /// the others. Without this, a story copied into more than 2% of a collection (a wire story on every
    /// site of a day's crawl, a batch of one story's republications) makes its own words common, and its
    /// copies could not be aligned at all. `held(stem)` is how many texts of the collection's counts
    /// besides one are near-copies of a text related to it that hold the stem: each such group counts once
    /// in the stem's documents (its weight, and whether it is common), as exact copies do.
    pub fn among(tokens: Tokens, freq: &Frequencies, related: u32, held: &dyn Fn(u64) -> u32) -> Analysis {
        let df = |stem: u64| match (freq.df(stem), held(stem)) {
            (df, 0) => df,
            (df, copies) => df.saturating_sub(copies).max(1),
        };
        let mut sentences = Ragged::default();
        let mut sentence_weight = Vec::with_capacity(tokens.sentence_count());
        // The stems the collection holds widely, as the sentences' terms find them.
        let mut common_stems: Vec<u64> = Vec::new();
        let mut terms: Vec<Term> = Vec::new();
        for i in 0..tokens.sentence_count() {
            terms.clear();
            terms.extend(tokens.tokens[tokens.sentence(i)].iter().filter(|t| t.is_content()).map(|t| {
                let df = df(t.stem);
                // Its relatives hold at least half of the documents that have it, and it is not common
                // among the rest: a story's own word; a template's words recur well beyond any one report's
                // relatives (a pricing report shares its template with hundreds).
                let common = freq.common(df) && (related * 2 < df || freq.common(df - related));
                Term { stem: t.stem, weight: freq.weight_of(df), quoted: t.is_quoted(), common }
            }));
            terms.sort_by(|a, b| a.stem.cmp(&b.stem).then(a.quoted.cmp(&b.quoted)));
            // Keep one term per stem, unquoted if it occurs unquoted anywhere in the sentence.
            terms.dedup_by(|next, kept| next.stem == kept.stem);
            common_stems.extend(terms.iter().filter(|t| t.common).map(|t| t.stem));
            sentence_weight.push(terms.iter().map(|t| t.weight).sum());
            sentences.push(terms.iter().copied());
        }
        // An analysis is kept while its document's pairs are verified: no room beyond what is used.
        sentences.shrink_to_fit();
        let words = &tokens.tokens;
        // Trigram `k` starts at word `k` and ends before `ends[k]`; hashed once for the sets and the sentences.
        let ends: Vec<usize> = phrases(words).map(|r| r.end).collect();
        let tri: Vec<u64> = ends.iter().enumerate().map(|(k, &end)| ngram_hash(&words[k..end])).collect();
        let mut trigrams = GramSet::with_capacity_and_hasher(tri.len(), Default::default());
        trigrams.extend(tri.iter().copied());
        let phrasing_at = |k: usize| {
            let w = &words[k..ends[k]];
            let narrative = w.iter().all(|t| !t.is_quoted());
            let worded = w.iter().any(|t| t.flags & (STOP | CAPITALISED | NUMBER) == 0);
            narrative && worded
        };
        let sorted = |mut v: Vec<u64>| {
            v.sort_unstable();
            v.dedup();
            v.shrink_to_fit();
            v
        };
        let phrasing = sorted((0..tri.len()).filter(|&k| phrasing_at(k)).map(|k| tri[k]).collect());
        let five_grams = sorted(words.windows(5).map(ngram_hash).collect());
        let (mut sentence_phrasing, mut row) = (Ragged::default(), Vec::new());
        for i in 0..tokens.sentence_count() {
            // The trigrams that start and end inside the sentence.
            let r = tokens.sentence(i);
            let inside = (r.start..r.end.min(tri.len())).take_while(|&k| ends[k] <= r.end);
            row.clear();
            row.extend(inside.map(|k| tri[k]).filter(|h| phrasing.binary_search(h).is_ok()));
            row.sort_unstable();
            row.dedup();
            sentence_phrasing.push(row.iter().copied());
        }
        sentence_phrasing.shrink_to_fit();
        let index = StemIndex::new(&sentences);
        common_stems.sort_unstable();
        let is_common = |stem: &u64| common_stems.binary_search(stem).is_ok();
        let mut common: Vec<u32> =
            words.iter().filter(|t| t.is_specific() && is_common(&t.stem)).map(fingerprint).collect();
        common.sort_unstable();
        common.dedup();
        // Every occurrence, in any case or place, of a word that stands as a collection-common name or
        // number somewhere in the text.
        let sentence_of = |k: usize| tokens.sentence_starts.partition_point(|&s| s as usize <= k).saturating_sub(1);
        let mut common_specifics: Vec<(u32, u32)> = Vec::new();
        if !common.is_empty() {
            common_specifics = (words.iter().enumerate())
                .filter(|(_, t)| common.binary_search(&fingerprint(t)).is_ok())
                .map(|(k, t)| (fingerprint(t), sentence_of(k) as u32))
                .collect();
            common_specifics.sort_unstable();
            common_specifics.dedup();
        }
        let mut name_weights: Vec<(u32, f32)> = words
            .iter()
            .filter(|t| t.is_specific())
            .map(|t| ((t.stem >> 32) as u32, freq.weight_of(df(t.stem))))
            .collect();
        name_weights.sort_unstable_by_key(|s| s.0);
        name_weights.dedup_by_key(|s| s.0);
        name_weights.shrink_to_fit();
        Analysis {
            tokens,
            sentences,
            sentence_weight,
            phrasing,
            trigrams,
            five_grams,
            index,
            sentence_phrasing,
            common_specifics,
            name_weights,
            vocabulary: Default::default(),
        }
    }

    /// The text's distinct words, names and numbers, and whether it shows names at all; made once, when
    /// first asked for.
    pub fn vocabulary(&self) -> &Vocabulary {
        self.vocabulary.get_or_init(|| {
            let sorted = |mut v: Vec<u32>| {
                v.sort_unstable();
                v.dedup();
                v.shrink_to_fit();
                v
            };
            let t = &self.tokens;
            let (mut names, mut numbers) = (Vec::new(), Vec::new());
            // Content words inside sentences (an opening word is capitalised whatever it is): a text
            // written in one case shows none or all of them capitalised, and so no names.
            let (mut inside, mut capitalised) = (0usize, 0usize);
            let mut starts = t.sentence_starts.iter().peekable();
            for (i, token) in t.tokens.iter().enumerate() {
                let opens = starts.next_if_eq(&&(i as u32)).is_some();
                if token.flags & NUMBER != 0 {
                    numbers.push(fingerprint(token));
                } else if !opens {
                    let capital = token.is_name();
                    if capital {
                        names.push(fingerprint(token));
                    }
                    if token.is_content() {
                        inside += 1;
                        capitalised += usize::from(capital);
                    }
                }
            }
            Vocabulary {
                words: sorted(t.tokens.iter().map(fingerprint).collect()),
                names: sorted(names),
                numbers: sorted(numbers),
                cased: t.punctuated && capitalised > 0 && capitalised < inside,
            }
        })
    }

    /// Whether a name or number (a [`Vocabulary`] fingerprint) is one the collection holds in so many
    /// documents that it says nothing specific (collection-common: a site's name in its credit line, the
    /// year).
    pub fn is_common_specific(&self, name: u32) -> bool {
        let i = self.common_specifics.partition_point(|&(f, _)| f < name);
        self.common_specifics.get(i).is_some_and(|&(f, _)| f == name)
    }

    /// The collection-common names and numbers of sentences `sentences`, sorted.
    pub fn common_specifics_in(&self, sentences: impl Iterator<Item = usize>) -> Vec<u32> {
        if self.common_specifics.is_empty() {
            return Vec::new();
        }
        let mut sentences: Vec<u32> = sentences.map(|i| i as u32).collect();
        sentences.sort_unstable();
        let mut found: Vec<u32> =
            self.common_specifics.iter().filter(|(_, s)| sentences.binary_search(s).is_ok()).map(|&(f, _)| f).collect();
        found.dedup();
        found
    }

    /// Number of words.
    pub fn words(&self) -> usize {
        self.tokens.tokens.len()
    }

    /// Total content weight of the text.
    fn weight(&self) -> f32 {
        self.sentence_weight.iter().sum()
    }

    /// The byte range of each sentence, from its first word to its last.
    pub fn sentence_bytes(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        (0..self.tokens.sentence_count()).map(|k| {
            let [start, end] = self.span(k, k);
            start as usize..end as usize
        })
    }

    /// Byte range of sentences `first..=last`.
    fn span(&self, first: usize, last: usize) -> [u32; 2] {
        let t = &self.tokens;
        let start = t.tokens[t.sentence(first).start].start;
        let end = t.tokens[t.sentence(last).end - 1].end;
        [start, end]
    }

    /// The distinct word trigrams of the given sentences that are in `among` (sorted).
    pub fn sentence_trigrams_among(&self, sentences: impl Iterator<Item = usize>, among: &[u64]) -> Vec<u64> {
        let mut out = Vec::new();
        for i in sentences {
            let words = &self.tokens.tokens[self.tokens.sentence(i)];
            out.extend(phrases(words).map(|r| ngram_hash(&words[r])).filter(|g| among.binary_search(g).is_ok()));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The names and numbers among the tokens in `range` (numbers, and capitalised words that do not
    /// open a sentence), as word hashes.
    pub fn specifics(&self, range: std::ops::Range<usize>) -> GramSet {
        let t = &self.tokens;
        range
            .filter(|&i| {
                let token = &t.tokens[i];
                token.flags & NUMBER != 0 || (token.is_name() && t.sentence_starts.binary_search(&(i as u32)).is_err())
            })
            .map(|i| t.tokens[i].word)
            .collect()
    }

    /// Word trigrams of this text, for attestation checks by [`crate::score`].
    pub fn trigrams(&self) -> &GramSet {
        &self.trigrams
    }
}

/// A text's distinct words, names and numbers ([`Analysis::vocabulary`]), each as the high 32 bits of its
/// word hash (half the memory of the hashes; two words share a fingerprint about once in four billion),
/// sorted.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    /// Every word.
    pub words: Vec<u32>,
    /// Capitalised words that do not open a sentence (see [`Analysis::specifics`]), numbers left out.
    pub names: Vec<u32>,
    /// Numbers.
    pub numbers: Vec<u32>,
    /// Whether the text shows names: it has sentence punctuation (without, a capitalised word may as well
    /// open a sentence) and some of its words inside sentences are capitalised and some not. A text
    /// written in lower case (or in capitals, or in a script without case) shows none.
    pub cased: bool,
}

/// A word's 32-bit fingerprint, as [`Vocabulary`] keeps it.
fn fingerprint(t: &Token) -> u32 {
    (t.word >> 32) as u32
}

/// Aligned text: byte ranges `[start, end)` into both original texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Passage {
    /// Range in the first text.
    pub a: [u32; 2],
    /// Range in the second text.
    pub b: [u32; 2],
}

/// How two texts align.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Alignment {
    /// Share of the first text's content weight restated in the second.
    pub coverage_a: f64,
    /// Share of the second text's content weight restated in the first.
    pub coverage_b: f64,
    /// Aligned sentence pairs.
    pub aligned: usize,
    /// Mean similarity of the aligned sentence pairs.
    pub similarity: f64,
    /// Evidence of restatement: the sum over aligned sentence pairs of their similarity above what two
    /// independent reports of one event reach by chance.
    pub strength: f64,
    /// Similarity of the two first sentences when they align (0 otherwise): LLM articles grown from a
    /// source's lead restate it first.
    pub lead_similarity: f64,
    /// Share of the shorter text's narrative phrasing trigrams found in the other.
    pub phrasing: f64,
    /// Aligned sentence pairs that share narrative phrasing (a trigram outside quotations).
    pub copied_sentences: usize,
    /// The part of `strength` that comes from sentence pairs sharing narrative phrasing.
    pub copied_strength: f64,
    /// Word 5-gram Jaccard similarity.
    pub jaccard5: f64,
    /// Share of one text's names and numbers, each weighed by its rarity in the collection, that the
    /// other text has too, in any case (the larger of the two texts' shares): a rewrite keeps its source's
    /// specific content, a text written apart on one topic has its own.
    pub specifics: f64,
    /// The weight of the names and numbers the two share (a rare one weighs about 8, one in half the
    /// collection's documents 1).
    pub specifics_weight: f64,
    /// Aligned passages, in the order of the first text.
    #[serde(skip)]
    pub passages: Vec<Passage>,
    /// The aligned sentence pairs `(sentence of a, sentence of b)`, ascending.
    #[serde(skip)]
    pub sentences: Vec<(usize, usize)>,
}

/// Minimum similarity for two sentences to align.
const SENTENCE_THRESHOLD: f32 = 0.35;

/// Similarity of two sentences: shared weight over the geometric mean of their weights, with words
/// quoted on both sides discounted.
fn similarity(s: &[Term], ws: f32, t: &[Term], wt: f32) -> f32 {
    let (mut i, mut j) = (0, 0);
    let mut shared = 0.0f32;
    let mut distinctive = 0;
    while i < s.len() && j < t.len() {
        let (u, v) = (s[i].stem, t[j].stem);
        if u == v {
            let w = s[i].weight;
            shared += if s[i].quoted && t[j].quoted { w * QUOTED_WEIGHT } else { w };
            distinctive += usize::from(!s[i].common);
        }
        i += usize::from(u <= v);
        j += usize::from(v <= u);
    }
    // One shared word is a coincidence, and template words shared by half the collection say nothing:
    // a restatement shares at least two distinctive words.
    if distinctive < 2 || ws <= 0.0 || wt <= 0.0 {
        return 0.0;
    }
    shared / (ws * wt).sqrt()
}

/// The sentences of a text that contain each distinctive stem: `(stem, sentence)` entries sorted, built
/// once per document. Collection-common stems are left out: two sentences are similar only when they
/// share at least two distinctive stems (see [`similarity`]), so those alone find every match.
#[derive(Clone, Debug)]
struct StemIndex(Vec<(u64, u32)>);

impl StemIndex {
    fn new(sentences: &Ragged<Term>) -> StemIndex {
        let mut entries: Vec<(u64, u32)> = sentences
            .rows()
            .enumerate()
            .flat_map(|(j, terms)| terms.iter().filter(|t| !t.common).map(move |t| (t.stem, j as u32)))
            .collect();
        entries.sort_unstable();
        StemIndex(entries)
    }

    /// Whether a stem whose hash's high half is `key` is in the index.
    fn holds(&self, key: u32) -> bool {
        let high = |e: &(u64, u32)| (e.0 >> 32) as u32;
        let i = self.0.partition_point(|e| high(e) < key);
        self.0.get(i).is_some_and(|e| high(e) == key)
    }

    /// The sentences containing `stem`, ascending.
    fn sentences_with(&self, stem: u64) -> impl ExactSizeIterator<Item = u32> + '_ {
        let from = self.0.partition_point(|e| e.0 < stem);
        let to = from + self.0[from..].partition_point(|e| e.0 == stem);
        self.0[from..to].iter().map(|e| e.1)
    }
}

/// For each sentence of `x`, its best match in `y` above the threshold: (index in y, similarity).
fn best_matches(x: &Analysis, y: &Analysis) -> Vec<Option<(usize, f32)>> {
    let index = &y.index;
    let mut seen = vec![false; y.sentences.len()];
    let mut touched = Vec::new();
    x.sentences
        .rows()
        .enumerate()
        .map(|(i, terms)| {
            touched.clear();
            for t in terms {
                let postings = index.sentences_with(t.stem);
                // In a very long text a word found in hundreds of sentences finds no particular match
                // and would make this quadratic: only the rarer words of a sentence propose matches.
                if postings.len() > MAX_POSTINGS {
                    continue;
                }
                for j in postings {
                    if !seen[j as usize] {
                        seen[j as usize] = true;
                        touched.push(j as usize);
                    }
                }
            }
            let mut best: Option<(usize, f32)> = None;
            for &j in &touched {
                seen[j] = false;
                let sim = similarity(terms, x.sentence_weight[i], &y.sentences[j], y.sentence_weight[j]);
                if sim >= SENTENCE_THRESHOLD && best.is_none_or(|b| sim > b.1 || (sim == b.1 && j < b.0)) {
                    best = Some((j, sim));
                }
            }
            best
        })
        .collect()
}

/// Sentence similarity that independent reports of one event reach by chance (names, numbers and the
/// event's vocabulary): only similarity above it is evidence of restatement.
const CHANCE_SIMILARITY: f32 = 0.3;
/// Sentence similarity below which two sentences never align.
const PATH_FLOOR: f32 = 0.2;
/// Largest sentence grid aligned by dynamic programming; larger pairs align by best matches only.
const MAX_GRID: usize = 1 << 20;
/// Sentences of the other text a word may propose as matches when aligning by best matches.
const MAX_POSTINGS: usize = 64;

/// The sentence pairs `(i of a, j of b, similarity)` at least `PATH_FLOOR` similar, ascending.
fn similar_sentences(a: &Analysis, b: &Analysis, cells: &mut Vec<(u32, u32, f32)>) {
    cells.clear();
    // Distinctive stems each sentence of `a` shares with each sentence of `b`: only pairs sharing two
    // or more can be similar, so only those are compared.
    let mut shared = vec![0u8; b.sentences.len()];
    let mut list = Vec::new();
    for (i, terms) in a.sentences.rows().enumerate() {
        list.clear();
        for t in terms.iter().filter(|t| !t.common) {
            for j in b.index.sentences_with(t.stem) {
                let count = &mut shared[j as usize];
                if *count == 0 {
                    list.push(j as usize);
                }
                *count = count.saturating_add(1);
            }
        }
        list.sort_unstable();
        for &j in &list {
            if std::mem::take(&mut shared[j]) >= 2 {
                let sim = similarity(terms, a.sentence_weight[i], &b.sentences[j], b.sentence_weight[j]);
                if sim >= PATH_FLOOR {
                    cells.push((i as u32, j as u32, sim));
                }
            }
        }
    }
}

/// The monotone sentence alignment of greatest total gain `similarity - PATH_FLOOR`: sentences keep
/// their order, and a sentence may align with several consecutive sentences of the other text (a
/// rewrite splits and merges sentences). Returns the aligned pairs, ascending.
fn monotone_path(grid: &[f32], n: usize, m: usize, best: &mut Vec<f32>, step: &mut Vec<u8>) -> Vec<(usize, usize)> {
    let w = m + 1;
    best.clear();
    best.resize((n + 1) * w, 0.0);
    // 0: skip a sentence of a, 1: skip one of b, 2: match after both, 3: match reusing b, 4: reusing a.
    step.clear();
    step.resize((n + 1) * w, 0);
    for i in 1..=n {
        for j in 1..=m {
            let sim = grid[(i - 1) * m + (j - 1)];
            let mut value = best[(i - 1) * w + j];
            let mut how = 0;
            if best[i * w + j - 1] > value {
                value = best[i * w + j - 1];
                how = 1;
            }
            if sim >= PATH_FLOOR {
                let gain = sim - PATH_FLOOR;
                for (k, before) in
                    [(2u8, best[(i - 1) * w + j - 1]), (3, best[(i - 1) * w + j]), (4, best[i * w + j - 1])]
                {
                    if before + gain > value {
                        value = before + gain;
                        how = k;
                    }
                }
            }
            best[i * w + j] = value;
            step[i * w + j] = how;
        }
    }
    let mut path = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        match step[i * w + j] {
            0 => i -= 1,
            1 => j -= 1,
            k => {
                path.push((i - 1, j - 1));
                match k {
                    2 => {
                        i -= 1;
                        j -= 1;
                    }
                    3 => i -= 1,
                    _ => j -= 1,
                }
            }
        }
    }
    path.reverse();
    path
}

/// [`monotone_path`] through the similar sentence pairs in `scratch.cells` (ascending). The path only
/// ever passes through pairs at least `PATH_FLOOR` similar, so a sentence similar to none of the other
/// text's takes no part in it and the grid leaves it out: most candidate pairs share a few sentences at
/// most. Returns the aligned pairs and their similarities.
fn sparse_path(scratch: &mut AlignScratch) -> (Vec<(usize, usize)>, Vec<f32>) {
    let AlignScratch { cells, columns, grid, best, step } = scratch;
    let rows: Vec<usize> = cells.chunk_by(|x, y| x.0 == y.0).map(|run| run[0].0 as usize).collect();
    columns.clear();
    columns.extend(cells.iter().map(|c| c.1 as usize));
    columns.sort_unstable();
    columns.dedup();
    let (n, m) = (rows.len(), columns.len());
    grid.clear();
    grid.resize(n * m, 0.0);
    let mut row = 0;
    for &(i, j, sim) in cells.iter() {
        while rows[row] != i as usize {
            row += 1;
        }
        let column = columns.binary_search(&(j as usize)).unwrap_or_default();
        grid[row * m + column] = sim;
    }
    monotone_path(grid, n, m, best, step).into_iter().map(|(i, j)| ((rows[i], columns[j]), grid[i * m + j])).unzip()
}

/// Aligns two analysed texts.
pub fn align(a: &Analysis, b: &Analysis) -> Alignment {
    align_with(a, b, &mut AlignScratch::default())
}

/// Buffers [`align_with`] reuses from one pair to the next (the similarity grid and the path table of
/// two long texts are megabytes: allocated afresh for every pair, the kernel zeroes new pages each time).
#[derive(Default)]
pub struct AlignScratch {
    cells: Vec<(u32, u32, f32)>,
    columns: Vec<usize>,
    grid: Vec<f32>,
    best: Vec<f32>,
    step: Vec<u8>,
}

/// [`align`] with buffers kept in `scratch`. The same two texts align alike whichever is given first
/// (their order in a report follows their ids, which must not change a verdict): the path is found from
/// the text first by [`aligns_first`] and read back for the order asked.
pub fn align_with(a: &Analysis, b: &Analysis, scratch: &mut AlignScratch) -> Alignment {
    if aligns_first(a, b) {
        return align_oriented(a, b, scratch);
    }
    let mut al = align_oriented(b, a, scratch);
    std::mem::swap(&mut al.coverage_a, &mut al.coverage_b);
    let mut sentences: Vec<(usize, usize)> = al.sentences.iter().map(|&(j, i)| (i, j)).collect();
    sentences.sort_unstable();
    al.passages = passages(a, b, &sentences);
    al.sentences = sentences;
    al
}

/// Whether `a` is the text a pair is aligned from: the one with fewer sentences, then fewer words, then
/// the first by its word 5-grams; a property of the two texts, not of their names.
fn aligns_first(a: &Analysis, b: &Analysis) -> bool {
    let key = |x: &Analysis| (x.sentences.len(), x.words());
    (key(a), &a.five_grams) <= (key(b), &b.five_grams)
}

/// [`align_with`] from `a`'s side.
fn align_oriented(a: &Analysis, b: &Analysis, scratch: &mut AlignScratch) -> Alignment {
    let (n, m) = (a.sentences.len(), b.sentences.len());
    let (pairs, sims): (Vec<(usize, usize)>, Vec<f32>) = if n * m <= MAX_GRID {
        similar_sentences(a, b, &mut scratch.cells);
        sparse_path(scratch)
    } else {
        // Too many sentences for the grid: each sentence of a with its best match in b, in order.
        let mut pairs: Vec<((usize, usize), f32)> =
            best_matches(a, b).into_iter().enumerate().filter_map(|(i, mt)| mt.map(|(j, sim)| ((i, j), sim))).collect();
        pairs.sort_by_key(|p| p.0);
        pairs.into_iter().unzip()
    };
    let coverage = |x: &Analysis, on_path: &mut dyn Iterator<Item = usize>| {
        let total = x.weight();
        if total <= 0.0 {
            return 0.0;
        }
        let mut seen = vec![false; x.sentences.len()];
        let mut covered = 0.0f32;
        for i in on_path {
            if !std::mem::replace(&mut seen[i], true) {
                covered += x.sentence_weight[i];
            }
        }
        (covered / total).min(1.0) as f64
    };
    let coverage_a = coverage(a, &mut pairs.iter().map(|p| p.0));
    let coverage_b = coverage(b, &mut pairs.iter().map(|p| p.1));
    let above_chance =
        |sims: &mut dyn Iterator<Item = f32>| sims.map(|s| (s - CHANCE_SIMILARITY).max(0.0)).sum::<f32>() as f64;
    let strength = above_chance(&mut sims.iter().copied());
    let lead_similarity = pairs.iter().zip(&sims).find(|(p, _)| **p == (0, 0)).map_or(0.0, |(_, &s)| s as f64);
    let similarity = if sims.is_empty() { 0.0 } else { sims.iter().sum::<f32>() as f64 / sims.len() as f64 };
    let copied: Vec<f32> =
        pairs.iter().zip(&sims).filter(|&(&(i, j), _)| shares_phrasing(a, i, b, j)).map(|(_, &s)| s).collect();
    let copied_sentences = copied.len();
    let copied_strength = above_chance(&mut copied.into_iter());
    let (small, large) = if a.phrasing.len() <= b.phrasing.len() { (a, b) } else { (b, a) };
    let phrasing = if small.phrasing.is_empty() {
        0.0
    } else {
        shared(&small.phrasing, &large.phrasing) as f64 / small.phrasing.len() as f64
    };
    let union = a.five_grams.len() + b.five_grams.len();
    let inter = shared(&a.five_grams, &b.five_grams);
    let jaccard5 = if union == 0 { 0.0 } else { inter as f64 / (union - inter) as f64 };
    let (specifics, specifics_weight) = shared_specifics(a, b);
    Alignment {
        coverage_a,
        coverage_b,
        aligned: pairs.len(),
        similarity,
        strength,
        lead_similarity,
        phrasing,
        copied_sentences,
        copied_strength,
        jaccard5,
        specifics,
        specifics_weight,
        passages: passages(a, b, &pairs),
        sentences: pairs,
    }
}

/// The weighted share of one text's names and numbers that the other has too, in any case, and the
/// weight shared: of the two texts', the larger share. A derived text keeps its source's names and seldom
/// adds its own, so one of the two is high for a rewrite (a summary's names are its source's, a source's
/// are its copy's), and both are low for texts written apart, each with names of its own. In any case:
/// a text written in lower case shows its names as plain words (found among its distinctive stems, so a
/// name the collection holds widely is found only as a name: it weighs little).
fn shared_specifics(a: &Analysis, b: &Analysis) -> (f64, f64) {
    let kept = |x: &Analysis, y: &Analysis| {
        let has = |key: u32| y.name_weights.binary_search_by_key(&key, |n| n.0).is_ok() || y.index.holds(key);
        let total: f32 = x.name_weights.iter().map(|n| n.1).sum();
        let shared: f32 = x.name_weights.iter().filter(|n| has(n.0)).map(|n| n.1).sum();
        (if total > 0.0 { (shared / total) as f64 } else { 0.0 }, shared as f64)
    };
    let (x, y) = (kept(a, b), kept(b, a));
    if (y.0, y.1) > (x.0, x.1) { y } else { x }
}

/// Whether sentence `i` of `a` and `j` of `b` share a narrative phrasing trigram.
fn shares_phrasing(a: &Analysis, i: usize, b: &Analysis, j: usize) -> bool {
    shared(&a.sentence_phrasing[i], &b.sentence_phrasing[j]) > 0
}

/// The number of values two sorted, distinct lists have in common.
fn shared(x: &[u64], y: &[u64]) -> usize {
    let (mut p, mut q, mut count) = (0, 0, 0);
    // Without branches on the comparison, which goes either way at random.
    while p < x.len() && q < y.len() {
        let (u, v) = (x[p], y[q]);
        count += usize::from(u == v);
        p += usize::from(u <= v);
        q += usize::from(v <= u);
    }
    count
}

/// Merges aligned sentence pairs into passages: runs where both sides advance by at most one sentence. A
/// pair that would start a passage on a sentence the run before it holds (one sentence aligned again,
/// far from the first: a summary's sentence restating two places, or a weak match at the end of the
/// path) starts none: passages do not overlap.
fn passages(a: &Analysis, b: &Analysis, pairs: &[(usize, usize)]) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut run: Option<(usize, usize, usize, usize)> = None; // a first, a last, b first, b last
    for &(i, j) in pairs {
        run = match run {
            Some((a0, a1, b0, b1)) if i <= a1 + 1 && j + 1 >= b1 && j <= b1 + 1 && j >= b0 => {
                Some((a0, a1.max(i), b0, b1.max(j)))
            }
            Some(held @ (a0, a1, b0, b1)) if (a0..=a1).contains(&i) || (b0..=b1).contains(&j) => Some(held),
            Some((a0, a1, b0, b1)) => {
                out.push(Passage { a: a.span(a0, a1), b: b.span(b0, b1) });
                Some((i, i, j, j))
            }
            None => Some((i, i, j, j)),
        };
    }
    if let Some((a0, a1, b0, b1)) = run {
        out.push(Passage { a: a.span(a0, a1), b: b.span(b0, b1) });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyse(text: &str) -> Analysis {
        Analysis::new(Tokens::new(text), &Frequencies::new())
    }

    #[test]
    fn names_and_numbers_are_shared_or_not_in_any_case() {
        let source = analyse(source_text());
        let kept = analyse("Four people were killed in Kharkiv, officials said.\nKyiv and Odesa were hit by drones.");
        let al = align(&source, &kept);
        // Of the source's names and numbers (Officials, Kharkiv, 4, Drones, Kyiv, Odesa: the words that
        // open its sentences count too, weighed by the collection), all but "4" are in the other, in any
        // case: 5 of 6, each weighing alike in an empty collection; of the other's, 3 of 4 ("Four").
        assert!((al.specifics - 5.0 / 6.0).abs() < 1e-6, "{al:?}");
        assert!(al.specifics_weight > 0.0);
        // Written in lower case, the source shows its names as plain words: still found.
        let lower = analyse(&source_text().to_lowercase());
        assert!(align(&lower, &kept).specifics >= 0.75, "{:?}", align(&lower, &kept));
        // Another story: its own names (the common words that open its sentences, which count as names
        // too, are left to the collection's weights to tell apart).
        let other = analyse("In Lviv 9 people were hurt, police said.\nA drone hit Dnipro overnight.");
        let al = align(&source, &other);
        assert!(al.specifics < 0.2, "{al:?}");
        assert_eq!(align(&source, &analyse("no names at all here, none.")).specifics, 0.0);
    }

    fn source_text() -> &'static str {
        "Officials in Kharkiv said 4 people were killed.\nDrones hit Kyiv and Odesa overnight."
    }

    /// A sentence aligned twice, far apart on the other side, is in one passage only.
    #[test]
    fn passages_do_not_overlap() {
        let text = |n: usize, tag: &str| {
            (0..n).map(|k| format!("Sentence {k} of the {tag} text talks about topic number {k}.")).collect::<Vec<_>>()
        };
        let (a, b) = (analyse(&text(6, "long").join("\n")), analyse(&text(3, "short").join("\n")));
        let spans = |pairs: &[(usize, usize)]| passages(&a, &b, pairs).iter().map(|p| (p.a, p.b)).collect::<Vec<_>>();
        let whole = spans(&[(0, 0), (1, 1), (2, 2)]);
        assert_eq!(whole.len(), 1);
        // b's last sentence aligned again with a's fifth: no second passage over it.
        assert_eq!(spans(&[(0, 0), (1, 1), (2, 2), (5, 2)]), whole);
        // a's first aligned again with b's third, from the other side.
        assert_eq!(spans(&[(0, 0), (0, 2)]), spans(&[(0, 0)]));
        // A passage elsewhere on both sides is one.
        assert_eq!(spans(&[(0, 0), (4, 2)]).len(), 2);
    }

    #[test]
    fn identical_texts_cover_each_other() {
        let text = "Russia released 307 prisoners on Saturday.\nThe drones hit Kyiv overnight, officials said.";
        let al = align(&analyse(text), &analyse(text));
        assert!(al.coverage_a > 0.99 && al.coverage_b > 0.99, "{al:?}");
        assert_eq!(al.aligned, 2);
        assert_eq!(al.jaccard5, 1.0);
        assert_eq!(al.passages, vec![Passage { a: [0, 88], b: [0, 88] }]);
    }

    #[test]
    fn paraphrase_aligns_but_unrelated_does_not() {
        let a = analyse("Russia released 307 Ukrainian prisoners in exchange for Russian servicemen held in Belarus.");
        let b = analyse(
            "The Russian ministry announced the release of 307 Ukrainian prisoners, swapped for servicemen in Belarus.",
        );
        let c = analyse("Solar panel prices in Australia fell sharply as factories expanded capacity.");
        assert!(align(&a, &b).coverage_a > 0.5);
        assert_eq!(align(&a, &c).aligned, 0);
    }

    #[test]
    fn shared_quotation_weighs_little() {
        let quote = "“We need to put much more pressure on Russia to get results and start real diplomacy.”";
        let a = analyse(&format!("The president spoke on television.\n{quote}"));
        let b = analyse(&format!("Shares of the carmaker fell in early trading.\n{quote}"));
        let al = align(&a, &b);
        assert_eq!(al.copied_sentences, 0);
        assert_eq!(al.phrasing, 0.0);
    }

    proptest::proptest! {
        /// The oracle: the path through the whole grid, sentences similar to nothing included.
        #[test]
        fn sparse_path_is_the_whole_grids_path(
            n in 1usize..14,
            m in 1usize..14,
            values in proptest::collection::vec(proptest::prop_oneof![3 => proptest::strategy::Just(0.0f32), 2 => 0.2f32..1.0], 196),
        ) {
            let grid: Vec<f32> = (0..n * m).map(|k| values[k]).collect();
            let (mut best, mut step) = (Vec::new(), Vec::new());
            let whole: Vec<((usize, usize), f32)> =
                monotone_path(&grid, n, m, &mut best, &mut step).into_iter().map(|(i, j)| ((i, j), grid[i * m + j])).collect();
            let cells = (0..n * m).filter(|&k| grid[k] >= PATH_FLOOR).map(|k| ((k / m) as u32, (k % m) as u32, grid[k]));
            let mut scratch = AlignScratch { cells: cells.collect(), ..AlignScratch::default() };
            let (pairs, sims) = sparse_path(&mut scratch);
            proptest::prop_assert_eq!(whole, pairs.into_iter().zip(sims).collect::<Vec<_>>());
        }
    }

    /// The normalised words of a byte range of a text.
    fn words_of(text: &str, range: [u32; 2]) -> Vec<u64> {
        Tokens::new(&text[range[0] as usize..range[1] as usize]).tokens.iter().map(|t| t.word).collect()
    }

    proptest::proptest! {
        /// The specifics share against counting by hand: texts of a few names, numbers and plain words
        /// (some written as a name in one text and in lower case in the other), in an empty collection
        /// where every name weighs the same; the share is the larger of each text's names found among the
        /// other's words, whatever their case.
        #[test]
        fn specifics_share_counts_names_found_either_way(
            a_words in proptest::collection::vec((0usize..12, proptest::bool::ANY), 3..20),
            b_words in proptest::collection::vec((0usize..12, proptest::bool::ANY), 3..20),
        ) {
            const WORDS: [&str; 12] =
                ["kharkiv", "odesa", "lviv", "dnipro", "kyiv", "rivne", "apple", "river", "stone", "42", "1999", "7"];
            // Each sentence opens with a stop word, so only the drawn words can be names.
            let text = |ws: &[(usize, bool)]| {
                let word = |&(w, capital): &(usize, bool)| {
                    let w = WORDS[w];
                    if capital { format!("{}{}", w[..1].to_uppercase(), &w[1..]) } else { w.to_string() }
                };
                ws.chunks(4).map(|c| format!("the {}.", c.iter().map(word).collect::<Vec<_>>().join(" "))).collect::<Vec<_>>().join("\n")
            };
            let (ta, tb) = (text(&a_words), text(&b_words));
            let (a, b) = (analyse(&ta), analyse(&tb));
            // By hand: a text's names are its capitalised words and its numbers, but for the capitalised
            // words of a sentence in title case (three words or more, all capitalised, one of them in lower
            // case elsewhere in the text); one is found when the other text has the word in any case.
            let names = |ws: &[(usize, bool)]| -> std::collections::BTreeSet<usize> {
                let lower: std::collections::BTreeSet<usize> =
                    ws.iter().filter(|&&(w, capital)| !capital && w < 9).map(|&(w, _)| w).collect();
                let titled = |c: &[(usize, bool)]| {
                    let words: Vec<&(usize, bool)> = c.iter().filter(|&&(w, _)| w < 9).collect();
                    words.len() >= 3 && words.iter().all(|&&(_, capital)| capital) && words.iter().any(|&&(w, _)| lower.contains(&w))
                };
                ws.chunks(4)
                    .flat_map(|c| c.iter().filter(move |&&(w, capital)| (capital && !titled(c)) || w >= 9))
                    .map(|&(w, _)| w)
                    .collect()
            };
            let words = |ws: &[(usize, bool)]| -> std::collections::BTreeSet<usize> { ws.iter().map(|&(w, _)| w).collect() };
            let share = |x: &[(usize, bool)], y: &[(usize, bool)]| {
                let n = names(x);
                let found = n.intersection(&words(y)).count();
                (if n.is_empty() { 0.0 } else { found as f64 / n.len() as f64 }, found)
            };
            let ((sa, fa), (sb, fb)) = (share(&a_words, &b_words), share(&b_words, &a_words));
            let want = if (sb, fb) > (sa, fa) { sb } else { sa };
            let got = align(&a, &b).specifics;
            proptest::prop_assert!((got - want).abs() < 1e-6, "{ta:?} / {tb:?}: {got} != {want}");
        }
    }

    proptest::proptest! {
        /// Two texts align alike whichever is given first: the same sentence pairs, each text's coverage
        /// its own, the same figures (sentences drawn from a few shared words, so that many tie).
        #[test]
        fn alignment_does_not_depend_on_which_text_comes_first(
            ta in proptest::collection::vec(proptest::collection::vec(0usize..8, 3..9), 1..8),
            tb in proptest::collection::vec(proptest::collection::vec(0usize..8, 3..9), 1..8),
        ) {
            const WORDS: [&str; 8] = ["council", "budget", "roads", "mayor", "winter", "grant", "river", "bridge"];
            let text = |t: &[Vec<usize>]| {
                let sentence = |s: &Vec<usize>| s.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" ") + ".";
                t.iter().map(sentence).collect::<Vec<_>>().join(" ")
            };
            let (a, b) = (analyse(&text(&ta)), analyse(&text(&tb)));
            let (ab, ba) = (align(&a, &b), align(&b, &a));
            let mut mirrored: Vec<(usize, usize)> = ba.sentences.iter().map(|&(j, i)| (i, j)).collect();
            mirrored.sort_unstable();
            proptest::prop_assert_eq!(&ab.sentences, &mirrored);
            proptest::prop_assert_eq!((ab.coverage_a, ab.coverage_b), (ba.coverage_b, ba.coverage_a));
            let figures = |al: &Alignment| {
                (al.aligned, al.similarity, al.strength, al.lead_similarity, al.phrasing, al.copied_sentences, al.jaccard5)
            };
            proptest::prop_assert_eq!(figures(&ab), figures(&ba));
        }

        /// The oracle: a text made of some of another's sentences, in order, between sentences of words
        /// the other never uses. Every passage is a valid byte range of both texts, starts and ends on
        /// words, and slices both texts to the same words; every copied sentence is inside a passage.
        #[test]
        fn passages_slice_both_texts_to_matching_words(
            sentences in proptest::collection::vec(proptest::collection::vec(0usize..6, 4..12), 2..10),
            keep in proptest::collection::vec(proptest::bool::ANY, 10),
            noise in proptest::collection::vec(proptest::collection::vec(0usize..6, 4..12), 0..4),
        ) {
            // Sentence k draws its words from its own six (none of them ASCII), so no two sentences share
            // a content word and a copied sentence can only align with its original; words 0 and 1 are
            // always there, so each sentence has the two distinct words alignment needs.
            let sentence = |k: usize, ws: &[usize], tag: &str| {
                let word = |w: usize| format!("{tag}{}é{w}", (b'a' + k as u8) as char);
                ws.iter().chain(&[0, 1]).map(|&w| word(w)).collect::<Vec<_>>().join(" ") + "."
            };
            let a_sentences: Vec<String> = sentences.iter().enumerate().map(|(k, s)| sentence(k, s, "w")).collect();
            let copied: Vec<&String> =
                a_sentences.iter().zip(keep.iter().cycle()).filter(|&(_, &k)| k).map(|(s, _)| s).collect();
            let mut b_sentences: Vec<String> = noise.iter().enumerate().map(|(k, s)| sentence(k, s, "noise")).collect();
            let at = b_sentences.len() / 2;
            for (k, s) in copied.iter().enumerate() {
                b_sentences.insert(at + k, (*s).clone());
            }
            let (ta, tb) = (a_sentences.join("\n"), b_sentences.join("\n"));
            let (a, b) = (analyse(&ta), analyse(&tb));
            let al = align(&a, &b);
            let starts = |t: &Analysis| t.tokens.tokens.iter().map(|t| t.start).collect::<Vec<_>>();
            let ends = |t: &Analysis| t.tokens.tokens.iter().map(|t| t.end).collect::<Vec<_>>();
            for p in &al.passages {
                proptest::prop_assert!(p.a[0] < p.a[1] && p.a[1] as usize <= ta.len());
                proptest::prop_assert!(p.b[0] < p.b[1] && p.b[1] as usize <= tb.len());
                proptest::prop_assert!(starts(&a).contains(&p.a[0]) && ends(&a).contains(&p.a[1]));
                proptest::prop_assert!(starts(&b).contains(&p.b[0]) && ends(&b).contains(&p.b[1]));
                proptest::prop_assert_eq!(words_of(&ta, p.a), words_of(&tb, p.b));
            }
            let covered: usize = al.passages.iter().map(|p| words_of(&tb, p.b).len()).sum();
            let copied_words: usize = copied.iter().map(|s| Tokens::new(s).tokens.len()).sum();
            proptest::prop_assert!(covered >= copied_words, "{} of {} copied words in passages", covered, copied_words);
        }
    }
}
