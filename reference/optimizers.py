"""Optimiser steps as the course asks them: SGD, momentum, Nesterov, Adagrad, RMSprop, Adam.

Each solver runs ``k`` steps from given ``weights`` on either a given gradient sequence
(``grads``, one vector per step) or the gradient of a given ``function`` of the weights
(``w1, w2, …``; ``w`` when there is one weight). The update rules are those of
``torch.optim`` with its default options, so a key agrees with what students see in
PyTorch; momentum also offers the lecture's exponential-moving-average form.

Values are exact while they are rational. A square root of a non-square (Adagrad, RMSprop,
Adam) or an ``exp``/``log`` in ``function`` makes them irrational: from there on the
arithmetic runs on 50-digit floats and the reported values are rounded to
:data:`PRECISION_DIGITS` significant digits (the solution's ``precision`` says so).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from reference.core import (
    PRECISION_DIGITS,
    Misconception,
    ParamError,
    Solution,
    board,
    exact,
    exact_vector,
    misconception_if_distinct,
    precision_text,
    settle,
    solver,
)
from reference.messages import Msg, formula, msg

#: Significant digits of a reported value that is irrational.
#: Digits carried through the arithmetic once a value is irrational.
WORKING_DIGITS = 50

Vector = list[sympy.Expr]


class _Undefined(ArithmeticError):
    """A step is undefined: division by zero (ε = 0), or f is not finite and real."""

    def __init__(self, param: str, message: str):
        self.param = param
        super().__init__(message)


# --------------------------------------------------------------------------- numbers


def _approx(x: sympy.Expr) -> sympy.Expr:
    """``x`` itself when rational, else a :data:`WORKING_DIGITS` float of it."""
    if x.is_Rational or isinstance(x, sympy.Float):
        return x
    value = sympy.N(x, WORKING_DIGITS)
    if not value.is_real or not value.is_finite:
        raise _Undefined("function", f"{x} is not a finite real number")
    return sympy.Float(value, WORKING_DIGITS)


def _sqrt(x: sympy.Expr) -> sympy.Expr:
    """Square root, exact for the square of a rational (``sqrt(9/4) = 3/2``)."""
    if x.is_negative:
        raise _Undefined("function", f"square root of the negative {x}")
    return _approx(sympy.sqrt(x))


def _div(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    if b.is_zero:
        raise _Undefined("eps", "division by zero: ε = 0 and a zero accumulator")
    return a / b


def _check_range(value: sympy.Rational, name: str, low: int, high: int | None = None) -> None:
    if value < low or (high is not None and value >= high):
        bound = f"in [{low}, {high})" if high is not None else f"at least {low}"
        raise ParamError(name, f"must be {bound}, got {value}")


# --------------------------------------------------------------------------- the problem


@dataclass(frozen=True)
class Problem:
    """Initial weights and where each step's gradient comes from."""

    weights: tuple[sympy.Rational, ...]
    scalar: bool
    steps: int
    grads: tuple[tuple[sympy.Rational, ...], ...] | None = None
    function: sympy.Expr | None = None
    symbols: tuple[sympy.Symbol, ...] = ()
    gradient: tuple[sympy.Expr, ...] = ()

    def grad(self, w: Sequence[sympy.Expr], t: int) -> Vector:
        """The loss gradient at step ``t`` (1-based) for weights ``w``."""
        if self.grads is not None:
            return list(self.grads[t - 1])
        subs = dict(zip(self.symbols, w, strict=True))
        return [_approx(d.xreplace(subs)) for d in self.gradient]


_FORBIDDEN = ("__", "lambda", "import", ";", "'", '"')


def parse_function(text: Any, n: int) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
    """``text`` as a sympy expression in ``w1..wn`` (``w`` allowed when ``n == 1``).

    Raises :class:`ParamError` for text that is not an expression of those weights.
    """
    if not isinstance(text, str) or not text.strip():
        raise ParamError("function", "expected an expression such as 'w1**2 + 3*w2**2'")
    if any(bad in text for bad in _FORBIDDEN):
        raise ParamError("function", f"not a plain expression: {text!r}")
    symbols = tuple(sympy.Symbol(f"w{i + 1}", real=True) for i in range(n))
    names: dict[str, Any] = {s.name: s for s in symbols}
    if n == 1:
        names["w"] = symbols[0]
    try:
        expr = sympy.parse_expr(text.replace("^", "**"), local_dict=names)
    except (SyntaxError, TypeError, ValueError, sympy.SympifyError) as err:
        raise ParamError("function", f"cannot parse {text!r}: {err}") from None
    if not isinstance(expr, sympy.Expr):
        raise ParamError("function", f"not an expression: {text!r}")
    extra = expr.free_symbols - set(symbols)
    if extra:
        allowed = ", ".join(names)
        raise ParamError("function", f"unknown names {sorted(map(str, extra))}; use {allowed}")
    return expr, symbols


