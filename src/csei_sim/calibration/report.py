"""report.md of a calibration folder, rendered from a Jinja2 template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from csei_sim.calibration.cases import Case
from csei_sim.params import Params
from csei_sim.run import atomic_write

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("csei_sim.calibration", "templates"),
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order]) / np.sum(weights)
    return float(values[order][min(np.searchsorted(cum, q), len(values) - 1)])


def parameter_rows(case: Case, posterior: pd.DataFrame | None) -> list[dict[str, Any]]:
    rows = []
    for p in case.priors:
        row = {**p.__dict__, "median": None, "q05": None, "q95": None}
        if posterior is not None:
            v, w = posterior[p.key].to_numpy(float), posterior["weight"].to_numpy(float)
            row.update(
                median=weighted_quantile(v, w, 0.5),
                q05=weighted_quantile(v, w, 0.05),
                q95=weighted_quantile(v, w, 0.95),
            )
        rows.append(row)
    return rows


def _shown(case: Case) -> str:
    """The case file as a reader finds it: a shipped case by its package path, or as given."""
    from csei_sim.calibration.cases import CASE_DIR

    if case.path is None:
        return case.name
    try:
        shipped = Path(case.path).resolve().relative_to(CASE_DIR.resolve())
        return f"csei_sim/calibration/cases/{shipped}"
    except ValueError:
        return str(case.path)


def write(path: Path, case: Case, **context: Any) -> str:
    """Render the report into ``path``; returns the text."""
    diagnostics = context.pop("diagnostics", None)
    predictive = context.pop("predictive", None)
    validation = context.pop("validation", None)
    text = _ENV.get_template("report.md.j2").render(
        case=case,
        case_file=_shown(case),
        start=case.base.get("start", Params().start),
        parameters=parameter_rows(case, context.pop("posterior", None)),
        diagnostics=[] if diagnostics is None else diagnostics.to_dict("records"),
        predictive=None if predictive is None else predictive.to_dict("records"),
        validation=None if validation is None else validation.to_dict("records"),
        **{"spread": None, "validation_scores": None, **context},
    )
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return text
