"""Softmax with temperature and the knowledge-distillation loss.

``softmax`` gives the probabilities exp(zᵢ/T)/Σⱼ exp(zⱼ/T). ``distillation`` gives the
loss of Hinton et al. as the course writes it:
``α·CE(softmax(s), y) + (1−α)·T²·KL(softmax(t/T) ‖ softmax(s/T))``, with the pieces a
student is asked for along the way.

exp and log make almost every value irrational: each is built as an exact sympy expression
and evaluated to :data:`PRECISION_DIGITS` significant digits (the solution's ``precision``
says so); a value that is rational (equal logits give 1/n) stays exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from reference.core import (
    PRECISION_DIGITS,
    ParamError,
    Solution,
    board,
    distinct_misconceptions,
    exact,
    exact_vector,
    precision_text,
    settle,
    solver,
)
from reference.messages import formula, msg

Exprs = list[sympy.Expr]
_ONE = sympy.Integer(1)


def _logits(x: Any, name: str) -> list[sympy.Rational]:
    values = exact_vector(x, name)
    if not values:
        raise ParamError(name, "expected at least one logit")
    return values


def _temperature(x: Any) -> sympy.Rational:
    t = exact(x, "T")
    if t <= 0:
        raise ParamError("T", f"the temperature must be positive, got {t}")
    return t


def softmax_exprs(z: Sequence[sympy.Expr], t: sympy.Expr = _ONE) -> Exprs:
    """Exact probabilities 1/Σⱼ exp((zⱼ − zᵢ)/T): rational when the logits are equal."""
    return [1 / sum(sympy.exp((zj - zi) / t) for zj in z) for zi in z]


def log_softmax_exprs(z: Sequence[sympy.Expr], t: sympy.Expr = _ONE) -> Exprs:
    """Exact log-probabilities −log Σⱼ exp((zⱼ − zᵢ)/T)."""
    return [-sympy.log(sum(sympy.exp((zj - zi) / t) for zj in z)) for zi in z]


def _settled(exprs: Exprs) -> list[sympy.Rational]:
    return [settle(e) for e in exprs]


def _precision(exprs: list[sympy.Expr]) -> str | None:
    """None when every reported expression is rational, else the stated precision."""
    return precision_text(exprs)


# --------------------------------------------------------------------------- softmax


@solver(
    "softmax",
    "Softmax with temperature: pᵢ = exp(zᵢ/T) / Σⱼ exp(zⱼ/T).",
    {
        "logits": "list of numbers: the logits z",
        "T": "number > 0: temperature (default 1)",
    },
    {"logits": [2, 1, "0.1"], "T": 2},
)
def softmax(logits: Any, T: Any = 1) -> Solution:
    """``probabilities`` and ``scaled_logits`` (z/T); raises :class:`ParamError`."""
    z = _logits(logits, "logits")
    t = _temperature(T)
    scaled = [zi / t for zi in z]
    exprs = softmax_exprs(z, t)
    probabilities = _settled(exprs)
    exps = [sympy.exp(s) for s in scaled]
    total = sum(exps)
    key = {"probabilities": probabilities, "scaled_logits": scaled}
    steps = (
        formula("z = {z}, T = {t}", z=board(z), t=board(t)),
        formula("z/T = {scaled}", scaled=board(scaled)),
        formula("exp(z/T) = {value}", value=board(_settled(exps))),
        formula("Σ exp(z/T) = {value}", value=board(settle(total))),
        formula("p = exp(z/T)/Σ = {probabilities}", probabilities=board(probabilities)),
    )
    top = max(range(len(z)), key=lambda i: z[i])
    candidates = [
        (
            "temperature_ignored",
            msg("Computed softmax(z) at T = 1; the logits must be divided by T first."),
            {"probabilities": _settled(softmax_exprs(z)), "scaled_logits": list(z)},
        ),
        (
            "temperature_multiplied",
            msg("Multiplied the logits by T; the temperature divides them: exp(zᵢ/T)."),
            {
                "probabilities": _settled(softmax_exprs(z, 1 / t)),
                "scaled_logits": [zi * t for zi in z],
            },
        ),
        (
            "no_normalisation",
            msg("Stopped at exp(zᵢ/T); divide by the sum so the probabilities add up to 1."),
            {"probabilities": _settled(exps)},
        ),
        (
            "argmax_one_hot",
            msg("Gave a one-hot vector at the largest logit; softmax keeps every class's share."),
            {"probabilities": [sympy.Integer(int(i == top)) for i in range(len(z))]},
        ),
    ]
    if sum(scaled) != 0 and all(s >= 0 for s in scaled):
        candidates.append(
            (
                "exp_forgotten",
                msg("Divided the logits by their sum; softmax normalises exp(zᵢ/T), not zᵢ/T."),
                {"probabilities": [s / sum(scaled) for s in scaled]},
            )
        )
    return Solution(
        solver="softmax",
        params={"logits": z, "T": t},
        values=key,
        steps=steps,
        misconceptions=distinct_misconceptions(key, candidates),
        precision=_precision(exprs),
    )


# --------------------------------------------------------------------------- distillation


def _kl(p: Exprs, log_p: Exprs, log_q: Exprs) -> sympy.Expr:
    """KL(p ‖ q) = Σ pᵢ (log pᵢ − log qᵢ)."""
    return sum(pi * (lp - lq) for pi, lp, lq in zip(p, log_p, log_q, strict=True))


def _label(x: Any, n: int) -> int:
    value = exact(x, "label")
    if not value.is_Integer or not 0 <= value < n:
        raise ParamError("label", f"expected a class index 0…{n - 1}, got {x!r}")
    return int(value)


def _parts(
    s: list[sympy.Rational], t: list[sympy.Rational], label: int, temp: sympy.Expr
) -> dict[str, Any]:
    """The exact expressions of every distillation quantity at temperature ``temp``."""
    p_t, log_p_t = softmax_exprs(t, temp), log_softmax_exprs(t, temp)
    p_s, log_p_s = softmax_exprs(s, temp), log_softmax_exprs(s, temp)
    return {
        "teacher_soft": p_t,
        "student_soft": p_s,
        "student_probs": softmax_exprs(s),
        "ce_hard": -log_softmax_exprs(s)[label],
        "kl_soft": _kl(p_t, log_p_t, log_p_s),
        "kl_reversed": _kl(p_s, log_p_s, log_p_t),
        "ce_soft": -sum(pi * lq for pi, lq in zip(p_t, log_p_s, strict=True)),
        "ce_hard_at_t": -log_p_s[label],
    }


def _settle_any(x: Any) -> Any:
    return _settled(x) if isinstance(x, list) else settle(x)


@solver(
    "distillation",
    "Knowledge-distillation loss α·CE(softmax(s), y) + (1−α)·T²·KL(softmax(t/T) ‖ softmax(s/T)).",
    {
        "student_logits": "list of numbers: the student's logits s",
        "teacher_logits": "list of numbers: the teacher's logits t (same length)",
        "label": "int: the true class index, counted from 0",
        "T": "number > 0: distillation temperature (default 2)",
        "alpha": "number in [0, 1]: weight of the hard-label loss (default 0.5)",
    },
    {
        "student_logits": [1, "0.5", -1],
        "teacher_logits": [3, 1, "-0.5"],
        "label": 0,
        "T": 2,
        "alpha": "0.3",
    },
)
def distillation(
    student_logits: Any,
    teacher_logits: Any,
    label: Any,
    T: Any = 2,
    alpha: Any = "0.5",
) -> Solution:
    """``teacher_soft``, ``student_soft``, ``student_probs``, ``ce_hard``, ``kl_soft``,
    ``ce_soft`` and ``loss``; raises :class:`ParamError` on bad input.
    """
    s = _logits(student_logits, "student_logits")
    t = _logits(teacher_logits, "teacher_logits")
    if len(s) != len(t):
        raise ParamError("teacher_logits", f"has {len(t)} logits, student_logits {len(s)}")
    y = _label(label, len(s))
    temp = _temperature(T)
    a = exact(alpha, "alpha")
    if not 0 <= a <= 1:
        raise ParamError("alpha", f"must be in [0, 1], got {a}")

    def loss(ce: sympy.Expr, kl: sympy.Expr, w_hard: sympy.Expr, scale: sympy.Expr) -> Any:
        return settle(w_hard * ce + (1 - w_hard) * scale * kl)

    e = _parts(s, t, y, temp)
    loss_expr = a * e["ce_hard"] + (1 - a) * temp**2 * e["kl_soft"]
    names = ("teacher_soft", "student_soft", "student_probs", "ce_hard", "kl_soft", "ce_soft")
    key = {name: _settle_any(e[name]) for name in names}
    key["loss"] = settle(loss_expr)
    steps = (
        formula(
            "s = {s}, t = {t}, label y = {y}, T = {temp}, α = {a}",
            s=board(s),
            t=board(t),
            y=y,
            temp=board(temp),
            a=board(a),
        ),
        formula(
            "teacher_soft = softmax(t/T) = {teacher_soft}",
            teacher_soft=board(key["teacher_soft"]),
        ),
        formula(
            "student_soft = softmax(s/T) = {student_soft}",
            student_soft=board(key["student_soft"]),
        ),
        formula("softmax(s) = {student_probs}", student_probs=board(key["student_probs"])),
        formula(
            "ce_hard = −log softmax(s)[{y}] = {ce_hard}",
            y=y,
            ce_hard=board(key["ce_hard"]),
        ),
        formula(
            "kl_soft = Σ teacher_softᵢ·log(teacher_softᵢ/student_softᵢ) = {kl_soft}",
            kl_soft=board(key["kl_soft"]),
        ),
        (
            formula(
                "ce_soft = −Σ teacher_softᵢ·log student_softᵢ = {ce_soft} (= kl_soft + entropy of teacher_soft)",
                ce_soft=board(key["ce_soft"]),
            )
        ),
        (
            formula(
                "loss = α·ce_hard + (1−α)·T²·kl_soft = {a}·{ce_hard} + {value}·{value2}·{kl_soft} = {loss}",
                a=board(a),
                ce_hard=board(key["ce_hard"]),
                value=board(1 - a),
                value2=board(temp**2),
                kl_soft=board(key["kl_soft"]),
                loss=board(key["loss"]),
            )
        ),
    )
    at_one = _parts(s, t, y, sympy.Integer(1))
    candidates = [
        (
            "t_squared_forgotten",
            msg(
                "Left out the T² factor; it keeps the soft-target gradients on the hard loss's scale."
            ),
            {"loss": loss(e["ce_hard"], e["kl_soft"], a, 1)},
        ),
        (
            "kl_direction_reversed",
            msg("Computed KL(student ‖ teacher); distillation uses KL(teacher ‖ student)."),
            {
                "kl_soft": settle(e["kl_reversed"]),
                "loss": loss(e["ce_hard"], e["kl_reversed"], a, temp**2),
            },
        ),
        (
            "alpha_swapped",
            msg("Put α on the soft loss; α weights the hard-label loss and 1−α the soft one."),
            {"loss": loss(e["ce_hard"], e["kl_soft"], 1 - a, temp**2)},
        ),
        (
            "soft_targets_at_t1",
            msg("Softened nothing: the soft targets use softmax(t/T) and softmax(s/T), not T = 1."),
            {
                "teacher_soft": _settled(at_one["teacher_soft"]),
                "student_soft": _settled(at_one["student_soft"]),
                "kl_soft": settle(at_one["kl_soft"]),
                "ce_soft": settle(at_one["ce_soft"]),
                "loss": loss(e["ce_hard"], at_one["kl_soft"], a, temp**2),
            },
        ),
        (
            "hard_loss_at_temperature",
            msg("Took the hard-label loss on softmax(s/T); it uses the student at T = 1."),
            {
                "ce_hard": settle(e["ce_hard_at_t"]),
                "loss": loss(e["ce_hard_at_t"], e["kl_soft"], a, temp**2),
            },
        ),
        (
            "kl_mean_reduction",
            msg(
                "Averaged the KL term over the {n} classes (F.kl_div(..., reduction='mean')); "
                "the distillation KL is summed over classes: reduction='batchmean'.",
                n=len(s),
            ),
            {
                "kl_soft": settle(e["kl_soft"] / len(s)),
                "loss": loss(e["ce_hard"], e["kl_soft"] / len(s), a, temp**2),
            },
        ),
        (
            "temperature_on_hard_loss_side",
            msg(
                "Put the softened softmax on the α side: the hard-label loss uses softmax(s) at "
                "T = 1, and the (1−α) distillation term uses softmax(t/T) and softmax(s/T)."
            ),
            {
                "teacher_soft": _settled(at_one["teacher_soft"]),
                "student_soft": _settled(at_one["student_soft"]),
                "ce_hard": settle(e["ce_hard_at_t"]),
                "kl_soft": settle(at_one["kl_soft"]),
                "ce_soft": settle(at_one["ce_soft"]),
                "loss": loss(e["ce_hard_at_t"], at_one["kl_soft"], a, temp**2),
            },
        ),
        (
            "soft_ce_instead_of_kl",
            (
                msg(
                    "Used the soft cross-entropy in the loss; it exceeds the KL term by the teacher's entropy (same gradient, different value)."
                )
            ),
            {"loss": loss(e["ce_hard"], e["ce_soft"], a, temp**2)},
        ),
    ]
    return Solution(
        solver="distillation",
        params={"student_logits": s, "teacher_logits": t, "label": y, "T": temp, "alpha": a},
        values=key,
        steps=steps,
        misconceptions=distinct_misconceptions(key, candidates),
        precision=_precision(
            [*e["teacher_soft"], *e["student_soft"], *e["student_probs"], loss_expr]
            + [e[name] for name in ("ce_hard", "kl_soft", "ce_soft")]
        ),
    )


__all__ = ["PRECISION_DIGITS", "distillation", "log_softmax_exprs", "softmax", "softmax_exprs"]
