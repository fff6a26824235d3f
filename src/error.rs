//! The one error type of the library. Every variant that comes from a file carries its path (and line
//! or record offset where there is one), so a message can always say where the problem is.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::escape::path_text;

/// Everything that can go wrong in unspun.
#[derive(Debug)]
pub enum Error {
    /// A file or folder could not be read.
    Read { path: PathBuf, source: io::Error },
    /// A file could not be written.
    Write { path: PathBuf, source: io::Error },
    /// The spill store (a file in the temporary folder `dir`) could not be created or written: the folder
    /// is full or not writable. It stops the run, as no text spilled after it could be verified.
    Spill { dir: PathBuf, source: io::Error },
    /// A line of a JSON Lines or truth file is not what it should be.
    Json { path: PathBuf, line: u64, message: String },
    /// A file's contents are damaged or not in the expected format.
    Format { path: PathBuf, offset: u64, message: String },
    /// A piece of input is damaged, and `--strict` made that an error.
    Input { path: PathBuf, line: Option<u64>, message: String },
    /// Two signatures made with different parameters were compared.
    Incompatible { left: String, right: String },
    /// A setting is out of range or inconsistent.
    Config(String),
    /// A path given holds no input to read (a folder without articles).
    NoInput { path: PathBuf, message: String },
    /// A file of an index ([`crate::index`]) is missing, damaged, of another format version or made with
    /// other signing parameters.
    Index { path: PathBuf, message: String },
    /// The caller cancelled the run ([`crate::progress::Progress::cancelled`]).
    Cancelled,
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Shown with control characters escaped ([`crate::escape`]): paths and messages quote the input, and
/// the message is printed on a terminal.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::escape::Escaped(Raw(self)))
    }
}

impl Error {
    /// The message as it is, its quotations of the input exact (what a report's problems keep, and
    /// escaped once where shown); `Display` shows it escaped for a terminal.
    pub fn unescaped(&self) -> String {
        Raw(self).to_string()
    }
}

/// An error's message as it is, before [`crate::escape`].
struct Raw<'a>(&'a Error);

impl fmt::Display for Raw<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::Read { path, source } => write!(f, "{}: cannot read: {source}", path_text(path)),
            Error::Write { path, source } => {
                write!(f, "{}: cannot write: {source}", path_text(path))
            }
            Error::Spill { dir, source } => write!(
                f,
                "{}: cannot write the temporary file that keeps the texts of compressed input, standard input \
                 and FIFOs for verification: {source}; free space there, or set TMPDIR to a folder with room",
                path_text(dir)
            ),
            Error::Json { path, line, message } => write!(f, "{}:{line}: {message}", path_text(path)),
            Error::Format { path, offset, message } => {
                write!(f, "{} (byte {offset}): {message}", path_text(path))
            }
            Error::Input { path, line: Some(line), message } => {
                write!(f, "{}:{line}: {message}", path_text(path))
            }
            Error::Input { path, line: None, message } => write!(f, "{}: {message}", path_text(path)),
            Error::Incompatible { left, right } => {
                write!(f, "signatures are not comparable: {left} vs {right}")
            }
            Error::Config(message) => write!(f, "invalid setting: {message}"),
            Error::NoInput { path, message } | Error::Index { path, message } => {
                write!(f, "{}: {message}", path_text(path))
            }
            Error::Cancelled => write!(f, "cancelled"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } | Error::Write { source, .. } | Error::Spill { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads the file at `path` and parses its text with `parse`: a file that cannot be read, or whose text
/// `parse` refuses (with its reason), is an error naming the file.
pub fn read_parsed<T>(path: &Path, parse: impl FnOnce(&str) -> std::result::Result<T, String>) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.into(), source })?;
    parse(&text).map_err(|message| Error::Input { path: path.into(), line: None, message })
}
