"""Every example in docs/ is valid: rubrics load and solve, answer sheets are read and
score what they claim, overrides apply to the demo class, notebook variables are the ones a
rubric reads. The README links every page in docs/ and no file a clone lacks."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
from pathlib import Path

import pytest

import grader
from grader.overrides import apply_all_overrides, load_overrides
from grader.results import SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w+)(?: ([\w-]+))?\n(.*?)^```", re.DOTALL | re.MULTILINE)


def examples(kind: str) -> list[tuple[str, str, str]]:
    """``(page, language, text)`` of every fenced block tagged ``kind`` in docs/."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for language, tag, text in FENCE.findall(page.read_text(encoding="utf-8")):
            if tag == kind:
                found.append((page.name, language, text))
    return found


def ids(items: list[tuple[str, str, str]]) -> list[str]:
    return [f"{page}-{i}" for i, (page, _, _) in enumerate(items)]


RUBRICS = examples("rubric")
SHEETS = examples("answer-sheet")
OVERRIDES = examples("overrides")


def test_docs_hold_examples_of_every_format() -> None:
    assert len(RUBRICS) >= 3 and len(SHEETS) >= 3 and len(OVERRIDES) >= 1
    assert {language for _, language, _ in SHEETS} == {"yaml", "json"}


@pytest.mark.parametrize(("page", "language", "text"), RUBRICS, ids=ids(RUBRICS))
def test_documented_rubric_validates(tmp_path: Path, page, language, text) -> None:
    name = re.search(r"^assignment: (\w+)", text, re.MULTILINE).group(1)
    path = tmp_path / "rubrics" / f"{name}.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    rubric = grader.load_rubric(path)
    assert rubric.assignment == name and rubric.parts


@pytest.mark.parametrize(("page", "language", "text"), SHEETS, ids=ids(SHEETS))
def test_documented_answer_sheet_is_read_and_every_answer_is_right(
    tmp_path: Path, page, language, text
) -> None:
    sheet = tmp_path / f"answers.{language}"
    sheet.write_text(text, encoding="utf-8")
    result = grader.check(grader.load_rubric(ROOT / "rubrics" / "hw2.yaml"), sheet)
    answered = [p for p in result.parts if p.status != "missing"]
    assert len(answered) >= 2
    assert {p.id: p.status for p in answered} == {p.id: "correct" for p in answered}


@pytest.mark.parametrize(("page", "language", "text"), OVERRIDES, ids=ids(OVERRIDES))
def test_documented_overrides_apply_to_the_demo_class(tmp_path: Path, page, language, text):
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    overrides = load_overrides(path)
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw2.yaml")
    students = sorted(p.name for p in (ROOT / "submissions" / "hw2").iterdir() if p.is_dir())
    empty = [SubmissionResult(s, "hw2", "", []) for s in students]
    ((_, applied),) = apply_all_overrides([(rubric, empty)], overrides)
    changed = {(r.student, p.id): p.score for r in applied for p in r.parts if p.overridden}
    assert changed == {(o.student, o.part.split(".", 1)[1]): o.score for o in overrides}


def test_documented_notebook_variables_are_the_ones_the_rubric_reads() -> None:
    (text,) = re.findall(
        r"```python\n(.*?)```", (DOCS / "notebooks.md").read_text("utf-8"), re.DOTALL
    )
    cell = ast.parse(text)  # the documented cell, as a student would write it
    names = {node.targets[0].id for node in cell.body if isinstance(node, ast.Assign)}
    assert len(names) == len(cell.body)
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw2.yaml")
    assert names and names <= {p.variable for p in rubric.parts}


def test_readme_links_every_doc_page_and_no_missing_file() -> None:
    text = README.read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(([^)#]+)\)", text))
    local = {link for link in links if "://" not in link}
    assert {f"docs/{p.name}" for p in DOCS.glob("*.md")} <= local
    assert all((ROOT / link).exists() for link in local), local
    assert "DESIGN.md" not in text


def start_a_course_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```bash\n(.*?)```", text, re.DOTALL) if "grade init" in b]
    assert len(blocks) == 1, "the README shows how to start a course in one bash block"
    return [line.split("#", 1)[0].strip() for line in blocks[0].splitlines() if line.strip()]


@pytest.mark.slow
def test_readme_course_steps_grade_the_example_class(tmp_path: Path) -> None:
    lines = start_a_course_block()
    assert lines[0].startswith("grade init /tmp/course")
    script = " && ".join(
        line.replace("/tmp/course", shlex.quote(str(tmp_path / "course"))) for line in lines
    )
    done = subprocess.run(
        ["bash", "-c", script],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    reports = tmp_path / "course" / "reports"
    assert (reports / "index.html").is_file() and (reports / "s002.html").is_file()
    assert "graded 3" in done.stdout
