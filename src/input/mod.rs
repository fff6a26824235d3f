//! The only code that touches the file system for reading: it finds the articles under the paths given,
//! decodes them into [`Document`]s, and fetches a document's text again later by its [`Origin`] (the
//! verification stage re-reads only the texts of candidate pairs, so the texts of a large input are never
//! all held at once). Each format is a submodule (text files and HTML pages, JSON Lines, CSV, WARC/WET
//! archives, all plain or gzip/zstd-compressed, see `source`) with a `read(reader, &mut ctx)` handed a
//! `context::ReadContext` by the one dispatch on the format here; JSON Lines and CSV share the mapping of
//! a record to a document (`record`). Damaged input becomes a [`Problem`] naming the file and line or
//! record, and reading goes on with the rest (or stops, with [`InputOptions::strict`]).

mod context;
mod csv;
mod html;
pub(crate) mod jsonl;
mod record;
mod source;
mod spill;
mod text;
mod truth;
mod warc;

pub(crate) use context::unread_dates_message;
pub use jsonl::{ParseMap, ParsedLine, Serial};
pub(crate) use record::keep_small_fields;
pub use source::Format;
pub use spill::SpillStore;
pub use truth::{RELATIONS, TruthPair, read_truth};

use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value};

use self::context::{ReadContext, Sink, StreamInfo};
use crate::error::{Error, Result};
use crate::progress::{NoProgress, Progress};

/// Where in its file a document's text lives, so it can be read again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The whole file is the document.
    File,
    /// A line of a plain JSON Lines file: its number (1-based) and the byte offset where it starts.
    Line { line: u64, offset: u64 },
    /// A record of a plain WARC file, starting at this byte offset.
    Record { offset: u64 },
    /// A row of a plain CSV file: its number (the header is row 1) and its byte offset.
    Row { row: u64, offset: u64 },
    /// Input that cannot be seeked cheaply (compressed, archives): the text was copied to a spill store.
    Spill { store: Arc<SpillStore>, offset: u64, len: u32 },
    /// A document given in memory ([`Document::new`]): its text, held until the scan ends.
    Memory(Arc<str>),
    /// A document whose text a [`TextStore`] keeps (an index's segment, [`crate::index`]): its number there.
    Stored { store: Store, doc: usize },
}

/// Texts kept apart from the input files and read back by their number: an index's segment keeps its
/// documents' texts so. How they are kept is the store's business; reading again only asks.
pub trait TextStore: std::fmt::Debug + Send + Sync {
    /// The text of document `doc`; an error names the store's file.
    fn text(&self, doc: usize) -> Result<String>;
}

/// A shared [`TextStore`], equal only to itself.
#[derive(Clone, Debug)]
pub struct Store(pub Arc<dyn TextStore>);

impl PartialEq for Store {
    fn eq(&self, other: &Store) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.0), Arc::as_ptr(&other.0))
    }
}

impl Eq for Store {}

/// One article as read.
#[derive(Clone, Debug)]
pub struct Document {
    /// Identifier: for a file in a folder, its path relative to the folder given, without extension.
    pub id: String,
    /// The file it came from (shared by all the documents of a file).
    pub path: Arc<Path>,
    /// Where in the file.
    pub origin: Origin,
    /// The text, decoded (lossily where the input was not valid UTF-8 and that was reported).
    pub text: String,
    /// Publication date as given by the input (ISO 8601), when known.
    pub date: Option<String>,
    /// Other fields the input carried (url, title, outlet…), passed through to the report.
    pub extra: Map<String, Value>,
}

impl Document {
    /// The URL it was read from, when the input gave one (a web archive's target URI, a page's own
    /// address, the `--url-field`).
    pub fn url(&self) -> Option<&str> {
        self.extra.get("url").and_then(Value::as_str)
    }

    /// A document given in memory rather than read from a file (for [`crate::pipeline::scan_documents`]): its text
    /// is kept to be read again when its pairs are verified. Its path is `(memory)`.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        let text = text.into();
        Document {
            id: id.into(),
            path: Path::new(MEMORY_PATH).into(),
            origin: Origin::Memory(text.as_str().into()),
            text,
            date: None,
            extra: Map::new(),
        }
    }
}

/// The path of documents given in memory.
pub const MEMORY_PATH: &str = "(memory)";

/// A piece of input that was damaged or could not be read: reported once, counted, and skipped (or
/// read lossily, as `message` says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file concerned.
    pub path: PathBuf,
    /// Line number (1-based; for CSV the row number, the header being row 1), when the problem is in a
    /// line or row.
    pub line: Option<u64>,
    /// Byte offset of the web-archive record concerned (in the uncompressed stream for a compressed
    /// archive), when the problem is in a record; the message says it too.
    pub record: Option<u64>,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl Problem {
    /// A problem with a file or folder as a whole (missing, unreadable).
    pub fn in_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Problem {
        Problem { path: path.into(), line: None, record: None, message: message.into() }
    }

    /// The file's name as messages give it: its path, or `stdin`.
    pub fn file_name(&self) -> String {
        if is_stdin(&self.path) { "stdin".into() } else { crate::escape::path_text(&self.path).into_owned() }
    }
}

/// `path[:line]: message`, for stderr: control characters in the path and the message (which may quote
/// ids, URLs, field names from the input) are escaped ([`crate::escape`]); the report's
/// `summary.problems` keeps them exact.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.file_name();
        let raw = match self.line {
            Some(line) => format!("{path}:{line}: {}", self.message),
            None => format!("{path}: {}", self.message),
        };
        f.write_str(&crate::escape::escape_controls(&raw))
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
    /// JSON Lines and CSV: the field holding a document's id (one without gets `FILE:LINE`).
    pub id_field: String,
    /// JSON Lines and CSV: the field holding the text.
    pub text_field: String,
    /// JSON Lines and CSV: the field holding the publication date (ISO 8601).
    pub date_field: String,
    /// JSON Lines and CSV: the field holding the URL, passed through to the report as `url`.
    pub url_field: String,
    /// Stop at the first damaged input, with an error, instead of reporting it and going on.
    pub strict: bool,
    /// Read every file in this format, whatever its name and first bytes say (`None`: by name, then by
    /// first bytes): for standard input or files named otherwise, such as a CSV export piped in.
    pub format: Option<Format>,
}

