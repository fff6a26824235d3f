"""The scan on a Spark cluster (unspun.spark) gives the command line's report: on the seeds, on a JSON Lines
file of them read in pieces of lines (with a damaged line and a repeated id), and on news-scale (23,802
real articles), byte for byte, whatever the number of partitions. The job runs on a standalone master and two
workers on 127.0.0.1, each its own JVM with its own Python workers, not inside the test's process."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, NEWS_SCALE, framed_crawl

if os.environ.get("UNSPUN_SPARK_TESTS") == "required":
    import pyspark  # noqa: F401  CI installs it: its absence is a failure there, not a skip.
else:
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark)")

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql.types import MapType  # noqa: E402

import unspun  # noqa: E402
import unspun.spark  # noqa: E402
from unspun.spark.cluster import StandaloneCluster  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    """A session on a standalone cluster of two one-core workers, stopped with it after the module."""
    # The executors' Python workers run this interpreter, which has the package.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    with StandaloneCluster(workers=2, cores=1, memory="1200m") as cluster:
        session = (
            SparkSession.builder.master(cluster.master_url)
            .appName("unspun-tests")
            .config("spark.executor.memory", "900m")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        # Executors register after the session starts: the tests run once both workers' are there.
        deadline = time.monotonic() + 120
        while executors(session) < 3 and time.monotonic() < deadline:
            time.sleep(1)
        try:
            yield session
        finally:
            session.stop()


def executors(session) -> int:
    """The driver and the executors registered with it."""
    return session.sparkContext._jsc.sc().getExecutorMemoryStatus().size()


def cli_jsonl(cli, tmp_path, *args):
    out = tmp_path / "cli.jsonl"
    run = subprocess.run(
        [str(cli), "scan", "--quiet", "--format", "jsonl", *map(str, args), "--output", str(out)], capture_output=True
    )
    assert run.returncode in (0, 2), run.stderr.decode()
    return out.read_text(encoding="utf-8")


def spark_jsonl(spark, tmp_path, inputs, partitions, **settings):
    out = tmp_path / f"spark-{partitions}"
    result = unspun.spark.scan(spark, [str(p) for p in inputs], str(out), partitions=partitions, **settings)
    return result, (out / "report.jsonl").read_text(encoding="utf-8")


def same_lines(ours: str, theirs: str) -> None:
    """Equal reports; on a difference, the first differing line of each, not two whole reports."""
    a, b = ours.splitlines(), theirs.splitlines()
    for k, (x, y) in enumerate(zip(a, b)):
        assert x == y, f"line {k + 1} differs"
    assert len(a) == len(b)


def test_the_job_runs_on_two_workers(spark):
    assert executors(spark) == 3, "the driver and two workers' executors"
    # A job's tasks run in both executors' processes.
    hosts = spark.sparkContext.parallelize(range(8), 8).map(lambda _: __import__("os").getppid()).distinct().count()
    assert hosts == 2


@pytest.mark.parametrize("partitions", [2, 7])
def test_the_seeds_report_is_the_command_lines(spark, cli, tmp_path, partitions):
    seeds = (CORPUS / "docs").resolve()
    result, ours = spark_jsonl(spark, tmp_path, [seeds], partitions)
    theirs = cli_jsonl(cli, tmp_path, seeds)
    assert result.pairs >= 3 and result.documents == 5
    same_lines(ours, theirs)
    # The Parquet tables hold the same pairs.
    pairs = spark.read.parquet(str(tmp_path / f"spark-{partitions}" / "parquet" / "pairs")).collect()
    assert sorted((p.a, p.b, p.relation) for p in pairs) == sorted(
        (p["a"], p["b"], p["relation"]) for p in map(json.loads, theirs.splitlines()) if p["type"] == "pair"
    )


def test_lines_read_in_pieces_as_the_command_line_reads_them(spark, cli, tmp_path, monkeypatch):
    # A plain JSON Lines file read in pieces by several tasks: the seeds, each twice under one id (made unique as
    # `#2`), a damaged line and a blank one, whose problems keep their line numbers. (The notes a scan says
    # once for a whole file, such as dates that do not read, are said once a piece: docs/python.md.)
    lines = []
    for p in sorted((CORPUS / "docs").glob("*.txt")):
        record = json.dumps({"id": p.stem[:3], "text": p.read_text(encoding="utf-8"), "date": "2024-05-1" + p.stem[2]})
        lines += [record, record.replace('"date": "2024', '"date": "2023')]
    # A carriage return alone inside a line (not an end of line to the scan) before the damaged one.
    lines[3:3] = ['{"id": "cr", "text": "A line with\r a carriage return."}', '{"id": "broken", "text": ', "   "]
    # A line that is not UTF-8 (Latin-1): decoded with a problem said, which Hadoop's text reading lost.
    data = [line.encode("utf-8") for line in lines]
    data[7:7] = [b'{"id": "latin", "text": "caf\xe9 au lait"}']
    path = tmp_path / "seeds.jsonl"
    path.write_bytes(b"\n".join(data) + b"\n")
    monkeypatch.setattr(unspun.spark, "SPLIT_BYTES", 1)
    result, ours = spark_jsonl(spark, tmp_path, [path], 3)
    theirs = cli_jsonl(cli, tmp_path, path)
    assert result.documents == 11 and '"id":"000#2"' in theirs
    assert '"line":5' in theirs
    same_lines(ours, theirs)
    assert result.problems[-1] == f"{path}:8: invalid UTF-8 at byte 28 of the line; decoded with replacement characters"


def test_a_parquet_table_of_records_is_read_as_their_json_lines(spark, cli, tmp_path):
    records = [
        {"id": p.stem, "text": p.read_text(encoding="utf-8"), "url": f"https://example.org/{p.stem}"}
        for p in sorted((CORPUS / "docs").glob("*.txt"))
    ]
    table = tmp_path / "seeds.parquet"
    spark.createDataFrame(records).write.parquet(str(table))
    as_lines = tmp_path / "seeds.jsonl"
    as_lines.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result, ours = spark_jsonl(spark, tmp_path, [table], 2)
    theirs = cli_jsonl(cli, tmp_path, as_lines)
    assert result.pairs >= 3
    # The same report but for the documents' path (the table's, the file's).
    same_lines(ours.replace(str(table), str(as_lines)), theirs)
    # A table folder as Spark writes one, without the extension (this job's parquet/documents).
    folder = tmp_path / "records"
    table.rename(folder)
    result, ours = spark_jsonl(spark, tmp_path, [folder], 2, overwrite=True)
    same_lines(ours.replace(str(folder), str(as_lines)), theirs)


def test_parquet_tables_keep_fields_and_ids_apart_by_case(spark, tmp_path, seeds):
    """Fields `Title` and `title`, ids `A` and `a`: two columns and two members (the job stopped on a column
    that "already exists"), and a cluster's parents a map, not a column per id of the collection."""
    path = tmp_path / "case.jsonl"
    records = [
        {"id": "A", "text": seeds[0][1], "Title": "upper"},
        {"id": "a", "text": seeds[1][1], "title": "lower"},
        {"id": "b", "text": seeds[3][1]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    spark_jsonl(spark, tmp_path, [path], 2)
    tables = tmp_path / "spark-2" / "parquet"
    spark.conf.set("spark.sql.caseSensitive", "true")
    try:
        documents = {r.id: r for r in spark.read.parquet(str(tables / "documents")).collect()}
        clusters = spark.read.parquet(str(tables / "clusters"))
        assert (documents["A"].Title, documents["A"].title, documents["a"].title) == ("upper", None, "lower")
        assert isinstance(clusters.schema["parents"].dataType, MapType)
        [cluster] = clusters.collect()
        assert cluster.members == ["A", "a", "b"] and cluster.parents == {"A": None, "a": "A", "b": "A"}
    finally:
        spark.conf.set("spark.sql.caseSensitive", "false")


@pytest.mark.parametrize("partitions", [2, 7])
def test_news_scale_on_the_cluster_matches_the_command_line(spark, cli, tmp_path, partitions):
    if not NEWS_SCALE.exists():
        pytest.skip(f"no {NEWS_SCALE}")
    result, ours = spark_jsonl(spark, tmp_path, [NEWS_SCALE.resolve()], partitions, max_bucket=200)
    theirs = cli_jsonl(cli, tmp_path, NEWS_SCALE.resolve())
    assert result.documents == 23802 and result.pairs > 1000
    same_lines(ours, theirs)


def test_settings_the_job_cannot_honour_are_refused(spark, tmp_path):
    with pytest.raises(ValueError, match="against"):
        unspun.spark.scan(spark, [str(CORPUS / "docs")], str(tmp_path / "out"), against=[str(CORPUS)])


def test_page_furniture_is_left_out_on_the_cluster_as_by_the_command_line(spark, cli, tmp_path, seeds):
    crawl = tmp_path / "crawl.jsonl"
    crawl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in framed_crawl(seeds)), encoding="utf-8")
    result, ours = spark_jsonl(spark, tmp_path, [crawl], 3, boilerplate=True)
    theirs = cli_jsonl(cli, tmp_path, "--boilerplate", crawl)
    same_lines(ours, theirs)
    assert result.pairs == 4 and json.loads(theirs.splitlines()[-1])["furniture_lines"] == 50


