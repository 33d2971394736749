"""The one comparison every checker and the rubric loader share."""

from __future__ import annotations

from typing import Any

import sympy


def decade(x: sympy.Expr) -> int:
    """⌊log10 x⌋ for a positive exact number, found by exact comparisons with powers of ten.

    A float logarithm is wrong exactly where it matters (log10(1000) may come out as
    2.9999…), so the estimate below is only a starting point that exact comparisons correct.
    Raises ValueError for a number that is not positive.
    """
    x = sympy.nsimplify(x) if isinstance(x, float) else sympy.sympify(x)
    if not bool(x > 0):
        raise ValueError(f"decade needs a positive number, got {x}")
    if isinstance(x, sympy.Rational):
        e = len(str(x.p)) - len(str(x.q))
    else:
        e = int(sympy.floor(sympy.log(sympy.N(x, 30), 10)))
    ten = sympy.Integer(10)
    while bool(ten**e > x):
        e -= 1
    while bool(ten ** (e + 1) <= x):
        e += 1
    return e


def half_unit(key: sympy.Expr, sigfigs: int) -> sympy.Rational:
    """½·10^(⌊log10|key|⌋ − sigfigs + 1): half a unit in the last of ``sigfigs`` figures.

    A key of 0 has no significant figures: its half unit is 0, so only 0 itself is accepted.
    """
    if key == 0:
        return sympy.Integer(0)
    return sympy.Rational(1, 2) * sympy.Integer(10) ** (decade(abs(key)) - sigfigs + 1)


def close(
    got: sympy.Expr,
    expected: sympy.Expr,
    rtol: sympy.Expr,
    atol: sympy.Expr,
    sigfigs: int | None = None,
) -> bool:
    """|got − expected| ≤ atol + rtol·|expected|, evaluated exactly (expected is the key).

    The test is asymmetric on purpose, as in ``numpy.isclose``: the tolerance scales with
    the key, never with the student's value. With ``sigfigs`` the bound is instead half a
    unit in the key's last significant figure (:func:`half_unit`), inclusive.
    """
    if sigfigs is not None:
        return bool(abs(got - expected) <= half_unit(expected, sigfigs))
    return bool(abs(got - expected) <= atol + rtol * abs(expected))


def same_within(
    value: Any, key: Any, rtol: sympy.Expr, atol: sympy.Expr, sigfigs: int | None = None
) -> bool:
    """True when two solver values (numbers, labels or nested lists) agree within tolerance."""
    if isinstance(value, list) or isinstance(key, list):
        return (
            isinstance(value, list)
            and isinstance(key, list)
            and len(value) == len(key)
            and all(same_within(v, k, rtol, atol, sigfigs) for v, k in zip(value, key))
        )
    if isinstance(value, sympy.Basic) and isinstance(key, sympy.Basic):
        return close(value, key, rtol, atol, sigfigs)
    return value == key
