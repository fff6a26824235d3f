"""Scans of the seed articles: the verdicts the README shows, from texts, records, tuples, a DataFrame and
files, and what the report carries."""

import json
import dataclasses
import threading
import time

import pytest

import unspun

from conftest import CORPUS, framed_crawl

SOURCE, SPINNER, WIRE_A, LLM, WIRE_B = (
    "000_24845da15824156e",
    "001_7c663ffecd687829",
    "002_04b9f4d32794aa7d",
    "003_60bd0df3cddea493",
    "004_30e4009538a3b0f3",
)
# 001 (a synonym spinner's copy) and 003 (an LLM rewrite) derive from 000; they are siblings; 002 and 004 share
# wire copy from a source that is not in the collection.
VERDICTS = [
    (SOURCE, SPINNER, "rewrite", SOURCE),
    (SOURCE, LLM, "rewrite", SOURCE),
    (SPINNER, LLM, "rewrite", None),
    (WIRE_A, WIRE_B, "partial", None),
]


def verdicts(report, prefix=""):
    strip = lambda i: i[len(prefix):] if i and i.startswith(prefix) else i  # noqa: E731
    return [(strip(p.a), strip(p.b), p.relation, strip(p.source)) for p in report.pairs]


def test_seed_verdicts_from_tuples(seeds):
    report = unspun.scan(seeds)
    assert verdicts(report) == VERDICTS
    assert [(c.source, c.members) for c in report.clusters] == [
        (SOURCE, [SOURCE, SPINNER, LLM]),
        (None, [WIRE_A, WIRE_B]),
    ]
    first = report.pairs[0]
    assert isinstance(first, unspun.Pair) and dataclasses.is_dataclass(first)
    assert 0.5 < first.source_confidence <= 1 and first.confidence > 0.9
    assert first.views and first.passages and first.evidence
    assert report.summary.documents == 5 and report.summary.pairs == 4 and report.summary.problems == []


def test_seed_verdicts_from_files_name_documents_by_path():
    report = unspun.scan_paths(CORPUS)
    assert verdicts(report, "docs/") == VERDICTS
    assert [d.path for d in report.documents][0].endswith("000_24845da15824156e.txt")


def test_records_texts_and_dataframes_give_the_same_verdicts(seeds):
    records = [{"id": i, "text": t, "url": f"https://example.org/{i}", "title": i.upper()} for i, t in seeds]
    by_record = unspun.scan(records)
    assert verdicts(by_record) == VERDICTS
    doc = by_record.documents[0]
    assert (doc.path, doc.extra) == ("(memory)", {"title": SOURCE.upper(), "url": f"https://example.org/{SOURCE}"})
    # Plain texts are named by their positions.
    position = {i: str(k) for k, (i, _) in enumerate(seeds)}
    by_position = [(position[a], position[b], r, s and position[s]) for a, b, r, s in VERDICTS]
    assert verdicts(unspun.scan([t for _, t in seeds])) == by_position
    pd = pytest.importorskip("pandas")
    assert verdicts(unspun.scan(pd.DataFrame(records))) == VERDICTS


def test_dates_decide_the_source(seeds):
    text = dict(seeds)
    # The LLM rewrite dated first is named the source: dates more than a day apart decide before the texts'
    # evidence.
    records = [
        {"id": "original", "text": text[SOURCE], "date": "2025-05-27"},
        {"id": "rewrite", "text": text[LLM], "date": "2025-05-24"},
    ]
    (pair,) = unspun.scan(records).pairs
    assert (pair.source, pair.source_confidence) == ("rewrite", None)
    assert "date" in [e.signal for e in pair.evidence]
    import datetime

    records[1]["date"] = datetime.date(2025, 5, 24)
    report = unspun.scan(records)
    assert report.pairs[0].source == "rewrite" and report.documents[1].date == "2025-05-24"
    # A date that does not read as one is none, as in a file the command line reads, and a problem says so.
    records[1]["date"] = "2025-13-45"
    report = unspun.scan(records)
    # Counted from 0, as the list is (records[1]), and as the package's own messages count.
    assert report.documents[1].date is None and report.pairs[0].source != "rewrite"
    assert 'field "date" does not read as a date (the first at document 1: "2025-13-45")' in (
        report.summary.problems[0].message
    )


