//! Input formats end to end: the seed articles give the same verdicts whether read from the folder, a
//! JSON Lines file (plain or gzip), a CSV file, a WET file, a WARC file of HTML pages, a folder of those
//! pages or standard input; damaged input is reported
//! once per damage, skipped, and ends the run with exit code 2 (or 1 with `--strict`).

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::common::{
    SITE, bin, corpus_docs, document_ids, gzip, json, scan_json, scan_json_stdin_bytes, scan_json_stdin_file,
    seed_page, seeds, seeds_jsonl, seeds_warc, short_verdicts, verdicts_stripped, warc_record,
};

#[test]
fn same_verdicts_from_every_input_format() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();

    let jsonl = seeds_jsonl(&seeds);
    let plain = dir.path().join("seeds.jsonl");
    std::fs::write(&plain, &jsonl).unwrap();
    let gz = dir.path().join("seeds.jsonl.gz");
    std::fs::write(&gz, gzip(jsonl.as_bytes())).unwrap();
    // CSV with the texts quoted (they hold commas, quotation marks and line breaks).
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let rows: String = seeds
        .iter()
        .map(|(id, text)| format!("{},{},{SITE}{id}\r\n", quote(&format!("{SITE}{id}")), quote(text)))
        .collect();
    let csv = dir.path().join("seeds.csv");
    std::fs::write(&csv, format!("id,text,url\r\n{rows}")).unwrap();

    // WET as Common Crawl publishes it: a warcinfo record, then one gzip member per record.
    let mut wet = gzip(&warc_record("warcinfo", "", "application/warc-fields", b"software: test\r\n"));
    for (id, text) in &seeds {
        let record = warc_record("conversion", &format!("{SITE}{id}"), "text/plain", text.as_bytes());
        wet.extend(gzip(&record));
    }
    let wet_path = dir.path().join("seeds.warc.wet.gz");
    std::fs::write(&wet_path, wet).unwrap();

    // WARC: HTTP responses of HTML pages with furniture around the article; the same pages as files.
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    for (id, text) in &seeds {
        std::fs::write(pages.join(format!("{id}.html")), seed_page(id, text)).unwrap();
    }
    let warc = seeds_warc(&seeds);
    let warc_path = dir.path().join("seeds.warc");
    std::fs::write(&warc_path, &warc).unwrap();
    let warc_gz = dir.path().join("seeds-gz.warc.gz");
    std::fs::write(&warc_gz, gzip(&warc)).unwrap();

    let folder = scan_json(&[corpus_docs().as_os_str()]);
    assert_eq!(folder.status.code(), Some(0));
    let expected = verdicts_stripped(&folder, "");
    assert!(expected.0.len() >= 3, "the seeds should give pairs: {expected:?}");
    for path in [&plain, &gz, &csv, &wet_path, &warc_path, &warc_gz] {
        let out = scan_json(&[path.as_os_str()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{path:?}: {stderr}");
        assert_eq!(verdicts_stripped(&out, SITE), expected, "{path:?}");
    }
    // The pages as a folder of .html files.
    let out = scan_json(&["--ext".as_ref(), "html".as_ref(), pages.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(verdicts_stripped(&out, ""), expected, "HTML files");
    // The same bytes piped to `-` (standard input, format and compression from the first bytes).
    for path in [&plain, &gz, &wet_path, &warc_gz] {
        let out = scan_json_stdin_file(path);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{path:?} on standard input: {stderr}");
        assert_eq!(verdicts_stripped(&out, SITE), expected, "{path:?} on standard input");
    }
}

#[test]
fn damaged_input_is_reported_skipped_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let mut jsonl = Vec::new();
    for (id, text) in &seeds {
        let line = serde_json::json!({"id": id, "text": text});
        writeln!(jsonl, "{line}").unwrap();
    }
    jsonl.extend_from_slice(b"{\"id\": \"broken\", \"text\": \"no closing quote}\n");
    jsonl.extend_from_slice(b"{\"id\": \"latin\", \"text\": \"caf\xe9 and cr\xe8me are on the menu\"}\n");
    jsonl.extend_from_slice(b"{\"id\": \"blank\", \"text\": \"\"}\n");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, &jsonl).unwrap();
    let truncated = dir.path().join("cut.jsonl.gz");
    let filler: String =
        (0..3000).map(|i| format!("{{\"id\": \"f{i}\", \"text\": \"filler {i} {}\"}}\n", i * 7919 % 10007)).collect();
    let gz = gzip(filler.as_bytes());
    std::fs::write(&truncated, &gz[..gz.len() / 2]).unwrap();
    let note = b"A note on the weather in town, where nothing else happened all week.";
    let good = warc_record("conversion", "http://example.com/note", "text/plain", note);
    let lost = b"WARC/1.0\r\nWARC-Type: conversion\r\n\r\nlost\r\n\r\n";
    let archive = dir.path().join("damaged.warc");
    std::fs::write(&archive, [&good[..], lost].concat()).unwrap();

    let out = scan_json(&[bad.as_os_str(), truncated.as_os_str(), archive.as_os_str()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let messages: Vec<&str> = stderr.lines().collect();
    let expect = [
        "bad.jsonl:6: malformed JSON",
        "bad.jsonl:7: invalid UTF-8",
        "bad.jsonl:8: empty text",
        "gzip stream damaged or truncated",
        &format!("damaged.warc: WARC record at byte {}: no Content-Length", good.len()),
    ];
    assert!(messages[3].contains("cut.jsonl.gz:"), "{stderr}");
    assert_eq!(messages.len(), expect.len(), "{stderr}");
    for (line, want) in messages.iter().zip(expect) {
        assert!(line.contains(want), "{line:?} should say {want:?}");
    }
    // Every good article is in the report, with the verdicts the folder gives.
    let report = json(&out);
    let ids = document_ids(&report);
    for (id, _) in &seeds {
        assert!(ids.contains(&id.as_str()), "{id} missing");
    }
    assert!(ids.contains(&"latin"));
    assert!(ids.iter().any(|id| id.starts_with('f')), "the .gz read before the cut is kept");
    // The report gives each problem's place as fields: file, line, web-archive record.
    let problems = report["summary"]["problems"].as_array().unwrap();
    let place = |p: &Value| {
        let file = Path::new(p["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
        (file, p["line"].as_u64(), p["record"].as_u64())
    };
    let mut places: Vec<_> = problems.iter().map(place).collect();
    // The truncated stream names the line it broke in, after those it kept.
    assert!(places[3].1.is_some_and(|line| line > 1), "{places:?}");
    places[3].1 = None;
    let (jsonl, gz, warc) = ("bad.jsonl".to_string(), "cut.jsonl.gz".to_string(), "damaged.warc".to_string());
    let record = Some(good.len() as u64);
    let expect = [
        (jsonl.clone(), Some(6), None),
        (jsonl.clone(), Some(7), None),
        (jsonl, Some(8), None),
        (gz, None, None),
        (warc, None, record),
    ];
    assert_eq!(places, expect);
    assert!(problems[0]["message"].as_str().unwrap().starts_with("malformed JSON"), "{problems:?}");
    let folder = scan_json(&[corpus_docs().as_os_str()]);
    assert_eq!(verdicts_stripped(&out, "").0, verdicts_stripped(&folder, "").0);

    let strict = bin().args(["scan", "--quiet", "--strict"]).arg(&bad).output().unwrap();
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("bad.jsonl:6: malformed JSON") && !stderr.contains("skipped"), "{stderr}");
    assert!(strict.stdout.is_empty());
}

/// Repeated ids are numbered in read order, skipping a number another document has as its id, and the
/// closing summary says how many were renamed.
#[test]
fn repeated_ids_are_numbered_in_read_order() {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = ["zeta", "alpha", "beta", "alpha", "alpha", "alpha#2"]
        .iter()
        .enumerate()
        .map(|(k, id)| format!("{}\n", serde_json::json!({"id": id, "text": "word ".repeat(k + 1)})))
        .collect();
    let path = dir.path().join("ids.jsonl");
    std::fs::write(&path, lines).unwrap();
    let out = bin().args(["scan", "--format", "json"]).arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("note: 2 documents have the id of an earlier one"), "{stderr}");
    let report = json(&out);
    // Line k has k words, so the word counts say which line each id went to.
    let docs: Vec<(&str, u64)> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["words"].as_u64().unwrap()))
        .collect();
    assert_eq!(docs, [("alpha", 2), ("alpha#3", 4), ("alpha#4", 5), ("alpha#2", 6), ("beta", 3), ("zeta", 1)]);
}

/// File names that are not UTF-8 (Latin-1 names on a Unix system) keep their bytes in ids, paths and
/// messages (`caf\xE9`), so two such files keep ids of their own and the path shown leads to the file.
#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_told_apart() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();
    for (name, text) in [(&b"caf\xe9.txt"[..], &seeds[0].1), (b"caf\xe8.txt", &seeds[1].1)] {
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(name)), text).unwrap();
    }
    std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xff.jsonl")), "{\"id\": 1}\n").unwrap();
    let out = bin().args(["scan", "--format", "json", "--ext", "txt,jsonl"]).arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(r"bad\\xFF.jsonl: no record has field"), "{stderr}");
    let report = json(&out);
    let docs: Vec<(&str, &str)> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["path"].as_str().unwrap()))
        .collect();
    let under = |name: &str| format!("{}/{name}", dir.path().display());
    assert_eq!(
        docs.iter().map(|&(id, path)| (id, path.to_string())).collect::<Vec<_>>(),
        [(r"caf\xE8", under(r"caf\xE8.txt")), (r"caf\xE9", under(r"caf\xE9.txt"))]
    );
}

