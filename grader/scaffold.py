"""``grade init COURSE``: a new course folder that grades as it is.

The folder gets ``rubrics/hw1.yaml`` (an example rubric whose keys are computed by the
solvers), ``submissions/hw1/<student>/answers.yaml`` (three example answer sheets: one
right, one in Persian digits with a known mistake, one with a blank part), a
``roster.csv`` (the columns ``grade serve tokens`` reads) and a ``README.md`` naming the
next commands. The files are copied from ``grader/course_template/``, the same files the
tests validate and grade.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.discovery import InputError

TEMPLATE = Path(__file__).parent / "course_template"
#: The example assignment's name (``rubrics/hw1.yaml`` ↔ ``submissions/hw1/``).
EXAMPLE = "hw1"

_README = """\
# {name}

A course folder written by `grade init`. From this folder:

```bash
grade validate rubrics/hw1.yaml              # the rubric: schema and solver dry run
grade key rubrics/hw1.yaml                   # the answer key the solvers computed
grade submissions/ --out reports/            # grade the class; open reports/index.html
grade check submissions/hw1/s002/answers.yaml
```

- `rubrics/` one rubric per assignment (`hw1.yaml` grades `submissions/hw1/`).
- `submissions/hw1/<student>/` one folder per student: a notebook (`.ipynb`) or an
  answer sheet (`.yaml`/`.json`).
- `roster.csv` the students (`student,name,email,lang`), for `grade serve`.
- `submissions/overrides.yaml` (optional) scores a TA sets by hand.
"""


def template_files() -> list[Path]:
    """Every file ``grade init`` writes, relative to the course folder (README excepted)."""
    return sorted(p.relative_to(TEMPLATE) for p in TEMPLATE.rglob("*") if p.is_file())


def init_course(course: str | Path, *, lang: str = "en") -> list[Path]:
    """Write an example course into ``course`` and return the files written.

    ``course`` may exist but must not hold any of the files written (nothing is
    overwritten); ``lang`` (``en``/``fa``) is the example rubric's report language.
    Raises :class:`~grader.discovery.InputError` naming a file that is in the way, or a
    ``course`` that is a file.
    """
    if lang not in ("en", "fa"):
        raise InputError(f"unknown language {lang!r}; choose en or fa")
    course = Path(course)
    if course.exists() and not course.is_dir():
        raise InputError(f"{course}: exists and is not a folder")
    wanted = [*template_files(), Path("README.md")]
    clashes = [rel for rel in wanted if (course / rel).exists()]
    if clashes:
        raise InputError(
            f"{course / clashes[0]}: already exists; grade init writes a new course and "
            "overwrites nothing (pick another folder)"
        )
    written: list[Path] = []
    for rel in template_files():
        target = course / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATE / rel, target)
        written.append(target)
    rubric = course / "rubrics" / f"{EXAMPLE}.yaml"
    if lang != "en":
        text = rubric.read_text(encoding="utf-8")
        rubric.write_text(text.replace("\nlang: en\n", f"\nlang: {lang}\n"), encoding="utf-8")
    readme = course / "README.md"
    readme.write_text(_README.format(name=course.resolve().name or "course"), encoding="utf-8")
    written.append(readme)
    return written
