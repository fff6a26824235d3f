//! Where a report goes (stdout, a special file, or a file written atomically) and the writing of a
//! report in the format asked for.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use unspun::escape::path_text;
use unspun::report::Report;
use unspun::{Error, Result};

use super::args::Format;

/// Where a report goes: stdout; a special file (/dev/null, a pipe), written straight; or a temporary
/// file in the folder `dir` of the file `target` that `path` names (itself, or through symlinks),
/// renamed into place once complete, so an interrupted run never leaves half a report.
pub enum Output {
    Stdout,
    Direct(PathBuf),
    Atomic { path: PathBuf, target: PathBuf, dir: PathBuf },
}

impl Output {
    /// `path`, or stdout when there is none or it is `-`; checked before the work starts (by creating
    /// and removing the temporary file), so that a path that cannot be written fails at once, not after
    /// hours of scanning. A symlink is followed: the report replaces the file it names, not the link.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Stdout);
        };
        let err = |source| Error::Write { path: path.to_path_buf(), source };
        if path.is_dir() {
            return Err(err(io::Error::new(io::ErrorKind::IsADirectory, "a folder, not a file")));
        }
        // The system's names for open streams (/dev/stdout, /dev/fd/1, /proc/self/fd/1) and special
        // files cannot be replaced by renaming, and must not be: they are written straight.
        let target = follow_links(path).map_err(err)?;
        if is_system(&target) || target.exists() && !target.is_file() {
            return Ok(Output::Direct(path.to_path_buf()));
        }
        let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        // Dropping the temporary file removes it.
        temporary(&target, dir).map_err(err)?;
        Ok(Output::Atomic { dir: dir.to_path_buf(), path: path.to_path_buf(), target })
    }

    /// Refuses a report file inside `folder` (an index being queried): writing it would damage what is
    /// read.
    pub fn check_outside(&self, folder: &Path) -> Result<()> {
        let (Output::Atomic { path, target, .. } | Output::Direct(path @ target)) = self else {
            return Ok(());
        };
        let (Ok(folder), Some(parent)) = (std::fs::canonicalize(folder), target.parent()) else {
            return Ok(());
        };
        let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
        match std::fs::canonicalize(parent) {
            Ok(dir) if dir.starts_with(&folder) => Err(Error::Write {
                path: path.clone(),
                source: io::Error::other(format!(
                    "it is inside the index {}: the report would damage it",
                    path_text(&folder)
                )),
            }),
            _ => Ok(()),
        }
    }

    /// Refuses a report file that is one of the `inputs` (the same file by any path, symlink or hard
    /// link) or a file a scanned folder would read (one of `extensions`, inside the folder, there already
    /// or not): writing it would overwrite the article with the report, or put a report among the
    /// articles. Checked before the scan, so nothing is read for nothing.
    pub fn check_not_input(&self, inputs: &[PathBuf], extensions: &[String]) -> Result<()> {
        let (Output::Atomic { path, .. } | Output::Direct(path)) = self else {
            return Ok(());
        };
        // A new file is no input, but one made inside an input folder would be read by the next run.
        let Some(target) = resolved(path) else {
            return Ok(());
        };
        let refuse = |input: &Path| {
            Err(Error::Write {
                path: path.clone(),
                source: io::Error::other(if input.as_os_str() == "-" {
                    "it is standard input: the report would overwrite it".to_string()
                } else if input.is_dir() {
                    format!(
                        "it is inside the input folder {}: a run would read the report as documents",
                        path_text(input)
                    )
                } else {
                    format!("it is an input ({}): the report would overwrite it", path_text(input))
                }),
            })
        };
        // Named as a scanned folder reads it (`r.txt.gz` too: compressed, read by its first bytes).
        let wanted = unspun::input::has_extension(&target, extensions);
        for input in inputs {
            if input.as_os_str() == "-" {
                if is_stdin(&target) {
                    return refuse(input);
                }
                continue;
            }
            let Ok(canonical) = std::fs::canonicalize(input) else { continue };
            if canonical == target || same_file(&canonical, &target) {
                return refuse(input);
            }
            if wanted && canonical.is_dir() && target.starts_with(&canonical) {
                return refuse(input);
            }
        }
        Ok(())
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
                match result {
                    // A pipe written through (`-o /dev/stdout | head`): its reader's choice too.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
                    other => (path, other),
                }
            }
            Output::Atomic { path, target, dir } => {
                // On an error the temporary file is dropped, which removes it; on SIGINT or SIGTERM the
                // handler removes it.
                let result = temporary(&target, &dir).and_then(|tmp| {
                    let _interrupt = Interruptible::new(tmp.path());
                    let mut out = io::BufWriter::new(tmp);
                    write(&mut out)?;
                    let tmp = out.into_inner().map_err(io::Error::other)?;
                    tmp.as_file().sync_all()?;
                    tmp.persist(&target).map(drop).map_err(|e| e.error)
                });
                (path, result)
            }
        };
        result.map_err(|source| Error::Write { path, source })
    }
}

