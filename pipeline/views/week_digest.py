"""The week's digest: a note per ISO week, `digests/Week 2025-W03.md`, with a chart of the
models and organizations its articles mention most against the four weeks before, the
rising ones marked (pipeline/views/trends.py says how).

The chart is an SVG file beside the note, embedded with `![[…svg]]`; the note repeats its
figures as a table, which a screen reader reads and a search finds. `gleaner ingest` writes
these, as it writes the daily digests: for the week of each note it adds, and for the
BEFORE_WEEKS weeks after, whose comparison that note changes. Gleaner owns the note and
its chart and rewrites them; a note of the person's under that name is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from ..errors import NoteError
from ..records import Topic
from ..state import State
from ..vault import Vault, link_label, render_frontmatter, split_frontmatter
from .charts import Chart, Series, bar_chart
from .digest import DIGESTS_DIR
from .topic_notes import topic_note_path
from .trends import BEFORE_WEEKS, RISING_MARK, MentionHistory, Trends, monday_of, week_label

WEEK_KEY = "week_digest"


def week_digest_path(monday: date) -> str:
    """The note's vault path; its chart has the same name, ending in `.svg`."""
    return f"{DIGESTS_DIR}/Week {week_label(monday)}.md"


def weeks_to_write(state: State, days: Iterable[str], history: MentionHistory,
                   today: date | None = None) -> list[date]:
    """The weeks whose digest the notes listed on `days` (daily digests) change: each
    note's week and the BEFORE_WEEKS after it, up to this week, if they hold articles."""
    days = list(days)
    if not days:
        return []
    marks = ",".join("?" * len(days))
    with state.lock:
        dated = state.db.execute(
            "SELECT DISTINCT COALESCE(n.published, substr(n.created, 1, 10)) FROM digest_entries "
            f"d JOIN notes n ON n.id = d.note_id WHERE d.day IN ({marks})", days).fetchall()
    this_week = monday_of(today or date.today())
    weeks = set()
    for (day,) in dated:
        try:
            monday = monday_of(date.fromisoformat(day[:10]))
        except (TypeError, ValueError):
            continue
        weeks |= {monday + timedelta(weeks=n) for n in range(BEFORE_WEEKS + 1)}
    return sorted(w for w in weeks if w <= this_week and history.articles.get(w))


def write_week_digest(vault: Vault, history: MentionHistory, monday: date) -> str:
    """Write the week's chart and digest note; returns the note's path."""
    path = week_digest_path(monday)
    _refuse_foreign_note(vault, path)
    trends = history.trends(monday)
    chart_path = path.removesuffix(".md") + ".svg"
    vault.write(chart_path, week_chart(trends).in_a_file())
    vault.write(path, render_week_digest(trends, chart_path))
    return path


def week_chart(trends: Trends) -> Chart:
    """Horizontal bars: each top topic's articles this week beside its weekly average over
    the weeks before; rising topics marked."""
    label = week_label(trends.week)
    names = [topic.name for topic in trends.topics]
    alt = (f"{len(names)} models and organizations most mentioned in {label}: " + "; ".join(
        f"{t.name} {t.this_week} articles against {t.before:.2f} a week before"
        f"{' (rising)' if t.rising else ''}" for t in trends.topics)) if names else \
        f"No article of {label} mentions a model or an organization."
    return bar_chart(f"week-{label}", f"Mentioned most in {label}", alt, names, [
        Series(f"articles in {label}", tuple(t.this_week for t in trends.topics), 0),
        Series(f"weekly average, {BEFORE_WEEKS} weeks before",
               tuple(t.before for t in trends.topics), 7),
    ], horizontal=True, marked=[t.name for t in trends.rising], marked_as="rising",
        value_label="articles")


def render_week_digest(trends: Trends, chart_path: str) -> str:
    label = week_label(trends.week)
    sunday = trends.week + timedelta(days=6)
    count = trends.articles[-1]
    rows = "".join(
        f"| [[{topic_note_path(Topic(t.name, t.key.partition('/')[0])).removesuffix('.md')}"
        f"\\|{link_label(t.name)}]] | {t.this_week} | {t.before:.2f} | "
        f"{f'{RISING_MARK} rising' if t.rising else ''} |\n" for t in trends.topics)
    table = (f"| topic | articles this week | weekly average, {BEFORE_WEEKS} weeks before | |\n"
             "|---|---:|---:|---|\n" + rows) if rows else \
        "No article of this week mentions a model or an organization.\n"
    header = render_frontmatter({WEEK_KEY: label, "articles": count})
    return (f"{header}\n# Week {label}: {trends.week:%d %B} to {sunday:%d %B %Y}\n\n"
            f"{count} {'article' if count == 1 else 'articles'} this week. The models and "
            "organizations mentioned in the most of them, against their weekly average over "
            f"the {BEFORE_WEEKS} weeks before; {RISING_MARK} marks those rising.\n\n"
            f"![[{chart_path}|Chart: the models and organizations mentioned most in {label}]]"
            f"\n\n{table}\nGleaner rewrites this note and its chart when `gleaner ingest` adds "
            f"articles of this week or of the {BEFORE_WEEKS} weeks before.\n")


def _refuse_foreign_note(vault: Vault, path: str) -> None:
    """Never write over a note of the person's that has the digest's name."""
    text = vault.read(path)
    if text is not None and WEEK_KEY not in split_frontmatter(text)[0]:
        raise NoteError(f"{path} is a note of yours (no '{WEEK_KEY}' key), left untouched")
