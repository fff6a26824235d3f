//! JSON Lines: one article per line, an object with configurable id, text, date and url fields
//! ([`InputOptions`]); other small fields are passed through to the report (the mapping, shared with CSV,
//! is in [`super::record`]). In a plain file a document is found again by the byte offset of its line;
//! from a compressed stream its text goes to the spill store.

use std::io::{BufRead, Seek, SeekFrom};
use std::path::Path;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::context::ReadContext;
use super::record::{Parsed, Records, Skip, fields, kind};
use super::{InputOptions, Origin, UTF16_STREAM, is_utf16, looks_binary, source};
use crate::error::{Error, Result};
use crate::escape::quoted;

/// The longest line read into memory: the text may be up to `max_document_bytes` (a longer one is cut),
/// JSON's escapes can make it six times as long (`\u00e9`) and a record holds other fields too. Longer
/// lines are skipped without being held.
fn line_limit(options: &InputOptions) -> usize {
    options.max_document_bytes.saturating_mul(16).saturating_add(64 << 10)
}

/// Reads one line. `Err` is why the line was skipped.
fn parse(bytes: &[u8], options: &InputOptions) -> std::result::Result<Parsed, Skip> {
    let mut notes = Vec::new();
    let owned;
    let line = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            notes.push(format!(
                "invalid UTF-8 at byte {} of the line; decoded with replacement characters",
                e.valid_up_to()
            ));
            owned = String::from_utf8_lossy(bytes);
            &owned
        }
    };
    let malformed = |e: serde_json::Error| format!("malformed JSON ({}); skipped", json_error(&e));
    let record: Line = match serde_json::from_str(line) {
        Ok(record) => record,
        // A lone UTF-16 surrogate escape (`"\ud800"`, as Python's json writes a string holding one) is
        // grammatical JSON that no string can hold: replaced, as bytes that are not UTF-8 are.
        // Nor is `NaN` or `Infinity` JSON, which Python's json writes for such floats by default (and reads
        // back): read as null, as a report's JSON could not give them either.
        Err(e) => {
            let surrogates = without_lone_surrogates(line);
            if surrogates.is_some() {
                notes.push(
                    "an escape of a lone UTF-16 surrogate (U+D800 to U+DFFF, unpaired) replaced by U+FFFD".into(),
                );
            }
            let fixed = without_non_finite(surrogates.as_deref().unwrap_or(line)).or(surrogates);
            serde_json::from_str(&fixed.ok_or_else(|| malformed(e))?).map_err(malformed)?
        }
    };
    let (object, repeated) = match record {
        Line::Object(object, repeated) => (object, repeated),
        Line::Other(kind) => return Err(format!("{kind} is not a JSON object; skipped").into()),
    };
    if !repeated.is_empty() {
        let names: Vec<String> = repeated.iter().map(|name| quoted(name)).collect();
        let fields = if names.len() == 1 { "field" } else { "fields" };
        notes.push(format!("{fields} {} given twice; the last is read", names.join(", ")));
    }
    fields(object, notes, options)
}

/// `line` with each `\uXXXX` escape of a lone UTF-16 surrogate (one not paired high then low) written
/// `\ufffd`; `None` when it holds none.
fn without_lone_surrogates(line: &str) -> Option<String> {
    let bytes = line.as_bytes();
    let escape_at = |i: usize| -> Option<u32> {
        let hex = bytes.get(i..i + 6).filter(|h| h.starts_with(b"\\u"))?;
        u32::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    };
    let (mut out, mut from, mut i, mut changed) = (String::with_capacity(line.len()), 0, 0, false);
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match escape_at(i) {
            Some(0xd800..=0xdbff) if escape_at(i + 6).is_some_and(|low| (0xdc00..=0xdfff).contains(&low)) => i += 12,
            Some(0xd800..=0xdfff) => {
                out.push_str(&line[from..i]);
                out.push_str("\\ufffd");
                (i, from, changed) = (i + 6, i + 6, true);
            }
            // Any other escape, `\\` included, is passed over whole.
            _ => i += 2,
        }
    }
    changed.then(|| out + &line[from..])
}

