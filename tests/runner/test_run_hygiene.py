"""What a run leaves behind and what it says about itself (issue 9, items 6 and 8).

A ``grade`` killed with SIGKILL leaves its workers' cgroups and temporary folders; the next
run removes them. SIGTERM unwinds like Ctrl-C. A run without the sandbox says "not
sandboxed" in the terminal, on index.html and in results.json, and ``--sandbox required``
(or ``sandbox: required`` in the rubric) makes that an error with what to install.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.runner import cgroups
from grader.runner.sandbox import bwrap_status

pytestmark = pytest.mark.slow

RUBRIC = """\
assignment: tiny
title: {en: "Tiny"}
limits: {cell_timeout: 60, notebook_timeout: 90}
questions:
  - id: q
    parts:
      - {id: x, answer: 3, points: 1, check: numeric}
"""


def _class(root: Path, cells_by_student: dict[str, list[str]], rubric: str = RUBRIC) -> Path:
    (root / "rubrics").mkdir(parents=True, exist_ok=True)
    (root / "rubrics" / "tiny.yaml").write_text(rubric, "utf-8")
    cls = root / "cls"
    for student, cells in cells_by_student.items():
        (cls / student).mkdir(parents=True)
        nb = new_notebook(cells=[new_code_cell(c) for c in cells])
        nbformat.write(nb, cls / student / "hw.ipynb")
    return cls


def _grade(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "grader.cli", "cls", "--rubric", "rubrics/tiny.yaml"]
    return subprocess.Popen(
        [*command, *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _traces(pid: int) -> list[str]:
    """The cgroups and temporary folders that belong to grader process ``pid``."""
    found = [
        str(p)
        for root in {p.parent for p in cgroups._roots().values()} | set(cgroups._roots().values())
        for p in root.glob(f"dlgrade-{pid}")
    ]
    found += [str(p) for p in Path(tempfile.gettempdir()).glob(f"dlgrade-{pid}-*")]
    return sorted(set(found))


def _wait_for(condition, seconds: float = 60.0) -> bool:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_grade_killed_with_sigkill_leaves_traces_that_the_next_run_removes(tmp_path: Path):
    cls_root = tmp_path / "a"
    _class(cls_root, {"loops": ["while True:\n    pass"], "good": ["q_x = 3"]})
    first = _grade(cls_root, "--out", "out", "--jobs", "2")
    assert _wait_for(lambda: len(_traces(first.pid)) >= 2), "the run never started its workers"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    left = _traces(first.pid)
    assert left, "a SIGKILL leaves the workers' folders (nothing could remove them)"

    second_root = tmp_path / "b"
    _class(second_root, {"good": ["q_x = 3"]})
    second = _grade(second_root, "--out", "out", "--jobs", "1")
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert _traces(first.pid) == [], "the next run removes what the killed one left"
    assert _traces(second.pid) == [], "a finished run leaves nothing either"


def test_sigterm_stops_the_run_like_ctrl_c_and_removes_its_workers(tmp_path: Path):
    _class(tmp_path, {"loops": ["while True:\n    pass"]})
    run = _grade(tmp_path, "--out", "out", "--jobs", "1")
    assert _wait_for(lambda: len(_traces(run.pid)) >= 1)
    time.sleep(1.0)  # the worker is warm and the notebook is running
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130
    assert "interrupted: results graded so far are kept" in err
    assert _traces(run.pid) == []


def test_without_bwrap_sandbox_required_is_exit_2_with_the_install_hint(tmp_path: Path):
    _class(tmp_path, {"good": ["q_x = 3"]})
    missing = {"DLGRADE_BWRAP": str(tmp_path / "no-bwrap-here")}
    run = _grade(tmp_path, "--out", "out", "--sandbox", "required", env=missing)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2
    assert err.strip() == (
        "error: a sandbox is required but bubblewrap is not installed: install it "
        "(Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)"
    )
    assert not (tmp_path / "out" / "results.json").exists()


def test_a_rubric_that_requires_the_sandbox_refuses_to_run_without_it(tmp_path: Path):
    _class(tmp_path, {"good": ["q_x = 3"]}, RUBRIC + "sandbox: required\n")
    missing = {"DLGRADE_BWRAP": str(tmp_path / "no-bwrap-here")}
    run = _grade(tmp_path, "--out", "out", env=missing)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2 and "apt-get install bubblewrap" in err
    run = _grade(tmp_path, "--out", "out", "--sandbox", "none")
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2
    assert "rubric tiny says 'sandbox: required'; --sandbox none refused" in err


def test_an_unsandboxed_run_says_so_in_the_terminal_the_index_and_results_json(tmp_path: Path):
    _class(tmp_path, {"good": ["q_x = 3"]})
    missing = {"DLGRADE_BWRAP": str(tmp_path / "no-bwrap-here")}
    run = _grade(tmp_path, "--out", "out", env=missing)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    warning = "not sandboxed: bwrap (bubblewrap) was not found; resource limits only"
    assert f"WARNING: {warning}" in " ".join(out.split())
    data = json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))
    assert data["sandboxed"] is False and data["notes"][0] == warning
    assert data["results"][0]["score"] == 1.0  # still graded
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert 'id="not-sandboxed"' in index and warning in index


@pytest.mark.skipif(bwrap_status() != "ok", reason=f"bubblewrap is {bwrap_status()} here")
def test_a_sandboxed_run_says_nothing_of_the_kind(tmp_path: Path):
    _class(tmp_path, {"good": ["q_x = 3"]})
    run = _grade(tmp_path, "--out", "out", "--sandbox", "required")
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert "not sandboxed" not in out
    data = json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))
    assert data["sandboxed"] is True
    assert 'id="not-sandboxed"' not in (tmp_path / "out" / "index.html").read_text("utf-8")
