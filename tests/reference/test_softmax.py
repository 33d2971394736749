"""Softmax and distillation keys agree with torch.nn.functional and name the usual slips."""

from __future__ import annotations

import math

import pytest
import sympy
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import ParamError, get_solver
from reference.softmax import PRECISION_DIGITS


def tensor(values) -> torch.Tensor:
    return torch.tensor([float(v) for v in values], dtype=torch.float64)


def assert_close(ours, theirs, rel=1e-12, abs_=1e-14):
    if isinstance(theirs, list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert math.isclose(float(a), b, rel_tol=rel, abs_tol=abs_), (ours, theirs)
    else:
        assert math.isclose(float(ours), theirs, rel_tol=rel, abs_tol=abs_), (ours, theirs)


def misconception(solution, mid):
    return next(m for m in solution.misconceptions if m.id == mid)


logit = st.integers(-500, 500).map(lambda n: f"{n / 100:.2f}")
temperature = st.sampled_from(["0.5", "1", "2", "3", "4.5", "10"])


# --------------------------------------------------------------------------- softmax


def test_softmax_at_temperature_two_matches_torch_and_states_precision():
    solution = get_solver("softmax")(logits=[2, 1, "0.1"], T=2)
    assert_close(solution.get("probabilities"), F.softmax(tensor([1, 0.5, 0.05]), 0).tolist())
    assert solution.get("scaled_logits") == [1, sympy.Rational(1, 2), sympy.Rational(1, 20)]
    assert solution.precision == f"{PRECISION_DIGITS} significant digits"
    assert any("exp(z/T)" in line for line in solution.steps)


@settings(max_examples=40, deadline=None)
@given(logits=st.lists(logit, min_size=1, max_size=5), t=temperature)
def test_random_logits_match_torch_softmax(logits, t):
    solution = get_solver("softmax")(logits=logits, T=t)
    expected = F.softmax(tensor(logits) / float(t), dim=0).tolist()
    assert_close(solution.get("probabilities"), expected)
    for m in solution.misconceptions:
        assert any(solution.get(k) != v for k, v in m.values.items())


def test_probabilities_are_given_to_thirty_digits():
    solution = get_solver("softmax")(logits=[0, 1])
    exact_p = 1 / (1 + sympy.E)
    assert abs(solution.get("probabilities")[0] - exact_p) < sympy.Rational(1, 10**30)


def test_equal_logits_give_exact_uniform_probabilities():
    solution = get_solver("softmax")(logits=["1.5", "1.5", "1.5"], T=3)
    assert solution.get("probabilities") == [sympy.Rational(1, 3)] * 3
    assert solution.precision is None


def test_softmax_misconceptions_change_the_probabilities():
    solution = get_solver("softmax")(logits=[2, 1, 0], T=2)
    p = F.softmax(tensor([2, 1, 0]), 0).tolist()
    assert_close(misconception(solution, "temperature_ignored").values["probabilities"], p)
    p4 = F.softmax(tensor([4, 2, 0]), 0).tolist()
    assert_close(misconception(solution, "temperature_multiplied").values["probabilities"], p4)
    assert_close(
        misconception(solution, "no_normalisation").values["probabilities"],
        [math.e, math.exp(0.5), 1.0],
    )
    assert misconception(solution, "argmax_one_hot").values["probabilities"] == [1, 0, 0]


def test_temperature_one_does_not_offer_temperature_misconceptions():
    ids = {m.id for m in get_solver("softmax")(logits=[2, 1, 0]).misconceptions}
    assert "temperature_ignored" not in ids
    assert "temperature_multiplied" not in ids
    assert {"no_normalisation", "argmax_one_hot"} <= ids


@pytest.mark.parametrize(
    "params,param",
    [
        ({"logits": []}, "logits"),
        ({"logits": "1, 2"}, "logits"),
        ({"logits": [1, "x"]}, "logits[1]"),
        ({"logits": [1, 2], "T": 0}, "T"),
        ({"logits": [1, 2], "T": "-1"}, "T"),
    ],
)
def test_bad_softmax_parameters_name_the_parameter(params, param):
    with pytest.raises(ParamError) as err:
        get_solver("softmax")(**params)
    assert err.value.param == param


# --------------------------------------------------------------------------- distillation


def torch_distillation(s, t, label, temp, alpha):
    s, t, temp = tensor(s), tensor(t), float(temp)
    ce = F.cross_entropy(s.unsqueeze(0), torch.tensor([label]))
    log_q = F.log_softmax(s / temp, dim=0)
    p = F.softmax(t / temp, dim=0)
    kl = F.kl_div(log_q, p, reduction="sum")
    ce_soft = -(p * log_q).sum()
    loss = float(alpha) * ce + (1 - float(alpha)) * temp**2 * kl
    return {
        "teacher_soft": p.tolist(),
        "student_soft": F.softmax(s / temp, dim=0).tolist(),
        "student_probs": F.softmax(s, dim=0).tolist(),
        "ce_hard": ce.item(),
        "kl_soft": kl.item(),
        "ce_soft": ce_soft.item(),
        "loss": loss.item(),
    }


def test_distillation_example_matches_torch_functional():
    spec = get_solver("distillation")
    solution = spec(**spec.example)
    expected = torch_distillation(
        s=spec.example["student_logits"],
        t=spec.example["teacher_logits"],
        label=spec.example["label"],
        temp=spec.example["T"],
        alpha=spec.example["alpha"],
    )
    for key, value in expected.items():
        assert_close(solution.get(key), value, rel=1e-10)
    assert solution.precision == f"{PRECISION_DIGITS} significant digits"


@st.composite
def distillation_problems(draw):
    n = draw(st.integers(2, 5))
    s = [draw(logit) for _ in range(n)]
    t = [draw(logit) for _ in range(n)]
    return s, t, draw(st.integers(0, n - 1))


@settings(max_examples=30, deadline=None)
@given(
    problem=distillation_problems(),
    temp=temperature,
    alpha=st.sampled_from(["0", "0.1", "0.5", "0.7", "1"]),
)
def test_random_distillation_problems_match_torch(problem, temp, alpha):
    s, t, label = problem
    solution = get_solver("distillation")(
        student_logits=s, teacher_logits=t, label=label, T=temp, alpha=alpha
    )
    for key, value in torch_distillation(s, t, label, temp, alpha).items():
        assert_close(solution.get(key), value, rel=1e-9, abs_=1e-12)
    for m in solution.misconceptions:
        assert any(solution.get(k) != v for k, v in m.values.items())


def test_soft_cross_entropy_is_kl_plus_teacher_entropy():
    solution = get_solver("distillation")(
        student_logits=[1, 0], teacher_logits=[0, 1], label=1, T=1, alpha="0.5"
    )
    p = solution.get("teacher_soft")
    entropy = -sum(float(pi) * math.log(float(pi)) for pi in p)
    assert_close(solution.get("ce_soft"), float(solution.get("kl_soft")) + entropy)


def test_identical_logits_give_zero_kl_exactly():
    solution = get_solver("distillation")(
        student_logits=[2, 1, 0], teacher_logits=[2, 1, 0], label=0, T=3, alpha="0.5"
    )
    assert solution.get("kl_soft") == 0
    ids = {m.id for m in solution.misconceptions}
    assert "kl_direction_reversed" not in ids
    assert "t_squared_forgotten" not in ids


def test_distillation_misconceptions_give_the_wrong_losses_students_write():
    solution = get_solver("distillation")(
        student_logits=[1, "0.5", -1], teacher_logits=[3, 1, "-0.5"], label=0, T=2, alpha="0.3"
    )
    ce, kl = float(solution.get("ce_hard")), float(solution.get("kl_soft"))
    wrong = {m.id: m.values for m in solution.misconceptions}
    assert_close(wrong["t_squared_forgotten"]["loss"], 0.3 * ce + 0.7 * kl)
    assert_close(wrong["alpha_swapped"]["loss"], 0.7 * ce + 0.3 * 4 * kl)
    s, t = tensor([1, 0.5, -1]) / 2, tensor([3, 1, -0.5]) / 2
    reversed_kl = F.kl_div(F.log_softmax(t, 0), F.softmax(s, 0), reduction="sum").item()
    assert_close(wrong["kl_direction_reversed"]["kl_soft"], reversed_kl)
    at_one = F.kl_div(
        F.log_softmax(tensor([1, 0.5, -1]), 0),
        F.softmax(tensor([3, 1, -0.5]), 0),
        reduction="sum",
    ).item()
    assert_close(wrong["soft_targets_at_t1"]["kl_soft"], at_one)
    assert len(solution.misconceptions) >= 4


@pytest.mark.parametrize(
    "params,param",
    [
        ({"student_logits": [1, 2], "teacher_logits": [1], "label": 0}, "teacher_logits"),
        ({"student_logits": [1, 2], "teacher_logits": [1, 2], "label": 2}, "label"),
        ({"student_logits": [1, 2], "teacher_logits": [1, 2], "label": "0.5"}, "label"),
        ({"student_logits": [1, 2], "teacher_logits": [1, 2], "label": 0, "T": 0}, "T"),
        ({"student_logits": [1, 2], "teacher_logits": [1, 2], "label": 0, "alpha": 2}, "alpha"),
    ],
)
def test_bad_distillation_parameters_name_the_parameter(params, param):
    with pytest.raises(ParamError) as err:
        get_solver("distillation")(**params)
    assert err.value.param == param
