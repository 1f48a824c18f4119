"""Which note of the vault holds an article, wherever the person renamed or moved it.

An article's note is found by its URL in the state, else by near-identical text (another
version of the article), else by the `id` or `link` in some note's frontmatter: a person
may rename a note, move it to another folder, or have written one for the URL themselves.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..errors import GleanerError
from ..extract import canonical_url, is_same_article
from ..records import Article
from ..state import NoteRecord, State
from .files import Vault
from .frontmatter import read_frontmatter
from .notes import note_id_for

LINK_KEYS = re.compile(r"""^["']?(?:id|link|versions)["']?[ \t]*:""", re.MULTILINE)


class NoteIndex:
    """The vault's notes by URL and id, read once a run and kept current as notes are written."""

    def __init__(self, vault: Vault, state: State) -> None:
        self.vault = vault
        self.state = state
        self.vault_links = links_in_vault(vault)
        self.note_paths = {**state.note_paths(), **self.vault_links}

    def existing_note(self, article: Article, fetched: str, prints: list[int]
                      ) -> NoteRecord | None:
        """The note already holding this article: by URL, else by near-identical text."""
        for url in (article.url, canonical_url(fetched)):
            record = self.state.note_for_url(url)
            if record:
                return self.located(record)
        for note_id, shared, size in self.state.similar_notes(prints):
            if is_same_article(shared, len(prints), size):
                record = self.state.note(note_id)
                return self.located(record) if record else None
        path = self.vault_links.get(article.url) or self.vault_links.get(note_id_for(article.url))
        if path:
            return NoteRecord(0, article.url, path, article.title, article.published, 0, {})
        return None

    def located(self, record: NoteRecord) -> NoteRecord:
        """The record with its note's current path (see `find`). If no file holds the note
        and the person's own note now has the old name, a free name for a fresh note, never
        the person's file."""
        path = self.find(record)
        if path is not None:
            return replace(record, path=path)
        if self.exists(record):
            return replace(record, path=self.vault.free_note_path(record.title))
        return record

    def find(self, record: NoteRecord) -> str | None:
        """Where the note is now: the file whose frontmatter carries its id or link, wherever
        the person renamed or moved it; None if no file in the vault does."""
        if self.vault.holds(record.path, record.owned.get("id"),
                            {record.url, *self.state.urls_of(record.id)}):
            return record.path
        for key in (record.owned.get("id"), record.url):
            moved = self.vault_links.get(key) if isinstance(key, str) else None
            if moved:
                return moved
        return None

    def exists(self, record: NoteRecord) -> bool:
        return self.vault.inside(record.path).exists()

    def add(self, urls: tuple[str, ...], path: str) -> None:
        """Links to these URLs become wikilinks to the note at `path` from now on."""
        for url in urls:
            self.note_paths[url] = path


def links_in_vault(vault: Vault) -> dict[str, str]:
    """URL or note id → note path for every note in the vault.

    Only a header that names one of the keys is parsed: most of a vault is topic notes
    and a person's own notes, and YAML parsing was most of the time of a re-run."""
    links: dict[str, str] = {}
    for path in vault.notes():
        try:
            frontmatter = read_frontmatter(path, only_with=LINK_KEYS)
        except (GleanerError, OSError, UnicodeDecodeError):
            continue
        relative = path.relative_to(vault.root).as_posix()
        versions = frontmatter.get("versions")
        for key in [frontmatter.get("id"), frontmatter.get("link"),
                    *(versions if isinstance(versions, list) else [])]:
            if isinstance(key, str):
                links.setdefault(key, relative)
    return links
