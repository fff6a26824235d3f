//! The pieces of a collection judged in parts on a cluster (the `unspun.spark` job), each the library's own
//! ([`unspun::pipeline::parts`]): reading a file or a file's lines into documents, the hash that puts a
//! text's copies in one part, a part's statistics and their sum, each document's bucket keys, the judgement
//! of a union of whole components, and the report's lines (written by [`unspun::report`], so the JSON
//! Lines contract is the command line's).

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde_json::{Map, Value, json};
use unspun::boilerplate::{self, Boilerplate};
use unspun::escape::{escape_controls, path_text};
use unspun::input::{self, Document, InputFile, InputOptions, Origin, Problem};
use unspun::lsh::LshStats;
use unspun::pipeline::parts::{self, Collection, PASSAGES, TOO_SHORT_TEXTS};
use unspun::progress::NoProgress;
use unspun::report::{DocumentEntry, ProblemEntry, Report, Summary, write_jsonl_line};
use unspun::{Config, Error};

use crate::{Settings, to_py_err};

/// A document between the cluster and the library: id, text, date, its other fields as a JSON object, and
/// the path of its file.
type Row = (String, String, Option<String>, Option<String>, String);
/// A document as read: a [`Row`] and its place in its file (its line in JSON Lines, else its rank among
/// the file's documents), which orders documents of equal ids and path.
type ReadRow = (String, String, Option<String>, Option<String>, String, u64);
/// An input problem: path, line, web-archive record offset, message.
type ProblemRow = (String, Option<u64>, Option<u64>, String);
/// The files found, `(path, id, name)` each (the path as reports show it, with `\xE9` for a byte of a name
/// that is not UTF-8; the name as the system has it, which Python opens), and the problems met finding them.
type Found = (Vec<(String, String, OsString)>, Vec<ProblemRow>);

fn config(settings: &str) -> Result<(Settings, Config), Error> {
    let settings = Settings::parse(settings)?;
    let config = settings.config()?;
    Ok((settings, config))
}

fn read_row(d: Document, rank: usize) -> ReadRow {
    let place = match d.origin {
        Origin::Line { line, .. } => line,
        _ => rank as u64,
    };
    let extra = (!d.extra.is_empty()).then(|| Value::Object(d.extra).to_string());
    (d.id, d.text, d.date, extra, path_text(&d.path).into_owned(), place)
}

fn problem_row(p: Problem) -> ProblemRow {
    (path_text(&p.path).into_owned(), p.line, p.record, p.message)
}

/// A row as a document held in memory (its text is read again from there), under its file's path.
fn document((id, text, date, extra, path): Row) -> Result<Document, Error> {
    let mut d = crate::document((id, text, date, extra))?;
    d.path = Arc::from(Path::new(&path));
    d.origin = Origin::Memory(d.text.as_str().into());
    Ok(d)
}

fn documents(rows: Vec<Row>) -> Result<Vec<Document>, Error> {
    rows.into_iter().map(document).collect()
}

/// `text` as the command line shows what it quotes of the input on a terminal
/// ([`unspun::escape::escape_controls`]): control and invisible format characters escaped, a backslash
/// doubled.
#[pyfunction]
pub fn escaped(text: &str) -> String {
    escape_controls(text).into_owned()
}

/// The files under `paths` as `unspun scan` finds them: `(path, id, name)` each, and the problems met.
#[pyfunction]
pub fn discover(py: Python<'_>, paths: Vec<PathBuf>, settings: &str) -> PyResult<Found> {
    py.detach(|| {
        let (_, config) = config(settings)?;
        let (files, problems) = input::discover(&paths, &config.input)?;
        let files =
            files.into_iter().map(|f| (path_text(&f.path).into_owned(), f.id, f.path.into_os_string())).collect();
        Ok((files, problems.into_iter().map(problem_row).collect()))
    })
    .map_err(|e| to_py_err(py, e))
}

