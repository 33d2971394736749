"""Written answers out of a notebook's markdown cells.

A student answers a ``written`` part in a markdown cell *named for the part*: its first
line is a heading holding the part's answer id or notebook variable (``## explain.why``
or ``### explain_why``), or the cell carries that name as a tag (Jupyter's cell tags).
The answer is the cell's text after the heading. The notebook file is read as JSON here,
in the grader's process: markdown is never executed, so no kernel is involved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<name>[^\n]*?)\s*#*\s*$")
#: Longest text kept from one markdown cell (the grading core bounds every answer too).
MAX_CHARS = 20_000


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def markdown_answers(notebook: Path, names: dict[str, Iterable[str]]) -> dict[str, str]:
    """``answer id → text`` for every part of ``names`` (answer id → the names that call
    it: the id and its variable) that a markdown cell of ``notebook`` is named for; the
    first such cell wins. A notebook that cannot be read gives no answers."""
    try:
        data = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        return {}
    wanted = {name.strip().lower(): part for part, calls in names.items() for name in calls}
    found: dict[str, str] = {}
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        text = _source(cell)[:MAX_CHARS]
        metadata = cell.get("metadata")
        tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
        part = next(
            (wanted[t.lower()] for t in tags if isinstance(t, str) and t.lower() in wanted), None
        )
        first, _, rest = text.lstrip("\n").partition("\n")
        heading = _HEADING.match(first)
        if heading and heading.group("name").strip("`* ").lower() in wanted:
            part = part or wanted[heading.group("name").strip("`* ").lower()]
            text = rest
        if part is not None and part not in found and text.strip():
            found[part] = text.strip()
    return found
