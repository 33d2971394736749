"""Files the grader writes get the permissions the TA's umask gives, not mkstemp's 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from grader.fsutil import atomic_write_text, current_umask


@pytest.fixture
def umask():
    def set_mask(mask: int) -> None:
        os.umask(mask)

    old = os.umask(0o022)
    yield set_mask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_file_follows_the_umask(tmp_path: Path, umask, mask: int, mode: int) -> None:
    umask(mask)
    assert current_umask() == mask
    path = atomic_write_text(tmp_path / "index.html", "<p>hi</p>", durable=False)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_text(encoding="utf-8") == "<p>hi</p>"
