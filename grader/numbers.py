"""A student's number → an exact value.

Students type numbers the way their keyboard and their habits let them: Persian (۰–۹) or
Arabic-Indic (٠–٩) digits, ``٫`` as the decimal mark, ``٬`` or ``,`` between thousands,
a minus sign that right-to-left text moved behind the number (``۰.۹-``), invisible
direction marks picked up by copy and paste, U+2212 and dashes instead of ``-``,
percentages, fractions and small expressions (``0.91*2+3.4``). This module turns all of
that into an exact :class:`sympy.Rational` — never through a binary float — or says, in
one line, why the text is not a number.

Rules this module decides (the checkers and the tests rely on them):

* **Blank.** ``None``, ``""``, whitespace, and a lone dash (``-``, ``—``, ``−``…) are blank:
  :func:`parse_number` returns ``None`` and :func:`readings` returns ``[]``. Canvas and
  Moodle write ``-`` for "no answer", so it is not junk.
* **Commas.** ``٬`` is always a thousands separator and is dropped. ``,`` inside a number is
  a thousands separator when the number is grouped like one — a first group of 1–3 digits
  not starting with 0, then groups of exactly three (``1,234``, ``12,345.5``) — and
  otherwise, when it is the only separator between digits, a decimal comma (``0,5``,
  ``1234,5``, ``0,500``). Anything else (``1,2,3``, ``1.234,5``, ``1,``) is junk.
  ``1,234`` is therefore 1234, never 1.234.
* **Slash.** Persian writers use ``/`` as a decimal mark, so text that is exactly
  ``[sign]digits/digits[%]`` — no spaces, no other operator, whatever the digits' script —
  has two readings: the fraction first, then the decimal (``۱/۲`` → 1/2, then 1.2).
  :func:`parse_number` returns the fraction. A zero denominator (``1/0``) is a division
  by zero in both readings: a writer meaning 1.0 writes ``1``. Any other use of ``/``
  (``1 / 2``, ``1/2+1``, ``1.5/3``) is division only.
* **Percent.** ``%`` (or ``٪``) may only end a plain number or a ``digits/digits`` text
  and divides it by 100 (``50%`` → 1/2, ``۱۲/۵٪`` → 12/500 or 0.125).
* **Expressions.** Numbers, ``+ - * / × ÷``, ``**`` or ``^`` for a power, one sign before
  an operand, parentheses; evaluated exactly by a small parser of our own (never ``eval``
  or ``sympy.parse_expr``). Powers must be whole numbers; results may not exceed
  :data:`MAX_BITS` bits, so ``9**9**9`` is refused at once. Text longer than
  :data:`MAX_LENGTH` characters is refused.
"""

from __future__ import annotations

import math
import numbers
import re
import reprlib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sympy

from reference.core import ParamError, exact
from reference.messages import Msg, msg, verbatim

__all__ = ["MAX_BITS", "MAX_LENGTH", "NumberError", "Reading", "clean", "parse_number", "readings"]

#: Longest text (after :func:`clean`) that is parsed at all.
MAX_LENGTH = 200
#: Largest numerator or denominator, in bits, that an expression may reach.
MAX_BITS = 10_000
#: Largest power of ten a literal may carry (``1e1000``).
MAX_EXPONENT = 1000


class NumberError(ValueError):
    """``text`` is not a number; ``reason`` says why. ``message`` is the whole sentence as a
    translatable message; ``str()`` is it in English."""

    def __init__(self, text: str, reason: Msg):
        self.text = text
        self.reason = reason
        self.message = msg('"{text}" is not a number: {reason}', text=_shown(text), reason=reason)
        super().__init__(str(self.message))


@dataclass(frozen=True)
class Reading:
    """One way to read a student's text: its exact value and, when the text has several
    readings, how this one read it (``"'/' read as a fraction (۱/۲ = 1/2)"``)."""

    value: sympy.Rational
    how: str | None = None


# --- cleaning ------------------------------------------------------------------------------

# Spaces used between digit groups ("1 234"): dropped, so the groups join.
_GROUP_SPACES = frozenset("\u00a0\u2007\u2008\u2009\u200a\u202f")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_SYMBOLS = {
    "\u066b": ".",  # ARABIC DECIMAL SEPARATOR ٫
    "\u066a": "%",  # ARABIC PERCENT SIGN ٪
    "\u00d7": "*",  # ×
    "\u2217": "*",  # ∗
    "\u00f7": "/",  # ÷
    "\u2044": "/",  # FRACTION SLASH
    "\u2215": "/",  # DIVISION SLASH
}
_NUMBER_BEFORE_MINUS = re.compile(
    r"(?P<num>(?:[0-9][0-9.,]*|\.[0-9]+)(?:/[0-9]+)?(?:[eE][+-]?[0-9]+)?\s*%?)\s*-"
)