/// A copy whose accents are decomposed (NFD: "e" and a combining accent, as macOS writes text) is the
/// same words as the original written composed: a duplicate, not a pair of different texts.
#[test]
fn a_copy_with_decomposed_accents_is_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let text = "El presidente de Bogotá anunció hoy en São Paulo que la reunión económica sobre energía y \
                minería se celebrará en Medellín el próximo año, según informó el ministerio de Economía.\n";
    let decomposed = text
        .replace('á', "a\u{301}")
        .replace('ó', "o\u{301}")
        .replace('ã', "a\u{303}")
        .replace('í', "i\u{301}")
        .replace('é', "e\u{301}");
    assert_ne!(decomposed, text);
    std::fs::write(dir.path().join("composed.txt"), text).unwrap();
    std::fs::write(dir.path().join("decomposed.txt"), &decomposed).unwrap();
    let report = json(&scan_json(&[dir.path().as_os_str()]));
    let pairs: Vec<(&str, &str, &str)> = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["a"].as_str().unwrap(), p["b"].as_str().unwrap(), p["relation"].as_str().unwrap()))
        .collect();
    assert_eq!(pairs, [("composed", "decomposed", "duplicate")]);
}

/// A file reached by two of the paths given (a folder and a folder inside it, a file by two names) is
/// read once: it is not reported as its own duplicate.
#[test]
fn a_file_reached_by_two_paths_is_read_once() {
    let docs = corpus_docs();
    let file = std::fs::read_dir(&docs).unwrap().next().unwrap().unwrap().path();
    let again = docs.join("..").join("docs").join(file.file_name().unwrap());
    for paths in [vec![docs.parent().unwrap().to_path_buf(), docs.clone()], vec![file.clone(), again]] {
        let args: Vec<&std::ffi::OsStr> = paths.iter().map(|p| p.as_os_str()).collect();
        let out = scan_json(&args);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let report = json(&out);
        let docs_read = report["documents"].as_array().unwrap().len();
        assert_eq!(docs_read, if paths[0].is_dir() { 5 } else { 1 }, "{paths:?}");
        assert!(short_verdicts(&report).iter().all(|v| v.2 != "duplicate"), "{paths:?}");
    }
}

