"""Report.to_pandas: a table of the pairs (documents, clusters) that reads back into the same dataclasses."""

import pytest

import unspun

pd = pytest.importorskip("pandas")


def test_pairs_round_trip_through_a_dataframe(seeds, tmp_path):
    records = [{"id": i, "text": t, "url": f"https://example.org/{i}"} for i, t in seeds]
    records[0]["date"] = "2025-05-24"
    report = unspun.scan(records)
    frame = report.to_pandas()
    assert list(frame.columns)[:6] == ["a", "b", "relation", "source", "source_confidence", "confidence"]
    assert len(frame) == len(report.pairs)
    assert [unspun.Pair.from_dict(row) for row in frame.to_dict("records")] == report.pairs
    # And through a file: a pickle keeps the lists of passages and evidence.
    frame.to_pickle(tmp_path / "pairs.pkl")
    back = pd.read_pickle(tmp_path / "pairs.pkl")
    assert [unspun.Pair.from_dict(row) for row in back.to_dict("records")] == report.pairs


def test_the_semantic_views_figures_round_trip(seeds):
    # A pair the semantic view measured carries its figures; the others have none (NaN in a table).
    report = unspun.scan([{"id": i, "text": t} for i, t in seeds])
    measured = dict(report.pairs[0].to_dict(), semantic={"leads": 0.71, "sentences": 4, "restated_in_order": 3,
                                                          "closeness": 0.66, "specifics": 0.8, "specifics_weight": 21.5})
    pair = unspun.Pair.from_dict(measured)
    assert pair.semantic == unspun.Semantic(0.71, 4, 3, 0.66, 0.8, 21.5)
    assert pair.to_dict() == measured
    far = dict(measured, semantic={"leads": 0.4, "sentences": None, "restated_in_order": None, "closeness": None,
                                   "specifics": 0.0, "specifics_weight": 0.0})
    assert unspun.Pair.from_dict(far).semantic.closeness is None
    assert "semantic" not in report.pairs[1].to_dict()
    pairs = [pair, unspun.Pair.from_dict(far), report.pairs[1]]
    frame = pd.DataFrame([p.to_dict() for p in pairs])
    assert [unspun.Pair.from_dict(row) for row in frame.to_dict("records")] == pairs


def test_documents_and_clusters(seeds):
    report = unspun.scan([{"id": i, "text": t, "outlet": i[:3]} for i, t in seeds])
    documents = report.to_pandas("documents")
    assert list(documents.columns) == ["id", "path", "words", "date", "skipped", "reference", "outlet"]
    assert list(documents["outlet"]) == ["000", "001", "002", "003", "004"]
    clusters = report.to_pandas("clusters")
    assert list(clusters.columns) == ["source", "members", "parents"]
    assert list(clusters["members"].map(len)) == [3, 2]
    with pytest.raises(ValueError, match="expected 'pairs'"):
        report.to_pandas("everything")


def test_an_empty_report_is_an_empty_table():
    report = unspun.scan(["nothing to compare"])
    frame = report.to_pandas()
    assert frame.empty and "source_confidence" in frame.columns
    # The types its columns have with rows, so that tables concatenate and write alike.
    assert (frame["confidence"].dtype, frame["aligned_sentences"].dtype) == ("float64", "int64")
    assert unspun.scan([]).to_pandas("documents")["words"].dtype == "int64"


def test_a_field_named_extra_is_a_column():
    report = unspun.scan([{"id": "x", "text": "a text", "extra": "kept"}])
    assert report.to_pandas("documents")["extra"][0] == "kept"


def test_without_pandas_or_numpy_the_error_says_what_to_install(seeds, monkeypatch):
    import sys

    report = unspun.scan(seeds)
    # A None entry in sys.modules makes `import pandas` raise ImportError, as when it is not installed.
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        report.to_pandas()
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(ImportError, match="pip install numpy"):
        unspun.Signer()
    # The rest of the package needs neither.
    assert len(unspun.scan(seeds).pairs) == 4 and unspun.compare(seeds[0][1], seeds[1][1]).relation == "rewrite"


def test_candidate_pairs_have_no_figures_and_round_trip(seeds):
    # Verification measures the figures: a candidate pair has None for each (NaN in a table), read back as None.
    report = unspun.scan([{"id": i, "text": t} for i, t in seeds], candidates_only=True)
    assert report.format_version == 3
    assert report.pairs and all(p.confidence is None and p.aligned_sentences is None for p in report.pairs)
    frame = report.to_pandas()
    assert [unspun.Pair.from_dict(row) for row in frame.to_dict("records")] == report.pairs
    assert unspun.Report.from_json(report.to_json()).pairs == report.pairs


def test_figures_a_report_of_candidates_lacks_are_numeric_columns(seeds):
    # Candidates are not verified: their figures are None, which is NaN in a float column (not objects).
    report = unspun.scan(seeds, candidates_only=True)
    assert report.pairs and all(p.confidence is None for p in report.pairs)
    frame = report.to_pandas()
    for column in ("confidence", "coverage_a", "strength", "aligned_sentences", "copied_sentences"):
        assert frame[column].dtype == "float64" and frame[column].isna().all()
    assert frame["jaccard5"].dtype == "float64"
    assert [unspun.Pair.from_dict(row) for row in frame.to_dict("records")] == report.pairs


def test_text_columns_have_one_type_whatever_the_rows(seeds):
    pd = pytest.importorskip("pandas")
    texts = pd.Series(["x"]).dtype
    frames = [
        unspun.scan(seeds).to_pandas(),
        unspun.scan(["nothing to compare"]).to_pandas(),
        unspun.scan(seeds, candidates_only=True).to_pandas(),  # no source named: a column of missing values
    ]
    for frame in frames:
        assert [frame[c].dtype for c in ("a", "b", "relation", "source")] == [texts] * 4
        assert frame["semantic"].dtype == object
    assert pd.concat(frames)["source"].dtype == texts


def test_a_documents_row_reads_back_as_its_document(seeds):
    report = unspun.scan([{"id": "x", "text": seeds[0][1], "note": "n"}, {"id": "y", "text": seeds[1][1]}])
    rows = report.to_pandas("documents").to_dict("records")
    # The field only the other document has is NaN in this row: not one of this document's.
    assert [unspun.Document.from_dict(row) for row in rows] == report.documents


def test_a_series_with_gaps_and_array_fields(seeds):
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    texts = [t for _, t in seeds]
    # A text column with a gap (df["text"]): the gap is an empty document, as a DataFrame's missing cell is.
    for gap in (np.nan, None, pd.NA):
        report = unspun.scan(pd.Series([texts[0], gap], index=["x", "y"], dtype=object))
        words = unspun.scan([texts[0]]).documents[0].words
        assert [(d.id, d.words) for d in report.documents] == [("x", words), ("y", 0)]
    assert [d.id for d in unspun.scan([(np.nan, texts[0]), ("b", texts[1])]).documents] == ["0", "b"]
    # A list column read from Parquet holds NumPy arrays: passed through as lists.
    report = unspun.scan([{"id": "a", "text": texts[0], "tags": np.array(["x", "y"]), "one": np.array(["z"])}])
    assert report.documents[0].extra == {"tags": ["x", "y"], "one": ["z"]}