def test_awkward_file_names_are_read_as_the_command_line_reads_them(spark, cli, tmp_path, seeds):
    # Names Hadoop would take as glob patterns or path lists: `a?.txt` matched its neighbours, the others
    # stopped the job.
    folder = tmp_path / "awkward"
    folder.mkdir()
    names = ["a?.txt", "ab.txt", "x [1].txt", "y{1}.txt", "a,b.txt", "2025-01-01T10:00:00.txt"]
    for name, (_, text) in zip(names, seeds + seeds):
        (folder / name).write_text(text, encoding="utf-8")
    # A name that is not UTF-8 (Latin-1 `café.txt`): reports show `caf\xE9`; the job could not open it.
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "w", encoding="utf-8") as f:
        f.write(seeds[2][1])
    result, ours = spark_jsonl(spark, tmp_path, [folder], 2)
    assert result.documents == len(names) + 1
    assert '"id":"caf\\\\xE9"' in ours
    same_lines(ours, cli_jsonl(cli, tmp_path, folder))


def test_an_output_holding_files_is_refused_unless_overwritten(spark, tmp_path):
    docs, out = str(CORPUS / "docs"), tmp_path / "out"
    unspun.spark.scan(spark, [docs], str(out), parquet=False)
    with pytest.raises(ValueError, match="holds files already .*--overwrite deletes it first"):
        unspun.spark.scan(spark, [docs], str(out), parquet=False)
    (out / "parquet" / "stale").mkdir(parents=True)
    unspun.spark.scan(spark, [docs], str(out), parquet=False, overwrite=True)
    assert not (out / "parquet").exists() and (out / "report.jsonl").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        unspun.spark.scan(spark, [docs], str(tmp_path / "file"))
    with pytest.raises(ValueError, match="inside the input"):
        unspun.spark.scan(spark, [str(tmp_path)], str(tmp_path / "report"))
    # An output holding an input is refused, overwrite or not: overwriting would delete the articles.
    kept = tmp_path / "danger" / "data"
    kept.mkdir(parents=True)
    (kept / "a.txt").write_text(seeds_text := "words " * 30)
    for overwrite in (False, True):
        with pytest.raises(ValueError, match="holds the input"):
            unspun.spark.scan(spark, [str(kept / "a.txt")], str(tmp_path / "danger"), overwrite=overwrite)
    assert (kept / "a.txt").read_text() == seeds_text


