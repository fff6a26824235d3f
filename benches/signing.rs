//! Signing throughput per core, stage by stage, over real news: `cargo bench --bench signing [FILE]`.
//!
//! Reads the articles of FILE (JSON Lines, plain or compressed; default: the news-scale set in
//! `../shared/eval`), then times on one thread, best of three: the tokenizer (`tokenize_into`), the
//! words-only hasher (`word_hashes`), word 5-gram hashing and the 128-lane MinHash fold, and the whole
//! words-view signing; each as MB of text per second. No assertions: a measuring tool, not a test.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use unspun::input::{self, InputOptions};
use unspun::minhash::{EMPTY, Hasher, MinHashParams};
use unspun::progress::NoProgress;
use unspun::shingle::{Masks, Tokens, View, tokenize_into, word_hashes, word_ngrams};

fn best_of_three(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("three runs")
}

/// The word 5-gram hashes of `words`, into `out`.
fn five_grams(words: &[u64], out: &mut Vec<u64>) {
    out.clear();
    word_ngrams(words, 5, 1, |x| out.push(x));
}

/// The 5-grams of `words` folded into a fresh signature in `mins`.
fn sign(hasher: &Hasher, words: &[u64], shingles: &mut Vec<u64>, mins: &mut [u32]) {
    five_grams(words, shingles);
    mins.fill(EMPTY);
    hasher.update_all(mins, shingles);
}

fn main() {
    let path = std::env::args().skip(1).find(|a| !a.starts_with("--")).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/news-scale/news-scale.jsonl.gz")
    });
    let options = InputOptions::default();
    let (files, _) = input::discover(std::slice::from_ref(&path), &options).unwrap_or_else(|e| panic!("{e}"));
    let mut texts = Vec::new();
    for file in &files {
        let mut emit = |d: input::Document| texts.push(d.text);
        let mut problem = |p: input::Problem| eprintln!("{}", p.message);
        if let Err(e) = input::read(file, &options, &mut emit, &mut problem, &NoProgress) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
    }
    let mb = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    println!("{}: {} articles, {mb:.1} MB of text; one thread, best of three", path.display(), texts.len());
    let report = |name: &str, d: Duration| println!("{name:<34} {:>8.0} MB/s", mb / d.as_secs_f64());

    let (mut tokens, mut scratch, mut words, mut masks) =
        (Tokens::default(), String::new(), Vec::new(), Masks::default());
    report(
        "tokenize_into (offsets, stems)",
        best_of_three(|| texts.iter().for_each(|t| tokenize_into(t, &mut tokens, &mut scratch))),
    );
    report(
        "word_hashes",
        best_of_three(|| {
            texts.iter().for_each(|t| {
                word_hashes(t, &mut words, &mut masks, &mut scratch);
            })
        }),
    );
    let all_words: Vec<Vec<u64>> = texts
        .iter()
        .map(|t| {
            word_hashes(t, &mut words, &mut masks, &mut scratch);
            words.clone()
        })
        .collect();
    let mut shingles = Vec::new();
    report("word 5-grams", best_of_three(|| all_words.iter().for_each(|w| five_grams(w, &mut shingles))));
    let hasher = Hasher::new(MinHashParams { view: View::Words, shingle: 5, num_hashes: 128, seed: 1 });
    let mut mins = vec![EMPTY; 128];
    report(
        "word 5-grams + MinHash (128 lanes)",
        best_of_three(|| all_words.iter().for_each(|w| sign(&hasher, w, &mut shingles, &mut mins))),
    );
    report(
        "signing the words view, whole",
        best_of_three(|| {
            texts.iter().for_each(|t| {
                word_hashes(t, &mut words, &mut masks, &mut scratch);
                sign(&hasher, &words, &mut shingles, &mut mins);
            })
        }),
    );
}
