"""Named presets (region, governance, funding, facilitation) shipped as YAML with the package.

The same files are Hydra's config groups, so the CLI, the explorer and the notebooks share them.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import yaml

CONFIG_DIR = files("csei_sim") / "configs"
GROUPS = ("region", "governance", "funding", "facilitation")


def options(group: str) -> list[str]:
    """Names of the presets in a group."""
    if group not in GROUPS:
        raise KeyError(f"unknown preset group {group!r}; allowed: {', '.join(GROUPS)}")
    folder = CONFIG_DIR / group
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load(group: str, name: str) -> dict[str, Any]:
    """The values a preset sets within its group (comments, which give sources, are dropped)."""
    allowed = options(group)
    if name not in allowed:
        raise KeyError(f"unknown {group} preset {name!r}; allowed: {', '.join(allowed)}")
    data = yaml.safe_load((CONFIG_DIR / group / f"{name}.yaml").read_text()) or {}
    return {k: v for k, v in data.items() if not k.startswith("defaults")}


def compose(**choices: str) -> dict[str, Any]:
    """Nested parameters from one preset per group, e.g. ``compose(region="hamburg")``."""
    return {group: load(group, name) for group, name in choices.items()}
