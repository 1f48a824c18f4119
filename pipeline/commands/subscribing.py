"""`gleaner subscribe`, `unsubscribe` and `subscriptions`: the config's [[subscriptions]]
from the command line (pipeline/sources/subscriptions.py does the work)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ConfigError
from .common import EXIT_USAGE, command_config, fail

CONFIG_FILE = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("gleaner.toml"), show_default=True, help="TOML config file to edit.")


@click.command()
@click.argument("url", required=False)
@click.option("--name", help="The notes' `source:` (default: the feed's own title).")
@click.option("--kind", type=click.Choice(["feed", "newsletter"]),
              help="newsletter: each item is an issue, a note whose links are read too.")
@click.option("--opml", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Subscribe to every feed of an OPML file (what feed readers export).")
@CONFIG_FILE
def subscribe(url: str | None, name: str | None, kind: str | None, opml: Path | None,
              config_path: Path) -> None:
    """Add URL (a feed) or a mailbox path to the config's [[subscriptions]], for `gleaner
    ingest`. The config file keeps its comments and layout; it is made if missing."""
    from ..sources import entries_for, opml_subscriptions
    from ..sources import subscribe as add

    if bool(url) == bool(opml):
        fail("give a feed URL (or a mailbox path), or --opml FILE", EXIT_USAGE)
    config = command_config(config_path if config_path.exists() else None)
    try:
        found = opml_subscriptions(opml) if opml else entries_for(url or "", name, config.fetch)
        entries = [{**entry, "kind": kind} for entry in found] if kind == "newsletter" else found
        added, already = add(config_path, entries)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    for where in already:
        click.echo(f"already subscribed: {where}")
    for where in added:
        click.echo(f"subscribed: {where}")
    click.echo(f"{config_path}: {len(added)} subscriptions added")


@click.command()
@click.argument("name")
@CONFIG_FILE
def unsubscribe(name: str, config_path: Path) -> None:
    """Remove the subscription NAME (or with that URL or path) from the config file; its
    comments and layout stay. The notes it brought stay in the vault."""
    from ..sources import unsubscribe as remove

    try:
        removed = remove(config_path, name)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    click.echo(f"unsubscribed: {removed.get('name') or ''} "
               f"{removed.get('url') or removed.get('path') or ''}".strip())


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("gleaner.toml"), show_default=True, help="TOML config file.")
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path),
              help="Vault whose polls to show (default: the config's, else ./notes).")
def subscriptions(config_path: Path, vault: Path | None) -> None:
    """List the subscriptions with their last poll, its status and the items taken; a feed
    that is fresh or backing off after failures says until when."""
    from ..sources import listed, listing_lines

    config = command_config(config_path)
    rows = listed(config, (vault or config.vault) / ".gleaner" / "state.sqlite")
    for line in listing_lines(rows):
        click.echo(line)
    click.echo(f"{config_path}: {len(rows)} subscriptions")
