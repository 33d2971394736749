"""dlgrade: grade deep-learning homework against keys computed by exact reference solvers."""

__version__ = "0.1.0"