impl Default for InputOptions {
    fn default() -> InputOptions {
        InputOptions {
            extensions: vec!["txt".into()],
            max_document_bytes: 4 << 20,
            id_field: "id".into(),
            text_field: "text".into(),
            date_field: "date".into(),
            url_field: "url".into(),
            strict: false,
            format: None,
        }
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

/// The path that stands for standard input.
pub const STDIN: &str = "-";

/// Whether `path` stands for standard input ([`STDIN`]).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// Expands the paths given on the command line into the files to read, sorted, and the problems met on
/// the way (unreadable folders, missing paths). Folders are walked recursively; in a folder, only files
/// with one of `options.extensions` are articles. A file named directly is read whatever its extension;
/// how it is read (text, JSON Lines, WARC; plain, gzip or zstd) is decided by [`read`]. [`STDIN`] is
/// standard input (id `stdin`), read like a file whose name says nothing.
pub fn discover(paths: &[PathBuf], options: &InputOptions) -> Result<(Vec<InputFile>, Vec<Problem>)> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    // Folders that gave no articles: a problem when others did (a day's crawl folder may be empty), the
    // error when none did.
    let mut empty = Vec::new();
    for root in paths {
        if is_stdin(root) {
            files.push(InputFile { path: root.clone(), id: "stdin".into() });
            continue;
        }
        let meta = std::fs::metadata(root).map_err(|source| Error::Read { path: root.clone(), source })?;
        if meta.is_dir() {
            let mut walker = Walk {
                root,
                options,
                seen: Default::default(),
                ancestors: Vec::new(),
                extensions_seen: Default::default(),
            };
            let before = files.len();
            walk(&mut walker, root, &mut files, &mut problems);
            if files.len() == before && !problems.iter().any(|p| p.path.starts_with(root)) {
                empty.push((root.clone(), no_articles(options, &walker.extensions_seen)));
            }
        } else {
            files.push(InputFile { path: root.clone(), id: id_for(root, root.parent()) });
        }
    }
    if files.is_empty()
        && let Some((path, message)) = empty.first()
    {
        return Err(Error::NoInput { path: path.clone(), message: message.clone() });
    }
    problems.extend(empty.into_iter().map(|(path, message)| Problem::in_file(&path, message)));
    files.sort_by(|a, b| (&a.id, &a.path).cmp(&(&b.id, &b.path)));
    // A file reached by two paths (named twice, or inside two of the folders given, `corpus` and
    // `corpus/docs`) is read once, under the first id in that order; else it would be its own duplicate.
    let mut read = std::collections::HashSet::new();
    files.retain(|f| {
        let key = if is_stdin(&f.path) { Some(FileKey::Path(f.path.clone())) } else { file_key(&f.path) };
        key.is_none_or(|key| read.insert(key))
    });
    Ok((files, problems))
}

/// Why a folder gave no articles: the extensions looked for and those its files have.
fn no_articles(options: &InputOptions, seen: &std::collections::BTreeSet<String>) -> String {
    let wanted: Vec<String> = options.extensions.iter().map(|e| format!(".{e}")).collect();
    let seen: Vec<&str> = seen.iter().map(String::as_str).collect();
    let seen = if seen.is_empty() { "no files at all".to_string() } else { format!("seen: {}", seen.join(", ")) };
    format!("no files ending in {} in this folder ({seen}); --ext chooses the extensions", wanted.join(", "))
}

/// A file's or folder's identity on disk, so a folder reached again through a symbolic link is walked once
/// and a file reached by two paths is read once: its device and inode on Unix, its canonical path
/// elsewhere.
#[derive(Clone, PartialEq, Eq, Hash)]
enum FileKey {
    #[cfg(unix)]
    Inode(u64, u64),
    /// Elsewhere, and for standard input everywhere.
    Path(PathBuf),
}

fn file_key(path: &Path) -> Option<FileKey> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| FileKey::Inode(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok().map(FileKey::Path)
    }
}

/// The folders met while walking one path given: each is walked once, and one reached again from inside
/// itself (a symbolic link to an ancestor) is a loop, reported.
struct Walk<'a> {
    root: &'a Path,
    options: &'a InputOptions,
    /// Every folder walked so far, and the folders from the root down to the one being walked.
    seen: std::collections::HashSet<FileKey>,
    ancestors: Vec<(FileKey, PathBuf)>,
    /// The extensions of the files met that are not articles, for the message when there are none.
    extensions_seen: std::collections::BTreeSet<String>,
}

fn walk(walker: &mut Walk, dir: &Path, files: &mut Vec<InputFile>, problems: &mut Vec<Problem>) {
    if let Some(key) = file_key(dir) {
        if let Some((_, first)) = walker.ancestors.iter().find(|(k, _)| *k == key) {
            let message =
                format!("symbolic link loop: the same folder as {}; not walked again", crate::escape::path_text(first));
            problems.push(Problem::in_file(dir, message));
            return;
        }
        if !walker.seen.insert(key.clone()) {
            // The same folder reached by another way (a link to a sibling): its files are read once, under
            // the first path met.
            return;
        }
        walker.ancestors.push((key, dir.to_path_buf()));
        walk_entries(walker, dir, files, problems);
        walker.ancestors.pop();
    } else {
        walk_entries(walker, dir, files, problems);
    }
}

fn walk_entries(walker: &mut Walk, dir: &Path, files: &mut Vec<InputFile>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(Problem::in_file(dir, format!("cannot list folder: {e}")));
            return;
        }
    };
    // Hidden files and folders (a name starting with a dot: .git, an editor's backup, the ._ files macOS
    // leaves on other file systems) hold no articles; they are read when named.
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().filter(|e| !e.file_name().as_encoded_bytes().starts_with(b".")).map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        // Following symbolic links, as the walk does.
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            // A dangling link or a file removed since the folder was listed: reported when named.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if has_extension(&path, &walker.options.extensions) {
                    let message = "cannot read: not found (a dangling symbolic link?); skipped";
                    problems.push(Problem::in_file(&path, message));
                }
                continue;
            }
            // A path longer than the system allows (folders nested hundreds deep), a link loop, a folder
            // that cannot be searched: whatever it is, a folder or an article, it cannot be read.
            Err(e) => {
                problems.push(Problem::in_file(&path, format!("cannot read: {e}; skipped")));
                continue;
            }
        };
        if meta.is_dir() {
            walk(walker, &path, files, problems);
        } else if !has_extension(&path, &walker.options.extensions) {
            let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
            if let Some((_, ext)) = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty()) {
                walker.extensions_seen.insert(format!(".{ext}"));
            }
        } else if !meta.is_file() {
            // A FIFO with no writer would block the walk forever, and its bytes could not be read again to
            // verify a pair: only a FIFO named on the command line is read (once, spilled).
            let message = "not a regular file (a FIFO, socket or device: name it on the command line to read it \
                           once); skipped";
            problems.push(Problem::in_file(&path, message));
        } else {
            files.push(InputFile { id: id_for(&path, Some(walker.root)), path });
        }
    }
}

/// Whether the file's name ends in one of `extensions`, or in one of them and a compression suffix
/// (`x.jsonl.gz`, `x.txt.zst` for `jsonl`, `txt`): a file a scanned folder reads.
pub fn has_extension(path: &Path, extensions: &[String]) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let bare = [".gz", ".zst", ".zstd"].iter().find_map(|c| name.strip_suffix(c));
    extensions.iter().any(|ext| {
        let ext = format!(".{}", ext.to_lowercase());
        name.ends_with(&ext) || bare.is_some_and(|bare| bare.ends_with(&ext))
    })
}

/// The id of a file: its path relative to `root` without its last extension, with `/` separators.
fn id_for(path: &Path, root: Option<&Path>) -> String {
    let relative = root.and_then(|r| path.strip_prefix(r).ok()).unwrap_or(path);
    // `a.txt.gz` is `a`, as `a.txt` is: the compression's extension goes with the format's.
    let compressed =
        relative.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz") || e.eq_ignore_ascii_case("zst"));
    let relative =
        if compressed { relative.with_extension("").with_extension("") } else { relative.with_extension("") };
    let parts: Vec<String> =
        relative.components().map(|c| crate::escape::path_text(Path::new(c.as_os_str())).into_owned()).collect();
    parts.join("/")
}

