"""One run at a time per vault: an exclusive lock on `<vault>/.gleaner/lock`.

`flock` is held by the open file, so the kernel releases it when the process ends in any
way, SIGKILL included: a crashed run never leaves a stale lock behind. The holder's pid is
written into the file so the refused run can say who holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from ..errors import LockedError

LOCK_NAME = "lock"


class VaultLock:
    """Context manager: hold the vault's lock, or raise LockedError at once."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self.handle: int | None = None

    def __enter__(self) -> VaultLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            os.close(handle)
            raise LockedError(f"another Gleaner run{holder} is using the vault "
                              f"{self.path.parent.parent}; this one exits without "
                              "doing anything") from None
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        self.handle = handle
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.handle is not None:
            os.ftruncate(self.handle, 0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None


def _read_holder(handle: int) -> str:
    pid = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
    return f" (pid {pid})" if pid.isdigit() else ""
