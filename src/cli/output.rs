//! Where a report goes (stdout, a special file, or a file written atomically) and the writing of a
//! report in the format asked for.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use unspun::report::Report;
use unspun::{Error, Result};

use super::args::Format;

/// Where a report goes: stdout; a special file (/dev/null, a pipe), written straight; or a temporary
/// file beside the target, renamed into place once complete, so an interrupted run never leaves half a
/// report.
pub enum Output {
    Stdout,
    Direct(PathBuf),
    Atomic { path: PathBuf, tmp: PathBuf },
}

impl Output {
    /// `path`, or stdout when there is none or it is `-`; checked before the work starts (by creating
    /// and removing the temporary file), so that a path that cannot be written fails at once, not after
    /// hours of scanning.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Stdout);
        };
        let err = |source| Error::Write { path: path.to_path_buf(), source };
        if path.is_dir() {
            return Err(err(io::Error::new(io::ErrorKind::IsADirectory, "a folder, not a file")));
        }
        if path.exists() && !path.is_file() {
            // A special file cannot be replaced by renaming.
            return Ok(Output::Direct(path.to_path_buf()));
        }
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        File::create(&tmp).and_then(|_| std::fs::remove_file(&tmp)).map_err(err)?;
        Ok(Output::Atomic { path: path.to_path_buf(), tmp })
    }

    /// Writes with `write` and puts the result in place.
    pub fn write(self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        let (path, result) = match self {
            Output::Stdout => {
                let mut out = io::BufWriter::new(io::stdout().lock());
                match write(&mut out).and_then(|_| out.flush()) {
                    // A closed pipe (`unspun scan … | head`) is the reader's choice, not an error.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
                    other => ("<stdout>".into(), other),
                }
            }
            Output::Direct(path) => {
                let result = File::create(&path).and_then(|file| {
                    let mut out = io::BufWriter::new(file);
                    write(&mut out).and_then(|_| out.flush())
                });
                (path, result)
            }
            Output::Atomic { path, tmp } => {
                let result = File::create(&tmp).and_then(|file| {
                    let mut out = io::BufWriter::new(file);
                    write(&mut out)?;
                    out.into_inner().map_err(io::Error::other)?.sync_all()?;
                    std::fs::rename(&tmp, &path)
                });
                if result.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                (path, result)
            }
        };
        result.map_err(|source| Error::Write { path, source })
    }
}

/// Writes a report in `format`.
pub fn write_report(report: &Report, format: Format, output: Output) -> Result<()> {
    output.write(|out| match format {
        Format::Text => report.write_text(out),
        Format::Json => report.write_json(out),
        Format::Jsonl => report.write_jsonl(out),
        Format::Csv => report.write_csv(out),
        Format::Summary => report.summary.write_json(out),
    })
}
