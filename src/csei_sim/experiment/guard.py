"""What a command line or configuration may name: no code of its own choosing, no foreign folders.

Hydra builds objects from ``_target_`` entries (callbacks, launcher, sweeper), lets logging
configuration name handler classes, imports a package for every ``pkg://`` entry of
``hydra.searchpath`` and unpickles a file for ``--experimental-rerun``. A configuration is data, so
the commands allow only the classes the package and its Hydra plugins ship, and only folders on the
search path. Preset and study names are plain names, so they cannot reach outside the config
folders or the output folder. :func:`check_command` runs before Hydra reads any configuration,
:func:`check_config` on every composed configuration, :func:`check_writable` on every output folder:
all before anything runs or is written, raising :class:`ConfigError` with one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import yaml
from omegaconf import DictConfig, OmegaConf

from csei_sim.errors import CommandParser
from csei_sim.experiment.validate import BLOCK_SET, ConfigError

# The only classes a configuration may ask Hydra to build: the package's progress bar and the
# launchers and sweepers installed with it. Anything else (os.system, builtins.print...) is refused.
ALLOWED_TARGETS = frozenset(
    {
        "csei_sim.experiment.progress.SweepProgress",
        "hydra._internal.core_plugins.basic_launcher.BasicLauncher",
        "hydra._internal.core_plugins.basic_sweeper.BasicSweeper",
        "hydra_plugins.csei_sim_sweeper.csei_sweeper.CSEISweeper",
        "hydra_plugins.csei_sim_sweeper.slurm_launcher.CSEISlurmLauncher",
        "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher",
        "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher",
        "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher",
    }
)
LOGGING_NODES = ("job_logging", "hydra_logging")
# The only classes logging configuration may name (handlers, formatters, filters): those Hydra's
# own logging presets use, and the plain ones of the standard library. A prefix such as
# ``logging.`` is not enough: ``logging.os.system`` resolves to os.system.
LOGGING_CLASSES = frozenset(
    {
        "logging.StreamHandler",
        "logging.FileHandler",
        "logging.NullHandler",
        "logging.Formatter",
        "logging.Filter",
        "logging.handlers.RotatingFileHandler",
        "logging.handlers.TimedRotatingFileHandler",
        "colorlog.ColoredFormatter",  # hydra/job_logging=colorlog, when installed
    }
)
LOGGING_STREAMS = frozenset({"ext://sys.stdout", "ext://sys.stderr"})
# keys whose values are numbers, months or flags, not names of presets or folders
# keys whose values are not config names (posterior: a folder whose posterior.parquet is read)
PLAIN_KEYS = frozenset(
    {"seed", "replicate", "steps", "start", "critical_mass_share", "plot", "posterior"}
)
NAME = re.compile(r"^[A-Za-z0-9_*?\[\]][A-Za-z0-9_.*?\[\]-]*$")  # glob(...) patterns included
REFUSED_FLAGS = {"--experimental-rerun": "it unpickles a file, which can run any code"}


# Hydra's flags that print or inspect instead of running: the pre-run checks skip them.
INFO_FLAGS = {
    "--help",
    "-h",
    "--hydra-help",
    "--cfg",
    "-c",
    "--info",
    "-i",
    "--shell-completion",
    "-sc",
    "--version",
    "--resolve",
    "--package",
    "-p",
    "--experimental-rerun",
}


class HydraFlags(CommandParser):
    """Hydra's own flags, refused as :class:`ConfigError`: one line, which the command prints."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(self.refusal(message))


def check_command(argv: list[str], primary_dir: Path | None = None) -> None:
    """Refuse flags, search paths and option names that reach beyond the package's configs.

    Runs before Hydra composes anything (a ``pkg://`` search path is imported while composing).
    ``primary_dir`` is the folder of the primary config, to read its own ``hydra.searchpath``.
    """
    from hydra._internal.utils import get_args_parser
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for flag, why in REFUSED_FLAGS.items():
        if any(a == flag or a.startswith(f"{flag}=") for a in argv):
            raise ConfigError(f"{flag}: not allowed ({why}); repeat the run's overrides instead")
    args = HydraFlags.adopt(get_args_parser()).parse_args(argv)
    modes = args.run + (args.cfg is not None) + args.multirun + args.shell_completion
    if modes + (args.info is not None) > 1:  # Hydra would stop with a traceback
        raise ConfigError(
            "use only one of --run, --multirun (-m), --cfg, --info and --shell-completion"
        )
    try:
        parsed = OverridesParser.create().parse_overrides(list(args.overrides))
    except Exception:  # noqa: BLE001 - the full check reports unreadable overrides in one line
        return
    for override in parsed:
        key = override.key_or_group
        values = list(_strings(override.value()))
        if key == "hydra.searchpath":
            _check_searchpath(values, "hydra.searchpath")
        elif key == "block":
            raise ConfigError(BLOCK_SET)
        elif "." not in key and key not in PLAIN_KEYS:
            for value in values:
                _check_name(key, value)
    if args.config_dir and args.config_name:
        _check_primary(Path(args.config_dir) / f"{args.config_name}.yaml")
    elif primary_dir is not None and args.config_name:
        _check_primary(Path(primary_dir) / f"{args.config_name}.yaml")


