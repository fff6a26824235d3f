//! `unspun eval`: scan a labelled set's documents and score the result against its truth.

use std::process::ExitCode;

use unspun::Result;
use unspun::report::Report;

use super::args::{EvalArgs, Format};
use super::output::{Output, write_report};
use super::{Run, exit_code};

pub(super) fn run(args: &EvalArgs, run: &Run) -> Result<ExitCode> {
    let config = args.settings.to_config(&[], false)?;
    let truth = unspun::input::read_truth(&args.dir.join("truth.jsonl"))?;
    let report = args.report.as_deref().map(|path| Output::open(Some(path))).transpose()?;
    let result = unspun::scan(&[args.dir.join("docs")], &config, &run.bars)?;
    run.report_problems(&result);
    if let Some(output) = report {
        write_report(&Report::new(&result), Format::Json, output)?;
    }
    run.print_timings();
    let scores = unspun::eval::evaluate(&result, &truth);
    Output::Stdout.write(|out| match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &scores).map_err(std::io::Error::from).and_then(|_| writeln!(out))
        }
        _ => write!(out, "{}", scores.to_text()),
    })?;
    Ok(exit_code(&result))
}
