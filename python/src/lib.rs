//! `unspun._native`, the extension module that the `unspun` Python package (`python/unspun/`) wraps. Every
//! result is the library's own: a scan goes through [`unspun::scan_documents`] or [`unspun::scan`] and comes
//! back as the JSON report [`Report::write_json`] writes (the contract the command line writes), which the
//! Python side turns into dataclasses; [`Signer`] signs and bands with [`unspun::minhash`] and
//! [`unspun::lsh`]. The Python interpreter's lock is released while the library works (`Python::detach`,
//! PyO3's name for `allow_threads`), so other Python threads run meanwhile, and Ctrl-C stops a scan
//! ([`interruptible`]).
//!
//! Settings arrive as one JSON object (the Python side has checked their names and types) and become a
//! validated [`Config`] here, as the command line's arguments do in `src/cli/args.rs`; a library error
//! becomes a Python exception that keeps its file, line and byte offset ([`to_py_err`]).

mod parts;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;

use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};
use unspun::config::{SemanticConfig, VerdictBars, ViewConfig};
use unspun::direction::DirectionModel;
use unspun::escape::path_text;
use unspun::input::{Document, Format};
use unspun::lsh::{LshParams, band_entries};
use unspun::minhash::{EMPTY, Hasher};
use unspun::progress::Progress;
use unspun::report::Report;
use unspun::shingle::{Tokens, View};
use unspun::{Config, Error};

pyo3::create_exception!(
    unspun,
    InputError,
    PyValueError,
    "Input that cannot be read as articles: a damaged line or record (with `strict=True`), a folder without \
     articles. `path`, `line` and `offset` (a web-archive record's byte offset) say where, when known."
);

/// The settings a scan or a signer takes, as the Python side sends them (names as the command line's flags,
/// `threshold` as `{view: T}`); a missing one keeps the library's default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    views: Option<Vec<String>>,
    hashes: Option<usize>,
    seed: Option<u64>,
    threshold: Option<BTreeMap<String, f64>>,
    shingle: Option<usize>,
    lead: Option<usize>,
    max_bucket: Option<usize>,
    min_words: Option<usize>,
    passages: Option<bool>,
    candidates_only: Option<bool>,
    report_unrelated: Option<bool>,
    window: Option<f64>,
    model: Option<PathBuf>,
    semantic_threshold: Option<f64>,
    semantic_bars: Option<PathBuf>,
    word_vectors: Option<bool>,
    direction_model: Option<PathBuf>,
    verdict_bars: Option<PathBuf>,
    against: Option<Vec<PathBuf>>,
    ext: Option<Vec<String>>,
    id_field: Option<String>,
    text_field: Option<String>,
    date_field: Option<String>,
    url_field: Option<String>,
    strict: Option<bool>,
    input_format: Option<String>,
    threads: Option<usize>,
    boilerplate: Option<bool>,
    top: Option<usize>,
}

impl Settings {
    fn parse(json: &str) -> Result<Settings, Error> {
        serde_json::from_str(json).map_err(|e| Error::Config(e.to_string()))
    }

