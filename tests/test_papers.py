"""PDFs become notes: a two-column paper the tests build, served on loopback and read from a
file; a scanned, an encrypted and a cut-off PDF each fail with their reason while the rest of
the run goes on; a long report is read up to the page limit, and its note says so."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline import run
from pipeline.config import PaperConfig
from pipeline.errors import ExtractError
from pipeline.papers.pdf import read_pdf
from pipeline.sources.lists import read_sources
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.validate import validate_vault

from .conftest import AI_PARAGRAPHS, article_page
from .paper_pdfs import (
    ABSTRACT,
    AUTHORS,
    CITED_URL,
    CODE_URL,
    SECTIONS,
    TITLE,
    PaperPdf,
    long_report,
    paper_pdf,
    scanned_pdf,
)
from .server import Response

PDF = "application/pdf"


def words(text: str) -> str:
    return " ".join(text.split())


def note_of(vault: Path, title: str) -> tuple[dict, str]:
    [path] = [p for p in vault.glob("*.md") if split_frontmatter(
        p.read_text(encoding="utf-8"))[0].get("title") == title]
    return split_frontmatter(path.read_text(encoding="utf-8"))


def test_two_columns_are_read_in_order_with_headings_and_without_references():
    paper = read_pdf(paper_pdf(), max_pages=100)

    body = words(paper.markdown)
    paragraphs = [words(p) for _, section in SECTIONS for p in section]
    positions = [body.find(p.replace(CODE_URL, f"[{CODE_URL[8:]}]({CODE_URL})"))
                 for p in paragraphs]
    assert -1 not in positions, "a paragraph was broken up: the columns were interleaved"
    assert positions == sorted(positions)
    for heading, _ in SECTIONS:
        assert f"\n### {heading}\n" in paper.markdown
    assert "Chain-of-thought prompting elicits" not in body  # the references are left out
    assert CITED_URL not in body
    assert "### A Additional results" in paper.markdown  # the appendix after them comes back
    assert paper.title == TITLE
    assert paper.authors == AUTHORS
    assert paper.affiliations == ("Stanford University", "Mistral AI")
    assert paper.abstract == ABSTRACT
    assert paper.published == "2025-01-21"


def test_authors_and_title_come_from_the_first_page_when_the_metadata_has_none():
    paper = read_pdf(paper_pdf(PaperPdf(metadata={})), max_pages=100)

    assert paper.title == TITLE
    assert paper.authors == AUTHORS


def test_a_served_pdf_becomes_a_paper_note(server, vault, fast_config):
    server.routes["/papers/tiny-reasoners.pdf"] = Response(paper_pdf(), content_type=PDF)

    report = run(read_sources([server.url("/papers/tiny-reasoners.pdf")]), fast_config, vault)

    assert report.counts["written"] == 1, report.items
    frontmatter, body = note_of(vault, TITLE)
    assert frontmatter["authors"] == list(AUTHORS)
    assert frontmatter["link"] == server.url("/papers/tiny-reasoners.pdf")
    assert frontmatter["published"] == "2025-01-21"
    assert "truncated" not in frontmatter
    summary = body.split("## Summary", 1)[1].split("## Links", 1)[0]
    assert words(summary) == words(ABSTRACT)
    links = body.split("## Links", 1)[1].split("## Topics", 1)[0]
    assert CODE_URL in links and "anyone who wants to train their own student" in links
    assert CITED_URL not in body
    assert "Large_Language_Model" in frontmatter["tags"]
    for topic in ("Model/Llama 3.1 405B", "Organization/Stanford University",
                  "Organization/Mistral AI"):
        assert f"![[topics/{topic}]]" in body
        assert (vault / "topics" / f"{topic}.md").is_file()
    assert list(validate_vault(vault)) == []


def test_a_pdf_file_in_a_reading_list_becomes_a_note(tmp_path, vault, fast_config):
    pdf = tmp_path / "saved" / "tiny reasoners.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(paper_pdf())
    reading_list = tmp_path / "papers.txt"
    reading_list.write_text("saved/tiny reasoners.pdf\n", encoding="utf-8")

    report = run(read_sources([str(reading_list)]), fast_config, vault)

    assert report.counts["written"] == 1, report.items
    frontmatter, _ = note_of(vault, TITLE)
    assert frontmatter["link"] == pdf.resolve().as_uri()
    assert frontmatter["source"] == "papers"


def test_a_pdf_served_as_octet_stream_is_still_a_pdf(server, vault, fast_config):
    binary = "application/octet-stream"
    server.routes["/download?id=7"] = Response(paper_pdf(), content_type=binary)
    server.routes["/blob"] = Response(b"\x00\x01binary", content_type=binary)

    report = run(read_sources([server.url("/download?id=7"), server.url("/blob")]),
                 fast_config, vault)

    assert report.counts["written"] == 1
    [failed] = [item for item in report.items if item.status == "failed"]
    assert failed.location.endswith("/blob")
    assert "content type application/octet-stream" in failed.detail


@pytest.mark.parametrize(("content", "reason"), [
    (scanned_pdf(), "PDF has no text layer"),
    (paper_pdf(password="reader"), "PDF is encrypted"),
    (paper_pdf()[:2_000], "PDF is cut off"),
], ids=["scanned", "encrypted", "truncated"])
def test_an_unreadable_pdf_fails_with_its_reason_and_the_run_goes_on(
        server, vault, fast_config, content, reason):
    server.routes["/bad.pdf"] = Response(content, content_type=PDF)
    server.routes["/good"] = Response(article_page("Models of the year", AI_PARAGRAPHS))
    server.routes["/paper.pdf"] = Response(paper_pdf(), content_type=PDF)

    report = run(read_sources([server.url("/bad.pdf"), server.url("/good"),
                               server.url("/paper.pdf")]), fast_config, vault)

    assert report.counts["written"] == 2
    [failed] = [item for item in report.items if item.status == "failed"]
    assert failed.location == server.url("/bad.pdf")
    assert reason in failed.detail
    assert len(list(vault.glob("*.md"))) == 2
    assert list(validate_vault(vault)) == []


def test_reading_pdf_errors_name_the_problem():
    with pytest.raises(ExtractError, match="not a PDF"):
        read_pdf(b"<html>not a pdf</html>", max_pages=10)
    with pytest.raises(ExtractError, match="damaged"):
        read_pdf(b"%PDF-1.4\n" + b"garbage " * 100 + b"\n%%EOF\n", max_pages=10)


def test_a_long_report_is_read_up_to_the_page_limit_and_the_note_says_so(
        server, vault, fast_config):
    report_pdf = long_report(pages=30)
    server.routes["/report.pdf"] = Response(report_pdf, content_type=PDF)
    config = replace(fast_config, papers=PaperConfig(max_pages=5))

    run(read_sources([server.url("/report.pdf")]), config, vault)

    frontmatter, _ = note_of(vault, TITLE)
    pages = read_pdf(report_pdf, max_pages=1).pages
    assert pages > 20
    assert frontmatter["truncated"] == f"read the first 5 of {pages} pages"


def test_a_pdf_over_the_byte_cap_is_refused(server, vault, fast_config):
    big = long_report(pages=30)
    server.routes["/big.pdf"] = Response(big, content_type=PDF)
    config = replace(fast_config, fetch=replace(fast_config.fetch, max_bytes=len(big) - 1))

    report = run(read_sources([server.url("/big.pdf")]), config, vault)

    [failed] = report.items
    assert failed.status == "failed"
    assert f"{len(big):,} bytes is over the {len(big) - 1:,} byte cap" in failed.detail


def test_the_fetcher_asks_for_pdfs(server, vault, fast_config):
    server.routes["/paper.pdf"] = Response(paper_pdf(), content_type=PDF)

    run(read_sources([server.url("/paper.pdf")]), fast_config, vault)

    [(_, headers)] = [r for r in server.requests if r[0] == "/paper.pdf"]
    assert PDF in headers["Accept"]
