"""The mistakes students really make with optimisers and distillation, each value checked
against torch doing the same wrong thing (not against the solver's own arithmetic)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import get_solver


def mistake(solution, mid: str) -> dict:
    found = {m.id: m for m in solution.misconceptions}
    assert mid in found, sorted(found)
    return found[mid].values


def assert_close(ours, theirs, rel: float = 1e-9) -> None:
    ours = ours if isinstance(ours, list) else [ours]
    theirs = theirs if isinstance(theirs, list) else [theirs]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert math.isclose(float(a), b, rel_tol=rel, abs_tol=1e-12), (ours, theirs)


def tensor(values) -> torch.Tensor:
    return torch.tensor([float(v) for v in values], dtype=torch.float64)


# --------------------------------------------------------------------------- optimisers


def test_rmsprop_divided_by_the_previous_average_matches_a_torch_loop_doing_so():
    grads = [[2, -12], [1.5, -6], [-1, 3]]
    lr, beta, eps = 0.01, 0.9, 0.1
    solution = get_solver("optim.rmsprop")(
        weights=[1, -2],
        grads=[[str(x) for x in g] for g in grads],
        lr="0.01",
        beta="0.9",
        eps="0.1",
    )
    w, v = tensor([1, -2]), torch.zeros(2, dtype=torch.float64)
    for g in grads:
        g = tensor(g)
        w = w - lr * g / (v.sqrt() + eps)  # the step uses v_{t−1} …
        v = beta * v + (1 - beta) * g**2  # … and the average is updated afterwards
    assert_close(mistake(solution, "rmsprop_old_average")["weights"], w.tolist())


@settings(max_examples=25, deadline=None)
@given(
    beta=st.sampled_from(["0.5", "0.8", "0.9", "0.99"]),
    grads=st.lists(st.lists(st.integers(-20, 20), min_size=2, max_size=2), min_size=2, max_size=4),
)
def test_ema_momentum_started_at_g_is_torch_sgd_with_dampening_beta(beta: str, grads):
    solution = get_solver("optim.momentum")(
        weights=[1, -2], grads=grads, lr="0.1", beta=beta, form="ema"
    )
    param = tensor([1, -2]).requires_grad_()
    opt = torch.optim.SGD([param], lr=0.1, momentum=float(beta), dampening=float(beta))
    for g in grads:
        param.grad = tensor(g)
        opt.step()
    found = {m.id: m.values for m in solution.misconceptions}
    if "ema_first_step_undamped" not in found:
        # left out only when it equals the key (a zero first gradient makes v1 the same)
        assert_close(solution.get("weights"), param.detach().tolist())
        return
    assert_close(found["ema_first_step_undamped"]["weights"], param.detach().tolist())


def test_nesterov_look_ahead_form_matches_autograd_at_the_look_ahead_point():
    lr, beta = 0.1, 0.9
    solution = get_solver("optim.nesterov")(
        weights=[1, -2], function="w1**2 + 3*w2**2 + w1*w2", lr="0.1", beta="0.9", steps=3
    )
    w, v = tensor([1, -2]), torch.zeros(2, dtype=torch.float64)
    for _ in range(3):
        ahead = (w - lr * beta * v).requires_grad_()
        f = ahead[0] ** 2 + 3 * ahead[1] ** 2 + ahead[0] * ahead[1]
        (g,) = torch.autograd.grad(f, ahead)
        v = beta * v + g
        w = w - lr * v
    assert_close(mistake(solution, "nesterov_lookahead_form")["weights"], w.tolist())


def test_nesterov_look_ahead_form_is_not_offered_for_given_gradients():
    solution = get_solver("optim.nesterov")(
        weights=[1, -2], grads=[[2, -12], [1, -3]], lr="0.1", beta="0.9"
    )
    assert "nesterov_lookahead_form" not in {m.id for m in solution.misconceptions}


# --------------------------------------------------------------------------- distillation

S, T_LOGITS, LABEL, T, ALPHA = [1, 0.5, -1], [3, 1, -0.5], 0, 2.0, 0.3


@pytest.fixture(scope="module")
def kd():
    return get_solver("distillation")(
        student_logits=[1, "0.5", -1], teacher_logits=[3, 1, "-0.5"], label=0, T=2, alpha="0.3"
    )


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
def test_kl_div_with_mean_reduction_matches_torch(kd):
    s, t = tensor(S).unsqueeze(0), tensor(T_LOGITS).unsqueeze(0)
    kl = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="mean")
    ce = F.cross_entropy(s, torch.tensor([LABEL]))
    wrong = mistake(kd, "kl_mean_reduction")
    assert_close(wrong["kl_soft"], kl.item())
    assert_close(wrong["loss"], (ALPHA * ce + (1 - ALPHA) * T**2 * kl).item())
    batchmean = F.kl_div(
        F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean"
    )
    assert_close(kd.get("kl_soft"), batchmean.item())  # the key is torch's batchmean


def test_softened_softmax_on_the_hard_side_matches_torch(kd):
    s, t = tensor(S).unsqueeze(0), tensor(T_LOGITS).unsqueeze(0)
    ce = F.cross_entropy(s / T, torch.tensor([LABEL]))  # softmax(s/T) on the α side
    kl = F.kl_div(F.log_softmax(s, dim=1), F.softmax(t, dim=1), reduction="batchmean")
    wrong = mistake(kd, "temperature_on_hard_loss_side")
    assert_close(wrong["ce_hard"], ce.item())
    assert_close(wrong["kl_soft"], kl.item())
    assert_close(wrong["loss"], (ALPHA * ce + (1 - ALPHA) * T**2 * kl).item())
    assert_close(wrong["teacher_soft"], F.softmax(t, dim=1)[0].tolist())


def test_a_mistake_that_diverges_through_exp_is_dropped_not_evaluated_forever():
    # RMSprop's first step divided by ε = 1e-8 alone moves w1 by ~10⁶; exp(w1) of that at
    # the next step cannot be evaluated: the mistake is left out, the key still solves.
    solution = get_solver("optim.rmsprop")(
        weights=["0.5", "-1"], function="exp(w1)*w2 + w2**3/3", lr="0.01", steps=3
    )
    assert "rmsprop_old_average" not in {m.id for m in solution.misconceptions}
    assert len(solution.get("weights")) == 2
