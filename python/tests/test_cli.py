"""The package gives the command line's answer: the seeds' report byte for byte in content, and on
news-scale (23,802 real articles) the same pairs, relations, sources, figures and clusters from records held in
memory as from `unspun scan` reading the file."""

import gzip
import json
import subprocess

import pytest

import unspun

from conftest import CORPUS, NEWS_SCALE


def cli_report(cli, tmp_path, *args):
    out = tmp_path / "report.json"
    run = subprocess.run([str(cli), "scan", "--quiet", *map(str, args), "--output", str(out)], capture_output=True)
    assert run.returncode in (0, 2), run.stderr.decode()
    return unspun.Report.from_json(out.read_text(encoding="utf-8"))


def test_the_seeds_report_is_the_command_lines(cli, tmp_path):
    assert unspun.scan_paths([CORPUS]) == cli_report(cli, tmp_path, CORPUS)


def test_a_json_lines_report_reads_as_the_json_one(cli, tmp_path):
    run = subprocess.run([str(cli), "scan", "--quiet", "--format", "jsonl", str(CORPUS)], capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    assert unspun.Report.from_json(run.stdout.decode()) == cli_report(cli, tmp_path, CORPUS)
    with pytest.raises(ValueError, match="line 2: not JSON"):
        unspun.Report.from_json(run.stdout.decode().splitlines()[0] + "\n{cut")
    with pytest.raises(ValueError, match="not a report: no documents"):
        unspun.Report.from_json("{}")
    # A summary or a pair short of its fields says so, not a KeyError.
    with pytest.raises(ValueError, match="not a report: .* no field 'documents'"):
        unspun.Report.from_json('{"documents": [], "pairs": [], "clusters": [], "summary": {}}')
    cut_pair = [line for line in run.stdout.decode().splitlines() if '"type":"pair"' in line.replace(" ", "")][0]
    with pytest.raises(ValueError, match="not a report"):
        unspun.Report.from_json(cut_pair.replace('"b"', '"x"') + '\n{"type": "summary"}')


def test_news_scale_in_memory_matches_the_command_line(cli, tmp_path):
    if not NEWS_SCALE.exists():
        pytest.skip(f"no {NEWS_SCALE}")
    with gzip.open(NEWS_SCALE, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    ours = unspun.scan(records)
    theirs = cli_report(cli, tmp_path, NEWS_SCALE)
    assert len(ours.pairs) > 1000
    assert [(p.a, p.b, p.relation, p.source) for p in ours.pairs] == [
        (p.a, p.b, p.relation, p.source) for p in theirs.pairs
    ]
    assert ours.pairs == theirs.pairs and ours.clusters == theirs.clusters
    # The documents differ only in where they came from.
    for d in theirs.documents:
        d.path = "(memory)"
    assert ours.documents == theirs.documents
    assert ours.summary == theirs.summary


def test_an_index_given_as_against_is_queried_as_the_command_line_queries_it(cli, tmp_path):
    """`scan_paths(new, against=INDEX)` is a query of the index, as `unspun scan new --against INDEX` is."""
    docs = sorted((CORPUS / "docs").glob("*.txt"))
    archive, new = tmp_path / "archive", tmp_path / "new"
    for folder, files in [(archive, docs[:1] + docs[2:]), (new, docs[1:2])]:
        folder.mkdir()
        for f in files:
            (folder / f.name).write_bytes(f.read_bytes())
    index = tmp_path / "archive.idx"
    built = subprocess.run([str(cli), "index", "build", "--quiet", str(index), str(archive)], capture_output=True)
    assert built.returncode == 0, built.stderr.decode()
    ours = unspun.scan_paths([new], against=[index])
    assert ours == cli_report(cli, tmp_path, new, "--against", index)
    # The spun copy with its original and with the LLM rewrite of it, both archived.
    assert [(p.a, p.b, p.relation) for p in ours.pairs] == [
        ("000_24845da15824156e", "001_7c663ffecd687829", "rewrite"),
        ("001_7c663ffecd687829", "003_60bd0df3cddea493", "rewrite"),
    ]
    with pytest.raises(ValueError, match="is an index: give it alone"):
        unspun.scan_paths([new], against=[index, archive])
    # Texts in memory are no query of an index (it said "no files ending in .txt in this folder").
    with pytest.raises(ValueError, match=r"is an index: an index is queried with files \(scan_paths"):
        unspun.scan(["a text"], against=index)
