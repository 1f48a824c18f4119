"""Text fingerprints, to recognise one article under two URLs or in two versions.

A fingerprint is a sample of the hashes of the text's 5-word shingles (those divisible by
SAMPLE), so the share of one text's sample found in another's estimates how much of the
text the other contains. Containment rather than Jaccard: a revised, longer version of an
article still contains most of the shorter one.
"""

from __future__ import annotations

import hashlib
import re

SHINGLE = 5
SAMPLE = 4
WORD = re.compile(r"\w+")
MIN_SAMPLE = 8
SAME_ARTICLE = 0.4  # seeds 000/001: 0.57; most similar distinct benchmark pair: 0.26


def fingerprint(text: str) -> list[int]:
    words = WORD.findall(text.lower())
    hashes = {
        int.from_bytes(hashlib.blake2b(" ".join(words[i : i + SHINGLE]).encode(),
                                       digest_size=8).digest(), "big", signed=True)
        for i in range(max(0, len(words) - SHINGLE + 1))
    }
    return sorted(h for h in hashes if h % SAMPLE == 0)


def containment(shared: int, size_a: int, size_b: int) -> float:
    """Share of the smaller text found in the other; 0 when either sample is too small."""
    smaller = min(size_a, size_b)
    return shared / smaller if smaller >= MIN_SAMPLE else 0.0


def is_same_article(shared: int, size_a: int, size_b: int) -> bool:
    return containment(shared, size_a, size_b) >= SAME_ARTICLE
