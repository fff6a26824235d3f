//! Ground truth files (`truth.jsonl`): one labelled pair a line, as in `corpus/` and the evaluation sets.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// One labelled pair.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct TruthPair {
    /// First document id.
    pub a: String,
    /// Second document id.
    pub b: String,
    /// `near_copy`, `rewrite`, `partial` (positives) or `same_story`, `independent`, `unrelated`.
    pub relation: String,
    /// The original, when the data says which it is.
    #[serde(default)]
    pub source: Option<String>,
    /// The dataset's own finer label.
    #[serde(default)]
    pub label: Option<String>,
}

/// Reads a truth file. A malformed line is an error naming the file and line: truth must be exact.
pub fn read_truth(path: &Path) -> Result<Vec<TruthPair>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        if line.trim().is_empty() {
            continue;
        }
        let pair: TruthPair = serde_json::from_str(&line).map_err(|e| Error::Json {
            path: path.to_path_buf(),
            line: n as u64 + 1,
            message: e.to_string(),
        })?;
        out.push(pair);
    }
    Ok(out)
}
