"""Robustness of study 1's headline: Sobol indices and PRIM boxes of informal minus formal.

The headline of study 1 is a paired difference: members under informal minus members under formal
governance, with the same seeds. Here that difference itself is the outcome, at design points that
vary the factors of :data:`SPEC` (``headline.yaml``: model parameters with their analysis ranges
from :mod:`csei_sim.sensitivity.factors`, and the funding condition as a categorical factor):

- ``sobol``: first- and total-order Sobol indices (SALib) of the difference; the funding condition
  enters the Saltelli design as a uniform index on [0, k) mapped to the k presets;
- ``prim``: PRIM scenario discovery (EMA Workbench) on a Latin hypercube, for two cases: informal
  ahead (difference > 0) and formal ahead (difference < 0), with the funding condition a
  categorical input.

Each writes to its folder ``settings.json``, ``factors.csv``, ``design.parquet``, ``runs.parquet``
and its results (``indices.csv``; ``cases.csv`` and ``<case>_box.csv``), and a short ``report.md``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined

from csei_sim import presets
from csei_sim.params import ParameterError, Params
from csei_sim.sensitivity import discovery, sobol
from csei_sim.sensitivity.evaluate import ModelRunner, _with
from csei_sim.sensitivity.factors import FactorSpace, base_params, settings_of
from csei_sim.sensitivity.store import write_csv, write_json, write_parquet
from csei_sim.sensitivity.studies import Common

SPEC = Path(__file__).with_name("headline.yaml")
MODES = ("informal", "formal")
OUTCOMES = {  # outcome -> its column in the runs table
    "members_2035": "members at the end of 2035",
    "members_end_2030": "members at the end of 2030",
    "joint_projects": "joint projects (cumulative)",
    "time_to_critical_mass": "months to critical mass (never = horizon + 1)",
}
FUNDING = "funding"  # the categorical factor's column
# sample sizes: small defaults (minutes on 2 cores), and the largest a command accepts
SOBOL_SAMPLES, SOBOL_MAX = 32, 1024
PRIM_SAMPLES, PRIM_MIN, PRIM_MAX = 200, 20, 5000
MAX_REPLICATES = 20


@dataclass(frozen=True)
class Spec:
    """What varies and what is compared (read from ``headline.yaml``)."""

    factors: tuple[str, ...]
    fundings: tuple[str, ...]
    outcomes: tuple[str, ...]

    @classmethod
    def load(cls, path: Path | str = SPEC) -> Spec:
        data = yaml.safe_load(Path(path).read_text()) or {}
        unknown = set(data) - {"factors", "fundings", "outcomes"}
        if unknown:
            raise ParameterError(
                str(path), f"unknown keys {sorted(unknown)}; allowed: factors, fundings, outcomes"
            )
        spec = cls(
            tuple(data.get("factors") or ()),
            tuple(data.get("fundings") or ()),
            tuple(data.get("outcomes") or ("members_2035",)),
        )
        spec.check()
        return spec

    def check(self) -> None:
        space = self.space()  # unknown factors name the allowed ones
        funding = [f.name for f in space.factors if f.group == "funding"]
        if funding:
            raise ParameterError(
                funding[0], "the funding condition is a factor; funding parameters cannot be"
            )
        if not self.fundings:
            raise ParameterError("fundings", "give at least one funding preset")
        for name in self.fundings:
            try:
                presets.load("funding", name)
            except KeyError as err:
                raise ParameterError("fundings", str(err.args[0])) from None
        for outcome in self.outcomes:
            if outcome not in OUTCOMES:
                raise ParameterError("outcomes", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")

    def space(self) -> FactorSpace:
        return FactorSpace.of(self.factors)


@dataclass(frozen=True)
class HeadlineSpace:
    """The numeric factors plus the funding condition (an index on [0, k) for Sobol)."""

    numeric: FactorSpace
    fundings: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [*self.numeric.names, FUNDING]

    def problem(self) -> dict[str, Any]:
        p = self.numeric.problem()
        bounds = [*p["bounds"], [0.0, float(len(self.fundings))]]
        return {"num_vars": p["num_vars"] + 1, "names": self.names, "bounds": bounds}

    def frame(self, x: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(np.asarray(x, dtype=float), columns=self.names)

    def funding_of(self, value: Any) -> str:
        """The preset of a design value: a name as it is, an index floored into range."""
        if isinstance(value, str):
            return value
        return self.fundings[min(len(self.fundings) - 1, max(0, math.floor(float(value))))]


@dataclass
class HeadlineRunner(ModelRunner):
    """Paired informal/formal runs; each point's base carries its funding preset."""

    fundings: tuple[str, ...] = ()
    choices: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._space = HeadlineSpace(self.space, self.fundings)
        self._bases = {
            f: base_params({**self.choices, "funding": f}, self.overrides) for f in self.fundings
        }

    def scenarios(self, design: pd.DataFrame) -> dict[str, tuple[int, str, Params]]:
        out = {}
        for point, row in design.iterrows():
            base = self._bases[self._space.funding_of(row[FUNDING])]
            params = self.space.apply(base, row)
            for variant, overrides in self.variants.items():
                out[f"p{int(point):05d}_{variant}"] = (
                    int(point),
                    variant,
                    _with(params, overrides),
                )
        return out


