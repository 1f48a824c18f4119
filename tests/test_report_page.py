"""`gleaner report`: the HTML page about a vault, on the demo vault after several runs with
a mixture of failures, read as a person sees it, in headless Chromium (Debian's `chromium`)."""

from __future__ import annotations

import re
import shutil
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_USAGE, main
from pipeline.frontmatter import split_frontmatter
from pipeline.report_page import CHARTS
from pipeline.vault_history import read_history, reason_kind

from .conftest import AI_PARAGRAPHS, article_page
from .server import LoopbackServer, Response

CHROMIUM = Path("/usr/bin/chromium")
CONFIG = "workers = 0\n[fetch]\nhost_delay = 0.0\ntimeout = 2.0\nretries = 1\nbackoff = 0.05\n"
SVG = "{http://www.w3.org/2000/svg}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo vault, then three runs: one with a new article among a 404, a 503 and an
    unresolvable host; one with a picture, a missing file and the 404 again; and a retry of
    everything failing."""
    folder = tmp_path_factory.mktemp("report")
    vault, config = folder / "vault", folder / "gleaner.toml"
    config.write_text(CONFIG, encoding="utf-8")
    demo = CliRunner().invoke(main, ["demo", "--vault", str(vault), "--port", str(free_port())])
    assert demo.exit_code == 0, demo.output
    with LoopbackServer() as server:
        server.routes["/open-models"] = Response(article_page("Open models", AI_PARAGRAPHS))
        server.routes["/busy"] = Response("busy", status=503, content_type="text/plain")
        server.routes["/picture.png"] = Response(b"\x89PNG\r\n\x1a\n", content_type="image/png")
        runs = [[server.url("/open-models"), server.url("/missing"), server.url("/busy"),
                 "http://news.example.invalid/story"],
                [server.url("/picture.png"), str(folder / "gone.md"), server.url("/missing")],
                ["--retry-failed"]]
        for sources in runs:
            CliRunner().invoke(main, ["run", *sources, "--vault", str(vault),
                                      "--config", str(config)])
    return vault


@pytest.fixture(scope="module")
def report(demo_vault: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("page") / "report.html"
    result = CliRunner().invoke(main, ["report", "--vault", str(demo_vault), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def figures(page: str) -> dict[str, ET.Element]:
    """Each chart's <svg>, by its figure's id, parsed as XML (so it is well-formed)."""
    found = re.findall(r'<figure id="([\w-]+)">\n(<svg.*?</svg>)', page, flags=re.DOTALL)
    return {name: ET.fromstring(svg) for name, svg in found}


def test_report_counts_every_run_and_each_failure_by_reason_and_by_host(demo_vault):
    history = read_history(demo_vault)
    assert len(history.runs) == 4  # the demo's run and three more
    assert [run.written for run in history.runs] == [3, 1, 0, 0]
    assert history.failure_reasons == {"HTTP 404": 3, "HTTP 503": 2, "network error": 2,
                                       "not an article": 2, "cannot read a file": 2}
    server_host = next(host for host in history.failure_hosts if host.startswith("127.0.0.1"))
    assert history.failure_hosts == {server_host: 7, "news.example.invalid": 2,
                                     "local files": 2}
    assert len(history.failing_now) == 5


def test_report_page_draws_every_chart_with_a_title_and_alt_text_in_figures(report):
    page = report.read_text(encoding="utf-8")
    charts = figures(page)
    assert len(charts) == len(CHARTS)
    for name, svg in charts.items():
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{name}-title {name}-desc"
        assert title is not None and title.text
        assert desc is not None and re.search(r"\d", desc.text or "")
    assert "4 with relevance 5" in charts["relevance"].find(f"{SVG}desc").text
    assert "4 runs that changed something" in charts["runs"].find(f"{SVG}desc").text


def test_report_page_needs_no_network_and_no_script(report):
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#)""", page)
    assert "url(" not in page.replace("url(#", "")
    assert "@import" not in page


def test_report_lists_what_is_failing_now_with_its_reason(report):
    page = report.read_text(encoding="utf-8")
    failing = page[page.index("<h2>Failing now</h2>"):]
    assert "http://news.example.invalid/story" in failing
    assert "HTTP 503 Service Unavailable" in failing
    assert "gone.md" in failing


def test_report_counts_a_note_the_person_ticked_as_read(demo_vault, tmp_path):
    copy = tmp_path / "vault"
    shutil.copytree(demo_vault, copy)
    note = next(path for path in copy.glob("*.md")
                if split_frontmatter(path.read_text(encoding="utf-8"))[0].get("type")
                == "Content")
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("already_read: false", "already_read: true", 1),
                    encoding="utf-8")
    out = tmp_path / "report.html"
    CliRunner().invoke(main, ["report", "--vault", str(copy), "--out", str(out)])
    desc = figures(out.read_text(encoding="utf-8"))["read"].find(f"{SVG}desc").text
    assert desc.startswith("Of 4 article notes, 1 are read and 3 unread.")


def test_an_unreadable_run_report_is_named_and_the_rest_still_counted(demo_vault, tmp_path):
    copy = tmp_path / "vault"
    shutil.copytree(demo_vault, copy)
    (copy / ".gleaner" / "reports" / "run-broken.json").write_text("{not json",
                                                                   encoding="utf-8")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--vault", str(copy), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<h2>Not counted</h2>" in page
    assert "run-broken.json: JSONDecodeError" in page
    assert len(figures(page)) == len(CHARTS)


def test_report_on_a_folder_gleaner_never_ran_on_says_so(tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--vault", str(tmp_path), "--out", str(out)])
    assert result.exit_code == EXIT_USAGE
    assert f"no Gleaner state in {tmp_path}" in result.output
    assert not out.exists()


@pytest.mark.parametrize("reason, kind", [
    ("HTTP 404 Not Found", "HTTP 404"), ("HTTP 404 File not found", "HTTP 404"),
    ("network error: a.invalid does not resolve (Name or service not known)",
     "network error"),
    ("cannot read /home/ada/notes/x.md: No such file or directory", "cannot read a file"),
    ("response of 12,000,000 bytes is over the 10,000,000 byte cap",
     "response of N bytes is over the N byte cap"),
])
def test_like_failures_count_together_without_their_particulars(reason, kind):
    assert reason_kind(reason) == kind


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_report_in_chromium_shows_every_chart_and_no_console_error(report, scheme, tmp_path):
    """As a person sees it: the page in headless Chromium, in either colour scheme. The
    screenshots are left in the test's folder to look at."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(color_scheme=scheme, viewport={"width": 1000, "height": 800})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: errors.append(f"request {r.url}")
                    if not r.url.startswith("file://") else None)
            page.goto(report.as_uri())
            drawn = page.eval_on_selector_all("figure svg", """svgs => svgs.map(svg => {
                const box = svg.getBoundingClientRect();
                const marks = svg.querySelectorAll("path, rect, use").length;
                return [svg.closest("figure").id, box.width, box.height, marks];
            })""")
            colours = page.evaluate("""() => [
                getComputedStyle(document.body).backgroundColor,
                getComputedStyle(document.querySelector("figure svg text, figure svg use")
                                 .closest("g")).fill]""")
            page.screenshot(path=str(tmp_path / f"report-{scheme}.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert len(drawn) == len(CHARTS)
    for name, width, height, marks in drawn:
        assert width > 400 and height > 150, name
        assert marks > 10, name
    background = [int(n) for n in re.findall(r"\d+", colours[0])[:3]]
    assert (sum(background) > 600) == (scheme == "light")
