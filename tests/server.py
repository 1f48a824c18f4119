"""A real HTTP server on 127.0.0.1 for tests: routes map a path to a canned response."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Response:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Response | Callable[[BaseHTTPRequestHandler], Response]


class LoopbackServer:
    """Serves `routes` on a free port of 127.0.0.1 (or another loopback `address`); records
    every request path and POST body, and in `spans` when each request was being served.
    With `tls`, it serves https with that context's certificate."""

    def __init__(self, address: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.bodies: list[bytes] = []
        self.spans: list[tuple[str, float, float]] = []  # (path, start, end), time.monotonic()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                started = time.monotonic()
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    response = Response("not found", status=404, content_type="text/plain")
                else:
                    response = route(self) if callable(route) else route
                time.sleep(response.delay)
                body = response.body.encode() if isinstance(response.body, str) else response.body
                try:
                    self.send_response(response.status)
                    if response.content_type:
                        self.send_header("Content-Type", response.content_type)
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    if "Content-Length" not in response.headers:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                server.spans.append((self.path, started, time.monotonic()))

            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                """Served like GET, by path; the body is recorded in `bodies` first."""
                server.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                self.do_GET()

            def log_message(self, format: str, *args: object) -> None:
                """Tests read `requests`, not a log."""

        self.httpd = ThreadingHTTPServer((address, 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.httpd.server_address[0]}:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
