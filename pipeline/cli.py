"""The `gleaner` command: a thin layer over the library.

Exit codes, for cron and scripts:
    0  every item was processed (written, updated or unchanged), or there was nothing new
    1  some items failed; the others were written; each failure is listed with its reason
    2  bad usage or configuration; the message names the problem
    3  another Gleaner run holds the vault's lock; this one did nothing
"""

from __future__ import annotations

import atexit
import gc
import itertools
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .commands import (
    EXIT_ITEMS_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    command_config,
    explain,
    fail,
    queue,
    report,
    state_rows,
    subscribe,
    subscriptions,
    topics,
    trends,
    unsubscribe,
)
from .config import Config
from .errors import ConfigError, LockedError

if TYPE_CHECKING:
    from .records import Source
    from .report import ItemResult, RunReport

# Each command imports what it uses when it runs: `gleaner ingest` under cron with nothing
# new loads neither the article stages nor the terminal UI.

STARTUP_SECONDS = 1.0  # the garbage collector's wait (see entry)
log = logging.getLogger("gleaner")
SHOWN_SKIPPED = 10  # items an import left out, listed on the terminal; the report has all


def entry() -> None:
    """The `gleaner` command, with Python's cyclic garbage collector kept out of start-up.

    Imports make tens of thousands of objects that live as long as the process. The
    collector would walk them some 70 times while they load and again at exit: together
    80 ms or more on a small machine, as long as a cron poll that finds nothing new takes
    in all. So it starts once start-up is over (a poll has finished by then; a long run has
    barely begun), and at exit the heap is frozen: every command has written and closed its
    notes, state and report by then, so the last collections would find nothing to do.
    """
    gc.disable()
    collector = threading.Timer(STARTUP_SECONDS, gc.enable)
    collector.daemon = True
    collector.start()
    atexit.register(gc.freeze)
    main()


EXECUTOR = click.option(
    "--executor", type=click.Choice(["local", "ray"]),
    help="Where extract, analyze and summarize run: worker processes here (local, the "
         "default) or Ray actors (ray: pip install 'gleaner[ray]'; RAY_ADDRESS joins a "
         "cluster). Default: the config's executor, else local.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gleaner")
def main() -> None:
    """Gleaner turns what you read into an Obsidian vault of summarized, tagged notes."""


for command in (subscribe, unsubscribe, subscriptions, queue, explain, trends, report, topics):
    main.add_command(command)


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path),
              help="Vault folder to write to (default: the config's, else ./notes).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file.")
@click.option("--retry-failed", is_flag=True,
              help="Also read again every item that failed before (see `gleaner failures`).")
@click.option("--restore", is_flag=True,
              help="SOURCES are URLs whose notes you deleted: make them again.")
@EXECUTOR
def run(sources: tuple[str, ...], vault: Path | None, config_path: Path | None,
        retry_failed: bool, restore: bool, executor: str | None) -> None:
    """Read SOURCES (URLs, local files, reading lists in text, CSV, OPML, bookmark HTML,
    Markdown or JSON, or - for stdin).

    A note you delete stays deleted: its article is reported as skipped on later runs.
    `gleaner run --restore URL...` makes it again."""
    from .sources import read_sources

    if not sources and not retry_failed:
        fail("give at least one source, or --retry-failed", EXIT_USAGE)
    if restore and not all(source.startswith(("http://", "https://")) for source in sources):
        fail("--restore takes the URLs of the notes to make again", EXIT_USAGE)
    config = command_config(config_path, executor)
    vault = vault or config.vault
    retried = _failed_sources(vault) if retry_failed else []
    _execute(itertools.chain(read_sources(sources), retried), config, vault,
             restore=sources if restore else ())


@main.command()
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path),
              help="Vault folder to write to (default: the config's, else ./notes).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file with the [[subscriptions]] to poll.")
@EXECUTOR
def ingest(vault: Path | None, config_path: Path | None, executor: str | None) -> None:
    """Poll every subscribed feed and mailbox; make notes of what is new (made for cron).

    Subscriptions live in the config file, for example:

    \b
    [[subscriptions]]
    name = "Kamiwaza Blog"                  # the notes' `source:`
    url = "https://example.com/feed.xml"    # RSS, Atom or JSON Feed
    [[subscriptions]]
    name = "Data Elixir"
    kind = "newsletter"                     # each item is an issue: a note, and its links too
    url = "https://example.com/issues.rss"
    [[subscriptions]]
    path = "~/Mail/newsletters.mbox"        # .eml, mbox, Maildir or a folder of .eml files
    [[subscriptions]]
    imap = { host = "imap.example.com", user = "me", password_env = "IMAP_PASSWORD" }

    Only items not seen before are read; a digest note per day lists the new notes.
    Exit codes: 0 done, 1 some items failed, 2 bad configuration, 3 another run holds
    the vault's lock (this one did nothing).
    """
    from .ingestion import ingest as ingest_subscriptions

    config = command_config(config_path, executor)
    if not config.subscriptions:
        fail("no [[subscriptions]] in the config: nothing to ingest", EXIT_USAGE)
    vault = vault or config.vault
    _report_and_exit(lambda on_item: ingest_subscriptions(config, vault, on_item=on_item), vault)


@main.command()
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path), default=Path("notes"),
              show_default=True, help="Vault whose state file to read.")
def failures(vault: Path) -> None:
    """List the items that failed, with why and when; `run --retry-failed` retries them."""
    rows = state_rows(vault, lambda state: state.failures())
    for location, origin, reason, at in rows:
        click.echo(f"{at}  {location}{f'  ({origin})' if origin else ''}: {reason}")
    click.echo(f"{vault}: {len(rows)} failed items", err=True)


