//! Rewrites found where the wording changes, end to end.

use crate::common::{bin, json, seeds, verdict_lines};

#[test]
fn an_original_stripped_of_punctuation_still_aligns_with_its_rewrites() {
    // 000 lower-cased with its punctuation stripped (as some corpora and scrapes give text): to the
    // aligner one 600-word sentence, unless run-on text is read in windows. 001 is its spinner copy and
    // 003 its LLM rewrite, both with their punctuation.
    let seeds = seeds();
    let stripped: String = seeds[0]
        .1
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '\'' || c == '’' || c == '-' { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("original.txt"), stripped).unwrap();
    for (id, text) in &seeds[1..4] {
        std::fs::write(dir.path().join(format!("{}.txt", &id[..3])), text).unwrap();
    }
    let out = bin().args(["scan", "--quiet", "--format", "json"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        verdict_lines(&json(&out)),
        ["001 003 rewrite -", "001 original rewrite original", "003 original rewrite original"]
    );
}

#[test]
fn the_seeds_typed_in_one_case_or_without_punctuation_keep_their_verdicts() {
    // Every seed in capitals, in lower case, or with its sentence punctuation made spaces: what the texts
    // say is the same, and so are the relations. In capitals every word looked like a name (no phrasing,
    // so 002 and 004's shared wire passage went unseen); without punctuation each paragraph aligned as
    // one sentence (002 and 004 looked like rewrites of each other).
    let retype = |typing: &str, text: &str| match typing {
        "capitals" => text.to_uppercase(),
        "lower case" => text.to_lowercase(),
        _ => text.replace(['.', ',', ';', ':', '!', '?', '"', '(', ')'], " "),
    };
    for typing in ["capitals", "lower case", "no sentence punctuation"] {
        let dir = tempfile::tempdir().unwrap();
        for (id, text) in seeds() {
            std::fs::write(dir.path().join(format!("{}.txt", &id[..3])), retype(typing, &text)).unwrap();
        }
        let out = bin().args(["scan", "--quiet", "--format", "json"]).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "{typing}: {}", String::from_utf8_lossy(&out.stderr));
        let lines = verdict_lines(&json(&out));
        let relations: Vec<String> = lines.iter().map(|l| l.rsplit_once(' ').unwrap().0.to_string()).collect();
        assert_eq!(relations, ["000 001 rewrite", "000 003 rewrite", "001 003 rewrite", "002 004 partial"], "{typing}");
        // No rewrite is named the source of its original, and the wire passage has none.
        for line in &lines {
            let source = line.rsplit(' ').next().unwrap();
            assert!(source == "000" || source == "-", "{typing}: {line}");
            assert!(!line.starts_with("002 004") || source == "-", "{typing}: {line}");
        }
    }
}

#[test]
fn a_summary_that_keeps_its_sources_names_is_a_rewrite_and_one_with_other_names_is_not() {
    // A summary of 000 in other words: too little weight of evidence in its wording for a rewrite, but it
    // restates four of 000's sentences keeping their names and numbers. Another report on the war, in
    // the summary's own phrasing where it can, has names and numbers of its own.
    let seeds = seeds();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("000.txt"), &seeds[0].1).unwrap();
    std::fs::write(
        dir.path().join("summary.txt"),
        "Moscow and Kyiv traded captured fighters again at the weekend, as Zelenskyy pressed for sanctions.\n\
         The Russian defence ministry said 307 Ukrainians went home in return for an equal number of its \
         troops, who are recovering in Belarus.\n\
         Kyiv was pounded overnight by 250 drones and 14 ballistic missiles, and at least 15 residents were hurt.\n\
         Oleh Syniehubov, who runs the Kharkiv region, said four Ukrainians had died there in 24 hours.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("other.txt"),
        "Ukraine's air force said Russia fired drones at Lviv and Rivne overnight, and most were shot down.\n\
         Governor Maksym Kozytskyi reported damage to a warehouse in Lviv but no casualties.\n\
         In Moscow, Mayor Sergei Sobyanin said air defences downed three drones approaching the capital.\n\
         Officials said talks in Geneva on a ceasefire are expected next month.\n",
    )
    .unwrap();
    let scan = |bars: Option<&std::path::Path>| {
        let mut cmd = bin();
        cmd.args(["scan", "--quiet", "--format", "json"]).arg(dir.path());
        if let Some(bars) = bars {
            cmd.arg("--verdict-bars").arg(bars);
        }
        json(&cmd.output().unwrap())
    };
    let report = scan(None);
    let pairs = report["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{report}");
    let (a, b) = (pairs[0]["a"].as_str().unwrap(), pairs[0]["b"].as_str().unwrap());
    assert_eq!(([a, b], pairs[0]["relation"].as_str()), (["000", "summary"], Some("rewrite")), "{report}");
    assert!(pairs[0]["strength"].as_f64().unwrap() < 0.5, "{report}");
    let restated = pairs[0]["evidence"].as_array().unwrap().iter().find(|e| e["signal"] == "specifics_restated");
    assert!(restated.is_some_and(|e| e["detail"].as_str().unwrap().contains("names and numbers")), "{report}");
    // Bars without the rule (written before it) report nothing.
    let bars = dir.path().join("bars.json");
    std::fs::write(&bars, r#"{"version": 1, "rewrite_strength": 0.5, "partial_strength": 0.4}"#).unwrap();
    assert_eq!(scan(Some(&bars))["pairs"], serde_json::json!([]));
    // The source stored in lower case (as some collections store originals) shows its names as plain
    // words: the summary's names are still found in it.
    std::fs::write(dir.path().join("000.txt"), seeds[0].1.to_lowercase()).unwrap();
    let report = scan(None);
    let pairs = report["pairs"].as_array().unwrap();
    assert_eq!((pairs.len(), pairs[0]["relation"].as_str()), (1, Some("rewrite")), "{report}");
    assert!(pairs[0]["evidence"].as_array().unwrap().iter().any(|e| e["signal"] == "specifics_restated"), "{report}");
}
