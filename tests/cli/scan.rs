//! `scan` and `eval` end to end: the seed verdicts, the same for any thread count and input order, and
//! small hand-made cases (exact copy, excerpt, shuffled sentences, unrelated texts, a shared quotation).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{bin, corpus, corpus_docs, document_ids, json, run_ok, seeds, short_verdicts, write_texts};

#[test]
fn seed_verdicts() {
    let report = json(&run_ok(&["scan", "--quiet", "--format", "json", corpus().to_str().unwrap()]));
    let ids = document_ids(&report);
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("docs/")), "{ids:?}");
    let v = short_verdicts(&report);
    let find = |a: &str, b: &str| v.iter().find(|p| p.0 == a && p.1 == b).map(|p| (p.2.as_str(), p.3.as_str()));
    assert_eq!(find("000", "001"), Some(("rewrite", "000")), "{v:?}");
    assert_eq!(find("000", "003"), Some(("rewrite", "000")), "{v:?}");
    assert_eq!(find("002", "004"), Some(("partial", "-")), "{v:?}");
    for a in ["000", "001", "003"] {
        for b in ["002", "004"] {
            let (x, y) = if a < b { (a, b) } else { (b, a) };
            assert_eq!(find(x, y), None, "{x}-{y} reported: {v:?}");
        }
    }
    // Siblings: neither is the source of the other.
    assert!(find("001", "003").is_none_or(|(_, s)| s == "-"), "{v:?}");
    let clusters = report["clusters"].as_array().unwrap();
    assert!(clusters.iter().any(|c| c["source"].as_str().is_some_and(|s| s.ends_with("000_24845da15824156e"))));
}

#[test]
fn same_verdicts_for_any_thread_count_and_input_order() {
    let folder = run_ok(&["scan", "--quiet", "--format", "json", "-j", "2", corpus().to_str().unwrap()]);
    let one_thread = run_ok(&["scan", "--quiet", "--format", "json", "-j", "1", corpus().to_str().unwrap()]);
    assert_eq!(folder.stdout, one_thread.stdout, "output differs between 1 and 2 threads");
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_docs()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.reverse();
    let mut args = vec!["scan".to_string(), "--quiet".into(), "--format".into(), "json".into()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    let reversed = bin().args(&args).output().unwrap();
    assert_eq!(short_verdicts(&json(&folder)), short_verdicts(&json(&reversed)));
}

#[test]
fn eval_scores_the_seeds_perfectly() {
    let out = run_ok(&["eval", "--quiet", "--format", "json", corpus().to_str().unwrap()]);
    let e = json(&out);
    assert_eq!(e["precision"], 1.0, "{e}");
    assert_eq!(e["recall"], 1.0, "{e}");
    assert_eq!((e["directed"].as_u64(), e["right"].as_u64()), (Some(2), Some(2)), "{e}");
    assert_eq!(e["negatives_reported"].as_object().map(|m| m.len()), Some(0), "{e}");
    let text = String::from_utf8(run_ok(&["eval", "--quiet", corpus().to_str().unwrap()]).stdout).unwrap();
    assert!(text.contains("F1 1.000"), "{text}");
}

const STORY: [&str; 8] = [
    "The city council approved a new budget on Tuesday after months of debate over library funding.",
    "Council members voted seven to two in favour of the plan, which restores evening opening hours at branch libraries.",
    "The mayor said the compromise protects services while keeping property taxes flat for another year.",
    "Opponents argued the plan relies on optimistic forecasts of sales tax revenue from the harbour development.",
    "A coalition of parents and teachers had packed the chamber at every hearing since the spring.",
    "Under the plan, the transit authority will also receive money for two new bus routes in the northern suburbs.",
    "Budget officers warned that a downturn in tourism could force cuts to road maintenance next winter.",
    "The budget takes effect on the first of July, and a mid-year review is scheduled for January.",
];

const OTHER: [&str; 6] = [
    "Astronomers have spotted a comet that will pass close enough to Earth to be seen without a telescope.",
    "The icy visitor, discovered by an amateur observer in Chile, is expected to brighten through October.",
    "Its orbit suggests it last approached the inner solar system roughly eleven thousand years ago.",
    "Observatories across the southern hemisphere are coordinating measurements of its tail and composition.",
    "Scientists hope the spectra will reveal organic molecules preserved since the formation of the planets.",
    "Viewing will be best an hour before dawn, low on the eastern horizon, away from city lights.",
];

/// Scans the given (name, text) files written to a scratch folder; returns the pairs as
/// (a, b, relation, source) with full ids.
fn scan_texts(files: &[(&str, String)]) -> Vec<(String, String, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    write_texts(dir.path(), files);
    let report = json(&run_ok(&["scan", "--quiet", "--format", "json", dir.path().to_str().unwrap()]));
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (s(&p["a"]), s(&p["b"]), s(&p["relation"]), s(&p["source"])))
        .collect()
}

#[test]
fn exact_copy_is_a_duplicate() {
    let text = STORY.join("\n");
    let pairs = scan_texts(&[("a", text.clone()), ("b", text), ("c", OTHER.join("\n"))]);
    assert_eq!(pairs, vec![("a".into(), "b".into(), "duplicate".into(), "-".into())]);
}