def make_problem(weights: Any, grads: Any, function: Any, steps: Any) -> Problem:
    """Check and normalise the shared parameters; raises :class:`ParamError`."""
    scalar = not isinstance(weights, (list, tuple))
    w0 = [exact(weights, "weights")] if scalar else exact_vector(weights, "weights")
    if not w0:
        raise ParamError("weights", "expected at least one weight")
    if (grads is None) == (function is None):
        raise ParamError("grads", "give exactly one of grads (a list per step) or function")
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, (int, str)):
            raise ParamError("steps", f"expected a whole number, got {steps!r}")
        try:
            steps = int(steps)
        except ValueError:
            raise ParamError("steps", f"expected a whole number, got {steps!r}") from None
        if steps < 1:
            raise ParamError("steps", f"must be at least 1, got {steps}")
    if grads is not None:
        if not isinstance(grads, (list, tuple)) or not grads:
            raise ParamError("grads", "expected a non-empty list with one gradient per step")
        rows = []
        for t, g in enumerate(grads):
            row = [exact(g, f"grads[{t}]")] if scalar else exact_vector(g, f"grads[{t}]")
            if len(row) != len(w0):
                raise ParamError("grads", f"step {t + 1} has {len(row)} entries, weights {len(w0)}")
            rows.append(tuple(row))
        if steps is not None and steps != len(rows):
            raise ParamError("steps", f"is {steps} but grads lists {len(rows)} steps")
        return Problem(tuple(w0), scalar, len(rows), grads=tuple(rows))
    expr, symbols = parse_function(function, len(w0))
    return Problem(
        tuple(w0),
        scalar,
        steps or 1,
        function=expr,
        symbols=symbols,
        gradient=tuple(sympy.diff(expr, s) for s in symbols),
    )


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Variant:
    """How a run departs from the update rule (the key uses the defaults)."""

    ascent: bool = False  # w ← w + update
    decay: str = "grad"  # "grad": g + λw (torch); "none": forgotten; "unscaled": w −= λw
    stale: bool = False  # every step reuses the gradient at the initial weights
    #: Nesterov's look-ahead form: the gradient is taken at w − lookahead·v (lookahead = lr·β)
    lookahead: sympy.Rational | None = None
    #: The rule run instead of the key's (a variant that changes both how and what is run)
    rule: Callable[[dict, Vector, int], Any] | None = None


#: Weights beyond this size mean the run diverged (only checked when f must be evaluated).
_DIVERGED = sympy.Integer(10) ** 12

#: A rule maps (state, effective gradient, step t) to (state, update, named records, lines).
Rule = Callable[[dict, Vector, int], tuple[dict, Vector, dict[str, Vector], list[str]]]


def run(
    problem: Problem, rule: Rule, weight_decay: sympy.Rational, variant: Variant
) -> tuple[list[dict[str, Vector]], list[str]]:
    """Run every step; returns one record per step and the worked lines."""
    w: Vector = list(problem.weights)
    state: dict = {}
    records: list[dict[str, Vector]] = []
    lines: list[str] = []
    first = problem.grad(w, 1)
    for t in range(1, problem.steps + 1):
        g = first if variant.stale else (first if t == 1 else problem.grad(w, t))
        if variant.lookahead is not None and "v" in state:
            g = problem.grad([wi - variant.lookahead * vi for wi, vi in zip(w, state["v"])], t)
        source = (
            "given"
            if problem.grads is not None
            else formula("∇f(w{value}) = ∇({function})", value=t - 1, function=problem.function)
        )
        lines.append(formula("Step {t}: g{t} = {source} = {g}", t=t, source=source, g=board(g)))
        record: dict[str, Vector] = {"grad": g}
        g_eff = g
        if weight_decay != 0 and variant.decay == "grad":
            g_eff = [gi + weight_decay * wi for gi, wi in zip(g, w, strict=True)]
            record["grad_total"] = g_eff
            lines.append(
                formula(
                    "  weight decay: g{t} + λ·w{value} = {g_eff}",
                    t=t,
                    value=t - 1,
                    g_eff=board(g_eff),
                )
            )
        state, update, named, rule_lines = rule(state, g_eff, t)
        record.update(named)
        record["update"] = update
        lines.extend(msg("  {line}", line=line) for line in rule_lines)
        sign = 1 if variant.ascent else -1
        w_new = [wi + sign * ui for wi, ui in zip(w, update, strict=True)]
        if weight_decay != 0 and variant.decay == "unscaled":
            w_new = [wn - weight_decay * wi for wn, wi in zip(w_new, w, strict=True)]
        w = w_new
        if problem.function is not None and any(abs(wi) > _DIVERGED for wi in w):
            # f at such weights (exp of 10^15) cannot be evaluated in any useful time; a
            # misconception that diverges (RMSprop's first step divided by ε alone) is dropped.
            raise _Undefined("function", f"the weights diverge at step {t}: {board(w)}")
        record["weights"] = w
        lines.append(
            formula(
                "  w{t} = w{value} {value2} {update} = {w}",
                t=t,
                value=t - 1,
                value2="+" if variant.ascent else "−",
                update=board(update),
                w=board(w),
            )
        )
        records.append(record)
    return records, lines


