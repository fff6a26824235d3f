//! Word vectors distilled from the encoder: the semantic view a crawl can afford. Each WordPiece of the
//! model's vocabulary is run through the encoder once, alone between its `[CLS]` and `[SEP]` markers, and
//! its output kept as a fixed vector (the distillation of Model2Vec, without its training step); the
//! vectors are centred on their mean, which every output shares and which says nothing about meaning,
//! and normalised. A text's embedding is then the normalised mean of its pieces' vectors, stop words left
//! out: microseconds instead of the encoder's milliseconds, and blind to word order, so
//! [`crate::score`] still asks a rewrite to restate sentence after sentence in order.
//!
//! [`WordVectors::distill`] makes the table from a [`Model`] (`unspun model distill DIR`, which
//! `scripts/setup-model` runs) and writes it beside the model as `word-vectors.safetensors`;
//! [`WordVectors::load`] reads it with the model's `tokenizer.json`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::model::{Model, Scratch, read_tokenizer};
use super::safetensors::{Tensors, write_f32};
use super::wordpiece::WordPiece;
use super::{Embedding, quantise};
use crate::error::{Error, Result};
use crate::shingle::is_stop_word;

/// The table's file in a model's folder.
pub const FILE: &str = "word-vectors.safetensors";
/// The table's tensor.
const TENSOR: &str = "vectors";
/// Vocabulary entries encoded at once while distilling.
const BATCH: usize = 256;

/// One vector per WordPiece of a model's vocabulary.
pub struct WordVectors {
    wordpiece: WordPiece,
    dims: usize,
    /// `vocabulary × dims`, row by id; zero for stop words, `[UNK]` and the markers.
    vectors: Vec<f32>,
}

impl WordVectors {
    /// The table of `model`: each vocabulary entry encoded alone, centred and normalised.
    pub fn distill(model: &Model) -> Vec<f32> {
        let ids: Vec<u32> = (0..model.vocabulary() as u32).collect();
        let mut vectors: Vec<f32> = ids
            .par_chunks(BATCH)
            .map_init(Scratch::default, |scratch, ids| model.encode_alone(ids, scratch))
            .flatten_iter()
            .flatten()
            .collect();
        let d = model.dims();
        let mut mean = vec![0.0f64; d];
        for row in vectors.chunks_exact(d) {
            mean.iter_mut().zip(row).for_each(|(m, &v)| *m += v as f64);
        }
        let n = (vectors.len() / d).max(1) as f64;
        for row in vectors.chunks_exact_mut(d) {
            row.iter_mut().zip(&mean).for_each(|(v, m)| *v -= (m / n) as f32);
            normalise(row);
        }
        vectors
    }

    /// Distils `model` (in `dir`) and writes the table to `dir`/word-vectors.safetensors; returns its path.
    pub fn distill_into(dir: &Path) -> Result<PathBuf> {
        let model = Model::load(dir)?;
        let vectors = WordVectors::distill(&model);
        let path = dir.join(FILE);
        let shape = [model.vocabulary(), model.dims()];
        let bytes = write_f32(TENSOR, &shape, &vectors);
        let temporary = dir.join(format!("{FILE}.partial"));
        std::fs::write(&temporary, bytes).map_err(|source| Error::Write { path: temporary.clone(), source })?;
        std::fs::rename(&temporary, &path).map_err(|source| Error::Write { path: path.clone(), source })?;
        Ok(path)
    }

    /// Reads the table in `dir` with the model's vocabulary; an error naming the file when it is missing
    /// (run `unspun model distill DIR`) or does not fit the vocabulary.
    pub fn load(dir: &Path) -> Result<WordVectors> {
        let path = dir.join(FILE);
        let (wordpiece, specials) = read_tokenizer(dir)?;
        let bad = |message: String| Error::Input { path: path.clone(), line: None, message };
        let bytes = std::fs::read(&path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => bad(format!(
                "no word vectors: make them with `unspun model distill {}` (scripts/setup-model does)",
                crate::escape::path_text(dir)
            )),
            _ => Error::Read { path: path.clone(), source },
        })?;
        let tensors = Tensors::parse(bytes).map_err(bad)?;
        let rows = wordpiece.vocab.len();
        let vectors = tensors.get_any(TENSOR).map_err(bad)?;
        let dims = vectors.len() / rows.max(1);
        if dims == 0 || vectors.len() != rows * dims {
            return Err(bad(format!("{} values do not make one vector per {rows} vocabulary entries", vectors.len())));
        }
        let mut table = WordVectors { wordpiece, dims, vectors };
        table.silence(specials);
        Ok(table)
    }

    /// Zeroes the vectors of the markers `specials`, of stop words and of punctuation, which say nothing
    /// of what a text is about.
    fn silence(&mut self, specials: [u32; 3]) {
        let silent_piece = |piece: &str| is_stop_word(piece) || !piece.chars().any(char::is_alphanumeric);
        let mut silent: Vec<u32> = specials.to_vec();
        silent.extend(self.wordpiece.vocab.iter().filter(|(piece, _)| silent_piece(piece)).map(|(_, &id)| id));
        for id in silent {
            self.vectors[id as usize * self.dims..][..self.dims].fill(0.0);
        }
    }

    /// The embeddings of the `texts` that have a word and that the model can read, each from its first
    /// `tokens` WordPiece tokens; like [`Model::embed_all`].
    pub(super) fn embed_all<'t>(
        &self,
        texts: impl Iterator<Item = &'t str>,
        tokens: usize,
        scratch: &mut Scratch,
    ) -> Vec<Embedding> {
        let mut out = Vec::new();
        let mut sum = vec![0.0f32; self.dims];
        for text in texts {
            self.wordpiece.tokenize(text, tokens, &mut scratch.ids, &mut scratch.word);
            let ids = &scratch.ids;
            if !self.wordpiece.readable(ids) {
                continue;
            }
            sum.fill(0.0);
            for &id in ids {
                let v = &self.vectors[id as usize * self.dims..][..self.dims];
                sum.iter_mut().zip(v).for_each(|(s, x)| *s += x);
            }
            if sum.iter().all(|&v| v == 0.0) {
                continue;
            }
            normalise(&mut sum);
            out.push(quantise(&sum));
        }
        out
    }
}

