//! `unspun index` and `unspun query`: a query reports what `scan NEW --against ARCHIVE` reports (on the
//! seeds here, with near-copies in the archive, whose minima the index codes against their original's; on
//! news-scale with perturbed copies in the `#[ignore]`d test run by `scripts/bench-index`); `add` counts
//! its articles into the statistics as a scan of everything would; an index of other parameters, another
//! format version or a damaged file is refused by name; `kill -9` during `build`, `add` or `compact`
//! leaves the last published index whole; a query during `add` sees the old or the new index.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

fn os(p: &Path) -> &OsStr {
    p.as_os_str()
}

/// `scan NEW --against ARCHIVE…` and `query INDEX NEW` judge the same: the same documents, pairs
/// (relations, sources, figures, passages, evidence), clusters and counts.
fn assert_query_is_scan_against(index: &Path, new: &Path, archive: &[&Path], extra: &[&str]) {
    let mut scan_args: Vec<&OsStr> = vec![os(new)];
    for a in archive {
        scan_args.extend([OsStr::new("--against"), os(a)]);
    }
    scan_args.extend(extra.iter().map(OsStr::new));
    let scan = scan_json(&scan_args);
    assert_eq!(scan.status.code(), Some(0), "{}", String::from_utf8_lossy(&scan.stderr));
    let mut query_args = vec![os(new)];
    query_args.extend(extra.iter().map(OsStr::new));
    let query = query_json(index, &query_args);
    assert_eq!(query.status.code(), Some(0), "{}", String::from_utf8_lossy(&query.stderr));
    let (scan, query) = (judged(&scan), judged(&query));
    assert!(!scan["pairs"].as_array().unwrap().is_empty());
    assert_eq!(query["pairs"], scan["pairs"]);
    assert_eq!(query["clusters"], scan["clusters"]);
    assert_eq!(query["documents"], scan["documents"]);
    assert_eq!(query, scan);
}

#[test]
fn query_reports_what_scan_against_reports_on_the_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let new = seed_folder(tmp.path(), "new", &["001", "003", "004"]);
    let idx = tmp.path().join("idx");
    let out = index("build", &idx, &[os(&archive)]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_query_is_scan_against(&idx, &new, &[&archive], &[]);
    // The text report with --explain quotes the archived texts from the index's store: the same bytes.
    let text = |args: &[&OsStr]| bin().args(args).args(["--quiet", "--explain"]).output().unwrap().stdout;
    let scanned = text(&[OsStr::new("scan"), os(&new), OsStr::new("--against"), os(&archive)]);
    let queried = text(&[OsStr::new("query"), os(&idx), os(&new)]);
    assert!(String::from_utf8_lossy(&queried).contains("passage 1 of"));
    assert_eq!(String::from_utf8_lossy(&queried), String::from_utf8_lossy(&scanned));
    // Without the archive's files: the index alone answers.
    std::fs::remove_dir_all(&archive).unwrap();
    let again = query_json(&idx, &[os(&new)]);
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(short_verdicts(&json(&again)).len(), 3);
    // --top 1 keeps each new article's best pair: 003 and 001 have one each already, 004 one.
    let top = json(&query_json(&idx, &[os(&new), OsStr::new("--top"), OsStr::new("1")]));
    assert_eq!(short_verdicts(&top).len(), 3);
}

#[test]
fn scan_against_an_index_is_a_query_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let new = seed_folder(tmp.path(), "new", &["001", "003", "004"]);
    let idx = tmp.path().join("idx");
    assert_eq!(index("build", &idx, &[os(&archive)]).status.code(), Some(0));
    for format in [&["--format", "json"][..], &["--format", "text", "--explain"], &["--format", "csv"]] {
        let run = |args: &[&OsStr]| {
            let out = bin().args(args).args(format).arg("--quiet").output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            out.stdout
        };
        let queried = run(&[OsStr::new("query"), os(&idx), os(&new)]);
        let scanned = run(&[OsStr::new("scan"), os(&new), OsStr::new("--against"), os(&idx)]);
        assert_eq!(String::from_utf8_lossy(&scanned), String::from_utf8_lossy(&queried), "{format:?}");
        // And what a scan against the archive's files reports.
        let from_files = run(&[OsStr::new("scan"), os(&new), OsStr::new("--against"), os(&archive)]);
        assert_eq!(String::from_utf8_lossy(&scanned), String::from_utf8_lossy(&from_files), "{format:?}");
    }
    // An index is given alone to --against, and with the settings it was built with.
    let out = bin().arg("scan").arg(&new).arg("--against").arg(&idx).arg("--against").arg(&archive).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is an index"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = bin().arg("scan").arg(&new).arg("--against").arg(&idx).args(["--seed", "7"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("this run has 7"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A report written inside the index it queries would damage it (`-o INDEX/MANIFEST`): refused, exit 1,