/// `line` with each `NaN`, `Infinity` and `-Infinity` outside its strings written `null`; `None` when it
/// holds none.
fn without_non_finite(line: &str) -> Option<String> {
    const WORDS: [&str; 3] = ["-Infinity", "Infinity", "NaN"];
    let bytes = line.as_bytes();
    let (mut out, mut from, mut i, mut in_string) = (String::new(), 0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 2,
            b'"' => (in_string, i) = (!in_string, i + 1),
            _ if in_string => i += 1,
            _ => match WORDS.iter().find(|w| bytes[i..].starts_with(w.as_bytes())) {
                Some(word) => {
                    out.push_str(&line[from..i]);
                    out.push_str("null");
                    (i, from) = (i + word.len(), i + word.len());
                }
                None => i += 1,
            },
        }
    }
    (from > 0).then(|| out + &line[from..])
}

/// What the JSON parser says of a line, placed by the column (its own "line 1", "line 2" would read as
/// the file's lines; its line 2, column 0 is the end of the line, whose line feed it is given).
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let what = message.rsplit_once(" at line ").map_or(message.as_str(), |(what, _)| what);
    // The line's own end met inside a string (the newline, a control character to the parser, or the end
    // of the file): the line was cut, or a quotation mark is missing.
    let at_the_end = e.column() == 0 && what.starts_with("control character");
    if at_the_end || what == "EOF while parsing a string" {
        return "a string is not closed before the end of the line: the record is cut, or lacks a quotation mark"
            .into();
    }
    match (e.line(), e.column()) {
        (0, _) => what.to_string(),
        (1, column) => format!("{what} at column {column}"),
        (_, 0) => format!("{what} at the end of the line"),
        (line, column) => format!("{what} at line {line}, column {column} of the record"),
    }
}

