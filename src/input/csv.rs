//! CSV and TSV exports (a CMS's or a spreadsheet's, comma-, semicolon-, tab- or bar-separated as the header
//! line shows): one article per row, the first row naming the columns, which are the fields of
//! [`InputOptions`] as in JSON Lines (`text`, `id`, `date`, `url`; other small columns passed through, by
//! the mapping of [`super::record`]).
//! Quoted fields may span lines. The `csv` crate cuts the rows; a row is found again by its byte offset in
//! a plain file, or from the spill store for a compressed stream. A row is named by its number as a
//! spreadsheet shows it (the header is row 1; a cell with line breaks keeps its row one), in ids without an
//! id column and in messages.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek};
use std::path::Path;

use serde_json::{Map, Value};

use super::context::ReadContext;
use super::record::{Records, fields};
use super::{InputOptions, Origin, UTF16_STREAM, is_utf16, looks_binary};
use crate::error::{Error, Result};
use crate::escape::quoted;

/// The separator of a file's cells: a tab when its name says tab-separated values, else whichever of
/// comma, semicolon (what spreadsheets write where the comma is the decimal mark), tab and bar its header
/// line (`head`, the first bytes) holds most often outside quotation marks; a comma when none.
fn delimiter(path: &Path, head: &[u8]) -> u8 {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    if [".tsv", ".tab"].iter().any(|ext| name.ends_with(ext) || name.contains(&format!("{ext}."))) {
        return b'\t';
    }
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in head.iter().take_while(|&&b| b != b'\n') {
        match b {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            _ => {
                if let Some(k) = b",;\t|".iter().position(|&d| d == b) {
                    counts[k] += 1;
                }
            }
        }
    }
    // The first of the most frequent: a comma on a tie or when there is none.
    let best = (0..4).fold(0, |best, k| if counts[k] > counts[best] { k } else { best });
    b",;\t|"[best]
}

/// The separator of a file's cells and the bytes before its header row: those of the line Excel writes
/// and reads to name it (`sep=;`, after a byte-order mark or not), else none and the separator
/// [`delimiter`] finds.
fn separator(path: &Path, head: &[u8]) -> (u8, u64) {
    let after_mark = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    let named = after_mark.strip_prefix(b"sep=").and_then(|rest| {
        let (&d, end) = rest.split_first()?;
        let line_end = [&b"\r\n"[..], b"\n"].into_iter().find(|e| end.starts_with(e))?;
        let skipped = head.len() - after_mark.len() + 5 + line_end.len();
        (!matches!(d, b'"' | b'\r' | b'\n')).then_some((d, skipped as u64))
    });
    named.unwrap_or_else(|| (delimiter(path, head), 0))
}

/// The longest row read into memory: the text may be up to `max_document_bytes` (a longer one is cut), and
/// a row holds other cells too. A longer row is skipped to its end, or, when a quotation mark left open
/// makes it, from the line after the mark on ([`Capped::resume_point`]).
fn row_limit(options: &InputOptions) -> u64 {
    (options.max_document_bytes as u64).saturating_mul(4) + (64 << 10)
}

