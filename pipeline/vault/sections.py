"""A note body as its preamble and `## ` sections, split and joined back losslessly."""

from __future__ import annotations

import re

SECTION = re.compile(r"^## (.+)$", re.MULTILINE)
PREAMBLE = ""


def split_sections(body: str) -> list[tuple[str, str]]:
    """[(heading, content)], the first entry being the preamble with heading ''."""
    matches = list(SECTION.finditer(body))
    first = matches[0].start() if matches else len(body)
    parts = [(PREAMBLE, body[:first])]
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        parts.append((match.group(1).strip(), body[match.end() + 1 : end]))
    return parts


def join_sections(parts: list[tuple[str, str]]) -> str:
    return "".join(content if name == PREAMBLE else f"## {name}\n{content}"
                   for name, content in parts)
