//! The `unspun` binary: parse arguments, run, map the outcome to an exit code.
//!
//! Exit codes: 0 when the run was clean, 1 on an error that stopped it, 2 when it finished but some input
//! was skipped or read lossily (each such input is reported on stderr and in the report's summary).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match cli::run(&cli::Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("unspun: {e}");
            ExitCode::from(1)
        }
    }
}
