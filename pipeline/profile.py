"""The reader's interest profile: weighted terms read from the config's `[interests]` table.

Terms come in kinds, one sub-table each, because a name means different things in different
places: `OpenAI` the organization, `Open Weights` the concept, `crypto` a word in the text.

    [interests]
    baseline = 0                    # the score of a note that matches nothing
    learn = true                    # adjust the weights from the relevance you set on notes
    prior_strength = 10             # how many ratings a configured weight is worth
    [interests.topics]              # a tag, or a topic note of any category
    Large_Language_Model = 1.5
    [interests.concepts]            # a Concept topic
    "Open Weights" = 1
    [interests.organizations]       # an Organization topic, or the maker of a Model topic
    Anthropic = 0.5
    [interests.sources]             # the note's source, site name or web host
    "simonwillison.net" = 1
    [interests.phrases]             # whole words in the title or text, any case
    crypto = -2
    [interests.categories]          # per topic of the category, fewer points each, up to 3×
    Model = 0.5

The flat form of earlier versions (`[interests]` with `term = weight` lines) is still read:
each such term is of kind `terms` and matches as before (a tag, a topic, a category, the
source, or else a phrase). See docs/RELEVANCE.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ConfigError

KINDS = ("topics", "concepts", "organizations", "sources", "phrases", "categories")
FLAT_KIND = "terms"
SETTINGS = ("baseline", "learn", "prior_strength")
DEFAULT_PRIOR_STRENGTH = 10.0


@dataclass(frozen=True, order=True)
class Interest:
    """One term of the profile: what kind of thing it names, and the name."""

    kind: str
    term: str

    def __str__(self) -> str:
        return f"{self.term} ({self.kind})"


@dataclass(frozen=True)
class InterestProfile:
    """Weights of terms, the baseline score, and how learning from the vault is set up.

    `weights` is a plain dict, never changed after construction, so that a profile can be
    pickled to worker processes (a MappingProxyType cannot)."""

    weights: Mapping[Interest, float] = field(default_factory=dict)
    baseline: float = 0.0
    learn: bool = True
    prior_strength: float = DEFAULT_PRIOR_STRENGTH

    def weight(self, interest: Interest) -> float:
        return self.weights.get(interest, 0.0)

    def phrases(self) -> list[str]:
        """Terms matched against the text: phrases, and flat terms (which may fall back to it)."""
        return [i.term for i in self.weights if i.kind in ("phrases", FLAT_KIND)]

    def with_weights(self, weights: Mapping[Interest, float], baseline: float) -> InterestProfile:
        return replace(self, weights=dict(weights), baseline=baseline)


def profile_from_config(raw: Mapping[str, Any], origin: str = "config") -> InterestProfile:
    """The profile of a parsed `[interests]` table (already checked against the schema)."""
    weights: dict[Interest, float] = {}
    for key, value in raw.items():
        if key in KINDS and isinstance(value, Mapping):
            weights.update({Interest(key, str(t)): float(w) for t, w in value.items()})
        elif key not in SETTINGS and _is_number(value):
            weights[Interest(FLAT_KIND, key)] = float(value)
        elif key not in SETTINGS:
            raise ConfigError(f"{origin}: interests.{key}: expected a weight or one of the "
                              f"tables [interests.{'], [interests.'.join(KINDS)}]")
    return InterestProfile(
        weights=weights,
        baseline=float(raw.get("baseline", 0.0)),
        learn=bool(raw.get("learn", True)),
        prior_strength=float(raw.get("prior_strength", DEFAULT_PRIOR_STRENGTH)),
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


DEFAULT_PROFILE = profile_from_config({
    "topics": {"Large_Language_Model": 1.5, "Open_Source": 1.0, "AI_agent": 1.0},
    "categories": {"Model": 0.5, "Organization": 0.25, "Concept": 0.25},
})