/// Counts the bytes read since the start of the current row and fails past the limit, so that one
/// unclosed quotation mark cannot make a row of the whole file in memory; follows the quoting of what it
/// passes on ([`Quotes`]), and keeps what it passed on since the current row started, so that the rows
/// after a stray quotation mark can be read again ([`Capped::resume`]).
struct Capped<R> {
    inner: R,
    since_row: u64,
    limit: u64,
    quotes: Quotes,
    /// The bytes passed on from stream byte `kept_from` (a row's start, or before).
    kept: Vec<u8>,
    kept_from: u64,
    /// Bytes to pass on again, from `again_at`, before reading on from `inner`.
    again: Vec<u8>,
    again_at: usize,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_row > self.limit {
            return Err(io::Error::other(format!(
                "a row longer than {} bytes (an unclosed quotation mark?)",
                self.limit
            )));
        }
        let n = if self.again_at < self.again.len() {
            let n = buf.len().min(self.again.len() - self.again_at);
            buf[..n].copy_from_slice(&self.again[self.again_at..self.again_at + n]);
            self.again_at += n;
            n
        } else {
            self.inner.read(buf)?
        };
        self.since_row += n as u64;
        self.quotes.feed(&buf[..n]);
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl<R> Capped<R> {
    /// The stream passed on starts at byte `at`, line `lines + 1`, of the file (after lines read apart).
    fn starts_at(&mut self, at: u64, lines: u64) {
        (self.kept_from, self.quotes.at, self.quotes.lines) = (at, at, lines);
    }

    fn new(inner: R, delimiter: u8, limit: u64) -> Capped<R> {
        let quotes = Quotes::new(delimiter);
        Capped { inner, since_row: 0, limit, quotes, kept: Vec::new(), kept_from: 0, again: Vec::new(), again_at: 0 }
    }

    /// A row starts at stream byte `start`: what was passed on before it is no longer needed (dropped
    /// once it is a megabyte and most of what is kept, so that a row costs no copy of the rows after it).
    fn row_starts(&mut self, start: u64) {
        self.since_row = 0;
        let done = start.saturating_sub(self.kept_from) as usize;
        if done > 1 << 20 && done * 2 > self.kept.len() {
            self.kept.drain(..done.min(self.kept.len()));
            self.kept_from = start;
        }
    }

    /// Where to read again after a row whose stray quotation mark, at stream byte `opened` of line `line`,
    /// took in the lines after it (the row ends at `end`): the start of the next line, and its lines before.
    fn resume_point(&self, (opened, line): (u64, u64), end: u64) -> Option<(u64, u64)> {
        let from = opened.checked_sub(self.kept_from)? as usize;
        let newline = self.kept.get(from..)?.iter().position(|&b| b == b'\n')?;
        let at = opened + newline as u64 + 1;
        (at < end).then_some((at, line))
    }

    /// Passes on again from stream byte `at` (the start of line `lines + 1`), with the quoting as at a
    /// row's start.
    fn resume(&mut self, (at, lines): (u64, u64)) {
        let from = (at - self.kept_from) as usize;
        let first = self.kept[from..].to_vec();
        self.kept.truncate(from);
        self.restart(first, (at, lines));
    }

    /// Passes on `first`, then what was still to be passed on again, from stream byte `at` (the start of
    /// line `lines + 1`), with the quoting as at a row's start.
    fn restart(&mut self, mut first: Vec<u8>, (at, lines): (u64, u64)) {
        first.extend_from_slice(&self.again[self.again_at..]);
        (self.again, self.again_at, self.since_row) = (first, 0, 0);
        self.quotes = Quotes { at, lines, ..Quotes::new(self.quotes.delimiter) };
    }
}

impl<R: Read> Capped<R> {
    /// Past a row longer than the limit: reads on without keeping what it reads to the row's end (a line
    /// end outside quotation marks), and passes on from there as at a row's start (see [`Capped::resume`]):
    /// that place (stream byte, lines before it), or `None` when the row runs to the end of the stream.
    fn skip_row(&mut self) -> io::Result<Option<(u64, u64)>> {
        let mut chunk = vec![0; 64 << 10];
        loop {
            let n = if self.again_at < self.again.len() {
                let n = chunk.len().min(self.again.len() - self.again_at);
                chunk[..n].copy_from_slice(&self.again[self.again_at..self.again_at + n]);
                self.again_at += n;
                n
            } else {
                match self.inner.read(&mut chunk) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    read => read?,
                }
            };
            if n == 0 {
                return Ok(None);
            }
            for (i, &b) in chunk[..n].iter().enumerate() {
                self.quotes.feed(&[b]);
                if b == b'\n' && self.quotes.open().is_none() {
                    let place = (self.quotes.at, self.quotes.lines);
                    (self.kept, self.kept_from) = (Vec::new(), place.0);
                    self.restart(chunk[i + 1..n].to_vec(), place);
                    return Ok(Some(place));
                }
            }
        }
    }
}

/// The quoting of a CSV stream as the `csv` crate parses it, byte by byte: a quotation mark opens a
/// quoted cell only where a cell starts, two in a quoted cell stand for one, and a quoted cell ends at
/// a quotation mark followed by anything else. The parser ends a quoted cell left open at the end of
/// the stream without a word, so a stray quotation mark would make one cell of the rest of the file;
/// this tells where it was opened.
struct Quotes {
    delimiter: u8,
    state: Quoting,
    /// Bytes and line breaks passed.
    at: u64,
    lines: u64,
    /// Where the quoted cell open now was opened: its byte and line (from 1).
    opened: (u64, u64),
    ended: bool,
    /// Quoted cells that went on after their closing quotation mark (`"a" b`, which the parser takes as
    /// `a b`): where each was opened (byte, line) and the line it closed on. RFC 4180 has a separator or
    /// a line end after a closing mark; text there is the sign of a stray mark (a cell's quotation mark
    /// never closed, closed by the next cell's opening one), after which the rows are cut wrongly.
    ran_on: std::collections::VecDeque<(u64, u64, u64)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Quoting {
    CellStart,
    Unquoted,
    Quoted,
    /// A quotation mark in a quoted cell: the end of the cell, or the first of two.
    QuoteInQuoted,
}

impl Quotes {
    fn new(delimiter: u8) -> Quotes {
        let ran_on = Default::default();
        Quotes { delimiter, state: Quoting::CellStart, at: 0, lines: 0, opened: (0, 0), ended: false, ran_on }
    }

