"""Optimiser solvers agree with torch.optim step by step and know the classic mistakes."""

from __future__ import annotations

import math

import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import ParamError, get_solver
from reference.optimizers import PRECISION_DIGITS

OPTIMISERS = [
    "optim.sgd",
    "optim.momentum",
    "optim.nesterov",
    "optim.adagrad",
    "optim.rmsprop",
    "optim.adam",
]


def torch_optimizer(name: str, param: torch.Tensor, p: dict) -> torch.optim.Optimizer:
    """The torch.optim optimiser the solver ``name`` promises to match."""
    lr = float(p["lr"])
    wd = float(p.get("weight_decay", 0))
    if name == "optim.sgd":
        return torch.optim.SGD([param], lr=lr, weight_decay=wd)
    if name == "optim.momentum":
        return torch.optim.SGD([param], lr=lr, momentum=float(p["beta"]), weight_decay=wd)
    if name == "optim.nesterov":
        return torch.optim.SGD(
            [param], lr=lr, momentum=float(p["beta"]), nesterov=True, weight_decay=wd
        )
    if name == "optim.adagrad":
        return torch.optim.Adagrad([param], lr=lr, eps=float(p["eps"]), weight_decay=wd)
    if name == "optim.rmsprop":
        return torch.optim.RMSprop(
            [param], lr=lr, alpha=float(p["beta"]), eps=float(p["eps"]), weight_decay=wd
        )
    return torch.optim.Adam(
        [param],
        lr=lr,
        betas=(float(p["beta1"]), float(p["beta2"])),
        eps=float(p["eps"]),
        weight_decay=wd,
    )


