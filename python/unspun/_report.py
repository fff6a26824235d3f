"""The report of a scan as dataclasses: the JSON contract (``format_version`` 3) of ``unspun scan --format json``,
field for field. The Rust library writes the JSON; this module only reads it (``Report.from_json``) and
writes it back (``Report.to_json``), and gives the pairs, documents and clusters to pandas."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Dict, List, Mapping, Optional, Tuple

__all__ = ["Cluster", "Document", "Evidence", "Pair", "Passage", "Problem", "Report", "Semantic", "Summary"]


def _missing(value: Any) -> bool:
    """None, or the NaN pandas puts in a float column where a value is missing."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _optional(value: Any) -> Any:
    return None if _missing(value) else value


@dataclass
class Passage:
    """Aligned text: byte ranges ``(start, end)`` (end exclusive) into each original text, UTF-8 encoded.

    ``text_a.encode()[start:end]`` is the passage in the text of the pair's ``a``."""

    a: Tuple[int, int]
    b: Tuple[int, int]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Passage:
        a, b = d["a"], d["b"]
        return cls((int(a[0]), int(a[1])), (int(b[0]), int(b[1])))

    def to_dict(self) -> Dict[str, Any]:
        return {"a": list(self.a), "b": list(self.b)}


@dataclass
class Evidence:
    """One fact weighed in deciding the source: ``signal`` (``date``, ``canonical``, ``containment``,
    ``stock_phrasing``, ``attestation``, ``specifics``, ``hub``, ``machine_vocabulary``, ``siblings``,
    ``shared_source``, ``conflict``, ``family``, ``context_fit``, ``duplicate``, ``specifics_restated``, ``semantic``;
    the last two tell why a pair is a rewrite), the document it ``favours`` as the source (or None) and a ``detail`` in words."""

    signal: str
    favours: Optional[str]
    detail: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        return cls(d["signal"], _optional(d.get("favours")), d["detail"])

    def to_dict(self) -> Dict[str, Any]:
        return {"signal": self.signal, "favours": self.favours, "detail": self.detail}


@dataclass
class Semantic:
    """What the semantic view measured of a pair the wording does not show derived: the cosine similarity
    of the ``leads``' embeddings; of the shorter text's ``sentences`` compared, how many are
    ``restated_in_order`` in the other and their mean ``closeness`` (all three None when the leads were too
    far apart to compare the sentences); the share of one text's names and numbers the other has, in any
    case (``specifics``, weighed by rarity; the larger of the two) and their weight (``specifics_weight``)."""

    leads: float
    sentences: Optional[int]
    restated_in_order: Optional[int]
    closeness: Optional[float]
    specifics: float
    specifics_weight: float

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Semantic:
        count = lambda v: None if _missing(v) else int(v)
        closeness = _optional(d.get("closeness"))
        return cls(
            float(d["leads"]),
            count(d.get("sentences")),
            count(d.get("restated_in_order")),
            None if closeness is None else float(closeness),
            float(d["specifics"]),
            float(d["specifics_weight"]),
        )

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass
class Pair:
    """A pair of documents one of which derives from the other.

    ``relation`` is ``duplicate``, ``near_duplicate``, ``rewrite`` or ``partial`` (``candidate`` with
    ``candidates_only=True``, ``none`` with ``report_unrelated=True``; ``compare`` gives None for an unrelated
    pair). ``source`` is the id of the document the other derives from, or None when the evidence names
    neither; ``source_confidence`` is the direction model's probability that it is right (None when no source
    is named, or a link or the dates named it). The other figures are those of the README's table; verification
    measures them, so a ``candidate`` pair has None for each."""

    a: str
    b: str
    relation: Optional[str]
    source: Optional[str]
    source_confidence: Optional[float]
    confidence: Optional[float]
    jaccard5: Optional[float]
    coverage_a: Optional[float]
    coverage_b: Optional[float]
    similarity: Optional[float]
    strength: Optional[float]
    lead_similarity: Optional[float]
    phrasing: Optional[float]
    aligned_sentences: Optional[int]
    copied_sentences: Optional[int]
    copied_strength: Optional[float]
    views: List[str] = field(default_factory=list)
    passages: List[Passage] = field(default_factory=list)
    evidence: List[Evidence] = field(default_factory=list)
    semantic: Optional[Semantic] = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Pair:
        """A pair from its JSON object, or from a row of ``Report.to_pandas()`` (NaN read as None)."""
        values: Dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "semantic":
                v = _optional(d.get("semantic"))
                values[f.name] = v if v is None or isinstance(v, Semantic) else Semantic.from_dict(v)
                continue
            v = d[f.name]
            if f.name in ("relation", "source", "source_confidence"):
                v = _optional(v)
            elif f.name in ("aligned_sentences", "copied_sentences"):
                v = _optional(v)
                v = None if v is None else int(v)
            elif f.name == "views":
                v = [str(x) for x in v]
            elif f.name == "passages":
                v = [p if isinstance(p, Passage) else Passage.from_dict(p) for p in v]
            elif f.name == "evidence":
                v = [e if isinstance(e, Evidence) else Evidence.from_dict(e) for e in v]
            elif f.name not in ("a", "b"):
                v = _optional(v)
                v = None if v is None else float(v)
            values[f.name] = v
        return cls(**values)

    def to_dict(self) -> Dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["views"] = list(self.views)
        d["passages"] = [p.to_dict() for p in self.passages]
        d["evidence"] = [e.to_dict() for e in self.evidence]
        if self.semantic is None:
            del d["semantic"]
        else:
            d["semantic"] = self.semantic.to_dict()
        return d


