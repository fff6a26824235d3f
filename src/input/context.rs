//! What a format reader is handed: a [`ReadContext`] holding the file being read, what is known of the
//! stream under it, the spill store for texts that cannot be read again cheaply, the options, the parser
//! of JSON Lines blocks, and the [`Sink`] that takes the documents and problems read. The input module's
//! `read_with` and `read_bytes` build one and hand it, with the decoded stream, to the reader of the
//! file's format (`text`, `jsonl`, `csv`, `warc`).

use std::cell::Cell;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use super::source::{Compression, Format};
use super::{Document, InputFile, InputOptions, Origin, ParseMap, Problem, SpillStore, spill_failed};
use crate::error::Result;
use crate::escape::quoted;
use crate::progress::Progress;

/// Everything a format reader needs besides the stream it reads: `read(reader, &mut ctx)`.
pub(super) struct ReadContext<'a> {
    /// The file read.
    pub(super) file: &'a InputFile,
    /// Its path as its documents hold it: one allocation shared by all the documents of the file.
    pub(super) path: Arc<Path>,
    /// What the file holds (the text reader reads plain text and HTML pages).
    pub(super) format: Format,
    /// What is known of the stream under the reader, for messages about damage.
    pub(super) stream: StreamInfo,
    /// Where the texts of input that cannot be read again cheaply go; `None`: a document is found again
    /// at its place in the file.
    pub(super) store: Option<Arc<SpillStore>>,
    /// How to decode the file.
    pub(super) options: &'a InputOptions,
    /// Parses the lines of a block of JSON Lines (in parallel in the pipeline).
    pub(super) parser: &'a dyn ParseMap,
    /// Takes the documents and problems read.
    pub(super) sink: Sink<'a>,
}

impl ReadContext<'_> {
    /// Where a document read from the file is found again: at `place` in the file itself, or, when the
    /// file cannot be read again cheaply, in the spill store, where its text is appended.
    pub(super) fn origin(&self, text: &str, place: Origin) -> Result<Origin> {
        let Some(store) = &self.store else {
            return Ok(place);
        };
        let offset = store.append(text).map_err(spill_failed)?;
        Ok(Origin::Spill { store: store.clone(), offset, len: text.len() as u32 })
    }
}

/// What a format reader knows of the stream under it, for messages about damage.
pub(super) struct StreamInfo {
    pub(super) compression: Compression,
    /// Bytes of the file consumed so far (compressed bytes for a compressed file).
    pub(super) consumed: Rc<Cell<u64>>,
}

impl StreamInfo {
    /// Describes a stream that broke off: how it is compressed and how far into the file it got.
    pub(super) fn broken(&self, e: &std::io::Error, what_was_read: &str) -> String {
        match self.compression {
            Compression::None => {
                format!("read failed ({e}) after {what_was_read}; rest of file skipped")
            }
            c => format!(
                "{} stream damaged or truncated ({e}) after {} compressed bytes, {what_was_read}; \
                 rest of file skipped",
                c.name(),
                self.consumed.get()
            ),
        }
    }
}

/// Problems listed per file; past this, the rest are counted in one closing message, so a file of a
/// million broken lines does not bury the others.
const MAX_PROBLEMS_PER_FILE: usize = 100;

/// What a format reader hands its documents and problems to: counts, caps and (when strict) stops.
pub(super) struct Sink<'a> {
    path: &'a Path,
    emit: &'a mut dyn FnMut(Document),
    problem: &'a mut dyn FnMut(Problem),
    progress: &'a dyn Progress,
    strict: bool,
    listed: usize,
    unlisted: usize,
    /// Bytes of the file consumed so far, and how many of them were reported to progress.
    consumed: Rc<Cell<u64>>,
    counted: u64,
    /// Whether a document of the file was handed on yet.
    any_document: bool,
    /// Records without the text field met before the first document, and the problems after them, held
    /// so that a file where no record has the field says it once (`finish`).
    held: Option<Held>,
    /// Records whose date field does not read as a date: how many, and the first (its line and value),
    /// said once for the file (`finish`).
    unread_dates: Option<UnreadDates>,
    /// The id, date and URL fields the options name in place of the usual ones, each with whether a
    /// record of the file held it (set at the first record): one that none held is said once
    /// (`finish`), since a misspelt name would otherwise leave every document named by its line, or
    /// undated, without a word.
    named: Option<Vec<NamedField>>,
}

struct NamedField {
    /// Which of the three: id, date, URL.
    which: usize,
    field: String,
    option: &'static str,
    /// What the documents are without it.
    without: &'static str,
    held: bool,
}

/// The dates of a file that were not read.
struct UnreadDates {
    field: String,
    count: usize,
    first: (u64, String),
    /// What a record's number counts: `line` or (CSV) `row`.
    unit: &'static str,
}