    fn feed(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            self.ended = true;
        }
        for &b in bytes {
            let ends_cell = b == self.delimiter || b == b'\n' || b == b'\r';
            self.state = match (self.state, b) {
                (Quoting::CellStart, b'"') => {
                    self.opened = (self.at, self.lines + 1);
                    Quoting::Quoted
                }
                (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
                (Quoting::Quoted, _) => Quoting::Quoted,
                (Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
                (Quoting::QuoteInQuoted, _) if !ends_cell && !b.is_ascii_whitespace() => {
                    self.ran_on.push_back((self.opened.0, self.opened.1, self.lines + 1));
                    Quoting::Unquoted
                }
                (_, _) if ends_cell => Quoting::CellStart,
                _ => Quoting::Unquoted,
            };
            self.lines += (b == b'\n') as u64;
            self.at += 1;
        }
    }

    /// Where a quoted cell still open at the end of the stream was opened (byte, line), once the end
    /// has been read.
    fn unclosed(&self) -> Option<(u64, u64)> {
        self.open().filter(|_| self.ended)
    }

    /// Where the quoted cell open now was opened (byte, line).
    fn open(&self) -> Option<(u64, u64)> {
        (self.state == Quoting::Quoted).then_some(self.opened)
    }
}

impl<R: Seek> Seek for Capped<R> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

/// A reader of the rows of `inner` from its header row on: the bytes `separator` found before it (Excel's
/// separator line) passed over, the stream's places counted from the file's start.
fn reader<R: BufRead>(mut inner: R, (delimiter, before): (u8, u64), options: &InputOptions) -> csv::Reader<Capped<R>> {
    inner.consume(before as usize);
    let mut capped = Capped::new(inner, delimiter, row_limit(options));
    capped.starts_at(before, u64::from(before > 0));
    csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(capped)
}

/// A reader of the rows from `point` on (after a damaged row's stray quotation mark, [`Capped::resume`]):
/// no header row.
fn read_again<R: Read>(rows: csv::Reader<Capped<R>>, point: (u64, u64), delimiter: u8) -> csv::Reader<Capped<R>> {
    let mut stream = rows.into_inner();
    stream.resume(point);
    read_on(stream, delimiter)
}

/// A reader of the rows `stream` passes on from here: no header row.
fn read_on<R: Read>(stream: Capped<R>, delimiter: u8) -> csv::Reader<Capped<R>> {
    csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(stream)
}

/// The column names of a header row: trimmed, the byte-order mark a spreadsheet writes before the first
/// one dropped, and a name that differs from a configured field or the title (which the reports show)
/// only in case (`Text`, `URL`, `Title`) taken as that field.
fn columns(header: &csv::ByteRecord, options: &InputOptions) -> Vec<String> {
    let fields = [&options.text_field, &options.id_field, &options.date_field, &options.url_field, "title"];
    header
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let name = String::from_utf8_lossy(name);
            let name = if k == 0 { name.trim_start_matches('\u{feff}') } else { &name }.trim();
            fields.iter().find(|f| f.eq_ignore_ascii_case(name)).map_or_else(|| name.to_string(), |f| f.to_string())
        })
        .collect()
}

/// Why a row read is not an article of the file: a quoted cell of it that goes on after its closing
/// quotation mark ([`Quotes::ran_on`]), a quotation mark opened in it and never closed (the rest of the
/// file read as one cell), or cells beyond the header's columns that are not empty (the cells of a row
/// cut at a stray quotation mark or separator: taken as an article, the pieces of its text would be
/// articles of their own, named by their sentences). The row is the stream's bytes `start..end`; a stray
/// quotation mark's place (byte, line) comes with the reason.
struct Damage {
    why: String,
    stray: Option<(u64, u64)>,
}

fn damaged<R>(
    row: &csv::ByteRecord,
    columns: usize,
    (start, end): (u64, u64),
    stream: &mut Capped<R>,
) -> Option<Damage> {
    let ran_on = &mut stream.quotes.ran_on;
    while ran_on.front().is_some_and(|&(at, ..)| at < start) {
        ran_on.pop_front();
    }
    if let Some(&(at, opened, closed)) = ran_on.front().filter(|&&(at, ..)| at < end) {
        let why = format!(
            "the quoted cell opened on line {opened} of the file goes on after the quotation mark that closes it on line \
             {closed} (a quotation mark not closed where it should be, or one inside a quoted cell not doubled \
             as \"\"); row skipped"
        );
        return Some(Damage { why, stray: Some((at, opened)) });
    }
    if let Some((at, line)) = stream.quotes.unclosed().filter(|&(at, _)| (start..end).contains(&at)) {
        let why = format!(
            "the quotation mark opened on line {line} of the file (byte {at}) is never closed; row skipped: close the \
             quotation mark or double it (\"\")"
        );
        return Some(Damage { why, stray: Some((at, line)) });
    }
    let beyond = row.iter().skip(columns).filter(|cell| !cell.iter().all(u8::is_ascii_whitespace)).count();
    (beyond > 0).then(|| Damage {
        why: format!(
            "{} cells where the header has {columns} columns (a stray quotation mark or separator, or a \
             space before an opening quotation mark?); row skipped",
            row.len()
        ),
        stray: None,
    })
}

