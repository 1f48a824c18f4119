"""The HTTP client of a fetch pass: its connection pools, and the deadline of each request.

Loading the certificate store takes 50 ms or more, as long as a cron poll that finds nothing
new takes in all. Plain-http hosts (a feed server on the local network, the example site)
never need it, so the TLS pool and its certificates are made at the first https request.

httpx's timeouts bound each read and write, not a request: a server that drips its page a
byte at a time, each within the read timeout, would hold a fetch for ever. Within a
`deadline(seconds)` block, every socket operation of the thread waits at most until the
block's deadline, and fails as a timeout once it has passed.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from . import etiquette
from .config import FetchConfig

_deadline = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """The requests this thread makes inside the block end within `seconds`, or time out."""
    _deadline.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline.at = None


def http_client(config: FetchConfig) -> httpx.Client:
    """The client of a fetch pass, shared by its worker threads."""
    return httpx.Client(
        follow_redirects=True,
        max_redirects=config.max_redirects,
        timeout=httpx.Timeout(config.timeout),
        headers={"User-Agent": config.user_agent},
        # The scheduler holds requests to the limits; the pool keeps hosts' connections for
        # their next URLs (capped at `concurrency`, it would close them to open others).
        transport=LazyTLSTransport(httpx.Limits(
            max_connections=None,
            max_keepalive_connections=config.concurrency * config.per_host)),
        event_hooks={"request": [etiquette.refuse_private_hop]},
    )


class LazyTLSTransport(httpx.BaseTransport):
    """One pool for http and one for https, each made when its first request comes."""

    def __init__(self, limits: httpx.Limits) -> None:
        self.limits = limits
        self.pools: dict[str, httpx.HTTPTransport] = {}
        self.making = threading.Lock()  # worker threads may ask for a new pool at once

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._pool(request.url.scheme).handle_request(request)

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()

    def _pool(self, scheme: str) -> httpx.HTTPTransport:
        with self.making:
            if scheme not in self.pools:
                context = verified_tls() if scheme == "https" else _untrusting_tls()
                self.pools[scheme] = _transport_with_deadlines(context, self.limits)
            return self.pools[scheme]


@functools.cache
def verified_tls() -> ssl.SSLContext:
    """Certificates load once a process, not once a fetch pass."""
    return httpx.create_ssl_context()


def _untrusting_tls() -> ssl.SSLContext:
    """For the plain-http pool, which never starts TLS: verifying, and trusting no one, so
    it would fail closed if it ever did."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _transport_with_deadlines(context: ssl.SSLContext, limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's transport over the same httpcore pool it would make, but on sockets that keep
    the deadline. httpx takes no network backend, so its pool is replaced (httpx is pinned
    below 0.29; tests/test_fetch_etiquette.py fails if the deadline stops holding)."""
    transport = httpx.HTTPTransport(verify=context, limits=limits)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(),
    )
    return transport


def _within_deadline(timeout: float | None,
                     expired: type[httpcore.TimeoutException]) -> float | None:
    """The timeout for one socket operation: the caller's, cut to what is left of the
    thread's deadline."""
    at = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("the request ran out of time")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self.stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self.stream.start_tls(
            ssl_context, server_hostname, _within_deadline(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                    ) -> httpcore.NetworkStream:
        return _DeadlineStream(super().connect_tcp(
            host, port, _within_deadline(timeout, httpcore.ConnectTimeout), local_address,
            socket_options))
