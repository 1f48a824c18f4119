"""Gleaner: turn what you read into an Obsidian vault of clean, summarized, tagged notes.

The public surface is small: `run`, `ingest` and `Config`, the record types that flow between
stages, and the error hierarchy. Everything else is internal. Names are imported when first
used, so a command that needs little (a cron poll with nothing new) loads little.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .entry_points import lazy_entry_points

# httpx imports its own command line (click, rich and pygments: about 50 ms) whenever those
# are installed, as they are beside Gleaner, which never runs it. Marking the module absent
# makes httpx define a stub instead; a later httpx release imports it lazily (pydantic/httpx2
# pull request 947). Nothing changes if httpx was imported before Gleaner.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

if TYPE_CHECKING:
    from .config import Config, load_config
    from .errors import ConfigError, ExtractError, FetchError, GleanerError, LockedError, NoteError
    from .ingestion import ingest
    from .orchestrator import run
    from .records import Analysis, Article, Link, NoteDraft, Page, Source, Topic
    from .report import ItemResult, RunReport

_HOMES = {
    "config": ("Config", "load_config"),
    "errors": ("ConfigError", "ExtractError", "FetchError", "GleanerError", "LockedError",
               "NoteError"),
    "ingestion": ("ingest",),
    "orchestrator": ("run",),
    "records": ("Analysis", "Article", "Link", "NoteDraft", "Page", "Source", "Topic"),
    "report": ("ItemResult", "RunReport"),
}
ENTRY_POINTS = {name: module for module, names in _HOMES.items() for name in names}
__all__ = [
    "Analysis",
    "Article",
    "Config",
    "ConfigError",
    "ExtractError",
    "FetchError",
    "GleanerError",
    "ItemResult",
    "Link",
    "LockedError",
    "NoteDraft",
    "NoteError",
    "Page",
    "RunReport",
    "Source",
    "Topic",
    "ingest",
    "load_config",
    "run",
]
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
