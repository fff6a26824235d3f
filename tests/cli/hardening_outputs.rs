//! Issue 18, outputs: a report never overwrites an input, input-derived text cannot inject formulas
//! into CSV or control sequences into a terminal, an interrupted run leaves no temporary file, and no
//! progress bar stays on screen.

use std::path::Path;

use crate::common::{bin, corpus_docs, seeds, write_texts};

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
    let cases: Vec<(Vec<&Path>, &Path)> =
        vec![(vec![&docs], &article), (vec![&article], &other), (vec![&docs], &link), (vec![&link], &article)];
    for (inputs, output) in cases {
        let out = bin().arg("scan").arg("--quiet").args(inputs).arg("-o").arg(output).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{output:?}: {stderr}");
        assert!(stderr.contains(&output.display().to_string()), "{stderr}");
        assert!(stderr.contains("is an input") || stderr.contains("inside the input"), "{stderr}");
        assert_eq!(std::fs::read(&article).unwrap(), before, "{output:?} overwrote the article");
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
