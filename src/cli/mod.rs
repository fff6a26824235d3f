//! The command line: clap arguments converted into a validated [`unspun::Config`] ([`args`]), the two
//! commands' bodies ([`scan`], [`eval`], [`index`] with `query`), the report they write ([`report`]),
//! indicatif progress ([`progress`]) and atomic output files ([`output`]). The binary only.

mod args;
mod eval;
mod index;
mod output;
mod progress;
mod report;
mod scan;

use std::process::ExitCode;
use std::time::Instant;

pub use args::Cli;
use args::Command;
use progress::Bars;

/// Runs the command `cli` names; the exit code when it ran to the end.
pub fn run(cli: &Cli) -> unspun::Result<ExitCode> {
    if let Some(threads) = cli.threads {
        // Only fails when a pool was already built, which nothing before this line does.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads.into()).build_global();
    }
    output::handle_interrupts();
    let run = Run { start: Instant::now(), bars: Bars::new(!cli.quiet), timings: cli.timings, quiet: cli.quiet };
    match &cli.command {
        Command::Scan(args) => scan::run(args, &run),
        Command::Eval(args) => eval::run(args, &run),
        Command::Index(command) => index::run(command, &run),
        Command::Query(args) => index::query(args, &run),
        Command::Model(args::ModelCommand::Distill { dir }) => {
            let path = unspun::embed::WordVectors::distill_into(dir)?;
            if !cli.quiet {
                say!("wrote {}", unspun::escape::escape_controls(&unspun::escape::path_text(&path)));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What both commands share: the clock, the progress bars and the flags about stderr.
struct Run {
    start: Instant,
    bars: Bars,
    /// Print each stage's time on stderr.
    timings: bool,
    quiet: bool,
}

impl Run {
    /// Prints each input problem on stderr.
    fn report_problems(&self, scan: &unspun::Scan) {
        for p in &scan.problems {
            say!("unspun: {p}");
        }
    }

    /// With `--timings`, prints each stage's wall time and the time spent between stages on stderr.
    fn print_timings(&self) {
        if !self.timings {
            return;
        }
        let stages = self.bars.timings();
        let total = self.start.elapsed();
        let staged: std::time::Duration = stages.iter().map(|(_, d)| *d).sum();
        let mut line: Vec<String> = stages.iter().map(|(name, d)| format!("{name} {:.2}s", d.as_secs_f64())).collect();
        line.push(format!("between stages {:.2}s", total.saturating_sub(staged).as_secs_f64()));
        say!("unspun: timings: {} (total {:.2}s)", line.join(", "), total.as_secs_f64());
    }
}

/// "1 document has", "2 documents have": `n` of `noun` with the verb.
fn have(n: usize, noun: &str) -> String {
    format!("{} {}", unspun::report::counted(n, noun), if n == 1 { "has" } else { "have" })
}

/// 0 when every input was read cleanly, 2 when some was skipped or read lossily.
fn exit_code(scan: &unspun::Scan) -> ExitCode {
    if scan.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) }
}
