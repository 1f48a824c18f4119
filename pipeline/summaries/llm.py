"""Summaries by a language model behind any OpenAI-compatible chat-completions endpoint.

Ollama, llama.cpp's server, vLLM, LM Studio and OpenAI all answer
`POST {base_url}/chat/completions`. The endpoint comes from `[llm]` in the config, and the
environment wins over the file: GLEANER_LLM_BASE_URL and GLEANER_LLM_MODEL, as a one-off
override for one shell or cron line; the API key is read only from the environment variable
that `llm.api_key_env` names (GLEANER_LLM_API_KEY by default), so it never sits in a file.

A long article is split into parts of at most `llm.chunk_chars` characters at paragraph and
sentence boundaries, each part is summarized, and the parts' summaries are combined, so no
text is ever cut off. Each reply is cached in <vault>/.gleaner/llm-cache.sqlite under the
SHA-256 of the request (model, prompt with the article's text, settings): a re-run sends
nothing. Any failure gives the extractive summary instead, and the reason goes to the run
report through `on_fallback`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from ..config import Config, LLMConfig, SummaryConfig
from ..errors import ConfigError, GleanerError
from ..extract import markdown_to_text
from ..records import Analysis, Article
from ..resources import data_path
from .llm_cache import CacheError, ReplyCache
from .summarize import ExtractiveSummarizer, Summarizer

ENV_BASE_URL = "GLEANER_LLM_BASE_URL"
ENV_MODEL = "GLEANER_LLM_MODEL"
CACHE_FILE = "llm-cache.sqlite"
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
BULLET_MARK = re.compile(r"^\s*(?:[*•]|-)\s+")
log = logging.getLogger(__name__)


class SummaryError(GleanerError):
    """The model gave no usable summary; the extractive summary stands in."""


@dataclass(frozen=True)
class Endpoint:
    """Where requests go and who they are from, after the environment's overrides."""

    base_url: str
    model: str
    api_key: str | None

    @classmethod
    def resolve(cls, config: LLMConfig, environ: Mapping[str, str]) -> Endpoint:
        base_url = environ.get(ENV_BASE_URL) or config.base_url
        model = environ.get(ENV_MODEL) or config.model
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"{ENV_BASE_URL}: {base_url!r} is not an http(s) URL")
        if not model:
            raise ConfigError(f"llm.model: no model named; set llm.model or {ENV_MODEL}")
        return cls(base_url.rstrip("/"), model, environ.get(config.api_key_env) or None)


@dataclass(frozen=True)
class Prompts:
    """The two templates: one summarizes text, the other combines the parts' summaries."""

    summary: str
    combine: str

    @classmethod
    def load(cls, config: LLMConfig) -> Prompts:
        return cls(_template(config.prompt, "summary.md", "llm.prompt"),
                   _template(config.combine_prompt, "combine.md", "llm.combine_prompt"))


def summarizer_for(config: Config, state_dir: Path, on_fallback: Callable[[str], None],
                   environ: Mapping[str, str] = os.environ) -> Summarizer:
    """The extractive summarizer, or the LLM one with the extractive one as its fallback."""
    extractive = ExtractiveSummarizer(config.summary)
    if not config.llm.enabled:
        return extractive
    return LLMSummarizer(config.llm, config.summary, Endpoint.resolve(config.llm, environ),
                         Prompts.load(config.llm), ReplyCache(state_dir / CACHE_FILE),
                         extractive, on_fallback)


