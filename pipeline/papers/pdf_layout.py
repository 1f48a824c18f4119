"""The lines of a PDF page in reading order, with their font size and the links on them.

PDFium gives the page's text as rectangles of text runs in the order the content stream
draws them. That order is the reading order for most single-column PDFs and for LaTeX's two
columns, but not for generators that draw a two-column page row by row across both
columns. So lines are put in order by where they are: the page is cut into bands at every
line that spans the middle of the page (a title, a centered heading, a full-width figure
caption), and within a band the left column is read before the right one.

Running headers and footers (the same text at the same height on most pages, and bare page
numbers) are left out.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MARGIN_SHARE = 0.08  # the top and bottom of a page where running headers and footers sit
PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)
DIGITS = re.compile(r"\d+")
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


@dataclass(frozen=True)
class PageLink:
    """A link annotation: where it points and the text it covers."""

    uri: str
    text: str


@dataclass(frozen=True)
class TextLine:
    """One line of text on a page; y grows upward, as in PDF space."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float
    bold: bool
    links: tuple[PageLink, ...] = ()

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def page_lines(document: pdfium.PdfDocument, number: int) -> list[TextLine]:
    """The page's lines in reading order (headers and footers still in: see `without_running`)."""
    page = document[number]
    try:
        textpage = page.get_textpage()
        try:
            width = page.get_width()
            lines = _merged(list(_runs(textpage, number)))
            links = list(_links(document, page, textpage))
        finally:
            textpage.close()
    finally:
        page.close()
    return _reading_order([_with_links(line, links) for line in lines], width)


def without_running(pages: list[list[TextLine]], page_height: float) -> list[list[TextLine]]:
    """The pages without running headers and footers: bare page numbers, and a line in the
    top or bottom margin whose text (digits aside) comes back on at least half the pages."""
    margin = page_height * MARGIN_SHARE
    in_margin = [[line for line in lines if _in_margin(line, page_height, margin)]
                 for lines in pages]
    seen = Counter(key for lines in in_margin for key in {_running_key(line) for line in lines})
    repeated = {key for key, count in seen.items() if len(pages) > 1 and count * 2 >= len(pages)}
    return [[line for line in lines
             if not (_in_margin(line, page_height, margin)
                     and (PAGE_NUMBER.match(line.text) or _running_key(line) in repeated))]
            for lines in pages]


def _runs(textpage: pdfium.PdfTextPage, number: int) -> Iterator[TextLine]:
    for index in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(index)
        text = " ".join(textpage.get_text_bounded(left, bottom, right, top).split())
        if not text:
            continue
        char = pdfium_c.FPDFText_GetCharIndexAtPos(
            textpage.raw, (left + right) / 2, (bottom + top) / 2, (right - left) / 2 + 1,
            (top - bottom) / 2 + 1)
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, char) if char >= 0 else top - bottom
        yield TextLine(number, left, bottom, right, top, text, round(size, 1),
                       char >= 0 and _is_bold(textpage, char))


def _is_bold(textpage: pdfium.PdfTextPage, char: int) -> bool:
    if pdfium_c.FPDFText_GetFontWeight(textpage.raw, char) >= 600:
        return True
    flags = ctypes.c_int(0)
    length = pdfium_c.FPDFText_GetFontInfo(textpage.raw, char, None, 0, ctypes.byref(flags))
    if length <= 0:
        return False
    name = ctypes.create_string_buffer(length)
    pdfium_c.FPDFText_GetFontInfo(textpage.raw, char, name, length, ctypes.byref(flags))
    return BOLD_FONT.search(name.value.decode("latin-1")) is not None


def _merged(runs: list[TextLine]) -> list[TextLine]:
    """Runs of one line (split where the font changes) joined into that line."""
    lines: list[TextLine] = []
    for run in runs:
        last = lines[-1] if lines else None
        if last is not None and _same_line(last, run):
            gap = run.x0 - last.x1
            joiner = " " if gap > 0.15 * max(run.size, 1.0) else ""
            lines[-1] = replace(last, x1=run.x1, y0=min(last.y0, run.y0), y1=max(last.y1, run.y1),
                                text=last.text + joiner + run.text, size=max(last.size, run.size),
                                bold=last.bold and run.bold)
        else:
            lines.append(run)
    return lines


def _same_line(left: TextLine, right: TextLine) -> bool:
    overlap = min(left.y1, right.y1) - max(left.y0, right.y0)
    gap = right.x0 - left.x1
    return overlap > 0.5 * min(left.height, right.height) and -1.0 <= gap < max(left.size, 4.0)


def _reading_order(lines: list[TextLine], width: float) -> list[TextLine]:
    """Top to bottom in bands cut at lines across the middle; in a band, left column first."""
    middle = width / 2
    ordered: list[TextLine] = []
    band: list[TextLine] = []
    for line in sorted(lines, key=lambda item: (-item.y1, item.x0)):
        if line.x0 < middle < line.x1:
            ordered += _columns(band, middle)
            ordered.append(line)
            band = []
        else:
            band.append(line)
    return ordered + _columns(band, middle)


def _columns(band: list[TextLine], middle: float) -> list[TextLine]:
    return [line for line in band if line.x1 <= middle] + \
        [line for line in band if line.x1 > middle]


def _links(document: pdfium.PdfDocument, page: pdfium.PdfPage,
           textpage: pdfium.PdfTextPage) -> Iterator[tuple[tuple[float, ...], PageLink]]:
    """The page's web links: their rectangle, where they point and the text they cover."""
    position = ctypes.c_int(0)
    link = pdfium_c.FPDF_LINK()
    while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
        action = pdfium_c.FPDFLink_GetAction(link)
        if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
            continue
        length = pdfium_c.FPDFAction_GetURIPath(document.raw, action, None, 0)
        target = ctypes.create_string_buffer(length)
        pdfium_c.FPDFAction_GetURIPath(document.raw, action, target, length)
        uri = target.value.decode("utf-8", "replace").strip()
        rect = pdfium_c.FS_RECTF()
        if not uri.lower().startswith(("http://", "https://")) or \
                not pdfium_c.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            continue
        box = (rect.left, rect.bottom, rect.right, rect.top)
        yield box, PageLink(uri, " ".join(textpage.get_text_bounded(*box).split()))


def _with_links(line: TextLine, links: list[tuple[tuple[float, ...], PageLink]]) -> TextLine:
    """The line with the links whose rectangle's middle lies on it."""
    on_line = tuple(link for (left, bottom, right, top), link in links
                    if line.x0 - 1 <= (left + right) / 2 <= line.x1 + 1
                    and line.y0 - 1 <= (bottom + top) / 2 <= line.y1 + 1)
    return replace(line, links=on_line) if on_line else line


def _in_margin(line: TextLine, page_height: float, margin: float) -> bool:
    return line.y0 < margin or line.y1 > page_height - margin


def _running_key(line: TextLine) -> str:
    return DIGITS.sub("#", line.text.lower())