/// A line's JSON: an object, with the names given in it more than once (the last value of each kept, as
/// JSON parsers do: said, since a record with `"text"` twice would otherwise be read as its last text
/// without a word), or what else it is.
enum Line {
    Object(Map<String, Value>, Vec<String>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Line {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Line, D::Error> {
        struct Lines;
        impl<'de> Visitor<'de> for Lines {
            type Value = Line;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> std::result::Result<Line, M::Error> {
                let (mut object, mut repeated) = (Map::new(), Vec::new());
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    if object.contains_key(&key) && !repeated.contains(&key) {
                        repeated.push(key.clone());
                    }
                    object.insert(key, value);
                }
                Ok(Line::Object(object, repeated))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> std::result::Result<Line, S::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Line::Other(kind(&Value::Array(Vec::new()))))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Line, E> {
                Ok(Line::Other(kind(&Value::Bool(false))))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Line, E> {
                Ok(Line::Other(kind(&Value::from(0))))
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Line, E> {
                Ok(Line::Other(kind(&Value::from(0))))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Line, E> {
                Ok(Line::Other(kind(&Value::from(0))))
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Line, E> {
                Ok(Line::Other(kind(&Value::String(String::new()))))
            }
            fn visit_unit<E>(self) -> std::result::Result<Line, E> {
                Ok(Line::Other(kind(&Value::Null)))
            }
        }
        deserializer.deserialize_any(Lines)
    }
}

/// Lines parsed together: enough that parsing them in parallel pays, few enough that the texts held at
/// once stay a few megabytes.
const BLOCK_BYTES: usize = 4 << 20;
const BLOCK_LINES: usize = 2048;

/// A line as cut from the stream, before parsing: its bytes are `bytes[range]` of the block.
struct RawLine {
    line: u64,
    offset: u64,
    range: std::ops::Range<usize>,
    /// Length of a line longer than the limit (its bytes were not kept).
    too_long: Option<u64>,
}

/// What parsing one line gave; opaque outside the input module.
pub struct ParsedLine(std::result::Result<Parsed, Skip>);

/// Runs the parsing of the lines of a block, `f(0..n)`, returning the results in order. The input module
/// does not decide parallelism: [`Serial`] is the default and the pipeline passes its thread pool.
pub trait ParseMap: Sync {
    /// `(0..n).map(f).collect()`, in any execution order but with results in index order.
    fn map(&self, n: usize, f: &(dyn Fn(usize) -> ParsedLine + Sync)) -> Vec<ParsedLine>;
}

/// Parses on the calling thread.
pub struct Serial;

impl ParseMap for Serial {
    fn map(&self, n: usize, f: &(dyn Fn(usize) -> ParsedLine + Sync)) -> Vec<ParsedLine> {
        (0..n).map(f).collect()
    }
}

/// The UTF-8 byte-order mark some editors put at the start of a file.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Reads the documents of a JSON Lines stream, one a line.
pub(super) fn read(reader: &mut dyn BufRead, ctx: &mut ReadContext) -> Result<()> {
    // A byte-order mark is not part of line 1 (offsets still count it, so lines reload from the file).
    let bom = match reader.fill_buf() {
        // A file that opens with an object is JSON Lines even with a NUL byte in its first lines: only
        // the lines holding one are malformed, and reported as such.
        Ok(head) if is_utf16(head) => return ctx.sink.problem(None, UTF16_STREAM),
        Ok(head)
            if looks_binary(head) && !head.strip_prefix(BOM).unwrap_or(head).trim_ascii_start().starts_with(b"{") =>
        {
            return ctx.sink.problem(None, "binary file (NUL bytes), not JSON Lines; skipped");
        }
        Ok(head) if head.starts_with(BOM) => {
            reader.consume(BOM.len());
            BOM.len() as u64
        }
        Ok(_) => 0,
        Err(e) => return ctx.sink.last_problem(None, ctx.stream.broken(&e, "0 lines")),
    };
    let mut block = Block { records: Records::new(ctx.file), bytes: Vec::new(), lines: Vec::new() };
    let limit = line_limit(ctx.options);
    // Lines are cut serially (a newline search) into a block; the block's lines are parsed through
    // `ctx.parser` (in parallel in the pipeline) and then handed on in order, so documents and problems come
    // out exactly as if read one line at a time.
    let (mut line, mut offset) = (0u64, bom);
    loop {
        let at = block.bytes.len();
        let len = match source::read_line_append(reader, &mut block.bytes, limit) {
            Ok(0) => break,
            Ok(len) => len,
            Err(e) => {
                block.bytes.truncate(at);
                block.flush(ctx)?;
                let read = format!("{line} complete lines");
                return ctx.sink.last_problem(Some(line + 1), ctx.stream.broken(&e, &read));
            }
        };
        line += 1;
        let start = offset;
        offset += len;
        let bytes = &mut block.bytes;
        if len > (bytes.len() - at) as u64 {
            bytes.truncate(at);
            block.lines.push(RawLine { line, offset: start, range: at..at, too_long: Some(len) });
        } else if bytes[at..].iter().all(u8::is_ascii_whitespace) {
            bytes.truncate(at);
        } else {
            block.lines.push(RawLine { line, offset: start, range: at..bytes.len(), too_long: None });
        }
        if block.bytes.len() >= BLOCK_BYTES || block.lines.len() >= BLOCK_LINES {
            block.flush(ctx)?;
        }
    }
    block.flush(ctx)
}

/// Lines read but not yet parsed, and what turns them into documents.
struct Block {
    records: Records,
    bytes: Vec<u8>,
    lines: Vec<RawLine>,
}

impl Block {
    /// Parses the lines through `ctx.parser` and hands their documents and problems on, in line order.
    fn flush(&mut self, ctx: &mut ReadContext) -> Result<()> {
        let (bytes, raw, options) = (&self.bytes, &self.lines, ctx.options);
        let parsed = ctx.parser.map(raw.len(), &|k| {
            let l = &raw[k];
            ParsedLine(if l.too_long.is_some() {
                Err(String::new().into())
            } else {
                parse(&bytes[l.range.clone()], options)
            })
        });
        let limit = line_limit(options);
        for (l, ParsedLine(parsed)) in self.lines.drain(..).zip(parsed) {
            if let Some(len) = l.too_long {
                let message = format!("line of {len} bytes is longer than the {limit} allowed; skipped");
                ctx.sink.problem(Some(l.line), message)?;
                continue;
            }
            self.records.pass(parsed, l.line, Origin::Line { line: l.line, offset: l.offset }, ctx)?;
        }
        self.bytes.clear();
        Ok(())
    }
}

/// Reads JSON Lines records given with their line numbers, as [`read`] reads those lines (see
/// [`super::read_lines`]).
pub(super) fn read_numbered<'b>(lines: impl IntoIterator<Item = (u64, &'b [u8])>, ctx: &mut ReadContext) -> Result<()> {
    let mut block = Block { records: Records::new(ctx.file), bytes: Vec::new(), lines: Vec::new() };
    let limit = line_limit(ctx.options);
    for (line, mut bytes) in lines {
        if line == 1 {
            bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let at = block.bytes.len();
        // These lines come without their newline, which a line read from the file holds (the limit counts
        // it, and a parse error's position follows it).
        let len = bytes.len() as u64 + 1;
        let too_long = (len > limit as u64).then_some(len);
        if too_long.is_none() {
            block.bytes.extend_from_slice(bytes);
            block.bytes.push(b'\n');
        }
        block.lines.push(RawLine { line, offset: 0, range: at..block.bytes.len(), too_long });
        if block.bytes.len() >= BLOCK_BYTES || block.lines.len() >= BLOCK_LINES {
            block.flush(ctx)?;
        }
    }
    block.flush(ctx)
}

/// Reads the text of line `line`, which starts at byte `offset` of the plain file `path`.
pub(super) fn reload(path: &Path, line: u64, offset: u64, options: &InputOptions) -> Result<String> {
    let err = |source| Error::Read { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(err)?;
    let mut reader = std::io::BufReader::new(file);
    reader.seek(SeekFrom::Start(offset)).map_err(err)?;
    let mut buf = Vec::new();
    source::read_line(&mut reader, &mut buf, line_limit(options)).map_err(err)?;
    parse(&buf, options).map(|p| p.text).map_err(|skip| Error::Input {
        path: path.to_path_buf(),
        line: Some(line),
        message: format!("changed since it was read: {}", skip.message),
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::input::tests::read_all;

    const GOOD: &str = r#"{"id": "a", "text": "First article text.", "date": "2025-05-24", "url": "http://x/a", "title": "A"}
{"text": "No id here.", "outlet": "Daily"}
{"id": 7, "text": "Numeric id."}
"#;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn fields_ids_dates_and_extras() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("news.jsonl");
        std::fs::write(&path, GOOD).unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        assert!(problems.is_empty(), "{problems:?}");
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "news.jsonl:2", "7"]);
        assert_eq!(docs[0].date.as_deref(), Some("2025-05-24"));
        assert_eq!(docs[0].extra["url"], "http://x/a");
        assert_eq!(docs[0].extra["title"], "A");
        assert!(!docs[0].extra.contains_key("text"));
        assert_eq!(docs[1].extra["outlet"], "Daily");
        for d in &docs {
            assert!(matches!(d.origin, Origin::Line { .. }));
            let again = crate::input::reload(&path, &d.origin, &InputOptions::default());
            assert_eq!(again.unwrap(), d.text);
        }
    }

    /// A whole-number id past what a 64-bit integer holds is read as a float, its last digits lost: the
    /// document is named by file and line, with a problem saying why, so two such ids cannot collide. Ids
    /// up to 2^64, negative ones and fractional ones are written as given.
    #[test]
    fn an_id_too_large_to_read_exactly_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ids.jsonl");
        let lines = [
            r#"{"id": 123456789012345678901234, "text": "One."}"#,
            r#"{"id": 123456789012345678901235, "text": "Two."}"#,
            r#"{"id": 18446744073709551615, "text": "Three."}"#,
            r#"{"id": -9007199254740993, "text": "Four."}"#,
            r#"{"id": 2.5, "text": "Five."}"#,
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["ids.jsonl:1", "ids.jsonl:2", "18446744073709551615", "-9007199254740993", "2.5"]);
        let lines: Vec<Option<u64>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(1), Some(2)], "{problems:?}");
        assert!(problems[0].message.contains("a whole number too large to read exactly"), "{problems:?}");
    }

    #[test]
    fn compressed_inputs_spill_their_texts() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("n.jsonl.gz");
        std::fs::write(&gz, gzip(GOOD.as_bytes())).unwrap();
        let zst = dir.path().join("n.jsonl.zst");
        std::fs::write(&zst, zstd::encode_all(GOOD.as_bytes(), 3).unwrap()).unwrap();
        // Named without a telling extension: the magic bytes and the first `{` decide.
        let sniffed = dir.path().join("dump.bin");
        std::fs::write(&sniffed, gzip(GOOD.as_bytes())).unwrap();
        for path in [&gz, &zst, &sniffed] {
            let (docs, problems) = read_all(path, &InputOptions::default());
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(docs.len(), 3, "{path:?}");
            for d in &docs {
                assert!(matches!(d.origin, Origin::Spill { .. }));
                let again = crate::input::reload(path, &d.origin, &InputOptions::default());
                assert_eq!(again.unwrap(), d.text);
            }
        }
    }

