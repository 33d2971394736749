"""gd.l2_step and gd.descent: exact course values, torch autograd and SGD, misconceptions, errors."""

from __future__ import annotations

from decimal import Decimal

import mpmath
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Rational as R

from reference import ParamError, get_solver
from reference.gd import descent, l2_step

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
    assert sol.get("weights") == [
        R("0.1033"),
        R("0.2066"),
        R("-0.0863"),
        R("0.07715"),
        R("0.06439"),
    ]


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
@given(
    n=st.integers(1, 5),
    data=st.data(),
    x=decimals,
    target=decimals,
    lr=positive,
    lam=st.sampled_from(["0", "0.1", "0.5", "1"]),
    loss=st.sampled_from(["half_squared", "squared"]),
)
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
    assert m.values == {
        "weights": [R("0.1034"), R("0.2068"), R("-0.0864"), R("0.0772"), R("0.0644")]
    }


def test_lambda_without_eta_shrinks_by_one_minus_lambda():
    m = misconception(l2_step(**COURSE), "lambda_without_eta")
    assert m.values["weights"][0] == R("0.09") + R("0.0034")


def test_gradient_sign_error_adds_the_gradient_step():
    m = misconception(l2_step(**COURSE), "gradient_sign_error")
    assert m.values["weights"][1] == R("0.1998") - R("0.0068")


def test_extra_l2_misconceptions_have_their_described_values():
    sol = l2_step(**COURSE)
    assert misconception(sol, "l2_gradient_two_lambda").values["weights"][0] == (
        R("0.1") * R("0.998") + R("0.0034")
    )
    assert misconception(sol, "l2_sign_error").values["weights"][0] == (
        R("0.1") * R("1.001") + R("0.0034")
    )
    assert misconception(sol, "loss_includes_penalty").values == {
        "loss": R(289, 5000) + R("0.05") * R("0.0626")
    }


def test_without_lambda_the_l2_misconceptions_are_dropped_as_equal_to_the_key():
    ids = {m.id for m in l2_step(**{**COURSE, "lam": 0}).misconceptions}
    assert ids == {"other_loss_convention", "gradient_sign_error"}


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 4),
    data=st.data(),
    target=decimals,
    lr=positive,
    lam=st.sampled_from(["0", "0.1", "0.5"]),
)
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


# ================================================================ gd.descent


EXAMPLE = get_solver("gd.descent").example


def test_descent_example_first_batch_step_is_exact():
    sol = descent(**EXAMPLE)
    assert sol.get("step1.z") == [R(1, 5), R(1, 10)]
    assert sol.get("step1.loss") == R(41, 80)  # (0.3² + 1.4²) / 4
    assert sol.get("step1.grad") == [R("-0.85"), R("-1.55"), R("-2.95")]
    assert sol.get("step1.weights") == [R("0.184"), R("0.353"), R("0.196")]
    assert sol.get("weights") == sol.get("step2.weights")
    assert sol.precision is None


def test_descent_with_one_sample_and_l2_is_the_l2_step():
    for loss, step_loss in (("half_mean_squared", "half_squared"), ("sum_squared", "squared")):
        one = descent(
            weights=COURSE["weights"],
            samples=[{"x": 2, "target": 1}],
            lr="0.01",
            reg="l2",
            lam="0.1",
            loss=loss,
            features=["1", "x", "x^2", "x^3", "x^4"],
        )
        step = l2_step(**COURSE, loss=step_loss)
        assert one.get("step1.z") == step.get("z")
        assert one.get("step1.loss") == step.get("loss")
        assert one.get("step1.grad") == step.get("grad")
        assert one.get("weights") == step.get("weights")


def test_default_features_are_powers_of_x_one_per_weight():
    sol = descent(
        weights=["0.1", "0.2", "-0.1", "0.05", "0.01"], samples=[{"x": 2, "target": 1}], lr="0.01"
    )
    assert sol.get("step1.z") == R(33, 50)


def test_sequential_pass_is_one_l2_step_per_sample_in_order():
    samples = [{"inputs": ["1", "0.5"], "target": 1}, {"inputs": ["1", "-2"], "target": 0}]
    sol = descent(
        weights=["0.3", "-0.2"], samples=samples, lr="0.1", mode="sequential", reg="l2", lam="0.2"
    )
    first = l2_step(weights=["0.3", "-0.2"], inputs=["1", "0.5"], target=1, lr="0.1", lam="0.2")
    second = l2_step(
        weights=first.get("weights"), inputs=["1", "-2"], target=0, lr="0.1", lam="0.2"
    )
    assert sol.get("step1.weights") == first.get("weights")
    assert sol.get("step2.weights") == second.get("weights") == sol.get("weights")
    assert sol.get("step2.z") == second.get("z")