def values_of(records: list[dict[str, Vector]], scalar: bool) -> dict[str, Any]:
    """Flatten records to the answer keys ``stepT.NAME`` and the final ``weights``."""
    values: dict[str, Any] = {}

    def report(vector: Vector) -> Any:
        settled = [settle(v) for v in vector]
        return settled[0] if scalar else settled

    for t, record in enumerate(records, start=1):
        for name, vector in record.items():
            values[f"step{t}.{name}"] = report(vector)
    values["weights"] = report(records[-1]["weights"])
    return values


def _misconception(
    mid: str,
    explanation: str,
    key: dict[str, Any],
    compute: Callable[[], dict[str, Any]],
) -> Misconception | None:
    """The variant's values that differ from the key; None when none do or it is undefined."""
    try:
        wrong = compute()
    except _Undefined:
        return None
    return misconception_if_distinct(key, mid, explanation, wrong)


@dataclass(frozen=True)
class Setup:
    """Everything one solver needs to produce its key and its misconceptions."""

    name: str
    problem: Problem
    params: dict[str, Any]
    weight_decay: sympy.Rational
    intro: tuple[str, ...]


def solve(
    setup: Setup,
    rule: Rule,
    wrong_rules: Sequence[tuple[str, str, Rule]],
    wrong_variants: Sequence[tuple[str, str, Variant]] = (),
) -> Solution:
    """Run the key and every misconception; assemble the :class:`Solution`."""
    problem = setup.problem
    try:
        records, lines = run(problem, rule, setup.weight_decay, Variant())
    except _Undefined as err:
        raise ParamError(err.param, str(err)) from None
    key = values_of(records, problem.scalar)

    def with_rule(r: Rule) -> Callable[[], dict[str, Any]]:
        return lambda: values_of(run(problem, r, setup.weight_decay, Variant())[0], problem.scalar)

    def with_variant(v: Variant) -> Callable[[], dict[str, Any]]:
        return lambda: values_of(
            run(problem, v.rule or rule, setup.weight_decay, v)[0], problem.scalar
        )

    candidates = [_misconception(i, e, key, with_rule(r)) for i, e, r in wrong_rules]
    candidates += [_misconception(i, e, key, with_variant(v)) for i, e, v in wrong_variants]
    candidates.append(
        _misconception(
            "gradient_ascent",
            msg(
                "Added the update to the weights (w + step): the step must go against the gradient."
            ),
            key,
            with_variant(Variant(ascent=True)),
        )
    )
    if problem.function is not None and problem.steps > 1:
        candidates.append(
            _misconception(
                "stale_gradient",
                msg("Reused the gradient at the initial weights; each step needs ∇f at the new w."),
                key,
                with_variant(Variant(stale=True)),
            )
        )
    if setup.weight_decay != 0:
        candidates.append(
            _misconception(
                "weight_decay_forgotten",
                msg("Left out weight decay: torch adds λ·w to the gradient before the update."),
                key,
                with_variant(Variant(decay="none")),
            )
        )
    inexact = any(
        not v.is_Rational for record in records for vector in record.values() for v in vector
    )
    return Solution(
        solver=setup.name,
        params=setup.params,
        values=key,
        steps=setup.intro
        + tuple(lines)
        + (formula("Final weights: {weights}", weights=board(records[-1]["weights"])),),
        misconceptions=tuple(m for m in candidates if m is not None),
        precision=precision_text([sympy.Float(1)] if inexact else []),
    )


def _setup(
    name: str,
    weights: Any,
    grads: Any,
    function: Any,
    steps: Any,
    lr: Any,
    weight_decay: Any,
    extra: dict[str, sympy.Rational],
    intro: Sequence[str],
) -> Setup:
    problem = make_problem(weights, grads, function, steps)
    lr_value = exact(lr, "lr")
    _check_range(lr_value, "lr", 0)
    wd = exact(weight_decay, "weight_decay")
    _check_range(wd, "weight_decay", 0)
    params: dict[str, Any] = {
        "weights": list(problem.weights),
        "lr": lr_value,
        "weight_decay": wd,
        "steps": problem.steps,
        **extra,
    }
    if problem.grads is not None:
        params["grads"] = [list(g) for g in problem.grads]
    else:
        params["function"] = str(problem.function)
    head = [
        formula(
            "w0 = {value}, lr = {lr_value}",
            value=board(list(problem.weights)),
            lr_value=board(lr_value),
        )
    ]
    if wd != 0:
        head.append(formula("weight decay λ = {wd} (added to the gradient: g + λ·w)", wd=board(wd)))
    return Setup(name, problem, params, wd, tuple(head) + tuple(intro))


