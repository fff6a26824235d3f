//! Issue 18, outputs: a report never overwrites an input, input-derived text cannot inject formulas
//! into CSV or control sequences into a terminal, an interrupted run leaves no temporary file, and no
//! progress bar stays on screen.

use std::path::Path;

use crate::common::{bin, corpus_docs, seeds, seeds_jsonl, signal_when, write_texts};

/// A scratch copy of the seed articles as `dir/NNN.txt` (`000.txt` to `004.txt`).
fn seed_folder(dir: &Path) {
    let seeds: Vec<(String, String)> = seeds().into_iter().map(|(id, text)| (id[..3].to_string(), text)).collect();
    write_texts(dir, &seeds);
}

/// `scan DIR -o DIR/000.txt`, the same file by another path (`DIR/../DIR/000.txt`), by a symlink, and
/// as `--against`: refused before scanning, exit 1, both paths named, the article untouched.
#[test]
fn output_equal_to_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    seed_folder(&docs);
    let article = docs.join("000.txt");
    let before = std::fs::read(&article).unwrap();
    let link = tmp.path().join("link.txt");
    std::os::unix::fs::symlink(&article, &link).unwrap();
    let other = docs.join("..").join("docs").join("000.txt");
    // A new report file inside the folder scanned would be read as an article by the next scan.
    let new = docs.join("report.txt");
    let cases: Vec<(Vec<&Path>, &Path)> = vec![
        (vec![&docs], &article),
        (vec![&article], &other),
        (vec![&docs], &link),
        (vec![&link], &article),
        (vec![&docs], &new),
    ];
    for (inputs, output) in cases {
        let out = bin().arg("scan").arg("--quiet").args(inputs).arg("-o").arg(output).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{output:?}: {stderr}");
        assert!(stderr.contains(&output.display().to_string()), "{stderr}");
        assert!(stderr.contains("is an input") || stderr.contains("inside the input"), "{stderr}");
        assert_eq!(std::fs::read(&article).unwrap(), before, "{output:?} overwrote the article");
    }
    assert!(!new.exists());
    // Compressed: a scanned folder reads `x.txt.gz` and `x.txt.zst` too (and the report was written there).
    for name in ["report.txt.gz", "report.TXT.zst"] {
        let output = docs.join(name);
        let out = bin().args(["scan", "--quiet", "-f", "text"]).arg(&docs).arg("-o").arg(&output).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains("inside the input") && !output.exists(), "{stderr}");
    }
    let out = bin()
        .arg("scan")
        .arg("--quiet")
        .arg(corpus_docs())
        .arg("--against")
        .arg(&docs)
        .arg("-o")
        .arg(&article)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&article).unwrap(), before);
    // A report beside the inputs, not one of them, is written as before.
    let report = tmp.path().join("report.txt");
    let out = bin().arg("scan").arg("--quiet").arg(&docs).arg("-o").arg(&report).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&report).unwrap().contains("000"));
}

