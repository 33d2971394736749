"""Exact reference solvers for the course's question types.

Pure functions over sympy Rationals; nothing here imports :mod:`grader` or does I/O.
Importing the package registers every solver in :data:`SOLVERS`.
"""

# Each module registers its solvers on import; add one line per new module.
from reference import architecture, dropout, gd, optimizers, regularization, softmax  # noqa: F401
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
