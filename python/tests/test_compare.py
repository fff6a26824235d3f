"""unspun.compare: one pair, with its passages and evidence; None for unrelated texts."""

import pytest

import unspun

from test_scan import LLM, SOURCE, SPINNER, WIRE_A


def test_a_rewrite_is_found_with_passages_and_evidence(seeds):
    text = dict(seeds)
    pair = unspun.compare(text[SOURCE], text[SPINNER])
    assert (pair.a, pair.b, pair.relation) == ("a", "b", "rewrite")
    assert pair.coverage_a > 0.5 and pair.passages and pair.views
    # Two texts alone: no collection to attest either's wording, so no source without dates or links.
    assert pair.source is None
    a = text[SOURCE].encode()
    assert all(0 <= p.a[0] < p.a[1] <= len(a) for p in pair.passages)


def test_records_name_the_pair_and_dates_its_source(seeds):
    text = dict(seeds)
    pair = unspun.compare(
        {"id": "late", "text": text[SOURCE], "date": "2025-05-26"},
        {"id": "early", "text": text[LLM], "date": "2025-05-24"},
    )
    # The pair keeps the arguments' order, though a scan would list "early" first.
    assert (pair.a, pair.b, pair.relation, pair.source) == ("late", "early", "rewrite", "early")
    assert [(e.signal, e.favours) for e in pair.evidence] == [("date", "early")]
    assert unspun.compare(("x", text[SOURCE]), ("y", text[SPINNER])).source in ("x", "y", None)
    # A text's default name yields to a record given it: the record keeps the id it was given.
    pair = unspun.compare(text[SOURCE], {"id": "a", "text": text[SPINNER]})
    assert (pair.a, pair.b) == ("a#2", "a")


def test_the_pair_is_about_the_arguments_in_their_order(seeds):
    text = dict(seeds)
    first, second = text[SOURCE] + "\nA closing line the copy lacks.", text[SPINNER]
    pair = unspun.compare(("z-original", first), ("a-copy", second))
    back = unspun.compare(("a-copy", second), ("z-original", first))
    assert (pair.a, pair.b, back.a, back.b) == ("z-original", "a-copy", "a-copy", "z-original")
    assert (pair.coverage_a, pair.coverage_b) == (back.coverage_b, back.coverage_a)
    assert pair.coverage_a != pair.coverage_b
    # Each passage's `a` is a byte range of the first argument's text.
    assert [(p.a, p.b) for p in pair.passages] == [(p.b, p.a) for p in back.passages]
    a, b = first.encode(), second.encode()
    assert all(p.a[1] <= len(a) and p.b[1] <= len(b) for p in pair.passages)


def test_unrelated_texts_have_no_relation(seeds):
    text = dict(seeds)
    pair = unspun.compare(text[SOURCE], text[WIRE_A])
    assert pair.relation is None and pair.source is None
    nothing = unspun.compare("Completely different words here.", "Nothing at all in common, none.")
    assert (nothing.relation, nothing.passages, nothing.evidence) == (None, [], [])
    # Not compared: nothing measured, so no figure (not a zero that reads as measured).
    assert (nothing.confidence, nothing.jaccard5, nothing.coverage_a, nothing.aligned_sentences) == (None,) * 4
    # Too short to judge (under min_words) unless identical.
    assert unspun.compare("the same few words", "the same few words").relation == "duplicate"
    assert unspun.compare("the same few words", "the same few words!?", min_words=50).relation == "duplicate"
    assert unspun.compare("some few words", "other few words").relation is None


def test_a_reference_collection_is_not_a_setting_of_compare(seeds):
    with pytest.raises(TypeError, match="unknown setting 'against'"):
        unspun.compare(seeds[0][1], seeds[1][1], against=["corpus"])
