//! The HTML report (`--format html`, or `-o FILE.html`), opened in headless Chromium through
//! `scripts/browser.mjs`: the seeds' report loads nothing from anywhere, logs no error, opens a pair
//! from its row or from `#pair=K`, and highlights exactly the JSON report's passages; hostile text in an
//! article, id, title, URL or other field never runs. Each test writes its page and screenshots under
//! `target/html-report/` to look at. The load time of a large report is a benchmark, `scripts/bench-html`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{bin, browse, chromium, file_url, repo, run_ok};

/// A fresh folder under `target/html-report/` for one test's pages and screenshots.
fn out_dir(name: &str) -> PathBuf {
    let dir = repo().join("target/html-report").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The driver found no console error or warning, exception, dialog, CSP violation, and no request but
/// for the page itself.
fn assert_clean(report: &Value, page: &Path) {
    for key in ["console", "exceptions", "dialogs", "violations"] {
        assert_eq!(report[key], json!([]), "{key}: {}", report[key]);
    }
    let url = file_url(page, "");
    let requests = report["requests"].as_array().unwrap();
    assert!(requests.iter().all(|r| r.as_str().unwrap().starts_with(&url)), "requests: {requests:?}");
}

const READY: &str = "document.documentElement.dataset.ready === '1'";
/// A browser step's condition: the page shows a pair.
const PAIR_VIEW: &str = "document.documentElement.dataset.view === 'pair'";

/// What the pair view shows on each side: the side (`a` or `b` of the pair), and its passage pieces as
/// (passages, byte range, text).
const SIDES: &str = "[...document.querySelectorAll('.side')].map(s => ({side: s.dataset.side, \
     pieces: [...s.querySelectorAll('.passage')].map(p => ({ns: p.dataset.ns.split(' ').map(Number), \
     bytes: p.dataset.bytes.split('-').map(Number), text: p.textContent})), \
     marks: s.querySelectorAll('mark').length}))";

#[test]
fn the_seeds_report_opens_clean_and_highlights_the_json_reports_passages() {
    let Some(chromium) = chromium() else { return };
    let dir = out_dir("seeds");
    let page = dir.join("seeds.html");
    // Relative paths from the repository's root, as a person would run it; -o FILE.html picks the format.
    let out = bin().current_dir(repo()).args(["scan", "--quiet", "corpus", "-o"]).arg(&page).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100]);
    let report: Value = serde_json::from_slice(&run_ok(&["scan", "--quiet", "-f", "json", "corpus"]).stdout).unwrap();
    let pairs = report["pairs"].as_array().unwrap();
    // The pair with the most passages: 002 ~ 004, five of them.
    let k = (0..pairs.len()).max_by_key(|&k| pairs[k]["passages"].as_array().unwrap().len()).unwrap();
    let pair = &pairs[k];

    let result = browse(
        &chromium,
        &json!({"width": 1400, "height": 1000, "steps": [
            {"open": file_url(&page, "")},
            {"wait": READY},
            {"eval": "document.querySelectorAll('#pairs tbody tr').length", "as": "rows"},
            {"eval": "document.querySelectorAll('#clusters .cluster').length", "as": "clusters"},
            {"eval": "[...document.querySelectorAll('#clusters a.edge')].map(a => a.getAttribute('href'))", "as": "edges"},
            {"eval": "[...document.querySelectorAll('#clusters .node-id')].map(n => n.textContent)", "as": "nodes"},
            {"eval": "[document.querySelectorAll('#overview h1').length, \
                      [...document.querySelectorAll('#pairs th.sortable')].map(t => t.getAttribute('aria-sort'))]", "as": "a11y"},
            {"screenshot": dir.join("overview.png")},
            {"click": format!("#pairs tbody tr[data-pair='{k}'] td.ids")},
            {"wait": PAIR_VIEW},
            {"eval": "location.hash", "as": "hash"},
            {"eval": SIDES, "as": "sides"},
            {"eval": "document.getElementById('pair-title').textContent", "as": "title"},
            {"eval": "document.getElementById('verdict').textContent", "as": "verdict"},
            // The last passage clicked on the left: its match comes into view on the right.
            {"click": format!("#side-left .passage[data-ns~='{}']", pair["passages"].as_array().unwrap().len() - 1)},
            {"eval": "(() => { const box = document.querySelector('#side-right .text').getBoundingClientRect(); \
                      const m = document.querySelector('#side-right .passage.active').getBoundingClientRect(); \
                      return m.top >= box.top && m.top < box.bottom; })()", "as": "match_in_view"},
            {"eval": "document.querySelector('#side-right .text').scrollTop", "as": "scrolled"},
            {"eval": "window.scrollTo(0, 0)"},
            {"screenshot": dir.join("pair.png")},
        ]}),
    );
    assert_clean(&result, &page);
    let r = &result["results"];
    assert_eq!(r["rows"], json!(pairs.len()));
    assert_eq!(r["clusters"], json!(report["clusters"].as_array().unwrap().len()));
    // The clusters' trees show every pair once and every member once.
    let mut edges: Vec<&str> = r["edges"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    edges.sort();
    let mut want: Vec<String> = (0..pairs.len()).map(|k| format!("#pair={k}")).collect();
    want.sort();
    assert_eq!(edges, want);
    let members: usize =
        report["clusters"].as_array().unwrap().iter().map(|c| c["members"].as_array().unwrap().len()).sum();
    assert_eq!(r["nodes"].as_array().unwrap().len(), members);
    // A heading for the overview; the list's order told to assistive technology.
    assert_eq!(r["a11y"], json!([1, ["ascending", "none", "none", "none", "none", "none", "none"]]));
    assert_eq!(r["hash"], json!(format!("#pair={k}")));
    let (a, b) = (pair["a"].as_str().unwrap(), pair["b"].as_str().unwrap());
    let title = r["title"].as_str().unwrap();
    assert!(title.contains(a) && title.contains(b) && title.contains(pair["relation"].as_str().unwrap()), "{title}");
    let confidence = format!("Confidence {:.2}.", pair["confidence"].as_f64().unwrap());
    assert!(r["verdict"].as_str().unwrap().contains(&confidence), "{}", r["verdict"]);
    assert_eq!(r["match_in_view"], json!(true));
    assert!(r["scrolled"].as_f64().unwrap() > 0.0, "the right side did not scroll to the match");

    // On each side, each passage of the JSON report is the pieces that name it: one run of them from
    // its start to its end, holding the text of that byte range of the article.
    let sides = r["sides"].as_array().unwrap();
    assert_eq!(sides.len(), 2);
    for side in sides {
        let which = side["side"].as_str().unwrap();
        let id = pair[which].as_str().unwrap();
        let text = std::fs::read(repo().join("corpus").join(format!("{id}.txt"))).unwrap();
        let pieces = side["pieces"].as_array().unwrap();
        for (n, passage) in pair["passages"].as_array().unwrap().iter().enumerate() {
            let [start, end] = [0, 1].map(|i| passage[which][i].as_u64().unwrap() as usize);
            let mine: Vec<&Value> = pieces.iter().filter(|p| p["ns"].as_array().unwrap().contains(&json!(n))).collect();
            assert!(!mine.is_empty(), "side {which}, passage {n}: not highlighted");
            let bytes = |p: &Value, i: usize| p["bytes"][i].as_u64().unwrap() as usize;
            assert_eq!((bytes(mine[0], 0), bytes(mine[mine.len() - 1], 1)), (start, end), "side {which}, passage {n}");
            assert!(mine.windows(2).all(|w| bytes(w[0], 1) == bytes(w[1], 0)), "side {which}, passage {n}: a gap");
            let shown: String = mine.iter().map(|p| p["text"].as_str().unwrap()).collect();
            assert_eq!(shown, String::from_utf8_lossy(&text[start..end]), "side {which}, passage {n}");
        }
        assert!(side["marks"].as_u64().unwrap() > 0, "side {which}: no shared words marked");
    }
}