/// Problems held back since the first record without the text field.
struct Held {
    /// The text field.
    field: String,
    /// The held problems, in order (at most [`MAX_PROBLEMS_PER_FILE`], and the one that ends the file past
    /// them), each with what it is, and how many others came past the cap.
    problems: Vec<(Problem, HeldKind)>,
    more: usize,
    /// Records without the text field, and the fields they had.
    records: usize,
    fields: std::collections::BTreeSet<String>,
}

/// What a held problem is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeldKind {
    /// A record without the text field.
    MissingText,
    /// Any other problem, listed up to the cap.
    Other,
    /// The problem that ends the reading of the file, listed always ([`Sink::last_problem`]).
    Last,
}

impl<'a> Sink<'a> {
    /// A sink for the file at `path` whose bytes consumed so far `consumed` counts: documents go to
    /// `emit`, problems to `problem` (or, when `strict`, the first one stops reading), and the bytes
    /// consumed to `progress`.
    pub(super) fn new(
        path: &'a Path,
        strict: bool,
        consumed: Rc<Cell<u64>>,
        emit: &'a mut dyn FnMut(Document),
        problem: &'a mut dyn FnMut(Problem),
        progress: &'a dyn Progress,
    ) -> Sink<'a> {
        Sink {
            path,
            emit,
            problem,
            progress,
            strict,
            listed: 0,
            unlisted: 0,
            consumed,
            counted: 0,
            any_document: false,
            held: None,
            unread_dates: None,
            named: None,
        }
    }

    /// Notes which of the id, date and URL fields the options name a record held (`held`, in that
    /// order), for [`Sink::finish`] to say of a field named in place of the usual one that no record had.
    pub(super) fn record_fields(&mut self, options: &InputOptions, held: [bool; 3]) {
        let named = self.named.get_or_insert_with(|| {
            let defaults = InputOptions::default();
            let fields = [
                (&options.id_field, &defaults.id_field, "--id-field", "named by file and line"),
                (&options.date_field, &defaults.date_field, "--date-field", "undated"),
                (&options.url_field, &defaults.url_field, "--url-field", "without a URL"),
            ];
            (fields.into_iter().enumerate())
                .filter(|(_, (field, default, ..))| field != default)
                .map(|(which, (field, _, option, without))| NamedField {
                    which,
                    field: field.clone(),
                    option,
                    without,
                    held: false,
                })
                .collect()
        });
        for n in named {
            n.held |= held[n.which];
        }
    }

    /// Hands on a good document.
    pub(super) fn document(&mut self, d: Document) {
        self.any_document = true;
        if let Some(held) = self.held.take() {
            // Some record has the text field: the held problems are reported as they came.
            self.release(held);
        }
        (self.emit)(d);
        self.tick();
    }

    /// Reports a problem at `line` of the file (or in the file as a whole). Returns an error when strict,
    /// which the readers pass up with `?` to stop.
    pub(super) fn problem(&mut self, line: Option<u64>, message: impl Into<String>) -> Result<()> {
        self.report(Problem { path: self.path.to_path_buf(), line, record: None, message: message.into() })
    }

    /// Reports a problem in the web-archive record at byte `offset`, as [`Sink::problem`] does.
    pub(super) fn record_problem(&mut self, offset: u64, message: impl Into<String>) -> Result<()> {
        self.report(Problem {
            path: self.path.to_path_buf(),
            line: None,
            record: Some(offset),
            message: message.into(),
        })
    }

    /// Reports a record without the text field `field` (`fields` are the ones it has), as
    /// [`Sink::problem`] does; while no document of the file was handed on, it is held, with the problems
    /// after it.
    pub(super) fn missing_text(
        &mut self,
        line: Option<u64>,
        field: &str,
        message: String,
        fields: Vec<String>,
    ) -> Result<()> {
        if self.strict || self.any_document {
            return self.problem(line, message);
        }
        let p = Problem { path: self.path.to_path_buf(), line, record: None, message };
        let held = self.held.get_or_insert_with(|| Held {
            field: field.to_string(),
            problems: Vec::new(),
            more: 0,
            records: 0,
            fields: Default::default(),
        });
        held.records += 1;
        held.fields.extend(fields);
        Self::hold(held, p, HeldKind::MissingText);
        self.tick();
        Ok(())
    }

    fn hold(held: &mut Held, p: Problem, kind: HeldKind) {
        if held.problems.len() < MAX_PROBLEMS_PER_FILE || kind == HeldKind::Last {
            held.problems.push((p, kind));
        } else if kind == HeldKind::Other {
            held.more += 1;
        }
    }

    /// Notes record `line`'s date field (`field`) holding `value`, which does not read as a date: the
    /// document has no date, and [`Sink::finish`] says so once for the file (when strict, the first one is
    /// the error).
    pub(super) fn unread_date(&mut self, line: u64, unit: &'static str, field: &str, value: String) -> Result<()> {
        if self.strict {
            return self.problem(Some(line), unread_dates_message(field, 1, (unit, line), &value));
        }
        match &mut self.unread_dates {
            Some(unread) => unread.count += 1,
            None => {
                self.unread_dates = Some(UnreadDates { field: field.to_string(), count: 1, first: (line, value), unit })
            }
        }
        Ok(())
    }

    /// Reports held problems as they came.
    fn release(&mut self, held: Held) {
        let missing_unlisted = held.records - held.problems.iter().filter(|(_, k)| *k == HeldKind::MissingText).count();
        for (p, kind) in held.problems {
            // Not strict (nothing is held when strict), so reporting cannot fail.
            let _ = self.report_listed(p, kind == HeldKind::Last);
        }
        self.unlisted += held.more + missing_unlisted;
    }

    /// Reports the problem that ends the reading of a file (a stream that broke off, with the rest of
    /// the file skipped), as [`Sink::problem`] does but listed even past the cap: a cut is always told.
    pub(super) fn last_problem(&mut self, line: Option<u64>, message: impl Into<String>) -> Result<()> {
        self.report_listed(Problem { path: self.path.to_path_buf(), line, record: None, message: message.into() }, true)
    }

    fn report(&mut self, p: Problem) -> Result<()> {
        self.report_listed(p, false)
    }

    fn report_listed(&mut self, p: Problem, always: bool) -> Result<()> {
        if self.strict {
            return Err(p.into());
        }
        if let Some(held) = &mut self.held {
            Self::hold(held, p, if always { HeldKind::Last } else { HeldKind::Other });
            self.tick();
            return Ok(());
        }
        if always || self.listed < MAX_PROBLEMS_PER_FILE {
            self.listed += 1;
            (self.problem)(p);
        } else {
            self.unlisted += 1;
        }
        self.tick();
        Ok(())
    }

    /// Reports the file bytes consumed since the last call to progress.
    pub(super) fn tick(&mut self) {
        let now = self.consumed.get();
        if now > self.counted {
            self.progress.inc(now - self.counted);
            self.counted = now;
        }
    }

    /// Ends the reading of a file of `size` bytes: the problems past the cap are counted in one message,
    /// and whatever was skipped at the end still counts as read, so the bar reaches the total.
    pub(super) fn finish(mut self, size: u64) {
        if let Some(held) = self.held.take() {
            // No record of the file has the text field: one message says so, in place of one a record.
            let fields: Vec<&str> = held.fields.iter().map(String::as_str).collect();
            let fields = if fields.is_empty() { "none".to_string() } else { fields.join(", ") };
            let message = format!(
                "no record has field {}; fields seen: {fields} ({} records skipped)",
                quoted(&held.field),
                held.records
            );
            let mut problems: Vec<(Problem, bool)> = Vec::new();
            for (p, kind) in held.problems {
                if kind != HeldKind::MissingText {
                    problems.push((p, kind == HeldKind::Last));
                } else if problems.iter().all(|(p, _)| p.message != message) {
                    problems.push((Problem::in_file(self.path, message.clone()), false));
                }
            }
            for (p, always) in problems {
                let _ = self.report_listed(p, always);
            }
            self.unlisted += held.more;
        }
        if let Some(UnreadDates { field, count, first: (line, value), unit }) = self.unread_dates.take() {
            // Not strict (the first one is the error then), so reporting cannot fail.
            let _ = self.report_listed(
                Problem::in_file(self.path, unread_dates_message(&field, count, (unit, line), &value)),
                true,
            );
        }
        for n in self.named.iter().flatten().filter(|n| !n.held) {
            let message =
                format!("no record has field {} ({}): its documents are {}", quoted(&n.field), n.option, n.without);
            (self.problem)(Problem::in_file(self.path, message));
        }
        let unlisted = self.unlisted;
        if unlisted > 0 {
            (self.problem)(Problem::in_file(self.path, format!("{unlisted} more problems in this file (not listed)")));
        }
        self.tick();
        self.progress.inc(size.saturating_sub(self.counted));
    }
}

/// What is said of the `count` records of a file whose date field `field` does not read as a date, the
/// first at `line` (a line, a CSV row, or a document given in memory) holding `value`.
pub(crate) fn unread_dates_message(field: &str, count: usize, (unit, line): (&str, u64), value: &str) -> String {
    let records = if count == 1 { "1 record".to_string() } else { format!("{count} records") };
    format!(
        "{records}: field {} does not read as a date (the first at {unit} {line}: {}); read are ISO \
         8601 (2025-05-27, 2025-05-27T10:30:00+02:00), RFC 2822 and dates with a month name (27 May 2025), not \
         all-numeric days and months, whose order is ambiguous, nor 1970-01-01T00:00 or a day after today, which \
         are placeholders; those records have no date",
        quoted(field),
        quoted(value)
    )
}
