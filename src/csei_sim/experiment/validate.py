"""Check a command line before anything runs or is written; say in one line what is wrong.

:func:`plan` composes every job's configuration exactly as Hydra will (the same config loader, the
same sweep expansion as Hydra's basic sweeper) and validates each through
:meth:`csei_sim.params.Params.from_dict`. Any fault becomes a :class:`ConfigError` whose message
names the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import typing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from hydra._internal.config_loader_impl import get_overrides_dirname
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import (
    ConfigAttributeError,
    ConfigKeyError,
    OmegaConfBaseException,
    ValidationError,
)

from csei_sim import limits
from csei_sim.experiment.blocks import BLOCK_SIZE_ALLOWED, blockable, check_block_size
from csei_sim.experiment.runner import RunSpec
from csei_sim.experiment.schema import RunConfig, dirname
from csei_sim.params import ParameterError, field_specs

SEED_KEYS = ("replicate", "seed")
DEFAULT_SUBDIR = "${csei.dirname:${hydra.job.override_dirname}}"
# Batches of jobs already checked in this process: `csei-sim` checks a sweep before Hydra starts,
# so the sweeper need not compose the same jobs again.
_checked: set[tuple] = set()
_planned: dict[tuple, list] = {}  # batch key -> its (folder, spec) per job, for resuming
# Jobs whose configuration names run folders otherwise than blocks assume (a config that drops
# `block` from hydra.job.config.override_dirname.exclude_keys): each stays a job of its own.
_unblockable: set[tuple[str, ...]] = set()


BLOCK_SET = (
    "block: set by the sweeper for the runs of one job, not by hand; choose the runs per job "
    "with hydra.sweeper.block_size=<n> (a whole number >= 1) or null for automatic"
)


class ConfigError(ValueError):
    """A configuration fault, described in one line."""


@dataclass
class Plan:
    """The runs a command line asks for: one folder and one validated spec per job."""

    multirun: bool
    sweep_dir: Path | None
    jobs: list[list[str]]
    run_dirs: list[Path]
    specs: list[RunSpec]


def expand_sweep(
    task_overrides: list[str], sweeper_params: dict[str, Any], config_loader: Any = None
) -> list[list[str]]:
    """Job override lists of a sweep, as Hydra's basic sweeper builds them."""
    arguments = [f"{k}={v}" for k, v in sweeper_params.items()] + list(task_overrides)
    parser = OverridesParser.create(config_loader=config_loader)
    parsed = parser.parse_overrides(arguments)
    try:  # counted before the job lists are built: range(0,100000000) would fill the memory
        limits.check_runs("sweep", sweep_size(parsed), limits.MAX_SWEEP_RUNS)
    except ParameterError as err:
        raise ConfigError(f"{err}; split it into several studies") from None
    batches = BasicSweeper.split_arguments(parsed, None)
    return [tidy_job(job) for batch in batches for job in batch]


FLOAT = re.compile(r"^-?\d+\.\d{12,}$")  # a float with the digits of binary rounding


def tidy_job(job: list[str] | tuple[str, ...]) -> list[str]:
    """A job's overrides with float noise of a ``range`` removed (0.30000000000000004 -> 0.3),
    so that folder names and values are the ones meant. Other overrides stay as they are."""
    out = []
    for line in job:
        key, sep, value = line.partition("=")
        if sep and FLOAT.match(value):
            tidy = repr(round(float(value), 10))
            if len(tidy) < len(value):
                line = f"{key}={tidy}"
        out.append(line)
    return out


def sweep_size(parsed: list[Any]) -> int:
    """Runs the parsed overrides of a sweep ask for, without listing them: the product of the
    number of values of each sweep (a ``glob`` of options counts as one value per option, at
    most a few)."""
    from hydra.core.override_parser.types import ChoiceSweep, RangeSweep

    size = 1
    for override in parsed:
        if not override.is_sweep_override():
            continue
        value = override.value()
        if isinstance(value, ChoiceSweep):
            size *= len(value.list)
        elif isinstance(value, RangeSweep):
            size *= _range_length(value.start, value.stop, value.step)
    return size


