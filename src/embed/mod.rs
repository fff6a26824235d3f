//! Semantic view (optional): sentence embeddings from a small BERT encoder, for rewrites that keep the
//! meaning and share almost none of the wording (an LLM paraphrase shares 1–3% of its source's word
//! 5-grams, no more than an independent report of the same event). The model is all-MiniLM-L6-v2 as
//! sentence-transformers ships it (`config.json`, `tokenizer.json`, `model.safetensors`), fetched by
//! `scripts/setup-model` and never committed; nothing here runs unless a model folder is given.
//!
//! This module is the view's use of embeddings: their similarity, the candidate pairs of the
//! documents whose leads are close ([`nearest`]) and how the sentences of one text are restated in
//! another ([`restatement`]). Embeddings are kept as 8-bit integers ([`Embedding`]), a quarter of the
//! memory of floats; their dot product estimates the cosine similarity to within about 0.005. They come
//! from [`Model`] (`model`: loading and the encoder), which reads texts through `wordpiece` (BERT's
//! tokenizer) and its weights through `safetensors`. The pipeline's read stage embeds the leads, its
//! candidates stage calls [`nearest`] and its verify stage [`restatement`].

use crate::pair::{PairKey, pair_key};

mod model;
mod safetensors;
mod wordpiece;

pub use model::{Model, Scratch, UNREADABLE};
use model::{Strided, gemm};

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

/// The cosine similarity of two embeddings from the dot product of their components.
fn cosine(dot: f64) -> f64 {
    dot / (SCALE as f64 * SCALE as f64)
}

/// Documents compared at once in [`nearest`]: each block of rows with each block of columns is one
/// matrix product (a few megabytes). Tiny in tests, so that small inputs span several blocks.
pub const ROWS: usize = if cfg!(test) { 7 } else { 256 };
const COLUMNS: usize = if cfg!(test) { 11 } else { 2048 };

/// The semantic view's neighbours of the documents `rows` among the documents `docs` (both lists of
/// indices into `embeddings`): each row's `neighbours` most similar others (ties to the lower index) whose
/// similarity reaches `threshold`, found by comparing every two (the embeddings cost far more than this),
/// `rows` against a block of `docs` at a time as one matrix product. Returns each row's pairs and whether
/// it had more neighbours than kept. The pipeline calls it on blocks of [`ROWS`] rows in parallel, then
/// sorts and dedups the pairs.
pub fn nearest(
    embeddings: &[Embedding],
    rows: &[u32],
    docs: &[u32],
    threshold: f64,
    neighbours: usize,
) -> Vec<(Vec<PairKey>, bool)> {
    let width = docs.first().map_or(0, |&i| embeddings[i as usize].len());
    // Components as floats: every partial sum of products of 8-bit components is an integer under 2²⁴,
    // so the products' dot products are exactly the integer ones, whatever the order of summing.
    let floats = |block: &[u32]| -> Vec<f32> {
        block.iter().flat_map(|&i| embeddings[i as usize].iter().map(|&x| x as f32)).collect()
    };
    let a = floats(rows);
    // Each row's closest so far (no more than `neighbours` kept between blocks), and how many reached the
    // threshold.
    let mut near: Vec<(Vec<(f64, u32)>, usize)> = vec![(Vec::new(), 0); rows.len()];
    let mut dots = vec![0.0f32; rows.len() * COLUMNS];
    for columns in docs.chunks(COLUMNS) {
        let b = floats(columns);
        let (x, y) = (Strided { data: &a, row: width, column: 1 }, Strided { data: &b, row: 1, column: width });
        gemm(rows.len(), width, columns.len(), 1.0, x, y, &mut dots, columns.len());
        for ((&i, (near, above)), dots) in rows.iter().zip(&mut near).zip(dots.chunks(columns.len())) {
            let before = near.len();
            let similar = columns.iter().zip(dots).filter(|&(&j, _)| j != i);
            near.extend(similar.map(|(&j, &dot)| (cosine(dot as f64), j)).filter(|&(s, _)| s >= threshold));
            *above += near.len() - before;
            near.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            near.truncate(neighbours);
        }
    }
    rows.iter()
        .zip(near)
        .map(|(&i, (near, above))| (near.iter().map(|&(_, j)| pair_key(i, j)).collect(), above > neighbours))
        .collect()
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
    // The neighbour search as the pipeline runs it, blocks of rows in parallel.
    use crate::pipeline::candidates::semantic_candidates as candidates;

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

    #[test]
    fn candidates_are_each_documents_closest_above_the_threshold() {
        // 0, 1 and 2 close together (1 nearest to 0), 3 close to 2 only, 4 far from all, 5 excluded.
        let e = vec![unit(0.0), unit(0.1), unit(0.3), unit(0.55), unit(1.5), unit(0.05)];
        let (pairs, stats) = candidates(&e, 0.94, 1, |i| i != 5);
        // Each document's one closest: 0→1, 1→0, 2→1 (0.2 apart, against 3 at 0.25), 3→2.
        assert_eq!(pairs, [pair_key(0, 1), pair_key(1, 2), pair_key(2, 3)]);
        // 0, 1 and 2 each had two documents above the threshold and kept one.
        assert_eq!(stats.capped_buckets, 3);
        let (all, _) = candidates(&e, 0.94, 10, |i| i != 5);
        assert_eq!(all, [pair_key(0, 1), pair_key(0, 2), pair_key(1, 2), pair_key(2, 3)]);
        let (empty, _) = candidates(&[Vec::new(), unit(0.0)], 0.5, 10, |_| true);
        assert!(empty.is_empty());
    }

    /// Each document's closest others above the threshold, one pair at a time, and how many documents
    /// had more than `neighbours` of them.
    fn candidates_one_by_one(e: &[Embedding], threshold: f64, neighbours: usize) -> (Vec<PairKey>, usize) {
        let (mut pairs, mut capped) = (Vec::new(), 0);
        for i in (0..e.len()).filter(|&i| !e[i].is_empty()) {
            let mut near: Vec<(f64, usize)> = (0..e.len())
                .filter(|&j| j != i && !e[j].is_empty())
                .map(|j| (similarity(&e[i], &e[j]), j))
                .filter(|&(s, _)| s >= threshold)
                .collect();
            capped += usize::from(near.len() > neighbours);
            near.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            pairs.extend(near.into_iter().take(neighbours).map(|(_, j)| pair_key(i as u32, j as u32)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        (pairs, capped)
    }

    proptest! {
        #[test]
        fn candidates_match_comparing_one_pair_at_a_time(
            e in prop::collection::vec(prop::collection::vec(-127i8..=127, 3), 0..60),
            threshold in -1.0f64..1.0,
            neighbours in 1usize..5,
        ) {
            // Some documents without an embedding, as a text without a token has.
            let e: Vec<Embedding> = e.into_iter().enumerate().map(|(i, v)| if i % 7 == 3 { Vec::new() } else { v }).collect();
            let (pairs, stats) = candidates(&e, threshold, neighbours, |_| true);
            prop_assert_eq!((pairs, stats.capped_buckets), candidates_one_by_one(&e, threshold, neighbours));
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
