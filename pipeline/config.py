"""One Config, read from TOML and checked against schemas/config.schema.json.

Each stage receives only its own small sub-config, never the whole thing.

A config file that passed the schema is remembered by a hash of its text and of the schema,
in the user's cache folder: cron runs the same config every few minutes, and importing
jsonschema costs more than a poll that finds nothing new. An edit changes the hash, so the
edited file is checked again; a cache that cannot be read or written only costs the check.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import atomic_write
from .errors import ConfigError
from .profile import DEFAULT_PROFILE, InterestProfile, profile_from_config
from .resources import load_schema

if TYPE_CHECKING:
    import jsonschema

USER_AGENT = "Gleaner/0.1 (+https://github.com/gleaner-notes/gleaner; personal reading tool)"

DEFAULT_INTERESTS: InterestProfile = DEFAULT_PROFILE


@dataclass(frozen=True)
class FetchConfig:
    concurrency: int = 8
    per_host: int = 2
    host_delay: float = 0.25
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 30.0
    host_failures: int = 3
    max_bytes: int = 5_000_000
    max_redirects: int = 10
    user_agent: str = USER_AGENT
    respect_robots: bool = True
    allow_private_from_newsletters: bool = False


@dataclass(frozen=True)
class SummaryConfig:
    sentences: int = 5
    style: str = "paragraph"


@dataclass(frozen=True)
class PaperConfig:
    """PDFs and arXiv papers: how many pages of a PDF are read (a longer one is read in part,
    and its note says so), and where arXiv's pages are fetched from (arxiv.org, or a mirror
    such as https://export.arxiv.org)."""

    max_pages: int = 100
    arxiv: str = "https://arxiv.org"


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat-completions endpoint; GLEANER_LLM_* variables win
    (summaries/llm.py)."""

    enabled: bool = False
    base_url: str = "http://127.0.0.1:11434/v1"
    model: str = ""
    api_key_env: str = "GLEANER_LLM_API_KEY"
    prompt: str = ""
    combine_prompt: str = ""
    temperature: float = 0.2
    max_tokens: int = 600
    timeout: float = 120.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 60.0
    chunk_chars: int = 12_000


@dataclass(frozen=True)
class RayConfig:
    """The Ray cluster `--executor ray` joins (RAY_ADDRESS wins); none: a Ray on this machine.
    `workers`: actors to start; none, one per CPU the cluster has. `shard_mb`: the part of a
    web archive one worker reads at a time (pipeline/sources/exports/archive_shards.py)."""

    address: str | None = None
    workers: int | None = None
    shard_mb: float = 64.0


@dataclass(frozen=True)
class ImapConfig:
    """An IMAP folder of newsletters; the password is read from the named variable."""

    host: str
    user: str
    password_env: str
    folder: str = "INBOX"
    port: int = 993
    ssl: bool = True


@dataclass(frozen=True)
class Subscription:
    """A feed or a newsletter that `gleaner ingest` polls.

    kind "feed": each item is an article. kind "newsletter": each item (a feed item, or a
    mail in `path` or `imap`) is an issue: a note itself, and its links are articles.
    """

    name: str
    kind: str
    url: str | None = None
    path: Path | None = None
    imap: ImapConfig | None = None

    @property
    def key(self) -> str:
        if self.imap:
            return f"imap://{self.imap.user}@{self.imap.host}/{self.imap.folder}"
        return self.url or str(self.path)


@dataclass(frozen=True)
class Config:
    vault: Path = Path("notes")
    fetch: FetchConfig = field(default_factory=FetchConfig)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    papers: PaperConfig = field(default_factory=PaperConfig)
    llm: LLMConfig = field(default_factory=LLMConfig)
    interests: InterestProfile = field(default_factory=lambda: DEFAULT_INTERESTS)
    subscriptions: tuple[Subscription, ...] = ()
    taxonomy: Path | None = None
    template: Path | None = None  # None: the shipped note template (pipeline/data/templates/)
    workers: int | None = None  # None: one per core (pipeline/workers/processes.py)
    executor: str = "local"  # or "ray" (pipeline/workers/executors.py)
    ray: RayConfig = field(default_factory=RayConfig)


def load_config(path: Path | None) -> Config:
    """Read and validate a TOML config; None gives the defaults."""
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such config file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc
    remembered = _remembered_path(path)
    digest = _digest(text)
    if _read_quietly(remembered) != digest:
        _check(raw, origin=str(path))
        _remember_quietly(remembered, digest)
    return _build(raw, origin=str(path), base=path.parent)


def config_from_dict(raw: dict[str, Any], origin: str = "config",
                     base: Path | None = None) -> Config:
    """A Config from parsed TOML; relative subscription paths are taken from `base`."""
    _check(raw, origin)
    return _build(raw, origin, base)


def _check(raw: dict[str, Any], origin: str = "config") -> None:
    """Raise a ConfigError listing every place where `raw` breaks the config schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema("config.schema.json"))
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError("\n".join(f"{origin}: {_describe(e)}" for e in errors))


