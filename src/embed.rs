//! Semantic view (optional): sentence embeddings from a small BERT encoder, for rewrites that keep the
//! meaning and share almost none of the wording (an LLM paraphrase shares 1–3% of its source's word
//! 5-grams, no more than an independent report of the same event). The model is all-MiniLM-L6-v2 as
//! sentence-transformers ships it (`config.json`, `tokenizer.json`, `model.safetensors`), fetched by
//! `scripts/setup-model` and never committed; nothing here runs unless a model folder is given.
//!
//! A document's embedding is the normalised mean of the encoder's outputs over the first `tokens`
//! WordPiece tokens of its text: its lead, which an LLM rewrite restates and an article grown from the
//! lead keeps. The tokenizer is BERT's (lower-cased, accents stripped, punctuation split off, greedy
//! longest-match WordPiece); the encoder runs on the CPU, its matrix products through `matrixmultiply`'s
//! SGEMM, one document at a time on the calling thread (the pipeline decides parallelism). Embeddings
//! are kept as 8-bit integers ([`Embedding`]), a quarter of the memory of floats; their dot product
//! estimates the cosine similarity to within about 0.005.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::pair::{PairKey, pair_key};

/// A document's embedding: unit vector components scaled to −127..=127.
pub type Embedding = Vec<i8>;

/// WordPiece tokens of a sentence embedded (a longer sentence is cut).
const SENTENCE_TOKENS: usize = 96;

/// Share of a text's WordPiece tokens unknown to the model above which the text is not embedded: a
/// script the model was not trained on (Chinese and Thai to an English model) is mostly `[UNK]`, and such
/// texts would all embed near one point, as if they meant the same.
pub const UNREADABLE: f64 = 0.25;

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

/// The semantic view's neighbours of the documents `rows` among the documents `docs` (both lists of indices
/// into `embeddings`, whose rows are `width` long): each row's `neighbours` most similar others (ties to the
/// lower index) whose similarity reaches `threshold`, found by comparing every two (the embeddings cost far
/// more than this), `rows` against a block of `docs` at a time as one matrix product. Returns each row's
/// pairs and whether it had more neighbours than kept. The pipeline calls it on blocks of [`ROWS`] rows in
/// parallel, then sorts and dedups the pairs.
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

/// The shape of a BERT encoder, from its `config.json`.
#[derive(Clone, Debug, PartialEq)]
struct Shape {
    hidden: usize,
    layers: usize,
    heads: usize,
    intermediate: usize,
    positions: usize,
    eps: f32,
}

/// A matrix read from a slice: element `(i, j)` is `data[i * row + j * column]`.
struct Strided<'a> {
    data: &'a [f32],
    row: usize,
    column: usize,
}

/// `c = alpha · a · b` for `a` of `m × k` and `b` of `k × n` (any strides: a transpose is a view), into
/// the `m × n` row-major matrix of row stride `c_row` at the start of `c`, overwritten.
#[allow(clippy::too_many_arguments)]
fn gemm(m: usize, k: usize, n: usize, alpha: f32, a: Strided, b: Strided, c: &mut [f32], c_row: usize) {
    if m == 0 || k == 0 || n == 0 {
        return;
    }
    let last = |v: &Strided, rows: usize, columns: usize| (rows - 1) * v.row + (columns - 1) * v.column;
    assert!(last(&a, m, k) < a.data.len() && last(&b, k, n) < b.data.len());
    assert!((m - 1) * c_row + n - 1 < c.len());
    // SAFETY: the assertions above keep every element the strides reach inside its slice.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.data.as_ptr(),
            a.row as isize,
            a.column as isize,
            b.data.as_ptr(),
            b.row as isize,
            b.column as isize,
            0.0,
            c.as_mut_ptr(),
            c_row as isize,
            1,
        );
    }
}

