//! Opening an input file as a stream of decoded bytes: which format it holds (by name, then by its first
//! bytes), whether it is compressed (gzip, zstd), and how many bytes of the file itself have been consumed,
//! so progress on a compressed file counts the bytes on disk and reaches the file's size.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// Buffer size of every reader: large enough for sequential disk speed, small next to a document.
const BUFFER: usize = 256 << 10;

/// What an input file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One article per file, plain text.
    Text,
    /// One article per file, an HTML page: its main text, title and publication date.
    Html,
    /// JSON Lines: one article per line.
    Jsonl,
    /// CSV or TSV with a header row: one article per row.
    Csv,
    /// WARC or WET web archive: one article per `response` (HTML) or `conversion` (text) record.
    Warc,
}

/// How an input file is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip, one member or many (Common Crawl writes one member per record).
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// The word used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// The format and compression a file's name says, if it says.
pub fn from_name(path: &Path) -> (Option<Format>, Compression) {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let (stem, compression) = if let Some(s) = name.strip_suffix(".gz") {
        (s, Compression::Gzip)
    } else if let Some(s) = name.strip_suffix(".zst").or_else(|| name.strip_suffix(".zstd")) {
        (s, Compression::Zstd)
    } else {
        (name.as_str(), Compression::None)
    };
    let format = if stem.ends_with(".jsonl") || stem.ends_with(".ndjson") {
        Some(Format::Jsonl)
    } else if stem.ends_with(".warc") || stem.ends_with(".wet") {
        Some(Format::Warc)
    } else if stem.ends_with(".csv") || stem.ends_with(".tsv") || stem.ends_with(".tab") {
        Some(Format::Csv)
    } else if stem.ends_with(".txt") {
        Some(Format::Text)
    } else if stem.ends_with(".html") || stem.ends_with(".htm") || stem.ends_with(".xhtml") {
        Some(Format::Html)
    } else {
        None
    };
    (format, compression)
}

/// Why a file compressed in a way not read is refused, from its first bytes: said instead of reading the
/// compressed bytes as a binary file.
pub(crate) fn unsupported_compression(head: &[u8]) -> Option<io::Error> {
    let what = if head.starts_with(b"BZh") && head.get(4..10) == Some(b"1AY&SY") {
        "bzip2-compressed"
    } else if head.starts_with(b"\xfd7zXZ\0") {
        "xz-compressed"
    } else if head.starts_with(b"7z\xbc\xaf\x27\x1c") {
        "a 7-Zip archive"
    } else if head.starts_with(b"PK\x03\x04") {
        "a zip archive"
    } else if head.starts_with(&[0x04, 0x22, 0x4d, 0x18]) {
        "lz4-compressed"
    } else if head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18] {
        // A zstd skippable frame first: the IIPC .warc.zst layout, whose dictionary it holds.
        return Some(io::Error::new(
            io::ErrorKind::InvalidData,
            "zstd with its dictionary in the file (the IIPC .warc.zst layout), which is not read: decompress it \
             (zstd -d with the dictionary) or recompress with gzip",
        ));
    } else {
        return None;
    };
    Some(io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{what}, which is not read (gzip and zstd are): decompress it first"),
    ))
}

/// The compression the first bytes of a file show, whatever its name.
pub(crate) fn sniff_compression(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// The format the first decoded bytes show: a WARC version line, a JSON object, an HTML page (a doctype
/// or `<html>` tag first), or else text.
pub fn sniff_format(head: &[u8]) -> Format {
    if head.starts_with(b"WARC/") {
        return Format::Warc;
    }
    let head = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).map_or(&[][..], |i| &head[i..]);
    let starts = |tag: &[u8]| start.len() >= tag.len() && start[..tag.len()].eq_ignore_ascii_case(tag);
    if start.first() == Some(&b'{') {
        Format::Jsonl
    } else if starts(b"<!doctype html") || starts(b"<html") {
        Format::Html
    } else {
        Format::Text
    }
}

/// What was said of the gzip members skipped as damaged ([`GzMembers`]), to be reported with the file.
pub type Gaps = Rc<RefCell<Vec<String>>>;

/// The compressed bytes of one gzip member kept to look for the next member's header in after damage
/// (a damaged member's decoder may read on through the members after it); a larger member is not kept.
const MAX_MEMBER: usize = 4 << 20;

