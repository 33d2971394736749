"""The dropout solver: exact course values, torch's inverted dropout, misconceptions, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Rational as R

from reference import ParamError, get_solver
from reference.dropout import solve

OUTPUT = [
    ["1.6", "-0.7", "-0.2", "1.9"],
    ["-2.3", "2.5", "2.5", "-0.9"],
    ["-0.5", "3.2", "3.7", "-0.4"],
    ["1.3", "-0.4", "-2.6", "1.2"],
]
MASK = [[1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1]]

# An input on which every misconception is distinguishable: p = 2/3, mask not symmetric.
ODD_OUT = [["1.5", "-3"], ["0.6", "2"], ["4", "-1.2"]]
ODD_MASK = [[1, 1], [0, 1], [1, 0]]


def q(text: str) -> R:
    return R(text)


def table(rows) -> list[list[R]]:
    return [[q(str(c)) for c in row] for row in rows]


def misconception(sol, mid):
    return next(m for m in sol.misconceptions if m.id == mid)


# ---------------------------------------------------------------- course example


def test_course_example_p_is_read_from_the_mask_as_one_half():
    sol = solve(OUTPUT, MASK)
    assert sol.get("p") == R(1, 2)
    assert any("8/16 = 1/2" in line for line in sol.steps)


def test_course_example_inverted_train_of_1_6_is_exactly_16_5():
    sol = solve(OUTPUT, MASK)
    assert sol.get("inverted.train")[0][0] == R(16, 5)
    assert sol.get("inverted.train") == table(
        [[3.2, 0, 0, 3.8], [0, 5, 5, 0], [0, 6.4, 7.4, 0], [2.6, 0, 0, 2.4]]
    )


def test_course_example_standard_tables_are_masked_and_halved():
    sol = solve(OUTPUT, MASK)
    assert sol.get("standard.train") == table(
        [[1.6, 0, 0, 1.9], [0, 2.5, 2.5, 0], [0, 3.2, 3.7, 0], [1.3, 0, 0, 1.2]]
    )
    assert sol.get("standard.test") == table(
        [
            ["0.8", "-0.35", "-0.1", "0.95"],
            ["-1.15", "1.25", "1.25", "-0.45"],
            ["-0.25", "1.6", "1.85", "-0.2"],
            ["0.65", "-0.2", "-1.3", "0.6"],
        ]
    )
    assert sol.get("inverted.test") == table(OUTPUT)


def test_registered_example_is_the_course_example():
    spec = get_solver("dropout")
    sol = spec(**spec.example)
    assert sol.get("inverted.train")[2][2] == R(37, 5)


def test_steps_state_both_expected_value_identities():
    text = "\n".join(solve(OUTPUT, MASK).steps)
    assert "E[out · m] = out · P(m = 1) = out · p" in text
    assert "E[out · m / p] = out · p / p = out" in text
    assert "(8/5) · 1 / (1/2) = 16/5" in text


def test_course_example_has_no_misconception_equal_to_the_key():
    # p = 1/2 makes 1 − p = p, and the mask is symmetric: those two must be dropped.
    ids = {m.id for m in solve(OUTPUT, MASK).misconceptions}
    assert "p_as_drop_probability" not in ids
    assert "mask_transposed" not in ids
    assert {
        "inverted_train_not_scaled",
        "inverted_test_divided_by_p",
        "inverted_test_times_p",
        "standard_test_not_scaled",
    } <= ids


# ---------------------------------------------------------------- shapes and p


def test_flat_vector_is_one_row_and_results_stay_flat():
    sol = solve(["1.2", "-0.4", "3"], [1, 0, 1])
    assert sol.get("p") == R(2, 3)
    assert sol.get("inverted.train") == [R(9, 5), 0, R(9, 2)]
    assert sol.get("standard.test") == [R(4, 5), R(-4, 15), 2]


def test_batch_of_matrices_keeps_its_three_axes():
    out = [[["1", "2"], ["3", "4"]], [["5", "6"], ["7", "8"]]]
    mask = [[[1, 0], [0, 0]], [[1, 1], [0, 1]]]
    sol = solve(out, mask)
    assert sol.get("p") == R(1, 2)
    assert sol.get("inverted.train") == [[[2, 0], [0, 0]], [[10, 12], [0, 16]]]


def test_p_drop_wording_gives_keep_probability_one_minus_p_drop():
    sol = solve(OUTPUT, MASK, p_drop="0.2")
    assert sol.get("p") == R(4, 5)
    assert sol.get("inverted.train")[0][0] == 2  # 1.6 / 0.8
    assert sol.get("standard.test")[0][0] == R(32, 25)


def test_given_p_overrides_the_fraction_of_ones():
    sol = solve(OUTPUT, MASK, p="0.8")
    assert sol.get("p") == R(4, 5)
    assert any("given" in line for line in sol.steps)


# ---------------------------------------------------------------- torch cross-check

decimals = st.integers(-99, 99).map(lambda k: str(Decimal(k) / 10))
P_DROPS = ["0.1", "0.2", "0.25", "0.5", "0.75"]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 4),
    cols=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    p_drop=st.sampled_from(P_DROPS),
    data=st.data(),
)
def test_inverted_train_matches_torch_dropout_with_the_same_mask(rows, cols, seed, p_drop, data):
    out = data.draw(
        st.lists(st.lists(decimals, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
    )
    out_t = torch.tensor([[float(c) for c in row] for row in out], dtype=torch.float64)
    torch.manual_seed(seed)
    dropped = F.dropout(out_t, p=float(p_drop), training=True)
    torch.manual_seed(seed)
    ones = F.dropout(torch.ones_like(out_t), p=float(p_drop), training=True)
    mask = (ones != 0).to(torch.int64).tolist()
    # torch scales each kept unit by 1/(1 − p_drop): that is 1/keep.
    assert torch.allclose(
        ones[ones != 0], torch.tensor(1 / (1 - float(p_drop)), dtype=torch.float64), atol=1e-12
    )
    sol = solve(out, mask, p_drop=p_drop)
    ours = torch.tensor(
        [[float(c) for c in row] for row in sol.get("inverted.train")], dtype=torch.float64
    )
    assert torch.allclose(ours, dropped, atol=1e-9, rtol=0)
    assert sol.get("inverted.test") == [[R(c) for c in row] for row in out]


@settings(max_examples=40, deadline=None)
@given(
    out=st.lists(decimals, min_size=1, max_size=6),
    keep=st.fractions(min_value=R(1, 100), max_value=1).filter(lambda f: f > 0),
)
def test_expected_training_output_equals_test_output_for_both_variants(out, keep):
    k = R(keep.numerator, keep.denominator)
    kept = solve(out, [1] * len(out), p=str(k))
    gone = solve(out, [0] * len(out), p=str(k))
    for variant in ("standard", "inverted"):
        expected = [
            k * a + (1 - k) * b
            for a, b in zip(kept.get(f"{variant}.train"), gone.get(f"{variant}.train"))
        ]
        assert expected == kept.get(f"{variant}.test")


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 3), data=st.data())
def test_no_misconception_repeats_the_key_on_random_square_inputs(n, data):
    out = data.draw(st.lists(st.lists(decimals, min_size=n, max_size=n), min_size=n, max_size=n))
    mask = data.draw(
        st.lists(
            st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n), min_size=n, max_size=n
        ).filter(lambda m: any(map(any, m)))
    )
    sol = solve(out, mask)
    for m in sol.misconceptions:
        assert m.values, m.id
        for key, wrong in m.values.items():
            assert wrong != sol.get(key), (m.id, key)


# ---------------------------------------------------------------- misconceptions


def test_p_as_drop_probability_changes_every_scaled_cell():
    sol = solve(ODD_OUT, ODD_MASK)
    m = misconception(sol, "p_as_drop_probability")
    assert sol.get("p") == R(2, 3)
    assert m.values["p"] == R(1, 3)
    assert m.values["standard.test"] == [[c * R(1, 3) for c in row] for row in table(ODD_OUT)]
    assert m.values["inverted.train"] == [[R(9, 2), -9], [0, 6], [12, 0]]
    assert "inverted.test" not in m.values and "standard.train" not in m.values


def test_p_as_drop_probability_with_p_one_leaves_out_the_division_by_zero():
    m = misconception(solve(["1", "2"], [1, 1]), "p_as_drop_probability")
    assert m.values["p"] == 0 and m.values["standard.test"] == [0, 0]
    assert "inverted.train" not in m.values


def test_inverted_train_not_scaled_is_the_standard_train_table():
    sol = solve(ODD_OUT, ODD_MASK)
    m = misconception(sol, "inverted_train_not_scaled")
    assert m.values == {"inverted.train": sol.get("standard.train")}
    assert m.values["inverted.train"] != sol.get("inverted.train")


def test_inverted_scaling_at_test_time_is_named_for_division_and_multiplication():
    sol = solve(ODD_OUT, ODD_MASK)
    out = table(ODD_OUT)
    divided = misconception(sol, "inverted_test_divided_by_p").values
    times = misconception(sol, "inverted_test_times_p").values
    assert divided == {"inverted.test": [[c * R(3, 2) for c in row] for row in out]}
    assert times == {"inverted.test": [[c * R(2, 3) for c in row] for row in out]}


def test_standard_test_not_scaled_is_the_raw_output():
    sol = solve(ODD_OUT, ODD_MASK)
    assert misconception(sol, "standard_test_not_scaled").values == {
        "standard.test": table(ODD_OUT)
    }


def test_standard_train_scaled_divides_standard_training_by_p():
    sol = solve(ODD_OUT, ODD_MASK)
    m = misconception(sol, "standard_train_scaled")
    assert m.values == {"standard.train": sol.get("inverted.train")}


def test_variants_swapped_exchanges_the_standard_and_inverted_tables():
    sol = solve(ODD_OUT, ODD_MASK)
    m = misconception(sol, "variants_swapped")
    assert m.values["standard.train"] == sol.get("inverted.train")
    assert m.values["inverted.test"] == sol.get("standard.test")


def test_mask_complement_keeps_the_dropped_units():
    sol = solve(ODD_OUT, ODD_MASK)
    m = misconception(sol, "mask_complement")
    assert m.values["standard.train"] == [[0, 0], [R(3, 5), 0], [0, R(-6, 5)]]


def test_mask_transposed_uses_the_transpose_on_square_non_symmetric_masks():
    out = [["1", "2"], ["3", "4"]]
    sol = solve(out, [[1, 1], [0, 1]])
    m = misconception(sol, "mask_transposed")
    assert m.values["standard.train"] == [[1, 0], [3, 4]]
    assert m.values["inverted.train"] == [[R(4, 3), 0], [4, R(16, 3)]]


def test_mask_transposed_is_absent_when_the_matrix_is_not_square():
    assert "mask_transposed" not in {m.id for m in solve(ODD_OUT, ODD_MASK).misconceptions}


def test_every_misconception_has_an_explanation_and_differs_from_the_key():
    sol = solve(ODD_OUT, ODD_MASK)
    assert len(sol.misconceptions) >= 8
    for m in sol.misconceptions:
        assert m.explanation.endswith(".")
        assert all(v != sol.get(k) for k, v in m.values.items())


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"output": OUTPUT, "mask": [[1, 0], [0, 1]]}, "mask"),
        ({"output": OUTPUT, "mask": [[1, 0, 0, 2]] + MASK[1:]}, "mask"),
        ({"output": OUTPUT, "mask": [[1, 0, 0, "0.5"]] + MASK[1:]}, "mask"),
        ({"output": OUTPUT, "mask": MASK, "p": "0.5", "p_drop": "0.5"}, "p_drop"),
        ({"output": OUTPUT, "mask": MASK, "p": 0}, "p"),
        ({"output": OUTPUT, "mask": MASK, "p": "1.5"}, "p"),
        ({"output": OUTPUT, "mask": MASK, "p_drop": 1}, "p_drop"),
        ({"output": [["1", "2"], ["3"]], "mask": [[1, 0], [1]]}, "output"),
        ({"output": [["1", "x"]], "mask": [[1, 0]]}, "output[0][1]"),
        ({"output": ["1", "2"], "mask": [0, 0]}, "mask"),
        ({"output": "1.5", "mask": 1}, "output"),
    ],
)
def test_bad_input_raises_param_error_naming_the_parameter(kwargs, param):
    with pytest.raises(ParamError) as err:
        solve(**kwargs)
    assert err.value.param == param


def test_unknown_parameter_is_refused_by_the_registry():
    with pytest.raises(ParamError) as err:
        get_solver("dropout")(output=OUTPUT, mask=MASK, keep="0.5")
    assert err.value.param == "keep"
