"""What a run did, item by item: the one-line summary and the JSON report."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .state import now
from .vault import atomic_write

STATUSES = ("written", "updated", "unchanged", "failed")


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
        line = (f"{c['written']} notes written, {c['updated']} updated, "
                f"{c['unchanged']} unchanged, {c['failed']} failed; "
                f"{self.topic_notes_written} topic notes written")
        if not c["written"] and not c["updated"] and not self.topic_notes_written:
            line += " (nothing new)"
        return line

    def save(self, folder: Path) -> Path:
        stamp = (self.finished or now()).replace(":", "").replace("+0000", "Z")
        path = folder / f"run-{stamp}.json"
        payload = {**asdict(self), "counts": self.counts}
        atomic_write(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return path