def test_settings_reach_the_library(seeds):
    texts = [t for _, t in seeds]
    assert len(unspun.scan(texts, views=["words"], passages=False).pairs) == 0
    assert [v for v in unspun.scan(texts, views=["words", "content"]).summary.views] == ["content", "passages", "words"]
    assert all(p.relation == "candidate" for p in unspun.scan(texts, candidates_only=True).pairs)
    everything = unspun.scan(texts, report_unrelated=True)
    assert "none" in {p.relation for p in everything.pairs}
    assert unspun.scan(texts, min_words=10_000).summary.skipped_documents == 5
    # The same answer for any number of threads and any seed's lanes on these clear cases.
    assert verdicts(unspun.scan(seeds, threads=1)) == VERDICTS
    assert verdicts(unspun.scan(seeds, seed=7, hashes=256)) == VERDICTS


def test_short_and_empty_texts_are_skipped_and_identical_short_ones_paired():
    report = unspun.scan(["", "a short note", "a short note", "another"])
    assert [d.skipped for d in report.documents] == ["empty", "too short to judge", "too short to judge",
                                                      "too short to judge"]
    assert [(p.a, p.b, p.relation) for p in report.pairs] == [("1", "2", "duplicate")]


def test_passages_are_byte_ranges_into_the_texts(seeds):
    text = dict(seeds)
    for pair in unspun.scan(seeds).pairs:
        a, b = text[pair.a].encode(), text[pair.b].encode()
        for passage in pair.passages:
            assert 0 <= passage.a[0] < passage.a[1] <= len(a) and 0 <= passage.b[0] < passage.b[1] <= len(b)
            a[passage.a[0]:passage.a[1]].decode(), b[passage.b[0]:passage.b[1]].decode()


def test_json_round_trip(seeds):
    import json

    raw = unspun._native.scan_documents([unspun._record(s, i) for i, s in enumerate(seeds)], "{}")
    report = unspun.Report.from_json(raw)
    assert json.loads(report.to_json()) == json.loads(raw)
    assert unspun.Report.from_json(report.to_json()) == report


def test_the_interpreter_lock_is_released_during_a_scan(seeds):
    # Another Python thread keeps running while a scan works: with the lock held it would not tick at all.
    texts = [t + f" Copy {i}." for i in range(150) for _, t in seeds]
    ticks, done = [0], threading.Event()

    def tick():
        while not done.is_set():
            ticks[0] += 1
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.05)
    before = ticks[0]
    started = time.perf_counter()
    unspun.scan(texts, threads=1)
    elapsed = time.perf_counter() - started
    during = ticks[0] - before
    done.set()
    ticker.join()
    assert elapsed < 0.05 or during >= 5, (elapsed, during)


def test_ctrl_c_stops_a_scan(seeds):
    # Five families of a thousand edited copies: a scan of a few seconds on one thread.
    import _thread
    import random
    import signal

    rng = random.Random(1)
    texts = []
    for _ in range(1000):
        for _, text in seeds:
            words = text.split()
            for k in range(0, len(words), 9):
                words[k] = rng.choice(words)
            texts.append(" ".join(words))
    # Ctrl-C a fifth of a second in (a scan of these takes seconds): KeyboardInterrupt, raised when the
    # library has stopped, long before the scan would have ended (measured by a whole scan after it). The
    # handler an interactive Python has is installed: tests started in the background ignore SIGINT, and
    # then interrupt_main does nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.2, _thread.interrupt_main)
    started = time.perf_counter()
    timer.start()
    try:
        unspun.scan(texts, threads=1)
        raised = False
    except KeyboardInterrupt:
        raised = True
    finally:
        timer.join()
        signal.signal(signal.SIGINT, previous)
    interrupted = time.perf_counter() - started
    started = time.perf_counter()
    unspun.scan(texts, threads=1)
    whole = time.perf_counter() - started
    assert raised, f"no KeyboardInterrupt: the scan ended after {interrupted:.2f} s (a whole one takes {whole:.2f} s)"
    assert interrupted < whole * 0.6, (interrupted, whole)
    # The next scan runs as usual.
    assert verdicts(unspun.scan(seeds)) == VERDICTS


def test_boilerplate_leaves_each_sites_furniture_out(seeds):
    crawl = framed_crawl(seeds)
    plain = unspun.scan(crawl)
    assert verdicts(plain) != VERDICTS and plain.summary.furniture_lines is None
    stripped = unspun.scan(crawl, boilerplate=True)
    assert verdicts(stripped) == VERDICTS
    # Each site's six menu lines, two notices, share line and footer.
    assert stripped.summary.furniture_lines == 50
    assert stripped.to_dict()["summary"]["furniture_lines"] == 50 and "furniture_lines" not in plain.to_dict()["summary"]


