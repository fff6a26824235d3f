//! The `unspun` binary: parse arguments, run, map the outcome to an exit code.
//!
//! Exit codes: 0 when the run was clean, 1 on an error that stopped it, 2 when it finished but some input
//! was skipped or read lossily (each such input is reported on stderr and in the report's summary).

mod cli;

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use cli::{Bars, Cli, Command, Output};
use unspun::progress::{Progress, Unit};
use unspun::report::{Report, Summary};

fn main() -> ExitCode {
    let args = Cli::parse();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("unspun: {e}");
            ExitCode::from(1)
        }
    }
}

/// 0 when every input was read cleanly, 2 when some was skipped or read lossily.
fn exit_code(scan: &unspun::Scan) -> ExitCode {
    if scan.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}

/// Prints each stage's wall time, and the time spent between stages, on stderr.
fn print_timings(bars: &Bars, start: Instant) {
    let stages = bars.timings();
    let total = start.elapsed();
    let staged: std::time::Duration = stages.iter().map(|(_, d)| *d).sum();
    let mut line: Vec<String> = stages.iter().map(|(name, d)| format!("{name} {:.2}s", d.as_secs_f64())).collect();
    line.push(format!("between stages {:.2}s", total.saturating_sub(staged).as_secs_f64()));
    eprintln!("unspun: timings: {} (total {:.2}s)", line.join(", "), total.as_secs_f64());
}

fn run(args: &Cli) -> unspun::Result<ExitCode> {
    if let Some(threads) = args.threads {
        // Only fails when a pool was already built, which nothing before this line does.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
    }
    let start = Instant::now();
    let bars = Bars::new(!args.quiet);
    match &args.command {
        Command::Scan(scan) => {
            if scan.explain && scan.format != cli::Format::Text {
                return Err(unspun::Error::Config(
                    "--explain is for --format text: JSON reports always carry the evidence and passages".into(),
                ));
            }
            let mut config = scan.settings.to_config()?;
            config.count_only = scan.format == cli::Format::Summary;
            config.against = scan.against.clone();
            let output = Output::open(scan.output.as_deref())?;
            let result = unspun::scan(&scan.paths, &config, &bars)?;
            for p in &result.problems {
                eprintln!("unspun: {p}");
            }
            bars.stage("writing", None, Unit::Documents);
            let summary = if scan.format == cli::Format::Summary {
                let summary = Summary::new(&result);
                output.write(|out| summary.write_json(out))?;
                summary
            } else {
                let mut report = Report::new(&result);
                if scan.explain {
                    report.explain(&result, &config.input);
                }
                cli::write_report(&report, scan.format, output)?;
                report.summary
            };
            bars.finish();
            if args.timings {
                print_timings(&bars, start);
            }
            if !args.quiet {
                let s = &summary;
                eprintln!(
                    "unspun: {} documents, {} skipped, {} input problems, {} candidate pairs, {} reported pairs, {:.2}s",
                    s.documents,
                    s.skipped_documents,
                    s.problems.len(),
                    s.candidate_pairs,
                    s.pairs,
                    start.elapsed().as_secs_f64()
                );
            }
            Ok(exit_code(&result))
        }
        Command::Eval(eval) => {
            let config = eval.settings.to_config()?;
            let truth = unspun::input::read_truth(&eval.dir.join("truth.jsonl"))?;
            let report = eval.report.as_deref().map(|path| Output::open(Some(path))).transpose()?;
            let result = unspun::scan(&[eval.dir.join("docs")], &config, &bars)?;
            for p in &result.problems {
                eprintln!("unspun: {p}");
            }
            if let Some(output) = report {
                cli::write_report(&Report::new(&result), cli::Format::Json, output)?;
            }
            if args.timings {
                print_timings(&bars, start);
            }
            let scores = unspun::eval::evaluate(&result, &truth);
            Output::Stdout.write(|out| match eval.format {
                cli::Format::Json => serde_json::to_writer_pretty(&mut *out, &scores)
                    .map_err(std::io::Error::from)
                    .and_then(|_| writeln!(out)),
                _ => write!(out, "{}", scores.to_text()),
            })?;
            Ok(exit_code(&result))
        }
    }
}
