"""One HTTP request for one source: the page, the error it ended in, or a failure worth
another attempt (etiquette.Retryable). The fetch pass (pipeline/fetch/scheduler.py) decides when
to make it and whether to make it again.
"""

from __future__ import annotations

import asyncio

import httpx

from ..config import FetchConfig
from ..errors import FetchError, GleanerError
from ..records import Page, Source, Validators
from . import etiquette
from .http_terms import (
    ACCEPT_HEADERS,
    ACCEPTED,
    PDF_TYPE,
    KnownValidators,
    conditional_headers,
    max_age,
)

RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
BINARY = "application/octet-stream"  # what many servers call a PDF

Attempt = Page | GleanerError | etiquette.Retryable


async def attempt(client: httpx.AsyncClient, source: Source, url: str, config: FetchConfig,
                  known: KnownValidators, guarded: bool) -> Attempt:
    """One attempt at `url`, all of it (connect, headers, body) within `config.timeout`."""
    try:
        async with asyncio.timeout(config.timeout):
            return await _get(client, source, url, config, known, guarded)
    except (GleanerError, etiquette.Retryable) as exc:
        return exc
    except TimeoutError:
        return etiquette.Retryable(f"timed out after {config.timeout:g} s")


async def _get(client: httpx.AsyncClient, source: Source, url: str, config: FetchConfig,
               known: KnownValidators, guarded: bool) -> Page:
    headers = {"Accept": ACCEPT_HEADERS[source.kind], **conditional_headers(known(url))}
    guard = {etiquette.NEWSLETTER_GUARD: guarded}  # checked on every hop
    try:
        async with client.stream("GET", url, headers=headers, extensions=guard) as response:
            return await _read(source, response, config)
    except httpx.TimeoutException as exc:  # one read: the whole request has its own timeout
        raise etiquette.Retryable(f"timed out after {config.timeout:g} s") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"redirect loop or more than {config.max_redirects} "
                         "redirects") from exc
    except httpx.ConnectError as exc:
        raise etiquette.connect_failure(exc) from exc
    except httpx.TransportError as exc:  # reset or cut off after connecting: may heal
        raise etiquette.Retryable(f"network error: {etiquette.describe(exc)}") from exc
    except (httpx.RequestError, httpx.InvalidURL) as exc:  # an undecodable body, say
        raise FetchError(f"bad response: {exc or type(exc).__name__}") from exc


async def _read(source: Source, response: httpx.Response, config: FetchConfig) -> Page:
    final_url = str(response.url)
    validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
    fresh_for = max_age(response.headers.get("Cache-Control"))
    if response.status_code == 304:
        return Page(source, final_url, b"", "", validators, not_modified=True, max_age=fresh_for)
    if response.status_code in RETRY_STATUSES:
        raise etiquette.Retryable(f"HTTP {response.status_code} {response.reason_phrase}",
                                  etiquette.retry_after(response.headers.get("Retry-After")))
    if response.status_code >= 400:
        raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
    content_type = _content_type(response.headers.get("Content-Type", ""))
    binary = content_type == BINARY and PDF_TYPE in ACCEPTED[source.kind]
    if content_type and content_type not in ACCEPTED[source.kind] and not binary:
        raise FetchError(f"not {_a(source.kind)}: content type {content_type}")
    content = await _body(response, config.max_bytes)
    if binary:
        if _sniff(content) != PDF_TYPE:
            raise FetchError(f"not {_a(source.kind)}: content type {content_type}")
        content_type = PDF_TYPE
    return Page(source, final_url, content, content_type or _sniff(content), validators,
                max_age=fresh_for)


async def _body(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"response of {int(declared):,} bytes is over the {limit:,} byte cap")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(f"response is over the {limit:,} byte cap")
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def _a(kind: str) -> str:
    return {"feed": "a feed", "paper": "an arXiv abstract page"}.get(kind, "an article")


def _sniff(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        return PDF_TYPE
    return "text/html" if content.lstrip()[:1] == b"<" else "text/plain"
