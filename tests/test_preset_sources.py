"""Every preset number says where it comes from, and every quotation is really in the seed."""

import re
from pathlib import Path

import pytest
import yaml

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
    if path.parent.name == "region" and path.stem != "generic":
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
            assert re.search(r"#\s*(seed|assumption)", line), f"{path.name}: {line}"