def _beta(value: Any, name: str) -> sympy.Rational:
    beta = exact(value, name)
    _check_range(beta, name, 0, 1)
    return beta


def _eps(value: Any, name: str = "eps") -> sympy.Rational:
    eps = exact(value, name)
    _check_range(eps, name, 0)
    return eps


_COMMON_PARAMS = {
    "weights": "number or list of numbers: the initial weights w0",
    "grads": "list of gradients, one per step (a number or a list like weights); or use function",
    "function": "text: f(w1, w2, …) (or f(w) for one weight) whose gradient drives each step",
    "steps": "int: number of steps (default: len(grads), else 1)",
    "weight_decay": "number: L2 weight decay λ added to the gradient as torch does (default 0)",
}


def _params(lr_doc: str, **extra: str) -> dict[str, str]:
    return {**_COMMON_PARAMS, "lr": lr_doc, **extra}


def _scale(c: sympy.Expr, v: Vector) -> Vector:
    return [c * x for x in v]


def _plus(a: Vector, b: Vector) -> Vector:
    return [x + y for x, y in zip(a, b, strict=True)]


def _zeros(n: int) -> Vector:
    return [sympy.Integer(0)] * n


# --------------------------------------------------------------------------- SGD


def _sgd_rule(lr: sympy.Rational) -> Rule:
    def rule(state: dict, g: Vector, t: int):
        update = _scale(lr, g)
        return (
            state,
            update,
            {},
            [formula("update = lr·g{t} = {update}", t=t, update=board(update))],
        )

    return rule


# --------------------------------------------------------------------------- momentum


def _momentum_rule(
    lr: sympy.Rational, beta: sympy.Rational, form: str, *, undamped_first: bool = False
) -> Rule:
    """``undamped_first``: torch's SGD(dampening=β) convention, v1 = g (no 1−β on step 1)."""
    damp = 1 - beta if form == "ema" else sympy.Integer(1)

    def rule(state: dict, g: Vector, t: int):
        v_prev = state.get("v", _zeros(len(g)))
        v = _plus(_scale(beta, v_prev), _scale(damp, g))
        if undamped_first and "v" not in state:
            v = list(g)
        update = _scale(lr, v)
        if form == "ema":
            text = formula("v{t} = β·v{value} + (1−β)·g{t} = {v}", t=t, value=t - 1, v=board(v))
        else:
            text = formula("v{t} = β·v{value} + g{t} = {v}", t=t, value=t - 1, v=board(v))
        return (
            {"v": v},
            update,
            {"v": v},
            [text, formula("update = lr·v{t} = {update}", t=t, update=board(update))],
        )

    return rule


def _swapped_torch_rule(lr: sympy.Rational, beta: sympy.Rational) -> Rule:
    def rule(state: dict, g: Vector, t: int):
        v = _plus(state.get("v", _zeros(len(g))), _scale(beta, g))
        return {"v": v}, _scale(lr, v), {"v": v}, []

    return rule


# --------------------------------------------------------------------------- Nesterov


def _nesterov_rule(lr: sympy.Rational, beta: sympy.Rational, old_buffer: bool = False) -> Rule:
    def rule(state: dict, g: Vector, t: int):
        v_prev = state.get("v", _zeros(len(g)))
        v = _plus(_scale(beta, v_prev), g)
        direction = _plus(g, _scale(beta, v_prev if old_buffer else v))
        update = _scale(lr, direction)
        lines = [
            formula("v{t} = β·v{value} + g{t} = {v}", t=t, value=t - 1, v=board(v)),
            formula("d{t} = g{t} + β·v{t} = {direction}", t=t, direction=board(direction)),
            formula("update = lr·d{t} = {update}", t=t, update=board(update)),
        ]
        return {"v": v}, update, {"v": v, "direction": direction}, lines

    return rule


# --------------------------------------------------------------------------- Adagrad


def _adaptive_step(
    lr: sympy.Expr, m: Vector, v: Vector, eps: sympy.Rational, eps_inside: bool, root: bool = True
) -> Vector:
    """lr·m/(√v + ε) per entry (ε inside the root or no root for misconceptions)."""
    out = []
    for mi, vi in zip(m, v, strict=True):
        if not root:
            denom = vi + eps
        elif eps_inside:
            denom = _sqrt(vi + eps)
        else:
            denom = _sqrt(vi) + eps
        out.append(_approx(_div(lr * mi, denom)))
    return out


