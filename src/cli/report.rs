//! The report of a scan or a query, written in the format asked for, and the closing line on stderr.

use std::process::ExitCode;

use unspun::progress::{Progress, Unit};
use unspun::report::{Report, Summary, counted};
use unspun::{Config, Error, Result, Scan};

use super::args::Format;
use super::output::{Output, write_report};
use super::{Run, exit_code, have};

/// Refuses `--explain` with a format other than text.
pub(super) fn check_explain(explain: bool, format: Format, from_extension: Option<String>) -> Result<()> {
    if explain && format != Format::Text {
        let chosen = from_extension.map(|e| format!(" (the output file's extension {e} chose the format)"));
        return Err(Error::Config(format!(
            "--explain is for --format text{}: JSON reports always carry the evidence and passages, the HTML report the texts",
            chosen.unwrap_or_default()
        )));
    }
    Ok(())
}

/// Writes the report of `result` and the closing line on stderr.
pub(super) fn write(
    result: &Scan,
    config: &Config,
    format: Format,
    explain: bool,
    output: Output,
    run: &Run,
) -> Result<ExitCode> {
    run.report_problems(result);
    run.bars.stage("writing", None, Unit::Documents);
    let summary = if format == Format::Summary {
        let summary = Summary::new(result);
        output.write(|out| summary.write_json(out))?;
        summary
    } else {
        let mut report = Report::new(result);
        if explain {
            report.explain(result, &config.input);
        }
        if format == Format::Html {
            report.read_texts(result, &config.input);
        }
        write_report(&report, format, output)?;
        report.summary
    };
    run.bars.finish();
    run.print_timings();
    if !run.quiet {
        let s = &summary;
        say!(
            "unspun: {}, {} skipped, {}, {}, {}, {:.2}s",
            counted(s.documents, "document"),
            s.skipped_documents,
            counted(s.problems.len(), "input problem"),
            counted(s.candidate_pairs, "candidate pair"),
            counted(s.pairs, "reported pair"),
            run.start.elapsed().as_secs_f64()
        );
        if config.window_days.is_some() && result.documents.iter().all(|d| d.day.is_none()) {
            say!(
                "unspun: note: --window keeps the pairs dated within DAYS of each other, but no document has a date \
                 (--date-field names the field): no pair was left out"
            );
        }
        if !result.renamed_ids.is_empty() {
            say!(
                "unspun: note: {} the id of an earlier one and are reported as ID#2, ID#3…",
                have(result.renamed_ids.len(), "document")
            );
        }
    }
    Ok(exit_code(result))
}
