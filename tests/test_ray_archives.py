"""Web archives imported on a real local Ray (2 CPUs), its actors reading the archive files
themselves: the notes of a local import, duplicate captures and broken records included;
page bytes that never pass through the run's process; workers killed while reading a
shard."""

from __future__ import annotations

import base64
import logging
import random
import re
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from pipeline.config import Config
from pipeline.import_run import ImportReport, import_exports
from pipeline.records import SavedItem
from pipeline.sources.exports.warc import read_warc

from .import_fixtures import distinct_pages, http_record
from .test_import_warc import write_warc
from .test_parallel import vault_bytes
from .test_ray_executor import (
    PREPARING,
    READING_A_SHARD,
    kill_every_busy_actor,
    kill_the_first_busy_actor,
)

pytestmark = pytest.mark.timeout(300)

SMALL_SHARDS_MB = 0.004  # a few records a shard: the small archives here make many shards
TRAFFIC = re.compile(r"Ray: (\d+) bytes sent to the workers, (\d+) received from them")


def sharded(config: Config, shard_mb: float = SMALL_SHARDS_MB) -> Config:
    return replace(config, ray=replace(config.ray, shard_mb=shard_mb))


def record_offsets(archive: Path) -> list[int]:
    return [int(item.where.rsplit(" ", 1)[1]) for item in read_warc(archive)
            if isinstance(item, SavedItem)]


def break_record(archive: Path, offset: int) -> None:
    """Zeroes bytes inside the compressed body of the record at `offset`."""
    data = bytearray(archive.read_bytes())
    data[offset + 40:offset + 80] = bytes(40)
    archive.write_bytes(bytes(data))


