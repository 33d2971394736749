"""The reference executor: a fresh kernel per notebook, errors and values as data."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from runner_support import FAST, job_for

from grader.runner import make_executor
from grader.runner.base import Limits

pytestmark = pytest.mark.slow


def run_all(jobs):
    executor = make_executor("nbclient", jobs=2)
    try:
        return {job.key: run for job, run in executor.run_many(jobs)}
    finally:
        executor.close()


def test_values_errors_and_timeouts_come_back_as_data(klass: Path) -> None:
    jobs = [
        job_for(
            klass, "good", "good_numpy", ("dropout_standard_train", "p", "answer", "nope"), Limits()
        ),
        job_for(klass, "torch", "good_torch", ("w", "loss"), Limits()),
        job_for(klass, "raises", "raises_in_cell_2", ("before", "after", "never")),
        job_for(
            klass,
            "loops",
            "infinite_loop",
            ("before", "after"),
            Limits(cell_timeout=2, notebook_timeout=20),
        ),
    ]
    runs = run_all(jobs)

    good = runs["good"]
    assert good.error is None
    assert good.values["dropout_standard_train"] == [[Fraction(16, 10), 0], [0, Fraction(5, 2)]]
    assert good.values["p"] == Fraction(1, 2)
    assert "nope" not in good.values
    assert "p = 0.5" in good.output

    torch_run = runs["torch"]
    assert torch_run.error is None
    assert [str(v) for v in torch_run.values["w"]] == ["7/20", "5/4"]  # float32 0.35 -> "0.35"
    assert torch_run.values["loss"] == Fraction(35, 100)

    raised = runs["raises"]
    assert raised.error is not None and raised.error.kind == "error"
    assert (raised.error.cell_index, raised.error.ename) == (2, "ZeroDivisionError")
    assert "1 / 0" in raised.error.source and "\x1b[" not in raised.error.traceback
    assert raised.values == {"before": 42}

    loops = runs["loops"]
    assert loops.error is not None and loops.error.kind == "timeout"
    assert loops.error.cell_index == 1
    assert loops.values == {"before": 1}


def test_malformed_notebook_is_reported_not_raised(klass: Path) -> None:
    runs = run_all([job_for(klass, "bad", "malformed_json", ("x",), FAST)])
    assert runs["bad"].error.kind == "invalid_notebook"
    assert "not valid notebook JSON" in runs["bad"].error.message