/// A record's fields named like the report's own (`path`, `words`, `type`…) are passed through as
/// `input_NAME`: never a second key of the same name, which a JSON reader would take for the report's.
#[test]
fn input_fields_named_like_report_fields_are_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fields.jsonl");
    let text = &seeds()[0].1;
    let record = serde_json::json!({"id": "a", "text": text, "path": "/evil", "words": 3, "type": "pair",
        "input_path": "mine", "title": "T"});
    std::fs::write(&path, format!("{record}\n")).unwrap();
    let out = bin().args(["scan", "--quiet", "--format", "jsonl"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8_lossy(&out.stdout).lines().next().unwrap().to_string();
    for key in ["\"path\":", "\"words\":", "\"type\":"] {
        assert_eq!(line.matches(key).count(), 1, "{key} in {line}");
    }
    let doc: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(doc["type"], "document");
    assert!(doc["words"].as_u64().unwrap() > 100);
    assert!(doc["path"].as_str().unwrap().ends_with("fields.jsonl"));
    // The input's own `input_path` keeps its name; its `path` takes the next free one.
    assert_eq!((&doc["input_path"], &doc["input_input_path"]), (&"mine".into(), &"/evil".into()));
    assert_eq!((&doc["input_words"], &doc["input_type"], &doc["title"]), (&3.into(), &"pair".into(), &"T".into()));
}

#[test]
fn standard_input_is_one_more_input() {
    // A plain text on standard input is the document `stdin`, compared with the files named beside it.
    let seeds = seeds();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.txt");
    std::fs::write(&copy, &seeds[0].1).unwrap();
    let out = scan_json_stdin_bytes(&["-".as_ref(), copy.as_os_str()], seeds[0].1.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(verdicts_stripped(&out, "").0, [["copy", "stdin", "duplicate", ""].map(String::from)]);
    // Damage is reported as standard input's, by line.
    let out = scan_json_stdin_bytes(
        &["-".as_ref()],
        format!("{}\n{{broken\n", serde_json::json!({"text": seeds[1].1})).as_bytes(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("stdin:2: malformed JSON"), "{stderr}");
    let report = json(&out);
    assert_eq!(report["documents"][0]["id"], "stdin:1");
    // Its documents and its problems name it alike.
    assert_eq!(
        (&report["documents"][0]["path"], &report["summary"]["problems"][0]["path"]),
        (&"stdin".into(), &"stdin".into())
    );
    // A CSV export piped in cannot be told by its first bytes: --input-format says it (and would for a
    // file named otherwise).
    let csv = format!(
        "id,text\r\n{},\"{}\"\r\n,\"{}\"\r\n",
        seeds[0].0,
        seeds[0].1.replace('"', "\"\""),
        seeds[1].1.replace('"', "\"\"")
    );
    let out = scan_json_stdin_bytes(&["--input-format".as_ref(), "csv".as_ref(), "-".as_ref()], csv.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let ids = document_ids(&report);
    // Rows are named by number, as a spreadsheet shows them, though the first text spans many lines.
    assert_eq!(ids, [seeds[0].0.as_str(), "stdin:3"]);
    let named = dir.path().join("export.dat");
    std::fs::write(&named, &csv).unwrap();
    let out = scan_json_stdin_bytes(&["--input-format".as_ref(), "csv".as_ref(), named.as_os_str()], b"");
    let report = json(&out);
    assert_eq!(report["documents"].as_array().unwrap().len(), 2, "{report}");
}
