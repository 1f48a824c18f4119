"""What every `gleaner` command shares: the exit codes (pipeline/cli.py says what each
means), reading the config, failing with a message, and a look into the state file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..config import Config, load_config
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..state import State

EXIT_OK, EXIT_ITEMS_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


def command_config(path: Path | None, executor: str | None = None) -> Config:
    """The config, with the executor given on the command line; an executor that cannot
    run (Ray not installed) stops the command here, before any work."""
    from ..workers import check_executor

    try:
        config = load_config(path)
        config = replace(config, executor=executor or config.executor)
        check_executor(config.executor)
        return config
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
        raise AssertionError("unreachable") from exc


def state_rows(vault: Path, query: Callable[[State], list]) -> list:
    from ..state import State

    path = vault / ".gleaner" / "state.sqlite"
    if not path.is_file():
        return []
    state = State(path)
    try:
        return query(state)
    finally:
        state.close()


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
