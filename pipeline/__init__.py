"""Gleaner: turn what you read into an Obsidian vault of clean, summarized, tagged notes.

The public surface is small: `run`, `ingest` and `Config`, the record types that flow between
stages, and the error hierarchy. Everything else is internal.
"""

from .config import Config, load_config
from .errors import ConfigError, ExtractError, FetchError, GleanerError, LockedError, NoteError
from .orchestrator import ingest, run
from .records import Analysis, Article, Link, NoteDraft, Page, Source, Topic
from .report import ItemResult, RunReport

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
