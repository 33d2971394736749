"""Answer sheets: the YAML/JSON a student submits instead of a notebook."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.extract.answersheet import SubmissionError, read_answer_sheet
from grader.grading import grade_sheet
from grader.rubric import load_rubric
from grader.submissions import Submission

ROOT = Path(__file__).resolve().parents[2]
SHEETS = ROOT / "tests" / "fixtures" / "sheets"
SMALL = ROOT / "tests" / "fixtures" / "rubrics" / "small_dropout_and_choices.yaml"
R = sympy.Rational


@pytest.fixture(scope="module")
def small():
    return load_rubric(SMALL)


def submission(path: Path, student: str = "s1") -> Submission:
    return Submission(student, "small", path, "sheet", path.parent)


def test_design_format_sheet_reads_student_assignment_and_answers():
    sheet = read_answer_sheet(ROOT / "submissions" / "hw2" / "98411387" / "answers.yaml")
    assert (sheet.student, sheet.assignment) == ("98411387", "hw2")
    assert sheet.answers["dropout.p"] == R(3, 4)
    assert sheet.answers["regularizer.exp4"] == "lasso"
    assert sheet.answers["truefalse.s1"] is True
    assert len(sheet.answers) == 12


def test_persian_text_stays_text_for_the_number_parser():
    sheet = read_answer_sheet(SHEETS / "persian_digits_sheet.yaml")
    assert sheet.student == "۹۸۴۱۱۴۰۲"
    assert sheet.answers["dropout.p"] == "۰٫۵"
    assert sheet.answers["dropout.standard_test"][0][1] == "۰٫۳۵-"


def test_persian_sheet_scores_full_marks(small):
    result = grade_sheet(small, submission(SHEETS / "persian_digits_sheet.yaml"))
    assert [p.id for p in result.parts if p.status != "correct"] == []
    assert (result.score, result.max_score) == (21.0, 21.0)


def test_nested_form_is_flattened_to_question_dot_part():
    sheet = read_answer_sheet(SHEETS / "nested_form_sheet.yaml")
    assert sheet.answers == {
        "dropout.p": R(1, 2),
        "dropout.inverted_train": [[R(16, 5), 0], [0, 5]],
        "regularizer.exp2": "lasso",
        "literal.s1": "T",
    }
    assert sheet.assignment is None


def test_json_sheet_reads_with_exact_floats_and_null_as_blank(small):
    sheet = read_answer_sheet(SHEETS / "json_sheet.json")
    assert sheet.answers["dropout.standard_train"] == [[R(8, 5), 0], [0, None]]
    result = grade_sheet(small, submission(SHEETS / "json_sheet.json"))
    train = next(p for p in result.parts if p.id == "dropout.standard_train")
    assert (train.status, train.wrong_cells, train.score) == ("partial", [[1, 1]], 1.5)
    assert next(p for p in result.parts if p.id == "regularizer.exp1").status == "correct"


def test_json_sheet_indented_with_tabs_is_graded(small):
    result = grade_sheet(small, submission(SHEETS / "tab_indented_sheet.json"))
    assert result.error is None
    by_id = {p.id: p for p in result.parts}
    assert by_id["dropout.p"].status == "correct"
    assert by_id["dropout.inverted_train"].status == "correct"
    assert by_id["literal.tight"].status == "wrong"


def test_unknown_part_id_is_noted_and_ignored(small):
    result = grade_sheet(small, submission(SHEETS / "unknown_part_sheet.yaml"))
    assert result.notes == [
        "answer 'dropout.invertd_train' matches no part of small; it was ignored"
    ]
    assert next(p for p in result.parts if p.id == "dropout.inverted_train").status == "missing"
    assert result.score == 1.0


def test_sheet_for_another_assignment_is_noted(small):
    result = grade_sheet(
        small, submission(ROOT / "submissions" / "hw2" / "98411387" / "answers.yaml")
    )
    assert "the sheet says assignment 'hw2', graded as 'small'" in result.notes


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "malformed_yaml_sheet.yaml",
            (
                "malformed_yaml_sheet.yaml:4: invalid YAML: the list opened with '[' on line 3 "
                "is not closed: a ',' or ']' is missing before ':'"
            ),
        ),
        (
            "no_answers_mapping_sheet.yaml",
            (
                "no_answers_mapping_sheet.yaml:1: an answer sheet is a mapping with an 'answers:' "
                "mapping"
            ),
        ),
    ],
)
def test_malformed_sheet_raises_submission_error_naming_the_file(name, message):
    with pytest.raises(SubmissionError) as info:
        read_answer_sheet(SHEETS / name)
    assert str(info.value) == f"{SHEETS}/{message}"


def test_malformed_sheet_grades_as_invalid_submission_not_an_exception(small):
    path = SHEETS / "malformed_yaml_sheet.yaml"
    result = grade_sheet(small, submission(path))
    assert result.status == "invalid_submission"
    assert result.error is not None and result.error.message.startswith(f"{path}:4: invalid YAML")
    assert {p.status for p in result.parts} == {"error"}
    assert result.score == 0.0 and result.max_score == 21.0
    assert all(p.feedback.startswith(f"not graded: {path}:4:") for p in result.parts)


def test_empty_file_is_an_invalid_submission(small, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("", encoding="utf-8")
    result = grade_sheet(small, submission(path))
    assert result.status == "invalid_submission"
    assert str(path) in result.error.message
