"""Check limits and deadlines: set in a rubric, defaulted by the course's serve.yaml, and
overridden per assignment by serve.yaml (the server's word)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from grader.rubric import RubricError
from grader.web.course import load_course
from tests.web.conftest import make_course


def _set_rubric(course: Path, assignment: str, **values: object) -> None:
    path = course.parent / "rubrics" / f"{assignment}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(values)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_rubric_sets_its_own_limit_and_deadline_over_the_course_default(tmp_path: Path) -> None:
    course = make_course(tmp_path, ["s1"], {"checks_per_hour": 7})
    _set_rubric(course, "secret", checks_per_hour=4, deadline="2027-01-10T20:30:00+03:30")
    loaded = load_course(course)
    assert loaded.checks_per_hour("secret") == 4
    assert loaded.assignment("secret").deadline == datetime(2027, 1, 10, 17, 0)  # naive UTC
    assert loaded.checks_per_hour("hw2") == 7  # serve.yaml's course-wide default
    assert loaded.assignment("hw2").deadline is None


def test_serve_yaml_overrides_a_rubric_per_assignment(tmp_path: Path) -> None:
    override = {"assignments": {"secret": {"checks_per_hour": 2, "deadline": "2027-02-01T00:00Z"}}}
    course = make_course(tmp_path, ["s1"], override)
    _set_rubric(course, "secret", checks_per_hour=4, deadline="2027-01-10T20:30:00Z")
    loaded = load_course(course)
    assert loaded.checks_per_hour("secret") == 2
    assert loaded.assignment("secret").deadline == datetime(2027, 2, 1, 0, 0)
    assert loaded.checks_per_hour("hw2") == 10  # the built-in default


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"deadline": "2027-01-10T20:30:00"}, "deadline"),  # no time zone
        ({"checks_per_hour": 0}, "checks_per_hour"),
        ({"checks_per_hour": "ten"}, "checks_per_hour"),
    ],
)
def test_a_bad_limit_or_deadline_in_a_rubric_is_named_with_its_field(
    tmp_path: Path, values: dict, field: str
) -> None:
    course = make_course(tmp_path, ["s1"])
    _set_rubric(course, "hw2", **values)
    with pytest.raises(RubricError) as caught:
        load_course(course)
    assert any(field in problem and "hw2.yaml" in problem for problem in caught.value.problems)