/// Reads every document of `file`, calling `emit` for each good one and `problem` for each damaged one,
/// and advancing `progress` by the bytes of the file consumed (compressed bytes for a compressed file).
/// The format is the one the name says (`.txt`, `.jsonl`/`.ndjson`, `.warc`/`.wet`, each optionally
/// `.gz`/`.zst`), else the one the first bytes show; compression is detected by magic bytes. Returns an
/// error when the file as a whole cannot be read, or, with `options.strict`, at the first problem.
pub fn read(
    file: &InputFile,
    options: &InputOptions,
    emit: &mut dyn FnMut(Document),
    problem: &mut dyn FnMut(Problem),
    progress: &dyn Progress,
) -> Result<()> {
    read_with(file, options, &Serial, emit, problem, progress)
}

/// [`read`], parsing the lines of JSON Lines files through `parser` (the pipeline passes one that uses its
/// thread pool). Documents and problems come out in the same order whatever `parser` does.
pub fn read_with(
    file: &InputFile,
    options: &InputOptions,
    parser: &dyn ParseMap,
    emit: &mut dyn FnMut(Document),
    problem: &mut dyn FnMut(Problem),
    progress: &dyn Progress,
) -> Result<()> {
    let size = file_size(&file.path);
    let mut src = match source::open(&file.path, options.format) {
        Ok(src) => src,
        Err(source) => {
            progress.inc(size);
            return Err(Error::Read { path: file.path.clone(), source });
        }
    };
    let mut ctx = ReadContext {
        file,
        path: file.path.as_path().into(),
        format: src.format,
        stream: StreamInfo { compression: src.compression, consumed: src.consumed.clone() },
        store: None,
        options,
        parser,
        sink: Sink::new(&file.path, options.strict, src.consumed.clone(), emit, problem, progress),
    };
    // The spill store is opened once the sink exists, so that a failure to open it also ends the file
    // through `Sink::finish` (the file's bytes counted to progress, as for any other error).
    let result = spill_store(&src).and_then(|store| {
        ctx.store = store;
        read_format(src.reader.as_mut(), &mut ctx)?;
        for gap in src.gaps.take() {
            ctx.sink.problem(None, gap)?;
        }
        // The file's spilled texts are written out now, so that a full temporary folder is met while
        // reading, as the one error it is, not later as each text failing to be read again.
        ctx.store.as_ref().map_or(Ok(()), |store| store.flush().map_err(spill_failed))
    });
    ctx.sink.finish(size);
    result
}

/// The spill store for the texts of `src` when they cannot be read again cheaply (compressed) or at all
/// (standard input, a FIFO, a process substitution); a compressed text file is decompressed again instead,
/// once, when its document is verified.
fn spill_store(src: &source::Source) -> Result<Option<Arc<SpillStore>>> {
    Ok(match (src.format, src.seekable, src.reopenable) {
        (Format::Text | Format::Html, _, true) | (_, true, _) => None,
        _ => Some(SpillStore::shared().map_err(spill_failed)?),
    })
}

/// Reads the documents of `reader`, the decoded bytes of `ctx.file`, with the reader of `ctx.format`:
/// the one place that says which module reads which format.
fn read_format(reader: &mut dyn BufRead, ctx: &mut ReadContext) -> Result<()> {
    // Nothing at all (a crawler that died, a file cut to nothing), or a stream that fails at once, is said
    // alike in every format.
    match reader.fill_buf() {
        Ok([]) => return ctx.sink.problem(None, "empty (0 bytes); skipped"),
        Ok(_) => {}
        Err(e) => return ctx.sink.last_problem(None, ctx.stream.broken(&e, "nothing")),
    }
    match ctx.format {
        Format::Text | Format::Html => text::read(reader, ctx),
        Format::Jsonl => jsonl::read(reader, ctx),
        Format::Csv => csv::read(reader, ctx),
        Format::Warc => warc::read(reader, ctx),
    }
}

/// The error of the spill store (a file in the temporary folder) failing to be created or written: a
/// full or unwritable temporary folder, which stops the run.
fn spill_failed(source: std::io::Error) -> Error {
    Error::Spill { dir: std::env::temp_dir(), source }
}

/// Whether two URLs name the same page: scheme, `www.`, case of the host, a trailing slash, a fragment
/// and tracking parameters (`utm_source`, `fbclid`…) aside.
pub(crate) fn same_page(a: &str, b: &str) -> bool {
    page_key(a) == page_key(b)
}

/// Query parameters that say how a reader came to a page, not which page it is (and prefixes of such).
const TRACKING: &[&str] =
    &["utm_", "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "ocid", "cmpid", "smid"];

/// What [`same_page`] compares of a URL: its host without `www.` in lower case, and its path and query
/// without the scheme, fragment, trailing slashes or tracking parameters.
pub(crate) fn page_key(url: &str) -> (String, String) {
    let url = url.trim();
    let url = url.split_once("://").map_or(url, |(_, rest)| rest);
    let url = url.split('#').next().unwrap_or(url);
    let (url, query) = url.split_once('?').unwrap_or((url, ""));
    let (host, path) = url.split_once('/').unwrap_or((url, ""));
    let host = host.to_ascii_lowercase();
    let tracking = |p: &&str| TRACKING.iter().any(|t| p.to_ascii_lowercase().starts_with(t));
    let query: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !tracking(p)).collect();
    let mut path = path.trim_end_matches('/').to_string();
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    (host.strip_prefix("www.").map(str::to_string).unwrap_or(host), path)
}

/// The size of an input file in bytes (0 for standard input, or when it cannot be known).
pub fn file_size(path: &Path) -> u64 {
    if is_stdin(path) { 0 } else { std::fs::metadata(path).map_or(0, |m| m.len()) }
}

/// Reads documents from bytes in memory, as if from a plain file at `path` in `format`: the entry point for
/// fuzzing and for callers that already hold the bytes. Documents get [`Origin::Line`] / [`Origin::Record`]
/// origins, which [`reload`] can only follow if `path` holds the same bytes.
pub fn read_bytes(
    path: &Path,
    format: Format,
    bytes: &[u8],
    options: &InputOptions,
    emit: &mut dyn FnMut(Document),
    problem: &mut dyn FnMut(Problem),
) -> Result<()> {
    let file = InputFile { path: path.to_path_buf(), id: id_for(path, path.parent()) };
    in_context(&file, format, source::Compression::None, bytes.len() as u64, options, emit, problem, |ctx| {
        read_format(&mut &bytes[..], ctx)
    })
}

