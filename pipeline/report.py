"""What a run did, item by item: the one-line summary and the JSON report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import atomic_write

if TYPE_CHECKING:
    from .reading import Scored

STATUSES = ("written", "updated", "unchanged", "skipped", "failed")
REPORTED_TERMS = 5  # per note, in the JSON report
SHOWN_NOTES = 3  # on the terminal: the highest scores, with their largest terms
SHOWN_TERMS = 3


def now() -> str:
    """The time as Gleaner writes it everywhere (reports, the state file): UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ItemResult:
    location: str
    status: str
    detail: str = ""
    note: str | None = None


@dataclass
class RunReport:
    started: str = field(default_factory=now)
    finished: str | None = None
    items: list[ItemResult] = field(default_factory=list)
    topic_notes_written: int = 0
    kept_edits: list[str] = field(default_factory=list)
    summary_fallbacks: list[str] = field(default_factory=list)
    relevance: dict[str, dict[str, Any]] = field(default_factory=dict)
    repeated: int = 0  # URLs listed again in the same run: read and reported once

    def add(self, item: ItemResult) -> None:
        self.items.append(item)

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUSES}

    @property
    def failures(self) -> list[ItemResult]:
        return [item for item in self.items if item.status == "failed"]

    def summary_line(self) -> str:
        c = self.counts
        skipped = f"{c['skipped']} skipped, " if c["skipped"] else ""
        repeated = f" ({self.repeated} listed twice)" if self.repeated else ""
        line = (f"{c['written']} notes written, {c['updated']} updated, "
                f"{c['unchanged']} unchanged, {skipped}{c['failed']} failed{repeated}; "
                f"{self.topic_notes_written} topic notes written")
        if not c["written"] and not c["updated"] and not self.topic_notes_written:
            line += " (nothing new)"
        return line

    def add_relevance(self, note: str, scored: Scored) -> None:
        """A written or updated note's relevance and the terms that moved it most."""
        self.relevance[note] = scored.to_json(REPORTED_TERMS)

    def relevance_lines(self) -> list[str]:
        """For the terminal: how the notes written spread over 0–5, and why the top ones
        scored what they did; the JSON report has every note."""
        if not self.relevance:
            return []
        spread = Counter(entry["relevance"] for entry in self.relevance.values())
        lines = ["relevance: " + ", ".join(f"{spread[value]} × {value}"
                                           for value in range(5, -1, -1) if spread[value])]
        best = sorted(self.relevance.items(), key=lambda item: (-item[1]["score"], item[0]))
        for note, entry in best[:SHOWN_NOTES]:
            terms = ", ".join(f"{_label(term)} {term['points']:+.1f}"
                              for term in entry["terms"][:SHOWN_TERMS])
            yours = " (your rating)" if entry["rated_by_you"] else ""
            lines.append(f"  {entry['relevance']}{yours}  {note}: {terms or 'no term matched'}")
        return lines

    def save(self, folder: Path) -> Path:
        """A run finishing in the same second as the last gets a numbered file of its own
        (sorting after it), so no run's report replaces another's."""
        stamp = (self.finished or now()).replace(":", "").replace("+0000", "Z")
        path, number = folder / f"run-{stamp}.json", 1
        while path.exists():
            number += 1
            path = folder / f"run-{stamp}_{number:02d}.json"
        payload = {**asdict(self), "counts": self.counts}
        atomic_write(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return path


def _label(term: dict[str, Any]) -> str:
    return f"{term['term']} topics" if term["kind"] == "categories" else term["term"]
