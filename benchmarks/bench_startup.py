"""Start-up cost of the command line: what a student's `grade check` and a TA's `grade
CLASS` pay before (or besides) running any notebook.

    python benchmarks/bench_startup.py [--runs 7]

Prints the median wall time of
  * the baseline: a fresh Python importing numpy, sympy, yaml and jinja2;
  * `grade check` of an answer sheet (submissions/hw2/98411387/answers.yaml), and its
    ratio to the baseline (the target is at most 1.5×);
  * `grade CLASS` of the demo class with its notebooks left out (answer sheets only), a
    fresh report folder each run: the fixed cost outside notebooks (target < 1.5 s).
Each is a new process, as a user runs it; nothing is cached between runs but the OS's
file cache (a first, discarded run warms it).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "submissions" / "hw2" / "98411387" / "answers.yaml"


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def median(command: list[str], runs: int, cwd: Path = ROOT) -> float:
    wall(command, cwd)  # warm the file cache
    return statistics.median(wall(command, cwd) for _ in range(runs))


def sheets_only_class(dest: Path) -> Path:
    """The demo class without its notebooks (students who handed in answer sheets)."""
    cls = dest / "class"
    shutil.copytree(ROOT / "submissions", cls)
    for notebook in list(cls.rglob("*.ipynb")):
        shutil.rmtree(notebook.parent)
    shutil.copytree(ROOT / "rubrics", dest / "rubrics")
    return cls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (median)")
    args = parser.parse_args()
    py = sys.executable
    baseline = median([py, "-c", "import numpy, sympy, yaml, jinja2"], args.runs)
    check = median([py, "-m", "grader.cli", "check", str(SHEET)], args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        cls = sheets_only_class(Path(tmp))
        times = []
        for i in range(args.runs + 1):
            out = Path(tmp) / f"out{i}"
            times.append(wall([py, "-m", "grader.cli", str(cls), "--out", str(out)], Path(tmp)))
        grade_class = statistics.median(times[1:])
    print(f"import numpy+sympy+yaml+jinja2: {baseline:.3f} s (median of {args.runs})")
    print(f"grade check answers.yaml:       {check:.3f} s = {check / baseline:.2f}× the imports")
    print(f"grade CLASS (no notebooks):     {grade_class:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