@dataclass(kw_only=True)
class Settings(Common):
    """One headline analysis: the settings every analysis shares, with the factor space taken
    from the spec (each funding condition's base is built by the runner from the presets)."""

    method: str  # sobol or prim
    spec: Spec
    samples: int
    base: Params = field(default_factory=Params)
    space: FactorSpace | None = None  # None: the spec's
    replicates: int = 1
    choices: dict[str, str] = field(default_factory=dict)  # presets other than funding
    overrides: dict[str, Any] = field(default_factory=dict)
    min_coverage: float = 0.5
    max_dims: int = 3
    alpha: float = 0.05

    def __post_init__(self) -> None:
        if self.space is None:
            self.space = self.spec.space()
        check_settings(self)


def check_settings(s: Settings) -> None:
    """Sample sizes and replicates inside their limits (one line naming the option)."""
    if s.method not in ("sobol", "prim"):
        raise ParameterError("method", f"{s.method!r} is not one of: sobol, prim")
    if s.method == "sobol" and not (
        2 <= s.samples <= SOBOL_MAX and s.samples & (s.samples - 1) == 0
    ):
        raise ParameterError("--samples", f"a power of 2 in [2, {SOBOL_MAX}], got {s.samples}")
    if s.method == "prim" and not PRIM_MIN <= s.samples <= PRIM_MAX:
        raise ParameterError("--samples", f"in [{PRIM_MIN}, {PRIM_MAX}], got {s.samples}")
    if not 1 <= s.replicates <= MAX_REPLICATES:
        raise ParameterError("--replicates", f"in [1, {MAX_REPLICATES}], got {s.replicates}")
    if s.n_jobs == 0 or s.n_jobs < -1:
        raise ParameterError("--n-jobs", f"must be positive (or -1), got {s.n_jobs}")
    if "funding" in s.choices:
        raise ParameterError("--preset", "funding is a factor here; list presets in the spec")


def design_of(s: Settings) -> pd.DataFrame:
    """Saltelli (sobol) or Latin hypercube (prim) points; the funding as an index or a name."""
    space = HeadlineSpace(s.space, s.spec.fundings)
    if s.method == "sobol":
        from SALib.sample import sobol as sobol_sample

        x = sobol_sample.sample(
            space.problem(), s.samples, calc_second_order=False, scramble=True, seed=s.seed
        )
        return space.frame(x)
    design = discovery.sample(s.space, s.samples, s.seed)
    rng = np.random.default_rng(s.seed + 1)
    # a balanced, shuffled assignment of the funding presets (a Latin stratum of its own)
    labels = np.resize(np.array(s.spec.fundings, dtype=object), s.samples)
    design[FUNDING] = rng.permutation(labels)
    return design


