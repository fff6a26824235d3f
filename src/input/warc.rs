//! WARC and WET web archives (ISO 28500, as Common Crawl publishes them: plain, one gzip member per
//! record, or one gzip/zstd stream). From a WET file, each `conversion` record's text is a document; from a
//! WARC file, each `response` record with an HTML page, through [`html::extract`]. The record's
//! `WARC-Target-URI` is the id; the date is the publication date the page gives, else `WARC-Date`. A
//! chunked or content-encoded HTTP body (gzip, deflate, brotli, zstd, as a crawler that stores what the
//! server sent keeps it) is decoded first. Other records (`warcinfo`, `request`, `metadata`, non-HTML
//! responses) are passed over silently.
//!
//! A small parser of our own rather than a crate: the only maintained one (`warc`) hands back errors
//! without a way to resynchronise after a damaged record, and holds whole records in memory; ours
//! skips unwanted blocks without holding them, reports each damaged record with its byte offset, and
//! goes on at the next `WARC/` version line.

use std::borrow::Cow;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::{Map, Value};

use super::context::ReadContext;
use super::{Document, InputOptions, Origin, decode, html, is_blank, looks_like_html, source};
use crate::error::{Error, Result};
use crate::escape::quoted;

/// Header lines longer than this are damage, not headers.
const MAX_HEADER_LINE: usize = 64 << 10;
/// Header lines per record, likewise.
const MAX_HEADERS: usize = 512;

/// A record's blocks larger than this are not read into memory: an HTML page may hold much markup
/// around its text, so four times the document cap, plus room for HTTP headers.
fn block_limit(options: &InputOptions) -> u64 {
    (options.max_document_bytes as u64).saturating_mul(4) + (64 << 10)
}

/// A stream that knows its position, for record offsets, and can be given back bytes it already
/// read (`unread`), which it hands out again before reading on.
struct Counted<'a> {
    inner: &'a mut dyn BufRead,
    pos: u64,
    replay: Vec<u8>,
    replayed: usize,
    /// An error met while looking ahead, returned once the bytes before it are read again.
    failed: Option<io::Error>,
}

impl Counted<'_> {
    /// The next `n` bytes (fewer at the end of the stream or before an error), left unread.
    fn peek(&mut self, n: usize) -> Vec<u8> {
        let mut ahead = vec![0; n];
        let mut got = 0;
        while got < n && self.failed.is_none() {
            match self.read(&mut ahead[got..]) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.failed = Some(e),
            }
        }
        ahead.truncate(got);
        self.unread(&ahead);
        ahead
    }

    /// Puts `bytes`, the last ones read, back in front of the stream.
    fn unread(&mut self, bytes: &[u8]) {
        let mut replay = bytes.to_vec();
        replay.extend_from_slice(&self.replay[self.replayed..]);
        self.replay = replay;
        self.replayed = 0;
        self.pos -= bytes.len() as u64;
    }
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = if self.replayed < self.replay.len() {
            let n = buf.len().min(self.replay.len() - self.replayed);
            buf[..n].copy_from_slice(&self.replay[self.replayed..self.replayed + n]);
            self.replayed += n;
            n
        } else if let Some(e) = self.failed.take() {
            return Err(e);
        } else {
            self.inner.read(buf)?
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl BufRead for Counted<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.replayed < self.replay.len() {
            return Ok(&self.replay[self.replayed..]);
        }
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        if self.replayed < self.replay.len() {
            self.replayed += n;
        } else {
            self.inner.consume(n);
        }
        self.pos += n as u64;
    }
}

/// How a record's block and the next record's version line meet in a well-formed archive: the two
/// line ends that close a record, then `WARC/1.0` or `WARC/1.1` on a line of its own.
const NEXT_RECORD: [&[u8]; 4] =
    [b"\r\n\r\nWARC/1.0\r\n", b"\r\n\r\nWARC/1.1\r\n", b"\n\nWARC/1.0\n", b"\n\nWARC/1.1\n"];
/// A version line anywhere: where a record may start after damage that cut the one before it short (a
/// damaged gzip member leaves a record's start without its end).
const VERSION_LINE: [&[u8]; 4] = [b"WARC/1.0\r\n", b"WARC/1.1\r\n", b"WARC/1.0\n", b"WARC/1.1\n"];

/// What reading a record's block gave.
enum Block {
    /// All `length` bytes (kept when asked for).
    Whole(Option<Vec<u8>>),
    /// The stream ended after this many bytes.
    Truncated(u64),
    /// The claimed block holds the next record's start at this offset: its `Content-Length` overshoots.
    Overshoots(u64),
    /// Likewise, but too far on to read back from there: what lies between is lost.
    Lost(u64),
    /// All `length` bytes, but the record goes on after them: its `Content-Length` falls short.
    Short(Option<Vec<u8>>),
}

/// One record's headers, and its block when it is one we want.
struct Record {
    offset: u64,
    kind: String,
    uri: Option<String>,
    date: Option<String>,
    record_id: Option<String>,
    block: Option<Vec<u8>>,
    /// What is wrong with a record read all the same.
    note: Option<String>,
    /// The crawler stored the record cut (`WARC-Truncated`): its body may end inside a chunk or an encoding.
    cut: bool,
}

/// What reading the next record gave.
enum Next {
    Record(Record),
    /// A damaged record, with its offset and what is wrong; reading resumes at the next version line.
    Damaged(u64, String),
    End,
}

/// Reads records one at a time, resynchronising after damage.
struct Parser<'a> {
    input: Counted<'a>,
    line: Vec<u8>,
    /// A version line met while skipping damage, and its offset: the next record starts there.
    pending: Option<u64>,
    block_limit: u64,
}

