"""One label vocabulary (reference.labels) for the solvers and the choice checker."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader
from grader.checks import check
from reference.architecture import canonical_label
from reference.labels import canonical, normalise

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hw5():
    return grader.load_rubric(ROOT / "rubrics" / "hw5.yaml")


@pytest.mark.parametrize(
    "answer",
    [
        "torch.nn.Softmax",
        'activation="softmax"',
        "tf.keras.activations.softmax",
        "nn.Softmax(dim=1)".removesuffix("(dim=1)"),
        "سافت‌مکس",
    ],
)
def test_framework_spellings_of_softmax_are_right_on_hw5(hw5, answer):
    assert check(hw5.part("price.activation"), answer).status == "correct"


@pytest.mark.parametrize(
    "answer",
    [
        "torch.nn.CrossEntropyLoss",
        "keras.losses.categorical_crossentropy",
        "nn.CrossEntropyLoss()",
        "آنتروپی متقاطع",
    ],
)
def test_framework_spellings_of_cross_entropy_are_right_on_hw5(hw5, answer):
    assert check(hw5.part("price.loss"), answer).status == "correct"


def test_a_wrong_framework_name_is_still_wrong_and_explained(hw5):
    result = check(hw5.part("price.activation"), "torch.nn.Sigmoid")
    assert result.status == "wrong"
    assert "softmax" in result.feedback


@pytest.mark.parametrize("text", ["torch.nn.Softmax", "tf.keras.activations.softmax", "Softmax()"])
def test_solver_and_checker_read_a_label_the_same_way(text):
    assert canonical_label("activation", text) == canonical("activation", text) == "softmax"


def test_normalising_drops_case_spaces_zwnj_and_arabic_letter_forms():
    assert normalise("هیچ‌کدام") == normalise("هيچ كدام") == normalise("هیچکدام")
    assert normalise("  L2 Regularization ") == "l2regularization"