def _range_length(start: Any, stop: Any, step: Any) -> int:
    if not step:
        return 0
    span = (stop - start) / step
    return max(0, math.ceil(span)) if math.isfinite(span) else limits.MAX_SWEEP_RUNS + 1


def plan(loader: Any, overrides: list[str], multirun: bool, config_name: str = "config") -> Plan:
    """Compose and validate every job; raise :class:`ConfigError` on the first fault."""
    from csei_sim.experiment import guard  # it imports ConfigError from here

    try:
        if not multirun:
            cfg = loader.load_configuration(config_name, list(overrides), RunMode.RUN)
            if cfg.hydra.mode == RunMode.MULTIRUN:  # e.g. experiment=informal_vs_formal
                return plan(loader, overrides, True, config_name)
            guard.check_config(cfg)
            spec = check(cfg)
            run_dir = Path(str(cfg.hydra.run.dir))
            guard.check_writable(run_dir, "hydra.run.dir")
            return Plan(False, None, [list(overrides)], [run_dir], [spec])
        primary = loader.load_configuration(config_name, list(overrides), RunMode.MULTIRUN)
        guard.check_config(primary)
        check_block_size(primary.hydra.sweeper.get("block_size"))
        jobs = expand_sweep(
            list(primary.hydra.overrides.task),
            dict(primary.hydra.sweeper.get("params") or {}),
            loader,
        )
        if not jobs:
            raise ConfigError(
                "sweep: the command asks for no runs; a sweep value is empty (e.g. range(0))"
            )
        sweep_dir = Path(str(primary.hydra.sweep.dir))
        from csei_sim.experiment.resume import check_study_folder, swept_keys

        sweeper_params = dict(primary.hydra.sweeper.get("params") or {})
        keys = swept_keys(list(primary.hydra.overrides.task), sweeper_params)
        check_study_folder(sweep_dir, keys)
        planned = plan_jobs(loader, primary, jobs, sweep_dir)
    except ConfigError:
        raise
    except (HydraException, OmegaConfBaseException, ParameterError) as err:
        raise ConfigError(explain(err, loader)) from err
    dirs = [path for path, _ in planned]
    _check_unique(jobs, dirs)
    guard.check_writable(sweep_dir, "hydra.sweep.dir")
    for path in dirs:
        guard.check_writable(path, "hydra.sweep.subdir")
    _checked.add(_batch_key(sweep_dir, jobs))
    _planned[_batch_key(sweep_dir, jobs)] = planned
    return Plan(True, sweep_dir, jobs, dirs, [spec for _, spec in planned])


def _batch_key(sweep_dir: Path, jobs: list[list[str]]) -> tuple:
    return (str(sweep_dir), tuple(tuple(job) for job in jobs))


def already_checked(sweep_dir: Path, jobs: list[list[str]]) -> bool:
    """True when :func:`plan` or :func:`check_batch` checked exactly these jobs of this sweep."""
    return _batch_key(sweep_dir, jobs) in _checked


def check_batch(
    loader: Any, primary: DictConfig, jobs: list[list[str]], sweep_dir: Path
) -> list[tuple[Path, RunSpec]]:
    """Check a batch as :func:`plan_jobs` does, once per process: folder and spec of each job."""
    key = _batch_key(sweep_dir, jobs)
    if key not in _planned:
        _planned[key] = plan_jobs(loader, primary, jobs, sweep_dir)
        _checked.add(key)
    return _planned[key]


def unblockable(job: list[str]) -> bool:
    """True when a checked job must not share a Hydra job with others (see ``_unblockable``)."""
    return tuple(job) in _unblockable