def _strings(value: Any) -> Iterator[str]:
    """Every text inside an override's value (a choice or glob sweep holds several)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif value is not None and hasattr(value, "include"):  # glob(include, exclude)
        yield from _strings([*value.include, *value.exclude])
    elif value is not None and hasattr(value, "list"):  # choice(...) or a,b,c
        yield from _strings(value.list)


def _check_name(key: str, value: str) -> None:
    if not NAME.match(value) or ".." in value:
        raise ConfigError(
            f"{key}={value}: option and study names are plain names (letters, digits, _ . -), "
            "without folders; put your own options in a folder given with --config-dir"
        )


def _check_searchpath(entries: list[str], where: str) -> None:
    for entry in entries:
        if not str(entry).startswith("file://"):
            raise ConfigError(
                f"{where}: {entry!r} is not allowed; only folders (file://<folder>) may be "
                "added, packages (pkg://) would be imported"
            )


def _check_primary(path: Path) -> None:
    try:
        data = yaml.safe_load(path.read_text()) if path.is_file() else None
    except (OSError, yaml.YAMLError):
        return  # composing reports the broken file with its line
    hydra = data.get("hydra") if isinstance(data, dict) else None
    entries = hydra.get("searchpath") if isinstance(hydra, dict) else None
    if isinstance(entries, list):
        _check_searchpath(entries, f"{path}: hydra.searchpath")


def check_config(cfg: DictConfig) -> None:
    """Refuse a composed configuration that names a class or stream Hydra would build or open."""
    data = OmegaConf.to_container(cfg, resolve=False)
    for path, key, value in _walk(data, ""):
        if key == "_target_" and value not in ALLOWED_TARGETS:
            allowed = ", ".join(sorted(t.rpartition(".")[2] for t in ALLOWED_TARGETS))
            raise ConfigError(
                f"{path}: {value!r} is not allowed; a configuration may only name the package's "
                f"own classes ({allowed}); choose them with hydra/launcher=... or hydra/sweeper=..."
            )
    hydra = data.get("hydra") or {}
    n_jobs = (hydra.get("launcher") or {}).get("n_jobs")
    if n_jobs == 0:  # joblib would stop with a traceback once the sweep has started
        raise ConfigError(
            "hydra.launcher.n_jobs: 0 is not allowed; give the processes to use, e.g. 2, "
            "or -1 for all cores"
        )
    if n_jobs is not None and not isinstance(n_jobs, str):  # an interpolation is left to Hydra
        from csei_sim import limits
        from csei_sim.params import ParameterError

        try:
            limits.check_jobs("hydra.launcher.n_jobs", n_jobs)
        except ParameterError as err:
            raise ConfigError(str(err)) from None
    for node in LOGGING_NODES:
        for path, key, value in _walk(hydra.get(node) or {}, f"hydra.{node}."):
            _check_logging(path, key, value)


def _check_logging(path: str, key: str, value: Any) -> None:
    if key == "()":
        raise ConfigError(f"{path}: logging factories ('()') are not allowed")
    if key == "class" and value not in LOGGING_CLASSES:
        raise ConfigError(
            f"{path}: {value!r} is not allowed; logging may only name "
            f"{', '.join(sorted(LOGGING_CLASSES))}"
        )
    if isinstance(value, str) and value.startswith("ext://") and value not in LOGGING_STREAMS:
        raise ConfigError(
            f"{path}: {value!r} is not allowed; only {', '.join(sorted(LOGGING_STREAMS))}"
        )


def _walk(node: Any, prefix: str) -> Iterator[tuple[str, str, Any]]:
    """(dotted path, key, value) of every entry in nested dicts and lists."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        path = f"{prefix}{key}"
        yield path, str(key), value
        if isinstance(value, dict | list):
            yield from _walk(value, f"{path}.")


def check_writable(path: Path, key: str) -> None:
    """Refuse an output folder that cannot be created: a file in the way, no permission, a name
    longer than the file system takes, a place that takes no files (``/proc``)."""
    from csei_sim import limits
    from csei_sim.params import ParameterError

    try:
        limits.check_folder(key, path)
    except ParameterError as err:
        raise ConfigError(f"{err}; choose another folder") from None
