"""arXiv papers: every way of naming one is one note, made from a served copy of the abstract
page (its real markup shape, tests/arxiv_pages.py) and the paper's PDF; a re-run downloads no
PDF; a paper linked from three newsletters is one note with three sources."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline import run
from pipeline.config import PaperConfig
from pipeline.errors import ExtractError
from pipeline.extract.links import canonical_url
from pipeline.papers.arxiv import arxiv_id, read_abs_page
from pipeline.records import Source
from pipeline.sources.lists import read_sources
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.validate import validate_vault

from .arxiv_pages import PAPER_ID, AbsPageSpec, abs_page
from .conftest import AI_PARAGRAPHS, article_page
from .paper_pdfs import ABSTRACT, AUTHORS, CITED_URL, CODE_URL, TITLE, paper_pdf, scanned_pdf
from .server import Response

ABS = f"https://arxiv.org/abs/{PAPER_ID}"
VARIANTS = [f"arXiv:{PAPER_ID}v2", f"{ABS}v1", f"https://arxiv.org/pdf/{PAPER_ID}",
            f"https://arxiv.org/pdf/{PAPER_ID}v2.pdf", f"https://arxiv.org/html/{PAPER_ID}v2",
            f"https://export.arxiv.org/abs/{PAPER_ID}"]


@pytest.fixture
def arxiv(server):
    """A copy of arXiv on loopback: the paper's abstract page and its PDF."""
    server.routes[f"/abs/{PAPER_ID}"] = Response(abs_page())
    server.routes[f"/pdf/{PAPER_ID}"] = Response(paper_pdf(), content_type="application/pdf")
    return server


@pytest.fixture
def config(fast_config, arxiv):
    return replace(fast_config, papers=PaperConfig(arxiv=arxiv.base))


def notes(vault: Path) -> list[tuple[dict, str]]:
    return [split_frontmatter(p.read_text(encoding="utf-8")) for p in sorted(vault.glob("*.md"))]


def requests_for(server, path: str) -> int:
    return sum(1 for requested, _ in server.requests if requested == path)


@pytest.mark.parametrize("reference", VARIANTS + [f"arxiv: {PAPER_ID}", ABS])
def test_every_way_of_naming_the_paper_names_it(reference):
    assert arxiv_id(reference) == PAPER_ID
    if "://" in reference:
        assert canonical_url(reference) == ABS


@pytest.mark.parametrize("reference", [
    "https://arxiv.org/list/cs.CL/recent", "https://example.com/abs/2501.12345",
    "arXiv:25.1", "https://arxiv.org/abs/2501.12345/extra", "2501.12345"])
def test_other_references_name_no_paper(reference):
    assert arxiv_id(reference) is None


def test_old_style_ids_and_mirrors_are_papers_too():
    assert arxiv_id("https://arxiv.org/abs/hep-th/9901001v3") == "hep-th/9901001"
    assert arxiv_id("arXiv:math.GT/0309136") == "math.GT/0309136"
    assert arxiv_id("http://127.0.0.1:8000/mirror/pdf/2501.12345v1",
                    mirror="http://127.0.0.1:8000/mirror") == PAPER_ID


def test_the_abstract_page_gives_the_metadata_and_not_the_chrome():
    page = read_abs_page(abs_page().encode(), ABS)

    assert page.arxiv_id == PAPER_ID
    assert page.title == TITLE
    assert page.authors == AUTHORS
    assert page.abstract == ABSTRACT
    assert page.categories == ("cs.CL", "cs.AI", "cs.LG")
    assert page.submitted == "2025-01-21"
    assert page.versions == (f"{ABS}v1", f"{ABS}v2")


def test_a_page_that_is_not_an_abstract_page_is_refused():
    with pytest.raises(ExtractError, match="not an arXiv abstract page"):
        read_abs_page(b"<html><body><h1>Article identifier not recognized</h1></body></html>",
                      ABS)


