//! The only code that touches the file system for reading: it finds the articles under the paths given,
//! decodes them into [`Document`]s, and fetches a document's text again later by its [`Origin`] (the
//! verification stage re-reads only the texts of candidate pairs, so the texts of a large input are never
//! all held at once). Each format is a submodule; damaged input becomes a [`Problem`] naming the file
//! and line or record, and reading goes on with the rest.

mod text;
mod truth;

pub use truth::{TruthPair, read_truth};

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Where in its file a document's text lives, so it can be read again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The whole file is the document.
    File,
}

/// One article as read.
#[derive(Clone, Debug)]
pub struct Document {
    /// Identifier: for a file in a folder, its path relative to the folder given, without extension.
    pub id: String,
    /// The file it came from.
    pub path: PathBuf,
    /// Where in the file.
    pub origin: Origin,
    /// The text, decoded (lossily where the input was not valid UTF-8 and that was reported).
    pub text: String,
    /// Publication date as given by the input (ISO 8601), when known.
    pub date: Option<String>,
    /// Other fields the input carried (url, title, outlet…), passed through to the report.
    pub extra: Map<String, Value>,
}

/// A piece of input that was damaged or could not be read: reported once, counted, and skipped (or
/// read lossily, as `message` says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file concerned.
    pub path: PathBuf,
    /// Line number (1-based) or record offset within the file, when the problem is inside it.
    pub line: Option<u64>,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// How to find and decode articles.
#[derive(Clone, Debug)]
pub struct InputOptions {
    /// File extensions (without the dot) that are articles when a folder is scanned.
    pub extensions: Vec<String>,
    /// Documents longer than this many bytes are cut to it (at a character boundary), with a warning:
    /// one enormous document must not cost more than the rest of the run.
    pub max_document_bytes: usize,
}

impl Default for InputOptions {
    fn default() -> InputOptions {
        InputOptions { extensions: vec!["txt".into()], max_document_bytes: 4 << 20 }
    }
}

/// A file to read, with the id prefix its documents get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// The file.
    pub path: PathBuf,
    /// For a file found in a folder: its path relative to that folder, without extension, `/`-separated.
    pub id: String,
}

/// Expands the paths given on the command line into the files to read, sorted, and the problems met on
/// the way (unreadable folders, missing paths). Folders are walked recursively; in a folder, only files
/// with one of `options.extensions` are articles. A file named directly is read whatever its extension.
pub fn discover(paths: &[PathBuf], options: &InputOptions) -> (Vec<InputFile>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for root in paths {
        match std::fs::metadata(root) {
            Ok(meta) if meta.is_dir() => walk(root, root, options, &mut files, &mut problems),
            Ok(_) => files.push(InputFile { path: root.clone(), id: id_for(root, root.parent()) }),
            Err(e) => problems.push(Problem { path: root.clone(), line: None, message: e.to_string() }),
        }
    }
    files.sort_by(|a, b| (&a.id, &a.path).cmp(&(&b.id, &b.path)));
    files.dedup_by(|a, b| a.path == b.path);
    (files, problems)
}

fn walk(root: &Path, dir: &Path, options: &InputOptions, files: &mut Vec<InputFile>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(Problem { path: dir.to_path_buf(), line: None, message: format!("cannot list folder: {e}") });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(root, &path, options, files, problems);
        } else if has_extension(&path, &options.extensions) {
            files.push(InputFile { id: id_for(&path, Some(root)), path });
        }
    }
}

fn has_extension(path: &Path, extensions: &[String]) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    extensions.iter().any(|ext| name.ends_with(&format!(".{}", ext.to_lowercase())))
}

/// The id of a file: its path relative to `root` without its last extension, with `/` separators.
fn id_for(path: &Path, root: Option<&Path>) -> String {
    let relative = root.and_then(|r| path.strip_prefix(r).ok()).unwrap_or(path);
    let relative = relative.with_extension("");
    let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

/// Reads every document of `file`, calling `emit` for each good one and `problem` for each damaged one.
/// Returns an error only when the file as a whole cannot be read.
pub fn read(
    file: &InputFile,
    options: &InputOptions,
    emit: &mut dyn FnMut(Document),
    problem: &mut dyn FnMut(Problem),
) -> Result<()> {
    text::read(file, options, emit, problem)
}

/// Reads the text of a document again, from where it was first read.
pub fn reload(path: &Path, origin: &Origin, options: &InputOptions) -> Result<String> {
    match origin {
        Origin::File => text::reload(path, options),
    }
}

/// Decodes bytes as UTF-8, lossily where they are not, and caps their length. Returns the text and a
/// description of what was done to it, if anything.
pub(crate) fn decode(bytes: &[u8], max_bytes: usize) -> (String, Option<String>) {
    let mut note = None;
    let mut text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            note = Some(format!("invalid UTF-8 at byte {}; decoded with replacement characters", e.valid_up_to()));
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    if text.len() > max_bytes {
        let mut cut = max_bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        note = Some(format!("document of {} bytes cut to the first {cut}", bytes.len()));
    }
    (text, note)
}

/// Whether bytes look like a binary file rather than text: NUL bytes near the start.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

/// Reads the date part of an ISO 8601 date or date-time (`2025-05-24`, `2025-05-24T10:30:00Z`) as days
/// since 1970-01-01, with the time of day as a fraction when given. Returns `None` for anything else.
pub fn parse_day(date: &str) -> Option<f64> {
    let date = date.trim();
    let (y, rest) = date.split_once('-')?;
    let (m, rest) = rest.split_once('-')?;
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let time = &rest[digits..];
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, rest[..digits].parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let fraction = time
        .strip_prefix(['T', ' '])
        .and_then(|t| {
            let mut parts = t.split(':');
            let h: f64 = parts.next()?.parse().ok()?;
            let min: f64 = parts.next()?.get(..2)?.parse().ok()?;
            Some((h * 60.0 + min) / 1440.0)
        })
        .unwrap_or(0.0);
    Some(days as f64 + fraction)
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Error {
        Error::Format { path: p.path, offset: p.line.unwrap_or(0), message: p.message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_to_days() {
        assert_eq!(parse_day("1970-01-01"), Some(0.0));
        assert_eq!(parse_day("2025-05-24"), Some(20232.0));
        assert_eq!(parse_day("2025-05-24T12:00:00Z"), Some(20232.5));
        assert_eq!(parse_day("24 May 2025"), None);
        assert_eq!(parse_day("2025-13-01"), None);
    }

    #[test]
    fn ids_are_relative_paths_without_extension() {
        assert_eq!(id_for(Path::new("corpus/docs/a/b.txt"), Some(Path::new("corpus"))), "docs/a/b");
        assert_eq!(id_for(Path::new("x/001_y.txt"), Some(Path::new("x"))), "001_y");
    }

    #[test]
    fn decode_reports_invalid_utf8_and_caps_length() {
        let (text, note) = decode(b"ab\xffcd", 100);
        assert_eq!(text, "ab\u{fffd}cd");
        assert!(note.unwrap().contains("byte 2"));
        let (text, note) = decode("ééé".as_bytes(), 3);
        assert_eq!(text, "é");
        assert!(note.is_some());
        assert_eq!(decode(b"fine", 10), ("fine".to_string(), None));
    }

    #[test]
    fn discover_walks_folders_and_filters_extensions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        for name in ["b.txt", "a.TXT", "README.md", "truth.jsonl", "sub/c.txt"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let missing = dir.path().join("missing");
        let (files, problems) = discover(&[dir.path().to_path_buf(), missing.clone()], &InputOptions::default());
        let ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b", "sub/c"]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, missing);
    }
}