def _adagrad_rule(
    lr: sympy.Rational,
    eps: sympy.Rational,
    *,
    accumulate: bool = True,
    eps_inside: bool = False,
    root: bool = True,
) -> Rule:
    def rule(state: dict, g: Vector, t: int):
        v_prev = state.get("v", _zeros(len(g)))
        squares = [gi**2 for gi in g]
        v = _plus(v_prev, squares) if accumulate else squares
        update = _adaptive_step(lr, g, v, eps, eps_inside, root)
        lines = [
            formula("v{t} = v{value} + g{t}² = {v}", t=t, value=t - 1, v=board(v)),
            formula("update = lr·g{t}/(√v{t} + ε) = {update}", t=t, update=board(update)),
        ]
        return {"v": v}, update, {"v": v}, lines

    return rule


_EPS_INSIDE = msg("Put ε inside the square root (√(v + ε)); torch adds it outside: √v + ε.")


# --------------------------------------------------------------------------- RMSprop


def _rmsprop_rule(
    lr: sympy.Rational,
    beta: sympy.Rational,
    eps: sympy.Rational,
    *,
    eps_inside: bool = False,
    old_average: bool = False,
) -> Rule:
    """``old_average``: the step divides by √v_{t−1} (the average updated after the step)."""

    def rule(state: dict, g: Vector, t: int):
        v_prev = state.get("v", _zeros(len(g)))
        v = [beta * vi + (1 - beta) * gi**2 for vi, gi in zip(v_prev, g, strict=True)]
        update = _adaptive_step(lr, g, v_prev if old_average else v, eps, eps_inside)
        lines = [
            formula("v{t} = β·v{value} + (1−β)·g{t}² = {v}", t=t, value=t - 1, v=board(v)),
            formula("update = lr·g{t}/(√v{t} + ε) = {update}", t=t, update=board(update)),
        ]
        return {"v": v}, update, {"v": v}, lines

    return rule


# --------------------------------------------------------------------------- Adam


def _adam_rule(
    lr: sympy.Rational,
    beta1: sympy.Rational,
    beta2: sympy.Rational,
    eps: sympy.Rational,
    *,
    corrected: bool = True,
    eps_inside: bool = False,
) -> Rule:
    def rule(state: dict, g: Vector, t: int):
        n = len(g)
        m = _plus(_scale(beta1, state.get("m", _zeros(n))), _scale(1 - beta1, g))
        v = _plus(_scale(beta2, state.get("v", _zeros(n))), _scale(1 - beta2, [x**2 for x in g]))
        if corrected:
            m_hat = _scale(1 / (1 - beta1**t), m)
            v_hat = _scale(1 / (1 - beta2**t), v)
        else:
            m_hat, v_hat = m, v
        update = _adaptive_step(lr, m_hat, v_hat, eps, eps_inside)
        lines = [
            formula(
                "m{t} = β1·m{value} + (1−β1)·g{t} = {m}",
                t=t,
                value=t - 1,
                m=board(m),
            ),
            formula(
                "v{t} = β2·v{value} + (1−β2)·g{t}² = {v}",
                t=t,
                value=t - 1,
                v=board(v),
            ),
            formula("m̂{t} = m{t}/(1−β1^{t}) = {m_hat}", t=t, m_hat=board(m_hat)),
            formula("v̂{t} = v{t}/(1−β2^{t}) = {v_hat}", t=t, v_hat=board(v_hat)),
            formula("update = lr·m̂{t}/(√v̂{t} + ε) = {update}", t=t, update=board(update)),
        ]
        named = {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat}
        return {"m": m, "v": v}, update, named, lines

    return rule


# --------------------------------------------------------------------------- the solvers
#
# Each optimiser is declared as data — its hyper-parameters, the lines that introduce it,
# its update rule and its known wrong rules — and :func:`_register` turns the declaration
# into a registered solver: one shell for all six, not six copies of it.


@dataclass(frozen=True)
class Hyper:
    """One hyper-parameter: what ``grade solve --help`` says, its default, how it is read."""

    doc: str
    default: Any
    read: Callable[[Any, str], Any]


def _form(value: Any, name: str) -> str:
    if value not in ("torch", "ema"):
        raise ParamError(name, f"expected 'torch' or 'ema', got {value!r}")
    return value


BETA = Hyper("number: momentum coefficient β in [0, 1) (default 0.9)", "0.9", _beta)

WrongRules = list[tuple[str, Msg, Rule]]


