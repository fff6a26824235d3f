//! Plain-text articles and HTML pages: one file (plain or compressed), one document (for a page, its main
//! text through [`html::extract`], and from its head the title, own URL and canonical link, passed on
//! as `title`, `url` and `canonical`, and the publication date). At most `max_document_bytes` of a
//! file are read, so one enormous file costs no more than that.

use std::io::{BufRead, Read};
use std::path::Path;

use serde_json::Map;

use super::context::ReadContext;
use super::source::Format;
use super::{Document, InputOptions, Origin, decode, html, is_blank, looks_binary, source};
use crate::error::{Error, Result};

/// Why an ARC file (the Internet Archive's format before WARC, starting `filedesc://`) is skipped rather
/// than read as one text of headers.
const ARC: &str = "an ARC web archive (filedesc:// header), which is not read: convert it to WARC (warcio, \
                   jwat-tools arc2warc); skipped";

/// The first `max + 1` bytes of the stream (the extra byte tells that there was more).
fn read_capped(reader: &mut dyn BufRead, max: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A file's text (for an HTML page, its main text, title and publication date), from its bytes cut to
/// `max` at a character boundary, what was done to it, and whether the bytes were cut.
fn text_of(mut bytes: Vec<u8>, format: Format, max: usize) -> (html::Page, Option<String>, bool) {
    // A UTF-16 file is read as the UTF-8 it decodes to.
    let mut utf16_note = None;
    if let Some(encoding) = super::utf16(&bytes) {
        let text;
        (text, utf16_note) = html::decode_as(encoding, &bytes);
        bytes = text.into_bytes();
    }
    let mut cut_note = None;
    let cut = bytes.len() > max;
    if cut {
        bytes.truncate(max);
        // Do not count a character split by the cut as invalid UTF-8.
        if let Err(e) = std::str::from_utf8(&bytes)
            && e.error_len().is_none()
        {
            bytes.truncate(e.valid_up_to());
        }
        cut_note = Some(format!("document longer than {max} bytes cut to the first {}", bytes.len()));
    }
    let (page, note) = if format == Format::Html {
        let (html, note) = html::decode_page(&bytes, None);
        let mut page = html::extract(&html);
        // A Latin-1 page grows when decoded: its text is held to the limit as well.
        let (text, cut) = decode(page.text.as_bytes(), max);
        cut_note = cut_note.or(cut);
        page.text = text;
        (page, note)
    } else {
        let (text, note) = decode(&bytes, max);
        (html::Page { text, ..html::Page::default() }, note)
    };
    let notes: Vec<String> = [utf16_note, note, cut_note].into_iter().flatten().collect();
    (page, (!notes.is_empty()).then(|| notes.join("; ")), cut)
}

/// Reads the one document of a text file or HTML page (`ctx.format`); its text goes to the spill store
/// when there is one (standard input, which cannot be read again).
const JSON_ARRAY: &str = "a JSON array, not JSON Lines (one record a line); skipped: `jq -c '.[]' FILE > FILE.jsonl` \
     makes one";

/// Whether a file named `.json` (compressed or not) holds an array, which read as text would be one
/// article of JSON syntax.
fn json_array(path: &std::path::Path, bytes: &[u8]) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let json = [".json", ".json.gz", ".json.zst"].iter().any(|e| name.ends_with(e));
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    json && bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

pub(super) fn read(reader: &mut dyn BufRead, ctx: &mut ReadContext) -> Result<()> {
    let (format, max) = (ctx.format, ctx.options.max_document_bytes);
    let bytes = match read_capped(reader, max) {
        Ok(bytes) => bytes,
        Err(e) => return ctx.sink.last_problem(None, ctx.stream.broken(&e, "the start of the document")),
    };
    // A page with a stray NUL byte is still a page (as a crawled one is, [`super::warc`]).
    if looks_binary(&bytes) && !(format == Format::Html && super::looks_like_html(&bytes)) {
        return ctx.sink.problem(None, "binary file (NUL bytes); skipped");
    }
    if bytes.starts_with(b"filedesc://") {
        return ctx.sink.problem(None, ARC);
    }
    if json_array(&ctx.file.path, &bytes) {
        return ctx.sink.problem(None, JSON_ARRAY);
    }
    let (mut page, note, cut) = text_of(bytes, format, max);
    if is_blank(&page.text) {
        let empty = match (format, cut) {
            (Format::Html, true) => format!(
                "no text in the first {max} bytes of the HTML page, where it was cut (max_document_bytes); skipped"
            ),
            (Format::Html, false) => html::NO_TEXT.to_string(),
            _ => "empty document; skipped".to_string(),
        };
        return ctx.sink.problem(None, empty);
    }
    if let Some(message) = note {
        ctx.sink.problem(None, message)?;
    }
    let origin = ctx.origin(&page.text, Origin::File)?;
    let mut extra = Map::new();
    page.add_head_fields(&mut extra);
    let (path, date) = (ctx.path.clone(), page.published);
    ctx.sink.document(Document { id: ctx.file.id.clone(), path, origin, text: page.text, date, extra });
    Ok(())
}

pub(super) fn reload(path: &Path, options: &InputOptions) -> Result<String> {
    let err = |source| Error::Read { path: path.to_path_buf(), source };
    let mut src = source::open(path, options.format).map_err(err)?;
    let bytes = read_capped(src.reader.as_mut(), options.max_document_bytes).map_err(err)?;
    Ok(text_of(bytes, src.format, options.max_document_bytes).0.text)
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

    /// A text file or page saved as UTF-16 (Notepad's "Unicode") is read by its byte-order mark, not
    /// taken for a binary file; a JSON Lines or CSV file in UTF-16 is skipped with a message saying so.
    #[test]
    fn utf16_files_are_decoded_by_their_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let utf16 = |text: &str, big: bool| -> Vec<u8> {
            let units = text.encode_utf16().flat_map(|u| if big { u.to_be_bytes() } else { u.to_le_bytes() });
            (if big { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] }).into_iter().chain(units).collect()
        };
        let cases = [
            ("le.txt", utf16("Café au lait, 東京.", false), "Café au lait, 東京."),
            ("be.txt", utf16("Big end first.", true), "Big end first."),
            ("page.html", utf16("<html><body><p>A page in UTF-16.</p></body></html>", false), "A page in UTF-16."),
        ];
        for (name, bytes, text) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            assert!(problems.is_empty(), "{name}: {problems:?}");
            assert_eq!(docs[0].text, text, "{name}");
            assert_eq!(crate::input::reload(&path, &docs[0].origin, &InputOptions::default()).unwrap(), text);
        }
        for name in ["lines.jsonl", "rows.csv"] {
            let path = dir.path().join(name);
            std::fs::write(&path, utf16("{\"id\": \"a\", \"text\": \"x\"}\n", false)).unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            assert!(docs.is_empty());
            assert!(problems[0].message.contains("UTF-16"), "{name}: {problems:?}");
        }
    }

    #[test]
    fn html_pages_give_their_main_text_and_title() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page.html");
        std::fs::write(
            &page,
            "<!DOCTYPE html><html><head><title>The title</title><script>var a = '<p>no</p>';</script></head>\
             <body><nav>Home | World</nav><article><p>First paragraph.</p><p>Second &amp; last.</p></article>\
             <footer>Copyright</footer></body></html>",
        )
        .unwrap();
        // Named so that only the first bytes tell it is a page; in Latin-1, as its <meta> says.
        let latin = dir.path().join("latin.dump");
        std::fs::write(&latin, b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p></body></html>")
            .unwrap();
        for (path, text, title) in
            [(&page, "First paragraph.\nSecond & last.", Some("The title")), (&latin, "café", None)]
        {
            let (docs, problems) = read_all(path, &InputOptions::default());
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(docs[0].text.trim(), text);
            assert_eq!(docs[0].extra.get("title").and_then(|t| t.as_str()), title);
            assert_eq!(crate::input::reload(path, &docs[0].origin, &InputOptions::default()).unwrap(), docs[0].text);
        }
        let empty = dir.path().join("empty.htm");
        std::fs::write(&empty, "<html><body><nav>Only a menu</nav></body></html>").unwrap();
        let (docs, problems) = read_all(&empty, &InputOptions::default());
        assert!(docs.is_empty());
        assert!(problems[0].message.contains("no text in the HTML page"), "{problems:?}");
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
        // A Latin-1 page doubles in size when decoded: its text is cut to the limit too.
        let page = dir.path().join("big.html");
        let mut bytes = b"<meta charset=latin1><p>".to_vec();
        bytes.extend([0xe9; 100]);
        std::fs::write(&page, bytes).unwrap();
        let options = InputOptions { max_document_bytes: 64, ..InputOptions::default() };
        let (docs, problems) = read_all(&page, &options);
        assert!(docs[0].text.len() <= 64 && docs[0].text.starts_with("ééé"), "{}", docs[0].text);
        assert!(problems[0].message.contains("cut"), "{problems:?}");
        assert_eq!(reload(&page, &options).unwrap(), docs[0].text);
    }
}
