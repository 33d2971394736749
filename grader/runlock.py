"""One ``grade`` run per report folder at a time.

Two runs into the same ``--out`` share its unpacked submissions and its result store; the
second would pull the first one's files away mid-run. The first run holds an advisory lock
on ``OUT/.dlgrade/lock`` (released by the kernel however the run ends, even by SIGKILL, so
a stale lock never blocks the next run); a second run is refused with the holder's pid.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class FolderInUse(RuntimeError):
    """Another run holds the report folder; the message names its pid."""


@contextmanager
def hold_report_folder(out: Path) -> Iterator[None]:
    """Hold ``out`` for this run; raises :class:`FolderInUse` when another run holds it."""
    lock = Path(out) / ".dlgrade" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise FolderInUse(
                f"{out}: in use by pid {holder} (another grade run); wait for it to "
                "finish or pass another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
