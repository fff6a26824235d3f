//! Fuzzes the WARC reader: any bytes must give documents and problems, never a panic, and every
//! document must be non-empty text within the size cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unspun::input::{Format, InputOptions, read_bytes};

fuzz_target!(|data: &[u8]| {
    let options = InputOptions {
        max_document_bytes: 4096,
        ..InputOptions::default()
    };
    let mut check = |d: unspun::input::Document| {
        assert!(!d.text.trim().is_empty());
        assert!(d.text.len() <= options.max_document_bytes);
    };
    let _ = read_bytes(
        std::path::Path::new("fuzz.warc"),
        Format::Warc,
        data,
        &options,
        &mut check,
        &mut |_| {},
    );
});
