"""Trends: which models and organizations the vault's articles mention most each week, and
which of them are rising.

An article is dated by its `published` date, else by the day its note was made, and counts
in the ISO week (Monday to Sunday) of that date. A topic's count in a week is the number of
articles that mention it, not its mentions: one long post that names a model forty times is
one article. A topic is rising in a week when at least RISING_MIN_ARTICLES articles mention
it and that is at least RISING_FACTOR times its weekly average over the BEFORE_WEEKS weeks
before (so a topic new that week, in two articles or more, is rising).

Read from the state file's notes and mentions, for `gleaner trends`, the weekly digest and
the report page; never on a cron poll's path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..state import LIVE, State
from ..vault import Vault
from .charts import MARK as RISING_MARK

CATEGORIES = ("Model", "Organization")
BEFORE_WEEKS = 4
RISING_FACTOR = 2.0
RISING_MIN_ARTICLES = 2
TOP_TOPICS = 10


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """The ISO week, as `2025-W03`."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class TopicTrend:
    """One topic (`Category/Name`) in the weeks shown: its article count in each, oldest
    first, and its weekly average over the BEFORE_WEEKS weeks before the last."""

    key: str
    weekly: tuple[int, ...]
    before: float

    @property
    def name(self) -> str:
        return self.key.partition("/")[2]

    @property
    def this_week(self) -> int:
        return self.weekly[-1]

    @property
    def rising(self) -> bool:
        return self.this_week >= max(RISING_MIN_ARTICLES, RISING_FACTOR * self.before)


@dataclass(frozen=True)
class Trends:
    """The weeks shown (Mondays, oldest first; the last is the week the trends are about),
    the articles dated in each, and that week's most mentioned topics, most first."""

    weeks: tuple[date, ...]
    articles: tuple[int, ...]
    topics: tuple[TopicTrend, ...]

    @property
    def week(self) -> date:
        return self.weeks[-1]

    @property
    def rising(self) -> tuple[TopicTrend, ...]:
        return tuple(topic for topic in self.topics if topic.rising)


@dataclass(frozen=True)
class MentionHistory:
    """Per week (by its Monday): the articles dated in it, and per topic the articles
    mentioning it."""

    articles: Mapping[date, int]
    topics: Mapping[date, Counter[str]]

    @classmethod
    def from_state(cls, state: State, categories: tuple[str, ...] = CATEGORIES
                   ) -> MentionHistory:
        """Every live note Gleaner wrote, by the week of its date."""
        articles: Counter[date] = Counter()
        topics: dict[date, Counter[str]] = {}
        with state.lock:
            notes = state.db.execute(
                f"SELECT n.id, COALESCE(n.published, substr(n.created, 1, 10)) FROM notes n "
                f"WHERE {LIVE}").fetchall()
            mentions = state.db.execute("SELECT note_id, topic FROM mentions").fetchall()
        week_of = {}
        for note_id, day in notes:
            monday = _monday(day)
            if monday is not None:
                week_of[note_id] = monday
                articles[monday] += 1
        for note_id, topic in mentions:
            if note_id in week_of and topic.partition("/")[0] in categories:
                topics.setdefault(week_of[note_id], Counter())[topic] += 1
        return cls(dict(articles), topics)

    def latest_week(self, today: date | None = None) -> date | None:
        """The week of the newest article not dated after today."""
        limit = monday_of(today or date.today())
        weeks = [week for week in self.articles if week <= limit]
        return max(weeks, default=None)

    def trends(self, week: date, weeks: int = BEFORE_WEEKS + 1,
               top: int = TOP_TOPICS) -> Trends:
        """The `top` topics of `week`, with their counts over the `weeks` weeks ending it."""
        shown = tuple(week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1))
        before = [week - timedelta(weeks=n) for n in range(1, BEFORE_WEEKS + 1)]
        current = self.topics.get(week, Counter())
        trends = [TopicTrend(key, tuple(self.topics.get(w, Counter())[key] for w in shown),
                             sum(self.topics.get(w, Counter())[key] for w in before)
                             / BEFORE_WEEKS) for key in current]
        trends.sort(key=lambda t: (-t.this_week, -t.rising, t.before, t.key.casefold()))
        return Trends(shown, tuple(self.articles.get(w, 0) for w in shown), tuple(trends[:top]))


def vault_trends(vault_root: Path, weeks: int = BEFORE_WEEKS + 1,
                 today: date | None = None) -> Trends | None:
    """The trends of the vault's latest week with articles; None if it has none. Reads the
    state file only if there is one: looking never creates one."""
    path = Vault(vault_root).state_path
    if not path.is_file():
        return None
    state = State(path)
    try:
        history = MentionHistory.from_state(state)
    finally:
        state.close()
    week = history.latest_week(today)
    return history.trends(week, weeks) if week else None


def trends_table(trends: Trends) -> list[str]:
    """The trends as aligned plain-text lines, for a terminal or a log alike: the week, then
    a row per topic with a column per week, the average of the weeks before and the mark."""
    sunday = trends.week + timedelta(days=6)
    heads = ["topic", *(week_label(w) for w in trends.weeks), f"{BEFORE_WEEKS}-week avg", ""]
    rows = [["articles", *map(str, trends.articles), "", ""]]
    rows += [[topic.key, *map(str, topic.weekly), f"{topic.before:.2f}",
              f"{RISING_MARK} rising" if topic.rising else ""] for topic in trends.topics]
    widths = [max(len(row[i]) for row in [heads, *rows]) for i in range(len(heads))]
    table = ["  ".join([row[0].ljust(widths[0]),
                        *(cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1],
                                                                   strict=True)),
                        row[-1]]).rstrip() for row in [heads, *rows]]
    return [f"week {week_label(trends.week)} ({trends.week:%d %B} to {sunday:%d %B %Y}): "
            f"{trends.articles[-1]} articles", *table,
            f"{RISING_MARK} rising: in {RISING_MIN_ARTICLES} articles or more, and at least "
            f"{RISING_FACTOR:g} times the weekly average of the {BEFORE_WEEKS} weeks before"]


def _monday(day: str | None) -> date | None:
    try:
        return monday_of(date.fromisoformat(day[:10])) if day else None
    except ValueError:
        return None
