"""The commands that read a vault and show it back: `gleaner queue`, `explain`, `trends`,
`report` and `topics`."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import LockedError, NoteError
from .common import EXIT_ITEMS_FAILED, EXIT_LOCKED, EXIT_USAGE, command_config, fail


@click.command()
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path),
              help="Vault to read (default: the config's, else ./notes).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many notes to list.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file (for its vault).")
def queue(vault: Path | None, limit: int, config_path: Path | None) -> None:
    """List the unread notes to read next, best first, and write them to `Reading queue.md`.

    The order is relevance, lowered for old and for long reads, unless you set a note's
    read_priority yourself (marked *): see "Reading queue" in the README.
    """
    from ..reading import make_queue, queue_table

    vault = vault or command_config(config_path).vault
    if not vault.is_dir():
        fail(f"no vault at {vault}", EXIT_USAGE)
    try:
        reading = make_queue(vault, limit)
    except LockedError as exc:
        fail(str(exc), EXIT_LOCKED)
    except NoteError as exc:
        fail(str(exc), EXIT_ITEMS_FAILED)
    for message in reading.skipped:
        click.echo(message, err=True)
    for line in queue_table(reading.entries):
        click.echo(line)
    click.echo(f"{vault}: {reading.unread} unread notes, {len(reading.entries)} listed in "
               f"{vault / reading.note}")


@click.command()
@click.argument("note")
@click.option("--vault", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Vault of the note (default: the config's, else ./notes).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file with the [interests] profile.")
def explain(note: str, vault: Path | None, config_path: Path | None) -> None:
    """Show why NOTE (its path, or its title) has its relevance: the terms and weights
    behind the score, what your ratings taught, and whether you set the value yourself."""
    from ..reading import explain_note

    config = command_config(config_path)
    try:
        click.echo(explain_note(vault or config.vault, note, config))
    except NoteError as exc:
        fail(str(exc), EXIT_USAGE)


@click.command()
@click.option("--vault", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Vault to read (default: the config's, else ./notes).")
@click.option("--weeks", type=click.IntRange(min=1, max=104), default=5, show_default=True,
              help="Weeks to show: the latest week with articles and those before it.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file (for its vault).")
def trends(vault: Path | None, weeks: int, config_path: Path | None) -> None:
    """Show the models and organizations mentioned in the most articles of the latest week,
    week by week, against their average over the four weeks before; ▲ marks the rising ones.

    An article counts in the week of its published date, else of the day its note was made.
    """
    from ..views import trends_table, vault_trends

    vault = vault or command_config(config_path).vault
    found = vault_trends(vault, weeks)
    if found is None:
        fail(f"no articles in {vault} yet: run `gleaner run` or `gleaner ingest` first",
              EXIT_USAGE)
    for line in trends_table(found):
        click.echo(line)


@click.command()
@click.option("--vault", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Vault to report on (default: the config's, else ./notes).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("report.html"), show_default=True, help="The HTML file to write.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file (for its vault).")
def report(vault: Path | None, out: Path, config_path: Path | None) -> None:
    """Write one self-contained HTML page of charts about the vault: runs over time,
    failures by reason and by host, sources, topics over time, relevance, reading time,
    and read against unread. It needs no network and no JavaScript."""
    from ..views import write_report

    vault = vault or command_config(config_path).vault
    try:
        history = write_report(vault, out)
    except NoteError as exc:
        fail(str(exc), EXIT_USAGE)
    click.echo(f"{out}: {len(history.articles)} article notes, {len(history.runs)} runs, "
               f"{len(history.failing_now)} failing now")


@click.group()
def topics() -> None:
    """List or merge the vault's topic notes (models, organizations, concepts)."""


@topics.command("list")
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=Path("notes"))
def topics_list(vault: Path) -> None:
    """Show every topic in VAULT with the number of articles that mention it."""
    from ..views import list_topics

    for entry in list_topics(vault):
        click.echo(f"{entry.articles:>5}  {entry.category}/{entry.name}")


@topics.command("merge")
@click.argument("old")
@click.argument("new")
@click.option("--vault", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("notes"), show_default=True)
def topics_merge(old: str, new: str, vault: Path) -> None:
    """Merge topic OLD into NEW (as Category/Name) and rewrite every link to OLD."""
    from ..views import merge_topics

    try:
        rewritten = merge_topics(vault, old, new)
    except NoteError as exc:
        fail(str(exc), EXIT_USAGE)
    click.echo(f"merged {old} into {new}: {rewritten} notes rewritten; "
               f"{old.partition('/')[2]} is now an alias of {new.partition('/')[2]}")
