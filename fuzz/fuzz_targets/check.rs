//! What every fuzz target checks: reading any bytes as `format` gives documents and problems, never a
//! panic, and every document is non-empty text within the size cap.

use unspun::input::{Document, Format, InputOptions, read_bytes};

/// Reads `data` as a file named `name` in `format`, checking every document.
pub fn read_and_check(name: &str, format: Format, data: &[u8]) {
    let options = InputOptions { max_document_bytes: 4096, ..InputOptions::default() };
    let mut check = |d: Document| {
        assert!(!d.text.trim().is_empty());
        assert!(d.text.len() <= options.max_document_bytes);
    };
    let _ = read_bytes(std::path::Path::new(name), format, data, &options, &mut check, &mut |_| {});
}
