"""Writing a file so that a reader never sees it half-written: notes, the config, reports.

Every tier writes files this way, so it lives beside the records and errors rather than in
the vault stage.
"""

from __future__ import annotations

import os
import stat
from functools import cache
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def atomic_write(path: Path, text: str, temp_dir: Path | None = None) -> None:
    """Write via a temp file, fsync and rename, so a reader never sees a partial file.

    The temp file goes to `temp_dir` when that is on the same file system as `path` (a
    rename across file systems is not atomic), else next to `path`.
    """
    import tempfile  # with shutil and random: not loaded by a cron poll, which writes nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    folder = temp_dir if temp_dir and _same_device(temp_dir, path.parent) else path.parent
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.stem[:40]}.",
                                    suffix=TEMP_SUFFIX)
    try:
        os.fchmod(handle, _mode_for(path))
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _mode_for(path: Path) -> int:
    """The file's own permissions when it exists (a person may have set them), else what
    the umask gives a new file: mkstemp's private 0600 would hide notes from a backup or
    sync tool that runs as another user."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


@cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _same_device(folder: Path, other: Path) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    return folder.stat().st_dev == other.stat().st_dev


def _fsync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
