"""From inside a student's notebook: other students, the rubric and the network are gone."""

from __future__ import annotations

import socket
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.runner.base import Limits, NotebookJob
from grader.runner.pool import LocalExecutor
from grader.runner.sandbox import bwrap_status

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bwrap_status() != "ok",
        reason=f"bubblewrap is {bwrap_status()}: the sandbox cannot be tested",
    ),
]

PROBE = """
import os, socket
def attempt_read(path):
    try:
        return open(path).read()
    except OSError as exc:
        return 'blocked: ' + type(exc).__name__
def attempt_connect(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        return 'connected'
    except OSError as exc:
        return 'blocked: ' + type(exc).__name__
other_relative = attempt_read('../bob/answers.txt')
other_absolute = attempt_read({bob!r})
rubric = attempt_read({rubric!r})
own = open('data.txt').read()
loopback = attempt_connect('127.0.0.1', {port})
public = attempt_connect('1.1.1.1', 80)
public_dns = attempt_connect('example.com', 80)
"""


def test_student_cannot_read_others_or_the_rubric_or_reach_the_network(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    (klass / "alice").mkdir(parents=True)
    (klass / "bob").mkdir()
    (klass / "bob" / "answers.txt").write_text("bob's answers")
    (klass / "alice" / "data.txt").write_text("alice's data")
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("key: secret")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    source = PROBE.format(bob=str(klass / "bob" / "answers.txt"), rubric=str(rubric), port=port)
    notebook = klass / "alice" / "alice.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), notebook)
    names = (
        "other_relative",
        "other_absolute",
        "rubric",
        "own",
        "loopback",
        "public",
        "public_dns",
    )
    job = NotebookJob("alice", notebook, names, Limits(cell_timeout=20, notebook_timeout=30))
    try:
        with LocalExecutor(jobs=1, sandbox="bwrap") as executor:
            [(_, run)] = list(executor.run_many([job]))
    finally:
        server.close()
    assert run.error is None, run.error
    assert run.sandbox == "bwrap" and run.notes == []
    values = run.values
    assert values["own"] == "alice's data"
    assert values["other_relative"] == "blocked: FileNotFoundError"
    assert values["other_absolute"] == "blocked: FileNotFoundError"
    assert values["rubric"] == "blocked: FileNotFoundError"
    assert values["loopback"].startswith("blocked")  # even the grader's own loopback port
    assert values["public"].startswith("blocked")
    assert values["public_dns"].startswith("blocked")
