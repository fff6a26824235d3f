//! The `unspun` binary: parse arguments, run, map the outcome to an exit code.
//!
//! Exit codes: 0 when the run was clean, 1 on an error that stopped it, 2 when it finished but some input
//! was skipped or read lossily (each such input is reported on stderr and in the report's summary). A usage
//! error (an unknown flag, a bad value) is an error that stopped the run: 1, not clap's own 2.

/// Writes a line to stderr as `eprintln!` does, but without panicking when stderr cannot be written (closed,
/// or a full disk behind it): a message that cannot be shown must not cost the report or the exit code.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;

use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    let parsed = cli::Cli::definition().try_get_matches().and_then(|m| cli::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // The message quotes the argument given: its control characters shown as escapes, line by line
            // (an ESC from a mistyped or crafted argument would otherwise drive the terminal).
            let message = e.render().to_string();
            for line in message.lines() {
                say!("{}", unspun::escape::escape_controls(line));
            }
            return ExitCode::from(1);
        }
        Err(e) => {
            // `--help` and `--version` come here too, bound for stdout, and are success.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    match cli::run(&cli) {
        Ok(code) => code,
        Err(e) => {
            say!("unspun: {e}");
            ExitCode::from(1)
        }
    }
}
