"""Note templates: the Jinja2 file that lays out an article note.

A template is the person's own code, run on article text nobody checked, so it runs in
Jinja's sandbox and Gleaner keeps the two parts of a note apart:

- the frontmatter is a mapping the template sets (`{% set frontmatter = {...} %}`); Gleaner
  writes it as YAML itself (pipeline/vault/frontmatter.py), so no value can inject YAML;
- in the body, text Gleaner hands over already escaped (`Safe`) is written as it is, and
  anything else a `{{ ... }}` prints is escaped as plain text (markup.inert) first, so
  article text stays inert whatever the template does with it.

A line holding only a block tag (`{% for %}`, `{% if %}`) writes nothing, not even its line
break: that is what lets a template lay out Markdown line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from ..errors import ConfigError, NoteError
from .markup import inert, link_label, link_target
from .sections import PREAMBLE, join_sections, split_sections

FRONTMATTER = "frontmatter"
COMPILED_NAME = "<template>"  # the file name Jinja gives the code of a template from a string


class Safe(str):
    """Text Gleaner made safe for a note's body: written as it is."""


@dataclass(frozen=True)
class Layout:
    """What a template made of one note: its frontmatter values, its body, and the parts of
    the body Gleaner owns (every `## ` section, and the text before the first one if any)."""

    keys: dict[str, Any]
    body: str
    sections: dict[str, str]


class NoteTemplate:
    """A compiled note template; `render` lays out one note from its context."""

    def __init__(self, source: str, origin: str) -> None:
        self.origin = origin
        environment = _environment()
        try:
            self._template = environment.from_string(source)
            self._key_lines = _frontmatter_lines(environment.parse(source))
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"{self._where(exc.lineno)}: syntax error: {exc.message}") from exc

    @classmethod
    def from_file(cls, path: Path) -> NoteTemplate:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"note template {path}: cannot be read: {exc}") from exc
        return cls(source, str(path))

    def render(self, context: Mapping[str, Any]) -> Layout:
        """The note's layout; NoteError, naming the template's line, if the template fails."""
        try:
            module = self._template.make_module(dict(context))
            body = str(module)
        except Exception as exc:  # the template is code: any error it raises is its own
            raise NoteError(f"{self._where(self._line_of(exc))}: "
                            f"{str(exc) or type(exc).__name__}") from exc
        keys = self._frontmatter(getattr(module, FRONTMATTER, None))
        return Layout(keys=keys, body=body, sections=self._sections(body))

    def _frontmatter(self, declared: Any) -> dict[str, Any]:
        if declared is None:
            raise NoteError(f"{self._where()}: sets no frontmatter; begin it with "
                            "{% set frontmatter = {\"link\": link, ...} %}")
        if not isinstance(declared, Mapping):
            raise NoteError(f"{self._where()}: frontmatter is {_kind(declared)}, "
                            "not a mapping of keys to values")
        keys: dict[str, Any] = {}
        for key, value in declared.items():
            if not isinstance(key, str) or not key.strip():
                raise NoteError(f"{self._where()}: frontmatter key {key!r} is not a name")
            if value is not None:
                keys[str(key)] = self._yaml_value(key, value)
        return keys

    def _yaml_value(self, key: str, value: Any) -> Any:
        """The value as plain data YAML can hold: text, numbers, booleans, lists, mappings."""
        where = self._where(self._key_lines.get(key))
        if isinstance(value, jinja2.Undefined):
            try:
                str(value)  # StrictUndefined raises the error that names the missing variable
            except jinja2.UndefinedError as exc:
                raise NoteError(f"{where}: frontmatter key {key!r}: {exc}") from exc
        if isinstance(value, bool | int | float) or value is None:
            return value
        if isinstance(value, str):
            return str(value)
        if isinstance(value, list | tuple):
            return [self._yaml_value(key, item) for item in value]
        if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
            return {str(k): self._yaml_value(key, v) for k, v in value.items()}
        raise NoteError(f"{where}: frontmatter key {key!r} holds {_kind(value)}; give text, "
                        "a number, true or false, a list or a mapping")

    def _sections(self, body: str) -> dict[str, str]:
        parts = split_sections(body)
        names = [name for name, _ in parts[1:]]
        repeated = [name for name in names if name == PREAMBLE or names.count(name) > 1]
        if repeated:
            raise NoteError(f"{self._where()}: writes the heading '## {repeated[0]}' twice "
                            "or without a name: each `## ` section needs a name of its own")
        if join_sections(parts) != body:
            raise NoteError(f"{self._where()}: its last line is a `## ` heading: "
                            "end it with a line break")
        return {name: text for name, text in parts if name != PREAMBLE or text.strip()}

    def _line_of(self, exc: BaseException) -> int | None:
        """The template line the error happened on: the last traceback frame in its code."""
        line = None
        trace = exc.__traceback__
        while trace is not None:
            if trace.tb_frame.f_code.co_filename == COMPILED_NAME:
                line = self._template.get_corresponding_lineno(trace.tb_lineno)
            trace = trace.tb_next
        return line

    def _where(self, line: int | None = None) -> str:
        return f"note template {self.origin}" + (f", line {line}" if line else "")


def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True, finalize=_written)
    environment.filters.update(
        inert=lambda text: Safe(inert(str(text))),
        link_label=lambda text: Safe(link_label(str(text))),
        link_target=lambda url: Safe(link_target(str(url))),
        quote=_quoted,
        join=_joined,
    )
    return environment


def _written(value: Any) -> Any:
    """What a `{{ ... }}` writes: Gleaner's safe text and numbers as they are, nothing for
    none, anything else escaped as one line of plain text."""
    if isinstance(value, Safe | bool | int | float):
        return value
    return "" if value is None else inert(str(value))


def _quoted(text: Any) -> Safe:
    """The text as a block quote, for callouts: `> ` before every line."""
    lines = str(_written(text)).split("\n")
    return Safe("\n".join(f"> {line}" if line else ">" for line in lines))


@jinja2.pass_environment
def _joined(environment: jinja2.Environment, items: Iterable[Any], separator: str = "",
            attribute: str | None = None) -> Safe:
    """Jinja's `join`, writing each item as `{{ item }}` would: safe text stays safe."""
    if attribute is not None:
        items = (environment.getattr(item, attribute) for item in items)
    return Safe(str(separator).join(str(_written(item)) for item in items))


def _frontmatter_lines(template: nodes.Template) -> dict[str, int]:
    """key → template line, for the keys of a `{% set frontmatter = {...} %}` literal."""
    lines: dict[str, int] = {}
    for assign in template.find_all(nodes.Assign):
        target, mapping = assign.target, assign.node
        if isinstance(target, nodes.Name) and target.name == FRONTMATTER \
                and isinstance(mapping, nodes.Dict):
            lines.update({pair.key.value: pair.value.lineno for pair in mapping.items
                          if isinstance(pair.key, nodes.Const)})
    return lines


def _kind(value: Any) -> str:
    return f"a {type(value).__name__}"
