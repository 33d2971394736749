"""Which regulariser produced these weights: L1, L2 or none, with the reason.

The course's reading of trained weights:

* exact zeros present → **L1**: its penalty's gradient λ·sign(w) pulls with constant
  strength however small w is, so weights reach exactly zero (sparsity);
* every weight small and the weights nearly equal → **L2**: its gradient λ·w shrinks
  every weight in proportion, so none dominates and none becomes exactly zero;
* otherwise (large or very uneven weights, no zeros) → **none**.

"Small" and "nearly equal" are thresholds, given as parameters and stated in the steps.
"""

from __future__ import annotations

from typing import Any

import sympy

from reference.core import Misconception, ParamError, Solution, exact, exact_vector, fmt, solver
from reference.messages import Msg, formula, msg

NAME = "regularization.classify"

L1, L2, NONE = "L1", "L2", "none"


def _named_vectors(weights: Any) -> dict[str, list[sympy.Rational]]:
    """``weights`` as name → exact vector; a list of vectors is named "0", "1", …."""
    if isinstance(weights, dict):
        items = [(str(k), v) for k, v in weights.items()]
    elif (
        isinstance(weights, (list, tuple))
        and weights
        and all(isinstance(v, (list, tuple)) for v in weights)
    ):
        items = [(str(i), v) for i, v in enumerate(weights)]
    else:
        raise ParamError("weights", "expected a mapping name → vector or a list of vectors")
    if not items:
        raise ParamError("weights", "no weight vectors given")
    named = {}
    for name, vec in items:
        named[name] = exact_vector(vec, f"weights.{name}")
        if not named[name]:
            raise ParamError(f"weights.{name}", "empty weight vector")
    return named


def classify_vector(
    w: list[sympy.Rational], max_abs: sympy.Rational, max_spread: sympy.Rational
) -> tuple[str, str]:
    """The regulariser for one vector and the one-line reason."""
    mags = [abs(v) for v in w]
    zeros = sum(1 for v in w if v == 0)
    if zeros:
        return L1, (
            formula(
                "{zeros} of {n_w} weights are exactly 0 → sparse → L1 (L1's constant pull λ·sign(w) drives weights to exactly zero)",
                zeros=zeros,
                n_w=len(w),
            )
        )
    top, low = max(mags), min(mags)
    spread = (top - low) / top
    if top <= max_abs and spread <= max_spread:
        return L2, (
            msg(
                "no zeros; max |w| = {top} ≤ {max_abs} and spread (max − min)/max = {spread} ≤ {max_spread} → small and even → L2 (L2's pull λ·w shrinks all weights in proportion, none to exactly zero)",
                top=fmt(top),
                max_abs=fmt(max_abs),
                spread=fmt(spread),
                max_spread=fmt(max_spread),
            )
        )
    why = []
    if top > max_abs:
        why.append(msg("max |w| = {top} > {max_abs} (large)", top=fmt(top), max_abs=fmt(max_abs)))
    if spread > max_spread:
        why.append(
            msg(
                "spread (max − min)/max = {spread} > {max_spread} (uneven)",
                spread=fmt(spread),
                max_spread=fmt(max_spread),
            )
        )
    reasons = why[0] if len(why) == 1 else msg("{first} and {second}", first=why[0], second=why[1])
    return NONE, msg("no zeros; {reasons} → no sign of a penalty → none", reasons=reasons)