/// `y = x Wᵀ + b` for rows `x` of `inputs` values; `w` is `outputs × inputs`, row-major (as PyTorch
/// stores it).
struct Linear {
    w: Vec<f32>,
    b: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

impl Linear {
    fn apply(&self, x: &[f32], rows: usize, y: &mut Vec<f32>) {
        y.clear();
        y.resize(rows * self.outputs, 0.0);
        let x = Strided { data: x, row: self.inputs, column: 1 };
        let w = Strided { data: &self.w, row: 1, column: self.inputs };
        gemm(rows, self.inputs, self.outputs, 1.0, x, w, y, self.outputs);
        for row in y.chunks_exact_mut(self.outputs) {
            row.iter_mut().zip(&self.b).for_each(|(v, b)| *v += b);
        }
    }
}

/// Layer normalisation's gain and bias.
struct Norm {
    g: Vec<f32>,
    b: Vec<f32>,
}

impl Norm {
    /// `x = norm(x + y)`, row by row.
    fn add_and_apply(&self, x: &mut [f32], y: &[f32], eps: f32) {
        x.iter_mut().zip(y).for_each(|(v, a)| *v += a);
        self.apply(x, eps);
    }

    /// `x = norm(x)`, row by row.
    fn apply(&self, x: &mut [f32], eps: f32) {
        let n = self.g.len();
        for row in x.chunks_exact_mut(n) {
            let mean = row.iter().sum::<f32>() / n as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n as f32;
            let inv = 1.0 / (var + eps).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.g).zip(&self.b) {
                *v = (*v - mean) * inv * g + b;
            }
        }
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    attention_norm: Norm,
    up: Linear,
    down: Linear,
    output_norm: Norm,
}

/// A loaded encoder and its vocabulary.
pub struct Model {
    shape: Shape,
    vocab: HashMap<String, u32>,
    unknown: u32,
    cls: u32,
    sep: u32,
    words: Vec<f32>,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

/// Buffers of one encoding, reused by a worker from one document to the next.
#[derive(Default)]
pub struct Scratch {
    ids: Vec<u32>,
    word: String,
    x: Vec<f32>,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    context: Vec<f32>,
    scores: Vec<f32>,
    y: Vec<f32>,
    h: Vec<f32>,
}

impl Model {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    pub fn load(dir: &Path) -> Result<Model> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| Error::Read { path, source })
        };
        let bad = |name: &str, message: String| Error::Input { path: dir.join(name), line: None, message };
        let json = |name: &str| -> Result<Value> {
            serde_json::from_slice(&read(name)?).map_err(|e| bad(name, format!("not JSON: {e}")))
        };
        let config = json("config.json")?;
        let field = |key: &str| {
            config[key].as_u64().map(|v| v as usize).ok_or_else(|| bad("config.json", format!("no {key:?}")))
        };
        let shape = Shape {
            hidden: field("hidden_size")?,
            layers: field("num_hidden_layers")?,
            heads: field("num_attention_heads")?,
            intermediate: field("intermediate_size")?,
            positions: field("max_position_embeddings")?,
            eps: config["layer_norm_eps"].as_f64().unwrap_or(1e-12) as f32,
        };
        if shape.heads == 0 || !shape.hidden.is_multiple_of(shape.heads) {
            return Err(bad("config.json", format!("{} heads do not divide {} dimensions", shape.heads, shape.hidden)));
        }
        let tokenizer = json("tokenizer.json")?;
        let vocab: HashMap<String, u32> = tokenizer["model"]["vocab"]
            .as_object()
            .ok_or_else(|| bad("tokenizer.json", "no model.vocab (a WordPiece vocabulary)".into()))?
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_u64()? as u32)))
            .collect();
        let special = |token: &str| {
            vocab
                .get(token)
                .copied()
                .ok_or_else(|| bad("tokenizer.json", format!("no {token} token in the vocabulary")))
        };
        let (unknown, cls, sep) = (special("[UNK]")?, special("[CLS]")?, special("[SEP]")?);
        let tensors = Tensors::parse(read("model.safetensors")?).map_err(|m| bad("model.safetensors", m))?;
        let get = |name: &str, shape: &[usize]| tensors.get(name, shape).map_err(|m| bad("model.safetensors", m));
        let (d, f) = (shape.hidden, shape.intermediate);
        let linear = |name: &str, outputs: usize, inputs: usize| -> Result<Linear> {
            Ok(Linear {
                w: get(&format!("{name}.weight"), &[outputs, inputs])?,
                b: get(&format!("{name}.bias"), &[outputs])?,
                inputs,
                outputs,
            })
        };
        let norm = |name: &str| -> Result<Norm> {
            Ok(Norm { g: get(&format!("{name}.weight"), &[d])?, b: get(&format!("{name}.bias"), &[d])? })
        };
        let words = get("embeddings.word_embeddings.weight", &[vocab.len(), d])?;
        let positions = get("embeddings.position_embeddings.weight", &[shape.positions, d])?;
        let token_type = tensors
            .get_rows("embeddings.token_type_embeddings.weight", d, 1)
            .map_err(|m| bad("model.safetensors", m))?;
        let embedding_norm = norm("embeddings.LayerNorm")?;
        let layers = (0..shape.layers)
            .map(|l| {
                let p = format!("encoder.layer.{l}");
                Ok(Layer {
                    query: linear(&format!("{p}.attention.self.query"), d, d)?,
                    key: linear(&format!("{p}.attention.self.key"), d, d)?,
                    value: linear(&format!("{p}.attention.self.value"), d, d)?,
                    output: linear(&format!("{p}.attention.output.dense"), d, d)?,
                    attention_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                    up: linear(&format!("{p}.intermediate.dense"), f, d)?,
                    down: linear(&format!("{p}.output.dense"), d, f)?,
                    output_norm: norm(&format!("{p}.output.LayerNorm"))?,
                })
            })
            .collect::<Result<Vec<Layer>>>()?;
        Ok(Model { shape, vocab, unknown, cls, sep, words, positions, token_type, embedding_norm, layers })
    }

    /// The embedding of the first `tokens` WordPiece tokens of `text` (at most the model's positions,
    /// two of them taken by the `[CLS]` and `[SEP]` markers); empty when the text has no token or the
    /// model cannot read it (see [`UNREADABLE`]).
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
        self.embed_all(texts, self.shape.positions.min(SENTENCE_TOKENS), scratch)
    }

    /// The embeddings of the `texts` that have a token and that the model can read, each cut to `tokens`
    /// WordPiece tokens with its markers, encoded together.
    fn embed_all<'t>(
        &self,
        texts: impl Iterator<Item = &'t str>,
        tokens: usize,
        scratch: &mut Scratch,
    ) -> Vec<Embedding> {
        let max = tokens.min(self.shape.positions).saturating_sub(2);
        let (mut all, mut lengths, mut ids) = (Vec::new(), Vec::new(), std::mem::take(&mut scratch.ids));
        for text in texts {
            self.tokenize(text, max, &mut ids, &mut scratch.word);
            let unknown = ids.iter().filter(|&&id| id == self.unknown).count();
            if !ids.is_empty() && (unknown as f64) <= UNREADABLE * ids.len() as f64 {
                all.push(self.cls);
                all.extend_from_slice(&ids);
                all.push(self.sep);
                lengths.push(ids.len() + 2);
            }
        }
        scratch.ids = ids;
        if lengths.is_empty() {
            return Vec::new();
        }
        let quantise = |v: Vec<f32>| v.iter().map(|&x| (x * SCALE).round().clamp(-SCALE, SCALE) as i8).collect();
        self.encode(&all, &lengths, scratch).into_iter().map(quantise).collect()
    }

    /// BERT's tokenizer: up to `max` WordPiece ids of `text`.
    fn tokenize(&self, text: &str, max: usize, ids: &mut Vec<u32>, word: &mut String) {
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

    /// The normalised mean of the encoder's last hidden states for each of the sequences laid end to end
    /// in `ids`, `lengths` long: the linear layers run over all their tokens at once (one large matrix
    /// product instead of one per sentence), attention within each sequence. Compiled twice on x86-64:
    /// for the baseline and for AVX2, taken when the processor has it (the element-wise loops run twice
    /// as wide; no sum changes order, so the results are the same).
    fn encode(&self, ids: &[u32], lengths: &[usize], s: &mut Scratch) -> Vec<Vec<f32>> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has the feature `encode_avx2` is compiled for.
            return unsafe { self.encode_avx2(ids, lengths, s) };
        }
        self.encode_with(ids, lengths, s)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn encode_avx2(&self, ids: &[u32], lengths: &[usize], s: &mut Scratch) -> Vec<Vec<f32>> {
        self.encode_with(ids, lengths, s)
    }

    #[inline(always)]
    fn encode_with(&self, ids: &[u32], lengths: &[usize], s: &mut Scratch) -> Vec<Vec<f32>> {
        let Shape { hidden: d, heads, eps, .. } = self.shape;
        let n = ids.len();
        debug_assert_eq!(lengths.iter().sum::<usize>(), n);
        let head = d / heads;
        let segments = || lengths.iter().scan(0, |at, &len| Some((std::mem::replace(at, *at + len), len)));
        s.x.clear();
        for (at, len) in segments() {
            for (p, &id) in ids[at..at + len].iter().enumerate() {
                let (w, pos) = (&self.words[id as usize * d..][..d], &self.positions[p * d..][..d]);
                s.x.extend(w.iter().zip(pos).zip(&self.token_type).map(|((a, b), c)| a + b + c));
            }
        }
        self.embedding_norm.apply(&mut s.x, eps);
        let longest = lengths.iter().copied().max().unwrap_or(0);
        for layer in &self.layers {
            layer.query.apply(&s.x, n, &mut s.q);
            layer.key.apply(&s.x, n, &mut s.k);
            layer.value.apply(&s.x, n, &mut s.v);
            s.context.clear();
            s.context.resize(n * d, 0.0);
            s.scores.resize(longest, 0.0);
            let scale = 1.0 / (head as f32).sqrt();
            // Attention within each sequence, head by head, as plain loops over the head's contiguous
            // columns: the products are too small for a GEMM's packing to pay (sentences are short).
            for (at, len) in segments() {
                for h in 0..heads {
                    // Where head `h`'s columns of the sequence's row `i` start.
                    let start = |i: usize| (at + i) * d + h * head;
                    for i in 0..len {
                        let weights = &mut s.scores[..len];
                        let q = &s.q[start(i)..][..head];
                        weights.iter_mut().enumerate().for_each(|(j, w)| *w = scale * dot(q, &s.k[start(j)..][..head]));
                        softmax(weights);
                        let context = &mut s.context[start(i)..][..head];
                        for (j, &w) in weights.iter().enumerate() {
                            context.iter_mut().zip(&s.v[start(j)..][..head]).for_each(|(c, v)| *c += w * v);
                        }
                    }
                }
            }
            layer.output.apply(&s.context, n, &mut s.y);
            layer.attention_norm.add_and_apply(&mut s.x, &s.y, eps);
            layer.up.apply(&s.x, n, &mut s.h);
            s.h.iter_mut().for_each(|v| *v = gelu(*v));
            layer.down.apply(&s.h, n, &mut s.y);
            layer.output_norm.add_and_apply(&mut s.x, &s.y, eps);
        }
        segments()
            .map(|(at, len)| {
                let mut mean = vec![0.0f32; d];
                for row in s.x[at * d..(at + len) * d].chunks_exact(d) {
                    mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
                }
                let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
                mean.iter_mut().for_each(|v| *v /= norm);
                mean
            })
            .collect()
    }
}

