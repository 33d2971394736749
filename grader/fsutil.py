"""Small file helpers shared by the result store and the reports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> Path:
    """Write ``text`` to ``path`` so a reader sees the old file or the new one, never half.

    The text goes to a temporary file in the same folder, is flushed to disk (``durable``;
    reports that a re-run rewrites may skip the fsync), then renamed over ``path`` — an
    interrupted run never leaves a truncated result behind. The file gets the permissions
    any new file gets (``0666`` less the umask), not the temporary file's ``0600``: reports
    are copied to web servers and shared folders. Returns ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name must stay valid however long ``path.name`` is (255 bytes max).
    short = path.name.encode("utf-8", "surrogateescape")[:64].decode("utf-8", "ignore")
    fd, tmp = tempfile.mkstemp(prefix=f".{short}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~current_umask())
            handle.write(text)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (``/proc``), since
    setting it to read it back races with threads creating files."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