impl<'a> Parser<'a> {
    fn new(inner: &'a mut dyn BufRead, start: u64, options: &InputOptions) -> Parser<'a> {
        Parser {
            input: Counted { inner, pos: start, replay: Vec::new(), replayed: 0, failed: None },
            line: Vec::new(),
            pending: None,
            block_limit: block_limit(options),
        }
    }

    /// Reads a line; `Ok(false)` at the end of the stream.
    fn read_line(&mut self) -> io::Result<bool> {
        let n = source::read_line(&mut self.input, &mut self.line, MAX_HEADER_LINE)?;
        Ok(n > 0)
    }

    fn next(&mut self) -> io::Result<Next> {
        let offset = match self.pending.take() {
            Some(offset) => offset,
            None => loop {
                let offset = self.input.pos;
                if !self.read_line()? {
                    return Ok(Next::End);
                }
                if self.line.starts_with(b"WARC/") {
                    break offset;
                }
                if !self.line.iter().all(u8::is_ascii_whitespace) {
                    let found = String::from_utf8_lossy(&self.line[..self.line.len().min(40)]).trim_end().to_string();
                    self.resync()?;
                    return Ok(Next::Damaged(
                        offset,
                        format!("expected a WARC version line, found {}", quoted(&found)),
                    ));
                }
            },
        };
        let damaged = |this: &mut Self, message: String| -> io::Result<Next> {
            this.resync()?;
            Ok(Next::Damaged(offset, message))
        };
        let mut length = None;
        let mut record = Record {
            offset,
            kind: String::new(),
            uri: None,
            date: None,
            record_id: None,
            block: None,
            note: None,
            cut: false,
        };
        let mut content_type = String::new();
        let mut count = 0;
        loop {
            if !self.read_line()? {
                return Ok(Next::Damaged(offset, "record ends inside its headers".into()));
            }
            if self.line == b"\r\n" || self.line == b"\n" {
                break;
            }
            count += 1;
            if count > MAX_HEADERS || self.line.len() >= MAX_HEADER_LINE {
                return damaged(self, "record headers too long".into());
            }
            if self.line.starts_with(b"WARC/") {
                let here = self.input.pos - self.line.len() as u64;
                self.pending = Some(here);
                return Ok(Next::Damaged(offset, "record ends inside its headers".into()));
            }
            let line = String::from_utf8_lossy(&self.line);
            let Some((name, value)) = line.split_once(':') else {
                continue; // A continuation or junk line: nothing we use.
            };
            let value = value.trim().to_string();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<u64>().ok().or(Some(u64::MAX)),
                "warc-type" => record.kind = value.to_ascii_lowercase(),
                "warc-target-uri" => {
                    record.uri = Some(value.trim_matches(['<', '>']).trim().to_string()).filter(|u| !u.is_empty())
                }
                "warc-date" => record.date = Some(value),
                "warc-record-id" => {
                    record.record_id = Some(value.trim_matches(['<', '>']).trim().to_string()).filter(|u| !u.is_empty())
                }
                "content-type" => content_type = value.to_ascii_lowercase(),
                "warc-truncated" => record.cut = true,
                _ => {}
            }
        }
        let length = match length {
            None => return damaged(self, "no Content-Length".into()),
            Some(u64::MAX) => return damaged(self, "Content-Length is not a number".into()),
            Some(n) => n,
        };
        // A response without a Content-Type (some crawlers write none) is read as the HTTP response a
        // web crawl's responses are; one that is not says so when its HTTP header is looked for.
        let wanted = record.kind == "conversion"
            || (record.kind == "response" && (content_type.contains("application/http") || content_type.is_empty()))
            || (record.kind == "resource" && content_type.contains("html"));
        // A response too large to read is an article lost only when it is an HTML page (a video is not).
        let wanted = wanted
            && (length <= self.block_limit
                || record.kind != "response"
                || split_http(&self.input.peek(8 << 10)).is_none_or(|(status, headers, _)| {
                    (200..300).contains(&status)
                        && header_values(&headers, "content-type").is_none_or(|t| t.contains("html"))
                }));
        let keep = wanted && length <= self.block_limit;
        match self.read_block(length, keep)? {
            Block::Whole(block) => record.block = block,
            Block::Short(block) => {
                record.block = block;
                record.note = Some(format!("Content-Length {length} ends before the record does: its text may be cut"));
                // What is left of it is no record: reading goes on at the next version line.
                self.resync()?;
            }
            Block::Truncated(got) => {
                return Ok(Next::Damaged(
                    offset,
                    format!("record truncated: Content-Length {length} but only {got} bytes left"),
                ));
            }
            Block::Overshoots(next) => {
                return Ok(Next::Damaged(
                    offset,
                    format!("Content-Length {length} runs past the next record (at byte {next}); skipped"),
                ));
            }
            Block::Lost(next) => {
                return Ok(Next::Damaged(
                    offset,
                    format!(
                        "Content-Length {length} runs past the next record (at byte {next}), too far to read \
                         back: it and the records after it up to byte {} are lost",
                        self.input.pos
                    ),
                ));
            }
        }
        if wanted && !keep {
            return Ok(Next::Damaged(
                offset,
                format!("record of {length} bytes is larger than the {} allowed; skipped", self.block_limit),
            ));
        }
        Ok(Next::Record(record))
    }

