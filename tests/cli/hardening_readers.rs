//! Issue 18, damage that hides good records: each case is a file with one damaged part, and every good
//! record around it must still be read, the damage reported.

use serde_json::Value;

use crate::common::*;

/// The problems of a report, as their messages.
fn problem_messages(report: &Value) -> Vec<String> {
    report["summary"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_string())
        .collect()
}

/// The seeds' WARC with one more response record after the first seed's, whose Content-Length claims
/// `extra` bytes more than it holds.
fn warc_with_overshoot(extra: u64) -> Vec<u8> {
    let seeds = seeds();
    let bad = warc_record(
        "response",
        "http://bad.example/",
        "application/http; msgtype=response",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>A short page.</p></body></html>",
    );
    let text = String::from_utf8(bad).unwrap();
    let (head, rest) = text.split_once("Content-Length: ").unwrap();
    let (length, rest) = rest.split_once("\r\n").unwrap();
    let length: u64 = length.parse().unwrap();
    let bad = format!("{head}Content-Length: {}\r\n{rest}", length + extra);
    let mut warc = seeds_warc(&seeds[..1]);
    warc.extend_from_slice(bad.as_bytes());
    warc.extend(seeds_warc(&seeds[1..]));
    warc
}

#[test]
fn warc_content_length_overshoot_loses_no_later_record() {
    let dir = tempfile::tempdir().unwrap();
    for extra in [6_000, 99_999_999_999] {
        let warc = warc_with_overshoot(extra);
        for (name, bytes) in [("crawl.warc", warc.clone()), ("crawl.warc.gz", gzip(&warc))] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let out = scan_json(&[path.as_os_str()]);
            assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
            let report = json(&out);
            let ids = document_ids(&report);
            assert_eq!(ids.len(), 5, "{name} +{extra}: {ids:?}");
            assert!(ids.iter().all(|id| id.starts_with(SITE)), "{ids:?}");
            let problems = problem_messages(&report);
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].contains("runs past the next record"), "{problems:?}");
        }
    }
}

#[test]
fn jsonl_nul_byte_skips_its_line_only() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let mut jsonl = seeds_jsonl(&seeds[..1]).into_bytes();
    jsonl.extend_from_slice(b"{\"id\": \"nul\", \"text\": \"a\0b\"}\n");
    jsonl.extend(seeds_jsonl(&seeds[1..]).into_bytes());
    let path = dir.path().join("seeds.jsonl");
    std::fs::write(&path, jsonl).unwrap();
    let out = scan_json(&[path.as_os_str()]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(document_ids(&report).len(), 5, "{report}");
    let problems = report["summary"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["line"], 2, "{problems:?}");
}