/// The dot product of two equally long rows, summed in eight lanes (so that it vectorises).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    row.iter_mut().for_each(|v| *v = exp(*v - max));
    let sum: f32 = row.iter().sum();
    row.iter_mut().for_each(|v| *v /= sum);
}

/// `e^x` in single precision to about two units in the last place (Cephes' `expf`: `x = n ln 2 + r`,
/// a polynomial in `r`, `2^n` put in the exponent bits), as plain arithmetic the compiler vectorises; a
/// library call per element was a seventh of the encoder's time. Arguments are clamped to where `e^x`
/// is a normal number.
fn exp(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5 · 2²³: adding it rounds to an integer.
    let x = x.clamp(-87.0, 88.0);
    let rounded = x * std::f32::consts::LOG2_E + ROUND;
    let n = rounded - ROUND;
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 1.666_666_5e-1)
        * r
        + 0.5;
    let y = p * r * r + r + 1.0;
    // `rounded`'s low mantissa bits hold n: 2ⁿ is n + 127 in the exponent bits (integer arithmetic
    // only, so that it vectorises as well).
    y * f32::from_bits(rounded.to_bits().wrapping_sub(ROUND.to_bits() - 127) << 23)
}

/// GELU as BERT computes it, `x Φ(x)` with the exact normal distribution function.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// The error function, to a relative error under 1.2e-7 (Numerical Recipes' Chebyshev fit of erfc),
/// evaluated in single precision (what the encoder keeps anyway).
fn erf(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_2
        + t * (1.000_023_7
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_204 + t * (1.488_515_9 + t * (-0.822_152_2 + t * 0.170_872_77))))))));
    let erfc = t * exp(poly);
    if x >= 0.0 { 1.0 - erfc } else { erfc - 1.0 }
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

