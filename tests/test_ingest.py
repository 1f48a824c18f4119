"""`gleaner ingest` end to end: feeds and mailboxes, only new items, lock, kill and rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import ingest, run
from pipeline.cli import EXIT_ITEMS_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE, main
from pipeline.config import Config, FetchConfig, Subscription, config_from_dict
from pipeline.errors import LockedError
from pipeline.sources.lists import read_sources
from pipeline.state.lock import VaultLock
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.validate import validate_vault

from .conftest import REPO, article_page
from .server import Response
from .test_mail import LoopbackImap, import_ai, newsletters_mbox

ARTICLES = {
    "llms-2024": ("Things we learned about LLMs in 2024", [
        "GPT-4 class models from Google, Anthropic and Meta now run cheaply, and some of them "
        "run on a laptop that is a couple of years old.",
        "Prices collapsed over the year as competition grew, and inference got much cheaper.",
        "Claude 3.5 Sonnet became the model many developers reach for when writing code."]),
    "deepseek-v3": ("The DeepSeek v3 technical report", [
        "DeepSeek v3 is a mixture-of-experts model with 671 billion parameters, of which 37 "
        "billion are active for each token it processes.",
        "It was pre-trained on 14.8 trillion tokens in about 2.8 million H800 GPU hours.",
        "The report describes FP8 mixed-precision training and multi-token prediction."]),
    "batch-robotics": ("Robots that fold laundry", [
        "A household robot learned to fold shirts and towels from a few hundred human "
        "demonstrations recorded with a pair of cheap cameras.",
        "The policy is a diffusion model that predicts short chunks of arm motion at a time.",
        "Folding remains slow, but the success rate on unseen garments passed eighty percent."]),
    "import-ai-scaling": ("Scaling laws hold up again", [
        "A new study trained four hundred language models to test whether compute-optimal "
        "scaling laws still predict loss at the largest budgets.",
        "The fitted exponents matched earlier work within the error bars of the experiment.",
        "Data quality shifted the curves down but did not change their slope at all."]),
    "feed-one": ("Evaluations are the real product", [
        "Teams that measure their prompts with automatic evaluations ship features faster "
        "than teams that argue about prompt wording in meetings.",
        "A good evaluation set starts small: fifty examples written by the people who know "
        "the task best.",
        "Regression tests for prompts catch the changes that silently break old behaviour."]),
    "feed-two": ("Retrieval grows up", [
        "Hybrid search that mixes keyword and vector retrieval beat either one alone on every "
        "internal benchmark the company ran last quarter.",
        "A reranker on top of the first hundred results added the largest single gain.",
        "Chunking documents by section rather than by length also helped noticeably."]),
}

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Example Blog</title>
<link>{base}/</link>{items}</channel></rss>"""
ITEM = "<item><title>{title}</title><link>{base}/articles/{slug}</link><guid>{slug}</guid></item>"


def serve_articles(server, delay: float = 0.0) -> None:
    for slug, (title, paragraphs) in ARTICLES.items():
        server.routes[f"/articles/{slug}"] = Response(article_page(title, paragraphs),
                                                      delay=delay)


def serve_feed(server, slugs: list[str]) -> None:
    items = "".join(ITEM.format(title=ARTICLES[s][0], base=server.base, slug=s) for s in slugs)
    body = RSS.format(base=server.base, items=items)
    etag = f'"{"+".join(slugs)}"'

    def conditional(handler):
        if handler.headers.get("If-None-Match") == etag:
            return Response(b"", status=304, headers={"ETag": etag})
        return Response(body, content_type="application/rss+xml", headers={"ETag": etag})

    server.routes["/feed.xml"] = conditional


def feed_config(server, **fetch: object) -> Config:
    subscription = Subscription("Example Blog", "feed", url=server.url("/feed.xml"))
    return Config(fetch=FetchConfig(host_delay=0.0, timeout=5.0, retries=0, **fetch),
                  subscriptions=(subscription,))


def notes(vault: Path) -> dict[str, str]:
    """Every note in the vault (articles, topics, digests) by relative path."""
    return {p.relative_to(vault).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(vault.rglob("*.md")) if ".gleaner" not in p.parts}


