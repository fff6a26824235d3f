//! Ground truth files (`truth.jsonl`): one labelled pair a line, as in `corpus/` and the evaluation sets.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::escape::quoted;

/// One labelled pair.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct TruthPair {
    /// First document id.
    pub a: String,
    /// Second document id.
    pub b: String,
    /// One of [`RELATIONS`]: `near_copy`, `rewrite`, `partial` (positives) or `same_story`,
    /// `independent`, `unrelated`, `meaning_changed`, `graded` (negatives).
    pub relation: String,
    /// The original, when the data says which it is.
    #[serde(default)]
    pub source: Option<String>,
    /// The dataset's own finer label (a number or a truth value is read as its JSON text).
    #[serde(default, deserialize_with = "label")]
    pub label: Option<String>,
}

/// A label as written: a string, or the JSON text of a number or truth value (it only groups recall).
fn label<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    use serde::de::Error as _;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => Ok(Some(v.to_string())),
        Some(v) => Err(D::Error::custom(format!("label {v} is neither a string nor a number"))),
    }
}

/// The relations a truth pair can have (the vocabulary of `../shared/eval`): the positives first.
pub const RELATIONS: [&str; 8] =
    ["near_copy", "rewrite", "partial", "same_story", "independent", "unrelated", "meaning_changed", "graded"];

/// Reads a truth file. A malformed line is an error naming the file and line, and so is a line that
/// cannot be scored as meant: a relation outside [`RELATIONS`], a document paired with itself, a source
/// that is neither of the pair or given for a negative relation, a pair labelled twice. Truth must be
/// exact.
pub fn read_truth(path: &Path) -> Result<Vec<TruthPair>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    let mut out = Vec::new();
    let mut first_line = std::collections::HashMap::new();
    for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let at = n as u64 + 1;
        let wrong = |message: String| Error::Input { path: path.to_path_buf(), line: Some(at), message };
        let line = String::from_utf8(line)
            .map_err(|e| wrong(format!("not UTF-8 (byte {} of the line)", e.utf8_error().valid_up_to() + 1)))?;
        // A byte-order mark before the first line, as some editors write (that line may be blank).
        let line = if n == 0 { line.trim_start_matches('\u{feff}') } else { &line };
        if line.trim().is_empty() {
            continue;
        }
        let pair: TruthPair = serde_json::from_str(line).map_err(|e| Error::Json {
            path: path.to_path_buf(),
            line: at,
            message: crate::input::jsonl::json_error(&e),
        })?;
        if !RELATIONS.contains(&pair.relation.as_str()) {
            return Err(wrong(format!("relation {} is not one of {}", quoted(&pair.relation), RELATIONS.join(", "))));
        }
        if pair.a == pair.b {
            return Err(wrong(format!("{} is paired with itself", quoted(&pair.a))));
        }
        if let Some(source) = pair.source.as_ref().filter(|&s| *s != pair.a && *s != pair.b) {
            return Err(wrong(format!(
                "source {} is neither {} nor {}",
                quoted(source),
                quoted(&pair.a),
                quoted(&pair.b)
            )));
        }
        if pair.source.is_some() && !RELATIONS[..3].contains(&pair.relation.as_str()) {
            return Err(wrong(format!(
                "a source is given for {}, a relation where nothing is derived",
                quoted(&pair.relation)
            )));
        }
        let key = if pair.a < pair.b { (pair.a.clone(), pair.b.clone()) } else { (pair.b.clone(), pair.a.clone()) };
        if let Some(earlier) = first_line.insert(key, at) {
            return Err(wrong(format!(
                "{} and {} are labelled already, on line {earlier}",
                quoted(&pair.a),
                quoted(&pair.b)
            )));
        }
        out.push(pair);
    }
    if out.is_empty() {
        return Err(Error::Input { path: path.to_path_buf(), line: None, message: "no labelled pair".into() });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_that_cannot_be_scored_as_meant_is_refused_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("truth.jsonl");
        let good = r#"{"a": "x", "b": "y", "relation": "rewrite", "source": "x"}"#;
        std::fs::write(&path, format!("{good}\n\n{}\n", r#"{"a": "x", "b": "z", "relation": "unrelated"}"#)).unwrap();
        assert_eq!(read_truth(&path).unwrap().len(), 2);
        std::fs::write(&path, format!("\u{feff}{good}\n")).unwrap();
        assert_eq!(read_truth(&path).unwrap().len(), 1);
        // A mark before a blank first line too.
        std::fs::write(&path, format!("\u{feff}\n{good}\n")).unwrap();
        assert_eq!(read_truth(&path).unwrap().len(), 1);
        std::fs::write(&path, "\n").unwrap();
        assert!(read_truth(&path).unwrap_err().to_string().contains("no labelled pair"));
        let cases = [
            (r#"{"a": "x", "b": "z", "relation": "rewrtie"}"#, "relation \"rewrtie\" is not one of near_copy"),
            (r#"{"a": "z", "b": "z", "relation": "rewrite"}"#, "\"z\" is paired with itself"),
            (r#"{"a": "x", "b": "z", "relation": "rewrite", "source": "q"}"#, "source \"q\" is neither"),
            (r#"{"a": "y", "b": "x", "relation": "partial"}"#, "labelled already, on line 1"),
            (r#"{"a": "x", "b": "z", "relation": "rewrite", "source": 3}"#, "invalid type"),
            (r#"{"a": "x", "b": "z", "relation": "unrelated", "source": "x"}"#, "a source is given for \"unrelated\""),
            ("{\"a\": \"x\", \"b\": \"z\", \"relation\": \"rewrite\",}", "trailing comma at column 44"),
        ];
        for (line, message) in cases {
            std::fs::write(&path, format!("{good}\n{line}\n")).unwrap();
            let err = read_truth(&path).unwrap_err().to_string();
            assert!(err.contains("truth.jsonl:2") && err.contains(message), "{err}");
        }
        std::fs::write(&path, [format!("{good}\n").as_bytes(), b"{\"a\": \"\xff\"}\n"].concat()).unwrap();
        let err = read_truth(&path).unwrap_err().to_string();
        assert!(err.contains("truth.jsonl:2: not UTF-8 (byte 8 of the line)"), "{err}");
        std::fs::write(&path, r#"{"a": "x", "b": "y", "relation": "rewrite", "label": 7}"#).unwrap();
        assert_eq!(read_truth(&path).unwrap()[0].label.as_deref(), Some("7"));
    }
}
