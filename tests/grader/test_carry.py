"""Error carried forward and credit per named mistake (grader.carry), on small rubrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import grade_answers
from grader.rubric import RubricError, parse_rubric
from grader.yamlio import loads

RUBRIC = """\
assignment: c
defaults: {carried_forward: 0.5}
questions:
  - id: d
    solver: dropout
    params: {output: [[2, 4], [6, 8]], mask: [[1, 0], [1, 1]]}
    credit: {p_as_drop_probability: 0.25}
    parts:
      - {id: p, expect: p, points: 1, check: numeric}
      - {id: test, expect: standard.test, points: 4, check: matrix, follows: p}
"""


def rubric(text: str = RUBRIC):
    return parse_rubric(loads(text, "c.yaml"), Path("c.yaml"))


def scores(answers: dict) -> dict[str, float]:
    return {r.id: r.score for r in grade_answers(rubric(), answers)}


def test_a_consistent_later_answer_earns_the_carried_forward_share():
    # key p = 3/4; the student says 0.8 and multiplies by it: 0.5 of 4 points.
    assert scores({"d.p": "0.8", "d.test": [[1.6, 3.2], [4.8, 6.4]]}) == {"d.p": 0, "d.test": 2}


def test_a_later_answer_consistent_with_nothing_earns_nothing():
    assert scores({"d.p": "0.8", "d.test": [[9, 9], [9, 9]]}) == {"d.p": 0, "d.test": 0}


@pytest.mark.parametrize("p", ["1", "0"])
def test_an_earlier_answer_of_0_or_1_carries_nothing_forward_and_says_why(p: str):
    trivial = [[2 * int(p), 4 * int(p)], [6 * int(p), 8 * int(p)]]
    (_, test) = grade_answers(rubric(), {"d.p": p, "d.test": trivial})
    assert test.score == 0
    assert f"your answer to d.p ({p}) makes this part trivial" in test.feedback


def test_a_right_earlier_answer_uses_the_key_only():
    assert scores({"d.p": "0.75", "d.test": [[1.6, 3.2], [4.8, 6.4]]}) == {"d.p": 1, "d.test": 0}


def test_named_mistake_credit_applies_and_the_better_policy_wins():
    # p as the drop probability (1/4): 0.25 credit on p; on test the carried-forward
    # 0.5 beats the mistake's 0.25, and only the policy that counted is named.
    (p, test) = grade_answers(rubric(), {"d.p": "0.25", "d.test": [[0.5, 1], [1.5, 2]]})
    assert (p.score, p.misconception, p.status) == (0.25, "p_as_drop_probability", "partial")
    assert test.score == 2
    assert "error carried forward, 50% of the points" in test.feedback
    assert "Partial credit for this recognised mistake" not in test.feedback


@pytest.mark.parametrize(
    ("follows", "message"),
    [
        ("test", "no earlier part 'test' in question d"),
        ("x.p", "only a part of the same question can be followed"),
    ],
)
def test_follows_that_cannot_work_is_a_rubric_error(follows: str, message: str):
    with pytest.raises(RubricError) as info:
        rubric(RUBRIC.replace("follows: p", f"follows: {follows}"))
    assert info.value.problems == [
        f"c.yaml:10 questions[0].parts[1].follows: follows {follows!r}: {message}"
    ]


def test_following_a_value_the_solver_cannot_take_is_a_rubric_error():
    text = """\
assignment: g
questions:
  - id: gd
    solver: gd.l2_step
    params: {weights: [1, 2], inputs: ["1", "x"], x: 2, target: 3, lr: 0.1}
    parts:
      - {id: z, expect: z, points: 1, check: numeric}
      - {id: loss, expect: loss, points: 1, check: numeric, follows: z}
"""
    with pytest.raises(RubricError) as info:
        parse_rubric(loads(text, "g.yaml"), Path("g.yaml"))
    assert info.value.problems == [
        (
            "g.yaml:8 questions[0].parts[1].follows: follows 'z': gd.l2_step takes no "
            "parameter 'z', so it cannot recompute this part from a student's value"
        )
    ]


def test_credit_outside_0_to_1_is_refused():
    with pytest.raises(RubricError) as info:
        rubric(RUBRIC.replace("p_as_drop_probability: 0.25", "p_as_drop_probability: 2"))
    assert "must be a fraction of the points in [0, 1]" in info.value.problems[0]
