"""Language-neutral sentences: a message id (the English template) with its parameters.

Solvers and checkers never choose a language. They return :class:`Msg` values — the
gettext message id, which is the English sentence with ``{name}`` placeholders, and the
parameters to fill in — and the report layer (:mod:`grader.i18n`) renders them in the
reader's language from the catalogs in ``grader/locale``. ``str(msg)`` is the English
rendering, for logs and for code that has no reader.

Parameters are JSON-ready: text (formulas and values already written out, which read the
same in every language), numbers, or nested :class:`Msg` (a sentence inside a sentence,
translated on its own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Msg:
    """One translatable sentence: ``id`` is the English template (the gettext msgid)."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = str) -> str:
        """The sentence with ``translate`` applied to its id and to nested messages."""
        values = {
            k: v.render(translate) if isinstance(v, Msg) else v for k, v in self.params.items()
        }
        return translate(self.id).format(**values) if values else translate(self.id)

    def __str__(self) -> str:
        return self.render()

    def to_json(self) -> dict[str, Any]:
        """``{"id": ..., "params": {...}}`` with nested messages as the same shape."""
        return {
            "id": self.id,
            "params": {k: v.to_json() if isinstance(v, Msg) else v for k, v in self.params.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> Msg:
        """A message from :meth:`to_json`'s shape; plain text becomes a verbatim message."""
        if isinstance(data, str):
            return verbatim(data)
        params = {
            k: cls.from_json(v) if isinstance(v, dict) and "id" in v else v
            for k, v in data.get("params", {}).items()
        }
        return cls(data["id"], params)


def msg(template: str, **params: Any) -> Msg:
    """A translatable sentence. ``template`` must be a literal: ``pybabel extract -k msg``
    collects it into the catalogs."""
    return Msg(template, params)


def verbatim(text: str) -> Msg:
    """Text that is never translated (what a student or Python wrote: an exception's
    message, a file name): the id ``{text}`` is the same in every catalog."""
    return Msg("{text}", {"text": text})


def join(sentences: list[str]) -> str:
    """Rendered sentences as one text: a full stop is added where one lacks an ending."""
    out = ""
    for text in (t.strip() for t in sentences):
        if not text:
            continue
        if out:
            out += " " if out[-1] in ".!?:;؟" else ". "
        out += text
    return out


def english(messages: Msg | tuple[Msg, ...] | list[Msg]) -> str:
    """Messages rendered in English, as :func:`join` puts sentences together."""
    if isinstance(messages, Msg):
        return str(messages)
    return join([str(m) for m in messages])
