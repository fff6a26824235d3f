//! The encoder behind the semantic view: [`Model`] loads a BERT encoder in sentence-transformers'
//! layout (`config.json`, `tokenizer.json`, `model.safetensors`) and embeds texts. A document's
//! embedding is the normalised mean of the encoder's outputs over the first `tokens` WordPiece tokens of
//! its text: its lead, which an LLM rewrite restates and an article grown from the lead keeps. The
//! encoder runs on the CPU, its matrix products through `matrixmultiply`'s SGEMM (`gemm`, which the
//! neighbour search in the parent module shares), one document at a time on the calling thread (the
//! pipeline decides parallelism); it is compiled twice on x86-64 and takes the AVX2 build when the
//! processor has it. Neighbours: `wordpiece` turns texts into token ids, `safetensors` reads the
//! weights, and the parent module, `embed`, compares the 8-bit embeddings [`Model::embed`] returns.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::safetensors::Tensors;
use super::wordpiece::WordPiece;
use super::{Embedding, quantise};
use crate::error::{Error, Result};

/// WordPiece tokens of a sentence embedded (a longer sentence is cut).
pub(super) const SENTENCE_TOKENS: usize = 96;

/// Share of a text's WordPiece tokens unknown to the model above which the text is not embedded: a
/// script the model was not trained on (Chinese and Thai to an English model) is mostly `[UNK]`, and such
/// texts would all embed near one point, as if they meant the same.
pub const UNREADABLE: f64 = 0.25;

/// The WordPiece vocabulary of the model in `dir` (its `tokenizer.json`) and the ids of its `[UNK]`,
/// `[CLS]` and `[SEP]` tokens.
pub(super) fn read_tokenizer(dir: &Path) -> Result<(WordPiece, [u32; 3])> {
    let path = dir.join("tokenizer.json");
    let bad = |message: String| Error::Input { path: path.clone(), line: None, message };
    let bytes = std::fs::read(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
    let tokenizer: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let vocab: HashMap<String, u32> = tokenizer["model"]["vocab"]
        .as_object()
        .ok_or_else(|| bad("no model.vocab (a WordPiece vocabulary)".into()))?
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_u64()? as u32)))
        .collect();
    let special =
        |token: &str| vocab.get(token).copied().ok_or_else(|| bad(format!("no {token} token in the vocabulary")));
    let specials = [special("[UNK]")?, special("[CLS]")?, special("[SEP]")?];
    if let Some((piece, _)) = vocab.iter().find(|&(_, &id)| id as usize >= vocab.len()) {
        return Err(bad(format!("the id of {piece:?} is beyond the vocabulary's {} entries", vocab.len())));
    }
    Ok((WordPiece { vocab, unknown: specials[0] }, specials))
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
pub(super) struct Strided<'a> {
    pub(super) data: &'a [f32],
    pub(super) row: usize,
    pub(super) column: usize,
}

/// `c = alpha · a · b` for `a` of `m × k` and `b` of `k × n` (any strides: a transpose is a view), into
/// the `m × n` row-major matrix of row stride `c_row` at the start of `c`, overwritten.
#[allow(clippy::too_many_arguments)]
pub(super) fn gemm(m: usize, k: usize, n: usize, alpha: f32, a: Strided, b: Strided, c: &mut [f32], c_row: usize) {
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
    wordpiece: WordPiece,
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
    pub(super) ids: Vec<u32>,
    pub(super) word: String,
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
        let (wordpiece, [_, cls, sep]) = read_tokenizer(dir)?;
        let vocab = &wordpiece.vocab;
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
        Ok(Model { shape, wordpiece, cls, sep, words, positions, token_type, embedding_norm, layers })
    }

    /// A copy of the vocabulary, for the word vectors' tests.
    #[cfg(test)]
    pub(super) fn wordpiece_for_tests(&self) -> WordPiece {
        WordPiece { vocab: self.wordpiece.vocab.clone(), unknown: self.wordpiece.unknown }
    }

    /// The size of the vocabulary.
    pub(super) fn vocabulary(&self) -> usize {
        self.wordpiece.vocab.len()
    }

    /// The width of an embedding.
    pub(super) fn dims(&self) -> usize {
        self.shape.hidden
    }

    /// The most tokens a sentence is embedded from, markers included.
    pub(super) fn sentence_tokens(&self) -> usize {
        self.shape.positions.min(SENTENCE_TOKENS)
    }

    /// The normalised encoding of each of the vocabulary entries `ids` alone between the markers.
    pub(super) fn encode_alone(&self, ids: &[u32], scratch: &mut Scratch) -> Vec<Vec<f32>> {
        let sequences: Vec<u32> = ids.iter().flat_map(|&id| [self.cls, id, self.sep]).collect();
        self.encode(&sequences, &vec![3; ids.len()], scratch)
    }

    /// The embeddings of the `texts` that have a token and that the model can read, each cut to `tokens`
    /// WordPiece tokens with its markers, encoded together.
    pub(super) fn embed_all<'t>(
        &self,
        texts: impl Iterator<Item = &'t str>,
        tokens: usize,
        scratch: &mut Scratch,
    ) -> Vec<Embedding> {
        let max = tokens.min(self.shape.positions).saturating_sub(2);
        let (mut all, mut lengths, mut ids) = (Vec::new(), Vec::new(), std::mem::take(&mut scratch.ids));
        for text in texts {
            self.wordpiece.tokenize(text, max, &mut ids, &mut scratch.word);
            if self.wordpiece.readable(&ids) {
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
        self.encode(&all, &lengths, scratch).iter().map(|v| quantise(v)).collect()
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

#[cfg(test)]
pub(super) mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::embed::{Encoder, similarity};

    /// A deterministic pseudo-random float in −0.5..0.5.
    fn noise(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }

    fn random(n: usize, seed: &mut u64) -> Vec<f32> {
        (0..n).map(|_| noise(seed)).collect()
    }

    /// A small encoder with random weights over a hand-made vocabulary.
    pub(in crate::embed) fn tiny(seed: u64) -> Model {
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
            cls: 2,
            sep: 3,
            wordpiece: WordPiece { vocab, unknown: 1 },
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
    fn texts_mostly_unknown_to_the_model_are_not_embedded() {
        let m = Encoder::Transformer(tiny(1));
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
        let m = Encoder::Transformer(Model::load(&dir).unwrap_or_else(|e| panic!("{e} (run scripts/setup-model)")));
        let mut s = Scratch::default();
        let a = m.embed("A man is eating food.", 128, &mut s);
        let b = m.embed("A man is eating a piece of bread.", 128, &mut s);
        assert!((similarity(&a, &b) - 0.7553).abs() < 0.01, "{}", similarity(&a, &b));
    }
}
