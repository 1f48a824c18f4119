"""Shared fixtures: a loopback HTTP server, a temporary vault, realistic pages."""

from __future__ import annotations

import html
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings

from pipeline.config import Config, FetchConfig, RayConfig

from .server import LoopbackServer

REPO = Path(__file__).resolve().parents[1]
RAY_CPUS = 2  # the local Ray of the tests, as the issue asks

# CI must be reproducible: there, property tests replay the same examples every run. Locally
# they explore new ones, and a failure found that way is pinned with @example.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def cache_home(tmp_path_factory: pytest.TempPathFactory,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own user cache folder (remembered configs), never the person's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def fast_config() -> Config:
    """Defaults, minus the waiting that only matters against real sites, and with the CPU
    stages in the test process, which loads spaCy once for all tests (tests/test_parallel.py
    covers the worker processes)."""
    return Config(fetch=FetchConfig(host_delay=0.0, timeout=2.0, retries=1, backoff=0.05),
                  workers=0)


@pytest.fixture(scope="session")
def local_ray() -> Iterator[None]:
    """One real Ray for the session, with 2 CPUs: starting one costs seconds, and the
    machine is small. Tests of `--executor ray` ask for it (through `ray_config`)."""
    ray = pytest.importorskip("ray", reason="the ray extra: pip install 'gleaner[ray]'")
    ray.init(num_cpus=RAY_CPUS, include_dashboard=False, log_to_driver=False,
             object_store_memory=100 * 1024 * 1024, configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture
def ray_config(fast_config: Config, local_ray: None) -> Config:
    return replace(fast_config, executor="ray", ray=RayConfig(workers=RAY_CPUS))


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def article_page(
    title: str,
    paragraphs: list[str],
    author: str = "Ada Writer",
    published: str = "2024-11-05",
    site: str = "Example Tech Blog",
) -> str:
    """A realistic blog page: head metadata, nav, the article, share links, footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {site}</title>
<meta name="author" content="{html.escape(author)}">
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{published}T08:00:00Z">
</head><body>
<header><nav><a href="/">Home</a> <a href="/about">About</a>
<a href="/tags/ai">AI</a></nav></header>
<main><article>
<h1>{html.escape(title)}</h1>
<p class="byline">By {html.escape(author)} on {published}</p>
{body}
</article>
<div class="share"><a href="https://twitter.com/intent/tweet?url=x">Share on X</a></div>
</main>
<footer><a href="/privacy">Privacy</a> © 2024 {site}</footer>
</body></html>"""


AI_PARAGRAPHS = [
    "OpenAI released GPT-4o in May, and Anthropic answered with Claude 3.5 Sonnet a month "
    "later, which many developers now prefer for writing code.",
    "Meta kept shipping open weights: Llama 3.1 405B arrived in July and was, by most "
    "benchmarks, a real challenger to the proprietary frontier models.",
    "Alibaba's Qwen team released Qwen2.5-Coder-32B, a model small enough to run on a "
    "laptop that still writes competent code, according to a "
    '<a href="https://example.org/qwen-review">detailed review by independent testers</a>.',
    "DeepSeek v3 was trained for a fraction of the usual cost, which surprised analysts who "
    "had assumed that frontier training runs would stay out of reach for smaller labs.",
    "Synthetic data turned out to be a useful ingredient for training these models, and "
    "several labs described how they generate it at scale.",
]


def realistic_paragraphs() -> list[str]:
    """Distinct paragraphs of real articles (the tagging and summary sets, seeds left out)."""
    seen: dict[str, None] = {}
    for name in ("tagging/articles.jsonl", "summaries/references.jsonl"):
        for line in (REPO / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item["origin"].startswith("seed"):
                continue
            for paragraph in item["text"].split("\n\n"):
                if len(paragraph.split()) >= 25:
                    seen.setdefault(paragraph.strip())
    return list(seen)
