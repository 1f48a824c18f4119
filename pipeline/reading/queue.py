"""The reading queue: which unread notes to read next, and the `Reading queue.md` note.

A vault of hundreds of notes is only useful if it says what to read first. The order
combines three things a reader weighs anyway:

    priority = relevance × freshness × length                    (0.0 … 5.0)
    freshness = 0.5 + 0.5 × 0.5 ^ (age in days / 30)            (1.0 today, 0.75 at 30 days, → 0.5)
    length    = 1                            up to 10 minutes of reading
              = 0.5 + 0.5 × 10 / minutes     beyond                   (0.75 at 20 min, → 0.5)
    minutes   = words / 230, words = characters of plain text / 6

Relevance (0–5) leads, so a note you don't care about (relevance 0) never rises; age and
length can each take away at most half of it, so a note of relevance 5 that is old, or one
that is long, still beats a fresh short one of relevance 2. Age counts from `published`,
else `upload_date`; a note with neither, or no known length, gets no penalty for what is
unknown. Six characters a word is the median over the 21 articles of tests/data/tagging
(5.99). Gleaner's relevance is taken before rounding and placed among the vault as it is
now: each note's raw score (kept in the state when the note was written) against the raw
scores of every note in the vault, so notes that all show 5 still differ, and two notes
written at different moments of a growing vault are compared on one scale. A tie in
priority goes to the higher raw score, then to the newer note.

`read_priority`, written into a note when Gleaner writes it, is that priority rounded
(half up) on the day of writing: 5 means read first. Ages change every day, so the queue
does not trust the stored integer: it computes the priority again against today. Your
values win:
- `relevance` is read from the note, so a relevance you set counts instead of Gleaner's;
- a `read_priority` you set replaces the whole priority, as is: set 5 to put a note at the
  top, 0 to sink it, or more than 5 to pin it above anything Gleaner computes. A value is
  yours when it differs from what Gleaner last wrote (the state's snapshot); for a note
  without a snapshot of it, any value but 0 (the old default) is yours.

Notes of `type: Content` with `already_read: true` are left out. A note the queue cannot
read is skipped with the file and the reason, never stopping the queue. Gleaner owns the
whole queue note and rewrites it each time; it has no `type` or `link`, so no other part
of Gleaner takes it for an article.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import NoteError
from ..state import NoteRecord, State, VaultLock
from ..vault import STATE_DIR, Vault, link_label, read_frontmatter, render_frontmatter
from .calibration import Calibration
from .relevance_store import written_score

WORDS_PER_MINUTE = 230
CHARS_PER_WORD = 6.0
FRESHNESS_HALF_LIFE_DAYS = 30
LONG_READ_MINUTES = 10
MAX_RELEVANCE = 5
LEGACY_READ_PRIORITY = 0
QUEUE_NOTE = "Reading queue.md"
QUEUE_KEY = "reading_queue"
YOURS_MARK = "*"
MAX_TITLE_CHARS = 60


def reading_minutes(text_length: int) -> float:
    """Minutes to read a plain text of `text_length` characters."""
    return text_length / CHARS_PER_WORD / WORDS_PER_MINUTE


def freshness(age_days: int | None) -> float:
    if age_days is None:
        return 1.0
    return 0.5 + 0.5 * 0.5 ** (max(age_days, 0) / FRESHNESS_HALF_LIFE_DAYS)


def length_factor(minutes: float | None) -> float:
    if minutes is None or minutes <= LONG_READ_MINUTES:
        return 1.0
    return 0.5 + 0.5 * LONG_READ_MINUTES / minutes


def priority_score(relevance: float, age_days: int | None, minutes: float | None) -> float:
    """The live priority, 0.0–5.0: relevance, lowered by age and by reading time."""
    return relevance * freshness(age_days) * length_factor(minutes)


def read_priority(relevance: float, published: str | None, text_length: int | None,
                  today: date | None = None) -> int:
    """The integer 0–5 written into a new note: the priority on the day it is written.

    An article without a date counts as new that day, as its `upload_date` will say.
    """
    today = today or date.today()
    day = _day(published)
    age = (today - day).days if day else 0
    minutes = reading_minutes(text_length) if text_length else None
    return math.floor(priority_score(relevance, age, minutes) + 0.5)


@dataclass(frozen=True)
class QueueEntry:
    """One unread note in the queue, with what its place was computed from: `relevance`
    before rounding while it is Gleaner's, `raw_score` the profile's score when written."""

    path: str
    title: str
    relevance: float
    minutes: float | None
    age_days: int | None
    score: float
    yours: bool
    raw_score: float | None = None

    @property
    def sort_key(self) -> tuple:
        """Best first; on a tie your own priority, then the higher raw score, fresher,
        shorter, path."""
        return (-self.score, not self.yours,
                math.inf if self.raw_score is None else -self.raw_score,
                math.inf if self.age_days is None else self.age_days,
                math.inf if self.minutes is None else self.minutes, self.path)


@dataclass(frozen=True)
class ReadingQueue:
    entries: tuple[QueueEntry, ...]
    unread: int
    skipped: tuple[str, ...]
    note: str


def make_queue(vault_root: Path, limit: int = 20, today: date | None = None) -> ReadingQueue:
    """Rank the vault's unread notes and write the top `limit` to the queue note.

    Under the vault's lock, as every write into the vault is (LockedError if a run holds it).
    """
    vault = Vault(vault_root)
    today = today or date.today()
    with VaultLock(vault.root / STATE_DIR):
        entries, skipped = rank_notes(vault, today)
        top = tuple(entries[:limit])
        _refuse_foreign_note(vault)
        vault.write(QUEUE_NOTE, render_queue_note(top, len(entries), today))
    return ReadingQueue(top, len(entries), tuple(skipped), QUEUE_NOTE)


def rank_notes(vault: Vault, today: date) -> tuple[list[QueueEntry], list[str]]:
    """Every unread article note, best first, and a message for each note skipped."""
    notes, skipped = _article_notes(vault)
    scale = Calibration.of(note.scored["score"] for note in notes if _has_score(note.scored))
    entries: list[QueueEntry] = []
    for note in notes:
        if note.frontmatter.get("already_read") is True:
            continue
        try:
            entries.append(_entry(note, scale, today))
        except NoteError as exc:
            skipped.append(f"skipped {note.path}: {exc}")
    return sorted(entries, key=lambda entry: entry.sort_key), skipped


@dataclass(frozen=True)
class _ArticleNote:
    """An article note of the vault, read or not, with what the state kept of it."""

    path: str
    frontmatter: Mapping[str, Any]
    record: NoteRecord | None
    scored: Mapping[str, Any] | None


def _article_notes(vault: Vault) -> tuple[list[_ArticleNote], list[str]]:
    """The vault's article notes, and a message for each note that cannot be read. Read notes
    count too: they make the scale Gleaner's relevance is placed on, as in a run."""
    notes: list[_ArticleNote] = []
    skipped: list[str] = []
    records = _Records(vault.state_path)
    try:
        for path in vault.notes():
            relative = path.relative_to(vault.root).as_posix()
            try:
                frontmatter = read_frontmatter(path)
                if frontmatter.get("type") == "Content":
                    record = records.find(frontmatter)
                    notes.append(_ArticleNote(relative, frontmatter, record,
                                              records.scored(record)))
            except (NoteError, OSError, UnicodeDecodeError) as exc:
                skipped.append(f"skipped {relative}: {_reason(exc, path)}")
    finally:
        records.close()
    return notes, skipped


