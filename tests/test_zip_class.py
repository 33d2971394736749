"""A Moodle "download all submissions" zip graded directly, unsafe entries refused, and
student-controlled text shown as text in every page."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.cli import main

RUBRIC = """\
assignment: hwz
questions:
  - id: q
    parts:
      - {id: a, answer: 2, points: 1, check: numeric}
      - {id: b, answer: L2, points: 1, check: choice}
"""
SCRIPT = "<script>window.__pwned = 1</script>"


def notebook_bytes() -> bytes:
    nb = new_notebook(
        cells=[
            new_code_cell(f"print({SCRIPT!r})\nq_a = 2\nq_b = {SCRIPT!r}"),
            new_code_cell(f"raise ValueError({SCRIPT!r})"),
        ]
    )
    return nbformat.writes(nb).encode()


@pytest.mark.slow
def test_moodle_zip_is_graded_with_the_zip_slip_entry_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "hwz.yaml").write_text(RUBRIC)
    archive = tmp_path / "hwz.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(
            "Ali Rezaei_67890_assignsubmission_file_/answers.yaml",
            "answers: {q.a: '۲', q.b: ridge}\n",
        )
        zf.writestr("Mina Karimi_22222_assignsubmission_file_/x<script>.ipynb", notebook_bytes())
        zf.writestr("../evil.py", "import os; os.system('rm -rf ~')")
    out = tmp_path / "out"
    assert main([str(archive), "--rubric", str(tmp_path / "hwz.yaml"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "refused" in printed and "../evil.py" in printed
    assert not (tmp_path / "evil.py").exists()
    assert not any(p.name == "evil.py" for p in out.rglob("*"))

    results = {r["student"]: r for r in json.loads((out / "results.json").read_text())["results"]}
    assert set(results) == {"Ali Rezaei", "Mina Karimi"}
    assert results["Ali Rezaei"]["score"] == 2
    mina = results["Mina Karimi"]
    assert mina["status"] == "error" and mina["error"]["ename"] == "ValueError"
    assert mina["score"] == 1  # q.a was set before the failing cell; q.b is the script text

    pages = [p for p in out.glob("*.html")]
    assert len(pages) == 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert SCRIPT not in html and "x<script>" not in html
    mina_page = next(p for p in pages if "Mina" in p.name).read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in mina_page
