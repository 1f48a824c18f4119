"""A run killed at any moment leaves a valid vault, and the next run completes it.

The random-kill test runs `python -m pipeline run` as a subprocess over 50 articles served by
a loopback server in this process and SIGKILLs it after a random delay, again and again,
while the articles keep changing. The deterministic tests stop a run at the one moment that
matters most: after a note file is written and before the state records it.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline import orchestrator, run
from pipeline.sources.lists import read_sources
from pipeline.vault.files import STATE_DIR, TEMP_DIR, Vault
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.validate import validate_vault

from .conftest import AI_PARAGRAPHS, article_page, realistic_paragraphs
from .server import LoopbackServer, Response

KILLS = 20
ARTICLES = 50
PARAGRAPHS_PER_ARTICLE = 6
REVISED_PER_RUN = ARTICLES // 2
EMBED = re.compile(r"!\[\[(topics/[^\]]+)\]\]")


@dataclass
class Site:
    """50 articles with disjoint paragraphs; `revise` changes some of them as a site would."""

    server: LoopbackServer
    paragraphs: list[list[str]]
    revision: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.revision = [0] * len(self.paragraphs)
        for index in range(len(self.paragraphs)):
            self._serve(index)

    def path(self, index: int) -> str:
        return f"/{2024 - index % 3}/articles/{index:02d}"

    def url(self, index: int) -> str:
        return self.server.url(self.path(index))

    def title(self, index: int) -> str:
        words = " ".join(self.paragraphs[index][0].split()[:7]).rstrip(",.;:")
        return f"{words} (rev {self.revision[index]})" if self.revision[index] else words

    def revision_link(self, index: int) -> str:
        return f"https://example.org/follow-ups/{index}/{self.revision[index]}"

    def revise(self, indexes: list[int], revision: int) -> None:
        for index in indexes:
            self.revision[index] = revision
            self._serve(index)

    def _serve(self, index: int) -> None:
        paragraphs = list(self.paragraphs[index])
        if self.revision[index]:
            paragraphs.append(f'An <a href="{self.revision_link(index)}">update from the '
                              f"editors</a> corrects two figures quoted above in revision "
                              f"{self.revision[index]} of this article.")
        self.server.routes[self.path(index)] = Response(article_page(self.title(index),
                                                                     paragraphs))


@pytest.fixture
def site(server: LoopbackServer) -> Site:
    paragraphs = realistic_paragraphs()
    random.Random(6).shuffle(paragraphs)
    groups = [paragraphs[i * PARAGRAPHS_PER_ARTICLE:(i + 1) * PARAGRAPHS_PER_ARTICLE]
              for i in range(ARTICLES)]
    assert len(groups[-1]) == PARAGRAPHS_PER_ARTICLE
    return Site(server, groups)


def gleaner_run(reading_list: Path, vault: Path, config: Path, logs: Path) -> subprocess.Popen:
    with logs.open("a") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", str(reading_list), "--vault", str(vault),
             "--config", str(config)],
            stdout=log, stderr=log, cwd=reading_list.parent)


def full_run_seconds(reading_list: Path, vault: Path, config: Path, logs: Path) -> float:
    """How long a whole run of the list takes on this machine (spaCy's start-up included):
    kill delays are spread over that span, so they land in start-up, mid-run and topic
    notes however fast the machine is."""
    started = time.monotonic()
    assert gleaner_run(reading_list, vault, config, logs).wait(timeout=120) == 0
    return time.monotonic() - started


def note_files(vault: Path) -> list[Path]:
    return [p for p in vault.rglob("*.md") if not p.relative_to(vault).parts[0].startswith(".")]


def assert_vault_sound(vault: Path, urls: set[str]) -> list[Path]:
    """Valid notes only, no partial or temp file among them, at most one note per article."""
    assert list(validate_vault(vault)) == []
    leftovers = [p for p in vault.rglob("*.tmp") if STATE_DIR not in p.relative_to(vault).parts]
    assert leftovers == []
    articles = []
    for path in note_files(vault):
        frontmatter, _ = split_frontmatter(path.read_text(encoding="utf-8"))
        assert frontmatter.get("type") in ("Content", "Topic"), f"partial note {path}"
        if frontmatter["type"] == "Content":
            articles.append(frontmatter["link"])
    assert len(articles) == len(set(articles)), "a duplicate note"
    assert set(articles) <= urls
    with sqlite3.connect(vault / STATE_DIR / "state.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return articles


def assert_vault_complete(vault: Path, site: Site) -> None:
    by_link = {}
    for path in note_files(vault):
        frontmatter, body = split_frontmatter(path.read_text(encoding="utf-8"))
        if frontmatter["type"] == "Content":
            by_link[frontmatter["link"]] = (frontmatter, body)
            for target in EMBED.findall(body):
                assert (vault / f"{target}.md").is_file(), f"{path.name} embeds missing {target}"
    assert sorted(by_link) == sorted(site.url(i) for i in range(ARTICLES))
    for index in range(ARTICLES):
        frontmatter, body = by_link[site.url(index)]
        assert frontmatter["title"] == site.title(index)
        if site.revision[index]:
            assert site.revision_link(index) in body
    assert list((vault / STATE_DIR / TEMP_DIR).glob("*")) == []


def test_sigkill_at_random_moments_never_breaks_or_duplicates_and_the_rerun_completes(
    site, tmp_path
):
    vault = tmp_path / "vault"
    reading_list = tmp_path / "reading-list.txt"
    reading_list.write_text("\n".join(site.url(i) for i in range(ARTICLES)) + "\n")
    config = tmp_path / "gleaner.toml"
    config.write_text("[fetch]\nhost_delay = 0\ntimeout = 5\nretries = 1\nbackoff = 0.05\n")
    logs = tmp_path / "runs.log"
    urls = {site.url(i) for i in range(ARTICLES)}
    full_run = full_run_seconds(reading_list, tmp_path / "timing", config, logs)
    rng = random.Random(20241231)
    kills = runs = 0
    started = time.monotonic()
    while kills < KILLS and runs < 3 * KILLS:
        runs += 1
        process = gleaner_run(reading_list, vault, config, logs)
        try:
            process.wait(timeout=rng.uniform(0.2, full_run))
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            kills += 1
        else:
            assert process.returncode == 0, logs.read_text()
        if vault.exists():
            assert_vault_sound(vault, urls)
        site.revise(rng.sample(range(ARTICLES), REVISED_PER_RUN), revision=runs)

    final = gleaner_run(reading_list, vault, config, logs)
    assert final.wait(timeout=120) == 0, logs.read_text()
    elapsed = time.monotonic() - started

    assert kills >= KILLS, f"only {kills} of {runs} runs were still going when killed"
    assert len(assert_vault_sound(vault, urls)) == ARTICLES
    assert_vault_complete(vault, site)
    assert "kept your edit" not in logs.read_text()
    check = subprocess.run([sys.executable, "-m", "pipeline", "validate", str(vault)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    print(f"\n{kills} kills in {runs} runs, {elapsed:.0f} s")


class Killed(BaseException):
    """Stands for SIGKILL: nothing in Gleaner catches it, nothing after it runs."""


def kill_after_first_note_write(monkeypatch: pytest.MonkeyPatch) -> None:
    class KilledAfterWrite(Vault):
        def write(self, relative: str, text: str) -> None:
            super().write(relative, text)
            if not relative.startswith("topics/"):
                raise Killed(relative)

    monkeypatch.setattr(orchestrator, "Vault", KilledAfterWrite)


def test_kill_between_writing_a_new_note_and_recording_it_leaves_no_twin(
    server, vault, fast_config, monkeypatch
):
    server.routes["/models"] = Response(article_page("Models of the year", AI_PARAGRAPHS))
    with monkeypatch.context() as patch:
        kill_after_first_note_write(patch)
        with pytest.raises(Killed):
            run(read_sources([server.url("/models")]), fast_config, vault)

    report = run(read_sources([server.url("/models")]), fast_config, vault)

    assert report.kept_edits == [] and report.counts["failed"] == 0
    assert [p.name for p in vault.glob("*.md")] == ["Models of the year.md"]
    assert list(validate_vault(vault)) == []


def test_kill_between_updating_a_note_and_recording_it_leaves_its_text_gleaners(
    server, vault, fast_config, monkeypatch
):
    """Without the snapshot committed before the write, the next run would take the text
    the killed run wrote for the person's edits and never refresh those parts again."""
    server.routes["/models"] = Response(article_page("Models of the year", AI_PARAGRAPHS))
    run(read_sources([server.url("/models")]), fast_config, vault)
    server.routes["/models"] = Response(article_page("Models of the year, revised",
                                                     AI_PARAGRAPHS[1:]))
    with monkeypatch.context() as patch:
        kill_after_first_note_write(patch)
        with pytest.raises(Killed):
            run(read_sources([server.url("/models")]), fast_config, vault)
    extra = ("Mistral AI answered with Mixtral 8x7B, a mixture of experts model that ran "
             "well on a single workstation.")
    server.routes["/models"] = Response(article_page("Models of the year, final",
                                                     [*AI_PARAGRAPHS, extra]))

    report = run(read_sources([server.url("/models")]), fast_config, vault)

    assert report.kept_edits == []
    [note] = vault.glob("*.md")
    frontmatter, body = split_frontmatter(note.read_text(encoding="utf-8"))
    assert frontmatter["title"] == "Models of the year, final"
    assert "![[topics/Model/Mixtral 8x7B]]" in body


def test_temp_file_left_by_a_killed_write_is_removed_by_the_next_run(
    server, vault, fast_config
):
    leftover = vault / STATE_DIR / TEMP_DIR / ".Models of the year.k3j9x2.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("---\ntitle: half a no", encoding="utf-8")
    server.routes["/models"] = Response(article_page("Models of the year", AI_PARAGRAPHS))

    run(read_sources([server.url("/models")]), fast_config, vault)

    assert not leftover.exists()
    assert list(vault.rglob("*.tmp")) == []
