//! The spill store: texts read from inputs that cannot be seeked cheaply (compressed files, archives) are
//! appended to one temporary file, so verification can fetch a candidate's text again with a single
//! positioned read instead of decompressing the input anew. The file is created unlinked in the system
//! temp dir (it vanishes when the last document referring to it is dropped, or when the process ends,
//! even on a crash) and starts with a magic number and format version. Each input file's texts are
//! flushed when the file has been read, so a full temporary folder is met while reading, as one error
//! (`Error::Spill`) that stops the run.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

const MAGIC: &[u8; 16] = b"unspun-spill\0v1\n";

/// An append-only store of texts in a temporary file.
pub struct SpillStore {
    /// For positioned reads, which do not move the shared cursor.
    file: File,
    writer: Mutex<Writer>,
    /// Bytes known to be on disk (not in the write buffer).
    flushed: AtomicU64,
}

struct Writer {
    out: BufWriter<File>,
    len: u64,
}

/// The store currently in use, so every input of a run shares one file while its documents live.
static CURRENT: Mutex<Weak<SpillStore>> = Mutex::new(Weak::new());

impl SpillStore {
    /// The store of the current run, or a new one when none is alive.
    pub fn shared() -> io::Result<Arc<SpillStore>> {
        // A poisoned lock only means another thread panicked while swapping a Weak: the Weak is intact.
        let mut current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(store) = current.upgrade() {
            return Ok(store);
        }
        let store = Arc::new(SpillStore::new()?);
        *current = Arc::downgrade(&store);
        Ok(store)
    }

    fn new() -> io::Result<SpillStore> {
        let file = tempfile::tempfile()?;
        let mut out = BufWriter::with_capacity(1 << 20, file.try_clone()?);
        out.write_all(MAGIC)?;
        Ok(SpillStore { file, writer: Mutex::new(Writer { out, len: MAGIC.len() as u64 }), flushed: AtomicU64::new(0) })
    }

    /// Appends a text; returns where it starts.
    pub fn append(&self, text: &str) -> io::Result<u64> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let offset = w.len;
        w.out.write_all(text.as_bytes())?;
        w.len += text.len() as u64;
        Ok(offset)
    }

    /// Writes out the texts appended so far.
    pub fn flush(&self) -> io::Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.out.flush()?;
        self.flushed.store(w.len, Ordering::Release);
        Ok(())
    }

    /// Reads back the text of `len` bytes at `offset`.
    pub fn get(&self, offset: u64, len: u32) -> io::Result<String> {
        let end = offset + len as u64;
        if end > self.flushed.load(Ordering::Acquire) {
            let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            w.out.flush()?;
            self.flushed.store(w.len, Ordering::Release);
            if end > w.len || offset < MAGIC.len() as u64 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("spill store has no text at {offset}..{end}"),
                ));
            }
        }
        let mut buf = vec![0; len as usize];
        read_exact_at(&self.file, &mut buf, offset)?;
        // Only valid UTF-8 is ever written; a lossy decode costs nothing when it is.
        Ok(String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

impl fmt::Debug for SpillStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpillStore")
    }
}

/// Stores are equal only to themselves.
impl PartialEq for SpillStore {
    fn eq(&self, other: &SpillStore) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for SpillStore {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_by_offset() {
        let store = SpillStore::shared().unwrap();
        let a = store.append("first text").unwrap();
        let b = store.append("zweiter Text, größer").unwrap();
        assert_eq!(store.get(b, "zweiter Text, größer".len() as u32).unwrap(), "zweiter Text, größer");
        assert_eq!(store.get(a, 10).unwrap(), "first text");
        let c = store.append("third").unwrap();
        assert_eq!(store.get(c, 5).unwrap(), "third");
        assert!(store.get(c, 500).is_err());
        assert!(Arc::ptr_eq(&store, &SpillStore::shared().unwrap()));
    }
}
