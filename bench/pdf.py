"""PDF reading: time per page and reading order, pypdfium2 against pypdf and pdfminer.six,
and Gleaner's whole PDF stage per page.

The PDFs are the ones the tests build (tests/paper_pdfs.py, reportlab): the two-column
paper (2 pages) and long reports of 20 and 100 pages. Their columns are drawn line by line
across the page, as some generators write them, so the order of the text in the file is not
the reading order. Reading order is scored on the paper: the fraction of its body sentences
(the column text it was made from) whose words come out in one piece, in order.

Per library, plain text extraction of every page:
- pypdfium2: `PdfTextPage.get_text_range()`
- pypdf: `PdfReader(...).pages[i].extract_text()`
- pdfminer.six: `pdfminer.high_level.extract_text` (its default layout analysis)
Then Gleaner's reader (pipeline/papers/pdf.py: pypdfium2 with the layout pass, headings, the
abstract, references left out) and the paper stage that makes an article of it
(pipeline/papers/paper.py, with `papers.max_pages` raised so every page is read).

    python bench/pdf.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import PaperConfig  # noqa: E402
from pipeline.papers.paper import paper_article  # noqa: E402
from pipeline.papers.pdf import read_pdf  # noqa: E402
from pipeline.records import Page, Source  # noqa: E402
from tests.paper_pdfs import SECTIONS, long_report, paper_pdf  # noqa: E402

MAX_PAGES = 10_000


def pdfium_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(document[i].get_textpage().get_text_range()
                         for i in range(len(document)))
    finally:
        document.close()


def pypdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdfminer_text(content: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(content))


def gleaner_reader(content: bytes) -> str:
    return read_pdf(content, MAX_PAGES).markdown


def gleaner_stage(content: bytes) -> str:
    page = Page(Source("https://example.org/paper.pdf", "bench"),
                "https://example.org/paper.pdf", content, "application/pdf")
    return paper_article(page, PaperConfig(max_pages=MAX_PAGES)).text


READERS: dict[str, Callable[[bytes], str]] = {
    "pypdfium2 (plain text)": pdfium_text,
    "pypdf (extract_text)": pypdf_text,
    "pdfminer.six (extract_text)": pdfminer_text,
    "Gleaner's reader (papers/pdf.py)": gleaner_reader,
    "Gleaner's paper stage (papers/paper.py)": gleaner_stage,
}


def page_count(content: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        return len(document)
    finally:
        document.close()


def sentences_in_order(text: str) -> float:
    """The share of the paper's body sentences found whole: each sentence's words, in order,
    with nothing but whitespace or hyphenation between them (a Markdown link is
    read as the text it stands for)."""
    unlinked = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", _as_written, text)
    flat = " ".join(re.sub(r"-\s*\n\s*", "", unlinked).split())
    sentences = [s.strip() for _, paragraphs in SECTIONS for paragraph in paragraphs
                 for s in re.split(r"(?<=[.!?])\s+", paragraph) if len(s.split()) >= 6]
    found = sum(1 for s in sentences if " ".join(s.split()) in flat)
    return found / len(sentences)


def _as_written(link: re.Match[str]) -> str:
    """A link whose label is its URL shortened was the URL in the PDF."""
    label, url = link.groups()
    return url if url.endswith(label) else label


def ms_per_page(reader: Callable[[bytes], str], content: bytes, pages: int,
                repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        reader(content)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) / pages * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per PDF (median taken)")
    args = parser.parse_args()
    pdfs = {"paper": paper_pdf(), "report-20": long_report(20), "report-100": long_report(100)}
    pages = {name: page_count(content) for name, content in pdfs.items()}
    header = "| reader | in order (paper) | " + " | ".join(
        f"ms/page {name} ({pages[name]} p)" for name in pdfs) + " |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name, reader in READERS.items():
        order = sentences_in_order(reader(pdfs["paper"]))
        times = [ms_per_page(reader, content, pages[pdf], args.repeat)
                 for pdf, content in pdfs.items()]
        print(f"| {name} | {order:.0%} | " + " | ".join(f"{t:.1f}" for t in times) + " |",
              flush=True)


if __name__ == "__main__":
    main()
