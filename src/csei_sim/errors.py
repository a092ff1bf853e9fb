"""What every command line does with a fault that escapes its checks: one line, never a traceback.

Bad input is refused before anything runs (:mod:`csei_sim.limits`, the commands' own checks) with
exit code 2. What can still go wrong once work has started (a full disk, a folder removed under a
run, the memory running out, Ctrl-C) reaches :func:`guarded`, which prints one line saying what
happened, how much was finished and what to run again, and returns an exit code: 1 for a failure,
130 for an interrupt. ``--debug`` on any command line (or ``HYDRA_FULL_ERROR=1``) shows the full
traceback instead. Nothing is marked done that was not written whole, so the same command resumes.

Every command line parses its flags with :class:`CommandParser`, so that argparse's own refusals
(an unknown flag, a word where a number goes, a missing argument) are one line too, naming the
key and what it allows, with exit code 2; ``--help`` is argparse's.
"""

from __future__ import annotations

import argparse
import errno
import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

DEBUG_FLAG = "--debug"
DONE = "done.json"  # the completion record of a run folder (csei_sim.experiment.runner.DONE)
INTERRUPTED = 130  # the shell's code for a process stopped by SIGINT


class Escaped(BaseException):  # noqa: N818 - not an error of its own: it carries one
    """An error of a job, carried past the frameworks that run jobs (Hydra catches every
    ``Exception`` of a job and prints it with a traceback) to :func:`guarded`."""

    def __init__(self, error: BaseException):
        super().__init__(error)
        self.error = error


def carried(job: Callable[[], object]) -> None:
    """Run one job (inside Hydra); what it raises reaches :func:`guarded` as :class:`Escaped`."""
    try:
        job()
    except (OSError, MemoryError) as err:
        raise Escaped(err) from err


@dataclass
class Work:
    """What a command is doing, filled in as it learns it, for the line printed on a failure."""

    command: list[str]
    folder: Path | None = None  # where its finished runs are counted
    total: int | None = None  # runs it asks for, when known

    def finished(self) -> str:
        """E.g. ``182 of 200 runs finished in multirun/x``."""
        if self.folder is None or not self.folder.is_dir():
            return "no run finished"
        done = sum(1 for _ in self.folder.rglob(DONE))
        of = f" of {self.total}" if self.total is not None else ""
        return f"{done}{of} runs finished in {self.folder}"

    def again(self) -> str:
        return f"run `{shlex.join(self.command)}` again to resume"


def debugging(argv: list[str]) -> tuple[bool, list[str]]:
    """(whether tracebacks are wanted, the arguments without ``--debug``)."""
    wanted = DEBUG_FLAG in argv or os.environ.get("HYDRA_FULL_ERROR") == "1"
    return wanted, [a for a in argv if a != DEBUG_FLAG]


def guarded(prog: str, argv: list[str], body: Callable[[list[str], Work], int]) -> int:
    """Run ``body(argv, work)``; turn what escapes it into one line on stderr and an exit code."""
    debug, argv = debugging(argv)
    work = Work([prog, *argv])
    try:
        try:
            return body(argv, work)
        except Escaped as escaped:
            raise escaped.error from None
    except KeyboardInterrupt:
        if debug:
            raise
        _say(prog, f"interrupted; {work.finished()}; {work.again()}")
        return INTERRUPTED
    except MemoryError:
        if debug:
            raise
        _say(prog, f"error: out of memory; {work.finished()}; ask for fewer or smaller runs")
        return 1
    except OSError as err:
        if debug:
            raise
        _say(prog, f"error: {describe(err)}; {work.finished()}; {_remedy(err)}{work.again()}")
        return 1
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if debug:
            raise
        _say(
            prog,
            f"error: {type(err).__name__}: {_first_line(err)}; {work.finished()}; "
            f"run with {DEBUG_FLAG} for the traceback",
        )
        return 1


def describe(err: OSError) -> str:
    """``No space left on device: multirun/x/...`` (the file, where the error names one)."""
    what = err.strerror or _first_line(err)
    where = err.filename if err.filename is not None else None
    return f"{what}: {where}" if where is not None else what


