"""A loopback "internet" for soak runs: many hosts on 127.0.0.x, each with its own faults,
and a reading list over them drawn from a fault schedule.

Hosts: healthy; a 500 storm; rate-limited (429 with Retry-After, then the page); dying
(refuses connections once it has served a few requests); resetting (cuts each body in the
middle); dripping (a byte at a time, past any timeout); redirecting (chains within and past
the limit); refused (nothing listens); unresolvable (a name under `.invalid`). Pages: good
(distinct real text), missing (404), gone (410), duplicate (another URL's article) and
tracking (a good URL plus `utm_*`). The schedule also lists some URLs twice.

Used by tests/test_soak.py (CI-sized) and bench/soak.py (the big one).
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hypothesis import strategies as st

from pipeline.extract.dedupe import fingerprint

from .conftest import article_page

HOST_KINDS = ("healthy", "storm", "rate_limited", "dying", "resetting", "dripping",
              "redirecting", "refused", "unresolvable")
PAGE_KINDS = ("good", "good", "good", "missing", "gone", "duplicate", "tracking")
SERVING = {"healthy", "rate_limited", "dying", "redirecting"}  # hosts that serve pages
LONG_CHAIN = 15  # redirects: past any sensible max_redirects
PARAGRAPHS_PER_PAGE = 4


@dataclass(frozen=True)
class HostPlan:
    kind: str
    pages: tuple[str, ...]
    die_after: int = 0  # requests a dying host serves


@dataclass(frozen=True)
class Schedule:
    hosts: tuple[HostPlan, ...]
    repeats: tuple[int, ...]  # list positions whose URL is listed a second time
    shuffle: int  # seed of the list's order


@st.composite
def schedules(draw: st.DrawFn, hosts: tuple[int, int] = (12, 16),
              pages: tuple[int, int] = (3, 8),
              kinds: tuple[str, ...] = HOST_KINDS) -> Schedule:
    """Fault schedules with every kind of host in `kinds` at least once, more hosts of any
    kind, and at least one healthy host, in any order."""
    count = draw(st.integers(max(hosts[0], len(kinds)), max(hosts[1], len(kinds))))
    chosen = list(kinds) + draw(st.lists(st.sampled_from(kinds), min_size=count - len(kinds),
                                         max_size=count - len(kinds)))
    order = draw(st.permutations(chosen))
    plans = []
    for kind in order:
        page_kinds = draw(st.lists(st.sampled_from(PAGE_KINDS), min_size=pages[0],
                                   max_size=pages[1]))
        die_after = draw(st.integers(1, len(page_kinds) + 1)) if kind == "dying" else 0
        plans.append(HostPlan(kind, tuple(page_kinds), die_after))
    repeats = draw(st.lists(st.integers(0, 10_000), max_size=5))
    return Schedule(tuple(plans), tuple(repeats), draw(st.integers(0, 2 ** 16)))


@dataclass(frozen=True)
class Entry:
    url: str
    host_kind: str
    page_kind: str

    @property
    def must_become_a_note(self) -> bool:
        """A good page on a host that serves it whatever else happens in the run."""
        return self.host_kind in ("healthy", "rate_limited") and \
            self.page_kind in ("good", "duplicate", "tracking")


class World:
    """The running hosts of a schedule and its reading list (`entries`, in list order)."""

    def __init__(self, schedule: Schedule, paragraphs: Sequence[str], first_address: int = 2):
        self.schedule = schedule
        self.paragraphs = distinct(paragraphs)
        self.first_address = first_address
        self.entries: list[Entry] = []
        self.slots = _text_slots(schedule)
        self.per_page = min(PARAGRAPHS_PER_PAGE,
                            len(self.paragraphs) // (1 + max((s for s, _ in self.slots.values()),
                                                             default=0)))
        if self.per_page < 2:
            raise ValueError(f"{len(self.paragraphs)} distinct paragraphs are too few for "
                             f"{len(self.slots)} articles of two paragraphs")

    @property
    def urls(self) -> list[str]:
        return [entry.url for entry in self.entries]

    @contextmanager
    def running(self) -> Iterator[World]:
        with ExitStack() as stack:
            listed = []
            for number, plan in enumerate(self.schedule.hosts):
                address = f"127.0.0.{self.first_address + number}"
                base = stack.enter_context(self._host(plan, address, number))
                listed.extend(Entry(url, plan.kind, kind)
                              for url, kind in self._urls(plan, base, number))
            random.Random(self.schedule.shuffle).shuffle(listed)
            for position in self.schedule.repeats:
                if listed:
                    listed.append(listed[position % len(listed)])
            self.entries = listed
            yield self

    def _urls(self, plan: HostPlan, base: str, number: int) -> Iterator[tuple[str, str]]:
        for index, kind in enumerate(plan.pages):
            path = f"/h{number}/p{index}"
            if plan.kind == "redirecting":
                hops = LONG_CHAIN if index % 3 == 2 else 1 + index % 3
                path = f"/r{hops}{path}"
            yield (f"{base}{path}?utm_source=newsletter&utm_medium=email" if kind == "tracking"
                   else f"{base}{path}"), kind

    @contextmanager
    def _host(self, plan: HostPlan, address: str, number: int) -> Iterator[str]:
        if plan.kind == "unresolvable":
            yield f"http://h{number}.soak.invalid"
            return
        if plan.kind == "refused":
            yield f"http://{address}:{_closed_port(address)}"
            return
        server = ThreadingHTTPServer((address, 0), _handler(self, plan, number))
        server.daemon_threads = True
        server.requests_served = 0
        server.served_lock = threading.Lock()
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://{address}:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()

    def page(self, number: int, index: int) -> str:
        """The article of a page: its own paragraphs, none shared with another article; a
        duplicate shows its host's first good article, title and all."""
        original = self.slots[(number, index)]
        slot, shown = original
        chosen = self.paragraphs[slot * self.per_page:(slot + 1) * self.per_page]
        return article_page(f"Soak host {number} page {shown}", chosen)


