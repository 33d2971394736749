"""Reading a notebook's variables back as plain data, without trusting the objects.

:data:`EXTRACT_SOURCE` is run inside the student's process after their cells; it encodes
each requested variable into JSON-ready tags using exact type checks (``type(x) is
float``), so an object whose ``__eq__`` always answers True, or a ``float`` subclass, is
reported as unsupported instead of being compared. Floats travel as their shortest
decimal text (float32 included), so ``0.35`` computed in float32 arrives as ``"0.35"``.
:func:`decode` turns the tags into the raw answers the checkers accept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from reference.core import exact

EXTRACT_FUNCTION = "_dlgrade_extract"

EXTRACT_SOURCE = r"""
def _dlgrade_extract(names, namespace, max_items=100000):
    import json as _json
    import sys as _sys

    _np = _sys.modules.get("numpy")
    _torch = _sys.modules.get("torch")
    budget = [max_items]

    def num(x):
        if type(x) is float:
            return {"num": repr(x)}
        return {"num": str(int(x))}

    def enc(x, depth=0):
        budget[0] -= 1
        if budget[0] < 0 or depth > 8:
            return {"unsupported": "too large"}
        t = type(x)
        if x is None:
            return None
        if t is bool:
            return {"bool": x}
        if t is int or t is float:
            return num(x)
        if t is str:
            return {"str": x[:10000]}
        if t is list or t is tuple:
            return {"list": [enc(v, depth + 1) for v in x]}
        if t is dict:
            return {"dict": {str(k): enc(v, depth + 1) for k, v in list(x.items())[:1000]}}
        if _torch is not None and isinstance(x, _torch.Tensor) and t in (_torch.Tensor, _torch.nn.Parameter):
            x = x.detach().cpu()
            if x.dtype == _torch.bfloat16:
                x = x.float()
            x = x.numpy()
            t = type(x)
        if _np is not None:
            if t is _np.ndarray:
                if x.size > max_items:
                    return {"unsupported": "array too large"}
                if x.ndim == 0:
                    return enc(x[()], depth)
                return {"list": [enc(v, depth + 1) for v in x]}
            if isinstance(x, _np.bool_):
                return {"bool": bool(x)}
            if isinstance(x, _np.integer):
                return {"num": str(int(x))}
            if isinstance(x, _np.floating):
                if not _np.isfinite(x):
                    return {"num": repr(float(x))}
                return {"num": _np.format_float_positional(x, unique=True, trim="-")}
            if isinstance(x, _np.str_):
                return {"str": str(x)[:10000]}
        return {"unsupported": t.__module__ + "." + t.__qualname__}

    out = {}
    for name in names:
        if name in namespace:
            try:
                out[name] = enc(namespace[name])
            except Exception as exc:  # a hostile object: report, never crash the grader
                out[name] = {"unsupported": "unreadable: " + type(exc).__name__}
    return _json.dumps(out)
"""


@dataclass(frozen=True)
class Unsupported:
    """A variable whose type the grader will not compare (e.g. a custom object)."""

    type_name: str

    def __str__(self) -> str:
        return f"<{self.type_name}>"


class DecodeError(ValueError):
    """The tagged values do not have the shape the extractor writes; says what was wrong."""


#: Bounds of what the extractor can write (it cuts at 100 000 items and depth 8).
MAX_DEPTH = 12
MAX_NODES = 400_000
MAX_STR = 10_000
#: A decimal number the extractor writes: float repr or positional numpy text, or an int.
_NUMBER = re.compile(r"-?(?:\d{1,5000}(?:\.\d{0,5000})?|\.\d{1,5000})(?:e[+-]?(\d{1,4}))?")
_NON_FINITE = {"inf", "-inf", "nan"}
MAX_EXPONENT = 1000


def validate(tagged: Any) -> None:
    """Raise :class:`DecodeError` unless ``tagged`` is exactly what the extractor writes.

    Iterative (no recursion on the attacker's depth), bounded in depth and node count,
    and every number is checked for form and exponent before anything expands it.
    """
    todo: list[tuple[Any, int]] = [(tagged, 0)]
    nodes = 0
    while todo:
        item, depth = todo.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise DecodeError(f"more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise DecodeError(f"nested deeper than {MAX_DEPTH}")
        if item is None:
            continue
        if type(item) is not dict or len(item) != 1:
            raise DecodeError("a value that is not a tag")
        ((tag, value),) = item.items()
        if tag == "num":
            if type(value) is not str:
                raise DecodeError("a number that is not text")
            if value not in _NON_FINITE:
                match = _NUMBER.fullmatch(value.lower())
                if match is None:
                    raise DecodeError(f"a malformed number {value[:40]!r}")
                if match.group(1) and int(match.group(1)) > MAX_EXPONENT:
                    raise DecodeError(f"a number out of range {value[:40]!r}")
        elif tag == "bool":
            if type(value) is not bool:
                raise DecodeError("a truth value that is not a bool")
        elif tag in ("str", "unsupported"):
            if type(value) is not str or len(value) > MAX_STR:
                raise DecodeError("text that is not a string or too long")
        elif tag == "list":
            if type(value) is not list:
                raise DecodeError("a list that is not a list")
            todo.extend((v, depth + 1) for v in value)
        elif tag == "dict":
            if type(value) is not dict:
                raise DecodeError("a dict that is not a dict")
            todo.extend((v, depth + 1) for v in value.values())
        else:
            raise DecodeError(f"an unknown tag {str(tag)[:40]!r}")


def decode_values(payload: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse the extractor's JSON text (untrusted), check it, decode it.

    Returns ``(values, tags)``: decoded answers by variable name, and the raw tags (for
    comparing two snapshots). Raises :class:`DecodeError` for anything the extractor
    cannot have written.
    """
    tags = parse_tags(payload)
    return {name: decode(tag) for name, tag in tags.items()}, tags


def parse_tags(payload: str) -> dict[str, Any]:
    """The extractor's JSON text as checked tags, not yet decoded (see :func:`validate`);
    raises :class:`DecodeError`."""
    try:
        tags = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"the variables are not JSON ({type(exc).__name__})") from None
    if type(tags) is not dict:
        raise DecodeError("the variables are not a mapping")
    for name, tag in tags.items():
        if len(name) > 200:
            raise DecodeError("a variable name longer than 200 characters")
        validate(tag)
    return tags


def decode(tagged: Any) -> Any:
    """Turn extractor tags into raw answers: Rationals, strings, bools, lists, dicts.

    Non-finite floats come back as their text (``"nan"``) so the number parser rejects them
    with a clear message; unknown objects as :class:`Unsupported`.
    """
    if tagged is None:
        return None
    if not isinstance(tagged, dict) or len(tagged) != 1:
        return Unsupported("malformed")
    ((tag, value),) = tagged.items()
    if tag == "num":
        try:
            return exact(value)
        except ValueError:
            return str(value)
    if tag == "bool":
        return bool(value)
    if tag == "str":
        return str(value)
    if tag == "list":
        return [decode(v) for v in value]
    if tag == "dict":
        return {k: decode(v) for k, v in value.items()}
    return Unsupported(str(value))
