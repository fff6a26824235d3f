//! Which one is the source, end to end: a crawl's many exact copies of an article neither hide its
//! rewrites nor make a rewrite the source of its original (copies count once in the collection's counts).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{bin, json, seeds};

/// The seeds, and `n` exact copies of 000 as JSON Lines with ids `{prefix}{k}`, scanned together: the
/// JSON report.
fn seeds_with_copies(n: usize, prefix: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();
    std::fs::create_dir(dir.path().join("seeds")).unwrap();
    for (id, text) in &seeds {
        std::fs::write(dir.path().join("seeds").join(format!("{id}.txt")), text).unwrap();
    }
    let original = &seeds[0].1;
    let copies: String = (0..n)
        .map(|k| serde_json::json!({"id": format!("{prefix}{k:05}"), "text": original}).to_string() + "\n")
        .collect();
    std::fs::write(dir.path().join("copies.jsonl"), copies).unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["scan", "--quiet", "--format", "json", "seeds", "copies.jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    json(&out)
}

/// With the copies of 000 as one text (`000` standing for each), the seeds' verdicts: 001 and 003 are
/// rewrites whose source is 000, siblings of each other without a source, and 002 and 004 share a passage
/// without a source. Every copy is a duplicate of 000 or of another copy, and all of them are connected.
fn assert_seed_verdicts_with_copies(report: &Value, n: usize, prefix: &str) {
    let seed = |id: &str| if id.starts_with(prefix) { "000".to_string() } else { id[..3].to_string() };
    let mut verdicts: BTreeMap<(String, String), BTreeSet<(String, String)>> = BTreeMap::new();
    let mut copies = 0;
    for p in report["pairs"].as_array().unwrap() {
        let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
        let relation = p["relation"].as_str().unwrap().to_string();
        let source = p["source"].as_str().map_or("-".to_string(), seed);
        let (x, y) = (seed(a), seed(b));
        if x == "000" && y == "000" {
            assert_eq!(relation, "duplicate", "{a} {b}");
            copies += 1;
            continue;
        }
        let key = if x < y { (x, y) } else { (y, x) };
        verdicts.entry(key).or_default().insert((relation, source));
    }
    let one = |r: &str, s: &str| BTreeSet::from([(r.to_string(), s.to_string())]);
    let want = BTreeMap::from([
        (("000".into(), "001".into()), one("rewrite", "000")),
        (("000".into(), "003".into()), one("rewrite", "000")),
        (("001".into(), "003".into()), one("rewrite", "-")),
        (("002".into(), "004".into()), one("partial", "-")),
    ]);
    assert_eq!(verdicts, want, "{n} copies");
    // The copies and 000 are n + 1 documents joined by at least n duplicate pairs, in one cluster.
    assert!(copies >= n, "{copies} duplicate pairs for {n} copies");
    let clusters = report["clusters"].as_array().unwrap();
    let with_000 = clusters
        .iter()
        .find(|c| c["members"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().starts_with("000")))
        .expect("a cluster holds 000");
    let members = with_000["members"].as_array().unwrap();
    let copies_in = members.iter().filter(|m| m.as_str().unwrap().starts_with(prefix)).count();
    assert_eq!(copies_in, n, "every copy in 000's cluster");
}

#[test]
fn one_copy_of_the_original_changes_no_verdict() {
    assert_seed_verdicts_with_copies(&seeds_with_copies(1, "copy"), 1, "copy");
}

#[test]
fn seven_copies_leading_their_group_do_not_make_a_rewrite_the_source() {
    // `+` sorts before the seeds' digits, so a copy leads the group of eight that the copies and 000 form.
    assert_seed_verdicts_with_copies(&seeds_with_copies(7, "+copy"), 7, "+copy");
}

#[test]
fn a_hundred_copies_do_not_hide_the_rewrites() {
    assert_seed_verdicts_with_copies(&seeds_with_copies(100, "copy"), 100, "copy");
}

/// Heavy (a 200 MB input): run by `cargo test --release --test cli -- --ignored`.
#[test]
#[ignore]
fn fifty_thousand_copies_do_not_hide_the_rewrites() {
    assert_seed_verdicts_with_copies(&seeds_with_copies(50_000, "+copy"), 50_000, "+copy");
}

/// Sixty near-copies of 000, each with one word changed (a near-duplicate group: in a crawl, a wire story
/// republished with small edits), scanned with the seeds, and the seeds scanned against 000 with them:
/// 001 and 003 are still rewrites of 000. The copies' words are in most of the collection's documents;
/// counted once, as exact copies are, they remain evidence of copying (with them counted sixty times, both
/// pairs were judged unrelated).
#[test]
fn sixty_near_copies_do_not_hide_the_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let line = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string() + "\n";
    let words: Vec<&str> = seeds[0].1.split(' ').collect();
    let copies: String = (0..60)
        .map(|k| {
            let mut text = words.clone();
            let changed = format!("zq{k}word");
            text[(k * 37) % words.len()] = &changed;
            line(&format!("copy{k:02}"), &text.join(" "))
        })
        .collect();
    let others: String = seeds[1..].iter().map(|(id, text)| line(&id[..3], text)).collect();
    let (crawl, ours) = (dir.path().join("crawl.jsonl"), dir.path().join("ours.jsonl"));
    std::fs::write(&crawl, others + &copies).unwrap();
    std::fs::write(&ours, line("000", &seeds[0].1)).unwrap();
    let rewrites = |args: &[&std::ffi::OsStr]| {
        let out = bin().args(["scan", "--quiet", "--format", "json"]).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report = json(&out);
        let pairs = report["pairs"].as_array().unwrap().clone();
        let with_000: BTreeSet<String> = (pairs.iter())
            .filter(|p| p["a"] == "000" && p["relation"] == "rewrite")
            .map(|p| p["b"].as_str().unwrap().to_string())
            .collect();
        with_000
    };
    let want = BTreeSet::from(["001".to_string(), "003".to_string()]);
    assert_eq!(rewrites(&[ours.as_os_str(), crawl.as_os_str()]), want);
    assert_eq!(rewrites(&[crawl.as_os_str(), "--against".as_ref(), ours.as_os_str()]), want);
}

