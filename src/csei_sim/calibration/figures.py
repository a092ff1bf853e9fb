"""Figures of a calibration: marginal and pairwise posteriors, and the predictive check."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from csei_sim.calibration.cases import Case  # noqa: E402
from csei_sim.run import atomic_write  # noqa: E402


def _save(fig, path: Path) -> None:
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png"))
    plt.close(fig)


def marginals(case: Case, posterior: pd.DataFrame, path: Path) -> None:
    """One histogram per free parameter, weighted, over its prior range."""
    n = len(case.priors)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 2.6), squeeze=False)
    for ax, prior in zip(axes[0], case.priors, strict=True):
        ax.hist(
            posterior[prior.key],
            bins=20,
            range=(prior.lo, prior.hi),
            weights=posterior["weight"],
            color="tab:blue",
            alpha=0.8,
        )
        ax.set_xlabel(prior.key)
        ax.set_yticks([])
    axes[0][0].set_ylabel("posterior weight")
    fig.suptitle(f"{case.name}: marginal posteriors (x axis: prior range)")
    _save(fig, path)


def pairwise(case: Case, posterior: pd.DataFrame, path: Path) -> None:
    """Scatter of each pair of free parameters, point size by weight."""
    keys = [p.key for p in case.priors]
    n = len(keys)
    fig, axes = plt.subplots(n, n, figsize=(2.4 * n, 2.4 * n), squeeze=False)
    size = 200 * posterior["weight"] / posterior["weight"].max()
    for i, yk in enumerate(keys):
        for j, xk in enumerate(keys):
            ax = axes[i][j]
            if i == j:
                ax.hist(posterior[xk], bins=15, weights=posterior["weight"], color="tab:blue")
                ax.set_yticks([])
            else:
                ax.scatter(posterior[xk], posterior[yk], s=size, alpha=0.5, color="tab:blue")
            if i == n - 1:
                ax.set_xlabel(xk, fontsize=8)
            if j == 0 and i != j:
                ax.set_ylabel(yk, fontsize=8)
    fig.suptitle(f"{case.name}: pairwise posteriors")
    _save(fig, path)


def predictive_check(case: Case, table: pd.DataFrame, path: Path, title: str) -> None:
    """Observed ranges against the 50% and 90% predictive bands, month by month."""
    x = pd.to_datetime(table["date"])
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    # bars, not areas: observations are months apart and may be a single month
    ax.vlines(
        x, table["lo90"], table["hi90"], lw=12, color="tab:blue", alpha=0.25, label="90% band"
    )
    ax.vlines(
        x, table["lo50"], table["hi50"], lw=12, color="tab:blue", alpha=0.55, label="50% band"
    )
    ax.plot(x, table["median"], color="tab:blue", marker="_", ms=14, lw=0.8, label="median")
    fit = table["use"] == "fit"
    for mask, colour, label in ((fit, "black", "observed (fitted)"), (~fit, "tab:red", "checked")):
        if mask.any():
            mid = (table.loc[mask, "observed_lo"] + table.loc[mask, "observed_hi"]) / 2
            err = np.vstack(
                [mid - table.loc[mask, "observed_lo"], table.loc[mask, "observed_hi"] - mid]
            )
            ax.errorbar(x[mask], mid, yerr=err, fmt="o", color=colour, capsize=4, label=label)
    ax.set_ylabel("members")
    ax.set_title(f"{case.name}: {title}")
    fig.autofmt_xdate()
    ax.legend(fontsize=8)
    _save(fig, path)