def differences(runs: pd.DataFrame, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """Informal minus formal of each outcome per point (means over replicates)."""
    means = runs.groupby(["point", "variant"])[list(outcomes)].mean()
    return means.xs("informal", level="variant") - means.xs("formal", level="variant")


def run(s: Settings) -> Path:
    """Design, paired runs, indices or boxes, files and report; returns the folder."""
    tic = time.perf_counter()
    space = s.space
    runner = HeadlineRunner(
        s.base,
        space,
        s.out,
        replicates=s.replicates,
        base_seed=s.base_seed,
        n_jobs=s.n_jobs,
        variants={m: {"governance_mode": m} for m in MODES},
        progress=s.progress,
        fundings=s.spec.fundings,
        choices=s.choices,
        overrides=s.overrides,
    )
    design = design_of(s)
    Path(s.out).mkdir(parents=True, exist_ok=True)
    write_csv(space.table(runner._bases[s.spec.fundings[0]]), s.out / "factors.csv")
    write_parquet(design, s.out / "design.parquet")
    runs = runner.runs(design)
    write_parquet(runs, s.out / "runs.parquet")
    diff = differences(runs, s.spec.outcomes).reindex(design.index)
    results = (
        sobol_results(s, design, diff) if s.method == "sobol" else prim_results(s, design, diff)
    )
    for name, frame in results.items():
        write_csv(frame, s.out / f"{name}.csv", index=name.endswith("_box"))
    record = {
        "kind": f"headline_{s.method}",
        "factors": list(s.spec.factors),
        "fundings": list(s.spec.fundings),
        "outcomes": list(s.spec.outcomes),
        "samples": s.samples,
        "points": len(design),
        "runs": len(runs),
        "replicates": s.replicates,
        "base_seed": s.base_seed,
        "seed": s.seed,
        "seconds": round(time.perf_counter() - tic, 1),
        "base": {"presets": s.choices, "set": s.overrides},
        "params": settings_of(runner._bases[s.spec.fundings[0]]),
    }
    write_json(s.out / "settings.json", record)
    write_report(s, diff, design, results)
    return s.out


def sobol_results(s: Settings, design: pd.DataFrame, diff: pd.DataFrame) -> dict[str, pd.DataFrame]:
    space = HeadlineSpace(s.space, s.spec.fundings)
    if diff.isna().any().any():
        raise ValueError("a difference is missing at some design point; Sobol needs all points")
    return {"indices": sobol.analyse(space, diff, seed=s.seed)}


CASES = {"informal_ahead": 1, "formal_ahead": -1}  # sign of informal minus formal


def prim_results(s: Settings, design: pd.DataFrame, diff: pd.DataFrame) -> dict[str, pd.DataFrame]:
    x = design.copy()
    x[FUNDING] = pd.Categorical(x[FUNDING], categories=list(s.spec.fundings))
    rule = discovery.Rule(s.min_coverage, s.max_dims, s.alpha)
    out, summary = {}, []
    for outcome in s.spec.outcomes:
        for case, sign in CASES.items():
            y = np.sign(diff[outcome].to_numpy(dtype=float)) == sign
            name = f"{outcome}_{case}"
            if y.sum() < 2 or (~y).sum() < 2:
                summary.append({"case": name, "points": len(y), "cases": int(y.sum())})
                continue
            found = discovery.find(name, x, y, rule=rule, seed=s.seed)
            out[f"{name}_box"] = found.limits
            summary.append(
                {"case": name, "points": found.n_points, "cases": found.n_cases, **found.stats}
            )
    return {"cases": pd.DataFrame(summary), **out}


ENV = Environment(
    loader=PackageLoader("csei_sim.sensitivity", "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def write_report(
    s: Settings, diff: pd.DataFrame, design: pd.DataFrame, results: dict[str, pd.DataFrame]
) -> Path:
    """``report.md``: what varied, the difference by funding condition, the indices or boxes."""
    space = HeadlineSpace(s.space, s.spec.fundings)
    funding = design[FUNDING].map(space.funding_of)
    by_funding = []
    for name in s.spec.fundings:
        d = diff[funding.to_numpy() == name]
        for outcome in s.spec.outcomes:
            values = d[outcome].dropna()
            by_funding.append(
                {
                    "funding": name,
                    "outcome": outcome,
                    "points": len(values),
                    "mean": float(values.mean()) if len(values) else float("nan"),
                    "informal ahead": float((values > 0).mean()) if len(values) else float("nan"),
                    "formal ahead": float((values < 0).mean()) if len(values) else float("nan"),
                }
            )
    text = ENV.get_template("headline_report.md.j2").render(
        s=s,
        labels=OUTCOMES,
        factors=s.space.table().to_markdown(index=False),
        by_funding=pd.DataFrame(by_funding).to_markdown(index=False, floatfmt=".3g"),
        tables={
            k: v.to_markdown(index=k.endswith("_box"), floatfmt=".3g") for k, v in results.items()
        },
    )
    path = Path(s.out) / "report.md"
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return path
