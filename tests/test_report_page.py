"""`gleaner report`: the HTML page about the vault, on the demo vault after several runs, some
of whose items failed in different ways; and the page as a person sees it, in headless
Chromium (Debian's `chromium`, driven by Playwright).

Set GLEANER_SCREENSHOTS to a folder to keep the screenshots (the README's comes from here).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_USAGE, main
from pipeline.report import ItemResult, RunReport
from pipeline.views.vault_history import host_of, read_history, reason_kind

from .conftest import article_page
from .server import Response

CHROMIUM = os.environ.get("GLEANER_CHROMIUM") or shutil.which("chromium")
CHART_IDS = ("runs", "failure-reasons", "failure-hosts", "sources", "topics", "relevance",
             "reading-time", "read")
CONFIG = """\
[fetch]
host_delay = 0.0
timeout = 2.0
retries = 1
backoff = 0.05
host_failures = 10
"""
NEW_ARTICLE = [
    "Our team moved the nightly evaluation of GPT-4o and Llama 3.1 to a smaller cluster this "
    "autumn, and the numbers changed less than anyone on the platform group expected.",
    "The cost per run fell by a third once the batch jobs were packed onto fewer machines, "
    "while the time to a full report grew by only a few minutes on an ordinary night.",
    "Anthropic and Mistral AI both publish evaluation notes that we compared against our "
    "own, and the differences came mostly from how each of us counts a partial answer.",
    "We will keep the smaller cluster for now and look again in spring, when the new "
    "hardware budget is settled and the benchmarks we rely on have had their next release.",
]
RECOVERED_ARTICLE = [
    "For most of a Tuesday the support desk answered customers from memory, because the "
    "ticket system was down and nobody had printed the week's open cases.",
    "Google and Microsoft both sell status pages, but ours lived on the same servers as the "
    "tickets, so it went dark at the very moment people needed it most.",
    "Since then the desk keeps a plain list of open cases on a shared drive, refreshed every "
    "hour, and a phone tree that names who calls whom when the tools are gone.",
    "The next drill is in March; the desk wants to see whether a new hire can find the list "
    "without being told where it is, which is the real test of any plan like this.",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gleaner(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output  # 1: some items failed, as meant
    return result.output


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo vault after three runs: the demo itself; a reading list with a new article, a
    404, a 500, a 410, an unresolvable host and a refused port; the same again with
    --retry-failed once the 500 has recovered. A run report that is not JSON and a note with
    broken frontmatter are there too."""
    from .server import LoopbackServer

    root = tmp_path_factory.mktemp("report")
    vault = root / "notes"
    gleaner("demo", "--vault", str(vault), "--port", str(free_port()))
    (root / "gleaner.toml").write_text(CONFIG, encoding="utf-8")
    with LoopbackServer() as server:
        server.routes["/posts/evaluation-cluster"] = Response(
            article_page("Moving our evaluations to a smaller cluster", NEW_ARTICLE))
        server.routes["/posts/moved"] = Response("gone", status=404)
        server.routes["/posts/busy"] = Response("busy", status=500)
        server.routes["/posts/withdrawn"] = Response("withdrawn", status=410)
        reading_list = root / "list.txt"
        reading_list.write_text("\n".join([
            server.url("/posts/evaluation-cluster"), server.url("/posts/moved"),
            server.url("/posts/busy"), server.url("/posts/withdrawn"),
            "http://newsletter.invalid/issue-7", f"http://127.0.0.1:{free_port()}/refused",
        ]) + "\n", encoding="utf-8")
        run = ("run", "--vault", str(vault), "--config", str(root / "gleaner.toml"))
        gleaner(*run, str(reading_list))
        server.routes["/posts/busy"] = Response(article_page(
            "What the outage taught the support desk", RECOVERED_ARTICLE))
        gleaner(*run, "--retry-failed")
    (vault / ".gleaner" / "reports" / "run-broken.json").write_text("{not json",
                                                                   encoding="utf-8")
    (vault / "Broken note.md").write_text("---\ntitle: [unclosed\n---\nText.\n",
                                          encoding="utf-8")
    return vault