/// Reads the documents of a whole file held in memory (as a cluster's storage hands it over), as
/// [`read`] reads the file `file.path`: compression told by the first bytes, the format by
/// `options.format`, the name or the first decoded bytes, ids from `file.id`. Their origins are places in
/// the file (offsets into the decoded bytes when it is compressed, nothing having been spilled).
pub fn read_file_bytes(
    file: &InputFile,
    bytes: &[u8],
    options: &InputOptions,
    emit: &mut dyn FnMut(Document),
    problem: &mut dyn FnMut(Problem),
) -> Result<()> {
    if let Some(source) = source::unsupported_compression(bytes) {
        return Err(Error::Read { path: file.path.clone(), source });
    }
    let compression = source::sniff_compression(bytes);
    let gaps = source::Gaps::default();
    // A stream damaged or cut short gives what it decoded, then its error where the reader meets it, as
    // reading the file does: the documents before the damage are kept.
    let mut broken = None;
    let mut decode = |decoder: &mut dyn Read| {
        let mut out = Vec::new();
        if let Err(e) = decoder.read_to_end(&mut out) {
            broken = Some(e);
        }
        out
    };
    let decoded: std::borrow::Cow<[u8]> = match compression {
        source::Compression::None => bytes.into(),
        source::Compression::Gzip => decode(&mut source::GzMembers::new(bytes, gaps.clone())).into(),
        source::Compression::Zstd => match zstd::stream::read::Decoder::with_buffer(bytes) {
            Ok(mut decoder) => decode(&mut decoder).into(),
            Err(e) => return Err(Error::Read { path: file.path.clone(), source: e }),
        },
    };
    let format = options.format.or(source::from_name(&file.path).0).unwrap_or_else(|| source::sniff_format(&decoded));
    in_context(file, format, compression, bytes.len() as u64, options, emit, problem, |ctx| {
        let mut stream = std::io::BufReader::new(ThenFails { bytes: &decoded, error: broken });
        read_format(&mut stream, ctx)?;
        gaps.take().into_iter().try_for_each(|gap| ctx.sink.problem(None, gap))
    })
}

/// Bytes, then an error (the one that stopped their decoding), as a damaged stream gives them.
struct ThenFails<'a> {
    bytes: &'a [u8],
    error: Option<std::io::Error>,
}

impl Read for ThenFails<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.bytes.read(buf)? {
            0 => self.error.take().map_or(Ok(0), Err),
            n => Ok(n),
        }
    }
}

/// Reads JSON Lines records given one by one with their line numbers (`(line, bytes)`, as a cluster's
/// storage splits a file into lines), as [`read`] reads those lines of `file`: the same documents, ids
/// and problems. Their origins are [`Origin::Line`] with no byte offset. The notes a scan says once for a
/// file (dates that do not read, a text field no record has) are said for these lines alone.
pub fn read_lines<'b>(
    file: &InputFile,
    lines: impl IntoIterator<Item = (u64, &'b [u8])>,
    options: &InputOptions,
    emit: &mut dyn FnMut(Document),
    problem: &mut dyn FnMut(Problem),
) -> Result<()> {
    in_context(file, Format::Jsonl, source::Compression::None, 0, options, emit, problem, |ctx| {
        jsonl::read_numbered(lines, ctx)
    })
}

/// Runs `read` over a reading context for `file`, whose stream is `consumed` bytes long in all.
#[allow(clippy::too_many_arguments)]
fn in_context(
    file: &InputFile,
    format: Format,
    compression: source::Compression,
    consumed: u64,
    options: &InputOptions,
    emit: &mut dyn FnMut(Document),
    problem: &mut dyn FnMut(Problem),
    read: impl FnOnce(&mut ReadContext) -> Result<()>,
) -> Result<()> {
    let path = file.path.as_path();
    let size = consumed;
    let consumed = Rc::new(Cell::new(consumed));
    let mut ctx = ReadContext {
        file,
        path: path.into(),
        format,
        stream: StreamInfo { compression, consumed: consumed.clone() },
        store: None,
        options,
        parser: &Serial,
        sink: Sink::new(path, options.strict, consumed, emit, problem, &NoProgress),
    };
    let result = read(&mut ctx);
    // The file's notes held to its end (dates that do not read, a text field no record has) are said now.
    ctx.sink.finish(size);
    result
}

/// Reads the text of a document again, from where it was first read. This dispatches on the origin rather
/// than the format: the origin says where the text is (a spilled text is read from the store whatever
/// its format), and each kind of place in a file belongs to one reader.
pub fn reload(path: &Path, origin: &Origin, options: &InputOptions) -> Result<String> {
    let read_err = |source| Error::Read { path: path.to_path_buf(), source };
    match origin {
        Origin::File => text::reload(path, options),
        Origin::Line { line, offset } => jsonl::reload(path, *line, *offset, options),
        Origin::Record { offset } => warc::reload(path, *offset, options),
        Origin::Row { row, offset } => csv::reload(path, *row, *offset, options),
        Origin::Spill { store, offset, len } => store.get(*offset, *len).map_err(read_err),
        Origin::Memory(text) => Ok(text.to_string()),
        Origin::Stored { store, doc } => store.0.text(*doc),
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
    if let Some(cut) = cut_to(&mut text, max_bytes) {
        note = Some(format!("document of {} bytes cut to the first {cut}", bytes.len()));
    }
    (text, note)
}

/// Cuts `text` to `max_bytes` at a character boundary when it is longer: where it was cut, if it was.
pub(crate) fn cut_to(text: &mut String, max_bytes: usize) -> Option<usize> {
    if text.len() <= max_bytes {
        return None;
    }
    let mut cut = max_bytes;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    Some(cut)
}

/// Whether a text has nothing but white space (or a byte-order mark, all Notepad writes of an empty
/// file): an empty document, reported and skipped.
pub(crate) fn is_blank(text: &str) -> bool {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').is_empty()
}

/// Whether bytes look like a binary file rather than text: NUL bytes near the start, in a text that is
/// not UTF-16 (which holds a NUL byte in every ASCII character).
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    !is_utf16(bytes) && bytes.iter().take(8192).any(|&b| b == 0)
}

/// Whether bytes are UTF-16 text (see [`utf16`]).
pub(crate) fn is_utf16(bytes: &[u8]) -> bool {
    utf16(bytes).is_some()
}

/// The UTF-16 encoding bytes are in: the one their byte-order mark names (as Windows Notepad saves
/// "Unicode" text), else, without a mark, the one whose every other byte is zero in nine of ten of their
/// first 512 characters, as in text written mostly in Latin letters (little-endian: the zero second).
pub(crate) fn utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    use encoding_rs::{UTF_8, UTF_16BE, UTF_16LE};
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        return (encoding != UTF_8).then_some(encoding);
    }
    let units: Vec<&[u8]> = bytes.chunks_exact(2).take(512).collect();
    let share = |zero: usize| units.iter().filter(|u| u[zero] == 0 && u[1 - zero] != 0).count() * 10;
    match units.len() {
        0..8 => None,
        n if share(1) >= 9 * n => Some(UTF_16LE),
        n if share(0) >= 9 * n => Some(UTF_16BE),
        _ => None,
    }
}

/// Why a stream read line by line (JSON Lines, CSV) in UTF-16 is skipped: its lines are read as UTF-8.
pub(crate) const UTF16_STREAM: &str =
    "UTF-16 text, which is read as UTF-8 only: convert it (iconv -f UTF-16 -t UTF-8); skipped";

/// Whether a body opens as an HTML page.
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    head.contains("<html") || head.contains("<!doctype html")
}

/// How precisely a publication date places its article in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePrecision {
    /// A day without a time (`2025-05-24`, `24 May 2025`): any moment of that day (read as UTC).
    Day,
    /// A time without its zone (`2025-05-24T10:30`), a local time read as UTC: within hours of it.
    Time,
    /// A time with its zone or offset ([`parse_instant`]): the moment itself.
    Instant,
}

/// A document's publication date as [`parse_day`] reads it, and how precisely it places the document; the
/// time a crawler fetched the page (`crawled`, a web archive's page without a date of its own) is no
/// instant of publication.
pub fn publication(date: Option<&str>, crawled: Option<&str>) -> (Option<f64>, DatePrecision) {
    match date.and_then(parse_dated) {
        Some((day, DatePrecision::Instant)) if crawled == date => (Some(day), DatePrecision::Time),
        Some((day, precision)) => (Some(day), precision),
        None => (None, DatePrecision::Time),
    }
}

