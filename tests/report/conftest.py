"""Fixtures for the report tests (``--update-goldens`` is defined in tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.report import sample

GOLDENS = Path(__file__).parent / "goldens"


def normalise(text: str, tmp: Path | None = None) -> str:
    """Strip what changes between runs: timings, versions, absolute paths."""
    if tmp is not None:
        text = text.replace(str(tmp), "<tmp>")
    text = re.sub(r'"(execution_time|duration)": [0-9.e+-]+', r'"\1": 0', text)
    text = re.sub(r"\b\d+\.\d+\.\d+(?:\.dev\d+)?\b", "<version>", text)
    return text


@pytest.fixture
def golden(request: pytest.FixtureRequest, tmp_path: Path):
    """``golden(name, text)``: compare ``text`` with ``goldens/name`` (or rewrite it)."""

    def check(name: str, text: str) -> None:
        text = normalise(text, tmp_path)
        path = GOLDENS / name
        if request.config.getoption("--update-goldens"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-goldens"
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} differs from its golden file; if the change is intended, "
            "run pytest --update-goldens and review the diff"
        )

    return check


@pytest.fixture(scope="session")
def classes():
    return sample.classes()