@dataclass(frozen=True)
class Optimiser:
    """An optimiser as a solver: ``rule(lr, **hyper)`` is its update; ``wrong(lr, **hyper)``
    the rules of its known misconceptions; ``intro(**hyper)`` the lines that state it.
    ``lr_default`` None makes the learning rate a required parameter."""

    name: str
    summary: str
    lr_doc: str
    lr_default: Any
    hyper: Mapping[str, Hyper]
    intro: Callable[..., list[Msg]]
    rule: Callable[..., Rule]
    wrong: Callable[..., WrongRules]
    example: Mapping[str, Any]

    def variants(self, setup: Setup) -> list[tuple[str, Msg, Variant]]:
        """Wrong ways of running any rule (not of computing one step)."""
        if self.name == "optim.sgd" and setup.weight_decay != 0:
            return [
                (
                    "weight_decay_not_scaled_by_lr",
                    msg(
                        "Subtracted λ·w without the learning rate; torch's decay is lr·λ·w per step."
                    ),
                    Variant(decay="unscaled"),
                )
            ]
        if self.name == "optim.nesterov" and setup.problem.function is not None:
            # With given gradients the look-ahead point changes nothing: it is plain momentum.
            lr, beta = setup.params["lr"], setup.params["beta"]
            return [
                (
                    "nesterov_lookahead_form",
                    msg(
                        "Used the lecture's look-ahead form (gradient at w − lr·β·v, then "
                        "w ← w − lr·v); torch's Nesterov keeps w at the look-ahead point: "
                        "v = βv + g, w ← w − lr·(g + βv)."
                    ),
                    Variant(lookahead=lr * beta, rule=_momentum_rule(lr, beta, "torch")),
                )
            ]
        return []


def _register(spec: Optimiser) -> Callable[..., Solution]:
    """The solver function of ``spec``, registered under its name."""

    def solve_optimiser(
        weights: Any,
        lr: Any = spec.lr_default,
        grads: Any = None,
        function: Any = None,
        steps: Any = None,
        weight_decay: Any = "0",
        **hyper: Any,
    ) -> Solution:
        if lr is None:
            raise ParamError("lr", "the learning rate is required")
        values = {k: h.read(hyper.get(k, h.default), k) for k, h in spec.hyper.items()}
        setup = _setup(
            spec.name,
            weights,
            grads,
            function,
            steps,
            lr,
            weight_decay,
            values,
            spec.intro(**values),
        )
        lr_value = setup.params["lr"]
        return solve(
            setup,
            spec.rule(lr_value, **values),
            spec.wrong(lr_value, **values),
            spec.variants(setup),
        )

    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    lr_default = inspect.Parameter.empty if spec.lr_default is None else spec.lr_default
    solve_optimiser.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("weights", keyword),
            inspect.Parameter("lr", keyword, default=lr_default),
            *(inspect.Parameter(n, keyword, default=None) for n in ("grads", "function", "steps")),
            *(inspect.Parameter(n, keyword, default=h.default) for n, h in spec.hyper.items()),
            inspect.Parameter("weight_decay", keyword, default="0"),
        ]
    )
    solve_optimiser.__name__ = solve_optimiser.__qualname__ = spec.name.split(".")[-1]
    solve_optimiser.__doc__ = spec.summary
    params = _params(spec.lr_doc, **{n: h.doc for n, h in spec.hyper.items()})
    return solver(spec.name, spec.summary, params, spec.example)(solve_optimiser)


def _sgd_wrong(lr: sympy.Rational) -> WrongRules:
    return [
        (
            "lr_forgotten",
            msg("Subtracted the raw gradient: the step is lr·g, not g."),
            _sgd_rule(sympy.Integer(1)),
        )
    ]


_PLAIN_SGD = msg("Took plain SGD steps: the velocity v carries the earlier gradients along.")


def _momentum_intro(beta: sympy.Rational, form: str) -> list[Msg]:
    if form == "ema":
        rule = msg(
            "Momentum (EMA form): v_t = β·v_{t−1} + (1−β)·g_t, w_t = w_{t−1} − lr·v_t, v0 = 0"
        )
    else:
        rule = msg("Momentum (torch form): v_t = β·v_{t−1} + g_t, w_t = w_{t−1} − lr·v_t, v0 = 0")
    return [msg("β = {b}", b=board(beta)), rule]


def _momentum_wrong(lr: sympy.Rational, beta: sympy.Rational, form: str) -> WrongRules:
    other = "ema" if form == "torch" else "torch"
    wrong: WrongRules = [
        (
            "other_momentum_form",
            msg(
                "Used the {other} form of momentum; the question uses the {form} form ({rule}).",
                other=other,
                form=form,
                rule="v = βv + g" if form == "torch" else "v = βv + (1−β)g",
            ),
            _momentum_rule(lr, beta, other),
        ),
        ("momentum_forgotten", _PLAIN_SGD, _sgd_rule(lr)),
    ]
    if form == "ema":
        swapped = msg(
            "Swapped β and 1−β: the old velocity is weighted by β, the new gradient by 1−β."
        )
        wrong.append(("beta_swapped", swapped, _momentum_rule(lr, 1 - beta, "ema")))
        undamped = msg(
            "Started the velocity at v1 = g, as torch.optim.SGD(dampening=β) does; the EMA form "
            "starts from v0 = 0, so v1 = (1−β)·g."
        )
        wrong.append(
            (
                "ema_first_step_undamped",
                undamped,
                _momentum_rule(lr, beta, "ema", undamped_first=True),
            )
        )
    else:
        on_gradient = msg(
            "Multiplied the gradient by β (v = v + β·g); β multiplies the old velocity."
        )
        wrong.append(("velocity_decay_on_gradient", on_gradient, _swapped_torch_rule(lr, beta)))
    return wrong


