"""Submission → answers → results (grader.grading), without running any notebook."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.grading import (
    grade_answers,
    grade_run,
    grade_sheet,
    grade_unreadable,
    notebook_job,
    unknown_answer_notes,
)
from grader.results import RunError, SubmissionResult
from grader.rubric import load_rubric
from grader.runner.base import Limits, NotebookRun
from grader.submissions import Submission

ROOT = Path(__file__).resolve().parents[2]
R = sympy.Rational


@pytest.fixture(scope="module")
def hw2():
    return load_rubric(ROOT / "rubrics" / "hw2.yaml")


def test_parts_without_an_answer_score_zero_with_status_missing(hw2):
    results = grade_answers(hw2, {"dropout.p": "0.75"})
    assert [p.id for p in results] == [p.id for p in hw2.parts]
    assert results[0].status == "correct"
    missing = results[1:]
    assert {p.status for p in missing} == {"missing"}
    assert all(p.score == 0.0 and p.feedback == "no answer" for p in missing)
    assert [p.max_score for p in missing] == [2.5] * 4 + [1.0] * 7


def test_unanswered_matrix_lists_every_cell_like_a_blank_one(hw2):
    absent = grade_answers(hw2, {})[1]
    blank = grade_answers(hw2, {"dropout.standard_train": None})[1]
    assert absent.id == "dropout.standard_train"
    assert absent.wrong_cells == blank.wrong_cells == [[r, c] for r in range(4) for c in range(4)]


def test_unknown_answer_ids_become_notes(hw2):
    assert unknown_answer_notes(hw2, {"dropout.p": 1, "dropout.pp": 2}) == [
        "answer 'dropout.pp' matches no part of hw2; it was ignored"
    ]


@pytest.mark.parametrize(
    ("student", "score", "statuses"),
    [
        ("98411387", 18.0, {"correct"}),
        ("98411402", 12.0, {"correct", "wrong"}),
    ],
)
def test_demo_answer_sheets_grade_as_their_comments_say(hw2, student, score, statuses):
    path = ROOT / "submissions" / "hw2" / student / "answers.yaml"
    result = grade_sheet(hw2, Submission(student, "hw2", path, "sheet", path.parent))
    assert result.error is None
    assert (result.score, result.max_score) == (score, 18.0)
    assert {p.status for p in result.parts} == statuses


def test_demo_persian_sheet_gets_the_misconceptions_its_comment_names(hw2):
    path = ROOT / "submissions" / "hw2" / "98411402" / "answers.yaml"
    result = grade_sheet(hw2, Submission("98411402", "hw2", path, "sheet", path.parent))
    wrong = {p.id: p.misconception for p in result.parts if p.status == "wrong"}
    assert wrong == {
        "dropout.standard_test": "p_as_drop_probability",
        "dropout.inverted_test": "inverted_test_times_p",
        "regularizer.exp4": "zeros_read_as_l2",
    }


def test_notebook_job_asks_for_each_parts_variable_once(hw2, tmp_path):
    nb = tmp_path / "hw2.ipynb"
    job = notebook_job(hw2, Submission("s1", "hw2", nb, "notebook", tmp_path), Limits(memory_mb=64))
    assert job.key == "hw2/s1"
    assert job.notebook == nb
    assert job.names[:2] == ("dropout_p", "dropout_standard_train")
    assert len(job.names) == len(set(job.names)) == 12
    assert job.limits.memory_mb == 64


def test_run_values_are_checked_and_absent_variables_are_missing(hw2, tmp_path):
    sub = Submission("s1", "hw2", tmp_path / "hw2.ipynb", "notebook", tmp_path)
    run = NotebookRun(values={"dropout_p": R(3, 4), "regularizer_exp1": "L2"}, duration=0.51234)
    result = grade_run(hw2, sub, run)
    by_id = {p.id: p for p in result.parts}
    assert by_id["dropout.p"].status == "correct"
    assert by_id["regularizer.exp1"].status == "correct"
    assert by_id["regularizer.exp2"].status == "missing"
    assert by_id["regularizer.exp2"].feedback == (
        "the notebook defines no variable regularizer_exp2"
    )
    assert result.status == "graded"
    assert result.duration == 0.512


def test_failed_run_keeps_values_it_produced_and_marks_the_rest_error(hw2, tmp_path):
    sub = Submission("s1", "hw2", tmp_path / "hw2.ipynb", "notebook", tmp_path)
    error = RunError(kind="error", message="cell 3 raised ZeroDivisionError", cell_index=3)
    result = grade_run(hw2, sub, NotebookRun(values={"dropout_p": "0.75"}, error=error))
    assert result.status == "error"
    assert result.parts[0].status == "correct"
    assert {p.status for p in result.parts[1:]} == {"error"}
    assert result.parts[1].feedback == "not graded: cell 3 raised ZeroDivisionError"
    assert result.score == 1.0


def test_folder_without_a_gradable_file_is_an_invalid_submission(hw2, tmp_path):
    result = grade_unreadable(hw2, Submission("s1", "hw2", tmp_path, "unknown", tmp_path))
    assert result.status == "invalid_submission"
    assert result.error.message == (
        f"{tmp_path}: no notebook (.ipynb) or answer sheet (.yaml/.json) found"
    )
    assert result.max_score == 18.0 and result.score == 0.0


def test_submission_result_round_trips_through_json(hw2):
    path = ROOT / "submissions" / "hw2" / "98411402" / "answers.yaml"
    result = grade_sheet(hw2, Submission("98411402", "hw2", path, "sheet", path.parent))
    again = SubmissionResult.from_json(result.to_json())
    assert again == result


def test_student_ids_keep_the_folders_own_text(tmp_path: Path) -> None:
    from grader.submissions import students_in

    (tmp_path / "۹۸۴۱۱۳۸۷").mkdir()
    (tmp_path / "۹۸۴۱۱۳۸۷" / "answers.yaml").write_text("answers: {}\n")
    (tmp_path / "98411387").mkdir()
    (tmp_path / "98411387" / "answers.yaml").write_text("answers: {}\n")
    (tmp_path / "\u200f٩٨٤١١٤٠٢.yaml").write_text("answers: {}\n")
    ids = sorted(s.student for s in students_in(tmp_path, "hw"))
    assert ids == sorted(["98411387", "\u200f٩٨٤١١٤٠٢", "۹۸۴۱۱۳۸۷"])


def test_a_file_and_a_folder_of_the_same_name_are_two_students(tmp_path: Path) -> None:
    from grader.submissions import layout_notes, students_in

    (tmp_path / "98411387").mkdir()
    (tmp_path / "98411387" / "answers.yaml").write_text("answers: {}\n")
    (tmp_path / "98411387.yaml").write_text("answers: {}\n")
    subs = students_in(tmp_path, "hw")
    assert [(s.student, s.path.name) for s in subs] == [
        ("98411387", "answers.yaml"),
        ("98411387.yaml", "98411387.yaml"),
    ]
    expected = (
        f"{tmp_path / '98411387.yaml'}: shares the name '98411387' with 98411387; "
        "graded as student '98411387.yaml'"
    )
    assert layout_notes(tmp_path) == [expected]


def test_ta_files_and_hidden_folders_are_not_students_and_are_named(tmp_path: Path) -> None:
    from grader.submissions import layout_notes, looks_like_student_folder, students_in

    (tmp_path / "overrides.yaml").write_text("[]\n")
    for name in ("_old", ".backup", "s1"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "answers.yaml").write_text("answers: {}\n")
    (tmp_path / "section2" / "s2").mkdir(parents=True)
    (tmp_path / "section2" / "s2" / "answers.yaml").write_text("answers: {}\n")
    assert [s.student for s in students_in(tmp_path, "hw")] == ["s1", "section2"]
    assert not looks_like_student_folder(tmp_path)
    notes = layout_notes(tmp_path)
    assert (
        notes[0]
        == f"{tmp_path / '.backup'}: skipped (names starting with '.' or '_' are not students)"
    )
    assert (
        notes[1]
        == f"{tmp_path / '_old'}: skipped (names starting with '.' or '_' are not students)"
    )
    assert notes[2].startswith(
        f"{tmp_path / 'section2'}: holds no submission itself but 1 folder(s)"
    )
    assert len(notes) == 3