/// the index still whole; an index's name is shown escaped like any name from the command line.
#[test]
fn a_report_inside_the_index_is_refused_and_its_name_is_shown_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let new = seed_folder(tmp.path(), "new", &["001", "003"]);
    let idx = tmp.path().join("idx\u{1b}[31m");
    assert_eq!(index("build", &idx, &[os(&archive)]).status.code(), Some(0));
    let manifest = std::fs::read(idx.join("MANIFEST")).unwrap();
    for command in [&["query"][..], &["scan", "--against"]] {
        for inside in ["MANIFEST", "report.json"] {
            let out = bin().args(command).arg(&idx).arg(&new).arg("-o").arg(idx.join(inside)).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{command:?} {inside}: {stderr}");
            assert!(stderr.contains("inside the index"), "{stderr}");
            assert!(!stderr.contains('\u{1b}'), "{stderr}");
        }
    }
    assert_eq!(std::fs::read(idx.join("MANIFEST")).unwrap(), manifest);
    assert!(!idx.join("report.json").exists());
    let info = bin().args(["index", "info"]).arg(&idx).output().unwrap();
    assert_eq!(info.status.code(), Some(0));
    let shown = String::from_utf8_lossy(&info.stdout);
    assert!(shown.contains("idx\\u{1b}[31m") && !shown.contains('\u{1b}'), "{shown}");
    let added = bin().args(["index", "add"]).arg(&idx).arg(&new).output().unwrap();
    let said = String::from_utf8_lossy(&added.stderr);
    assert!(said.contains("now holds") && !said.contains('\u{1b}'), "{said}");
}

