"""The one number display policy: how a score or value is written, wherever it is written.

The terminal, the HTML pages, the CSV gradebooks and the JSON files all write scores with
:func:`score_text` (at most :data:`DECIMALS` decimals, no trailing zeros, no ``-0``, no
exponent) and round numeric JSON fields with :func:`score_value`, so a student's 9.46875
is 9.469 everywhere. Persian pages and sentences show the same text in Persian digits
(:func:`digits`); exports keep ASCII digits because gradebooks parse them.
"""

from __future__ import annotations

#: Decimals a score keeps: 1.875 = 2.5 · 12/16 is common; a fourth decimal never matters.
DECIMALS = 3

_PERSIAN_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


def score_value(value: float) -> float | int:
    """A score rounded as every report writes it, for JSON numbers: a whole number as an
    int (``1``, as the text ``1``), else at most :data:`DECIMALS` decimals."""
    rounded = round(float(value), DECIMALS)
    return int(rounded) if rounded.is_integer() else rounded


def score_text(value: float, lang: str = "en") -> str:
    """A score as text: ``2.5``, ``9.469``, ``0``; Persian digits for ``fa``."""
    text = f"{score_value(value):.{DECIMALS}f}".rstrip("0").rstrip(".")
    return digits(text or "0", lang)


def score_of(score: float, max_score: float, lang: str = "en") -> str:
    """``3.75 / 7`` in English, ``۳٫۷۵ از ۷`` in Persian (a slash reads backwards in RTL)."""
    sep = " از " if lang == "fa" else " / "
    return f"{score_text(score, lang)}{sep}{score_text(max_score, lang)}"


def digits(text: str, lang: str) -> str:
    """``text`` with ASCII digits (and the decimal point) in the script of ``lang``."""
    return text.translate(_PERSIAN_DIGITS) if lang == "fa" else text


def count_text(value: int, lang: str = "en") -> str:
    """A whole number (a count, a cell number) in the digits of ``lang``."""
    return digits(str(value), lang)
