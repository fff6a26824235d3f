//! `unspun eval`: scan a labelled set's documents and score the result against its truth.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::ExitCode;

use unspun::Result;
use unspun::escape::{escape_controls, path_text, quoted};
use unspun::report::Report;

use super::args::{EvalArgs, EvalFormat, Format};
use super::output::{Output, write_report};
use super::{Run, exit_code};

pub(super) fn run(args: &EvalArgs, run: &Run) -> Result<ExitCode> {
    let mut config = args.settings.to_config(&[], false)?;
    if config.candidates_only && args.direction_pairs.is_some() {
        return Err(unspun::Error::Config(
            "--direction-pairs writes the verified pairs' direction features; --candidates-only verifies none".into(),
        ));
    }
    config.all_direction_features = args.direction_pairs.is_some();
    if !args.dir.is_dir() {
        return Err(unspun::Error::Input {
            path: args.dir.clone(),
            line: None,
            message: "not a folder: eval reads a labelled set's folder, its docs/ and truth.jsonl".into(),
        });
    }
    let truth = unspun::input::read_truth(&args.dir.join("truth.jsonl"))?;
    // The scores go to standard output, and each file holds one thing.
    let outputs: Vec<&Path> =
        [&args.report, &args.direction_pairs].into_iter().flatten().map(|p| p.as_path()).collect();
    if outputs.iter().any(|p| p.as_os_str() == "-") {
        return Err(unspun::Error::Config(
            "--report and --direction-pairs write to files: the scores are on standard output".into(),
        ));
    }
    if let [report, pairs] = outputs[..]
        && (report == pairs
            || super::output::resolved(report).is_some_and(|r| super::output::resolved(pairs) == Some(r)))
    {
        return Err(unspun::Error::Config(format!(
            "--report and --direction-pairs both name {}: give each its own file",
            path_text(report)
        )));
    }
    // Each file is written in one format whatever its name: a name that says another is refused.
    for (option, path, format, own) in [
        ("--report", &args.report, Format::Json, "json"),
        ("--direction-pairs", &args.direction_pairs, Format::Jsonl, "jsonl"),
    ] {
        let Some(path) = path else { continue };
        let named = super::args::report_format(None, Some(path));
        if matches!(named, Err(_) | Ok((Format::Json | Format::Jsonl | Format::Csv | Format::Html, _)))
            && !matches!(named, Ok((f, _)) if f == format)
        {
            return Err(unspun::Error::Config(format!(
                "{option} {}: it writes {}, whatever the name says: name it .{own}",
                path_text(path),
                if format == Format::Json { "one JSON object" } else { "JSON Lines" }
            )));
        }
    }
    // Neither report may overwrite what the evaluation reads.
    let inputs = [args.dir.join("docs"), args.dir.join("truth.jsonl")];
    let open = |path: &Path| -> Result<Output> {
        let output = Output::open(Some(path))?;
        output.check_not_input(&inputs, &config.input.extensions)?;
        Ok(output)
    };
    let report = args.report.as_deref().map(open).transpose()?;
    let direction_pairs = args.direction_pairs.as_deref().map(open).transpose()?;
    let result = unspun::scan(&[args.dir.join("docs")], &config, &run.bars)?;
    run.report_problems(&result);
    refuse_repeated(&truth, &result, &args.dir.join("truth.jsonl"))?;
    warn_unmatched(&truth, &result, &args.dir.join("truth.jsonl"))?;
    if let Some(output) = report {
        write_report(&Report::new(&result), Format::Json, output)?;
    }
    if let Some(output) = direction_pairs {
        output.write(|out| {
            for record in unspun::eval::direction_records(&result, &truth) {
                serde_json::to_writer(&mut *out, &record).map_err(std::io::Error::from)?;
                writeln!(out)?;
            }
            Ok(())
        })?;
    }
    run.print_timings();
    let scores = unspun::eval::evaluate(&result, &truth);
    Output::Stdout.write(|out| match args.format {
        EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &scores).map_err(std::io::Error::from).and_then(|_| writeln!(out))
        }
        EvalFormat::Text => write!(out, "{}", scores.to_text()),
    })?;
    Ok(exit_code(&result))
}

/// Refuses a truth that names an id several documents of docs/ were read with (`a.txt` and `a.html`, two
/// records of one id): the scan names them `a`, `a#2`…, and the truth's `a` would be scored against
/// whichever comes first, perhaps another text altogether, silently.
fn refuse_repeated(truth: &[unspun::input::TruthPair], scan: &unspun::Scan, path: &Path) -> Result<()> {
    // The documents of each repeated id: the first keeps it, those renamed follow it in the scan's order.
    let mut repeated: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut first = 0;
    let mut renamed = scan.renamed_ids.iter().map(|&j| j as usize).peekable();
    for j in 0..scan.documents.len() {
        if renamed.next_if_eq(&j).is_some() {
            repeated.entry(scan.documents[first].id.as_str()).or_insert_with(|| vec![first]).push(j);
        } else {
            first = j;
        }
    }
    let named = truth.iter().flat_map(|t| [t.a.as_str(), t.b.as_str()]).find(|id| repeated.contains_key(id));
    let Some(id) = named else { return Ok(()) };
    let places: Vec<String> = repeated[id]
        .iter()
        .map(|&j| format!("{} ({})", scan.documents[j].id, path_text(&scan.documents[j].path)))
        .collect();
    Err(unspun::Error::Input {
        path: path.to_path_buf(),
        line: None,
        message: format!(
            "the truth names {}, which {} documents of docs/ were read with: {}; it cannot tell which it \
             labels: give each document its own id (its file's name, or --ext to read one kind of file)",
            quoted(id),
            places.len(),
            places.join(", ")
        ),
    })
}

/// Warns of the truth's ids that name no document of the scan (a typo, or ids given with another folder
/// prefix or extension): their pairs can only count as missed. When no pair names two documents, there is
/// nothing to score: an error.
fn warn_unmatched(truth: &[unspun::input::TruthPair], scan: &unspun::Scan, path: &Path) -> Result<()> {
    let ids: HashSet<&str> = scan.documents.iter().map(|d| d.id.as_str()).collect();
    let mut unmatched: Vec<&str> =
        truth.iter().flat_map(|t| [t.a.as_str(), t.b.as_str()]).filter(|id| !ids.contains(id)).collect();
    unmatched.sort_unstable();
    unmatched.dedup();
    if !unmatched.is_empty() {
        let missing: HashSet<&str> = unmatched.iter().copied().collect();
        // The ids as they are: escaped once, where the message is shown.
        let examples = unmatched.iter().take(5).copied().collect::<Vec<_>>().join(", ");
        let more = if unmatched.len() > 5 { ", …" } else { "" };
        let like = scan.documents.first().map_or("(none)".to_string(), |d| quoted(&d.id));
        if truth.iter().all(|t| missing.contains(t.a.as_str()) || missing.contains(t.b.as_str())) {
            return Err(unspun::Error::Input {
                path: path.to_path_buf(),
                line: None,
                message: format!(
                    "no labelled pair names two documents of docs/: nothing to score ({} ids match none: \
                     {examples}{more}; document ids look like {like})",
                    unmatched.len()
                ),
            });
        }
        let warning = format!(
            "{} truth ids match no document read ({examples}{more}; their pairs count as unjudged); document ids \
             look like {like}",
            unmatched.len()
        );
        say!("unspun: warning: {}", escape_controls(&warning));
    }
    Ok(())
}
