//! The record mapping shared by the readers of files of many records, JSON Lines ([`super::jsonl`]) and
//! CSV ([`super::csv`]): a record's fields (a JSON object, or a CSV row by its header) become a document,
//! its text, id, date and url from the fields [`InputOptions`] names (a text that is an HTML page gives
//! its main text and its head's fields), the other small fields passed through; what was done to a
//! record, or why it was skipped, becomes a problem on its line or row.

use std::path::Path;

use serde_json::{Map, Value};

use super::context::ReadContext;
use super::{Document, InputFile, InputOptions, Origin, decode, html, is_blank, is_stdin, source};
use crate::error::Result;
use crate::escape::quoted;

/// Passed-through fields whose JSON is longer than this are dropped: every document keeps its extra
/// fields in memory for the report, so they must stay small (url, title, outlet, not a second body).
const MAX_EXTRA_BYTES: usize = 1024;

/// The longest id read: an id names an article, and a longer one is most likely a text in the id's field
/// (which a spreadsheet would cut at 32,767 characters, and every report line would repeat).
const MAX_ID_BYTES: usize = 1024;

/// A record as read: the document's parts and the notes about what was done to it.
pub(super) struct Parsed {
    pub(super) id: Option<String>,
    pub(super) text: String,
    pub(super) date: Option<String>,
    /// The date field's value when it does not read as a date ([`super::parse_day`]): not the document's
    /// date, and said once for the file.
    pub(super) unread_date: Option<String>,
    pub(super) extra: Map<String, Value>,
    pub(super) notes: Vec<String>,
    /// Whether the record held the id, date and URL fields (whatever their values).
    pub(super) held: [bool; 3],
}

/// How a JSON value's type is named in messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Why a record was skipped: the message, and, when the record lacked the text field, its own fields, so a
/// file where no record has that field can say so once, with the fields it does have.
pub(super) struct Skip {
    pub(super) message: String,
    pub(super) fields_without_text: Option<Vec<String>>,
}

impl From<String> for Skip {
    fn from(message: String) -> Skip {
        Skip { message, fields_without_text: None }
    }
}