@dataclass
class Document:
    """A document read: ``id`` (as used in pairs and clusters), ``path`` (``(memory)`` for a text given in
    Python), ``words``, ``date`` if known, ``skipped`` (``empty``, ``too short to judge``) if not compared,
    ``reference`` for a document of the ``against`` collection (listed only when a pair names it), and
    ``extra``: the input's other fields (url, title…)."""

    id: str
    path: str
    words: int
    date: Optional[str] = None
    skipped: Optional[str] = None
    reference: bool = False
    extra: Dict[str, Any] = field(default_factory=dict)

    _KNOWN = ("id", "path", "words", "date", "skipped", "reference")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Document:
        # A field other documents have and this one lacks: NaN in a row of ``to_pandas("documents")``.
        extra = {k: v for k, v in d.items() if k not in cls._KNOWN and not _missing(v)}
        return cls(
            d["id"],
            d["path"],
            int(d["words"]),
            _optional(d.get("date")),
            _optional(d.get("skipped")),
            bool(d.get("reference", False)),
            extra,
        )

    def to_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"id": self.id, "path": self.path, "words": self.words}
        if self.date is not None:
            d["date"] = self.date
        if self.skipped is not None:
            d["skipped"] = self.skipped
        if self.reference:
            d["reference"] = True
        d.update(self.extra)
        return d


@dataclass
class Cluster:
    """Documents connected by reported pairs: ``members`` (ids, sorted), the ``source`` the others derive
    from, when exactly one is, and ``parents``: each member's id mapped to the text it was derived from
    (the nearest of its named sources) or None, the family as a tree."""

    source: Optional[str]
    members: List[str]
    parents: Dict[str, Optional[str]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Cluster:
        parents = {k: _optional(v) for k, v in (d.get("parents") or {}).items()}
        return cls(_optional(d.get("source")), list(d["members"]), parents)

    def to_dict(self) -> Dict[str, Any]:
        return {"source": self.source, "members": list(self.members), "parents": dict(self.parents)}


@dataclass
class Problem:
    """Damaged input that was skipped or read lossily: the file (``stdin`` for standard input), the line (or
    CSV row) and the web-archive record's byte offset where it is in one, and what is wrong."""

    path: str
    message: str
    line: Optional[int] = None
    record: Optional[int] = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Problem:
        return cls(d["path"], d["message"], d.get("line"), d.get("record"))

    def to_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"path": self.path}
        if self.line is not None:
            d["line"] = self.line
        if self.record is not None:
            d["record"] = self.record
        d["message"] = self.message
        return d