/// A byte stream with bytes put back in front of it, counting what is consumed and keeping it (`kept`)
/// while it fits in [`MAX_MEMBER`].
struct Prefixed<R> {
    prefix: Vec<u8>,
    inner: R,
    /// Bytes consumed so far (of the prefix and the stream), from the start of the file.
    pos: u64,
    kept: Option<Vec<u8>>,
}

impl<R: BufRead> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Prefixed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.prefix.is_empty() { self.inner.fill_buf() } else { Ok(&self.prefix) }
    }
    fn consume(&mut self, n: usize) {
        if let Some(kept) = &mut self.kept {
            if self.prefix.is_empty() {
                kept.extend_from_slice(self.inner.fill_buf().map(|b| &b[..n.min(b.len())]).unwrap_or(&[]));
            } else {
                kept.extend_from_slice(&self.prefix[..n.min(self.prefix.len())]);
            }
            if kept.len() > MAX_MEMBER {
                self.kept = None;
            }
        }
        if self.prefix.is_empty() {
            self.inner.consume(n);
        } else {
            self.prefix.drain(..n.min(self.prefix.len()));
        }
        self.pos += n as u64;
    }
}

/// gzip members one after another, as `MultiGzDecoder` reads them, but a damaged member does not end the
/// stream: reading resumes at the next member's header (a web archive written one member per record, as
/// Common Crawl writes them, loses the damaged record only), and what was skipped is said in `gaps`. A
/// member's bytes are passed on once its checksum is read, so a damaged one gives nothing, unless it is the
/// last (one gzip stream, a file cut short: what it decoded before the damage, then the damage's error) or
/// larger than [`MAX_MEMBER`] (passed on as decoded, its damage the end of the stream).
pub struct GzMembers<R: BufRead> {
    decoder: Option<flate2::bufread::GzDecoder<Prefixed<R>>>,
    /// Where the member being decoded starts in the file.
    member: u64,
    gaps: Gaps,
    /// Where a damaged member started and what was wrong, until a member after it decodes.
    damage: Option<(u64, io::Error)>,
    /// A member's decoded bytes, held until its checksum is read, and how many were given out.
    out: Vec<u8>,
    given: usize,
    /// The member is larger than [`MAX_MEMBER`]: passed on as it is decoded.
    streaming: bool,
    /// The error to give once `out` is given out.
    failed: Option<io::Error>,
}

impl<R: BufRead> GzMembers<R> {
    pub fn new(inner: R, gaps: Gaps) -> GzMembers<R> {
        let decoder =
            flate2::bufread::GzDecoder::new(Prefixed { prefix: Vec::new(), inner, pos: 0, kept: Some(Vec::new()) });
        GzMembers {
            decoder: Some(decoder),
            member: 0,
            gaps,
            damage: None,
            out: Vec::new(),
            given: 0,
            streaming: false,
            failed: None,
        }
    }

    fn start(&mut self, mut raw: Prefixed<R>) {
        self.member = raw.pos;
        raw.kept = Some(Vec::new());
        self.decoder = Some(flate2::bufread::GzDecoder::new(raw));
    }

    /// Skips to the next gzip member header (`1f 8b 08`) after the start of the damaged member and starts
    /// decoding there; `false` at the end of the stream.
    fn resync(&mut self, mut raw: Prefixed<R>) -> io::Result<bool> {
        // Looked for from the damaged member's second byte, when its bytes were kept.
        if let Some(kept) = raw.kept.take().filter(|k| !k.is_empty()) {
            raw.prefix.splice(0..0, kept[1..].iter().copied());
            raw.pos = self.member + 1;
        }
        let mut matched = 0;
        loop {
            let buf = raw.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut used = 0;
            for &b in buf {
                used += 1;
                matched = match (matched, b) {
                    (_, 0x1f) => 1,
                    (1, 0x8b) => 2,
                    (2, 0x08) => 3,
                    _ => 0,
                };
                if matched == 3 {
                    break;
                }
            }
            raw.consume(used);
            if matched == 3 {
                raw.pos -= 3;
                raw.prefix.splice(0..0, [0x1f, 0x8b, 0x08]);
                self.start(raw);
                return Ok(true);
            }
        }
    }

