"""Nothing is lost: an interrupted run resumes, and a re-run re-grades only what changed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.classrun import grade_plan
from grader.rubric import load_rubric
from grader.runner import make_executor
from grader.store import ResultStore
from grader.submissions import students_in

RUBRIC = """\
assignment: hwr
questions:
  - id: q
    parts:
      - {id: a, answer: 2, points: 1, check: numeric}
"""
STUDENTS = [f"s{i}" for i in range(6)]


def make_class(root: Path, sleep: float = 0.0) -> tuple[Path, Path]:
    rubric = root / "rubrics" / "hwr.yaml"
    rubric.parent.mkdir(parents=True)
    rubric.write_text(RUBRIC)
    for i, student in enumerate(STUDENTS):
        nb = new_notebook(
            cells=[
                new_code_cell(f"import time\ntime.sleep({sleep})\nq_a = {2 if i % 2 == 0 else 3}")
            ]
        )
        folder = root / "cls" / student
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / "work.ipynb"))
    return rubric, root / "cls"


def stored_students(out: Path) -> set[str]:
    folder = out / ".dlgrade" / "results" / "hwr"
    return {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()


def test_interrupted_class_run_keeps_what_it_graded_and_resumes(tmp_path: Path) -> None:
    rubric_path, cls = make_class(tmp_path)
    rubric = load_rubric(rubric_path)
    plan = [(rubric, students_in(cls, "hwr"))]
    store = ResultStore(tmp_path / "store")
    seen: list[str] = []

    def stop_after_two(result, cached):
        seen.append(result.student)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_plan(plan, lambda: make_executor("local", jobs=1), store, on_result=stop_after_two)
    assert len({p.stem for p in (tmp_path / "store" / "hwr").glob("*.json")}) == 2

    regraded: list[tuple[str, bool]] = []
    stats = grade_plan(
        plan,
        lambda: make_executor("local", jobs=1),
        store,
        on_result=lambda r, cached: regraded.append((r.student, cached)),
    )
    assert (stats.graded, stats.reused) == (4, 2)
    assert {s for s, cached in regraded if cached} == set(seen)
    scores = {r.student: r.score for r in stats.assignments[0][1]}
    assert scores == {s: (1.0 if i % 2 == 0 else 0.0) for i, s in enumerate(STUDENTS)}


def run_grade(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def counts(stdout: str) -> tuple[int, int]:
    match = re.search(r"graded (\d+), unchanged since the last run (\d+)", stdout)
    assert match, stdout
    return int(match.group(1)), int(match.group(2))


@pytest.mark.slow
def test_grade_killed_part_way_then_rerun_grades_only_the_rest(tmp_path: Path) -> None:
    make_class(tmp_path, sleep=0.6)
    args = ["cls", "--rubric", "hwr", "--out", "out", "--jobs", "1"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(stored_students(tmp_path / "out")) < 2 and time.monotonic() < deadline:
        assert proc.poll() is None, "grade finished before it could be interrupted"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # as hard as an interruption gets
    proc.wait(timeout=30)
    done = stored_students(tmp_path / "out")
    assert 2 <= len(done) < len(STUDENTS)

    second = run_grade(args, tmp_path)
    assert second.returncode == 0, second.stderr
    assert counts(second.stdout) == (len(STUDENTS) - len(done), len(done))

    # A re-run with nothing changed grades nobody; changing one notebook re-grades only it.
    third = run_grade(args, tmp_path)
    assert counts(third.stdout) == (0, len(STUDENTS))
    nb = nbformat.read(str(tmp_path / "cls" / "s1" / "work.ipynb"), as_version=4)
    nb.cells[0].source = "q_a = 2"
    nbformat.write(nb, str(tmp_path / "cls" / "s1" / "work.ipynb"))
    fourth = run_grade(args, tmp_path)
    assert counts(fourth.stdout) == (1, len(STUDENTS) - 1)

    # Changing the rubric invalidates every stored result.
    rubric = tmp_path / "rubrics" / "hwr.yaml"
    rubric.write_text(rubric.read_text().replace("points: 1", "points: 2"))
    fifth = run_grade(args, tmp_path)
    assert counts(fifth.stdout) == (len(STUDENTS), 0)


def test_fresh_regrades_everyone_and_refreshes_the_store(tmp_path: Path) -> None:
    make_class(tmp_path)
    args = ["cls", "--rubric", "hwr", "--out", "out", "--jobs", "1"]
    assert counts(run_grade(args, tmp_path).stdout) == (len(STUDENTS), 0)
    assert counts(run_grade([*args, "--fresh"], tmp_path).stdout) == (len(STUDENTS), 0)
    assert counts(run_grade(args, tmp_path).stdout) == (0, len(STUDENTS))
