"""More than one right answer: equivalent output-layer designs, judged as one design."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.grading import grade_answers
from grader.i18n import render
from grader.rubric import RubricError, parse_rubric
from grader.yamlio import loads
from reference import get_solver

PARTS = """\
    parts:
      - {id: units, expect: units, points: 1, check: numeric, rtol: 0, atol: 0}
      - {id: activation, expect: activation, points: 1, check: choice}
      - {id: loss, expect: loss, points: 1, check: choice}
"""


def layer_rubric(params: str):
    text = (
        "assignment: t\nquestions:\n  - id: q\n    solver: output_layer\n"
        f"    params: {params}\n{PARTS}"
    )
    return parse_rubric(loads(text, "inline.yaml"), Path("inline.yaml"))


def statuses(rubric, units, activation, loss):
    answers = {"q.units": units, "q.activation": activation, "q.loss": loss}
    return {r.id.split(".")[1]: r for r in grade_answers(rubric, answers)}


BINARY = "{kind: binary}"
MULTICLASS = "{kind: multiclass, classes: 4}"


def test_binary_two_softmax_units_with_categorical_ce_is_right_on_all_three_parts():
    results = statuses(layer_rubric(BINARY), "2", "softmax", "categorical crossentropy")
    assert {k: r.status for k, r in results.items()} == dict.fromkeys(
        ("units", "activation", "loss"), "correct"
    )
    assert sum(r.score for r in results.values()) == 3
    fa = render(results["units"].messages, "fa")
    assert "سافت‌مکسِ دو لوجیت همان سیگمویدِ تفاضل آن دو است" in fa
    assert "the softmax of two logits is the sigmoid" in render(results["loss"].messages, "en")


def test_binary_key_design_is_still_right():
    results = statuses(layer_rubric(BINARY), "1", "sigmoid", "binary crossentropy")
    assert all(r.status == "correct" for r in results.values())


def test_one_unit_with_softmax_is_still_wrong():
    results = statuses(layer_rubric(BINARY), "1", "softmax", "binary crossentropy")
    assert results["activation"].status == "wrong"
    assert results["activation"].misconception == "softmax_on_one_unit"
    assert results["units"].status == results["loss"].status == "correct"
    # with categorical CE too the design is two softmax units: one unit does not fit it
    mixed = statuses(layer_rubric(BINARY), "1", "softmax", "CrossEntropyLoss")
    assert mixed["units"].status == "wrong"
    assert "with that design this part is 2" in render(mixed["units"].messages, "en")
    assert sum(r.score for r in mixed.values()) == 2


def test_two_units_beside_sigmoid_and_binary_ce_is_wrong():
    results = statuses(layer_rubric(BINARY), "2", "sigmoid", "binary crossentropy")
    assert results["units"].status == "wrong"
    assert results["activation"].status == results["loss"].status == "correct"


def test_multiclass_logits_with_cross_entropy_loss_is_right_and_explained():
    results = statuses(layer_rubric(MULTICLASS), "4", "none", "nn.CrossEntropyLoss")
    assert all(r.status == "correct" for r in results.values())
    assert "applies the (log-)softmax itself" in render(results["activation"].messages, "en")
    assert "خودش (لگاریتمِ) سافت‌مکس را اعمال می‌کند" in render(results["activation"].messages, "fa")
    # linear with a binary loss follows neither design
    wrong = statuses(layer_rubric(MULTICLASS), "4", "linear", "binary crossentropy")
    assert wrong["loss"].status == "wrong"


def test_solver_lists_its_equivalent_designs_and_steps_explain_them():
    binary = get_solver("output_layer")(kind="binary")
    assert [e.id for e in binary.equivalents] == ["two_softmax_units"]
    assert binary.equivalents[0].explanation in binary.steps
    multi = get_solver("output_layer")(kind="multiclass", classes=4)
    assert [(e.id, dict(e.values)) for e in multi.equivalents] == [
        ("logits_with_cross_entropy", {"activation": "linear"})
    ]
    assert get_solver("output_layer")(kind="regression", outputs=3).equivalents == ()


def test_rubric_accept_gives_one_part_more_right_answers():
    text = (
        "assignment: t\nquestions:\n  - id: q\n    parts:\n"
        "      - {id: a, answer: relu, accept: [tanh], points: 1, check: choice}\n"
        "      - {id: b, answer: 0.5, accept: ['1/3'], points: 1, check: numeric}\n"
    )
    rubric = parse_rubric(loads(text, "inline.yaml"), Path("inline.yaml"))
    got = {r.id: r for r in grade_answers(rubric, {"q.a": "Tanh", "q.b": "0.3333"})}
    assert got["q.a"].status == got["q.b"].status == "correct"
    assert "an accepted alternative answer" in render(got["q.a"].messages, "en")
    assert "پاسخ جایگزینی که پذیرفته می‌شود" in render(got["q.b"].messages, "fa")
    assert grade_answers(rubric, {"q.a": "sigmoid", "q.b": "0.5"})[0].status == "wrong"


def test_rubric_refuses_an_accept_value_the_check_cannot_compare():
    text = (
        "assignment: t\nquestions:\n  - id: q\n    parts:\n"
        "      - {id: a, answer: 0.5, accept: [[1, 2]], points: 1, check: numeric}\n"
    )
    with pytest.raises(RubricError) as err:
        parse_rubric(loads(text, "inline.yaml"), Path("inline.yaml"))
    (problem,) = err.value.problems
    assert problem.startswith("inline.yaml:")
    assert "accept" in problem


logits = st.lists(st.floats(-20, 20, allow_nan=False), min_size=1, max_size=16)


@settings(max_examples=50, deadline=None)
@given(logits, st.lists(st.booleans(), min_size=16, max_size=16))
def test_torch_one_sigmoid_unit_and_two_softmax_units_agree(zs, ys):
    """BCEWithLogits on logit z equals CrossEntropy on logits [0, z]: same loss, same
    predicted class — the two binary designs are one model."""
    z = torch.tensor(zs, dtype=torch.float64)
    y = torch.tensor(ys[: len(zs)], dtype=torch.float64)
    one = torch.nn.BCEWithLogitsLoss()(z, y)
    two_logits = torch.stack([torch.zeros_like(z), z], dim=1)
    two = torch.nn.CrossEntropyLoss()(two_logits, y.long())
    assert torch.allclose(one, two, atol=1e-9)
    assert torch.equal((torch.sigmoid(z) > 0.5), two_logits.softmax(1).argmax(1).bool()) or (
        bool((z == 0).any())
    )


def test_torch_cross_entropy_on_logits_is_categorical_ce_of_the_softmax():
    torch.manual_seed(0)
    logits4 = torch.randn(8, 4, dtype=torch.float64)
    target = torch.randint(0, 4, (8,))
    idiom = torch.nn.CrossEntropyLoss()(logits4, target)
    explicit = -(logits4.softmax(1)[torch.arange(8), target].log()).mean()
    assert torch.allclose(idiom, explicit)