#[test]
fn a_pair_named_in_the_address_opens_at_once() {
    let Some(chromium) = chromium() else { return };
    let dir = out_dir("fragment");
    let page = dir.join("seeds.htm");
    let out = bin().current_dir(repo()).args(["scan", "--quiet", "corpus", "-o"]).arg(&page).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let result = browse(
        &chromium,
        &json!({"steps": [
            {"open": file_url(&page, "#pair=0")},
            {"wait": READY},
            {"eval": "document.documentElement.dataset.view", "as": "view"},
            {"eval": "document.getElementById('pair-title').textContent", "as": "title"},
            // Next, then back to the overview.
            {"click": "#next"},
            {"eval": "location.hash", "as": "next"},
            {"click": ".pairnav .back"},
            {"eval": "document.documentElement.dataset.view", "as": "back"},
        ]}),
    );
    assert_clean(&result, &page);
    let r = &result["results"];
    assert_eq!(r["view"], "pair");
    assert_eq!(
        r["title"].as_str().unwrap().split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        "docs/000_24845da15824156e → docs/001_7c663ffecd687829"
    );
    assert_eq!((&r["next"], &r["back"]), (&json!("#pair=1"), &json!("overview")));
}

/// Markup and script in every piece of input the page shows: none of it may run or become an element.
#[test]
fn hostile_text_ids_titles_and_urls_never_run() {
    let dir = out_dir("hostile");
    let body = "Russia released 307 Ukrainian prisoners on Saturday in exchange for Russian servicemen, \
        officials said. Drones and missiles hit Kyiv overnight, damaging apartment buildings and a shopping \
        mall in the capital. </script><script>window.pwned = 'text script'</script> \
        <img src=x onerror=\"window.pwned = 'text img'\"> <!-- \u{2028} \u{2029} ]]> &amp; \
        The exchange was the largest since the start of the war, both sides said on Saturday evening.";
    let records = [
        json!({"id": "<script>window.pwned = 'id'</script>", "text": body,
               "title": "<img src=x onerror=\"window.pwned = 'title'\">", "url": "javascript:window.pwned = 'url'",
               "outlet": "</script><script>window.pwned = 'field'</script>", "date": "2025-05-24"}),
        json!({"id": "\"><svg onload=\"window.pwned = 'id 2'\">", "text": format!("{body} Copied."),
               "title": "</title><script>window.pwned = 'title 2'</script>",
               "url": "https://news.example/</script><script>window.pwned = 'url 2'</script>", "date": "2025-05-25"}),
    ];
    let input = dir.join("hostile.jsonl");
    std::fs::write(&input, records.iter().map(|r| format!("{r}\n")).collect::<String>()).unwrap();
    let page = dir.join("hostile.html");
    let out = bin().args(["scan", "--quiet", "--format", "html", "-o"]).arg(&page).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    // In the file: the page's own script elements (data, code, the pair's marks, the two texts) and
    // nothing the input opened; no element or comment of the input's.
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("<script").count(), 5, "script elements");
    for bad in ["<img", "<svg", "<!--", "</title><script", "\u{2028}", "\u{2029}"] {
        assert!(!html.contains(bad), "the page holds {bad:?}");
    }

    let Some(chromium) = chromium() else { return };
    let result = browse(
        &chromium,
        &json!({"steps": [
            {"open": file_url(&page, "")},
            {"wait": READY},
            {"eval": "document.body.innerText", "as": "overview"},
            {"eval": "location.hash = '#pair=0'"},
            {"wait": PAIR_VIEW},
            {"eval": "document.body.innerText", "as": "pair"},
            {"eval": "[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))", "as": "links"},
            {"eval": "document.querySelectorAll('img, svg, iframe, object, embed').length", "as": "elements"},
            {"eval": "document.querySelectorAll('script').length", "as": "scripts"},
            {"eval": "String(window.pwned)", "as": "pwned"},
            {"screenshot": dir.join("hostile.png")},
        ]}),
    );
    assert_clean(&result, &page);
    let r = &result["results"];
    assert_eq!(r["pwned"], "undefined");
    assert_eq!((&r["elements"], &r["scripts"]), (&json!(0), &json!(5)));
    // Shown as text, as written.
    assert!(r["overview"].as_str().unwrap().contains("<script>window.pwned = 'id'</script>"), "{}", r["overview"]);
    let shown = r["pair"].as_str().unwrap();
    for text in [
        "</script><script>window.pwned = 'text script'</script>",
        "<img src=x onerror=\"window.pwned = 'text img'\">",
        "<img src=x onerror=\"window.pwned = 'title'\">",
        "javascript:window.pwned = 'url'",
        "outlet: </script><script>window.pwned = 'field'</script>",
        "\"><svg onload=\"window.pwned = 'id 2'\">",
    ] {
        assert!(shown.contains(text), "{text:?} not shown in {shown}");
    }
    // Only the web address is a link; the javascript: one stays text.
    let links: Vec<&str> = r["links"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(links.iter().all(|l| l.starts_with('#') || l.starts_with("https://news.example/")), "{links:?}");
    assert!(links.iter().any(|l| l.starts_with("https://news.example/")), "{links:?}");
}