def _build(raw: dict[str, Any], origin: str, base: Path | None) -> Config:
    return Config(
        vault=Path(raw.get("vault", "notes")),
        fetch=_sub(FetchConfig, raw.get("fetch", {})),
        summary=_sub(SummaryConfig, raw.get("summary", {})),
        papers=_sub(PaperConfig, raw.get("papers", {})),
        llm=_sub(LLMConfig, raw.get("llm", {})),
        interests=profile_from_config(raw["interests"], origin) if "interests" in raw
        else DEFAULT_INTERESTS,
        subscriptions=tuple(_subscription(entry, base or Path.cwd())
                            for entry in raw.get("subscriptions", [])),
        taxonomy=(base or Path.cwd()) / raw["taxonomy"] if "taxonomy" in raw else None,
        template=(base or Path.cwd()) / raw["template"] if "template" in raw else None,
        workers=raw.get("workers"),
        executor=raw.get("executor", "local"),
        ray=_sub(RayConfig, raw.get("ray", {})),
    )


def _subscription(entry: dict[str, Any], base: Path) -> Subscription:
    path = Path(entry["path"]).expanduser() if "path" in entry else None
    imap = ImapConfig(**entry["imap"]) if "imap" in entry else None
    mail = path is not None or imap is not None
    return Subscription(
        name=entry.get("name", ""),
        kind=entry.get("kind", "newsletter" if mail else "feed"),
        url=entry.get("url"),
        path=base / path if path is not None else None,
        imap=imap,
    )


def _remembered_path(config: Path) -> Path | None:
    """Where the hash of this config file's last text to pass the schema is kept; None
    when there is no home to keep it in."""
    try:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        name = hashlib.sha256(str(config.resolve()).encode()).hexdigest()[:32]
    except (RuntimeError, OSError):
        return None
    return cache / "gleaner" / "valid-configs" / name


def _digest(text: str) -> str:
    schema = json.dumps(load_schema("config.schema.json"), sort_keys=True)
    return hashlib.sha256(f"{schema}\0{text}".encode()).hexdigest()


def _read_quietly(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _remember_quietly(path: Path | None, digest: str) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            atomic_write(path, digest)


def _sub(cls: type, values: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in known})


def _describe(error: jsonschema.ValidationError) -> str:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        where = ".".join(str(p) for p in path)
        declared = _declared_keys(path)
        hint = _hint([key for key in error.instance if key not in declared], declared)
        return f"unknown key in [{where or 'top level'}]: {error.message}{hint}"
    key = ".".join(str(p) for p in path) or "(top level)"
    hint = _hint(path[-1:], _declared_keys(path[:-1])) if path and isinstance(path[-1], str) else ""
    return f"{key}: {error.message}{hint}"


def _hint(keys: list[Any], declared: list[str]) -> str:
    """' (did you mean 'topics'?)' for the first undeclared key that is a near miss."""
    import difflib  # only for a config with a mistake in it

    for key in keys:
        if isinstance(key, str) and key not in declared:
            close = difflib.get_close_matches(key, declared, n=1, cutoff=0.75)
            if close:
                return f" (did you mean {close[0]!r}?)"
    return ""


def _declared_keys(path: list[Any]) -> list[str]:
    """The keys the schema declares for the table at `path` of the config."""
    schema = load_schema("config.schema.json")
    node = schema
    for part in path:
        node = _resolved(schema, node)
        node = node.get("items", {}) if isinstance(part, int) else node.get(
            "properties", {}).get(part, {})
    return list(_resolved(schema, node).get("properties", {}))


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    if not ref.startswith("#/"):
        return node
    for part in ref[2:].split("/"):
        schema = schema[part]
    return schema
