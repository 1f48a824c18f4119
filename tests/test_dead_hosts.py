"""Reading lists and feeds full of dead hosts: every run ends, every URL gets its reason,
and the good pages among them still become notes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import ingest, run
from pipeline.config import Config, FetchConfig, load_config
from pipeline.records import Source

from .conftest import article_page, realistic_paragraphs
from .server import Response

GLEANER = [sys.executable, "-m", "pipeline"]
TWO_MINUTES = 120


def refused(port: int, count: int) -> list[str]:
    return [f"http://127.0.0.1:{port}/p/{n}" for n in range(1, count + 1)]


def unresolvable(count: int) -> list[str]:
    return [f"http://news.invalid/p/{n}" for n in range(1, count + 1)]


def good_pages(server, count: int) -> list[str]:
    """Distinct real articles (the same text twice would be one article, one note)."""
    paragraphs = realistic_paragraphs()
    for n in range(count):
        server.routes[f"/good/{n}"] = Response(article_page(
            f"Good page {n}", paragraphs[6 * n:6 * n + 6]))
    return [server.url(f"/good/{n}") for n in range(count)]


def gleaner_run(reading_list: Path, vault: Path) -> subprocess.CompletedProcess:
    """The command as a person or cron runs it, with the default configuration."""
    return subprocess.run([*GLEANER, "run", str(reading_list), "--vault", str(vault)],
                          capture_output=True, text=True, timeout=TWO_MINUTES, check=False)


@pytest.mark.parametrize("dead", ["refused", "unresolvable"])
def test_twenty_urls_on_one_dead_host_end_with_twenty_failures(tmp_path, free_port, dead):
    urls = refused(free_port, 20) if dead == "refused" else unresolvable(20)
    reading_list = tmp_path / "list.txt"
    reading_list.write_text("\n".join(urls) + "\n", encoding="utf-8")

    done = gleaner_run(reading_list, tmp_path / "vault")

    assert done.returncode == 1
    assert done.stderr.count("FAILED ") == 20
    assert "0 notes written" in done.stdout


def test_dead_hosts_first_and_good_pages_after_them_end_with_every_item_accounted_for(
        server, tmp_path, free_port):
    urls = refused(free_port, 25) + unresolvable(25) + good_pages(server, 5)
    reading_list = tmp_path / "list.txt"
    reading_list.write_text("\n".join(urls) + "\n", encoding="utf-8")

    done = gleaner_run(reading_list, tmp_path / "vault")

    failed = [line for line in done.stderr.splitlines() if line.startswith("FAILED ")]
    assert done.returncode == 1
    assert "5 notes written" in done.stdout
    assert len(failed) == 50
    assert all("refused the connection" in line or "host unreachable" in line
               for line in failed if f":{free_port}/" in line)
    assert all("does not resolve" in line or "host unreachable" in line
               for line in failed if "news.invalid" in line)


def test_a_dead_host_costs_one_attempt_per_url_and_fails_the_rest_at_once(
        tmp_path, free_port):
    config = Config(fetch=FetchConfig(host_delay=0.0, retries=5, backoff=5.0), workers=0)

    report = run([Source(url, "list") for url in refused(free_port, 30)], config,
                 tmp_path / "vault")

    reasons = [item.detail for item in report.items]
    assert len(reasons) == 30 and report.counts["failed"] == 30
    assert all("after" not in reason for reason in reasons)  # no retries
    assert sum(reason.startswith("host unreachable: 3 failures in a row") for reason in reasons) \
        >= 30 - 3 - config.fetch.per_host


def test_a_feed_whose_items_point_at_a_dead_name_is_ingested_to_the_end(server, tmp_path):
    items = "".join(f"<item><title>Item {n}</title><link>http://news.invalid/p/{n}</link>"
                    f"<guid>item-{n}</guid></item>" for n in range(20))
    server.routes["/feed.xml"] = Response(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{items}'
        "</channel></rss>", content_type="application/rss+xml")
    config_file = tmp_path / "gleaner.toml"
    config_file.write_text(f'[[subscriptions]]\nname = "News"\nurl = "{server.url("/feed.xml")}"\n',
                           encoding="utf-8")

    report = ingest(load_config(config_file), tmp_path / "vault")

    assert report.counts["failed"] == 20
    assert all("news.invalid" in item.detail or "host unreachable" in item.detail
               for item in report.failures)
