//! Golden reports: the seed corpus's report in every output format, and from the seeds written out as
//! JSON Lines and as a WARC of HTML pages, compared byte for byte with the files in `tests/golden/`, for
//! one thread and for two.
//!
//! The binary runs in the repository's root (or the scratch folder holding the written-out seeds) on
//! relative paths, so no machine's path lands in a report. After an intended change of the reports,
//! `UNSPUN_BLESS=1 cargo test --release --test cli golden` rewrites the files (from the one-thread run;
//! the two-thread run is still compared with them); review them with `git diff tests/golden`.

use std::path::{Path, PathBuf};

use crate::common::{bin, repo, seeds, seeds_jsonl, seeds_warc};

/// The variable that, set to 1, rewrites the golden files instead of comparing with them.
const BLESS: &str = "UNSPUN_BLESS";

fn blessing() -> bool {
    std::env::var_os(BLESS).is_some_and(|v| v == "1")
}

fn golden_path(name: &str) -> PathBuf {
    repo().join("tests/golden").join(name)
}

/// Line `index` (from 0) of `bytes` split at `\n`, shown lossily, or a note that there is none.
fn nth_line(bytes: &[u8], index: usize) -> String {
    match bytes.split(|&b| b == b'\n').nth(index) {
        Some(line) => format!("{:?}", String::from_utf8_lossy(line)),
        None => "(no such line: the file ends before it)".to_string(),
    }
}

/// Says where `actual` first differs from `golden`, or None if they are the same bytes.
fn difference(golden: &[u8], actual: &[u8]) -> Option<String> {
    if golden == actual {
        return None;
    }
    let same = golden.iter().zip(actual).take_while(|(a, b)| a == b).count();
    let line = golden[..same].iter().filter(|&&b| b == b'\n').count();
    Some(format!(
        "first difference at byte {same}, line {} (golden {} bytes, output {} bytes)\n  golden: {}\n  output: {}",
        line + 1,
        golden.len(),
        actual.len(),
        nth_line(golden, line),
        nth_line(actual, line)
    ))
}

/// Runs `unspun scan --quiet -j N ARGS` in the folder `dir` for N = 1 and N = 2, and compares each
/// report on stdout with `tests/golden/NAME` byte for byte (under `UNSPUN_BLESS=1`, the one-thread
/// report is first written there). Each run must exit 0 with nothing on stderr, and its report must
/// hold no absolute path of this machine (the repository's or `dir`).
fn check_scan(name: &str, dir: &Path, args: &[&str]) {
    let path = golden_path(name);
    for threads in ["1", "2"] {
        let out = bin().current_dir(dir).args(["scan", "--quiet", "-j", threads]).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}, -j {threads}, scan {args:?}: {stderr}");
        assert!(stderr.is_empty(), "{name}, -j {threads}, scan {args:?}: stderr not empty: {stderr}");
        let report = String::from_utf8_lossy(&out.stdout);
        for absolute in [repo(), dir] {
            let absolute = absolute.to_str().unwrap();
            assert!(!report.contains(absolute), "{name}, -j {threads}: the report holds the path {absolute}");
        }
        if blessing() && threads == "1" {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &out.stdout).unwrap();
        }
        let golden = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e}; write it with {BLESS}=1 cargo test --release --test cli golden", path.display())
        });
        if let Some(difference) = difference(&golden, &out.stdout) {
            panic!(
                "the report of `unspun scan --quiet -j {threads} {}` differs from tests/golden/{name}: {difference}\n\
                 If the change is intended, re-bless with `{BLESS}=1 cargo test --release --test cli golden` and \
                 review `git diff tests/golden`.",
                args.join(" ")
            );
        }
    }
}

/// Checks the seed corpus's report (`unspun scan corpus`, from the repository's root) in a format.
fn check_seeds(name: &str, format: &[&str]) {
    let mut args = format.to_vec();
    args.push("corpus");
    check_scan(name, repo(), &args);
}

#[test]
fn golden_text() {
    check_seeds("seeds.txt", &["--format", "text"]);
}

#[test]
fn golden_text_explain() {
    check_seeds("seeds.explain.txt", &["--format", "text", "--explain"]);
}

#[test]
fn golden_json() {
    check_seeds("seeds.json", &["--format", "json"]);
}

#[test]
fn golden_jsonl() {
    check_seeds("seeds.jsonl", &["--format", "jsonl"]);
}

#[test]
fn golden_csv() {
    check_seeds("seeds.csv", &["--format", "csv"]);
}

#[test]
fn golden_summary() {
    check_seeds("seeds.summary.json", &["--format", "summary"]);
}

/// The seeds read from JSON Lines with URLs (`seeds_jsonl`, as `same_verdicts_from_every_input_format`
/// writes them), written as `seeds.jsonl` in a scratch folder that is the binary's current folder: the
/// JSON report.
#[test]
fn golden_json_from_jsonl_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("seeds.jsonl"), seeds_jsonl(&seeds())).unwrap();
    check_scan("seeds.from-jsonl.json", dir.path(), &["--format", "json", "seeds.jsonl"]);
}

/// The seeds as HTML pages in a WARC (`seeds_warc`, as `same_verdicts_from_every_input_format` writes
/// them), written as `seeds.warc` in a scratch folder that is the binary's current folder.
fn warc_of_seeds() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("seeds.warc"), seeds_warc(&seeds())).unwrap();
    dir
}

/// The seeds read from a WARC of HTML pages: the JSON report (the pages' text as extracted).
#[test]
fn golden_json_from_warc_input() {
    let dir = warc_of_seeds();
    check_scan("seeds.from-warc.json", dir.path(), &["--format", "json", "seeds.warc"]);
}

/// The seeds read from a WARC of HTML pages: the explained text report, which quotes the passages read
/// again from the archive.
#[test]
fn golden_text_explain_from_warc_input() {
    let dir = warc_of_seeds();
    check_scan("seeds.from-warc.explain.txt", dir.path(), &["--format", "text", "--explain", "seeds.warc"]);
}
