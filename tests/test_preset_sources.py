"""Every preset number says where it comes from, and every quotation is really in the seed."""

import re
from pathlib import Path

import pytest
import yaml

from csei_sim.calibration.preset_ranges import KINDS, STRUCTURAL, parse_text
from csei_sim.presets import CONFIG_DIR, GROUPS

SEED = Path(__file__).parents[1] / "docs" / "source" / "resist-csei-piloting-summary.txt"
FILES = sorted(p for g in GROUPS for p in (Path(str(CONFIG_DIR)) / g).glob("*.yaml"))


def _normalise(text: str) -> str:
    text = text.replace("\u2011", "-").replace("\u2019", "'").replace("\u00a0", " ")
    return " ".join(text.split()).lower()


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_quotation_is_in_the_seed(path):
    seed = _normalise(SEED.read_text(encoding="utf-8"))
    # a quotation may run over several comment lines
    text = re.sub(r"\n\s*#\s*", " ", path.read_text(encoding="utf-8"))
    quotes = re.findall(r'"([^"]{6,})"', text)
    if path.parent.name == "region" and path.stem != "generic":  # torino: the seed names it a peer
        assert quotes, "a seed region preset quotes the seed"
    # an elided quotation ("a ... b") must match piece by piece
    missing = [
        q
        for q in quotes
        if not all(part.strip() in seed for part in re.split(r"\.\.\.|…", _normalise(q)))
    ]
    assert not missing, f"not in the seed: {missing}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_number_says_seed_or_assumption(path):
    values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key = line.split(":", 1)[0].strip()
        if key in values and isinstance(values[key], (int, float)) and not line.startswith("#"):
            assert re.search(r"#\s*(seed|source|assumption)", line), f"{path.name}: {line}"


REGIONS = sorted((Path(str(CONFIG_DIR)) / "region").glob("*.yaml"))


@pytest.mark.parametrize("path", REGIONS, ids=lambda p: p.stem)
def test_every_structural_number_has_an_origin_and_a_range_around_it(path):
    values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    stated = parse_text(path.read_text(encoding="utf-8"))
    for key in STRUCTURAL["region"]:
        if key not in values:
            continue  # the schema default, documented in params.py
        entry = stated[key]
        assert entry.kind in KINDS, f"{path.name}: {key} names no seed, source or assumption"
        assert entry.lo is not None, f"{path.name}: {key} has no [lo, hi] range"
        assert entry.contains_value(), f"{path.name}: {key}={entry.value} outside its range"


def test_a_cited_source_is_named_beside_its_range():
    for path in REGIONS:
        for entry in parse_text(path.read_text(encoding="utf-8")).values():
            if entry.kind == "source":
                reason = entry.comment.split("]:", 1)[1]
                # a source is named by its publisher or site, not left as "a source"
                assert re.search(r"[A-Z][a-z]+ [A-Z]|\.\w{2,3}\b", reason), entry


def test_range_parser_reads_kinds_months_and_missing_ranges():
    text = (
        "a: 3 # seed [2, 5]: quoted\n"
        "b: 2025-01 # source [2024-02, 2025-03]: Publisher, Title\n"
        "c: 0.5 # assumption: no range\n"
        "name: x\n"
    )
    got = parse_text(text)
    assert (got["a"].kind, got["a"].lo, got["a"].hi) == ("seed", 2.0, 5.0)
    assert got["b"].contains_value() and got["b"].lo == "2024-02"
    assert got["c"].lo is None and not got["c"].contains_value()
    assert "name" not in got
