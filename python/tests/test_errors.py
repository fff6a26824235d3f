"""Errors are Python exceptions: OSError for files, InputError (a ValueError) with file and line for damaged
input, ValueError for settings, TypeError for input or settings of the wrong type."""

import pytest

import unspun

from conftest import CORPUS


def test_a_missing_path_is_file_not_found(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as e:
        unspun.scan_paths([missing])
    assert e.value.filename == str(missing)


def test_a_folder_without_articles_names_it(tmp_path):
    (tmp_path / "notes.md").write_text("not an article")
    with pytest.raises(unspun.InputError) as e:
        unspun.scan_paths(tmp_path)
    assert isinstance(e.value, ValueError) and e.value.path == str(tmp_path) and "md" in str(e.value)


def test_damaged_input_is_a_problem_or_with_strict_an_error_with_file_and_line(tmp_path):
    lines = ['{"id": "one", "text": "Some words of an article."}', '{"id": "two", "text": ', '{"id": "three"}']
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = unspun.scan_paths(path)
    assert [(p.path, p.line) for p in report.summary.problems] == [(str(path), 2), (str(path), 3)]
    with pytest.raises(unspun.InputError) as e:
        unspun.scan_paths(path, strict=True)
    assert (e.value.path, e.value.line) == (str(path), 2)
    assert str(e.value).startswith(f"{path}:2: ")


def test_bad_settings_are_value_errors():
    for settings, message in [
        (dict(threshold={"words": 1.5}), "the words view's threshold 1.5"),
        (dict(threshold={"words": float("nan")}), "threshold nan"),
        (dict(threshold={"title": 0.5}), "unknown view"),
        (dict(views=["words", "titles"]), "unknown view"),
        (dict(hashes=0), "hashes"),
        (dict(hashes=-1), "hashes"),
        (dict(max_bucket=1), "max_bucket=1: the bucket cap must be at least 2"),
        (dict(threads=0), "threads"),
        (dict(threads=10**6), "threads"),
        (dict(hashes=2**63), "hashes"),
        (dict(window=float("nan")), "window"),
        (dict(window=10**400), "window: an integer of 401 digits"),
        # Settings the command line refuses are refused here too, not silently ignored.
        (dict(views=["words"], threshold={"lead": 0.5}), "the lead view is not scanned"),
        (dict(candidates_only=True, report_unrelated=True), "candidates_only verifies none"),
    ]:
        with pytest.raises(ValueError, match=message):
            unspun.scan(["a text"], **settings)
    with pytest.raises(ValueError, match="the content view is not scanned"):
        unspun.Signer(views=["words"], threshold={"content": 0.9})
    with pytest.raises(ValueError, match="input_format"):
        unspun.scan_paths(CORPUS, input_format="pdf")


def test_a_missing_model_direction_model_or_verdict_bars_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        unspun.scan(["a text"], model=tmp_path / "no-model")
    for setting in ["direction_model", "verdict_bars"]:
        with pytest.raises(FileNotFoundError):
            unspun.scan(["a text"], **{setting: tmp_path / "missing.json"})
        bad = tmp_path / f"{setting}.json"
        bad.write_text("{}")
        with pytest.raises(unspun.InputError) as e:
            unspun.scan(["a text"], **{setting: bad})
        assert e.value.path == str(bad)


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match="unknown setting 'treshold'"):
        unspun.scan(["a text"], treshold={"words": 0.5})
    with pytest.raises(TypeError, match="hashes: expected an integer"):
        unspun.scan(["a text"], hashes="128")
    with pytest.raises(TypeError, match="not a single string"):
        unspun.scan("a text")
    with pytest.raises(TypeError, match="document 1: field 'text' is int, not a string"):
        unspun.scan(["a text", {"id": "x", "text": 5}])
    with pytest.raises(TypeError, match="setting ext is for files read"):
        unspun.scan(["a text"], ext=["txt"])
    with pytest.raises(TypeError, match="setting model: expected a path, got int"):
        unspun.scan(["a text"], model=5)
    with pytest.raises(TypeError, match="unknown setting 'candidates_only'"):
        unspun.compare("a text", "another", candidates_only=True)
    with pytest.raises(TypeError, match="document 0: expected a string"):
        unspun.scan([42])
    with pytest.raises(TypeError, match="document 0: its fields cannot be written as JSON"):
        unspun.scan([{"text": "a text", "extra": object()}])
    with pytest.raises(TypeError, match="not a single dict"):
        unspun.scan({"id": "x", "text": "a text"})
    with pytest.raises(TypeError, match="document 0: expected .id, text. with a string or integer id"):
        unspun.scan([(3.5, "a text")])
    for name, value in [("word_vectors", True), ("semantic_threshold", 0.5)]:
        with pytest.raises(TypeError, match=f"{name} needs a model"):
            unspun.scan(["a text"], **{name: value})


def test_a_lone_surrogate_is_a_value_error_naming_the_document():
    bad = "Words of an article \udc80 with a byte left undecoded."
    with pytest.raises(ValueError) as e:
        unspun.scan(["A first text.", {"id": "x", "text": bad}])
    assert "document 1 (id 'x'): its text holds a lone surrogate ('\\udc80' at character 20)" in str(e.value)
    with pytest.raises(ValueError) as e:
        unspun.compare("A first text.", bad)
    assert "document 1 (id 'b'): its text" in str(e.value)
    with pytest.raises(ValueError) as e:
        unspun.scan([("\udc80", "A text.")])
    assert "document 0: its id holds a lone surrogate" in str(e.value)


def test_an_input_error_made_by_hand_has_no_place():
    e = unspun.InputError("made here")
    assert (e.path, e.line, e.offset) == (None, None, None)
    assert isinstance(e, ValueError) and str(e) == "made here"


def test_standard_input_is_not_read_by_scan_paths():
    with pytest.raises(ValueError, match="standard input"):
        unspun.scan_paths("-")


def test_an_id_too_long_to_be_one_is_refused():
    # As a file's reader names such a record by its place, the field named as ids is likely the text.
    with pytest.raises(ValueError, match="document 1: its id is 2000 bytes long, past 1024"):
        unspun.scan([{"id": "a", "text": "words"}, {"id": "x" * 2000, "text": "words"}])
    with pytest.raises(ValueError, match="past 1024"):
        unspun.compare(("y" * 1025, "some words"), "other words")
    assert unspun.scan([("z" * 1024, "words")]).documents[0].id == "z" * 1024


def test_messages_name_settings_as_keywords(tmp_path):
    # The library's messages name the command line's options; here they are this package's keywords.
    with pytest.raises(ValueError, match=r"window=-1\.0 is not a number of days"):
        unspun.scan(["a text"], window=-1)
    with pytest.raises(ValueError, match=r"\(shingle=\) is not in"):
        unspun.scan(["a text"], shingle=0)
    (tmp_path / "a.md").write_text("not an article")
    with pytest.raises(unspun.InputError, match="ext= chooses the extensions") as e:
        unspun.scan_paths(tmp_path)
    assert "--" not in str(e.value)