def _has_score(scored: Mapping[str, Any] | None) -> bool:
    return bool(scored) and isinstance(scored.get("score"), int | float) \
        and not isinstance(scored.get("score"), bool)


def _entry(note: _ArticleNote, scale: Calibration, today: date) -> QueueEntry:
    relative, frontmatter, record, scored = note.path, note.frontmatter, note.record, note.scored
    relevance = _relevance(frontmatter, scored, scale)
    day = _day(frontmatter.get("published")) or _day(frontmatter.get("upload_date"))
    age = (today - day).days if day else None
    minutes = reading_minutes(record.text_length) if record and record.text_length else None
    own = _own_read_priority(frontmatter, record)
    score = own if own is not None else priority_score(relevance, age, minutes)
    title = frontmatter.get("title")
    return QueueEntry(relative, title if isinstance(title, str) and title.strip()
                      else Path(relative).stem, relevance, minutes, age, score,
                      own is not None, scored.get("score") if scored else None)


def _relevance(frontmatter: Mapping[str, Any], scored: Mapping[str, Any] | None,
               scale: Calibration) -> float:
    """The note's relevance; while the note holds Gleaner's value, Gleaner's before rounding,
    where its score stands in the vault now."""
    value = _number(frontmatter, "relevance")
    if value is None:
        raise NoteError("relevance is missing")
    if scored and "unrounded" in scored and not scored.get("rated_by_you") \
            and value == scored.get("relevance"):
        if _has_score(scored):
            return scale.value(scored["score"])
        return float(scored["unrounded"])
    return float(min(max(round(value), 0), MAX_RELEVANCE))


