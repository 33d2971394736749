"""How long a class of small numpy notebooks takes: plain nbclient vs ``grade --jobs 2``.

    python benchmarks/bench_notebooks.py [--students 40] [--large 200] [--jobs 2] [--keep DIR]

Generates a class of N student folders, each with a small notebook computing the dropout
answers for different parameters (a few cells, numpy only), plus a rubric. Then, in one
run, it prints the per-notebook wall time of

(a) plain sequential nbclient: ``NotebookClient(nb, shutdown_kernel="immediate").execute()``
    for each notebook in a loop (no grading at all), and
(b) the whole ``grade DIR --rubric R --out OUT --jobs N --fresh`` command as a subprocess
    (command start, rubric, key, running, checking and reports included); when the
    ``grade`` command is not installed, ``make_executor("local", jobs=N).run_many`` instead,
    labelled so,

and the ratio (a)/(b) — how many times faster (b) is. Then (c): (b) again on a class of
``--large`` notebooks (200), whose per-notebook time is compared with (a)'s per-notebook
time (nbclient over 200 notebooks would take minutes and scales linearly). Figures only;
no assertions. The isolation work of issue 9 (a fresh tmpfs and IPC namespace per
student, cgroup limits, the untrusted-result decoder) is all inside (b) and (c).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

RUBRIC = """\
assignment: bench
title: {en: "Benchmark: dropout"}
defaults: {rtol: 0.01, atol: 0.001}
limits: {cell_timeout: 30, notebook_timeout: 120, memory_mb: 2048}
preload: [numpy]
questions:
  - id: dropout
    solver: dropout
    params:
      output: [[1.6, -0.7, -0.2, 1.9], [-2.3, 2.5, 2.5, -0.9], [-0.5, 3.2, 3.7, -0.4], [1.3, -0.4, -2.6, 1.2]]
      mask:   [[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0], [1, 0, 1, 1]]
    parts:
      - {id: p,              expect: p,              points: 1, check: numeric}
      - {id: standard_train, expect: standard.train, points: 1, check: matrix}
      - {id: standard_test,  expect: standard.test,  points: 1, check: matrix}
      - {id: inverted_train, expect: inverted.train, points: 1, check: matrix}
      - {id: inverted_test,  expect: inverted.test,  points: 1, check: matrix}
"""

NAMES = (
    "dropout_p",
    "dropout_standard_train",
    "dropout_standard_test",
    "dropout_inverted_train",
    "dropout_inverted_test",
)


def student_notebook(rng: random.Random) -> nbformat.NotebookNode:
    """A small notebook: the dropout answers, sometimes with a typical mistake."""
    mistake = rng.choice(["", "", "", "p = 1 - p\n", "inv_test = inv_test / p\n"])
    steps = rng.randint(2, 6)
    return new_notebook(
        cells=[
            new_markdown_cell("# HW — dropout"),
            new_code_cell(
                "import numpy as np\n"
                "out = np.array([[1.6, -0.7, -0.2, 1.9], [-2.3, 2.5, 2.5, -0.9], "
                "[-0.5, 3.2, 3.7, -0.4], [1.3, -0.4, -2.6, 1.2]])\n"
                "mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0], [1, 0, 1, 1]])"
            ),
            new_code_cell(
                f"p = mask.mean()\n{mistake if mistake.startswith('p') else ''}"
                f"warm = sum(np.ones({steps * 10}) * 0.1)\nprint('p =', p)"
            ),
            new_code_cell(
                "std_train = out * mask\nstd_test = out * p\n"
                "inv_train = out * mask / p\ninv_test = out.copy()\n"
                f"{mistake if mistake.startswith('inv') else ''}"
            ),
            new_code_cell(
                "dropout_p = p\ndropout_standard_train = std_train\n"
                "dropout_standard_test = std_test\ndropout_inverted_train = inv_train\n"
                "dropout_inverted_test = inv_test"
            ),
        ]
    )


def make_class(root: Path, students: int, seed: int = 4) -> tuple[Path, Path]:
    """Write ``root/bench/<student>/hw.ipynb`` for each student and ``root/bench.yaml``."""
    rng = random.Random(seed)
    klass = root / "bench"
    for number in range(students):
        folder = klass / f"9841{number:04d}"
        folder.mkdir(parents=True)
        nbformat.write(student_notebook(rng), folder / "hw.ipynb")
    rubric = root / "bench.yaml"
    rubric.write_text(RUBRIC, "utf-8")
    return klass, rubric


def time_nbclient(notebooks: list[Path]) -> float:
    """(a): seconds for plain sequential nbclient over ``notebooks``."""
    from nbclient import NotebookClient

    start = time.perf_counter()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb, shutdown_kernel="immediate", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    return time.perf_counter() - start


def time_grade(klass: Path, rubric: Path, out: Path, jobs: int) -> tuple[float, str]:
    """(b): seconds for the whole ``grade`` command, or the local executor if no CLI."""
    grade = shutil.which("grade")
    if (
        grade
        and subprocess.run([grade, "--help"], capture_output=True, check=False).returncode == 0
    ):
        command = [
            grade,
            str(klass),
            "--rubric",
            str(rubric),
            "--out",
            str(out),
            "--jobs",
            str(jobs),
            "--fresh",
        ]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"grade failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return elapsed, " ".join(
            ["grade", "CLASS", "--rubric", "R", "--out", "OUT", "--jobs", str(jobs), "--fresh"]
        )
    from grader.runner import make_executor
    from grader.runner.base import NotebookJob

    jobs_list = [NotebookJob(p.parent.name, p, NAMES) for p in sorted(klass.glob("*/*.ipynb"))]
    start = time.perf_counter()
    executor = make_executor("local", jobs=jobs)
    try:
        for _ in executor.run_many(jobs_list):
            pass
    finally:
        executor.close()
    return time.perf_counter() - start, f'make_executor("local", jobs={jobs}).run_many (no CLI)'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--large", type=int, default=200, help="students of run (c); 0 skips it")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the class here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="dlgrade-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        klass, rubric = make_class(root, args.students)
        notebooks = sorted(klass.glob("*/*.ipynb"))
        a = time_nbclient(notebooks)
        b, label = time_grade(klass, rubric, root / "out", args.jobs)
        n = len(notebooks)
        print(f"{n} notebooks, --jobs {args.jobs}")
        print(f"(a) sequential nbclient         {a:7.2f} s total  {a / n:6.3f} s/notebook")
        print(f"(b) {label}")
        print(f"                                {b:7.2f} s total  {b / n:6.3f} s/notebook")
        print(
            f"ratio (b)/(a) = {b / a:.3f}   ->  (b) is {a / b:.1f}x faster than (a)  "
            f"(target: >= 10x)"
        )
        if args.large:
            big, big_rubric = make_class(root / "large", args.large)
            c, _ = time_grade(big, big_rubric, root / "large-out", args.jobs)
            m = len(list(big.glob("*/*.ipynb")))
            print(f"(c) the same command on {m} notebooks")
            print(f"                                {c:7.2f} s total  {c / m:6.3f} s/notebook")
            print(
                f"(a) per notebook / (c) per notebook = {(a / n) / (c / m):.1f}x  (target: >= 30x)"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
