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
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ...records import NotAnArticle, SavedItem, UnreadableItem
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
    for member in wacz_warcs(archive):
        try:
            with archive.open(member) as stream:
                yield from read_warc_stream(stream, f"{name}: {member}")
        except (zipfile.BadZipFile, OSError) as exc:
            yield UnreadableItem(f"{name}: {member}", f"cannot be read: {exc}")


def wacz_warcs(archive: zipfile.ZipFile) -> list[str]:
    return sorted(n for n in archive.namelist() if WACZ_WARCS.match(n))


def read_warc_stream(stream: IO[bytes], name: str, stop: int | None = None) -> Iterator[Entry]:
    duplicates = Duplicates()
    for scanned in scan_warc_stream(stream, name, stop):
        yield duplicates.first_of_its_kind(scanned)


@dataclass(frozen=True)
class Scanned:
    """One record as read, before duplicates collapse: what it is, where it begins, for a
    capture the key of its payload (its digest's hash, or its bytes'), and whether it is a
    broken record that nothing after it can be read past."""

    entry: Entry
    offset: int
    payload_key: int | None = None
    last: bool = False


class Duplicates:
    """The first capture of a URL and of a page in one WARC; later ones are duplicates."""

    def __init__(self) -> None:
        self.urls: set[int] = set()
        self.payloads: set[int] = set()

    def first_of_its_kind(self, scanned: Scanned) -> Entry:
        item = scanned.entry
        if not isinstance(item, SavedItem) or scanned.payload_key is None:
            return item
        url_key = _hash(item.url)
        if url_key in self.urls or scanned.payload_key in self.payloads:
            return NotAnArticle("duplicate capture")
        self.urls.add(url_key)
        self.payloads.add(scanned.payload_key)
        return replace(item, where=f"{item.where} record at byte {scanned.offset}")


def scan_warc_stream(stream: IO[bytes], name: str,
                     stop: int | None = None) -> Generator[Scanned, None, int]:
    """Every record that begins before `stop`; returns where the first one not read begins
    (the end of the stream, or a broken record's offset)."""
    records = ArchiveIterator(stream)
    while True:
        try:
            record = next(records)
            offset = records.offset
            if stop is not None and offset >= stop:
                return offset
            entry = _capture(record, name)
        except StopIteration:
            return records.offset
        except BROKEN_RECORD as exc:
            broken = records.offset
            if stop is None or broken < stop:
                yield Scanned(UnreadableItem(f"{name} record at byte {broken}",
                                             f"cannot be read, nor anything after it: "
                                             f"{_why_broken(exc)}"), broken, last=True)
            return broken
        if isinstance(entry, UnreadableItem):
            entry = UnreadableItem(f"{name} record at byte {offset}", entry.reason)
        yield Scanned(entry, offset, _payload_key(record, entry))


def read_capture(stream: IO[bytes], name: str) -> bytes:
    """The payload of the capture whose record begins where the stream is."""
    try:
        entry = _capture(next(ArchiveIterator(stream)), name)
    except (StopIteration, *BROKEN_RECORD) as exc:
        raise ArchiveLoadFailed(f"no record can be read there: {exc or 'cut off'}") from exc
    if not isinstance(entry, SavedItem) or entry.stored is None:
        raise ArchiveLoadFailed("the record there is no HTML capture")
    return entry.stored


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


def _why_broken(exc: Exception) -> str:
    """The cause in a few words: warcio's message quotes the bytes it met, binary noise to a
    reader, and words them differently for a file's first record and the others."""
    if isinstance(exc, ArchiveLoadFailed) and "first line" in str(exc):
        return "no WARC record begins there"
    if isinstance(exc, AttributeError | EOFError) or not str(exc):
        return "cut off"
    if isinstance(exc, zlib.error):
        return f"corrupt compressed data ({exc})"
    return str(exc).splitlines()[0][:200]


def _payload_key(record: object, entry: Entry) -> int | None:
    if not isinstance(entry, SavedItem):
        return None
    digest = record.rec_headers.get_header("WARC-Payload-Digest")  # type: ignore
    return _hash(digest) if digest else _hash(entry.stored or b"")


def _hash(value: str | bytes) -> int:
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")