/// The documents of a whole file's bytes (`path` names it, `id` is its id as found in a folder) and its
/// problems, as `unspun scan` reads the file.
#[pyfunction]
pub fn read_file(
    py: Python<'_>,
    path: String,
    id: String,
    data: &[u8],
    settings: &str,
) -> PyResult<(Vec<ReadRow>, Vec<ProblemRow>)> {
    py.detach(|| {
        read_with(path, id, settings, |file, options, emit, problem| {
            input::read_file_bytes(file, data, options, emit, problem)
        })
    })
    .map_err(|e| to_py_err(py, e))
}

/// The documents of JSON Lines records given with their line numbers (`(line, bytes)`) from the file
/// `path` (with id `id`), and their problems, as `unspun scan` reads those lines.
#[pyfunction]
pub fn read_lines(
    py: Python<'_>,
    path: String,
    id: String,
    lines: Vec<(u64, Vec<u8>)>,
    settings: &str,
) -> PyResult<(Vec<ReadRow>, Vec<ProblemRow>)> {
    py.detach(|| {
        read_with(path, id, settings, |file, options, emit, problem| {
            let lines = lines.iter().map(|(n, bytes)| (*n, bytes.as_slice()));
            input::read_lines(file, lines, options, emit, problem)
        })
    })
    .map_err(|e| to_py_err(py, e))
}

/// The documents and problems `read` gives of the file `path` (with id `id`) under `settings`, as rows.
/// A file that cannot be read as a whole is a problem of its own, unless `strict` (as in a scan).
fn read_with(
    path: String,
    id: String,
    settings: &str,
    read: impl FnOnce(&InputFile, &InputOptions, &mut dyn FnMut(Document), &mut dyn FnMut(Problem)) -> Result<(), Error>,
) -> Result<(Vec<ReadRow>, Vec<ProblemRow>), Error> {
    let (_, config) = config(settings)?;
    let file = InputFile { path: PathBuf::from(path), id };
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    let result = read(
        &file,
        &config.input,
        &mut |d| {
            let rank = rows.len();
            rows.push(read_row(d, rank))
        },
        &mut |p| problems.push(problem_row(p)),
    );
    match result {
        Ok(()) => Ok((rows, problems)),
        Err(e) if config.input.strict => Err(e),
        Err(e) => {
            problems.push(problem_row(Problem::in_file(&file.path, e.unescaped())));
            Ok((rows, problems))
        }
    }
}

/// Each text's words' hash (as a signed 64-bit integer, the cluster's type): copies of a text share it.
#[pyfunction]
pub fn exact_hashes(py: Python<'_>, texts: Vec<String>) -> Vec<i64> {
    py.detach(|| texts.iter().map(|t| parts::exact_hash(t) as i64).collect())
}

/// The URL in a document's extra fields (JSON), if any.
fn url_in(extra: &Option<String>) -> Option<String> {
    let fields: Map<String, Value> = serde_json::from_str(extra.as_deref()?).ok()?;
    fields.get("url").and_then(Value::as_str).map(str::to_string)
}

/// Each line of each document (`(text, extra fields as JSON)`) with a URL, as its site-and-line key and
/// the page's address (hashes): what the job counts across the cluster to find the page furniture
/// (`boilerplate`), as [`unspun::boilerplate::Learner`] counts them in a scan.
#[pyfunction]
pub fn furniture_lines(py: Python<'_>, documents: Vec<(String, Option<String>)>) -> Vec<(i64, i64)> {
    py.detach(|| {
        let lines = documents.iter().flat_map(|(text, extra)| boilerplate::page_lines(text, url_in(extra).as_deref()));
        lines.map(|(key, page)| (key as i64, page as i64)).collect()
    })
}

/// The texts of documents (`(text, extra fields as JSON)`) with the page furniture left out, `keys` being
/// the site-and-line keys found on [`boilerplate::PAGES`] addresses of a site or more: as a scan with
/// `--boilerplate` reads them (byte offsets hold).
#[pyfunction]
pub fn strip_furniture(
    py: Python<'_>,
    keys: Vec<i64>,
    settings: &str,
    documents: Vec<(String, Option<String>)>,
) -> PyResult<Vec<String>> {
    py.detach(|| {
        let (_, config) = config(settings)?;
        let furniture = Boilerplate::from_keys(keys.into_iter().map(|k| k as u64).collect(), config.min_words);
        let stripped =
            documents.iter().map(|(text, extra)| furniture.strip(text, url_in(extra).as_deref()).into_owned());
        Ok(stripped.collect())
    })
    .map_err(|e| to_py_err(py, e))
}