def _nesterov_wrong(lr: sympy.Rational, beta: sympy.Rational) -> WrongRules:
    return [
        (
            "nesterov_as_plain_momentum",
            msg("Stepped along v alone (plain momentum); Nesterov steps along g + β·v."),
            _momentum_rule(lr, beta, "torch"),
        ),
        (
            "nesterov_with_old_velocity",
            msg(
                "Used the previous velocity in the look-ahead (g + β·v_{t−1}); torch uses the new v_t."
            ),
            _nesterov_rule(lr, beta, old_buffer=True),
        ),
        ("momentum_forgotten", _PLAIN_SGD, _sgd_rule(lr)),
    ]


def _adagrad_wrong(lr: sympy.Rational, eps: sympy.Rational) -> WrongRules:
    return [
        (
            "adagrad_without_accumulation",
            msg(
                "Divided by the current |g| only; Adagrad divides by the root of the sum of all g²."
            ),
            _adagrad_rule(lr, eps, accumulate=False),
        ),
        ("eps_inside_sqrt", _EPS_INSIDE, _adagrad_rule(lr, eps, eps_inside=True)),
        (
            "sqrt_forgotten",
            msg("Divided by v itself; the denominator is the square root √v + ε."),
            _adagrad_rule(lr, eps, root=False),
        ),
    ]


def _rmsprop_wrong(lr: sympy.Rational, beta: sympy.Rational, eps: sympy.Rational) -> WrongRules:
    return [
        (
            "rmsprop_as_adagrad",
            msg(
                "Summed the squared gradients (Adagrad); RMSprop keeps a decaying average βv + (1−β)g²."
            ),
            _adagrad_rule(lr, eps),
        ),
        ("eps_inside_sqrt", _EPS_INSIDE, _rmsprop_rule(lr, beta, eps, eps_inside=True)),
        (
            "beta_swapped",
            msg("Swapped β and 1−β: the old average is weighted by β, the new g² by 1−β."),
            _rmsprop_rule(lr, 1 - beta, eps),
        ),
        (
            "rmsprop_old_average",
            msg(
                "Divided by √v_{t−1}, the average before this step's g²; update v_t first, "
                "then divide by √v_t + ε."
            ),
            _rmsprop_rule(lr, beta, eps, old_average=True),
        ),
    ]


def _adam_wrong(
    lr: sympy.Rational, beta1: sympy.Rational, beta2: sympy.Rational, eps: sympy.Rational
) -> WrongRules:
    return [
        (
            "bias_correction_forgotten",
            msg("Used m and v without bias correction; divide by 1−β1^t and 1−β2^t first."),
            _adam_rule(lr, beta1, beta2, eps, corrected=False),
        ),
        ("eps_inside_sqrt", _EPS_INSIDE, _adam_rule(lr, beta1, beta2, eps, eps_inside=True)),
        (
            "betas_swapped",
            msg("Swapped β1 and β2: β1 averages the gradients, β2 the squared gradients."),
            _adam_rule(lr, beta2, beta1, eps),
        ),
    ]


_GRADS = [[2, -12], ["1.5", "-6"]]

