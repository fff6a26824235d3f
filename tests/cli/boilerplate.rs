//! Web crawls' page furniture (`--boilerplate`), end to end: pages whose text keeps what the site prints
//! around every article, as WET records and pages without `<article>` markup do.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::common::{bin, corpus, gzip, json, seeds, verdict_lines, warc_record};

/// A page's text as a crawl's plain-text extraction gives it: the site's menu, the article, and the
/// site's notices and footer, each on lines of their own.
fn page(site: &str, article: &str) -> String {
    format!(
        "Home\nNews\nWorld\nBusiness\nSport\nContact us\n\n{article}\n\n\
         Sign up for the {site} daily briefing: the stories that matter, in your inbox every morning before \
         breakfast, with analysis from our correspondents around the world.\n\
         We use cookies to give you the best experience on our website. By continuing to browse you agree \
         to our use of cookies and to the terms of our privacy policy.\n\
         Share this article: Facebook | Twitter | Email | Print\n\
         © 2025 {site} Media Group. All rights reserved."
    )
}

/// An unrelated short article of its own for each `k`: sentences of made-up words (syllables drawn by a
/// fixed generator), so that no two share more than chance.
fn filler(k: u64) -> String {
    const SYLLABLES: [&str; 24] = [
        "ka", "lo", "mi", "ren", "tos", "va", "dur", "pe", "shi", "gan", "or", "bel", "nu", "tir", "sa", "quo", "fe",
        "lim", "dro", "wen", "ix", "za", "mor", "hul",
    ];
    let mut state = k.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = |n: usize| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let mut text = String::new();
    for _ in 0..6 {
        let words: Vec<String> =
            (0..14).map(|_| (0..3).map(|_| SYLLABLES[next(SYLLABLES.len())]).collect::<String>()).collect();
        let sentence = words.join(" ");
        text += &(sentence[..1].to_uppercase() + &sentence[1..] + ". ");
    }
    text
}

/// The seeds each published on a site of its own among nine other articles of that site, as JSON Lines
/// with URLs.
fn crawl() -> String {
    let sites = ["Daily Harbour", "Metro Ledger", "Valley Post", "Coast Wire", "Plains Courier"];
    let mut lines = String::new();
    for (s, ((id, text), site)) in seeds().iter().zip(sites).enumerate() {
        let host = site.to_lowercase().replace(' ', "-");
        let mut record = |id: &str, article: &str| {
            let url = format!("https://www.{host}.example/{id}");
            lines += &format!("{}\n", serde_json::json!({"id": id, "text": page(site, article), "url": url}));
        };
        record(id, text);
        for k in 0..9 {
            record(&format!("{host}-{k}"), &filler((s * 10 + k) as u64));
        }
    }
    lines
}

/// [`crawl`] written to `crawl.jsonl` in a temporary folder (kept while the folder lives).
fn crawl_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.jsonl");
    std::fs::write(&path, crawl()).unwrap();
    (dir, path)
}

#[test]
fn a_sites_furniture_is_left_out_and_the_seeds_are_judged_as_they_are_alone() {
    let (_dir, path) = crawl_file();
    let scan = |extra: &[&str]| {
        let out = bin().args(["scan", "--quiet", "--format", "json"]).args(extra).arg(&path).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        json(&out)
    };
    let alone = {
        let out = bin().args(["scan", "--quiet", "--format", "json"]).arg(corpus()).output().unwrap();
        verdict_lines(&json(&out)).into_iter().map(|l| l.replace("docs/", "")).collect::<Vec<_>>()
    };
    assert_eq!(alone.len(), 4, "{alone:?}");
    // Without: a site's pages share a few hundred words of furniture, and their articles are compared
    // through one of them or paired with each other.
    let plain = scan(&[]);
    assert_ne!(verdict_lines(&plain), alone);
    let stripped = scan(&["--boilerplate"]);
    assert_eq!(verdict_lines(&stripped), alone);
    assert_eq!(stripped["summary"]["grouped_documents"], 0);
    // Each site's six menu lines, two notices, share line and footer.
    assert_eq!(stripped["summary"]["furniture_lines"], 50);
    assert!(plain["summary"].get("furniture_lines").is_none());
    // Byte offsets still point into the page as read: 000's passages quote its article, not the furniture.
    let text: Value = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|d| d["id"].as_str().unwrap().starts_with("000"))
        .unwrap();
    let text = text["text"].as_str().unwrap();
    let pair =
        stripped["pairs"].as_array().unwrap().iter().find(|p| p["b"].as_str().unwrap().starts_with("001")).unwrap();
    let passages = pair["passages"].as_array().unwrap();
    assert!(!passages.is_empty());
    for p in passages {
        let [start, end] = [p["a"][0].as_u64().unwrap() as usize, p["a"][1].as_u64().unwrap() as usize];
        assert!(seeds()[0].1.contains(&text[start..end]), "{}", &text[start..end]);
    }
}

