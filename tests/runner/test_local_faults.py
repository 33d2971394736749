"""Hostile and broken notebooks, all in ONE batch with good ones (issue 4).

Each test asserts one student's status and message; ``test_every_good_student_was_graded``
asserts that the good notebooks in the same run still came back with their values.
"""

from __future__ import annotations

import os
import time
from fractions import Fraction
from pathlib import Path

import pytest
from runner_support import FAST, job_for

from grader.runner.base import NotebookRun
from grader.runner.pool import LocalExecutor

pytestmark = pytest.mark.slow

FAULTS = {
    "infinite_loop": ("before", "after"),
    "memory_bomb": ("before", "after"),
    "memory_bomb_numpy": ("before",),
    "fork_bomb": ("before", "after"),
    "sys_exit": ("before", "after"),
    "os_exit_before_checks": ("answer", "dropout_standard_train"),
    "segfault": ("before",),
    "output_flood": ("before",),
    "malformed_json": ("x",),
    "no_code_cells": ("answer",),
    "non_utf8_bytes": ("answer",),
    "silenced_traceback": ("before",),
    "writes_outside": ("results", "written_here"),
    "reads_other_student": ("stolen",),
    "opens_sockets": ("loopback", "public"),
}
GOOD = ("dropout_standard_train", "p", "answer")


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    ppid = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            found.append(pid)
            todo.append(pid)
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run every fault notebook and three good ones in one run_many; time and processes."""
    root = tmp_path_factory.mktemp("class")
    (root / "other_student").mkdir()
    (root / "other_student" / "answers.txt").write_text("the other student's answers")
    jobs = [job_for(root, "good_first", "good_numpy", GOOD)]
    jobs += [job_for(root, name, name, names) for name, names in FAULTS.items()]
    jobs += [job_for(root, "good_middle", "good_numpy", GOOD)]
    jobs.insert(5, job_for(root, "good_early", "good_numpy", GOOD))
    start = time.monotonic()
    with LocalExecutor(jobs=2) as executor:
        runs = {job.key: run for job, run in executor.run_many(jobs)}
        elapsed = time.monotonic() - start
        # Below each worker (bwrap, or the zygote itself) only the zygote may remain. Killed
        # processes take a moment to be reaped on a loaded machine: allow a few seconds.
        deadline = time.monotonic() + 10
        while True:
            leftovers = [pid for w in executor.workers for pid in _descendants(w.proc.pid)]
            if len(leftovers) <= len(executor.workers) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        workers = len(executor.workers)
        outside = [
            p for p in (root.parent / "escaped.txt", Path("/work/escaped.txt")) if p.exists()
        ]
    return {
        "runs": runs,
        "elapsed": elapsed,
        "leftovers": leftovers,
        "workers": workers,
        "root": root,
        "outside": outside,
    }


def run_of(batch: dict, key: str) -> NotebookRun:
    return batch["runs"][key]


def test_every_student_in_the_batch_comes_back(batch: dict) -> None:
    assert set(batch["runs"]) == {"good_first", "good_early", "good_middle", *FAULTS}
    # Cell limit 3 s, notebook limit 8 s: the slow faults run side by side on 2 workers.
    assert batch["elapsed"] < 60


def test_every_good_student_was_graded(batch: dict) -> None:
    for key in ("good_first", "good_early", "good_middle"):
        run = run_of(batch, key)
        assert run.error is None, (key, run.error)
        assert run.values == {
            "dropout_standard_train": [[Fraction(8, 5), 0], [0, Fraction(5, 2)]],
            "p": Fraction(1, 2),
            "answer": Fraction(7, 20),
        }


def test_no_process_of_any_student_is_left_running(batch: dict) -> None:
    assert len(batch["leftovers"]) <= batch["workers"], batch["leftovers"]


def test_infinite_loop_times_out_in_its_cell_keeping_earlier_values(batch: dict) -> None:
    run = run_of(batch, "infinite_loop")
    assert run.error.kind == "timeout"
    assert run.error.cell_index == 1 and "while True" in run.error.source
    assert run.error.message == "cell 2 ran longer than 3 s"  # cells counted from 1
    assert run.values == {"before": 1}


def test_memory_bomb_hits_the_memory_limit(batch: dict) -> None:
    for key in ("memory_bomb", "memory_bomb_numpy"):
        run = run_of(batch, key)
        assert run.error.kind == "memory_limit", (key, run.error)
        assert run.error.cell_index == 1
        assert f"{FAST.memory_mb} MB" in run.error.message
        assert run.values == {"before": 1}


def test_fork_bomb_is_stopped_by_the_process_limit_or_the_clock(batch: dict) -> None:
    run = run_of(batch, "fork_bomb")
    assert run.error.kind in ("process_limit", "timeout"), run.error
    assert run.error.cell_index == 1
    assert run.values["before"] == 1  # "after" too when the fork failed and later cells ran


def test_sys_exit_is_that_cells_error_and_later_cells_still_run(batch: dict) -> None:
    run = run_of(batch, "sys_exit")
    assert run.error.kind == "error"
    assert run.error.cell_index == 1 and run.error.ename == "SystemExit"
    assert run.error.message == "cell 2 called sys.exit()"
    assert run.values == {"before": 1, "after": 2}


def test_os_exit_before_the_checks_is_reported_and_printed_fakes_are_ignored(batch: dict) -> None:
    run = run_of(batch, "os_exit_before_checks")
    assert run.error.kind == "exited"
    assert "exit code 0" in run.error.message and run.error.cell_index == 1
    assert "CORRECT 10/10" in run.output  # printed, and nothing more than printed
    assert run.values == {"answer": Fraction(7, 20)}  # only what cell 0 really computed


def test_segfault_is_a_dead_kernel(batch: dict) -> None:
    run = run_of(batch, "segfault")
    assert run.error.kind == "kernel_died"
    assert "segmentation fault" in run.error.message and run.error.cell_index == 1


def test_output_flood_is_stopped_and_truncated(batch: dict) -> None:
    run = run_of(batch, "output_flood")
    assert run.error.kind == "output_limit" and run.error.cell_index == 1
    assert len(run.output) <= FAST.max_output_bytes
    assert any("output truncated" in note for note in run.notes)


def test_malformed_json_is_an_invalid_notebook(batch: dict) -> None:
    run = run_of(batch, "malformed_json")
    assert run.error.kind == "invalid_notebook"
    assert "not valid notebook JSON" in run.error.message


def test_notebook_without_code_cells_runs_with_a_note(batch: dict) -> None:
    run = run_of(batch, "no_code_cells")
    assert run.error is None and run.values == {}
    assert "notebook.ipynb has no code cells" in run.notes


def test_non_utf8_bytes_are_replaced_with_a_note(batch: dict) -> None:
    run = run_of(batch, "non_utf8_bytes")
    assert run.error is None and run.values == {"answer": 7}
    assert any("not valid UTF-8" in note for note in run.notes)


def test_silenced_traceback_still_reports_the_error(batch: dict) -> None:
    run = run_of(batch, "silenced_traceback")
    assert run.error.kind == "error"
    assert (run.error.cell_index, run.error.ename, run.error.evalue) == (1, "ValueError", "hidden")
    assert "raise ValueError" in run.error.traceback


def test_writing_outside_the_folder_does_not_reach_the_grader(batch: dict) -> None:
    run = run_of(batch, "writes_outside")
    assert run.error is None
    assert run.values["written_here"] == 2  # its own folder is writable
    assert batch["outside"] == []
    assert not (batch["root"] / "writes_outside" / "mine.txt").exists()  # a copy, not the original
    if run.sandbox == "bwrap":  # inside the sandbox /work IS its own folder
        assert run.values["results"] == ["blocked", "written", "blocked", "blocked"]


def test_reading_another_students_folder_finds_nothing(batch: dict) -> None:
    run = run_of(batch, "reads_other_student")
    assert run.error is None  # graded: the attempt failed inside the notebook, not the run
    assert str(run.values["stolen"]).startswith("blocked: ")
    assert "answers" not in str(run.values["stolen"])


def test_opening_sockets_is_blocked_by_the_sandbox(batch: dict) -> None:
    run = run_of(batch, "opens_sockets")
    assert run.error is None
    if run.sandbox != "bwrap":
        pytest.skip("no bwrap here: without a network namespace a socket may connect")
    assert str(run.values["loopback"]).startswith("blocked: ")
    assert str(run.values["public"]).startswith("blocked: ")


def test_a_student_who_kills_the_worker_is_reported_and_the_next_is_graded(
    tmp_path: Path,
) -> None:
    jobs = [
        job_for(tmp_path, "killer", "kills_its_worker", ("before",)),
        job_for(tmp_path, "after_killer", "good_numpy", GOOD),
    ]
    with LocalExecutor(jobs=1) as executor:
        runs = {job.key: run for job, run in executor.run_many(jobs)}
    killer = runs["killer"]
    if killer.sandbox == "bwrap":  # pid 1 of its namespace cannot be killed from inside
        assert killer.error.kind == "timeout" and killer.error.cell_index == 1
    else:
        assert killer.error.kind == "kernel_died"
    assert runs["after_killer"].error is None
    assert runs["after_killer"].values["p"] == Fraction(1, 2)