@dataclass
class Summary:
    """Counts for the run: documents read and skipped, input ``problems``, distinct ``candidate_pairs``,
    ``grouped_documents`` (members of near-duplicate groups of eight or more other than the first), the
    candidate statistics of each view (``views``), the reported ``pairs``, and with ``against`` the
    ``references`` (``documents``, ``paired``), and with ``boilerplate`` the ``furniture_lines`` found."""

    documents: int
    skipped_documents: int
    problems: List[Problem]
    candidate_pairs: int
    grouped_documents: int
    views: Dict[str, Dict[str, int]]
    pairs: int
    references: Optional[Dict[str, int]] = None
    furniture_lines: Optional[int] = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Summary:
        return cls(
            d["documents"],
            d["skipped_documents"],
            [Problem.from_dict(p) for p in d["problems"]],
            d["candidate_pairs"],
            d["grouped_documents"],
            dict(d["views"]),
            d["pairs"],
            d.get("references"),
            d.get("furniture_lines"),
        )

    def to_dict(self) -> Dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["problems"] = [p.to_dict() for p in self.problems]
        for optional in ("references", "furniture_lines"):
            if d[optional] is None:
                del d[optional]
        return d


@dataclass
class Report:
    """The report of a scan: ``documents`` (sorted by id as given: a repeated id, renamed ``ID#2``, follows
    the first), ``pairs`` (in the documents' order of ``a``, then of ``b``), ``clusters`` and ``summary``,
    as in the JSON contract (see the README's Output section).

    ``to_json()`` writes it in that contract, ``Report.from_json`` reads a report the command line wrote, and
    ``to_pandas()`` gives a table of the pairs (or documents, or clusters)."""

    documents: List[Document]
    pairs: List[Pair]
    clusters: List[Cluster]
    summary: Summary
    tool: str = "unspun"
    format_version: int = 3

    @classmethod
    def from_json(cls, text: str) -> Report:
        """Reads a report as ``unspun scan`` writes it: ``--format json`` (one object) or ``--format jsonl``
        (a line a document, pair and cluster, tagged by ``type``, then the summary; as ``unspun.spark``
        writes it too). Text that is neither is a ValueError saying why."""
        try:
            whole = json.loads(text)
        except json.JSONDecodeError:
            whole = None
        if isinstance(whole, Mapping) and "type" not in whole:
            return cls.from_dict(whole)
        parts: Dict[str, List[Any]] = {"document": [], "pair": [], "cluster": [], "summary": []}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"line {number}: not JSON ({e.msg}): not a JSON or JSON Lines report") from None
            kind = item.pop("type", None) if isinstance(item, dict) else None
            if kind not in parts:
                raise ValueError(f"line {number}: not a report's line (its type is {kind!r}, not document, pair, cluster or summary)")
            parts[kind].append(item)
        if len(parts["summary"]) != 1:
            raise ValueError(f"{len(parts['summary'])} summary lines: a JSON Lines report ends with one")
        return cls.from_dict(
            {"documents": parts["document"], "pairs": parts["pair"], "clusters": parts["cluster"], "summary": parts["summary"][0]}
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Report:
        missing = [key for key in ("documents", "pairs", "clusters", "summary") if key not in d]
        if missing:
            raise ValueError(f"not a report: no {', '.join(missing)}")
        try:
            return cls(
                [Document.from_dict(x) for x in d["documents"]],
                [Pair.from_dict(x) for x in d["pairs"]],
                [Cluster.from_dict(x) for x in d["clusters"]],
                Summary.from_dict(d["summary"]),
                d.get("tool", "unspun"),
                d.get("format_version", 3),
            )
        except KeyError as e:
            raise ValueError(f"not a report: a document, pair, cluster or the summary has no field {e.args[0]!r}") from None
        except (TypeError, AttributeError) as e:
            raise ValueError(f"not a report: {e}") from None

    def to_dict(self) -> Dict[str, Any]:
        """The report as the JSON contract's object."""
        return {
            "tool": self.tool,
            "format_version": self.format_version,
            "documents": [x.to_dict() for x in self.documents],
            "pairs": [x.to_dict() for x in self.pairs],
            "clusters": [x.to_dict() for x in self.clusters],
            "summary": self.summary.to_dict(),
        }

    def to_json(self, indent: Optional[int] = 2) -> str:
        """The report as JSON, in the contract the command line writes (``format_version`` 3)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_pandas(self, what: str = "pairs") -> Any:
        """A pandas DataFrame of the ``pairs`` (default), ``documents`` or ``clusters``: a row each, a column a
        field. Pairs keep ``views``, ``passages`` and ``evidence`` as lists of dicts (``Pair.from_dict`` reads a
        row back); documents have their ``extra`` fields as columns of their own. Needs pandas
        (``pip install pandas``); it is imported only here."""
        try:
            import pandas as pd  # type: ignore[import-untyped, unused-ignore]
        except ImportError as e:
            raise ImportError("Report.to_pandas needs pandas: pip install pandas") from e
        kind: type
        if what == "pairs":
            kind, rows = Pair, [x.to_dict() for x in self.pairs]
            columns = [f.name for f in fields(Pair)]
        elif what == "documents":
            kind, rows = Document, []
            columns = list(Document._KNOWN)
            for d in self.documents:
                columns.extend(k for k in d.extra if k not in columns)
                row = asdict(d, dict_factory=dict)
                del row["extra"]
                rows.append({**row, **d.extra})
        elif what == "clusters":
            kind, rows = Cluster, [x.to_dict() for x in self.clusters]
            columns = [f.name for f in fields(Cluster)]
        else:
            raise ValueError(f"what={what!r}: expected 'pairs', 'documents' or 'clusters'")
        frame = pd.DataFrame.from_records(rows, columns=columns)
        # Strings take the type pandas gives them (str since pandas 3, object before), whatever the rows hold:
        # a column of None (no source named) or no row at all would otherwise be objects, or floats.
        dtypes = {"float": "float64", "int": "int64", "bool": "bool", "str": pd.Series(["x"]).dtype}
        dtypes.update({f"Optional[{t}]": dtypes[t] for t in ("float", "int", "str")})
        typed = {f.name: dtypes[str(f.type)] for f in fields(kind) if str(f.type) in dtypes and f.name in columns}
        if "semantic" in columns:
            # What the semantic view measured, or None: objects, not a column of NaN when no pair has any.
            frame["semantic"] = pd.Series([row.get("semantic") for row in rows], index=frame.index, dtype=object)
        if not rows:
            # No row to infer from: the columns get the types their fields have, as with rows (of verified pairs,
            # whose figures are all measured).
            return frame.astype(typed)
        frame = frame.astype({name: dtype for name, dtype in typed.items() if dtypes["str"] == dtype})
        for name, dtype in typed.items():
            # A figure no pair has (a report of candidates only) is a column of None: NaN in a float column, as
            # pandas writes a number that is missing, so that such tables sort, sum and concatenate as others do.
            if dtype != "bool" and frame[name].dtype == object:
                frame[name] = pd.to_numeric(frame[name])
        return frame

    def __repr__(self) -> str:
        return (
            f"<unspun.Report: {len(self.documents)} documents, {len(self.pairs)} pairs, "
            f"{len(self.clusters)} clusters>"
        )
