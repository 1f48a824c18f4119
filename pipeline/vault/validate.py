"""Check notes against schemas/note.schema.json: before every write, and for `gleaner validate`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from ..errors import NoteError
from ..resources import load_schema
from .files import Vault
from .frontmatter import split_frontmatter


@dataclass(frozen=True)
class Violation:
    path: Path
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.reason}"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema("note.schema.json"))


def frontmatter_problems(frontmatter: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, reason) for every way the frontmatter breaks the schema."""
    problems = []
    for error in sorted(_validator().iter_errors(frontmatter), key=lambda e: list(e.path)):
        key = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            key = error.message.split("'")[1]
        problems.append((key or "(frontmatter)", error.message))
    return problems


def check_frontmatter(frontmatter: dict[str, Any], what: str,
                      tolerated: Iterable[tuple[str, str]] = ()) -> None:
    """Refuse a note Gleaner would make invalid; problems the person's own edits already
    made (`tolerated`) are theirs to fix, and `gleaner validate` lists them."""
    already = {_where(problem) for problem in tolerated}
    problems = [p for p in frontmatter_problems(frontmatter) if _where(p) not in already]
    if problems:
        listed = "; ".join(f"{key}: {reason}" for key, reason in problems)
        raise NoteError(f"{what} would break the note schema: {listed}")


def _where(problem: tuple[str, str]) -> tuple[str, str]:
    """A problem without its list index: a person's bad tag stays the same problem when
    Gleaner's tags before it change."""
    key, reason = problem
    return key.split(".")[0], reason


def validate_vault(root: Path) -> Iterator[Violation]:
    """Every violation in the vault's notes; notes without frontmatter are not Gleaner's."""
    for path in Vault(root).notes():
        try:
            frontmatter, _ = split_frontmatter(path.read_text(encoding="utf-8"))
        except (NoteError, UnicodeDecodeError) as exc:
            yield Violation(path, "(file)", str(exc))
            continue
        if "type" not in frontmatter and "link" not in frontmatter:
            continue
        for key, reason in frontmatter_problems(frontmatter):
            yield Violation(path, key, reason)
