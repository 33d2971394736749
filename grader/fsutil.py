"""Small file helpers shared by the result store and the reports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> Path:
    """Write ``text`` to ``path`` so a reader sees the old file or the new one, never half.

    The text goes to a temporary file in the same folder, is flushed to disk (``durable``;
    reports that a re-run rewrites may skip the fsync), then renamed over ``path`` — an
    interrupted run never leaves a truncated result behind. Returns ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name must stay valid however long ``path.name`` is (255 bytes max).
    short = path.name.encode("utf-8", "surrogateescape")[:64].decode("utf-8", "ignore")
    fd, tmp = tempfile.mkstemp(prefix=f".{short}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