#[test]
fn the_format_follows_the_output_files_extension_unless_given() {
    let dir = out_dir("format");
    for (name, args, html) in [
        ("a.html", &[][..], true),
        ("b.HTM", &[][..], true),
        ("c.txt", &[][..], false),
        ("d.html", &["--format", "json"][..], false),
    ] {
        let path = dir.join(name);
        let out =
            bin().args(["scan", "--quiet", "corpus/docs", "-o"]).arg(&path).args(args).current_dir(repo()).output();
        assert_eq!(out.unwrap().status.code(), Some(0), "{name}");
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written.starts_with("<!DOCTYPE html>"), html, "{name}: {}", &written[..40]);
    }
    // --explain is for the text format.
    let out =
        bin().args(["scan", "--quiet", "corpus/docs", "--explain", "-o"]).arg(dir.join("e.html")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--explain is for --format text"));
}

/// The JSON of the page's `<script type="application/json" id="ID">` block, if it has one.
fn script_json(html: &str, id: &str) -> Option<Value> {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html.find(&open)? + open.len();
    let end = start + html[start..].find("</script>")?;
    Some(serde_json::from_str(&html[start..end]).unwrap())
}

#[test]
fn against_a_reference_collection_each_document_shows_its_own_text() {
    // The reference collection's first document (by id) is in no pair, so the report does not list it:
    // the texts must follow the report's documents, not the order they were read in.
    let dir = out_dir("against");
    let (reference, scanned) = (dir.join("reference"), dir.join("scanned"));
    let seeds = crate::common::seeds();
    let (source, other) = (&seeds[0].1, &seeds[2].1);
    std::fs::create_dir_all(&reference).unwrap();
    std::fs::create_dir_all(&scanned).unwrap();
    let unrelated = "Nothing here is like the rest: a short unrelated note about the weather.";
    crate::common::write_texts(&reference, &[("a0", unrelated), ("b", source), ("c", other)]);
    crate::common::write_texts(&scanned, &[("y", format!("{source} One more line.")), ("z", format!("{other} Also."))]);
    let out = bin().arg("scan").arg(&scanned).arg("--against").arg(&reference).args(["--quiet", "-f", "html"]).output();
    let out = out.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let html = String::from_utf8(out.stdout).unwrap();
    let data = script_json(&html, "data").unwrap();
    let (documents, pairs) = (data["documents"].as_array().unwrap(), data["pairs"].as_array().unwrap());
    assert_eq!(pairs.len(), 2, "b ~ y and c ~ z: {pairs:?}");
    for pair in pairs {
        for side in ["a", "b"] {
            let d = pair[side].as_u64().unwrap() as usize;
            let path = documents[d]["path"].as_str().unwrap();
            let shown = script_json(&html, &format!("t{d}"));
            let expected = std::fs::read_to_string(path).unwrap();
            assert_eq!(shown.as_ref().and_then(Value::as_str), Some(expected.as_str()), "document {d}, {path}");
        }
    }
}