/// A row as a JSON object by the columns, its cells decoded (lossily, with a note, where not UTF-8).
fn object(columns: &[String], row: &csv::ByteRecord) -> (Map<String, Value>, Vec<String>) {
    let mut notes = Vec::new();
    let mut object = Map::new();
    for (k, (name, cell)) in columns.iter().zip(row).enumerate() {
        let cell = match std::str::from_utf8(cell) {
            Ok(s) => s.to_string(),
            Err(e) => {
                notes.push(format!(
                    "invalid UTF-8 at byte {} of column {}; decoded with replacement characters",
                    e.valid_up_to(),
                    k + 1
                ));
                String::from_utf8_lossy(cell).into_owned()
            }
        };
        object.insert(name.clone(), Value::String(cell));
    }
    (object, notes)
}

/// Whether the first line of `head` (the file's first bytes) reads as a header row: UTF-8 text (its end
/// may be cut by `head`'s) without a NUL byte.
fn header_line(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    !line.contains(&0) && std::str::from_utf8(line).err().is_none_or(|e| e.error_len().is_none())
}

/// Reads the documents of a CSV stream, one a row after the header row.
pub(super) fn read(input: &mut dyn BufRead, ctx: &mut ReadContext) -> Result<()> {
    let options = ctx.options;
    let separator = match input.fill_buf() {
        Ok(head) if is_utf16(head) => return ctx.sink.problem(None, UTF16_STREAM),
        // A file whose first line reads as a header row is CSV even with a NUL byte in its first rows: only
        // the rows holding one are skipped.
        Ok(head) if looks_binary(head) && !header_line(head) => {
            return ctx.sink.problem(None, "binary file (NUL bytes), not CSV; skipped");
        }
        Ok(head) => separator(&ctx.file.path, head),
        Err(e) => return ctx.sink.last_problem(None, ctx.stream.broken(&e, "0 rows")),
    };
    let (delimiter, sep_line) = separator;
    let mut rows = reader(input, separator, options);
    // Where the reader started, in the stream's bytes and rows: after Excel's separator line, and after
    // a stray quotation mark, when a new reader reads the lines after it again.
    let (mut base, mut rows_before) = (sep_line, u64::from(sep_line > 0));
    let header = Some(rows_before + 1);
    let columns = match rows.byte_headers() {
        Ok(h) if !h.is_empty() => columns(h, options),
        Ok(_) => return ctx.sink.problem(None, "no header row; skipped"),
        Err(e) => {
            let broken = ctx.stream.broken(&io::Error::other(e.to_string()), "the header row");
            return ctx.sink.last_problem(header, broken);
        }
    };
    if !columns.contains(&options.text_field) {
        return ctx.sink.problem(header, format!("no {} column in the header; skipped", quoted(&options.text_field)));
    }
    // Each name once, in the order first repeated (a header of a million columns is read in a moment).
    let mut seen = std::collections::HashSet::new();
    let mut said = std::collections::HashSet::new();
    let repeated: Vec<String> = columns
        .iter()
        .filter(|&column| !seen.insert(column) && said.insert(column))
        .map(|column| quoted(column))
        .collect();
    if !repeated.is_empty() {
        ctx.sink.problem(
            header,
            format!(
                "{} {} given twice in the header; the last is read",
                if repeated.len() == 1 { "column" } else { "columns" },
                repeated.join(", ")
            ),
        )?;
    }
    let records = Records::new(ctx.file);
    let mut row = csv::ByteRecord::new();
    let mut count = 0u64;
    // After a space before an opening quotation mark: the bytes of the rows its quotation runs over,
    // skipped up to the row that closes it (at most a row's limit).
    let mut spaced: Option<u64> = None;
    loop {
        let (start, next) = (base + rows.position().byte(), rows_before + rows.position().record() + 1);
        rows.get_mut().row_starts(start);
        match rows.read_byte_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                // A quotation mark left open for longer than any row: the row it opened skipped, the lines
                // after it read again.
                let stream = rows.get_mut();
                let open = stream.quotes.open().filter(|&(at, _)| stream.since_row > stream.limit && at >= start);
                if let Some(resume) = open.and_then(|stray| stream.resume_point(stray, u64::MAX)) {
                    let line = resume.1;
                    let why = format!(
                        "the quotation mark opened on line {line} of the file is not closed within {} bytes; row skipped, \
                         read again from line {}",
                        stream.limit,
                        line + 1
                    );
                    ctx.sink.problem(Some(next), why)?;
                    (base, rows_before) = (resume.0, next);
                    rows = read_again(rows, resume, delimiter);
                    continue;
                }
                // A row longer than any text (a page pasted into a cell): skipped to its end.
                let limit = stream.limit;
                if stream.since_row > limit
                    && let Ok(Some(resume)) = stream.skip_row()
                {
                    ctx.sink.problem(Some(next), format!("a row longer than {limit} bytes; skipped"))?;
                    (base, rows_before) = (resume.0, next);
                    rows = read_on(rows.into_inner(), delimiter);
                    continue;
                }
                let broken = ctx.stream.broken(&io::Error::other(e.to_string()), &format!("{count} rows"));
                return ctx.sink.last_problem(Some(next), broken);
            }
        }
        count += 1;
        let position = row.position().cloned().unwrap_or_else(csv::Position::new);
        let number = rows_before + position.record() + 1;
        if row.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let end = base + rows.position().byte();
        let quotes = |cell: &[u8]| cell.iter().filter(|&&b| b == b'"').count();
        // A row with an odd number of quotation marks closes one opened before it, or opens one.
        let odd = || row.iter().map(quotes).sum::<usize>() % 2 == 1;
        if let Some(skipped) = spaced {
            let length = end - (base + position.byte());
            spaced = (!odd() && skipped + length <= rows.get_ref().limit).then_some(skipped + length);
            continue;
        }
        // A space before a quotation mark meant to open a cell: the CSV rules read the mark as text, and
        // the cell's lines as rows of their own (their first words taken as ids), so the row and those
        // lines are skipped.
        if let Some(k) = row.iter().position(|cell| {
            let after = cell.trim_ascii_start();
            after.len() < cell.len() && after.starts_with(b"\"") && quotes(cell) % 2 == 1
        }) {
            let runs_on = odd();
            let why = format!(
                "a space before the quotation mark that opens cell {} (the CSV rules read it as text){}; row \
                 skipped: remove the space",
                k + 1,
                if runs_on { ", and its lines up to the closing mark as rows: skipped with it" } else { "" }
            );
            ctx.sink.problem(Some(number), why)?;
            spaced = runs_on.then_some(0);
            continue;
        }
        if let Some(damage) = damaged(&row, columns.len(), (base + position.byte(), end), rows.get_mut()) {
            let resume = damage.stray.and_then(|stray| rows.get_ref().resume_point(stray, end));
            match resume {
                Some(resume) => {
                    ctx.sink.problem(Some(number), format!("{}, read again from line {}", damage.why, resume.1 + 1))?;
                    (base, rows_before) = (resume.0, number);
                    rows = read_again(rows, resume, delimiter);
                }
                None => ctx.sink.problem(Some(number), damage.why)?,
            }
            continue;
        }
        // A NUL byte is no text's (binary data pasted in, a damaged export): the row is skipped, as a JSON
        // line holding one is.
        if let Some(k) = row.iter().position(|cell| cell.contains(&0)) {
            ctx.sink.problem(Some(number), format!("a NUL byte in cell {} (binary data?); row skipped", k + 1))?;
            continue;
        }
        let (object, notes) = object(&columns, &row);
        let place = Origin::Row { row: number, offset: base + position.byte() };
        records.pass(fields(object, notes, options), number, place, ctx)?;
    }
}

