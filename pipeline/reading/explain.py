"""`gleaner explain NOTE`: why a note has its relevance.

It shows the value in the note and whether the person set it, the terms and weights that
made the score Gleaner wrote, and the score a run would give the note now, with what the
vault's ratings taught each term and where that score stands among the vault's notes
(reading/calibration.py). It only reads: the vault and its state are not changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import NoteError
from ..state import State
from ..vault import Vault, read_frontmatter
from .learning import (
    Evidence,
    Learned,
    collect_evidence,
    features_for,
    is_relevance,
    learn,
    written_values,
)
from .relevance import Scored, score_features
from .relevance_store import RelevanceRow, relevance_rows


def explain_note(vault_root: Path, note: str, config: Config) -> str:
    vault = Vault(vault_root)
    if not vault.state_path.is_file():
        raise NoteError(f"{vault_root}: no .gleaner/state.sqlite: Gleaner has not written "
                        f"this vault")
    state = State(vault.state_path)
    try:
        rows = relevance_rows(state)
        row = _find(rows, note, vault)
        evidence, _ = collect_evidence(state, vault, rows)
    finally:
        state.close()
    learned = learn(config.interests, evidence)
    frontmatter = _frontmatter(vault, row.note.path)
    now = score_features(features_for(row), learned.profile, learned.calibration)
    mine = next((e for e in evidence if e.note_id == row.note.id), None)
    return "\n".join([row.note.path, _value_line(frontmatter.get("relevance"), row, mine),
                      *_when_written(row.scored), *_now(now, learned, row.scored)])


def _find(rows: list[RelevanceRow], note: str, vault: Vault) -> RelevanceRow:
    """The note named by a path (from here, or inside the vault) or by its title."""
    for candidate in (Path(note), vault.root / note, vault.root / f"{note}.md"):
        if candidate.is_file() and candidate.resolve().is_relative_to(vault.root.resolve()):
            return _by_file(rows, candidate, vault)
    wanted = note.casefold()
    found = [r for r in rows if wanted in (r.note.title.casefold(),
                                           Path(r.note.path).stem.casefold())]
    if len(found) > 1:
        raise NoteError(f"{note!r} names {len(found)} notes: "
                        f"{', '.join(r.note.path for r in found)}; give the path")
    if not found:
        raise NoteError(f"no article note {note!r} in {vault.root} (give its path or title)")
    return found[0]


def _by_file(rows: list[RelevanceRow], path: Path, vault: Vault) -> RelevanceRow:
    relative = path.resolve().relative_to(vault.root.resolve()).as_posix()
    frontmatter = _frontmatter(vault, relative)
    for row in rows:
        if row.note.path == relative or (frontmatter.get("id") is not None
                                         and frontmatter.get("id") == row.note.owned.get("id")):
            return row
    raise NoteError(f"{relative}: not an article note Gleaner wrote")


def _frontmatter(vault: Vault, relative: str) -> dict[str, Any]:
    try:
        return read_frontmatter(vault.inside(relative))
    except (OSError, UnicodeDecodeError) as exc:
        raise NoteError(f"{relative}: cannot read it: {exc}") from exc


def _value_line(value: Any, row: RelevanceRow, evidence: Evidence | None) -> str:
    written = written_values(row.note.owned)
    if value is None:
        return "relevance: none in the note (you deleted it: Gleaner leaves it out)"
    if not is_relevance(value):
        return f"relevance: {value!r}, not a whole number from 0 to 5: kept, not learned from"
    if evidence is None or evidence.kind != "rating":
        return f"relevance: {value}, as Gleaner wrote it"
    wrote = f" (Gleaner wrote {written[0]})" if written and written[0] != value else ""
    return (f"relevance: {value}, set by you{wrote}: your value stays, and teaches Gleaner "
            f"your interests")


def _when_written(scored: dict[str, Any] | None) -> list[str]:
    if scored is None:
        return ["when written: scored before Gleaner kept scores"]
    value = "your rating" if scored.get("rated_by_you") else "relevance"
    unrounded = "" if scored.get("rated_by_you") or "unrounded" not in scored \
        else f" ({scored['unrounded']:.2f} before rounding)"
    lines = [f"when written: score {scored['score']:.2f} → {value} {scored['relevance']}"
             f"{unrounded}", f"  {scored['baseline']:+6.2f}  baseline"]
    lines += [f"  {t['points']:+6.2f}  {t['term']} ({t['kind']}, weight {t['weight']:+.2f}): "
              f"{t['evidence']}" for t in scored["terms"]]
    return lines


def _now(scored: Scored, learned: Learned, written: dict[str, Any] | None) -> list[str]:
    if not learned.prior.learn:
        weights = "the configured weights (learning is off: learn = false)"
    elif learned.rated or learned.read:
        weights = f"weights learned from {learned.rated} rated and {learned.read} read notes"
    else:
        weights = "the configured weights: no ratings in the vault yet"
    if written is not None and scored.to_json() == written:
        return [f"scored now: the same, with {weights}"]
    baseline = _learned(scored.baseline, learned.prior.baseline)
    scale = learned.calibration
    lines = [f"scored now: {scored.score:.2f} → relevance {scored.value}, with {weights}",
             f"  {scored.unrounded:.2f} before rounding: the score is above "
             f"{scale.share_below(scored.score):.0%} of the {len(scale.scores)} notes' scores "
             "in the vault (docs/RELEVANCE.md, The scale)",
             f"  {scored.baseline:+6.2f}  baseline{baseline}"]
    for c in scored.contributions:
        prior = learned.prior.weight(c.interest)
        lines.append(f"  {c.points:+6.2f}  {c.interest.term} ({c.interest.kind}, weight "
                     f"{c.weight:+.2f}{_learned(c.weight, prior)}): {c.evidence}")
    return lines


def _learned(weight: float, prior: float) -> str:
    return f", configured {prior:+.2f}" if abs(weight - prior) >= 0.005 else ""
