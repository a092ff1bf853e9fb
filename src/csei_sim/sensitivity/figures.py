"""Report figures: Morris and Sobol bar charts with intervals, PRIM trade-off curves and boxes."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from csei_sim.experiment.figures import save  # noqa: E402
from csei_sim.sensitivity.outcomes import TITLES  # noqa: E402


def _panels(n: int, width: float = 12.0, height: float = 4.2):
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def morris_bars(indices: pd.DataFrame, path: Path, top: int = 15) -> Path:
    """mu* with its bootstrap 95% interval, the ``top`` factors of each outcome."""
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = _panels(len(outcomes), height=0.28 * top + 1.6)
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome].nsmallest(top, "rank")[::-1]
        y = np.arange(len(rows))
        # mu* >= 0: the interval (mu* -+ half-width) is cut at zero
        low = np.minimum(rows["mu_star_conf"], rows["mu_star"])
        err = np.vstack([low, rows["mu_star_conf"]])
        ax.barh(y, rows["mu_star"], xerr=err, color="#4c72b0", capsize=2)
        ax.plot(rows["sigma"], y, "o", color="#dd8452", ms=4, label="σ (interactions)")
        ax.set_yticks(y, rows["factor"], fontsize=8)
        ax.set_title(TITLES.get(outcome, outcome), fontsize=9)
        ax.set_xlabel("μ* (mean |elementary effect|), bars: 95% bootstrap interval", fontsize=8)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("Morris screening: the most influential factors per outcome")
    fig.tight_layout()
    return save(fig, path)


def sobol_bars(indices: pd.DataFrame, path: Path) -> Path:
    """First-order (S1) and total (ST) indices with bootstrap 95% intervals, per outcome."""
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = _panels(len(outcomes), height=4.0)
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome].sort_values("ST", ascending=False)
        x = np.arange(len(rows))
        for shift, key, colour in ((-0.2, "S1", "#4c72b0"), (0.2, "ST", "#c44e52")):
            err = np.vstack([rows[key] - rows[f"{key}_lo"], rows[f"{key}_hi"] - rows[key]])
            ax.bar(
                x + shift,
                rows[key],
                0.4,
                yerr=np.clip(err, 0, None),
                capsize=2,
                color=colour,
                label=key,
            )
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_xticks(x, rows["factor"], rotation=35, ha="right", fontsize=8)
        ax.set_title(TITLES.get(outcome, outcome), fontsize=9)
        ax.set_ylabel("share of variance", fontsize=8)
        ax.legend(fontsize=7)
    fig.suptitle("Sobol indices: first order (S1) and total (ST), 95% bootstrap intervals")
    fig.tight_layout()
    return save(fig, path)


def tradeoff(trajectory: pd.DataFrame, peeled: int, chosen: int, title: str, path: Path) -> Path:
    """PRIM's peeling trajectory (coverage against density, coloured by restricted dimensions),
    the box chosen on it and, if different, that box with insignificant restrictions dropped."""
    peel = trajectory[trajectory["kind"] == "peel"] if "kind" in trajectory else trajectory
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    dots = ax.scatter(
        peel["coverage"], peel["density"], c=peel["res_dim"], cmap="viridis", s=22, zorder=2
    )
    ax.plot(peel["coverage"], peel["density"], color="grey", lw=0.6, zorder=1)
    marks = [(peeled, "red", f"chosen on the curve (box {peeled})")]
    if chosen != peeled:
        marks.append((chosen, "black", "after dropping insignificant restrictions"))
    for i, colour, label in marks:
        row = trajectory.loc[i]
        ax.scatter(
            [row["coverage"]],
            [row["density"]],
            s=160,
            facecolors="none",
            edgecolors=colour,
            lw=1.8,
            zorder=3,
            label=label,
        )
    fig.colorbar(dots, ax=ax, label="restricted dimensions")
    ax.set_xlabel("coverage (share of all cases inside the box)")
    ax.set_ylabel("density (share of cases among points in the box)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def box_limits(limits: pd.DataFrame, title: str, path: Path) -> Path:
    """The chosen box: each restricted factor's kept range within its full range."""
    numeric = limits[pd.to_numeric(limits["full_low"], errors="coerce").notna()]
    other = limits.drop(index=numeric.index)
    n = max(len(limits), 1)
    fig, ax = plt.subplots(figsize=(7, 0.6 * n + 1.4))
    for y, (_name, row) in enumerate(numeric.iterrows()):
        span = float(row["full_high"]) - float(row["full_low"]) or 1.0
        lo = (float(row["low"]) - float(row["full_low"])) / span
        hi = (float(row["high"]) - float(row["full_low"])) / span
        ax.barh(y, 1, color="#dddddd")
        ax.barh(y, hi - lo, left=lo, color="#4c72b0")
        ax.text(
            1.02, y, f"{float(row['low']):.3g} – {float(row['high']):.3g}", va="center", fontsize=8
        )
    for k, (_name, row) in enumerate(other.iterrows()):
        y = len(numeric) + k
        ax.barh(y, 1, color="#dddddd")
        ax.text(0.02, y, f"only: {row['low']}", va="center", fontsize=8)
    ax.set_yticks(range(len(limits)), [*numeric.index, *other.index], fontsize=8)
    ax.set_xlim(0, 1.35)
    ax.set_xticks([0, 0.5, 1], ["low end", "middle", "high end"])
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return save(fig, path)
