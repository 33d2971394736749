"""Rubric schema, loading and key resolution (grader.rubric).

Every problem is one line ``file:line field: message``; the tests pin the exact line so a
change in how lines are found shows up here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.checks import CHECKS
from grader.rubric import RubricError, find_rubric, load_rubric, parse_rubric
from grader.yamlio import loads
from reference import SOLVERS

KNOWN_CHECKS = ", ".join(CHECKS)  # the registry's kinds, in order

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = ROOT / "tests" / "fixtures" / "rubrics"
R = sympy.Rational


def problems_of(name: str) -> list[str]:
    with pytest.raises(RubricError) as info:
        load_rubric(RUBRICS / name)
    return info.value.problems


def test_valid_rubric_loads_with_computed_key_and_defaults():
    rubric = load_rubric(RUBRICS / "small_dropout_and_choices.yaml")
    assert rubric.assignment == "small"
    assert rubric.title() == "Small rubric"
    assert rubric.title("fa") == "آزمون کوچک"
    assert [p.id for p in rubric.parts][:3] == [
        "dropout.p",
        "dropout.standard_train",
        "dropout.standard_test",
    ]
    assert rubric.part("dropout.p").expected == R(1, 2)
    assert rubric.part("dropout.inverted_train").expected == [[R(16, 5), 0], [0, 5]]
    assert rubric.part("regularizer.exp1").expected == "L2"
    assert rubric.part("literal.s1").expected is True
    assert rubric.max_score == 21
    assert rubric.digest and len(rubric.digest) == 64


def test_defaults_apply_unless_a_part_overrides_them():
    rubric = load_rubric(RUBRICS / "small_dropout_and_choices.yaml")
    tight, loose = rubric.part("literal.tight"), rubric.part("literal.loose")
    assert (tight.rtol, tight.atol) == (R(1, 100), R(1, 1000))
    assert (loose.rtol, loose.atol) == (R(1, 10), 0)
    assert rubric.part("literal.hidden").reveal is False
    assert tight.reveal is True


def test_literal_matrix_answer_cells_become_exact():
    rubric = load_rubric(RUBRICS / "small_dropout_and_choices.yaml")
    assert rubric.part("literal.vector").expected == [R(1, 2), R(1, 3), -2]
    assert all(isinstance(c, sympy.Rational) for c in rubric.part("literal.vector").expected)


def test_notebook_variable_defaults_to_question_underscore_part():
    rubric = load_rubric(RUBRICS / "small_dropout_and_choices.yaml")
    assert rubric.part("dropout.inverted_train").variable == "dropout_inverted_train"


def test_solver_misconceptions_are_attached_to_the_parts_they_change():
    rubric = load_rubric(RUBRICS / "small_dropout_and_choices.yaml")
    p = rubric.part("dropout.p")
    assert [(m.id, m.value) for m in p.mistakes] == []  # p = 1/2: 1 − p is p itself
    inverted = rubric.part("dropout.inverted_train")
    assert "inverted_train_not_scaled" in {m.id for m in inverted.mistakes}


@pytest.mark.parametrize("name", ["hw2", "hw3"])
def test_course_rubrics_load(name):
    rubric = load_rubric(ROOT / "rubrics" / f"{name}.yaml")
    assert rubric.assignment == name
    assert rubric.parts


def test_points_must_be_positive_error_names_file_line_and_field():
    path = RUBRICS / "points_negative.yaml"
    assert problems_of("points_negative.yaml") == [
        f"{path}:13 questions[0].parts[2].points: must be > 0"
    ]


def test_unknown_field_is_named_with_its_line():
    path = RUBRICS / "unknown_field.yaml"
    assert problems_of("unknown_field.yaml") == [
        f"{path}:9 questions[0].parts[0].tolerance: unknown field"
    ]


def test_missing_check_points_at_the_part():
    path = RUBRICS / "check_missing.yaml"
    assert problems_of("check_missing.yaml") == [
        f"{path}:6 questions[0].parts[1].check: required field is missing"
    ]


@pytest.mark.parametrize(
    ("name", "line"), [("expect_and_answer_both.yaml", 7), ("expect_and_answer_neither.yaml", 5)]
)
def test_exactly_one_of_expect_and_answer(name, line):
    assert problems_of(name) == [
        (
            f"{RUBRICS / name}:{line} questions[0].parts[0]: "
            "give exactly one of 'expect' (a solver value) or 'answer'"
        )
    ]


def test_unknown_solver_lists_the_known_ones():
    (problem,) = problems_of("unknown_solver.yaml")
    prefix = f"{RUBRICS / 'unknown_solver.yaml'}:4 questions[0].solver: unknown solver 'dropuot'; known: "
    assert problem.startswith(prefix)
    assert problem.removeprefix(prefix).split(", ") == sorted(SOLVERS)


def test_solver_param_error_points_at_the_param_line():
    path = RUBRICS / "solver_param_out_of_range.yaml"
    assert problems_of("solver_param_out_of_range.yaml") == [
        f"{path}:8 questions[0].params.p: keep probability must be in (0, 1], got 2"
    ]


def test_nested_solver_param_error_points_at_the_nested_line():
    path = RUBRICS / "solver_nested_param_not_a_number.yaml"
    assert problems_of("solver_nested_param_not_a_number.yaml") == [
        f"{path}:8 questions[0].params.weights.exp2: not a number: 'zero'"
    ]


def test_expect_naming_a_missing_value_lists_the_values_the_solver_has():
    path = RUBRICS / "expect_names_missing_value.yaml"
    assert problems_of("expect_names_missing_value.yaml") == [
        (
            f"{path}:8 questions[0].parts[1].expect: dropout has no value 'standard.training'; "
            "it has: inverted.test, inverted.train, p, standard.test, standard.train"
        )
    ]


def test_duplicate_question_and_part_ids_are_reported():
    path = RUBRICS / "duplicate_ids.yaml"
    assert problems_of("duplicate_ids.yaml") == [
        f"{path}:6 questions[0].parts[1].id: duplicate part id 's1' in question truefalse",
        f"{path}:7 questions[1].id: duplicate question id 'truefalse'",
    ]


def test_matrix_check_on_a_scalar_key_is_refused():
    path = RUBRICS / "matrix_check_on_scalar_key.yaml"
    assert problems_of("matrix_check_on_scalar_key.yaml") == [
        (
            f"{path}:7 questions[0].parts[0].check: "
            "'matrix' needs a vector or a rectangular matrix of numbers, the key is 1/2"
        )
    ]


def test_choice_check_on_a_number_key_is_refused():
    # A choice part can never match a number key: every answer would be marked wrong.
    path = RUBRICS / "choice_check_on_number_key.yaml"
    assert problems_of("choice_check_on_number_key.yaml") == [
        (
            f"{path}:7 questions[0].parts[0].check: "
            "'choice' needs a label or true/false key, the key is 1/2"
        )
    ]


def test_literal_matrix_key_must_be_rectangular_numbers():
    # Accepted before, these keys crashed the checker (IndexError, TypeError) or scored NaN.
    path = RUBRICS / "matrix_answer_not_rectangular.yaml"
    need = "'matrix' needs a vector or a rectangular matrix of numbers, the key is"
    assert problems_of("matrix_answer_not_rectangular.yaml") == [
        f"{path}:5 questions[0].parts[0].check: {need} [[1, 2], [3]]",
        f"{path}:6 questions[0].parts[1].check: {need} [1, 'two']",
        f"{path}:7 questions[0].parts[2].check: {need} []",
    ]


def test_several_problems_are_reported_together():
    path = RUBRICS / "several_problems.yaml"
    assert problems_of("several_problems.yaml") == [
        f"{path}:7 questions[0].parts[0].points: must be > 0",
        f"{path}:8 questions[0].parts[1].check: unknown check 'matrx'; known: {KNOWN_CHECKS}",
        f"{path}:11 questions[1].parts[0].colour: unknown field",
    ]


def test_invalid_yaml_is_a_rubric_error_naming_file_and_line():
    (problem,) = problems_of("invalid_yaml.yaml")
    assert problem.startswith(f"{RUBRICS / 'invalid_yaml.yaml'}:6: invalid YAML:")


def test_rubric_that_is_not_a_mapping_is_refused():
    with pytest.raises(RubricError) as info:
        parse_rubric(loads("- a\n- b\n", "list.yaml"), Path("list.yaml"))
    assert info.value.problems == [
        "list.yaml:1: a rubric must be a mapping with 'assignment' and 'questions'"
    ]


def test_missing_assignment_and_questions_are_named():
    with pytest.raises(RubricError) as info:
        parse_rubric(loads("title: x\n", "r.yaml"), Path("r.yaml"))
    assert info.value.problems == [
        "r.yaml:1 assignment: required field is missing",
        "r.yaml:1 questions: required field is missing",
    ]


def test_negative_default_tolerance_is_refused():
    text = (
        "assignment: a\n"
        "defaults: {rtol: -0.1}\n"
        "questions:\n"
        "  - id: q\n"
        "    parts: [{id: s, answer: true, points: 1, check: choice}]\n"
    )
    with pytest.raises(RubricError) as info:
        parse_rubric(loads(text, "r.yaml"), Path("r.yaml"))
    assert info.value.problems == ["r.yaml:2 defaults.rtol: must be >= 0"]


def test_find_rubric_by_name_searches_rubrics_folders(tmp_path):
    (tmp_path / "rubrics").mkdir()
    target = tmp_path / "rubrics" / "hw7.yml"
    target.write_text("assignment: hw7\n", encoding="utf-8")
    assert find_rubric("hw7", [tmp_path / "elsewhere", tmp_path]) == target
    assert find_rubric("hw2", [ROOT]) == ROOT / "rubrics" / "hw2.yaml"


def test_find_rubric_by_path_returns_the_path():
    path = RUBRICS / "small_dropout_and_choices.yaml"
    assert find_rubric(str(path), [Path("/nonexistent")]) == path


def test_find_rubric_names_where_it_looked(tmp_path):
    with pytest.raises(RubricError) as info:
        find_rubric("hw99", [tmp_path])
    (problem,) = info.value.problems
    assert problem == (
        f"rubric 'hw99' not found (looked at {tmp_path}/rubrics/hw99.yaml, "
        f"{tmp_path}/rubrics/hw99.yml)"
    )