#[test]
fn furniture_is_learned_from_files_read_twice_not_from_standard_input() {
    // Refused before standard input is read: the pipe may close unread.
    let mut child = bin()
        .args(["scan", "--quiet", "--boilerplate", "--input-format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(crawl().as_bytes());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--boilerplate reads the inputs twice"), "{stderr}");
}

#[test]
fn an_index_is_not_built_with_furniture_left_out() {
    let (dir, path) = crawl_file();
    let out = bin()
        .args(["index", "build", "--quiet", "--boilerplate"])
        .arg(dir.path().join("idx"))
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--boilerplate"));
}

#[test]
fn a_scan_whose_pairs_join_pages_of_one_site_suggests_boilerplate() {
    let (_dir, path) = crawl_file();
    let stderr = |extra: &[&str]| {
        let out = bin().args(["scan", "--format", "summary"]).args(extra).arg(&path).output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(stderr(&[]).contains("--boilerplate leaves them out"));
    assert!(!stderr(&["--boilerplate"]).contains("note:"));
    // Seeds without URLs never get the note.
    let out = bin().args(["scan", "--format", "summary"]).arg(corpus()).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("note:"));
}

#[test]
fn a_gzipped_wet_file_of_framed_pages_is_read_twice_and_judged_as_the_seeds_alone() {
    // Common Crawl's text extracts: `conversion` records, the page's address as the target URI, gzip
    // compressed (read twice, each time decompressed; texts read again from the spill store).
    let mut wet = Vec::new();
    for line in crawl().lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let (uri, text) = (record["url"].as_str().unwrap(), record["text"].as_str().unwrap());
        wet.extend(warc_record("conversion", uri, "text/plain", text.as_bytes()));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.warc.wet.gz");
    std::fs::write(&path, gzip(&wet)).unwrap();
    let out = bin().args(["scan", "--quiet", "--format", "json", "--boilerplate"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Ids are the pages' addresses, in another order than the seeds' names: each pair as its two seed
    // ids (the addresses' ends) in order, relation and source.
    let normal = |lines: Vec<String>| {
        let mut lines: Vec<String> = lines
            .iter()
            .map(|l| {
                let w: Vec<&str> = l.split(' ').map(|w| w.rsplit('/').next().unwrap()).collect();
                let (a, b) = if w[0] < w[1] { (w[0], w[1]) } else { (w[1], w[0]) };
                format!("{a} {b} {} {}", w[2], w[3])
            })
            .collect();
        lines.sort();
        lines
    };
    let alone = bin().args(["scan", "--quiet", "--format", "json"]).arg(corpus()).output().unwrap();
    assert_eq!(normal(verdict_lines(&json(&out))), normal(verdict_lines(&json(&alone))));
}

/// Pages without an address cannot be grouped by site: --boilerplate says it left them as read, rather
/// than doing nothing without a word.
#[test]
fn boilerplate_says_when_documents_have_no_address() {
    let out = bin()
        .args(["scan", "--boilerplate", "--format", "summary"])
        .arg(crate::common::corpus_docs())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("note: 5 documents have no URL"), "{err}");
}
