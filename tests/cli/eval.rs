//! `eval` over the labelled sets in `../shared/eval`: slow, so `#[ignore]`d and run by `scripts/eval`
//! (`cargo test --release -- --ignored`). Each test holds the line the defaults reach today, so a change
//! that loses accuracy fails here.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{bin, json, repo};

fn eval_set(name: &str) -> Value {
    let dir: PathBuf = repo().join("../shared/eval").join(name);
    assert!(dir.join("truth.jsonl").is_file(), "{} is missing: ../shared must sit beside the repo", dir.display());
    let out = bin().args(["eval", "--quiet", "--format", "json"]).arg(&dir).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 2)), "{}", String::from_utf8_lossy(&out.stderr));
    json(&out)
}

fn f(e: &Value, key: &str) -> f64 {
    e[key].as_f64().unwrap_or_else(|| panic!("no {key} in {e}"))
}

#[test]
#[ignore = "reads ../shared/eval; run by scripts/eval"]
fn clough_stevenson_plagiarism() {
    let e = eval_set("clough-stevenson");
    // F1 is 0.953 with the default seed and 0.948-0.955 over hash seeds 1-6 (recall 53/57 every time;
    // which marginal answer pairs become candidates varies): the line held is the target.
    assert!(f(&e, "f1") >= 0.95 && f(&e, "recall") >= 0.92, "{e}");
    // Direction by the fitted model (docs/direction.md): 43 of 53 decided, all right (50 of 53 with the
    // hand-set rules before, fitted while looking at this set).
    assert!(f(&e, "decided_share") >= 0.8 && f(&e, "accuracy") >= 0.95, "{e}");
    assert_eq!(e["negatives_reported"]["independent"].as_u64().unwrap_or(0), 0, "{e}");
}

#[test]
#[ignore = "reads ../shared/eval; run by scripts/eval"]
fn news_story_chains_reports_no_unrelated_pair() {
    let e = eval_set("news-story-chains");
    assert_eq!(e["negatives_reported"]["unrelated"].as_u64().unwrap_or(0), 0, "{e}");
}

#[test]
#[ignore = "reads ../shared/eval; run by scripts/eval"]
fn llmfake_rewrites_are_reported_precisely_and_directed() {
    let e = eval_set("llmfake-news-rewrites");
    assert!(f(&e, "precision") >= 0.8 && f(&e, "precision_star") >= 0.85, "{e}");
    assert!(f(&e, "recall") >= 0.25, "{e}");
    // Direction by the fitted model (docs/direction.md): 1,032 of 2,119 decided, 883 right (0.86); the
    // hand-set rules before decided 1,140 with 875 right (0.77). Held out (fitted without this set):
    // 0.23 decided, 0.91 right.
    assert!(f(&e, "decided_share") >= 0.45 && f(&e, "accuracy") >= 0.83, "{e}");
}