def test_l1_subgradient_takes_sign_of_zero_as_zero():
    sol = descent(
        weights=[0, 1], samples=[{"inputs": [0, 1], "target": 1}], lr="0.5", reg="l1", lam="0.1"
    )
    assert sol.get("step1.grad") == [0, 0]
    assert sol.get("weights") == [0, R("0.95")]
    m = misconception(sol, "l1_sign_zero_as_one")
    assert m.values["weights"] == [R("-0.05"), R("0.95")]
    assert "step1.grad" not in m.values


def test_elastic_splits_lambda_by_l1_ratio():
    sol = descent(
        weights=["0.5", "-1"],
        samples=[{"inputs": [0, 0], "target": 0}],
        lr="0.1",
        reg="elastic",
        lam="1",
        l1_ratio="0.25",
    )
    # penalty gradient 0.25·sign(w) + 0.75·w
    assert sol.get("weights") == [
        R("0.5") - R("0.1") * (R("0.25") + R("0.375")),
        -1 - R("0.1") * (R("-0.25") - R("0.75")),
    ]


def test_relu_derivative_at_zero_is_zero_and_the_other_choice_is_a_misconception():
    sol = descent(
        weights=[1, -1], samples=[{"inputs": [1, 1], "target": 1}], lr="0.1", activation="relu"
    )
    assert sol.get("step1.z") == 0 and sol.get("step1.yhat") == 0
    assert sol.get("weights") == [1, -1]
    m = misconception(sol, "relu_derivative_at_zero_one")
    assert m.values["weights"] == [R("1.1"), R("-0.9")]


def test_sigmoid_values_carry_the_stated_precision():
    sol = descent(
        weights=["0.2"],
        samples=[{"inputs": [1], "target": 1}],
        lr="0.5",
        activation="sigmoid",
        loss="bce",
    )
    assert sol.precision.startswith("30 significant digits")
    with mpmath.workdps(60):
        yhat = 1 / (1 + mpmath.exp(-mpmath.mpf("0.2")))
        w1 = mpmath.mpf("0.2") - mpmath.mpf("0.5") * (yhat - 1)
        assert abs(mpmath.mpf(str(sol.get("step1.yhat").evalf(60))) - yhat) < mpmath.mpf("1e-29")
        assert abs(mpmath.mpf(str(sol.get("weights")[0].evalf(60))) - w1) < mpmath.mpf("1e-29")
        assert abs(mpmath.mpf(str(sol.get("step1.loss").evalf(60))) + mpmath.log(yhat)) < (
            mpmath.mpf("1e-29")
        )
    assert any("≈0.5498339973" in line for line in sol.steps)


def _torch_descent(weights, samples, lr, steps, mode, reg, lam, ratio, activation, loss):
    """The same descent in float64 torch autograd: data gradient and penalty by backward()."""
    w = floats(weights)
    feats = [floats([float(s["x"]) ** k for k in range(len(weights))]) for s in samples]
    targets = [float(s["target"]) for s in samples]
    lam1 = {"l1": lam, "elastic": ratio * lam}.get(reg, 0.0)
    lam2 = {"l2": lam, "elastic": (1 - ratio) * lam}.get(reg, 0.0)
    groups = [list(range(len(samples)))] if mode == "batch" else [[j] for j in range(len(samples))]
    record = []
    for _ in range(steps):
        for idx in groups:
            w = w.detach().requires_grad_(True)
            X = torch.stack([feats[j] for j in idx])
            y = torch.tensor([targets[j] for j in idx], dtype=torch.float64)
            z = X @ w
            if loss == "bce":
                data = F.binary_cross_entropy_with_logits(z, y)
            else:
                yhat = {"linear": z, "relu": torch.relu(z), "sigmoid": torch.sigmoid(z)}[activation]
                sq = ((y - yhat) ** 2).sum()
                data = {
                    "sum_squared": sq,
                    "mean_squared": sq / len(idx),
                    "half_mean_squared": sq / (2 * len(idx)),
                }[loss]
            (grad,) = torch.autograd.grad(data, w, retain_graph=True)
            penalty = lam1 * w.abs().sum() + lam2 / 2 * (w**2).sum()  # d|w|/dw at 0 is 0
            (total,) = torch.autograd.grad(data + penalty, w)
            w = (w - lr * total).detach()
            record.append((data.item(), grad, w))
    return record