    /// Decodes the rest of the current member into `out` (all of it, or [`MAX_MEMBER`] bytes, after which
    /// the member is passed on as it is decoded); `Ok(false)` when the stream is done.
    fn next_member(&mut self) -> io::Result<bool> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else { return Ok(false) };
            match decoder.by_ref().take(MAX_MEMBER as u64 + 1).read_to_end(&mut self.out) {
                Ok(_) if self.out.len() > MAX_MEMBER => {
                    self.streaming = true;
                    return Ok(true);
                }
                Ok(_) => {
                    // The member ended whole: what it held is passed on, and another member may follow.
                    if let Some((at, e)) = self.damage.take() {
                        self.gaps.borrow_mut().push(format!(
                            "gzip member at compressed byte {at} damaged ({e}): what it held is lost; reading \
                             resumed at the next member, compressed byte {}",
                            self.member
                        ));
                    }
                    let mut raw = self.decoder.take().map(|d| d.into_inner()).expect("a decoder");
                    if !raw.fill_buf()?.is_empty() {
                        self.start(raw);
                    }
                    return Ok(true);
                }
                Err(e) => {
                    let raw = self.decoder.take().map(|d| d.into_inner()).expect("a decoder");
                    if self.damage.is_none() {
                        self.damage = Some((self.member, e));
                    }
                    if !self.resync(raw)? {
                        // Nothing after the damage: what was decoded before it is passed on, then the error.
                        self.failed = self.damage.take().map(|(_, e)| e);
                        return Ok(true);
                    }
                    // Decoded from a damaged member: not passed on.
                    self.out.clear();
                }
            }
        }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.given < self.out.len() {
                let n = buf.len().min(self.out.len() - self.given);
                buf[..n].copy_from_slice(&self.out[self.given..self.given + n]);
                self.given += n;
                return Ok(n);
            }
            self.out.clear();
            self.given = 0;
            if let Some(e) = self.failed.take() {
                return Err(e);
            }
            if self.streaming {
                // A member too large to hold: passed on as decoded, its damage the stream's end.
                let Some(decoder) = self.decoder.as_mut() else { return Ok(0) };
                match decoder.read(buf) {
                    Ok(0) => {
                        self.streaming = false;
                        let mut raw = self.decoder.take().map(|d| d.into_inner()).expect("a decoder");
                        if !raw.fill_buf()?.is_empty() {
                            self.start(raw);
                        }
                    }
                    result => return result,
                }
            } else if !self.next_member()? {
                return Ok(0);
            }
        }
    }
}

/// Counts the bytes read through it into a shared cell.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// An open input: decoded bytes, and how many bytes of the file were consumed to produce them.
pub struct Source {
    /// The decoded stream.
    pub reader: Box<dyn BufRead>,
    /// Bytes of the file read so far (compressed bytes for a compressed file).
    pub consumed: Rc<Cell<u64>>,
    /// How the file is compressed.
    pub compression: Compression,
    /// What it holds.
    pub format: Format,
    /// Whether a document can be read again at an offset into the file (a plain regular file).
    pub seekable: bool,
    /// Whether the file can be opened and read again at all: a regular file, not standard input, a FIFO,
    /// a process substitution (`<(cmd)`) or a device, which give their bytes once.
    pub reopenable: bool,
    /// The damaged gzip members skipped so far ([`GzMembers`]).
    pub gaps: Gaps,
}

/// Opens `path` (standard input for [`super::STDIN`]), detects compression (magic bytes win over the
/// name) and format (`forced`, else the name, else the first decoded bytes), and returns the decoded
/// stream.
pub fn open(path: &Path, forced: Option<Format>) -> io::Result<Source> {
    let consumed = Rc::new(Cell::new(0));
    let stdin = super::is_stdin(path);
    let (file, reopenable): (Box<dyn Read>, bool) = if stdin {
        (Box::new(io::stdin()), false)
    } else {
        let file = File::open(path)?;
        let regular = file.metadata()?.is_file();
        (Box::new(file), regular)
    };
    let mut raw = BufReader::with_capacity(BUFFER, Counting { inner: file, count: consumed.clone() });
    let (named, _) = from_name(path);
    if let Some(e) = unsupported_compression(raw.fill_buf()?) {
        return Err(e);
    }
    let compression = sniff_compression(raw.fill_buf()?);
    let gaps = Gaps::default();
    let mut reader: Box<dyn BufRead> = match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(BufReader::with_capacity(BUFFER, GzMembers::new(raw, gaps.clone()))),
        Compression::Zstd => Box::new(BufReader::with_capacity(BUFFER, zstd::stream::read::Decoder::with_buffer(raw)?)),
    };
    let format = match forced.or(named) {
        Some(f) => f,
        None => sniff_format(reader.fill_buf()?),
    };
    let seekable = compression == Compression::None && reopenable;
    Ok(Source { reader, consumed, compression, format, seekable, reopenable, gaps })
}

