//! Semantic view (optional): sentence embeddings from a small BERT encoder, for rewrites that keep the
//! meaning and share almost none of the wording (an LLM paraphrase shares 1–3% of its source's word
//! 5-grams, no more than an independent report of the same event). The model is all-MiniLM-L6-v2 as
//! sentence-transformers ships it (`config.json`, `tokenizer.json`, `model.safetensors`), fetched by
//! `scripts/setup-model` and never committed; nothing here runs unless a model folder is given.
//!
//! This module is the view's use of embeddings: what makes them ([`Encoder`]: the model itself, or the
//! [`WordVectors`] distilled from it, a bag of meanings a crawl can afford), their similarity, and how the
//! sentences of one text are restated in another ([`restatement`]). Embeddings are kept as 8-bit integers
//! ([`Embedding`]), a quarter of the memory of floats; their dot product estimates the cosine similarity
//! to within about 0.005. [`Model`] (`model`: loading and the encoder) reads texts through `wordpiece`
//! (BERT's tokenizer) and its weights through `safetensors`; `vectors` distils it. The pipeline's read
//! stage embeds the leads, its candidates stage compares the leads of documents sharing a rare name or
//! number, and its verify stage calls [`restatement`].

mod model;
mod safetensors;
mod vectors;
mod wordpiece;

use std::path::Path;

pub use model::{Model, Scratch, UNREADABLE};
pub use vectors::WordVectors;

use crate::error::Result;

/// What turns texts into [`Embedding`]s.
pub enum Encoder {
    /// The encoder itself: meaning in context, milliseconds a text.
    Transformer(Model),
    /// The word vectors distilled from it: a bag of meanings, microseconds a text.
    WordVectors(WordVectors),
}

impl Encoder {
    /// The encoder in `dir`, or its distilled word vectors when `vectors`.
    pub fn load(dir: &Path, vectors: bool) -> Result<Encoder> {
        Ok(if vectors {
            Encoder::WordVectors(WordVectors::load(dir)?)
        } else {
            Encoder::Transformer(Model::load(dir)?)
        })
    }

    /// The embedding of the first `tokens` WordPiece tokens of `text` (at most the model's positions,
    /// two of them taken by the encoder's markers); empty when the text has no token or the model cannot
    /// read it (see [`UNREADABLE`]).
    pub fn embed(&self, text: &str, tokens: usize, scratch: &mut Scratch) -> Embedding {
        self.embed_all(std::iter::once(text), tokens, scratch).pop().unwrap_or_default()
    }

    /// The embeddings of the first `max` sentences of `text`, each given as a byte range (sentences
    /// without a token have none).
    pub fn embed_sentences(
        &self,
        text: &str,
        sentences: impl Iterator<Item = std::ops::Range<usize>>,
        max: usize,
        scratch: &mut Scratch,
    ) -> Vec<Embedding> {
        let texts = sentences.take(max).filter_map(|r| text.get(r));
        match self {
            Encoder::Transformer(m) => m.embed_all(texts, m.sentence_tokens(), scratch),
            Encoder::WordVectors(v) => v.embed_all(texts, model::SENTENCE_TOKENS, scratch),
        }
    }

    fn embed_all<'t>(
        &self,
        texts: impl Iterator<Item = &'t str>,
        tokens: usize,
        scratch: &mut Scratch,
    ) -> Vec<Embedding> {
        match self {
            Encoder::Transformer(m) => m.embed_all(texts, tokens, scratch),
            Encoder::WordVectors(v) => v.embed_all(texts, tokens, scratch),
        }
    }
}

/// A unit vector as an [`Embedding`].
fn quantise(v: &[f32]) -> Embedding {
    v.iter().map(|&x| (x * SCALE).round().clamp(-SCALE, SCALE) as i8).collect()
}

/// A document's embedding: unit vector components scaled to −127..=127.
pub type Embedding = Vec<i8>;

/// Scale of the 8-bit components (a unit vector's components are at most 1 in size).
const SCALE: f32 = 127.0;

/// The cosine similarity of two embeddings (0 when either is empty: a document without words).
pub fn similarity(a: &[i8], b: &[i8]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let dot: i32 = a.iter().zip(b).map(|(&x, &y)| x as i32 * y as i32).sum();
    cosine(dot as f64)
}

/// The dot product of two embeddings' components (the similarity scaled by `SCALE²`; 0 when either is
/// empty).
pub fn dot(a: &[i8], b: &[i8]) -> i64 {
    a.iter().zip(b).map(|(&x, &y)| x as i64 * y as i64).sum()
}

/// The cosine similarity of two embeddings from the dot product of their components.
fn cosine(dot: f64) -> f64 {
    dot / (SCALE as f64 * SCALE as f64)
}

