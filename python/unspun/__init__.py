"""unspun: find which news articles of a collection are copies, rewrites or "spins" of which, and which one is
the source.

A thin layer over the Rust library (``unspun._native``): every figure, verdict and source comes from it; this
package turns Python data into its documents and its JSON report into dataclasses.

>>> import unspun
>>> report = unspun.scan(["text one …", "text two …"])          # doctest: +SKIP
>>> [(p.a, p.b, p.relation, p.source) for p in report.pairs]     # doctest: +SKIP

``scan`` takes texts or records in memory, ``scan_paths`` files and folders (as the command line reads
them), ``compare`` two texts, and ``Signer`` gives MinHash signatures and LSH band keys as NumPy arrays for
an index of one's own. Settings are keyword arguments named as the command line's flags (see ``scan``).
The interpreter's lock is released while the library works.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import os
import sys
from typing import Any, Dict, Iterable, List, Mapping, Optional, Protocol, Sequence, Tuple, Union

from . import _native
from ._native import FORMAT_VERSION, InputError
from ._report import Cluster, Document, Evidence, Pair, Passage, Problem, Report, Semantic, Summary

__version__: str = _native.__version__

__all__ = [
    "FORMAT_VERSION",
    "Cluster",
    "Document",
    "Evidence",
    "InputError",
    "Pair",
    "Passage",
    "Problem",
    "Report",
    "Semantic",
    "Signer",
    "Summary",
    "compare",
    "scan",
    "scan_paths",
]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
class _Row(Protocol):
    """A pandas Series (a DataFrame's row, from ``iterrows()``), read as the dict it stands for."""

    @property
    def index(self) -> Any: ...
    def to_dict(self) -> Any: ...


class _Table(Protocol):
    """A pandas DataFrame, read a row a record."""

    @property
    def columns(self) -> Any: ...
    def to_dict(self, orient: Any) -> Any: ...


# A record's keys are any (a DataFrame's to_dict("records") types them Hashable); a pair's text may be
# missing (NaN, None), an empty document.
Record = Union[str, Mapping[Any, Any], Tuple[Any, Any], _Row]

# What each setting is, for the checks made before the library sees them (it validates their values).
_INT, _FLOAT, _BOOL, _STR, _PATH, _STRS, _PATHS, _THRESHOLDS = range(8)
_SETTINGS: Dict[str, int] = {
    "views": _STRS,
    "hashes": _INT,
    "seed": _INT,
    "threshold": _THRESHOLDS,
    "shingle": _INT,
    "lead": _INT,
    "max_bucket": _INT,
    "min_words": _INT,
    "passages": _BOOL,
    "candidates_only": _BOOL,
    "report_unrelated": _BOOL,
    "window": _FLOAT,
    "model": _PATH,
    "semantic_threshold": _FLOAT,
    "semantic_bars": _PATH,
    "word_vectors": _BOOL,
    "direction_model": _PATH,
    "verdict_bars": _PATH,
    "against": _PATHS,
    "ext": _STRS,
    "id_field": _STR,
    "text_field": _STR,
    "date_field": _STR,
    "url_field": _STR,
    "strict": _BOOL,
    "input_format": _STR,
    "threads": _INT,
    "boilerplate": _BOOL,
    "top": _INT,
}
_SIGNER_SETTINGS = ("views", "hashes", "seed", "threshold", "shingle", "lead", "threads")


def _setting(name: str, kind: int, value: Any) -> Any:
    """The JSON value of one setting, or TypeError / ValueError saying what is wrong with it."""

    # Python's numbers and NumPy's (numpy.int64, numpy.float32: registered as numbers.Integral, Real).
    def is_number(v: Any) -> bool:
        return isinstance(v, numbers.Real) and not isinstance(v, (bool, _np_bool()))

    if kind == _INT:
        if not isinstance(value, numbers.Integral) or isinstance(value, (bool, _np_bool())):
            raise TypeError(f"setting {name}: expected an integer, got {type(value).__name__}")
        value = int(value)
        if not 0 <= value < 2**64:
            raise ValueError(f"setting {name}: {value} is not an integer in 0..2**64")
        return value
    if kind == _FLOAT:
        if not is_number(value):
            raise TypeError(f"setting {name}: expected a number, got {type(value).__name__}")
        try:
            number = float(value)
        except OverflowError:  # an integer past any float (10**400)
            raise ValueError(f"setting {name}: an integer of {len(str(abs(value)))} digits is past any number") from None
        if not math.isfinite(number):
            raise ValueError(f"setting {name}: {value} is not a finite number")
        return number
    if kind == _BOOL:
        if isinstance(value, _np_bool()):
            value = bool(value)
        if not isinstance(value, bool):
            raise TypeError(f"setting {name}: expected True or False, got {type(value).__name__}")
        return value
    if kind == _STR:
        if not isinstance(value, str):
            raise TypeError(f"setting {name}: expected a string, got {type(value).__name__}")
        return value
    if kind == _PATH:
        if not isinstance(value, (str, bytes, os.PathLike)):
            raise TypeError(f"setting {name}: expected a path, got {type(value).__name__}")
        return os.fsdecode(os.fspath(value))
    if kind in (_STRS, _PATHS):
        if isinstance(value, (str, bytes, os.PathLike)):
            value = [value]
        try:
            items = list(value)
        except TypeError:
            raise TypeError(f"setting {name}: expected a list, got {type(value).__name__}") from None
        return [_setting(name, _STR if kind == _STRS else _PATH, v) for v in items]
    # _THRESHOLDS: {view: T}
    if not isinstance(value, Mapping):
        raise TypeError(f"setting {name}: expected a mapping of view to threshold, e.g. {{'words': 0.5}}")
    out = {}
    for view, t in value.items():
        if not isinstance(view, str) or not is_number(t):
            raise TypeError(f"setting {name}: expected a mapping of view name to number, got {view!r}: {t!r}")
        if not 0 < t <= 1:
            raise ValueError(f"setting {name}: the {view} view's threshold {t!r} is not in (0, 1]")
        out[view] = float(t)
    return out


def _np_bool() -> type:
    """NumPy's bool type, when NumPy is loaded (it is no Python bool, and no number either)."""
    numpy = sys.modules.get("numpy")
    return numpy.bool_ if numpy is not None else bool


def _settings_json(settings: Mapping[str, Any], allowed: Iterable[str] = _SETTINGS) -> str:
    """The settings as the JSON object the library reads; None means the default."""
    allowed = set(allowed)
    out = {}
    for name, value in settings.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise TypeError(f"unknown setting {name!r} (known: {known})")
        if value is not None:
            out[name] = _setting(name, _SETTINGS[name], value)
    # As the command line's flags: what tunes the semantic view needs the view.
    for name in ("semantic_threshold", "semantic_bars", "word_vectors"):
        if out.get(name) not in (None, False) and "model" not in out:
            raise TypeError(f"setting {name} needs a model (model=DIR)")
    return json.dumps(out)


def _missing(value: Any) -> bool:
    """A missing value as Python, NumPy and pandas write one: None, NaN, NaT, pandas.NA."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NaTType", "NAType") or (
        type(value).__name__ == "datetime64" and str(value) == "NaT"
    )


def _no_id(value: Any) -> bool:
    """An id that names nothing: missing, or a blank string (as the file readers take one)."""
    return _missing(value) or (isinstance(value, str) and not value.strip())


def _id(value: Any) -> Optional[str]:
    """An id as the library takes it (a string, or an integer of Python's or NumPy's, written in decimal);
    None for any other type."""
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    # A column of integer ids with a gap is float in pandas: 3.0 is the id 3.
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(float(value)))
    return None


_MAX_ID_BYTES = 1024


def _check_id_length(ident: str, where: str) -> None:
    """An id longer than a file's reader takes (1,024 bytes) is refused: it is most likely the text's field,
    named as the id's."""
    size = len(ident.encode("utf-8", "surrogatepass"))
    if size > _MAX_ID_BYTES:
        raise ValueError(f"{where}: its id is {size} bytes long, past {_MAX_ID_BYTES} (the text's field? id_field names the ids')")


def _date(value: Any, where: str) -> Optional[str]:
    if _missing(value):
        return None
    if isinstance(value, str):
        return value
    # pandas and NumPy hold a day as its midnight (a column read with parse_dates, "2024-01-01"): a
    # time of exactly midnight without a zone is taken as the day, as the file readers take "2024-01-01"
    # (any moment of it), not as the instant 00:00.
    if type(value).__name__ == "datetime64":  # numpy.datetime64
        unit = sys.modules["numpy"].datetime_data(value.dtype)[0]
        if unit in ("Y", "M", "W"):
            # A year, month or week is no day: read as its first day, it would settle direction against
            # texts published later in it.
            raise ValueError(f"{where}: date {value} is a {_COARSE[unit]}, not a day (give days: datetime64[D])")
        value = _pandas_timestamp(value) or value
    if hasattr(value, "isoformat"):  # datetime.date, datetime.datetime, pandas.Timestamp
        if _naive_midnight(value):
            return str(value.date().isoformat())
        return str(value.isoformat())
    if type(value).__name__ == "datetime64":  # without pandas, written as ISO 8601
        text = str(value)
        return text[: -len("T00:00:00")] if text.endswith("T00:00:00") else text
    raise TypeError(f"{where}: date is {type(value).__name__}, not an ISO 8601 string or a date")


_COARSE = {"Y": "year", "M": "month", "W": "week"}


def _pandas_timestamp(value: Any) -> Any:
    """A numpy.datetime64 as a pandas Timestamp when pandas is loaded (None otherwise)."""
    pandas = sys.modules.get("pandas")
    return pandas.Timestamp(value) if pandas is not None else None


def _naive_midnight(value: Any) -> bool:
    """A datetime (not a date) of exactly midnight without a time zone."""
    if not hasattr(value, "hour") or getattr(value, "tzinfo", None) is not None:
        return False
    parts = ("hour", "minute", "second", "microsecond", "nanosecond")
    return all(getattr(value, part, 0) == 0 for part in parts)


# The fields of a record that hold its id, text, date and URL, as ``id_field``… name them.
_FIELDS = ("id", "text", "date", "url")


def _field_names(settings: Mapping[str, Any]) -> Tuple[str, ...]:
    """The fields of a record holding its id, text, date and URL, as ``id_field``… name them."""
    return tuple(settings.get(f"{n}_field") or n for n in _FIELDS)


def _row(item: Any) -> Any:
    """A pandas Series (a DataFrame's row, from iterrows()) as the dict it stands for; anything else as it is."""
    if not isinstance(item, (str, Mapping)) and hasattr(item, "to_dict") and hasattr(item, "index"):
        return item.to_dict()
    return item


def _record(item: Any, index: int, names: Sequence[str] = _FIELDS) -> Tuple[str, str, Optional[str], Optional[str]]:
    """One document for the library: ``(id, text, date, other fields as JSON)``; ``names`` are the fields
    of a record that hold its id, text, date and URL."""
    where = f"document {index}"
    id_name, text_name, date_name, url_name = names
    if isinstance(item, str):
        return (str(index), item, None, None)
    item = _row(item)
    if isinstance(item, Mapping):
        fields = dict(item)
        text = fields.pop(text_name, None)
        # A record without its text (None, or a DataFrame's missing cell) is an empty document: listed, not
        # compared, its place kept.
        if _missing(text):
            text = ""
        if not isinstance(text, str):
            raise TypeError(f"{where}: field {text_name!r} is {type(text).__name__}, not a string")
        given = fields.pop(id_name, None)
        ident = str(index) if _no_id(given) else _id(given)
        if ident is None:
            raise TypeError(f"{where}: id is {type(given).__name__}, not a string or an integer")
        _check_id_length(ident, where)
        date = _date(fields.pop(date_name, None), where)
        if url_name != "url" and url_name in fields:
            fields["url"] = fields.pop(url_name)
        # A missing cell of a DataFrame (NaN, NaT, NA): left out, as a missing field is.
        extra = {k: v for k, v in fields.items() if not _missing(v)}
        try:
            extra_json = json.dumps(extra, allow_nan=False, ensure_ascii=False, default=_jsonable) if extra else None
        except (TypeError, ValueError) as e:
            raise TypeError(f"{where}: its fields cannot be written as JSON: {e}") from None
        return (ident, text, date, extra_json)
    if isinstance(item, tuple) and len(item) == 2:
        given, text = item
        # A missing text (a Series' NaN, None, pandas.NA) is an empty document, as a record's is; a
        # missing id, its position.
        if _missing(text):
            text = ""
        if not isinstance(text, str):
            raise TypeError(f"{where}: expected (id, text) with a string text, got {type(text).__name__}")
        ident = str(index) if _no_id(given) else _id(given)
        if ident is None:
            raise TypeError(f"{where}: expected (id, text) with a string or integer id, got {type(given).__name__}")
        _check_id_length(ident, where)
        return (ident, text, None, None)
    raise TypeError(
        f"{where}: expected a string, a dict with 'id' and 'text', or an (id, text) tuple; "
        f"got {type(item).__name__}"
    )


def _unencodable(documents: Sequence[Tuple[Any, ...]], names: Sequence[str]) -> None:
    """Raises a ValueError naming the first document with a string that has no UTF-8 form (a lone surrogate,
    as ``os.fsdecode`` or ``errors="surrogateescape"`` leave for undecodable bytes), which the library
    cannot take; called when the library refused one."""
    for i, document in enumerate(documents):
        for name, value in zip(names, document):
            if not isinstance(value, str):
                continue
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as e:
                named = f" (id {document[0]!r})" if names[0] == "id" and name != "id" else ""
                raise ValueError(
                    f"document {i}{named}: its {name} holds a lone surrogate "
                    f"({value[e.start]!r} at character {e.start}), which is not Unicode text; "
                    f"clean it first, e.g. text.encode('utf-8', 'replace').decode()"
                ) from None


_DOCUMENT_FIELDS = ("id", "text", "date", "other fields")


def _jsonable(value: Any) -> Any:
    """Dates, NumPy arrays (a list column read from Parquet) and NumPy scalars in a record's fields, as JSON
    can hold them."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if getattr(value, "ndim", 0) > 0 and hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _series_label(label: Any) -> Any:
    """A Series' index label as an id: itself when it is one (a string, an integer), else its text."""
    return label if _id(label) is not None else str(label)


def _check_text_field(items: Sequence[Any], text_name: str) -> None:
    """Raises a ValueError when records are given and none has the field holding the texts (a column
    named ``body``: every document would be empty), naming the fields seen, as the file readers do."""
    records = [item for item in items if isinstance(item, Mapping)]
    if records and not any(text_name in record for record in records):
        seen = sorted({str(name) for record in records for name in record})
        shown = ", ".join(seen[:20]) + (", …" if len(seen) > 20 else "")
        raise ValueError(f"no record has field {text_name!r}; fields seen: {shown} (text_field names the texts' field)")


def _records(data: Any, names: Sequence[str] = _FIELDS) -> List[Tuple[str, str, Optional[str], Optional[str]]]:
    if isinstance(data, (str, bytes)):
        raise TypeError("expected a list of texts or records, not a single string (wrap it in a list)")
    if isinstance(data, Mapping):
        raise TypeError("expected a list of texts or records, not a single dict (wrap a record in a list)")
    if hasattr(data, "to_dict") and hasattr(data, "columns"):  # a pandas DataFrame
        # Ids held in the index (df.set_index("id")) are a column again.
        if names[0] not in data.columns and names[0] in (getattr(data.index, "names", None) or []):
            data = data.reset_index()
        data = data.to_dict("records")
    elif hasattr(data, "to_dict") and hasattr(data, "index") and hasattr(data, "dtype"):  # a pandas Series
        # Texts by their index's labels (df.set_index("id")["text"]): those are their ids.
        data = [(_series_label(label), text) for label, text in data.items()]
    items = [_row(item) for item in data]
    _check_text_field(items, names[1])
    records = [_record(item, i, names) for i, item in enumerate(items)]
    # An id given outright keeps it: a document named by its position yields to one given that id (the
    # library renames the later of two equal ids, which could be the one given), taking the library's
    # form of a repeated id, ID#2 (or the next number not taken).
    named = [
        (isinstance(item, tuple) and len(item) == 2 and not _no_id(item[0]))
        or (isinstance(item, Mapping) and not _no_id(item.get(names[0])))
        for item in items
    ]
    given = {r[0] for r, n in zip(records, named) if n}
    taken = set(given)
    for k, (record, n) in enumerate(zip(records, named)):
        if not n and record[0] in given:
            suffix = 2
            while f"{record[0]}#{suffix}" in taken:
                suffix += 1
            records[k] = (f"{record[0]}#{suffix}",) + record[1:]
        taken.add(records[k][0])
    return records


def scan(texts_or_records: Union[Iterable[Record], _Table], **settings: Any) -> Report:
    """Finds which of the documents are copies, rewrites or spins of which, and which one is the source.

    ``texts_or_records`` is a list of texts (their ids are their positions, ``"0"``, ``"1"``…, a position that
    another document is given as its id becoming ``"0#2"``), of records
    (dicts with ``text`` and optionally ``id``, ``date`` (ISO 8601 or a ``datetime.date``), ``url``, ``title``
    and any other fields, passed through to ``report.documents``), of ``(id, text)`` tuples, a pandas
    DataFrame with those columns (or its rows; its ids may be its index, as ``set_index("id")`` leaves
    them), or a pandas Series of texts (their ids its index's labels). A record without its text (None,
    NaN) is an empty document, listed and not compared; records none of which has the text's field are a
    ValueError naming the fields seen. A date of exactly midnight without a time zone (how pandas holds a
    day, ``parse_dates``) is read as that day, any moment of it, as the file readers read ``2024-01-01``. Texts are compared as given (an HTML page is not reduced to its main text
    as ``scan_paths`` does).

    Settings (keywords, as the command line's flags; unset means the default):
    ``views`` (``["words", "content", "lead"]``), ``hashes`` (128 a view), ``seed``, ``threshold``
    (``{"words": 0.5, "content": 0.2, "lead": 0.2}``, any of them), ``shingle`` (5), ``lead`` (60),
    ``max_bucket`` (200), ``min_words`` (20), ``passages`` (True), ``candidates_only``,
    ``report_unrelated``, ``window`` (days), ``model`` (a sentence-embedding model's folder),
    ``semantic_threshold`` (the fitted one), ``semantic_bars`` (a file of the view's bars, as
    ``scripts/fit-semantic`` writes it), ``word_vectors`` (embed with the word vectors distilled from
    the model, ``unspun model distill DIR``), ``direction_model`` (a file), ``verdict_bars`` (a file: the weight of evidence a rewrite and a partial
    reuse need, as ``scripts/fit-verdict`` writes it), ``against`` (reference files and folders; for ``scan_paths``, also an index's folder alone, queried as
    ``unspun query`` queries it),
    ``top`` (with ``against``: each new article's K pairs of highest confidence),
    ``id_field``, ``text_field``, ``date_field`` and ``url_field`` (the records' fields, and the files' read),
    ``ext``, ``input_format`` and ``strict`` (for the files of ``against``), ``threads`` (default: one per core; the result is the same for any number),
    ``boilerplate`` (leave out each site's page furniture, the lines on five or more of its pages by the
    records' ``url`` host, as ``--boilerplate`` does; not with standard input or an index).

    Raises TypeError for an unknown setting or input of the wrong type, ValueError for a setting out of range
    or a string that is not Unicode text (a lone surrogate, naming the document), InputError (a ValueError) for damaged input with ``strict=True``, OSError for a file that cannot be read.
    """
    names = _field_names(settings)
    if not settings.get("against"):
        for name in ("ext", "input_format", "strict"):
            if settings.get(name) is not None:
                raise TypeError(f"setting {name} is for files read (scan_paths, or against=...): these texts are given")
    config = _settings_json(settings)
    against = settings.get("against") or []
    for path in [against] if isinstance(against, (str, bytes, os.PathLike)) else against:
        if _is_index(path):
            raise ValueError(
                f"against={os.fspath(path)!r} is an index: an index is queried with files "
                "(scan_paths(paths, against=INDEX)), not with texts given in memory"
            )
    documents = _records(texts_or_records, names)
    try:
        return Report.from_json(_native.scan_documents(documents, config))
    except UnicodeEncodeError:
        _unencodable(documents, _DOCUMENT_FIELDS)
        raise


def _is_index(path: Any) -> bool:
    """Whether ``path`` is an index's folder (its MANIFEST opens with the index's magic)."""
    try:
        with open(os.path.join(os.fspath(path), "MANIFEST"), "rb") as f:
            return f.read(8) == b"UNSPUNMF"
    except (OSError, TypeError):
        return False


def scan_paths(paths: Union[PathLike, Sequence[PathLike]], **settings: Any) -> Report:
    """Scans files and folders as ``unspun scan PATH…`` does: folders recursively (files with an ``ext``
    extension, default ``txt``), JSON Lines, CSV, HTML pages and web archives, plain, gzip or zstd. Takes the
    settings of ``scan``. Damaged input is skipped and listed in ``report.summary.problems`` (an InputError
    with ``path`` and ``line`` instead, with ``strict=True``); a path that does not exist is
    FileNotFoundError."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    names = [os.fsdecode(p) for p in paths]
    if "-" in names:
        # A notebook's standard input is no file, and reading it would wait for an end that never comes.
        raise ValueError("'-' (standard input) is not read by scan_paths: give the texts to scan(), or a file named - as ./-")
    return Report.from_json(_native.scan_paths(names, _settings_json(settings)))


def compare(a: Record, b: Record, **settings: Any) -> Pair:
    """Compares two documents (texts, records or ``(id, text)`` tuples, as in ``scan``; two texts are named
    ``"a"`` and ``"b"``) and returns their pair with its figures, passages and evidence. ``relation`` is None
    when neither derives from the other: when they share nothing, when they were compared and judged not
    derived, or when one is shorter than ``min_words`` (20) and they are not identical.

    The pair's ``a`` is the first argument's id and ``b`` the second's (a scan orders them by id), so
    ``coverage_a`` and each passage's ``a`` are about the first text. Figures not measured (the texts share
    nothing, or one is too short) are None.

    Each view takes the two as a candidate when they share anything at all, so no banding threshold can hide
    the pair; the verdict is what a scan of the two documents alone gives. In a collection it may differ:
    words are weighed by how many of its documents use them (with two, every shared word is common to
    both), and the evidence for a source is the pair's own (dates, links, containment…), not that of
    related documents. To judge a pair as a collection does, scan the collection (``scan``,
    ``scan_paths``) and read the pair from its report."""
    # Two documents and nothing else: a reference collection would add documents the pair is not; files
    # are not read; a pair is always verified.
    files = ("against", "ext", "input_format", "strict", "candidates_only")
    allowed = [name for name in _SETTINGS if name not in files]
    config = _settings_json(settings, allowed)
    names = _field_names(settings)
    first, second = _record(a, 0, names), _record(b, 1, names)
    # A text is named "a" or "b", yielding to a record given that id (as a position yields in `scan`).
    given = {r[0] for r, item in ((first, a), (second, b)) if not isinstance(item, str)}
    if isinstance(a, str):
        first = ("a#2" if "a" in given else "a",) + first[1:]
    if isinstance(b, str):
        second = ("b#2" if "b" in given else "b",) + second[1:]
    try:
        report = Report.from_json(_native.compare(first, second, config))
    except UnicodeEncodeError:
        _unencodable([first, second], _DOCUMENT_FIELDS)
        raise
    # A report orders a pair's documents by id; the pair keeps the order of the arguments, so that `a`,
    # `coverage_a` and each passage's `a` are about the first.
    ids = [d.id for d in report.documents]
    if ids and ids[0] != first[0]:
        ids.reverse()
    if not report.pairs:
        # Not compared (nothing shared, or a text too short): nothing was measured.
        return Pair(
            ids[0], ids[1], relation=None, source=None, source_confidence=None, confidence=None, jaccard5=None,
            coverage_a=None, coverage_b=None, similarity=None, strength=None, lead_similarity=None, phrasing=None,
            aligned_sentences=None, copied_sentences=None, copied_strength=None,
        )
    pair = report.pairs[0]
    if pair.relation == "none":
        pair.relation = None
    if pair.a != ids[0]:
        pair = dataclasses.replace(
            pair,
            a=pair.b,
            b=pair.a,
            coverage_a=pair.coverage_b,
            coverage_b=pair.coverage_a,
            passages=[Passage(p.b, p.a) for p in pair.passages],
        )
    return pair


class Signer:
    """MinHash signatures and LSH band keys of texts, as a scan makes them, for an index of one's own.

    ``Signer(views=..., hashes=128, seed=..., threshold={...}, shingle=5, lead=60, threads=None)`` takes the
    signing settings of ``scan``. ``sign(texts, view)`` gives an ``(n, hashes)`` ``uint32`` array (a lane of an
    empty text is ``0xFFFFFFFF``), ``band_keys(signatures, view)`` an ``(n, bands)`` ``uint64`` array: two texts
    are a candidate pair of the view when they have the same key in the same band (column). The bands and rows
    come from the view's threshold (``params(view)``).

    The ``words`` view is signed exactly as a scan signs it. The ``content`` and ``lead`` views are signed
    from all of a text's content words, as a scan with ``candidates_only=True`` does; a full scan signs them
    leaving out the words common to its collection, which one text alone cannot know.

    A Signer pickles as its settings (for Spark executors or multiprocessing workers), and is made again
    from them where it is unpickled.

    Needs NumPy (``pip install numpy``), imported when a Signer is made.
    """

    def __init__(self, **settings: Any) -> None:
        try:
            import numpy
        except ImportError as e:
            raise ImportError("unspun.Signer needs NumPy: pip install numpy") from e
        self._np = numpy
        self._settings = dict(settings)
        self._native = _native.Signer(_settings_json(settings, _SIGNER_SETTINGS))

    def __reduce__(self) -> Tuple[Any, ...]:
        # Pickled as its settings (to ship to Spark executors or multiprocessing workers): the native
        # signer is made again from them where it is unpickled.
        return (_signer, (self._settings,))

    @property
    def views(self) -> List[str]:
        """The views signed."""
        return list(self._native.views())

    def params(self, view: str = "words") -> Dict[str, Any]:
        """A view's ``shingle``, ``hashes``, ``seed``, ``threshold``, ``bands`` and ``rows``."""
        shingle, hashes, seed, threshold, bands, rows = self._native.params(view)
        return {"shingle": shingle, "hashes": hashes, "seed": seed, "threshold": threshold, "bands": bands,
                "rows": rows}

    def sign(self, texts: Iterable[str], view: str = "words") -> Any:
        """The ``(len(texts), hashes)`` ``uint32`` signatures of ``texts`` in ``view``."""
        if isinstance(texts, str):
            raise TypeError("expected a list of texts, not a single string (wrap it in a list)")
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"text {i}: expected a string, got {type(t).__name__}")
        hashes = self._native.params(view)[1]
        try:
            raw = self._native.sign(texts, view)
        except UnicodeEncodeError:
            _unencodable([(t,) for t in texts], ("text",))
            raise
        return self._np.frombuffer(raw, dtype="<u4").reshape(len(texts), hashes).copy()

    def band_keys(self, signatures: Any, view: str = "words") -> Any:
        """The ``(n, bands)`` ``uint64`` band keys of ``(n, hashes)`` signatures made by ``sign`` for ``view``."""
        np = self._np
        given = np.asarray(signatures)
        if given.dtype.kind not in "u" and not (given.dtype.kind == "i" and (given.size == 0 or given.min() >= 0)):
            raise TypeError(f"expected unsigned integer signatures (uint32, as sign makes them), got {given.dtype}")
        if given.size and given.max() > 0xFFFFFFFF:
            raise ValueError("signatures hold values beyond uint32: they were not made by sign")
        signatures = np.ascontiguousarray(given, dtype="<u4")
        _, hashes, _, _, bands, _ = self._native.params(view)
        if signatures.ndim != 2 or signatures.shape[1] != hashes:
            raise ValueError(f"expected an (n, {hashes}) array of {view} signatures, got shape {signatures.shape}")
        raw = self._native.band_keys(signatures.tobytes(), view)
        return np.frombuffer(raw, dtype="<u8").reshape(signatures.shape[0], bands).copy()

    def __repr__(self) -> str:
        return f"<unspun.Signer views={self.views}>"


def _signer(settings: Dict[str, Any]) -> Signer:
    """A Signer made again from its settings, as unpickling makes one."""
    return Signer(**settings)