/// The statistics of the documents of a part, each distinct text once, encoded; every copy of a text must be
/// in the same part.
#[pyfunction]
pub fn count<'py>(py: Python<'py>, rows: Vec<Row>, settings: &str) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = py
        .detach(|| {
            let (settings, config) = config(settings)?;
            let documents = documents(rows)?;
            settings.run(|| Ok(parts::frequencies_to_bytes(&parts::count(documents, &config)?)))
        })
        .map_err(|e| to_py_err(py, e))?;
    Ok(PyBytes::new(py, &bytes))
}

/// The sum of two parts' encoded statistics.
#[pyfunction]
pub fn add_statistics<'py>(py: Python<'py>, a: &[u8], b: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = py.detach(|| parts::add_encoded_frequencies(a, b)).map_err(|e| to_py_err(py, e))?;
    Ok(PyBytes::new(py, &bytes))
}

/// The collection's statistics and size, with the settings, for judging its parts.
#[pyclass(module = "unspun._native", frozen)]
pub struct Part {
    settings: Settings,
    config: Config,
    collection: Collection,
}

/// One document's keys: its id, its words' hash, its `(table, key)` pairs, its report line and whether it
/// was skipped (too short or empty).
type LinkRow = (String, i64, Vec<(i64, i64)>, String, bool);
/// A pair's report line under its documents' ids.
type PairRow = (String, String, String);
/// A cluster's report line under its first member's id.
type ClusterRow = (String, String);

#[pymethods]
impl Part {
    #[new]
    fn new(py: Python<'_>, settings: &str, statistics: &[u8], documents: usize) -> PyResult<Part> {
        py.detach(|| {
            let (settings, config) = config(settings)?;
            let frequencies = parts::frequencies_from_bytes(statistics)?;
            Ok(Part { settings, config, collection: Collection { frequencies, documents } })
        })
        .map_err(|e| to_py_err(py, e))
    }

    /// Each document's bucket keys in a scan of the whole collection (see
    /// `unspun::pipeline::parts::Links`): tables `view << 16 | band`, `PASSAGES`, `TOO_SHORT_TEXTS`.
    fn links(&self, py: Python<'_>, rows: Vec<Row>) -> PyResult<Vec<LinkRow>> {
        py.detach(|| {
            let documents = documents(rows)?;
            let links = self.settings.run(|| parts::links(documents, &self.collection, &self.config))?;
            let mut out = Vec::with_capacity(links.len());
            for l in links {
                let mut line = Vec::new();
                write_jsonl_line(&mut line, "document", &DocumentEntry::new(&l.info)).map_err(write_error)?;
                let keys = l.keys.iter().map(|&(t, k)| (t as i64, k as i64)).collect();
                out.push((l.info.id, l.exact as i64, keys, utf8(line)?, l.info.skipped.is_some()));
            }
            Ok(out)
        })
        .map_err(|e| to_py_err(py, e))
    }

    /// Judges a union of whole components, given in the collection's fixed order (ids made unique): its
    /// pairs' and clusters' report lines and its candidate statistics (JSON, for `summary_line`).
    fn judge(&self, py: Python<'_>, rows: Vec<Row>) -> PyResult<(Vec<PairRow>, Vec<ClusterRow>, String)> {
        py.detach(|| {
            let documents = documents(rows)?;
            let scan =
                self.settings.run(|| parts::judge_part(documents, &self.collection, &self.config, &NoProgress))?;
            let report = Report::new(&scan);
            let mut pairs = Vec::with_capacity(report.pairs.len());
            for p in &report.pairs {
                let mut line = Vec::new();
                write_jsonl_line(&mut line, "pair", p).map_err(write_error)?;
                pairs.push((p.a.clone(), p.b.clone(), utf8(line)?));
            }
            let mut clusters = Vec::with_capacity(report.clusters.len());
            for c in &report.clusters {
                let mut line = Vec::new();
                write_jsonl_line(&mut line, "cluster", c).map_err(write_error)?;
                clusters.push((c.members[0].clone(), utf8(line)?));
            }
            let stats = json!({
                "views": scan.candidates.iter().map(|(p, s)| json!([p.name(), s])).collect::<Vec<_>>(),
                "candidate_pairs": scan.candidate_pairs,
                "grouped_documents": scan.grouped_documents,
                "pairs": scan.pairs.len(),
            });
            Ok((pairs, clusters, stats.to_string()))
        })
        .map_err(|e| to_py_err(py, e))
    }