#[test]
fn jsonl_byte_order_mark_is_not_part_of_line_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seeds.jsonl");
    let seeds = seeds();
    std::fs::write(&path, format!("\u{feff}{}", seeds_jsonl(&seeds))).unwrap();
    let out = scan_json(&[path.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let ids: Vec<&str> = seeds.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(document_ids(&json(&out)), ids);
}

#[test]
fn truncation_is_reported_past_the_problem_cap() {
    let dir = tempfile::tempdir().unwrap();
    let mut jsonl = "not json\n".repeat(150);
    jsonl.push_str(&seeds_jsonl(&seeds()));
    let gz = gzip(jsonl.as_bytes());
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, &gz[..gz.len() - 200]).unwrap();
    let out = scan_json(&[path.as_os_str()]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let problems = problem_messages(&json(&out));
    assert!(problems.iter().any(|m| m.contains("rest of file skipped")), "{problems:?}");
    assert!(problems.iter().any(|m| m.contains("50 more problems")), "{problems:?}");
}

#[test]
fn truncation_is_reported_past_the_cap_of_held_problems() {
    // No record has the text field, so the problems are held to be said once ("no record has field"); the
    // cut at the end comes after 150 of them, past the cap, and must still be listed.
    let dir = tempfile::tempdir().unwrap();
    let jsonl: String = (0..2_000).map(|k| format!("{{\"id\": \"r{k}\", \"body\": \"words {k}\"}}\n")).collect();
    let gz = gzip(jsonl.as_bytes());
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, &gz[..gz.len() - 200]).unwrap();
    let out = scan_json(&[path.as_os_str()]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let problems = problem_messages(&json(&out));
    assert!(problems.iter().any(|m| m.contains("no record has field \"text\"")), "{problems:?}");
    assert!(problems.iter().any(|m| m.contains("rest of file skipped")), "{problems:?}");
}

/// Issue 18, item 8: real pages and crawls read right.
mod real_pages {
    use super::problem_messages;
    use crate::common::*;

    fn document<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
        report["documents"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap_or_else(|| panic!("no {id}"))
    }

    /// A seed's page (`seed_page`) with `title` as its title and `meta` in its head.
    fn page(text: &str, title: &str, meta: &str) -> String {
        seed_page("x", text).replacen("<title>x</title>", &format!("{meta}<title>{title}</title>"), 1)
    }

    /// Pages in Windows-1252 (smart quotes) and Windows-1251 (Cyrillic), declared in a `<meta>`, are decoded
    /// by their charset; named entities of all HTML5 are decoded.
    #[test]
    fn charsets_and_named_entities() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = seeds();
        let quotes = "It’s “the” deal — 5 €";
        let w1252 = encoding_rs::WINDOWS_1252
            .encode(&page(&seeds[0].1, quotes, "<meta charset=\"windows-1252\">"))
            .0
            .into_owned();
        let cyrillic = "Обмен пленными между Россией и Украиной";
        let body: String = (0..4).map(|_| format!("{cyrillic}. Стороны обменялись сотнями военнопленных.\n")).collect();
        let meta = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">";
        let w1251 = encoding_rs::WINDOWS_1251.encode(&page(&body, cyrillic, meta)).0.into_owned();
        let entities = page(&seeds[2].1, "L&oacute;pez&rsquo;s &frac12; &Scaron;koda &NotEqualTilde; &amp;c", "");
        std::fs::write(dir.path().join("w1252.html"), w1252).unwrap();
        std::fs::write(dir.path().join("w1251.html"), w1251).unwrap();
        std::fs::write(dir.path().join("entities.html"), entities).unwrap();
        let out = scan_json(&[dir.path().as_os_str(), "--ext".as_ref(), "html".as_ref()]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let report = json(&out);
        assert_eq!(document(&report, "w1252")["title"], quotes);
        assert_eq!(document(&report, "w1251")["title"], cyrillic);
        assert!(document(&report, "w1251")["words"].as_u64().unwrap() > 20, "{report}");
        assert_eq!(document(&report, "entities")["title"], "López’s ½ Škoda ≂̸ &c");
    }

    /// Dates with time zones compare in UTC; a date that does not read as one is said once per file and is
    /// not the document's date.
    #[test]
    fn dates_with_time_zones_and_unreadable_dates() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = seeds();
        // 000 at 16:30 UTC on the 23rd, 001 at 07:00 UTC on the 25th: 1.6 days apart. Read without their
        // zones, 01:30 and 23:00 of one day, they were under a day apart and the dates said nothing.
        let dates =
            ["2025-05-24T01:30:00+09:00", "2025-05-24T23:00:00-08:00", "27/05/2025", "2025-05-26", "28/05/2025"];
        let lines: String = seeds
            .iter()
            .zip(dates)
            .map(|((id, text), date)| format!("{}\n", serde_json::json!({"id": id, "text": text, "date": date})))
            .collect();
        let path = dir.path().join("dated.jsonl");
        std::fs::write(&path, lines).unwrap();
        let out = scan_json(&[path.as_os_str()]);
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        let report = json(&out);
        let pair = report["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["a"] == seeds[0].0 && p["b"] == seeds[1].0)
            .unwrap_or_else(|| panic!("no 000-001 pair: {report}"));
        let date = pair["evidence"].as_array().unwrap().iter().find(|e| e["signal"] == "date");
        let date = date.unwrap_or_else(|| panic!("no date evidence: {pair}"));
        assert_eq!(date["favours"], seeds[0].0, "{pair}");
        assert_eq!(date["detail"], "published 1.6 days earlier", "{pair}");
        // The unreadable dates: one problem for the file, naming the first, and no date echoed.
        let problems = problem_messages(&report);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("2 records") && problems[0].contains("line 3: \"27/05/2025\""), "{problems:?}");
        assert!(document(&report, &seeds[2].0).get("date").is_none(), "{report}");
        assert_eq!(document(&report, &seeds[3].0)["date"], "2025-05-26");
    }

    /// Two instants of publication (times with their zones) hours apart name the earlier the source, as
    /// dates a day apart do; times without a zone (local times read as UTC) do not, nor crawl dates.
    #[test]
    fn instants_of_publication_hours_apart_name_the_earlier() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = seeds();
        // 003, the LLM rewrite of 000, dated six hours before it: the dates, not the texts, decide.
        let source_of = |dates: [&str; 2]| {
            let lines: String = [(0, dates[0]), (3, dates[1])]
                .iter()
                .map(|&(i, date)| {
                    format!("{}\n", serde_json::json!({"id": seeds[i].0, "text": seeds[i].1, "date": date}))
                })
                .collect();
            let path = dir.path().join("instants.jsonl");
            std::fs::write(&path, lines).unwrap();
            let report = json(&scan_json(&[path.as_os_str()]));
            let pair = report["pairs"][0].clone();
            let date = pair["evidence"].as_array().unwrap().iter().find(|e| e["signal"] == "date").cloned();
            (pair["source"].clone(), date.map(|d| d["detail"].clone()))
        };
        let (source, detail) = source_of(["2025-05-24T16:00:00Z", "2025-05-24T10:00:00Z"]);
        assert_eq!(
            (source, detail),
            (serde_json::json!(seeds[3].0), Some(serde_json::json!("published 6.0 hours earlier")))
        );
        let (_, detail) = source_of(["2025-05-24T16:00:00", "2025-05-24T10:00:00"]);
        assert_eq!(detail, None, "times without a zone are no instants");
        let (_, detail) = source_of(["2025-05-24T10:30:00Z", "2025-05-24T10:00:00Z"]);
        assert_eq!(detail, None, "within the hour");
        // Crawl dates six hours apart, pages without a date of their own: when a crawler came is no
        // publication.
        let page = |i: usize| format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>{}</p>", seeds[i].1);
        let warc: Vec<u8> = [(0, "16"), (3, "10")]
            .iter()
            .flat_map(|&(i, hour)| {
                let record = warc_record("response", &format!("http://x/{i}"), "application/http", page(i).as_bytes());
                String::from_utf8(record).unwrap().replace("T08:00:00Z", &format!("T{hour}:00:00Z")).into_bytes()
            })
            .collect();
        let path = dir.path().join("crawl.warc");
        std::fs::write(&path, warc).unwrap();
        let report = json(&scan_json(&[path.as_os_str()]));
        let evidence = report["pairs"][0]["evidence"].as_array().unwrap().clone();
        assert!(evidence.iter().all(|e| e["signal"] != "date"), "{evidence:?}");
    }

    /// A capture whose HTTP headers say `Transfer-Encoding: chunked` over a body stored de-chunked (as
    /// pywb's sample iana.warc.gz holds) is read from the body as it is, as warcio does.
    #[test]
    fn chunked_header_over_a_dechunked_body() {
        let dir = tempfile::tempdir().unwrap();
        let mut warc = Vec::new();
        for (id, text) in seeds() {
            let http = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n{}",
                seed_page(&id, &text)
            );
            warc.extend(warc_record(
                "response",
                &format!("{SITE}{id}"),
                "application/http; msgtype=response",
                http.as_bytes(),
            ));
        }
        let path = dir.path().join("capture.warc.gz");
        std::fs::write(&path, gzip(&warc)).unwrap();
        let out = scan_json(&[path.as_os_str()]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let report = json(&out);
        assert_eq!(document_ids(&report).len(), 5, "{report}");
        assert_eq!(short_verdicts(&report).len(), 4, "{report}");
    }

    /// An ARC file (the web archive format before WARC) is said to be unsupported, not read as one text
    /// of headers.
    #[test]
    fn arc_files_are_said_to_be_unsupported() {
        let dir = tempfile::tempdir().unwrap();
        let mut arc = b"filedesc://crawl.arc 0.0.0.0 20250524080000 text/plain 76\n1 0 Example\nURL IP-address \
            Archive-date Content-type Archive-length\n\n"
            .to_vec();
        let page = seed_page("000", &seeds()[0].1);
        arc.extend(format!("http://news.example/000 1.2.3.4 20250524080000 text/html {}\n", page.len()).bytes());
        arc.extend(page.bytes());
        let path = dir.path().join("crawl.arc.gz");
        std::fs::write(&path, gzip(&arc)).unwrap();
        let out = scan_json(&[path.as_os_str()]);
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        let report = json(&out);
        assert!(document_ids(&report).is_empty(), "{report}");
        let problems = problem_messages(&report);
        assert!(problems.len() == 1 && problems[0].contains("ARC") && problems[0].contains("not read"), "{problems:?}");
    }

    /// An .html file over the 4 MiB page cap whose text comes after 4 MiB of markup says it was cut.
    #[test]
    fn a_page_cut_before_its_text_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut html = "<!DOCTYPE html><html><body>".to_string();
        while html.len() < (4 << 20) + 1000 {
            html.push_str("<div class=\"wrapper\"><span data-x=\"1\"></span></div>\n");
        }
        html.push_str(&format!("<article><p>{}</p></article></body></html>", seeds()[0].1));
        let path = dir.path().join("big.html");
        std::fs::write(&path, html).unwrap();
        let out = scan_json(&[path.as_os_str()]);
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        let problems = problem_messages(&json(&out));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("cut") && problems[0].contains("4194304 bytes"), "{problems:?}");
    }
}