/// An id holding a bidirectional override or a line break is shown escaped, as the text report shows it,
/// not left to reverse what follows it; Previous and Next step through the list as filtered; a row's
/// number is a link (keyboard, new tab); a pair without a source is listed once in its cluster's tree.
#[test]
fn hidden_characters_filtered_steps_and_row_links() {
    let Some(chromium) = chromium() else { return };
    let dir = out_dir("steps");
    let seeds = crate::common::seeds();
    let record = |id: &str, text: &str| format!("{}\n", json!({"id": id, "text": text}));
    let input = dir.join("steps.jsonl");
    let lines = [
        record("wire-001", &seeds[0].1),
        record("blog\u{202e}-777", &format!("{} Paid by \u{202e}USD 0001 ot deef\u{202c} today.\u{1b}[2J", seeds[0].1)),
        record("line\nbreak", &seeds[2].1),
        record("line-copy", &seeds[2].1),
        record("other", &seeds[4].1),
        record("other-copy", &seeds[4].1),
    ];
    std::fs::write(&input, lines.concat()).unwrap();
    let report: Value =
        serde_json::from_slice(&run_ok(&["scan", "--quiet", "-f", "json", input.to_str().unwrap()]).stdout).unwrap();
    let pairs = report["pairs"].as_array().unwrap();
    let duplicates: Vec<usize> = (0..pairs.len()).filter(|&k| pairs[k]["relation"] == "duplicate").collect();
    assert_eq!(duplicates.len(), 2, "{pairs:?}");
    let page = dir.join("steps.html");
    run_ok(&["scan", "--quiet", "-f", "html", "-o", page.to_str().unwrap(), input.to_str().unwrap()]);
    let first = format!("#pair={}", duplicates[0]);
    let blog =
        (0..pairs.len()).find(|&k| [&pairs[k]["a"], &pairs[k]["b"]].contains(&&json!("blog\u{202e}-777"))).unwrap();
    let result = browse(
        &chromium,
        &json!({"steps": [
            {"open": file_url(&page, "")},
            {"wait": READY},
            {"eval": "document.body.innerText", "as": "overview"},
            {"eval": "[...document.querySelectorAll('#clusters a.edge')].map(a => a.getAttribute('href'))", "as": "edges"},
            {"eval": "document.querySelectorAll('#relations input').forEach(i => { if (i.value !== 'duplicate') i.click(); })"},
            {"eval": "[...document.querySelectorAll('#pairs tbody a')].map(a => a.getAttribute('href'))", "as": "rows"},
            {"click": "#pairs tbody a"},
            {"wait": PAIR_VIEW},
            {"eval": "location.hash", "as": "opened"},
            {"eval": "document.getElementById('position').textContent", "as": "position"},
            {"eval": "document.getElementById('next').getAttribute('href')", "as": "next"},
            {"eval": "document.getElementById('prev').getAttribute('href')", "as": "prev"},
            {"eval": format!("location.hash = '#pair={blog}'")},
            {"wait": "[...document.querySelectorAll('.side .text')].some(t => t.innerText.includes('Paid by'))"},
            {"eval": "[...document.querySelectorAll('.side .text')].map(t => t.innerText).join('\\n')", "as": "texts"},
        ]}),
    );
    assert_clean(&result, &page);
    let r = &result["results"];
    let overview = r["overview"].as_str().unwrap();
    assert!(overview.contains("blog\\u{202e}-777") && overview.contains("line\\nbreak"), "{overview}");
    assert!(!overview.contains('\u{202e}'), "{overview}");
    // The texts too: their line breaks kept, a bidi override and an escape sequence shown as escapes.
    let texts = r["texts"].as_str().unwrap();
    assert!(texts.contains("Paid by \\u{202e}USD 0001 ot deef\\u{202c} today.\\u{1b}[2J"), "{texts}");
    assert!(!texts.contains('\u{202e}') && !texts.contains('\u{1b}') && texts.contains('\n'), "{texts}");
    let rows: Vec<String> = duplicates.iter().map(|k| format!("#pair={k}")).collect();
    assert_eq!(r["rows"], json!(rows));
    assert_eq!(r["opened"], json!(first));
    assert_eq!(r["position"], json!(format!("pair 1 of 2 (as filtered; {} in all)", pairs.len())));
    assert_eq!((&r["prev"], &r["next"]), (&Value::Null, &json!(rows[1])));
    // Each pair once in the cluster trees.
    let mut edges: Vec<&str> = r["edges"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    let all = edges.len();
    edges.sort_unstable();
    edges.dedup();
    assert_eq!((all, edges.len()), (pairs.len(), pairs.len()), "{:?}", r["edges"]);
}

/// An article's text is shown as written: CR LF line ends as line breaks (not `\r`), backslashes single,
/// a soft hyphen and right-to-left marks kept (a probe saw `C:\\Users` and `Bundes\u{ad}regierung`); and
/// the pair list's coverage follows the order its ids are listed in, source first.
#[test]
fn texts_are_shown_as_written_and_coverage_follows_the_listed_order() {
    let Some(chromium) = chromium() else { return };
    let dir = out_dir("as-written");
    let seeds = crate::common::seeds();
    let original = format!("Die Bundes\u{ad}regierung in C:\\Users\\press.\n{}", seeds[0].1).replace('\n', "\r\n");
    // The copy keeps the first half, published a week later: the original, `b`, is its source.
    let half: String = original.split_inclusive("\r\n").take(11).collect();
    let record = |id: &str, date: &str, text: &str| format!("{}\n", json!({"id": id, "date": date, "text": text}));
    let input = dir.join("as-written.jsonl");
    std::fs::write(&input, record("a-copy", "2025-05-08", &half) + &record("b-original", "2025-05-01", &original))
        .unwrap();
    let report: Value =
        serde_json::from_slice(&run_ok(&["scan", "--quiet", "-f", "json", input.to_str().unwrap()]).stdout).unwrap();
    let pair = &report["pairs"][0];
    assert_eq!((&pair["a"], &pair["source"]), (&json!("a-copy"), &json!("b-original")), "{pair}");
    let percent = |x: &Value| format!("{}%", (x.as_f64().unwrap() * 100.0).round());
    let coverage = format!("{} / {}", percent(&pair["coverage_b"]), percent(&pair["coverage_a"]));
    let page = dir.join("as-written.html");
    run_ok(&["scan", "--quiet", "-f", "html", "-o", page.to_str().unwrap(), input.to_str().unwrap()]);
    let result = browse(
        &chromium,
        &json!({"steps": [
            {"open": file_url(&page, "")},
            {"wait": READY},
            {"eval": "document.querySelector('#pairs tbody tr td:nth-child(5)').textContent", "as": "coverage"},
            {"eval": "location.hash = '#pair=0'"},
            {"wait": PAIR_VIEW},
            {"eval": "[...document.querySelectorAll('.side .text')].map(t => t.textContent)", "as": "texts"},
        ]}),
    );
    assert_clean(&result, &page);
    let r = &result["results"];
    assert_eq!(r["coverage"], json!(coverage));
    for text in r["texts"].as_array().unwrap() {
        let text = text.as_str().unwrap();
        assert!(text.contains("Bundes\u{ad}regierung in C:\\Users\\press.\n"), "{text:?}");
        assert!(!text.contains('\r') && !text.contains("\\r") && !text.contains("\\u{"), "{text:?}");
    }
}

/// A candidate pair (`--candidates-only`) was not verified: its verdict says so and no more (it named
/// "neither as the source" for evidence never weighed), and its coverage is blank, not "of X, of Y".
#[test]
fn a_candidate_pairs_verdict_claims_nothing_it_did_not_weigh() {
    let Some(chromium) = chromium() else { return };
    let dir = out_dir("candidates");
    let page = dir.join("candidates.html");
    let out = bin()
        .current_dir(repo())
        .args(["scan", "--quiet", "--candidates-only", "corpus", "-o"])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let result = browse(
        &chromium,
        &json!({"steps": [
            {"open": file_url(&page, "#pair=0")},
            {"wait": READY},
            {"eval": "document.getElementById('verdict').textContent", "as": "verdict"},
            {"eval": "[...document.querySelectorAll('#figures dt')].findIndex(d => d.textContent === 'coverage')", "as": "at"},
            {"eval": "[...document.querySelectorAll('#figures dd')].map(d => d.textContent)", "as": "figures"},
        ]}),
    );
    assert_clean(&result, &page);
    let r = &result["results"];
    assert_eq!(r["verdict"], "A candidate pair, not verified.");
    let at = r["at"].as_u64().unwrap() as usize;
    assert_eq!(r["figures"][at], "");
}