def clean(text: str) -> str:
    """Normalise a student's text to ASCII number syntax; never raises.

    Drops invisible format characters (Unicode category Cf: direction marks, U+FEFF, ZWNJ…),
    the spaces used between digit groups (NBSP, thin and figure spaces) and ``٬``; maps any
    Unicode decimal digit (Persian, Arabic-Indic, full-width…) to ASCII, ``٫`` to ``.``,
    ``٪`` to ``%``, ``×``/``÷`` to ``*``/``/``, every dash and minus sign to ``-``,
    full-width ASCII to ASCII and other whitespace to a space; strips both ends; and moves
    a minus that right-to-left text left after a plain number to the front
    (``"۰.۹-"`` → ``"-0.9"``). The result is not checked: junk stays junk.
    """
    out: list[str] = []
    for ch in text:
        if ch in _SYMBOLS:
            out.append(_SYMBOLS[ch])
        elif ch in _DASHES:
            out.append("-")
        elif ch in _GROUP_SPACES or ch == "\u066c":
            continue
        elif "\uff01" <= ch <= "\uff5e":  # full-width ASCII block
            out.append(chr(ord(ch) - 0xFEE0))
        elif ch.isascii():
            out.append(ch)
        else:
            category = unicodedata.category(ch)
            if category == "Cf":
                continue
            if category == "Nd":
                out.append(str(unicodedata.decimal(ch)))
            elif ch.isspace():
                out.append(" ")
            else:
                out.append(ch)
    cleaned = "".join(out).strip()
    trailing = _NUMBER_BEFORE_MINUS.fullmatch(cleaned)
    if trailing:
        cleaned = "-" + trailing["num"].rstrip()
    return cleaned


# --- public entry points ----------------------------------------------------------------


def parse_number(raw: Any) -> sympy.Rational | None:
    """The exact value of a student's answer, or ``None`` when it is blank.

    ``raw`` may be text (see the module docstring for what is accepted), an int, a float
    (read through its shortest repr: ``0.1`` is 1/10), a Fraction, Decimal or sympy
    Rational, or ``None``. For ``digits/digits`` text this is the fraction reading; use
    :func:`readings` to see the decimal one too. Raises :class:`NumberError` for junk,
    for ``bool``, for non-finite values and for any other type.
    """
    found = readings(raw)
    return found[0].value if found else None


def readings(raw: Any) -> list[Reading]:
    """Every plausible reading of a student's answer, the preferred one first.

    ``[]`` when the answer is blank; two readings (fraction, then decimal mark) for
    ``digits/digits`` text; otherwise exactly one, with ``how=None``. Raises
    :class:`NumberError` as :func:`parse_number` does.
    """
    if raw is None:
        return []
    if isinstance(raw, str):
        return _text_readings(str.__str__(raw))
    return [Reading(_object_value(raw))]


# --- non-text values ----------------------------------------------------------------------