def test_missing_dates_and_numpy_ids_read_as_pandas_writes_them(seeds):
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    frame = pd.DataFrame(
        {
            "id": np.array([10, 11, 12, 13, 14], dtype=np.int64),
            "text": [t for _, t in seeds],
            "date": pd.to_datetime(["2020-01-01", None, "2020-01-03", None, None]),
            "note": ["a", pd.NA, "c", None, "e"],
        }
    )
    report = unspun.scan(frame)
    assert report.summary.problems == []
    assert [d.id for d in report.documents] == ["10", "11", "12", "13", "14"]
    # pandas holds a day as its midnight: read as the day, as a file's "2020-01-01" is.
    assert [d.date for d in report.documents][:2] == ["2020-01-01", None]
    assert unspun.scan([(np.int64(7), seeds[0][1])]).documents[0].id == "7"


def test_a_forked_process_scans_after_its_parent_did(seeds):
    import multiprocessing

    expected = verdicts(unspun.scan(seeds))
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(_fork_verdicts, (seeds,))
        assert result.get(timeout=120) == expected


def _fork_verdicts(seeds):
    return verdicts(unspun.scan(seeds))


def test_a_forked_process_bands_after_its_parent_scanned(seeds):
    import multiprocessing

    signer = unspun.Signer()
    signatures = signer.sign([t for _, t in seeds])
    expected = signer.band_keys(signatures)
    unspun.scan(seeds)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(_fork_band_keys, (signer, signatures))
        assert (result.get(timeout=120) == expected).all()


def _fork_band_keys(signer, signatures):
    return signer.band_keys(signatures)


def test_an_id_given_outright_keeps_it_before_a_position(seeds):
    texts = [t for _, t in seeds]
    report = unspun.scan([{"text": texts[0]}, {"id": 0, "text": texts[1]}, texts[2], ("2", texts[3])])
    assert [d.id for d in report.documents] == ["0", "0#2", "2", "2#2"]
    by_text = {d.id: d.words for d in report.documents}
    assert by_text["0"] == unspun.scan([texts[1]]).documents[0].words


def test_records_are_read_through_the_field_settings(seeds):
    """A DataFrame's own column names, given as id_field, text_field, date_field and url_field; a missing
    text is an empty document; an integer id stored as float is that integer; rows from iterrows()."""
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    texts = [t for _, t in seeds]
    frame = pd.DataFrame(
        {
            "doc": ["s", "spin", "wa", "llm", "wb"],
            "body": texts,
            "published": ["2020-01-01", "2020-01-05", None, "2020-01-05", None],
            "link": [f"https://news.example/{i}" for i in range(5)],
        }
    )
    report = unspun.scan(frame, id_field="doc", text_field="body", date_field="published", url_field="link")
    assert [d.id for d in report.documents] == ["llm", "s", "spin", "wa", "wb"]
    first = {d.id: d for d in report.documents}["s"]
    assert first.date == "2020-01-01" and first.extra == {"url": "https://news.example/0"}
    assert {(p.a, p.b): p.source for p in report.pairs}[("llm", "s")] == "s"
    rows = unspun.scan((row for _, row in frame.iterrows()), id_field="doc", text_field="body")
    assert len(rows.pairs) == len(report.pairs)
    # A row's given id wins over a plain text's position, as a dict's does.
    row = pd.DataFrame({"id": ["0"], "text": [texts[1]]}).iloc[0]
    words = {d.id: d.words for d in unspun.scan([texts[0], row]).documents}
    alone = [unspun.scan([t]).documents[0].words for t in texts[:2]]
    assert words == {"0": alone[1], "0#2": alone[0]} and alone[0] != alone[1]
    gaps = pd.DataFrame({"id": [1.0, 2.0, np.nan, 4.0, 5.0], "text": texts[:4] + [None]})
    documents = unspun.scan(gaps).documents
    assert [(d.id, d.skipped) for d in documents][-2:] == [("4", None), ("5", "empty")]
    assert unspun.scan([{"text": texts[0], "date": np.datetime64("2020-01-02")}]).documents[0].date == "2020-01-02"
    # A month is no day: refused, not read as its first day.
    with pytest.raises(ValueError, match="is a month, not a day"):
        unspun.scan([{"text": texts[0], "date": np.datetime64("2020-01", "M")}])


