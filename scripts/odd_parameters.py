"""Regenerate the tables of docs/ODD.md that are read from the code.

Each table sits between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` and is rebuilt from the
live package, so the documentation cannot drift from the code:

- ``parameters``: every field of the parameter dataclasses (csei_sim.params);
- ``sectors``: the sector defaults of the agent classes (csei_sim.agents);
- ``constants``: the module-level numeric constants of the model (their values are read from the
  modules; their meaning and source are written below, in ``CONSTANTS``);
- ``archetypes``: the named radar profiles (csei_sim.metrics.ARCHETYPES);
- ``preset_ranges``: each structural number of each region preset with its origin (seed, source
  or assumption) and its plausible range, read from the presets' comments
  (csei_sim.calibration.preset_ranges); the ranges are the calibration priors' defaults.

Usage: ``python scripts/odd_parameters.py`` rewrites docs/ODD.md; ``--check`` only reports whether
it is up to date (exit status 1 when not).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from csei_sim import agents, metrics, params

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
PACKAGE = ROOT / "src" / "csei_sim"

# Module-level numeric constants of the model: (module, name) -> (meaning, source).
CONSTANTS: dict[tuple[str, str], tuple[str, str]] = {
    ("population", "VISION_DIMS"): ("Dimensions of a vision vector.", "assumption"),
    ("population", "_SECTOR_DIRECTIONS"): (
        "Unit directions (rows: municipality, NGO, firm, university) along which each sector's "
        "mean vision is offset by `sector_vision_gap`.",
        "assumption (seed, Kurzeme: “differing visions among stakeholders”)",
    ),
    ("network", "LOCAL_SHARE"): (
        "Share of prior ties inside an organisation's local community (pools larger than "
        "`community_size`).",
        "assumption (clustered local cooperation: Watts & Strogatz 1998)",
    ),
    ("facilitation", "NEW_TIE_TRUST"): (
        "Trust on a tie created when two organisations first meet (event or project).",
        "assumption",
    ),
    ("facilitation", "MISSION_HALF_HOURS"): (
        "Effective mission hours per month at which the mission pull is half its maximum.",
        "assumption",
    ),
    ("facilitation", "CONSENSUS_SCALE"): (
        "Mean member distance to the mission at which goal consensus is 1/e.",
        "assumption",
    ),
    ("facilitation", "TIE_SCALE"): (
        "Vision distance at which two event participants become acquainted with 1/e of "
        "`event_tie_chance`.",
        "assumption (homophily: McPherson, Smith-Lovin & Cook 2001)",
    ),
    ("facilitation", "OPEN_CALL"): (
        "Invitation weight (in trust units) of an aware organisation no member knows.",
        "assumption",
    ),
    ("facilitation", "INTRODUCTIONS"): (
        "Members a consultation introduces an aware organisation to (the closest in vision).",
        "assumption (seed, Kurzeme: bilateral consultations “identify synergies”)",
    ),
    ("model", "FTE_HOURS"): ("Working hours per month of one full-time position.", "assumption"),
    ("facilitation", "EVENT_COMMITMENT"): (
        "Share of missing commitment a member gains per dialogue event hosted.",
        "assumption (Ansell & Gash 2008: dialogue → commitment)",
    ),
    ("collaboration", "W_TRUST"): ("Weight of tie trust in the success chance.", "assumption"),
    ("collaboration", "W_VISION"): (
        "Weight of vision similarity (centred at 0.75) in the success chance.",
        "assumption",
    ),
    ("collaboration", "W_CONSENSUS"): (
        "Weight of goal consensus in the success chance.",
        "assumption",
    ),
    ("collaboration", "W_CROSS"): (
        "Success penalty of a cross-sector pair.",
        "assumption (Cowan, Jonard & Zimmermann 2004: strangers riskier)",
    ),
    ("collaboration", "W_STRAIN"): (
        "Success penalty per unit of coordination strain.",
        "assumption (Provan & Kenis 2008)",
    ),
    ("collaboration", "PILOT_CROSS"): (
        "Pilot chance of a cross-sector success, relative to `pilot_share`.",
        "assumption (complementary partners pay more: SKIN; Cowan et al.)",
    ),
    ("collaboration", "PILOT_SAME"): (
        "Pilot chance of a same-sector success, relative to `pilot_share`.",
        "assumption",
    ),
    ("collaboration", "COMMITMENT_GAIN"): (
        "Share of missing commitment each partner gains from a successful project.",
        "assumption (Ansell & Gash 2008: small wins)",
    ),
    ("decisions", "CONTACT_SCALE"): (
        "Members of other sectors at which the contacts value is 1 − 1/e.",
        "assumption",
    ),
    ("decisions", "FUNDING_SCALE"): (
        "External EUR per member per month at which the funding value is 1 − 1/e.",
        "assumption",
    ),
    ("decisions", "VISIBILITY_WEIGHT"): (
        "Weight of pilot visibility in the value seen by non-members.",
        "assumption (seed: “starting with concrete pilots …”)",
    ),
    ("decisions", "PILOT_REFERENCE"): (
        "Pilots within the visibility window at which visibility is full.",
        "assumption",
    ),
    ("decisions", "PILOT_WINDOW"): (
        "Months over which a pilot stays visible to non-members.",
        "assumption",
    ),
    ("decisions", "ALIGNMENT_SCALE"): (
        "Vision distance to the mission at which alignment is 1/e.",
        "assumption",
    ),
    ("decisions", "SOCIAL_WEIGHT"): (
        "Weight of the trust-weighted share of contacts already in, as value.",
        "assumption (Klos & Nooteboom 2001: trust weighed against profit)",
    ),
    ("funding", "FEE_HORIZON"): (
        "Months for which fee income counts as guaranteed (fees renewed yearly).",
        "assumption",
    ),
    ("metrics", "SURVIVAL_LAG"): (
        "Months after the last month of the committed grant at which survival is measured.",
        "assumption",
    ),
    ("observe", "ROLE_WINDOW"): (
        "Months within which a successful joint project counts as an active role.",
        "assumption",
    ),
    ("model", "SERVICE_MEMORY"): (
        "Share of last month's service level that carries over.",
        "assumption",
    ),
    ("model", "SERVICE_SHARE"): (
        "Largest share of the remaining balance spent on services in a month.",
        "assumption",
    ),
    ("model", "OFFICE_SERVICE"): (
        "Service level a fully paid office adds.",
        "assumption (Provan & Kenis 2008: network-level competencies)",
    ),
    ("model", "COMMITMENT_DECAY"): (
        "Monthly share of commitment lost by every organisation.",
        "assumption",
    ),
    ("model", "CORE_TRUST_BONUS"): (
        "Extra trust on ties among the engaged core at the start.",
        "assumption",
    ),
    ("model", "CORE_COMMITMENT"): (
        "Commitment of the engaged core at the start.",
        "assumption (seed: “four or five engaged actors”)",
    ),
    ("facilitation", "MISSION_CONSENSUS"): (
        "Goal consensus at or above which mission work binds members close to the mission; below "
        "it, it costs members far from it.",
        "assumption (Mazzucato 2018: missions need broad agreement)",
    ),
    ("recruiting", "RECRUIT_HALF_HOURS"): (
        "Effective facilitation hours per month at which facilitation's support of members' "
        "recruiting is half its maximum.",
        "assumption",
    ),
    ("governance", "OFFICE_PAID_MIN"): (
        "Share of `office_cost` an operating office must be paid in a month for the month to "
        "count as paid (unpaid months lead to closure).",
        "assumption",
    ),
}
CONSTANT_MODULES = (
    "population",
    "facilitation",
    "recruiting",
    "governance",
    "collaboration",
    "decisions",
    "funding",
    "metrics",
    "observe",
    "model",
)


def fmt(value: object) -> str:
    """A number or value as the tables show it."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:g}"
    if isinstance(value, np.ndarray):
        return str(np.round(value, 3).tolist())
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    return str(value)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]
    return "\n".join(lines)