/// [`parse_day`] for a date that is an instant: a time with its time zone or offset (ISO 8601 / RFC 3339,
/// RFC 2822), not a day nor a time without a zone; `None` otherwise.
pub fn parse_instant(date: &str) -> Option<f64> {
    let date = date.trim();
    let instant = date
        .parse::<jiff::Timestamp>()
        .ok()
        .or_else(|| jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(date).ok());
    let Some(instant) = instant else {
        // A time with its offset or UTC written apart (`2025-05-24 10:30:00 +0000`, `… 10:30 UTC`).
        return parse_day_without_zone(date).filter(|&(_, p)| p == DatePrecision::Instant).map(|(day, _)| day);
    };
    let seconds = instant.as_second();
    (-30_610_224_000..253_402_300_800)
        .contains(&seconds)
        .then(|| seconds.div_euclid(86_400) as f64 + (seconds.rem_euclid(86_400) / 60) as f64 / 1440.0)
}

/// Reads a publication date as days since 1970-01-01 UTC, with the time of day (hours and minutes) as a
/// fraction. A date with a time zone, ISO 8601 / RFC 3339 (`2025-05-24T10:30:00Z`,
/// `2025-05-24T01:30+09:00`) or RFC 2822 (`Sat, 24 May 2025 06:00:00 -0800`, `… GMT`), is read by `jiff`
/// and put in UTC, so `01:30+09:00` comes before `09:00-08:00` of the day before it. A date without one
/// is taken as UTC: ISO 8601 (`2025-05-24`, `2025-05-24T10:30`), `2025/05/24`, and dates with a month name
/// (`24-MAY-2025 10:30`, `24 May 2025`, `May 24, 2025`), and the fourteen digits of web archives' and
/// CDX indexes' timestamps, in UTC (`20250524103000`). Returns `None` for anything else, including
/// all-numeric dates whose day and month order is ambiguous (`05/06/2025`, `27/05/2025`), and for what no
/// publication can be: the first instant of 1970 (a timestamp of zero, a placeholder) and a day after
/// the one the run started on (a placeholder such as 9999-12-31 or 2999-01-01, a wrong clock).
pub fn parse_day(date: &str) -> Option<f64> {
    parse_dated(date).map(|(day, _)| day)
}

/// [`parse_day`], and how precisely the date places its article: an instant when [`parse_instant`] reads
/// it, a day when it has no time of day, else a time (a web archive's fourteen digits are one: a
/// crawler's clock).
fn parse_dated(date: &str) -> Option<(f64, DatePrecision)> {
    let date = date.trim();
    if date.len() == 14 && date.bytes().all(|b| b.is_ascii_digit()) {
        let [y, mo, d, h, mi, s] = [0..4, 4..6, 6..8, 8..10, 10..12, 12..14].map(|r| &date[r]);
        return parse_day(&format!("{y}-{mo}-{d}T{h}:{mi}:{s}Z")).map(|day| (day, DatePrecision::Time));
    }
    // The run's day, from its clock, once: the same for every date of a run.
    static TODAY: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let today = *TODAY.get_or_init(|| jiff::Timestamp::now().as_second().div_euclid(86_400) as f64);
    let (day, precision) = match parse_instant(date) {
        Some(day) => (day, DatePrecision::Instant),
        None => parse_day_without_zone(date)?,
    };
    // The first instant of 1970 is a timestamp of zero shown in some zone: 1969-12-31 or 1970-01-01,
    // at any hour.
    (!(-1.0..1.0).contains(&day) && day < today + 2.0).then_some((day, precision))
}

/// [`parse_day`] for a date that `jiff` does not read: without a time zone, or with a numeric offset after
/// the time written apart (`2025-05-24 10:30:00 -1100`, `May 24, 2025 10:30 -11:00`), which is applied; a
/// 12-hour time (`12:30 AM`, `10:30 p.m.`) is read as one. A zone named by letters alone (`EST`) is
/// ignored: abbreviations are ambiguous. Also whether the date is an instant: a time with its offset, or
/// `UTC`/`GMT`, written after it.
fn parse_day_without_zone(date: &str) -> Option<(f64, DatePrecision)> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    // A signed year (ISO 8601's `-2025-05-01` is 2026 BC) is no publication's: the words below drop signs.
    if date.trim_start().starts_with(['-', '+']) {
        return None;
    }
    // An ISO time is glued to the day by a "T" (2025-05-24T10:30), a meridiem to the time (10:30pm): part
    // them.
    let chars: Vec<char> = date.trim().to_ascii_lowercase().chars().collect();
    let digit_at = |j: usize| chars.get(j).is_some_and(char::is_ascii_digit);
    let mut lower = String::with_capacity(chars.len() + 1);
    for (i, &c) in chars.iter().enumerate() {
        let after_digit = i > 0 && digit_at(i - 1);
        match c {
            't' if after_digit && digit_at(i + 1) => lower.push(' '),
            'a' | 'p' if after_digit => {
                lower.push(' ');
                lower.push(c);
            }
            _ => lower.push(c),
        }
    }
    let given = utc_offset_minutes(&lower);
    let offset = given.unwrap_or(0);
    let tokens: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let number = |t: &str| t.parse::<i64>().ok();
    let month_name = |t: &str| MONTHS.iter().position(|m| t.len() >= 3 && m.starts_with(&t[..3])).map(|i| i as i64 + 1);
    // Year first (ISO 8601, 2025/05/24): year, month, day, then the time. Otherwise a month name with the
    // day beside it (24-MAY-2025, 24 May 2025, May 24, 2025, RFC 2822 with a weekday). All-numeric
    // day-month orders are ambiguous (05/06/2025) and left unread.
    let (y, m, d, time_at) = if tokens.first().is_some_and(|t| t.len() == 4 && number(t).is_some()) {
        (number(tokens[0])?, number(tokens.get(1)?)?, number(tokens.get(2)?)?, 3)
    } else {
        let (mi, m) = tokens.iter().enumerate().find_map(|(i, t)| month_name(t).map(|m| (i, m)))?;
        let year_at = tokens.iter().position(|t| t.len() == 4 && number(t).is_some())?;
        let day_at = [mi.wrapping_sub(1), mi + 1]
            .into_iter()
            .find(|&i| i != year_at && tokens.get(i).and_then(|t| number(t)).is_some())?;
        // The time after the year (`24 May 2025 10:30`), or between the day and the year (C's `ctime`,
        // `Tue May 20 23:30:00 2025`).
        let between =
            tokens.get(day_at + 1..year_at).filter(|t| !t.is_empty() && t.iter().all(|t| number(t).is_some()));
        let time_at = if between.is_some() { day_at + 1 } else { year_at.max(day_at) + 1 };
        (number(tokens[year_at])?, m, number(tokens[day_at])?, time_at)
    };
    // A day the calendar has (not 31 February), in a year a publication can have: year 0 and negative
    // years are placeholders (0000-01-01) or a sign this reading drops.
    if !(1000..=9999).contains(&y) || jiff::civil::Date::new(y as i16, m as i8, d as i8).is_err() {
        return None;
    }
    // Days from civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let time_tokens: Vec<i64> = tokens.iter().skip(time_at).map_while(|t| number(t)).collect();
    let after: Vec<&str> = tokens.iter().skip(time_at + time_tokens.len()).take(2).copied().collect();
    let meridiem = match after.as_slice() {
        ["am", ..] | ["a", "m"] => Some(0),
        ["pm", ..] | ["p", "m"] => Some(12),
        _ => None,
    };
    let fraction = match (time_tokens.as_slice(), meridiem) {
        // 12:30 AM is half past midnight, 12:30 PM half past noon.
        ([h, min, ..], Some(half)) if (1..=12).contains(h) && (0..60).contains(min) => {
            ((h % 12 + half) * 60 + min - offset) as f64 / 1440.0
        }
        ([h, min, ..], None) if (0..24).contains(h) && (0..60).contains(min) => (h * 60 + min - offset) as f64 / 1440.0,
        // No time, or one no clock shows (news-scale has `31-MAR-1987 605:12:19.12`): the day alone.
        _ => return Some((days as f64, DatePrecision::Day)),
    };
    let utc = tokens.iter().skip(time_at).any(|t| matches!(*t, "utc" | "gmt" | "z"));
    let precision = if given.is_some() || utc { DatePrecision::Instant } else { DatePrecision::Time };
    Some((days as f64 + fraction, precision))
}