    /// Reads (into memory when `keep`) or skips a block of `length` bytes, watching for the start of
    /// the next record inside it: a `Content-Length` too large would otherwise swallow the good records
    /// after it. A record's start inside the block is only a suspicion (a page may quote a WARC record, a
    /// crawl may hold a WARC file): when the block's declared end is where a record ends, the block is
    /// whole; when it is not, the stream is put back to the version line found inside.
    fn read_block(&mut self, length: u64, keep: bool) -> io::Result<Block> {
        let longest = NEXT_RECORD.iter().map(|p| p.len()).max().unwrap_or(0);
        let mut block = Vec::new();
        if keep {
            block.reserve(length as usize);
        }
        // The last bytes of what came before, so a version line split between two reads is found.
        let mut seen: Vec<u8> = Vec::new();
        // From the first version line inside the block: its offset and the bytes from it on, kept to be
        // read again while they fit in `block_limit` (`None` once they do not).
        let mut suspect: Option<(u64, Option<Vec<u8>>)> = None;
        let mut left = length;
        while left > 0 {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(match suspect {
                    Some((at, Some(tail))) => self.put_back(at, &tail),
                    _ => Block::Truncated(length - left),
                });
            }
            let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            if keep {
                block.extend_from_slice(&buf[..n]);
            }
            match &mut suspect {
                Some((_, tail)) => {
                    if let Some(bytes) = tail {
                        bytes.extend_from_slice(&buf[..n]);
                        if bytes.len() as u64 > self.block_limit {
                            *tail = None;
                        }
                    }
                }
                None => {
                    seen.extend_from_slice(&buf[..n]);
                    let found = VERSION_LINE.iter().filter_map(|p| seen.windows(p.len()).position(|w| w == *p)).min();
                    if let Some(version) = found {
                        let offset = self.input.pos + n as u64 - (seen.len() - version) as u64;
                        suspect = Some((offset, Some(seen[version..].to_vec())));
                    } else {
                        let tail = seen.len().saturating_sub(longest - 1);
                        seen.drain(..tail);
                    }
                }
            }
            self.input.consume(n);
            left -= n as u64;
        }
        let after = self.input.peek(longest);
        // Two line ends and a version line, or the end of the archive after at most the line ends.
        let ends_well = after.starts_with(b"\r\n\r\nWARC/")
            || after.starts_with(b"\n\nWARC/")
            || (after.len() < longest && after.iter().all(|&b| b == b'\r' || b == b'\n'));
        match suspect {
            Some(_) if ends_well => return Ok(Block::Whole(keep.then_some(block))),
            Some((at, Some(tail))) => return Ok(self.put_back(at, &tail)),
            Some((at, None)) => return Ok(Block::Lost(at)),
            None => {}
        }
        // A length a few bytes too long ends inside the next version line: look at what follows for the
        // rest of it. (Ending inside the two line ends before it is harmless: blank lines between
        // records are passed over.)
        let mut joined = seen.clone();
        joined.extend(&after);
        // Where the version line starts, after the line ends.
        let ends = |p: &[u8]| p.iter().position(|&b| b == b'W').unwrap_or(0);
        let version_at = |p: &[u8]| joined.windows(p.len()).position(|w| w == p).map(|at| at + ends(p));
        let found = NEXT_RECORD.iter().filter_map(|p| version_at(p)).min();
        if let Some(version) = found.filter(|&version| version < seen.len()) {
            self.input.unread(&seen[version..]);
            return Ok(Block::Overshoots(self.input.pos));
        }
        // Neither line ends nor a version line after it: the record goes on past its length.
        if after.first().is_some_and(|&b| b != b'\r' && b != b'\n') && !after.starts_with(b"WARC/") {
            return Ok(Block::Short(keep.then_some(block)));
        }
        Ok(Block::Whole(keep.then_some(block)))
    }

    /// Gives back `tail`, the bytes read from the version line at offset `at` on: the next record starts there.
    fn put_back(&mut self, at: u64, tail: &[u8]) -> Block {
        self.input.unread(tail);
        debug_assert_eq!(self.input.pos, at);
        Block::Overshoots(at)
    }

    /// Skips to the next line that starts with `WARC/`, which becomes the next record's start.
    fn resync(&mut self) -> io::Result<()> {
        loop {
            let offset = self.input.pos;
            if !self.read_line()? {
                return Ok(());
            }
            if self.line.starts_with(b"WARC/") {
                self.pending = Some(offset);
                return Ok(());
            }
            // A version line after damage on the same line (a record cut short by a damaged gzip member).
            if let Some(v) = VERSION_LINE.iter().find(|v| self.line.ends_with(v)) {
                self.pending = Some(offset + (self.line.len() - v.len()) as u64);
                return Ok(());
            }
        }
    }
}

/// An article (its text, and for a page its title and publication date) and notes on what was done to it
/// (lossy decoding, a cut).
type Article = (html::Page, Vec<String>);

/// The article text of a wanted record, with notes on what was done to it. `Ok(None)`: not an article
/// (a redirect, an error page, an image); `Err`: why it was skipped.
fn record_text(record: &Record, options: &InputOptions) -> std::result::Result<Option<Article>, String> {
    let Some(block) = &record.block else {
        return Ok(None);
    };
    let mut notes = Vec::new();
    let mut page = if record.kind == "conversion" {
        let (text, note) = decode(block, usize::MAX);
        notes.extend(note);
        html::Page { text, ..html::Page::default() }
    } else {
        let (headers, body) = if record.kind == "response" {
            let Some((status, headers, body)) = split_http(block) else {
                return Err("HTTP response without a header end; skipped".into());
            };
            if !(200..300).contains(&status) {
                return Ok(None);
            }
            (headers, body)
        } else {
            (String::new(), &block[..])
        };
        let header = |name: &str| header_values(&headers, name);
        let content_type = header("content-type");
        if content_type.as_ref().is_some_and(|t| !t.contains("html")) {
            return Ok(None);
        }
        let chunked;
        let mut body = body;
        if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) && chunk_size(body).is_some() {
            chunked = match dechunk(body) {
                (out, true) => out,
                // A record stored cut ends inside a chunk: what came before is the page's start.
                (out, false) if record.cut && !out.is_empty() => out,
                _ => return Err("damaged chunked HTTP body; skipped".into()),
            };
            body = &chunked;
        }
        // A body that does not start with a chunk size was stored de-chunked under the header the server
        // sent (pywb's and others' captures): read as it is, as warcio does.
        let codings = header("content-encoding").unwrap_or_default();
        let body = match undo_content_encoding(body, &codings, block_limit(options), record.cut) {
            Ok(body) => body,
            // A body stored decoded under the header the server sent (as warcio reads it too).
            Err(_) if looks_like_html(body) => Cow::Borrowed(body),
            Err(message) => return Err(message),
        };
        if binary(&body) || content_type.is_none() && !looks_like_html(&body) {
            return Ok(None); // An image or a PDF served as a page, or no page at all.
        }
        let (html, note) = html::decode_page(&body, content_type.as_deref().and_then(html::charset_of));
        notes.extend(note);
        html::extract(&html)
    };
    if is_blank(&page.text) {
        return Err(if record.kind == "conversion" { "empty text; skipped".into() } else { html::NO_TEXT.into() });
    }
    let (text, note) = decode(page.text.as_bytes(), options.max_document_bytes);
    notes.extend(note);
    page.text = text;
    Ok(Some((page, notes)))
}

