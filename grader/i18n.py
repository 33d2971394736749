"""Every sentence a student reads, in Persian and English, through gettext catalogs.

Solvers, checkers and the runner return :class:`~reference.messages.Msg` values (an
English template as the message id, with parameters); this module renders them in a
reader's language from the compiled catalogs ``grader/locale/<lang>/LC_MESSAGES/
dlgrade.mo`` (edited as ``.po`` files, compiled by Babel: see ``grader/locale/README.md``).
Numbers among the parameters are written by :mod:`grader.display` in the reader's digits;
text parameters (formulas, matrices, what a student wrote) are left as they are.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from grader.display import count_text, score_text
from reference.messages import Msg, join

LANGS = ("en", "fa")
DOMAIN = "dlgrade"
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(text: str) -> str:
    """Mark ``text`` for the catalogs without translating it now."""
    return text


def check_lang(lang: str) -> str:
    """``lang`` if the reports speak it; raises ValueError naming the ones they do."""
    if lang not in LANGS:
        raise ValueError(f"unknown report language {lang!r}; known: {', '.join(LANGS)}")
    return lang


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English is the message ids themselves)."""
    check_lang(lang)
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def translate(text: str, lang: str) -> str:
    """One message id in ``lang`` (the id itself where the catalog lacks it)."""
    return translations(lang).gettext(text)


def _param(value: Any, lang: str, tr: Callable[[str], str]) -> Any:
    if isinstance(value, Msg):
        return render_one(value, lang)
    if isinstance(value, bool):
        return tr("true" if value else "false")
    if isinstance(value, int):
        return count_text(value, lang)
    if isinstance(value, float):
        return score_text(value, lang)
    return value


def render_one(message: Msg, lang: str) -> str:
    """One message in ``lang``: its id translated, its parameters written for the reader."""
    tr = translations(lang).gettext
    params = {k: _param(v, lang, tr) for k, v in message.params.items()}
    template = tr(message.id)
    return template.format(**params) if params else template


def render(messages: Msg | str | Iterable[Msg | str] | None, lang: str = "en") -> str:
    """Messages in ``lang`` as one text (plain strings are kept as they are)."""
    if messages is None:
        return ""
    if isinstance(messages, str):
        messages = [messages]
    return join([render_one(m, lang) if isinstance(m, Msg) else m for m in messages])
