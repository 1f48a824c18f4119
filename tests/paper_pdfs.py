"""PDFs the tests build: a two-column paper, a scanned one, an encrypted one, a long report.

The paper is laid out as conference papers are: a title across the page, authors and their
affiliations, an abstract, then two columns with numbered section headings, a URL in the
text (also a link annotation), a references section and an appendix after it. The columns
are drawn line by line across the page (left line, right line, left line, ...), as some
generators write them, so a reader that follows the content stream reads the columns
interleaved: only a reader that sees the layout gets the reading order right.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

WIDTH, HEIGHT = letter
MARGIN = 54
GUTTER = 18
COLUMN = (WIDTH - 2 * MARGIN - GUTTER) / 2
BODY_FONT, BODY_SIZE, LEADING = "Times-Roman", 10, 12
HEADING_FONT, HEADING_SIZE = "Times-Bold", 12

CODE_URL = "https://github.com/example-lab/tiny-reasoner"
CITED_URL = "https://example.org/cited-work-on-scaling"

TITLE = "Tiny Reasoners: Distilling Chain-of-Thought into Small Language Models"
AUTHORS = ("Ada Lovelace", "Alan Turing", "Grace Hopper")
AFFILIATIONS = ("1 Stanford University, Stanford, CA, USA", "2 Mistral AI, Paris, France")
ABSTRACT = (
    "We show that small language models can learn to reason step by step when they are "
    "trained on chains of thought written by a larger teacher model. Distilling from "
    "Llama 3.1 405B into a model of one billion parameters closes most of the gap on "
    "grade-school mathematics, and the student keeps its speed. We release the data and "
    "the training code so that others can reproduce every number in this paper."
)
SECTIONS = (
    ("1 Introduction", (
        "Large language models such as GPT-4o and Claude 3.5 Sonnet solve multi-step "
        "problems by writing out their reasoning before they answer. Smaller models "
        "rarely do, and when they try, their chains wander off the problem.",
        "This paper asks whether the habit can be taught. We collect chains of thought "
        f"from a teacher and fine-tune a student on them. Code is available at {CODE_URL} "
        "for anyone who wants to train their own student.",
    )),
    ("2 Method", (
        "The teacher writes ten chains for every problem of the training set and a verifier "
        "keeps the chains that reach the right answer. Synthetic data of this kind is cheap "
        "to produce and easy to check, which makes it a good fit for distillation.",
        "The student is trained for three epochs with a learning rate of two in ten "
        "thousand. Nothing else in the recipe is new; the data is what matters.",
    )),
    ("3 Results", (
        "The distilled student solves seventy-one percent of the test problems, up from "
        "thirty-eight percent before distillation, and answers as fast as before. Chains "
        "that the verifier rejected hurt the student when we kept them in the data.",
        "We conclude that small models can learn to reason from a teacher, and that a "
        "verifier that filters the teacher's chains is the part of the recipe that counts.",
    )),
)
REFERENCES = (
    "[1] J. Wei et al. Chain-of-thought prompting elicits reasoning in large language "
    "models. NeurIPS, 2022.",
    f"[2] A. Author. Cited work on scaling laws for distillation. {CITED_URL}, 2023.",
    "[3] K. Cobbe et al. Training verifiers to solve math word problems. 2021.",
)
APPENDIX = ("A Additional results", (
    "Students of three billion parameters gain less from distillation than students of "
    "one billion, because they already solve more of the problems without a teacher.",
))


@dataclass
class PaperPdf:
    """What to put in a generated paper; the defaults make the paper described above."""

    title: str = TITLE
    authors: tuple[str, ...] = AUTHORS
    affiliations: tuple[str, ...] = AFFILIATIONS
    abstract: str = ABSTRACT
    sections: tuple[tuple[str, tuple[str, ...]], ...] = SECTIONS
    references: tuple[str, ...] = REFERENCES
    appendix: tuple[str, tuple[str, ...]] | None = APPENDIX
    metadata: dict[str, str] = field(default_factory=lambda: {"title": TITLE,
                                                               "author": ", ".join(AUTHORS)})
    created: datetime = datetime(2025, 1, 21, 9, 30, tzinfo=UTC)
    filler_pages: int = 0  # pages of more body text, to make a long report


def paper_pdf(paper: PaperPdf | None = None, password: str | None = None) -> bytes:
    """The paper as PDF bytes; with `password`, encrypted (AES) so that it opens only with it."""
    paper = paper or PaperPdf()
    buffer = io.BytesIO()
    encrypt = None
    if password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(password, ownerPassword=password + "-owner", strength=128)
    canvas = Canvas(buffer, pagesize=letter, encrypt=encrypt, invariant=1)
    _date(canvas, paper.created)
    if "title" in paper.metadata:
        canvas.setTitle(paper.metadata["title"])
    if "author" in paper.metadata:
        canvas.setAuthor(paper.metadata["author"])
    canvas.setCreator("tests/paper_pdfs.py")
    y = _front_matter(canvas, paper)
    blocks = _column_blocks(paper)
    _two_columns(canvas, blocks, y)
    canvas.save()
    return buffer.getvalue()


def _date(canvas: Canvas, created: datetime) -> None:
    """The document's creation date (reportlab writes the time it runs, or 2000-01-01)."""
    stamp = canvas._doc._timeStamp
    stamp.t = created.timestamp()
    stamp.YMDhms = created.timetuple()[:6]


