"""The live view of the class, read from stored checks: known mistakes per part and per
variant (hw6 gives each student their own parameters), who has not started, who is stuck."""

from __future__ import annotations

import json
from pathlib import Path

import grader
from grader.web.db import make_engine, migrate, sessions, utcnow
from grader.web.live import class_view, variant_label
from grader.web.models import Check, Draft, Student

ROOT = Path(__file__).resolve().parents[2]


def test_mistakes_are_counted_per_part_and_per_variant(tmp_path: Path) -> None:
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw6.yaml")
    engine = make_engine(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    migrate(engine)
    students = [f"9841600{n}" for n in range(1, 7)]
    labels = {s: variant_label(rubric, s, "dropout") for s in students}
    # Two students who share a variant and one with another, all with the same mistake.
    by_label: dict[str, list[str]] = {}
    for s in students:
        by_label.setdefault(labels[s], []).append(s)
    shared = next(group for group in by_label.values() if len(group) >= 2)
    other = next(group[0] for label, group in by_label.items() if label != labels[shared[0]])
    mistaken = [shared[0], shared[1], other]
    with sessions(engine)() as db:
        for s in students:
            db.add(Student(id=s, name=s, lang=None, token_hash=s.ljust(64, "0"), created=utcnow()))
        db.flush()
        for s in mistaken:
            result = {"misconception": "p_as_drop_probability"}
            for _ in range(3):  # three wrong checks of one part: stuck
                db.add(
                    Check(
                        student=s,
                        assignment="hw6",
                        part="dropout.p",
                        answer='"0.3"',
                        status="wrong",
                        score=0,
                        max_score=1,
                        result=json.dumps(result),
                        created=utcnow(),
                    )
                )
        db.add(
            Draft(
                student=students[5], assignment="hw6", part="gd.z", answer='"1"', updated=utcnow()
            )
        )
        db.commit()
        view = class_view(db, rubric, "en")
    rows = {(m["variant"], m["mistake"]): m["students_n"] for m in view["mistakes"]}
    assert rows == {
        (labels[shared[0]], "p_as_drop_probability"): 2,
        (labels[other], "p_as_drop_probability"): 1,
    }
    assert labels[shared[0]] != labels[other] and labels[other].startswith("mask=")
    assert view["variants"] is True
    assert view["not_started"] == sorted(set(students) - set(mistaken) - {students[5]})
    assert sorted(s["student"] for s in view["stuck"]) == sorted(mistaken)