def _own_read_priority(frontmatter: Mapping[str, Any], record: NoteRecord | None) -> float | None:
    """The note's `read_priority` if the person set it, else None."""
    value = _number(frontmatter, "read_priority")
    if value is None:
        return None
    snapshots = [record.owned, *record.owned.get("pending", [])] if record else []
    written = [s["keys"]["read_priority"] for s in snapshots
               if "read_priority" in s.get("keys", {})]
    if written:
        return None if value in written else value
    return None if value == LEGACY_READ_PRIORITY else value


def _number(frontmatter: Mapping[str, Any], key: str) -> float | None:
    value = frontmatter.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise NoteError(f"{key} is {value!r}, not a number")
    return value


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _reason(exc: Exception, path: Path) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc).removeprefix(f"{path.name}: ")


class _Records:
    """The state's record of each note Gleaner wrote: its text length and its snapshot.

    Read only if the vault has a state file: the queue never creates one.
    """

    def __init__(self, path: Path) -> None:
        self.state = State(path) if path.is_file() else None

    def find(self, frontmatter: Mapping[str, Any]) -> NoteRecord | None:
        versions = frontmatter.get("versions")
        urls = [frontmatter.get("link"), *(versions if isinstance(versions, list) else [])]
        for url in urls:
            record = self.state.note_for_url(url) if self.state and isinstance(url, str) else None
            if record:
                return record
        return None

    def scored(self, record: NoteRecord | None) -> dict[str, Any] | None:
        return written_score(self.state, record.id) if self.state and record else None

    def close(self) -> None:
        if self.state:
            self.state.close()


def render_queue_note(entries: tuple[QueueEntry, ...], unread: int, today: date) -> str:
    """The queue note: a numbered list of wikilinks, best first."""
    header = render_frontmatter({QUEUE_KEY: today.isoformat(), "unread_notes": unread})
    lines = "".join(f"{rank}. [[{entry.path.removesuffix('.md')}|{link_label(entry.title)}]]"
                    f" · priority {_priority(entry)} · relevance {entry.relevance:.2f}"
                    f" · {format_minutes(entry.minutes)}\n"
                    for rank, entry in enumerate(entries, 1))
    return (f"{header}\n# Reading queue\n\n{_listed(len(entries), unread)}, best first, as of "
            f"{today.isoformat()}: by relevance, "
            "freshness and reading time, or by the `read_priority` you set. Tick "
            "`already_read` in a note to take it off. Gleaner rewrites this note on every "
            f"`gleaner queue`.\n\n{lines}")


def _listed(shown: int, unread: int) -> str:
    if not unread:
        return "No unread notes"
    if shown == unread:
        return f"The {unread} unread {'note' if unread == 1 else 'notes'}"
    return f"The top {shown} of {unread} unread notes"


def queue_table(entries: tuple[QueueEntry, ...]) -> list[str]:
    """The queue as aligned plain-text lines, for a terminal or a log alike."""
    rows = [("#", "priority", "relevance", "reading", "title", "path")]
    rows += [(str(rank), _priority(entry), f"{entry.relevance:.2f}",
              format_minutes(entry.minutes), _one_line(entry.title), entry.path)
             for rank, entry in enumerate(entries, 1)]
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines = [f"{row[0]:>{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  "
             f"{row[3]:>{widths[3]}}  {row[4]:<{widths[4]}}  {row[5]}" for row in rows]
    if any(entry.yours for entry in entries):
        lines.append(f"{YOURS_MARK} the read_priority you set")
    return lines


def _priority(entry: QueueEntry) -> str:
    """Two decimals: notes of one rounded relevance differ in the second."""
    return f"{entry.score:.2f}{YOURS_MARK if entry.yours else ''}"


def _one_line(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE_CHARS else title[:MAX_TITLE_CHARS - 1] + "…"


def format_minutes(minutes: float | None) -> str:
    return "? min" if minutes is None else f"{max(1, round(minutes))} min"


def _refuse_foreign_note(vault: Vault) -> None:
    """Never overwrite a note of the person's that happens to bear the queue note's name."""
    path = vault.inside(QUEUE_NOTE)
    if not path.exists():
        return
    try:
        ours = QUEUE_KEY in read_frontmatter(path)
    except (NoteError, OSError, UnicodeDecodeError):
        ours = False
    if not ours:
        raise NoteError(f"{QUEUE_NOTE} is a note of yours (no '{QUEUE_KEY}' key), "
                        "left untouched: rename it to let Gleaner write the queue")