def _allowed(kind: type, meta: dict) -> str:
    if meta.get("choices"):
        return ", ".join(f"`{c}`" for c in meta["choices"])
    if meta.get("doc", "").endswith("(YYYY-MM)."):
        return "a month, YYYY-MM"
    if meta.get("lo") is not None:
        lo, hi = (kind(meta[k]) for k in ("lo", "hi"))
        return f"[{fmt(lo)}, {fmt(hi)}]"
    return "any text"


def parameter_rows() -> list[list[str]]:
    """One row per parameter: group, name, type, default, allowed values, meaning."""
    groups = [("run", params.Params), *params._GROUPS.items()]
    rows = []
    for group, cls in groups:
        default = cls()
        for name, (kind, meta) in params.field_specs(cls).items():
            if name in params._GROUPS:
                continue
            value = getattr(default, name)
            rows.append(
                [
                    group,
                    f"`{name}`",
                    kind.__name__,
                    f"`{value}`" if isinstance(value, str) else fmt(value),
                    _allowed(kind, meta),
                    meta.get("doc", ""),
                ]
            )
    return rows


def parameter_table() -> str:
    header = ["group", "name", "type", "default", "range or choices", "meaning (unit)"]
    return _table(header, parameter_rows())


def sector_table() -> str:
    header = ["class", "sector", "capacity_mean", "values: contacts, services, funding, mission"]
    header += ["cost_sensitivity", "inertia"]
    rows = [
        [
            f"`{cls.__name__}`",
            cls.sector,
            fmt(cls.capacity_mean),
            fmt(tuple(cls.values)),
            fmt(cls.cost_sensitivity),
            fmt(cls.inertia),
        ]
        for cls in agents.SECTOR_CLASSES
    ]
    return _table(header, rows)