/// The document of one record's fields (a JSON object, or a CSV row by its header): the text, id, date
/// and url fields named in `options`, and the other small fields passed through. `notes` are what was
/// done to the record so far. `Err` is why the record was skipped.
pub(super) fn fields(
    mut object: Map<String, Value>,
    mut notes: Vec<String>,
    options: &InputOptions,
) -> std::result::Result<Parsed, Skip> {
    let field = |name: &str| quoted(name);
    let held = [&options.id_field, &options.date_field, &options.url_field].map(|f| object.contains_key(f.as_str()));
    let text = match object.remove(&options.text_field) {
        Some(Value::String(s)) => s,
        None => {
            let message = format!("no {} field; skipped", field(&options.text_field));
            return Err(Skip { message, fields_without_text: Some(object.keys().cloned().collect()) });
        }
        Some(Value::Null) => {
            return Err(format!("{} is null, no text; skipped", field(&options.text_field)).into());
        }
        Some(v) => {
            return Err(format!("{} is {}, not a string; skipped", field(&options.text_field), kind(&v)).into());
        }
    };
    if is_blank(&text) {
        return Err(String::from("empty text; skipped").into());
    }
    // A crawler's dump may hold the page itself: its main text is the article, and its head says what
    // the record's own fields do not.
    let (text, page) = if source::sniff_format(text.as_bytes()) == source::Format::Html {
        let mut page = html::extract(&text);
        if is_blank(&page.text) {
            return Err(String::from(html::NO_TEXT).into());
        }
        (std::mem::take(&mut page.text), Some(page))
    } else {
        (text, None)
    };
    // The text is already valid UTF-8 (it came out of a `str`); only an over-long one needs `decode`.
    let text = if text.len() > options.max_document_bytes {
        let (text, note) = decode(text.as_bytes(), options.max_document_bytes);
        notes.extend(note);
        text
    } else {
        text
    };
    let id = match object.remove(&options.id_field) {
        Some(Value::String(s)) if s.len() > MAX_ID_BYTES => {
            notes.push(format!(
                "{} is {} bytes long, past {MAX_ID_BYTES} (the text's field?); the document is named by file and line",
                field(&options.id_field),
                s.len()
            ));
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        // A whole number past 2^64 is read as a float, its last digits lost: two such ids could collide.
        Some(Value::Number(n))
            if n.is_f64() && n.as_f64().is_some_and(|x| x.fract() == 0.0 && x.abs() >= 2f64.powi(53)) =>
        {
            notes.push(format!(
                "{} is a whole number too large to read exactly ({n}); the document is named by file and line: \
                 write the id as a string",
                field(&options.id_field)
            ));
            None
        }
        Some(Value::Number(n)) => Some(n.to_string()),
        None | Some(Value::Null) | Some(Value::String(_)) => None,
        Some(v) => {
            notes.push(format!("{} is {}; the document is named by file and line", field(&options.id_field), kind(&v)));
            None
        }
    };
    let date = match object.remove(&options.date_field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        None | Some(Value::Null) | Some(Value::String(_)) => None,
        Some(v) => {
            notes.push(format!("{} is {}, not an ISO 8601 string; ignored", field(&options.date_field), kind(&v)));
            None
        }
    };
    if options.url_field != "url"
        && let Some(url) = object.remove(&options.url_field)
    {
        object.insert("url".into(), url);
    }
    let (date, unread_date) = match date {
        Some(d) if super::parse_day(&d).is_none() => (None, Some(d)),
        date => (date, None),
    };
    let date = match page {
        Some(mut page) => {
            page.add_head_fields(&mut object);
            date.or(page.published)
        }
        None => date,
    };
    keep_small_fields(&mut object);
    Ok(Parsed { id, text, date, unread_date, extra: object, notes, held })
}

/// Drops the passed-through fields whose JSON is longer than [`MAX_EXTRA_BYTES`] (a second body, a
/// page's HTML), as every reader does.
pub(crate) fn keep_small_fields(extra: &mut Map<String, Value>) {
    extra.retain(|_, v| match v {
        Value::String(s) => s.len() <= MAX_EXTRA_BYTES,
        Value::Array(_) | Value::Object(_) => serde_json::to_string(v).is_ok_and(|s| s.len() <= MAX_EXTRA_BYTES),
        _ => true,
    });
    // A map emptied by the removals above still holds its first node (over half a kilobyte): every
    // document keeps `extra` until the report, so drop it.
    if extra.is_empty() {
        *extra = Map::new();
    }
}

/// What turns the records of a file of many (JSON lines, CSV rows) into documents: the file's name, for
/// the ids of records without one (`NAME:NUMBER`).
pub(super) struct Records {
    name: String,
}

impl Records {
    pub(super) fn new(file: &InputFile) -> Records {
        Records { name: name_for_lines(file) }
    }

    /// Passes on record `number` (a line or row number), found again at `place`: a problem when it was
    /// skipped (`Err`, why) or changed (its notes), and its document unless skipped.
    pub(super) fn pass(
        &self,
        parsed: std::result::Result<Parsed, Skip>,
        number: u64,
        place: Origin,
        ctx: &mut ReadContext,
    ) -> Result<()> {
        let parsed = match parsed {
            Ok(p) => p,
            Err(Skip { message, fields_without_text: Some(fields) }) => {
                return ctx.sink.missing_text(Some(number), &ctx.options.text_field, message, fields);
            }
            Err(skip) => return ctx.sink.problem(Some(number), skip.message),
        };
        ctx.sink.record_fields(ctx.options, parsed.held);
        if !parsed.notes.is_empty() {
            ctx.sink.problem(Some(number), parsed.notes.join("; "))?;
        }
        if let Some(date) = parsed.unread_date {
            let unit = if ctx.format == source::Format::Csv { "row" } else { "line" };
            ctx.sink.unread_date(number, unit, &ctx.options.date_field, date)?;
        }
        let origin = ctx.origin(&parsed.text, place)?;
        ctx.sink.document(Document {
            id: parsed.id.unwrap_or_else(|| format!("{}:{number}", self.name)),
            path: ctx.path.clone(),
            origin,
            text: parsed.text,
            date: parsed.date,
            extra: parsed.extra,
        });
        Ok(())
    }
}

/// The name given to the documents of a file of many that have no id, before `:NUMBER`: the file's name
/// (`stdin` for standard input).
fn name_for_lines(file: &InputFile) -> String {
    match file.path.file_name() {
        Some(n) if !is_stdin(&file.path) => crate::escape::path_text(Path::new(n)).into_owned(),
        _ => file.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::tests::read_all;

    #[test]
    fn a_text_that_is_a_page_gives_its_main_text_and_head() {
        let page = r#"<!DOCTYPE html><html><head><title>Budget</title>
            <meta property="article:published_time" content="2025-05-20">
            <link rel="canonical" href="https://news.example/budget"></head>
            <body><nav>Menu</nav><article><p>The council passed the budget.</p></article></body></html>"#;
        let lines = [
            serde_json::json!({"id": "p", "text": page, "url": "https://copies.example/1"}),
            // The record's own fields win over the page's; a page naming itself has no canonical.
            serde_json::json!({"id": "q", "text": page, "date": "2025-06-01", "title": "Mine", "url": "http://news.example/budget/"}),
            serde_json::json!({"id": "r", "text": "<html><body><nav>Only a menu</nav></body></html>"}),
        ];
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let (docs, problems) = crate::input::read_all("p.jsonl", crate::input::Format::Jsonl, text.as_bytes());
        assert_eq!(docs[0].text, "The council passed the budget.");
        assert_eq!(docs[0].date.as_deref(), Some("2025-05-20"));
        assert_eq!(docs[0].extra["title"], "Budget");
        assert_eq!(docs[0].extra["canonical"], "https://news.example/budget");
        assert_eq!(docs[1].date.as_deref(), Some("2025-06-01"));
        assert_eq!(docs[1].extra["title"], "Mine");
        assert!(!docs[1].extra.contains_key("canonical"), "{:?}", docs[1].extra);
        assert_eq!(docs.len(), 2);
        assert!(problems[0].message.contains("no text in the HTML page"), "{problems:?}");
    }

    #[test]
    fn an_id_too_long_to_be_one_names_the_document_by_its_line() {
        let long = "x".repeat(MAX_ID_BYTES + 1);
        let lines = format!(
            "{}\n{}\n",
            serde_json::json!({"id": long, "text": "Words."}),
            serde_json::json!({"id": "x".repeat(MAX_ID_BYTES), "text": "More."})
        );
        let (docs, problems) = crate::input::read_all("ids.jsonl", crate::input::Format::Jsonl, lines.as_bytes());
        assert_eq!(docs[0].id, "ids.jsonl:1");
        assert_eq!(docs[1].id.len(), MAX_ID_BYTES);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("\"id\" is 1025 bytes long, past 1024"), "{problems:?}");
    }

    #[test]
    fn configurable_field_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.ndjson");
        std::fs::write(&path, r#"{"key": "k1", "body": "Words here.", "published": "2024-01-02", "link": "http://l"}"#)
            .unwrap();
        let options = InputOptions {
            id_field: "key".into(),
            text_field: "body".into(),
            date_field: "published".into(),
            url_field: "link".into(),
            ..InputOptions::default()
        };
        let (docs, problems) = read_all(&path, &options);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(docs[0].id, "k1");
        assert_eq!(docs[0].text, "Words here.");
        assert_eq!(docs[0].date.as_deref(), Some("2024-01-02"));
        assert_eq!(docs[0].extra["url"], "http://l");
    }
}
