"""The digest note: one a day, listing the notes `gleaner ingest` added that day, by source.

It is rebuilt from the state file (which records each new note in the same transaction
as the note itself), so a run killed half-way and run again lists exactly what a clean
run would have listed. Gleaner owns the whole digest note and rewrites it.
"""

from __future__ import annotations

from ..vault import Vault, link_label, render_frontmatter

DIGESTS_DIR = "digests"


def render_digest(day: str, entries: list[tuple[str, str, str]]) -> str:
    """The digest's text from (origin, note path, title) entries in the order written."""
    by_origin: dict[str, list[str]] = {}
    for origin, path, title in entries:
        target = path.removesuffix(".md")
        by_origin.setdefault(origin or "Other", []).append(
            f"- [[{target}|{link_label(title)}]]")
    sections = "".join(f"\n## {link_label(origin)}\n\n" + "\n".join(lines) + "\n"
                       for origin, lines in by_origin.items())
    count = len(entries)
    header = render_frontmatter({"digest": day, "new_notes": count})
    return (f"{header}\n# New in the vault on {day}\n\n"
            f"{count} new {'note' if count == 1 else 'notes'} from feeds and newsletters. "
            f"Gleaner rewrites this note on every ingest run of the day.\n{sections}")


def digest_path(vault: Vault, day: str) -> str:
    return vault.free_note_path(f"Digest {day}", folder=DIGESTS_DIR)
