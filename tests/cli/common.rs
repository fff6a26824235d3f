//! Helpers shared by the end-to-end tests: running the binary, reading its reports, and the seed
//! articles written out in the other input formats (JSON Lines, WARC of HTML pages, gzip).

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The repository's root (the tests' fixed point: `corpus/`, `tests/golden/`, `../shared`).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The seed corpus: its folder, holding `docs/` (the articles, ids `docs/000_…`) and `truth.jsonl`.
pub fn corpus() -> PathBuf {
    repo().join("corpus")
}

/// The seed articles' own folder, `corpus/docs` (ids without the `docs/` prefix).
pub fn corpus_docs() -> PathBuf {
    corpus().join("docs")
}

/// The binary, with no arguments yet.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_unspun"))
}

/// Runs the binary with `args` and asserts it exits 0 (the failure shows the exit status and stderr).
pub fn run_ok(args: &[&str]) -> Output {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const SCAN_JSON: [&str; 4] = ["scan", "--quiet", "--format", "json"];

/// `unspun scan --quiet --format json ARGS`, whatever its exit code (the caller checks it).
pub fn scan_json(args: &[&OsStr]) -> Output {
    bin().args(SCAN_JSON).args(args).output().unwrap()
}

/// `unspun scan --quiet --format json -` with standard input read from the file at `path` (a file, not a
/// pipe), whatever its exit code.
pub fn scan_json_stdin_file(path: &Path) -> Output {
    bin().args(SCAN_JSON).arg("-").stdin(std::fs::File::open(path).unwrap()).output().unwrap()
}

/// `unspun scan --quiet --format json ARGS` with `stdin` written to a pipe as its standard input,
/// whatever its exit code.
pub fn scan_json_stdin_bytes(args: &[&OsStr], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(SCAN_JSON)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// The JSON report on a run's stdout (a failure to parse it shows the run's stderr).
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr)))
}

/// The ids of a JSON report's documents, in its order.
pub fn document_ids(report: &Value) -> Vec<&str> {
    report["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect()
}

/// Pairs as (a, b, relation, source) and clusters as (source, members).
pub type Verdicts = (Vec<[String; 4]>, Vec<(String, Vec<String>)>);

/// The verdicts of a JSON report in the report's order, with ids stripped of `prefix` (a missing source
/// is ""): pairs as (a, b, relation, source), and clusters as (source, members).
pub fn verdicts_stripped(out: &Output, prefix: &str) -> Verdicts {
    let report = json(out);
    let id = |v: &Value| v.as_str().map(|s| s.strip_prefix(prefix).unwrap_or(s).to_string()).unwrap_or_default();
    let pairs = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [id(&p["a"]), id(&p["b"]), p["relation"].as_str().unwrap().to_string(), id(&p["source"])])
        .collect();
    let clusters = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let members = c["members"].as_array().unwrap().iter().map(id).collect();
            (id(&c["source"]), members)
        })
        .collect();
    (pairs, clusters)
}

/// The pairs of a JSON report of the seeds as (a, b, relation, source), sorted, ids shortened to their
/// first three characters after any folder prefix (the seed ids start with 000…004; a missing source
/// is "-").
pub fn short_verdicts(report: &Value) -> Vec<(String, String, String, String)> {
    let short =
        |v: &Value| v.as_str().map(|s| s.rsplit('/').next().unwrap_or(s)[..3].to_string()).unwrap_or("-".into());
    let mut out: Vec<_> = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (short(&p["a"]), short(&p["b"]), p["relation"].as_str().unwrap().to_string(), short(&p["source"])))
        .collect();
    out.sort();
    out
}

/// Writes each (name, text) as `dir/name.txt`.
pub fn write_texts<N: AsRef<str>, T: AsRef<[u8]>>(dir: &Path, files: &[(N, T)]) {
    for (name, text) in files {
        std::fs::write(dir.join(format!("{}.txt", name.as_ref())), text).unwrap();
    }
}

/// The seed articles as (id, text), in id order.
pub fn seeds() -> Vec<(String, String)> {
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(corpus_docs())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (id, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5);
    seeds
}

/// The site the seeds are published on when written out as JSON Lines, CSV or web archives: each one's
/// URL (and in CSV its id) is `SITE` and its id.
pub const SITE: &str = "http://news.example/";

