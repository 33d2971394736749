"""The Dask executor against a real two-process LocalCluster."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from runner_support import job_for

from grader.runner import make_executor
from grader.runner.base import Limits, NotebookJob, NotebookRun
from grader.runner.dask_executor import run_from_json, run_to_json

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


def test_run_survives_the_json_round_trip() -> None:
    run = NotebookRun(
        values={"p": Fraction(1, 2), "m": [[1, "x"], True], "n": None},
        sandbox="bwrap",
        notes=["a"],
        output="out",
    )
    back = run_from_json(run_to_json(run))
    assert back == run


def test_class_is_graded_on_dask_workers(klass: Path) -> None:
    jobs = [
        job_for(klass, "good", "good_numpy", ("dropout_standard_train", "p"), Limits()),
        job_for(klass, "raises", "raises_in_cell_2", ("before",), Limits()),
        job_for(
            klass,
            "loops",
            "infinite_loop",
            ("before",),
            Limits(cell_timeout=2, notebook_timeout=10),
        ),
    ]
    # A student whose notebook reads a data file beside it: the file must travel too.
    reader = klass / "reader"
    (reader / "data").mkdir(parents=True)
    (reader / "data" / "weights.txt").write_text("0.35")
    nbformat.write(
        new_notebook(cells=[new_code_cell("w = float(open('data/weights.txt').read())")]),
        str(reader / "work.ipynb"),
    )
    jobs.append(NotebookJob(key="reader", notebook=reader / "work.ipynb", names=("w",)))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        executor = make_executor("dask", scheduler=cluster.scheduler_address)
        try:
            runs = {job.key: run for job, run in executor.run_many(jobs)}
        finally:
            executor.close()
    assert runs["good"].error is None
    assert runs["good"].values["p"] == Fraction(1, 2)
    assert runs["good"].values["dropout_standard_train"][0][0] == Fraction(8, 5)
    assert runs["raises"].error.kind == "error" and runs["raises"].values == {"before": 42}
    assert runs["loops"].error.kind == "timeout" and runs["loops"].error.cell_index == 1
    assert runs["reader"].error is None and runs["reader"].values == {"w": Fraction(7, 20)}