def _close(exact_vec, tensor):
    return torch.allclose(floats(exact_vec), tensor, atol=1e-9, rtol=1e-9)


small = st.integers(-10, 10).map(lambda k: str(Decimal(k) / 10))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3),
    m=st.integers(1, 3),
    data=st.data(),
    steps=st.integers(1, 3),
    mode=st.sampled_from(["batch", "sequential"]),
    reg=st.sampled_from(["none", "l1", "l2", "elastic"]),
    head=st.sampled_from(
        [
            ("linear", "sum_squared"),
            ("linear", "mean_squared"),
            ("linear", "half_mean_squared"),
            ("relu", "mean_squared"),
            ("sigmoid", "half_mean_squared"),
            ("sigmoid", "bce"),
        ]
    ),
    lr=st.sampled_from(["0.01", "0.05", "0.1"]),
    ratio=st.sampled_from(["0.25", "0.5"]),
)
def test_descent_matches_torch_autograd_for_every_mode_regulariser_and_head(
    n, m, data, steps, mode, reg, head, lr, ratio
):
    activation, loss = head
    weights = data.draw(st.lists(small, min_size=n, max_size=n))
    targets = st.sampled_from(["0", "1"]) if loss == "bce" else small
    samples = [{"x": data.draw(small), "target": data.draw(targets)} for _ in range(m)]
    lam = "0" if reg == "none" else "0.1"
    sol = descent(
        weights=weights,
        samples=samples,
        lr=lr,
        steps=steps,
        mode=mode,
        reg=reg,
        lam=lam,
        l1_ratio=ratio,
        activation=activation,
        loss=loss,
    )
    record = _torch_descent(
        weights, samples, float(lr), steps, mode, reg, float(lam), float(ratio), activation, loss
    )
    assert len(record) == steps * (1 if mode == "batch" else m)
    for t, (data_loss, grad, w) in enumerate(record, start=1):
        assert abs(float(sol.get(f"step{t}.loss")) - data_loss) <= 1e-9 * max(1, abs(data_loss))
        assert _close(sol.get(f"step{t}.grad"), grad)
        assert _close(sol.get(f"step{t}.weights"), w)
    assert _close(sol.get("weights"), record[-1][2])
    for mc in sol.misconceptions:
        assert mc.values and all(v != sol.get(k) for k, v in mc.values.items()), mc.id


# ---------------------------------------------------------------- descent: misconceptions


def _differing(sol, other):
    return {k: v for k, v in other.values.items() if k in sol.values and v != sol.get(k)}


def test_regulariser_left_out_is_the_unregularised_run():
    sol = descent(**EXAMPLE)
    plain = descent(**{**EXAMPLE, "reg": "none", "lam": 0})
    assert misconception(sol, "regulariser_left_out").values == _differing(sol, plain)
    assert misconception(sol, "regulariser_left_out").values["weights"] == plain.get("weights")


def test_other_mse_conventions_are_the_runs_with_that_loss():
    sol = descent(**EXAMPLE)
    for other, mid in (
        ("sum_squared", "other_mse_convention_sum"),
        ("mean_squared", "other_mse_convention_mean"),
    ):
        m = misconception(sol, mid)
        assert m.values == _differing(sol, descent(**{**EXAMPLE, "loss": other}))
        assert m.values["step1.grad"] != sol.get("step1.grad")
    assert "other_mse_convention_half_mean" not in {m.id for m in sol.misconceptions}


def test_mode_swapped_is_the_sequential_run_of_a_batch_question():
    sol = descent(**EXAMPLE)
    seq = descent(**{**EXAMPLE, "mode": "sequential"})
    m = misconception(sol, "mode_swapped")
    assert m.values["weights"] == seq.get("weights")
    assert m.values["step1.z"] == R(1, 5)  # only the first sample's z


def test_mode_swapped_is_absent_with_a_single_sample():
    sol = descent(**{**EXAMPLE, "samples": [{"x": 1, "target": 1}]})
    assert "mode_swapped" not in {m.id for m in sol.misconceptions}


