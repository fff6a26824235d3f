"""The package's type hints hold: mypy checks the installed package, and its stub of the extension module
matches the module (stubtest), so an editor's or a type checker's view of the API is the API's."""

import importlib.util
import subprocess
import sys

import pytest


def run(tmp_path, *args):
    # From a folder outside the repository, so that the installed package is the one checked.
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=tmp_path)


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (.ci/run installs it)")
def test_the_package_type_checks_and_its_stub_matches_the_extension(tmp_path):
    checked = run(tmp_path, "mypy", "--no-incremental", "-p", "unspun")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    stub = run(tmp_path, "mypy.stubtest", "unspun._native")
    assert stub.returncode == 0, stub.stdout + stub.stderr


USE = '''
import unspun

report: unspun.Report = unspun.scan(["a text", ("an-id", "a text"), {"id": "x", "text": "a text"}])
pair: unspun.Pair = unspun.compare("one text", ("b", "another"))
signatures = unspun.Signer(views=["words"]).sign(["a text"], "words")
from_bytes: unspun.Report = unspun.scan_paths(b"corpus")
'''

# What a notebook passes: a DataFrame, or its rows (checked where pandas' own stubs are installed).
USE_PANDAS = '''
import pandas as pd
import unspun

frame = pd.DataFrame({"id": ["a"], "text": ["some words"]})
unspun.scan(frame)
unspun.scan([row for _, row in frame.iterrows()])
unspun.scan(frame.to_dict("records"))
'''


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (.ci/run installs it)")
def test_documented_uses_type_check(tmp_path):
    uses = USE + (USE_PANDAS if _has_pandas_stubs() else "")
    (tmp_path / "use.py").write_text(uses)
    checked = run(tmp_path, "mypy", "--no-incremental", "use.py")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _has_pandas_stubs():
    import importlib.metadata

    try:
        importlib.metadata.version("pandas-stubs")
        return True
    except importlib.metadata.PackageNotFoundError:
        return False
