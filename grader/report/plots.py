"""Class-summary plots drawn with matplotlib and returned as inline SVG text.

The SVG is deterministic (fixed hash salt, no date, text kept as text) so golden tests and
re-runs produce the same bytes; the browser draws the text, which lets Persian labels be
shaped by the page's fonts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from grader.report.i18n import digits

_RC = {
    "svg.hashsalt": "dlgrade",
    "svg.fonttype": "none",
    "font.size": 9,
    "font.family": ["DejaVu Sans"],
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_COLOR = "#3b6ea8"


def _svg(fig: Figure, prefix: str) -> str:
    # A bare Figure, not pyplot: no global figure registry, and ~0.5 s less to import.
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    # Inline SVG in HTML must not carry the XML declaration or the DOCTYPE.
    text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    # Let the page's font stack draw the labels (Persian included).
    text = text.replace("font-family: 'DejaVu Sans'", "font-family: inherit")
    # Several plots share one page: give every id (and each reference to it) a prefix.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)
    return text.strip()


def _formatter(lang: str) -> FuncFormatter:
    def fmt(value: float, _pos: int) -> str:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return digits(text, lang)

    return FuncFormatter(fmt)


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
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(5.2, 2.4))
        ax = fig.subplots()
        bins = min(10, max(1, len(set(scores))) * 2) if scores else 1
        ax.hist(list(scores), bins=bins, range=(0, max_score or 1), color=_COLOR, edgecolor="white")
        ax.set_xlim(0, max_score or 1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.xaxis.set_major_formatter(_formatter(lang))
        ax.yaxis.set_major_formatter(_formatter(lang))
        return _svg(fig, prefix)


def part_difficulty_svg(
    parts: Sequence[str],
    fractions: Sequence[float],
    *,
    lang: str = "en",
    xlabel: str = "mean fraction of the points",
    prefix: str = "parts",
) -> str:
    """Horizontal bars: for each part, the class's mean fraction of its points (0–1)."""
    with matplotlib.rc_context(_RC):
        height = 0.6 + 0.28 * max(1, len(parts))
        fig = Figure(figsize=(5.2, height))
        ax = fig.subplots()
        ys = list(range(len(parts)))
        colors = ["#b33a3a" if f < 0.5 else "#c98a1b" if f < 0.8 else "#2e7d4f" for f in fractions]
        ax.barh(ys, list(fractions), color=colors)
        ax.set_yticks(ys, labels=list(parts))
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(_formatter(lang))
        return _svg(fig, prefix)