/// The screen left by `bytes` written to a terminal `width` columns wide: the rows' text, with line
/// wrapping (deferred, as xterm does), `\r`, `\n`, and the sequences indicatif uses (`ESC[2K` clears the
/// row, `ESC[nA` / `ESC[nB` move up / down); other escape sequences are dropped.
fn screen(bytes: &[u8], width: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut rows: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => row += 1,
            '\x1b' => {
                if chars.peek() != Some(&'[') {
                    continue;
                }
                chars.next();
                let mut arg = String::new();
                let mut end = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() || c == '~' {
                        end = c;
                        break;
                    }
                    arg.push(c);
                }
                let n: usize = arg.parse().unwrap_or(1);
                match end {
                    'K' if arg == "2" => rows[row].clear(),
                    'A' => row = row.saturating_sub(n),
                    'B' => row += n,
                    _ => {}
                }
            }
            c if c.is_control() => {}
            c => {
                if col >= width {
                    row += 1;
                    col = 0;
                }
                while rows.len() <= row {
                    rows.push(Vec::new());
                }
                let line = &mut rows[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
        while rows.len() <= row {
            rows.push(Vec::new());
        }
    }
    rows.into_iter()
        .map(|r| r.into_iter().collect::<String>().trim_end().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

/// In a terminal 80 columns wide, a scan's progress bars are all cleared: only the closing summary is
/// left on screen. Run under `script` (util-linux), which gives the binary a terminal; skipped without it.
#[test]
fn no_progress_bar_stays_on_screen() {
    let Ok(status) = std::process::Command::new("script").arg("--version").output() else {
        eprintln!("no `script`: skipped");
        return;
    };
    assert!(status.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report.txt");
    let command = format!(
        "stty cols 80 rows 24; exec '{}' scan '{}' -o '{}'",
        env!("CARGO_BIN_EXE_unspun"),
        corpus_docs().display(),
        report.display()
    );
    let out = std::process::Command::new("script").args(["-qec", &command, "/dev/null"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = screen(&out.stdout, 80);
    // The summary itself is longer than 80 columns and wraps.
    assert!(rows.concat().starts_with("unspun: 5 documents") && rows.concat().ends_with('s'), "{rows:#?}");
    assert!(rows.iter().all(|r| !r.contains("eta") && !r.contains(" B/")), "{rows:#?}");
}

/// SIGTERM while the report is being written (its temporary file seen in the output's folder) leaves
/// no temporary file behind, and no report.
#[test]
fn interrupted_write_leaves_no_temporary_file() {
    use std::fmt::Write as _;
    let tmp = tempfile::tempdir().unwrap();
    // 100,000 short unrelated records: a JSON report of several megabytes, written in about 0.1 s.
    let mut lines = String::new();
    let mut x: u64 = 1;
    for i in 0..100_000 {
        write!(lines, "{{\"id\":\"d{i}\",\"text\":\"").unwrap();
        for _ in 0..25 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            write!(lines, "w{} ", (x >> 33) % 5000).unwrap();
        }
        lines.push_str("\"}\n");
    }
    let input = tmp.path().join("big.jsonl");
    std::fs::write(&input, lines).unwrap();
    let out_dir = tmp.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let report = out_dir.join("report.json");
    let temporaries = || -> Vec<String> {
        std::fs::read_dir(&out_dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    };
    // A temporary file with bytes in it: the report being written (the check before the scan creates an
    // empty one and removes it at once).
    let writing = || temporaries().iter().any(|n| std::fs::metadata(out_dir.join(n)).is_ok_and(|m| m.len() > 0));
    let mut scan = bin();
    scan.args(["scan", "--quiet", "--format", "json"]).arg(&input).arg("-o").arg(&report);
    let (status, signalled) = signal_when(&mut scan, "TERM", writing);
    assert!(signalled, "the writing stage ended before it was seen ({status:?}): make the input larger");
    assert_eq!(temporaries(), Vec::<String>::new(), "{status:?}");
    // No report, or (SIGTERM after the rename) a whole one.
    if report.exists() {
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(&report).unwrap()).unwrap();
    }
}

/// Ids, titles, URLs and dates from the input that a spreadsheet would run as formulas are written to
/// the CSV report with a leading `'` (OWASP's advice), control characters as escapes; the JSON report
/// keeps them exact.
#[test]
fn csv_cells_from_the_input_cannot_be_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let text = &seeds()[0].1;
    let hostile =
        [("=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2"), ("@SUM(A1)", "\tTAB", "\rCR", "=1")];
    let mut lines = String::new();
    for (id, title, url, date) in hostile {
        let record = serde_json::json!({"id": id, "text": text, "title": title, "url": url, "date": date});
        lines.push_str(&format!("{record}\n"));
    }
    let input = tmp.path().join("hostile.jsonl");
    std::fs::write(&input, lines).unwrap();
    let out = bin().args(["scan", "--quiet", "--format", "csv"]).arg(&input).output().unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    for cell in rows[0].iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} in {csv}");
    }
    for (id, title, url, _) in hostile {
        for cell in [id, title, url] {
            // A leading tab or carriage return is shown as an escape, which no spreadsheet runs.
            let want = match cell.strip_prefix('\t').map(|c| ("\\t", c)).or(cell.strip_prefix('\r').map(|c| ("\\r", c)))
            {
                Some((escape, rest)) => format!("{escape}{rest}"),
                None => format!("'{cell}"),
            };
            assert!(rows[0].iter().any(|c| c == want), "{cell:?} not neutralised in {csv}");
        }
    }
    let report =
        crate::common::json(&bin().args(["scan", "--quiet", "--format", "json"]).arg(&input).output().unwrap());
    assert!(crate::common::document_ids(&report).contains(&"=cmd|' /C calc'!A0"));
}

/// `-o report.json` (and `.jsonl`, `.csv`) without `--format` writes the format the extension names; an
/// explicit `--format` wins, and any other extension is text as before.
#[test]
fn the_output_format_follows_the_extension() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str, format: Option<&str>| {
        let path = tmp.path().join(name);
        let mut cmd = bin();
        cmd.args(["scan", "--quiet"]).arg(corpus_docs()).arg("-o").arg(&path);
        if let Some(format) = format {
            cmd.args(["--format", format]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::read_to_string(&path).unwrap()
    };
    let report: serde_json::Value = serde_json::from_str(&run("report.json", None)).unwrap();
    assert_eq!(report["tool"], "unspun");
    let lines = run("report.JSONL", None);
    assert!(lines.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{lines}");
    assert!(lines.lines().last().unwrap().contains("\"type\":\"summary\""), "{lines}");
    assert!(run("report.ndjson", None).starts_with('{'));
    assert!(run("report.csv", None).starts_with("a,b,relation,"));
    assert!(run("report.txt", None).contains(" → "));
    assert!(run("report", None).contains(" → "));
    assert!(run("report.json", Some("text")).contains(" → "));
    assert!(run("report.txt", Some("json")).starts_with('{'));
    // --explain is for text: with a .json report it says where the format came from.
    let out = bin()
        .args(["scan", "--quiet", "--explain"])
        .arg(corpus_docs())
        .arg("-o")
        .arg(tmp.path().join("e.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--explain") && stderr.contains(".json"), "{stderr}");
}

/// Control characters from the input (ESC starting colour and window-title sequences, BEL, carriage
/// returns, newlines in ids) are shown escaped in the text report, `--explain`'s quotations and the
/// messages on stderr, so they neither drive the terminal nor forge a report line; the JSON report keeps
/// them exact.
#[test]
fn control_characters_are_escaped_in_human_facing_output() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let forged = "000\ndocs/fake → docs/forged  rewrite  0.99";
    let coloured = "001\u{1b}[31m\u{1b}]0;pwned\u{7}";
    // The first seed's text with an escape sequence inside its first sentence, so that a quoted passage
    // holds it (and a carriage return, which a quotation collapses as white space).
    let text = seeds[0].1.replacen(' ', " \u{1b}[2J\r ", 1);
    let mut lines = String::new();
    for (id, text) in [(forged, text.as_str()), (coloured, seeds[1].1.as_str())] {
        lines.push_str(&format!("{}\n", serde_json::json!({"id": id, "text": text})));
    }
    lines.push_str("not json\n");
    // A file name with an escape sequence: quoted in the message about its malformed line.
    let input = tmp.path().join("hostile\u{1b}]0;title\u{7}.jsonl");
    std::fs::write(&input, lines).unwrap();
    let hostile = |bytes: &[u8]| bytes.iter().any(|&b| b == 0x1b || b == 0x07 || b == b'\r');
    for explain in [false, true] {
        let mut cmd = bin();
        cmd.args(["scan", "--quiet"]).arg(&input);
        if explain {
            cmd.arg("--explain");
        }
        let out = cmd.output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(!hostile(&out.stdout), "stdout: {stdout:?}");
        assert!(!hostile(&out.stderr), "stderr: {stderr:?}");
        assert!(stdout.lines().next().unwrap().contains("000\\ndocs/fake → docs/forged  rewrite  0.99"), "{stdout}");
        assert!(!stdout.lines().any(|l| l.starts_with("docs/fake")), "a forged line: {stdout}");
        assert!(stdout.contains("001\\u{1b}[31m\\u{1b}]0;pwned\\u{7}"), "{stdout}");
        if explain {
            assert!(stdout.contains("“The \\u{1b}[2J two nations"), "{stdout}");
        }
        assert!(stderr.contains("hostile\\u{1b}]0;title\\u{7}.jsonl:3: "), "{stderr}");
    }
    // An error that stops the run names the path escaped too.
    let missing = tmp.path().join("gone\u{1b}[2J");
    let out = bin().args(["scan", "--quiet"]).arg(&missing).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!hostile(&out.stderr), "{:?}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gone\\u{1b}[2J"));
    // The JSON report keeps the ids exact.
    let report =
        crate::common::json(&bin().args(["scan", "--quiet", "--format", "json"]).arg(&input).output().unwrap());
    assert_eq!(crate::common::document_ids(&report), [forged, coloured]);
}