def test_input_problems_are_said_as_the_command_line_says_them(spark, cli, tmp_path, seeds):
    # A backslash and a tab in the file's name: escaped as the command line escapes them (`\\`, `\t`).
    path = tmp_path / "odd\\dir\tx" / "bad.jsonl"
    path.parent.mkdir()
    good = [json.dumps({"id": i, "text": t}) for i, t in seeds]
    path.write_text("\n".join(good[:2] + ['{"id": "x", "text": ', '{"id": "y"}'] + good[2:]) + "\n", encoding="utf-8")
    result, ours = spark_jsonl(spark, tmp_path, [path], 2)
    run = subprocess.run([str(cli), "scan", "--format", "summary", str(path)], capture_output=True, text=True)
    said = [line[len("unspun: "):] for line in run.stderr.splitlines() if "bad.jsonl:" in line]
    assert run.returncode == 2 and len(said) == 2 and "odd\\\\dir\\tx" in said[0]
    assert result.problems == said
    # With strict, the first problem stops the job as it stops the scan: the library's InputError and its
    # message (it came as Spark's exception around the executor's trace).
    run = subprocess.run([str(cli), "scan", "--strict", "--format", "summary", str(path)], capture_output=True, text=True)
    with pytest.raises(unspun.InputError) as raised:
        unspun.spark.scan(spark, [str(path)], str(tmp_path / "strict"), strict=True)
    assert run.returncode == 1 and run.stderr == f"unspun: {raised.value}\n"


