"""Class-summary plots as inline SVG, drawn by two small jinja2 templates.

No plotting library: a histogram and a bar chart are a few rectangles, and importing
matplotlib cost a class run more than a second. The SVG is deterministic (the same
results give the same bytes, for golden tests and re-runs) and its text stays text, so
the browser shapes Persian labels with the page's fonts.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from grader.display import digits

_COLOR = "#3b6ea8"
_WIDTH = 460


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _svg(template: str, **context: Any) -> str:
    """One plot's ``<svg>`` element: ``template`` filled with ``context`` (escaped)."""
    return _env().get_template(template).render(**context).strip()


def _tick(value: float, lang: str) -> str:
    return digits(f"{value:.2f}".rstrip("0").rstrip("."), lang)


def _r(value: float) -> float:
    """Coordinates with two decimals: the same input gives the same bytes."""
    return round(value, 2)


def score_distribution_svg(
    scores: Sequence[float],
    max_score: float,
    *,
    lang: str = "en",
    xlabel: str = "score",
    ylabel: str = "students",
    prefix: str = "dist",
) -> str:
    """A histogram of ``scores`` over ``[0, max_score]`` as an ``<svg>`` element's text."""
    top_score = max_score or 1
    bins = min(10, max(1, len(set(scores))) * 2) if scores else 1
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s / top_score * bins)))] += 1
    left, right, top, bottom, height = 46, _WIDTH - 10, 10, 220, 260
    tallest = max(counts + [1])
    width = (right - left) / bins
    bars: list[dict[str, Any]] = []
    for i, n in enumerate(counts):
        h = (bottom - top) * n / tallest
        lo, hi = top_score * i / bins, top_score * (i + 1) / bins
        label = f"{_tick(lo, lang)}–{_tick(hi, lang)}: {digits(str(n), lang)}"
        bars.append(
            {
                "x": _r(left + i * width),
                "y": _r(bottom - h),
                "w": _r(width),
                "h": _r(h),
                "label": label,
            }
        )
    xticks = [
        {"x": _r(left + (right - left) * k / 4), "text": _tick(top_score * k / 4, lang)}
        for k in range(5)
    ]
    yticks = [
        {"y": _r(bottom - (bottom - top) * n / tallest), "text": digits(str(n), lang)}
        for n in sorted({0, tallest, tallest // 2})
    ]
    frame = {"w": _WIDTH, "h": height, "left": left, "right": right, "top": top, "bottom": bottom}
    labels = {"xlabel": xlabel, "ylabel": ylabel, "prefix": prefix, "color": _COLOR}
    return _svg("histogram.svg.j2", **frame, **labels, bars=bars, xticks=xticks, yticks=yticks)


def part_difficulty_svg(
    parts: Sequence[str],
    fractions: Sequence[float],
    *,
    lang: str = "en",
    xlabel: str = "mean fraction of the points",
    prefix: str = "parts",
) -> str:
    """Horizontal bars: for each part, the class's mean fraction of its points (0–1)."""
    left, right, top, row = 170, _WIDTH - 10, 8, 22
    bottom = top + row * max(1, len(parts))
    bars = []
    for i, (part, f) in enumerate(zip(parts, fractions)):
        color = "#b33a3a" if f < 0.5 else "#c98a1b" if f < 0.8 else "#2e7d4f"
        bars.append(
            {
                "y": _r(top + i * row + 3),
                "h": row - 6,
                "w": _r((right - left) * max(0.0, min(1.0, f))),
                "color": color,
                "label": part,
                "text": _tick(f, lang),
            }
        )
    xticks = [
        {"x": _r(left + (right - left) * k / 4), "text": _tick(k / 4, lang)} for k in range(5)
    ]
    frame = {"w": _WIDTH, "h": bottom + 36, "left": left, "right": right, "bottom": bottom}
    return _svg("bars.svg.j2", **frame, bars=bars, xticks=xticks, xlabel=xlabel, prefix=prefix)
