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

from .config import Config, load_config
from .errors import ConfigError, LockedError, NoteError

if TYPE_CHECKING:
    from .records import Source
    from .report import ItemResult, RunReport
    from .state import State

# Each command imports what it uses when it runs: `gleaner ingest` under cron with nothing
# new loads neither the article stages nor the terminal UI.

EXIT_OK, EXIT_ITEMS_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
STARTUP_SECONDS = 1.0  # the garbage collector's wait (see entry)
log = logging.getLogger("gleaner")


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gleaner")
def main() -> None:
    """Gleaner turns what you read into an Obsidian vault of summarized, tagged notes."""


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
def run(sources: tuple[str, ...], vault: Path | None, config_path: Path | None,
        retry_failed: bool, restore: bool) -> None:
    """Read SOURCES (URLs, local files, reading lists in text, CSV, OPML, bookmark HTML,
    Markdown or JSON, or - for stdin).

    A note you delete stays deleted: its article is reported as skipped on later runs.
    `gleaner run --restore URL...` makes it again."""
    from .sources import read_sources

    if not sources and not retry_failed:
        _fail("give at least one source, or --retry-failed", EXIT_USAGE)
    if restore and not all(source.startswith(("http://", "https://")) for source in sources):
        _fail("--restore takes the URLs of the notes to make again", EXIT_USAGE)
    config = _config(config_path)
    vault = vault or config.vault
    retried = _failed_sources(vault) if retry_failed else []
    _execute(itertools.chain(read_sources(sources), retried), config, vault,
             restore=sources if restore else ())


@main.command()
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path),
              help="Vault folder to write to (default: the config's, else ./notes).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file with the [[subscriptions]] to poll.")
def ingest(vault: Path | None, config_path: Path | None) -> None:
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

    config = _config(config_path)
    if not config.subscriptions:
        _fail("no [[subscriptions]] in the config: nothing to ingest", EXIT_USAGE)
    vault = vault or config.vault
    _report_and_exit(lambda on_item: ingest_subscriptions(config, vault, on_item=on_item), vault)


@main.command()
@click.option("--vault", type=click.Path(file_okay=False, path_type=Path), default=Path("notes"),
              show_default=True, help="Vault whose state file to read.")
def failures(vault: Path) -> None:
    """List the items that failed, with why and when; `run --retry-failed` retries them."""
    rows = _state_rows(vault, lambda state: state.failures())
    for location, origin, reason, at in rows:
        click.echo(f"{at}  {location}{f'  ({origin})' if origin else ''}: {reason}")
    click.echo(f"{vault}: {len(rows)} failed items", err=True)


@main.command()
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate(vault: Path) -> None:
    """Check every note in VAULT against the note schema; list each violation."""
    from .validate import validate_vault

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
    from .demo import demo_reading_list, serve_site
    from .resources import examples_dir
    from .sources import read_list

    try:
        lines = demo_reading_list(port)
        with serve_site(examples_dir() / "site", port):
            sources = read_list(lines, origin="reading-list", base=examples_dir())
            _execute(sources, Config(), vault)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)


@main.command()
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
    from .reading_queue import make_queue, queue_table

    vault = vault or _config(config_path).vault
    if not vault.is_dir():
        _fail(f"no vault at {vault}", EXIT_USAGE)
    try:
        reading = make_queue(vault, limit)
    except LockedError as exc:
        _fail(str(exc), EXIT_LOCKED)
    except NoteError as exc:
        _fail(str(exc), EXIT_ITEMS_FAILED)
    for message in reading.skipped:
        click.echo(message, err=True)
    for line in queue_table(reading.entries):
        click.echo(line)
    click.echo(f"{vault}: {reading.unread} unread notes, {len(reading.entries)} listed in "
               f"{vault / reading.note}")


@main.command()
@click.argument("note")
@click.option("--vault", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Vault of the note (default: the config's, else ./notes).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML config file with the [interests] profile.")
def explain(note: str, vault: Path | None, config_path: Path | None) -> None:
    """Show why NOTE (its path, or its title) has its relevance: the terms and weights
    behind the score, what your ratings taught, and whether you set the value yourself."""
    from .explain import explain_note

    config = _config(config_path)
    try:
        click.echo(explain_note(vault or config.vault, note, config))
    except NoteError as exc:
        _fail(str(exc), EXIT_USAGE)


@main.command()
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
    from .trends import trends_table, vault_trends

    vault = vault or _config(config_path).vault
    found = vault_trends(vault, weeks)
    if found is None:
        _fail(f"no articles in {vault} yet: run `gleaner run` or `gleaner ingest` first",
              EXIT_USAGE)
    for line in trends_table(found):
        click.echo(line)


@main.command()
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
    from .report_page import write_report

    vault = vault or _config(config_path).vault
    try:
        history = write_report(vault, out)
    except NoteError as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"{out}: {len(history.articles)} article notes, {len(history.runs)} runs, "
               f"{len(history.failing_now)} failing now")


@main.group()
def topics() -> None:
    """List or merge the vault's topic notes (models, organizations, concepts)."""


@topics.command("list")
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=Path("notes"))
def topics_list(vault: Path) -> None:
    """Show every topic in VAULT with the number of articles that mention it."""
    from .topic_admin import list_topics

    for entry in list_topics(vault):
        click.echo(f"{entry.articles:>5}  {entry.category}/{entry.name}")


@topics.command("merge")
@click.argument("old")
@click.argument("new")
@click.option("--vault", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("notes"), show_default=True)
def topics_merge(old: str, new: str, vault: Path) -> None:
    """Merge topic OLD into NEW (as Category/Name) and rewrite every link to OLD."""
    from .topic_admin import merge_topics

    try:
        rewritten = merge_topics(vault, old, new)
    except NoteError as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"merged {old} into {new}: {rewritten} notes rewritten; "
               f"{old.partition('/')[2]} is now an alias of {new.partition('/')[2]}")


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
        raise AssertionError("unreachable") from exc


def _failed_sources(vault: Path) -> list[Source]:
    """Failed articles to read again; feeds and mailboxes are read again by `ingest`."""
    return [source for source in _state_rows(vault, lambda state: state.failed_sources())
            if source.kind == "article"
            and (source.is_file or source.location.startswith(("http://", "https://")))]


def _state_rows(vault: Path, query: Callable[[State], list]) -> list:
    from .state import State

    path = vault / ".gleaner" / "state.sqlite"
    if not path.is_file():
        return []
    state = State(path)
    try:
        return query(state)
    finally:
        state.close()


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
        _fail(str(exc), EXIT_LOCKED)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
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


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