class LLMSummarizer:
    def __init__(self, config: LLMConfig, summary: SummaryConfig, endpoint: Endpoint,
                 prompts: Prompts, cache: ReplyCache, fallback: Summarizer,
                 on_fallback: Callable[[str], None]) -> None:
        self.config = config
        self.endpoint = endpoint
        self.prompts = prompts
        self.cache = cache
        self.fallback = fallback
        self.on_fallback = on_fallback
        self.shape = _shape(summary)

    def summarize(self, article: Article, analysis: Analysis) -> str:
        try:
            return self._summary(article)
        except (SummaryError, CacheError) as exc:
            reason = f"{article.url}: LLM summary failed ({exc}); used the extractive summary"
            log.warning(reason)
            self.on_fallback(reason)
            return self.fallback.summarize(article, analysis)

    def _summary(self, article: Article) -> str:
        parts = split_text(markdown_to_text(article.text), self.config.chunk_chars)
        with httpx.Client(timeout=self.config.timeout, headers=self._headers()) as client:
            if len(parts) == 1:
                return self._ask(client, self.prompts.summary, title=article.title, text=parts[0])
            summaries = [
                self._ask(client, self.prompts.summary, text=part,
                          title=f"{article.title} (part {number} of {len(parts)})")
                for number, part in enumerate(parts, start=1)
            ]
            return self._combined(client, article.title, summaries)

    def _combined(self, client: httpx.Client, title: str, summaries: list[str]) -> str:
        """One summary from many, in rounds when even the summaries exceed one request."""
        while len(summaries) > 1:
            summaries = [
                self._ask(client, self.prompts.combine, title=title,
                          summaries="\n\n".join(batch)) if len(batch) > 1 else batch[0]
                for batch in _batches(summaries, self.config.chunk_chars)
            ]
        return summaries[0]

    def _ask(self, client: httpx.Client, template: str, **values: str) -> str:
        prompt = render(template, **self.shape, **values)
        body = {"model": self.endpoint.model, "messages": [{"role": "user", "content": prompt}],
                "temperature": self.config.temperature, "max_tokens": self.config.max_tokens,
                "stream": False}
        key = ReplyCache.key(body)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        reply = _tidy(_content(self._post(client, body)))
        self.cache.put(key, self.endpoint.model, reply)
        return reply

    def _post(self, client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
        """The reply, retrying timeouts, network errors, 429 and 5xx with backoff."""
        url = f"{self.endpoint.base_url}/chat/completions"
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            wait = self.config.backoff * 2**attempt
            try:
                response = client.post(url, json=body)
            except httpx.TimeoutException:
                problem = f"timed out after {self.config.timeout:g} s"
            except httpx.TransportError as exc:
                problem = f"network error: {exc}"
            else:
                if response.status_code == 200:
                    return response
                if response.status_code != 429 and response.status_code < 500:
                    raise SummaryError(f"HTTP {response.status_code} from {url}: "
                                       f"{response.text[:200]}")
                problem = f"HTTP {response.status_code}"
                wait = self._retry_wait(response, wait)
            if attempt + 1 < attempts:
                time.sleep(wait)
        raise SummaryError(f"{problem} (after {attempts} attempts)")

    def _retry_wait(self, response: httpx.Response, backoff: float) -> float:
        wait = _retry_after(response.headers.get("Retry-After"))
        if wait is None:
            return backoff
        if wait > self.config.max_retry_after:
            raise SummaryError(f"HTTP {response.status_code}, Retry-After {wait:g} s is longer "
                               f"than llm.max_retry_after ({self.config.max_retry_after:g} s)")
        return wait

    def _headers(self) -> dict[str, str]:
        key = self.endpoint.api_key
        return {"Authorization": f"Bearer {key}"} if key else {}


def split_text(text: str, budget: int) -> list[str]:
    """Consecutive parts of at most `budget` characters, cut between paragraphs, else
    between sentences, else between words; together they hold all of the text."""
    pieces = [p for paragraph in text.split("\n\n") for p in _fit(paragraph.strip(), budget)]
    parts: list[str] = []
    for piece in pieces:
        if parts and len(parts[-1]) + 2 + len(piece) <= budget:
            parts[-1] += "\n\n" + piece
        else:
            parts.append(piece)
    return parts or [""]


def render(template: str, **values: str) -> str:
    """The template with its known {placeholders} filled; other braces stay as written."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _fit(text: str, budget: int) -> list[str]:
    if len(text) <= budget:
        return [text] if text else []
    sentences = SENTENCE_BREAK.split(text)
    if len(sentences) > 1:
        return [piece for sentence in sentences for piece in _fit(sentence, budget)]
    cut = text.rfind(" ", 0, budget + 1)
    cut = cut if cut > 0 else budget
    return [text[:cut].strip(), *_fit(text[cut:].strip(), budget)]


def _batches(summaries: list[str], budget: int) -> list[list[str]]:
    """Groups that fit the budget, at least two to a group so every round shrinks."""
    batches: list[list[str]] = []
    for summary in summaries:
        last = batches[-1] if batches else None
        if last is not None and (len(last) < 2 or
                                 sum(map(len, last)) + len(summary) <= budget):
            last.append(summary)
        else:
            batches.append([summary])
    return batches


def _shape(summary: SummaryConfig) -> dict[str, str]:
    if summary.style == "bullets":
        return {"length": f"about {summary.sentences} key points",
                "form": 'a list of key points, one a line, each line starting with "- "'}
    return {"length": f"about {summary.sentences} sentences",
            "form": "one paragraph of plain prose"}


def _content(response: httpx.Response) -> str:
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SummaryError(f"malformed reply: not JSON ({response.text[:80]!r})") from exc
    except (KeyError, IndexError, TypeError) as exc:
        raise SummaryError("malformed reply: no choices[0].message.content") from exc
    if not isinstance(content, str) or not content.strip():
        raise SummaryError("empty reply")
    return content


def _tidy(reply: str) -> str:
    """Plain lines; list items marked `- ` as the note format expects."""
    lines = [BULLET_MARK.sub("- ", line.rstrip()) for line in reply.strip().splitlines()]
    return "\n".join(line for line in lines if line.strip())


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait: Retry-After is either a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _template(path: str, shipped: str, key: str) -> str:
    location = Path(path).expanduser() if path else data_path(f"prompts/{shipped}")
    try:
        return location.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{key}: cannot read prompt template {location}: "
                          f"{exc.strerror or exc}") from exc
