"""docs/ODD.md keeps step with the code: tables are current, every parameter is described."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from csei_sim.params import all_keys

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
FIX = "run `python scripts/odd_parameters.py` to regenerate the tables of docs/ODD.md"


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "odd_parameters", ROOT / "scripts/odd_parameters.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return _load_script()


@pytest.fixture(scope="module")
def text() -> str:
    return ODD.read_text(encoding="utf-8")


def _block(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert match, f"docs/ODD.md lacks the {name} markers"
    return match.group(1)


def test_generated_tables_match_the_code(script, text):
    for name in script.BLOCKS:
        fresh = _block(script.render(text), name)
        assert _block(text, name) == fresh, f"the {name} table is out of date: {FIX}"


def test_parameter_table_lists_every_parameter_once(text):
    rows = [line for line in _block(text, "parameters").splitlines() if line.startswith("| ")]
    names = [re.search(r"`([^`]+)`", row.split("|")[2]).group(1) for row in rows[2:]]
    assert sorted(names) == sorted(all_keys()), FIX


def test_every_parameter_is_described_in_the_text(text):
    """Each parameter appears in the prose or an equation, not only in the generated table."""
    prose = text.replace(_block(text, "parameters"), "")
    equations = "\n".join(re.findall(r"```\n(.*?)```", prose, re.DOTALL))

    def described(key: str) -> bool:
        return f"`{key}`" in prose or re.search(rf"\b{key}\b", equations) is not None

    missing = [key for key in all_keys() if not described(key)]
    assert not missing, f"parameters not described in docs/ODD.md: {', '.join(missing)}"


def test_every_numeric_constant_has_a_meaning(script):
    missing = script.undocumented_constants()
    assert not missing, f"add these to CONSTANTS in scripts/odd_parameters.py: {missing}"


def test_render_rebuilds_a_stale_table(script, text):
    stale = text.replace(_block(text, "parameters"), "| old | table |\n")
    assert script.render(stale) == script.render(text)
    assert "`n_organisations`" in _block(script.render(stale), "parameters")


def test_check_mode_reports_a_stale_document(script, tmp_path, monkeypatch):
    stale = tmp_path / "ODD.md"
    text = ODD.read_text(encoding="utf-8")
    stale.write_text(text.replace(_block(text, "constants"), ""), encoding="utf-8")
    monkeypatch.setattr(script, "ODD", stale)
    assert script.main(["--check"]) == 1
    assert script.main([]) == 0
    assert script.main(["--check"]) == 0
