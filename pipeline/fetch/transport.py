"""The HTTP client of a fetch pass and its connection pools.

Loading the certificate store takes 50 ms or more, as long as a cron poll that finds nothing
new takes in all. Plain-http hosts (a feed server on the local network, the example site)
never need it, so the TLS pool and its certificates are made at the first https request.

Timeouts: httpx's bound each read and write, not a request; the fetch pass puts a deadline
on the whole of each request (asyncio.timeout in pipeline/fetch/request.py), so a server
that drips its page a byte at a time fails like one that never answers.
"""

from __future__ import annotations

import functools
import ssl

import httpx

from ..config import FetchConfig
from . import etiquette


def http_client(config: FetchConfig) -> httpx.AsyncClient:
    """The client of a fetch pass."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=config.max_redirects,
        timeout=httpx.Timeout(config.timeout),
        headers={"User-Agent": config.user_agent},
        # The fetch pass holds requests to the limits; the pool keeps hosts' connections for
        # their next URLs (capped at `concurrency`, it would close them to open others).
        transport=LazyTLSTransport(httpx.Limits(
            max_connections=None,
            max_keepalive_connections=config.concurrency * config.per_host)),
        event_hooks={"request": [etiquette.refuse_private_hop]},
    )


class LazyTLSTransport(httpx.AsyncBaseTransport):
    """One pool for http and one for https, each made when its first request comes."""

    def __init__(self, limits: httpx.Limits) -> None:
        self.limits = limits
        self.pools: dict[str, httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool(request.url.scheme).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self.pools.values():
            await pool.aclose()

    def _pool(self, scheme: str) -> httpx.AsyncHTTPTransport:
        if scheme not in self.pools:  # one event loop: no other request can come in between
            context = verified_tls() if scheme == "https" else _untrusting_tls()
            self.pools[scheme] = httpx.AsyncHTTPTransport(verify=context, limits=self.limits)
        return self.pools[scheme]


@functools.cache
def verified_tls() -> ssl.SSLContext:
    """Certificates load once a process, not once a fetch pass."""
    return httpx.create_ssl_context()


def _untrusting_tls() -> ssl.SSLContext:
    """For the plain-http pool, which never starts TLS: verifying, and trusting no one, so
    it would fail closed if it ever did."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
