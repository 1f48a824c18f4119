"""Web archives read where the workers are, so that page bytes do not pass through the run.

The run cuts each WARC (a file, or one inside a WACZ) into shards: byte ranges of about
`[ray] shard_mb` for a gzipped WARC it can seek in, the whole WARC otherwise. A worker
reads its shard (`scan_shard`): each record that begins in it, a capture's payload hashed
and dropped, so only its URL, date, offset and hashes come back. The run puts the shards
back in file order (`sharded_entries`): duplicates collapse over the whole WARC, as when
it reads the file itself, and a broken record ends the WARC there, as it does then. The
worker that prepares a capture reads its bytes again at its offset (`with_stored_content`).

A shard after the first begins at the first gzip member in its range that inflates to a
WARC header. The run checks that each shard began where the one before it stopped, so a
record no shard found (a broken one) is read where it is, and reported as the whole file's
reader reports it, never skipped in silence.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from warcio.exceptions import ArchiveLoadFailed

from ...errors import ExtractError
from ...records import ArchiveRecord, NotAnArticle, Page, SavedItem, UnreadableItem
from .warc import Duplicates, Scanned, read_capture, scan_warc_stream, wacz_warcs

Entry = SavedItem | UnreadableItem | NotAnArticle
GZIP_MEMBER = b"\x1f\x8b\x08"
WARC_HEADER = b"WARC/1."
SYNC_BLOCK = 1 << 20
HEAD_PROBE = 4096  # compressed bytes that inflate to more than a WARC header's first line
ZIP_LOCAL_HEADER = struct.Struct("<4s22xHH")
UNREADABLE = (OSError, zipfile.BadZipFile)


@dataclass(frozen=True)
class Shard:
    """The records that begin in [start, stop) of one WARC; stop None: the whole WARC."""

    path: str
    member: str | None  # the WARC's name inside a WACZ
    name: str  # as the items name it: `crawl.warc.gz`, `site.wacz: archive/data.warc.gz`
    start: int = 0
    stop: int | None = None
    at_record: bool = False  # start is known to begin a record: no need to look for one


@dataclass(frozen=True)
class ShardScan:
    """A shard's records, where its first one began (None: none begins in it) and where the
    first one it did not read begins."""

    shard: Shard
    scanned: tuple[Scanned, ...]
    began: int | None
    ended: int | None


def sharded_entries(path: Path, kind: str, shard_bytes: int,
                    scans: Callable[[Iterable[Shard]], Iterator[ShardScan]]) -> Iterator[Entry]:
    """The entries of a WARC or WACZ file as `read_export` gives them, in file order, read
    by whoever `scans` sends the shards to."""
    try:
        shards = plan_shards(path, kind, shard_bytes)
    except UNREADABLE as exc:
        yield UnreadableItem(path.name, f"cannot be read further: {exc}")
        return
    reader: _InOrder | None = None
    for scan in scans(shards):
        if reader is None or reader.member != scan.shard.member:
            reader = _InOrder(scan.shard.member, lambda shard: next(iter(scans([shard]))))
        yield from reader.entries(scan)


class _InOrder:
    """One WARC's shards, in order: duplicates over all of them; nothing after a break. A
    shard that did not begin where the one before it stopped (the record there is broken,
    so no shard found it) is read again from there, to meet what a reader of the whole
    file meets."""

    def __init__(self, member: str | None, rescan: Callable[[Shard], ShardScan]) -> None:
        self.member = member
        self.rescan = rescan
        self.duplicates = Duplicates()
        self.expected: int | None = 0  # None: after a shard no worker could read
        self.broken = False

    def entries(self, scan: ShardScan) -> Iterator[Entry]:
        if self.broken:
            return
        if not self._follows_on(scan):
            assert self.expected is not None and scan.shard.stop is not None
            scan = self.rescan(replace(scan.shard, start=self.expected, at_record=True)) \
                if self.expected < scan.shard.stop else ShardScan(scan.shard, (), None, None)
        self.expected = scan.ended if scan.began is not None else \
            (None if scan.scanned else self.expected)
        for scanned in scan.scanned:
            yield self.duplicates.first_of_its_kind(scanned)
            self.broken = self.broken or scanned.last

    def _follows_on(self, scan: ShardScan) -> bool:
        """Whether the shard began where the one before it stopped reading."""
        stop = scan.shard.stop
        if stop is None or self.expected is None or (scan.began is None and scan.scanned):
            return True
        return scan.began == self.expected if self.expected < stop else scan.began is None


def plan_shards(path: Path, kind: str, shard_bytes: int) -> list[Shard]:
    """The shards of every WARC of the file, in file order."""
    if kind == "warc":
        return _shards_of(path.resolve(), None, path.name, shard_bytes)
    with zipfile.ZipFile(path) as archive:
        members = wacz_warcs(archive)
    return [shard for member in members
            for shard in _shards_of(path.resolve(), member, f"{path.name}: {member}",
                                    shard_bytes)]


def _shards_of(path: Path, member: str | None, name: str, shard_bytes: int) -> list[Shard]:
    with open_archive(path, member) as (stream, size, seeks_in_place):
        gzipped = stream.read(len(GZIP_MEMBER)) == GZIP_MEMBER
    if not (gzipped and seeks_in_place) or size <= shard_bytes:
        return [Shard(str(path), member, name)]
    return [Shard(str(path), member, name, start, min(start + shard_bytes, size))
            for start in range(0, size, shard_bytes)]


def scan_shard(shard: Shard) -> ShardScan:
    """The shard's records, each capture with where it is instead of its bytes."""
    try:
        with open_archive(Path(shard.path), shard.member) as (stream, size, _):
            stop = size if shard.stop is None else shard.stop
            began = shard.start if shard.start == 0 or shard.at_record else \
                _record_start(stream, shard.start, stop)
            if began is None:
                return ShardScan(shard, (), None, None)
            stream.seek(began)
            found: list[Scanned] = []
            records = scan_warc_stream(stream, shard.name, shard.stop)
            while True:
                try:
                    found.append(_as_reference(next(records), shard))
                except StopIteration as end:
                    return ShardScan(shard, tuple(found), began, end.value)
    except UNREADABLE as exc:
        return unread(shard, f"cannot be read: {exc}")


