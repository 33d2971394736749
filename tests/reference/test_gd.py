"""gd.l2_step and gd.descent: exact course values, torch autograd and SGD, misconceptions, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Rational as R

from reference import ParamError, get_solver
from reference.gd import l2_step

COURSE = {
    "weights": ["0.1", "0.2", "-0.1", "0.05", "0.01"],
    "inputs": ["1", "x", "x^2", "x^3", "x^4"],
    "x": 2,
    "target": 1,
    "lr": "0.01",
    "lam": "0.1",
}

decimals = st.integers(-30, 30).map(lambda k: str(Decimal(k) / 10))
positive = st.integers(1, 20).map(lambda k: str(Decimal(k) / 100))


def floats(values) -> torch.Tensor:
    return torch.tensor([float(v) for v in values], dtype=torch.float64)


def misconception(sol, mid):
    return next(m for m in sol.misconceptions if m.id == mid)


# ---------------------------------------------------------------- l2_step: course example


def test_course_step_evaluates_polynomial_inputs_at_x():
    sol = l2_step(**COURSE)
    assert sol.get("inputs") == [1, 2, 4, 8, 16]
    assert sol.get("z") == R(33, 50)


def test_course_step_half_squared_loss_gradient_and_weights_are_exact():
    sol = l2_step(**COURSE)
    assert sol.get("loss") == R(289, 5000)  # ½ · 0.34²
    assert sol.get("grad") == [R(-17, 50) * i for i in (1, 2, 4, 8, 16)]
    assert sol.get("weights") == [R("0.1033"), R("0.2066"), R("-0.0863"), R("0.07715"),
                                  R("0.06439")]


def test_course_step_squared_loss_doubles_loss_and_gradient():
    half = l2_step(**COURSE)
    full = l2_step(**COURSE, loss="squared")
    assert full.get("loss") == 2 * half.get("loss")
    assert full.get("grad") == [2 * g for g in half.get("grad")]
    assert full.get("weights")[0] == R(999, 10000) + R(68, 10000)


def test_steps_say_the_penalty_is_lambda_half_norm_squared_with_gradient_lambda_w():
    text = "\n".join(l2_step(**COURSE).steps)
    assert "(λ/2)·‖w‖² has gradient λ·w" in text
    assert "1 − ηλ = 1 − (1/100)·(1/10) = 999/1000" in text
    assert "inputs at x = 2: 1, x = 2, x^2 = 4, x^3 = 8, x^4 = 16" in text


def test_registered_example_is_the_course_step():
    spec = get_solver("gd.l2_step")
    assert spec(**spec.example).get("weights")[4] == R("0.06439")


def test_numeric_inputs_and_decimal_coefficients_in_expressions_are_exact():
    sol = l2_step(weights=[1, 1], inputs=["0.5*x", "0.1"], target=0, lr="0.1", x="0.3")
    assert sol.get("inputs") == [R(3, 20), R(1, 10)]


# ---------------------------------------------------------------- l2_step: torch


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 5), data=st.data(), x=decimals, target=decimals, lr=positive,
       lam=st.sampled_from(["0", "0.1", "0.5", "1"]),
       loss=st.sampled_from(["half_squared", "squared"]))
def test_l2_step_matches_torch_autograd_and_sgd_weight_decay(n, data, x, target, lr, lam, loss):
    weights = data.draw(st.lists(decimals, min_size=n, max_size=n))
    inputs = ["1", "x", "x^2", "x**3", "2*x - 1"][:n]
    sol = l2_step(weights=weights, inputs=inputs, target=target, lr=lr, lam=lam, loss=loss, x=x)

    xf = float(x)
    feats = torch.tensor([1.0, xf, xf**2, xf**3, 2 * xf - 1][:n], dtype=torch.float64)
    w = floats(weights).requires_grad_(True)
    c = 0.5 if loss == "half_squared" else 1.0
    data_loss = c * (float(target) - w @ feats) ** 2
    data_loss.backward()
    assert abs(float(sol.get("loss")) - data_loss.item()) < 1e-9
    assert torch.allclose(floats(sol.get("grad")), w.grad, atol=1e-9, rtol=0)

    sgd = torch.optim.SGD([w], lr=float(lr), weight_decay=float(lam))
    sgd.step()  # w − η(g + λw): the same as (1 − ηλ)w − ηg
    assert torch.allclose(floats(sol.get("weights")), w.detach(), atol=1e-9, rtol=0)


# ---------------------------------------------------------------- l2_step: misconceptions


def test_other_loss_convention_doubles_gradient_and_changes_weights():
    sol = l2_step(**COURSE)
    m = misconception(sol, "other_loss_convention")
    assert m.values["grad"] == [2 * g for g in sol.get("grad")]
    assert m.values["loss"] == 2 * sol.get("loss")
    assert m.values["weights"][0] == R(999, 10000) + R(68, 10000)


def test_other_loss_convention_from_squared_halves_the_gradient():
    sol = l2_step(**COURSE, loss="squared")
    m = misconception(sol, "other_loss_convention")
    assert m.values["grad"] == [g / 2 for g in sol.get("grad")]


def test_l2_term_left_out_is_plain_gradient_step():
    m = misconception(l2_step(**COURSE), "l2_term_left_out")
    assert m.values == {"weights": [R("0.1034"), R("0.2068"), R("-0.0864"), R("0.0772"),
                                    R("0.0644")]}


def test_lambda_without_eta_shrinks_by_one_minus_lambda():
    m = misconception(l2_step(**COURSE), "lambda_without_eta")
    assert m.values["weights"][0] == R("0.09") + R("0.0034")


def test_gradient_sign_error_adds_the_gradient_step():
    m = misconception(l2_step(**COURSE), "gradient_sign_error")
    assert m.values["weights"][1] == R("0.1998") - R("0.0068")


def test_extra_l2_misconceptions_have_their_described_values():
    sol = l2_step(**COURSE)
    assert misconception(sol, "l2_gradient_two_lambda").values["weights"][0] == (
        R("0.1") * R("0.998") + R("0.0034"))
    assert misconception(sol, "l2_sign_error").values["weights"][0] == (
        R("0.1") * R("1.001") + R("0.0034"))
    assert misconception(sol, "loss_includes_penalty").values == {
        "loss": R(289, 5000) + R("0.05") * R("0.0626")}


def test_without_lambda_the_l2_misconceptions_are_dropped_as_equal_to_the_key():
    ids = {m.id for m in l2_step(**{**COURSE, "lam": 0}).misconceptions}
    assert ids == {"other_loss_convention", "gradient_sign_error"}


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 4), data=st.data(), target=decimals, lr=positive,
       lam=st.sampled_from(["0", "0.1", "0.5"]))
def test_l2_step_misconceptions_never_repeat_the_key(n, data, target, lr, lam):
    weights = data.draw(st.lists(decimals, min_size=n, max_size=n))
    inputs = data.draw(st.lists(decimals, min_size=n, max_size=n))
    sol = l2_step(weights=weights, inputs=inputs, target=target, lr=lr, lam=lam)
    for m in sol.misconceptions:
        assert m.values
        assert all(v != sol.get(k) for k, v in m.values.items()), m.id


# ---------------------------------------------------------------- l2_step: errors


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"loss": "mse"}, "loss"),
        ({"inputs": ["1", "x"]}, "inputs"),
        ({"inputs": ["1", "x", "y**2", "x^3", "x^4"]}, "inputs[2]"),
        ({"inputs": ["1", "x", "__import__('os')", "x^3", "x^4"]}, "inputs[2]"),
        ({"inputs": ["1", "x", "x^2", "x^3", "1/(x-2)"]}, "inputs[4]"),
        ({"x": None}, "x"),
        ({"lr": 0}, "lr"),
        ({"lam": "-0.1"}, "lam"),
        ({"weights": "0.1"}, "weights"),
        ({"target": "one"}, "target"),
    ],
)
def test_l2_step_bad_input_raises_param_error_naming_the_parameter(change, param):
    with pytest.raises(ParamError) as err:
        l2_step(**{**COURSE, **change})
    assert err.value.param == param
