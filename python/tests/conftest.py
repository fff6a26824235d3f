"""Where the tests find the repository's seed articles, the news-scale collection and the command line."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
NEWS_SCALE = Path(os.environ.get("UNSPUN_NEWS_SCALE", REPO.parent / "shared/eval/news-scale/news-scale.jsonl.gz"))


@pytest.fixture(scope="session")
def seeds():
    """The five seed articles as (id, text), ids as `unspun scan corpus/docs` names them."""
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((CORPUS / "docs").glob("*.txt"))]


@pytest.fixture(scope="session")
def cli():
    """The command line built by `cargo test --release` (or UNSPUN_BIN)."""
    binary = Path(os.environ.get("UNSPUN_BIN", REPO / "target/release/unspun"))
    if not binary.exists():
        pytest.skip(f"no unspun binary at {binary}: run cargo build --release, or set UNSPUN_BIN")
    return binary