#[test]
fn add_and_compact_judge_as_a_scan_of_the_whole_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let first = seed_folder(tmp.path(), "first", &["000"]);
    let second = seed_folder(tmp.path(), "second", &["002"]);
    let new = seed_folder(tmp.path(), "new", &["001", "003", "004"]);
    let idx = tmp.path().join("idx");
    assert_eq!(index("build", &idx, &[os(&first)]).status.code(), Some(0));
    let out = index("add", &idx, &[os(&second)]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let info = |idx: &Path| -> Value {
        serde_json::from_slice(&bin().args(["index", "info", "--json"]).arg(idx).output().unwrap().stdout).unwrap()
    };
    let before = info(&idx);
    assert_eq!(before["documents"], 2);
    assert_eq!(before["segments"].as_array().unwrap().len(), 2);
    // The second segment's statistics join the first's: the verdicts (their figures too) are a scan's.
    assert_query_is_scan_against(&idx, &new, &[&first, &second], &[]);
    // Adding does not rewrite the first segment.
    assert_eq!(before["segments"][0]["checksum"], info(&idx)["segments"][0]["checksum"]);
    let out = index("compact", &idx, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let after = info(&idx);
    assert_eq!(after["documents"], 2);
    assert_eq!(after["segments"].as_array().unwrap().len(), 1);
    assert_query_is_scan_against(&idx, &new, &[&first, &second], &[]);
    // Only the published segment is left in the folder.
    let segments =
        std::fs::read_dir(&idx).unwrap().filter(|e| e.as_ref().unwrap().path().extension() == Some(OsStr::new("useg")));
    assert_eq!(segments.count(), 1);
    // The info text names the counts and the parameters.
    let text = String::from_utf8(bin().args(["index", "info"]).arg(&idx).output().unwrap().stdout).unwrap();
    assert!(text.contains("documents    2") && text.contains("seed") && text.contains("segments     1"), "{text}");
}

/// The bytes a document of the words view's minima in the index at `idx` (`index info --json`).
fn words_bytes_a_document(idx: &Path) -> f64 {
    let info: Value =
        serde_json::from_slice(&bin().args(["index", "info", "--json"]).arg(idx).output().unwrap().stdout).unwrap();
    let words = info["sections"].as_array().unwrap().iter().find(|s| s[0] == "words").unwrap()[1].as_f64().unwrap();
    words / info["documents"].as_f64().unwrap()
}

#[test]
fn near_copies_in_an_archive_are_kept_small_and_judged_as_a_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    // The archive: 000 and 002, and ten near-copies of 000, each with a different word in a different
    // place (a group of eight or more, compared through its leader).
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let words: Vec<&str> = seeds[0].1.split(' ').collect();
    for k in 0..10 {
        let mut copy = words.clone();
        copy[5 + 7 * k] = "changed";
        std::fs::write(archive.join(format!("copy{k:02}.txt")), copy.join(" ")).unwrap();
    }
    let new = seed_folder(tmp.path(), "new", &["001", "003", "004"]);
    let (idx, plain) = (tmp.path().join("idx"), tmp.path().join("plain"));
    for (idx, folder) in [(&idx, &archive), (&plain, &seed_folder(tmp.path(), "seeds", &["000", "002"]))] {
        let out = index("build", idx, &[os(folder)]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // Each copy's minima are coded against 000's: a document costs well under half of what the two
    // distinct texts cost.
    let (with_copies, distinct) = (words_bytes_a_document(&idx), words_bytes_a_document(&plain));
    assert!(with_copies < 0.5 * distinct, "{with_copies:.0} bytes a document against {distinct:.0}");
    assert_query_is_scan_against(&idx, &new, &[&archive], &[]);
}

/// The segment files of an index.
fn segment_files(idx: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(idx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension() == Some(OsStr::new("useg")))
        .collect();
    v.sort();
    v
}

/// Where section `name` lies in the segment file `bytes` (its header, JSON, is placed by the trailer: the
/// header's offset and length, its checksum, the end magic).
fn section_place(bytes: &[u8], name: &str) -> std::ops::Range<usize> {
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    let (at, len) = (word(bytes.len() - 32), word(bytes.len() - 24));
    let header: Value = serde_json::from_slice(&bytes[at..at + len]).unwrap();
    let section = header["sections"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap();
    let offset = section["offset"].as_u64().unwrap() as usize;
    offset..offset + section["len"].as_u64().unwrap() as usize
}

/// A query that fails with exit 1 and a message holding each of `words`.
fn assert_refused(idx: &Path, new: &Path, args: &[&str], words: &[&str]) {
    let mut all = vec![os(new)];
    all.extend(args.iter().map(OsStr::new));
    let out = query_json(idx, &all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for w in words {
        assert!(stderr.contains(w), "{w:?} not in: {stderr}");
    }
}

#[test]
fn other_parameters_versions_and_damaged_files_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let new = seed_folder(tmp.path(), "new", &["001"]);
    let idx = tmp.path().join("idx");
    assert_eq!(index("build", &idx, &[os(&archive)]).status.code(), Some(0));
    let manifest = idx.join("MANIFEST");
    let m = manifest.display().to_string();
    // The setting that differs is named, with the flag that gives the index's.
    assert_refused(&idx, &new, &["--seed", "7"], &[&m, "built with seed", "(--seed ", "where this run has 7"]);
    assert_refused(&idx, &new, &["--hashes", "64"], &[&m, "(--hashes 128), where this run has 64"]);
    assert_refused(&idx, &new, &["--no-passages"], &[&m, "passages on (without --no-passages)"]);
    // Building again over it is refused; adding with other parameters too.
    let out = index("build", &idx, &[os(&archive)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = index("add", &idx, &[os(&new), OsStr::new("--min-words"), OsStr::new("30")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(--min-words 20), where this run has 30"));

    let segment = segment_files(&idx).remove(0);
    let s = segment.display().to_string();
    let good = std::fs::read(&segment).unwrap();
    // A byte changed in a section a query reads (the words view's minima, the content stems, the passages'
    // samples): opening does not read it (`index info` answers), the query finds it and names the file
    // and the section, and so does `index verify`.
    for name in ["words", "stems", "samples"] {
        let mut bad = good.clone();
        let place = section_place(&good, name);
        bad[(place.start + place.end) / 2] ^= 0x40;
        std::fs::write(&segment, &bad).unwrap();
        assert_eq!(documents(&idx), Some(2), "opening reads only the header and trailer");
        assert_refused(&idx, &new, &[], &[&s, "checksum", &format!("section {name}")]);
        let out = index("verify", &idx, &[]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&s) && stderr.contains(name), "{stderr}");
    }
    // The header, and the file cut short (a torn write), are found on open.
    let mut bad = good.clone();
    let at = good.len() - 40;
    bad[at] ^= 0x40;
    std::fs::write(&segment, &bad).unwrap();
    assert_refused(&idx, &new, &[], &[&s, "checksum", "header"]);
    assert_eq!(documents(&idx), None);
    std::fs::write(&segment, &good[..good.len() - 100]).unwrap();
    assert_refused(&idx, &new, &[], &[&s, "cut short"]);
    // Grown: a byte after its end is not a torn write.
    std::fs::write(&segment, [&good[..], b"x"].concat()).unwrap();
    assert_refused(&idx, &new, &[], &[&s, "longer than written"]);
    std::fs::write(&segment, &good).unwrap();
    // A file where the index's folder goes (arguments swapped, its MANIFEST named): said so.
    assert_refused(&segment, &new, &[], &["is a file, not an index's folder"]);
    assert_eq!(query_json(&idx, &[os(&new)]).status.code(), Some(0));
    assert_eq!(index("verify", &idx, &[]).status.code(), Some(0));
    // A damaged text: `index verify` names the text store.
    let mut bad = good.clone();
    bad[section_place(&good, "texts").end - 3] ^= 0x40;
    std::fs::write(&segment, &bad).unwrap();
    let out = index("verify", &idx, &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("section texts"), "{}", String::from_utf8_lossy(&out.stderr));
    // A query that reads a damaged text (000's, the first, which 001's pair needs) is refused too, naming
    // the segment, as a damaged section is: not a report that leaves the pair out.
    let mut bad = good.clone();
    bad[section_place(&good, "texts").start + 20] ^= 0x40;
    std::fs::write(&segment, &bad).unwrap();
    assert_refused(&idx, &new, &[], &[&s, "text store"]);
    std::fs::write(&segment, &good).unwrap();

    // Another format version, in the manifest and in a segment; a damaged manifest.
    let good_manifest = std::fs::read(&manifest).unwrap();
    let mut other = good_manifest.clone();
    other[8] = 9;
    std::fs::write(&manifest, &other).unwrap();
    // A changed version byte breaks the checksum: damage, or another version, the message says both.
    assert_refused(&idx, &new, &[], &[&m, "damaged, or index format version 9"]);
    let mut flipped = good_manifest.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 1;
    std::fs::write(&manifest, &flipped).unwrap();
    assert_refused(&idx, &new, &[], &[&m, "checksum"]);
    std::fs::write(&manifest, &good_manifest).unwrap();
    let mut other = good.clone();
    other[8] = 9;
    std::fs::write(&segment, &other).unwrap();
    assert_refused(&idx, &new, &[], &[&s, "head says format version 9, its header does not", "damaged"]);
    std::fs::remove_file(&segment).unwrap();
    assert_refused(&idx, &new, &[], &[&s, "missing"]);
    let out = query_json(&tmp.path().join("nothing"), &[os(&new)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("MANIFEST: not found"));
    // Nor over a file.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = index("build", &file, &[os(&new)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a file, not a folder"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    // An index is not built into a folder of other things.
    let out = index("build", &archive, &[os(&new)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_dir(&archive).unwrap().count(), 2);
}

/// A JSON Lines file of `n` articles of about 250 words, each its own (words drawn from the seeds by a
/// fixed generator), so reading and signing them takes a while.
fn many_articles(path: &Path, n: usize, tag: &str) {
    let words: Vec<String> =
        seeds().iter().flat_map(|(_, t)| t.split_whitespace().map(String::from).collect::<Vec<_>>()).collect();
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ tag.len() as u64 ^ (n as u64) << 20;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::new();
    for i in 0..n {
        let text: Vec<&str> = (0..250).map(|_| words[next() as usize % words.len()].as_str()).collect();
        out.push_str(&serde_json::json!({"id": format!("{tag}-{i}"), "text": text.join(" ")}).to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// The documents an index holds, by `index info`; `None` when it cannot be opened.
/// `index add` of inputs that hold no article writes no segment (each empty one was one more for every
/// query to open) and says so; `index info` of an index of none shows no bytes a document.
#[test]
fn adding_no_articles_writes_no_segment() {
    let tmp = tempfile::tempdir().unwrap();
    let (idx, empty) = (tmp.path().join("idx"), tmp.path().join("empty.jsonl"));
    // A blank line: no article, and nothing damaged (a file of no bytes is said, exit 2).
    std::fs::write(&empty, "\n").unwrap();
    assert_eq!(index("build", &idx, &[os(&empty)]).status.code(), Some(0));
    let out = bin().args(["index", "add"]).arg(&idx).arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing added, no segment written"));
    let info = bin().args(["index", "info", "--json"]).arg(&idx).output().unwrap();
    let info: Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["segments"].as_array().unwrap().len(), 1, "{info}");
    let text = String::from_utf8(bin().args(["index", "info"]).arg(&idx).output().unwrap().stdout).unwrap();
    assert!(text.contains("(0.0 MiB of compressed text, – bytes a document beside it)"), "{text}");
    let seeds = seed_folder(tmp.path(), "seeds", &["000", "001"]);
    assert_eq!(index("add", &idx, &[os(&seeds)]).status.code(), Some(0));
    assert_eq!(documents(&idx), Some(2));
}

fn documents(idx: &Path) -> Option<u64> {
    let out = bin().args(["index", "info", "--json"]).arg(idx).output().unwrap();
    let info: Value = serde_json::from_slice(&out.stdout).ok()?;
    info["documents"].as_u64()
}

/// Starts `unspun index ARGS` and kills it (SIGKILL) after `after`; whether it had finished first.
fn kill_after(args: &[&OsStr], after: Duration) -> bool {
    let mut child =
        bin().arg("index").args(args).arg("--quiet").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    while start.elapsed() < after {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    false
}

#[test]
fn kill_9_during_build_add_or_compact_leaves_the_last_published_index() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, more) = (tmp.path().join("base.jsonl"), tmp.path().join("more.jsonl"));
    many_articles(&base, 300, "base");
    many_articles(&more, 3000, "more");
    let new = seed_folder(tmp.path(), "new", &["000"]);
    let idx = tmp.path().join("idx");
    // Build: killed, the folder holds no index (no manifest) or the whole one; building again works.
    for ms in [30, 120] {
        let done = kill_after(&[OsStr::new("build"), os(&idx), os(&more)], Duration::from_millis(ms));
        if !done {
            assert!(matches!(documents(&idx), None | Some(3000)));
        }
        let _ = std::fs::remove_dir_all(&idx);
    }
    assert_eq!(index("build", &idx, &[os(&base)]).status.code(), Some(0));
    // Add, killed at several moments: the index is the old one (300) or the new one (3300), and opens.
    let mut total = 300;
    let mut finished = 0;
    for ms in [20, 60, 150, 300, 600, 1200] {
        let done = kill_after(&[OsStr::new("add"), os(&idx), os(&more)], Duration::from_millis(ms));
        let now = documents(&idx).expect("the index opens after kill -9");
        assert!(now == total || now == total + 3000, "{now} documents after a kill at {ms} ms (was {total})");
        finished += done as usize;
        total = now;
        assert_eq!(query_json(&idx, &[os(&new)]).status.code(), Some(0));
    }
    // The lock died with the writer and the leftovers are cleared: the next add works.
    let out = index("add", &idx, &[os(&base)]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    total += 300;
    assert_eq!(documents(&idx), Some(total));
    // Compact, killed: the same documents either way.
    for ms in [30, 200] {
        kill_after(&[OsStr::new("compact"), os(&idx)], Duration::from_millis(ms));
        assert_eq!(documents(&idx), Some(total));
    }
    assert_eq!(index("compact", &idx, &[]).status.code(), Some(0));
    assert_eq!(documents(&idx), Some(total));
    assert_eq!(segment_files(&idx).len(), 1);
    eprintln!("{finished} of 6 adds finished before their kill");
}

#[test]
fn a_query_during_add_sees_the_old_or_the_new_index() {
    let tmp = tempfile::tempdir().unwrap();
    let more = tmp.path().join("more.jsonl");
    many_articles(&more, 4000, "more");
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let new = seed_folder(tmp.path(), "new", &["001", "004"]);
    let idx = tmp.path().join("idx");
    assert_eq!(index("build", &idx, &[os(&archive)]).status.code(), Some(0));
    // What the old and the new index must answer: a scan against the archive, and against it and more.
    let expect = |against: &[&Path]| {
        let mut args = vec![os(&new)];
        for a in against {
            args.extend([OsStr::new("--against"), os(a)]);
        }
        judged(&scan_json(&args))
    };
    let (old, grown) = (expect(&[&archive]), expect(&[&archive, &more]));
    assert_ne!(old["pairs"], grown["pairs"], "the added articles change the statistics, so the figures");
    let mut add = Command::new(env!("CARGO_BIN_EXE_unspun"))
        .args(["index", "add", "--quiet"])
        .arg(&idx)
        .arg(&more)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    loop {
        let finished = add.try_wait().unwrap().is_some();
        let out = query_json(&idx, &[os(&new)]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let report = judged(&out);
        let references = report["summary"]["references"]["documents"].as_u64().unwrap();
        let want = if references == 2 { &old } else { &grown };
        assert!(references == 2 || references == 4002, "a query saw {references} archived documents");
        // The pairs and figures of the one index or the other, whole.
        assert_eq!(report["pairs"], want["pairs"], "{references}");
        assert_eq!(report["summary"], want["summary"], "{references}");
        seen.push(references);
        if finished {
            break;
        }
    }
    assert!(add.wait().unwrap().success());
    assert_eq!(seen.last(), Some(&4002));
    eprintln!("queries during add saw {seen:?}");
}

/// news-scale (23,802 articles) as the archive, 1,000 new articles made from it (a quarter light edits,
/// a quarter excerpts in a new frame, a quarter with words swapped, a quarter unrelated mixes): the
/// query reports exactly what `scan NEW --against news-scale` reports.
#[test]
#[ignore = "reads ../shared/eval/news-scale; run by scripts/bench-index"]
fn query_reports_what_scan_against_reports_on_news_scale() {
    let archive = repo().join("../shared/eval/news-scale/news-scale.jsonl.gz");
    assert!(archive.is_file(), "{} is missing: ../shared must sit beside the repo", archive.display());
    let tmp = tempfile::tempdir().unwrap();
    let new = tmp.path().join("new.jsonl");
    perturbed_copies(&archive, &new, 1000);
    let idx = tmp.path().join("idx");
    let out = index("build", &idx, &[os(&archive)]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_query_is_scan_against(&idx, &new, &[&archive], &[]);
    assert_query_is_scan_against(&idx, &new, &[&archive], &["--window", "30"]);
}

/// Writes `n` new articles made from those of `archive` (JSON Lines, gzip) to `path`, by a fixed
/// generator (see `query_reports_what_scan_against_reports_on_news_scale`).
pub fn perturbed_copies(archive: &Path, path: &Path, n: usize) {
    use std::io::BufRead;
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(archive).unwrap()));
    let docs: Vec<Value> = reader.lines().map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
    let long: Vec<&Value> =
        docs.iter().filter(|d| d["text"].as_str().unwrap().split_whitespace().count() >= 80).collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::new();
    for k in 0..n {
        let d = long[next() as usize % long.len()];
        let mut w: Vec<&str> = d["text"].as_str().unwrap().split_whitespace().collect();
        match k % 4 {
            0 => w.retain(|_| next() % 20 != 0),
            1 => {
                let at = next() as usize % (w.len() - 60);
                let frame = ["Our", "correspondent", "reports", "that"];
                w = frame
                    .iter()
                    .copied()
                    .chain(w[at..at + 60].iter().copied())
                    .chain(["More", "to", "follow."])
                    .collect();
            }
            2 => (0..w.len() - 1).step_by(7).for_each(|i| w.swap(i, i + 1)),
            _ => {
                let other = docs[next() as usize % docs.len()]["text"].as_str().unwrap();
                w.truncate(w.len() / 3);
                w.extend(other.split_whitespace());
                for i in (1..w.len()).rev() {
                    w.swap(i, next() as usize % (i + 1));
                }
            }
        }
        let mut record = serde_json::json!({"id": format!("new-{k:04}"), "text": w.join(" ")});
        if let Some(date) = d.get("date") {
            record["date"] = date.clone();
        }
        out.push_str(&record.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn queries_during_compact_see_the_same_index() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let new = seed_folder(tmp.path(), "new", &["001", "004"]);
    let idx = tmp.path().join("idx");
    assert_eq!(index("build", &idx, &[os(&archive)]).status.code(), Some(0));
    for k in 0..3 {
        let more = tmp.path().join(format!("more{k}.jsonl"));
        many_articles(&more, 1500, &format!("more{k}"));
        assert_eq!(index("add", &idx, &[os(&more)]).status.code(), Some(0));
    }
    let want = judged(&query_json(&idx, &[os(&new)]));
    let mut compact = Command::new(env!("CARGO_BIN_EXE_unspun"))
        .args(["index", "compact", "--quiet"])
        .arg(&idx)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut queries = 0;
    loop {
        let finished = compact.try_wait().unwrap().is_some();
        // A query that read the manifest before the swap and finds its segments removed reads it again.
        let out = query_json(&idx, &[os(&new)]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(judged(&out), want);
        queries += 1;
        if finished {
            break;
        }
    }
    assert!(compact.wait().unwrap().success());
    assert_eq!(segment_files(&idx).len(), 1);
    eprintln!("{queries} queries during compact");
}

/// The index's files are as readable as any file the user creates (umask 022: 0644), so an index can be
/// shared for others to query, not private as temporary files are made.
#[cfg(unix)]
#[test]
fn index_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let more = seed_folder(tmp.path(), "more", &["004"]);
    let idx = tmp.path().join("idx");
    let bin = env!("CARGO_BIN_EXE_unspun");
    let script = "umask 022 && \"$0\" index build --quiet \"$1\" \"$2\" && \"$0\" index add --quiet \"$1\" \"$3\"";
    let status = Command::new("sh").args(["-c", script, bin]).args([os(&idx), os(&archive), os(&more)]).status();
    assert!(status.unwrap().success());
    let mut files = segment_files(&idx);
    files.push(idx.join("MANIFEST"));
    assert_eq!(files.len(), 3);
    for f in files {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{}", f.display());
    }
}

/// `--top K` keeps each new article's K best pairs, in `scan --against` (files or an index) as in `query`;
/// without a reference collection it is refused.
#[test]
fn top_keeps_each_new_articles_best_pairs_in_scan_and_query() {
    let tmp = tempfile::tempdir().unwrap();
    // 003 (an LLM rewrite of 000) pairs with 000 and with 001 (a spinner's copy of 000).
    let archive = seed_folder(tmp.path(), "archive", &["000", "001"]);
    let new = seed_folder(tmp.path(), "new", &["003"]);
    let idx = tmp.path().join("idx");
    assert_eq!(index("build", &idx, &[os(&archive)]).status.code(), Some(0));
    let pairs = |out: std::process::Output| {
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        short_verdicts(&json(&out))
    };
    let scan = |against: &Path, top: &[&str]| {
        pairs(
            bin()
                .arg("scan")
                .arg(&new)
                .arg("--against")
                .arg(against)
                .args(["--quiet", "-f", "json"])
                .args(top)
                .output()
                .unwrap(),
        )
    };
    assert_eq!(scan(&archive, &[]).len(), 2);
    let best = scan(&archive, &["--top", "1"]);
    assert_eq!(best.len(), 1);
    assert_eq!(scan(&idx, &["--top", "1"]), best);
    assert_eq!(pairs(query_json(&idx, &[os(&new), OsStr::new("--top"), OsStr::new("1")])), best);
    let out = bin().arg("scan").arg(&new).args(["--top", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("give --against"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A build that fails (here: its input holds no articles) leaves no folder it made, so a later build or
/// query meets no husk of an index; a folder the user made is left where it was.
#[test]
fn a_failed_build_leaves_no_folder_it_made() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let idx = dir.path().join("idx");
    let out = index("build", &idx, &[os(&empty)]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!idx.exists());
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    assert_eq!(index("build", &mine, &[os(&empty)]).status.code(), Some(1));
    assert!(mine.is_dir());
    let out = index("build", &mine, &[os(&corpus_docs())]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Articles added again (a page crawled again) are kept beside the archived ones, as a scan of both keeps
/// them, and `add` says how many have an id the index holds, under --quiet too (a nightly job's flag).
#[test]
fn an_add_of_ids_the_index_holds_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    assert!(index("build", &idx, &[os(&corpus_docs())]).status.success());
    let out = bin().args(["index", "add"]).arg(&idx).arg(corpus_docs()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("now holds 10 documents"), "{err}");
    assert!(err.contains("warning: 5 of the documents written have the id of one the index holds"), "{err}");
    let quiet = bin().args(["index", "add", "--quiet"]).arg(&idx).arg(corpus_docs()).output().unwrap();
    let err = String::from_utf8_lossy(&quiet.stderr);
    assert!(err.contains("warning: 5 of the documents written") && !err.contains("now holds"), "{err}");
    let fresh = bin().args(["index", "add"]).arg(&idx).arg(repo().join("README.md")).output().unwrap();
    assert!(!String::from_utf8_lossy(&fresh.stderr).contains("warning:"));
}

/// Each command's help lists the settings it takes, not those it refuses.
#[test]
fn help_leaves_out_the_settings_a_command_refuses() {
    // The options a command's help lists (other options' text may name them).
    let options = |args: &[&str]| -> Vec<String> {
        let text = String::from_utf8(bin().args(args).arg("--help").output().unwrap().stdout).unwrap();
        let flag = |l: &str| l.trim_start().starts_with("--").then(|| l.split_whitespace().next().unwrap().to_string());
        text.lines().filter_map(flag).collect()
    };
    let has = |list: &[String], flag: &str| list.iter().any(|o| o == flag);
    for command in [&["index", "build"][..], &["index", "add"]] {
        let list = options(command);
        assert!(has(&list, "--seed") && has(&list, "--min-words"), "{list:?}");
        for refused in ["--window", "--threshold", "--candidates-only", "--model", "--boilerplate", "--verdict-bars"] {
            assert!(!has(&list, refused), "{command:?} lists {refused}");
        }
    }
    let query = options(&["query"]);
    assert!(has(&query, "--window") && has(&query, "--threshold") && has(&query, "--top"), "{query:?}");
    assert!(!has(&query, "--candidates-only") && !has(&query, "--model"), "{query:?}");
    assert!(has(&options(&["scan"]), "--candidates-only"));
}

/// Settings that decide what a query reports (bars, the window, the bucket cap) are not kept in an index:
/// given to `build` or `add` they are refused by name, before anything is written.
#[test]
fn a_querys_settings_given_to_build_or_add_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    for (args, said) in [
        (&["--window", "3"][..], "--window is a query's, not kept in an index: give it to `unspun query`"),
        (&["--threshold", "content=0.3", "--max-bucket", "50"], "--threshold, --max-bucket are a query's"),
        (&["--report-unrelated"], "--report-unrelated is a query's"),
    ] {
        let out = bin().args(["index", "build"]).arg(&idx).arg(corpus_docs()).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(said), "{err}");
        assert!(!idx.exists());
    }
    assert!(index("build", &idx, &[os(&corpus_docs())]).status.success());
    let out = bin().args(["index", "add"]).arg(&idx).arg(corpus_docs()).args(["--window", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(documents(&idx), Some(5));
}

/// SIGINT while `index build` writes its segment (its temporary file seen in the index's folder) ends
/// the run (130) and leaves no temporary file behind, as an interrupted report leaves none.
#[test]
fn interrupted_build_leaves_no_temporary_segment() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("big.jsonl");
    many_articles(&input, 20_000, "big");
    let idx = tmp.path().join("idx");
    std::fs::create_dir(&idx).unwrap();
    let temporaries = || -> Vec<String> {
        (std::fs::read_dir(&idx).unwrap())
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|n| n.starts_with(".tmp-"))
            .collect()
    };
    let mut build = bin();
    build.args(["index", "build", "--quiet"]).arg(&idx).arg(&input);
    let (status, signalled) = signal_when(&mut build, "INT", || !temporaries().is_empty());
    assert!(signalled, "the segment was written before it was seen ({status:?}): make the input larger");
    assert_eq!(temporaries(), Vec::<String>::new(), "{status:?}");
    // Interrupted before its manifest, or (after the rename) a whole index.
    assert!(status.code() == Some(130) || documents(&idx) == Some(20_000), "{status:?}");
}

/// The order `--views` names the views in changes nothing they find: an index built with them in
/// another order is queried with the defaults, and reports what `scan --against` reports.
#[test]
fn views_named_in_another_order_are_the_same_views() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = seed_folder(tmp.path(), "archive", &["000", "002"]);
    let new = seed_folder(tmp.path(), "new", &["001", "003", "004"]);
    let idx = tmp.path().join("idx");
    let views = [OsStr::new("--views"), OsStr::new("lead,content,words")];
    let out = index("build", &idx, &[os(&archive), views[0], views[1]]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_query_is_scan_against(&idx, &new, &[&archive], &[]);
    assert_query_is_scan_against(&idx, &new, &[&archive], &["--views", "content,words,lead"]);
}
