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


def framed_crawl(seeds):
    """The seeds each on a site of its own among nine made-up articles of that site, every page framed by
    its site's menu, notices and footer, as records with URLs (as a crawl's text extracts keep them)."""
    syllables = "ka lo mi ren tos va dur pe shi gan or bel nu tir sa quo fe lim dro wen ix za mor hul".split()
    state = [7]

    def draw():
        state[0] = (state[0] * 6364136223846793005 + 1442695040888963407) % 2**64
        return syllables[(state[0] >> 33) % len(syllables)]

    def filler():
        sentences = (" ".join("".join(draw() for _ in range(3)) for _ in range(14)) for _ in range(6))
        return " ".join(s.capitalize() + "." for s in sentences)

    def page(site, article):
        return (
            f"Home\nNews\nWorld\nBusiness\nSport\nContact us\n\n{article}\n\n"
            f"Sign up for the {site} daily briefing: the stories that matter, in your inbox every morning.\n"
            "We use cookies to give you the best experience on our website. By continuing to browse you agree "
            "to our use of cookies.\nShare this article: Facebook | Twitter | Email | Print\n"
            f"© 2025 {site} Media Group. All rights reserved."
        )

    records = []
    for (id, text), site in zip(seeds, ["Daily Harbour", "Metro Ledger", "Valley Post", "Coast Wire", "Plains"]):
        host = site.lower().replace(" ", "-")
        records.append({"id": id, "text": page(site, text), "url": f"https://www.{host}.example/{id}"})
        for k in range(9):
            records.append({"id": f"{host}-{k}", "text": page(site, filler()), "url": f"https://{host}.example/{k}"})
    return records

