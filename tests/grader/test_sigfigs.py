"""``sigfigs: n``: correct within half a unit of the key's n-th significant figure, exactly."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks import check_matrix, check_numeric
from grader.i18n import render
from grader.rubric import RubricError, parse_rubric
from grader.tolerance import decade, half_unit
from grader.yamlio import loads

R = sympy.Rational


def part_from(spec: str, key: str):
    text = (
        "assignment: t\nquestions:\n  - id: q\n    parts:\n"
        f"      - {{id: a, points: 1, answer: {key}, {spec}}}\n"
    )
    (part,) = parse_rubric(loads(text, "inline.yaml"), Path("inline.yaml")).parts
    return part


def test_exactly_half_a_unit_is_accepted_and_just_over_is_refused():
    # key 2.5, 2 figures: half a unit is 0.05, so 2.45 and 2.55 are in, 2.5500001 out.
    part = part_from("check: numeric, sigfigs: 2", "2.5")
    assert check_numeric(part, "2.55").status == "correct"
    assert check_numeric(part, "2.45").status == "correct"
    assert check_numeric(part, "2.5500001").status == "wrong"
    assert check_numeric(part, "2.4499999").status == "wrong"


def test_the_decade_is_exact_at_a_power_of_ten():
    # log10(1000) as a float can be 2.9999…; the exact decade is 3, the half unit 5 at 3 figures.
    part = part_from("check: numeric, sigfigs: 3", "1000")
    assert check_numeric(part, "1005").status == "correct"
    assert check_numeric(part, "1005.001").status == "wrong"
    # just below the power of ten the decade is 2: half a unit is 0.5.
    below = part_from("check: numeric, sigfigs: 3", "999")
    assert check_numeric(below, "999.5").status == "correct"
    assert check_numeric(below, "999.51").status == "wrong"


def test_a_third_to_three_figures_accepts_0_333_and_refuses_0_332():
    part = part_from("check: numeric, sigfigs: 3", "1/3")
    assert check_numeric(part, "0.333").status == "correct"
    assert check_numeric(part, "0.3335").status == "correct"  # 1/3 + 1/6000 < 1/3 + 1/2000
    assert check_numeric(part, "0.332").status == "wrong"


def test_wrong_answer_names_the_significant_figures_in_both_languages():
    part = part_from("check: numeric, sigfigs: 3", "1/3")
    messages = check_numeric(part, "0.34").messages
    assert render(messages, "en").startswith("not correct to 3 significant figures of the key")
    assert render(messages, "fa").startswith("تا ۳ رقم بامعنا با پاسخ درست یکی نیست")
    assert render(messages, "en").endswith("0.333333")


def test_persian_digits_are_read_before_the_bound_is_applied():
    part = part_from("check: numeric, sigfigs: 3", "-0.0012345")
    # half a unit at 3 figures of 0.00123… is 0.000005
    assert check_numeric(part, "-۰٫۰۰۱۲۳").status == "correct"
    assert check_numeric(part, "−۰٫۰۰۱۲۲").status == "wrong"


def test_a_zero_key_accepts_only_zero():
    part = part_from("check: numeric, sigfigs: 3", "0")
    assert half_unit(sympy.Integer(0), 3) == 0
    assert check_numeric(part, "0").status == "correct"
    assert check_numeric(part, "0.0000001").status == "wrong"


def test_every_matrix_cell_has_its_own_decade():
    part = part_from("check: matrix, sigfigs: 2", "[[1250, 0.0125], [0, -3]]")
    # half units: 50, 0.0005, none (a zero key), 0.05
    ok = check_matrix(part, [["1300", "0.013"], ["0", "-3.05"]])
    assert ok.status == "correct"
    bad = check_matrix(part, [["1300.1", "0.0130001"], ["0.001", "-3.0501"]])
    assert bad.status == "wrong"
    assert bad.wrong_cells == [[0, 0], [0, 1], [1, 0], [1, 1]]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("check: numeric, sigfigs: 2, rtol: 0.1", "not both"),
        ("check: numeric, sigfigs: 0", "greater than or equal to 1"),
        ("check: choice, sigfigs: 2", "'numeric' and 'matrix' parts only"),
    ],
)
def test_rubric_refuses_a_bad_sigfigs_naming_file_and_line(spec, words):
    with pytest.raises(RubricError) as err:
        part_from(spec, "2.5")
    (problem,) = err.value.problems
    assert problem.startswith("inline.yaml:5 ")
    assert words in problem


def _decade_by_decimal(x: Fraction) -> int:
    """Second route: Decimal's adjusted exponent of a long-enough exact quotient."""
    digits = Decimal(abs(x.numerator)).adjusted() - Decimal(x.denominator).adjusted() + 60
    with __import__("decimal").localcontext() as ctx:
        ctx.prec = max(digits, 80)
        q = Decimal(abs(x.numerator)) / Decimal(x.denominator)
        e = q.adjusted()
        # a quotient rounded up to a power of ten: check it against the exact fraction
        if Fraction(10) ** e > abs(x):
            e -= 1
    return e


fractions = st.fractions(min_value=Fraction(-(10**12)), max_value=Fraction(10**12)).filter(
    lambda f: f != 0
)


@settings(max_examples=300, deadline=None)
@given(fractions, st.integers(min_value=1, max_value=8), st.fractions(-2, 2))
def test_the_bound_agrees_with_an_integer_route(key, n, offset):
    e = _decade_by_decimal(key)
    assert decade(R(abs(key.numerator), key.denominator)) == e
    # Integer route: scale so the bound is 1/2 a unit of the n-th figure, compare exactly.
    unit = Fraction(10) ** (e - n + 1)
    got = key + offset * unit
    expected = abs(got - key) * 2 <= unit
    part = part_from(f"check: numeric, sigfigs: {n}", f"'{key.numerator}/{key.denominator}'")
    result = check_numeric(part, f"{got.numerator}/{got.denominator}")
    assert (result.status == "correct") == expected