/// Reads one line (up to and including `\n`) into `buf`, keeping at most `limit` bytes of it. Returns the
/// line's full length in the stream (0 at the end), so a caller can tell a line cut by the limit.
pub fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, limit: usize) -> io::Result<u64> {
    buf.clear();
    read_line_append(reader, buf, limit)
}

/// Appends the next line (with its newline) to `buf`, keeping at most `limit` of its bytes, and returns
/// the full length of the line in the stream (0 at the end). Like [`read_line`], without clearing `buf`,
/// so many lines can share one buffer.
pub fn read_line_append(reader: &mut dyn BufRead, buf: &mut Vec<u8>, limit: usize) -> io::Result<u64> {
    let start = buf.len();
    let mut total = 0u64;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(total);
        }
        let (take, done) = match memchr_newline(chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = limit.saturating_sub(buf.len() - start).min(take);
        buf.extend_from_slice(&chunk[..room]);
        reader.consume(take);
        total += take as u64;
        if done {
            return Ok(total);
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    // Eight bytes at a time: a byte equal to `\n` becomes zero after the xor, and the classic
    // has-zero-byte test finds it; lines average kilobytes, so this is most of the splitting time.
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().unwrap_or([0; 8])) ^ (LO * b'\n' as u64);
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| b == b'\n').map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_format_and_compression() {
        let f = |n: &str| from_name(Path::new(n));
        assert_eq!(f("a.jsonl"), (Some(Format::Jsonl), Compression::None));
        assert_eq!(f("a.NDJSON.gz"), (Some(Format::Jsonl), Compression::Gzip));
        assert_eq!(f("a.jsonl.zst"), (Some(Format::Jsonl), Compression::Zstd));
        assert_eq!(f("CC-1.warc.wet.gz"), (Some(Format::Warc), Compression::Gzip));
        assert_eq!(f("x.warc"), (Some(Format::Warc), Compression::None));
        assert_eq!(f("x.txt"), (Some(Format::Text), Compression::None));
        assert_eq!(f("page.HTML"), (Some(Format::Html), Compression::None));
        assert_eq!(f("page.htm.gz"), (Some(Format::Html), Compression::Gzip));
        assert_eq!(f("export.csv.zst"), (Some(Format::Csv), Compression::Zstd));
        assert_eq!(f("export.tsv"), (Some(Format::Csv), Compression::None));
        assert_eq!(f("x.dump"), (None, Compression::None));
    }

    #[test]
    fn sniffing_finds_format() {
        assert_eq!(sniff_format(b"WARC/1.0\r\n"), Format::Warc);
        assert_eq!(sniff_format(b"  {\"id\":1}"), Format::Jsonl);
        assert_eq!(sniff_format(b"Hello"), Format::Text);
        assert_eq!(sniff_format(b"\xef\xbb\xbf\n<!DOCTYPE html><p>"), Format::Html);
        assert_eq!(sniff_format(b"<HTML lang=en>"), Format::Html);
        assert_eq!(sniff_format(b"<p>a fragment"), Format::Text);
        assert_eq!(sniff_compression(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(sniff_compression(&[0x28, 0xb5, 0x2f, 0xfd]), Compression::Zstd);
    }

    #[test]
    fn lines_are_capped_but_measured() {
        let mut r: &[u8] = b"abcdef\nxy";
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut r, &mut buf, 3).unwrap(), 7);
        assert_eq!(buf, b"abc");
        assert_eq!(read_line(&mut r, &mut buf, 3).unwrap(), 2);
        assert_eq!(buf, b"xy");
        assert_eq!(read_line(&mut r, &mut buf, 3).unwrap(), 0);
    }
}
