"""Options for the whole test suite.

``--update-goldens`` lives here, in the suite's root conftest, so that
``pytest --update-goldens`` works from the repository root as well as from a test folder.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden files (tests/report/goldens/) from the current output",
    )