def _remedy(err: OSError) -> str:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free some space, then "
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "choose a folder you can write, or "
    return ""


class CommandParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose refusals are one line: ``PROG: error: KEY: what
    is wrong; allowed: ...``, exit code 2 (argparse prints its usage block first). Subcommands'
    parsers are of the same class (argparse builds them with the parent's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("exit_on_error", False)  # its errors reach parse_known_args, below
        super().__init__(*args, **kwargs)

    @classmethod
    def adopt(cls, parser: argparse.ArgumentParser) -> CommandParser:
        """A parser built elsewhere (Hydra's flags) made to refuse as this class does."""
        parser.__class__ = cls  # the class adds behaviour, no state
        parser.exit_on_error = False
        return parser  # type: ignore[return-value]

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201 - argparse's
        try:
            return super().parse_known_args(args, namespace)
        except argparse.ArgumentError as err:
            self.error(self._explain(err))

    def parse_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201 - argparse's
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.error(
                f"unrecognized arguments: {' '.join(extras)}; allowed: {_flags(self, parsed)}"
            )
        return parsed

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {self.refusal(message)}\n")

    def refusal(self, message: str) -> str:
        """argparse's message as one line naming the key and what it allows."""
        text = self._required(message) if message.startswith(_REQUIRED) else message
        return " ".join(text.split())

    def _action(self, name: str | None) -> argparse.Action | None:
        for action in self._actions:
            if argparse._get_action_name(action) == name:  # noqa: SLF001 - argparse's own naming
                return action
        return None

    def _explain(self, err: argparse.ArgumentError) -> str:
        """``--replicates: expected an integer, got 'x'`` from argparse's wording."""
        name, message = err.argument_name, err.message
        action = self._action(name)
        if action is None:
            return f"{name}: {message}" if name else message
        got = message.rsplit(": ", 1)[1] if ": " in message else None
        if action.choices is not None and "invalid choice" in message:
            got = message.split(": ", 1)[1].split(" (choose from", 1)[0]
            return f"{name}: invalid choice {got}; {_allowed(action)}"
        if "invalid" in message and " value: " in message and got is not None:
            return f"{name}: expected {_kind(action)}, got {got}"
        if message.startswith("expected "):  # a flag given without its value
            return f"{name}: its value is missing; {_allowed(action)}"
        return f"{name}: {message}; {_allowed(action)}"

    def _required(self, message: str) -> str:
        """``NAME: missing; allowed: a, b`` for each argument argparse found missing."""
        parts = []
        for name in message.removeprefix(_REQUIRED).split(", "):
            action = self._action(name.strip())
            parts.append(f"{name}: missing; {_allowed(action) if action else 'required'}")
        return "; ".join(parts)


_REQUIRED = "the following arguments are required: "
_KINDS = {int: "an integer", float: "a number", Path: "a path", str: "a text"}


def _kind(action: argparse.Action) -> str:
    return _KINDS.get(action.type, "a value")  # type: ignore[arg-type]


def _allowed(action: argparse.Action) -> str:
    """``allowed: a, b`` (its choices), else what its help says it takes, else its kind."""
    if action.choices is not None:
        return f"allowed: {', '.join(str(c) for c in action.choices)}"
    if action.help and action.help != argparse.SUPPRESS and "%" not in action.help:
        return f"expected {_kind(action)} ({action.help})"
    return f"expected {_kind(action)}"


def _flags(parser: argparse.ArgumentParser, parsed: argparse.Namespace) -> str:
    """The flags of the (sub)command that was parsed, e.g. ``--out, --replicates, -h, --help``."""
    for action in parser._actions:  # noqa: SLF001 - argparse keeps no public list
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            chosen = action.choices.get(getattr(parsed, action.dest, None) or "")
            if chosen is not None:
                return _flags(chosen, parsed)
    flags = [o for a in parser._actions for o in a.option_strings]  # noqa: SLF001
    return ", ".join(flags)


def _first_line(err: BaseException) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def _say(prog: str, text: str) -> None:
    # on a terminal a progress bar may hold the last line: start a fresh one
    fresh = "\n" if sys.stderr.isatty() else ""
    print(f"{fresh}{prog}: {text}", file=sys.stderr, flush=True)