/// The offset from UTC, in minutes, that a date gives after its time (`+hh:mm`, `+hhmm`, `-hh`): a sign
/// after the time's first colon (so the dashes of `2025-05-24` are not one), then two or four digits;
/// `None` when there is none.
fn utc_offset_minutes(lower: &str) -> Option<i64> {
    let colon = lower.find(':')?;
    let tail = &lower[colon..];
    let at = tail.rfind(['+', '-'])?;
    let sign = if tail[at..].starts_with('-') { -1 } else { 1 };
    let digits: String =
        tail[at + 1..].chars().take_while(|c| c.is_ascii_digit() || *c == ':').filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        // `UTC-5`, `GMT+3`: hours alone.
        1 | 2 => (digits.parse::<i64>().ok()?, 0),
        4 => (digits[..2].parse::<i64>().ok()?, digits[2..].parse::<i64>().ok()?),
        _ => return None,
    };
    (h <= 14 && m <= 59).then_some(sign * (h * 60 + m))
}

/// Reads a whole in-memory input with the default options: its documents and its problems (for tests).
#[cfg(test)]
pub(crate) fn read_all(name: &str, format: Format, bytes: &[u8]) -> (Vec<Document>, Vec<Problem>) {
    let (mut docs, mut problems) = (Vec::new(), Vec::new());
    read_bytes(Path::new(name), format, bytes, &InputOptions::default(), &mut |d| docs.push(d), &mut |p| {
        problems.push(p)
    })
    .expect("an in-memory input as a whole is always readable");
    (docs, problems)
}

impl Problem {
    /// `error`, met reading `file`, as a problem: named by the file (and line) the error names, its
    /// message without that name (which the problem's own display puts in front).
    pub(crate) fn from_error(error: Error, file: &Path) -> Problem {
        match error {
            Error::Read { path, source } => Problem::in_file(path, format!("cannot read: {source}")),
            Error::Json { path, line, message } => Problem { line: Some(line), ..Problem::in_file(path, message) },
            Error::Input { path, line, message } => Problem { line, ..Problem::in_file(path, message) },
            other => Problem::in_file(file, other.unescaped()),
        }
    }
}

