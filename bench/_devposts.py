"""The real AI posts in ../shared/data/dev-posts/, as documents and as newsletter entries.

The labelled sets (tests/data/tagging/dev-posts.jsonl, tests/data/summaries/dev-posts.jsonl)
hold labels only and name each document by id; the text is read from the shared folder, so
the posts are not copied into the repository. A Simon Willison newsletter issue holds several
blog entries, each starting at a `### [Title](url) - date` heading and ending at the next one
or at the first short "Link"/"Quote"/"TIL" item: `entries()` splits issues that way.

    python bench/_devposts.py           # list documents and entries with word counts
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEV_POSTS = ROOT.parent / "shared" / "data" / "dev-posts"

ENTRY_HEADING = re.compile(r"^### (?:\*\*)?\[(?P<title>.+?)\]\((?P<url>[^)\s]+)\)"
                           r"(?: (?:- )?(?P<date>[\d-]+))?(?:\*\*)?\s*$", re.MULTILINE)
SHORT_ITEM = re.compile(r"^\*\*(?:Link|Quote|TIL)\*\* ", re.MULTILINE)


@dataclass(frozen=True)
class Post:
    """One document: a whole post, or one entry of a newsletter issue."""

    id: str
    title: str
    url: str
    date: str
    source: str
    body: str

    @property
    def words(self) -> int:
        return len(self.body.split())


def require_dev_posts() -> Path:
    if not DEV_POSTS.is_dir():
        raise SystemExit(f"dev posts not found at {DEV_POSTS}: the shared data folder must sit "
                         "next to the repository")
    return DEV_POSTS


def _split_frontmatter(text: str) -> tuple[dict, str]:
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body.strip("\n")


def posts() -> list[Post]:
    """Every file as one document, id = file stem."""
    found = []
    for path in sorted(require_dev_posts().glob("*.md")):
        if path.name == "README.md":
            continue
        meta, body = _split_frontmatter(path.read_text(encoding="utf-8"))
        found.append(Post(path.stem, meta["title"], meta["url"], str(meta["date"]),
                          meta["source"], body))
    return found


def _issue_entries(issue: Post) -> list[Post]:
    headings = list(ENTRY_HEADING.finditer(issue.body))
    found = []
    for number, heading in enumerate(headings, start=1):
        end = headings[number].start() if number < len(headings) else len(issue.body)
        section = issue.body[heading.end():end]
        short_item = SHORT_ITEM.search(section)
        if short_item:
            section = section[:short_item.start()]
        body = section.strip().removesuffix("---").strip()
        found.append(Post(f"{issue.id}#{number}", heading["title"], heading["url"],
                          heading["date"] or issue.date, issue.source, body))
    return found


def entries() -> list[Post]:
    """Newsletter issues split into their blog entries; other posts whole."""
    found = []
    for post in posts():
        found.extend(_issue_entries(post) if post.id.startswith("sw-") else [post])
    return found


def by_id(ids: list[str] | None = None) -> dict[str, Post]:
    everything = {post.id: post for post in posts() + entries()}
    return everything if ids is None else {i: everything[i] for i in ids}


if __name__ == "__main__":
    for post in entries():
        print(f"{post.id:70} {post.words:6}  {post.title[:60]}")
