"""Reading and writing an analysis folder: settings, tables, all written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from csei_sim.run import atomic_write

SETTINGS = "settings.json"
KINDS = ("morris", "sobol", "prim")


def write_json(path: Path, data: dict[str, Any]) -> Path:
    text = json.dumps(data, indent=1, default=str)
    atomic_write(Path(path), lambda tmp: Path(tmp).write_text(text + "\n"))
    return Path(path)


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def write_csv(frame: pd.DataFrame, path: Path, index: bool = False) -> Path:
    atomic_write(Path(path), lambda tmp: frame.to_csv(tmp, index=index, float_format="%.6g"))
    return Path(path)


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    atomic_write(Path(path), lambda tmp: frame.to_parquet(tmp, index=True))
    return Path(path)


def settings(folder: Path) -> dict[str, Any] | None:
    """The settings of a finished analysis in ``folder``, or None when there is none."""
    path = Path(folder) / SETTINGS
    return read_json(path) if path.is_file() else None