def frontmatters(vault: Path) -> list[dict]:
    return [split_frontmatter(p.read_text(encoding="utf-8"))[0] for p in sorted(vault.glob("*.md"))]


def test_feed_items_become_notes_and_a_second_poll_gets_304_and_writes_nothing(server, vault):
    serve_articles(server)
    serve_feed(server, ["feed-one", "feed-two"])
    config = feed_config(server)

    first = ingest(config, vault)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in vault.rglob("*.md")}
    requests_before = len(server.requests)
    second = ingest(config, vault)

    assert first.counts["written"] == 2 and first.failures == []
    assert [p for p, _ in server.requests[:requests_before]].count("/robots.txt") == 1
    assert {fm["source"] for fm in frontmatters(vault)} == {"Example Blog"}
    digest = next((vault / "digests").glob("Digest *.md")).read_text(encoding="utf-8")
    assert "## Example Blog" in digest and "[[Evaluations are the real product|" in digest
    assert second.items == [] and second.topic_notes_written == 0
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in vault.rglob("*.md")} == before
    [(path, headers)] = [r for r in server.requests[requests_before:] if r[0] != "/robots.txt"]
    assert path == "/feed.xml" and headers["If-None-Match"] == '"feed-one+feed-two"'


def test_a_poll_that_finds_nothing_new_and_fails_nothing_leaves_no_run_report(server, vault):
    serve_articles(server)
    serve_feed(server, ["feed-one"])
    config = feed_config(server)
    ingest(config, vault)
    folder = vault / ".gleaner" / "reports"
    reports = {p: p.stat().st_mtime_ns for p in folder.glob("run-*.json")}

    second = ingest(config, vault)

    assert second.items == [] and len(reports) == 1
    assert {p: p.stat().st_mtime_ns for p in folder.glob("run-*.json")} == reports


def test_only_the_new_item_of_a_feed_is_processed(server, vault):
    serve_articles(server)
    serve_feed(server, ["feed-one"])
    ingest(feed_config(server), vault)
    serve_feed(server, ["feed-two", "feed-one"])

    report = ingest(feed_config(server), vault)

    assert [(item.location, item.status) for item in report.items] == [
        (server.url("/articles/feed-two"), "written")]


def test_newsletters_in_an_mbox_become_issue_notes_and_notes_of_their_articles(
        server, vault, tmp_path):
    serve_articles(server)
    server.routes["/articles/batch-robotics?id=7"] = server.routes["/articles/batch-robotics"]
    mbox = newsletters_mbox(tmp_path, server.base)
    config = Config(fetch=FetchConfig(host_delay=0.0, timeout=5.0, retries=0,
                                      allow_private_from_newsletters=True),
                    subscriptions=(Subscription("", "newsletter", path=mbox),))

    report = ingest(config, vault)

    assert report.failures == []
    by_title = {fm["title"]: fm for fm in frontmatters(vault)}
    assert {title: fm["source"] for title, fm in by_title.items()} == {
        "Data Elixir - Issue 500": "Data Elixir",
        "The Batch: issue 280": "The Batch",
        "Import AI 400: scaling laws, again": "Jack Clark",
        "Things we learned about LLMs in 2024": "Data Elixir",
        "The DeepSeek v3 technical report": "Data Elixir",
        "Robots that fold laundry": "The Batch",
        "Scaling laws hold up again": "Jack Clark",
    }
    assert {fm["type"] for fm in by_title.values()} == {"Content"}
    assert by_title["Data Elixir - Issue 500"]["link"] == "https://dataelixir.example/issues/500"
    assert list(validate_vault(vault)) == []
    assert ingest(config, vault).items == []


def test_newsletter_links_to_loopback_are_refused_by_default_and_reported(server, tmp_path):
    serve_articles(server)
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "importai.eml").write_bytes(import_ai(server.base))
    config = tmp_path / "gleaner.toml"
    config.write_text('[fetch]\nhost_delay = 0\n\n[[subscriptions]]\npath = "mail"\n',
                      encoding="utf-8")
    vault = tmp_path / "vault"

    result = CliRunner().invoke(main, ["ingest", "--config", str(config), "--vault", str(vault)])

    link = server.url("/articles/import-ai-scaling")
    assert result.exit_code == EXIT_ITEMS_FAILED
    assert f"FAILED {link}: refused: 127.0.0.1 is a private address" in result.output
    assert "1 notes written" in result.output
    [saved] = (vault / ".gleaner" / "reports").glob("run-*.json")
    report = json.loads(saved.read_text(encoding="utf-8"))
    assert report["counts"]["failed"] == 1
    assert [i["location"] for i in report["items"] if i["status"] == "failed"] == [link]