def _object_value(raw: Any) -> sympy.Rational:
    # Base-class methods, not the object's own: a student's float subclass may lie in
    # __repr__/__eq__ (see DESIGN.md, "Comparisons").
    if isinstance(raw, bool) or type(raw).__name__ in ("bool", "bool_"):
        raise NumberError(repr(raw), msg("a truth value is not a number"))
    if isinstance(raw, sympy.Basic):
        if raw.is_Rational:
            return sympy.Rational(raw)
        if isinstance(raw, sympy.Float):
            return _object_value(Decimal(str(raw)))
        raise NumberError(str(raw), msg("not an exact number"))
    if isinstance(raw, int):
        return sympy.Integer(int.__index__(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NumberError(float.__repr__(raw), msg("not a finite number"))
        return exact(float.__repr__(raw))
    if isinstance(raw, Fraction):
        return sympy.Rational(raw.numerator, raw.denominator)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NumberError(str(raw), msg("not a finite number"))
        return _literal(str(raw), str(raw))
    if isinstance(raw, numbers.Integral):  # numpy integers
        return sympy.Integer(int(raw))
    if isinstance(raw, numbers.Real):  # numpy float32/float16: their str is shortest
        found = _text_readings(str(raw))
        if len(found) == 1:
            return found[0].value
    raise NumberError(
        _short_repr(raw), msg("expected a number, got {type}", type=type(raw).__name__)
    )


# --- text ---------------------------------------------------------------------------------

_SLASH = re.compile(r"(?P<sign>[+-]?)(?P<a>[0-9]+)/(?P<b>[0-9]+)")
_PLAIN = re.compile(r"[+-]?[0-9.,]+(?:[eE][+-]?[0-9]+)?")
_NON_FINITE = re.compile(r"[+-]?(nan|inf|infinity|∞)", re.IGNORECASE)


def _text_readings(raw: str) -> list[Reading]:
    text = clean(raw)
    if text in ("", "-"):
        return []
    if len(text) > MAX_LENGTH:
        raise NumberError(
            raw, msg("longer than {MAX_LENGTH} characters", MAX_LENGTH=str(MAX_LENGTH))
        )
    if _NON_FINITE.fullmatch(text):
        raise NumberError(raw, msg("not a finite number"))
    body, percent = text, False
    if text.endswith("%"):
        body, percent = text[:-1].rstrip(), True
        if not (_PLAIN.fullmatch(body) or _SLASH.fullmatch(body)):
            raise NumberError(raw, msg("'%' may only follow a plain number"))
    if "%" in body:
        raise NumberError(raw, msg("'%' may only end a number"))
    scale = sympy.Rational(1, 100) if percent else sympy.Integer(1)

    slash = _SLASH.fullmatch(body)
    if slash:
        return _slash_readings(raw, slash, scale)
    return [Reading(_Parser(raw, body).parse() * scale)]


def _slash_readings(raw: str, match: re.Match[str], scale: sympy.Rational) -> list[Reading]:
    sign, a, b = match["sign"], match["a"], match["b"]
    if int(b) == 0:
        raise NumberError(raw, msg("division by zero"))
    negate = -1 if sign == "-" else 1
    fraction = negate * sympy.Rational(int(a), int(b)) * scale
    decimal = negate * exact(f"{a}.{b}") * scale
    pct = "%" if scale != 1 else ""
    minus = "-" if sign == "-" else ""
    written = _visible(raw)
    return [
        Reading(fraction, f"'/' read as a fraction ({written} = {minus}{int(a)}/{int(b)}{pct})"),
        Reading(decimal, f"'/' read as a decimal mark ({written} = {minus}{a}.{b}{pct})"),
    ]


def _literal(raw: str, body: str) -> sympy.Rational:
    """Exact value of one unsigned literal's text: digits, separators, optional exponent."""
    mantissa, _, power = body.partition("e") if "e" in body else body.partition("E")
    if not any(c.isdigit() for c in mantissa):
        raise NumberError(raw, msg("{mantissa} has no digits", mantissa=repr(mantissa)))
    if "," in mantissa:
        mantissa = _resolve_commas(raw, mantissa)
    if mantissa.count(".") > 1:
        raise NumberError(raw, msg("two decimal marks"))
    if power and abs(int(power)) > MAX_EXPONENT:
        raise NumberError(raw, msg("exponent {power} is too large", power=str(power)))
    try:
        return exact(mantissa + ("e" + power if power else ""))
    except ParamError as error:  # unreachable for text that passed the checks above
        raise NumberError(raw, verbatim(error.message)) from None


_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]+")


def _resolve_commas(raw: str, mantissa: str) -> str:
    if _THOUSANDS.fullmatch(mantissa):
        return mantissa.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(mantissa):
        return mantissa.replace(",", ".")
    if mantissa.count(".") + mantissa.count(",") > 1 and "." in mantissa:
        raise NumberError(raw, msg("two decimal marks"))
    raise NumberError(
        raw,
        msg(
            "',' in {mantissa} is neither a thousands separator nor a decimal mark",
            mantissa=repr(mantissa),
        ),
    )


class _Parser:
    """Recursive descent over the cleaned text; every value is an exact Rational.

    expr  := term (('+' | '-') term)*
    term  := unary (('*' | '/') unary)*
    unary := ('+' | '-') power | power          one sign only: '--1' is refused
    power := atom (('**' | '^') unary)?         right-associative, like Python
    atom  := NUMBER | '(' expr ')'
    """

    _LITERAL = re.compile(r"(?:[0-9][0-9.,]*|\.[0-9.,]*)(?:[eE][+-]?[0-9]+)?")
    _LETTERS = re.compile(r"[^\W\d_]+")

    def __init__(self, raw: str, text: str):
        self.raw = raw
        self.tokens = self._tokenize(text)
        self.pos = 0

    def fail(self, reason: Msg) -> NumberError:
        return NumberError(self.raw, reason)

    def _tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == " ":
                i += 1
                continue
            literal = self._LITERAL.match(text, i)
            if literal:
                if tokens and tokens[-1][0] in "0123456789.":
                    raise self.fail(
                        msg(
                            "no operator between {value} and {value2}",
                            value=repr(tokens[-1]),
                            value2=repr(literal[0]),
                        )
                    )
                if tokens and tokens[-1] == ")":
                    raise self.fail(
                        msg("no operator between ')' and {value}", value=repr(literal[0]))
                    )
                tokens.append(literal[0])
                i = literal.end()
            elif text.startswith("**", i):
                tokens.append("**")
                i += 2
            elif ch in "+-*/^()":
                tokens.append("**" if ch == "^" else ch)
                i += 1
            else:
                if ch.isalpha():
                    word = self._LETTERS.match(text, i)[0]
                    raise self.fail(msg("letters are not allowed ({word})", word=repr(word)))
                raise self.fail(msg("unexpected {ch}", ch=repr(ch)))
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> sympy.Rational:
        if not self.tokens:
            raise self.fail(msg("no digits"))
        value = self.expr()
        if self.pos < len(self.tokens):
            raise self.fail(msg("unexpected {value}", value=repr(self.peek())))
        return value

    def expr(self) -> sympy.Rational:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            right = self.term()
            value = self.checked(value + right if op == "+" else value - right)
        return value

    def term(self) -> sympy.Rational:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()
            right = self.unary()
            if op == "*":
                value = self.checked(value * right)
            elif right == 0:
                raise self.fail(msg("division by zero"))
            else:
                value = self.checked(value / right)
        return value

    def unary(self) -> sympy.Rational:
        if self.peek() in ("+", "-"):
            sign = self.take()
            if self.peek() in ("+", "-"):
                raise self.fail(msg("two signs in a row"))
            value = self.power()
            return -value if sign == "-" else value
        return self.power()

    def power(self) -> sympy.Rational:
        base = self.atom()
        if self.peek() != "**":
            return base
        self.take()
        exponent = self.unary()
        if not exponent.is_Integer:
            raise self.fail(
                msg("only whole-number powers are allowed, not {exponent}", exponent=str(exponent))
            )
        n = int(exponent)
        if base == 0 and n < 0:
            raise self.fail(msg("division by zero"))
        if abs(base) != 1 and base != 0:
            bits = max(int(base.p).bit_length(), int(base.q).bit_length())
            if bits * abs(n) > MAX_BITS + 64:
                raise self.fail(msg("the power {base}**{n} is too large", base=str(base), n=str(n)))
        if abs(base) == 1:  # sympy would compute (-1)**n the long way for huge n
            return base if n % 2 else sympy.Integer(1)
        return self.checked(base**n)

    def atom(self) -> sympy.Rational:
        token = self.peek()
        if token is None:
            raise self.fail(msg("ends where a number was expected"))
        if token == "(":
            self.take()
            value = self.expr()
            if self.peek() != ")":
                raise self.fail(msg("missing ')'"))
            self.take()
            return value
        if token[0] in "0123456789.":
            self.take()
            return _literal(self.raw, token)
        if token in ("+", "-"):
            raise self.fail(msg("two signs in a row"))
        raise self.fail(msg("unexpected {token}", token=repr(token)))

    def checked(self, value: sympy.Rational) -> sympy.Rational:
        if max(int(value.p).bit_length(), int(value.q).bit_length()) > MAX_BITS:
            raise self.fail(
                msg("a value in it has more than {MAX_BITS} bits", MAX_BITS=str(MAX_BITS))
            )
        return value


# --- message helpers ----------------------------------------------------------------------


def _visible(raw: str) -> str:
    """The student's text as they saw it: invisible marks and outer spaces removed."""
    return "".join(c for c in raw if unicodedata.category(c) != "Cf").strip()


def _shown(text: str, limit: int = 60) -> str:
    """``text`` for a one-line message: control and invisible characters escaped."""
    shown = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
        for c in text
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _short_repr(raw: Any) -> str:
    # reprlib survives a student's object whose __repr__ raises.
    return reprlib.repr(raw)
