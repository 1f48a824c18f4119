"""From a note's raw score to its relevance 0–5: where the score stands among the scores of
the notes in the vault.

The raw score is a sum of the profile's weights (reading/relevance.py). Its scale is whatever the
weights make it, and on a feed that is all on-topic every note scores high: rounded and
clamped, every note would show 5. Relevance instead says where a note stands among what
the person collects:

    relevance = 5 × (n × share + PRIOR_NOTES × clamp(score / 5, 0, 1)) / (n + PRIOR_NOTES)

`share` is the share of the vault's n notes that score below the note, ties counting half,
interpolated between neighbouring scores so that a higher score always gives a higher
relevance. Once n is large, relevance 5 is the best tenth of the vault, 4 the next fifth,
and 0 the lowest tenth. The PRIOR_NOTES imaginary notes spread evenly over scores 0–5 are
the absolute scale of earlier versions (relevance = the score): they settle a small vault,
where a share would blow a small difference up to the whole scale, and fade as it grows
(a tenth of the weight at 90 notes). An empty vault gives the absolute scale itself.

Relevance before rounding has two decimals, as the reading queue shows it, and the whole
number a note shows is that value rounded when the note is written: a 4.50 is a 5, a 4.49
a 4, never a 4.5 beside a 4. The queue places notes on the vault's scale of the day.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

MAX_RELEVANCE = 5
PRIOR_NOTES = 10
DECIMALS = 2
INVERSION_STEPS = 60


@dataclass(frozen=True)
class Calibration:
    """The scale of one vault: the raw scores of its notes, sorted."""

    scores: tuple[float, ...] = ()

    @classmethod
    def of(cls, scores: Iterable[float]) -> Calibration:
        return cls(tuple(sorted(scores)))

    def value(self, score: float) -> float:
        """The relevance before rounding, 0.00–5.00."""
        return round(self._exact(score), DECIMALS)

    def relevance(self, score: float) -> int:
        """The whole number a note shows: the value rounded, halves up."""
        return math.floor(self.value(score) + 0.5)

    def _exact(self, score: float) -> float:
        count = len(self.scores)
        absolute = min(1.0, max(0.0, score / MAX_RELEVANCE))
        return MAX_RELEVANCE * (count * self.share_below(score) + PRIOR_NOTES * absolute) / (
            count + PRIOR_NOTES)

    def share_below(self, score: float) -> float:
        """The share of the vault's notes that score below `score`, ties counting half."""
        if not self.scores:
            return 0.0
        lower, upper = bisect_left(self.scores, score), bisect_right(self.scores, score)
        if upper > lower:
            return (lower + upper) / 2 / len(self.scores)
        if lower in (0, len(self.scores)):  # beyond every note: as the nearest one
            return self._midrank(self.scores[0 if lower == 0 else -1])
        below, above = self.scores[lower - 1], self.scores[lower]
        low, high = self._midrank(below), self._midrank(above)
        return low + (high - low) * (score - below) / (above - below)

    def _midrank(self, score: float) -> float:
        lower, upper = bisect_left(self.scores, score), bisect_right(self.scores, score)
        return (lower + upper) / 2 / len(self.scores)

    def score_for(self, value: float) -> float:
        """The raw score whose relevance is `value`; beyond the scale's ends, the end: the
        vault's highest score (or 5) for a 5, its lowest (or 0) for a 0."""
        low = min(0.0, self.scores[0]) if self.scores else 0.0
        high = max(float(MAX_RELEVANCE), self.scores[-1]) if self.scores else MAX_RELEVANCE
        if value <= self._exact(low):
            return low
        if value >= self._exact(high):
            return high
        for _ in range(INVERSION_STEPS):
            middle = (low + high) / 2
            low, high = (middle, high) if self._exact(middle) < value else (low, middle)
        return (low + high) / 2


ABSOLUTE = Calibration()