def test_failures_lists_failed_items_and_run_retry_failed_retries_them(server, tmp_path):
    serve_articles(server)
    server.routes["/flaky"] = Response("down", status=404, content_type="text/plain")
    vault = str(tmp_path / "vault")
    runner = CliRunner()
    runner.invoke(main, ["run", server.url("/articles/feed-one"), server.url("/flaky"),
                         "--vault", vault])

    listed = runner.invoke(main, ["failures", "--vault", vault])
    title, paragraphs = ARTICLES["feed-two"]
    server.routes["/flaky"] = Response(article_page(title, paragraphs))
    retried = runner.invoke(main, ["run", "--retry-failed", "--vault", vault])

    assert f"{server.url('/flaky')}: HTTP 404 Not Found" in listed.output
    assert retried.exit_code == EXIT_OK
    assert "1 notes written, 0 updated, 0 unchanged, 0 failed" in retried.output
    assert "0 failed items" in runner.invoke(main, ["failures", "--vault", vault]).output


def test_ingest_without_subscriptions_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["ingest", "--vault", str(tmp_path)])
    assert result.exit_code == EXIT_USAGE
    assert "no [[subscriptions]] in the config" in result.output


def test_run_reads_the_items_of_a_feed_listed_in_an_opml_file(server, vault, tmp_path):
    serve_articles(server)
    serve_feed(server, ["feed-one", "feed-two"])
    listing = tmp_path / "subscriptions.opml"
    listing.write_text(f'<opml version="2.0"><body><outline type="rss" text="Example Blog" '
                       f'xmlUrl="{server.url("/feed.xml")}"/></body></opml>', encoding="utf-8")

    report = run(read_sources([str(listing)]), feed_config(server), vault)

    assert report.counts["written"] == 2
    assert {fm["source"] for fm in frontmatters(vault)} == {"Example Blog"}


# processes ------------------------------------------------------------------------------------


def write_config(path: Path, server) -> Path:
    path.write_text(f'[fetch]\nhost_delay = 0\nretries = 0\n\n[[subscriptions]]\n'
                    f'name = "Example Blog"\nurl = "{server.url("/feed.xml")}"\n',
                    encoding="utf-8")
    return path