def plan_jobs(
    loader: Any, primary: DictConfig, jobs: list[list[str]], sweep_dir: Path
) -> list[tuple[Path, RunSpec]]:
    """Folder and spec of each job. Composing takes Hydra a good fraction of a second, so jobs
    that differ only in ``replicate`` or ``seed`` share one composition: those two keys change no
    parameter, only the seed and Hydra's folder name, which are computed as Hydra computes them."""
    parser = OverridesParser.create(config_loader=loader)
    fast = OmegaConf.to_container(primary.hydra.sweep)["subdir"] == DEFAULT_SUBDIR
    composed: dict[tuple[str, ...], tuple[DictConfig, RunSpec]] = {}
    out = []
    for job in jobs:
        parsed = parser.parse_overrides(job)
        key = tuple(o.input_line for o in parsed if o.key_or_group not in SEED_KEYS)
        if not fast or key not in composed:
            cfg = loader.load_sweep_config(primary, job)
            out.append(_job(cfg, sweep_dir))
            composed[key] = (cfg, out[-1][1])
            if not blockable(cfg.hydra):  # a config of the job changed how folders are named
                _unblockable.add(tuple(job))
            continue
        cfg, spec = composed[key]
        if not blockable(cfg.hydra):
            _unblockable.add(tuple(job))
        seeds = {o.key_or_group: _int_value(o) for o in parsed if o.key_or_group in SEED_KEYS}
        spec = replace(
            spec,
            base_seed=seeds.get("seed", spec.base_seed),
            replicate=seeds.get("replicate", spec.replicate),
        )
        sep = cfg.hydra.job.config.override_dirname
        name = get_overrides_dirname(
            [o for o in parsed if not o.is_hydra_override()],
            list(sep.exclude_keys),
            sep.item_sep,
            sep.kv_sep,
        )
        out.append((sweep_dir / dirname(name), spec))
    return out


def _int_value(override: Any) -> int:
    value = override.value()
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{override.key_or_group}: expected an integer, got {value!r}")
    return value


def _job(cfg: DictConfig, sweep_dir: Path) -> tuple[Path, RunSpec]:
    from csei_sim.experiment import guard

    guard.check_config(cfg)
    spec = check(cfg)
    job_sweep_dir = Path(str(cfg.hydra.sweep.dir))
    if job_sweep_dir != sweep_dir:
        raise ConfigError(
            f"study: every run of a sweep must share one study folder; "
            f"{job_sweep_dir} differs from {sweep_dir} (set study=<name>)"
        )
    return sweep_dir / str(cfg.hydra.sweep.subdir), spec


def _check_unique(jobs: list[list[str]], dirs: list[Path]) -> None:
    seen: dict[Path, list[str]] = {}
    for job, path in zip(jobs, dirs, strict=True):
        if path in seen:
            raise ConfigError(
                f"sweep: runs {' '.join(seen[path])} and {' '.join(job)} would share "
                f"the folder {path}; list each value once"
            )
        seen[path] = job


def check(cfg: DictConfig) -> RunSpec:
    """Validate one composed config through the parameter schema's ranges and rules."""
    if cfg.get("block") is not None:
        raise ConfigError(BLOCK_SET)
    keys = [k for k in cfg if k != "hydra"]
    return RunSpec.from_config(
        OmegaConf.to_container(OmegaConf.masked_copy(cfg, keys), resolve=True)
    )


# -- one-line messages ------------------------------------------------------------------------


def explain(err: BaseException, loader: Any = None) -> str:
    """One line naming the faulty key, the value and what is allowed."""
    if isinstance(err, ParameterError):
        return str(err)
    if isinstance(err, MissingConfigException):
        return _missing_option(err, loader)
    if isinstance(err, OverrideParseException):
        return f"{err.override}: cannot read this override ({_first_line(err.message)})"
    cause = _innermost(err)
    where = re.match(r"In '([^']+)'", str(err))  # the config file that failed to merge
    prefix = f"in {where.group(1)}.yaml: " if where else ""
    if isinstance(cause, ConfigKeyError | ConfigAttributeError):
        return prefix + _unknown_key(cause)
    if isinstance(cause, ValidationError):
        return prefix + _wrong_type(cause)
    if isinstance(cause, yaml.MarkedYAMLError) and cause.problem_mark is not None:
        mark = cause.problem_mark
        return f"{mark.name}: line {mark.line + 1}: broken YAML ({cause.problem})"
    return _first_line(str(cause) or str(err))