def distinct(paragraphs: Sequence[str]) -> list[str]:
    """The paragraphs that share no 5-word sequence with an earlier one: pages that shared
    some would be one article to Gleaner, and which of them named the note would depend on
    which came first."""
    seen: set[int] = set()
    kept = []
    for paragraph in paragraphs:
        shingles = set(fingerprint(paragraph))
        if shingles and not shingles & seen:
            kept.append(paragraph)
            seen |= shingles
    return kept


def _text_slots(schedule: Schedule) -> dict[tuple[int, int], tuple[int, int]]:
    """(host, page) → (text slot, page whose title it shows), for every page with a body."""
    slots: dict[tuple[int, int], tuple[int, int]] = {}
    for number, plan in enumerate(schedule.hosts):
        first_good = None
        for index, kind in enumerate(plan.pages):
            if kind == "duplicate" and first_good is not None:
                slots[(number, index)] = slots[(number, first_good)]
            elif kind in ("good", "duplicate", "tracking"):
                slots[(number, index)] = (len(slots), index)
                if kind == "good" and first_good is None:
                    first_good = index
    return slots


def _handler(world: World, plan: HostPlan, number: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        asked: set[str] = set()

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            if self.path == "/robots.txt":
                self._send(404, b"", "text/plain")
                return
            if plan.kind == "dying" and self._dead():
                return
            self._serve(self.path.split("?", 1)[0])

        def _dead(self) -> bool:
            with self.server.served_lock:
                self.server.requests_served += 1
                dead = self.server.requests_served > plan.die_after
            if dead:
                threading.Thread(target=self.server.server_close, daemon=True).start()
                _reset(self.connection)
            return dead

        def _serve(self, path: str) -> None:
            if plan.kind == "storm":
                self._send(500, b"storm", "text/plain")
            elif plan.kind == "redirecting" and path.startswith("/r"):
                hops, _, rest = path[2:].partition("/")
                target = f"/r{int(hops) - 1}/{rest}" if int(hops) > 1 else f"/{rest}"
                self._send(302, b"", "text/plain", {"Location": target})
            elif plan.kind == "rate_limited" and path not in Handler.asked:
                Handler.asked.add(path)
                self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
            else:
                self._page(path)

        def _page(self, path: str) -> None:
            index = int(path.rsplit("/p", 1)[1]) if "/p" in path else -1
            if not 0 <= index < len(plan.pages):
                self._send(404, b"not found", "text/plain")
                return
            kind = plan.pages[index]
            if kind in ("missing", "gone"):
                self._send(404 if kind == "missing" else 410, b"no", "text/plain")
                return
            body = world.page(number, index).encode()
            if plan.kind == "resetting":
                self._send(200, body[: len(body) // 2], "text/html", length=len(body))
                _reset(self.connection)
            elif plan.kind == "dripping":
                self._drip(body)
            else:
                self._send(200, body, "text/html")

        def _send(self, status: int, body: bytes, content_type: str,
                  headers: dict[str, str] | None = None, length: int | None = None) -> None:
            with suppress(OSError):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        def _drip(self, body: bytes) -> None:
            with suppress(OSError):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for byte in body[:40]:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.25)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the run's report is what is checked."""

    return Handler


def _reset(connection: socket.socket) -> None:
    """Close with a TCP reset, as a crashing server or a middlebox does."""
    with suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()


def _closed_port(address: str) -> int:
    """A port on `address` that nothing listens on: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]