/// How the shorter of two texts' sentences are restated in the other ([`restatement`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Restatement {
    /// Sentences of the shorter text.
    pub sentences: usize,
    /// The most of them that each mean the same as a sentence of the other, on one in-order path (a
    /// rewrite restates its source sentence after sentence; two texts written apart on one topic share a
    /// point or two, not the run of them).
    pub in_order: usize,
    /// The mean over them of the highest similarity to any sentence of the other (a rewrite restates
    /// every sentence; two texts on one topic share some and differ in the rest); 0 when either has none.
    pub closeness: f64,
}

impl Restatement {
    /// The share of the shorter text's sentences restated in order (0 when it has none).
    pub fn in_order_share(&self) -> f64 {
        self.in_order as f64 / self.sentences.max(1) as f64
    }
}

/// How the shorter of two texts' sentences are restated in the other, from one similarity per pair of
/// sentences: two sentences mean the same from similarity `min`.
pub fn restatement(a: &[Embedding], b: &[Embedding], min: f64) -> Restatement {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // best[j]: the most in-order matches using the sentences of `long` before j, over the rows done so far.
    let mut best = vec![0u32; long.len() + 1];
    let mut closest = 0.0;
    for x in short {
        let (mut diagonal, mut top) = (0, f64::MIN);
        for (j, y) in long.iter().enumerate() {
            let similarity = similarity(x, y);
            top = top.max(similarity);
            let up = best[j + 1];
            let matched = diagonal + u32::from(similarity >= min);
            best[j + 1] = matched.max(up).max(best[j]);
            diagonal = up;
        }
        closest += top;
    }
    let closeness = if short.is_empty() { 0.0 } else { closest / short.len() as f64 };
    Restatement { sentences: short.len(), in_order: best[long.len()] as usize, closeness }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    // The neighbour search as the pipeline runs it.
    use crate::frequencies::Frequencies;
    use crate::pair::{PairKey, pair_key};
    use crate::pipeline::candidates::{BLOCKING_KEYS, semantic_candidates as candidates};

    #[test]
    fn similarity_of_quantised_unit_vectors() {
        let v = |x: &[f32]| -> Embedding { x.iter().map(|&c| (c * SCALE).round() as i8).collect() };
        let (a, b) = (v(&[0.6, 0.8, 0.0]), v(&[0.8, 0.6, 0.0]));
        assert!((similarity(&a, &b) - 0.96).abs() < 0.01);
        assert!((similarity(&a, &a) - 1.0).abs() < 0.01);
        assert_eq!(similarity(&a, &[]), 0.0);
    }

    /// A two-component embedding at `angle` radians.
    fn unit(angle: f32) -> Embedding {
        vec![(angle.cos() * SCALE).round() as i8, (angle.sin() * SCALE).round() as i8]
    }

    /// Collection counts of the documents' blocking keys.
    fn counted(specifics: &[Vec<u64>]) -> Frequencies {
        let mut f = Frequencies::new();
        f.add_documents(specifics.len() as u64, specifics.iter().flatten(), std::iter::empty());
        f
    }

    /// Stems spread over the whole hash range (the counts' table is indexed by the high bits).
    fn stem(k: u64) -> u64 {
        crate::hash::mix(k + 1)
    }

    #[test]
    fn candidates_are_each_documents_closest_among_those_sharing_a_name() {
        // 0, 1 and 2 close together (1 nearest to 0), 3 close to 2 only, 4 far from all, 5 excluded,
        // 6 as close to 0 as 1 is but sharing no name with anyone.
        let e = vec![unit(0.0), unit(0.1), unit(0.3), unit(0.55), unit(1.5), unit(0.05), unit(0.1)];
        let names = |k: &[u64]| k.iter().map(|&k| stem(k)).collect::<Vec<u64>>();
        let specifics =
            vec![names(&[1]), names(&[1]), names(&[1, 2]), names(&[2]), names(&[1, 2]), names(&[1]), names(&[9])];
        let f = counted(&specifics);
        let search = |neighbours, max_docs| candidates(&e, &specifics, &f, (0.94, neighbours, max_docs), |i| i != 5);
        let (pairs, stats) = search(1, 100);
        // Each document's one closest: 0→1, 1→0, 2→1 (0.2 apart, against 3 at 0.25), 3→2.
        assert_eq!(pairs, [pair_key(0, 1), pair_key(1, 2), pair_key(2, 3)]);
        // 0, 1 and 2 each had two documents above the threshold and kept one.
        assert_eq!(stats.capped_buckets, 3);
        let (all, _) = search(10, 100);
        assert_eq!(all, [pair_key(0, 1), pair_key(0, 2), pair_key(1, 2), pair_key(2, 3)]);
        // A name held by more documents than the cap blocks nothing (and counts as capped).
        let (capped, stats) = search(10, 3);
        assert_eq!(capped, [pair_key(2, 3)]);
        assert_eq!(stats.capped_buckets, 1);
        let none = candidates(&[Vec::new(), unit(0.0)], &[names(&[1]), names(&[1])], &f, (0.5, 10, 100), |_| true);
        assert!(none.0.is_empty());
    }

    /// Each document's closest others above the threshold among those sharing one of its rarest names,
    /// one pair at a time.
    fn candidates_one_by_one(
        e: &[Embedding],
        specifics: &[Vec<u64>],
        f: &Frequencies,
        threshold: f64,
        neighbours: usize,
    ) -> Vec<PairKey> {
        let keys = |i: usize| -> Vec<u64> {
            let mut k: Vec<(u32, u64)> = specifics[i].iter().map(|&s| (f.df(s), s)).filter(|p| p.0 >= 2).collect();
            k.sort_unstable();
            k.into_iter().take(BLOCKING_KEYS).map(|p| p.1).collect()
        };
        let mut pairs = Vec::new();
        for i in (0..e.len()).filter(|&i| !e[i].is_empty()) {
            let mut near: Vec<(i64, usize)> = (0..e.len())
                .filter(|&j| j != i && !e[j].is_empty() && keys(i).iter().any(|k| keys(j).contains(k)))
                .filter(|&j| similarity(&e[i], &e[j]) >= threshold)
                .map(|j| (dot(&e[i], &e[j]), j))
                .collect();
            near.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            pairs.extend(near.into_iter().take(neighbours).map(|(_, j)| pair_key(i as u32, j as u32)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    proptest! {
        #[test]
        fn candidates_match_comparing_one_pair_at_a_time(
            e in prop::collection::vec(prop::collection::vec(-127i8..=127, 3), 0..40),
            names in prop::collection::vec(prop::collection::vec(0u64..12, 0..12), 40),
            threshold in -1.0f64..1.0,
            neighbours in 1usize..5,
        ) {
            // Some documents without an embedding, as a text without a token has.
            let e: Vec<Embedding> = e.into_iter().enumerate().map(|(i, v)| if i % 7 == 3 { Vec::new() } else { v }).collect();
            let specifics: Vec<Vec<u64>> = names[..e.len()].iter().map(|k| {
                let mut s: Vec<u64> = k.iter().map(|&k| stem(k)).collect();
                s.sort_unstable();
                s.dedup();
                s
            }).collect();
            let f = counted(&specifics);
            let (pairs, _) = candidates(&e, &specifics, &f, (threshold, neighbours, usize::MAX), |_| true);
            prop_assert_eq!(pairs, candidates_one_by_one(&e, &specifics, &f, threshold, neighbours));
        }
    }

    /// The most in-order matches, by trying every choice at every step.
    fn most_in_order(a: &[Embedding], b: &[Embedding], min: f64) -> usize {
        match (a.split_first(), b.split_first()) {
            (Some((x, ra)), Some((y, rb))) => {
                let matched = usize::from(similarity(x, y) >= min) + most_in_order(ra, rb, min);
                matched.max(most_in_order(ra, b, min)).max(most_in_order(a, rb, min))
            }
            _ => 0,
        }
    }

    #[test]
    fn closeness_averages_the_shorter_texts_best_matches() {
        let (x, y, z) = (unit(0.0), unit(0.5), unit(1.0));
        // x's best match is x (1), y's is y (1): the third sentence of the longer text does not count.
        let both = restatement(&[x.clone(), y.clone()], &[y.clone(), z.clone(), x.clone()], 0.99);
        assert_eq!((both.sentences, both.in_order), (2, 1));
        assert!((both.closeness - 1.0).abs() < 0.02);
        let alone = restatement(std::slice::from_ref(&z), &[x.clone(), y.clone()], 0.99);
        assert!((alone.closeness - similarity(&z, &y)).abs() < 1e-9);
        assert_eq!(restatement(&[], &[x], 0.5), Restatement { sentences: 0, in_order: 0, closeness: 0.0 });
    }

    proptest! {
        #[test]
        fn in_order_matches_are_the_most_on_one_path(
            a in prop::collection::vec(prop::collection::vec(-3i8..=3, 2), 0..6),
            b in prop::collection::vec(prop::collection::vec(-3i8..=3, 2), 0..6),
        ) {
            // Tiny integer vectors: the threshold is on their raw dot product scaled by `SCALE²`.
            let min = 2.0 / (SCALE as f64 * SCALE as f64);
            prop_assert_eq!(restatement(&a, &b, min).in_order, most_in_order(&a, &b, min));
        }
    }
}
