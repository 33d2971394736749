"""Exact reference solvers for the course's question types.

Pure functions over sympy Rationals; nothing here imports :mod:`grader` or does I/O.
Importing the package registers every solver in :data:`SOLVERS`.
"""

from reference.core import (
    SOLVERS,
    Misconception,
    ParamError,
    Solution,
    SolverSpec,
    exact,
    get_solver,
    solution_json,
    to_json,
)

# Each module registers its solvers on import; add one line per new module.
from reference import architecture, dropout, gd, optimizers, regularization  # noqa: E402,F401

__all__ = [
    "SOLVERS",
    "Misconception",
    "ParamError",
    "Solution",
    "SolverSpec",
    "exact",
    "get_solver",
    "solution_json",
    "to_json",
]