def torch_trajectory(name: str, p: dict, grads: list[list[float]]) -> list[list[float]]:
    """Weights after each step of torch.optim in float64, gradients set by hand."""
    param = torch.tensor([float(w) for w in p["weights"]], dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(name, param, p)
    out = []
    for g in grads:
        param.grad = torch.tensor([float(x) for x in g], dtype=torch.float64)
        opt.step()
        out.append(param.detach().tolist())
    return out


def assert_close(ours, theirs, rel=1e-9, abs_=1e-12):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert math.isclose(float(a), b, rel_tol=rel, abs_tol=abs_), (ours, theirs)


def full_params(name: str, **overrides) -> dict:
    defaults = {
        "optim.sgd": {"lr": "0.1"},
        "optim.momentum": {"lr": "0.1", "beta": "0.9"},
        "optim.nesterov": {"lr": "0.1", "beta": "0.9"},
        "optim.adagrad": {"lr": "0.1", "eps": "1e-10"},
        "optim.rmsprop": {"lr": "0.01", "beta": "0.99", "eps": "1e-8"},
        "optim.adam": {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8"},
    }[name]
    return {**defaults, **overrides}


# --------------------------------------------------------------------------- against torch


@pytest.mark.parametrize("name", OPTIMISERS)
@pytest.mark.parametrize("weight_decay", ["0", "0.05"])
def test_each_step_matches_torch_optim_on_given_gradients(name, weight_decay):
    grads = [["0.5", "-1.2", "3"], ["-0.25", "0.8", "2.5"], ["1.5", "0", "-4"]]
    p = full_params(name, weights=["1", "-2", "0.5"], grads=grads, weight_decay=weight_decay)
    solution = get_solver(name)(**p)
    expected = torch_trajectory(name, p, grads)
    for t, weights in enumerate(expected, start=1):
        assert_close(solution.get(f"step{t}.weights"), weights)
    assert solution.get("weights") == solution.get("step3.weights")


small = st.integers(-300, 300).map(lambda n: f"{n / 100:.2f}")


@st.composite
def problems(draw):
    n = draw(st.integers(1, 3))
    k = draw(st.integers(1, 4))
    weights = [draw(small) for _ in range(n)]
    grads = [[draw(small) for _ in range(n)] for _ in range(k)]
    return weights, grads


@pytest.mark.parametrize("name", OPTIMISERS)
@settings(max_examples=20, deadline=None)
@given(
    problem=problems(),
    lr=st.sampled_from(["0.001", "0.01", "0.1", "0.5"]),
    beta=st.sampled_from(["0", "0.5", "0.9", "0.99"]),
    beta2=st.sampled_from(["0.9", "0.99", "0.999"]),
    eps=st.sampled_from(["1e-8", "1e-6", "0.001"]),
)
def test_random_problems_match_torch_optim(name, problem, lr, beta, beta2, eps):
    weights, grads = problem
    if name == "optim.nesterov" and beta == "0":
        beta = "0.5"  # torch refuses Nesterov without momentum
    extra = {
        "optim.sgd": {},
        "optim.momentum": {"beta": beta},
        "optim.nesterov": {"beta": beta},
        "optim.adagrad": {"eps": eps},
        "optim.rmsprop": {"beta": beta2, "eps": eps},
        "optim.adam": {"beta1": beta, "beta2": beta2, "eps": eps},
    }[name]
    p = {"weights": weights, "grads": grads, "lr": lr, **extra}
    solution = get_solver(name)(**p)
    expected = torch_trajectory(name, {**full_params(name), **p}, grads)
    for t, w in enumerate(expected, start=1):
        assert_close(solution.get(f"step{t}.weights"), w)


FUNCTIONS = [
    ("w1**2 + 3*w2**2", lambda w: w[0] ** 2 + 3 * w[1] ** 2),
    ("exp(w1)*w2 + w2**3/3", lambda w: torch.exp(w[0]) * w[1] + w[1] ** 3 / 3),
    ("log(1 + w1**2) + sin(w2)*w1", lambda w: torch.log(1 + w[0] ** 2) + torch.sin(w[1]) * w[0]),
]


@pytest.mark.parametrize("name", OPTIMISERS)
@pytest.mark.parametrize("text,func", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_function_route_gradients_match_autograd(name, text, func):
    p = full_params(name, weights=["0.5", "-1"], function=text, steps=3)
    solution = get_solver(name)(**p)
    param = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(name, param, {**full_params(name), **p})
    for t in range(1, 4):
        opt.zero_grad()
        func(param).backward()
        assert_close(solution.get(f"step{t}.grad"), param.grad.tolist())
        opt.step()
        assert_close(solution.get(f"step{t}.weights"), param.detach().tolist())


@settings(max_examples=30, deadline=None)
@given(
    a=st.integers(-9, 9),
    b=st.integers(1, 9),
    w1=small,
    w2=small,
    lr=st.sampled_from(["0.01", "0.1"]),
)
def test_polynomial_function_gradients_match_autograd_exactly_rational(a, b, w1, w2, lr):
    text = f"{a}*w1**2*w2 + {b}*w2**4 - w1"
    solution = get_solver("optim.sgd")(weights=[w1, w2], function=text, lr=lr, steps=2)
    param = torch.tensor([float(w1), float(w2)], dtype=torch.float64, requires_grad=True)
    (a * param[0] ** 2 * param[1] + b * param[1] ** 4 - param[0]).backward()
    assert_close(solution.get("step1.grad"), param.grad.tolist())
    assert solution.precision is None
    assert all(isinstance(v, sympy.Rational) for v in solution.get("weights"))


def test_ema_momentum_is_torch_momentum_with_learning_rate_scaled_by_one_minus_beta():
    grads = [[2, -12], ["1.6", "-7.2"], ["0.3", "1"]]
    ema = get_solver("optim.momentum")(
        weights=[1, -2], grads=grads, lr="0.1", beta="0.9", form="ema"
    )
    torch_form = get_solver("optim.momentum")(weights=[1, -2], grads=grads, lr="0.01", beta="0.9")
    assert ema.get("weights") == torch_form.get("weights")
    assert ema.get("step2.v") == [sympy.Rational(1, 10) * v for v in torch_form.get("step2.v")]
    assert any("EMA form" in line for line in ema.steps)
    assert any("torch form" in line for line in torch_form.steps)


# --------------------------------------------------------------------------- exactness


def test_sgd_from_decimal_text_is_exact():
    solution = get_solver("optim.sgd")(weights=[1, -2], grads=[[2, -12]], lr="0.1")
    assert solution.get("weights") == [sympy.Rational(4, 5), sympy.Rational(-4, 5)]
    assert solution.get("step1.update") == [sympy.Rational(1, 5), sympy.Rational(-6, 5)]
    assert solution.precision is None


def test_scalar_weights_give_scalar_values():
    solution = get_solver("optim.momentum")(weights="0.5", function="w**2", lr="0.1", steps=2)
    # g1 = 1, v1 = 1, w1 = 0.4; g2 = 0.8, v2 = 1.7, w2 = 0.23
    assert solution.get("step1.grad") == 1
    assert solution.get("step2.v") == sympy.Rational(17, 10)
    assert solution.get("weights") == sympy.Rational(23, 100)


def test_adagrad_with_perfect_square_accumulators_stays_exact():
    solution = get_solver("optim.adagrad")(weights=[1], grads=[[3], [4]], lr="0.5", eps=0)
    # v = 9 then 25: updates 0.5·3/3 and 0.5·4/5
    assert solution.get("step2.v") == [25]
    assert solution.get("weights") == [sympy.Rational(1, 2) - sympy.Rational(2, 5)]
    assert solution.precision is None


def test_adam_first_step_moves_by_about_lr_and_states_precision():
    solution = get_solver("optim.adam")(weights=[1, -2], grads=[[2, -12]], lr="0.1")
    assert solution.get("step1.m_hat") == [2, -12]
    assert solution.get("step1.v_hat") == [4, 144]
    assert solution.get("step1.update") == [
        sympy.Rational(2, 10) / (2 + sympy.Rational(1, 10**8)),
        sympy.Rational(-12, 10) / (12 + sympy.Rational(1, 10**8)),
    ]
    second = get_solver("optim.adam")(weights=[1], grads=[[2], [1]], lr="0.1")
    assert second.precision == f"{PRECISION_DIGITS} significant digits"
    exact_value = 1 - sympy.Rational(2, 10) / (2 + sympy.Rational(1, 10**8))
    m_hat = (sympy.Rational(9, 10) * sympy.Rational(2, 10) + sympy.Rational(1, 10)) / (
        1 - sympy.Rational(81, 100)
    )
    v_hat = (sympy.Rational(999, 1000) * sympy.Rational(4, 1000) + sympy.Rational(1, 1000)) / (
        1 - sympy.Rational(999, 1000) ** 2
    )
    exact_value -= sympy.Rational(1, 10) * m_hat / (sympy.sqrt(v_hat) + sympy.Rational(1, 10**8))
    assert abs(second.get("weights")[0] - exact_value) < sympy.Rational(1, 10**28)


# --------------------------------------------------------------------------- misconceptions


@pytest.mark.parametrize("name", OPTIMISERS)
def test_every_example_has_three_misconceptions_that_change_some_value(name):
    spec = get_solver(name)
    solution = spec(**spec.example)
    assert len(solution.misconceptions) >= 3
    for m in solution.misconceptions:
        assert m.values, m.id
        for key, wrong in m.values.items():
            assert solution.get(key) != wrong
    assert len(solution.steps) >= 4


def misconception(solution, mid):
    return next(m for m in solution.misconceptions if m.id == mid)


def test_adam_bias_correction_forgotten_uses_raw_moments():
    solution = get_solver("optim.adam")(weights=[1], grads=[[2]], lr="0.1", eps=0)
    wrong = misconception(solution, "bias_correction_forgotten").values
    # m = 0.2, v = 0.004: 0.1·0.2/√0.004 ≈ 0.316 instead of exactly 0.1
    assert solution.get("step1.update") == [sympy.Rational(1, 10)]
    assert float(wrong["step1.update"][0]) == pytest.approx(0.1 * 0.2 / math.sqrt(0.004))


@pytest.mark.parametrize("name", ["optim.adagrad", "optim.rmsprop", "optim.adam"])
def test_eps_inside_sqrt_is_named_for_adaptive_optimisers(name):
    solution = get_solver(name)(**full_params(name, weights=[1], grads=[["0.01"]], eps="0.01"))
    assert "eps_inside_sqrt" in {m.id for m in solution.misconceptions}


def test_adagrad_without_accumulation_divides_by_current_gradient_only():
    solution = get_solver("optim.adagrad")(weights=[0], grads=[[3], [4]], lr=1, eps=0)
    wrong = misconception(solution, "adagrad_without_accumulation").values
    assert solution.get("step2.update") == [sympy.Rational(4, 5)]
    assert wrong["step2.update"] == [1]


def test_rmsprop_as_adagrad_sums_squares():
    solution = get_solver("optim.rmsprop")(weights=[0], grads=[[3], [4]], lr=1, beta="0.9")
    assert misconception(solution, "rmsprop_as_adagrad").values["step2.v"] == [25]


def test_nesterov_as_plain_momentum_steps_along_velocity():
    solution = get_solver("optim.nesterov")(weights=[0], grads=[[1]], lr=1, beta="0.5")
    assert solution.get("weights") == [sympy.Rational(-3, 2)]
    assert misconception(solution, "nesterov_as_plain_momentum").values["weights"] == [-1]


def test_other_momentum_form_and_gradient_ascent_are_offered():
    solution = get_solver("optim.momentum")(weights=[0], grads=[[1]], lr=1, beta="0.9")
    assert misconception(solution, "other_momentum_form").values["weights"] == [
        sympy.Rational(-1, 10)
    ]
    assert misconception(solution, "gradient_ascent").values["weights"] == [1]


def test_misconception_equal_to_key_is_left_out():
    # β = 0: both momentum forms and plain SGD give the key, so none of them is offered.
    solution = get_solver("optim.momentum")(weights=[0], grads=[[1], [2]], lr="0.1", beta=0)
    ids = {m.id for m in solution.misconceptions}
    assert "other_momentum_form" not in ids
    assert "momentum_forgotten" not in ids
    assert "gradient_ascent" in ids


def test_weight_decay_variants_are_named_when_decay_is_used():
    solution = get_solver("optim.sgd")(weights=[1], grads=[[1]], lr="0.1", weight_decay="0.5")
    assert solution.get("step1.grad_total") == [sympy.Rational(3, 2)]
    ids = {m.id for m in solution.misconceptions}
    assert {"weight_decay_forgotten", "weight_decay_not_scaled_by_lr", "lr_forgotten"} <= ids


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "params,param",
    [
        ({"weights": [1], "lr": "0.1"}, "grads"),
        ({"weights": [1], "lr": "0.1", "grads": [[1]], "function": "w**2"}, "grads"),
        ({"weights": [1, 2], "lr": "0.1", "grads": [[1]]}, "grads"),
        ({"weights": [1], "lr": "0.1", "grads": [[1]], "steps": 2}, "steps"),
        ({"weights": [1, 2], "lr": "0.1", "function": "w1 + x"}, "function"),
        ({"weights": [1], "lr": "0.1", "function": "__import__('os')"}, "function"),
        ({"weights": [1], "lr": "-0.1", "grads": [[1]]}, "lr"),
        ({"weights": [1], "lr": "abc", "grads": [[1]]}, "lr"),
        (
            {"weights": [1], "lr": "0.1", "function": "log(w)", "steps": 1, "weights_": 0},
            "weights_",
        ),
    ],
)
def test_bad_parameters_raise_param_error_naming_the_parameter(params, param):
    with pytest.raises(ParamError) as err:
        get_solver("optim.sgd")(**params)
    assert err.value.param == param


def test_beta_out_of_range_and_unknown_form_are_rejected():
    with pytest.raises(ParamError, match="beta"):
        get_solver("optim.momentum")(weights=[1], grads=[[1]], lr=1, beta="1.5")
    with pytest.raises(ParamError) as err:
        get_solver("optim.momentum")(weights=[1], grads=[[1]], lr=1, form="nag")
    assert err.value.param == "form"


def test_zero_eps_with_zero_gradient_is_a_param_error_not_a_crash():
    with pytest.raises(ParamError) as err:
        get_solver("optim.adagrad")(weights=[1], grads=[[0]], lr=1, eps=0)
    assert err.value.param == "eps"


def test_function_undefined_at_the_weights_is_a_param_error():
    with pytest.raises(ParamError) as err:
        get_solver("optim.sgd")(weights=[0], function="log(w)", lr="0.1")
    assert err.value.param == "function"
