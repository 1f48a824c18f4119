"""The score stage: each new note's relevance, on the scale of the vault it joins.

At start-up the profile is adjusted by the person's ratings (reading/learning.py) and every note of
the vault is scored with it: their scores are the scale (reading/calibration.py). Each note this
run scores joins the scale, so a note is placed among the vault's notes and the run's
notes before it. A new vault has no scale yet: `held_back` keeps a run's prepared items
waiting, scored, until the scale holds SCALE_NOTES notes (or the run has no more), so
that the first notes of a vault are placed among each other rather than each on a scale
of the few notes before it.

A note the person rated is given their value. Writing any other value would be kept out
anyway (vault/notes.py keeps a person's edit), but the day Gleaner's value happened to equal the
rating, the rating would look like Gleaner's own value, and a later run could overwrite it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TypeVar

from ..profile import InterestProfile
from ..records import Analysis, Article
from ..state import State
from ..vault import Vault
from .calibration import Calibration
from .learning import Learned, collect_evidence, learn
from .relevance import NoteFeatures, Scored, features_of, score_features
from .relevance_store import file_stamp, relevance_rows, remember_ratings, save_relevance

SCALE_NOTES = 50
Item = TypeVar("Item")


class RelevanceScorer:
    def __init__(self, learned: Learned, vault: Vault, ratings: dict[str, int],
                 urls: dict[int, str]) -> None:
        self.learned = learned
        self.vault = vault
        self.ratings = ratings  # note URL → the person's relevance
        self.phrases = learned.profile.phrases()
        self.scale_scores = {urls[n]: s for n, s in learned.scores.items() if n in urls}
        self._scale: Calibration | None = learned.calibration

    @classmethod
    def for_vault(cls, profile: InterestProfile, state: State, vault: Vault) -> RelevanceScorer:
        rows = relevance_rows(state)
        evidence, changed = collect_evidence(state, vault, rows)
        if changed:
            remember_ratings(state, changed)
        urls = {row.note.id: row.note.url for row in rows}
        ratings = {urls[e.note_id]: int(e.target or 0) for e in evidence if e.kind == "rating"}
        return cls(learn(profile, evidence), vault, ratings, urls)

    @property
    def scale(self) -> Calibration:
        if self._scale is None:
            self._scale = Calibration.of(self.scale_scores.values())
        return self._scale

    @property
    def young(self) -> bool:
        """Whether the scale has fewer notes than a run should wait for."""
        return len(self.scale_scores) < SCALE_NOTES

    def expect(self, article: Article, analysis: Analysis) -> None:
        """Put an article that is about to become a note on the scale."""
        self._scored(article, analysis)

    def score(self, article: Article, analysis: Analysis) -> Scored:
        return self._scored(article, analysis)[1]

    def remember(self, state: State, note_id: int, path: str, article: Article,
                 analysis: Analysis) -> Scored:
        """Score again, and keep the features, the score and the note file's stamp, for
        learning and `gleaner explain`. Call inside the note's transaction, after writing."""
        features, scored = self._scored(article, analysis)
        save_relevance(state, note_id, features.to_json(), scored.to_json(),
                       file_stamp(self.vault.inside(path)))
        return scored

    def _scored(self, article: Article, analysis: Analysis) -> tuple[NoteFeatures, Scored]:
        features = features_of(article, analysis, self.phrases)
        scored = score_features(features, self.learned.profile)
        if self.scale_scores.get(article.url) != scored.score:
            self.scale_scores[article.url] = scored.score
            self._scale = None
        rating = self.ratings.get(article.url)
        if rating is not None:
            return features, replace(scored, value=rating, unrounded=float(rating), rated=True)
        return features, replace(scored, value=self.scale.relevance(scored.score),
                                 unrounded=self.scale.value(scored.score))


def held_back(items: Iterable[Item], prepared: Callable[[Item], tuple[Article, Analysis] | None],
              scorer: Callable[[], RelevanceScorer]) -> Iterator[Item]:
    """The items in their order; while the scale is young, each waits until SCALE_NOTES
    prepared items are on it (`prepared` gives an item's article and analysis, if any).
    The scorer is asked for only once an item is prepared: a run with nothing new never
    needs one."""
    waiting: deque[Item] = deque()
    scoring = False
    for item in items:
        ready = prepared(item)
        if ready:
            scorer().expect(*ready)
            scoring = True
        waiting.append(item)
        if not scoring or not scorer().young:
            while waiting:
                yield waiting.popleft()
    yield from waiting
