//! `unspun scan`: scan the inputs and write the report.

use std::process::ExitCode;

use unspun::{Error, Result};

use super::args::{Format, ScanArgs};
use super::output::Output;
use super::report::{check_explain, write};
use super::{Run, have};

pub(super) fn run(args: &ScanArgs, run: &Run) -> Result<ExitCode> {
    let (format, from_extension) = args.format()?;
    check_explain(args.explain, format, from_extension)?;
    if args.settings.candidates_only && (args.explain || args.top.is_some()) {
        let option = if args.explain { "--explain" } else { "--top" };
        return Err(Error::Config(format!(
            "{option} is about verified pairs (their evidence, the best of them); --candidates-only verifies none"
        )));
    }
    // An index's folder given to --against: the scan is a query of it (the same pairs, read from the
    // index instead of the archive's files).
    if let Some(index) = unspun::index::among(&args.against)? {
        let mut config = args.settings.to_config(&[], format == Format::Summary)?;
        config.top = args.top;
        config.validate()?;
        let output = Output::open(args.output.as_deref())?;
        output.check_not_input(&args.paths, &config.input.extensions)?;
        output.check_outside(index)?;
        let result = unspun::index::Index::open(index)?.query(&args.paths, &config, &run.bars)?;
        return write(&result, &config, format, args.explain, output, run);
    }
    let mut config = args.settings.to_config(&args.against, format == Format::Summary)?;
    config.top = args.top;
    config.validate()?;
    let output = Output::open(args.output.as_deref())?;
    let inputs: Vec<_> = args.paths.iter().chain(&args.against).cloned().collect();
    output.check_not_input(&inputs, &config.input.extensions)?;
    let result = unspun::scan(&args.paths, &config, &run.bars)?;
    let code = write(&result, &config, format, args.explain, output, run)?;
    let without_url = result.documents.iter().filter(|d| d.url().is_none()).count();
    if config.boilerplate && !run.quiet && without_url > 0 {
        say!(
            "unspun: note: {} no URL (a page's og:url, a WARC record's target or a record's url field): \
             --boilerplate, which finds each site's furniture by its pages' addresses, left them as read",
            have(without_url, "document")
        );
    }
    let (within, reported) = within_sites(&result);
    if !config.boilerplate && !run.quiet && within >= 20 && 8 * within >= reported {
        say!(
            "unspun: note: {within} reported pairs join two pages of one site; if the texts keep the sites' menus, \
             notices and footers (WET records, pages without <article>), --boilerplate leaves them out"
        );
    }
    Ok(code)
}

/// The reported pairs of two pages of one site (by their URLs), and all reported pairs: when the first are
/// many (twenty, an eighth of the pairs), the sites' furniture may be what joins them.
fn within_sites(scan: &unspun::scan::Scan) -> (usize, usize) {
    let url = |d: u32| scan.documents[d as usize].url();
    let reported: Vec<_> = scan.pairs.iter().filter(|p| p.relation.is_some()).collect();
    let within = reported
        .iter()
        .filter(|p| matches!((url(p.a), url(p.b)), (Some(a), Some(b)) if unspun::boilerplate::same_site(a, b)))
        .count();
    (within, reported.len())
}
