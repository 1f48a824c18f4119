"""Papers as articles: a PDF (from a URL or a file), or an arXiv paper (its abstract page,
with its PDF fetched after it in `Page.document`).

For a PDF, the metadata comes from the file and its first page (pipeline/papers/pdf.py). For an
arXiv paper, the abstract page has the better metadata (every author, the categories, the
submission history) and the PDF has the text and the affiliations. Either way the article's
text starts with the abstract, which is also the note's summary, and leaves the references
out.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from ..config import PaperConfig
from ..errors import ExtractError
from ..extract import canonical_url, extract_links, markdown_to_text
from ..fetch import PDF_TYPE
from ..records import Article, Page, Paper
from .arxiv import abs_url, read_abs_page
from .pdf import PdfPaper, read_pdf

MIN_TEXT_CHARS = 80


def paper_article(page: Page, config: PaperConfig) -> Article:
    """The article of a PDF page, or of an arXiv abstract page with its PDF."""
    if page.document is not None:
        return _arxiv_article(page, page.document, config)
    pdf = read_pdf(page.content, config.max_pages)
    url = canonical_url(page.url) if page.url.startswith("http") else page.url
    return _article(page, pdf, url, Paper(
        authors=pdf.authors, affiliations=pdf.affiliations, abstract=pdf.abstract,
        pages=pdf.pages, pages_read=pdf.pages_read))


def _arxiv_article(page: Page, document: Page, config: PaperConfig) -> Article:
    meta = read_abs_page(page.content, page.url)
    if document.content_type != PDF_TYPE:
        raise ExtractError(f"arXiv:{meta.arxiv_id}: {document.url} is not a PDF "
                           f"(content type {document.content_type or 'none'})")
    try:
        pdf = read_pdf(document.content, config.max_pages)
    except ExtractError as exc:
        raise ExtractError(f"arXiv:{meta.arxiv_id}: its PDF: {exc}") from exc
    paper = Paper(authors=meta.authors, affiliations=pdf.affiliations, abstract=meta.abstract,
                  pages=pdf.pages, pages_read=pdf.pages_read, arxiv_id=meta.arxiv_id,
                  categories=meta.categories, versions=meta.versions)
    body = pdf.markdown if pdf.abstract else f"## Abstract\n\n{meta.abstract}\n\n{pdf.markdown}"
    merged = PdfPaper(title=meta.title, authors=meta.authors, affiliations=pdf.affiliations,
                      abstract=meta.abstract, markdown=body, published=meta.submitted,
                      pages=pdf.pages, pages_read=pdf.pages_read)
    return _article(page, merged, abs_url(meta.arxiv_id), paper, site="arXiv")


def _article(page: Page, pdf: PdfPaper, url: str, paper: Paper,
             site: str | None = None) -> Article:
    if len(markdown_to_text(pdf.markdown)) < MIN_TEXT_CHARS:
        raise ExtractError("PDF has no article text")
    return Article(
        url=url,
        source_name=page.source.origin,
        title=pdf.title or _title_from_url(page.url),
        text=pdf.markdown,
        links=extract_links(pdf.markdown, url),
        published=pdf.published,
        site_name=site or urlsplit(page.url).hostname,
        description=paper.abstract,
        fetched_url=page.url,
        paper=paper,
    )


def _title_from_url(url: str) -> str:
    stem = PurePosixPath(unquote(urlsplit(url).path)).stem
    return stem.replace("-", " ").replace("_", " ").strip() or url
