"""The notes a run rewrites once its article notes are written: the topic notes whose
articles changed, the daily and weekly digests, and the vault's base. A note that cannot be
written is one failed item of the run's report; the others are still written.
"""

from __future__ import annotations

from ..errors import GleanerError
from ..report import ItemResult, RunReport
from ..state import State
from ..vault import Vault
from .bases import BASE_FILE, write_vault_base
from .digest import digest_path, render_digest
from .topic_notes import write_topic_note
from .trends import MentionHistory, week_label
from .week_digest import weeks_to_write, write_week_digest


def write_views(vault: Vault, state: State, report: RunReport) -> None:
    report.topic_notes_written = _write_topic_notes(vault, state, report)
    _write_digests(vault, state, report)
    _write_vault_base(vault, state, report)


def _write_topic_notes(vault: Vault, state: State, report: RunReport) -> int:
    written = 0
    for topic in state.dirty_topics():
        try:
            written += write_topic_note(vault, topic, state.topic_articles(topic.key),
                                        state)
        except GleanerError as exc:
            report.add(ItemResult(f"topic {topic.key}", "failed", str(exc)))
            continue
        state.clear_dirty_topic(topic)
    return written

def _write_week_digests(vault: Vault, state: State, report: RunReport, days: list[str]) -> None:
    if not days:
        return
    history = MentionHistory.from_state(state)
    for week in weeks_to_write(state, days, history):
        try:
            write_week_digest(vault, history, week)
        except GleanerError as exc:
            report.add(ItemResult(f"digest {week_label(week)}", "failed", str(exc)))

def _write_vault_base(vault: Vault, state: State, report: RunReport) -> None:
    try:
        write_vault_base(vault, state)
    except GleanerError as exc:
        report.add(ItemResult(BASE_FILE, "failed", str(exc)))

def _write_digests(vault: Vault, state: State, report: RunReport) -> None:
    """The week digests first: they are found from the dirty days, which a daily
    digest's write clears."""
    dirty = state.dirty_digests()
    _write_week_digests(vault, state, report, [day for day, _ in dirty])
    for day, known_path in dirty:
        path = known_path or digest_path(vault, day)
        state.set_digest_path(day, path)
        try:
            vault.write(path, render_digest(day, state.digest_notes(day)))
        except GleanerError as exc:
            report.add(ItemResult(f"digest {day}", "failed", str(exc)))
            continue
        state.digest_written(day)
