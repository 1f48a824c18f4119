"""Read and write YAML frontmatter the way the users' vault already has it.

Keys sorted, block lists, ISO dates as quoted strings: what `yaml.safe_dump` gives, which is
how seed 004 was written. Reading follows YAML 1.2's core schema, as Obsidian does, so a
value means the same to Gleaner as to Obsidian: `reviewed: yes` stays the text "yes" and a
date Obsidian wrote unquoted (`upload_date: 2025-01-08`) stays the text "2025-01-08"
instead of turning into a date object (PyYAML's YAML 1.1 would make them `true` and a
`datetime.date`, and writing the note back would change the person's values).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import NoteError

DELIMITER = "---"
BOM = "\ufeff"
MAX_HEADER_CHARS = 1_000_000
# Characters YAML or an editor may read as a line break or not at all: a string holding
# one is written double-quoted, where each is an escape (`\n`, `\N`, `\L`, `\t`, ...).
NEEDS_ESCAPES = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
CORE_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$",
     "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]


class _CoreLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema scalars: no yes/no, dates or octal."""


class _FastCoreLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser when PyYAML has it: five times faster, and a run reads
    every note's frontmatter. libyaml refuses some escapes the Python parser takes (a lone
    surrogate, `\\ud800`), so a header it refuses is read again by `_CoreLoader`."""


class _Dumper(yaml.SafeDumper):
    """Quotes any string that YAML 1.1 or 1.2 would read as something else."""


def _install_resolvers() -> None:
    _CoreLoader.yaml_implicit_resolvers = {}
    _FastCoreLoader.yaml_implicit_resolvers = {}
    for tag, pattern, first in CORE_RESOLVERS:
        _CoreLoader.add_implicit_resolver(tag, re.compile(pattern), list(first))
        _FastCoreLoader.add_implicit_resolver(tag, re.compile(pattern), list(first))
        _Dumper.add_implicit_resolver(tag, re.compile(pattern), list(first))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if NEEDS_ESCAPES.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_install_resolvers()
_Dumper.add_representer(str, _represent_str)


def split_frontmatter(text: str) -> tuple[dict[str, Any], str]:
    """(frontmatter, body); a text without frontmatter gives an empty dict."""
    text = text.removeprefix(BOM)
    if not text.startswith(DELIMITER + "\n") and not text.startswith(DELIMITER + "\r\n"):
        return {}, text
    end = _closing_delimiter(text)
    if end < 0:
        raise NoteError("frontmatter has no closing '---' line")
    header = text[text.index("\n") + 1 : end]
    body = text[text.index("\n", end) + 1 :] if "\n" in text[end:] else ""
    return _parse(header), body


def read_frontmatter(path: Path, only_with: re.Pattern[str] | None = None) -> dict[str, Any]:
    """Only the frontmatter of a note file, without reading the whole body; with
    `only_with`, parsed only if its text matches (else empty): a cheap filter before YAML."""
    lines: list[str] = []
    size = 0
    with path.open(encoding="utf-8") as handle:
        first = handle.readline().removeprefix(BOM)
        if first.rstrip("\r\n") != DELIMITER:
            return {}
        for line in handle:
            if line.rstrip("\r\n") == DELIMITER:
                header = "".join(lines)
                return _parse(header) if only_with is None or only_with.search(header) else {}
            lines.append(line)
            size += len(line)
            if size > MAX_HEADER_CHARS:
                break
    raise NoteError(f"{path.name}: frontmatter has no closing '---' line")


def render_frontmatter(data: dict[str, Any]) -> str:
    dumped = yaml.dump(data, Dumper=_Dumper, sort_keys=True, allow_unicode=True, width=10_000)
    return f"{DELIMITER}\n{dumped}{DELIMITER}\n"


def _load(header: str) -> Any:
    try:
        return yaml.load(header, Loader=_FastCoreLoader) or {}
    except yaml.YAMLError:
        return yaml.load(header, Loader=_CoreLoader) or {}


def _parse(header: str) -> dict[str, Any]:
    try:
        data = _load(header)
    except yaml.YAMLError as exc:
        raise NoteError(f"frontmatter is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise NoteError("frontmatter is not a mapping of keys to values")
    return data


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
