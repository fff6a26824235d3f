//! The CSV format, for spreadsheets ([`Report::write_csv`]): one row a pair, with each side's URL,
//! title and date taken from its document entry. The wire model it flattens is in the parent module,
//! `report`, whose JSON formats carry the documents and clusters this leaves out.

use std::io::{self, Write};

use serde_json::Value;

use super::{DocumentEntry, Report};
use crate::escape::escape_controls;

impl Report {
    /// Writes the pairs as CSV for spreadsheets, one row a pair with a header row: the two documents and
    /// the derived one's source, the relation and its figures, each side's URL, title and date when the
    /// input gave them, and the direction evidence's signals. Documents and clusters are left to the JSON
    /// formats.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let by_id: std::collections::HashMap<&str, &DocumentEntry> =
            self.documents.iter().map(|d| (d.id.as_str(), d)).collect();
        let field = |id: &str, name: &str| -> String {
            let Some(d) = by_id.get(id) else { return String::new() };
            neutralised(match name {
                "date" => d.date.clone().unwrap_or_default(),
                _ => d.extra.get(name).and_then(Value::as_str).unwrap_or_default().to_string(),
            })
        };
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record([
            "a",
            "b",
            "relation",
            "source",
            "confidence",
            "jaccard5",
            "coverage_a",
            "coverage_b",
            "similarity",
            "a_url",
            "b_url",
            "a_title",
            "b_title",
            "a_date",
            "b_date",
            "evidence",
        ])
        .map_err(io_error)?;
        for p in &self.pairs {
            // Empty for a candidate pair, which verification did not measure.
            let number = |x: Option<f64>| x.map(|x| format!("{x:.3}")).unwrap_or_default();
            let signals: Vec<&str> = p.evidence.iter().map(|e| e.signal).collect();
            w.write_record([
                neutralised(p.a.clone()),
                neutralised(p.b.clone()),
                p.relation.to_string(),
                neutralised(p.source.clone().unwrap_or_default()),
                number(p.confidence),
                number(p.jaccard5),
                number(p.coverage_a),
                number(p.coverage_b),
                number(p.similarity),
                field(&p.a, "url"),
                field(&p.b, "url"),
                field(&p.a, "title"),
                field(&p.b, "title"),
                field(&p.a, "date"),
                field(&p.b, "date"),
                signals.join(";"),
            ])
            .map_err(io_error)?;
        }
        w.flush()
    }
}

/// The writer's error as the I/O error it is, so its kind (a closed pipe, which is no error) is kept.
fn io_error(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A cell taken from the input (an id, URL, title or date) made safe for a spreadsheet and a terminal:
/// its control characters, line separators and bidirectional overrides shown as escapes, as the text
/// report shows them ([`escape_controls`]: an ESC would drive a terminal that `head`s the file, a U+202E
/// reverse the cell), and a leading `'` when a spreadsheet might read it as a formula, as OWASP advises
/// against CSV injection: one whose first character, past any spaces (a spreadsheet may trim them), is
/// `=`, `+`, `-` or `@`, or their full-width forms. Any other cell is written as it is.
fn neutralised(cell: String) -> String {
    let cell = escape_controls(&cell).into_owned();
    let first = cell.chars().find(|c| !c.is_whitespace() && !c.is_control());
    let formula = matches!(first, Some('=' | '+' | '-' | '@' | '\u{ff1d}' | '\u{ff0b}' | '\u{ff0d}' | '\u{ff20}'));
    if formula || cell.starts_with(|c: char| c.is_control()) { format!("'{cell}") } else { cell }
}

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn cells_a_spreadsheet_might_run_get_a_quote() {
        for cell in ["=1+2", "+1", "-2", "@SUM(A1)", " =1", "\u{a0}=1", "\u{ff1d}1+1"] {
            assert_eq!(neutralised(cell.to_string()), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["plain", "a=b", "2025-05-24", " plain", "", "café"] {
            assert_eq!(neutralised(cell.to_string()), cell, "{cell:?}");
        }
        // Control characters and overrides are shown as escapes, a formula after them still quoted.
        let shown =
            [("\tx", "\\tx"), ("\0=1", "\\u{0}=1"), ("a\u{1b}[2Jb", "a\\u{1b}[2Jb"), ("x\u{202e}y", "x\\u{202e}y")];
        for (cell, want) in shown {
            assert_eq!(neutralised(cell.to_string()), want, "{cell:?}");
        }
        assert_eq!(neutralised("\u{202e}=1".to_string()), "\\u{202e}=1");
    }
}
