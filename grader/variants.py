"""A variant of a question per student: parameters given as choices or ranges in a rubric.

A rubric may give any top-level solver parameter as ``{choose: [a, b, c]}`` or as
``{range: [low, high], step: s}``. Every student gets one value of each such parameter,
drawn from a hash of the assignment, the question, the parameter and the student id:
the same student always gets the same variant (on the TA's machine, in ``grade check``
and in ``grade serve``), and nothing needs to be stored. Range values are exact
(``low + k·step``) and written as decimal text, so a handout shows ``0.03``, not
``0.030000000000000002``.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import sympy

from reference.core import ParamError, exact

#: Most values one range may hold (a typo such as step 1e-9 must not make a million).
MAX_RANGE_VALUES = 1000
#: Most combinations of one question that validation solves (more are sampled evenly).
MAX_CHECKED_VARIANTS = 64


def is_spec(value: Any) -> bool:
    """Whether a parameter value declares choices (``choose``) or a range (``range``/``step``)."""
    return isinstance(value, Mapping) and set(value) in ({"choose"}, {"range", "step"})


def decimal(value: sympy.Rational) -> str:
    """Exact decimal text of a terminating rational (``3/100`` → ``0.03``), else ``p/q``."""
    q, twos, fives = int(value.q), 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q != 1:
        return str(value)
    places = max(twos, fives)
    if places == 0:
        return str(value)
    digits = str(abs(int(value.p)) * 10**places // int(value.q)).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    return ("-" if value < 0 else "") + text


def choices(spec: Mapping[str, Any], name: str = "value") -> list[Any]:
    """Every value a spec allows, in order; raises :class:`ParamError` naming ``name``."""
    if "choose" in spec:
        options = spec["choose"]
        if not isinstance(options, list) or not options:
            raise ParamError(name, "choose: expected a non-empty list of values")
        return list(options)
    bounds = spec["range"]
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise ParamError(name, "range: expected [low, high]")
    low, high = exact(bounds[0], f"{name}.range"), exact(bounds[1], f"{name}.range")
    step = exact(spec["step"], f"{name}.step")
    if step <= 0:
        raise ParamError(name, f"step must be > 0, got {step}")
    if high < low:
        raise ParamError(name, f"range [{low}, {high}] is empty")
    count = int(sympy.floor((high - low) / step)) + 1
    if count > MAX_RANGE_VALUES:
        raise ParamError(name, f"range holds {count} values; at most {MAX_RANGE_VALUES}")
    return [decimal(low + k * step) for k in range(count)]


def specs(params: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The varying parameters of a question and the values each may take."""
    return {k: choices(v, k) for k, v in params.items() if is_spec(v)}


def _index(assignment: str, question: str, param: str, student: str, n: int) -> int:
    text = f"dlgrade-variant\n{assignment}\n{question}\n{param}\n{student}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % n


def draw(assignment: str, question: str, params: Mapping[str, Any], student: str) -> dict[str, Any]:
    """The values of ``student``'s variant for every varying parameter of the question."""
    return {
        name: values[_index(assignment, question, name, str(student), len(values))]
        for name, values in specs(params).items()
    }


def first(params: Mapping[str, Any]) -> dict[str, Any]:
    """The first value of each varying parameter: the variant ``grade key`` shows."""
    return {name: values[0] for name, values in specs(params).items()}


def combinations(params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every variant of a question (at most :data:`MAX_CHECKED_VARIANTS`, evenly sampled)."""
    varying = specs(params)
    names = list(varying)
    total = 1
    for values in varying.values():
        total *= len(values)
    every = max(1, -(-total // MAX_CHECKED_VARIANTS))
    for i, combo in enumerate(itertools.product(*varying.values())):
        if i % every == 0:
            yield dict(zip(names, combo, strict=True))


__all__ = ["choices", "combinations", "decimal", "draw", "first", "is_spec", "specs"]