def test_abs_pdf_html_and_id_variants_give_one_note(arxiv, config, vault):
    report = run(read_sources([ABS, *VARIANTS]), config, vault)

    assert report.counts["written"] == 1, report.items
    assert report.repeated == len(VARIANTS)
    [(frontmatter, body)] = notes(vault)
    assert frontmatter["link"] == ABS
    assert frontmatter["arxiv"] == PAPER_ID
    assert frontmatter["title"] == TITLE
    assert frontmatter["authors"] == list(AUTHORS)
    assert frontmatter["categories"] == ["cs.CL", "cs.AI", "cs.LG"]
    assert frontmatter["published"] == "2025-01-21"
    assert frontmatter["versions"] == [f"{ABS}v1", f"{ABS}v2"]
    assert body.startswith(f"\n{ABS}\n## Summary\n\n")
    summary = body.split("## Summary", 1)[1].split("## Links", 1)[0]
    assert " ".join(summary.split()) == ABSTRACT
    links = body.split("## Links", 1)[1].split("## Topics", 1)[0]
    assert CODE_URL in links
    assert CITED_URL not in body and "semanticscholar" not in body and "Donate" not in body
    for topic in ("Model/Llama 3.1 405B", "Organization/Stanford University",
                  "Organization/Mistral AI"):
        assert f"![[topics/{topic}]]" in body
    assert "Large_Language_Model" in frontmatter["tags"]
    assert requests_for(arxiv, f"/abs/{PAPER_ID}") == 1
    assert requests_for(arxiv, f"/pdf/{PAPER_ID}") == 1
    assert list(validate_vault(vault)) == []


def test_a_rerun_over_an_unchanged_paper_downloads_no_pdf(arxiv, config, vault):
    run(read_sources([ABS]), config, vault)

    again = run(read_sources([f"arXiv:{PAPER_ID}"]), config, vault)

    assert again.counts["unchanged"] == 1
    assert requests_for(arxiv, f"/pdf/{PAPER_ID}") == 1


def test_a_new_version_updates_the_note(arxiv, config, vault):
    run(read_sources([ABS]), config, vault)
    spec = AbsPageSpec()
    arxiv.routes[f"/abs/{PAPER_ID}"] = Response(abs_page(replace(spec, versions=(
        *spec.versions, ("Fri, 7 Mar 2025 11:00:00 UTC", "1,240")))))

    again = run(read_sources([ABS]), config, vault)

    assert again.counts["updated"] == 1
    [(frontmatter, _)] = notes(vault)
    assert frontmatter["versions"] == [f"{ABS}v1", f"{ABS}v2", f"{ABS}v3"]


def test_a_paper_from_three_newsletters_is_one_note_with_three_sources(arxiv, config, vault):
    config = replace(config, fetch=replace(config.fetch, allow_private_from_newsletters=True))

    def linked(reference: str, newsletter: str) -> Source:
        return Source(location=reference, origin=newsletter, from_newsletter=True)

    run([linked(f"https://arxiv.org/abs/{PAPER_ID}v1", "Import AI")], config, vault)
    run([linked(f"https://arxiv.org/pdf/{PAPER_ID}", "Data Elixir"),
         linked(f"arXiv:{PAPER_ID}", "The Batch")], config, vault)
    last = run([linked(f"https://arxiv.org/abs/{PAPER_ID}", "The Batch")], config, vault)

    [(frontmatter, _)] = notes(vault)
    assert frontmatter["sources"] == ["Import AI", "Data Elixir", "The Batch"]
    assert last.counts["unchanged"] == 1  # a channel the note already lists changes nothing
    assert list(validate_vault(vault)) == []


def test_a_paper_whose_pdf_cannot_be_read_fails_and_the_run_goes_on(arxiv, config, vault):
    other = "2502.00001"
    arxiv.routes[f"/abs/{other}"] = Response(abs_page(AbsPageSpec(paper_id=other,
                                                                  title="A scanned paper")))
    arxiv.routes[f"/pdf/{other}"] = Response(scanned_pdf(), content_type="application/pdf")

    report = run(read_sources([f"arXiv:{other}", ABS]), config, vault)

    assert report.counts["written"] == 1
    [failed] = [item for item in report.items if item.status == "failed"]
    assert failed.location == f"{arxiv.base}/abs/{other}"
    assert failed.detail.startswith(f"arXiv:{other}: its PDF: PDF has no text layer")
    assert [frontmatter["arxiv"] for frontmatter, _ in notes(vault)] == [PAPER_ID]