/// A problem that stops the run (`--strict`): its message without "; skipped", since nothing was.
impl From<Problem> for Error {
    fn from(p: Problem) -> Error {
        let message = p.message.strip_suffix("; skipped").map_or(p.message.clone(), str::to_string);
        Error::Input { path: p.path, line: p.line, message }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Reads one file as the pipeline does, collecting its documents and problems.
    pub(crate) fn read_all(path: &Path, options: &InputOptions) -> (Vec<Document>, Vec<Problem>) {
        let file = InputFile { path: path.to_path_buf(), id: id_for(path, path.parent()) };
        let (mut docs, mut problems) = (Vec::new(), Vec::new());
        read(&file, options, &mut |d| docs.push(d), &mut |p| problems.push(p), &NoProgress).unwrap();
        (docs, problems)
    }

    /// A file of no bytes is said alike in every format (a crawl or export that died before writing);
    /// a text of a byte-order mark alone is an empty document.
    #[test]
    fn empty_inputs_are_said_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.txt", "a.html", "a.jsonl", "a.csv", "a.warc", "a.jsonl.gz", "a.warc.gz"] {
            let path = dir.path().join(name);
            std::fs::write(&path, b"").unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            assert!(docs.is_empty(), "{name}");
            assert_eq!(problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>(), ["empty (0 bytes); skipped"]);
        }
        let bom = dir.path().join("bom.txt");
        std::fs::write(&bom, "\u{feff}\n").unwrap();
        let (docs, problems) = read_all(&bom, &InputOptions::default());
        assert!(docs.is_empty() && problems[0].message == "empty document; skipped", "{problems:?}");
    }

    /// UTF-16 without a byte-order mark (Python's "utf-16-le", some database exports): a text decoded,
    /// JSON Lines refused with the advice to convert it, as with a mark.
    #[test]
    fn utf16_without_a_byte_order_mark() {
        let text = "Ministers met on Tuesday to agree the budget for the coming year.";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [&le, &be] {
            let (docs, problems) = super::read_all("t.txt", Format::Text, bytes);
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(docs[0].text, text);
            let (docs, problems) = super::read_all("t.jsonl", Format::Jsonl, bytes);
            assert!(docs.is_empty() && problems[0].message.starts_with("UTF-16 text"), "{problems:?}");
        }
        assert_eq!(utf16(b"plain ASCII text, long enough"), None);
    }

    #[test]
    fn same_page_sets_aside_how_a_reader_came() {
        let same = [
            ("https://www.News.example/world/story/", "http://news.example/world/story#top"),
            ("https://news.example/story?utm_source=fb&utm_medium=social", "https://news.example/story"),
            ("https://news.example/story?id=7&fbclid=abc", "https://news.example/story/?id=7"),
        ];
        for (a, b) in same {
            assert!(same_page(a, b), "{a} {b}");
        }
        let other = [
            ("https://news.example/story?id=7", "https://news.example/story?id=8"),
            ("https://news.example/story", "https://other.example/story"),
            ("https://news.example/a", "https://news.example/b"),
        ];
        for (a, b) in other {
            assert!(!same_page(a, b), "{a} {b}");
        }
    }

    /// A file's bytes handed over whole (as a cluster's storage does) are read as the file is: a gzip or
    /// zstd stream cut short keeps the documents before the cut and says where, as reading the file does.
    #[test]
    fn bytes_in_memory_are_read_as_their_file_even_cut_short() {
        let dir = tempfile::tempdir().unwrap();
        let lines: String =
            (0..4000).map(|i| format!("{{\"id\": \"r{i}\", \"text\": \"Record {i} has a few words.\"}}\n")).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, lines.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(lines.as_bytes(), 3).unwrap();
        for (name, bytes) in [
            ("whole.jsonl.gz", &gz[..]),
            ("cut.jsonl.gz", &gz[..gz.len() * 2 / 3]),
            ("cut.jsonl.zst", &zst[..zst.len() / 2]),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let (want_docs, want_problems) = read_all(&path, &InputOptions::default());
            let file = InputFile { path: path.clone(), id: id_for(&path, path.parent()) };
            let (mut docs, mut problems) = (Vec::new(), Vec::new());
            read_file_bytes(&file, bytes, &InputOptions::default(), &mut |d| docs.push(d), &mut |p| problems.push(p))
                .unwrap();
            let texts = |docs: &[Document]| docs.iter().map(|d| (d.id.clone(), d.text.clone())).collect::<Vec<_>>();
            assert_eq!(texts(&docs), texts(&want_docs), "{name}");
            // gzip gives what it decoded before the cut (zstd a whole block at a time: maybe nothing).
            assert!(name != "cut.jsonl.gz" || (!docs.is_empty() && docs.len() < 4000), "{name}: {}", docs.len());
            let said = |problems: &[Problem]| problems.iter().map(ToString::to_string).collect::<Vec<_>>();
            assert_eq!(said(&problems), said(&want_problems), "{name}");
            assert_eq!(problems.is_empty(), name.starts_with("whole"), "{name}: {problems:?}");
        }
    }

    #[test]
    fn dates_parse_to_days() {
        assert_eq!(parse_day("1970-01-02"), Some(1.0));
        assert_eq!(parse_day("2025-05-24"), Some(20232.0));
        assert_eq!(parse_day("2025-05-24T12:00:00Z"), Some(20232.5));
        assert_eq!(parse_day("2025/05/24 18:00"), Some(20232.75));
        assert_eq!(parse_day("24 May 2025"), Some(20232.0));
        assert_eq!(parse_day("24-MAY-2025 12:00:16.84"), Some(20232.5));
        assert_eq!(parse_day("Sat, 24 May 2025 06:00:00 GMT"), Some(20232.25));
        assert_eq!(parse_day("May 24, 2025"), Some(20232.0));
        assert_eq!(parse_day("20250524180000"), Some(20232.75));
        assert_eq!(parse_day("Sat May 24 18:00:00 2025"), Some(20232.75));
        assert_eq!(parse_day("2025-05-24 12:00 UTC-6"), Some(20232.75));
        assert_eq!(parse_day("Sat, 24 May 2025 21:00:00 GMT+3"), Some(20232.75));
        assert_eq!(parse_day("20251324180000"), None);
        assert_eq!(parse_day("05/24/2025"), None);
        assert_eq!(parse_day("yesterday"), None);
        assert_eq!(parse_day("2025-13-01"), None);
        assert_eq!(parse_day("27/05/2025"), None);
        // Days and times no calendar or clock has, placeholders and years a publication cannot have.
        assert_eq!(parse_day("Mon, 31 Feb 2025"), None);
        assert_eq!(parse_day("2025-02-29"), None);
        assert_eq!(parse_day("2024-02-29"), Some(19782.0));
        assert_eq!(parse_day("2025-05-24T25:61:61"), Some(20232.0));
        let after_today = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + 2 * 86_400).unwrap();
        let after_today = after_today.to_string();
        for placeholder in [
            "0000-01-01",
            "-0001-01-01",
            "-0050-06-01",
            "-2025-05-01",
            "1970-01-01T00:00:00-05:00",
            "1970-01-01T00:00:00+01:00",
            "Thu, 01 Jan 1970 00:00:00 -0500",
            "1969-12-31",
            "+2025-05-01",
            " -2025-05-01T10:00",
            "0001-01-01T00:00:00Z",
            "-009999-01-01T00:00Z",
            "1970-01-01",
            "1970-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2999-01-01",
            &after_today,
        ] {
            assert_eq!(parse_day(placeholder), None, "{placeholder}");
        }
    }

    /// An instant is a time with its zone, however the zone is written; a day, or a time without a zone,
    /// is not one.
    #[test]
    fn dates_say_how_precisely_they_place_an_article() {
        for (date, precision) in [
            ("2025-05-24", DatePrecision::Day),
            ("24 May 2025", DatePrecision::Day),
            ("31-MAR-1987 605:12:19.12", DatePrecision::Day),
            ("2025-05-24T10:30", DatePrecision::Time),
            ("26-FEB-1987 15:01:01.79", DatePrecision::Time),
            ("2025-05-24T10:30:00Z", DatePrecision::Instant),
            ("2025-05-24 10:30:00 +0000", DatePrecision::Instant),
            ("Sat, 24 May 2025 06:00:00 GMT", DatePrecision::Instant),
            ("20250524103000", DatePrecision::Time),
        ] {
            assert_eq!(parse_dated(date).map(|(_, p)| p), Some(precision), "{date}");
        }
        // A crawler's time is no instant of publication.
        let at = "2025-05-24T10:30:00Z";
        assert_eq!(publication(Some(at), None).1, DatePrecision::Instant);
        assert_eq!(publication(Some(at), Some(at)).1, DatePrecision::Time);
        assert_eq!(publication(Some("soon"), None), (None, DatePrecision::Time));
    }

    #[test]
    fn instants_are_times_with_their_zone() {
        let ten = parse_instant("2024-12-03T10:00:00Z").unwrap();
        for date in [
            "2024-12-03T10:00:00+00:00",
            "Tue, 03 Dec 2024 10:00:00 GMT",
            "2024-12-03T10:00:00 +0000",
            "2024-12-03 10:00:00 -00:00",
            "2024-12-03 10:00 UTC",
            "December 3, 2024 10:00 AM +00:00",
            "2024-12-03 11:00:00 +01:00",
        ] {
            assert_eq!(parse_instant(date), Some(ten), "{date}");
        }
        for date in ["2024-12-03", "2024-12-03 10:00", "December 3, 2024 10:00 AM", "2024-12-03 10:00 EST"] {
            assert_eq!(parse_instant(date), None, "{date}");
            assert!(parse_day(date).is_some(), "{date}");
        }
    }

    #[test]
    fn dates_with_a_time_zone_are_put_in_utc() {
        let hours = |date: &str| parse_day(date).map(|d| (d * 24.0).round() as i64);
        // 01:30 in Tokyo is 16:30 UTC the day before; 09:00 in Los Angeles is 17:00 UTC: half an hour on.
        let (tokyo, la) =
            (parse_day("2025-05-24T01:30:00+09:00").unwrap(), parse_day("2025-05-23T09:00:00-08:00").unwrap());
        assert!((la - tokyo - 0.5 / 24.0).abs() < 1e-9, "{tokyo} {la}");
        assert_eq!(parse_day("2025-05-24T01:30+09:00"), Some(20231.0 + 16.5 / 24.0));
        assert_eq!(hours("Sat, 24 May 2025 06:00:00 -0800"), hours("2025-05-24T14:00:00Z"));
        assert_eq!(parse_day("2025-05-24 10:30:00Z"), Some(20232.0 + 10.5 / 24.0));
        // Before 1970 too; but the first instant of 1970, in any zone, is a timestamp of zero, a placeholder,
        // and so is any time of the two days it is shown on, 1969-12-31 and 1970-01-01.
        assert_eq!(hours("1969-12-30T17:00:00-06:00"), Some(-25));
        assert_eq!(parse_day("1969-12-31T18:00:00-06:00"), None);
        assert_eq!(parse_day("1969-12-31T17:00:00-06:00"), None);
        // An offset written apart from the time, as some systems write dates: applied, not dropped.
        let utc = hours("2025-05-24T21:30:00Z");
        for date in [
            "2025-05-24 10:30:00 -1100",
            "2025-05-24T10:30:00 -11:00",
            "2025-05-24 10:30:00 -1100 SST",
            "24 May 2025 10:30 -11:00",
            "May 24, 2025 10:30 -1100",
            "May 24, 2025 10:30 PM -11",
        ] {
            let want = if date.contains("PM") { utc.map(|h| h + 12) } else { utc };
            assert_eq!(hours(date), want, "{date}");
        }
        assert_eq!(hours("2025-05-23 00:00:00 -1200"), hours("2025-05-23T12:00:00Z"));
        assert_eq!(hours("2025-05-24 12:00:00 +1400"), hours("2025-05-23T22:00:00Z"));
        // A zone named in brackets after an offset (RFC 9557): the offset decides.
        assert_eq!(hours("2025-05-23T00:00:00-04:00[America/New_York]"), hours("2025-05-23T04:00:00Z"));
    }

    #[test]
    fn twelve_hour_times_are_read_as_such() {
        let hours = |date: &str| parse_day(date).map(|d| (d * 24.0 * 60.0).round() as i64);
        assert_eq!(hours("May 23, 2025 12:30 AM"), hours("2025-05-23T00:30:00Z"));
        assert_eq!(hours("May 23, 2025 12:30 PM"), hours("2025-05-23T12:30:00Z"));
        assert_eq!(hours("24 May 2025 10:30 PM"), hours("2025-05-24T22:30:00Z"));
        assert_eq!(hours("24 May 2025 10:30pm"), hours("2025-05-24T22:30:00Z"));
        assert_eq!(hours("24 May 2025 10:30 a.m."), hours("2025-05-24T10:30:00Z"));
        assert_eq!(hours("2025-05-24 1:05 am"), hours("2025-05-24T01:05:00Z"));
        // A 13 o'clock PM is no 12-hour time: the day alone.
        assert_eq!(hours("24 May 2025 13:30 PM"), hours("2025-05-24"));
        // The dashes of a date are no offset.
        assert_eq!(hours("2025-05-24"), Some(20232 * 24 * 60));
    }

    #[test]
    fn an_error_reading_a_file_is_a_problem_naming_it_once() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let p = Problem::from_error(Error::Read { path: "x/a.txt".into(), source: denied }, Path::new("x"));
        assert_eq!(p.to_string().matches("x/a.txt").count(), 1, "{p}");
        let e = Error::Json { path: "b.jsonl".into(), line: 3, message: "bad".into() };
        assert_eq!(Problem::from_error(e, Path::new("b.jsonl")).to_string(), "b.jsonl:3: bad");
    }

    #[test]
    fn ids_are_relative_paths_without_extension() {
        assert_eq!(id_for(Path::new("corpus/docs/a/b.txt"), Some(Path::new("corpus"))), "docs/a/b");
        assert_eq!(id_for(Path::new("x/001_y.txt"), Some(Path::new("x"))), "001_y");
        assert_eq!(id_for(Path::new("x/001_y.txt.gz"), Some(Path::new("x"))), "001_y");
        assert_eq!(id_for(Path::new("x/a.b.html.ZST"), Some(Path::new("x"))), "a.b");
        assert_eq!(id_for(Path::new("x/notes.gz"), Some(Path::new("x"))), "notes");
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
    fn standard_input_is_discovered_as_such() {
        let (files, problems) = discover(&[PathBuf::from("-"), PathBuf::from("-")], &InputOptions::default()).unwrap();
        assert!(problems.is_empty());
        assert_eq!(files.len(), 1);
        assert!(is_stdin(&files[0].path) && files[0].id == "stdin");
        assert_eq!(file_size(&files[0].path), 0);
        let p = Problem { line: Some(3), ..Problem::in_file(&files[0].path, "bad") };
        assert_eq!(p.to_string(), "stdin:3: bad");
    }

    #[test]
    fn discover_walks_folders_and_filters_extensions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        for name in ["b.txt", "a.TXT", "README.md", "truth.jsonl", "sub/c.txt", ".hidden.txt", "._b.txt", ".git/d.txt"]
        {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let (files, problems) = discover(&[dir.path().to_path_buf()], &InputOptions::default()).unwrap();
        let ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b", "sub/c"]);
        assert!(problems.is_empty());
        let missing = dir.path().join("missing");
        assert!(discover(&[dir.path().to_path_buf(), missing], &InputOptions::default()).is_err());
    }
}