    /// The validated configuration, built as the command line builds it from its flags.
    fn config(&self) -> Result<Config, Error> {
        let mut config = Config::default();
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        if let Some(path) = &self.direction_model {
            config.direction = DirectionModel::load(path)?;
        }
        if let Some(path) = &self.verdict_bars {
            config.verdict = VerdictBars::load(path)?;
        }
        let names: Vec<String> = match &self.views {
            Some(names) => names.clone(),
            None => View::ALL.iter().map(|v| v.name().to_string()).collect(),
        };
        let thresholds = self.threshold.clone().unwrap_or_default();
        if let Some(name) = thresholds.keys().find(|name| View::from_name(name).is_none()) {
            return Err(Error::Config(format!("threshold: unknown view {name:?} (known: words, content, lead)")));
        }
        if let Some(name) = thresholds.keys().find(|name| !names.contains(name)) {
            let views = names.join(", ");
            return Err(Error::Config(format!("threshold: the {name} view is not scanned (views: {views})")));
        }
        if self.candidates_only == Some(true) && self.report_unrelated == Some(true) {
            return Err(Error::Config(
                "report_unrelated reports verified pairs judged not derived; candidates_only verifies none".into(),
            ));
        }
        config.views = Vec::new();
        for name in &names {
            let view = View::from_name(name)
                .ok_or_else(|| Error::Config(format!("unknown view {name:?} (known: words, content, lead)")))?;
            let default = ViewConfig::default_for(view);
            let shingle = match view {
                View::Words => self.shingle.unwrap_or(default.shingle),
                View::Content => default.shingle,
                View::Lead => self.lead.unwrap_or(default.shingle),
            };
            let threshold = thresholds.get(name).copied().unwrap_or(default.threshold);
            config.views.push(ViewConfig::new(view, shingle, self.hashes.unwrap_or(default.num_hashes), threshold)?);
        }
        fn set<T: Copy>(target: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        set(&mut config.max_bucket, self.max_bucket);
        set(&mut config.min_words, self.min_words);
        set(&mut config.passages, self.passages);
        set(&mut config.candidates_only, self.candidates_only);
        set(&mut config.report_unrelated, self.report_unrelated);
        set(&mut config.input.strict, self.strict);
        config.window_days = self.window;
        config.semantic = self
            .model
            .as_ref()
            .map(|dir| {
                let word_vectors = self.word_vectors.unwrap_or(false);
                let mut semantic = match &self.semantic_bars {
                    Some(path) => {
                        let json = std::fs::read_to_string(path)
                            .map_err(|source| Error::Read { path: path.clone(), source })?;
                        SemanticConfig::with_bars(dir.clone(), word_vectors, &json, path)?
                    }
                    None => SemanticConfig::new(dir.clone(), word_vectors),
                };
                if let Some(t) = self.semantic_threshold {
                    semantic.threshold = t;
                }
                Ok::<_, Error>(semantic)
            })
            .transpose()?;
        config.against = self.against.clone().unwrap_or_default();
        config.top = self.top;
        if let Some(ext) = &self.ext {
            config.input.extensions = ext.iter().map(|e| e.trim_start_matches('.').to_string()).collect();
        }
        let input = &mut config.input;
        for (target, value) in [
            (&mut input.id_field, &self.id_field),
            (&mut input.text_field, &self.text_field),
            (&mut input.date_field, &self.date_field),
            (&mut input.url_field, &self.url_field),
        ] {
            if let Some(v) = value {
                target.clone_from(v);
            }
        }
        if let Some(format) = &self.input_format {
            input.format = Some(match format.as_str() {
                "text" => Format::Text,
                "html" => Format::Html,
                "jsonl" => Format::Jsonl,
                "csv" => Format::Csv,
                "warc" => Format::Warc,
                other => {
                    return Err(Error::Config(format!(
                        "input_format {other:?} is not one of text, html, jsonl, csv, warc"
                    )));
                }
            });
        }
        if let Some(n) = self.threads.filter(|n| !(1..=unspun::config::MAX_THREADS).contains(n)) {
            return Err(Error::Config(format!("threads {n} is not in 1..={}", unspun::config::MAX_THREADS)));
        }
        config.boilerplate = self.boilerplate.unwrap_or(false);
        config.validate()?;
        Ok(config)
    }

    /// Runs `work` on a pool of `threads` workers when that was set, else on the global pool (one per core).
    /// In a process forked after the global pool started (`multiprocessing`'s default on Linux, a Spark
    /// worker), that pool's threads did not come along and work sent to it would wait for ever: there each
    /// call gets a pool of its own.
    fn run<T: Send>(&self, work: impl FnOnce() -> Result<T, Error> + Send) -> Result<T, Error> {
        static GLOBAL_POOL_PROCESS: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        let forked = *GLOBAL_POOL_PROCESS.get_or_init(std::process::id) != std::process::id();
        let threads = match (self.threads, forked) {
            (None, false) => return work(),
            (None, true) => std::thread::available_parallelism().map_or(1, |n| n.get()),
            (Some(n), _) => n,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Config(format!("cannot start {threads} threads: {e}")))?;
        pool.install(work)
    }
}

/// A library error as the Python exception that says the same: a file that cannot be read or written is
/// an `OSError` (its subclass by errno, `FileNotFoundError`…, with `filename`); damaged input is an
/// [`InputError`] (a `ValueError`) with `path`, `line` and `offset`, as is a damaged or incompatible
/// index; a bad setting is a `ValueError`.
fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    let message = setting_names(&error.to_string());
    match &error {
        Error::Read { path, source } | Error::Write { path, source } | Error::Spill { dir: path, source } => {
            let filename = path_text(path).into_owned();
            match source.raw_os_error() {
                // OSError(errno, strerror, filename) picks the subclass (FileNotFoundError…) by errno.
                Some(errno) => PyOSError::new_err((errno, message, filename)),
                None => {
                    let err = PyOSError::new_err(message);
                    let _ = err.value(py).setattr("filename", filename);
                    err
                }
            }
        }
        Error::Json { path, line, .. } => input_error(py, message, path, Some(*line), None),
        Error::Input { path, line, .. } => input_error(py, message, path, *line, None),
        Error::Format { path, offset, .. } => input_error(py, message, path, None, Some(*offset)),
        Error::NoInput { path, .. } | Error::Index { path, .. } => input_error(py, message, path, None, None),
        Error::Incompatible { .. } | Error::Config(_) => PyValueError::new_err(message),
        Error::Cancelled => PyKeyboardInterrupt::new_err(message),
    }
}