def large_pages_warc(path: Path, pages: int, padding: int) -> int:
    """A gzipped WARC of distinct articles, each carrying `padding` bytes that do not
    compress (in an HTML comment, which the extractor drops); the payloads' total size."""
    noise = random.Random(19)
    total = 0
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number, (_, page) in enumerate(distinct_pages(pages, 40)):
            filler = base64.b64encode(noise.randbytes(padding * 3 // 4)).decode()
            body = page.replace("</head>", f"<!-- {filler} --></head>").encode()
            http_record(writer, f"https://large.invalid/post/{number}", body)
            total += len(body)
    return total


def assert_same_import(on_ray: ImportReport, local: ImportReport, ray_vault: Path,
                       local_vault: Path) -> None:
    assert vault_bytes(ray_vault) == vault_bytes(local_vault)
    assert on_ray.counts == local.counts
    assert on_ray.not_articles == local.not_articles
    assert [(f.location, f.detail) for f in on_ray.failures] == \
        [(f.location, f.detail) for f in local.failures]


def test_a_warc_import_on_ray_makes_the_notes_of_a_local_import(tmp_path, fast_config,
                                                                 ray_config):
    broken = tmp_path / "broken.warc.gz"
    write_warc(broken, 12)  # the first page captured again, under two URLs, and revisited
    offset = record_offsets(broken)[8]
    break_record(broken, offset)
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, 5, offset=12)

    local = import_exports([broken, whole], fast_config, tmp_path / "local")
    on_ray = import_exports([broken, whole], sharded(ray_config), tmp_path / "ray")

    assert_same_import(on_ray, local, tmp_path / "ray", tmp_path / "local")
    [failure] = on_ray.failures
    assert failure.location == f"broken.warc.gz record at byte {offset}"
    assert "nor anything after it" in failure.detail
    assert on_ray.counts["written"] == 8 + 5  # the records before the broken one, and the rest
    assert on_ray.not_articles["duplicate capture"] == 4
    assert on_ray.not_articles["revisit"] == 2


def test_a_wacz_import_on_ray_makes_the_notes_of_a_local_import(tmp_path, fast_config,
                                                                 ray_config):
    first, second = tmp_path / "first.warc.gz", tmp_path / "second.warc.gz"
    write_warc(first, 6)
    write_warc(second, 4, offset=6)
    bundle = tmp_path / "site.wacz"
    with zipfile.ZipFile(bundle, "w") as wacz:
        wacz.writestr("datapackage.json", '{"profile": "data-package", "resources": []}')
        wacz.write(first, "archive/first.warc.gz")  # stored: read in place, by byte range
        wacz.write(second, "archive/second.warc.gz", compress_type=zipfile.ZIP_DEFLATED)

    local = import_exports([bundle], fast_config, tmp_path / "local")
    on_ray = import_exports([bundle], sharded(ray_config), tmp_path / "ray")

    assert_same_import(on_ray, local, tmp_path / "ray", tmp_path / "local")
    assert on_ray.counts["written"] == 10 and not on_ray.failures
    assert on_ray.not_articles["duplicate capture"] == 4


def driver_reads() -> int:
    """Bytes this process has read (files and pipes, every thread): /proc/self/io's rchar."""
    io_counts = dict(line.split(": ") for line in
                     Path("/proc/self/io").read_text().splitlines())
    return int(io_counts["rchar"])


def test_page_bytes_do_not_pass_through_the_run_on_ray(tmp_path, fast_config, ray_config,
                                                        caplog):
    archive = tmp_path / "large.warc.gz"
    payload = large_pages_warc(archive, 16, padding=400_000)
    size = archive.stat().st_size
    warm_up = tmp_path / "one.warc.gz"  # the modules a first import loads are read once
    large_pages_warc(warm_up, 1, padding=1000)
    import_exports([warm_up], ray_config, tmp_path / "warm-up")

    before = driver_reads()
    import_exports([archive], replace(fast_config, workers=2), tmp_path / "local")
    read_by_local_run = driver_reads() - before
    with caplog.at_level(logging.INFO, logger="gleaner"):
        before = driver_reads()
        on_ray = import_exports([archive], sharded(ray_config, shard_mb=1), tmp_path / "ray")
        read_by_ray_run = driver_reads() - before
    sent, received = map(int, TRAFFIC.search(caplog.text).groups())

    assert on_ray.counts["written"] == 16
    assert vault_bytes(tmp_path / "ray") == vault_bytes(tmp_path / "local")
    assert read_by_local_run > size  # the measure sees a run that reads the archive itself
    assert read_by_ray_run < size / 10
    assert sent + received < payload / 20


@pytest.mark.parametrize(("doing", "retried"), [(READING_A_SHARD, "its shard"),
                                               (PREPARING, "its batch of pages")])
def test_a_ray_worker_killed_mid_shard_loses_no_item(tmp_path, fast_config, ray_config,
                                                     caplog, doing, retried):
    """Killed while reading its shard, or while preparing pages it read again by offset."""
    archive = tmp_path / "large.warc.gz"
    large_pages_warc(archive, 24, padding=300_000)
    killed: list[int] = []
    killer = threading.Thread(target=kill_the_first_busy_actor, daemon=True,
                              kwargs={"killed": killed, "doing": doing, "every": 0.002})
    killer.start()

    with caplog.at_level(logging.WARNING, logger="gleaner"):
        on_ray = import_exports([archive], sharded(ray_config, shard_mb=0.5), tmp_path / "ray")
    killer.join()
    local = import_exports([archive], fast_config, tmp_path / "local")

    assert killed, f"no actor was seen doing {doing!r}"
    assert f"a Ray worker died; {retried} goes to another" in caplog.text
    assert on_ray.counts["written"] == 24
    assert_same_import(on_ray, local, tmp_path / "ray", tmp_path / "local")


def test_shards_whose_workers_keep_dying_are_reported_and_the_run_ends(tmp_path, ray_config):
    archive = tmp_path / "large.warc.gz"
    large_pages_warc(archive, 12, padding=300_000)
    stop = threading.Event()
    killer = threading.Thread(target=kill_every_busy_actor, daemon=True,
                              kwargs={"stop": stop, "doing": READING_A_SHARD, "every": 0.002})
    killer.start()

    report = import_exports([archive], sharded(ray_config, shard_mb=0.5), tmp_path / "ray")
    stop.set()
    killer.join()

    assert report.failures
    for failure in report.failures:
        assert failure.location.startswith("large.warc.gz from byte ")
        assert "died 2 times" in failure.detail and "the next import reads it again" \
            in failure.detail
    written = [item.note for item in report.items if item.status == "written"]
    assert sorted(p.name for p in (tmp_path / "ray").glob("*.md")) == sorted(written)
