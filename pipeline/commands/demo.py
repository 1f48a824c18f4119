"""`gleaner demo`: serve the bundled example site on 127.0.0.1 and run over its reading list."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..errors import ConfigError
from ..resources import examples_dir

DEMO_PORT = 8765


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The demo's own output is the run summary, not the server's access log."""


@contextmanager
def serve_site(root: Path, port: int = DEMO_PORT) -> Iterator[str]:
    """Serve `root` on 127.0.0.1:port in a background thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise ConfigError(f"cannot serve the example site on 127.0.0.1:{port}: {exc.strerror}; "
                          "is another demo running? Try --port.") from exc
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def demo_reading_list(port: int) -> list[str]:
    """The example reading list, pointed at the port the site is served on."""
    path = examples_dir() / "reading-list.txt"
    if not path.is_file():
        raise ConfigError(f"{path} is missing: the demo needs a checkout of the repository")
    default = f"127.0.0.1:{DEMO_PORT}/"
    return [line.replace(default, f"127.0.0.1:{port}/")
            for line in path.read_text(encoding="utf-8").splitlines()]