#[test]
fn excerpt_from_inside_is_found_and_its_containment_reported() {
    // The fitted direction model gives the excerpt feature no weight (it speaks on too few labelled
    // pairs, and wrongly where sources are stored cut: docs/direction.md), so the source is not named
    // from it alone; the evidence still says which text holds the other.
    let excerpt = STORY[2..6].join("\n");
    let dir = tempfile::tempdir().unwrap();
    write_texts(dir.path(), &[("full", STORY.join("\n")), ("part", excerpt)]);
    let report = json(&run_ok(&["scan", "--quiet", "--format", "json", dir.path().to_str().unwrap()]));
    let pairs = report["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert!(["partial", "rewrite", "near_duplicate"].contains(&pairs[0]["relation"].as_str().unwrap()), "{pairs:?}");
    assert_ne!(pairs[0]["source"], "part", "{pairs:?}");
    let containment = pairs[0]["evidence"].as_array().unwrap().iter().find(|e| e["signal"] == "containment");
    assert_eq!(containment.map(|e| &e["favours"]), Some(&Value::from("full")), "{pairs:?}");
}

#[test]
fn a_wire_passage_inside_a_different_long_story_is_found() {
    // An article of its own (made-up vocabulary, so nothing else about it resembles the story) that
    // reprints three sentences of the story: too little of either text for whole-document views.
    let own: Vec<String> = (0..40)
        .map(|k| format!("Councillor{k} praised the orchard{k} festival{k} and its lantern{k} parade{k} on Sunday{k}."))
        .collect();
    let mut reprint = own[..20].to_vec();
    reprint.extend(STORY[3..6].iter().map(|s| s.to_string()));
    reprint.extend_from_slice(&own[20..]);
    let story = [STORY.join("\n"), OTHER.join("\n")].join("\n");
    let files = [("story", story), ("reprint", reprint.join("\n"))];
    let pairs = scan_texts(&files);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!((pairs[0].0.as_str(), pairs[0].1.as_str(), pairs[0].2.as_str()), ("reprint", "story", "partial"));

    // Found through the passages candidate source alone.
    let dir = tempfile::tempdir().unwrap();
    write_texts(dir.path(), &files);
    let report = json(&run_ok(&["scan", "--quiet", "--format", "json", "--no-passages", dir.path().to_str().unwrap()]));
    assert_eq!(report["pairs"].as_array().unwrap().len(), 0, "{report}");
}

#[test]
fn lightly_edited_copies_are_compared_through_one_leader() {
    // Nine copies of a paragraph, each with four words of its own spread through it: too many 5-grams
    // broken for the words view to join them, the same content words nearly throughout. One group, its
    // members compared with its leader (a star), not 36 pairs; an unrelated text stays out.
    let paragraph = STORY[..5].join(" ");
    let words: Vec<&str> = paragraph.split(' ').collect();
    let mut files: Vec<(String, String)> = (0..9)
        .map(|k| {
            let own: Vec<String> = (0..4).map(|j| format!("zorblat{k}x{j}")).collect();
            let mut copy = words.clone();
            for (j, word) in own.iter().enumerate() {
                copy[k + 9 * j + 1] = word;
            }
            (format!("copy{k}"), copy.join(" "))
        })
        .collect();
    files.push(("other".into(), OTHER.join("\n")));
    let dir = tempfile::tempdir().unwrap();
    write_texts(dir.path(), &files);
    let path = dir.path().to_str().unwrap();
    let report = json(&run_ok(&["scan", "--quiet", "--format", "json", path]));
    // Seven go through the leader; one joined through another copy is not a near-duplicate of the leader
    // by its estimate (0.8), and is compared in full: with the leader, its one related text.
    assert_eq!(report["summary"]["grouped_documents"], 7, "{}", report["summary"]);
    let pairs = report["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 8, "{pairs:?}");
    for p in pairs {
        assert_eq!(p["a"], "copy0", "{p}");
        assert!(["rewrite", "near_duplicate"].contains(&p["relation"].as_str().unwrap()), "{p}");
    }
    // The same report for any thread count.
    let one = run_ok(&["-j", "1", "scan", "--quiet", "--format", "json", path]);
    assert_eq!(json(&one), report);
}

#[test]
fn shuffled_sentences_are_still_derived() {
    let mut shuffled = STORY.to_vec();
    shuffled.swap(0, 5);
    shuffled.swap(2, 7);
    shuffled.swap(1, 4);
    let pairs = scan_texts(&[("a", STORY.join("\n")), ("b", shuffled.join("\n"))]);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_ne!(pairs[0].2, "duplicate");
}

/// A Chinese news story (a typhoon's landfall), and what other sites made of it: a rewrite in other
/// words, a reporter's own story of the same event (the same names and figures), and an unrelated story.
/// Paragraphs, joined by line breaks.
const ZH_STORY: &[&str] = &[
    "台风“海燕”在福建登陆 二十万人紧急转移",
    "新华社福州9月14日电 今年第13号台风“海燕”14日凌晨3时30分前后在福建省漳浦县沿海登陆，登陆时中心附近最大风力有14级。福建省防汛抗旱指挥部当天上午发布消息说，全省已紧急转移沿海低洼地区和危险区域群众二十余万人，一万三千多艘渔船全部回港避风。",
    "受台风影响，福州、厦门等地机场取消航班三百余架次，多趟动车组列车停运。漳州、泉州部分地区出现大面积停电，电力部门已组织抢修队伍连夜抢修。气象部门预计，“海燕”登陆后将向西北方向移动，强度逐渐减弱，但福建南部、广东东部仍将出现大暴雨到特大暴雨。",
    "福建省委、省政府要求各地严格落实防御措施，加强对山洪、地质灾害和城市内涝的巡查，确保人民群众生命财产安全。",
];
const ZH_REWRITE: &[&str] = &[
    "“海燕”来袭：福建转移逾二十万群众",
    "9月14日凌晨3点半左右，第13号台风“海燕”在福建漳浦沿海地区登陆，登陆时中心风力达到14级。据福建省防汛抗旱指挥部14日上午消息，全省沿海低洼和危险地带的二十多万名群众已被紧急转移，一万三千余艘渔船已全部回港避风。",
    "台风带来的影响不小：福州和厦门等地的机场共取消三百多个航班，多趟动车停运。漳州和泉州部分地方大面积停电，电力部门连夜组织队伍抢修。据气象部门预测，“海燕”登陆以后会朝西北方向移动并逐步减弱，不过福建南部和广东东部仍会有大暴雨甚至特大暴雨。",
    "福建省委和省政府要求各地把防御措施落到实处，加强山洪、地质灾害以及城市内涝巡查，保障群众生命和财产安全。",
];
const ZH_REPORT: &[&str] = &[
    "直击台风“海燕”：漳浦渔港一夜未眠",
    "本报记者 陈晓东 发自漳浦",
    "13日晚上十点，漳浦县旧镇渔港的码头上依然灯火通明。渔民老林把最后一根缆绳系紧，抬头看了看黑沉沉的天空。“十四级的台风，我打鱼三十年也没碰到过几次。”他说，全村的渔船下午就都回来了。",
    "14日凌晨，台风“海燕”在漳浦沿海登陆。记者在镇上的安置点看到，几百名从海边转移来的村民住在学校教室里，志愿者正在分发方便面和矿泉水。镇党委书记告诉记者，全镇转移了八千多人，没有人员伤亡的报告。",
    "天亮以后，风雨渐小，街道上到处是被吹断的树枝和广告牌。供电所的工人已经开始沿着公路检查线路。老林说，等风停了，他要先去看看自己的船。",
];
const ZH_OTHER: &[&str] = &[
    "上海发布新一轮支持消费政策 发放两亿元消费券",
    "上海市商务委员会15日宣布，将于下月起分三批发放总额两亿元的消费券，覆盖餐饮、零售、文旅和体育等领域。市民可通过指定手机应用领取，每人每批最多可领取三张。商务委员会负责人表示，此举旨在进一步提振市场信心，促进消费回暖。",
    "据统计，今年前八个月上海社会消费品零售总额同比增长百分之四点八，其中网上零售增长明显。专家认为，消费券对带动线下客流有积极作用，但更重要的是提高居民收入、稳定就业预期。",
];
/// A Japanese story.
const JA_STORY: &[&str] = &[
    "東京都は十五日、新型の感染症対策として、都内の全ての公立小中学校に空気清浄機を配備すると発表した。費用はおよそ三十億円で、年内の設置完了を目指す。小池知事は記者会見で「子どもたちが安心して学べる環境を整えたい」と述べた。",
    "都教育委員会によると、対象となる学校は約千九百校。教室のほか、体育館や図書室にも設置する。専門家は、換気と組み合わせることで一定の効果が期待できると話している。",
];

#[test]
fn chinese_and_japanese_are_read_a_character_a_word() {
    // Written without spaces, each of these texts would be a handful of "words" too short to judge.
    let mut files: Vec<(&str, String)> = [
        ("zh-story", ZH_STORY),
        ("zh-rewrite", ZH_REWRITE),
        ("zh-report", ZH_REPORT),
        ("zh-other", ZH_OTHER),
        ("ja-story", JA_STORY),
    ]
    .into_iter()
    .map(|(name, paragraphs)| (name, paragraphs.join("\n")))
    .collect();
    // Copies: the Chinese story without its last paragraph, its headline and a figure rewritten; the
    // Japanese one with a few words changed and its last sentence dropped.
    let zh_copy = ZH_STORY[..3]
        .join("\n")
        .replacen("在福建登陆 二十万人", "登陆福建 20万人", 1)
        .replace("大暴雨到特大暴雨", "大暴雨");
    let ja_copy = JA_STORY.join("\n").replace("およそ", "約").replace("記者会見", "会見").replace("述べた", "語った");
    let ja_copy = ja_copy.split("専門家").next().unwrap().to_string();
    files.extend([("zh-copy", zh_copy), ("ja-copy", ja_copy)]);
    let pairs = scan_texts(&files);
    let found: Vec<(&str, &str)> = pairs.iter().map(|p| (p.0.as_str(), p.1.as_str())).collect();
    // The copies and the rewrite are found; the reporter's own story and the unrelated one are not.
    assert_eq!(
        found,
        [("ja-copy", "ja-story"), ("zh-copy", "zh-rewrite"), ("zh-copy", "zh-story"), ("zh-rewrite", "zh-story")]
    );
    let relation = |a: &str, b: &str| pairs.iter().find(|p| (p.0.as_str(), p.1.as_str()) == (a, b)).unwrap();
    assert_eq!(relation("zh-copy", "zh-story").2, "near_duplicate");
    assert_eq!(
        (relation("zh-rewrite", "zh-story").2.as_str(), relation("zh-rewrite", "zh-story").3.as_str()),
        ("rewrite", "zh-story")
    );
    assert!(["near_duplicate", "rewrite"].contains(&relation("ja-copy", "ja-story").2.as_str()), "{pairs:?}");
}

#[test]
fn a_chinese_character_is_half_a_word_in_counts() {
    // A headline of 30 characters is 15 words, too short to judge (20), as a 15-word English one is.
    let dir = tempfile::tempdir().unwrap();
    let headline = "台风海燕在福建漳浦县沿海登陆二十万人紧急转移渔船全部回港避风";
    std::fs::write(dir.path().join("headline.txt"), headline).unwrap();
    std::fs::write(dir.path().join("story.txt"), ZH_STORY.join("\n")).unwrap();
    let report = json(&run_ok(&["scan", "--quiet", "--format", "json", dir.path().to_str().unwrap()]));
    let documents = report["documents"].as_array().unwrap();
    let headline = documents.iter().find(|d| d["id"] == "headline").unwrap();
    assert_eq!((headline["words"].as_u64(), headline["skipped"].as_str()), (Some(15), Some("too short to judge")));
    let story = documents.iter().find(|d| d["id"] == "story").unwrap();
    let characters = ZH_STORY.iter().flat_map(|p| p.chars()).filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
    assert!(story["words"].as_u64().unwrap() < characters as u64, "{story}");
}

/// A Thai story (a stimulus package) and an unrelated one (a flood).
const TH_STORY: &[&str] = &[
    "รัฐบาลประกาศมาตรการกระตุ้นเศรษฐกิจชุดใหม่",
    "กรุงเทพฯ 14 ก.ย. รัฐบาลไทยประกาศมาตรการใหม่เพื่อกระตุ้นเศรษฐกิจในวันอังคาร รวมถึงการลดภาษีสำหรับธุรกิจขนาดเล็กและการเพิ่มงบประมาณสำหรับโครงสร้างพื้นฐาน นายกรัฐมนตรีกล่าวว่ามาตรการดังกล่าวจะช่วยให้เศรษฐกิจฟื้นตัวได้เร็วขึ้น",
    "กระทรวงการคลังคาดว่าการลดภาษีจะช่วยธุรกิจกว่าหนึ่งแสนราย และจะเริ่มมีผลตั้งแต่เดือนหน้า นักเศรษฐศาสตร์หลายคนเห็นด้วยกับมาตรการนี้ แต่เตือนว่ารัฐบาลต้องระวังการขาดดุลงบประมาณ",
];
const TH_OTHER: &[&str] = &[
    "น้ำท่วมหนักในเชียงใหม่",
    "เชียงใหม่ 15 ก.ย. ฝนตกหนักต่อเนื่องทำให้เกิดน้ำท่วมในหลายอำเภอ เจ้าหน้าที่ได้อพยพชาวบ้านกว่าสามพันคนไปยังศูนย์พักพิงชั่วคราว กรมอุตุนิยมวิทยาเตือนว่าฝนจะตกต่อไปอีกอย่างน้อยสามวัน",
    "ผู้ว่าราชการจังหวัดสั่งให้ทุกหน่วยงานเตรียมพร้อมรับมือ และขอให้ประชาชนติดตามข่าวสารอย่างใกล้ชิด",
];

#[test]
fn thai_is_read_in_the_words_a_dictionary_finds() {
    // Thai puts spaces between phrases, not words: read in phrases, these texts are too short to judge
    // and a word swapped inside a phrase changes the whole phrase.
    let story = TH_STORY.join("\n");
    let spun = [
        ("ประกาศมาตรการใหม่", "เปิดตัวมาตรการใหม่"),
        ("ธุรกิจขนาดเล็ก", "กิจการขนาดเล็ก"),
        ("กล่าวว่า", "ระบุว่า"),
        ("ฟื้นตัวได้เร็วขึ้น", "ฟื้นตัวได้ไวขึ้น"),
        ("คาดว่า", "ประเมินว่า"),
        ("เห็นด้วยกับ", "สนับสนุน"),
        ("เตือนว่า", "ชี้ว่า"),
    ]
    .iter()
    .fold(story.clone(), |text, (word, synonym)| text.replace(word, synonym));
    let pairs = scan_texts(&[("story", story), ("spun", spun), ("other", TH_OTHER.join("\n"))]);
    let found: Vec<(&str, &str, &str)> = pairs.iter().map(|p| (p.0.as_str(), p.1.as_str(), p.2.as_str())).collect();
    assert_eq!(found, [("spun", "story", "rewrite")]);
}

#[test]
fn unrelated_texts_are_not_paired() {
    assert_eq!(scan_texts(&[("a", STORY.join("\n")), ("b", OTHER.join("\n"))]), vec![]);
}

#[test]
fn a_shared_quotation_alone_is_not_copying() {
    let quote = "“We will not rest until every family in this city has a library within walking distance, and \
                 we will keep fighting for the buses our northern suburbs were promised years ago,” she said.";
    let a = format!("{}\n{quote}\n{}", STORY[0], STORY[6]);
    let b = format!("{}\n{quote}\n{}", OTHER[0], OTHER[3]);
    assert_eq!(scan_texts(&[("a", a), ("b", b)]), vec![]);
}

#[test]
fn text_report_names_source_then_derived_and_output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.txt");
    run_ok(&["scan", "--quiet", corpus().to_str().unwrap(), "--output", out.to_str().unwrap()]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("docs/000_24845da15824156e → docs/001_7c663ffecd687829  rewrite"), "{text}");
    assert!(text.contains("clusters:"), "{text}");
    // Nothing but the report is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // `-o -` is standard output.
    let out = bin().current_dir(dir.path()).args(["scan", "--quiet", "-o", "-"]).arg(corpus()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("clusters:"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn an_output_that_cannot_be_written_fails_before_the_scan_and_a_failed_run_leaves_nothing() {
    // The output is opened first: the error comes before any input is read (the missing input
    // would be reported otherwise).
    let out = bin().args(["scan", "/nonexistent/unspun-input", "-o", "/nonexistent/dir/report.json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("/nonexistent/dir/report.json") && !stderr.contains("unspun-input"), "{stderr}");
    let folder = tempfile::tempdir().unwrap();
    let out = bin().args(["scan", "/nonexistent/unspun-input", "-o"]).arg(folder.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("a folder, not a file") && !stderr.contains("unspun-input"), "{stderr}");
    // A run stopped by bad input under --strict leaves neither the report nor its temporary file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.txt"), b"caf\xe9, not UTF-8").unwrap();
    let report = dir.path().join("report.json");
    let out = bin()
        .args(["scan", "--quiet", "--strict", "-o"])
        .arg(&report)
        .arg(dir.path().join("bad.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["bad.txt"]);
}

#[test]
fn csv_report_has_a_row_a_pair() {
    let out = run_ok(&["scan", "--quiet", "--format", "csv", corpus().to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("a,b,relation,source,confidence,jaccard5"), "{text}");
    assert_eq!(rows.len(), 5, "{text}");
    let first: Vec<&str> = rows[1].split(',').collect();
    let (source, copy) = ("docs/000_24845da15824156e", "docs/001_7c663ffecd687829");
    assert_eq!(&first[..4], [source, copy, "rewrite", source], "{text}");
    assert_eq!(first.last(), Some(&"attestation"), "{text}");
    // Cells with commas or quotation marks are quoted: a JSON Lines title with both.
    let dir = tempfile::tempdir().unwrap();
    let line =
        |id: &str, title: &str| serde_json::json!({"id": id, "title": title, "text": STORY.join("\n")}).to_string();
    let file = dir.path().join("t.jsonl");
    std::fs::write(&file, [line("x", "Budget, \"final\""), line("y", "Plain")].join("\n")).unwrap();
    let out = run_ok(&["scan", "--quiet", "--format", "csv", file.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().nth(1).unwrap().contains(",\"Budget, \"\"final\"\"\",Plain,"), "{text}");
}

#[test]
fn unreadable_and_invalid_input_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.txt"), STORY.join("\n")).unwrap();
    std::fs::write(dir.path().join("copy.txt"), STORY.join("\n")).unwrap();
    let mut bad = STORY.join("\n").into_bytes();
    bad.extend_from_slice(b"\xff\xfe broken");
    std::fs::write(dir.path().join("latin.txt"), bad).unwrap();
    let out = bin().args(["scan", "--quiet", "--format", "json", dir.path().to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("latin.txt") && stderr.contains("UTF-8"), "{stderr}");
    assert_eq!(json(&out)["documents"].as_array().unwrap().len(), 3);
    // A path that does not exist is an error of the run, not an empty report (issue 18).
    let missing = bin().args(["scan", "--quiet", "/nonexistent/unspun-test"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/unspun-test"));
}

#[test]
fn dates_decide_the_source_and_window_limits_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("news.jsonl");
    let original = STORY.join("\n");
    let copy = original.replace("Tuesday", "Wednesday").replace("seven to two", "7-2");
    let line = |id: &str, date: &str, text: &str| {
        serde_json::json!({"id": id, "date": date, "text": text, "outlet": format!("outlet-{id}")}).to_string()
    };
    // The copy's text comes first in the file, but its date is later.
    let lines = [line("copy", "2025-05-26", &copy), line("orig", "2025-05-20T08:00:00Z", &original)];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let report = json(&run_ok(&["scan", "--quiet", "--format", "json", file.to_str().unwrap()]));
    let pair = &report["pairs"][0];
    assert_eq!(pair["source"], "orig", "{report}");
    assert_eq!(pair["evidence"][0]["signal"], "date", "{report}");
    assert_eq!(report["documents"][0]["outlet"], "outlet-copy", "{report}");
    let windowed = json(&run_ok(&["scan", "--quiet", "--format", "json", "--window", "3", file.to_str().unwrap()]));
    assert_eq!(windowed["pairs"].as_array().unwrap().len(), 0, "{windowed}");
}

/// Seven copies of one article published a day apart, each with a word of its own changed, and an eighth
/// published the day the last was: eight near-duplicates, a group compared through its earliest member.
/// With `--window 0` the eighth is paired with the copy of its day (the star's pair with the leader, six
/// days apart, was dropped and nothing took its place); with `--window 1`, with the earliest copy within a
/// day of it, and every copy with one of its neighbours in time.
#[test]
fn a_window_pairs_a_copy_with_the_copies_of_its_days_in_a_group() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copies.jsonl");
    let seed = std::fs::read_to_string(corpus().join("docs/000_24845da15824156e.txt")).unwrap();
    let words: Vec<&str> = seed.split(' ').collect();
    let copy = |k: usize| {
        let mut w = words.clone();
        let at = 40 + 25 * k;
        let changed = format!("{}{k}", w[at]);
        w[at] = &changed;
        w.join(" ")
    };
    let mut lines: Vec<String> = (0..7)
        .map(|k| {
            serde_json::json!({"id": format!("copy{k}"), "date": format!("2024-01-0{}", k + 1), "text": copy(k)})
                .to_string()
        })
        .collect();
    lines.push(serde_json::json!({"id": "new", "date": "2024-01-07", "text": copy(7)}).to_string());
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let pairs = |window: &str| {
        let report =
            json(&run_ok(&["scan", "--quiet", "--format", "json", "--window", window, file.to_str().unwrap()]));
        let mut pairs: Vec<String> = report["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{}~{}", p["a"].as_str().unwrap(), p["b"].as_str().unwrap()))
            .collect();
        pairs.sort();
        pairs
    };
    assert_eq!(pairs("0"), ["copy6~new"]);
    assert_eq!(
        pairs("1"),
        ["copy0~copy1", "copy1~copy2", "copy2~copy3", "copy3~copy4", "copy4~copy5", "copy5~copy6", "copy5~new"]
    );
}

/// Scans two saved pages of the story, a lightly edited copy (`a-copy.html`, first by name) and the
/// original (`b-orig.html`), each with the given `<head>` content; returns the JSON report.
fn scan_saved_pages(copy_head: &str, original_head: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let original = STORY.join("\n");
    let copy = original.replace("Tuesday", "Wednesday").replace("seven to two", "7-2");
    let page = |head: &str, text: &str| {
        let paragraphs: String = text.lines().map(|l| format!("<p>{l}</p>")).collect();
        format!("<!DOCTYPE html><html><head>{head}</head><body><article>{paragraphs}</article></body></html>")
    };
    std::fs::write(dir.path().join("a-copy.html"), page(copy_head, &copy)).unwrap();
    std::fs::write(dir.path().join("b-orig.html"), page(original_head, &original)).unwrap();
    json(&run_ok(&["scan", "--quiet", "--format", "json", "--ext", "html", dir.path().to_str().unwrap()]))
}

#[test]
fn a_pages_publication_date_decides_the_source() {
    // The pages say when each was published. Without those dates nothing tells the two apart (the copy
    // changes two words), so the dates decide.
    let late = r#"<script type="application/ld+json">{"datePublished": "2025-05-26"}</script>"#;
    let early = r#"<meta property="article:published_time" content="2025-05-20T08:00:00Z">"#;
    let report = scan_saved_pages(late, early);
    let pair = &report["pairs"][0];
    assert_eq!(pair["source"], "b-orig", "{report}");
    assert_eq!(pair["evidence"][0]["signal"], "date", "{report}");
    assert_eq!(report["documents"][0]["date"], "2025-05-26", "{report}");
}

#[test]
fn a_canonical_link_names_the_source_before_dates() {
    // A syndicated copy says where its original is; here it even claims the earlier date.
    let copy_head =
        r#"<link rel="canonical" href="https://www.news.example/budget/"><meta name="date" content="2025-05-20">"#;
    let original_head =
        r#"<meta property="og:url" content="https://news.example/budget"><meta name="date" content="2025-05-26">"#;
    let report = scan_saved_pages(copy_head, original_head);
    let pair = &report["pairs"][0];
    assert_eq!(pair["source"], "b-orig", "{report}");
    assert_eq!(pair["evidence"][0]["signal"], "canonical", "{report}");
    assert_eq!(report["documents"][0]["canonical"], "https://www.news.example/budget/", "{report}");
    assert_eq!(report["documents"][1]["url"], "https://news.example/budget", "{report}");
}

#[test]
fn timings_name_every_stage() {
    let out = run_ok(&["scan", "--quiet", "--timings", "--format", "json", corpus().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.starts_with("unspun: timings: ")).unwrap_or_else(|| panic!("{stderr}"));
    for stage in ["reading", "banding words", "analysing", "verifying", "writing", "between stages", "total"] {
        assert!(line.contains(stage), "{stage} missing: {line}");
    }
    // The report on stdout is untouched.
    assert_eq!(json(&out)["documents"].as_array().unwrap().len(), 5);
}

#[test]
fn a_missing_or_broken_model_is_a_clear_error() {
    let scan = |model: &Path| bin().args(["scan", "--quiet", "--model"]).arg(model).arg(corpus()).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = scan(&dir.path().join("nowhere"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere/config.json"), "{out:?}");
    // A model whose weights were cut short names the file and what is wrong.
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();
    let config = r#"{"hidden_size": 4, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "max_position_embeddings": 8}"#;
    std::fs::write(model.join("config.json"), config).unwrap();
    let vocab = r#"{"model": {"vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "the": 3}}}"#;
    std::fs::write(model.join("tokenizer.json"), vocab).unwrap();
    std::fs::write(model.join("model.safetensors"), [200, 0, 0, 0, 0, 0, 0, 0, b'{']).unwrap();
    let out = scan(&model);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("model.safetensors") && stderr.contains("truncated"), "{stderr}");
}

#[test]
fn verdict_bars_from_a_file_decide_what_is_derived_and_a_bad_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let scan = |bars: &Path| {
        bin().args(["scan", "--quiet", "--format", "json", "--verdict-bars"]).arg(bars).arg(corpus()).output().unwrap()
    };
    let pairs = |out: &std::process::Output| {
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["pairs"].as_array().unwrap().len()
    };
    // Bars no alignment reaches leave only what the wording settles alone (near-duplicates, leads).
    let strict = dir.path().join("strict.json");
    std::fs::write(&strict, r#"{"version": 1, "rewrite_strength": 1000, "partial_strength": 1000}"#).unwrap();
    let built_in = bin().args(["scan", "--quiet", "--format", "json"]).arg(corpus()).output().unwrap();
    assert!(pairs(&scan(&strict)) < pairs(&built_in));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"version": 1}"#).unwrap();
    for path in [bad, dir.path().join("missing.json")] {
        let out = scan(&path);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(path.file_name().unwrap().to_str().unwrap()), "{stderr}");
    }
}

/// A tiny BERT encoder with random weights whose vocabulary cuts any lower-case ASCII word into letters
/// and digits, written in sentence-transformers' layout into `dir`.
fn write_tiny_model(dir: &Path) {
    let (d, f, positions) = (8usize, 16usize, 512usize);
    let config = serde_json::json!({"hidden_size": d, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": f, "max_position_embeddings": positions});
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "."].map(String::from).to_vec();
    for c in ('a'..='z').chain('0'..='9') {
        vocab.push(c.to_string());
        vocab.push(format!("##{c}"));
    }
    let ids: serde_json::Map<String, Value> = vocab.iter().enumerate().map(|(i, w)| (w.clone(), i.into())).collect();
    std::fs::write(dir.join("tokenizer.json"), serde_json::json!({"model": {"vocab": ids}}).to_string()).unwrap();
    let mut tensors: Vec<(String, Vec<usize>)> = vec![
        ("embeddings.word_embeddings.weight".into(), vec![vocab.len(), d]),
        ("embeddings.position_embeddings.weight".into(), vec![positions, d]),
        ("embeddings.token_type_embeddings.weight".into(), vec![2, d]),
        ("embeddings.LayerNorm.weight".into(), vec![d]),
        ("embeddings.LayerNorm.bias".into(), vec![d]),
    ];
    let p = "encoder.layer.0";
    for (name, outputs, inputs) in [
        ("attention.self.query", d, d),
        ("attention.self.key", d, d),
        ("attention.self.value", d, d),
        ("attention.output.dense", d, d),
        ("intermediate.dense", f, d),
        ("output.dense", d, f),
    ] {
        tensors.push((format!("{p}.{name}.weight"), vec![outputs, inputs]));
        tensors.push((format!("{p}.{name}.bias"), vec![outputs]));
    }
    for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
        tensors.push((format!("{p}.{norm}.weight"), vec![d]));
        tensors.push((format!("{p}.{norm}.bias"), vec![d]));
    }
    let (mut header, mut data, mut state) = (serde_json::Map::new(), Vec::new(), 12345u64);
    for (name, shape) in tensors {
        let n: usize = shape.iter().product();
        let start = data.len();
        for _ in 0..n {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let v = ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.8;
            data.extend_from_slice(&v.to_le_bytes());
        }
        header.insert(name, serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [start, data.len()]}));
    }
    let header = Value::Object(header).to_string();
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend(data);
    std::fs::write(dir.join("model.safetensors"), bytes).unwrap();
}

#[test]
fn word_vectors_are_distilled_once_then_embed_without_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path();
    write_tiny_model(model);
    let scan = || {
        bin()
            .args(["scan", "--quiet", "--format", "json", "--word-vectors", "--model"])
            .arg(model)
            .arg(corpus())
            .output()
            .unwrap()
    };
    // Before the model is distilled: a clear error naming the file to make and how.
    let out = scan();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("word-vectors.safetensors") && stderr.contains("unspun model distill"), "{stderr}");
    run_ok(&["model", "distill", model.to_str().unwrap(), "--quiet"]);
    assert!(model.join("word-vectors.safetensors").is_file());
    let out = scan();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    // The wording's verdicts stand (the view only adds); a pair the wording leaves carries what it measured.
    let with_view = short_verdicts(&report);
    let plain = short_verdicts(&json(&run_ok(&["scan", corpus().to_str().unwrap(), "-q", "--format", "json"])));
    let relations = |v: &[(String, String, String, String)]| -> Vec<(String, String, String)> {
        v.iter().map(|(a, b, r, _)| (a.clone(), b.clone(), r.clone())).collect()
    };
    let found = relations(&with_view);
    assert!(relations(&plain).iter().all(|p| found.contains(p)), "{plain:?} vs {with_view:?}");
    for pair in report["pairs"].as_array().unwrap().iter().filter(|p| p.get("semantic").is_some()) {
        let s = &pair["semantic"];
        assert!(s["leads"].as_f64().unwrap().abs() <= 1.0 && s["specifics"].as_f64().unwrap() <= 1.0, "{pair}");
    }
}

#[test]
fn the_semantic_views_candidates_do_not_depend_on_the_other_views() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path());
    run_ok(&["model", "distill", dir.path().to_str().unwrap(), "--quiet"]);
    // Unverified candidates of the words view alone (which needs no tokens) and of words and lead: the
    // semantic view blocks on the documents' names either way.
    let semantic = |views: &str| {
        let model = dir.path().to_str().unwrap();
        let args = ["scan", "-q", "--format", "json", "--candidates-only", "--word-vectors", "--model", model];
        let report = json(&run_ok(&[&args[..], &["--views", views, corpus().to_str().unwrap()]].concat()));
        report["summary"]["views"]["semantic"]["pairs"].as_u64().unwrap()
    };
    let alone = semantic("words");
    assert!(alone > 0);
    assert_eq!(alone, semantic("words,lead"));
}

#[test]
fn explain_quotes_each_pairs_passages_from_the_texts_with_their_evidence() {
    let out = run_ok(&["scan", corpus().to_str().unwrap(), "--explain", "-q"]);
    let text = String::from_utf8(out.stdout).unwrap();
    // The block of the pair 000 → 003: its line and the indented lines under it.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains("→ docs/003")).unwrap();
    let under = lines[at + 1..].iter().take_while(|l| l.starts_with("    ")).count();
    let pair = lines[at..=at + under].join("\n");
    assert!(pair.contains("    attestation (favours docs/000"), "{text}");
    // Each quoted passage is the text of its byte range in the seed file, white space collapsed.
    let mut quoted = 0;
    for line in pair.lines().filter(|l| l.starts_with("      docs/")) {
        let (id, rest) = line.trim().split_once(" [").unwrap();
        let (range, quote) = rest.split_once("] ").unwrap();
        let (start, end) = range.split_once("..").unwrap();
        let file = std::fs::read_to_string(corpus().join(format!("{id}.txt"))).unwrap();
        let slice = file[start.parse::<usize>().unwrap()..end.parse::<usize>().unwrap()].split_whitespace();
        let expected = slice.collect::<Vec<_>>().join(" ");
        let shown = quote.trim_start_matches('“').trim_end_matches('”').trim_end_matches('…');
        assert!(!shown.is_empty() && expected.starts_with(shown), "{line}\n{expected}");
        quoted += 1;
    }
    assert_eq!(quoted, 6, "three passages, both sides: {pair}");
    assert!(pair.contains("passage 3 of 4:") && !pair.contains("passage 4 of 4:"), "{pair}");
    // JSON already carries evidence and byte ranges: asking to explain it is a mistake, said so.
    let out = bin().args(["scan", corpus().to_str().unwrap(), "--explain", "-f", "json"]).output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--explain is for --format text"));
}

#[test]
fn explain_shows_where_two_copies_differ() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(corpus().join("docs/000_24845da15824156e.txt")).unwrap();
    std::fs::write(dir.path().join("a.txt"), &seed).unwrap();
    std::fs::write(dir.path().join("b.txt"), seed.replacen("hundreds", "thousands", 1)).unwrap();
    let out = run_ok(&["scan", dir.path().to_str().unwrap(), "--explain", "-q"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("a → b  near_duplicate") || text.contains("a ~ b  near_duplicate"), "{text}");
    let at = seed.find("hundreds").unwrap();
    assert!(text.contains(&format!("    where they differ:\n      a [{at}..{}] “hundreds”\n", at + 8)), "{text}");
    assert!(text.contains(&format!("      b [{at}..{}] “thousands”\n", at + 9)), "{text}");
    // A copy with CRLF line ends and a doubled space has the same words: no span of "differing" words
    // (it quoted nearly the whole text, nothing visibly different).
    std::fs::write(dir.path().join("b.txt"), seed.replace('\n', "\r\n").replacen(' ', "  ", 1)).unwrap();
    let out = run_ok(&["scan", dir.path().to_str().unwrap(), "--explain", "-q"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("duplicate") && !text.contains("where they differ"), "{text}");
    assert!(text.contains("    the texts have the same words: they differ in white space only\n"), "{text}");
}

/// The seeds split in two folders under `dir`: `ours` (the reference) holds those whose names start with
/// one of `reference`, `crawl` the others.
fn split_seeds(dir: &Path, reference: &[&str]) -> (PathBuf, PathBuf) {
    let (ours, crawl) = (dir.join("ours"), dir.join("crawl"));
    std::fs::create_dir_all(&ours).unwrap();
    std::fs::create_dir_all(&crawl).unwrap();
    for entry in std::fs::read_dir(corpus_docs()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let to = if reference.iter().any(|r| name.starts_with(r)) { &ours } else { &crawl };
        std::fs::copy(&path, to.join(&name)).unwrap();
    }
    (ours, crawl)
}

#[test]
fn against_a_reference_collection_only_cross_pairs_are_reported() {
    // The seeds with 000 and 002 as the reference: the pairs of a reference and a scanned article are
    // the full scan's, with the same relations; 001 ~ 003 (both scanned) is not compared.
    let dir = tempfile::tempdir().unwrap();
    let (ours, crawl) = split_seeds(dir.path(), &["000", "002"]);
    let relations = |report: &Value| -> Vec<(String, String, String)> {
        let id = |v: &Value| v.as_str().unwrap_or("-").rsplit('/').next().unwrap()[..3].to_string();
        let pairs = report["pairs"].as_array().unwrap().iter();
        pairs.map(|p| (id(&p["a"]), id(&p["b"]), p["relation"].as_str().unwrap().to_string())).collect()
    };
    let full = relations(&json(&run_ok(&["scan", "--quiet", "--format", "json", corpus().to_str().unwrap()])));
    let report = json(&run_ok(&[
        "scan",
        "--quiet",
        "--format",
        "json",
        crawl.to_str().unwrap(),
        "--against",
        ours.to_str().unwrap(),
    ]));
    let cross: Vec<_> =
        full.iter().filter(|(a, b, _)| (a == "000" || a == "002") != (b == "000" || b == "002")).cloned().collect();
    assert_eq!(cross.len(), 3, "{full:?}");
    assert_eq!(relations(&report), cross);
    let references: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["reference"] == true)
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(references.len(), 2, "{references:?}");
    assert_eq!(report["summary"]["references"], serde_json::json!({"documents": 2, "paired": 2}));
    assert!(references.iter().all(|id| id.starts_with("000") || id.starts_with("002")), "{references:?}");
    // A file cannot be both.
    let both = bin()
        .args(["scan", "--quiet", dir.path().to_str().unwrap(), "--against", ours.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&both.stderr).contains("both scanned and a reference"));
}

#[test]
fn against_a_reference_collection_only_its_paired_documents_are_listed() {
    // 000, 002 and 004 as the reference, 001 and 003 scanned: 000 is paired with both; 002 ~ 004 are both
    // references, and neither has a pair with a scanned article. The summary counts all three.
    let dir = tempfile::tempdir().unwrap();
    let (ours, crawl) = split_seeds(dir.path(), &["000", "002", "004"]);
    for format in ["json", "jsonl"] {
        let out = run_ok(&[
            "scan",
            "--quiet",
            "--format",
            format,
            crawl.to_str().unwrap(),
            "--against",
            ours.to_str().unwrap(),
        ]);
        let lines: Vec<Value> = if format == "json" {
            vec![json(&out)]
        } else {
            String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
        };
        let documents: Vec<(String, bool)> = if format == "json" {
            lines[0]["documents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| (d["id"].to_string(), d["reference"] == true))
                .collect()
        } else {
            lines
                .iter()
                .filter(|l| l["type"] == "document")
                .map(|d| (d["id"].to_string(), d["reference"] == true))
                .collect()
        };
        let prefixes: Vec<(&str, bool)> = documents.iter().map(|(id, r)| (&id[1..4], *r)).collect();
        assert_eq!(prefixes, [("000", true), ("001", false), ("003", false)], "{format}");
        let summary = if format == "json" { &lines[0]["summary"] } else { lines.last().unwrap() };
        assert_eq!(summary["references"], serde_json::json!({"documents": 3, "paired": 1}), "{format}");
        assert_eq!(summary["documents"], 5, "{format}");
    }
}

#[test]
fn against_a_reference_every_copy_is_paired_with_the_original() {
    // Nine lightly edited copies of a paragraph (a near-duplicate group in a full scan, compared through
    // one of them) and three identical short texts. Against the paragraph itself, the group's leader is
    // the reference; against a longer article that holds it, the group has only scanned copies and
    // each is paired with the article too. Copies are never paired with one another.
    let paragraph = STORY[..5].join(" ");
    let words: Vec<&str> = paragraph.split(' ').collect();
    let scan = |original: &str| -> (Vec<(String, String)>, Value) {
        let dir = tempfile::tempdir().unwrap();
        let (ours, crawl) = (dir.path().join("ours"), dir.path().join("crawl"));
        std::fs::create_dir_all(&ours).unwrap();
        std::fs::create_dir_all(&crawl).unwrap();
        std::fs::write(ours.join("original.txt"), original).unwrap();
        for k in 0..9 {
            let own: Vec<String> = (0..4).map(|j| format!("zorblat{k}x{j}")).collect();
            let mut copy = words.clone();
            for (j, word) in own.iter().enumerate() {
                copy[k + 9 * j + 1] = word;
            }
            std::fs::write(crawl.join(format!("copy{k}.txt")), copy.join(" ")).unwrap();
        }
        // The reference one is not the first by id.
        let short = "Council approves the budget after a long night.";
        std::fs::write(crawl.join("brief0.txt"), short).unwrap();
        std::fs::write(ours.join("brief1.txt"), short).unwrap();
        std::fs::write(crawl.join("brief2.txt"), short).unwrap();
        let args =
            ["scan", "--quiet", "--format", "json", crawl.to_str().unwrap(), "--against", ours.to_str().unwrap()];
        let report = json(&run_ok(&args));
        let pair = |p: &Value| (p["a"].as_str().unwrap().to_string(), p["b"].as_str().unwrap().to_string());
        let mut pairs: Vec<(String, String)> = report["pairs"].as_array().unwrap().iter().map(pair).collect();
        pairs.sort();
        // The same report for any thread count.
        let mut one = args.to_vec();
        one.insert(0, "-j1");
        assert_eq!(json(&run_ok(&one)), report);
        (pairs, report["summary"].clone())
    };
    let mut expected: Vec<(String, String)> = (0..9).map(|k| (format!("copy{k}"), "original".to_string())).collect();
    expected.extend([("brief0".to_string(), "brief1".to_string()), ("brief1".to_string(), "brief2".to_string())]);
    expected.sort();
    let (pairs, summary) = scan(&paragraph);
    assert_eq!(pairs, expected);
    assert_eq!(summary["grouped_documents"], 9, "{summary}");
    let article = [STORY.join("\n"), OTHER.join("\n")].join("\n");
    let (pairs, summary) = scan(&article);
    assert_eq!(pairs, expected);
    // One copy is not a near-duplicate of the reference by its estimate: compared in full, it is paired
    // with the reference all the same.
    assert_eq!(summary["grouped_documents"], 7, "{summary}");
}

/// A candidate pair (`--candidates-only`) is not verified: the figures verification measures are null in
/// JSON, empty cells in CSV and left out of the text line, not a measured 0 (the seeds' spun copy shares
/// most of its 5-grams with its original).
#[test]
fn candidate_pairs_have_no_figures_that_were_not_measured() {
    let docs = corpus_docs();
    let docs = docs.to_str().unwrap();
    let report = json(&run_ok(&["scan", "-q", "--candidates-only", "--format", "json", docs]));
    assert_eq!(report["format_version"], 3);
    let pairs = report["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty());
    for p in pairs {
        assert_eq!(p["relation"], "candidate");
        for figure in ["confidence", "jaccard5", "coverage_a", "similarity", "strength", "aligned_sentences"] {
            assert!(p[figure].is_null(), "{figure}: {p}");
        }
    }
    let csv = String::from_utf8(run_ok(&["scan", "-q", "--candidates-only", "--format", "csv", docs]).stdout).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains(",candidate,,,,,,,"), "{row}");
    let text = String::from_utf8(run_ok(&["scan", "-q", "--candidates-only", docs]).stdout).unwrap();
    assert!(text.lines().next().unwrap().ends_with("  candidate"), "{text}");
    let verified = json(&run_ok(&["scan", "-q", "--format", "json", docs]));
    assert!(verified["pairs"].as_array().unwrap().iter().all(|p| p["confidence"].as_f64().is_some()));
}

/// Texts too short to judge are reported as duplicates of identical ones, every pair of a small group (a
/// probe's three copies lacked the pair of the second and third): dates name the earlier the source, as
/// for longer texts, and `--window` keeps the pairs within it (the first copy, 181 days before the others,
/// was paired with each whatever the window), in a scan and against a reference collection alike.
#[test]
fn short_identical_texts_keep_to_the_window_and_their_dates() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Storm warning issued for the coast tonight.";
    let line = |id: &str, date: &str| serde_json::json!({"id": id, "date": date, "text": text}).to_string() + "\n";
    let old = dir.path().join("old.jsonl");
    std::fs::write(&old, line("old", "2025-01-01")).unwrap();
    let new = dir.path().join("new.jsonl");
    std::fs::write(&new, line("new1", "2025-07-01") + &line("new2", "2025-07-02")).unwrap();
    let pairs = |args: &[&str]| -> Vec<String> {
        let report = json(&run_ok(&[&["scan", "--quiet", "--format", "json"], args].concat()));
        (report["pairs"].as_array().unwrap().iter())
            .map(|p| format!("{}~{} {} {}", p["a"], p["b"], p["source"], p["evidence"][0]["signal"]))
            .collect()
    };
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    // A group of three: every pair, as a small near-duplicate group's.
    let all = [r#""new1"~"new2" null "duplicate""#, r#""new1"~"old" "old" "date""#, r#""new2"~"old" "old" "date""#];
    assert_eq!(pairs(&[old, new]), all);
    assert_eq!(pairs(&[old, new, "--window", "1"]), [r#""new1"~"new2" null "duplicate""#]);
    assert_eq!(pairs(&[new, "--against", old]), [r#""new1"~"old" "old" "date""#, r#""new2"~"old" "old" "date""#]);
    assert!(pairs(&[new, "--against", old, "--window", "30"]).is_empty());
    // A day without a time is any moment of it: 10:00 of that day is within `--window 0` of it, 10:00 of
    // the next is not.
    let days = dir.path().join("days.jsonl");
    let lines = [("d", "2025-07-01"), ("t", "2025-07-01T10:00:00Z"), ("n", "2025-07-02T10:00:00Z")];
    std::fs::write(&days, lines.iter().map(|(id, date)| line(id, date)).collect::<String>()).unwrap();
    assert_eq!(pairs(&[days.to_str().unwrap(), "--window", "0"]), [r#""d"~"t" null "duplicate""#]);
    // Eight copies or more are a star from the first (copies count once).
    let many = dir.path().join("many.jsonl");
    std::fs::write(&many, (0..9).map(|k| line(&format!("c{k}"), "2025-07-01")).collect::<String>()).unwrap();
    let star = pairs(&[many.to_str().unwrap()]);
    assert_eq!(star.len(), 8, "{star:?}");
    assert!(star.iter().all(|p| p.starts_with(r#""c0"~"#)), "{star:?}");
}

/// A text report without pairs opens with its summary line, not a blank line; with pairs, a blank line
/// parts them from it.
#[test]
fn a_text_report_without_pairs_opens_with_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();
    std::fs::write(dir.path().join("one.txt"), &seeds[0].1).unwrap();
    let alone = String::from_utf8(run_ok(&["scan", "--quiet", dir.path().to_str().unwrap()]).stdout).unwrap();
    assert!(alone.starts_with("1 document (0 not compared)"), "{alone:?}");
    let all = String::from_utf8(run_ok(&["scan", "--quiet", corpus_docs().to_str().unwrap()]).stdout).unwrap();
    assert!(all.contains("\n\n5 documents (0 not compared)"), "{all:?}");
}

#[test]
fn against_a_reference_collection_only_buckets_with_a_scanned_document_are_counted() {
    // Six edited copies of 000 in the reference share buckets over the cap of 3 (chained): those are the
    // archive's own, not the scan's, and the summary counts no capped bucket until a scanned article
    // lands in one.
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds();
    let text = |id: &str| seeds.iter().find(|(i, _)| i.starts_with(id)).unwrap().1.clone();
    let line = |id: String, text: String| serde_json::json!({"id": id, "text": text}).to_string() + "\n";
    let copies: String = (1..=6).map(|k| line(format!("r{k}"), format!("{} Edition {k}.", text("000")))).collect();
    let reference = dir.path().join("reference.jsonl");
    std::fs::write(&reference, copies).unwrap();
    let capped = |scanned: &str| {
        let crawl = dir.path().join("crawl.jsonl");
        std::fs::write(&crawl, scanned).unwrap();
        let out = run_ok(&[
            "scan",
            "--quiet",
            "--format",
            "json",
            "--max-bucket",
            "3",
            crawl.to_str().unwrap(),
            "--against",
            reference.to_str().unwrap(),
        ]);
        let words = json(&out)["summary"]["views"]["words"].clone();
        (words["capped_buckets"].as_u64().unwrap(), words["largest_bucket"].as_u64().unwrap())
    };
    // The scanned article's buckets hold it alone.
    assert_eq!(capped(&line("new".into(), text("002"))), (0, 1));
    let (buckets, largest) = capped(&line("new".into(), format!("{} Late edition.", text("000"))));
    assert!(buckets > 0 && largest == 7, "{buckets} capped, the largest of {largest}");
}

#[test]
fn two_texts_are_judged_alike_whichever_id_comes_first() {
    // Two republications of 000, each with sentences moved and one dropped: named `a`/`b` or `b`/`a`,
    // the pair has the same relation and confidence, and each text the same coverage (the alignment
    // was one-sided: 0.759 or 0.821 of one text restated, by its name).
    let text = seeds()[0].1.clone();
    let mut sentences = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.trim().char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if matches!(c, '.' | '!' | '?') && chars.get(k + 1).is_some_and(|&(_, n)| n.is_whitespace()) {
            sentences.push(text.trim()[start..=i].trim().to_string());
            start = i + 1;
        }
    }
    sentences.push(text.trim()[start..].trim().to_string());
    assert_eq!(sentences.len(), 23, "{sentences:?}");
    let pick = |order: &[usize]| order.iter().map(|&k| sentences[k].as_str()).collect::<Vec<_>>().join(" ");
    let x = pick(&[0, 1, 2, 18, 4, 5, 6, 8, 7, 9, 11, 12, 13, 14, 15, 16, 17, 3, 19, 20, 21, 22]);
    let y = pick(&[20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 0, 21, 22]);
    let dir = tempfile::tempdir().unwrap();
    let judged = |first: &str, second: &str| {
        let path = dir.path().join("pair.jsonl");
        let line = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string() + "\n";
        std::fs::write(&path, line(first, &x) + &line(second, &y)).unwrap();
        let report = json(&run_ok(&["scan", "--quiet", "--format", "json", path.to_str().unwrap()]));
        let pair = report["pairs"][0].clone();
        // Each text's coverage, x's first.
        let coverage = |id: &str| pair[if pair["a"] == id { "coverage_a" } else { "coverage_b" }].clone();
        (pair["relation"].clone(), pair["confidence"].clone(), coverage(first), coverage(second))
    };
    let (ab, ba) = (judged("a", "b"), judged("b", "a"));
    assert_eq!(ab.0, "near_duplicate");
    assert_eq!(ab, ba);
}

/// A chain of edits, each cutting the one before (A, B from A, C from B, D from C, dated in that order),
/// and a copy of each with one word changed, join transitively into one near-duplicate group of eight,
/// but B, C and D are not near-duplicates of A: they keep their own pairs (B → C, C → D, each with its
/// copy), where comparing them through A alone lost the chain and the copies.
#[test]
fn a_chain_of_edits_keeps_its_pairs_in_a_near_duplicate_group() {
    let seeds = seeds();
    let sentences: Vec<&str> = seeds[0].1.split_inclusive('\n').collect();
    let cut = |share: f64| sentences[..(sentences.len() as f64 * share) as usize].concat();
    let mut lines = String::new();
    for (k, (id, share)) in [("A", 1.0), ("B", 0.62), ("C", 0.4), ("D", 0.26)].into_iter().enumerate() {
        let text = cut(share);
        let copy = text.replacen("prisoners", "prisoner", 1);
        assert_ne!(copy, text);
        lines += &serde_json::json!({"id": id, "text": text, "date": format!("2025-05-{:02}", 1 + 3 * k)}).to_string();
        lines += &format!("\n{}\n", serde_json::json!({"id": format!("u{id}"), "text": copy}));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.jsonl");
    std::fs::write(&path, lines).unwrap();
    let report = json(&run_ok(&["scan", "--quiet", "--format", "json", path.to_str().unwrap()]));
    let pairs: Vec<(&str, &str, &str)> = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["a"].as_str().unwrap(), p["b"].as_str().unwrap(), p["source"].as_str().unwrap_or("-")))
        .collect();
    for want in [("B", "C", "B"), ("C", "D", "C")] {
        assert!(pairs.contains(&want), "{want:?} not in {pairs:?}");
    }
    for (a, b) in [("B", "uB"), ("C", "uC"), ("D", "uD")] {
        assert!(pairs.iter().any(|p| (p.0, p.1) == (a, b)), "{a} {b} not in {pairs:?}");
    }
}