def test_a_missing_pdf_fails_as_the_pdfs_fetch(arxiv, config, vault):
    del arxiv.routes[f"/pdf/{PAPER_ID}"]

    report = run(read_sources([ABS]), config, vault)

    [failed] = report.items
    assert failed.status == "failed"
    assert failed.detail == f"its PDF {arxiv.base}/pdf/{PAPER_ID}: HTTP 404 Not Found"
    assert not list(vault.glob("*.md"))


def test_papers_among_faults_fail_each_with_its_reason_and_the_good_ones_become_notes(
        arxiv, config, vault):
    faults = {
        "2502.00001": (Response("busy", status=503, content_type="text/plain"), None),
        "2502.00002": (Response(abs_page(AbsPageSpec(paper_id="2502.00002"))),
                       Response(paper_pdf(password="reader"), content_type="application/pdf")),
        "2502.00003": (Response(abs_page(AbsPageSpec(paper_id="2502.00003"))),
                       Response(paper_pdf(), content_type="application/pdf", delay=3.0)),
        "2502.00004": (Response("<html><body><h1>Article identifier not recognized</h1>"
                                "</body></html>"), None),
        "2502.00005": (Response(abs_page(AbsPageSpec(paper_id="2502.00005"))),
                       Response("<html>Sign in</html>")),
    }
    for paper, (abstract, pdf) in faults.items():
        arxiv.routes[f"/abs/{paper}"] = abstract
        if pdf is not None:
            arxiv.routes[f"/pdf/{paper}"] = pdf
    references = [f"arXiv:{paper}" for paper in faults]
    arxiv.routes["/article"] = Response(article_page("Models of the year", AI_PARAGRAPHS))

    report = run(read_sources([*references[:3], ABS, arxiv.url("/article"), *references[3:]]),
                 config, vault)

    details = {item.location.rsplit("/", 1)[-1]: item.detail
               for item in report.items if item.status == "failed"}
    assert "HTTP 503" in details["2502.00001"]
    assert "PDF is encrypted" in details["2502.00002"]
    assert "timed out" in details["2502.00003"]
    assert "not an arXiv abstract page" in details["2502.00004"]
    assert details["2502.00005"].startswith("arXiv:2502.00005: ")
    assert "is not a PDF (content type text/html" in details["2502.00005"]
    assert report.counts["written"] == 2
    assert sorted(frontmatter.get("arxiv", "-") for frontmatter, _ in notes(vault)) == \
        ["-", PAPER_ID]
    assert list(validate_vault(vault)) == []


def test_a_feed_item_naming_a_paper_is_read_as_the_paper_not_as_the_feeds_text(
        arxiv, config, vault):
    abstract_html = "".join(f"<p>{ABSTRACT}</p>" for _ in range(6))  # long: a "whole" text
    arxiv.routes["/feed"] = Response(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>cs.CL updates on arXiv.org</title><link>{arxiv.base}/</link>"
        f"<item><title>{TITLE}</title><link>{arxiv.base}/abs/{PAPER_ID}v2</link>"
        f"<guid>oai:arXiv.org:{PAPER_ID}v2</guid>"
        f"<content:encoded><![CDATA[{abstract_html}]]></content:encoded></item>"
        "</channel></rss>", content_type="application/rss+xml")

    report = run(read_sources([arxiv.url("/feed")]), config, vault)

    assert report.counts["written"] == 1, report.items
    [(frontmatter, _)] = notes(vault)
    assert frontmatter["arxiv"] == PAPER_ID and frontmatter["link"] == ABS
    assert "text_from" not in frontmatter
    assert requests_for(arxiv, f"/pdf/{PAPER_ID}") == 1
