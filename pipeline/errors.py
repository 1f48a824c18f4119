"""The exceptions Gleaner raises, all rooted at GleanerError.

    GleanerError
    ├── ConfigError      the config file or a command-line value is wrong: the run stops
    ├── FetchError       one item could not be fetched (dead link, 404, too big, ...)
    │   └── HostError    ... because its host is failing (unreachable, timing out, 5xx)
    ├── ExtractError     one item was fetched but holds no readable article
    ├── NoteError        one note could not be rendered, validated or written
    └── LockedError      another run holds the vault's lock

Stages raise these where the problem is known; the orchestrator is the one place that
catches them and records them per item, so one bad item never stops a run.
"""


class GleanerError(Exception):
    """Base of every error Gleaner raises on purpose."""


class ConfigError(GleanerError):
    """The configuration (file or options) is invalid; names the bad key."""


class FetchError(GleanerError):
    """An item could not be fetched. `retry_after`: the seconds the server asked not to be
    asked again (its Retry-After), when it said so."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class HostError(FetchError):
    """An item could not be fetched because its host, not the page, is failing: the fetch
    pass counts these per host and gives up on a host after a few in a row."""


class ExtractError(GleanerError):
    """A page was fetched but no article could be extracted from it."""


class NoteError(GleanerError):
    """A note could not be rendered, validated or written."""


class LockedError(GleanerError):
    """Another Gleaner run holds the lock on this vault."""
