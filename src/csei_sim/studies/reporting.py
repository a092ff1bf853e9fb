"""Shared pieces of the study reports: provenance, number formats, Markdown tables, writing."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from csei_sim.run import atomic_write

SOURCE = Path(__file__).resolve().parents[1]  # src/csei_sim


def package_version() -> str:
    try:
        return version("csei-sim")
    except PackageNotFoundError:
        from csei_sim import __version__

        return __version__


def git_revision(path: Path = SOURCE) -> str:
    """Short commit of the checkout, marked when the code behind the numbers has local changes.

    That code is the model's modules (those in a run's fingerprint), the configs, the sweep
    runner and the studies; edits elsewhere in the package do not change a report.
    """
    from csei_sim.experiment.runner import MODEL_MODULES

    watched = [f"{name}.py" for name in MODEL_MODULES] + ["configs", "experiment", "studies"]
    try:
        rev = _git(path, "rev-parse", "--short=12", "HEAD")
        dirty = _git(path, "status", "--porcelain", "--untracked-files=no", "--", *watched)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{rev} (with uncommitted changes to the model or the study code)" if dirty else rev


def _git(path: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(path), *args], capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.strip()


def provenance(command: str, runs: int, runs_dir: Path) -> list[str]:
    """The lines that say how to regenerate a report and from which code."""
    return [
        f"- Command: `{command}`",
        f"- Package: csei-sim {package_version()}, git revision {git_revision()}",
        f"- Runs: {runs} simulations, kept in `{runs_dir}` (not committed; the command resumes "
        "from there and skips runs that are complete)",
    ]


def num(value: float, digits: int = 3) -> str:
    """A number for a table: significant digits, thousands separators, '–' for missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def with_ci(mean: float, low: float, high: float, digits: int = 3) -> str:
    """``mean [low, high]``."""
    if np.isnan(low) or np.isnan(high):
        return num(mean, digits)
    return f"{num(mean, digits)} [{num(low, digits)}, {num(high, digits)}]"


def decimals(half_width: float) -> int:
    """Decimals that show an interval of this half-width to about two significant digits."""
    if not np.isfinite(half_width) or half_width <= 0:
        return 2
    return int(np.clip(1 - np.floor(np.log10(half_width)), 0, 4))


def signed(value: float, places: int = 2) -> str:
    if np.isnan(value):
        return "–"
    return f"{value:+,.{places}f}"


def effect_cell(row: pd.Series) -> str:
    """``+3.1 [+1.2, +5.0]; d +0.45`` for one comparison; marked when undecided, equivalent or
    identical; d is left out where it was dropped (a spread too small for it to mean much)."""
    return _effect(row, "identical runs", "; d {d}", " (undecided)", "")


def inline_effect(row: pd.Series) -> str:
    """``+3.1 [+1.2, +5.0]`` for running text, marked when the interval includes 0."""
    return _effect(row, "no difference (identical runs)", "", "", ", undecided")


def _effect(row: pd.Series, identical: str, d: str, after: str, inside: str) -> str:
    """The difference [interval] to about two significant digits of the interval's half-width;
    ``d`` formats the standardised difference, ``after``/``inside`` mark an undecided one."""
    if row["n"] < 2:
        return "–"
    if row["verdict"] == "identical":
        return identical
    places = decimals((row["diff_hi"] - row["diff_lo"]) / 2)
    bounds = ", ".join(signed(row[k], places) for k in ("diff_lo", "diff_hi"))
    verdict = row["verdict"]
    mark, note = (inside, after) if verdict == "undecided" else ("", "")
    if verdict == "equivalent":
        note = " (equivalent)"
    if d and bool(row.get("d_dropped", False)):
        d = ""  # the runs do not overlap: d measures their spread, not the effect
    d = d.format(d=signed(row["d"])) if d else ""
    return f"{signed(row['difference'], places)} [{bounds}{mark}]{d}{note}"


REGION_NAMES = {
    "agder": "Agder",
    "generic": "the generic region",
    "hamburg": "Hamburg",
    "kurzeme": "Kurzeme",
    "pomorskie": "Pomorskie",
    "vasterbotten": "Västerbotten",
    "voru": "Võru",
}


def region_name(preset: str) -> str:
    """A region preset's name for running text (tables keep the preset's file name)."""
    return REGION_NAMES.get(preset, preset)


def table(frame: pd.DataFrame) -> str:
    return frame.to_markdown(index=False)


def figure(path: str, caption: str) -> list[str]:
    return [f"![{caption}]({path})", "", f"*{caption}*", ""]


def bullet_list(items: Sequence[str]) -> list[str]:
    return [f"- {item}" for item in items]


def write_text(path: Path, lines: Sequence[str]) -> Path:
    text = "\n".join(lines).rstrip() + "\n"
    atomic_write(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return Path(path)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    atomic_write(Path(path), lambda tmp: frame.to_csv(tmp, index=False, float_format="%.6g"))
    return Path(path)
