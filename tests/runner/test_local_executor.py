"""The warm-pool executor: exact values, errors as data, resource-limit mode."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from runner_support import job_for

from grader.runner import make_executor
from grader.runner.base import Limits
from grader.runner.pool import LocalExecutor
from grader.runner.sandbox import DISABLED_NOTE, NO_SANDBOX_NOTE

pytestmark = pytest.mark.slow


def test_numpy_torch_and_errors_read_back_exactly(klass: Path) -> None:
    jobs = [
        job_for(klass, "good", "good_numpy", ("dropout_standard_train", "p", "nope"), Limits()),
        job_for(klass, "torch", "good_torch", ("w", "loss"), Limits()),
        job_for(klass, "raises", "raises_in_cell_2", ("before", "after", "never"), Limits()),
    ]
    executor = make_executor("local", jobs=2)
    try:
        runs = {job.key: run for job, run in executor.run_many(jobs)}
    finally:
        executor.close()
    assert runs["good"].error is None
    assert runs["good"].values == {
        "dropout_standard_train": [[Fraction(8, 5), 0], [0, Fraction(5, 2)]],
        "p": Fraction(1, 2),
    }
    assert "p = 0.5" in runs["good"].output
    assert [str(v) for v in runs["torch"].values["w"]] == ["7/20", "5/4"]  # float32 0.35
    raised = runs["raises"]
    assert (raised.error.kind, raised.error.cell_index, raised.error.ename) == (
        "error",
        2,
        "ZeroDivisionError",
    )
    assert raised.error.source == "1 / 0\nafter = 1"
    # The cells after the failure still ran (as nbgrader and Otter do); a note says which
    # variables were set after it.
    assert raised.values == {"before": 42, "never": 2}
    assert "set after the failure in cell 3: never" in raised.notes


def test_without_sandbox_runs_say_so_and_still_clean_up(klass: Path) -> None:
    jobs = [
        job_for(klass, "loops", "infinite_loop", ("before",)),
        job_for(klass, "good", "good_numpy", ("p",)),
    ]
    with LocalExecutor(jobs=1, sandbox="none") as executor:
        runs = {job.key: run for job, run in executor.run_many(jobs)}
    for run in runs.values():
        assert run.sandbox == "rlimits"
        assert DISABLED_NOTE in run.notes
    assert runs["loops"].error.kind == "timeout" and runs["loops"].values == {"before": 1}
    assert runs["good"].values == {"p": Fraction(1, 2)}
    assert NO_SANDBOX_NOTE.startswith("not sandboxed: bwrap (bubblewrap) was not found")


def test_unknown_sandbox_or_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="sandbox"):
        LocalExecutor(sandbox="docker")
    with pytest.raises(ValueError, match="unknown executor kind"):
        make_executor("kubernetes")
