"""The shapes every reference solver shares: exact values, a worked solution, misconceptions.

A solver is a pure function ``solve(**params) -> Solution``. Its inputs arrive as decimal
text, ints, sympy Rationals or nested lists of those; :func:`exact` turns each into a
Rational without passing through a binary float, so a key computed here is the key a TA
would compute by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sympy

#: A solver value: an exact scalar, a label, a truth value, or nested lists of scalars.
Value = sympy.Rational | sympy.Expr | str | bool | list


class ParamError(ValueError):
    """A solver parameter is missing, malformed or out of range; the message names it."""

    def __init__(self, param: str, message: str):
        self.param = param
        self.message = message
        super().__init__(f"{param}: {message}")


def exact(x: Any, name: str = "value") -> sympy.Rational:
    """Return ``x`` as an exact Rational.

    Accepts ints, Rationals, decimal text (``"0.1"``, ``"-2.5e-3"``), fractions
    (``"1/3"``) and floats (read through their shortest repr, so ``0.1`` is 1/10).
    Raises :class:`ParamError` naming ``name`` for anything else.
    """
    if isinstance(x, bool):
        raise ParamError(name, f"expected a number, got {x!r}")
    if isinstance(x, sympy.Rational):
        return x
    if isinstance(x, sympy.Basic):
        if x.is_Rational:
            return sympy.Rational(x)
        raise ParamError(name, f"expected an exact number, got {x}")
    if isinstance(x, int):
        return sympy.Integer(x)
    if isinstance(x, float):
        x = repr(x)
    if isinstance(x, str):
        text = x.strip().replace("_", "")
        if "/" in text:
            num, _, den = text.partition("/")
            n, d = exact(num, name), exact(den, name)
            if d == 0:
                raise ParamError(name, f"division by zero in {x!r}")
            return n / d
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise ParamError(name, f"not a number: {x!r}") from None
        if not dec.is_finite():
            raise ParamError(name, f"not a finite number: {x!r}")
        sign, digits, exponent = dec.as_tuple()
        mantissa = int("".join(map(str, digits)) or "0")
        value = sympy.Integer(mantissa) * sympy.Rational(10) ** exponent
        return -value if sign else value
    raise ParamError(name, f"expected a number, got {type(x).__name__} {x!r}")


def exact_vector(xs: Any, name: str = "value") -> list[sympy.Rational]:
    """A flat list of exact numbers; raises :class:`ParamError` if ``xs`` is not one."""
    if not isinstance(xs, (list, tuple)):
        raise ParamError(name, f"expected a list of numbers, got {xs!r}")
    return [exact(v, f"{name}[{i}]") for i, v in enumerate(xs)]


def exact_matrix(rows: Any, name: str = "value") -> list[list[sympy.Rational]]:
    """A rectangular list of lists of exact numbers; raises :class:`ParamError` otherwise."""
    if not isinstance(rows, (list, tuple)) or not rows:
        raise ParamError(name, "expected a non-empty list of rows")
    matrix = [exact_vector(row, f"{name}[{i}]") for i, row in enumerate(rows)]
    width = len(matrix[0])
    for i, row in enumerate(matrix):
        if len(row) != width:
            raise ParamError(name, f"row {i} has {len(row)} entries, row 0 has {width}")
    return matrix


@dataclass(frozen=True)
class Misconception:
    """A known wrong way to solve the question.

    ``values`` maps answer keys (the same keys as :attr:`Solution.values`) to the value a
    student holding this misconception would write; keys it does not change are absent.
    """

    id: str
    explanation: str
    values: Mapping[str, Value]


def misconception_if_distinct(
    key: Mapping[str, Any], mid: str, explanation: str, values: Mapping[str, Any]
) -> Misconception | None:
    """The misconception with only its values that differ from the key.

    Values that are None (the variant is undefined there) or for keys the solution lacks
    are left out; None is returned when nothing differs — a misconception equal to the key
    could never be told apart from a right answer.
    """
    changed = {k: v for k, v in values.items() if k in key and v is not None and v != key[k]}
    return Misconception(mid, explanation, changed) if changed else None


@dataclass(frozen=True)
class Equivalent:
    """Another right answer: an equivalent design the key does not show (two softmax units
    for a binary task). ``values`` holds only the keys where it differs from the key, and
    the parts it covers are right together or not at all."""

    id: str
    explanation: str
    values: Mapping[str, Value]


def distinct_misconceptions(
    key: Mapping[str, Any], candidates: Iterable[tuple[str, str, Mapping[str, Any]]]
) -> tuple[Misconception, ...]:
    """:func:`misconception_if_distinct` over ``(id, explanation, values)`` candidates."""
    found = (misconception_if_distinct(key, *candidate) for candidate in candidates)
    return tuple(m for m in found if m is not None)


@dataclass(frozen=True)
class Solution:
    """A solver's answer: exact values by key, the worked steps, the known wrong variants.

    Keys are dotted paths (``"standard.train"``, ``"grad.0"`` never: vectors are one key).
    ``precision`` is set when some value is irrational and given as a decimal
    approximation (e.g. ``"50 significant digits"``); ``None`` means every value is exact.
    """

    solver: str
    params: Mapping[str, Any]
    values: Mapping[str, Value]
    steps: tuple[str, ...]
    misconceptions: tuple[Misconception, ...] = ()
    precision: str | None = None
    #: Other right answers (equivalent designs), each judged as one whole.
    equivalents: tuple[Equivalent, ...] = ()

    def get(self, key: str) -> Value:
        """The value at ``key``; raises KeyError listing the keys that exist."""
        try:
            return self.values[key]
        except KeyError:
            known = ", ".join(sorted(self.values))
            raise KeyError(f"{self.solver} has no value {key!r}; it has: {known}") from None


@dataclass(frozen=True)
class SolverSpec:
    """A registered solver: its function, one-line summary and documented parameters."""

    name: str
    func: Callable[..., Solution]
    summary: str
    params: Mapping[str, str] = field(default_factory=dict)
    example: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, **params: Any) -> Solution:
        unknown = set(params) - set(self.params)
        if unknown:
            raise ParamError(
                min(unknown),
                f"unknown parameter for {self.name}; it takes {', '.join(self.params)}",
            )
        return self.func(**params)


SOLVERS: dict[str, SolverSpec] = {}


def solver(
    name: str, summary: str, params: Mapping[str, str], example: Mapping[str, Any]
) -> Callable:
    """Register ``func`` under ``name``.

    ``params`` documents each parameter for ``grade solve NAME --help``; ``example`` is a
    complete, realistic set of parameters (decimal text and lists, as a rubric would give
    them) shown in that help and used by the tests that exercise every solver.
    """

    def register(func: Callable[..., Solution]) -> Callable[..., Solution]:
        if name in SOLVERS:
            raise RuntimeError(f"solver {name!r} registered twice")
        SOLVERS[name] = SolverSpec(name, func, summary, dict(params), dict(example))
        return func

    return register


def get_solver(name: str) -> SolverSpec:
    """The solver registered as ``name``; raises KeyError listing the known solvers."""
    try:
        return SOLVERS[name]
    except KeyError:
        raise KeyError(f"unknown solver {name!r}; known: {', '.join(sorted(SOLVERS))}") from None


def fmt(value: Value) -> str:
    """Short human text for a value: ``16/5`` for Rationals, nested brackets for lists."""
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, sympy.Basic):
        return str(value)
    return str(value)


def decimal_text(value: sympy.Expr, digits: int = 6) -> str:
    """A decimal rendering of an exact value, trailing zeros removed (``16/5`` → ``3.2``)."""
    if isinstance(value, sympy.Integer):
        return str(value)
    text = f"{float(value):.{digits}g}"
    if "e" in text or "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- precision
#
# One policy for every solver: a value is exact (a Rational) whenever it can be; an
# irrational one (a softmax, a square root) is reported to PRECISION_DIGITS significant
# digits and the Solution says so; the worked steps write numbers as a TA does on the
# board (terminating decimals as decimals, short fractions as p/q, the rest ≈ 12 digits).

#: Significant digits of a reported irrational value.
PRECISION_DIGITS = 30
#: Significant digits of an approximate number in the worked steps.
BOARD_DIGITS = 12


def settle(x: sympy.Expr, digits: int = PRECISION_DIGITS) -> sympy.Rational:
    """``x`` itself when rational, else rounded to ``digits`` significant digits (as an
    exact Rational of that decimal, so later arithmetic stays exact)."""
    if x.is_Rational:
        return x
    return exact(str(sympy.N(x, digits)))


def rounded(x: sympy.Expr, digits: int) -> sympy.Rational:
    """``x`` rounded to ``digits`` significant digits, rational or not (a computation
    carried at a fixed working precision, as a calculator would)."""
    return exact(str(sympy.Float(sympy.N(x, digits + 5), digits)), "value")


def precision_text(values: Iterable[Any], digits: int = PRECISION_DIGITS) -> str | None:
    """None when every value is rational, else the precision a Solution states."""
    exact_only = all(getattr(v, "is_Rational", True) for v in values)
    return None if exact_only else f"{digits} significant digits"


def board(x: Any) -> str:
    """A number or vector as written in the worked steps: terminating decimals as
    decimals, other fractions as p/q (q < 10⁶), anything else ≈ BOARD_DIGITS digits."""
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(board(v) for v in x) + "]"
    if isinstance(x, sympy.Integer):
        return str(x)
    if isinstance(x, sympy.Rational):
        q = int(x.q)
        twos = fives = 0
        while q % 2 == 0:
            q //= 2
            twos += 1
        while q % 5 == 0:
            q //= 5
            fives += 1
        places = max(twos, fives)
        if q != 1 or places > BOARD_DIGITS:
            # A TA writes a long repeating fraction as a decimal; values keep it exact.
            return str(x) if q != 1 and x.q < 10**6 else "≈" + str(sympy.N(x, BOARD_DIGITS))
        scaled = abs(int(x.p)) * 10**places // int(x.q)
        text = str(scaled).rjust(places + 1, "0")
        text = f"{text[:-places]}.{text[-places:]}".rstrip("0").rstrip(".")
        return ("-" if x < 0 else "") + text
    if isinstance(x, sympy.Basic) and x.is_number:
        return "≈" + str(sympy.N(x, BOARD_DIGITS))
    return str(x)


def to_json(value: Value) -> Any:
    """JSON form of a value: numbers become ``{"exact": "16/5", "decimal": 3.2}``."""
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, sympy.Basic) and value.is_number:
        return {"exact": str(value), "decimal": float(value)}
    return str(value)


def solution_json(solution: Solution) -> dict[str, Any]:
    """A JSON-ready dict of a solution: values, steps, misconceptions, precision."""
    return {
        "solver": solution.solver,
        "values": {k: to_json(v) for k, v in solution.values.items()},
        "steps": list(solution.steps),
        "misconceptions": [
            {
                "id": m.id,
                "explanation": m.explanation,
                "values": {k: to_json(v) for k, v in m.values.items()},
            }
            for m in solution.misconceptions
        ],
        "precision": solution.precision,
        # Only where there are any, so existing solutions serialise as before.
        **(
            {
                "equivalents": [
                    {
                        "id": e.id,
                        "explanation": e.explanation,
                        "values": {k: to_json(v) for k, v in e.values.items()},
                    }
                    for e in solution.equivalents
                ]
            }
            if solution.equivalents
            else {}
        ),
    }
