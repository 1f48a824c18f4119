"""Web archives: WARC files (ArchiveBox, browsertrix, `wget --warc-file`) and WACZ bundles.

`read_warc` streams one archive file, record by record, optionally from a byte offset to
another (a shard of the archive), with warcio: each HTML capture that the server answered
with 2xx is a saved item at its capture date, holding the page as it was archived. The
rest is counted, not listed: revisits, a later capture of a URL or of a page (payload
digest) already met in the archive, error and redirect responses, non-HTML payloads and
records that are not responses. A record that cannot be read (cut off, corrupt) is an
unreadable item naming its byte offset; the archive is read no further than that.

Collapsing duplicates remembers each HTML capture's URL and payload digest as two 8-byte
hashes, so memory grows by about 150 bytes per distinct page of the archive, not by its
size.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..records import NotAnArticle, SavedItem, UnreadableItem
from .fields import FieldError, day_of

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_CAPTURE_BYTES = 5_000_000  # as fetch.max_bytes: a page larger than this is no article
WACZ_WARCS = re.compile(r"^archive/[^/]+\.warc(?:\.gz)?$")
# warcio meets a record cut off inside its headers with an AttributeError of its own
BROKEN_RECORD = (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError, AttributeError)

Entry = SavedItem | UnreadableItem | NotAnArticle


def read_warc(path: Path, start: int = 0, stop: int | None = None) -> Iterator[Entry]:
    """The captures of the records that begin at byte `start` or later, and before `stop`
    (a record boundary, as in a CDX index); the whole file by default."""
    with path.open("rb") as handle:
        handle.seek(start)
        yield from read_warc_stream(handle, path.name, stop)


def read_wacz(archive: zipfile.ZipFile, name: str) -> Iterator[Entry]:
    """Every WARC of a WACZ bundle (`archive/*.warc.gz`), one after the other."""
    for member in sorted(n for n in archive.namelist() if WACZ_WARCS.match(n)):
        try:
            with archive.open(member) as stream:
                yield from read_warc_stream(stream, f"{name}: {member}")
        except (zipfile.BadZipFile, OSError) as exc:
            yield UnreadableItem(f"{name}: {member}", f"cannot be read: {exc}")


def read_warc_stream(stream: IO[bytes], name: str, stop: int | None = None) -> Iterator[Entry]:
    seen_urls: set[int] = set()
    seen_payloads: set[int] = set()
    records = ArchiveIterator(stream)
    offset = stream.tell() if stream.seekable() else 0
    while True:
        try:
            record = next(records)
            entry = _capture(record, name)
            offset = records.get_record_offset()
        except StopIteration:
            return
        except BROKEN_RECORD as exc:
            yield UnreadableItem(f"{name} record after byte {offset}",
                                 f"cannot be read, nor anything after it: {exc or 'cut off'}")
            return
        if stop is not None and offset >= stop:
            return
        if isinstance(entry, SavedItem):
            entry = _first_of_its_kind(entry, record, seen_urls, seen_payloads, offset)
        elif isinstance(entry, UnreadableItem):
            entry = UnreadableItem(f"{name} record at byte {offset}", entry.reason)
        yield entry


def _capture(record: object, name: str) -> Entry:
    """What one record is; its payload is read here, before the iterator moves on."""
    kind = record.rec_type  # type: ignore[attr-defined]
    if kind == "revisit":
        return NotAnArticle("revisit")
    if kind not in ("response", "resource"):
        return NotAnArticle("not a response")
    headers = record.http_headers  # type: ignore[attr-defined]
    if kind == "response" and headers is None:
        raise ArchiveLoadFailed("record cut off inside its HTTP headers")
    if headers is not None and not headers.get_statuscode().startswith("2"):
        redirect = headers.get_statuscode().startswith("3")
        return NotAnArticle("redirect" if redirect else "error response")
    content_type = (headers.get_header("Content-Type") if headers is not None else
                    record.rec_headers.get_header("Content-Type")) or ""  # type: ignore
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return NotAnArticle("not HTML")
    payload = record.content_stream().read(MAX_CAPTURE_BYTES + 1)  # type: ignore
    if getattr(record.raw_stream, "limit", 0):  # type: ignore[attr-defined]
        raise ArchiveLoadFailed("record cut off inside its payload")
    if len(payload) > MAX_CAPTURE_BYTES:
        return UnreadableItem(name, f"capture is over {MAX_CAPTURE_BYTES:,} bytes")
    return _saved(record, name, payload)


def _saved(record: object, name: str, payload: bytes) -> Entry:
    warc = record.rec_headers  # type: ignore[attr-defined]
    url = (warc.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if not url.lower().startswith(("http://", "https://")):
        return NotAnArticle("not a web page")
    try:
        saved = day_of(warc.get_header("WARC-Date"), "WARC-Date")
    except FieldError as exc:
        return UnreadableItem(name, str(exc))
    return SavedItem(url=url, origin=Path(name.split(": ")[0]).name.split(".")[0],
                     where=name, saved=saved, stored=payload)


def _first_of_its_kind(item: SavedItem, record: object, urls: set[int], payloads: set[int],
                       offset: int) -> SavedItem | NotAnArticle:
    """The first capture of a URL and of a page; later ones are duplicates."""
    digest = record.rec_headers.get_header("WARC-Payload-Digest")  # type: ignore
    url_key = _hash(item.url)
    payload_key = _hash(digest) if digest else _hash(item.stored or b"")
    if url_key in urls or payload_key in payloads:
        return NotAnArticle("duplicate capture")
    urls.add(url_key)
    payloads.add(payload_key)
    return replace(item, where=f"{item.where} record at byte {offset}")


def _hash(value: str | bytes) -> int:
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")