@pytest.fixture(scope="module")
def report(demo_vault: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("page") / "report.html"
    output = gleaner("report", "--vault", str(demo_vault), "--out", str(out))
    return out, output


class PageParts(HTMLParser):
    """What the page is made of: its elements, the attributes that load something, its
    charts' ids, and the text of each chart's title and description."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.loads: list[str] = []
        self.figures: list[str] = []
        self.labels: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        found = dict(attrs)
        self.loads += [value or "" for name, value in attrs
                       if name in ("src", "href", "xlink:href") and not (value or "#")
                       .startswith("#")]
        if tag == "figure":
            self.figures.append(found.get("id") or "")
        if tag in ("title", "desc") and found.get("id"):
            self._in = found["id"]

    def handle_data(self, data: str) -> None:
        if self._in:
            self.labels[self._in] = self.labels.get(self._in, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def page_parts(page: Path) -> PageParts:
    parts = PageParts()
    parts.feed(page.read_text(encoding="utf-8"))
    return parts


def test_report_says_what_it_read(report):
    _, output = report
    assert "5 article notes, 3 runs, 4 failing now" in output


def test_the_page_loads_nothing_and_runs_no_script(report):
    parts = page_parts(report[0])
    assert parts.tags["script"] == 0
    assert parts.tags["link"] == 0 and parts.tags["img"] == 0 and parts.tags["iframe"] == 0
    assert parts.loads == []
    assert "@import" not in report[0].read_text(encoding="utf-8")


def test_every_chart_is_drawn_with_a_title_and_alt_text_in_figures(report):
    parts = page_parts(report[0])
    assert tuple(parts.figures) == CHART_IDS
    for name in CHART_IDS:
        assert parts.labels[f"{name}-title"].strip()
        assert any(ch.isdigit() for ch in parts.labels[f"{name}-desc"])
    assert "3 runs that changed something" in parts.labels["runs-desc"]
    assert "HTTP 404" in parts.labels["failure-reasons-desc"]
    assert "newsletter.invalid 2" in parts.labels["failure-hosts-desc"]


def test_no_two_charts_share_an_id(report):
    text = report[0].read_text(encoding="utf-8")
    ids = Counter(part.split('"', 1)[0] for part in text.split(' id="')[1:])
    assert [name for name, count in ids.items() if count > 1] == []


def test_the_page_lists_what_is_failing_now_and_what_it_could_not_read(report):
    text = report[0].read_text(encoding="utf-8")
    for failing in ("/posts/moved", "/posts/withdrawn", "newsletter.invalid/issue-7",
                    "/refused"):
        assert failing in text
    assert "/posts/busy</code>" not in text  # it recovered on the retry
    assert "run-broken.json" in text and "Broken note.md" in text


def test_history_counts_the_vaults_articles_runs_and_failures(demo_vault):
    history = read_history(demo_vault)
    assert [(r.written, r.failed) for r in history.runs] == [(3, 0), (1, 5), (1, 4)]
    assert sum(history.failure_reasons.values()) == 9
    assert history.failure_hosts["newsletter.invalid"] == 2
    assert {a.source for a in history.articles} >= {"reading-list", "list"}
    assert all(a.minutes and a.minutes > 0 for a in history.articles)


@pytest.mark.parametrize(("reason", "kind"), [
    ("HTTP 404 Not Found", "HTTP 404 Not Found"),
    ("HTTP 500 Internal Server Error", "HTTP 500 Internal Server Error"),
    ("HTTP 503 Service Unavailable (after 2 retries)", "HTTP 503 Service Unavailable"),
    ("HTTP 403: not fetching from a host that refuses", "HTTP 403"),
    ("network error: [Errno -2] Name or service not known", "network error"),
    ("timed out after 20 s: http://x.example/", "timed out after N s"),
])
def test_like_failures_count_together_without_their_particulars(reason, kind):
    assert reason_kind(reason) == kind


def test_runs_finishing_in_the_same_second_keep_a_run_report_each(tmp_path):
    """The page counts failures from the run reports: one must never replace another."""
    reports = [RunReport(finished="2026-01-05T10:00:00+00:00",
                         items=[ItemResult(f"https://a.example/{n}", "failed", "HTTP 404")])
               for n in range(3)]
    paths = [report.save(tmp_path) for report in reports]
    assert sorted(paths) == paths and len(set(paths)) == 3
    assert [json.loads(path.read_text(encoding="utf-8"))["items"][0]["location"]
            for path in paths] == [f"https://a.example/{n}" for n in range(3)]


@pytest.mark.parametrize(("location", "host"), [
    ("https://blog.example.com/a?b=1", "blog.example.com"),
    ("/home/ada/reading/notes.txt", "local files"),
    ("file:///home/ada/x.html", "local files"),
    ("mailbox:inbox/42", "(the vault's own notes)"),
])
def test_failures_are_counted_by_the_host_they_came_from(location, host):
    assert host_of(location) == host


def test_report_on_a_folder_gleaner_never_ran_on_says_so(tmp_path):
    result = CliRunner().invoke(main, ["report", "--vault", str(tmp_path),
                                       "--out", str(tmp_path / "r.html")])
    assert result.exit_code == EXIT_USAGE
    assert "no Gleaner state" in result.output and str(tmp_path) in result.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_in_chromium_the_page_has_no_errors_and_every_chart_is_drawn(report, scheme,
                                                                      tmp_path):
    from playwright.sync_api import sync_playwright

    page_url = report[0].resolve().as_uri()
    problems: list[str] = []
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900},
                                    color_scheme=scheme)
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: requested.append(r.url))
            page.goto(page_url, wait_until="load")
            colours = {}
            for name in CHART_IDS:
                chart = page.locator(f"figure#{name} svg")
                box = chart.bounding_box()
                assert box and box["width"] > 600 and box["height"] > 150, name
                shot = tmp_path / f"{name}.png"
                chart.screenshot(path=str(shot))
                colours[name] = distinct_colours(shot)
            text_colour = page.evaluate(
                "getComputedStyle(document.querySelector('figure#runs svg text')).fill")
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            keep = os.environ.get("GLEANER_SCREENSHOTS")
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(keep) / f"report-{scheme}.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert requested == [page_url]
    drawn_in = {"light": ("rgb(255, 255, 255)", "rgb(31, 35, 40)"),
                "dark": ("rgb(13, 17, 23)", "rgb(230, 237, 243)")}
    assert (background, text_colour) == drawn_in[scheme]
    assert {name: n for name, n in colours.items() if n < 4} == {}


def distinct_colours(png: Path) -> int:
    """Colours in a screenshot: a chart that drew nothing is one flat background."""
    from PIL import Image

    with Image.open(png) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ())

