"""The README documents every command, and every command it shows exists."""

from __future__ import annotations

import re

import click

from pipeline.cli import main

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> set[str]:
    names = set()
    for name, command in group.commands.items():
        names.add(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names |= commands(command, f"{prefix}{name} ")
    return names


def test_every_command_is_in_the_readme():
    missing = {c for c in commands(main) if f"gleaner {c}" not in README}
    assert missing == set()


def test_every_command_the_readme_shows_exists():
    shown = set(re.findall(r"gleaner ((?:topics )?[a-z]+)\b", README))
    assert shown - commands(main) == set()


def test_readme_gives_the_two_setup_commands():
    assert "make demo" in README and "make test" in README
