"""Start-up cost: `grade check` of an answer sheet imports nothing it does not use
(benchmarks/bench_startup.py prints the timings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import contextlib, io, sys
from grader.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["check", "submissions/hw2/98411387/answers.yaml"])
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
print(" ".join(sorted(m for m in sys.modules if m.startswith("grader."))))
"""


def test_checking_an_answer_sheet_loads_no_plotting_templating_or_notebook_machinery():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    top, ours = set(out[0].split()), set(out[1].split())
    heavy = {"matplotlib", "jinja2", "nbclient", "nbformat", "jupyter_client", "torch", "babel"}
    assert top & heavy == set()
    assert "grader.runner.pool" not in ours and "grader.report.html" not in ours


def test_import_grader_alone_loads_no_solver():
    probe = "import sys, grader; print(grader.__version__, 'sympy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1] == "False"  # the runner's workers import grader.runner without the solvers
