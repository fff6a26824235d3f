//! `unspun scan`: scan the inputs and write the report; and the report writing `unspun query` shares.

use std::process::ExitCode;

use unspun::progress::{Progress, Unit};
use unspun::report::{Report, Summary};
use unspun::{Config, Error, Result, Scan};

use super::args::{Format, ScanArgs};
use super::output::{Output, write_report};
use super::{Run, exit_code};

pub(super) fn run(args: &ScanArgs, run: &Run) -> Result<ExitCode> {
    let (format, from_extension) = args.format();
    check_explain(args.explain, format, from_extension)?;
    // An index's folder given to --against: the scan is a query of it (the same pairs, read from the
    // index instead of the archive's files).
    if let Some(index) = args.against.iter().find(|p| unspun::index::is_index(p)) {
        if args.against.len() > 1 {
            return Err(Error::Config(format!(
                "--against {} is an index: give it alone (`unspun index add` puts more articles in it)",
                index.display()
            )));
        }
        let config = args.settings.to_config(&[], format == Format::Summary)?;
        let output = Output::open(args.output.as_deref())?;
        output.check_not_input(&args.paths, &config.input.extensions)?;
        let result = super::index::against_index(index, &args.paths, &config, run)?;
        return write(&result, &config, format, args.explain, output, run);
    }
    let config = args.settings.to_config(&args.against, format == Format::Summary)?;
    let output = Output::open(args.output.as_deref())?;
    let inputs: Vec<_> = args.paths.iter().chain(&args.against).cloned().collect();
    output.check_not_input(&inputs, &config.input.extensions)?;
    let result = unspun::scan(&args.paths, &config, &run.bars)?;
    write(&result, &config, format, args.explain, output, run)
}

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
        eprintln!(
            "unspun: {} documents, {} skipped, {} input problems, {} candidate pairs, {} reported pairs, {:.2}s",
            s.documents,
            s.skipped_documents,
            s.problems.len(),
            s.candidate_pairs,
            s.pairs,
            run.start.elapsed().as_secs_f64()
        );
    }
    Ok(exit_code(result))
}
