"""The emit stage: lay out an article note through its template and merge it into the vault.

The template (pipeline/vault/templates.py; the shipped one in data/templates/) decides the layout.
Gleaner owns the frontmatter keys and the `## ` sections it writes; the person owns
everything else (see docs/OWNERSHIP.md). What Gleaner last wrote is kept in the state
(`owned`), so on a re-run a value or section that still matches it is refreshed, and one the
person changed is left alone. A snapshot written just before a note file (`pending`) covers
a run killed between the file write and the state commit: the text it left is still
recognised as Gleaner's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError, NoteError
from ..records import Analysis, Article, Link, NoteDraft, Paper, Topic
from ..resources import data_path
from .files import TOPICS_DIR, safe_name
from .frontmatter import render_frontmatter, split_frontmatter
from .markup import inert, link_label, link_target, readable
from .sections import join_sections, split_sections
from .templates import Layout, NoteTemplate, Safe
from .validate import check_frontmatter, frontmatter_problems

PERSON_DEFAULTS: Mapping[str, Any] = {"already_read": False}
PERSON_KEYS = frozenset({"already_read", "id", "upload_date"})
# Before Gleaner computed read_priority it wrote this default and kept no snapshot of it.
FORMER_DEFAULTS: Mapping[str, Any] = {"read_priority": 0}
OWNED_SECTIONS = ("Summary", "Links", "Topics")  # the `## ` sections of the shipped template
DEFAULT_TEMPLATE = data_path("templates/note.md.j2")
ID_KEY = "id"
MAX_PENDING = 8
NOT_IN_TAG = re.compile(r"[^\w/-]+")  # Obsidian tags: letters, digits, `_`, `-` and `/`


@dataclass(frozen=True)
class Rendered:
    """A note as text, with the owned values and sections it contains."""

    text: str
    owned: dict[str, Any]
    kept: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class OutboundLink:
    """A link of the article as a template sees it: `markdown` and `line` are ready to
    write; the other fields are the plain values (escaped if written with `{{ }}`)."""

    url: str
    label: str
    context: str
    kind: str
    note: str | None
    markdown: Safe
    line: Safe


@dataclass(frozen=True)
class TopicLink:
    """A topic of the article as a template sees it: `link` (the topic note's path),
    `embed` and `wikilink` are ready to write."""

    name: str
    category: str
    organization: str | None
    link: Safe
    embed: Safe
    wikilink: Safe


def note_id_for(url: str) -> str:
    """The stable id of the note first written for this URL; it never changes after."""
    return "gl-" + hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def topic_link(topic: Topic) -> str:
    return f"{TOPICS_DIR}/{safe_name(topic.category)}/{safe_name(topic.name)}"


def gleaner_tags(tags: Sequence[str]) -> list[str]:
    """Gleaner's own tags as valid Obsidian tags; a person's tags are never rewritten."""
    cleaned = (NOT_IN_TAG.sub("_", readable(tag)).strip("_") for tag in tags)
    return list(dict.fromkeys(tag for tag in cleaned if tag))


def note_context(draft: NoteDraft, note_paths: Mapping[str, str],
                 versions: Sequence[str], sources: Sequence[str] = ()) -> dict[str, Any]:
    """What a template can use: the frontmatter values as they are, and the body's text
    already escaped (docs/TEMPLATES.md lists them). None means "the article has none"."""
    article = draft.article
    paper = article.paper or Paper()
    if paper.arxiv_id:  # its versions are arXiv's; the URLs it was fetched from are mirrors
        versions = paper.versions
    return {
        "link": article.url,
        "relevance": draft.relevance,
        "read_priority": draft.read_priority,
        "reading_minutes": draft.reading_minutes,
        "source": readable(article.source_name or article.site_name or ""),
        "tags": gleaner_tags(draft.analysis.tags),
        "title": readable(article.title) or None,
        "author": readable(article.author or "") or None,
        "published": article.published or None,
        "versions": [v for v in dict.fromkeys(versions) if v != article.url] or None,
        "sources": [readable(s) for s in sources] if len(sources) > 1 else None,
        "authors": [readable(a) for a in paper.authors] or None,
        "arxiv": paper.arxiv_id,
        "categories": list(paper.categories) or None,
        "truncated": f"read the first {paper.pages_read} of {paper.pages} pages"
        if paper.truncated else None,
        "text_from": readable(article.text_from or "") or None,
        "url": Safe(link_target(article.url)),
        "summary": Safe(_summary_text(draft.summary)),
        "links": [_outbound(link, note_paths) for link in article.links],
        "topics": [_topic(topic) for topic in draft.analysis.topics],
    }


@cache
def default_template() -> NoteTemplate:
    return load_template(None)


def load_template(path: Path | None) -> NoteTemplate:
    """The note template at `path` (None: the shipped one), tried on sample notes first, so
    a template that cannot make a valid note stops the run before any note is written."""
    template = NoteTemplate.from_file(path or DEFAULT_TEMPLATE)
    for sample in SAMPLES:
        try:
            layout = _layout(template, sample, {SAMPLE_KNOWN: "Known note.md"}, [SAMPLE_COPY])
        except NoteError as exc:
            raise ConfigError(str(exc)) from exc
        for key, reason in frontmatter_problems(_new_frontmatter(layout.keys, "gl-sample")):
            if reason.endswith("is a required property"):
                raise ConfigError(f"note template {template.origin} leaves out the frontmatter "
                                  f"key {key!r}, which every note needs "
                                  "(schemas/note.schema.json)")
            raise ConfigError(f"note template {template.origin} writes an invalid frontmatter "
                              f"value: {key}: {reason}")
    return template


def with_pending(owned_before: Mapping[str, Any] | None, written: Mapping[str, Any]) -> dict:
    """The state's snapshot while a note file is being written: the last committed one plus
    what is about to be written, so either is recognised as Gleaner's after a kill."""
    before = dict(owned_before or {})
    before["pending"] = [*before.get("pending", []), dict(written)][-MAX_PENDING:]
    return before


def render_note(
    draft: NoteDraft,
    note_paths: Mapping[str, str],
    versions: list[str],
    existing: str | None = None,
    owned_before: Mapping[str, Any] | None = None,
    today: date | None = None,
    template: NoteTemplate | None = None,
    sources: Sequence[str] = (),
) -> Rendered:
    """The note's full text: fresh, or merged into the existing file keeping the person's
    edits. `sources` are the channels the article came through, when there are several."""
    owned_before = owned_before or {}
    layout = _layout(template or default_template(), draft, note_paths, versions, sources)
    what = f"note for {draft.article.url}"
    note_id = owned_before.get("id") or note_id_for(draft.article.url)
    if existing is None:
        frontmatter = _new_frontmatter(layout.keys, note_id, today)
        check_frontmatter(frontmatter, what)
        text = render_frontmatter(frontmatter) + layout.body
        kept: tuple[str, ...] = ()
        owned_keys = layout.keys
    else:
        frontmatter, text, kept, owned_keys = _merge(existing, layout.keys, layout.sections,
                                                     owned_before, note_id, what)
    owned = {"keys": owned_keys, "sections": layout.sections, "id": frontmatter[ID_KEY]}
    return Rendered(text=text, owned=owned, kept=kept)


def _layout(template: NoteTemplate, draft: NoteDraft, note_paths: Mapping[str, str],
            versions: Sequence[str], sources: Sequence[str] = ()) -> Layout:
    layout = template.render(note_context(draft, note_paths, versions, sources))
    theirs = sorted(PERSON_KEYS & set(layout.keys))
    if theirs:
        raise NoteError(f"note template {template.origin} sets {theirs[0]!r}: Gleaner writes "
                        "already_read, id and upload_date itself, once, and then leaves them "
                        "to the person")
    return layout


def _new_frontmatter(keys: Mapping[str, Any], note_id: str,
                     today: date | None = None) -> dict[str, Any]:
    return {**PERSON_DEFAULTS, **keys, ID_KEY: note_id,
            "upload_date": (today or date.today()).isoformat()}


def _merge(
    existing: str, fresh_keys: dict[str, Any], fresh_sections: dict[str, str],
    owned_before: Mapping[str, Any], note_id: str, what: str,
) -> tuple[dict[str, Any], str, tuple[str, ...], dict[str, Any]]:
    """The merged frontmatter and text, what was kept as the person's, and the value of each
    key Gleaner owns now (for a key the person changed: what Gleaner last wrote there)."""
    try:
        frontmatter, body = split_frontmatter(existing.replace("\r\n", "\n"))
    except NoteError as exc:
        raise NoteError(f"existing note cannot be read, left untouched: {exc}") from exc
    already_wrong = frontmatter_problems(frontmatter)
    snapshots = [owned_before, *owned_before.get("pending", [])]
    written_keys = [{**FORMER_DEFAULTS, **s["keys"]} for s in snapshots if s.get("keys")]
    kept, owned_keys = [], {}
    for key, value in fresh_keys.items():
        merged = _merged_value(key, frontmatter.get(key), value, written_keys)
        if merged is _PERSON_EDIT:
            if frontmatter.get(key) != value:
                kept.append(f"frontmatter key {key!r}")
            earlier = [keys[key] for keys in written_keys if key in keys]
            if earlier:
                owned_keys[key] = earlier[0]
        else:
            frontmatter[key] = merged
            # Gleaner's own tags, also those the person deleted: what the person added
            # stays theirs, what they deleted stays deleted, at every later run.
            owned_keys[key] = value if key == "tags" else merged
    for key in {k for keys in written_keys for k in keys} - set(fresh_keys):
        if any(key in keys and frontmatter.get(key) == keys[key] for keys in written_keys):
            frontmatter.pop(key, None)
    frontmatter.setdefault(ID_KEY, note_id)
    check_frontmatter(frontmatter, what, tolerated=already_wrong)
    sections, section_kept = _merge_sections(body, fresh_sections,
                                             [s.get("sections", {}) for s in snapshots])
    return (frontmatter, render_frontmatter(frontmatter) + sections,
            tuple(kept + section_kept), owned_keys)


_PERSON_EDIT = object()


def _merged_value(key: str, current: Any, fresh: Any, written: list[Mapping[str, Any]]) -> Any:
    """The fresh value, unless the note holds a value Gleaner never wrote there: the
    person's, even when it happens to equal the fresh one (a later run would otherwise take
    it for Gleaner's and overwrite it)."""
    if key == "tags":
        return _merged_tags(current, fresh, [keys["tags"] for keys in written if "tags" in keys])
    earlier = [keys[key] for keys in written if key in keys]
    if current in earlier or (current is None and not earlier):
        return fresh
    return _PERSON_EDIT


def _merged_tags(current: Any, fresh: list[str], written: list[list[str]]) -> Any:
    """Gleaner's new tags, minus those the person deleted, plus those the person added."""
    current = [] if current is None else current
    if not isinstance(current, list) or not all(isinstance(t, str | int | float) for t in current):
        return _PERSON_EDIT
    earlier = min(written, key=lambda tags: len(set(tags) ^ set(current)), default=[])
    removed_by_person = set(earlier) - set(current)
    added_by_person = [t for t in current if t not in earlier]
    return list(dict.fromkeys([*(t for t in fresh if t not in removed_by_person),
                               *added_by_person]))


def _merge_sections(
    body: str, fresh: dict[str, str], written: list[Mapping[str, str]]
) -> tuple[str, list[str]]:
    """Replace each owned section's earlier text by the new one, add the template's sections
    the note lacks, drop Gleaner's unedited text the template no longer writes (the person
    changed templates); keep everything else."""
    merged: list[tuple[str, str]] = []
    kept = []
    for name, content in split_sections(body):
        earlier = [w[name] for w in written if name in w]
        if name not in fresh:
            if content not in earlier:
                merged.append((name, content))
            continue
        section = _merged_section(content, fresh[name], earlier)
        if section is None:
            kept.append(f"section {name or 'link line'!r}")
        merged.append((name, content if section is None else section))
    present = {name for name, _ in merged}
    ever_written = {name for w in written for name in w}
    merged += [(name, text) for name, text in fresh.items()
               if name not in present and name not in ever_written]
    return join_sections(merged), kept


def _merged_section(content: str, fresh: str, earlier: list[str]) -> str | None:
    """The section with Gleaner's earlier text replaced; None when the person rewrote it.

    A section Gleaner never wrote counts as Gleaner's only while it is empty, so a note the
    person wrote (found by its link) keeps its own text.
    """
    if content == fresh or content in earlier or (not earlier and not content.strip()):
        return fresh
    for old in earlier:
        if old.strip() and old.strip() in content:
            return content.replace(old.strip(), fresh.strip(), 1)
    return None


def _summary_text(summary: str) -> str:
    return "\n".join(
        f"- {inert(line[2:])}" if line.startswith("- ") else inert(line)
        for line in summary.splitlines()
    )


def _outbound(link: Link, note_paths: Mapping[str, str]) -> OutboundLink:
    note = note_paths.get(link.url)
    label = link_label(link.label)
    markdown = f"[[{note.removesuffix('.md')}|{label}]]" if note else \
        f"[{label}]({link_target(link.url)})"
    context = inert(link.context)
    line = f"- {markdown} : {context}" if context else f"- {markdown}"
    return OutboundLink(url=link.url, label=readable(link.label), context=readable(link.context),
                        kind=link.kind, note=note.removesuffix(".md") if note else None,
                        markdown=Safe(markdown), line=Safe(line))


def _topic(topic: Topic) -> TopicLink:
    path = topic_link(topic)
    return TopicLink(name=readable(topic.name), category=topic.category,
                     organization=readable(topic.organization or "") or None, link=Safe(path),
                     embed=Safe(f"![[{path}]]"),
                     wikilink=Safe(f"[[{path}|{link_label(topic.name)}]]"))


SAMPLE_KNOWN = "https://example.com/2024/12/known-note"
SAMPLE_COPY = "https://example.com/mirror/sample"
SAMPLES = (  # what a template is tried on before a run: a full note and a bare one
    NoteDraft(
        Article(url="https://example.com/2024/12/sample", source_name="Sample Weekly",
                title="A sample article", text="Body.", author="A. Writer",
                published="2024-12-31", text_from="feed; the page could not be fetched",
                links=(Link("https://example.org/paper", "A paper", "It cites a paper."),
                       Link(SAMPLE_KNOWN, "A note you have", ""))),
        Analysis(topics=(Topic("GPT-4o", "Model", organization="OpenAI"),
                         Topic("OpenAI", "Organization")),
                 tags=("Large_Language_Model",), sentences=()),
        summary="A summary of the sample.\n- With a key point.", relevance=4, read_priority=3),
    NoteDraft(Article(url="https://example.com/bare", source_name="", title="", text="Body."),
              Analysis(topics=(), tags=(), sentences=()), summary="", relevance=0),
)