def _innermost(err: BaseException) -> BaseException:
    while isinstance(err, HydraException) and (err.__cause__ or err.__context__) is not None:
        err = err.__cause__ or err.__context__
    return err


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "invalid configuration"


def _missing_option(err: MissingConfigException, loader: Any) -> str:
    missing = err.missing_cfg_file or ""
    if "/" not in missing:
        return _first_line(str(err))
    group, _, name = missing.rpartition("/")
    options = list(err.options or [])
    if not options and loader is not None:
        options = loader.get_group_options(group)
    hint = _close(name, options)
    return f"{group}={name}: unknown option{hint}; allowed: {', '.join(sorted(options))}"


def _close(word: str, allowed: list[str]) -> str:
    match = difflib.get_close_matches(word, allowed, n=1)
    return f" (did you mean {match[0]}?)" if match else ""


def _schema_of(full_key: str) -> tuple[type | None, str]:
    """The dataclass that holds ``full_key`` and the field name within it."""
    parts = [p for p in str(full_key).split(".") if p]
    cls: type | None = RunConfig
    for part in parts[:-1]:
        fields = {f.name: f for f in dataclasses.fields(cls)} if cls else {}
        sub = fields.get(part)
        cls = sub.default_factory if sub is not None and callable(sub.default_factory) else None
    return cls, parts[-1] if parts else ""


def _unknown_key(err: ConfigKeyError | ConfigAttributeError) -> str:
    full_key = str(getattr(err, "full_key", "") or "")
    cls, name = _schema_of(full_key)
    if cls is None or not dataclasses.is_dataclass(cls):
        return f"{full_key or name}: unknown key"
    allowed = [f.name for f in dataclasses.fields(cls)]
    hint = _group_hint(cls, name) or _close(name, allowed)
    return f"{full_key}: unknown key{hint}; allowed: {', '.join(allowed)}"


def _group_hint(cls: type, name: str) -> str:
    """`` (did you mean region.initial_trust?)`` when a flat key names a parameter of a group."""
    found = []
    for group in dataclasses.fields(cls):
        sub = group.default_factory if callable(group.default_factory) else None
        if sub is None or not dataclasses.is_dataclass(sub):
            continue
        fields = [f.name for f in dataclasses.fields(sub)]
        found += [f"{group.name}.{match}" for match in difflib.get_close_matches(name, fields, n=1)]
    exact = [key for key in found if key.endswith(f".{name}")]
    return f" (did you mean {(exact or found)[0]}?)" if found else ""


def _wrong_type(err: ValidationError) -> str:
    full_key = str(getattr(err, "full_key", "") or "")
    if full_key == "hydra.sweeper.block_size":
        return f"{full_key}: {getattr(err, 'value', None)!r} is not allowed; {BLOCK_SIZE_ALLOWED}"
    cls, name = _schema_of(full_key)
    specs = field_specs(cls) if cls is not None and dataclasses.is_dataclass(cls) else {}
    if name not in specs:
        return f"{full_key}: {_first_line(err.msg if hasattr(err, 'msg') else str(err))}"
    kind, meta = specs[name]
    value = getattr(err, "value", None)
    return f"{full_key}: expected {_describe(kind, meta)}, got {value!r}"


def _describe(kind: Any, meta: dict) -> str:
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if args and type(None) in typing.get_args(kind) and len(args) == 1:
        kind = args[0]  # an optional value: describe the value
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    span = f" in [{lo}, {hi}]" if lo is not None else ""
    if choices:
        return f"one of: {', '.join(choices)}"
    names = {int: "an integer", float: "a number", bool: "true or false", str: "text"}
    return f"{names.get(kind, getattr(kind, '__name__', str(kind)))}{span}"