/// A value a message quotes (a date that does not read) is escaped once where it is shown, and kept
/// exact in the JSON report: it was escaped when quoted and again on the terminal (`\\u{1b}`, which says
/// the input held a backslash).
#[test]
fn a_value_quoted_in_a_message_is_escaped_once() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("dates.jsonl");
    let record = serde_json::json!({"id": "a", "text": seeds()[0].1, "date": "\u{1b}[2J\\x"});
    std::fs::write(&input, format!("{record}\n")).unwrap();
    let out = bin().args(["scan", "--quiet", "--format", "json"]).arg(&input).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(the first at line 1: \"\\u{1b}[2J\\\\x\")"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = report["summary"]["problems"][0]["message"].as_str().unwrap();
    assert!(message.contains("(the first at line 1: \"\u{1b}[2J\\x\")"), "{message}");
}

/// `scan - -o FILE < FILE`: the report would replace the articles being read from standard input:
/// refused, exit 1, the file untouched.
#[test]
fn output_equal_to_standard_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let articles = tmp.path().join("articles.jsonl");
    std::fs::write(&articles, seeds_jsonl(&seeds())).unwrap();
    let before = std::fs::read(&articles).unwrap();
    // `scan - -o REPORT < articles.jsonl`
    let scan_stdin_to = |report: &Path| {
        let stdin = std::fs::File::open(&articles).unwrap();
        bin().args(["scan", "--quiet", "-", "-o"]).arg(report).stdin(stdin).output().unwrap()
    };
    let out = scan_stdin_to(&articles);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("standard input"), "{stderr}");
    assert_eq!(std::fs::read(&articles).unwrap(), before);
    // Another file on standard input is no reason to refuse.
    let out = scan_stdin_to(&tmp.path().join("report.json"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A report to a symlink replaces the file the link names (the link stays a link, a dangling one
/// creates its file), keeps the permissions of the file it replaces, and `/dev/stdout` is written
/// through, not replaced.
#[test]
fn a_report_goes_where_a_link_points_and_keeps_the_file_s_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let (real, link) = (tmp.path().join("real.txt"), tmp.path().join("link.txt"));
    std::fs::write(&real, "old").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink("real.txt", &link).unwrap();
    let (missing, dangling) = (tmp.path().join("missing.txt"), tmp.path().join("dangling.txt"));
    std::os::unix::fs::symlink("missing.txt", &dangling).unwrap();
    for output in [&link, &dangling] {
        let out = bin().arg("scan").arg("--quiet").arg(corpus_docs()).arg("-o").arg(output).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(std::fs::symlink_metadata(output).unwrap().file_type().is_symlink(), "{output:?} was replaced");
    }
    for file in [&real, &missing] {
        assert!(std::fs::read_to_string(file).unwrap().contains("rewrite"), "{file:?} holds no report");
    }
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o600);
    let captured = tmp.path().join("captured.txt");
    let out = bin()
        .args(["scan", "--quiet"])
        .arg(corpus_docs())
        .args(["-o", "/dev/stdout"])
        .stdout(std::fs::File::create(&captured).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&captured).unwrap().contains("rewrite"));
    assert!(std::fs::symlink_metadata("/dev/stdout").unwrap().file_type().is_symlink());
}

