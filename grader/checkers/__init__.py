"""The check kinds, one module each; :mod:`grader.checks` registers them."""