/// Damaged and random bytes never make a reader panic, and what they yield is well formed: the readers'
/// share of the fuzz targets in `fuzz/`, run in the ordinary test suite.
#[cfg(test)]
mod robustness {
    use proptest::prelude::*;

    use super::*;

    const JSONL: &[u8] = b"{\"id\": \"a\", \"text\": \"First article.\", \"date\": \"2025-05-24\"}\n\
        {\"text\": \"Second \\u00e9 one\", \"url\": \"http://x\"}\n{\"text\": 3}\n";
    const WARC: &[u8] = b"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://b/2\r\n\
        Content-Length: 10\r\n\r\nPlain text\r\n\r\nWARC/1.0\r\nWARC-Type: response\r\n\
        Content-Type: application/http\r\nContent-Length: 62\r\n\r\nHTTP/1.1 200 OK\r\n\
        Content-Type: text/html\r\n\r\n<p>Page &amp; text</p>\r\n\r\n";

    fn check(format: Format, bytes: &[u8]) {
        let options = InputOptions { max_document_bytes: 256, ..InputOptions::default() };
        let _ = read_bytes(
            Path::new("p"),
            format,
            bytes,
            &options,
            &mut |d| {
                assert!(!is_blank(&d.text));
                assert!(d.text.len() <= 256);
            },
            &mut |_| {},
        );
    }

    /// A valid input with a few bytes overwritten, some cut off and some inserted.
    fn damaged(base: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
        (
            prop::collection::vec((0..base.len(), any::<u8>()), 0..6),
            0..=base.len(),
            prop::collection::vec(any::<u8>(), 0..8),
        )
            .prop_map(move |(edits, cut, insert)| {
                let mut bytes = base.to_vec();
                for (at, b) in edits {
                    bytes[at] = b;
                }
                bytes.truncate(cut);
                let at = cut / 2;
                bytes.splice(at..at, insert);
                bytes
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            check(Format::Jsonl, &bytes);
            check(Format::Warc, &bytes);
            check(Format::Text, &bytes);
            check(Format::Html, &bytes);
            check(Format::Csv, &bytes);
            let _ = html::extract(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn damaged_jsonl(bytes in damaged(JSONL)) {
            check(Format::Jsonl, &bytes);
        }

        #[test]
        fn damaged_warc(bytes in damaged(WARC)) {
            check(Format::Warc, &bytes);
        }

        #[test]
        fn html_soup(parts in prop::collection::vec(
            prop::sample::select(vec!["<p>", "</p>", "<nav>", "</nav>", "<script>", "</script>",
                "<!--", "-->", "&amp;", "&#x", ";", "<", ">", "text", " ", "é", "<article>", "'", "\""]),
            0..40,
        )) {
            let _ = html::extract(&parts.concat());
        }
    }
}
