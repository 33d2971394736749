"""Language-neutral sentences: a message id (the English template) with its parameters.

Solvers and checkers never choose a language. They return :class:`Msg` values — the
gettext message id, which is the English sentence with ``{name}`` placeholders, and the
parameters to fill in — and the report layer (:mod:`grader.i18n`) renders them in the
reader's language from the catalogs in ``grader/locale``.

A :class:`Msg` *is* its English text (a ``str``), as markupsafe's ``Markup`` is its HTML:
code with no reader in mind (logs, a test, the English report, JSON written for
machines) uses it as a string, and code that knows its reader renders ``id`` and
``params`` instead. Parameters are JSON-ready: text (formulas and values already written
out, which read the same in every language), numbers, or nested :class:`Msg`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self


def _identity(text: str) -> str:
    return text


class Msg(str):
    """One translatable sentence; its ``str`` value is the English rendering."""

    id: str
    params: Mapping[str, Any]

    def __new__(cls, id: str, params: Mapping[str, Any] | None = None) -> Self:
        params = dict(params or {})
        self = super().__new__(cls, _fill(id, params, _identity))
        self.id = id
        self.params = params
        return self

    def __getnewargs__(self) -> tuple[str, Mapping[str, Any]]:  # type: ignore[override]
        return (self.id, self.params)

    def __repr__(self) -> str:
        return f"Msg({self.id!r}, {self.params!r})"

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """The sentence with ``translate`` applied to its id and to nested messages."""
        return _fill(self.id, self.params, translate)

    def to_json(self) -> dict[str, Any]:
        """``{"id": ..., "params": {...}}`` with nested messages as the same shape."""
        return {
            "id": self.id,
            "params": {k: v.to_json() if isinstance(v, Msg) else v for k, v in self.params.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> Msg:
        """A message from :meth:`to_json`'s shape; plain text becomes a verbatim message."""
        if isinstance(data, Msg):
            return data
        if isinstance(data, str):
            return verbatim(data)
        params = {
            k: cls.from_json(v) if isinstance(v, dict) and "id" in v else v
            for k, v in data.get("params", {}).items()
        }
        return cls(data["id"], params)


def _fill(template: str, params: Mapping[str, Any], translate: Callable[[str], str]) -> str:
    values = {k: v.render(translate) if isinstance(v, Msg) else v for k, v in params.items()}
    text = translate(template)
    return text.format(**values) if values else text


def msg(template: str, **params: Any) -> Msg:
    """A translatable sentence. ``template`` must be a literal: ``pybabel extract -k msg``
    collects it into the catalogs."""
    return Msg(template, params)


def verbatim(text: str) -> Msg:
    """Text that is never translated (what a student or Python wrote: an exception's
    message, a file name): the id ``{text}`` is the same in every catalog."""
    return text if isinstance(text, Msg) else Msg("{text}", {"text": str(text)})


def join(sentences: list[str]) -> str:
    """Rendered sentences as one text: a full stop is added where one lacks an ending."""
    out = ""
    for text in (str.__str__(t).strip() for t in sentences):
        if not text:
            continue
        if out:
            out += " " if out[-1] in ".!?:;؟" else ". "
        out += text
    return out


def english(messages: str | tuple[str, ...] | list[str]) -> str:
    """Messages rendered in English, as :func:`join` puts sentences together."""
    if isinstance(messages, str):
        return str.__str__(messages)
    return join(list(messages))


def formula(template: str, **values: Any) -> Msg:
    """A translatable sentence whose values are written as in a formula: every value as
    text, so its digits stay ASCII and left-to-right in a Persian sentence (``8/16``,
    ``[0.5, 1]``). ``pybabel extract -k formula`` collects ``template``."""
    return Msg(template, {k: v if isinstance(v, Msg) else str(v) for k, v in values.items()})
