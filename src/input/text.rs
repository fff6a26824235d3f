//! Plain-text articles: one file (plain or compressed), one document. At most `max_document_bytes` of a
//! file are read, so one enormous file costs no more than that.

use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::Arc;

use serde_json::Map;

use super::{
    Document, InputFile, InputOptions, Origin, Sink, SpillStore, StreamInfo, decode, is_blank, looks_binary, source,
};
use crate::error::{Error, Result};

/// The first `max + 1` bytes of the stream (the extra byte tells that there was more).
fn read_capped(reader: &mut dyn BufRead, max: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of a file's bytes, cut to `max` bytes at a character boundary, and what was done to it.
fn text_of(mut bytes: Vec<u8>, max: usize) -> (String, Option<String>) {
    let mut cut_note = None;
    if bytes.len() > max {
        bytes.truncate(max);
        // Do not count a character split by the cut as invalid UTF-8.
        if let Err(e) = std::str::from_utf8(&bytes)
            && e.error_len().is_none()
        {
            bytes.truncate(e.valid_up_to());
        }
        cut_note = Some(format!("document longer than {max} bytes cut to the first {}", bytes.len()));
    }
    let (text, note) = decode(&bytes, max);
    let note = match (note, cut_note) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    (text, note)
}

/// Reads the one document of a text file; its text goes to `store` when one is given (standard input,
/// which cannot be read again).
pub(super) fn read(
    file: &InputFile,
    reader: &mut dyn BufRead,
    stream: &StreamInfo,
    store: Option<Arc<SpillStore>>,
    options: &InputOptions,
    sink: &mut Sink,
) -> Result<()> {
    let bytes = match read_capped(reader, options.max_document_bytes) {
        Ok(bytes) => bytes,
        Err(e) => return sink.problem(None, stream.broken(&e, "the start of the document")),
    };
    if looks_binary(&bytes) {
        return sink.problem(None, "binary file (NUL bytes); skipped");
    }
    let (text, note) = text_of(bytes, options.max_document_bytes);
    if is_blank(&text) {
        return sink.problem(None, "empty document; skipped");
    }
    if let Some(message) = note {
        sink.problem(None, message)?;
    }
    let origin = match store {
        None => Origin::File,
        Some(store) => {
            let offset = store.append(&text).map_err(|source| Error::Read { path: std::env::temp_dir(), source })?;
            Origin::Spill { store, offset, len: text.len() as u32 }
        }
    };
    sink.document(Document {
        id: file.id.clone(),
        path: file.path.as_path().into(),
        origin,
        text,
        date: None,
        extra: Map::new(),
    });
    Ok(())
}

pub(super) fn reload(path: &Path, options: &InputOptions) -> Result<String> {
    let err = |source| Error::Read { path: path.to_path_buf(), source };
    let mut src = source::open(path).map_err(err)?;
    let bytes = read_capped(src.reader.as_mut(), options.max_document_bytes).map_err(err)?;
    Ok(text_of(bytes, options.max_document_bytes).0)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::input::tests::read_all;

    #[test]
    fn plain_and_compressed_text_files() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.txt");
        std::fs::write(&plain, "Hello world.\n").unwrap();
        let gz = dir.path().join("b.txt.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"Compressed words.").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        for (path, text) in [(&plain, "Hello world.\n"), (&gz, "Compressed words.")] {
            let (docs, problems) = read_all(path, &InputOptions::default());
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(docs[0].text, text);
            assert_eq!(crate::input::reload(path, &docs[0].origin, &InputOptions::default()).unwrap(), text);
        }
    }

    #[test]
    fn damage_is_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str); 3] = [
            ("bin.txt", b"\x7fELF\0\0\x01", "binary"),
            ("empty.txt", b" \n\t", "empty"),
            ("latin.txt", b"caf\xe9 au lait", "invalid UTF-8"),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            assert_eq!(problems.len(), 1, "{name}");
            assert!(problems[0].message.contains(expected), "{problems:?}");
            assert_eq!(docs.len(), usize::from(name == "latin.txt"));
        }
    }

    #[test]
    fn enormous_files_are_cut_at_a_character_boundary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, "é".repeat(100)).unwrap();
        let options = InputOptions { max_document_bytes: 7, ..InputOptions::default() };
        let (docs, problems) = read_all(&path, &options);
        assert_eq!(docs[0].text, "ééé");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("cut to the first 6"));
        assert_eq!(reload(&path, &options).unwrap(), "ééé");
    }
}