/// Reads the text of row number `row`, starting at byte `offset` of the plain file `path`.
pub(super) fn reload(path: &Path, row: u64, offset: u64, options: &InputOptions) -> Result<String> {
    let err = |source| Error::Read { path: path.to_path_buf(), source };
    let changed = |message: String| Error::Input {
        path: path.to_path_buf(),
        line: Some(row),
        message: format!("changed since it was read: {message}"),
    };
    let mut file = io::BufReader::new(File::open(path).map_err(err)?);
    let separator = separator(path, file.fill_buf().map_err(err)?);
    let mut rows = reader(file, separator, options);
    let columns = columns(rows.byte_headers().map_err(|e| changed(e.to_string()))?, options);
    let mut position = csv::Position::new();
    position.set_byte(offset).set_record(row - 1);
    rows.get_mut().since_row = 0;
    rows.seek_raw(io::SeekFrom::Start(offset), position).map_err(|e| changed(e.to_string()))?;
    let mut row = csv::ByteRecord::new();
    if !rows.read_byte_record(&mut row).map_err(|e| changed(e.to_string()))? {
        return Err(changed("no row there".into()));
    }
    let (object, notes) = object(&columns, &row);
    fields(object, notes, options).map(|p| p.text).map_err(|skip| changed(skip.message))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::input::tests::read_all;

    const ROWS: &[u8] = b"id,text,date,url,title\n\
        a,\"First article, with a comma\nand a second line.\",2025-05-24,http://x/a,A\n\
        ,No id here.,,,\n\
        c,,,,\n\
        d,caf\xe9 au lait,,,\n\
        e,Extra cells.,,,E,surplus\n\
        f,Trailing separators are empty cells.,,,F,,\n";

    #[test]
    fn rows_are_documents_found_again_by_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        std::fs::write(&path, ROWS).unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        // Rows by number: "a" is row 2 though its text spans two lines.
        assert_eq!(ids, ["a", "export.csv:3", "d", "f"]);
        assert_eq!(docs[0].text, "First article, with a comma\nand a second line.");
        assert_eq!(docs[0].date.as_deref(), Some("2025-05-24"));
        assert_eq!(docs[0].extra["url"], "http://x/a");
        assert_eq!(docs[0].extra["title"], "A");
        assert_eq!(docs[2].text, "caf\u{fffd} au lait");
        let messages: Vec<String> =
            problems.iter().map(|p| format!("{}: {}", p.line.unwrap_or(0), p.message)).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("4: empty text"), "{messages:?}");
        assert!(messages[1].starts_with("5: invalid UTF-8 at byte 3 of column 2"), "{messages:?}");
        assert!(messages[2].starts_with("6: 6 cells where the header has 5 columns"), "{messages:?}");
        for d in &docs {
            assert_eq!(crate::input::reload(&path, &d.origin, &InputOptions::default()).unwrap(), d.text);
        }
        assert!(matches!(docs[1].origin, Origin::Row { row: 3, .. }), "{:?}", docs[1].origin);
    }

    /// A space before the quotation mark meant to open a cell: the row is skipped, and so are the lines
    /// of the cell the CSV rules read as rows of their own (their first words became ids), up to the
    /// closing mark; the rows after are read. One problem, on the row's line.
    #[test]
    fn a_space_before_an_opening_quotation_mark_skips_the_cell_s_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        let rows = "id,text,date\n\
            a,\"Harbour plan approved by the council on Monday.\",2025-05-01\n\
            b, \"Bridge title\n\nThe mayor said on Tuesday, officials said.\nCritics argued the cost doubled.\",2025-05-02\n\
            c, \"Closed on its line\" and more,2025-05-03\n\
            d,Last article of the export.,2025-05-04\n";
        std::fs::write(&path, rows).unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "d"]);
        assert_eq!(docs[1].text, " \"Closed on its line\" and more");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(3));
        assert!(problems[0].message.starts_with("a space before the quotation mark that opens cell 2"), "{problems:?}");
    }

    /// Columns named in any case: `ID`, `Text`, `URL`, `Date` and `Title` are the fields (the title is
    /// what the reports show beside an id), another name stays as written.
    #[test]
    fn a_header_names_its_columns_in_any_case() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        std::fs::write(&path, "ID,Text,URL,Date,Title,Outlet\na,Words of an article.,http://x/a,2025-05-24,T,O\n")
            .unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((docs[0].id.as_str(), docs[0].date.as_deref()), ("a", Some("2025-05-24")));
        assert_eq!(
            (&docs[0].extra["url"], &docs[0].extra["title"], &docs[0].extra["Outlet"]),
            (&"http://x/a".into(), &"T".into(), &"O".into())
        );
    }

    /// A quotation mark opened and never closed: the row that holds it is skipped, saying where it was
    /// opened, and the lines after the stray mark are read again as rows, numbered and found again by
    /// offset as any row; a quotation mark inside an unquoted cell, or doubled inside a quoted one, is
    /// text, as the parser reads it.
    #[test]
    fn a_quotation_mark_never_closed_is_told_where_it_opened_and_the_rows_after_it_are_read() {
        let dir = tempfile::tempdir().unwrap();
        // The file, the rows read (id, row number), the first message.
        type Case<'a> = (&'a [u8], &'a [(&'a str, u64)], &'a str);
        let cases: [Case; 7] = [
            (
                b"id,text\na,Fine.\nb,\"Opened\nc,Not swallowed.\nd,Nor this.\n",
                &[("a", 2), ("c", 4), ("d", 5)],
                "3: the quotation mark opened on line 3 of the file (byte 18) is never closed; row skipped: close the \
                 quotation mark or double it (\"\"), read again from line 4",
            ),
            (
                b"id,text\na,Fine.\nb,\"Opened\nc,Not swallowed.\nd,\"Nor this,\nover two lines.\"\n",
                &[("a", 2), ("c", 4), ("d", 5)],
                "3: the quoted cell opened on line 3 of the file goes on after the quotation mark that closes it on line 5",
            ),
            (
                b"id,text\na,Fine.\nb,\"Opened at the end",
                &[("a", 2)],
                "3: the quotation mark opened on line 3 of the file",
            ),
            (b"id,text\r\na,\"Closed \"\"here\"\"\"\r\nb,A 5\" screen.\r\n", &[("a", 2), ("b", 3)], ""),
            (b"id,text\na,\"Closed\" then more\nb,Fine.\n", &[("a", 2), ("b", 3)], ""),
            // A stray mark in a row of cells that span lines: closed by the next row's opening mark, with
            // the next row's text after it.
            (
                b"id,text\nx,\"Never closed\ny,\"Its own\ntext.\"\nz,Fine.\n",
                &[("y", 3), ("z", 4)],
                "2: the quoted cell opened on line 2 of the file goes on after the quotation mark that closes it on line 3 \
                 (a quotation mark not closed where it should be, or one inside a quoted cell not doubled as \
                 \"\"); row skipped, read again from line 3",
            ),
            // Two stray marks, one after the other.
            (
                b"text,id\n\"One,p\n\"Two,q\nThree,r\n",
                &[("r", 4)],
                "2: the quoted cell opened on line 2 of the file goes on after the quotation mark that closes it on line 3",
            ),
        ];
        for (k, (bytes, rows, message)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("quotes{k}.csv"));
            std::fs::write(&path, bytes).unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            let found: Vec<(&str, u64)> = docs
                .iter()
                .map(|d| match d.origin {
                    Origin::Row { row, .. } => (d.id.as_str(), row),
                    _ => panic!("{:?}", d.origin),
                })
                .collect();
            assert_eq!(found, rows, "case {k}: {problems:?}");
            for d in &docs {
                assert_eq!(crate::input::reload(&path, &d.origin, &InputOptions::default()).unwrap(), d.text);
            }
            let messages: Vec<String> =
                problems.iter().map(|p| format!("{}: {}", p.line.unwrap_or(0), p.message)).collect();
            match message {
                "" => assert!(messages.is_empty(), "case {k}: {messages:?}"),
                m => assert!(messages.first().is_some_and(|first| first.starts_with(m)), "case {k}: {messages:?}"),
            }
        }
        assert_eq!(read_all(&dir.path().join("quotes3.csv"), &InputOptions::default()).0[0].text, "Closed \"here\"");
        assert_eq!(read_all(&dir.path().join("quotes5.csv"), &InputOptions::default()).0[0].text, "Its own\ntext.");
    }

    /// A quotation mark left open in a file longer than any row: the rows after its line are read, as the
    /// file is, from a compressed stream as from a plain file, however far apart the stray marks are.
    #[test]
    fn a_quotation_mark_open_past_the_longest_row_costs_its_row_only() {
        use std::fmt::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let options = InputOptions { max_document_bytes: 256, ..InputOptions::default() };
        let mut csv = String::from("id,text\n");
        for k in 0..4000 {
            let quote = if k % 1500 == 7 { "\"" } else { "" };
            writeln!(csv, "r{k},{quote}Row {k} of a long export with words enough to be a row.").unwrap();
        }
        let plain = dir.path().join("long.csv");
        std::fs::write(&plain, &csv).unwrap();
        let packed = dir.path().join("long.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(csv.as_bytes()).unwrap();
        std::fs::write(&packed, gz.finish().unwrap()).unwrap();
        for path in [plain, packed] {
            let (docs, problems) = read_all(&path, &options);
            assert_eq!(docs.len(), 3997, "{problems:?}");
            assert!(docs.iter().all(|d| !["r7", "r1507", "r3007"].contains(&d.id.as_str())));
            let lines: Vec<Option<u64>> = problems.iter().map(|p| p.line).collect();
            assert_eq!(lines, [Some(9), Some(1509), Some(3009)], "{problems:?}");
            let message = &problems[0].message;
            assert!(
                message.contains("not closed within 66560 bytes; row skipped, read again from line 10"),
                "{message}"
            );
            assert_eq!(docs.last().unwrap().id, "r3999");
            if path.extension().is_some_and(|e| e == "csv") {
                let last = &docs.last().unwrap().origin;
                assert!(matches!(last, Origin::Row { row: 4001, .. }), "{last:?}");
                for d in &docs {
                    assert_eq!(crate::input::reload(&path, &d.origin, &options).unwrap(), d.text);
                }
            }
        }
    }

    /// Excel's first line naming the separator (`sep=;`, which it writes for a file to open in any locale)
    /// is not the header: the rows are read with that separator, numbered as the file's lines, and found
    /// again by their offsets.
    #[test]
    fn excel_s_separator_line_names_the_separator() {
        let dir = tempfile::tempdir().unwrap();
        for (name, start) in [("sep.csv", ""), ("bom.csv", "\u{feff}")] {
            let path = dir.path().join(name);
            let body = "sep=;\r\nid;text\r\na;First, with a comma.\r\nb;\r\nc;Third one.\r\n";
            std::fs::write(&path, format!("{start}{body}")).unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            let read: Vec<(&str, &str)> = docs.iter().map(|d| (d.id.as_str(), d.text.as_str())).collect();
            assert_eq!(read, [("a", "First, with a comma."), ("c", "Third one.")], "{name}");
            assert_eq!(problems.iter().map(|p| p.line).collect::<Vec<_>>(), [Some(4)], "{problems:?}");
            for d in &docs {
                assert_eq!(crate::input::reload(&path, &d.origin, &InputOptions::default()).unwrap(), d.text);
            }
        }
    }

    #[test]
    fn a_column_named_twice_is_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("twice.csv");
        std::fs::write(&path, "id,text,Text,id\na,First.,Second.,b\nc,Third.,Fourth.,d\n").unwrap();
        let (docs, problems) = read_all(&path, &InputOptions::default());
        assert_eq!(
            docs.iter().map(|d| (d.id.as_str(), d.text.as_str())).collect::<Vec<_>>(),
            [("b", "Second."), ("d", "Fourth.")]
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(1));
        assert!(problems[0].message.contains("columns \"text\", \"id\" given twice in the header"), "{problems:?}");
    }

    #[test]
    fn tab_separated_and_compressed_files() {
        let dir = tempfile::tempdir().unwrap();
        // A semicolon-separated export, as spreadsheets write where the comma is the decimal mark.
        let semicolons = dir.path().join("export-de.csv");
        std::fs::write(&semicolons, "id;\"text; with a semicolon\";text\nde;1,5 Prozent;Eins, zwei.\n").unwrap();
        let (docs, problems) = read_all(&semicolons, &InputOptions::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((docs[0].id.as_str(), docs[0].text.as_str()), ("de", "Eins, zwei."));
        assert_eq!(crate::input::reload(&semicolons, &docs[0].origin, &InputOptions::default()).unwrap(), docs[0].text);
        // As a spreadsheet saves it: a byte-order mark, capitalised names.
        let tsv = dir.path().join("export.tsv");
        std::fs::write(&tsv, "\u{feff}ID\t Text \tURL\nt\tTabbed, with a comma.\thttp://t\n").unwrap();
        let gz = dir.path().join("export.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(ROWS).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let (docs, problems) = read_all(&tsv, &InputOptions::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((docs[0].id.as_str(), docs[0].text.as_str()), ("t", "Tabbed, with a comma."));
        assert_eq!(docs[0].extra["url"], "http://t");
        assert_eq!(crate::input::reload(&tsv, &docs[0].origin, &InputOptions::default()).unwrap(), docs[0].text);
        let (docs, _) = read_all(&gz, &InputOptions::default());
        assert_eq!(docs.len(), 4);
        assert!(matches!(docs[0].origin, Origin::Spill { .. }));
        assert_eq!(crate::input::reload(&gz, &docs[0].origin, &InputOptions::default()).unwrap(), docs[0].text);
    }

    #[test]
    fn a_file_that_cannot_be_read_as_articles_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str); 4] = [
            ("nocolumn.csv", b"name,body\nx,y\n", "no \"text\" column"),
            ("empty.csv", b"", "empty (0 bytes)"),
            ("binary.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary file"),
            // A header row, then a NUL byte: the row is skipped, not the file.
            ("nul.csv", b"id,text\n\0\0\0", "a NUL byte in cell 1 (binary data?); row skipped"),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let (docs, problems) = read_all(&path, &InputOptions::default());
            assert!(docs.is_empty(), "{name}");
            assert!(problems[0].message.contains(expected), "{name}: {problems:?}");
        }
        // A row longer than any text (a page pasted into a cell, quoted or not) costs that row only.
        for cell in [format!("\"{}\"", "long, quoted ".repeat(10_000)), "long ".repeat(30_000)] {
            let path = dir.path().join("long.csv");
            std::fs::write(&path, format!("id,text\nbefore,A row.\nlong,{cell}\nafter,Another row.\n")).unwrap();
            let options = InputOptions { max_document_bytes: 100, ..InputOptions::default() };
            let (docs, problems) = read_all(&path, &InputOptions { max_document_bytes: 100, ..options });
            assert_eq!(docs.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["before", "after"]);
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(
                (problems[0].line, problems[0].message.as_str()),
                (Some(3), "a row longer than 65936 bytes; skipped")
            );
            let again = crate::input::reload(&path, &docs[1].origin, &InputOptions::default()).unwrap();
            assert_eq!(again, "Another row.");
        }
        // An unclosed quotation mark would make one row of the rest of the file: its row is given up at the
        // limit, the lines after it read as rows (here without a text cell each).
        let path = dir.path().join("unclosed.csv");
        let mut bytes = b"id,text\nok,A good row.\nbad,\"never closed\n".to_vec();
        bytes.extend(b"more words\n".repeat(20_000));
        std::fs::write(&path, bytes).unwrap();
        let options = InputOptions { max_document_bytes: 1000, ..InputOptions::default() };
        let (docs, problems) = read_all(&path, &options);
        assert_eq!(docs.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["ok"]);
        assert!(
            problems[0].message.contains("opened on line 3 of the file is not closed within 69536 bytes"),
            "{problems:?}"
        );
        assert!(problems[1].message.contains("no \"text\" field"), "{problems:?}");
    }
}
