"""Fixtures shared by the runner tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    """An empty class folder (one sub-folder per student is added by the tests)."""
    root = tmp_path / "class"
    root.mkdir()
    return root
