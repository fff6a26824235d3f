//! Inputs a user or an attacker might hand the scan that are not plain files in plain folders (issue 18,
//! items 1, 2 and 9): symbolic link loops, FIFOs and process substitution, missing or empty input, wrong
//! fields, usage errors. Every run is bounded in time: a hang fails the test instead of stalling the suite.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Runs `cmd` to its end, or kills it and fails after `secs` seconds.
fn run_bounded(mut cmd: Command, secs: u64) -> Output {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let stdout = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let stderr = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {secs} s: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

/// `unspun scan --quiet --format json ARGS`, bounded to 60 s.
fn scan_bounded(args: &[&OsStr]) -> Output {
    let mut cmd = bin();
    cmd.args(["scan", "--quiet", "--format", "json"]).args(args);
    run_bounded(cmd, 60)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder holding the five seed articles.
fn seed_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_texts(dir.path(), &seeds());
    dir
}

/// The seed ids a report's pairs join, as sorted (a, b) pairs.
fn pair_ids(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (a, b) = (p["a"].as_str().unwrap().to_string(), p["b"].as_str().unwrap().to_string());
            if a < b { (a, b) } else { (b, a) }
        })
        .collect();
    pairs.sort();
    pairs
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo failed");
}

#[cfg(unix)]
#[test]
fn a_symlink_to_its_own_folder_is_a_loop_walked_once() {
    let dir = seed_folder();
    let plain = scan_bounded(&[dir.path().as_os_str()]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    std::os::unix::fs::symlink(".", dir.path().join("self")).unwrap();
    let out = scan_bounded(&[dir.path().as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "a loop is reported: {err}");
    assert!(err.contains("self: symbolic link loop"), "{err}");
    let (report, plain) = (json(&out), json(&plain));
    assert_eq!(document_ids(&report), document_ids(&plain), "each file read once");
    assert_eq!(pair_ids(&report), pair_ids(&plain));
    assert_eq!(report["pairs"], plain["pairs"]);
}

#[cfg(unix)]
#[test]
fn two_symlink_loops_end() {
    let dir = seed_folder();
    std::os::unix::fs::symlink(".", dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("b")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/up")).unwrap();
    let out = scan_bounded(&[dir.path().as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("symbolic link loop").count(), 3, "{err}");
    assert_eq!(document_ids(&json(&out)).len(), 5);
}

/// An article in folders nested so deep that its path is longer than the system allows (PATH_MAX, 4096
/// bytes on Linux) cannot be read: it is reported, not dropped in silence, and the rest is read.
#[test]
fn a_path_too_long_to_read_is_reported() {
    let dir = seed_folder();
    // `cd` one level at a time (bash, whose `cd` follows a path longer than PATH_MAX; dash's does not).
    let name = "d".repeat(100);
    let script = format!("for i in $(seq 1 50); do mkdir {name} && cd {name} || exit 1; done; echo words > deep.txt");
    let status = Command::new("bash").arg("-c").arg(script).current_dir(dir.path()).status().unwrap();
    assert!(status.success());
    let out = scan_bounded(&[dir.path().as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot read") && err.contains("too long"), "{err}");
    assert_eq!(document_ids(&json(&out)).len(), 5);
}

/// The seeds with 001 given through a FIFO named on the command line, written by a thread.
#[cfg(unix)]
#[test]
fn a_fifo_named_on_the_command_line_is_read_once_and_verified() {
    let dir = seed_folder();
    let plain = json(&scan_bounded(&[dir.path().as_os_str()]));
    let seeds = seeds();
    let (id, text) = seeds[1].clone();
    std::fs::remove_file(dir.path().join(format!("{id}.txt"))).unwrap();
    let fifo = dir.path().join(format!("{id}.fifo"));
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // Blocks until the scan opens the FIFO; a second opening would find no writer and hang.
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let _ = f.write_all(text.as_bytes());
        })
    };
    let mut args: Vec<std::path::PathBuf> =
        seeds.iter().filter(|(i, _)| *i != id).map(|(i, _)| dir.path().join(format!("{i}.txt"))).collect();
    args.push(fifo.clone());
    let args: Vec<&OsStr> = args.iter().map(|p| p.as_os_str()).collect();
    let out = scan_bounded(&args);
    writer.join().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let report = json(&out);
    assert_eq!(document_ids(&report).len(), 5);
    assert_eq!(pair_ids(&report), pair_ids(&plain), "no pair lost: {err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_folder_never_hangs_and_is_reported() {
    let dir = seed_folder();
    mkfifo(&dir.path().join("pipe.txt"));
    let out = scan_bounded(&[dir.path().as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("pipe.txt: not a regular file"), "{err}");
    assert_eq!(document_ids(&json(&out)).len(), 5);
}

#[cfg(unix)]
#[test]
fn process_substitution_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let seeds_file = dir.path().join("seeds.jsonl");
    std::fs::write(&seeds_file, seeds_jsonl(&seeds())).unwrap();
    let plain = json(&scan_bounded(&[seeds_file.as_os_str()]));
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(r#""$0" scan --quiet --format json <(cat "$1")"#)
        .arg(env!("CARGO_BIN_EXE_unspun"))
        .arg(&seeds_file);
    let out = run_bounded(cmd, 60);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let report = json(&out);
    assert_eq!(document_ids(&report), document_ids(&plain));
    assert_eq!(pair_ids(&report), pair_ids(&plain));
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let dir = seed_folder();
    let missing = dir.path().join("nonexistent");
    let out = scan_bounded(&[missing.as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("{}: cannot read", missing.display())), "{err}");
    assert!(out.stdout.is_empty(), "no report");
    let out = scan_bounded(&[dir.path().as_os_str(), OsStr::new("--against"), missing.as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("nonexistent: cannot read"), "{err}");
}

#[test]
fn a_folder_without_articles_says_what_was_looked_for_and_seen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "x").unwrap();
    std::fs::write(dir.path().join("b.jsonl"), "{}").unwrap();
    let out = scan_bounded(&[dir.path().as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no files ending in .txt"), "{err}");
    assert!(err.contains("seen: .jsonl, .md"), "{err}");
}

#[test]
fn ext_takes_compressed_files_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.jsonl.gz"), gzip(seeds_jsonl(&seeds()).as_bytes())).unwrap();
    let out = scan_bounded(&[dir.path().as_os_str(), OsStr::new("--ext"), OsStr::new("jsonl")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(document_ids(&json(&out)).len(), 5);
}

#[test]
fn a_wrong_text_field_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..150).map(|i| format!("{{\"id\": \"r{i}\", \"text\": \"record {i}\"}}\n")).collect();
    let file = dir.path().join("x.jsonl");
    std::fs::write(&file, lines).unwrap();
    let out = scan_bounded(&[file.as_os_str(), OsStr::new("--text-field"), OsStr::new("body")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("x.jsonl: no record has field \"body\"; fields seen: id, text"), "{err}");
}

#[test]
fn eval_warns_of_truth_ids_that_match_no_document() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    write_texts(&dir.path().join("docs"), &seeds());
    let ids: Vec<String> = seeds().into_iter().map(|(id, _)| id).collect();
    let truth = format!(
        "{{\"a\": \"ghost-1\", \"b\": \"ghost-2\", \"relation\": \"rewrite\"}}\n\
         {{\"a\": \"{}\", \"b\": \"{}\", \"relation\": \"rewrite\"}}\n",
        ids[0], ids[1]
    );
    std::fs::write(dir.path().join("truth.jsonl"), truth).unwrap();
    let mut cmd = bin();
    cmd.args(["eval", "--quiet"]).arg(dir.path());
    let out = run_bounded(cmd, 60);
    let err = stderr(&out);
    assert!(err.contains("2 truth ids match no document"), "{err}");
    assert!(err.contains("ghost-1"), "{err}");
}

/// A truth id that two documents of docs/ were read with (`000.txt` and `000.html`): refused, naming both,
/// where the scores were of whichever came first (here an unrelated page), silently.
#[test]
fn eval_refuses_a_truth_id_two_documents_share() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let seeds = seeds();
    write_texts(&docs, &seeds);
    let (a, b) = (seeds[0].0.as_str(), seeds[1].0.as_str());
    std::fs::write(docs.join(format!("{a}.html")), format!("<p>{}</p>", seeds[2].1)).unwrap();
    std::fs::write(
        dir.path().join("truth.jsonl"),
        format!("{{\"a\": \"{a}\", \"b\": \"{b}\", \"relation\": \"rewrite\"}}\n"),
    )
    .unwrap();
    let mut cmd = bin();
    cmd.args(["eval", "--quiet", "--ext", "txt,html"]).arg(dir.path());
    let out = run_bounded(cmd, 60);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("the truth names \"{a}\", which 2 documents of docs/ were read with")), "{err}");
    assert!(err.contains(&format!("{a}.html)")) && err.contains(&format!("{a}#2 (")), "{err}");
    // One kind of file read: scored.
    let mut cmd = bin();
    cmd.args(["eval", "--quiet", "--ext", "txt"]).arg(dir.path());
    assert_eq!(run_bounded(cmd, 60).status.code(), Some(0));
}

/// A pair the truth labels a negative is never counted right, not even as near-identical or inside one
/// truth cluster; a labelled text that was not read (an empty file) makes its pairs unjudged, not missed;
/// eval's outputs go to files of their own, none inside docs/.
#[test]
fn eval_counts_labelled_negatives_wrong_and_unread_texts_unjudged() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let seeds = seeds();
    write_texts(&docs, &seeds);
    std::fs::write(docs.join("copy.txt"), seeds[0].1.replacen(" the ", " a ", 1)).unwrap();
    std::fs::write(docs.join("empty.txt"), "").unwrap();
    let [a, b, c] = [0, 1, 3].map(|i| seeds[i].0.as_str());
    let truth = [
        format!(r#"{{"a": "{a}", "b": "{b}", "relation": "rewrite", "source": "{a}"}}"#),
        format!(r#"{{"a": "{a}", "b": "{c}", "relation": "rewrite", "source": "{a}"}}"#),
        format!(r#"{{"a": "{b}", "b": "{c}", "relation": "independent"}}"#),
        format!(r#"{{"a": "{a}", "b": "copy", "relation": "unrelated"}}"#),
        format!(r#"{{"a": "{a}", "b": "empty", "relation": "rewrite"}}"#),
    ];
    std::fs::write(dir.path().join("truth.jsonl"), truth.join("\n")).unwrap();
    let eval = |args: &[&str]| {
        let mut cmd = bin();
        cmd.args(["eval", "--quiet", "--format", "json"]).arg(dir.path()).args(args);
        run_bounded(cmd, 60)
    };
    let e = json(&eval(&[]));
    assert_eq!(e["negatives_reported"], serde_json::json!({"independent": 1, "unrelated": 1}), "{e}");
    assert_eq!(e["correct"], 2, "{e}");
    let right = |key: &str| (e[key].as_f64().unwrap() * e["reported"].as_f64().unwrap()).round();
    assert_eq!((right("precision_star"), right("precision_joined")), (2.0, 2.0), "{e}");
    assert_eq!((e["unjudged"].as_u64(), e["recall_judged"].as_f64()), (Some(1), Some(1.0)), "{e}");
    for (args, message) in [
        (&["--report", "docs/r.txt"][..], "inside the input folder"),
        (&["--report", "x.json", "--direction-pairs", "x.json"], "both name x.json"),
        // Two spellings of one file not there yet.
        (&["--report", "y.json", "--direction-pairs", "./y.json"], "both name y.json"),
        (&["--report", "-"], "the scores are on standard output"),
        (&["--candidates-only", "--direction-pairs", "d.jsonl"], "--candidates-only verifies none"),
        // A name that says another format than the file is written in.
        (&["--report", "r.csv"], "--report r.csv: it writes one JSON object, whatever the name says: name it .json"),
        (&["--report", "r.json.gz"], "name it .json"),
        (&["--direction-pairs", "d.json"], "it writes JSON Lines, whatever the name says: name it .jsonl"),
    ] {
        let mut cmd = bin();
        cmd.current_dir(dir.path()).args(["eval", "--quiet", "."]).args(args);
        let out = run_bounded(cmd, 60);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    }
    assert!(!docs.join("r.txt").exists());
    assert!(!dir.path().join("y.json").exists());
}

/// A quotation mark a CSV export opens and never closes would make one cell of every row after it (its row
/// is left out and the lines after it read as rows); cells
/// past the header's columns are the pieces of a row cut at a stray one; a `.json` file holding an array is
/// not an article of JSON syntax. Each is a problem naming the file and row, and the run goes on.
#[test]
fn damaged_csv_rows_and_json_arrays_are_said_and_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let [(_, a), (_, b), ..] = &seeds()[..] else { unreachable!() };
    let one_line = |t: &str| t.replace(['\n', '"'], " ");
    let unquoted = one_line(a).replace(',', " ");
    let csv = format!("id,text\nok,\"{}\"\nopen,\"{}\nafter,{unquoted}\n", one_line(a), one_line(b));
    std::fs::write(dir.path().join("open.csv"), csv).unwrap();
    std::fs::write(dir.path().join("cut.csv"), "id,text\nx,Some words, and \"more\", here\n").unwrap();
    std::fs::write(dir.path().join("array.json"), "[{\"id\": \"a\", \"text\": \"Words.\"}]").unwrap();
    let files = ["open.csv", "cut.csv", "array.json"].map(|f| dir.path().join(f).into_os_string());
    let out = scan_bounded(&files.iter().map(|f| f.as_os_str()).collect::<Vec<_>>());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(document_ids(&json(&out)), ["after", "ok"], "{err}");
    assert!(err.contains("open.csv:3: the quotation mark opened on line 3 of the file"), "{err}");
    assert!(
        err.contains(
            "is never closed; row skipped: close the quotation mark or double it (\"\"), read again from line 4"
        ),
        "{err}"
    );
    assert!(err.contains("cut.csv:2: 4 cells where the header has 2 columns"), "{err}");
    assert!(err.contains("array.json: a JSON array, not JSON Lines"), "{err}");
    // --strict stops at the first.
    let mut strict: Vec<&OsStr> = files.iter().map(|f| f.as_os_str()).collect();
    strict.push(OsStr::new("--strict"));
    assert_eq!(scan_bounded(&strict).status.code(), Some(1));
}

/// An id, date or URL field named in place of the usual one that no record holds is said (every document
/// would be named by its line, or undated, without a word), and so is a `--window` that no date can apply.
#[test]
fn a_field_no_record_holds_and_a_window_without_dates_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.jsonl");
    std::fs::write(&file, seeds_jsonl(&seeds())).unwrap();
    let args = ["--id-field", "key", "--date-field", "published", "--window", "3"];
    let mut cmd = bin();
    cmd.args(["scan", "--format", "summary"]).arg(&file).args(args);
    let out = run_bounded(cmd, 60);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("x.jsonl: no record has field \"key\" (--id-field): its documents are named by file and line"),
        "{err}"
    );
    assert!(err.contains("no record has field \"published\" (--date-field): its documents are undated"), "{err}");
    assert!(
        err.contains("--window keeps the pairs dated within DAYS of each other, but no document has a date"),
        "{err}"
    );
    // The usual names, absent, are no problem: ids by line are the documented default.
    let out = scan_bounded(&[file.as_os_str(), OsStr::new("--window"), OsStr::new("3")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// An empty folder among others (a day's crawl folder that got nothing) is a problem, not the end of the
/// run; alone, it is the error it was.
#[test]
fn an_empty_folder_beside_others_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (empty, seeds) = (dir.path().join("today"), seed_folder());
    std::fs::create_dir(&empty).unwrap();
    let out = scan_bounded(&[empty.as_os_str(), seeds.path().as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(document_ids(&json(&out)).len(), 5);
    assert!(err.contains("today: no files ending in .txt in this folder (no files at all)"), "{err}");
    assert_eq!(scan_bounded(&[empty.as_os_str()]).status.code(), Some(1));
}

/// Options that cannot both act, or that would act on nothing, are refused, not silently dropped.
#[test]
fn options_that_cannot_act_together_are_refused() {
    let seeds = seed_folder();
    let cases: [(&[&str], &str); 8] = [
        (&["--candidates-only", "--explain", "--format", "text"], "--explain is about verified pairs"),
        (&["--candidates-only", "--top", "1", "--against", "."], "--top is about verified pairs"),
        (&["--candidates-only", "--report-unrelated"], "--candidates-only verifies none"),
        (&["--views", "words", "--threshold", "lead=0.9"], "the lead view is not scanned (--views words)"),
        (&["--threshold", "words=0.3", "--threshold", "words=0.9"], "the words view's threshold is given twice"),
        (&["--output", "report.json.gz"], "the report is not written as .gz"),
        (&["--ext", "txt, jsonl", "--output", "r.tsv"], "the report is not written as .tsv"),
        (&["--output", "r.xlsx"], "the report is not written as .xlsx"),
    ];
    for (args, message) in cases {
        let mut cmd = bin();
        cmd.current_dir(seeds.path()).args(["scan", "--quiet", "."]).args(args);
        let out = run_bounded(cmd, 60);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
    // A space after the comma of --ext is no part of the extension.
    let mut cmd = bin();
    cmd.args(["scan", "--quiet", "--format", "summary", "--ext", "md, txt"]).arg(seeds.path());
    let out = run_bounded(cmd, 60);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["documents"], 5);
}

/// A truth file that can score nothing (empty, or naming no two documents of the set) is refused; one
/// that opens with a byte-order mark is read; eval's formats are its own two.
#[test]
fn eval_refuses_truth_that_can_score_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    write_texts(&dir.path().join("docs"), &seeds());
    let truth = dir.path().join("truth.jsonl");
    let eval = |args: &[&str]| {
        let mut cmd = bin();
        cmd.args(["eval", "--quiet"]).arg(dir.path()).args(args);
        run_bounded(cmd, 60)
    };
    std::fs::write(&truth, "\n").unwrap();
    assert!(stderr(&eval(&[])).contains("truth.jsonl: no labelled pair"));
    std::fs::write(&truth, "{\"a\": \"000.txt\", \"b\": \"001.txt\", \"relation\": \"rewrite\"}\n").unwrap();
    let out = eval(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no labelled pair names two documents of docs/: nothing to score"),
        "{}",
        stderr(&out)
    );
    let ids: Vec<String> = seeds().into_iter().map(|(id, _)| id).collect();
    let pair = format!("{{\"a\": \"{}\", \"b\": \"{}\", \"relation\": \"rewrite\"}}\n", ids[0], ids[1]);
    std::fs::write(&truth, format!("\u{feff}{pair}")).unwrap();
    assert_eq!(eval(&[]).status.code(), Some(0), "{}", stderr(&eval(&[])));
    let out = eval(&["--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("[possible values: text, json]"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_1_as_documented() {
    let mut cmd = bin();
    cmd.args(["scan", "--no-such-flag"]);
    let out = run_bounded(cmd, 60);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut cmd = bin();
    cmd.arg("--help");
    assert_eq!(run_bounded(cmd, 60).status.code(), Some(0));
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains("| 1 | an error stopped the run (bad arguments or any other usage error"),
        "README documents usage errors as 1"
    );
}

/// A temporary folder that fills up while compressed input is spilled to it (issue 18, item 7) stops the
/// run with one message saying the temporary folder could not be written, and exit 1: not a near-empty
/// report with hundreds of "cannot read" messages and exit 2. A full disk is simulated without root (no
/// tmpfs to mount): `ulimit -f` caps the size of any file the scan writes at 32 KiB (dash counts 512-byte
/// blocks), SIGXFSZ ignored so a write past it fails with EFBIG as one on a full disk fails with ENOSPC;
/// the report goes to stdout, a pipe the cap does not touch.
#[cfg(unix)]
#[test]
fn a_full_temporary_folder_is_one_write_error() {
    let dir = tempfile::tempdir().unwrap();
    let (inputs, tmp) = (dir.path().join("in"), dir.path().join("tmp"));
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    // Twenty compressed files of the seeds (about 18 KB of text each, under distinct ids): 360 KB to spill.
    let seeds = seeds();
    for k in 0..20 {
        let renamed: Vec<(String, String)> = seeds.iter().map(|(id, t)| (format!("{k}-{id}"), t.clone())).collect();
        std::fs::write(inputs.join(format!("{k:02}.jsonl.gz")), gzip(seeds_jsonl(&renamed).as_bytes())).unwrap();
    }
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -f 64 && trap '' XFSZ && exec \"$0\" scan --quiet --format json --ext jsonl \"$1\"")
        .arg(env!("CARGO_BIN_EXE_unspun"))
        .arg(&inputs)
        .env("TMPDIR", &tmp);
    let out = run_bounded(cmd, 120);
    let stderr = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot write") && stderr.contains(&tmp.display().to_string()), "{stderr}");
    assert!(stderr.contains("TMPDIR"), "{stderr}");
    assert!(!stderr.contains("cannot read"), "{stderr}");
    // The same input with room to spill is read cleanly.
    let mut cmd = bin();
    cmd.args(["scan", "--quiet", "--format", "json", "--ext", "jsonl"]).arg(&inputs).env("TMPDIR", &tmp);
    let out = run_bounded(cmd, 120);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(document_ids(&json(&out)).len(), 100);
}
