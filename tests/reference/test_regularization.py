"""regularization.classify: the course's four vectors, the thresholds, misconceptions, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import ParamError, get_solver
from reference.regularization import classify

COURSE = {
    "exp1": ["0.26", "0.25", "0.25", "0.25"],
    "exp2": [1, 0, 0, 0],
    "exp3": ["13.3", "23.5", "53.2", "5.1"],
    "exp4": ["0.5", "1.2", "8.5", 0],
}


def misconception(sol, mid):
    return next(m for m in sol.misconceptions if m.id == mid)


def test_course_vectors_are_l2_l1_none_l1():
    sol = classify(COURSE)
    assert dict(sol.values) == {"exp1": "L2", "exp2": "L1", "exp3": "none", "exp4": "L1"}


def test_registered_example_gives_the_course_labels():
    spec = get_solver("regularization.classify")
    assert dict(spec(**spec.example).values) == {
        "exp1": "L2",
        "exp2": "L1",
        "exp3": "none",
        "exp4": "L1",
    }


def test_a_list_of_vectors_is_named_by_position():
    sol = classify([COURSE["exp1"], COURSE["exp3"]])
    assert dict(sol.values) == {"0": "L2", "1": "none"}


def test_steps_state_the_thresholds_and_each_reason():
    steps = classify(COURSE).steps
    assert "max|w| ≤ 1" in steps[0] and "≤ 1/2" in steps[0]
    assert "3 of 4 weights are exactly 0" in steps[2]
    assert "spread (max − min)/max = 1/26 ≤ 1/2" in steps[1]
    assert "max |w| = 266/5 > 1 (large)" in steps[3]


def test_a_large_weight_does_not_hide_the_zero_that_marks_l1():
    assert classify({"v": ["0.5", "1.2", "8.5", "0.0"]}).get("v") == "L1"


def test_small_but_uneven_weights_are_none():
    sol = classify({"v": ["0.9", "0.05", "0.3"]})
    assert sol.get("v") == "none"
    assert "(uneven)" in sol.steps[1]


def test_thresholds_are_parameters():
    assert classify({"v": ["1.5", "1.4"]}).get("v") == "none"
    assert classify({"v": ["1.5", "1.4"]}, max_abs=2).get("v") == "L2"
    assert classify({"v": ["0.3", "0.1"]}, max_spread="0.7").get("v") == "L2"


def test_negative_weights_are_judged_by_magnitude():
    assert classify({"v": ["-0.25", "0.26", "-0.24"]}).get("v") == "L2"


small = st.integers(1, 100).map(lambda k: str(Decimal(k) / 100))


@settings(max_examples=40, deadline=None)
@given(vec=st.lists(small, min_size=1, max_size=6), at=st.integers(0, 5))
def test_any_exact_zero_makes_the_vector_l1(vec, at):
    vec = list(vec)
    vec.insert(at % (len(vec) + 1), "0")
    assert classify({"v": vec}).get("v") == "L1"


@settings(max_examples=40, deadline=None)
@given(
    vec=st.lists(
        st.integers(-10_000, 10_000).filter(bool).map(lambda k: str(Decimal(k) / 100)),
        min_size=1,
        max_size=6,
    )
)
def test_labels_follow_the_stated_rule_and_misconceptions_never_repeat_the_key(vec):
    sol = classify({"v": vec})
    mags = [abs(Decimal(v)) for v in vec]
    small_and_even = max(mags) <= 1 and (max(mags) - min(mags)) / max(mags) <= Decimal("0.5")
    assert sol.get("v") == ("L2" if small_and_even else "none")
    for m in sol.misconceptions:
        assert m.values["v"] != sol.get("v")


def test_zeros_read_as_l2_labels_every_sparse_vector_l2():
    m = misconception(classify(COURSE), "zeros_read_as_l2")
    assert m.values == {"exp2": "L2", "exp4": "L2"}
    assert "exactly 0" in m.explanation


def test_l2_confused_with_none_swaps_l2_and_none():
    m = misconception(classify(COURSE), "l2_confused_with_none")
    assert m.values == {"exp1": "none", "exp3": "L2"}


def test_large_weights_called_l1_labels_the_unregularised_vector_l1():
    m = misconception(classify(COURSE), "large_weights_called_l1")
    assert m.values == {"exp3": "L1"}
    assert "exact zeros" in m.explanation


def test_small_weights_called_l1_and_sparse_read_as_none():
    sol = classify(COURSE)
    assert misconception(sol, "small_weights_called_l1").values == {"exp1": "L1"}
    assert misconception(sol, "sparse_read_as_none").values == {"exp2": "none", "exp4": "none"}


def test_misconceptions_only_appear_when_some_vector_can_show_them():
    ids = {m.id for m in classify({"only": ["0.26", "0.25"]}).misconceptions}
    assert ids == {"small_weights_called_l1", "l2_confused_with_none"}


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"weights": [1, 0, 0]}, "weights"),
        ({"weights": {}}, "weights"),
        ({"weights": {"a": []}}, "weights.a"),
        ({"weights": {"a": ["0.1", "big"]}}, "weights.a[1]"),
        ({"weights": COURSE, "max_abs": 0}, "max_abs"),
        ({"weights": COURSE, "max_spread": "-0.1"}, "max_spread"),
    ],
)
def test_bad_input_raises_param_error_naming_the_parameter(kwargs, param):
    with pytest.raises(ParamError) as err:
        classify(**kwargs)
    assert err.value.param == param