def test_usage_errors_are_said_before_a_cluster_starts(tmp_path):
    docs = str(CORPUS / "docs")
    cases = [
        (["--settings", "{bad"], "--settings is not JSON"),
        (["--settings", '{"thresold": 0.5}'], "thresold"),
        (["--partitions", "0"], "must be at least 1"),
        (["--settings", '{"model": "x"}'], "does not take the setting 'model'"),
    ]
    for extra, message in cases:
        run = subprocess.run(
            [sys.executable, "-m", "unspun.spark", docs, str(tmp_path / "out"), *extra], capture_output=True, text=True
        )
        assert run.returncode == 1 and message in run.stderr, (extra, run.stderr)
    (tmp_path / "b.jsonl").write_text("{}\n")
    run = subprocess.run([sys.executable, "-m", "unspun.spark", docs, str(tmp_path / "b.jsonl")], capture_output=True, text=True)
    assert run.returncode == 1 and "is a file" in run.stderr
    run = subprocess.run([sys.executable, "-m", "unspun.spark", str(tmp_path / "nope"), str(tmp_path / "o")], capture_output=True, text=True)
    assert run.returncode == 1 and "no such file or folder" in run.stderr
    # A master Spark cannot take, and an output folder holding files, are told before a cluster starts too.
    run = subprocess.run([sys.executable, "-m", "unspun.spark", docs, str(tmp_path / "o"), "--master", "bogus"], capture_output=True, text=True)
    assert run.returncode == 1 and "is not a Spark master" in run.stderr and "Traceback" not in run.stderr, run.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.jsonl").write_text("{}\n")
    run = subprocess.run([sys.executable, "-m", "unspun.spark", docs, str(tmp_path / "full")], capture_output=True, text=True)
    assert run.returncode == 1 and "holds files already" in run.stderr and "Errno" not in run.stderr, run.stderr
    assert "SparkContext" not in run.stderr and "WARN" not in run.stderr, "refused before Spark started"



def test_a_repeated_id_skips_a_suffix_another_document_has(spark, cli, tmp_path, seeds):
    """Ids x, x and x#2: the second x is x#3, as `unspun scan` names it (the job named it x#2 too, or failed
    on a KeyError), whichever partition each lands in."""
    path = tmp_path / "ids.jsonl"
    ids = ["x", "x", "x#2", "y", "x", "x#4"]
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, (_, t) in zip(ids, seeds + seeds)))
    theirs = [json.loads(line)["id"] for line in cli_jsonl(cli, tmp_path, path).splitlines() if '"document"' in line]
    assert sorted(theirs) == ["x", "x#2", "x#3", "x#4", "x#5", "y"]
    for partitions in (1, 3):
        _, ours = spark_jsonl(spark, tmp_path, [path], partitions)
        assert [json.loads(line)["id"] for line in ours.splitlines() if '"document"' in line] == theirs


def test_repeated_ids_keep_the_command_lines_pairs_and_clusters(spark, cli, tmp_path, seeds):
    """Eleven documents of id x (and one x#2) are x, x#3 … x#12 in the scan's order, where their names sort
    x#10 before x#3: each part keeps the scan's order, so pairs name the same first document and clusters
    list their members in the same order (the job sorted the names, turning pairs around)."""
    path = tmp_path / "ids.jsonl"
    ids = ["x"] * 11 + ["x#2"]
    path.write_text("".join(json.dumps({"id": i, "text": seeds[k % len(seeds)][1]}) + "\n" for k, i in enumerate(ids)))
    theirs = cli_jsonl(cli, tmp_path, path)
    pairs = [json.loads(line) for line in theirs.splitlines() if '"pair"' in line]
    assert any(p["a"] > p["b"] for p in pairs), "pairs whose names sort the other way round"
    for partitions in (1, 3):
        _, ours = spark_jsonl(spark, tmp_path, [path], partitions)
        same_lines(ours, theirs)