def test_records_are_read_as_a_file_reads_them(seeds, tmp_path):
    """A blank id is none (the document named by its place), a blank date none (no problem), a field past a
    kilobyte left out, a text past 4 MiB cut (said): as the file readers take the same records."""
    texts = [t for _, t in seeds]
    long = (texts[3] + "\n") * ((5 << 20) // len(texts[3]))
    records = [
        {"id": "", "text": texts[0], "date": "  "},
        {"id": "  ", "text": texts[1], "blob": "x" * 2000, "title": "kept"},
        {"id": "big", "text": long},
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    given, read = unspun.scan(records), unspun.scan_paths([path])
    assert [d.id for d in given.documents] == ["0", "1", "big"]
    # The file names a record without an id by its file and line.
    by_id = {d.id: (d.words, d.date, d.extra) for d in read.documents}
    lines = ["records.jsonl:1", "records.jsonl:2", "big"]
    assert [(d.words, d.date, d.extra) for d in given.documents] == [by_id[i] for i in lines]
    assert given.documents[1].extra == {"title": "kept"}
    cut = f"document of {len(long.encode())} bytes cut to the first {4 << 20}"
    assert [p.message for p in given.summary.problems] == [f'document 2 (id "big"): {cut}']
    assert [p.message for p in read.summary.problems] == [cut]
    # The text is cut before it is compared, as a file's is: the same pairs and figures, no passage past it.
    names = dict(zip(lines, ["0", "1", "big"]))

    def judged(report, name):
        # By the two documents' names, whichever the report lists first (their ids order them).
        def one(p):
            (x, cx), (y, cy) = sorted([(name(p.a), p.coverage_a), (name(p.b), p.coverage_b)])
            return (x, y, p.relation, p.source and name(p.source), p.confidence, cx, cy, len(p.passages))

        return sorted(one(p) for p in report.pairs)

    assert judged(given, str) == judged(read, names.get)
    ends = [q.a[1] if p.a == "big" else q.b[1] for p in given.pairs if "big" in (p.a, p.b) for q in p.passages]
    assert ends and max(ends) <= 4 << 20


def test_numpy_numbers_are_settings(seeds):
    np = pytest.importorskip("numpy")
    report = unspun.scan(seeds, hashes=np.int64(128), window=np.float32(30), passages=np.bool_(True))
    assert verdicts(report) == VERDICTS


def test_pandas_ids_may_be_the_index(seeds):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": [i for i, _ in seeds], "text": [t for _, t in seeds]}).set_index("id")
    assert verdicts(unspun.scan(frame)) == VERDICTS
    # A Series of texts is named by its labels.
    assert verdicts(unspun.scan(frame["text"])) == VERDICTS


def test_records_none_of_which_has_the_text_field_are_an_error(seeds):
    records = [{"id": i, "body": t} for i, t in seeds]
    with pytest.raises(ValueError, match="no record has field 'text'; fields seen: body, id"):
        unspun.scan(records)
    assert verdicts(unspun.scan(records, text_field="body")) == VERDICTS
    # One record without it is an empty document, as before.
    some = [{"id": i, "text": t} for i, t in seeds] + [{"id": "empty"}]
    assert unspun.scan(some).summary.skipped_documents == 1


def test_a_pandas_day_is_any_moment_of_it(seeds):
    pd = pytest.importorskip("pandas")
    (source, text), (copy, copied) = seeds[0], seeds[1]
    dates = pd.to_datetime(["2024-01-01", "2024-01-01T10:00"], format="ISO8601")
    frame = pd.DataFrame({"id": [source, copy], "text": [text, copied], "date": dates})
    # A day and 10:00 of that day are within --window 0 (the day was read as its midnight, 10 hours before).
    assert [(p.a, p.b) for p in unspun.scan(frame, window=0).pairs] == [(source, copy)]


def test_top_keeps_each_new_articles_best_pairs(seeds, tmp_path):
    archive = tmp_path / "archive.jsonl"
    archive.write_text(json.dumps({"id": SOURCE, "text": dict(seeds)[SOURCE]}) + "\n", encoding="utf-8")
    new = [(i, t) for i, t in seeds if i != SOURCE]
    assert len(unspun.scan(new, against=[archive]).pairs) == 2
    assert len(unspun.scan(new, against=[archive], top=1).pairs) == 2
    with pytest.raises(ValueError, match="top= keeps each scanned article's best pairs .* give against="):
        unspun.scan(seeds, top=1)
