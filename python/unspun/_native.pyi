"""The extension module over unspun's Rust library (python/src/lib.rs); use the ``unspun`` package instead."""

from typing import List, Optional, Tuple, final

__all__ = [
    "scan_documents",
    "scan_paths",
    "compare",
    "Signer",
    "escaped",
    "discover",
    "read_file",
    "read_lines",
    "exact_hashes",
    "furniture_lines",
    "strip_furniture",
    "FURNITURE_PAGES",
    "count",
    "add_statistics",
    "Part",
    "InputError",
    "FORMAT_VERSION",
    "__version__",
]

__version__: str
FORMAT_VERSION: int

_Record = Tuple[str, str, Optional[str], Optional[str]]

class InputError(ValueError):
    """Input that cannot be read as articles (a damaged line with ``strict=True``, a folder without articles):
    ``path``, ``line`` and ``offset`` (a web-archive record's byte offset) say where, when known (None
    otherwise, as in one made by hand)."""

    path: Optional[str]
    line: Optional[int]
    offset: Optional[int]

def scan_documents(documents: List[_Record], settings: str) -> str: ...
def scan_paths(paths: List[str], settings: str) -> str: ...
def compare(a: _Record, b: _Record, settings: str) -> str: ...

@final
class Signer:
    def __new__(cls, settings: str) -> Signer: ...
    def views(self) -> List[str]: ...
    def params(self, view: str) -> Tuple[int, int, int, float, int, int]: ...
    def sign(self, texts: List[str], view: str) -> bytes: ...
    def band_keys(self, signatures: bytes, view: str) -> bytes: ...

# The pieces of a collection judged in parts on a cluster (python/src/parts.rs; used by unspun.spark).
# A row is (id, text, date, fields as JSON, path); read functions add the document's place in its file.
_Row = Tuple[str, str, Optional[str], Optional[str], str]
_ReadRow = Tuple[str, str, Optional[str], Optional[str], str, int]
# An input problem: (path, line, web-archive record offset, message).
_ProblemRow = Tuple[str, Optional[int], Optional[int], str]

def escaped(text: str) -> str: ...
def discover(paths: List[str], settings: str) -> Tuple[List[Tuple[str, str, str]], List[_ProblemRow]]: ...
def read_file(path: str, id: str, data: bytes, settings: str) -> Tuple[List[_ReadRow], List[_ProblemRow]]: ...
def read_lines(
    path: str, id: str, lines: List[Tuple[int, bytes]], settings: str
) -> Tuple[List[_ReadRow], List[_ProblemRow]]: ...
def exact_hashes(texts: List[str]) -> List[int]: ...

# Page furniture (``boilerplate``): each line of a document with a URL as (site-and-line key, page address),
# the lines on FURNITURE_PAGES addresses of a site or more being furniture, and texts with them made spaces.
FURNITURE_PAGES: int

def furniture_lines(documents: List[Tuple[str, Optional[str]]]) -> List[Tuple[int, int]]: ...
def strip_furniture(keys: List[int], settings: str, documents: List[Tuple[str, Optional[str]]]) -> List[str]: ...
def count(rows: List[_Row], settings: str) -> bytes: ...
def add_statistics(a: bytes, b: bytes) -> bytes: ...

@final
class Part:
    def __new__(cls, settings: str, statistics: bytes, documents: int) -> Part: ...
    def links(self, rows: List[_Row]) -> List[Tuple[str, int, List[Tuple[int, int]], str, bool]]: ...
    def judge(self, rows: List[_Row]) -> Tuple[List[Tuple[str, str, str]], List[Tuple[str, str]], str]: ...
    def proposer(self, table: int) -> Optional[str]: ...
    def summary_line(
        self,
        documents: int,
        skipped: int,
        problems: List[_ProblemRow],
        parts_stats: List[str],
        banded: List[str],
        furniture_lines: Optional[int],
    ) -> str: ...