/// The seeds as JSON Lines, one `{"id", "text", "url"}` object a line.
pub fn seeds_jsonl(seeds: &[(String, String)]) -> String {
    seeds
        .iter()
        .map(|(id, text)| {
            let line = serde_json::json!({"id": id, "text": text, "url": format!("{SITE}{id}")});
            format!("{line}\n")
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A saved HTML page of a seed: its paragraphs in an `<article>`, with furniture around it (a script and
/// style in the head, navigation, an aside, a footer).
pub fn seed_page(id: &str, text: &str) -> String {
    let paragraphs: String =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("<p>{}</p>\n", escape(l))).collect();
    format!(
        "<!DOCTYPE html><html><head><title>{id}</title><script>var x = '<p>no</p>';</script>\
         <style>p {{ margin: 0 }}</style></head><body><header><nav><a href=\"/\">Home</a> \
         <a href=\"/world\">World news</a></nav></header><article>{paragraphs}</article>\
         <aside><p>Most read: something else entirely</p></aside>\
         <footer>Copyright News Example</footer></body></html>"
    )
}

/// A WARC of the seeds' pages (`seed_page`) as a crawler saves them: for each, its HTTP request and
/// response records.
pub fn seeds_warc(seeds: &[(String, String)]) -> Vec<u8> {
    let mut warc = Vec::new();
    for (id, text) in seeds {
        let uri = format!("{SITE}{id}");
        warc.extend(warc_record("request", &uri, "application/http; msgtype=request", b"GET / HTTP/1.1\r\n\r\n"));
        let html = seed_page(id, text);
        let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
        warc.extend(warc_record("response", &uri, "application/http; msgtype=response", http.as_bytes()));
    }
    warc
}

/// One WARC record of the given type, target URI and content type around `block`.
pub fn warc_record(kind: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n\
         WARC-Date: 2025-05-24T08:00:00Z\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// `bytes` as one gzip member.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// The Chromium to drive for the HTML report's tests: `$UNSPUN_CHROMIUM`, else `chromium` on the PATH
/// (`.ci/run` installs Debian's package when it is missing), with node to run `scripts/browser.mjs`; or
/// `None`, after saying on stderr why the browser test is skipped.
pub fn chromium() -> Option<PathBuf> {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|p| p.is_file()))
    };
    let browser = std::env::var_os("UNSPUN_CHROMIUM").map(PathBuf::from).or_else(|| on_path("chromium"));
    match (browser, on_path("node")) {
        (Some(browser), Some(_)) => Some(browser),
        (browser, _) => {
            eprintln!(
                "SKIPPED: the HTML report's browser test needs {}: install it (`apt-get install -y chromium`, as \
                 .ci/run does) or set UNSPUN_CHROMIUM",
                if browser.is_none() { "chromium" } else { "node" }
            );
            None
        }
    }
}

/// Runs `plan` (see `scripts/browser.mjs`: steps that open a page, wait, evaluate, click, take a
/// screenshot) in headless `chromium` and returns what the driver reports; a failed step fails the test.
pub fn browse(chromium: &Path, plan: &Value) -> Value {
    let out = Command::new("node")
        .arg(repo().join("scripts/browser.mjs"))
        .env("CHROMIUM", chromium)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(plan.to_string().as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("the browser driver gave no report ({e}): {}", String::from_utf8_lossy(&out.stderr))
    });
    assert!(out.status.success() && report["error"].is_null(), "the browser driver failed: {}", report["error"]);
    report
}

/// `path` as a `file://` URL, with `fragment` (`#…`, or "").
pub fn file_url(path: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", path.canonicalize().unwrap().display())
}

/// `unspun query --quiet --format json INDEX ARGS…`, whatever its exit code.
pub fn query_json(index: &Path, args: &[&OsStr]) -> Output {
    bin().args(["query", "--quiet", "--format", "json"]).arg(index).args(args).output().unwrap()
}

/// `unspun index SUBCOMMAND --quiet INDEX ARGS…`, whatever its exit code.
pub fn index(subcommand: &str, index: &Path, args: &[&OsStr]) -> Output {
    bin().args(["index", subcommand]).arg(index).args(args).arg("--quiet").output().unwrap()
}

/// The seed articles `ids` (by their first three characters, `000`…`004`) copied into a new folder
/// `dir/name`, which is returned.
pub fn seed_folder(dir: &Path, name: &str, ids: &[&str]) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let chosen: Vec<(String, String)> = seeds().into_iter().filter(|(id, _)| ids.contains(&&id[..3])).collect();
    assert_eq!(chosen.len(), ids.len());
    write_texts(&folder, &chosen);
    folder
}

/// A JSON report without what differs between two runs that judged the same way: the problems (a query
/// does not repeat those of reading the archive).
pub fn judged(out: &Output) -> Value {
    let mut report = json(out);
    report["summary"].as_object_mut().unwrap().remove("problems");
    report
}

/// The verdicts of a JSON report as `a b relation source` lines (source `-` when none), sorted.
pub fn verdict_lines(report: &Value) -> Vec<String> {
    let mut lines: Vec<String> = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or("-").to_string();
            format!("{} {} {} {}", s("a"), s("b"), s("relation"), s("source"))
        })
        .collect();
    lines.sort();
    lines
}

/// Runs `command` (its output dropped) and sends it `signal` (`INT`, `TERM`) once `ready()` holds, checked
/// without sleeping (the stage it waits for may be short); returns its exit status and whether it was
/// signalled. Panics when it runs past 120 s.
pub fn signal_when(command: &mut Command, signal: &str, ready: impl Fn() -> bool) -> (std::process::ExitStatus, bool) {
    use std::time::{Duration, Instant};
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut signalled = false;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, signalled);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the run did not end within 120 s");
        }
        if !signalled && ready() {
            let sent = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
            assert!(sent.success());
            signalled = true;
        }
    }
}