/// The values of an HTTP header `name` in `headers`, lower-cased, its lines joined by commas as the
/// standard reads a header given twice.
fn header_values(headers: &str, name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_ascii_lowercase())
        })
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Whether a body is a file of another kind (a PDF, an image, an archive: their magic bytes, or NUL
/// bytes early on in what does not open as a page: [`super::looks_binary`], as for files; a crawled
/// page with a stray NUL byte is still a page).
fn binary(body: &[u8]) -> bool {
    const MAGIC: [&[u8]; 6] = [b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"RIFF"];
    let start = body.trim_ascii_start();
    MAGIC.iter().any(|m| start.starts_with(m)) || (super::looks_binary(body) && !looks_like_html(body))
}

/// Splits an HTTP response into status, header text and body.
fn split_http(block: &[u8]) -> Option<(u16, String, &[u8])> {
    // The first blank line, each line ended by CRLF or by LF alone: the header ends before it.
    let (end, body) = block.iter().enumerate().filter(|&(_, &b)| b == b'\n').find_map(|(at, _)| {
        let blank = [&b"\n"[..], b"\r\n"].into_iter().find(|e| block[at + 1..].starts_with(e))?;
        let end = if at > 0 && block[at - 1] == b'\r' { at - 1 } else { at };
        Some((end, at + 1 + blank.len()))
    })?;
    let head = String::from_utf8_lossy(&block[..end]).into_owned();
    let status = head.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = head.split_once('\n').map_or("", |(_, h)| h).to_string();
    Some((status, headers, &block[body..]))
}

/// Undoes an HTTP body's `Content-Encoding`, a list of codings applied in the order given (so undone
/// from the last): `gzip`, `deflate` (zlib-wrapped as the standard says, or raw as some servers send
/// it), `br` and `zstd`, each to at most `limit` bytes. `Err`: a coding it does not know, or a damaged body;
/// a body `cut` short (a record stored cut) gives what it decoded before its end.
fn undo_content_encoding<'a>(
    body: &'a [u8],
    codings: &str,
    limit: u64,
    cut: bool,
) -> std::result::Result<Cow<'a, [u8]>, String> {
    let mut body = Cow::Borrowed(body);
    for coding in codings.rsplit(',').map(str::trim) {
        let decoder: Box<dyn Read + '_> = match coding {
            "" | "identity" => continue,
            "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(&body[..])),
            // A zlib header: deflate with a window of at most 32 KiB, its check bits a multiple of 31.
            "deflate"
                if body.len() >= 2 && body[0] & 0x8f == 0x08 && u16::from_be_bytes([body[0], body[1]]) % 31 == 0 =>
            {
                Box::new(flate2::read::ZlibDecoder::new(&body[..]))
            }
            "deflate" => Box::new(flate2::read::DeflateDecoder::new(&body[..])),
            "br" => Box::new(brotli_decompressor::Decompressor::new(&body[..], 4096)),
            "zstd" => Box::new(zstd::stream::read::Decoder::new(&body[..]).map_err(|e| format!("zstd: {e}"))?),
            other => return Err(format!("HTTP body encoded as {}; skipped", quoted(other))),
        };
        let mut out = Vec::new();
        match decoder.take(limit).read_to_end(&mut out) {
            Ok(_) => {}
            Err(_) if cut && !out.is_empty() => {}
            Err(e) => return Err(format!("damaged {coding} HTTP body ({e}); skipped")),
        }
        body = Cow::Owned(out);
    }
    Ok(body)
}

/// The size of the chunk a chunked body starts with, and where its data starts, if it starts with one.
fn chunk_size(body: &[u8]) -> Option<(usize, usize)> {
    let eol = body.windows(2).position(|w| w == b"\r\n")?;
    let size = std::str::from_utf8(&body[..eol]).ok()?;
    let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
    Some((size, eol + 2))
}

/// A chunked body's data, and whether it ended as a chunked body ends (else what came before the damage).
fn dechunk(mut body: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some((size, start)) = chunk_size(body) else { return (out, false) };
        body = &body[start..];
        if size == 0 {
            return (out, true);
        }
        let Some(data) = body.get(..size) else {
            out.extend_from_slice(body);
            return (out, false);
        };
        out.extend_from_slice(data);
        body = body[size..].strip_prefix(b"\r\n").unwrap_or(&body[size..]);
    }
}

/// Reads the documents of a WARC or WET stream, one a wanted record.
pub(super) fn read(reader: &mut dyn BufRead, ctx: &mut ReadContext) -> Result<()> {
    let (file, options) = (ctx.file, ctx.options);
    match reader.fill_buf() {
        Ok(head) if !head.is_empty() && !head.starts_with(b"WARC/") => {
            return ctx.sink.problem(None, "not a WARC file (no WARC/ version line at the start); skipped");
        }
        Ok(_) => {}
        Err(e) => return ctx.sink.last_problem(None, ctx.stream.broken(&e, "0 records")),
    }
    let at = if ctx.store.is_some() { "uncompressed byte" } else { "byte" };
    let name = file
        .path
        .file_name()
        .map(|n| crate::escape::path_text(Path::new(n)).into_owned())
        .unwrap_or_else(|| file.id.clone());
    let mut parser = Parser::new(reader, 0, options);
    let mut records = 0u64;
    loop {
        let record = match parser.next() {
            Ok(Next::End) => return Ok(()),
            Ok(Next::Damaged(offset, message)) => {
                ctx.sink.record_problem(offset, format!("WARC record at {at} {offset}: {message}"))?;
                continue;
            }
            Ok(Next::Record(r)) => r,
            Err(e) => {
                let read = format!("{records} records");
                return ctx.sink.last_problem(None, ctx.stream.broken(&e, &read));
            }
        };
        records += 1;
        let text = record_text(&record, options);
        // A record skipped says why once: its Content-Length short of it, then what its content lacks.
        if let (Some(note), false) = (&record.note, text.is_err()) {
            ctx.sink.record_problem(record.offset, format!("WARC record at {at} {}: {note}", record.offset))?;
        }
        let (mut page, notes) = match text {
            Ok(Some(t)) => t,
            Ok(None) => {
                ctx.sink.tick();
                continue;
            }
            Err(message) => {
                let short = record.note.as_ref().and_then(|n| n.split_once(':')).map(|(n, _)| format!("{n}; "));
                let message = format!("WARC record at {at} {}: {}{message}", record.offset, short.unwrap_or_default());
                ctx.sink.record_problem(record.offset, message)?;
                continue;
            }
        };
        if !notes.is_empty() {
            let message = format!("WARC record at {at} {}: {}", record.offset, notes.join("; "));
            ctx.sink.record_problem(record.offset, message)?;
        }
        let origin = ctx.origin(&page.text, Origin::Record { offset: record.offset })?;
        let mut extra = Map::new();
        if let Some(uri) = &record.uri {
            extra.insert("url".into(), Value::String(uri.clone()));
        }
        page.add_head_fields(&mut extra);
        // The page's own publication date rather than the day it was crawled, which only bounds it (a
        // copy crawled first would otherwise pass for the source); the crawl date is kept beside it. A
        // publication date after the crawl is wrong (a template's, a placeholder): the crawl date stands.
        let crawled = match record.date {
            Some(date) if super::parse_day(&date).is_none() => {
                ctx.sink.unread_date(record.offset, "byte", "WARC-Date", date)?;
                None
            }
            date => date,
        };
        // The crawl date is kept as `crawled` whichever date the document has: a date that is the crawl's
        // says when the page was fetched, not when it was published.
        if let Some(crawled) = &crawled {
            extra.insert("crawled".into(), Value::String(crawled.clone()));
        }
        let date = match (page.published, crawled) {
            (Some(published), Some(crawled))
                if super::parse_day(&published).zip(super::parse_day(&crawled)).is_some_and(|(p, c)| p > c) =>
            {
                extra.insert("published".into(), Value::String(published));
                Some(crawled)
            }
            (Some(published), _) => Some(published),
            (None, crawled) => crawled,
        };
        let id = record.uri.or(record.record_id).unwrap_or_else(|| format!("{name}@{}", record.offset));
        ctx.sink.document(Document { id, path: ctx.path.clone(), origin, text: page.text, date, extra });
    }
}

