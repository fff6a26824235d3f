//! Plain-text articles: one file, one document.

use std::path::Path;

use serde_json::Map;

use super::{Document, InputFile, InputOptions, Origin, Problem, decode, looks_binary};
use crate::error::{Error, Result};

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })
}

pub(super) fn read(
    file: &InputFile,
    options: &InputOptions,
    emit: &mut dyn FnMut(Document),
    problem: &mut dyn FnMut(Problem),
) -> Result<()> {
    let bytes = read_bytes(&file.path)?;
    if looks_binary(&bytes) {
        problem(Problem { path: file.path.clone(), line: None, message: "binary file (NUL bytes); skipped".into() });
        return Ok(());
    }
    let (text, note) = decode(&bytes, options.max_document_bytes);
    if let Some(message) = note {
        problem(Problem { path: file.path.clone(), line: None, message });
    }
    emit(Document {
        id: file.id.clone(),
        path: file.path.clone(),
        origin: Origin::File,
        text,
        date: None,
        extra: Map::new(),
    });
    Ok(())
}

pub(super) fn reload(path: &Path, options: &InputOptions) -> Result<String> {
    Ok(decode(&read_bytes(path)?, options.max_document_bytes).0)
}
