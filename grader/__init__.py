"""dlgrade: grade deep-learning homework against keys computed by exact reference solvers.

The public API (see :mod:`grader.api`)::

    import grader
    rubric = grader.load_rubric("hw2")
    result = grader.check(rubric, "answers.yaml")
    results = grader.grade_class("submissions/", out="reports/")
    grader.write_reports("reports/", results)

Names are imported on first use, so ``import grader`` stays cheap for the notebook
runner's workers, which import only :mod:`grader.runner`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name → the module that defines it.
_EXPORTS = {
    "load_rubric": "grader.api",
    "check": "grader.api",
    "check_file": "grader.api",
    "check_json": "grader.api",
    "grade_class": "grader.api",
    "write_reports": "grader.api",
    "solve": "grader.api",
    "solvers": "grader.api",
    "distinguishability": "grader.api",
    "suggest_parameters": "grader.api",
    "filter_variants": "grader.api",
    "write_handouts": "grader.api",
    "limits": "grader.api",
    "init_course": "grader.api",
    "InputError": "grader.discovery",
    "ClassResults": "grader.classresults",
    "AssignmentResults": "grader.classresults",
    "SubmissionResult": "grader.results",
    "PartResult": "grader.results",
    "RunError": "grader.results",
    "Rubric": "grader.rubric",
    "RubricError": "grader.rubric",
    "CHECKS": "grader.checks",
    "ParamError": "reference.core",
    "Solution": "reference.core",
    "Msg": "reference.messages",
}

__all__ = [
    "CHECKS",
    "AssignmentResults",
    "ClassResults",
    "InputError",
    "Msg",
    "ParamError",
    "PartResult",
    "Rubric",
    "RubricError",
    "RunError",
    "Solution",
    "SubmissionResult",
    "__version__",
    "check",
    "check_file",
    "check_json",
    "distinguishability",
    "filter_variants",
    "grade_class",
    "init_course",
    "limits",
    "load_rubric",
    "solve",
    "solvers",
    "suggest_parameters",
    "write_handouts",
    "write_reports",
]

if TYPE_CHECKING:
    from grader.api import (
        check,
        check_file,
        check_json,
        distinguishability,
        filter_variants,
        grade_class,
        init_course,
        limits,
        load_rubric,
        solve,
        solvers,
        suggest_parameters,
        write_handouts,
        write_reports,
    )
    from grader.checks import CHECKS
    from grader.classresults import AssignmentResults, ClassResults
    from grader.discovery import InputError
    from grader.results import PartResult, RunError, SubmissionResult
    from grader.rubric import Rubric, RubricError
    from reference.core import ParamError, Solution
    from reference.messages import Msg


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'grader' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
