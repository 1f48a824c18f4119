"""Learning the profile's weights from the relevance a person set on notes in the vault.

Relevance is where a note's raw score stands among the vault's scores (reading/calibration.py), so
a value the person sets is turned into the raw score that would show it, on the scale
drawn from the vault's notes under the configured profile.

Evidence, read at start-up:
- a rating: a note whose `relevance` differs from every value Gleaner wrote there (or that
  was remembered as the person's); the target is the raw score of that value, weight 1;
- a read: `already_read: true` on a note without a rating says it was worth reading; the
  target is the raw score of max(3, the value Gleaner wrote), weight 0.5;
- an anchor: every other note of the vault; the target is the configured profile's score,
  weight 0.3. A value equal to Gleaner's cannot be told from no rating, so without anchors
  ratings of one kind only (policy posts down to 1) would pull down every note; with them,
  learning changes the weights of what the rated notes have in common and other notes do
  not.

Method: the score is linear in the terms' strengths (reading/relevance.py), so the weights are fit
by ridge regression toward the configured ones:

    minimise  Σ_notes c·(target − baseline − Σ w·strength)²
              + λ·Σ_terms s²·(w − w_configured)²        (the baseline counts as a term)

with λ = `prior_strength` (10) and s the largest strength the term has in these notes (up
to 3 for a category, else 1), so that a weight is as hard to move as the points it can
give a note: a configured weight counts as much as λ ratings of a note with only that
term, and a few ratings move the weights a little, many move them more. The terms are the
profile's plus those that at least two rated or read notes share (tags, topics,
organizations and makers, concepts, sources), each with a configured weight of 0. A 5
means "at the top of the scale or above" and a 0 "at the bottom or below": a note scored
beyond the end it was rated at is not an error, so it is left out of the fit, which is
repeated until that set is stable. The vault's scale is then drawn again from the notes'
scores under the learned weights. See docs/RELEVANCE.md for the limits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import NoteError
from ..profile import FLAT_KIND, Interest, InterestProfile
from ..records import Topic
from ..state import State
from ..vault import Vault, read_frontmatter
from .calibration import MAX_RELEVANCE, Calibration
from .relevance import Match, NoteFeatures, match_of, matches, score_features, term_key
from .relevance_store import RelevanceRow, file_stamp, relevance_rows

READ_TARGET = 3
WEIGHTS = {"rating": 1.0, "read": 0.5, "anchor": 0.3}
MIN_SUPPORT = 2
CENSORED_ROUNDS = 10


@dataclass(frozen=True)
class Evidence:
    """One note as evidence: `kind` is rating, read or anchor (see above); an anchor's
    target is left to `learn`, which knows the configured profile."""

    note_id: int
    features: NoteFeatures
    kind: str
    target: float | None = None


@dataclass(frozen=True)
class Learned:
    """The configured profile, the learned one, how much evidence moved it, and each
    note's raw score under the learned profile (by note id), whose spread is the scale."""

    prior: InterestProfile
    profile: InterestProfile
    rated: int = 0
    read: int = 0
    scores: dict[int, float] = field(default_factory=dict)
    calibration: Calibration = field(default_factory=Calibration)


@dataclass(frozen=True)
class SeenNote:
    """The relevance values a person owns on a note: their rating (or None), `already_read`,
    and the stamp of the file they were read from."""

    rating: int | None
    read: bool
    stamp: str | None


def learn(prior: InterestProfile, evidence: Sequence[Evidence]) -> Learned:
    counts = Counter(e.kind for e in evidence)
    if not prior.learn or not (counts["rating"] or counts["read"]):
        return _scaled(prior, prior, evidence,
                       [score_features(e.features, prior).score for e in evidence])
    import numpy as np  # only when there is something to learn

    interests = _candidates(prior, evidence)
    design = _design(interests, [matches(e.features) for e in evidence])
    prior_values = np.array([prior.baseline, *(prior.weight(i) for i in interests)])
    configured = design @ prior_values  # the anchors' targets
    scale = Calibration.of(configured)
    wanted = np.array([configured[n] if e.target is None else scale.score_for(e.target)
                       for n, e in enumerate(evidence)])
    at_top = np.array([e.target is not None and e.target >= MAX_RELEVANCE for e in evidence])
    at_bottom = np.array([e.target is not None and e.target <= 0 for e in evidence])
    solution = _censored_ridge(design, wanted, np.array([WEIGHTS[e.kind] for e in evidence]),
                               prior_values, prior.prior_strength, (at_top, at_bottom))
    learned = {i: float(w) for i, w in zip(interests, solution[1:], strict=True)}
    return replace(_scaled(prior, prior.with_weights(learned, float(solution[0])), evidence,
                           list(design @ solution)), rated=counts["rating"], read=counts["read"])


def _scaled(prior: InterestProfile, profile: InterestProfile, evidence: Sequence[Evidence],
            scores: Sequence[float]) -> Learned:
    by_note = {e.note_id: float(score) for e, score in zip(evidence, scores, strict=True)}
    return Learned(prior, profile, scores=by_note, calibration=Calibration.of(by_note.values()))


def _censored_ridge(design, wanted, weights, prior_values, lam: float, ends):
    """Ridge regression toward `prior_values`, each weight's penalty scaled by the square
    of its column's largest strength. A target at an end of the scale is only a bound: a
    note wanted at the top (`ends[0]`) and predicted there or above, or at the bottom
    (`ends[1]`) and predicted there or below, is left out of the fit. Refit until the
    notes left out no longer change."""
    import numpy as np

    at_top, at_bottom = ends
    penalty = lam * np.diag(np.maximum(design.max(axis=0), 1.0) ** 2)
    fitted = np.ones(len(wanted), dtype=bool)
    for _ in range(CENSORED_ROUNDS):
        used = weights * fitted
        lhs = design.T @ (design * used[:, None]) + penalty
        solution = np.linalg.solve(lhs, design.T @ (used * wanted) + penalty @ prior_values)
        predicted = design @ solution
        beyond = (at_top & (predicted >= wanted)) | (at_bottom & (predicted <= wanted))
        if (fitted == ~beyond).all():
            break
        fitted = ~beyond
    return solution


