"""Gradient descent on one neuron, exactly: the course's L2 step and a general descent.

Regulariser conventions used throughout (stated in every solution's steps):

* L2 penalty (λ/2)·‖w‖², gradient λ·w, so one step is w ← (1 − ηλ)·w − η·∂L/∂w
  (this is also what ``torch.optim.SGD(weight_decay=λ)`` does);
* L1 penalty λ·‖w‖₁, sub-gradient λ·sign(w) with sign(0) = 0;
* elastic net λ·(r·‖w‖₁ + (1 − r)/2·‖w‖²) with ``l1_ratio`` r, i.e. L1 strength r·λ and
  L2 strength (1 − r)·λ.

∂L/∂w always means the gradient of the *data* loss; the penalty's gradient is added in
the update, as a TA writes it on the board.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    parse_expr,
    rationalize,
    standard_transformations,
)

from reference.core import Misconception, ParamError, Solution, exact, exact_vector, fmt, solver

X = sympy.Symbol("x")
_EXPR_CHARS = re.compile(r"^[0-9x+\-*/^().\s]+$")
_TRANSFORMS = (*standard_transformations, convert_xor, rationalize)

Vector = list[sympy.Rational]


# ---------------------------------------------------------------- inputs and features


def feature(value: Any, x: sympy.Rational | None, name: str) -> tuple[sympy.Rational, str]:
    """One input as an exact number and how it was read.

    ``value`` is a number or an expression in ``x`` (``"x**2"``, ``"x^3"``, ``"1"``); ``^``
    means power and ``x`` is the only symbol allowed. Raises ParamError naming ``name`` when
    the text is not such an expression, or names ``x`` when it is needed but missing.
    """
    if not isinstance(value, str):
        v = exact(value, name)
        return v, fmt(v)
    text = value.strip()
    try:
        v = exact(text, name)
        return v, fmt(v)
    except ParamError:
        pass
    if not _EXPR_CHARS.match(text):
        raise ParamError(name, f"expected a number or an expression in x, got {value!r}")
    try:
        expr = parse_expr(text, transformations=_TRANSFORMS, evaluate=True)
    except (SyntaxError, TypeError, ValueError, sympy.SympifyError):
        raise ParamError(name, f"cannot read the expression {value!r}") from None
    if not isinstance(expr, sympy.Expr) or expr.free_symbols - {X}:
        raise ParamError(name, f"only the symbol x is allowed, got {value!r}")
    if expr.free_symbols and x is None:
        raise ParamError("x", f"{name} = {value!r} depends on x, but x is not given")
    v = sympy.nsimplify(expr.subs(X, x)) if expr.free_symbols else expr
    if not isinstance(v, sympy.Rational):
        raise ParamError(name, f"{value!r} is not a finite exact number at x = {fmt(x)}")
    return v, f"{text} = {fmt(v)}" if expr.free_symbols else fmt(v)


def features(values: Any, x: sympy.Rational | None, name: str) -> tuple[Vector, list[str]]:
    """A list of inputs (numbers or expressions in x) as an exact vector, with readings."""
    if not isinstance(values, (list, tuple)) or not values:
        raise ParamError(name, f"expected a non-empty list of inputs, got {values!r}")
    read = [feature(v, x, f"{name}[{i}]") for i, v in enumerate(values)]
    return [v for v, _ in read], [t for _, t in read]


def _dot(a: Sequence[sympy.Expr], b: Sequence[sympy.Expr]) -> sympy.Expr:
    return sum((u * v for u, v in zip(a, b)), sympy.Integer(0))


def _term(v: sympy.Expr) -> str:
    """A number as a factor in a written product: fractions and negatives in parentheses."""
    return fmt(v) if v.is_Integer and v >= 0 else f"({fmt(v)})"


def _optional_x(x: Any) -> sympy.Rational | None:
    return None if x is None else exact(x, "x")


# ---------------------------------------------------------------- gd.l2_step

L2_STEP = "gd.l2_step"
_STEP_LOSSES = {"squared": sympy.Integer(1), "half_squared": sympy.Rational(1, 2)}


def _weights_after(w: Vector, g: Vector, lr: sympy.Rational, decay: sympy.Rational,
                   sign: int = 1) -> Vector:
    """w·decay − sign·η·g, cell by cell."""
    return [wi * decay - sign * lr * gi for wi, gi in zip(w, g)]


@solver(
    L2_STEP,
    "One L2-regularised gradient descent step of a linear neuron z = Σ wᵢ·iᵢ",
    params={
        "weights": "list of numbers: the weights w before the step",
        "inputs": "list of numbers or expressions in x (\"x**2\", \"x^3\"), same length as "
        "weights: the inputs iᵢ",
        "target": "number: the target y",
        "lr": "number: learning rate η",
        "lam": "number, default 0: L2 strength λ (penalty (λ/2)·‖w‖², gradient λ·w)",
        "loss": "\"half_squared\" (½(y − ŷ)², default) or \"squared\" ((y − ŷ)²)",
        "x": "number, optional: the value of x in the inputs",
    },
    example={
        "weights": ["0.1", "0.2", "-0.1", "0.05", "0.01"],
        "inputs": ["1", "x", "x^2", "x^3", "x^4"],
        "x": 2,
        "target": 1,
        "lr": "0.01",
        "lam": "0.1",
        "loss": "half_squared",
    },
)
def l2_step(weights: Any, inputs: Any, target: Any, lr: Any, lam: Any = 0,
            loss: str = "half_squared", x: Any = None) -> Solution:
    """One step w ← (1 − ηλ)·w − η·∂L/∂w for ŷ = z = Σ wᵢ·iᵢ.

    Values: ``inputs`` (evaluated), ``z``, ``loss`` (data loss), ``grad`` (∂L/∂w of the data
    loss), ``weights`` (after the step). Raises ParamError for an unknown ``loss``, inputs
    and weights of different lengths, or an expression that is not a polynomial in x.
    """
    if loss not in _STEP_LOSSES:
        raise ParamError("loss", f"unknown loss {loss!r}; use one of {', '.join(_STEP_LOSSES)}")
    w = exact_vector(weights, "weights")
    xv = _optional_x(x)
    i, readings = features(inputs, xv, "inputs")
    if len(i) != len(w):
        raise ParamError("inputs", f"{len(i)} inputs for {len(w)} weights")
    y, eta, lmb = exact(target, "target"), exact(lr, "lr"), exact(lam, "lam")
    if eta <= 0:
        raise ParamError("lr", f"learning rate must be positive, got {fmt(eta)}")
    if lmb < 0:
        raise ParamError("lam", f"λ must be ≥ 0, got {fmt(lmb)}")

    c = _STEP_LOSSES[loss]  # L = c·(y − ŷ)², ∂L/∂wᵢ = −2c·(y − ŷ)·iᵢ
    z = _dot(w, i)
    err = y - z
    data_loss = c * err**2
    grad = [-2 * c * err * ii for ii in i]
    decay = 1 - eta * lmb
    new_w = _weights_after(w, grad, eta, decay)
    values: dict[str, Any] = {"inputs": i, "z": z, "loss": data_loss, "grad": grad,
                              "weights": new_w}

    loss_text = "(y − ŷ)²" if loss == "squared" else "½(y − ŷ)²"
    grad_text = "−2(y − ŷ)·iᵢ" if loss == "squared" else "−(y − ŷ)·iᵢ"
    steps = (
        ("inputs: " + ", ".join(readings)) if xv is None
        else f"inputs at x = {fmt(xv)}: " + ", ".join(readings),
        "z = Σ wᵢ·iᵢ = " + " + ".join(f"{_term(a)}·{_term(b)}" for a, b in zip(w, i))
        + f" = {fmt(z)}; ŷ = z (linear neuron)",
        (f"loss L = {loss_text} = {'' if c == 1 else '½·'}({fmt(y)} − {fmt(z)})² = "
        f"{fmt(data_loss)}"),
        f"∂L/∂wᵢ = {grad_text} = {_term(-2 * c * err)}·iᵢ = {fmt(grad)}",
        (f"L2 penalty (λ/2)·‖w‖² has gradient λ·w, so w ← w − η(∂L/∂w + λw) = (1 − ηλ)·w − "
        f"η·∂L/∂w; 1 − ηλ = 1 − {_term(eta)}·{_term(lmb)} = {fmt(decay)}"),
        f"w ← {_term(decay)}·{fmt(w)} − {_term(eta)}·{fmt(grad)} = {fmt(new_w)}",
    )

    other = sympy.Integer(1) if c != 1 else sympy.Rational(1, 2)
    other_grad = [-2 * other * err * ii for ii in i]
    other_name = "squared (y − ŷ)²" if other == 1 else "half squared ½(y − ŷ)²"
    candidates = [
        ("other_loss_convention",
         (f"The question's loss is {loss_text}; using {other_name} changes the gradient by a "
         "factor of 2, and the updated weights with it."),
         {"loss": other * err**2, "grad": other_grad,
          "weights": _weights_after(w, other_grad, eta, decay)}),
        ("l2_term_left_out",
         ("The L2 penalty also has a gradient (λ·w): the weights must shrink by the factor "
         f"(1 − ηλ) = {fmt(decay)}, not just move by −η·∂L/∂w."),
         {"weights": _weights_after(w, grad, eta, sympy.Integer(1))}),
        ("lambda_without_eta",
         ("The penalty's gradient λ·w is a gradient like any other and is multiplied by the "
         "learning rate: the factor is (1 − ηλ), not (1 − λ)."),
         {"weights": _weights_after(w, grad, eta, 1 - lmb)}),
        ("gradient_sign_error",
         ("Gradient descent moves against the gradient: w ← (1 − ηλ)·w − η·∂L/∂w, and "
         "∂L/∂w = −(y − ŷ)·… carries a minus sign from the derivative of (y − ŷ)."),
         {"weights": _weights_after(w, grad, eta, decay, sign=-1)}),
        ("l2_gradient_two_lambda",
         ("The penalty is (λ/2)·‖w‖², whose gradient is λ·w, not 2λ·w: the factor is "
         "(1 − ηλ), not (1 − 2ηλ)."),
         {"weights": _weights_after(w, grad, eta, 1 - 2 * eta * lmb)}),
        ("l2_sign_error",
         "Weight decay shrinks the weights: (1 − ηλ)·w, not (1 + ηλ)·w.",
         {"weights": _weights_after(w, grad, eta, 1 + eta * lmb)}),
        ("loss_includes_penalty",
         ("The loss asked for is the data loss; the penalty (λ/2)·‖w‖² is part of the "
         "objective, not of the reported loss."),
         {"loss": data_loss + lmb / 2 * _dot(w, w)}),
    ]
    misconceptions = _distinct_misconceptions(values, candidates)
    params = {"weights": weights, "inputs": inputs, "target": target, "lr": lr, "lam": lam,
              "loss": loss, "x": x}
    return Solution(L2_STEP, params, values, steps, misconceptions)


def _distinct_misconceptions(
    key: dict[str, Any], candidates: Sequence[tuple[str, str, dict[str, Any]]]
) -> tuple[Misconception, ...]:
    """The candidates with their values that differ from the key; those with none dropped."""
    found = []
    for mid, why, vals in candidates:
        changed = {k: v for k, v in vals.items() if k in key and v != key[k]}
        if changed:
            found.append(Misconception(mid, why, changed))
    return tuple(found)
