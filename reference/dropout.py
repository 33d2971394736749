"""Dropout during training and at test time, standard and inverted, computed exactly.

The course's convention: ``p`` is the *keep* probability. Standard dropout multiplies by
the 0/1 mask while training and by ``p`` at test time; inverted dropout divides the kept
units by ``p`` while training and leaves the output alone at test time. Either way the
expected training output equals the test output, which is the point of both variants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from reference.core import (
    Misconception,
    ParamError,
    Solution,
    exact,
    fmt,
    misconception_if_distinct,
    solver,
)
from reference.messages import formula, msg

Tensor = Any  # a Rational or a (nested) list of them, rectangular

NAME = "dropout"


def _parse(value: Any, name: str) -> tuple[Tensor, tuple[int, ...]]:
    """A rectangular nested list of exact numbers and its shape; ParamError otherwise."""
    if not isinstance(value, (list, tuple)):
        return exact(value, name), ()
    if not value:
        raise ParamError(name, "expected a non-empty list")
    parts = [_parse(v, f"{name}[{i}]") for i, v in enumerate(value)]
    shape = parts[0][1]
    for i, (_, s) in enumerate(parts):
        if s != shape:
            raise ParamError(name, f"entry {i} has shape {list(s)}, entry 0 has {list(shape)}")
    return [t for t, _ in parts], (len(parts), *shape)


def _map(f: Callable[..., sympy.Expr], *ts: Tensor) -> Tensor:
    """Apply ``f`` cell by cell to tensors of the same shape."""
    if isinstance(ts[0], list):
        return [_map(f, *cells) for cells in zip(*ts)]
    return f(*ts)


def _cells(t: Tensor) -> list[sympy.Rational]:
    """All cells of a tensor, row-major."""
    if isinstance(t, list):
        return [c for row in t for c in _cells(row)]
    return [t]


def _transpose_last(t: Tensor, shape: tuple[int, ...]) -> Tensor | None:
    """The tensor with its last two axes swapped, or None unless they are square."""
    if len(shape) < 2 or shape[-1] != shape[-2]:
        return None
    if len(shape) == 2:
        return [list(col) for col in zip(*t)]
    return [_transpose_last(m, shape[1:]) for m in t]


def _keep_probability(p: Any, p_drop: Any, mask: Tensor) -> tuple[sympy.Rational, str]:
    """The keep probability and the line of working that justifies it."""
    if p is not None and p_drop is not None:
        raise ParamError("p_drop", "give either p (keep probability) or p_drop, not both")
    if p is not None:
        keep = exact(p, "p")
        if not 0 < keep <= 1:
            raise ParamError("p", f"keep probability must be in (0, 1], got {keep}")
        return keep, msg("p = {keep} (keep probability, given)", keep=fmt(keep))
    if p_drop is not None:
        drop = exact(p_drop, "p_drop")
        if not 0 <= drop < 1:
            raise ParamError("p_drop", f"drop probability must be in [0, 1), got {drop}")
        return 1 - drop, msg(
            "p = 1 − p_drop = 1 − {drop} = {value} (keep probability)",
            drop=fmt(drop),
            value=fmt(1 - drop),
        )
    cells = _cells(mask)
    ones = sum(1 for c in cells if c == 1)
    if ones == 0:
        raise ParamError("mask", "the mask keeps no unit, so p cannot be read from it; give p")
    keep = sympy.Rational(ones, len(cells))
    return keep, (
        formula(
            "p = (ones in the mask) / (cells) = {ones}/{n_cells} = {keep} (keep probability, read from the mask)",
            ones=ones,
            n_cells=len(cells),
            keep=fmt(keep),
        )
    )


def _variants(out: Tensor, mask: Tensor, keep: sympy.Rational) -> dict[str, Tensor]:
    """The four tables for keep probability ``keep`` (mask applied cell by cell)."""
    return {
        "standard.train": _map(lambda o, m: o * m, out, mask),
        "standard.test": _map(lambda o: o * keep, out),
        "inverted.train": _map(lambda o, m: o * m / keep, out, mask),
        "inverted.test": _map(lambda o: o, out),
    }


def _misconceptions(
    key: dict[str, Any], out: Tensor, mask: Tensor, keep: sympy.Rational, shape: tuple[int, ...]
) -> tuple[Misconception, ...]:
    """Every known wrong variant that is distinguishable from the key on this input."""
    mul = lambda o, m: o * m
    found: list[Misconception | None] = []
    wrong = 1 - keep
    flipped: dict[str, Any] = {"p": wrong, "standard.test": _map(lambda o: o * wrong, out)}
    if wrong != 0:
        flipped["inverted.train"] = _map(lambda o, m: o * m / wrong, out, mask)
    found.append(
        misconception_if_distinct(
            key,
            "p_as_drop_probability",
            msg(
                "p is the keep probability; using 1 − p = {wrong} (the drop probability) wherever p appears scales by the wrong factor.",
                wrong=fmt(wrong),
            ),
            flipped,
        )
    )
    found.append(
        misconception_if_distinct(
            key,
            "inverted_train_not_scaled",
            msg(
                "Inverted dropout divides the kept units by p = {keep} while training; out ⊙ mask alone is standard dropout.",
                keep=fmt(keep),
            ),
            {"inverted.train": _map(mul, out, mask)},
        )
    )
    found.append(
        misconception_if_distinct(
            key,
            "inverted_test_divided_by_p",
            msg(
                "Inverted dropout already scaled during training; at test time the output is used as it is, not divided by p."
            ),
            {"inverted.test": _map(lambda o: o / keep, out)},
        )
    )
    found.append(
        misconception_if_distinct(
            key,
            "inverted_test_times_p",
            msg(
                "Multiplying by p at test time is standard dropout; inverted dropout leaves the test output unchanged."
            ),
            {"inverted.test": _map(lambda o: o * keep, out)},
        )
    )
    found.append(
        misconception_if_distinct(
            key,
            "standard_test_not_scaled",
            msg(
                "Standard dropout trains on out ⊙ mask, whose expectation is out · p; at test time the output must be multiplied by p = {keep} to match.",
                keep=fmt(keep),
            ),
            {"standard.test": out},
        )
    )
    found.append(
        misconception_if_distinct(
            key,
            "standard_train_scaled",
            msg(
                "Dividing the kept units by p while training is inverted dropout; standard dropout only multiplies by the mask."
            ),
            {"standard.train": _map(lambda o, m: o * m / keep, out, mask)},
        )
    )
    swapped = _variants(out, mask, keep)
    found.append(
        misconception_if_distinct(
            key,
            "variants_swapped",
            msg(
                "The standard and inverted tables were exchanged: standard scales at test time, inverted scales while training."
            ),
            {
                "standard.train": swapped["inverted.train"],
                "standard.test": swapped["inverted.test"],
                "inverted.train": swapped["standard.train"],
                "inverted.test": swapped["standard.test"],
            },
        )
    )
    found.append(
        misconception_if_distinct(
            key,
            "mask_complement",
            msg(
                "A 1 in the mask keeps the unit; zeroing the cells where the mask is 1 drops exactly the units that were kept."
            ),
            {
                "standard.train": _map(lambda o, m: o * (1 - m), out, mask),
                "inverted.train": _map(lambda o, m: o * (1 - m) / keep, out, mask),
            },
        )
    )
    mask_t = _transpose_last(mask, shape)
    if mask_t is not None:
        found.append(
            misconception_if_distinct(
                key,
                "mask_transposed",
                msg(
                    "The mask is applied cell by cell in the same position; row i, column j of the output meets row i, column j of the mask, not its transpose."
                ),
                {
                    "standard.train": _map(mul, out, mask_t),
                    "inverted.train": _map(lambda o, m: o * m / keep, out, mask_t),
                },
            )
        )
    return tuple(m for m in found if m is not None)


def _term(v: sympy.Rational) -> str:
    """A number as a factor in a written product: fractions and negatives in parentheses."""
    return fmt(v) if v.is_Integer and v >= 0 else f"({fmt(v)})"


def _first_kept(out: Tensor, mask: Tensor) -> tuple[sympy.Rational, sympy.Rational] | None:
    """The first (output, mask) cell pair, preferring a kept one, for a worked example."""
    pairs = list(zip(_cells(out), _cells(mask)))
    return next(((o, m) for o, m in pairs if m == 1), pairs[0] if pairs else None)


@solver(
    NAME,
    "Dropout tables: standard and inverted, at training and at test time",
    params={
        "output": "matrix (list of lists), vector (flat list, read as one row) or batch of "
        "matrices: the layer's output; results keep its shape",
        "mask": "0/1 list of the same shape as output: 1 keeps the unit",
        "p": "number in (0, 1], optional: keep probability; default: fraction of ones in mask",
        "p_drop": "number in [0, 1), optional: drop probability instead of p (p = 1 − p_drop)",
    },
    example={
        "output": [
            ["1.6", "-0.7", "-0.2", "1.9"],
            ["-2.3", "2.5", "2.5", "-0.9"],
            ["-0.5", "3.2", "3.7", "-0.4"],
            ["1.3", "-0.4", "-2.6", "1.2"],
        ],
        "mask": [[1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1]],
    },
)
def solve(output: Any, mask: Any, p: Any = None, p_drop: Any = None) -> Solution:
    """Standard and inverted dropout for ``output`` under the 0/1 ``mask``.

    Values: ``p``, ``standard.train`` (out ⊙ mask), ``standard.test`` (out · p),
    ``inverted.train`` (out ⊙ mask / p), ``inverted.test`` (out). A flat ``output`` is a
    single row and its results are flat too. Raises ParamError for shapes that differ, mask
    cells other than 0/1, p outside (0, 1], or both p and p_drop.
    """
    out, shape = _parse(output, "output")
    if not shape:
        raise ParamError("output", "expected a list (vector) or list of lists (matrix)")
    msk, mshape = _parse(mask, "mask")
    if mshape != shape:
        raise ParamError("mask", f"shape {list(mshape)} differs from output's {list(shape)}")
    bad = [c for c in _cells(msk) if c not in (0, 1)]
    if bad:
        raise ParamError("mask", f"entries must be 0 or 1, found {fmt(bad[0])}")
    keep, p_line = _keep_probability(p, p_drop, msk)
    values: dict[str, Any] = {"p": keep, **_variants(out, msk, keep)}

    steps = [
        p_line,
        msg(
            "Standard, training: out ⊙ mask = {standard_train}",
            standard_train=fmt(values["standard.train"]),
        ),
        msg(
            "Standard, test: out · p = out · {keep} = {standard_test}",
            keep=_term(keep),
            standard_test=fmt(values["standard.test"]),
        ),
        msg("  check: E[out · m] = out · P(m = 1) = out · p, so test matches training on average"),
        (
            msg(
                "Inverted, training: out ⊙ mask / p = out ⊙ mask / {keep} = {inverted_train}",
                keep=_term(keep),
                inverted_train=fmt(values["inverted.train"]),
            )
        ),
        msg(
            "Inverted, test: out unchanged = {inverted_test}",
            inverted_test=fmt(values["inverted.test"]),
        ),
        msg("  check: E[out · m / p] = out · p / p = out, so no scaling is needed at test time"),
    ]
    cell = _first_kept(out, msk)
    if cell is not None:
        o, m = cell
        steps.insert(
            5,
            msg(
                "  e.g. {o} · {m} / {keep} = {value}",
                o=_term(o),
                m=fmt(m),
                keep=_term(keep),
                value=fmt(o * m / keep),
            ),
        )
    misconceptions = _misconceptions(values, out, msk, keep, shape)
    params = {"output": output, "mask": mask, "p": p, "p_drop": p_drop}
    return Solution(NAME, params, values, tuple(steps), misconceptions)