def _candidates(prior: InterestProfile, evidence: Sequence[Evidence]) -> list[Interest]:
    """The profile's terms, then the natural terms that at least MIN_SUPPORT rated or read
    notes share."""
    support = Counter(i for e in evidence if e.kind != "anchor"
                      for i in set(natural_terms(e.features)))
    shared = sorted(i for i, n in support.items() if n >= MIN_SUPPORT and i not in prior.weights)
    return [*prior.weights, *shared]


def natural_terms(features: NoteFeatures) -> list[Interest]:
    """The terms a note suggests by itself: what a person would name to like or avoid it."""
    kinds = {"Model": "topics", "Organization": "organizations", "Concept": "concepts"}
    terms = [Interest("topics", tag) for tag in features.tags]
    terms += [Interest(kinds.get(t.category, "topics"), t.name) for t in features.topics]
    terms += [Interest("organizations", t.organization) for t in features.topics
              if t.category == "Model" and t.organization]
    terms += [Interest("sources", s) for s in features.sources[:1]]
    return terms


def _design(interests: list[Interest], found: list[dict[tuple[str, str], Match]]):
    """Notes × (1, terms) matrix of strengths; a term's column is found from each match's
    key, so building it costs one lookup per match, not one per term and note."""
    import numpy as np

    columns: dict[tuple[str, str], list[int]] = {}
    flat = []
    for column, interest in enumerate(interests, start=1):
        if interest.kind == FLAT_KIND:
            flat.append((column, interest))
        else:
            columns.setdefault((interest.kind, term_key(interest.term)), []).append(column)
    cells: list[tuple[int, int, float]] = []
    for row, matched in enumerate(found):
        for key, match in matched.items():
            cells += [(row, column, match.strength) for column in columns.get(key, ())]
        for column, interest in flat:
            match = match_of(interest, matched)
            if match:
                cells.append((row, column, match.strength))
    design = np.zeros((len(found), len(interests) + 1))
    design[:, 0] = 1.0
    if cells:
        rows, cols, values = zip(*cells, strict=True)
        design[list(rows), list(cols)] = values
    return design


Seen = dict[int, tuple[int | None, bool, str | None]]


def collect_evidence(state: State, vault: Vault, rows: list[RelevanceRow] | None = None
                     ) -> tuple[list[Evidence], Seen]:
    """The ratings and reads in the vault, and what changed since they were last remembered.

    Only notes whose file changed since it was last looked at are read (YAML costs ~2 ms a
    note, a stat microseconds): for the others, the values remembered in the state stand.
    """
    evidence: list[Evidence] = []
    changed: Seen = {}
    for row in relevance_rows(state) if rows is None else rows:
        seen = _seen(vault, row)
        if seen is None:
            continue
        if (seen.rating, seen.read, seen.stamp) != (row.rating, row.read, row.stamp):
            changed[row.note.id] = (seen.rating, seen.read, seen.stamp)
        features = features_for(row)
        if seen.rating is not None:
            evidence.append(Evidence(row.note.id, features, "rating", seen.rating))
        elif seen.read:
            written = written_values(row.note.owned)
            target = max(READ_TARGET, written[0] if written else 0)
            evidence.append(Evidence(row.note.id, features, "read", target))
        else:
            evidence.append(Evidence(row.note.id, features, "anchor"))
    return evidence, changed


def _seen(vault: Vault, row: RelevanceRow) -> SeenNote | None:
    """The person's values on a note: from its file if it changed since last looked at,
    else as remembered. None when the note is gone or cannot be read."""
    try:
        path = vault.inside(row.note.path)
    except NoteError:
        return None
    stamp = file_stamp(path)
    if stamp is None:
        return None
    if stamp == row.stamp:
        return SeenNote(row.rating, row.read, stamp)
    try:
        frontmatter = read_frontmatter(path)
    except (NoteError, OSError, UnicodeDecodeError):
        return None
    value = frontmatter.get("relevance")
    if not is_relevance(value):
        rating = None
    elif value not in written_values(row.note.owned) or value == row.rating:
        rating = value
    else:
        rating = None
    return SeenNote(rating, frontmatter.get("already_read") is True, stamp)


def is_relevance(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 5


def written_values(owned: dict[str, Any]) -> list[Any]:
    """Every relevance Gleaner wrote in the note: the committed one first, then pending."""
    snapshots = [owned, *owned.get("pending", [])]
    return [s["keys"]["relevance"] for s in snapshots if "relevance" in s.get("keys", {})]


def features_for(row: RelevanceRow) -> NoteFeatures:
    """A note's features as kept at emit time, with the topics' mentions from the state
    where they were not kept; for older notes, rebuilt from the tags and source Gleaner
    wrote and the topics in the state (without phrases or aliases)."""
    if row.features is not None:
        features = NoteFeatures.from_json(row.features)
    else:
        keys = row.note.owned.get("keys", {})
        source = keys.get("source")
        features = NoteFeatures(
            tags=tuple(keys.get("tags", ())), sources=(source,) if source else (),
            topics=tuple(Topic(name, category) for category, _, name
                         in (key.partition("/") for key in row.mentions)))
    if features.mentions or not all(t.key in row.mentions for t in features.topics):
        return features
    return replace(features, mentions=tuple(row.mentions[t.key] for t in features.topics))
