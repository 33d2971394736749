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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    parse_expr,
    rationalize,
    standard_transformations,
)

from reference.core import (
    Misconception,
    ParamError,
    Solution,
    board,
    distinct_misconceptions,
    exact,
    exact_vector,
    fmt,
    rounded,
    solver,
)
from reference.messages import formula, msg

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


def _weights_after(
    w: Vector, g: Vector, lr: sympy.Rational, decay: sympy.Rational, sign: int = 1
) -> Vector:
    """w·decay − sign·η·g, cell by cell."""
    return [wi * decay - sign * lr * gi for wi, gi in zip(w, g)]


@solver(
    L2_STEP,
    "One L2-regularised gradient descent step of a linear neuron z = Σ wᵢ·iᵢ",
    params={
        "weights": "list of numbers: the weights w before the step",
        "inputs": 'list of numbers or expressions in x ("x**2", "x^3"), same length as '
        "weights: the inputs iᵢ",
        "target": "number: the target y",
        "lr": "number: learning rate η",
        "lam": "number, default 0: L2 strength λ (penalty (λ/2)·‖w‖², gradient λ·w)",
        "loss": '"half_squared" (½(y − ŷ)², default) or "squared" ((y − ŷ)²)',
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
def l2_step(
    weights: Any,
    inputs: Any,
    target: Any,
    lr: Any,
    lam: Any = 0,
    loss: str = "half_squared",
    x: Any = None,
) -> Solution:
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
    values: dict[str, Any] = {
        "inputs": i,
        "z": z,
        "loss": data_loss,
        "grad": grad,
        "weights": new_w,
    }

    loss_text = "(y − ŷ)²" if loss == "squared" else "½(y − ŷ)²"
    grad_text = "−2(y − ŷ)·iᵢ" if loss == "squared" else "−(y − ŷ)·iᵢ"
    steps = (
        msg("inputs: {readings}", readings=", ".join(readings))
        if xv is None
        else msg("inputs at x = {xv}: {readings}", xv=fmt(xv), readings=", ".join(readings)),
        msg(
            "z = Σ wᵢ·iᵢ = {terms} = {z}; ŷ = z (linear neuron)",
            terms=" + ".join(f"{_term(a)}·{_term(b)}" for a, b in zip(w, i)),
            z=fmt(z),
        ),
        (
            formula(
                "loss L = {loss_text} = {value}({y} − {z})² = {data_loss}",
                loss_text=loss_text,
                value="" if c == 1 else "½·",
                y=fmt(y),
                z=fmt(z),
                data_loss=fmt(data_loss),
            )
        ),
        formula(
            "∂L/∂wᵢ = {grad_text} = {value}·iᵢ = {grad}",
            grad_text=grad_text,
            value=_term(-2 * c * err),
            grad=fmt(grad),
        ),
        (
            msg(
                "L2 penalty (λ/2)·‖w‖² has gradient λ·w, so w ← w − η(∂L/∂w + λw) = (1 − ηλ)·w − η·∂L/∂w; 1 − ηλ = 1 − {eta}·{lmb} = {decay}",
                eta=_term(eta),
                lmb=_term(lmb),
                decay=fmt(decay),
            )
        ),
        msg(
            "w ← {decay}·{w} − {eta}·{grad} = {new_w}",
            decay=_term(decay),
            w=fmt(w),
            eta=_term(eta),
            grad=fmt(grad),
            new_w=fmt(new_w),
        ),
    )

    other = sympy.Integer(1) if c != 1 else sympy.Rational(1, 2)
    other_grad = [-2 * other * err * ii for ii in i]
    other_name = "squared (y − ŷ)²" if other == 1 else "half squared ½(y − ŷ)²"
    candidates = [
        (
            "other_loss_convention",
            (
                formula(
                    "The question's loss is {loss_text}; using {other_name} changes the gradient by a factor of 2, and the updated weights with it.",
                    loss_text=loss_text,
                    other_name=other_name,
                )
            ),
            {
                "loss": other * err**2,
                "grad": other_grad,
                "weights": _weights_after(w, other_grad, eta, decay),
            },
        ),
        (
            "l2_term_left_out",
            (
                msg(
                    "The L2 penalty also has a gradient (λ·w): the weights must shrink by the factor (1 − ηλ) = {decay}, not just move by −η·∂L/∂w.",
                    decay=fmt(decay),
                )
            ),
            {"weights": _weights_after(w, grad, eta, sympy.Integer(1))},
        ),
        (
            "lambda_without_eta",
            (
                msg(
                    "The penalty's gradient λ·w is a gradient like any other and is multiplied by the learning rate: the factor is (1 − ηλ), not (1 − λ)."
                )
            ),
            {"weights": _weights_after(w, grad, eta, 1 - lmb)},
        ),
        (
            "gradient_sign_error",
            (
                msg(
                    "Gradient descent moves against the gradient: w ← (1 − ηλ)·w − η·∂L/∂w, and ∂L/∂w = −(y − ŷ)·… carries a minus sign from the derivative of (y − ŷ)."
                )
            ),
            {"weights": _weights_after(w, grad, eta, decay, sign=-1)},
        ),
        (
            "l2_gradient_two_lambda",
            (
                msg(
                    "The penalty is (λ/2)·‖w‖², whose gradient is λ·w, not 2λ·w: the factor is (1 − ηλ), not (1 − 2ηλ)."
                )
            ),
            {"weights": _weights_after(w, grad, eta, 1 - 2 * eta * lmb)},
        ),
        (
            "l2_sign_error",
            msg("Weight decay shrinks the weights: (1 − ηλ)·w, not (1 + ηλ)·w."),
            {"weights": _weights_after(w, grad, eta, 1 + eta * lmb)},
        ),
        (
            "loss_includes_penalty",
            (
                msg(
                    "The loss asked for is the data loss; the penalty (λ/2)·‖w‖² is part of the objective, not of the reported loss."
                )
            ),
            {"loss": data_loss + lmb / 2 * _dot(w, w)},
        ),
    ]
    misconceptions = distinct_misconceptions(values, candidates)
    params = {
        "weights": weights,
        "inputs": inputs,
        "target": target,
        "lr": lr,
        "lam": lam,
        "loss": loss,
        "x": x,
    }
    return Solution(L2_STEP, params, values, steps, misconceptions)


# ---------------------------------------------------------------- gd.descent

DESCENT = "gd.descent"
LOSSES = ("sum_squared", "mean_squared", "half_mean_squared", "bce")
SQUARED = LOSSES[:3]
ACTIVATIONS = ("linear", "sigmoid", "relu")
REGULARISERS = ("none", "l1", "l2", "elastic")
MODES = ("batch", "sequential")
_LOSS_TEXT = {
    "sum_squared": "Σ(y − ŷ)²",
    "mean_squared": "(1/m)·Σ(y − ŷ)²",
    "half_mean_squared": "(1/(2m))·Σ(y − ŷ)²",
    "bce": "−(1/m)·Σ[y·log ŷ + (1 − y)·log(1 − ŷ)]",
}


@dataclass(frozen=True)
class _Config:
    """How one run of descent computes; misconceptions are runs with one field changed."""

    lr: sympy.Rational
    lam1: sympy.Rational  # L1 strength: penalty lam1·‖w‖₁
    lam2: sympy.Rational  # L2 strength: penalty (lam2/2)·‖w‖²
    activation: str
    loss: str
    mode: str
    passes: int
    work: int | None  # significant digits carried when values are irrational; None: exact
    sign_zero: int = 0  # sign(0) in the L1 sub-gradient
    relu_zero: int = 0  # ReLU'(0)
    descend: int = 1  # −1: moves along the gradient of the data loss
    penalty_times_eta: bool = True
    sigmoid_slope: bool = True  # False: ŷ(1 − ŷ) left out of the chain rule
    bce_extra_slope: bool = False  # True: BCE's (ŷ − y) multiplied by ŷ(1 − ŷ) once more
    bce_summed: bool = False  # True: BCE summed over the batch instead of averaged
    loss_after_update: bool = False  # True: a step's loss read at the updated weights


Sample = tuple[Vector, sympy.Rational]


def _round(v: sympy.Expr, digits: int | None) -> sympy.Rational:
    """``v`` exactly when ``digits`` is None, else at that working precision."""
    return v if digits is None else rounded(v, digits)


def _sign(v: sympy.Rational, zero: int) -> int:
    return 1 if v > 0 else -1 if v < 0 else zero


def _forward(cfg: _Config, w: Vector, batch: Sequence[Sample]) -> tuple[Vector, Vector]:
    """z and ŷ for each sample of ``batch``."""
    zs = [_round(_dot(w, i), cfg.work) for i, _ in batch]
    if cfg.activation == "linear":
        return zs, list(zs)
    if cfg.activation == "relu":
        return zs, [max(z, sympy.Integer(0)) for z in zs]
    return zs, [_round(1 / (1 + sympy.exp(-z)), cfg.work) for z in zs]


def _data_loss(cfg: _Config, zs: Vector, ys: Vector, targets: Vector) -> sympy.Expr:
    """The data loss of one batch under ``cfg.loss`` (m = len(batch))."""
    m = len(targets)
    if cfg.loss == "bce":
        # −[y·log σ(z) + (1 − y)·log(1 − σ(z))] = log(1 + e^(−z)) + (1 − y)·z, exactly.
        total = sum(sympy.log(1 + sympy.exp(-z)) + (1 - t) * z for z, t in zip(zs, targets))
        return _round(total if cfg.bce_summed else total / m, cfg.work)
    total = sum((t - y) ** 2 for y, t in zip(ys, targets))
    scale = {
        "sum_squared": 1,
        "mean_squared": sympy.Rational(1, m),
        "half_mean_squared": sympy.Rational(1, 2 * m),
    }[cfg.loss]
    return _round(scale * total, cfg.work)


def _dloss_dz(cfg: _Config, zs: Vector, ys: Vector, targets: Vector) -> Vector:
    """∂L/∂z for each sample of the batch."""
    m = len(targets)
    if cfg.loss == "bce":  # with a sigmoid output, ∂L/∂z = (ŷ − y)/m
        scale = 1 if cfg.bce_summed else sympy.Rational(1, m)
        return [
            (y - t) * scale * (y * (1 - y) if cfg.bce_extra_slope else 1)
            for y, t in zip(ys, targets)
        ]
    scale = {
        "sum_squared": 2,
        "mean_squared": sympy.Rational(2, m),
        "half_mean_squared": sympy.Rational(1, m),
    }[cfg.loss]
    out = []
    for z, y, t in zip(zs, ys, targets):
        if cfg.activation == "relu":
            slope = 1 if z > 0 else cfg.relu_zero if z == 0 else 0
        elif cfg.activation == "sigmoid" and cfg.sigmoid_slope:
            slope = y * (1 - y)
        else:
            slope = 1
        out.append(-scale * (t - y) * slope)
    return out


def _penalty_grad(cfg: _Config, w: Vector) -> Vector:
    """Gradient of lam1·‖w‖₁ + (lam2/2)·‖w‖²: lam1·sign(w) + lam2·w."""
    return [cfg.lam1 * _sign(v, cfg.sign_zero) + cfg.lam2 * v for v in w]


def _batches(cfg: _Config, samples: Sequence[Sample]) -> list[list[int]]:
    """Sample indices of each update, in order, over all passes."""
    per_pass = (
        [list(range(len(samples)))] if cfg.mode == "batch" else [[j] for j in range(len(samples))]
    )
    return [b for _ in range(cfg.passes) for b in per_pass]


def _run(cfg: _Config, w0: Vector, samples: Sequence[Sample]) -> tuple[dict[str, Any], list[str]]:
    """Every value of the descent and the lines of working, for one configuration."""
    w = list(w0)
    values: dict[str, Any] = {}
    lines: list[str] = []
    for t, idx in enumerate(_batches(cfg, samples), start=1):
        batch = [samples[j] for j in idx]
        targets = [y for _, y in batch]
        zs, ys = _forward(cfg, w, batch)
        loss = _data_loss(cfg, zs, ys, targets)
        dz = _dloss_dz(cfg, zs, ys, targets)
        grad = [
            _round(sum((d * i[k] for d, (i, _) in zip(dz, batch)), sympy.Integer(0)), cfg.work)
            for k in range(len(w))
        ]
        pen = _penalty_grad(cfg, w)
        step_pen = cfg.lr if cfg.penalty_times_eta else 1
        w = [
            _round(v - cfg.descend * cfg.lr * g - step_pen * p, cfg.work)
            for v, g, p in zip(w, grad, pen)
        ]
        if cfg.loss_after_update:
            after_z, after_y = _forward(cfg, w, batch)
            loss = _data_loss(cfg, after_z, after_y, targets)
        one = len(batch) == 1
        values.update(
            {
                f"step{t}.z": zs[0] if one else zs,
                f"step{t}.yhat": ys[0] if one else ys,
                f"step{t}.loss": loss,
                f"step{t}.grad": grad,
                f"step{t}.weights": w,
            }
        )
        names = ", ".join(str(j + 1) for j in idx)
        show = _shower(cfg.work)
        lines += [
            (
                formula(
                    "Update {t} (sample{value} {names}): z = {value2}, ŷ = {value3}, data loss = {value4}",
                    t=t,
                    value="s" if len(idx) > 1 else "",
                    names=names,
                    value2=show(zs),
                    value3=show(ys),
                    value4=show(loss),
                )
            ),
            formula(
                "  ∂L/∂z = {value}, ∂L/∂w = Σ ∂L/∂z·input = {value2}",
                value=show(dz),
                value2=show(grad),
            ),
            (
                formula(
                    "  penalty gradient = {value}; w ← w − η·(∂L/∂w + penalty gradient) = {value2}",
                    value=show(pen),
                    value2=show(w),
                )
            ),
        ]
    everything = list(samples)
    zs, ys = _forward(cfg, w, everything)
    values["weights"] = w
    values["loss"] = _data_loss(cfg, zs, ys, [y for _, y in everything])
    show = _shower(cfg.work)
    lines.append(
        formula(
            "Final weights {value}; data loss over all {n_everything} samples = {value2}",
            value=show(w),
            n_everything=len(everything),
            value2=show(values["loss"]),
        )
    )
    return values, lines


def _shower(work: int | None) -> Callable[[Any], str]:
    """How the working shows numbers: exact fractions, or ≈ 10 significant digits."""
    if work is None:
        return fmt

    return board


def _choice(value: Any, options: Sequence[str], name: str) -> str:
    if value not in options:
        raise ParamError(name, f"unknown {name} {value!r}; use one of {', '.join(options)}")
    return value


def _samples(samples: Any, features_: Any, n: int) -> list[Sample]:
    """Each sample as (exact input vector, exact target)."""
    if not isinstance(samples, (list, tuple)) or not samples:
        raise ParamError("samples", "expected a non-empty list of {x or inputs, target}")
    if features_ is None:
        features_ = ["1"] + ["x" if k == 1 else f"x^{k}" for k in range(1, n)]
    out = []
    for j, s in enumerate(samples):
        name = f"samples[{j}]"
        if not isinstance(s, dict) or "target" not in s or not ({"x", "inputs"} & set(s)):
            raise ParamError(name, "expected a mapping with target and x or inputs")
        if set(s) - {"x", "inputs", "target"}:
            raise ParamError(name, f"unknown keys {sorted(set(s) - {'x', 'inputs', 'target'})}")
        xv = None if s.get("x") is None else exact(s["x"], f"{name}.x")
        given = s.get("inputs", features_)
        vec, _ = features(given, xv, f"{name}.inputs" if "inputs" in s else "features")
        if len(vec) != n:
            raise ParamError(f"{name}.inputs", f"{len(vec)} inputs for {n} weights")
        out.append((vec, exact(s["target"], f"{name}.target")))
    return out


def _strengths(reg: str, lam: sympy.Rational, ratio: sympy.Rational) -> tuple[Any, Any]:
    """(L1 strength, L2 strength) for the regulariser."""
    zero = sympy.Integer(0)
    return {
        "none": (zero, zero),
        "l1": (lam, zero),
        "l2": (zero, lam),
        "elastic": (ratio * lam, (1 - ratio) * lam),
    }[reg]


def _descent_misconceptions(
    cfg: _Config, w0: Vector, samples: Sequence[Sample], key: dict[str, Any], reg: str
) -> tuple[Misconception, ...]:
    """Runs of descent with one wrong idea each, keeping the values that differ."""
    variants: list[tuple[str, str, _Config]] = []
    if cfg.loss in SQUARED:
        for other in SQUARED:
            if other != cfg.loss:
                variants.append(
                    (
                        f"other_mse_convention_{other.removesuffix('_squared')}",
                        (
                            formula(
                                "The loss is {value}; using {value2} scales the gradient (by 2 or by m) and so every update.",
                                value=_LOSS_TEXT[cfg.loss],
                                value2=_LOSS_TEXT[other],
                            )
                        ),
                        replace(cfg, loss=other),
                    )
                )
    if reg != "none":
        variants += [
            (
                "regulariser_left_out",
                (
                    formula(
                        "The {reg} penalty adds its own gradient to every update; leaving it out gives the unregularised weights.",
                        reg=reg,
                    )
                ),
                replace(cfg, lam1=sympy.Integer(0), lam2=sympy.Integer(0)),
            ),
            (
                "lambda_without_eta",
                (
                    msg(
                        "The penalty's gradient is multiplied by the learning rate like the data gradient: w − η·(g + penalty gradient), not w − η·g − penalty gradient."
                    )
                ),
                replace(cfg, penalty_times_eta=False),
            ),
        ]
    if cfg.lam1 != 0:
        variants.append(
            (
                "l1_sign_zero_as_one",
                (
                    msg(
                        "|w| has no slope at 0; the sub-gradient used is sign(0) = 0, so a zero weight is not pushed by the L1 term."
                    )
                ),
                replace(cfg, sign_zero=1),
            )
        )
    if len(samples) > 1:
        other_mode = "sequential" if cfg.mode == "batch" else "batch"
        variants.append(
            (
                "mode_swapped",
                msg(
                    "The question asks for batch updates; sequential updates use the weights "
                    "after each sample."
                )
                if other_mode == "sequential"
                else msg(
                    "The question asks for sequential updates; batch updates average the whole "
                    "batch into one update."
                ),
                replace(cfg, mode=other_mode),
            )
        )
    variants.append(
        (
            "gradient_sign_error",
            msg("Gradient descent moves against the gradient of the loss: w ← w − η·∂L/∂w."),
            replace(cfg, descend=-1),
        )
    )
    if cfg.activation == "relu":
        variants.append(
            (
                "relu_derivative_at_zero_one",
                (
                    msg(
                        "ReLU'(0) is taken as 0 here (as in PyTorch); with 1 a unit at z = 0 passes gradient."
                    )
                ),
                replace(cfg, relu_zero=1),
            )
        )
    if cfg.activation == "sigmoid" and cfg.loss in SQUARED:
        variants.append(
            (
                "sigmoid_derivative_left_out",
                msg("The chain rule through the sigmoid multiplies by σ'(z) = ŷ(1 − ŷ)."),
                replace(cfg, sigmoid_slope=False),
            )
        )
    if cfg.loss == "bce":
        variants.append(
            (
                "bce_sigmoid_slope_applied_twice",
                (
                    msg(
                        "With a sigmoid output the σ'(z) = ŷ(1 − ŷ) of the chain rule cancels against BCE's derivative: ∂L/∂z = (ŷ − y)/m, with no further ŷ(1 − ŷ) factor."
                    )
                ),
                replace(cfg, bce_extra_slope=True),
            )
        )
        if cfg.mode == "batch" and len(samples) > 1:
            variants.append(
                (
                    "bce_summed_not_averaged",
                    (
                        msg(
                            "Binary cross-entropy is the mean over the batch: its loss and gradient are divided by m."
                        )
                    ),
                    replace(cfg, bce_summed=True),
                )
            )
    variants.append(
        (
            "loss_after_update",
            (
                msg(
                    "A step's loss is the loss of the forward pass that the gradient comes from, at the weights before the update."
                )
            ),
            replace(cfg, loss_after_update=True),
        )
    )
    found: list[Misconception] = []
    for mid, why, variant in variants:
        vals, _ = _run(variant, w0, samples)
        changed = {k: v for k, v in vals.items() if k in key and v != key[k]}
        # With one sample sum and mean coincide: keep the first of identical variants.
        if changed and all(changed != m.values for m in found):
            found.append(Misconception(mid, why, changed))
    return tuple(found)


@solver(
    DESCENT,
    "Gradient descent on one neuron: batch or sequential, L1/L2/elastic, linear/sigmoid/ReLU",
    params={
        "weights": "list of numbers: initial weights",
        "samples": "list of mappings {x: number, target: number} or {inputs: list, target}",
        "features": "list of expressions in x, default 1, x, x², … (one per weight): the "
        "inputs of samples given by x",
        "lr": "number: learning rate η",
        "steps": "integer ≥ 1, default 1: passes over the samples (batch: one update per "
        "pass; sequential: one per sample)",
        "mode": '"batch" (default) or "sequential"',
        "reg": '"none" (default), "l1" (λ‖w‖₁, sign(0) = 0), "l2" ((λ/2)‖w‖²) or '
        '"elastic" (λ·(r‖w‖₁ + (1 − r)/2‖w‖²))',
        "lam": "number ≥ 0, default 0: regulariser strength λ",
        "l1_ratio": "number in [0, 1], default 0.5: r, the L1 share of an elastic penalty",
        "activation": '"linear" (default), "sigmoid" or "relu" (ReLU\'(0) = 0)',
        "loss": '"half_mean_squared" (default, (1/(2m))Σ(y − ŷ)²), "mean_squared", '
        '"sum_squared" or "bce" (mean binary cross-entropy; sigmoid only)',
        "digits": "integer, default 30: significant digits of values when a sigmoid or "
        "log makes them irrational",
    },
    example={
        "weights": ["0.1", "0.2", "-0.1"],
        "samples": [{"x": 1, "target": "0.5"}, {"x": 2, "target": "1.5"}],
        "lr": "0.1",
        "steps": 2,
        "mode": "batch",
        "reg": "l2",
        "lam": "0.1",
        "activation": "linear",
        "loss": "half_mean_squared",
    },
)
def descent(
    weights: Any,
    samples: Any,
    lr: Any,
    steps: Any = 1,
    mode: str = "batch",
    reg: str = "none",
    lam: Any = 0,
    l1_ratio: Any = "0.5",
    activation: str = "linear",
    loss: str = "half_mean_squared",
    features: Any = None,
    digits: Any = 30,
) -> Solution:
    """Run ``steps`` passes of gradient descent on ŷ = act(Σ wᵢ·iᵢ).

    Values per update t (numbered over all passes): ``step{t}.z``, ``step{t}.yhat`` (numbers
    for a single sample, lists for a batch), ``step{t}.loss`` (data loss before the
    update), ``step{t}.grad`` (∂L/∂w of the data loss), ``step{t}.weights`` (after); then
    ``weights`` (final) and ``loss`` (data loss of all samples at the final weights).
    Exact unless a sigmoid output or BCE makes values irrational: then every value is
    carried at ``digits`` + 15 and reported at ``digits`` significant digits, and
    ``Solution.precision`` says so. Raises ParamError for unknown names, BCE without a
    sigmoid, targets outside [0, 1] for BCE, or malformed samples.
    """
    mode = _choice(mode, MODES, "mode")
    reg = _choice(reg, REGULARISERS, "reg")
    activation = _choice(activation, ACTIVATIONS, "activation")
    loss = _choice(loss, LOSSES, "loss")
    if loss == "bce" and activation != "sigmoid":
        raise ParamError("activation", "bce needs a sigmoid output (ŷ must lie in (0, 1))")
    w0 = exact_vector(weights, "weights")
    if not w0:
        raise ParamError("weights", "no weights given")
    data = _samples(samples, features, len(w0))
    if loss == "bce" and any(not 0 <= y <= 1 for _, y in data):
        raise ParamError("samples", "bce targets must lie in [0, 1]")
    eta, lmb, ratio = exact(lr, "lr"), exact(lam, "lam"), exact(l1_ratio, "l1_ratio")
    if eta <= 0:
        raise ParamError("lr", f"learning rate must be positive, got {fmt(eta)}")
    if lmb < 0:
        raise ParamError("lam", f"λ must be ≥ 0, got {fmt(lmb)}")
    if reg == "none" and lmb != 0:
        raise ParamError("lam", "λ given but reg is none; name the regulariser")
    if not 0 <= ratio <= 1:
        raise ParamError("l1_ratio", f"must lie in [0, 1], got {fmt(ratio)}")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 1000:
        raise ParamError("steps", f"expected an integer from 1 to 1000, got {steps!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 5 <= digits <= 100:
        raise ParamError("digits", f"expected an integer from 5 to 100, got {digits!r}")

    irrational = activation == "sigmoid"
    work = digits + 15 if irrational else None
    lam1, lam2 = _strengths(reg, lmb, ratio)
    cfg = _Config(eta, lam1, lam2, activation, loss, mode, steps, work)
    values, lines = _run(cfg, w0, data)
    if irrational:
        values = {k: _round_all(v, digits) for k, v in values.items()}
    misconceptions = _descent_misconceptions(cfg, w0, data, values, reg)
    if irrational:
        misconceptions = _rounded_misconceptions(misconceptions, values, digits)

    head = [
        (
            formula(
                "ŷ = {activation}(z), z = Σ wᵢ·iᵢ; loss L = {value} over the {value2} (m = samples in the update)",
                activation=activation,
                value=_LOSS_TEXT[loss],
                value2="whole batch" if mode == "batch" else "current sample",
            )
        ),
        _reg_line(reg, lmb, ratio),
        formula(
            "{mode} mode, η = {eta}, {steps} pass{value} over {n_data} sample{value2}: {samples}",
            mode=mode,
            eta=fmt(eta),
            steps=steps,
            value="es" if steps > 1 else "",
            n_data=len(data),
            value2="s" if len(data) > 1 else "",
            samples="; ".join(f"inputs {fmt(i)}, y = {fmt(y)}" for i, y in data),
        ),
    ]
    precision = None
    if irrational:
        precision = formula(
            "{digits} significant digits (sigmoid, exp and log evaluated and carried at {work} digits)",
            digits=digits,
            work=work,
        )
    params = {
        "weights": weights,
        "samples": samples,
        "lr": lr,
        "steps": steps,
        "mode": mode,
        "reg": reg,
        "lam": lam,
        "l1_ratio": l1_ratio,
        "activation": activation,
        "loss": loss,
        "features": features,
        "digits": digits,
    }
    return Solution(DESCENT, params, values, tuple(head + lines), misconceptions, precision)


def _reg_line(reg: str, lam: sympy.Rational, ratio: sympy.Rational) -> str:
    if reg == "none":
        return msg("no regulariser: w ← w − η·∂L/∂w")
    if reg == "l1":
        return msg(
            "L1 penalty λ·‖w‖₁, λ = {lam}: sub-gradient λ·sign(w) with sign(0) = 0; w ← w − η·(∂L/∂w + λ·sign(w))",
            lam=fmt(lam),
        )
    if reg == "l2":
        return msg(
            "L2 penalty (λ/2)·‖w‖², λ = {lam}: gradient λ·w; w ← (1 − ηλ)·w − η·∂L/∂w", lam=fmt(lam)
        )
    return msg(
        "elastic penalty λ·(r·‖w‖₁ + (1 − r)/2·‖w‖²), λ = {lam}, r = {ratio}: gradient {value}·sign(w) + {value2}·w, sign(0) = 0",
        lam=fmt(lam),
        ratio=fmt(ratio),
        value=fmt(ratio * lam),
        value2=fmt((1 - ratio) * lam),
    )


def _round_all(v: Any, digits: int) -> Any:
    """A value (or nested list) rounded to ``digits`` significant digits."""
    if isinstance(v, list):
        return [_round_all(u, digits) for u in v]
    return _round(v, digits)


def _rounded_misconceptions(
    found: tuple[Misconception, ...], key: dict[str, Any], digits: int
) -> tuple[Misconception, ...]:
    """Misconceptions at the reported precision, dropping values that round to the key."""
    out = []
    for m in found:
        vals = {k: _round_all(v, digits) for k, v in m.values.items()}
        vals = {k: v for k, v in vals.items() if v != key[k]}
        if vals:
            out.append(Misconception(m.id, m.explanation, vals))
    return tuple(out)
