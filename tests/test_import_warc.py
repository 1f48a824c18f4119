"""Web archives written by warcio: HTML captures become notes at their capture date, with
no request; revisits, duplicates, errors and non-HTML records are counted; a cut-off record
is named; WACZ bundles; shards by byte range; and a WARC import killed with SIGKILL and run
again ends with the notes of a clean import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from pipeline.config import Config
from pipeline.import_run import ImportOptions, import_exports
from pipeline.records import SavedItem
from pipeline.sources.exports.warc import read_warc
from pipeline.vault.validate import validate_vault

from .conftest import REPO
from .import_fixtures import article_notes, distinct_pages, http_record, revisit_record

pytestmark = pytest.mark.timeout(240)


def write_warc(path: Path, pages: int, offset: int = 0, faults: bool = True) -> list[str]:
    """A gzipped WARC of `pages` distinct articles (and, with faults, every other kind of
    record); the articles' URLs."""
    urls = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number, (_, page) in enumerate(distinct_pages(pages, offset)):
            url = f"https://archived.invalid/post/{offset + number}"
            urls.append(url)
            http_record(writer, url, page.encode(), date=f"2024-03-{number % 28 + 1:02d}"
                                                              "T10:00:00Z")
            if faults and number == 0:
                revisit_record(writer, url)
                http_record(writer, url, page.encode() + b" ", date="2024-04-01T00:00:00Z")
                http_record(writer, url + "?copy", page.encode())  # same payload
                http_record(writer, "https://archived.invalid/logo.png", b"\x89PNG",
                            content_type="image/png")
                http_record(writer, "https://archived.invalid/missing", b"gone",
                            status="404 Not Found")
                http_record(writer, "https://archived.invalid/moved", b"",
                            status="301 Moved Permanently")
    return urls


def test_warc_captures_become_notes_at_their_capture_date_without_a_request(
        tmp_path: Path, vault: Path, fast_config: Config):
    archive = tmp_path / "crawl.warc.gz"
    urls = write_warc(archive, 3)
    report = import_exports([archive], fast_config, vault, options=ImportOptions())
    notes = article_notes(vault)
    assert set(notes) == set(urls)
    assert [notes[url].frontmatter["saved"] for url in urls] == \
        ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert notes[urls[0]].frontmatter["source"] == "crawl"
    assert report.not_articles == {"duplicate capture": 2, "error response": 1,
                                   "not HTML": 1, "redirect": 1, "revisit": 1}
    assert "6 archive records skipped" in report.summary_line()
    assert report.counts["written"] == 3 and not report.failures
    assert list(validate_vault(vault)) == []


def test_a_cut_off_record_is_named_and_the_captures_before_it_are_kept(
        tmp_path: Path, vault: Path, fast_config: Config):
    archive = tmp_path / "cut.warc.gz"
    urls = write_warc(archive, 3, faults=False)
    whole = archive.read_bytes()
    archive.write_bytes(whole[:len(whole) - 200])
    report = import_exports([archive], fast_config, vault)
    assert set(article_notes(vault)) == set(urls[:2])
    [failure] = report.failures
    assert failure.location.startswith("cut.warc.gz record at byte ")
    assert "cut off" in failure.detail


def test_a_wacz_bundle_and_a_shard_by_byte_range(tmp_path: Path, vault: Path,
                                                 fast_config: Config):
    archive = tmp_path / "data.warc.gz"
    urls = write_warc(archive, 4, offset=10, faults=False)
    offsets = [int(item.where.rsplit(" ", 1)[1]) for item in read_warc(archive)
               if isinstance(item, SavedItem)]
    shard = [item.url for item in read_warc(archive, offsets[1], offsets[3])]
    assert shard == urls[1:3]
    bundle = tmp_path / "site.wacz"
    with zipfile.ZipFile(bundle, "w") as wacz:
        wacz.writestr("datapackage.json", '{"profile": "data-package", "resources": []}')
        wacz.write(archive, "archive/data.warc.gz")
        wacz.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0"}\n')
    import_exports([bundle], fast_config, vault)
    notes = article_notes(vault)
    assert set(notes) == set(urls) and notes[urls[0]].frontmatter["source"] == "site"


def notes_of(vault: Path) -> dict[str, str]:
    return {path.relative_to(vault).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(vault.rglob("*.md"))}


def importer(archive: Path, vault: Path, config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "import", str(archive), "--vault", str(vault),
         "--config", str(config)], cwd=REPO, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_warc_import_killed_with_sigkill_is_finished_by_the_next_with_a_clean_imports_notes(
        tmp_path: Path):
    archive = tmp_path / "crawl.warc.gz"
    write_warc(archive, 40, offset=20)
    config = tmp_path / "gleaner.toml"
    config.write_text("workers = 0\n", encoding="utf-8")
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert importer(archive, clean, config).wait(timeout=120) == 0
    for _ in range(3):  # each run killed once it has written a few notes of its own
        written_before = len(list(killed.glob("*.md")))
        process = importer(archive, killed, config)
        deadline = time.monotonic() + 60
        while len(list(killed.glob("*.md"))) < written_before + 4 and process.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert len(article_notes(killed)) < 40  # the kills left work for the last run
    assert importer(archive, killed, config).wait(timeout=120) == 0
    assert notes_of(killed) == notes_of(clean)
    assert list(validate_vault(killed)) == []
    assert not list((killed / ".gleaner" / "tmp").glob("*"))