/// The tensors of a safetensors file: a little-endian u64 header length, a JSON header naming each
/// tensor's type, shape and byte range, then the data.
struct Tensors {
    header: serde_json::Map<String, Value>,
    bytes: Vec<u8>,
    /// Where the data starts in `bytes`.
    start: usize,
}

impl Tensors {
    fn parse(bytes: Vec<u8>) -> std::result::Result<Tensors, String> {
        let len = bytes.get(..8).map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")) as usize);
        let header =
            len.and_then(|len| bytes.get(8..8usize.checked_add(len)?)).ok_or("truncated: no complete header")?;
        let header: serde_json::Map<String, Value> =
            serde_json::from_slice(header).map_err(|e| format!("header is not a JSON object: {e}"))?;
        let start = 8 + len.unwrap_or(0);
        Ok(Tensors { header, bytes, start })
    }

    /// The 32-bit float tensor `name`, checked to have `shape`.
    fn get(&self, name: &str, shape: &[usize]) -> std::result::Result<Vec<f32>, String> {
        let entry = self.header.get(name).ok_or_else(|| format!("no tensor {name:?}"))?;
        let found: Vec<usize> = entry["shape"]
            .as_array()
            .map(|s| s.iter().filter_map(|v| v.as_u64().map(|v| v as usize)).collect())
            .unwrap_or_default();
        if entry["dtype"] != "F32" || found != shape {
            return Err(format!("tensor {name:?} is {} {found:?}, expected F32 {shape:?}", entry["dtype"]));
        }
        self.floats(name, entry)
    }

