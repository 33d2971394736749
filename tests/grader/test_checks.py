"""Checkers: numeric, matrix and choice answers against an exact key (grader.checks)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks import check, check_choice, check_matrix, check_numeric, is_blank
from grader.extract.variables import EXTRACT_SOURCE, Unsupported, decode
from grader.rubric import ResolvedPart, Rubric, load_rubric, parse_rubric
from grader.yamlio import loads

ROOT = Path(__file__).resolve().parents[2]
R = sympy.Rational


def rubric_from(parts_yaml: str, **question: str) -> Rubric:
    """A one-question rubric whose parts are given as YAML flow mappings, one per line."""
    head = "".join(f"    {k}: {v}\n" for k, v in question.items())
    parts = "".join(f"      - {line.strip()}\n" for line in parts_yaml.strip().splitlines())
    text = f"assignment: t\nquestions:\n  - id: q\n{head}    parts:\n{parts}"
    return parse_rubric(loads(text, "inline.yaml"), Path("inline.yaml"))


def part_from(spec: str, **question: str) -> ResolvedPart:
    (part,) = rubric_from(spec, **question).parts
    return part


@pytest.fixture(scope="module")
def hw2() -> Rubric:
    return load_rubric(ROOT / "rubrics" / "hw2.yaml")


@pytest.fixture(scope="module")
def hw3() -> Rubric:
    return load_rubric(ROOT / "rubrics" / "hw3.yaml")


def decimals(value):
    """A key as a student would type it: decimal text, cell by cell."""
    if isinstance(value, list):
        return [decimals(v) for v in value]
    return str(float(value))


# ------------------------------------------------------------------------------- numeric


def test_numeric_within_tolerance_is_correct_and_outside_is_wrong():
    part = part_from("{id: a, answer: 2.5, points: 2, check: numeric, rtol: 0.01, atol: 0}")
    ok = check_numeric(part, "2.52")
    assert (ok.status, ok.score, ok.max_score) == ("correct", 2.0, 2.0)
    bad = check_numeric(part, "2.53")
    assert (bad.status, bad.score, bad.feedback) == ("wrong", 0.0, "expected 2.5")


def test_tolerance_is_atol_plus_rtol_times_the_key_not_the_answer():
    # key 100, rtol 0.1: 90.5 is within 10 of the key (but not within 10% of 90.5), and
    # 110.5 is within 10% of 110.5 (but not within 10 of the key). The key decides.
    part = part_from("{id: a, answer: 100, points: 1, check: numeric, rtol: 0.1, atol: 0}")
    assert check_numeric(part, "90.5").status == "correct"
    assert check_numeric(part, "110.5").status == "wrong"
    assert check_numeric(part, "110").status == "correct"  # the boundary is inclusive


def test_atol_alone_decides_near_a_zero_key():
    part = part_from("{id: a, answer: 0, points: 1, check: numeric, rtol: 0.5, atol: 0.001}")
    assert check_numeric(part, "0.001").status == "correct"
    assert check_numeric(part, "0.0011").status == "wrong"


def test_rubric_defaults_are_overridden_per_part():
    rubric = load_rubric(ROOT / "tests" / "fixtures" / "rubrics" / "small_dropout_and_choices.yaml")
    # defaults rtol 0.01, atol 0.001 → 100 ± 1.001; the loose part has rtol 0.1, atol 0
    assert check(rubric.part("literal.tight"), "101.001").status == "correct"
    assert check(rubric.part("literal.tight"), "101.01").status == "wrong"
    assert check(rubric.part("literal.loose"), "109.9").status == "correct"


@given(
    key=st.fractions(min_value=-1000, max_value=1000, max_denominator=1000),
    got=st.fractions(min_value=-1000, max_value=1000, max_denominator=1000),
    rtol=st.sampled_from([Fraction(0), Fraction(1, 1000), Fraction(1, 100), Fraction(1, 10)]),
    atol=st.sampled_from([Fraction(0), Fraction(1, 10**8), Fraction(1, 1000)]),
)
@settings(max_examples=150, deadline=None)
def test_numeric_verdict_matches_the_rule_computed_with_fractions(key, got, rtol, atol):
    part = part_from(
        f"{{id: a, answer: {key.numerator}, points: 1, check: numeric, "
        f"rtol: '{rtol}', atol: '{atol}'}}"
    )
    part = ResolvedPart(**{**part.__dict__, "expected": R(key.numerator, key.denominator)})
    verdict = check_numeric(
        part, f"{got.numerator}/{got.denominator}" if got.denominator != 1 else str(got.numerator)
    )
    # the slash text has two readings; the rule holds if either reading is close
    candidates = [got]
    if got.denominator != 1:  # "-3/2" also reads as -3.2
        sign = -1 if got < 0 else 1
        candidates.append(sign * Fraction(f"{abs(got.numerator)}.{got.denominator}"))
    expected_ok = any(abs(c - key) <= atol + rtol * abs(key) for c in candidates)
    assert (verdict.status == "correct") == expected_ok


@pytest.mark.parametrize(
    "text",
    ["۲٫۵", "٢٫٥", "2٫5", "۲.۵", "\u200f۲٫۵\u200f", " 2.5 ", "5/2"],
)
def test_persian_and_arabic_digits_and_decimal_separator_are_read(text):
    part = part_from("{id: a, answer: 2.5, points: 1, check: numeric}")
    assert check_numeric(part, text).status == "correct"


@pytest.mark.parametrize("text", ["۰٫۳۵-", "−۰٫۳۵", "\u2212" + "0.35", "0.35-", "-0.35"])
def test_minus_sign_after_the_number_or_as_u2212_is_read(text):
    part = part_from("{id: a, answer: -0.35, points: 1, check: numeric}")
    result = check_numeric(part, text)
    assert result.status == "correct"
    assert result.got == text  # the student's text is shown as written


def test_slash_answer_is_accepted_under_the_decimal_reading_and_names_it():
    part = part_from("{id: a, answer: 0.7, points: 1, check: numeric}")
    result = check_numeric(part, "۰/۷")
    assert result.status == "correct"
    assert result.reading == "'/' read as a decimal mark (۰/۷ = 0.7)"
    assert result.feedback == f"correct ({result.reading})"


def test_slash_answer_is_accepted_under_the_fraction_reading_and_names_it():
    part = part_from("{id: a, answer: 0.5, points: 1, check: numeric}")
    result = check_numeric(part, "۱/۲")
    assert result.status == "correct"
    assert result.reading == "'/' read as a fraction (۱/۲ = 1/2)"


def test_slash_answer_matching_neither_reading_is_wrong():
    part = part_from("{id: a, answer: 0.7, points: 1, check: numeric}")
    result = check_numeric(part, "۱/۲")
    assert (result.status, result.reading) == ("wrong", None)


@pytest.mark.parametrize(
    ("got", "fragment"),
    [
        ("abc", "is not a number"),
        ("1/0", "division by zero"),
        ("nan", "not a finite number"),
        (True, "a truth value is not a number"),
        ([1, 2], "expected a number, got list"),
        ({"a": 1}, "expected a number, got dict"),
    ],
)
def test_junk_is_invalid_with_a_message_and_never_raises(got, fragment):
    part = part_from("{id: a, answer: 2.5, points: 1, check: numeric}")
    result = check_numeric(part, got)
    assert (result.status, result.score) == ("invalid", 0.0)
    assert fragment in result.feedback


@pytest.mark.parametrize("blank", [None, "", "   ", "\u200f\u200e", "\u00a0", "-", " — "])
def test_blank_is_missing_not_zero_as_an_answer(blank):
    # A lone dash is how Canvas and Moodle write "no answer" (grader.numbers agrees).
    part = part_from("{id: a, answer: 0, points: 1, check: numeric}")
    result = check_numeric(part, blank)
    assert (result.status, result.score, result.feedback, result.got) == (
        "missing",
        0.0,
        "no answer",
        None,
    )


def test_zero_typed_as_an_answer_is_an_answer():
    part = part_from("{id: a, answer: 0, points: 1, check: numeric}")
    assert check_numeric(part, "0").status == "correct"
    assert check_numeric(part, "۰").status == "correct"


def test_is_blank_sees_only_nothing():
    assert is_blank(None) and is_blank("") and is_blank("\u200c ") and is_blank("-")
    assert not is_blank("0") and not is_blank(0) and not is_blank([]) and not is_blank(False)


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class LyingFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def extracted(value):
    """What grading sees of a notebook variable: extractor tags, decoded."""
    namespace: dict = {}
    exec(EXTRACT_SOURCE, namespace)  # noqa: S102 - the grader's own extractor, as in a kernel
    tags = json.loads(namespace["_dlgrade_extract"](["v"], {"v": value}))
    return decode(tags["v"])


def test_always_equal_object_from_a_notebook_is_invalid():
    part = part_from("{id: a, answer: 0.75, points: 1, check: numeric}")
    got = extracted(AlwaysEqual())
    assert isinstance(got, Unsupported)
    result = check(part, got)
    assert (result.status, result.score) == ("invalid", 0.0)
    assert result.feedback == (f"cannot compare a value of type {got.type_name}; store a number")


def test_float_subclass_from_a_notebook_is_invalid():
    part = part_from("{id: a, answer: 0.75, points: 1, check: numeric}")
    got = extracted(LyingFloat(0.0))
    assert isinstance(got, Unsupported)
    assert check(part, got).status == "invalid"


def test_unsupported_values_cannot_pass_matrix_or_choice_parts():
    matrix = part_from("{id: m, answer: [[1, 2]], points: 1, check: matrix}")
    choice = part_from("{id: c, answer: L2, points: 1, check: choice}")
    assert check(matrix, Unsupported("x.AlwaysEqual")).status == "invalid"
    assert check(choice, Unsupported("x.AlwaysEqual")).status == "invalid"
    assert check(matrix, [[Unsupported("x.A"), 2]]).wrong_cells == [[0, 0]]


def test_float_subclass_passed_directly_is_judged_by_its_real_value():
    part = part_from("{id: a, answer: 0.75, points: 1, check: numeric}")
    assert check_numeric(part, LyingFloat(0.0)).status == "wrong"
    assert check_numeric(part, LyingFloat(0.75)).status == "correct"
    assert check_numeric(part, AlwaysEqual()).status == "invalid"


def test_float32_from_a_notebook_arrives_as_its_shortest_decimal():
    np = pytest.importorskip("numpy")
    part = part_from("{id: a, answer: 0.35, points: 1, check: numeric, rtol: 0, atol: 0}")
    got = extracted(np.float32(0.35))
    assert got == R(7, 20)
    assert check(part, got).status == "correct"


def test_wrong_number_equal_to_a_misconception_gets_its_explanation(hw2):
    result = check(hw2.part("dropout.p"), "0.25")
    assert (result.status, result.misconception) == ("wrong", "p_as_drop_probability")
    assert result.feedback.startswith("p is the keep probability; using 1 − p = 1/4")


def test_other_loss_convention_is_named_for_the_loss(hw3):
    result = check(hw3.part("gd.loss"), "5.29")  # (y − ŷ)² where the question asks ½(y − ŷ)²
    assert (result.status, result.misconception) == ("wrong", "other_loss_convention")
    assert result.feedback.startswith("The question's loss is ½(y − ŷ)²; using squared (y − ŷ)²")


def test_reveal_false_hides_the_key_in_expected_and_feedback():
    part = part_from("{id: a, answer: 0.35, points: 1, check: numeric, reveal: false}")
    result = check_numeric(part, "0.4")
    assert result.expected is None
    assert result.feedback == "not within tolerance of the key"
    assert "0.35" not in json.dumps(result.to_json())


def test_literal_fraction_key_is_exact_and_shown_as_a_decimal():
    part = part_from("{id: a, answer: '1/3', points: 1, check: numeric, rtol: 0, atol: 0}")
    assert part.expected == R(1, 3)
    assert check_numeric(part, "۱/۳").status == "correct"
    result = check_numeric(part, "0.333")
    assert (result.status, result.expected, result.feedback) == (
        "wrong",
        "0.333333",
        "expected 0.333333",
    )


# -------------------------------------------------------------------------------- matrix


def test_matrix_per_cell_partial_credit_is_exact(hw2):
    part = hw2.part("dropout.inverted_train")  # 4×4, 2.5 points
    got = decimals(part.expected)
    got[0][1] = "9"
    got[2][3] = "9"
    got[3][0] = "9"
    result = check_matrix(part, got)
    assert result.status == "partial"
    assert result.score == 2.5 * 13 / 16
    assert result.wrong_cells == [[0, 1], [2, 3], [3, 0]]
    assert result.feedback == "13 of 16 cells correct"


def test_blank_cell_scores_zero_and_is_listed(hw2):
    part = hw2.part("dropout.standard_train")
    got = decimals(part.expected)
    got[1][1] = None
    got[2][2] = ""
    got[3][3] = "-"
    result = check_matrix(part, got)
    assert result.wrong_cells == [[1, 1], [2, 2], [3, 3]]
    assert result.score == 2.5 * 13 / 16
    assert result.feedback == "13 of 16 cells correct; 3 blank"


def test_all_correct_matrix_has_no_wrong_cells(hw2):
    part = hw2.part("dropout.inverted_train")
    result = check_matrix(part, decimals(part.expected))
    assert (result.status, result.score, result.wrong_cells) == ("correct", 2.5, [])


def test_matrix_cells_accept_persian_text():
    part = part_from("{id: m, answer: [[1.6, -0.7], [0, 2.5]], points: 1, check: matrix}")
    assert check_matrix(part, [["۱٫۶", "۰٫۷-"], ["۰", "۲/۵"]]).status == "correct"


def test_missing_matrix_lists_every_cell():
    part = part_from("{id: m, answer: [[1, 2], [3, 4]], points: 1, check: matrix}")
    for blank in (None, "", []):
        result = check_matrix(part, blank)
        assert (result.status, result.score) == ("missing", 0.0)
        assert result.wrong_cells == [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_shape_mismatch_is_explained():
    part = part_from("{id: m, answer: [[1, 2, 3], [4, 5, 6]], points: 1, check: matrix}")
    result = check_matrix(part, [[1, 2], [4, 5]])
    assert (result.status, result.score) == ("wrong", 0.0)
    assert result.feedback == "shape 2×2, expected 2×3"
    assert len(result.wrong_cells) == 6


def test_transposed_matrix_of_another_shape_is_explained():
    part = part_from("{id: m, answer: [[1, 2, 3], [4, 5, 6]], points: 1, check: matrix}")
    result = check_matrix(part, [[1, 4], [2, 5], [3, 6]])
    assert result.feedback == (
        "shape 3×2, expected 2×3. Your matrix is the transpose of the key "
        "(rows and columns swapped)."
    )


def test_transposed_square_matrix_is_explained_with_partial_credit(hw2):
    part = hw2.part("dropout.standard_test")  # out · p has no symmetric cells off the diagonal
    transposed = [list(col) for col in zip(*decimals(part.expected))]
    result = check_matrix(part, transposed)
    assert result.misconception == "transposed"
    assert result.feedback == (
        "4 of 16 cells correct. The cells are transposed (rows and columns swapped)."
    )
    assert result.score == 2.5 * 4 / 16
    assert [0, 0] not in result.wrong_cells and [0, 1] in result.wrong_cells


@pytest.mark.parametrize("got", ["abc", [[1, 2], [3]], [1, [2]], {"a": 1}])
def test_non_matrix_answer_is_invalid_not_an_exception(got):
    part = part_from("{id: m, answer: [[1, 2], [3, 4]], points: 1, check: matrix}")
    result = check_matrix(part, got)
    assert result.status == "invalid"
    assert result.feedback == "expected a matrix: a list of rows of equal length"


def test_vector_key_takes_a_flat_list_and_lists_cells_in_row_zero(hw3):
    part = hw3.part("gd.grad")  # [-23/10, -23/5, -46/5, -92/5, -184/5], 3 points
    got = ["-2.3", "-4.6", "-9.2", "", "-36.8"]
    result = check_matrix(part, got)
    assert result.wrong_cells == [[0, 3]]
    assert result.score == 3 * 4 / 5
    assert check_matrix(part, ["-2.3", "-4.6", "-9.2", "-18.4", "-36.8"]).status == "correct"


def test_column_vector_for_a_vector_key_is_read_as_the_vector_and_says_so(hw3):
    # numpy's (n, 1) column for a vector question holds the same numbers: not a mistake.
    part = hw3.part("gd.grad")
    result = check_matrix(part, [["-2.3"], ["-4.6"], ["-9.2"], ["-18.4"], ["-36.8"]])
    assert result.status == "correct"
    assert result.reading == "a column vector, read as a vector"
    assert result.got == ["-2.3", "-4.6", "-9.2", "-18.4", "-36.8"]


def test_wrong_column_vector_lists_wrong_cells_of_the_vector(hw3):
    part = hw3.part("gd.grad")
    result = check_matrix(part, [["-2.3"], ["-4.6"], ["9.2"], ["-18.4"], [""]])
    assert result.status == "partial"
    assert result.wrong_cells == [[0, 2], [0, 4]]


def test_answer_with_the_shape_of_a_misconception_gets_its_explanation():
    part = part_from(
        "{id: per_layer, expect: per_layer, points: 1, check: matrix}",
        solver="params.mlp",
        params="{layers: [784, 128, 64, 10]}",
    )
    result = check_matrix(part, [784, 100480, 8256, 650])
    assert result.status == "wrong"
    assert result.misconception == "input_layer_counted"
    assert result.feedback.startswith("shape 1×4, expected 1×3. ")


def test_matrix_p_taken_as_drop_probability_is_named(hw2):
    part = hw2.part("dropout.standard_test")
    out = hw2.solutions["dropout"].values["inverted.test"]
    result = check_matrix(part, decimals([[c * R(1, 4) for c in row] for row in out]))
    assert result.misconception == "p_as_drop_probability"
    assert result.status == "wrong"
    assert result.feedback.startswith("0 of 16 cells correct. p is the keep probability")


def test_inverted_train_not_scaled_is_named_with_partial_credit(hw2):
    part = hw2.part("dropout.inverted_train")
    standard = hw2.solutions["dropout"].values["standard.train"]
    result = check_matrix(part, decimals(standard))
    assert result.misconception == "inverted_train_not_scaled"
    assert result.score == 2.5 * 4 / 16  # the four dropped cells are 0 either way
    assert "Inverted dropout divides the kept units by p = 3/4 while training" in result.feedback


def test_gradient_with_other_loss_convention_is_named(hw3):
    part = hw3.part("gd.grad")
    result = check_matrix(part, ["۴٫۶-", "۹٫۲-", "۱۸٫۴-", "۳۶٫۸-", "۷۳٫۶-"])
    assert (result.misconception, result.score) == ("other_loss_convention", 0.0)


def test_reveal_false_matrix_hides_the_key():
    part = part_from("{id: m, answer: [[1, 2], [3, 4]], points: 1, check: matrix, reveal: false}")
    result = check_matrix(part, [[1, 2], [3, 5]])
    assert result.expected is None
    assert result.feedback == "3 of 4 cells correct"


# -------------------------------------------------------------------------------- choice


@pytest.mark.parametrize(
    ("key", "answers"),
    [
        (
            "L1",
            ["L1", "l1", "lasso", "Lasso", "ℓ1", "L 1", "L-1", "l1 regularization", "منظم‌سازی L1"],
        ),
        ("L2", ["L2", "ridge", "Ridge", "weight decay", "Weight-Decay", "ℓ2", "tikhonov"]),
        (
            "none",
            [
                "none",
                "None",
                "no regularization",
                "بدون",
                "بدون منظم‌سازی",
                "بدون منظم سازی",
                "هیچ",
                "هيچ",
                "هیچکدام",
                "هیچ‌کدام",
                "هیچ کدام",
            ],
        ),
    ],
)
def test_regulariser_synonyms_are_accepted(key, answers):
    part = part_from(f"{{id: c, answer: {key}, points: 1, check: choice}}")
    for answer in answers:
        assert check_choice(part, answer).status == "correct", answer


@pytest.mark.parametrize(
    ("key", "answers"),
    [
        ("true", ["true", "True", "T", "t", "yes", "درست", "صحیح", "بله", "\u200fدرست", True]),
        ("false", ["false", "F", "no", "غلط", "نادرست", "خیر", False]),
    ],
)
def test_true_false_synonyms_are_accepted_in_english_and_persian(key, answers):
    part = part_from(f"{{id: c, answer: {key}, points: 1, check: choice}}")
    for answer in answers:
        assert check_choice(part, answer).status == "correct", answer


def test_true_is_not_false():
    part = part_from("{id: c, answer: true, points: 1, check: choice}")
    result = check_choice(part, "غلط")
    assert (result.status, result.feedback) == ("wrong", "expected true")


def test_arabic_yeh_and_kaf_read_as_persian():
    part = part_from("{id: c, answer: کانولوشن, points: 1, check: choice}")
    assert check_choice(part, "كانولوشن").status == "correct"  # Arabic kaf
    part = part_from("{id: c, answer: یک, points: 1, check: choice}")
    assert check_choice(part, "يك").status == "correct"  # Arabic yeh and kaf


def test_rubric_synonyms_extend_the_built_in_ones():
    rubric = load_rubric(ROOT / "tests" / "fixtures" / "rubrics" / "small_dropout_and_choices.yaml")
    part = rubric.part("literal.label")
    for answer in ("convolution", "Conv", "کانولوشن"):
        assert check_choice(part, answer).status == "correct", answer
    assert check_choice(part, "pooling").status == "wrong"


def test_wrong_label_equal_to_a_misconception_gets_its_explanation(hw2):
    result = check_choice(hw2.part("regularizer.exp2"), "ridge")  # exp2 = [1, 0, 0, 0] is L1
    assert (result.status, result.misconception) == ("wrong", "zeros_read_as_l2")
    assert result.feedback.startswith("L2 shrinks weights towards zero")


def test_choice_junk_and_blank():
    part = part_from("{id: c, answer: L2, points: 1, check: choice}")
    assert check_choice(part, "").status == "missing"
    result = check_choice(part, 3)
    assert (result.status, result.feedback) == (
        "invalid",
        "expected a label or true/false, got '3'",
    )


def test_reveal_false_choice_hides_the_key():
    part = part_from("{id: c, answer: L2, points: 1, check: choice, reveal: false}")
    result = check_choice(part, "L1")
    assert (result.expected, result.feedback) == (None, "not the expected answer")
