"""The extension module over unspun's Rust library (python/src/lib.rs); use the ``unspun`` package instead."""

from typing import List, Optional, Tuple

__version__: str
FORMAT_VERSION: int

Record = Tuple[str, str, Optional[str], Optional[str]]

class InputError(ValueError):
    """Input that cannot be read as articles (a damaged line with ``strict=True``, a folder without articles):
    ``path``, ``line`` and ``offset`` (a web-archive record's byte offset) say where, when known."""

    path: str
    line: Optional[int]
    offset: Optional[int]

def scan_documents(documents: List[Record], settings: str) -> str: ...
def scan_paths(paths: List[str], settings: str) -> str: ...
def compare(a: Record, b: Record, settings: str) -> str: ...

class Signer:
    def __init__(self, settings: str) -> None: ...
    def views(self) -> List[str]: ...
    def params(self, view: str) -> Tuple[int, int, int, float, int, int]: ...
    def sign(self, texts: List[str], view: str) -> bytes: ...
    def band_keys(self, signatures: bytes, view: str) -> bytes: ...
