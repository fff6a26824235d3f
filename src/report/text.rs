//! The text format, for people ([`Report::write_text`]): one line a pair, then the clusters and the
//! run's counts. After [`Report::explain`] (in `explain`), each pair's evidence and quoted passages
//! follow its line. The wire model it prints is in the parent module, `report`. Everything from the input
//! (ids, evidence naming them, quotations) is shown through [`crate::escape`], so a control character in
//! it can neither drive the terminal nor forge a line.

use std::io::{self, Write};

use serde_json::Value;

use super::{Difference, Quote, Report};
use crate::escape::escape_controls as shown;

impl Report {
    /// Writes the report for people: one line a pair (`source → derived  relation  confidence`, or
    /// `a ~ b` when no source is named; a candidate pair has no confidence), then the clusters. After [`Report::explain`], each pair's
    /// evidence, where two copies differ, and its quoted passages follow its line.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let quote_line = |out: &mut dyn Write, id: &str, q: &Quote| {
            writeln!(out, "      {} [{}..{}] {}", shown(id), q.range[0], q.range[1], shown(&q.text))
        };
        for (k, p) in self.pairs.iter().enumerate() {
            let (a, b) = (shown(&p.a), shown(&p.b));
            let link = match &p.source {
                Some(s) if *s == p.a => format!("{a} → {b}"),
                Some(_) => format!("{b} → {a}"),
                None => format!("{a} ~ {b}"),
            };
            match p.confidence {
                Some(confidence) => writeln!(out, "{link}  {}  {confidence:.2}", p.relation)?,
                None => writeln!(out, "{link}  {}", p.relation)?,
            }
            let Some(explained) = &self.explained else { continue };
            for e in &p.evidence {
                let favours = e.favours.as_ref().map(|f| format!(" (favours {})", shown(f))).unwrap_or_default();
                writeln!(out, "    {}{favours}: {}", e.signal, shown(&e.detail))?;
            }
            match &explained[k].differs {
                Some(Difference::Words(qa, qb)) => {
                    writeln!(out, "    where they differ:")?;
                    quote_line(out, &p.a, qa)?;
                    quote_line(out, &p.b, qb)?;
                }
                Some(Difference::Spacing) => {
                    writeln!(out, "    the texts have the same words: they differ in white space only")?
                }
                Some(Difference::Identical) => writeln!(out, "    the texts are byte-identical")?,
                None => {}
            }
            for (n, (qa, qb)) in explained[k].passages.iter().enumerate() {
                writeln!(out, "    passage {} of {}:", n + 1, p.passages.len())?;
                quote_line(out, &p.a, qa)?;
                quote_line(out, &p.b, qb)?;
            }
        }
        if !self.clusters.is_empty() {
            writeln!(out, "\nclusters:")?;
        }
        for c in &self.clusters {
            // A member whose parent is not the cluster's source says where it comes from (a chain).
            let member = |m: &String| match c.parents.get(m).cloned().flatten() {
                Some(p) if Some(&p) != c.source.as_ref() => format!("{} (from {})", shown(m), shown(&p)),
                _ => shown(m).to_string(),
            };
            match &c.source {
                Some(s) => {
                    let rest: Vec<_> = c.members.iter().filter(|m| *m != s).map(member).collect();
                    writeln!(out, "  {} (source): {}", shown(s), rest.join(", "))?
                }
                None => {
                    let members: Vec<_> = c.members.iter().map(member).collect();
                    writeln!(out, "  {}", members.join(", "))?
                }
            }
        }
        let s = &self.summary;
        // A blank line after the pairs and clusters, when there are any.
        if !self.pairs.is_empty() {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} ({} not compared), {}, {}, {}",
            super::counted(s.documents, "document"),
            s.skipped_documents,
            super::counted(s.candidate_pairs, "candidate pair"),
            super::counted(s.pairs, "reported pair"),
            super::counted(s.problems.len(), "input problem")
        )?;
        if let Some(lines) = s.furniture_lines {
            writeln!(out, "{lines} lines of page furniture (found on five or more pages of a site) left out")?;
        }
        if let Some(r) = &s.references {
            writeln!(out, "{} of the {} reference documents are in a reported pair", r.paired, r.documents)?;
        }
        for (view, stats) in &s.views {
            let count = |name: &str| stats.get(name).and_then(Value::as_u64).unwrap_or(0);
            let capped = count("capped_buckets");
            if capped > 0 {
                writeln!(
                    out,
                    "note: view {view}: {} larger than the cap (--max-bucket; the largest of {} documents) \
                     chained, not paired in full",
                    super::counted(capped as usize, "bucket"),
                    count("largest_bucket")
                )?;
            }
        }
        Ok(())
    }
}