/// The settings, as the library's messages name them by the command line's options (`--ext`,
/// `--window -1`), named as keywords of this package (`ext=`, `window=-1`).
fn setting_names(message: &str) -> String {
    const SETTINGS: &[&str] = &[
        "views",
        "hashes",
        "seed",
        "threshold",
        "shingle",
        "lead",
        "max-bucket",
        "min-words",
        "candidates-only",
        "report-unrelated",
        "window",
        "model",
        "semantic-threshold",
        "word-vectors",
        "direction-model",
        "verdict-bars",
        "semantic-bars",
        "top",
        "against",
        "ext",
        "id-field",
        "text-field",
        "date-field",
        "url-field",
        "strict",
        "input-format",
        "boilerplate",
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("--") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let len = after.find(|c: char| !(c.is_ascii_lowercase() || c == '-')).unwrap_or(after.len());
        let name = &after[..len];
        if SETTINGS.contains(&name) && !rest[..at].ends_with(|c: char| c.is_alphanumeric()) {
            out.push_str(&name.replace('-', "_"));
            out.push('=');
            // `--window -1`: the value follows the option after a space, and the keyword's `=`.
            rest = after[len..]
                .strip_prefix(' ')
                .filter(|r| !r.starts_with(|c: char| c.is_alphabetic()))
                .unwrap_or(&after[len..]);
        } else {
            out.push_str("--");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn input_error(
    py: Python<'_>,
    message: String,
    path: &std::path::Path,
    line: Option<u64>,
    offset: Option<u64>,
) -> PyErr {
    let err = InputError::new_err(message);
    let value = err.value(py);
    // Setting plain attributes on a fresh exception instance does not fail.
    let _ = value.setattr("path", path_text(path).into_owned());
    let _ = value.setattr("line", line);
    let _ = value.setattr("offset", offset);
    err
}

/// The JSON report of a scan, as `unspun scan --format json` writes it.
fn report_json(scan: &unspun::Scan) -> Result<String, Error> {
    let mut out = Vec::new();
    let io = |source| Error::Write { path: "(report)".into(), source };
    Report::new(scan).write_json(&mut out).map_err(io)?;
    String::from_utf8(out).map_err(|e| io(std::io::Error::other(e)))
}

/// One document from Python: id, text, date, and its other fields as a JSON object.
type Record = (String, String, Option<String>, Option<String>);

fn document((id, text, date, extra): Record) -> Result<Document, Error> {
    let extra = match extra {
        None => Map::new(),
        Some(json) => match serde_json::from_str(&json) {
            Ok(Value::Object(map)) => map,
            _ => return Err(Error::Config(format!("the fields of document {id:?} are not a JSON object"))),
        },
    };
    Ok(Document { date, extra, ..Document::new(id, text) })
}

/// Asks a run to stop: the library polls [`Progress::cancelled`].
#[derive(Default)]
struct Stop(AtomicBool);

impl Progress for Stop {
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Runs `work` so that Ctrl-C stops it: on a thread of its own, while the calling thread waits with the
/// interpreter's lock released and takes it back every tenth of a second to let Python run its signal
/// handlers (`check_signals`; the SIGINT handler raises `KeyboardInterrupt`). When one raises, the run is
/// told to stop ([`Stop`]), and the exception is raised once it has, so no work goes on behind the caller.
fn interruptible<T: Send>(py: Python<'_>, work: impl FnOnce(&dyn Progress) -> Result<T, Error> + Send) -> PyResult<T> {
    let stop = Stop::default();
    std::thread::scope(|scope| {
        let (done, mut result) = std::sync::mpsc::channel();
        let stop = &stop;
        // The library's deepest recursion needs no more than a main thread's stack.
        let worker = std::thread::Builder::new()
            .name("unspun".into())
            .stack_size(8 << 20)
            .spawn_scoped(scope, move || {
                let _ = done.send(work(stop));
            })
            .map_err(|e| PyOSError::new_err(format!("cannot start a thread: {e}")))?;
        loop {
            // The receiver is not `Sync`: it goes to the waiting closure and comes back.
            let received;
            (result, received) = py.detach(move || {
                let received = result.recv_timeout(std::time::Duration::from_millis(100));
                (result, received)
            });
            match received {
                Ok(done) => return done.map_err(|e| to_py_err(py, e)),
                // The worker panicked before sending: raise its panic here (PyO3 makes it an exception).
                Err(RecvTimeoutError::Disconnected) => match worker.join() {
                    Err(panic) => std::panic::resume_unwind(panic),
                    Ok(()) => unreachable!("the worker sends its result before it ends"),
                },
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(interrupt) = py.check_signals() {
                        stop.0.store(true, Ordering::Relaxed);
                        let _ = py.detach(|| worker.join());
                        return Err(interrupt);
                    }
                }
            }
        }
    })
}

/// Scans documents held in memory (`(id, text, date, fields as JSON)`) and returns the JSON report.
#[pyfunction]
fn scan_documents(py: Python<'_>, documents: Vec<Record>, settings: &str) -> PyResult<String> {
    interruptible(py, |progress| {
        let settings = Settings::parse(settings)?;
        let config = settings.config()?;
        let documents = documents.into_iter().map(document).collect::<Result<Vec<_>, _>>()?;
        settings.run(|| report_json(&unspun::scan_documents(documents, &config, progress)?))
    })
}

/// Scans files and folders as `unspun scan` does and returns the JSON report.
#[pyfunction]
fn scan_paths(py: Python<'_>, paths: Vec<PathBuf>, settings: &str) -> PyResult<String> {
    interruptible(py, |progress| {
        let settings = Settings::parse(settings)?;
        let config = settings.config()?;
        if paths.is_empty() {
            return Err(Error::Config("no paths to scan".into()));
        }
        // An index's folder given as `against`: the scan is a query of it, as on the command line.
        if let Some(index) = unspun::index::among(&config.against)? {
            let index = unspun::index::Index::open(index)?;
            let config = unspun::Config { against: Vec::new(), ..config };
            return settings.run(|| report_json(&index.query(&paths, &config, progress)?));
        }
        settings.run(|| report_json(&unspun::scan(&paths, &config, progress)?))
    })
}

/// Compares two documents: a scan of the two in which every view proposes them as a candidate when their
/// signatures share a single lane (the lowest threshold a view can have), and a verified pair judged not
/// derived is reported too (relation `none`). Returns the JSON report; it has no pair when the two share
/// nothing, or one of them is too short to judge (`min_words`) and they are not identical.
#[pyfunction]
fn compare(py: Python<'_>, a: Record, b: Record, settings: &str) -> PyResult<String> {
    interruptible(py, |progress| {
        let settings = Settings::parse(settings)?;
        let mut config = settings.config()?;
        for v in &mut config.views {
            // One shared lane of `num_hashes` estimates 1 / num_hashes; a threshold below it keeps any pair
            // that shares one, and bands of one lane each find it.
            let threshold = 0.5 / v.num_hashes as f64;
            *v = ViewConfig::new(v.view, v.shingle, v.num_hashes, threshold)?;
        }
        config.report_unrelated = true;
        config.candidates_only = false;
        let documents = [document(a)?, document(b)?];
        settings.run(|| report_json(&unspun::scan_documents(documents, &config, progress)?))
    })
}

/// MinHash signatures and LSH band keys of texts, made as a scan makes them (see the Python `Signer`).
#[pyclass(module = "unspun._native", frozen)]
struct Signer {
    settings: Settings,
    /// Each view's settings and hash functions, in the order of the `views` setting.
    views: Vec<(ViewConfig, Hasher)>,
    seed: u64,
}

impl Signer {
    fn view(&self, name: &str) -> PyResult<&(ViewConfig, Hasher)> {
        self.views.iter().find(|(v, _)| v.view.name() == name).ok_or_else(|| {
            let known: Vec<&str> = self.views.iter().map(|(v, _)| v.view.name()).collect();
            PyValueError::new_err(format!("view {name:?} is not signed here (views: {})", known.join(", ")))
        })
    }
}

#[pymethods]
impl Signer {
    #[new]
    fn new(py: Python<'_>, settings: &str) -> PyResult<Signer> {
        let settings = Settings::parse(settings).map_err(|e| to_py_err(py, e))?;
        let config = settings.config().map_err(|e| to_py_err(py, e))?;
        let views = config.views.iter().map(|v| (v.clone(), Hasher::new(v.minhash(config.seed)))).collect();
        Ok(Signer { settings, views, seed: config.seed })
    }

    /// The views signed, in order.
    fn views(&self) -> Vec<&'static str> {
        self.views.iter().map(|(v, _)| v.view.name()).collect()
    }

    /// A view's parameters: `(shingle, hashes, seed, threshold, bands, rows)`.
    fn params(&self, view: &str) -> PyResult<(usize, usize, u64, f64, usize, usize)> {
        let (v, _) = self.view(view)?;
        Ok((v.shingle, v.num_hashes, self.seed, v.threshold, v.lsh.bands, v.lsh.rows))
    }

    /// The signatures of `texts` in `view`: `len(texts) × hashes` little-endian `u32` minima, a text a row
    /// (an empty set's lanes are all `0xFFFFFFFF`).
    fn sign<'py>(&self, py: Python<'py>, texts: Vec<String>, view: &str) -> PyResult<Bound<'py, PyBytes>> {
        let (v, hasher) = self.view(view)?;
        let (seed, k) = (self.seed, v.num_hashes);
        let rows = py
            .detach(|| {
                self.settings.run(|| {
                    let mut rows = vec![EMPTY; texts.len() * k];
                    rows.par_chunks_mut(k).zip(&texts).for_each_init(Vec::new, |shingles, (row, text)| {
                        // As a scan signs a document: the view's shingles of its tokens, seeded.
                        shingles.clear();
                        v.view.shingles(&Tokens::new(text).tokens, v.shingle, seed, |x| shingles.push(x));
                        hasher.update_all(row, shingles);
                    });
                    Ok(rows)
                })
            })
            .map_err(|e| to_py_err(py, e))?;
        Ok(PyBytes::new(py, &rows.iter().flat_map(|m| m.to_le_bytes()).collect::<Vec<u8>>()))
    }

    /// The band keys of signatures (`n × hashes` little-endian `u32`, as `sign` gives): `n × bands`
    /// little-endian `u64`, each band's hash of its lanes. Two documents are a candidate pair of the view
    /// when they share a key in the same band.
    fn band_keys<'py>(&self, py: Python<'py>, signatures: &[u8], view: &str) -> PyResult<Bound<'py, PyBytes>> {
        let (v, _) = self.view(view)?;
        let (k, LshParams { bands, .. }) = (v.num_hashes, v.lsh);
        if !signatures.len().is_multiple_of(4 * k) {
            return Err(PyValueError::new_err(format!("signatures of the {view} view have {k} lanes a row")));
        }
        let mins: Vec<u32> = signatures.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        let mut keys = vec![0u64; mins.len() / k * bands];
        // Through the settings' pool, as `sign`: a forked process's global pool has no threads.
        py.detach(|| {
            self.settings.run(|| {
                keys.par_chunks_mut(bands).zip(mins.par_chunks(k)).for_each(|(out, row)| {
                    // No document bits (mask 0, document 0): the key is the band's hash alone.
                    band_entries(row, v.lsh, 0, 0, 0, out);
                });
                Ok(())
            })
        })
        .map_err(|e| to_py_err(py, e))?;
        Ok(PyBytes::new(py, &keys.iter().flat_map(|h| h.to_le_bytes()).collect::<Vec<u8>>()))
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan_documents, m)?)?;
    m.add_function(wrap_pyfunction!(scan_paths, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_class::<Signer>()?;
    m.add_function(wrap_pyfunction!(parts::escaped, m)?)?;
    m.add_function(wrap_pyfunction!(parts::discover, m)?)?;
    m.add_function(wrap_pyfunction!(parts::read_file, m)?)?;
    m.add_function(wrap_pyfunction!(parts::read_lines, m)?)?;
    m.add_function(wrap_pyfunction!(parts::exact_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(parts::furniture_lines, m)?)?;
    m.add_function(wrap_pyfunction!(parts::strip_furniture, m)?)?;
    m.add("FURNITURE_PAGES", unspun::boilerplate::PAGES)?;
    m.add_function(wrap_pyfunction!(parts::count, m)?)?;
    m.add_function(wrap_pyfunction!(parts::add_statistics, m)?)?;
    m.add_class::<parts::Part>()?;
    let input_error = m.py().get_type::<InputError>();
    // Where, unknown unless the library said: one made by hand (`InputError("...")`) has them as None.
    for name in ["path", "line", "offset"] {
        input_error.setattr(name, m.py().None())?;
    }
    m.add("InputError", input_error)?;
    m.add("FORMAT_VERSION", unspun::report::FORMAT_VERSION)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
