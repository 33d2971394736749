"""Results kept on disk under a fingerprint (grader.store), and a class run re-using them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import grader
from grader.classrun import grade_plan
from grader.grading import grade_sheet
from grader.results import PartResult, SubmissionResult
from grader.rubric import load_rubric
from grader.runner.base import Limits
from grader.store import ResultStore, fingerprint
from grader.submissions import students_in

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def course(tmp_path):
    """A copy of the small rubric and a class of two answer-sheet students."""
    rubric_path = tmp_path / "rubrics" / "small.yaml"
    rubric_path.parent.mkdir()
    shutil.copy(FIXTURES / "rubrics" / "small_dropout_and_choices.yaml", rubric_path)
    for student, sheet in (("s1", "persian_digits_sheet.yaml"), ("s2", "nested_form_sheet.yaml")):
        folder = tmp_path / "class" / "small" / student
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / "sheets" / sheet, folder / "answers.yaml")
    return tmp_path


def submissions(course: Path):
    return students_in(course / "class" / "small", "small")


def sample_result() -> SubmissionResult:
    part = PartResult(
        "q.m",
        1.25,
        2.5,
        "partial",
        "2 of 4 cells correct",
        got=[["۱", "2"]],
        expected=[["1", "2"]],
        wrong_cells=[[0, 1], [1, 0]],
    )
    return SubmissionResult(
        "۹۸۴۱۱", "small", "x/answers.yaml", [part], notes=["a note"], duration=0.25
    )


def test_put_then_get_returns_the_same_result(tmp_path):
    store = ResultStore(tmp_path / "store")
    store.put(sample_result(), "abc")
    assert store.get("small", "۹۸۴۱۱", "abc") == sample_result()


def test_get_with_another_fingerprint_is_none(tmp_path):
    store = ResultStore(tmp_path / "store")
    store.put(sample_result(), "abc")
    assert store.get("small", "۹۸۴۱۱", "abd") is None
    assert store.get("small", "nobody", "abc") is None


def test_corrupt_stored_file_is_treated_as_absent(tmp_path):
    store = ResultStore(tmp_path / "store")
    store.put(sample_result(), "abc")
    (stored,) = (tmp_path / "store" / "small").iterdir()
    stored.write_text('{"fingerprint": "abc", "result": {"stud', encoding="utf-8")
    assert store.get("small", "۹۸۴۱۱", "abc") is None


def test_put_is_atomic_an_interrupted_write_keeps_the_old_result(tmp_path, monkeypatch):
    store = ResultStore(tmp_path / "store")
    store.put(sample_result(), "old")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.put(sample_result(), "new")
    monkeypatch.undo()
    assert store.get("small", "۹۸۴۱۱", "old") == sample_result()
    (kept,) = (tmp_path / "store" / "small").iterdir()
    assert kept.name.startswith("۹۸۴۱۱-") and kept.suffix == ".json"


def test_student_name_cannot_escape_the_store(tmp_path):
    store = ResultStore(tmp_path / "store")
    result = SubmissionResult("../../evil", "small", "x", [])
    store.put(result, "d")
    assert store.get("small", "../../evil", "d") == result
    assert not (tmp_path / "evil.json").exists()
    assert all(p.is_relative_to(tmp_path / "store") for p in tmp_path.rglob("*.json"))


def test_fingerprint_is_stable_for_unchanged_inputs(course):
    rubric = load_rubric(course / "rubrics" / "small.yaml")
    sub = submissions(course)[0]
    assert fingerprint(rubric, sub, Limits()) == fingerprint(rubric, sub, Limits())


def test_fingerprint_changes_when_the_submission_file_changes(course):
    rubric = load_rubric(course / "rubrics" / "small.yaml")
    sub = submissions(course)[0]
    before = fingerprint(rubric, sub, Limits())
    with sub.path.open("a", encoding="utf-8") as f:
        f.write("# edited\n")
    assert fingerprint(rubric, sub, Limits()) != before


def test_fingerprint_changes_when_a_file_is_added_to_the_students_folder(course):
    rubric = load_rubric(course / "rubrics" / "small.yaml")
    sub = submissions(course)[0]
    before = fingerprint(rubric, sub, Limits())
    (sub.folder / "data.csv").write_text("1,2\n", encoding="utf-8")
    assert fingerprint(rubric, sub, Limits()) != before


def test_fingerprint_changes_when_the_rubric_file_changes(course):
    path = course / "rubrics" / "small.yaml"
    sub = submissions(course)[0]
    before = fingerprint(load_rubric(path), sub, Limits())
    path.write_text(
        path.read_text(encoding="utf-8").replace("rtol: 0.01", "rtol: 0.02"), encoding="utf-8"
    )
    assert fingerprint(load_rubric(path), sub, Limits()) != before


def test_fingerprint_changes_with_the_toolkit_version(course, monkeypatch):
    rubric = load_rubric(course / "rubrics" / "small.yaml")
    sub = submissions(course)[0]
    before = fingerprint(rubric, sub, Limits())
    monkeypatch.setattr(grader, "__version__", "999.0")
    assert fingerprint(rubric, sub, Limits()) != before


def test_fingerprint_changes_with_the_limits(course):
    rubric = load_rubric(course / "rubrics" / "small.yaml")
    sub = submissions(course)[0]
    assert fingerprint(rubric, sub, Limits()) != fingerprint(rubric, sub, Limits(memory_mb=1))


def no_executor():
    raise AssertionError("answer sheets never need an executor")


def test_rerun_reuses_unchanged_results_and_regrades_what_changed(course):
    rubric = load_rubric(course / "rubrics" / "small.yaml")
    store = ResultStore(course / "out")
    seen: list[tuple[str, bool]] = []

    def run():
        seen.clear()
        plan = [(rubric, submissions(course))]
        return grade_plan(
            plan, no_executor, store, on_result=lambda r, c: seen.append((r.student, c))
        )

    stats = run()
    ((_, first),) = stats.assignments
    assert (stats.graded, stats.reused) == (2, 0)
    assert [r.score for r in first] == [21.0, 5.0]

    stats = run()
    ((_, again),) = stats.assignments
    assert (stats.graded, stats.reused) == (0, 2)
    assert again == first
    assert seen == [("s1", True), ("s2", True)]

    sheet = course / "class" / "small" / "s2" / "answers.yaml"
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace("literal.s1: T", "literal.s1: F"),
        encoding="utf-8",
    )
    stats = run()
    ((_, third),) = stats.assignments
    assert (stats.graded, stats.reused) == (1, 1)
    assert seen == [("s1", True), ("s2", False)]
    assert third[1].score == 4.0


def test_stale_stored_result_is_not_reused_after_the_rubric_changes(course):
    path = course / "rubrics" / "small.yaml"
    store = ResultStore(course / "out")
    sub = submissions(course)[1]
    rubric = load_rubric(path)
    store.put(grade_sheet(rubric, sub), fingerprint(rubric, sub, Limits()))
    path.write_text(
        path.read_text(encoding="utf-8").replace("points: 3", "points: 4"), encoding="utf-8"
    )
    changed = load_rubric(path)
    assert store.get("small", sub.student, fingerprint(changed, sub, changed.limits())) is None
    stats = grade_plan([(changed, [sub])], no_executor, store)
    ((_, results),) = stats.assignments
    assert (stats.graded, stats.reused) == (1, 0)
    assert results[0].max_score == 22.0


def test_students_whose_safe_names_coincide_keep_separate_results(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    for student in ("a/b", "a_b", "a b"):
        store.put(SubmissionResult(student, "hw", "x", []), "fp")
    assert {store.get("hw", s, "fp").student for s in ("a/b", "a_b", "a b")} == {
        "a/b",
        "a_b",
        "a b",
    }
    assert len(list((tmp_path / "hw").glob("*.json"))) == 3


def test_ids_that_differ_only_in_digit_script_or_invisibles_keep_separate_results(tmp_path):
    store = ResultStore(tmp_path)
    ids = ["9841", "۹۸۴۱", "Zoë", "Zoe\u0308", "علی‌رضا", "علیرضا", " 98411387", "98411387"]
    for i, student in enumerate(ids):
        store.put(SubmissionResult(student, "hw", f"src{i}", []), "fp")
    assert [store.get("hw", s, "fp").source for s in ids] == [f"src{i}" for i in range(8)]
    assert len(list((tmp_path / "hw").glob("*.json"))) == 8


def test_a_255_byte_id_and_a_lone_surrogate_are_stored_and_read_back(tmp_path):
    store = ResultStore(tmp_path)
    for student in ("ب" * 127 + "x", "\U0001f600" * 63 + "abc", "caf\udce9"):
        store.put(SubmissionResult(student, "hw", "x", []), "fp")
        assert store.get("hw", student, "fp").student == student
    assert all(len(p.name.encode()) < 100 for p in (tmp_path / "hw").iterdir())


def test_a_solver_fix_changes_the_fingerprint_although_the_rubric_file_did_not(course):
    import dataclasses

    rubric = load_rubric(course / "rubrics" / "small.yaml")
    sub = submissions(course)[0]
    before = fingerprint(rubric, sub, Limits())
    first = rubric.parts[0]
    fixed_key = dataclasses.replace(first, expected=[[0]] if first.check == "matrix" else 12345)
    fixed = dataclasses.replace(rubric, parts=(fixed_key, *rubric.parts[1:]))
    assert fixed.digest == rubric.digest  # same file
    assert fingerprint(fixed, sub, Limits()) != before
    assert fingerprint(rubric, sub, Limits()) == before


def test_the_grader_version_is_part_of_the_fingerprint(course, monkeypatch):
    import grader

    rubric = load_rubric(course / "rubrics" / "small.yaml")
    sub = submissions(course)[0]
    before = fingerprint(rubric, sub, Limits())
    monkeypatch.setattr(grader, "__version__", "99.0")
    assert fingerprint(rubric, sub, Limits()) != before
