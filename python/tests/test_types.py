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
