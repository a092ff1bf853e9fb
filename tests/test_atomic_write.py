"""Files written through a temporary file get the mode the process's umask gives a plain file."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

WRITE = """
import os, sys
from pathlib import Path
os.umask(int(sys.argv[1], 8))
from csei_sim.run import atomic_write
atomic_write(Path(sys.argv[2]), lambda tmp: Path(tmp).write_text("x"))
Path(sys.argv[3]).write_text("x")
"""


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_atomic_write_respects_the_umask(tmp_path, umask):
    atomic, plain = tmp_path / "atomic.txt", tmp_path / "plain.txt"
    subprocess.run(
        [sys.executable, "-c", WRITE, oct(umask)[2:], str(atomic), str(plain)], check=True
    )
    mode = stat.S_IMODE(atomic.stat().st_mode)
    assert mode == 0o666 & ~umask == stat.S_IMODE(plain.stat().st_mode)
    assert atomic.read_text() == "x"
    assert not list(tmp_path.glob(".*.tmp"))