def unread(shard: Shard, reason: str) -> ShardScan:
    """A shard no worker could read: reported, and the shards after it read as usual."""
    where = f"{shard.name} from byte {shard.start}" + \
        (f" to {shard.stop}" if shard.stop is not None else "")
    return ShardScan(shard, (Scanned(UnreadableItem(where, reason), shard.start),), None, None)


def with_stored_content(page: Page) -> Page:
    """The page with its bytes, read from the archive where this worker is."""
    record = page.stored_at
    if record is None:
        return page
    name = f"{Path(record.path).name}: {record.member}" if record.member else \
        Path(record.path).name
    where = f"{name} record at byte {record.offset}"
    try:
        with open_archive(Path(record.path), record.member) as (stream, _, _):
            stream.seek(record.offset)
            content = read_capture(stream, name)
    except (*UNREADABLE, ArchiveLoadFailed) as exc:
        raise ExtractError(f"{where} cannot be read again by the worker: {exc}") from exc
    if hashlib.sha256(content).hexdigest() != record.content_hash:
        raise ExtractError(f"{where} changed after the import began reading it")
    return replace(page, content=content)


@contextmanager
def open_archive(path: Path, member: str | None) -> Iterator[tuple[IO[bytes], int, bool]]:
    """A WARC's bytes, their size, and whether seeking in them is cheap: in a file, or in a
    WARC stored uncompressed in a WACZ (read in place), but not in a deflated one (Python
    seeks there by inflating everything before the offset)."""
    if member is None:
        with path.open("rb") as handle:
            yield handle, os.fstat(handle.fileno()).st_size, True
        return
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 1:
            with archive.open(info) as stream:
                yield stream, info.file_size, False
            return
    with path.open("rb") as handle:
        window = _Window(handle, _data_start(handle, info), info.file_size)
        yield io.BufferedReader(window), info.file_size, True


def _data_start(handle: IO[bytes], info: zipfile.ZipInfo) -> int:
    handle.seek(info.header_offset)
    signature, name_length, extra_length = ZIP_LOCAL_HEADER.unpack(
        handle.read(ZIP_LOCAL_HEADER.size))
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{info.filename}: no local header where the zip says")
    return info.header_offset + ZIP_LOCAL_HEADER.size + name_length + extra_length


class _Window(io.RawIOBase):
    """A range of a file read as a file of its own: a WARC stored in a zip."""

    def __init__(self, handle: IO[bytes], start: int, size: int) -> None:
        super().__init__()
        self.handle = handle
        self.start = start
        self.size = size
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, min(self.size, base + offset))
        return self.position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        self.handle.seek(self.start + self.position)
        data = self.handle.read(min(len(buffer), self.size - self.position))
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)


def _record_start(stream: IO[bytes], start: int, stop: int) -> int | None:
    """Where the first record beginning in [start, stop) begins: a gzip member there that
    inflates to a WARC header. Compressed bytes make a false one vanishingly unlikely."""
    block_start = start
    while block_start < stop:
        stream.seek(block_start)
        block = stream.read(SYNC_BLOCK + len(GZIP_MEMBER) - 1)
        at = block.find(GZIP_MEMBER)
        while at != -1 and block_start + at < stop:
            if _inflates_to_warc(stream, block_start + at):
                return block_start + at
            at = block.find(GZIP_MEMBER, at + 1)
        if len(block) <= SYNC_BLOCK:
            return None
        block_start += SYNC_BLOCK
    return None


def _inflates_to_warc(stream: IO[bytes], offset: int) -> bool:
    stream.seek(offset)
    try:
        head = zlib.decompressobj(wbits=31).decompress(stream.read(HEAD_PROBE),
                                                       len(WARC_HEADER))
    except zlib.error:
        return False
    return head == WARC_HEADER


def _as_reference(scanned: Scanned, shard: Shard) -> Scanned:
    item = scanned.entry
    if not isinstance(item, SavedItem) or item.stored is None:
        return scanned
    record = ArchiveRecord(shard.path, shard.member, scanned.offset,
                           hashlib.sha256(item.stored).hexdigest())
    return replace(scanned, entry=replace(item, stored=None, stored_at=record))