def _front_matter(canvas: Canvas, paper: PaperPdf) -> float:
    y = HEIGHT - MARGIN - 18
    canvas.setFont("Helvetica-Bold", 17)
    for line in simpleSplit(paper.title, "Helvetica-Bold", 17, WIDTH - 2 * MARGIN):
        canvas.drawCentredString(WIDTH / 2, y, line)
        y -= 22
    y -= 4
    canvas.setFont("Times-Roman", 11)
    if paper.authors:
        canvas.drawCentredString(WIDTH / 2, y, "   ".join(
            f"{name}{i % 2 + 1}" for i, name in enumerate(paper.authors)))
        y -= 14
    canvas.setFont("Times-Italic", 9)
    for affiliation in paper.affiliations:
        canvas.drawCentredString(WIDTH / 2, y, affiliation)
        y -= 11
    y -= 12
    if paper.abstract:
        canvas.setFont("Times-Bold", 11)
        canvas.drawCentredString(WIDTH / 2, y, "Abstract")
        y -= 14
        canvas.setFont(BODY_FONT, BODY_SIZE)
        for line in simpleSplit(paper.abstract, BODY_FONT, BODY_SIZE, WIDTH - 2 * MARGIN - 60):
            canvas.drawString(MARGIN + 30, y, line)
            y -= LEADING
        y -= 14
    return y


@dataclass(frozen=True)
class _Line:
    text: str
    font: str = BODY_FONT
    size: float = BODY_SIZE
    gap_before: float = 0.0


def _column_blocks(paper: PaperPdf) -> list[_Line]:
    lines: list[_Line] = []

    def section(heading: str, paragraphs: tuple[str, ...]) -> None:
        lines.append(_Line(heading, HEADING_FONT, HEADING_SIZE, gap_before=8))
        for paragraph in paragraphs:
            for i, text in enumerate(simpleSplit(paragraph, BODY_FONT, BODY_SIZE, COLUMN)):
                lines.append(_Line(text, gap_before=4 if i == 0 else 0))

    for heading, paragraphs in paper.sections:
        section(heading, paragraphs)
    for n in range(paper.filler_pages * 5):
        section(f"{len(paper.sections) + n + 1} Further experiments, part {n + 1}",
                tuple(f"Experiment {n + 1}.{k + 1} repeats the main run with another seed "
                      "and another teacher, and the student again learns to write out its "
                      "reasoning before it answers each question of the test set."
                      for k in range(6)))
    if paper.references:
        section("References", paper.references)
    if paper.appendix:
        section(*paper.appendix)
    return lines


def _two_columns(canvas: Canvas, lines: list[_Line], top: float) -> None:
    """Rows across both columns, left line then right line, page after page."""
    left_x, right_x = MARGIN, MARGIN + COLUMN + GUTTER
    while lines:
        if _height(lines) <= 2 * (top - MARGIN) - 2 * LEADING:  # the last page: balanced
            half = _balanced_split(lines)
            left, _ = _fill(lines[:half], top)
            right, lines = _fill(lines[half:], top)
        else:
            left, lines = _fill(lines, top)
            right, lines = _fill(lines, top)
        for row in range(max(len(left), len(right))):
            for x, column in ((left_x, left), (right_x, right)):
                if row < len(column):
                    y, line = column[row]
                    canvas.setFont(line.font, line.size)
                    canvas.drawString(x, y, line.text)
                    if CODE_URL in line.text or CITED_URL in line.text:
                        _link(canvas, x, y, line)
        canvas.showPage()
        top = HEIGHT - MARGIN


def _height(lines: list[_Line]) -> float:
    return sum(line.gap_before + LEADING for line in lines)


def _balanced_split(lines: list[_Line]) -> int:
    half = _height(lines) / 2
    for index in range(len(lines)):
        if _height(lines[: index + 1]) >= half:
            return index + 1
    return len(lines)


def _fill(lines: list[_Line], top: float) -> tuple[list[tuple[float, _Line]], list[_Line]]:
    placed, y = [], top
    for index, line in enumerate(lines):
        y -= line.gap_before + LEADING
        if y < MARGIN:
            return placed, lines[index:]
        placed.append((y, line))
    return placed, []


def _link(canvas: Canvas, x: float, y: float, line: _Line) -> None:
    url = CODE_URL if CODE_URL in line.text else CITED_URL
    start = x + canvas.stringWidth(line.text[: line.text.index(url)], line.font, line.size)
    end = start + canvas.stringWidth(url, line.font, line.size)
    canvas.linkURL(url, (start, y - 2, end, y + line.size), relative=0)


def scanned_pdf() -> bytes:
    """A page that is only a picture of text, as a scanner makes: no text layer at all."""
    picture = Image.new("L", (1275, 1650), 255)
    draw = ImageDraw.Draw(picture)
    for row in range(40):
        draw.text((120, 120 + row * 34), "Scanned text of a paper that has no text layer.",
                  fill=0)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    canvas.drawImage(ImageReader(picture), 0, 0, WIDTH, HEIGHT)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def long_report(pages: int) -> bytes:
    """A report of about `pages` pages: the paper with many sections of experiments."""
    return paper_pdf(PaperPdf(filler_pages=pages))