/// Scales `v` to unit length (a zero vector stays zero).
fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::model::tests::tiny;
    use crate::embed::similarity;

    /// The tiny encoder's table, loaded as [`WordVectors::load`] would.
    fn table(model: &Model) -> WordVectors {
        let vectors = WordVectors::distill(model);
        let mut w = WordVectors { wordpiece: tiny(0).wordpiece_for_tests(), dims: model.dims(), vectors };
        w.silence([1, 2, 3]);
        w
    }

    #[test]
    fn each_vocabulary_entry_is_its_encoding_alone_centred() {
        let model = tiny(7);
        let vectors = WordVectors::distill(&model);
        let d = model.dims();
        assert_eq!(vectors.len(), model.vocabulary() * d);
        let alone: Vec<Vec<f32>> = (0..model.vocabulary() as u32)
            .map(|id| model.encode_alone(&[id], &mut Scratch::default()).remove(0))
            .collect();
        let mean: Vec<f32> = (0..d).map(|k| alone.iter().map(|v| v[k]).sum::<f32>() / alone.len() as f32).collect();
        for (row, v) in vectors.chunks_exact(d).zip(&alone) {
            let mut want: Vec<f32> = v.iter().zip(&mean).map(|(x, m)| x - m).collect();
            normalise(&mut want);
            for (g, w) in row.iter().zip(&want) {
                assert!((g - w).abs() < 1e-5, "{row:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn stop_words_punctuation_and_markers_add_nothing() {
        let w = table(&tiny(3));
        let mut s = Scratch::default();
        let embed = |text: &str, s: &mut Scratch| w.embed_all(std::iter::once(text), 64, s);
        assert_eq!(embed("the cat, sat.", &mut s), embed("cat sat", &mut s));
        assert_ne!(embed("cat sat", &mut s), embed("cat", &mut s));
        // Nothing but stop words and punctuation: no embedding, as for a text without words.
        assert!(embed("the, the.", &mut s).is_empty());
        assert!(embed("", &mut s).is_empty());
        // A text mostly unknown to the vocabulary is not embedded.
        assert!(embed("cat zzz qqq", &mut s).is_empty());
        let (a, b) = (embed("cat sat", &mut s).remove(0), embed("sat cat", &mut s).remove(0));
        assert!((similarity(&a, &b) - 1.0).abs() < 0.01, "word order does not matter to a bag of meanings");
    }

    #[test]
    fn the_table_is_written_and_read_back_with_the_vocabulary() {
        let dir = tempfile::tempdir().unwrap();
        let model = tiny(5);
        let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "un", "##able", "##s", ".", ",", "cafe"];
        let vocab: serde_json::Map<String, serde_json::Value> =
            words.iter().enumerate().map(|(i, w)| (w.to_string(), i.into())).collect();
        std::fs::write(dir.path().join("tokenizer.json"), serde_json::json!({"model": {"vocab": vocab}}).to_string())
            .unwrap();
        // No table yet: the error names the file to make.
        let missing = WordVectors::load(dir.path()).err().unwrap().to_string();
        assert!(missing.contains(FILE), "{missing}");
        let vectors = WordVectors::distill(&model);
        std::fs::write(dir.path().join(FILE), write_f32(TENSOR, &[words.len(), model.dims()], &vectors)).unwrap();
        let loaded = WordVectors::load(dir.path()).unwrap();
        let mut s = Scratch::default();
        assert_eq!(
            loaded.embed_all(std::iter::once("cat sat"), 64, &mut s),
            table(&model).embed_all(std::iter::once("cat sat"), 64, &mut s)
        );
        // A table made for another vocabulary is refused, naming the file.
        std::fs::write(dir.path().join(FILE), write_f32(TENSOR, &[5, model.dims()], &vectors[..5 * model.dims()]))
            .unwrap();
        let wrong = WordVectors::load(dir.path()).err().unwrap().to_string();
        assert!(wrong.contains(FILE) && wrong.contains("vocabulary"), "{wrong}");
    }
}