    /// The names of the candidate sources whose buckets a key table belongs to (a view, `passages`), or
    /// `None` for the table of texts too short to judge.
    fn proposer(&self, table: i64) -> Option<&'static str> {
        match u32::try_from(table).ok()? {
            TOO_SHORT_TEXTS => None,
            PASSAGES => Some("passages"),
            t => self.config.views.get((t >> 16) as usize).map(|v| v.view.name()),
        }
    }

    /// The summary line of the whole report: `documents` read, `skipped` of them, the input `problems`
    /// in the order met, the parts' statistics as `judge` gave them, and the candidate sources in which
    /// some document was banded (a bucket of one is a bucket, as in a scan).
    #[allow(clippy::too_many_arguments)]
    fn summary_line(
        &self,
        py: Python<'_>,
        documents: usize,
        skipped: usize,
        problems: Vec<ProblemRow>,
        parts_stats: Vec<String>,
        banded: Vec<String>,
        furniture_lines: Option<usize>,
    ) -> PyResult<String> {
        py.detach(|| {
            // The candidate sources and their order, from a part with no documents.
            let empty =
                self.settings.run(|| parts::judge_part(Vec::new(), &self.collection, &self.config, &NoProgress))?;
            let mut views: Vec<(&'static str, LshStats)> =
                empty.candidates.iter().map(|(p, s)| (p.name(), s.clone())).collect();
            let (mut candidate_pairs, mut grouped_documents, mut pairs) = (0, 0, 0);
            let number = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
            for json in &parts_stats {
                let part: Value =
                    serde_json::from_str(json).map_err(|e| Error::Config(format!("part statistics: {e}")))?;
                candidate_pairs += number(&part, "candidate_pairs");
                grouped_documents += number(&part, "grouped_documents");
                pairs += number(&part, "pairs");
                for entry in part["views"].as_array().into_iter().flatten() {
                    let (name, s) = (entry[0].as_str().unwrap_or_default(), &entry[1]);
                    if let Some((_, t)) = views.iter_mut().find(|(n, _)| *n == name) {
                        t.pairs += number(s, "pairs");
                        t.capped_buckets += number(s, "capped_buckets");
                        t.largest_bucket = t.largest_bucket.max(number(s, "largest_bucket"));
                        t.dissimilar += number(s, "dissimilar");
                    }
                }
            }
            let banded: HashSet<&str> = banded.iter().map(String::as_str).collect();
            for (name, t) in &mut views {
                if banded.contains(name) {
                    t.largest_bucket = t.largest_bucket.max(1);
                }
            }
            let problems = problems
                .into_iter()
                .map(|(path, line, record, message)| {
                    ProblemEntry::new(&Problem { path: path.into(), line, record, message })
                })
                .collect();
            let views: Map<String, Value> = views
                .into_iter()
                .map(|(n, s)| (n.to_string(), serde_json::to_value(s).unwrap_or(Value::Null)))
                .collect();
            let summary = Summary {
                documents,
                skipped_documents: skipped,
                problems,
                candidate_pairs,
                grouped_documents,
                views,
                pairs,
                references: None,
                furniture_lines,
            };
            let mut line = Vec::new();
            write_jsonl_line(&mut line, "summary", &summary).map_err(write_error)?;
            utf8(line)
        })
        .map_err(|e| to_py_err(py, e))
    }
}

fn write_error(source: std::io::Error) -> Error {
    Error::Write { path: "(report)".into(), source }
}

fn utf8(line: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(line).map_err(|e| write_error(std::io::Error::other(e)))
}