/// Reads the text of the record at byte `offset` of the plain archive `path`.
pub(super) fn reload(path: &Path, offset: u64, options: &InputOptions) -> Result<String> {
    let err = |source| Error::Read { path: path.to_path_buf(), source };
    let changed = |message: String| Error::Input {
        path: path.to_path_buf(),
        line: None,
        message: format!("WARC record at byte {offset} changed since it was read: {message}"),
    };
    let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(err)?);
    file.seek(SeekFrom::Start(offset)).map_err(err)?;
    let mut parser = Parser::new(&mut file, offset, options);
    match parser.next().map_err(err)? {
        Next::Record(record) => match record_text(&record, options) {
            Ok(Some((page, _))) => Ok(page.text),
            Ok(None) => Err(changed("not an article".into())),
            Err(message) => Err(changed(message)),
        },
        Next::Damaged(_, message) => Err(changed(message)),
        Next::End => Err(changed("no record there".into())),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;
    use crate::input::tests::read_all;

    /// A WARC record with the given type, headers and block.
    pub(crate) fn record(kind: &str, uri: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n\
             WARC-Date: 2025-05-24T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\n{extra}\
             Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    pub(crate) fn response(uri: &str, html: &str) -> Vec<u8> {
        let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n{html}");
        record("response", uri, "Content-Type: application/http; msgtype=response\r\n", http.as_bytes())
    }

    fn gzip_members(records: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for r in records {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(r).unwrap();
            out.extend(enc.finish().unwrap());
        }
        out
    }

    fn archive() -> Vec<Vec<u8>> {
        vec![
            record("warcinfo", "", "Content-Type: application/warc-fields\r\n", b"software: test\r\n"),
            record("request", "http://a/1", "", b"GET /1 HTTP/1.1\r\n\r\n"),
            response(
                "http://a/1",
                "<html><head><title>One</title></head><body><nav>Menu</nav>\
                 <article><p>Paragraph one.</p><p>Paragraph two.</p></article></body></html>",
            ),
            record(
                "response",
                "http://a/img.png",
                "Content-Type: application/http; msgtype=response\r\n",
                b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\0\0",
            ),
            record(
                "response",
                "http://a/moved",
                "Content-Type: application/http; msgtype=response\r\n",
                b"HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n",
            ),
            record(
                "conversion",
                "http://b/2",
                "Content-Type: text/plain\r\n",
                "Plain WET text.\nSecond line.".as_bytes(),
            ),
        ]
    }

    #[test]
    fn plain_and_compressed_archives() {
        let dir = tempfile::tempdir().unwrap();
        let records = archive();
        let plain = dir.path().join("a.warc");
        std::fs::write(&plain, records.concat()).unwrap();
        let members = dir.path().join("a.warc.gz");
        std::fs::write(&members, gzip_members(&records)).unwrap();
        let one_stream = dir.path().join("b.warc.wet.gz");
        std::fs::write(&one_stream, gzip_members(&[records.concat()])).unwrap();
        let zst = dir.path().join("c.warc.zst");
        std::fs::write(&zst, zstd::encode_all(&records.concat()[..], 1).unwrap()).unwrap();
        for path in [&plain, &members, &one_stream, &zst] {
            let (docs, problems) = read_all(path, &InputOptions::default());
            assert!(problems.is_empty(), "{path:?}: {problems:?}");
            let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
            assert_eq!(ids, ["http://a/1", "http://b/2"], "{path:?}");
            assert_eq!(docs[0].text, "Paragraph one.\nParagraph two.");
            assert_eq!(docs[0].extra["title"], "One");
            assert_eq!(docs[0].date.as_deref(), Some("2025-05-24T10:00:00Z"));
            assert_eq!(docs[1].text, "Plain WET text.\nSecond line.");
            for d in &docs {
                let again = crate::input::reload(path, &d.origin, &InputOptions::default());
                assert_eq!(again.unwrap(), d.text);
            }
        }
    }

    /// An archive whose lines end in LF alone: a length a few bytes too long, which swallows the next
    /// record's version line, loses that record only; a page holding a stray NUL byte is still a page.
    #[test]
    fn line_feeds_alone_and_a_nul_in_a_page() {
        let lf = |uri: &str, html: &str, extra: usize| {
            let http = format!("HTTP/1.1 200 OK\nContent-Type: text/html\n\n{html}");
            format!(
                "WARC/1.0\nWARC-Type: response\nWARC-Target-URI: {uri}\nContent-Type: application/http; \
                 msgtype=response\nContent-Length: {}\n\n{http}\n\n",
                http.len() + extra
            )
        };
        let page = |k: usize, extra| {
            lf(&format!("http://a/{k}"), &format!("<html><body><p>Page {k}.</p></body></html>"), extra)
        };
        let (first, nul) = (
            page(0, 3),
            lf("http://a/nul", "<!DOCTYPE html><html><body><p>A\0page with a NUL byte.</p></body></html>", 0),
        );
        let archive = [first, page(1, 0), page(2, 0), nul].concat();
        let (docs, problems) = crate::input::read_all("a.warc", crate::input::Format::Warc, archive.as_bytes());
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["http://a/1", "http://a/2", "http://a/nul"], "{problems:?}");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("runs past the next record"), "{problems:?}");
        assert!(docs[2].text.contains("page with a NUL byte"), "{}", docs[2].text);
    }

    #[test]
    fn a_response_without_a_content_type_is_read_as_http() {
        let dir = tempfile::tempdir().unwrap();
        let page =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>Untyped record.</p></body></html>";
        let not_http = b"<p>no HTTP header at all</p>";
        let path = dir.path().join("a.warc");
        std::fs::write(
            &path,
            [record("response", "http://a/1", "", page), record("response", "http://a/2", "", not_http)].concat(),
        )
        .unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].text, "Untyped record.");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("without a header end"), "{problems:?}");
    }

    #[test]
    fn damaged_records_are_reported_with_offsets_and_skipped() {
        let good = record("conversion", "http://ok/1", "", b"Good text.");
        let good2 = record("conversion", "http://ok/2", "", b"More good text.");
        let no_length = b"WARC/1.0\r\nWARC-Type: conversion\r\n\r\nlost\r\n\r\n".to_vec();
        let bad_length = b"WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: lots\r\n\r\nx\r\n\r\n".to_vec();
        let junk = b"garbage in the middle\r\n".to_vec();
        let empty = record("conversion", "http://ok/empty", "", b"  ");
        let latin = record("conversion", "http://ok/latin", "", b"caf\xe9 text");
        let cases: [(&[u8], &str, usize); 5] = [
            (&no_length, "no Content-Length", 2),
            (&bad_length, "not a number", 2),
            (&junk, "expected a WARC version line", 2),
            (&empty, "empty text", 2),
            (&latin, "invalid UTF-8", 3),
        ];
        for (bad, expected, n) in cases {
            let bytes = [&good[..], bad, &good2[..]].concat();
            let (docs, problems) = crate::input::read_all("d.warc", crate::input::Format::Warc, &bytes);
            let docs: Vec<String> = docs.into_iter().map(|d| d.id).collect();
            assert_eq!(problems.len(), 1, "{expected}: {problems:?}");
            let message = &problems[0].message;
            assert!(message.contains(expected), "{message}");
            assert!(message.contains(&format!("byte {}", good.len())), "{message}");
            assert_eq!((problems[0].line, problems[0].record), (None, Some(good.len() as u64)), "{expected}");
            assert_eq!(docs.len(), n, "{expected}: {docs:?}");
            assert_eq!(docs.last().unwrap(), "http://ok/2");
        }
    }

    #[test]
    fn an_overshooting_content_length_loses_no_later_record() {
        let good = record("conversion", "http://ok/1", "", b"Good text.");
        let good2 = record("conversion", "http://ok/2", "", b"More good text.");
        let good3 = record("conversion", "http://ok/3", "", b"Last good text.");
        let bad = record("conversion", "http://bad/", "", b"Bad text.");
        let claimed = |extra: u64| {
            let text = String::from_utf8(bad.clone()).unwrap();
            text.replace("Content-Length: 9\r\n", &format!("Content-Length: {}\r\n", 9 + extra)).into_bytes()
        };
        // Into the line ends, into the next version line, its headers, its block, the one after, past the end.
        for extra in [1, 2, 3, 4, 5, 8, 14, 20, 100, 200, 99_999_999_999] {
            let bad = claimed(extra);
            let bytes = [&good[..], &bad, &good2, &good3].concat();
            // A reader of 7 bytes at a time, so version lines are split between reads.
            for capacity in [7, 8192] {
                let mut reader = io::BufReader::with_capacity(capacity, &bytes[..]);
                let mut parser = Parser::new(&mut reader, 0, &InputOptions::default());
                let (mut offsets, mut damaged) = (Vec::new(), Vec::new());
                loop {
                    match parser.next().unwrap() {
                        Next::End => break,
                        Next::Record(r) => offsets.push(r.offset),
                        Next::Damaged(offset, message) => damaged.push((offset, message)),
                    }
                }
                let second = (good.len() + bad.len()) as u64;
                let expected = [0, second, second + good2.len() as u64];
                if extra <= 4 {
                    // Within the two line ends that close the record: nothing is lost, nothing to say.
                    assert_eq!(offsets, [0, good.len() as u64, second, expected[2]], "+{extra}");
                    assert!(damaged.is_empty(), "+{extra}: {damaged:?}");
                    continue;
                }
                assert_eq!(offsets, expected, "+{extra}, capacity {capacity}: {damaged:?}");
                assert_eq!(damaged.len(), 1, "+{extra}: {damaged:?}");
                assert_eq!(damaged[0].0, good.len() as u64);
                assert!(damaged[0].1.contains(&format!("next record (at byte {second})")), "{damaged:?}");
            }
        }
    }

    /// The target URIs of the records read and the damage met, 7 bytes read at a time.
    fn parse(bytes: &[u8], options: &InputOptions) -> (Vec<String>, Vec<(u64, String)>) {
        let mut reader = io::BufReader::with_capacity(7, bytes);
        let mut parser = Parser::new(&mut reader, 0, options);
        let (mut records, mut damaged) = (Vec::new(), Vec::new());
        loop {
            match parser.next().unwrap() {
                Next::End => return (records, damaged),
                Next::Record(r) => records.push(r.uri.unwrap_or_default()),
                Next::Damaged(offset, message) => damaged.push((offset, message)),
            }
        }
    }

    /// A block that holds a WARC record (a crawled .warc file, a page quoting one) is whole when its
    /// declared end is where a record ends; an overshoot too long to read back loses what it swallowed,
    /// and says so.
    #[test]
    fn a_record_quoting_a_record_is_one_record() {
        let inner = record("conversion", "http://quoted/", "", b"Quoted text.");
        let page = [&b"HTTP/1.1 200 OK\r\nContent-Type: application/warc\r\n\r\n\r\n\r\n"[..], &inner, &inner].concat();
        let first = record("conversion", "http://ok/1", "", b"Good text.");
        let quoting = record("response", "http://files/x.warc", "Content-Type: application/http\r\n", &page);
        let last = record("conversion", "http://ok/2", "", b"More good text.");
        let bytes = [&first[..], &quoting, &last].concat();
        let (uris, damaged) = parse(&bytes, &InputOptions::default());
        assert_eq!(uris, ["http://ok/1", "http://files/x.warc", "http://ok/2"]);
        assert!(damaged.is_empty(), "{damaged:?}");

        // Content-Length claiming 100 kB more than the block: past the 64 kB kept to read back.
        let options = InputOptions { max_document_bytes: 1, ..InputOptions::default() };
        let bad = String::from_utf8(record("conversion", "http://bad/", "", b"Bad text.")).unwrap();
        let bad = bad.replace("Content-Length: 9\r\n", "Content-Length: 100009\r\n").into_bytes();
        let filler = record("conversion", "http://swallowed/", "", &vec![b'x'; 120_000]);
        let bytes = [&first[..], &bad, &filler, &last].concat();
        let (uris, damaged) = parse(&bytes, &options);
        assert_eq!(uris, ["http://ok/1", "http://ok/2"], "{damaged:?}");
        let swallowed = (first.len() + bad.len()) as u64;
        assert!(
            damaged[0].1.contains(&format!("next record (at byte {swallowed}), too far to read back")),
            "{damaged:?}"
        );

        // Content-Length 5 short: the record is read cut, said by its own offset, and the next is read.
        let short = String::from_utf8(record("conversion", "http://short/", "", b"Short by five bytes.")).unwrap();
        let short = short.replace("Content-Length: 20\r\n", "Content-Length: 15\r\n").into_bytes();
        let bytes = [&first[..], &short, &last].concat();
        let (docs, problems) = crate::input::read_all("s.warc", crate::input::Format::Warc, &bytes);
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["Good text.", "Short by five b", "More good text."]);
        let said: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        let at = first.len();
        assert_eq!(
            said,
            [format!("WARC record at byte {at}: Content-Length 15 ends before the record does: its text may be cut")]
        );
        // A response whose short Content-Length cuts its HTTP headers is skipped, said once.
        let page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Cut.</p>";
        let cut = String::from_utf8(record("response", "http://cut/", "Content-Type: application/http\r\n", page));
        let cut = cut.unwrap().replace(&format!("Content-Length: {}\r\n", page.len()), "Content-Length: 5\r\n");
        let bytes = [&first[..], cut.as_bytes(), &last].concat();
        let (docs, problems) = crate::input::read_all("s.warc", crate::input::Format::Warc, &bytes);
        assert_eq!(docs.len(), 2);
        let said: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        assert_eq!(
            said,
            [format!(
                "WARC record at byte {at}: Content-Length 5 ends before the record does; HTTP response without a \
                 header end; skipped"
            )]
        );
        assert!(
            damaged[0].1.contains(&format!("next record (at byte {swallowed}), too far to read back")),
            "{damaged:?}"
        );
    }

    #[test]
    fn truncated_archives_keep_the_records_before() {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<Vec<u8>> = (0..50)
            .map(|i| {
                record(
                    "conversion",
                    &format!("http://t/{i}"),
                    "",
                    format!("Text {i} of the archive, {}", "word ".repeat(i * 37 % 200)).as_bytes(),
                )
            })
            .collect();
        // Cut inside a record of a plain file, and inside a gzip member.
        let plain = records.concat();
        let path = dir.path().join("t.warc");
        std::fs::write(&path, &plain[..plain.len() - 30]).unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        assert_eq!(docs.len(), 49);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("truncated"), "{problems:?}");

        let gz = gzip_members(&records);
        let path = dir.path().join("t.warc.wet.gz");
        std::fs::write(&path, &gz[..gz.len() * 2 / 3]).unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        assert!(docs.len() > 20 && docs.len() < 50, "{}", docs.len());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("gzip stream damaged or truncated"), "{problems:?}");

        // A member cut short or corrupted in the middle of the file, read from a file and from memory:
        // the records of the members after it are read.
        let members: Vec<Vec<u8>> = records.iter().map(|r| gzip_members(std::slice::from_ref(r))).collect();
        let cut =
            [&members[..10].concat()[..], &members[10][..members[10].len() / 2], &members[11..].concat()].concat();
        let mut flipped = members.concat();
        let at = members[..20].iter().map(Vec::len).sum::<usize>() + members[20].len() / 2;
        flipped[at..at + 8].copy_from_slice(b"\xde\xad\xbe\xef\xde\xad\xbe\xef");
        for (name, bytes, lost) in [("cut.warc.gz", cut, 10), ("flipped.warc.gz", flipped, 20)] {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let from_file = read_all(&path, &InputOptions::default());
            let (mut docs, mut problems) = (Vec::new(), Vec::new());
            let file = crate::input::InputFile { path: path.clone(), id: name.into() };
            let (emit, problem) = (&mut |d| docs.push(d), &mut |p| problems.push(p));
            crate::input::read_file_bytes(&file, &bytes, &InputOptions::default(), emit, problem).unwrap();
            let from_memory = (docs, problems);
            for (docs, problems) in [from_file, from_memory] {
                let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
                let want: Vec<String> = (0..50).filter(|&i| i != lost).map(|i| format!("http://t/{i}")).collect();
                assert_eq!(ids, want, "{name}: {problems:?}");
                assert!(
                    problems.iter().any(|p| p.message.contains("reading resumed at the next member")),
                    "{problems:?}"
                );
            }
        }
    }

    #[test]
    fn not_a_warc_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.warc");
        std::fs::write(&path, b"\x89PNG\0\0\0 binary").unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        assert!(docs.is_empty());
        assert!(problems[0].message.contains("not a WARC file"));
    }

    /// An HTTP response record of an HTML page with the given extra header lines and body.
    fn page(headers: &str, body: &[u8]) -> Vec<u8> {
        let mut http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{headers}\r\n").into_bytes();
        http.extend_from_slice(body);
        http
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    fn brotli(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::BrotliCompress(&mut &bytes[..], &mut out, &Default::default()).unwrap();
        out
    }

    /// The texts and problems of one response record per page, in a WARC file.
    fn pages(pages: &[Vec<u8>]) -> (Vec<String>, Vec<String>) {
        let kind = "Content-Type: application/http; msgtype=response\r\n";
        let bytes: Vec<u8> =
            pages.iter().enumerate().flat_map(|(i, p)| record("response", &format!("http://{i}"), kind, p)).collect();
        let (docs, problems) = crate::input::read_all("h.warc", crate::input::Format::Warc, &bytes);
        (docs.into_iter().map(|d| d.text).collect(), problems.into_iter().map(|p| p.message).collect())
    }

    #[test]
    fn http_bodies_chunked_and_latin1() {
        let (docs, problems) = pages(&[
            page("Transfer-Encoding: chunked\r\n", b"5\r\n<p>Ch\r\na\r\nunked.</p>\r\n0\r\n\r\n"),
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n\r\n<p>caf\xe9</p>".to_vec(),
            // Stored de-chunked under the header the server sent: read as it is.
            page("Transfer-Encoding: chunked\r\n", b"<p>Already de-chunked.</p>"),
            // Windows-1252's quotes (ISO-8859-1 is read as Windows-1252, as browsers do).
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n\r\n<p>\x93It\x92s\x94</p>".to_vec(),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(docs, ["Chunked.", "café", "Already de-chunked.", "“It’s”"]);
        // A chunked body damaged after its first chunk is still damaged.
        let (docs, problems) = pages(&[page("Transfer-Encoding: chunked\r\n", b"5\r\n<p>Ch\r\nzz\r\nunked")]);
        assert!(docs.is_empty() && problems[0].contains("damaged chunked"), "{problems:?}");
    }

    #[test]
    fn http_bodies_in_every_content_encoding() {
        let html = b"<p>The page.</p>";
        let zlib = {
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(html).unwrap();
            enc.finish().unwrap()
        };
        let raw_deflate = {
            let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(html).unwrap();
            enc.finish().unwrap()
        };
        let (docs, problems) = pages(&[
            page("Content-Encoding: gzip\r\n", &gzip(html)),
            page("Content-Encoding: deflate\r\n", &zlib),
            page("Content-Encoding: deflate\r\n", &raw_deflate),
            page("Content-Encoding: br\r\n", &brotli(html)),
            page("Content-Encoding: zstd\r\n", &zstd::encode_all(&html[..], 1).unwrap()),
            // Codings listed in the order applied: gzip first, then br.
            page("Content-Encoding: gzip, br\r\n", &brotli(&gzip(html))),
            page("Content-Encoding: identity\r\n", html),
            // Chunked transfer of a gzipped page, no content type: sniffed after decoding.
            {
                let zipped = gzip(b"<html><p>The page.</p></html>");
                let mut chunks = format!("{:x}\r\n", zipped.len()).into_bytes();
                chunks.extend(zipped);
                chunks.extend(b"\r\n0\r\n\r\n");
                let mut http =
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
                http.extend(chunks);
                http
            },
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(docs, ["The page."; 8]);
    }

    #[test]
    fn a_pages_publication_date_comes_before_the_crawl_date() {
        let kind = "Content-Type: application/http; msgtype=response\r\n";
        let dated = page("", br#"<meta name="date" content="2025-05-01"><p>Dated.</p>"#);
        let bytes = [
            record("response", "http://d", kind, &dated),
            record("response", "http://u", kind, &page("", b"<p>Undated.</p>")),
        ]
        .concat();
        let (docs, problems) = crate::input::read_all("p.warc", crate::input::Format::Warc, &bytes);
        assert!(problems.is_empty(), "{problems:?}");
        // `record` writes a WARC-Date of 2025-05-24T10:00:00Z.
        assert_eq!(docs[0].date.as_deref(), Some("2025-05-01"));
        assert_eq!(docs[0].extra["crawled"], "2025-05-24T10:00:00Z");
        assert_eq!(docs[1].date.as_deref(), Some("2025-05-24T10:00:00Z"));
        assert_eq!(docs[1].extra["crawled"], "2025-05-24T10:00:00Z");

        // A page dated after its own crawl is dated by the crawl; a crawl date that does not read is said.
        let later = page("", br#"<meta name="date" content="2025-06-01"><p>Dated later.</p>"#);
        let unread = String::from_utf8(record("response", "http://x", kind, &dated)).unwrap();
        let unread = unread.replace("WARC-Date: 2025-05-24T10:00:00Z", "WARC-Date: someday").into_bytes();
        let bytes = [record("response", "http://l", kind, &later), unread].concat();
        let (docs, problems) = crate::input::read_all("p.warc", crate::input::Format::Warc, &bytes);
        assert_eq!(docs[0].date.as_deref(), Some("2025-05-24T10:00:00Z"));
        assert_eq!(docs[0].extra["published"], "2025-06-01");
        assert_eq!(docs[1].date.as_deref(), Some("2025-05-01"));
        assert!(!docs[1].extra.contains_key("crawled"), "its WARC-Date does not read");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains(r#"field "WARC-Date" does not read as a date"#), "{problems:?}");
    }

    /// What crawlers store besides well-formed pages: header lines ended by LF alone, a stale
    /// Content-Encoding over a body stored decoded, the header given twice, files served as pages, large
    /// media, records without a target URI. Each read as meant, or passed over without a problem.
    #[test]
    fn what_crawlers_store_is_read_as_meant() {
        let lf = b"HTTP/1.1 200 OK\nContent-Type: text/html\n\n<p>First.</p>\r\n\r\n<p>Second.</p>".to_vec();
        let stale = page("Content-Encoding: gzip\r\n", b"<html><p>Stored decoded.</p></html>");
        let twice = page("Content-Encoding: gzip\r\nContent-Encoding: br\r\n", &brotli(&gzip(b"<p>Twice.</p>")));
        let pdf = page("", b"%PDF-1.4 binary stream");
        let png = page("", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        let (docs, problems) = pages(&[lf, stale, twice, pdf, png]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(docs, ["First.\nSecond.", "Stored decoded.", "Twice."]);

        let kind = "Content-Type: application/http; msgtype=response\r\n";
        let options = InputOptions { max_document_bytes: 16, ..InputOptions::default() };
        let video = b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n\r\n".iter().copied().chain(vec![1; 100_000]);
        let nameless = String::from_utf8(record("response", "", kind, &page("", b"<p>No URI.</p>"))).unwrap();
        let bytes = [record("response", "http://v", kind, &video.collect::<Vec<u8>>()), nameless.into_bytes()].concat();
        let (mut docs, mut problems) = (Vec::new(), Vec::new());
        let file = crate::input::InputFile { path: "v.warc".into(), id: "v".into() };
        crate::input::read_file_bytes(&file, &bytes, &options, &mut |d| docs.push(d), &mut |p| problems.push(p))
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["urn:uuid:"]);
    }

    #[test]
    fn unknown_and_damaged_content_encodings_are_reported() {
        let mut cut = brotli(&b"<p>A page long enough to be cut somewhere in its middle.</p>".repeat(20));
        cut.truncate(cut.len() / 2);
        let (docs, problems) = pages(&[
            page("Content-Encoding: compress\r\n", b"\x1f\x9d..."),
            page("Content-Encoding: br\r\n", &cut),
            page("Content-Encoding: gzip\r\n", b"not gzip at all"),
            page("", b"<p>Plain.</p>"),
        ]);
        assert_eq!(docs, ["Plain."]);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("HTTP body encoded as \"compress\"; skipped"), "{problems:?}");
        assert!(problems[1].contains("damaged br HTTP body"), "{problems:?}");
        assert!(problems[2].contains("damaged gzip HTTP body"), "{problems:?}");

        // The same bodies in records the crawler says it stored cut: what they decode to before the cut.
        let kind = "Content-Type: application/http; msgtype=response\r\nWARC-Truncated: length\r\n";
        let chunked = page("Transfer-Encoding: chunked\r\n", b"1a\r\n<p>A first chunk whole.</p>\r\n40\r\n<p>A sec");
        let mut gz = gzip(&b"<p>A page long enough to be cut somewhere in its middle.</p>".repeat(200));
        gz.truncate(gz.len() / 2);
        let bytes = [
            record("response", "http://gz", kind, &page("Content-Encoding: gzip\r\n", &gz)),
            record("response", "http://chunked", kind, &chunked),
        ]
        .concat();
        let (docs, problems) = crate::input::read_all("t.warc", crate::input::Format::Warc, &bytes);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(docs[0].text.starts_with("A page long enough to be cut somewhere in its middle."), "{}", docs[0].text);
        assert!(docs[1].text.starts_with("A first chunk whole."), "{}", docs[1].text);
    }
}