/// A new temporary file for the report `path`, in its folder `dir`: created exclusively (`O_EXCL`) under a
/// random name, `.NAME.XXXXXX.tmp`, so nothing planted at a predictable name can redirect the write.
fn temporary(path: &Path, dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A report is as readable as any file the user creates (0666 less the umask), not private (0600,
    // tempfile's default).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    // tempfile's error names the temporary file, which the user never asked for: name the folder.
    let tmp = builder.tempfile_in(dir).map_err(|e| {
        let message = e.to_string();
        let why = match e.kind() {
            io::ErrorKind::NotFound => "no such folder",
            _ => message.rsplit_once(" at path ").map_or(message.as_str(), |(why, _)| why),
        };
        io::Error::new(e.kind(), format!("cannot create a file in the folder {}: {why}", path_text(dir)))
    })?;
    // A report replacing a file keeps that file's permissions: a private report stays private.
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
    {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    Ok(tmp)
}

/// The file `path` names once its symlinks are followed (a link to a link too; a relative link is read
/// from the link's folder), whether or not that file exists yet: a report written to a link replaces the
/// file the link names, and the link stays.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        if is_system(&path) {
            return Ok(path);
        }
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&path)?;
                path = path.parent().unwrap_or(Path::new("")).join(link);
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Whether `path` is one of the system's names for devices and open streams (`/dev/stdout`,
/// `/proc/self/fd/1`), which a report is written through, never replaced.
fn is_system(path: &Path) -> bool {
    path.starts_with("/proc")
        || path.starts_with("/dev/fd")
        || ["/dev/stdout", "/dev/stderr"].iter().any(|p| path == Path::new(p))
}

/// Whether `path` is the file standard input reads (`-` redirected from it).
#[cfg(unix)]
fn is_stdin(path: &Path) -> bool {
    use std::os::fd::AsFd;
    let stdin = io::stdin().as_fd().try_clone_to_owned().map(File::from).and_then(|f| f.metadata());
    match (stdin, std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.is_file() && same_inode(&a, &b),
        _ => false,
    }
}

/// Elsewhere standard input cannot be told apart from a file.
#[cfg(not(unix))]
fn is_stdin(_: &Path) -> bool {
    false
}

/// The temporary report file being written, removed by the SIGINT / SIGTERM handler.
static WRITING: Mutex<Option<PathBuf>> = Mutex::new(None);
/// The index folder a build, add or compact is writing, whose temporary files the handler removes.
static INDEX_WRITING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Names the index folder this run writes, so an interrupt removes the temporary segment or manifest it
/// is writing there (as it removes a report's), not left to the next writer.
pub fn writing_index(dir: &Path) {
    if let Ok(mut writing) = INDEX_WRITING.lock() {
        *writing = Some(dir.to_path_buf());
    }
}

/// Where `path` is or would be written: the file by its canonical path, or a file not there yet by its
/// folder's, so two names of one file (`x.json`, `./x.json`, a symlink) are told to be one before either
/// exists.
pub fn resolved(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok().or_else(|| {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
    })
}

/// Installs the handler for SIGINT and SIGTERM: it removes the temporary report file being written, if
/// any, and an index writer's temporary files, and exits with 130 (interrupted). SIGKILL cannot be
/// caught, so `kill -9` can still leave one.
pub fn handle_interrupts() {
    // Fails only when a handler is already set, which nothing else in the binary does.
    let _ = ctrlc::set_handler(|| {
        if let Ok(writing) = WRITING.lock()
            && let Some(tmp) = writing.as_ref()
        {
            let _ = std::fs::remove_file(tmp);
        }
        if let Ok(writing) = INDEX_WRITING.lock()
            && let Some(dir) = writing.as_ref()
        {
            unspun::index::remove_own_temporaries(dir);
        }
        std::process::exit(130);
    });
}

/// While alive, names the temporary file the interrupt handler removes.
struct Interruptible;

impl Interruptible {
    fn new(tmp: &Path) -> Interruptible {
        if let Ok(mut writing) = WRITING.lock() {
            *writing = Some(tmp.to_path_buf());
        }
        Interruptible
    }
}

impl Drop for Interruptible {
    fn drop(&mut self) {
        if let Ok(mut writing) = WRITING.lock() {
            *writing = None;
        }
    }
}

/// Whether two paths name the same file (device and inode: hard links too).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => same_inode(&a, &b),
        _ => false,
    }
}

/// Whether two files' metadata are of one file (device and inode).
#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Elsewhere, the canonical paths compared by the caller are all there is.
#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

/// Writes a report in `format`.
pub fn write_report(report: &Report, format: Format, output: Output) -> Result<()> {
    output.write(|out| match format {
        Format::Text => report.write_text(out),
        Format::Json => report.write_json(out),
        Format::Jsonl => report.write_jsonl(out),
        Format::Csv => report.write_csv(out),
        Format::Summary => report.summary.write_json(out),
        Format::Html => report.write_html(out),
    })
}