/// A mistyped argument's message quotes it without its control characters: an ESC sequence in it does
/// not reach the terminal. Run on a terminal (`script`, util-linux's, gives one): written to a pipe, the
/// argument parser strips the sequences itself.
#[test]
fn an_argument_error_writes_no_control_characters() {
    let program = bin().get_program().to_str().unwrap().to_string();
    let command = format!(r#"{program} scan --window "$(printf '\033[31m3\033]0;title\007')" corpus"#);
    let out = std::process::Command::new("script").args(["-qec", &command, "/dev/null"]).output();
    let out = out.expect("script (util-linux) runs a command on a terminal");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("--window"), "{stdout}");
    assert!(!stdout.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r')), "{stdout:?}");
}

/// A reader that closes the pipe early (`| head -1`) is its choice, not an error, in every format and
/// through `-o /dev/stdout`: exit 0, nothing said (CSV said "Broken pipe" and exited 1, its writer's
/// error having lost the error's kind; `-o /dev/stdout` did in every format).
#[test]
fn a_reader_closing_the_pipe_early_is_no_error() {
    use std::io::Read;
    use std::process::Stdio;
    let news = crate::common::repo().join("../shared/eval/news-scale/news-scale.jsonl.gz");
    for args in [&["-f", "csv"][..], &["-f", "text", "-o", "/dev/stdout"]] {
        let mut child = bin()
            .args(["scan", "--quiet"])
            .arg(&news)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 64];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

/// `-o` into a folder that does not exist names the folder, not the temporary file the report was to be
/// written through.
#[test]
fn a_report_into_a_missing_folder_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("nowhere").join("r.json");
    let out = bin().args(["scan", "--quiet", "-o"]).arg(&report).arg(corpus_docs()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let folder = dir.path().join("nowhere");
    assert!(
        stderr.contains(&format!("cannot create a file in the folder {}: no such folder", folder.display())),
        "{stderr}"
    );
    assert!(!stderr.contains(".r.json."), "{stderr}");
}

/// A standard error that cannot be written (closed, or a full disk behind it) costs neither the report
/// nor the exit code: its messages are lost, not the run (it panicked with exit 101 before writing).
#[test]
fn an_unwritable_stderr_costs_nothing_else() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let damaged = tmp.path().join("b.jsonl");
    std::fs::write(&damaged, "{\"id\": \"x\", \"text\": \"hello\"}\n{broken\n").unwrap();
    let report = tmp.path().join("r.json");
    let status =
        bin().args(["scan", "-o"]).arg(&report).arg(corpus_docs()).arg(&damaged).stderr(full).status().unwrap();
    assert_eq!(status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["problems"].as_array().unwrap().len(), 1);
}