OPTIMISERS: tuple[Optimiser, ...] = (
    Optimiser(
        name="optim.sgd",
        summary="Plain gradient descent: w ← w − lr·g, k steps (torch.optim.SGD).",
        lr_doc="number: learning rate (required)",
        lr_default=None,
        hyper={},
        intro=lambda: [msg("SGD: w_t = w_{t−1} − lr·g_t")],
        rule=_sgd_rule,
        wrong=_sgd_wrong,
        example={"weights": [1, -2], "function": "w1**2 + 3*w2**2", "lr": "0.1", "steps": 2},
    ),
    Optimiser(
        name="optim.momentum",
        summary="SGD with momentum, torch form (v = βv + g) or EMA form (v = βv + (1−β)g); "
        "w ← w − lr·v.",
        lr_doc="number: learning rate (required)",
        lr_default=None,
        hyper={
            "beta": BETA,
            "form": Hyper(
                "'torch' (v = βv + g, torch.optim.SGD) or 'ema' (v = βv + (1−β)g) (default torch)",
                "torch",
                _form,
            ),
        },
        intro=_momentum_intro,
        rule=_momentum_rule,
        wrong=_momentum_wrong,
        example={
            "weights": [1, -2],
            "grads": [[2, -12], ["1.6", "-7.2"]],
            "lr": "0.1",
            "beta": "0.9",
        },
    ),
    Optimiser(
        name="optim.nesterov",
        summary="Nesterov momentum as torch.optim.SGD(nesterov=True): v = βv + g, "
        "w ← w − lr·(g + βv).",
        lr_doc="number: learning rate (required)",
        lr_default=None,
        hyper={"beta": BETA},
        intro=lambda beta: [
            msg("β = {b}", b=board(beta)),
            msg(
                "Nesterov (torch): v_t = β·v_{t−1} + g_t, d_t = g_t + β·v_t, w_t = w_{t−1} − lr·d_t"
            ),
        ],
        rule=_nesterov_rule,
        wrong=_nesterov_wrong,
        example={
            "weights": [1, -2],
            "function": "w1**2 + 3*w2**2",
            "lr": "0.1",
            "beta": "0.9",
            "steps": 2,
        },
    ),
    Optimiser(
        name="optim.adagrad",
        summary="Adagrad as torch.optim.Adagrad: v += g², w ← w − lr·g/(√v + ε).",
        lr_doc="number: learning rate (default 0.01, torch's)",
        lr_default="0.01",
        hyper={
            "eps": Hyper(
                "number: ε added outside the square root (default 1e-10, torch's)", "1e-10", _eps
            )
        },
        intro=lambda eps: [
            msg("ε = {e}", e=board(eps)),
            msg("Adagrad: v_t = v_{t−1} + g_t², w_t = w_{t−1} − lr·g_t/(√v_t + ε)"),
        ],
        rule=_adagrad_rule,
        wrong=_adagrad_wrong,
        example={"weights": [1, -2], "grads": _GRADS, "lr": "0.1"},
    ),
    Optimiser(
        name="optim.rmsprop",
        summary="RMSprop as torch.optim.RMSprop: v = βv + (1−β)g², w ← w − lr·g/(√v + ε).",
        lr_doc="number: learning rate (default 0.01, torch's)",
        lr_default="0.01",
        hyper={
            "beta": Hyper(
                "number: decay β of the squared-gradient average, torch's alpha (default 0.99)",
                "0.99",
                _beta,
            ),
            "eps": Hyper(
                "number: ε added outside the square root (default 1e-8, torch's)", "1e-8", _eps
            ),
        },
        intro=lambda beta, eps: [
            msg("β = {b}, ε = {e}", b=board(beta), e=board(eps)),
            msg("RMSprop: v_t = β·v_{t−1} + (1−β)·g_t², w_t = w_{t−1} − lr·g_t/(√v_t + ε)"),
        ],
        rule=_rmsprop_rule,
        wrong=_rmsprop_wrong,
        example={"weights": [1, -2], "grads": _GRADS, "lr": "0.01", "beta": "0.9"},
    ),
    Optimiser(
        name="optim.adam",
        summary="Adam as torch.optim.Adam: moment averages with bias correction, "
        "w ← w − lr·m̂/(√v̂ + ε).",
        lr_doc="number: learning rate (default 0.001, torch's)",
        lr_default="0.001",
        hyper={
            "beta1": Hyper("number: decay β1 of the gradient average (default 0.9)", "0.9", _beta),
            "beta2": Hyper(
                "number: decay β2 of the squared-gradient average (default 0.999)", "0.999", _beta
            ),
            "eps": Hyper(
                "number: ε added outside the square root (default 1e-8, torch's)", "1e-8", _eps
            ),
        },
        intro=lambda beta1, beta2, eps: [
            msg("β1 = {b1}, β2 = {b2}, ε = {e}", b1=board(beta1), b2=board(beta2), e=board(eps)),
            msg("Adam: m_t = β1·m_{t−1} + (1−β1)·g_t, v_t = β2·v_{t−1} + (1−β2)·g_t²,"),
            msg(
                "Bias correction: m̂_t = m_t/(1−β1^t), v̂_t = v_t/(1−β2^t); "
                "w_t = w_{t−1} − lr·m̂_t/(√v̂_t + ε)"
            ),
        ],
        rule=_adam_rule,
        wrong=_adam_wrong,
        example={"weights": [1, -2], "grads": _GRADS, "lr": "0.1"},
    ),
)

sgd, momentum, nesterov, adagrad, rmsprop, adam = (_register(spec) for spec in OPTIMISERS)


__all__ = [
    "OPTIMISERS",
    "PRECISION_DIGITS",
    "Problem",
    "adagrad",
    "adam",
    "make_problem",
    "momentum",
    "nesterov",
    "parse_function",
    "rmsprop",
    "sgd",
]
