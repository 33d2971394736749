"""Run outcomes are one closed vocabulary (grader.outcomes) that every executor uses."""

from __future__ import annotations

import ast
from pathlib import Path

from grader.i18n import render
from grader.outcomes import RUN_OUTCOMES, cell_timeout, killed, notebook_timeout

GRADER = Path(__file__).resolve().parents[1] / "grader"


def _kinds_named_in(path: Path) -> set[str]:
    """String literals given as a RunError's kind, or assigned to a variable ``kind``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "RunError":
            given = node.args[:1] + [k.value for k in node.keywords if k.arg == "kind"]
            found |= {a.value for a in given if isinstance(a, ast.Constant)}
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for name, value in zip(names, values):
                if getattr(name, "id", None) == "kind" and isinstance(value, ast.Constant):
                    found.add(value.value)
    return found


def test_every_executor_reports_only_outcomes_of_the_vocabulary():
    sources = [*GRADER.glob("runner/*.py"), GRADER / "grading.py"]
    used = set().union(*(_kinds_named_in(p) for p in sources))
    assert used, "the scan found no RunError at all"
    assert used <= set(RUN_OUTCOMES), used - set(RUN_OUTCOMES)


def test_outcome_messages_carry_their_facts_and_speak_both_languages():
    assert str(cell_timeout(3, 10.0)) == "cell 3 ran longer than 10 s"
    assert render(cell_timeout(3, 10.0), "fa") == "اجرای سلول ۳ بیش از ۱۰ ثانیه طول کشید"
    assert str(notebook_timeout(120.0, 4)).endswith("(stopped in cell 4)")
    assert "segmentation" in str(killed("SIGSEGV", None))
    assert render(killed("SIGKILL", 2), "fa").startswith("فرایند نوت‌بوک در سلول ۲")