# (id, label it applies to, wrong label, explanation). The explanations say why it is wrong.
_WRONG_READINGS: tuple[tuple[str, str, str, Msg], ...] = (
    (
        "zeros_read_as_l2",
        L1,
        L2,
        msg(
            "L2 shrinks weights towards zero but its pull λ·w vanishes as w does, so it almost "
            "never makes a weight exactly 0; exact zeros are the mark of L1."
        ),
    ),
    (
        "sparse_read_as_none",
        L1,
        NONE,
        msg(
            "A large weight does not rule out L1: L1 keeps the few useful weights and zeros the "
            "rest; the exact zeros decide."
        ),
    ),
    (
        "small_weights_called_l1",
        L2,
        L1,
        msg(
            "Small is not zero: L1 would have set some weights exactly to 0; small, nearly equal "
            "weights with no zeros are what L2's proportional shrinkage leaves."
        ),
    ),
    (
        "l2_confused_with_none",
        L2,
        NONE,
        msg(
            "Small, nearly equal weights are the effect of L2's shrinkage; without a penalty "
            "weights grow large and uneven."
        ),
    ),
    (
        "l2_confused_with_none",
        NONE,
        L2,
        msg(
            "Large or very uneven weights show that nothing penalised their size; L2 would have "
            "kept them small and even."
        ),
    ),
    (
        "large_weights_called_l1",
        NONE,
        L1,
        msg(
            "L1 is recognised by exact zeros (sparsity), not by large weights; with no zero weight "
            "there is no sign of L1."
        ),
    ),
)


def _misconceptions(key: dict[str, str]) -> tuple[Misconception, ...]:
    """One misconception per wrong reading that applies to at least one vector."""
    merged: dict[str, tuple[list[Msg], dict[str, str]]] = {}
    for mid, right, wrong, why in _WRONG_READINGS:
        hit = {name: wrong for name, label in key.items() if label == right}
        if hit:
            texts, vals = merged.setdefault(mid, ([], {}))
            texts.append(why)
            vals.update(hit)
    return tuple(Misconception(mid, _joined(t), v) for mid, (t, v) in merged.items())


def _joined(sentences: list[Msg]) -> Msg:
    """Several explanations of one misconception as one message."""
    if len(sentences) == 1:
        return sentences[0]
    return msg("{first} {second}", first=sentences[0], second=_joined(sentences[1:]))


@solver(
    NAME,
    "Which regulariser (L1, L2 or none) produced each weight vector, with the reason",
    params={
        "weights": "mapping name → list of numbers, or a list of lists (named 0, 1, …): "
        "the trained weight vectors",
        "max_abs": "number, default 1: largest |w| still called small (L2)",
        "max_spread": "number, default 0.5: largest (max|w| − min|w|)/max|w| still called "
        "nearly equal (L2)",
    },
    example={
        "weights": {
            "exp1": ["0.26", "0.25", "0.25", "0.25"],
            "exp2": [1, 0, 0, 0],
            "exp3": ["13.3", "23.5", "53.2", "5.1"],
            "exp4": ["0.5", "1.2", "8.5", 0],
        }
    },
)
def classify(weights: Any, max_abs: Any = 1, max_spread: Any = "0.5") -> Solution:
    """Label each weight vector ``"L1"``, ``"L2"`` or ``"none"``; one value per vector name.

    Rules, in order: any exact zero → L1; else max|w| ≤ ``max_abs`` and
    (max|w| − min|w|)/max|w| ≤ ``max_spread`` → L2; else none. Raises ParamError for a
    malformed ``weights`` or non-positive thresholds.
    """
    limit = exact(max_abs, "max_abs")
    spread = exact(max_spread, "max_spread")
    if limit <= 0:
        raise ParamError("max_abs", f"must be positive, got {fmt(limit)}")
    if spread < 0:
        raise ParamError("max_spread", f"must be ≥ 0, got {fmt(spread)}")
    vectors = _named_vectors(weights)
    values: dict[str, str] = {}
    steps = [
        (
            msg(
                "Rules: exact zeros → L1; else max|w| ≤ {limit} and (max − min)/max ≤ {spread} → L2; else none.",
                limit=fmt(limit),
                spread=fmt(spread),
            )
        )
    ]
    for name, vec in vectors.items():
        label, reason = classify_vector(vec, limit, spread)
        values[name] = label
        steps.append(formula("{name} = {vec}: {reason}", name=name, vec=fmt(vec), reason=reason))
    params = {"weights": weights, "max_abs": max_abs, "max_spread": max_spread}
    return Solution(NAME, params, values, tuple(steps), _misconceptions(values))
