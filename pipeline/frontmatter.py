"""Read and write YAML frontmatter the way the users' vault already has it.

Keys sorted, block lists, ISO dates as quoted strings: exactly what `yaml.safe_dump` gives,
which is how seed 004 was written.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import NoteError

DELIMITER = "---"


def split_frontmatter(text: str) -> tuple[dict[str, Any], str]:
    """(frontmatter, body); a text without frontmatter gives an empty dict."""
    if not text.startswith(DELIMITER + "\n") and not text.startswith(DELIMITER + "\r\n"):
        return {}, text
    end = _closing_delimiter(text)
    if end < 0:
        raise NoteError("frontmatter has no closing '---' line")
    header = text[text.index("\n") + 1 : end]
    body = text[text.index("\n", end) + 1 :] if "\n" in text[end:] else ""
    try:
        data = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise NoteError(f"frontmatter is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise NoteError("frontmatter is not a mapping of keys to values")
    return data, body


def render_frontmatter(data: dict[str, Any]) -> str:
    dumped = yaml.safe_dump(data, sort_keys=True, allow_unicode=True, width=10_000)
    return f"{DELIMITER}\n{dumped}{DELIMITER}\n"


def _closing_delimiter(text: str) -> int:
    position = text.index("\n") + 1
    while position < len(text):
        line_end = text.find("\n", position)
        line = text[position : line_end if line_end >= 0 else len(text)]
        if line.rstrip("\r") == DELIMITER:
            return position
        if line_end < 0:
            break
        position = line_end + 1
    return -1