def test_gradient_sign_error_and_lambda_without_eta_first_step_weights():
    sol = descent(**{**EXAMPLE, "steps": 1})
    w, g = [R("0.1"), R("0.2"), R("-0.1")], sol.get("step1.grad")
    sign = misconception(sol, "gradient_sign_error").values["weights"]
    assert sign == [v * R("0.99") + R("0.1") * gi for v, gi in zip(w, g)]
    no_eta = misconception(sol, "lambda_without_eta").values["weights"]
    assert no_eta == [v - R("0.1") * v - R("0.1") * gi for v, gi in zip(w, g)]


def test_sigmoid_derivative_left_out_changes_squared_loss_gradients():
    sol = descent(
        weights=["0.3"],
        samples=[{"inputs": [1], "target": 1}],
        lr="0.1",
        activation="sigmoid",
        loss="mean_squared",
    )
    m = misconception(sol, "sigmoid_derivative_left_out")
    yhat = sol.get("step1.yhat")
    assert abs(m.values["step1.grad"][0] - (-2 * (1 - yhat))) < R(1, 10**28)


# ---------------------------------------------------------------- descent: errors


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"loss": "mse"}, "loss"),
        ({"mode": "minibatch"}, "mode"),
        ({"reg": "dropout"}, "reg"),
        ({"activation": "tanh"}, "activation"),
        ({"loss": "bce"}, "activation"),
        ({"activation": "sigmoid", "loss": "bce"}, "samples"),  # target 1.5 is not in [0, 1]
        ({"samples": [{"x": 1}]}, "samples[0]"),
        ({"samples": [{"x": 1, "target": 1, "y": 2}]}, "samples[0]"),
        ({"samples": [{"inputs": [1, 2], "target": 1}]}, "samples[0].inputs"),
        ({"samples": []}, "samples"),
        ({"steps": 0}, "steps"),
        ({"steps": "2"}, "steps"),
        ({"l1_ratio": 2}, "l1_ratio"),
        ({"reg": "none", "lam": "0.1"}, "lam"),
        ({"lr": "-0.1"}, "lr"),
        ({"features": ["1", "x", "z"]}, "features[2]"),
    ],
)
def test_descent_bad_input_raises_param_error_naming_the_parameter(change, param):
    with pytest.raises(ParamError) as err:
        descent(**{**EXAMPLE, **change})
    assert err.value.param == param


def test_loss_after_update_reports_the_next_forward_pass_loss():
    sol = descent(**EXAMPLE)
    m = misconception(sol, "loss_after_update")
    assert m.values == {"step1.loss": sol.get("step2.loss"), "step2.loss": sol.get("loss")}


def test_bce_misconceptions_sum_the_batch_or_apply_the_sigmoid_slope_twice():
    kw = {
        **EXAMPLE,
        "steps": 1,
        "reg": "none",
        "lam": 0,
        "activation": "sigmoid",
        "loss": "bce",
        "samples": [{"x": 1, "target": 0}, {"x": 2, "target": 1}],
    }
    sol = descent(**kw)
    summed = misconception(sol, "bce_summed_not_averaged").values
    tiny = R(1, 10**28)
    assert abs(summed["step1.loss"] - 2 * sol.get("step1.loss")) < tiny
    assert all(abs(a - 2 * g) < tiny for a, g in zip(summed["step1.grad"], sol.get("step1.grad")))
    twice = misconception(sol, "bce_sigmoid_slope_applied_twice").values
    (y1, y2), x2 = sol.get("step1.yhat"), [1, 2, 4]
    expected = [(y1 * y1 * (1 - y1) + (y2 - 1) * y2 * (1 - y2) * x) / 2 for x in x2]
    assert all(abs(a - b) < R(1, 10**28) for a, b in zip(twice["step1.grad"], expected))


def test_one_sample_keeps_a_single_misconception_for_sum_and_mean_conventions():
    sol = descent(**{**EXAMPLE, "samples": [{"x": 1, "target": 1}]})
    ids = [m.id for m in sol.misconceptions]
    assert "other_mse_convention_sum" in ids and "other_mse_convention_mean" not in ids
    assert len(ids) >= 3


def test_every_registered_example_serialises_to_json_with_exact_strings():
    import json

    from reference import solution_json

    for name in ("gd.l2_step", "gd.descent"):
        spec = get_solver(name)
        text = json.dumps(solution_json(spec(**spec.example)))
        assert '"exact": "' in text