/// Sixty edited copies of 000 (each with a different tenth of its words changed, too many changes for a
/// near-duplicate group), scanned with the seeds: a story republished across a batch. Its words are in
/// most of the collection's documents, which made them "collection-common" and no evidence of copying,
/// until the copies themselves were discounted: every copy must be found as 000's.
#[test]
fn sixty_edited_copies_are_found_though_their_words_fill_the_collection() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let folder = dir.path().join("seeds");
    std::fs::create_dir(&folder).unwrap();
    crate::common::write_texts(&folder, &seeds);
    let original = &seeds[0].1;
    // A word changed for another word of the text, as a careless editor or a spinner would.
    let words: Vec<&str> = original.split(' ').collect();
    let copies: String = (0..60)
        .map(|k| {
            let text: Vec<&str> = (0..words.len())
                .map(|i| {
                    if i % 10 == k % 10 && !words[i].contains('\n') {
                        words[(i * 7 + k) % words.len()]
                    } else {
                        words[i]
                    }
                })
                .collect();
            let text = text.join(" ");
            serde_json::json!({"id": format!("copy{k:02}"), "text": text}).to_string() + "\n"
        })
        .collect();
    let list = dir.path().join("copies.jsonl");
    std::fs::write(&list, copies).unwrap();
    let out = bin().args(["scan", "--quiet", "--format", "json"]).arg(&folder).arg(&list).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let pairs = report["pairs"].as_array().unwrap();
    let is_copy = |id: &str| id.starts_with("copy");
    let of_original: BTreeSet<&str> = pairs
        .iter()
        .filter_map(|p| match (p["a"].as_str().unwrap(), p["b"].as_str().unwrap()) {
            (a, b) if a.starts_with("000") && is_copy(b) => Some(b),
            (a, b) if b.starts_with("000") && is_copy(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(of_original.len(), 60, "copies paired with 000: {of_original:?}");
    // 000 is their source: the other copies, past the witnesses consulted, are its relatives, not
    // unrelated documents that make its wording stock phrasing.
    for p in pairs {
        let (a, b, source) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap(), p["source"].as_str());
        if (a.starts_with("000") && is_copy(b)) || (b.starts_with("000") && is_copy(a)) {
            assert!(source.is_some_and(|s| s.starts_with("000")), "{p}");
        }
    }
    // The spinner's copy 001 ~ 000, and 002 ~ 004, stand. (003, the LLM rewrite, shares too few passages
    // with 000 to count the copies as its relatives: its words stay common to it, and its pairs with 000
    // and 001 are lost among sixty copies; docs/accuracy.md, "A story copied across the collection".)
    let seed_pairs: BTreeSet<(String, String, String)> = pairs
        .iter()
        .filter(|p| !is_copy(p["a"].as_str().unwrap()) && !is_copy(p["b"].as_str().unwrap()))
        .map(|p| {
            (p["a"].as_str().unwrap()[..3].into(), p["b"].as_str().unwrap()[..3].into(), p["relation"].to_string())
        })
        .collect();
    let want = [("000", "001", "rewrite"), ("002", "004", "partial")];
    let want: BTreeSet<(String, String, String)> =
        want.iter().map(|(a, b, r)| (a.to_string(), b.to_string(), format!("\"{r}\""))).collect();
    assert_eq!(seed_pairs, want);
}

/// A text with every `every`-th word (counting from `offset`) replaced by `{mark}{k}`.
fn edited(text: &str, every: usize, offset: usize, mark: &str) -> String {
    text.split(' ')
        .enumerate()
        .map(|(k, w)| if k % every == offset && !w.contains('\n') { format!("{mark}{k}") } else { w.to_string() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The JSON report of a scan of one JSON Lines file of `(id, text, date)` records.
fn scan_dated(records: &[(&str, &str, &str)]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = records
        .iter()
        .map(|(id, text, date)| serde_json::json!({"id": id, "text": text, "date": date}).to_string() + "\n")
        .collect();
    std::fs::write(dir.path().join("dated.jsonl"), lines).unwrap();
    let out =
        bin().current_dir(dir.path()).args(["scan", "--quiet", "--format", "json", "dated.jsonl"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    json(&out)
}

#[test]
fn a_family_is_reported_as_a_tree_chains_and_siblings_apart() {
    // An original, an edit of it, an edit of that edit, and a second edit of the original, dated three
    // days apart each step: the cluster's parents say edit2 comes from edit1 (not from the original it
    // also derives from), and edit1 and other from the original.
    let original = &seeds()[0].1;
    let edit1 = edited(original, 9, 4, "alpha");
    let edit2 = edited(&edit1, 7, 2, "beta");
    let other = edited(original, 8, 6, "gamma");
    let report = scan_dated(&[
        ("original", original, "2025-01-01"),
        ("edit1", &edit1, "2025-01-04"),
        ("edit2", &edit2, "2025-01-07"),
        ("other", &other, "2025-01-04"),
    ]);
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{report}");
    assert_eq!(clusters[0]["source"], "original", "{report}");
    let parents = &clusters[0]["parents"];
    assert_eq!(parents["original"], Value::Null, "{report}");
    assert_eq!(parents["edit1"], "original", "{report}");
    assert_eq!(parents["edit2"], "edit1", "{report}");
    assert_eq!(parents["other"], "original", "{report}");
}

#[test]
fn dated_copies_of_one_original_are_siblings_when_the_later_keeps_what_the_earlier_cut() {
    // A story republished twice: two days later without its last paragraph and with a credit line, four
    // days later whole with another credit. The later copy holds the paragraph the earlier one cut, so it
    // was made from the original, not from the earlier copy: the copies' pair names no source, and both
    // copies' parent is the original (by dates alone the later copy would descend from the earlier).
    let original = seeds()[0].1.trim_end().to_string();
    let (body, _) = original.rsplit_once('\n').unwrap();
    let cut = format!("{body}\nThis story was republished by the Daily Ledger. Copyright 2025 Daily Ledger.");
    let whole = format!("{original}\nThis story was republished by the Metro Courier. Copyright 2025 Metro Courier.");
    let report = scan_dated(&[
        ("original", &original, "2025-01-01"),
        ("cut", &cut, "2025-01-03"),
        ("whole", &whole, "2025-01-05"),
    ]);
    let pair = |a: &str, b: &str| {
        report["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["a"] == a && p["b"] == b)
            .cloned()
            .unwrap_or_else(|| panic!("{a} {b}: {report}"))
    };
    assert_eq!(pair("cut", "original")["source"], "original", "{report}");
    assert_eq!(pair("original", "whole")["source"], "original", "{report}");
    let copies = pair("cut", "whole");
    assert_eq!(copies["source"], Value::Null, "{report}");
    let evidence = copies["evidence"].as_array().unwrap();
    assert!(
        evidence.iter().any(|e| e["signal"] == "siblings" && e["detail"].as_str().unwrap().contains("original")),
        "{copies}"
    );
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{report}");
    assert_eq!(clusters[0]["source"], "original", "{report}");
    assert_eq!(clusters[0]["parents"]["cut"], "original", "{report}");
    assert_eq!(clusters[0]["parents"]["whole"], "original", "{report}");
}

/// Nine copies of the first seed, each with a few words of its own, and the seed itself last in the file
/// and by id, each line with `fields(k)` (k = 0 for the original): the JSON report.
fn scan_copies_and_original(fields: impl Fn(usize) -> Value) -> Value {
    let original = &seeds()[0].1;
    let line = |id: String, text: &str, k: usize| {
        let mut record = fields(k);
        record["id"] = id.into();
        record["text"] = text.into();
        record.to_string() + "\n"
    };
    let mut lines: String =
        (1..=9).map(|k| line(format!("copy{k}"), &edited(original, 25, k, &format!("site{k}x")), k)).collect();
    lines += &line("original".into(), original, 0);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("copies.jsonl"), lines).unwrap();
    let out =
        bin().current_dir(dir.path()).args(["scan", "--quiet", "--format", "json", "copies.jsonl"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    json(&out)
}

/// The group of ten is compared through its leader: the original when it leads, so that every copy is
/// paired with it and derives from it.
fn assert_the_original_leads(report: &Value) {
    assert_eq!(report["summary"]["grouped_documents"], 9, "{report}");
    let pairs = report["pairs"].as_array().unwrap();
    let with_original: Vec<&Value> = pairs.iter().filter(|p| p["a"] == "original" || p["b"] == "original").collect();
    assert_eq!(with_original.len(), 9, "{report}");
    assert!(with_original.iter().all(|p| p["source"] == "original"), "{report}");
    assert_eq!(report["clusters"][0]["source"], "original", "{report}");
}

#[test]
fn a_group_of_copies_is_led_by_the_one_their_links_or_dates_name_the_original() {
    // Published days after it.
    assert_the_original_leads(&scan_copies_and_original(
        |k| serde_json::json!({"date": format!("2025-01-{:02}", 1 + 2 * k)}),
    ));
    // Undated, naming it by a canonical link.
    assert_the_original_leads(&scan_copies_and_original(
        |k| serde_json::json!({"url": format!("https://site{k}.example/story"), "canonical": "https://site0.example/story/"}),
    ));
}

/// A spinner that leaves no word swapped between an unchanged word before and after, so that context fit
/// cannot speak: every third run of two neighbouring lower-case words of four letters or more becomes two
/// ordinary words written there by no one, each drawn by a hash of the word it replaces and of the text
/// (spins of different articles seldom share a substitute).
fn spin_neighbours(text: &str) -> String {
    const WORDS: [&str; 40] = [
        "garden", "window", "purple", "silver", "candle", "pillow", "meadow", "basket", "feather", "lantern", "marble",
        "violin", "cabbage", "ribbon", "saddle", "thimble", "orchard", "kettle", "blanket", "harbour", "pebble",
        "walnut", "cradle", "bucket", "chimney", "mitten", "parrot", "anchor", "biscuit", "tunnel", "velvet", "ladder",
        "carpet", "lemon", "trumpet", "puddle", "shovel", "acorn", "barrel", "lily",
    ];
    let eligible = |w: &str| w.len() >= 4 && w.bytes().all(|b| b.is_ascii_lowercase());
    let pick = |w: &str| {
        let h = w
            .bytes()
            .chain(text.len().to_le_bytes())
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        WORDS[(h % WORDS.len() as u64) as usize].to_string()
    };
    let mut runs = 0;
    let mut lines = Vec::new();
    for line in text.lines() {
        let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
        let mut k = 0;
        while k + 1 < words.len() {
            if eligible(&words[k]) && eligible(&words[k + 1]) {
                runs += 1;
                if runs % 3 == 0 {
                    for w in &mut words[k..k + 2] {
                        *w = pick(w);
                    }
                    k += 2;
                    continue;
                }
            }
            k += 1;
        }
        lines.push(words.join(" "));
    }
    lines.join("\n")
}

#[test]
fn spun_copies_are_not_named_the_source_of_their_originals() {
    // Sixty news-scale articles spun, among all of news-scale: the originals' ordinary wording recurs
    // across the collection, the spinner's nowhere, which stock phrasing alone reads as the original
    // having a rewriter's stock phrases. The wording both texts share recurs as the original's does.
    use std::io::{BufRead, BufReader, Write};
    let news = crate::common::repo().join("../shared/eval/news-scale/news-scale.jsonl.gz");
    let reader = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(&news).unwrap()));
    let originals: Vec<(String, String)> = reader
        .lines()
        .map(|l| serde_json::from_str::<Value>(&l.unwrap()).unwrap())
        .map(|r| (r["id"].as_str().unwrap().to_string(), r["text"].as_str().unwrap().to_string()))
        .filter(|(_, text)| text.split_whitespace().count() >= 150)
        .take(60)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let spins = dir.path().join("spins.jsonl");
    let mut file = std::fs::File::create(&spins).unwrap();
    for (id, text) in &originals {
        let record = serde_json::json!({ "id": format!("spun:{id}"), "text": spin_neighbours(text) });
        writeln!(file, "{record}").unwrap();
    }
    drop(file);
    let report = dir.path().join("report.jsonl");
    let out = bin().args(["scan", "--quiet", "-o"]).arg(&report).arg(&news).arg(&spins).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (mut found, mut wrong, mut right) = (0, 0, 0);
    for line in std::fs::read_to_string(&report).unwrap().lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let (a, b) = (r["a"].as_str().unwrap_or(""), r["b"].as_str().unwrap_or(""));
        if r["type"] != "pair" || b.strip_prefix("spun:") != Some(a) && a.strip_prefix("spun:") != Some(b) {
            continue;
        }
        found += 1;
        let original = if a.starts_with("spun:") { b } else { a };
        match r["source"].as_str() {
            Some(s) if s == original => right += 1,
            Some(_) => wrong += 1,
            None => {}
        }
    }
    assert!(found >= 57, "{found} of 60 spins paired with their original");
    assert!(wrong * 10 <= found, "the spin named the source of {wrong} of {found} pairs ({right} right)");
}

/// Dates are compared as instants: an offset written apart from the time and a 12-hour clock are read
/// (each was ignored, and the 24 hours of a date rule counted from the wrong hour).
#[test]
fn dates_with_offsets_apart_and_twelve_hour_clocks_settle_as_written() {
    let seeds = seeds();
    // 000 and 001 dated, the other seeds undated beside them: the collection the texts' evidence reads.
    let source_of = |dates: [&str; 2]| {
        let ids = ["000", "001", "002", "003", "004"];
        let records: Vec<(&str, &str, &str)> =
            (0..5).map(|k| (ids[k], seeds[k].1.as_str(), dates.get(k).copied().unwrap_or(""))).collect();
        let report = scan_dated(&records);
        let pairs = report["pairs"].as_array().unwrap();
        let pair = pairs.iter().find(|p| p["a"] == "000" && p["b"] == "001").expect("000 and 001 are paired");
        let signal = pair["evidence"][0]["signal"].as_str().unwrap_or("-");
        (pair["source"].as_str().unwrap_or("-").to_string(), signal.to_string())
    };
    // 12:00 +14:00 and 00:00 -12:00 the day before are ten hours apart: instants (their offsets written),
    // more than an hour apart, so the earlier, 001, is named; without zones ten hours settle nothing and
    // the texts name 000.
    let (source, signal) = source_of(["2025-05-24 12:00:00 +1400", "2025-05-23 00:00:00 -1200"]);
    assert_eq!((source.as_str(), signal.as_str()), ("001", "date"));
    let (source, signal) = source_of(["2025-05-23 22:00:00", "2025-05-23 12:00:00"]);
    assert_eq!(source, "000");
    assert_ne!(signal, "date");
    // 12:30 AM then 1:00 AM the next day: more than a day apart, so the date names 001.
    assert_eq!(source_of(["May 24, 2025 1:00 AM", "May 23, 2025 12:30 AM"]), ("001".into(), "date".into()));
    // A day without a time is any moment of it: 00:30 of the next day may be half an hour after it, so
    // the texts decide (000); two days later, the date does.
    let (source, signal) = source_of(["2025-05-25T00:30:00Z", "2025-05-24"]);
    assert_eq!(source, "000");
    assert_ne!(signal, "date");
    assert_eq!(source_of(["2025-05-26T00:30:00Z", "2025-05-24"]), ("001".into(), "date".into()));
}

/// Two pages whose canonical links name each other settle nothing, whichever ids they have: the texts
/// decide (the first in id order was named the source).
#[test]
fn pages_naming_each_other_canonical_leave_the_source_to_the_texts() {
    let seeds = seeds();
    for (original, copy) in [("aa", "zz"), ("zz", "aa")] {
        let dir = tempfile::tempdir().unwrap();
        let record = |id: &str, text: &str, url: &str, canonical: &str| {
            serde_json::json!({"id": id, "text": text, "url": url, "canonical": canonical}).to_string() + "\n"
        };
        let mut lines = record(original, &seeds[0].1, "http://a.example/1", "http://b.example/1")
            + &record(copy, &seeds[1].1, "http://b.example/1", "http://a.example/1");
        for (id, text) in &seeds[2..] {
            lines += &(serde_json::json!({"id": &id[..3], "text": text}).to_string() + "\n");
        }
        std::fs::write(dir.path().join("x.jsonl"), lines).unwrap();
        let out =
            bin().current_dir(dir.path()).args(["scan", "--quiet", "--format", "json", "x.jsonl"]).output().unwrap();
        let report = json(&out);
        let pairs = report["pairs"].as_array().unwrap();
        let pair = pairs.iter().find(|p| p["a"] == "aa" && p["b"] == "zz").expect("the two are paired");
        assert_eq!(pair["source"], original, "{pair}");
        assert_ne!(pair["evidence"][0]["signal"], "canonical", "{pair}");
    }
}