    /// A line that ends inside a string (cut, or a quotation mark missing) says so, whether a newline or
    /// the end of the file ends it; the parser's own words were a control character or an EOF.
    #[test]
    fn a_line_ending_inside_a_string_says_so() {
        for bytes in [&b"{\"id\": \"a\", \"text\": \"abc\n"[..], b"{\"id\": \"a\", \"text\": \"abc"] {
            let (_, problems) = crate::input::read_all("t.jsonl", crate::input::Format::Jsonl, bytes);
            let message = &problems[0].message;
            assert_eq!(
                message,
                "malformed JSON (a string is not closed before the end of the line: the record is cut, or lacks a quotation mark); skipped"
            );
        }
    }

    /// One line per kind of damage; each is reported once, on its line, and the good lines are read.
    #[test]
    fn damaged_lines_are_reported_and_skipped() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"{\"id\": \"x\", \"text\": \"unterminated",
                "malformed JSON (a string is not closed before the end of the line",
            ),
            (b"[1, 2]", "an array is not a JSON object"),
            (b"{\"id\": \"x\"}", "no \"text\" field"),
            (b"{\"text\": 42}", "\"text\" is a number, not a string"),
            (b"{\"text\": null}", "\"text\" is null"),
            (b"{\"text\": \"  \"}", "empty text"),
            (b"{\"text\": \"caf\xe9 ok\"}", "invalid UTF-8"),
            (b"{\"text\": \"ok\", \"date\": 20250524}", "\"date\" is a number"),
            (b"{\"text\": \"ok\", \"id\": [1]}", "named by file and line"),
            (b"3", "a number is not a JSON object"),
            (b"\"text\"", "a string is not a JSON object"),
            (b"null", "null is not a JSON object"),
            (b"true", "a boolean is not a JSON object"),
            (
                b"{\"text\": \"kept\", \"text\": \"ok\", \"id\": 1, \"id\": 2, \"id\": 3}",
                "fields \"text\", \"id\" given twice; the last is read",
            ),
        ];
        for (line, expected) in cases {
            let mut bytes = b"{\"id\": \"good1\", \"text\": \"Good one.\"}\n".to_vec();
            bytes.extend_from_slice(line);
            bytes.extend_from_slice(b"\n\n{\"id\": \"good2\", \"text\": \"Good two.\"}\n");
            let (docs, problems) = crate::input::read_all("t.jsonl", crate::input::Format::Jsonl, &bytes);
            let docs: Vec<String> = docs.into_iter().map(|d| d.id).collect();
            assert_eq!(problems.len(), 1, "{expected}: {problems:?}");
            assert_eq!(problems[0].line, Some(2));
            assert!(problems[0].message.contains(expected), "{problems:?}");
            assert_eq!(&docs[0], "good1");
            assert_eq!(docs.last().unwrap(), "good2");
        }
    }

    /// A lone surrogate's escape (Python's json writes one for a string holding it) keeps the record, its
    /// character replaced and said; a pair is one character, and an escaped backslash before `u` is text.
    #[test]
    fn a_lone_surrogate_escape_is_replaced_not_the_record_lost() {
        assert_eq!(without_lone_surrogates(r#"{"text": "a \ud83d\ude00 b"}"#), None);
        assert_eq!(without_lone_surrogates(r#"{"text": "a \\ud800 b"}"#), None);
        let line = r#"{"id": "s", "text": "\ud800 lone, \udc00 low, \ud83d\ude00 pair"}"#;
        let (docs, problems) = crate::input::read_all("t.jsonl", crate::input::Format::Jsonl, line.as_bytes());
        assert_eq!(docs[0].text, "\u{fffd} lone, \u{fffd} low, 😀 pair");
        assert!(problems[0].message.contains("lone UTF-16 surrogate"), "{problems:?}");
    }

    #[test]
    fn truncated_streams_keep_what_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!(
                "{{\"id\": \"d{i}\", \"text\": \"article number {i} with some words {}\"}}\n",
                i * 7919 % 1000
            ));
        }
        let gz = gzip(text.as_bytes());
        let zst = zstd::encode_all(text.as_bytes(), 3).unwrap();
        for (name, full) in [("t.jsonl.gz", gz), ("t.jsonl.zst", zst)] {
            let path = dir.path().join(name);
            std::fs::write(&path, &full[..full.len() / 2]).unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            assert!(!docs.is_empty() && docs.len() < 20_000, "{name}: {}", docs.len());
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].message.contains("damaged or truncated"), "{problems:?}");
            assert!(problems[0].message.contains("compressed bytes"));
        }
    }

    #[test]
    fn binary_and_overlong_input() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("b.jsonl");
        std::fs::write(&bin, b"\0\0\0\x01{\n\0").unwrap();
        let (docs, problems) = read_all(&bin, &InputOptions::default());
        assert!(docs.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("binary"));

        let long = dir.path().join("l.jsonl");
        let body = "word ".repeat(100_000);
        std::fs::write(&long, format!("{{\"text\": \"{body}\"}}\n{{\"text\": \"short\"}}\n")).unwrap();
        let options = InputOptions { max_document_bytes: 1000, ..InputOptions::default() };
        let (docs, problems) = read_all(&long, &options);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].text, "short");
        assert!(problems[0].message.contains("longer than"), "{problems:?}");
        assert_eq!(problems[0].line, Some(1));
    }

    #[test]
    fn a_byte_order_mark_and_a_nul_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.jsonl");
        std::fs::write(&path, format!("\u{feff}{GOOD}")).unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(docs.len(), 3);
        // Line offsets still count the mark, so texts reload from the file.
        for d in &docs {
            assert_eq!(crate::input::reload(&path, &d.origin, &InputOptions::default()).unwrap(), d.text);
        }

        // With a byte-order mark too: the file opens with an object, only the line with the NUL is lost.
        for bom in ["", "\u{feff}"] {
            let path = dir.path().join("nul.jsonl");
            std::fs::write(&path, format!("{bom}{{\"text\": \"a\u{0}b\"}}\n{GOOD}")).unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            assert_eq!(docs.len(), 3);
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].line, Some(1));
        }
    }

    /// Python's json writes a float NaN or infinity as `NaN` or `Infinity`, which JSON has not: read as
    /// null, the record kept; the same words in a string are text.
    #[test]
    fn python_non_finite_numbers_are_null() {
        let line = r#"{"id": "p", "text": "NaN \" Infinity", "score": NaN, "range": [-Infinity, Infinity]}"#;
        let (docs, problems) = crate::input::read_all("t.jsonl", crate::input::Format::Jsonl, line.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(docs[0].text, "NaN \" Infinity");
        assert_eq!(docs[0].extra["score"], Value::Null);
        assert_eq!(docs[0].extra["range"], serde_json::json!([null, null]));
        assert_eq!(without_non_finite(r#"{"text": "NaN"}"#), None);
    }

    #[test]
    fn strict_stops_at_the_first_problem() {
        let options = InputOptions { strict: true, ..InputOptions::default() };
        let bytes = b"{\"text\": \"fine\"}\nnot json\n{\"text\": \"later\"}\n";
        let mut docs = 0;
        let err = crate::input::read_bytes(
            Path::new("s.jsonl"),
            crate::input::Format::Jsonl,
            bytes,
            &options,
            &mut |_| docs += 1,
            &mut |_| panic!("strict reports by error"),
        )
        .unwrap_err();
        assert_eq!(docs, 1);
        assert!(err.to_string().starts_with("s.jsonl:2: malformed JSON"), "{err}");
    }
}
