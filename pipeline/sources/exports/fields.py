"""Reading the fields every export has in its own spelling: dates, flags, URLs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+)?(?:Z|[+-]\d{2}:?\d{2})?$")
EPOCH = re.compile(r"^\d{1,13}(?:\.\d+)?$")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "f"})
MILLISECONDS_FROM = 10**11  # an epoch number this large counts milliseconds, not seconds


class FieldError(ValueError):
    """A field of an entry holds something it cannot hold; the message says which."""


def day_of(value: object, field: str) -> str | None:
    """The UTC day (`YYYY-MM-DD`) of an epoch number or an ISO-like date text; None for an
    empty value; FieldError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(f"{field} {value!r} is not a date")
    if isinstance(value, int | float) or EPOCH.match(str(value).strip()):
        return _from_epoch(float(value), field)
    text = str(value).strip()
    match = ISO_DAY.match(text)
    if not match:
        raise FieldError(f"{field} {text[:40]!r} is not a date")
    try:
        datetime.strptime(match.group(1), "%Y-%m-%d")
    except ValueError as exc:
        raise FieldError(f"{field} {text[:40]!r} is not a date") from exc
    return match.group(1)


def _from_epoch(seconds: float, field: str) -> str:
    if seconds >= MILLISECONDS_FROM:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError) as exc:
        raise FieldError(f"{field} {seconds!r} is not a date") from exc


def flag(value: object, field: str) -> bool:
    """A yes/no field written as a boolean, a number or a word."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FieldError(f"{field} {str(value)[:40]!r} is neither true nor false")


def web_url(value: object, field: str = "url") -> str:
    """The entry's URL: http(s) only, since a note links to the page it was made from."""
    url = value.strip() if isinstance(value, str) else ""
    if not url:
        raise FieldError(f"has no {field}")
    if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        raise FieldError(f"{field} {url[:80]!r} is not a web address")
    return url


def text_or_none(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def split_tags(cell: str, separator: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tag.strip() for tag in cell.split(separator) if tag.strip()))