@main.command()
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate(vault: Path) -> None:
    """Check every note in VAULT against the note schema; list each violation."""
    from .vault import validate_vault

    violations = list(validate_vault(vault))
    for violation in violations:
        click.echo(str(violation))
    notes = sum(1 for _ in vault.rglob("*.md"))
    if violations:
        click.echo(f"{len(violations)} violations in {vault}", err=True)
        sys.exit(EXIT_ITEMS_FAILED)
    click.echo(f"{vault}: {notes} notes, all valid")


@main.command()
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path), default=Path("notes"),
              show_default=True, help="Vault folder to write the demo notes to.")
@click.option("--port", type=int, default=8765, show_default=True,
              help="Port on 127.0.0.1 for the example site.")
def demo(vault: Path, port: int) -> None:
    """Serve the bundled example site on 127.0.0.1 and glean its reading list, offline."""
    from .commands import demo_reading_list, serve_site
    from .resources import examples_dir
    from .sources import read_list

    try:
        lines = demo_reading_list(port)
        with serve_site(examples_dir() / "site", port):
            sources = read_list(lines, origin="reading-list", base=examples_dir())
            _execute(sources, Config(), vault)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)


@main.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path),
              help="Vault folder to write to (default: the config's, else ./notes).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file.")
@click.option("--offline", is_flag=True,
              help="Make no request: notes only from the pages the exports hold; the items "
                   "without one are listed.")
@click.option("--refetch", is_flag=True,
              help="Read each article's live page first; the stored copy only if it fails.")
@EXECUTOR
def import_exports(files: tuple[Path, ...], vault: Path | None, config_path: Path | None,
                   offline: bool, refetch: bool, executor: str | None) -> None:
    """Import FILES: read-later exports (Pocket, Instapaper, Raindrop.io, Readwise Reader,
    Omnivore, Wallabag, Karakeep, bookmark HTML) and web archives (WARC, WACZ).

    Tags, read status, save dates, favourites and highlights come along. A page the export
    or archive holds makes the note without a request. Run it again at any time: what is
    already imported is not written again (docs/IMPORTING.md)."""
    from .import_run import ImportOptions, import_exports
    from .sources import count_entries

    config = command_config(config_path, executor)
    vault = vault or config.vault
    options = ImportOptions(offline=offline, refetch=refetch)
    total = count_entries(list(files)) if sys.stderr.isatty() else None
    _import_and_exit(lambda on_item: import_exports(files, config, vault, on_item, options),
                     vault, total)


def _import_and_exit(work: Callable[[Callable[[ItemResult], None]], RunReport], vault: Path,
                     total: int | None) -> None:
    """`_report_and_exit` for an import: a bar with the time left on a terminal, and the
    items with no stored copy that --offline left out."""
    try:
        report = _with_eta(work, total) if total is not None else _logged(work)
    except LockedError as exc:
        fail(str(exc), EXIT_LOCKED)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    left_out = [item for item in report.items if item.status == "skipped"]
    for item in left_out[:SHOWN_SKIPPED]:
        click.echo(f"skipped {item.location}: {item.detail}", err=True)
    if len(left_out) > SHOWN_SKIPPED:
        click.echo(f"... and {len(left_out) - SHOWN_SKIPPED} more skipped (the run's JSON "
                   f"report in {vault}/.gleaner/reports lists them all)", err=True)
    _print_report(report, vault)
    sys.exit(EXIT_ITEMS_FAILED if report.failures else EXIT_OK)


def _logged(work: Callable[[Callable[[ItemResult], None]], RunReport]) -> RunReport:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return work(_log_item)


def _with_eta(work: Callable[[Callable[[ItemResult], None]], RunReport],
              total: int) -> RunReport:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("importing", total=total)
        return work(lambda item: progress.update(task, advance=1))


def _failed_sources(vault: Path) -> list[Source]:
    """Failed articles to read again; feeds and mailboxes are read again by `ingest`."""
    return [source for source in state_rows(vault, lambda state: state.failed_sources())
            if source.kind in ("article", "paper")
            and (source.is_file or source.location.startswith(("http://", "https://")))]


def _execute(sources: Iterable[Source], config: Config, vault: Path,
             restore: Iterable[str] = ()) -> None:
    from .orchestrator import run as run_sources

    _report_and_exit(lambda on_item: run_sources(sources, config, vault, on_item=on_item,
                                                 restore=restore), vault)


def _report_and_exit(work: Callable[[Callable[[ItemResult], None]], RunReport],
                     vault: Path) -> None:
    try:
        if sys.stderr.isatty():
            report = _with_progress(work)
        else:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                                stream=sys.stderr)
            logging.getLogger("httpx").setLevel(logging.WARNING)
            report = work(_log_item)
    except LockedError as exc:
        fail(str(exc), EXIT_LOCKED)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    _print_report(report, vault)
    sys.exit(EXIT_ITEMS_FAILED if report.failures else EXIT_OK)


def _with_progress(work: Callable[[Callable[[ItemResult], None]], RunReport]) -> RunReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("gleaning", total=None)

        def advance(item: ItemResult) -> None:
            progress.update(task, advance=1, description=f"{item.status}: {item.location[-50:]}")

        return work(advance)


def _log_item(item: ItemResult) -> None:
    detail = f" ({item.detail})" if item.detail else ""
    target = f" -> {item.note}" if item.note else ""
    log.info("%s %s%s%s", item.status, item.location, target, detail)


def _print_report(report: RunReport, vault: Path) -> None:
    for failure in report.failures:
        click.echo(f"FAILED {failure.location}: {failure.detail}", err=True)
    for kept in report.kept_edits:
        click.echo(f"kept your edit: {kept}", err=True)
    for line in report.relevance_lines():
        click.echo(line)
    click.echo(f"{vault}: {report.summary_line()}")