    /// The first `rows` rows of the 32-bit float matrix `name` with `columns` columns.
    fn get_rows(&self, name: &str, columns: usize, rows: usize) -> std::result::Result<Vec<f32>, String> {
        let entry = self.header.get(name).ok_or_else(|| format!("no tensor {name:?}"))?;
        let mut v = self.floats(name, entry)?;
        if entry["dtype"] != "F32" || v.len() < rows * columns || v.len() % columns != 0 {
            return Err(format!("tensor {name:?} does not hold {rows} F32 rows of {columns}"));
        }
        v.truncate(rows * columns);
        Ok(v)
    }

    fn floats(&self, name: &str, entry: &Value) -> std::result::Result<Vec<f32>, String> {
        let at = |k: usize| entry["data_offsets"][k].as_u64().map(|v| v as usize);
        let data = &self.bytes[self.start..];
        let bytes = match (at(0), at(1)) {
            (Some(s), Some(e)) if s <= e && e <= data.len() && (e - s) % 4 == 0 => &data[s..e],
            _ => return Err(format!("tensor {name:?} has a bad byte range (truncated file?)")),
        };
        Ok(bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("four bytes"))).collect())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    // The neighbour search as the pipeline runs it, blocks of rows in parallel.
    use crate::pipeline::candidates::semantic_candidates as candidates;

    /// A deterministic pseudo-random float in −0.5..0.5.
    fn noise(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }

    fn random(n: usize, seed: &mut u64) -> Vec<f32> {
        (0..n).map(|_| noise(seed)).collect()
    }

    /// A small encoder with random weights over a hand-made vocabulary.
    fn tiny(seed: u64) -> Model {
        let seed = &mut seed.clone();
        let (d, f) = (8, 12);
        let shape = Shape { hidden: d, layers: 2, heads: 2, intermediate: f, positions: 16, eps: 1e-12 };
        let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "un", "##able", "##s", ".", ",", "cafe"];
        let vocab: HashMap<String, u32> = words.iter().enumerate().map(|(i, w)| (w.to_string(), i as u32)).collect();
        let mut linear = |outputs: usize, inputs: usize| Linear {
            w: random(outputs * inputs, seed),
            b: random(outputs, seed),
            inputs,
            outputs,
        };
        let layers = (0..shape.layers)
            .map(|_| Layer {
                query: linear(d, d),
                key: linear(d, d),
                value: linear(d, d),
                output: linear(d, d),
                attention_norm: Norm { g: vec![1.0; d], b: vec![0.0; d] },
                up: linear(f, d),
                down: linear(d, f),
                output_norm: Norm { g: vec![1.2; d], b: vec![0.1; d] },
            })
            .collect();
        Model {
            words: random(words.len() * d, seed),
            positions: random(shape.positions * d, seed),
            token_type: random(d, seed),
            embedding_norm: Norm { g: vec![0.9; d], b: vec![0.05; d] },
            shape,
            unknown: 1,
            cls: 2,
            sep: 3,
            vocab,
            layers,
        }
    }

    /// The encoder written out loop by loop, as the oracle of the SGEMM version.
    fn naive(m: &Model, ids: &[u32]) -> Vec<f32> {
        let Shape { hidden: d, heads, eps, .. } = m.shape;
        let head = d / heads;
        let linear = |l: &Linear, x: &[Vec<f32>]| -> Vec<Vec<f32>> {
            x.iter()
                .map(|row| {
                    (0..l.outputs)
                        .map(|o| l.b[o] + (0..l.inputs).map(|i| row[i] * l.w[o * l.inputs + i]).sum::<f32>())
                        .collect()
                })
                .collect()
        };
        let norm = |n: &Norm, x: &[Vec<f32>], y: &[Vec<f32>]| -> Vec<Vec<f32>> {
            x.iter()
                .zip(y)
                .map(|(a, b)| {
                    let s: Vec<f32> = a.iter().zip(b).map(|(p, q)| p + q).collect();
                    let mean = s.iter().sum::<f32>() / d as f32;
                    let var = s.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / d as f32;
                    (0..d).map(|k| (s[k] - mean) / (var + eps).sqrt() * n.g[k] + n.b[k]).collect()
                })
                .collect()
        };
        let x: Vec<Vec<f32>> = ids
            .iter()
            .enumerate()
            .map(|(p, &id)| {
                (0..d).map(|k| m.words[id as usize * d + k] + m.positions[p * d + k] + m.token_type[k]).collect()
            })
            .collect();
        let zeros = vec![vec![0.0; d]; ids.len()];
        let mut x = norm(&m.embedding_norm, &x, &zeros);
        for l in &m.layers {
            let (q, k, v) = (linear(&l.query, &x), linear(&l.key, &x), linear(&l.value, &x));
            let mut context = vec![vec![0.0; d]; ids.len()];
            for h in 0..heads {
                let cols = h * head..(h + 1) * head;
                for i in 0..ids.len() {
                    let scores: Vec<f32> = (0..ids.len())
                        .map(|j| cols.clone().map(|c| q[i][c] * k[j][c]).sum::<f32>() / (head as f32).sqrt())
                        .collect();
                    let max = scores.iter().copied().fold(f32::MIN, f32::max);
                    let e: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
                    let total: f32 = e.iter().sum();
                    for c in cols.clone() {
                        context[i][c] = (0..ids.len()).map(|j| e[j] / total * v[j][c]).sum();
                    }
                }
            }
            x = norm(&l.attention_norm, &x, &linear(&l.output, &context));
            let up: Vec<Vec<f32>> = linear(&l.up, &x).into_iter().map(|r| r.into_iter().map(gelu).collect()).collect();
            x = norm(&l.output_norm, &x, &linear(&l.down, &up));
        }
        let mut mean: Vec<f32> = (0..d).map(|k| x.iter().map(|r| r[k]).sum::<f32>()).collect();
        let len = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
        mean.iter_mut().for_each(|v| *v /= len);
        mean
    }

    #[test]
    fn tokenizer_splits_punctuation_and_word_pieces() {
        let m = tiny(1);
        let mut ids = Vec::new();
        m.tokenize("The cats sat, unable. Café zzz", 100, &mut ids, &mut String::new());
        // the cat ##s sat , un ##able . cafe [UNK]
        assert_eq!(ids, [4, 5, 9, 6, 11, 7, 8, 10, 12, 1]);
        m.tokenize("The cats sat", 2, &mut ids, &mut String::new());
        assert_eq!(ids, [4, 5]);
    }

    #[test]
    fn texts_mostly_unknown_to_the_model_are_not_embedded() {
        let m = tiny(1);
        let mut s = Scratch::default();
        // One unknown word in four is still read; two in four is a script the model does not know.
        assert!(!m.embed("the cat sat zzz", 16, &mut s).is_empty());
        assert!(m.embed("the cat zzz qqq", 16, &mut s).is_empty());
        let sentences = "the cat sat. 台风登陆 海燕 福建. the cats.";
        let ranges = [0..12, 13..39, 40..49].into_iter();
        assert_eq!(m.embed_sentences(sentences, ranges, 10, &mut s).len(), 2);
    }

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [(0.0, 0.0), (0.5, 0.520_499_9), (1.0, 0.842_700_8), (-2.0, -0.995_322_3), (3.5, 0.999_999_3)]
        {
            assert!((erf(x) - want).abs() < 2e-7, "erf({x}) = {} not {want}", erf(x));
        }
    }

    #[test]
    fn exp_matches_the_library() {
        for i in -8700..=8800 {
            let x = i as f32 / 100.0;
            let (got, want) = (exp(x), x.exp());
            assert!((got - want).abs() <= 3.0 * f32::EPSILON * want, "exp({x}) = {got} not {want}");
        }
        assert!(exp(-1000.0) < 1e-37 && exp(-1000.0) > 0.0);
    }

    #[test]
    fn dot_sums_every_product() {
        let a: Vec<f32> = (0..13).map(|i| i as f32).collect();
        assert_eq!(dot(&a, &a), (0..13).map(|i| (i * i) as f32).sum::<f32>());
    }

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

    #[test]
    fn safetensors_errors_name_the_problem() {
        assert!(Tensors::parse(vec![1, 2]).is_err());
        let header = br#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend(1.5f32.to_le_bytes().into_iter().chain(2.5f32.to_le_bytes()));
        let t = Tensors::parse(bytes.clone()).unwrap();
        assert_eq!(t.get("w", &[2]).unwrap(), [1.5, 2.5]);
        assert!(t.get("w", &[3]).unwrap_err().contains("expected F32 [3]"));
        assert!(t.get("v", &[2]).unwrap_err().contains("no tensor"));
        bytes.truncate(bytes.len() - 4);
        assert!(Tensors::parse(bytes).unwrap().get("w", &[2]).unwrap_err().contains("truncated"));
    }

    proptest! {
        #[test]
        fn encoder_matches_the_loop_by_loop_oracle(
            seed in any::<u64>(),
            ids in prop::collection::vec(0u32..13, 2..16),
            cut in any::<prop::sample::Index>(),
        ) {
            let m = tiny(seed);
            let got = m.encode(&ids, &[ids.len()], &mut Scratch::default());
            prop_assert_eq!(got.len(), 1);
            // Whichever build of the encoder the processor takes, the baseline's results exactly.
            prop_assert_eq!(&got, &m.encode_with(&ids, &[ids.len()], &mut Scratch::default()));
            // Two sequences encoded together: each as if alone.
            let cut = 1 + cut.index(ids.len() - 1);
            let both = m.encode(&ids, &[cut, ids.len() - cut], &mut Scratch::default());
            let (first, second) = ids.split_at(cut);
            for (got, want) in [(&got[0], naive(&m, &ids)), (&both[0], naive(&m, first)), (&both[1], naive(&m, second))] {
                for (g, w) in got.iter().zip(&want) {
                    prop_assert!((g - w).abs() < 1e-4, "{got:?} vs {want:?}");
                }
            }
        }
    }

    /// The published figure for the real model (sentence-transformers' documentation: 0.7553). Needs
    /// the model fetched by `scripts/setup-model`; run by `scripts/eval --model …`.
    #[test]
    #[ignore]
    fn real_model_reproduces_the_published_similarity() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2");
        let m = Model::load(&dir).unwrap_or_else(|e| panic!("{e} (run scripts/setup-model)"));
        let mut s = Scratch::default();
        let a = m.embed("A man is eating food.", 128, &mut s);
        let b = m.embed("A man is eating a piece of bread.", 128, &mut s);
        assert!((similarity(&a, &b) - 0.7553).abs() < 0.01, "{}", similarity(&a, &b));
    }
}
