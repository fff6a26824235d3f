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
