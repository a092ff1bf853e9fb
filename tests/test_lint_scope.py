"""`make lint` checks every folder that holds the project's Python code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> str:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("make") or not (ROOT / ".git").exists(), reason="make, git")
def test_make_lint_covers_every_folder_of_python_code():
    folders = {Path(p).parts[0] for p in run("git", "ls-files", "*.py").split() if "/" in p}
    # -n: print the commands only; the throwaway VENV keeps the real one untouched
    plan = run("make", "-n", "lint", "VENV=.venv-dry-run").splitlines()
    ruff = [set(line.split()) for line in plan if "/ruff " in line]
    assert len(ruff) == 2  # ruff check and ruff format --check
    assert {"src", "tests", "scripts", "benchmarks"} <= folders
    for command in ruff:
        assert folders <= command, sorted(folders - command)
