"""Read a PDF into a paper: its title, authors, affiliations, abstract and Markdown body.

pypdfium2 (PDFium) reads the text: its plain extraction is about 8 times faster per page
than pypdf's and 40 times faster than pdfminer.six's (bench/pdf.py), which leaves room for
the layout pass of pipeline/papers/pdf_layout.py; with it, the reading order of two columns drawn
line by line across the page is kept, which pypdf loses and pdfminer.six keeps at five
times the cost (docs/PAPERS.md has the figures). Structure comes from the fonts: the most
common size is the body, larger or bold short lines are headings, the largest line at the
top of page one is the title. The lines between the title and the abstract are the authors and their
affiliations. The references section is left out of the body, so it reaches neither the
summary nor the links; an appendix after it comes back in.

Every PDF that cannot be read fails with the reason: not a PDF, cut off, encrypted, damaged,
or scanned (pages of images with no text layer).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import pypdfium2 as pdfium

from ..errors import ExtractError
from .pdf_layout import TextLine, page_lines, without_running

END_MARKER_BYTES = 2048  # %%EOF sits at the very end of a complete file
HEADING_RATIO = 1.1
MAX_HEADING_WORDS = 14
PARAGRAPH_GAP = 0.65  # between lines of a paragraph the gap is ~0.4 of the font size
INDENT = 0.8  # a line set in by this many font sizes starts a paragraph
ABSTRACT = re.compile(r"^abstract\s*[.:—–-]\s*|^abstract\s+(?=[A-Z])", re.IGNORECASE)
ABSTRACT_HEADING = re.compile(r"^(?:abstract|summary)\s*[.:]?$", re.IGNORECASE)
SECTION = re.compile(r"^(?:\d+\.?|[IVX]+\.)\s+\S|^introduction$", re.IGNORECASE)
FRONT_BLOCKS = 16  # the abstract comes within the first blocks of page one, or not at all
MIN_ABSTRACT_CHARS = 40
REFERENCES = re.compile(r"^(?:\d+\.?\s*|[IVX]+\.\s*)?(?:references|bibliography|works cited|"
                        r"literature cited|citations)$", re.IGNORECASE)
URL = re.compile(r"https?://[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")
PLACEHOLDERS = {"", "untitled", "anonymous", "unknown", "none", "unspecified", "author"}
AFFILIATION = re.compile(
    r"universit|institut|college|school|laborator|\blabs?\b|research|\binc\b|\bcorp|\bltd\b|"
    r"gmbh|academy|\bcent(?:er|re)\b|foundation|hospital|\bai\b|deepmind|department",
    re.IGNORECASE)
MARKER = re.compile(r"^[\d*†‡§¶♠♣♥♦]+\s*")
NOT_AN_ORGANIZATION = re.compile(r"^(?:department|dept\.?|school|faculty|division) of\b",
                                 re.IGNORECASE)
NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|&)\s*|(?<=[a-z])[\d*†‡§¶]+(?:,\d+)*\s+")
AUTHOR_MARKS = re.compile(r"[\d*†‡§¶♠♣♥♦,]+$")
EMAIL = re.compile(r"\S+@\S+")


@dataclass(frozen=True)
class PdfPaper:
    """What a PDF says about itself. `pages` is its length; `pages_read`, what was read."""

    title: str | None
    authors: tuple[str, ...]
    affiliations: tuple[str, ...]
    abstract: str | None
    markdown: str
    published: str | None
    pages: int
    pages_read: int


def read_pdf(content: bytes, max_pages: int) -> PdfPaper:
    """The paper in a PDF file, from its first `max_pages` pages."""
    _check_complete(content)
    document = _open(content)
    try:
        pages = len(document)
        read = min(pages, max_pages)
        lines_by_page = [page_lines(document, number) for number in range(read)]
        height = document[0].get_height() if pages else 0.0
        metadata = document.get_metadata_dict(skip_empty=True)
    finally:
        document.close()
    lines = [line for page in without_running(lines_by_page, height) for line in page]
    if not lines:
        pages_of = "its page is" if read == 1 else f"its {read} pages are"
        raise ExtractError(f"PDF has no text layer: {pages_of} images only (a scan?); "
                           "run OCR on it first")
    return _paper(lines, metadata, pages, read)


def _check_complete(content: bytes) -> None:
    if not content.lstrip()[:1024].startswith(b"%PDF-"):
        raise ExtractError("not a PDF: the file does not start with %PDF-")
    if b"%%EOF" not in content[-END_MARKER_BYTES:]:
        raise ExtractError(f"PDF is cut off: no end-of-file marker after {len(content):,} "
                           "bytes (an interrupted download?)")


def _open(content: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ExtractError("PDF is encrypted: it opens only with a password") from exc
        raise ExtractError(f"PDF is damaged and cannot be read: {exc}") from exc


def _paper(lines: list[TextLine], metadata: dict[str, str], pages: int, read: int) -> PdfPaper:
    body_size = _body_size(lines)
    title_lines = _title_lines(lines)
    title = " ".join(line.text for line in title_lines) or None
    blocks = _blocks(lines[len(title_lines):], body_size)
    front, abstract, blocks = _front_and_abstract(blocks)
    blocks = _without_references(blocks)
    authors = _authors(metadata.get("Author", ""), front)
    return PdfPaper(
        title=_meta_text(metadata.get("Title")) or title,
        authors=authors,
        affiliations=_affiliations(front),
        abstract=abstract,
        markdown=_markdown(blocks, abstract),
        published=_pdf_date(metadata.get("CreationDate", "")),
        pages=pages,
        pages_read=read,
    )


@dataclass(frozen=True)
class _Block:
    """A heading or a paragraph; `level` is 0 for a paragraph."""

    text: str
    level: int
    size: float
    lines: tuple[TextLine, ...]


def _body_size(lines: list[TextLine]) -> float:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0]


def _title_lines(lines: list[TextLine]) -> list[TextLine]:
    """The lines in the largest font at the top of the first page."""
    first_page = [line for line in lines[:40] if line.page == 0]
    if not first_page:
        return []
    largest = max(line.size for line in first_page)
    title: list[TextLine] = []
    for line in first_page:
        if line.size == largest:
            title.append(line)
        elif title:
            break
    return title if lines[: len(title)] == title else []


def _blocks(lines: list[TextLine], body: float) -> list[_Block]:
    """Lines joined into headings and paragraphs."""
    blocks: list[_Block] = []
    current: list[TextLine] = []
    for line in lines:
        if _is_heading(line, body):
            blocks += _paragraph(current)
            current = []
            blocks.append(_Block(line.text, 2 if line.size > body * 1.3 else 3, line.size,
                                 (line,)))
        elif current and _starts_paragraph(current[-1], line):
            blocks += _paragraph(current)
            current = [line]
        else:
            current.append(line)
    return blocks + _paragraph(current)


def _is_heading(line: TextLine, body: float) -> bool:
    words = line.text.split()
    if not words or len(words) > MAX_HEADING_WORDS or line.text.endswith((".", ",", ";")):
        return False
    larger = line.size >= body * HEADING_RATIO
    return (larger or (line.bold and line.size >= body)) and any(c.isalpha() for c in line.text)


def _starts_paragraph(previous: TextLine, line: TextLine) -> bool:
    """A change of font size, a wider gap than between lines, or an indented first line;
    a paragraph goes on into the next column or page."""
    if abs(line.size - previous.size) > 0.5:
        return True
    if line.page != previous.page or line.x1 <= previous.x0 or line.x0 >= previous.x1:
        return False
    gap = previous.y0 - line.y1
    return gap > PARAGRAPH_GAP * line.size or gap < -line.size \
        or line.x0 - previous.x0 > INDENT * line.size


def _paragraph(lines: list[TextLine]) -> list[_Block]:
    if not lines:
        return []
    text = lines[0].text
    for line in lines[1:]:
        text = _joined(text, line.text)
    return [_Block(text, 0, lines[0].size, tuple(lines))]


def _joined(text: str, next_line: str) -> str:
    """Two lines of a paragraph: a word hyphenated at the line end is whole again, a URL
    broken at the line end is not given a space."""
    last = text.rsplit(" ", 1)[-1]
    if "://" in last and not last.endswith((".", ",")) and next_line[:1].islower():
        return text + next_line
    if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and next_line[:1].islower():
        return text[:-1] + next_line
    return f"{text} {next_line}"


def _front_and_abstract(blocks: list[_Block]) -> tuple[list[str], str | None, list[_Block]]:
    """The lines before the abstract on page one (authors, affiliations), the abstract
    (under a heading of its own, or a paragraph that starts "Abstract"), and the rest.
    Without an abstract, the front is what comes before the first section heading."""
    for index, block in enumerate(blocks[:FRONT_BLOCKS]):
        if block.lines[0].page > 0:
            break
        if block.level and ABSTRACT_HEADING.match(block.text):
            following = _until_heading(blocks[index + 1 :])
            abstract = " ".join(b.text for b in following) or None
            return _lines(blocks[:index]), abstract, blocks[index + 1 + len(following) :]
        if not block.level and ABSTRACT.match(block.text) and \
                len(ABSTRACT.sub("", block.text, count=1)) > MIN_ABSTRACT_CHARS:
            return (_lines(blocks[:index]), ABSTRACT.sub("", block.text, count=1),
                    blocks[index + 1 :])
    for index, block in enumerate(blocks[:FRONT_BLOCKS]):
        if block.lines[0].page > 0 or (block.level and SECTION.match(block.text)):
            return _lines(blocks[:index]), None, blocks[index:]
    return [], None, blocks


def _lines(blocks: list[_Block]) -> list[str]:
    return [line.text for block in blocks for line in block.lines]


def _until_heading(blocks: list[_Block]) -> list[_Block]:
    taken = []
    for block in blocks:
        if block.level:
            break
        taken.append(block)
    return taken


def _without_references(blocks: list[_Block]) -> list[_Block]:
    """The blocks without the references section: from its heading to the next heading at
    least as large (an appendix), or to the end."""
    kept: list[_Block] = []
    skipping_below: float | None = None
    for block in blocks:
        if block.level and REFERENCES.match(block.text.strip()):
            skipping_below = block.size
            continue
        if skipping_below is not None and not (block.level and block.size >= skipping_below):
            continue
        skipping_below = None
        kept.append(block)
    return kept


def _markdown(blocks: list[_Block], abstract: str | None) -> str:
    parts = [f"## Abstract\n\n{_linked(abstract, ())}"] if abstract else []
    for block in blocks:
        if block.level:
            parts.append(f"{'#' * block.level} {block.text}")
        else:
            parts.append(_linked(block.text, [link for line in block.lines
                                              for link in line.links]))
    return "\n\n".join(parts)


def _linked(text: str, links) -> str:
    """The text with its URLs, and the text under its link annotations, as Markdown links."""
    def as_link(match: re.Match[str]) -> str:
        url = match.group(0)
        return f"[{url.split('://', 1)[1]}]({url})"

    linked = URL.sub(as_link, text)
    for link in links:
        if link.uri in linked:
            continue
        anchor = link.text.strip()
        if anchor and anchor in linked and "://" not in anchor:
            linked = linked.replace(anchor, f"[{anchor}]({link.uri})", 1)
    return linked


def _authors(metadata_author: str, front: list[str]) -> tuple[str, ...]:
    """The PDF's Author field if it names someone, else the front lines that are not
    affiliations, split at commas and "and"."""
    named = _meta_text(metadata_author)
    lines = [named] if named else [line for line in front
                                   if not _is_affiliation(line) and not EMAIL.search(line)]
    names = []
    for line in lines[:3]:
        for part in NAME_SEPARATORS.split(line):
            name = AUTHOR_MARKS.sub("", part).strip()
            if 1 < len(name.split()) <= 5 and not any(c.isdigit() for c in name):
                names.append(name)
    return tuple(dict.fromkeys(names))


def _is_affiliation(line: str) -> bool:
    return MARKER.match(line) is not None or AFFILIATION.search(line) is not None


def _affiliations(front: list[str]) -> tuple[str, ...]:
    """The organization each affiliation line names ("Stanford University" from
    "1 Department of Computer Science, Stanford University, Stanford, CA")."""
    found = []
    for line in front:
        if EMAIL.search(line) or not _is_affiliation(line):
            continue
        parts = [MARKER.sub("", part).strip() for part in line.split(",")]
        parts = [part for part in parts if part]
        named = [part for part in parts
                 if AFFILIATION.search(part) and not NOT_AN_ORGANIZATION.match(part)]
        if named or parts:
            found.append((named or parts)[0])
    return tuple(dict.fromkeys(found))


def _meta_text(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    if text.lower() in PLACEHOLDERS or text.lower().startswith("microsoft word - "):
        return None
    return text


def _pdf_date(value: str) -> str | None:
    """A PDF date (D:YYYYMMDDHHmmSS...) as YYYY-MM-DD."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", value.strip())
    if not match:
        return None
    try:
        return datetime(*(int(part) for part in match.groups())).date().isoformat()
    except ValueError:
        return None
