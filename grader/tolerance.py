"""The one comparison every checker and the rubric loader share."""

from __future__ import annotations

from typing import Any

import sympy


def close(got: sympy.Expr, expected: sympy.Expr, rtol: sympy.Expr, atol: sympy.Expr) -> bool:
    """|got − expected| ≤ atol + rtol·|expected|, evaluated exactly (expected is the key).

    The test is asymmetric on purpose, as in ``numpy.isclose``: the tolerance scales with
    the key, never with the student's value.
    """
    return bool(abs(got - expected) <= atol + rtol * abs(expected))


def same_within(value: Any, key: Any, rtol: sympy.Expr, atol: sympy.Expr) -> bool:
    """True when two solver values (numbers, labels or nested lists) agree within tolerance."""
    if isinstance(value, list) or isinstance(key, list):
        return (
            isinstance(value, list)
            and isinstance(key, list)
            and len(value) == len(key)
            and all(same_within(v, k, rtol, atol) for v, k in zip(value, key))
        )
    if isinstance(value, sympy.Basic) and isinstance(key, sympy.Basic):
        return close(value, key, rtol, atol)
    return value == key