def numeric_constants(module: str) -> list[str]:
    """Names of module-level constants (upper case) whose values are numbers or number arrays."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    mod = importlib.import_module(f"csei_sim.{module}")
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            elts = target.elts if isinstance(target, ast.Tuple) else [target]
            for elt in elts:
                if isinstance(elt, ast.Name) and elt.id.lstrip("_").isupper():
                    value = getattr(mod, elt.id)
                    if isinstance(value, np.ndarray) or (
                        isinstance(value, (int, float)) and not isinstance(value, bool)
                    ):
                        names.append(elt.id)
    return names


def undocumented_constants() -> list[str]:
    """Numeric constants in the model's modules that ``CONSTANTS`` does not describe."""
    return [
        f"{module}.{name}"
        for module in CONSTANT_MODULES
        for name in numeric_constants(module)
        if (module, name) not in CONSTANTS
    ]


def constant_table() -> str:
    rows = []
    for (module, name), (meaning, source) in CONSTANTS.items():
        value = getattr(importlib.import_module(f"csei_sim.{module}"), name)
        path = f"src/csei_sim/{module}.py"
        rows.append([f"`{name}`", fmt(value), f"`{path}`", meaning, source])
    return _table(["name", "value", "file", "meaning", "source"], rows)


def archetype_table() -> str:
    header = ["archetype", *metrics.RADAR]
    rows = [[name, *(fmt(v) for v in profile)] for name, profile in metrics.ARCHETYPES.items()]
    return _table(header, rows)


def preset_range_table() -> str:
    from csei_sim import presets
    from csei_sim.calibration.preset_ranges import STRUCTURAL, stated

    rows = []
    for region in presets.options("region"):
        entries = stated("region", region)
        for key in STRUCTURAL["region"]:
            if key not in entries:
                continue
            e = entries[key]
            span = f"[{fmt(e.lo)}, {fmt(e.hi)}]" if e.lo is not None else "none"
            rows.append([region, f"`{key}`", fmt(e.value), e.kind or "none", span])
    return _table(["region", "name", "value", "origin", "range"], rows)


BLOCKS: dict[str, Callable[[], str]] = {
    "parameters": parameter_table,
    "sectors": sector_table,
    "constants": constant_table,
    "archetypes": archetype_table,
    "preset_ranges": preset_range_table,
}


def block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:begin -->\n)(.*?)(<!-- {name}:end -->)", re.DOTALL)


def render(text: str) -> str:
    """``text`` with every generated block rebuilt; a missing marker pair is an error."""
    for name, build in BLOCKS.items():
        pattern = block_pattern(name)
        if not pattern.search(text):
            raise ValueError(f"docs/ODD.md lacks the markers <!-- {name}:begin/end -->")
        text = pattern.sub(lambda m, b=build: m.group(1) + b() + "\n" + m.group(3), text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if out of date")
    args = parser.parse_args(argv)
    missing = undocumented_constants()
    if missing:
        print(f"describe these constants in CONSTANTS first: {', '.join(missing)}", file=sys.stderr)
        return 1
    text = ODD.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        if new != text:
            print(
                "docs/ODD.md is out of date: run python scripts/odd_parameters.py", file=sys.stderr
            )
            return 1
        return 0
    if new != text:
        tmp = ODD.with_suffix(".md.tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(ODD)  # atomic: never a half-written ODD.md
    return 0


if __name__ == "__main__":
    sys.exit(main())
