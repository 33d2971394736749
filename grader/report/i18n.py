"""Labels for the reports in English and Persian, and numbers written for each language.

Persian pages show scores and counts in Persian digits (۰–۹) with the Persian decimal
separator ``٫``; matrices, code and exports keep ASCII digits so they can be copied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LANGS = ("en", "fa")

_PERSIAN_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "correct": "correct",
        "partial": "partly correct",
        "wrong": "wrong",
        "missing": "not answered",
        "invalid": "unreadable",
        "error": "not graded",
        "graded": "graded",
        "timeout": "timed out",
        "class_summary": "Class summary",
        "student": "Student",
        "students": "Students",
        "score": "Score",
        "total": "Total",
        "status": "Status",
        "part": "Part",
        "points": "Points",
        "your_answer": "Your answer",
        "expected": "Expected",
        "not_revealed": "not revealed",
        "feedback": "Feedback",
        "solution": "Worked solution",
        "error_title": "The notebook stopped with an error",
        "failing_cell": "Failing cell",
        "cell": "cell",
        "traceback": "Traceback",
        "notes": "Notes",
        "overridden": "Score changed by a TA",
        "ta_comment": "TA's comment",
        "distribution": "Score distribution",
        "difficulty": "Per-part difficulty (mean fraction of the points)",
        "mistakes": "Most common mistakes",
        "wrong_values": "Most frequent wrong values",
        "no_mistakes": "No common mistakes.",
        "of": "of",
        "matched": "{count} of {total}",
        "times": "×{count}",
        "source": "Submission",
        "mean": "mean",
        "fraction": "fraction of the points",
        "n_students": "students",
        "wrong_cell": "wrong cell",
        "sort_hint": "click a column header to sort",
        "absent": "no submission",
        "back": "Class summary",
    },
    "fa": {
        "correct": "درست",
        "partial": "نیمه‌درست",
        "wrong": "نادرست",
        "missing": "بی‌پاسخ",
        "invalid": "ناخوانا",
        "error": "تصحیح‌نشده",
        "graded": "تصحیح‌شده",
        "timeout": "پایان مهلت زمانی",
        "class_summary": "خلاصهٔ کلاس",
        "student": "دانشجو",
        "students": "دانشجویان",
        "score": "نمره",
        "total": "مجموع",
        "status": "وضعیت",
        "part": "بخش",
        "points": "امتیاز",
        "your_answer": "پاسخ شما",
        "expected": "پاسخ درست",
        "not_revealed": "نمایش داده نمی‌شود",
        "feedback": "توضیح",
        "solution": "حل گام‌به‌گام",
        "error_title": "اجرای نوت‌بوک با خطا متوقف شد",
        "failing_cell": "سلول خطادار",
        "cell": "سلول",
        "traceback": "ردیابی خطا",
        "notes": "یادداشت‌ها",
        "overridden": "نمره توسط دستیار آموزشی تغییر کرد",
        "ta_comment": "نظر دستیار آموزشی",
        "distribution": "توزیع نمره‌ها",
        "difficulty": "دشواری هر بخش (میانگین کسر امتیاز)",
        "mistakes": "اشتباه‌های رایج",
        "wrong_values": "پاسخ‌های نادرست پرتکرار",
        "no_mistakes": "اشتباه رایجی نیست.",
        "of": "از",
        "matched": "{count} از {total}",
        "times": "×{count}",
        "source": "فایل ارسالی",
        "mean": "میانگین",
        "fraction": "کسر امتیاز",
        "n_students": "دانشجو",
        "wrong_cell": "خانهٔ نادرست",
        "sort_hint": "برای مرتب‌سازی روی عنوان ستون کلیک کنید",
        "absent": "ارسال نشده",
        "back": "خلاصهٔ کلاس",
    },
}


def check_lang(lang: str) -> str:
    """``lang`` if the reports speak it; raises ValueError naming the ones they do."""
    if lang not in LANGS:
        raise ValueError(f"unknown report language {lang!r}; known: {', '.join(LANGS)}")
    return lang


def label(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (English where Persian lacks one)."""
    return LABELS[lang].get(key) or LABELS["en"].get(key, key)


def digits(text: str, lang: str) -> str:
    """``text`` with ASCII digits (and the decimal point) in the script of ``lang``."""
    return text.translate(_PERSIAN_DIGITS) if lang == "fa" else text


def number(value: float, lang: str = "en") -> str:
    """A score as people write it: at most three decimals (1.875 = 2.5 · 12/16 is common),
    no trailing zeros (``2.5``, ``۲٫۵``)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return digits(text, lang)


def score_of(score: float, max_score: float, lang: str) -> str:
    """``3.75 / 7`` in English, ``۳٫۷۵ از ۷`` in Persian (a slash reads backwards in RTL)."""
    if lang == "fa":
        return f"{number(score, lang)} از {number(max_score, lang)}"
    return f"{number(score, lang)} / {number(max_score, lang)}"


def answer_text(value: Any, number_text: Callable[[float], str] = str) -> str:
    """One line for an answer of any shape: lists as ``[a, b]``, floats via ``number_text``."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "[" + ", ".join(answer_text(v, number_text) for v in value) + "]"
    if isinstance(value, float):
        return number_text(value)
    return str(value)
