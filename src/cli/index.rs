//! `unspun index build|add|info|compact` and `unspun query`: keep an archive signed in an index
//! ([`unspun::index`]) and check new articles against it.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use unspun::escape::{Escaped, path_text};
use unspun::index::Index;
use unspun::input::Problem;
use unspun::report::counted;
use unspun::{Config, Error, Result};

use super::Run;
use super::args::{IndexCommand, QueryArgs, SettingsArgs, report_format};
use super::output::Output;
use super::report::{check_explain, write};

pub(super) fn run(command: &IndexCommand, run: &Run) -> Result<ExitCode> {
    match command {
        IndexCommand::Build(args) | IndexCommand::Add(args) => {
            refuse_query_settings(&args.settings)?;
            super::output::writing_index(&args.index);
            let config = args.settings.to_config(&[], false)?;
            let written = if matches!(command, IndexCommand::Build(_)) {
                Index::build(&args.index, &args.paths, &config, &run.bars)?
            } else {
                Index::add(&args.index, &args.paths, &config, &run.bars)?
            };
            let problems = written.problems;
            print_problems(&problems);
            run.print_timings();
            if !run.quiet {
                say_what_it_holds(&args.index, run)?;
            }
            // What changed the index otherwise than asked is said under --quiet too (a nightly job's flag).
            if written.documents == 0 && matches!(command, IndexCommand::Add(_)) {
                say!("unspun: warning: no article was read from the inputs: nothing added, no segment written");
            }
            if written.repeated_ids > 0 {
                say!(
                    "unspun: warning: {} of the documents written {} the id of one the index holds or of an \
                     earlier one (a page crawled again?): both are kept, and reports name the later ID#2, ID#3… by \
                     id, then file",
                    written.repeated_ids,
                    if written.repeated_ids == 1 { "has" } else { "have" }
                );
            }
            Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
        }
        IndexCommand::Compact(args) => {
            super::output::writing_index(&args.index);
            Index::compact(&args.index, &run.bars)?;
            run.print_timings();
            if !run.quiet {
                say_what_it_holds(&args.index, run)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Verify(args) => {
            let index = Index::open(&args.index)?;
            let bytes = index.verify(&run.bars)?;
            if !run.quiet {
                say!(
                    "unspun: {} is sound: {}, {:.1} MiB checked, {:.2}s",
                    Escaped(path_text(&args.index)),
                    counted(index.info().segments.len(), "segment"),
                    bytes as f64 / (1 << 20) as f64,
                    run.start.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Info(args) => {
            let index = Index::open(&args.index)?;
            let info = index.info();
            let text = if args.json {
                serde_json::to_string_pretty(&info).unwrap_or_default() + "\n"
            } else {
                let mib = |b: u64| b as f64 / (1 << 20) as f64;
                // Bytes a document, of an index that holds some (an empty one's are its headers').
                let per = |bytes: u64| match info.documents {
                    0 => "–".to_string(),
                    n => format!("{:.0}", bytes as f64 / n as f64),
                };
                let per_doc: Vec<String> =
                    info.sections.iter().map(|(name, bytes)| format!("{name} {}", per(*bytes))).collect();
                let mut text = format!(
                    "index        {}\nformat       version {}, generation {}\ndocuments    {}\nparameters   {}\n\
                     size         {:.1} MiB ({:.1} MiB of compressed text, {} bytes a document beside it)\n\
                     per document {} (bytes)\nsegments     {}\n",
                    Escaped(path_text(&args.index)),
                    info.format_version,
                    info.generation,
                    info.documents,
                    info.params,
                    mib(info.bytes),
                    mib(info.text_bytes),
                    per(info.bytes - info.text_bytes),
                    per_doc.join(", "),
                    info.segments.len()
                );
                for s in &info.segments {
                    text += &format!("  {}  {} documents  {:.1} MiB\n", Escaped(&s.file), s.documents, mib(s.bytes));
                }
                text
            };
            // Written as a report is: a reader that went away (`| head`) is no error.
            match std::io::stdout().lock().write_all(text.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Error::Write { path: "(standard output)".into(), source: e })
                }
                _ => Ok(ExitCode::SUCCESS),
            }
        }
    }
}

pub(super) fn query(args: &QueryArgs, run: &Run) -> Result<ExitCode> {
    let (format, from_extension) = report_format(args.format, args.output.as_deref())?;
    check_explain(args.explain, format, from_extension)?;
    let mut config = args.settings.to_config(&[], false)?;
    config.top = args.top;
    config.validate()?;
    let output = Output::open(args.output.as_deref())?;
    output.check_not_input(&args.paths, &config.input.extensions)?;
    output.check_outside(&args.index)?;
    let result = Index::open(&args.index)?.query(&args.paths, &config, &run.bars)?;
    write(&result, &config, format, args.explain, output, run)
}

/// The settings that decide what a query reports, which an index does not keep: given to `build` or
/// `add`, they would be taken for the index's and do nothing.
fn refuse_query_settings(settings: &SettingsArgs) -> Result<()> {
    let given: Vec<&str> = [
        ("--threshold", !settings.thresholds.is_empty()),
        ("--max-bucket", settings.max_bucket != Config::default().max_bucket),
        ("--window", settings.window.is_some()),
        ("--report-unrelated", settings.report_unrelated),
        ("--direction-model", settings.direction_model.is_some()),
        ("--verdict-bars", settings.verdict_bars.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    if given.is_empty() {
        return Ok(());
    }
    Err(Error::Config(format!(
        "{} {} a query's, not kept in an index: give {} to `unspun query`",
        given.join(", "),
        if given.len() == 1 { "is" } else { "are" },
        if given.len() == 1 { "it" } else { "them" }
    )))
}

fn print_problems(problems: &[Problem]) {
    for p in problems {
        say!("unspun: {p}");
    }
}

/// The closing line of a command that wrote the index: what it holds now.
fn say_what_it_holds(index: &Path, run: &Run) -> Result<()> {
    let info = Index::open(index)?.info();
    say!(
        "unspun: {} now holds {} documents in {}, {:.2}s",
        Escaped(path_text(index)),
        info.documents,
        counted(info.segments.len(), "segment"),
        run.start.elapsed().as_secs_f64()
    );
    Ok(())
}