def gleaner(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


ARTICLE_MACHINERY = ["anyio", "asyncio", "courlan", "feedparser", "httpx", "jinja2",
                     "jsonschema", "rich", "spacy", "trafilatura", "yaml"]


def test_a_poll_that_finds_nothing_new_loads_none_of_the_article_machinery(server, tmp_path):
    """Cron polls every few minutes, and nearly always finds nothing: that poll must stay a
    conditional request per feed, not the start-up of the whole pipeline."""
    serve_feed(server, [])
    config = write_config(tmp_path / "gleaner.toml", server)
    args = ["ingest", "--config", str(config), "--vault", str(tmp_path / "vault")]
    probe = ("import json, sys\nfrom pipeline.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             f"print(json.dumps([m for m in {ARTICLE_MACHINERY!r} if m in sys.modules]), "
             "file=sys.stderr)\n")

    loaded = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=REPO,
                              capture_output=True, text=True, timeout=60, check=True)
        loaded.append(json.loads(done.stderr.splitlines()[-1]))

    assert {"jsonschema", "httpx"} <= set(loaded[0])  # the first poll reads the feed in full
    assert loaded[1] == []  # the config is remembered; the feed's 304 needs no httpx


def test_two_ingests_started_together_one_runs_and_one_exits_3(server, tmp_path):
    serve_articles(server, delay=1.0)
    serve_feed(server, ["feed-one"])
    config = write_config(tmp_path / "gleaner.toml", server)
    args = ("ingest", "--config", str(config), "--vault", str(tmp_path / "vault"))

    first, second = gleaner(*args), gleaner(*args)
    results = sorted((p.wait(timeout=120), p.stderr.read()) for p in (first, second))
    for process in (first, second):
        process.stdout.close()
        process.stderr.close()

    (ran, _), (refused, message) = results
    assert (ran, refused) == (EXIT_OK, EXIT_LOCKED)
    assert "error: another Gleaner run" in message and "is using the vault" in message


def test_sigkill_in_the_middle_then_rerun_leaves_exactly_the_notes_of_a_clean_run(
        server, tmp_path):
    serve_articles(server, delay=0.5)
    slugs = ["llms-2024", "deepseek-v3", "batch-robotics", "import-ai-scaling", "feed-one"]
    serve_feed(server, slugs)
    config = write_config(tmp_path / "gleaner.toml", server)
    killed, clean = tmp_path / "killed", tmp_path / "clean"

    process = gleaner("ingest", "--config", str(config), "--vault", str(killed))
    deadline = time.monotonic() + 60
    while not list(killed.glob("*.md")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    process.stderr.close()
    partial = notes(killed)
    for vault in (killed, clean):
        done = subprocess.run([sys.executable, "-m", "pipeline", "ingest", "--config",
                               str(config), "--vault", str(vault)], cwd=REPO,
                              capture_output=True, text=True, check=False)
        assert done.returncode == EXIT_OK, done.stderr

    assert 0 < len([p for p in partial if "/" not in p]) < len(slugs)
    assert notes(killed) == notes(clean)
    assert len([p for p in notes(clean) if "/" not in p]) == len(slugs)
    assert list(validate_vault(killed)) == []


def test_the_lock_names_the_process_holding_it(tmp_path):
    holder = rf"another Gleaner run \(pid {os.getpid()}\)"
    with VaultLock(tmp_path / ".gleaner"), pytest.raises(LockedError, match=holder):
        VaultLock(tmp_path / ".gleaner").__enter__()
    with VaultLock(tmp_path / ".gleaner"):
        pass  # released on exit: the next run gets it


def test_an_imap_newsletter_becomes_notes_and_its_note_links_the_kept_mail(
        server, vault, monkeypatch):
    serve_articles(server)
    imap = LoopbackImap([import_ai(server.base)])
    monkeypatch.setenv("GLEANER_TEST_IMAP", "s3cret")
    config = config_from_dict({
        "fetch": {"host_delay": 0, "allow_private_from_newsletters": True},
        "subscriptions": [{"name": "Import AI", "imap": {
            "host": "127.0.0.1", "port": imap.port, "ssl": False, "user": "me",
            "password_env": "GLEANER_TEST_IMAP", "folder": "Newsletters"}}]})
    try:
        first = ingest(config, vault)
        second = ingest(config, vault)
    finally:
        imap.close()

    assert first.counts["written"] == 2 and first.failures == []
    issue = next(fm for fm in frontmatters(vault) if fm["title"].startswith("Import AI 400"))
    kept = Path(issue["link"].removeprefix("file://"))
    assert kept.parent == vault / ".gleaner" / "mail" and kept.read_bytes().startswith(b"From:")
    assert {fm["source"] for fm in frontmatters(vault)} == {"Import AI"}
    assert second.items == []
    assert [c for c in imap.commands if c.endswith("(BODY.PEEK[])")] == [
        "UID FETCH 1 (BODY.PEEK[])"]


def test_ingest_and_failures_have_help_text():
    for command in ("ingest", "failures"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
    assert "--retry-failed" in CliRunner().invoke(main, ["run", "--help"]).output


def test_the_subscriptions_example_in_the_help_is_a_valid_config():
    text = CliRunner().invoke(main, ["ingest", "--help"]).output
    example = text[text.index("[[subscriptions]]"):text.index("Only items")]
    config = config_from_dict(tomllib.loads(textwrap.dedent(example)))
    assert [(s.kind, bool(s.url), bool(s.path), bool(s.imap)) for s in config.subscriptions] == [
        ("feed", True, False, False), ("newsletter", True, False, False),
        ("newsletter", False, True, False), ("newsletter", False, False, True)]
