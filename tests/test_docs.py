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


def test_the_time_bounds_docs_fetching_gives_are_the_fetchers_own():
    from pipeline.config import FetchConfig
    from pipeline.fetch.limits import Bound

    doc = (REPO / "docs" / "FETCHING.md").read_text(encoding="utf-8")
    one_host, fifty_hosts = Bound(FetchConfig()), Bound(FetchConfig())
    for n in range(100):
        one_host.add("one.example", FetchConfig().host_delay)
        fifty_hosts.add(f"host{n % 50}.example", FetchConfig().host_delay)
    assert f"bounded at {one_host.seconds():,.0f} s and 100 URLs on 50 hosts at " \
           f"{fifty_hosts.seconds():,.0f} s" in doc
