"""TAs grading in the service, over HTTP against a real ``grade serve``: roles (no TA page
for a student), argon2 passwords, marks with optimistic locking, rubric item edits that
reach every student, corrections and regrades with their trail, overrides.yaml in and
out, the live view and fixing the key (exactly the students whose score changes)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import select

from grader.web.db import make_engine, sessions, sqlite_url
from grader.web.models import ScoreEvent, Ta
from grader.web.ta import TA_URLS
from tests.web.conftest import REPO, Server, csrf_of, signed_in
from tests.web.grading import hand_in, setup, ta_client

pytestmark = pytest.mark.slow

STUDENTS = ["98417101", "98417102", "98417103", "98417104", "98417105"]
RIGHT = {
    "dropout.p": "0.75",
    "explain.overfitting": "Overfitting: it learns the noise. Stop early, or use dropout.",
    "explain.inverted": "Kept outputs are divided by p in training.",
}


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, dict[str, str], Path]]:
    course, codes = setup(tmp_path_factory.mktemp("grading"), STUDENTS)
    server = Server(course).start()
    hand_in(signed_in(server, codes[STUDENTS[0]]), RIGHT)
    hand_in(signed_in(server, codes[STUDENTS[1]]), {**RIGHT, "dropout.p": "0.25"})
    yield server, codes, course
    server.stop()


def _filled(path: str) -> str:
    values = {
        "assignment": "hw7",
        "part": "explain.overfitting",
        "item": "names_overfitting",
        "student": STUDENTS[0],
        "regrade": "1",
        "name": "canvas.csv",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_a_student_reaches_no_ta_page_by_any_url_or_method(world) -> None:
    server, codes, _ = world
    student = signed_in(server, codes[STUDENTS[1]])
    token = csrf_of(student.get("/a/hw7").text)
    urls = [_filled(p) for p in TA_URLS if p not in ("/ta/signin",)]
    assert len(urls) >= 15
    for url in urls:
        answers = [
            student.get(url),
            student.post(url, data={"csrf": token, "score": "0", "student": STUDENTS[0]}),
        ]
        # Each URL answers its own method with the TA sign-in, the other with 405.
        assert any(r.status_code == 303 for r in answers), url
        for response in answers:
            assert response.status_code in (303, 405), url
            if response.status_code == 303:
                assert response.headers["location"] == "/ta/signin", url
            assert STUDENTS[0] not in response.text
    # A forged TA cookie holding the student's session value opens nothing either.
    forged = httpx.Client(base_url=server.url, cookies={"dlg_ta": student.cookies["dlg_session"]})
    assert forged.get("/ta").status_code == 303
    # Students' own grading pages say nothing before publishing.
    assert "not-published" in student.get("/a/hw7/grades").text
    assert student.get("/a/hw7/report").status_code == 404


def test_ta_passwords_are_argon2_hashes_and_a_wrong_one_is_refused(world) -> None:
    server, _, course = world
    with sessions(make_engine(sqlite_url(course)))() as db:
        hashes = [t.password_hash for t in db.scalars(select(Ta))]
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    client = httpx.Client(base_url=server.url)
    token = csrf_of(client.get("/ta/signin").text)
    wrong = client.post(
        "/ta/signin", data={"csrf": token, "name": "ta_a", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == 401 and "dlg_ta" not in wrong.cookies
    # A TA session does not make its holder a student.
    ta = ta_client(server, "ta_a")
    assert ta.get("/a/hw7").status_code == 303


def _save(
    ta: httpx.Client, student: str, version: int, items: list[str], **extra: str
) -> httpx.Response:
    page = ta.get(f"/ta/a/hw7/grade/explain.overfitting?student={student}")
    data = {
        "csrf": csrf_of(page.text),
        "student": student,
        "version": str(version),
        "item": items,
        **extra,
    }
    return ta.post("/ta/a/hw7/grade/explain.overfitting", data=data)


def _total(ta: httpx.Client, student: str) -> str:
    page = ta.get(f"/ta/a/hw7/students/{student}").text
    return re.search(r'id="total">([^<]*)<', page).group(1)


def test_two_tas_saving_one_answer_the_later_save_is_refused_not_merged(world) -> None:
    server, _, _ = world
    a, b = ta_client(server, "ta_a"), ta_client(server, "ta_b")
    first = _save(a, STUDENTS[1], 0, ["names_overfitting", "first_remedy", "second_remedy"])
    assert first.status_code == 303
    stale = _save(b, STUDENTS[1], 0, ["calls_it_underfitting"])
    assert stale.status_code == 409 and "ta_a" in stale.text
    # p wrong (0) + the three items of ta_a (3) + the inverted part not graded yet (0)
    assert _total(a, STUDENTS[1]) == "3 / 6"
    fresh = _save(b, STUDENTS[1], 1, ["names_overfitting"])
    assert fresh.status_code == 303
    assert _total(a, STUDENTS[1]) == "1 / 6"


def _events(course: Path, student: str) -> list[tuple[str, float | None, float, str, str]]:
    with sessions(make_engine(sqlite_url(course)))() as db:
        rows = db.scalars(
            select(ScoreEvent).where(ScoreEvent.student == student).order_by(ScoreEvent.id)
        )
        return [(e.part, e.old, e.new, e.kind, e.who) for e in rows]


def test_editing_a_rubric_item_rescores_everyone_who_has_it_with_a_trail(world) -> None:
    server, _, course = world
    ta = ta_client(server, "ta_a")
    assert _save(ta, STUDENTS[0], 0, ["names_overfitting", "first_remedy"]).status_code == 303
    assert _total(ta, STUDENTS[0]) == "3 / 6"
    page = ta.get(f"/ta/a/hw7/grade/explain.overfitting?student={STUDENTS[0]}")
    edit = {
        "csrf": csrf_of(page.text),
        "points": "0.5",
        "text_en": "Names overfitting",
        "text_fa": "بیش‌برازش را نام می‌برد",
        "student": STUDENTS[0],
    }
    done = ta.post("/ta/a/hw7/items/explain.overfitting/names_overfitting", data=edit)
    assert done.status_code == 200 and "2 students" in done.text
    assert _total(ta, STUDENTS[0]) == "2.5 / 6"
    assert _total(ta, STUDENTS[1]) == "0.5 / 6"
    assert _events(course, STUDENTS[0])[-1] == ("explain.overfitting", 2.0, 1.5, "item", "ta_a")


def test_a_correction_of_an_automatic_part_is_kept_with_who_and_why(world) -> None:
    server, _, course = world
    ta = ta_client(server, "ta_b")
    page = ta.get(f"/ta/a/hw7/students/{STUDENTS[1]}").text
    data = {
        "csrf": csrf_of(page),
        "part": "dropout.p",
        "version": "0",
        "score": "0.5",
        "why": "wrote p but crossed it out",
    }
    assert ta.post(f"/ta/a/hw7/students/{STUDENTS[1]}", data=data).status_code == 200
    assert _total(ta, STUDENTS[1]) == "1 / 6"
    assert ("dropout.p", 0.0, 0.5, "correction", "ta_b") in _events(course, STUDENTS[1])
    refused = {**data, "score": "7"}
    assert ta.post(f"/ta/a/hw7/students/{STUDENTS[1]}", data=refused).status_code == 400


def test_overrides_yaml_goes_out_and_comes_back_in_as_the_cli_reads_it(
    world, tmp_path: Path
) -> None:
    server, _, course = world
    ta = ta_client(server, "ta_a")
    exported = yaml.safe_load(ta.get("/ta/a/hw7/overrides.yaml").text)
    mine = {(e["student"], e["part"]): e["score"] for e in exported}
    assert mine[(STUDENTS[1], "hw7.dropout.p")] == 0.5
    assert mine[(STUDENTS[0], "hw7.explain.overfitting")] == 1.5
    # The command line grades the class folder with the exported file: the same totals.
    import grader

    (tmp_path / "overrides.yaml").write_text(
        ta.get("/ta/a/hw7/overrides.yaml").text, encoding="utf-8"
    )
    results = grader.grade_class(
        course,
        out=tmp_path / "out",
        rubric=course.parent / "rubrics" / "hw7.yaml",
        overrides=tmp_path / "overrides.yaml",
    )
    ((_, graded),) = results.assignments
    assert {r.student: r.score for r in graded} == {STUDENTS[0]: 2.5, STUDENTS[1]: 1.0}
    # Importing sets scores by hand, each on the trail; a bad line changes nothing.
    token = csrf_of(ta.get("/ta").text)
    text = f'- {{student: "{STUDENTS[0]}", part: hw7.explain.inverted, score: 2, comment: "from the CLI"}}\n'
    assert (
        ta.post("/ta/a/hw7/overrides", data={"csrf": token, "overrides": text}).status_code == 303
    )
    assert _total(ta, STUDENTS[0]) == "4.5 / 6"
    assert _events(course, STUDENTS[0])[-1] == ("explain.inverted", 0.0, 2.0, "import", "ta_a")
    bad = text.replace("score: 2", "score: 9")
    assert ta.post("/ta/a/hw7/overrides", data={"csrf": token, "overrides": bad}).status_code == 400


def test_the_live_page_shows_mistakes_met_who_has_not_started_and_who_is_stuck(world) -> None:
    server, codes, _ = world
    stuck = signed_in(server, codes[STUDENTS[2]])
    token = csrf_of(stuck.get("/a/hw7").text)
    for answer in ("0.25", "0.25", "0.3"):
        stuck.post(
            "/a/hw7/check", data={"csrf": token, "a:dropout.p": answer, "check": "dropout.p"}
        )
    ta = ta_client(server, "ta_a")
    page = ta.get("/ta/a/hw7/live").text
    row = re.search(
        r'<tr data-part="dropout.p" data-mistake="p_as_drop_probability"[^>]*>.*?</tr>',
        page,
        re.DOTALL,
    )
    assert row and '<td class="students">1</td>' in row.group(0)
    not_started = re.search(r'<ul id="not-started">(.*?)</ul>', page, re.DOTALL).group(1)
    assert re.findall(r"<li>(\w+)</li>", not_started) == STUDENTS[3:]
    assert re.findall(r'<li data-student="(\w+)" data-part="([\w.]+)"', page) == [
        (STUDENTS[2], "dropout.p")
    ]


#: The exports of the TA's home page; ``grade`` writes grades.csv, canvas.csv, moodle.csv
#: and gradescope/<student>.json (the service zips the last).
EXPORTS = ["grades.csv", "exports/canvas.csv", "exports/moodle.csv", "exports/gradescope.zip"]


def _rows(body: str | bytes) -> list[list[str]]:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return list(csv.reader(io.StringIO(text)))


def _answer_a_regrade(server: Server, code: str, ta: httpx.Client) -> None:
    """``code``'s student asks for a regrade of explain.inverted; the TA gives it 1 point."""
    student = signed_in(server, code)
    token = csrf_of(student.get("/a/hw7/grades").text)
    asked = {"csrf": token, "part": "explain.inverted", "reason": "I said: divided by p"}
    assert student.post("/a/hw7/regrade", data=asked).status_code == 200
    page = ta.get("/ta/a/hw7/regrades").text
    regrade = re.findall(r'action="/ta/a/hw7/regrades/(\d+)"', page)[-1]
    answer = {"csrf": csrf_of(page), "answer": "Half of it is right.", "score": "1"}
    assert ta.post(f"/ta/a/hw7/regrades/{regrade}", data=answer).status_code == 200


def _grade_cli(course: Path, overrides: Path, out: Path) -> None:
    """Run ``grade`` on the class folder with ``overrides`` and every gradebook export."""
    command = [sys.executable, "-m", "grader.cli", str(course), "--out", str(out)]
    command += ["--rubric", str(course.parent / "rubrics" / "hw7.yaml")]
    command += ["--overrides", str(overrides), "--format", "csv", "--format", "gradescope"]
    command += ["--export", "canvas", "--export", "moodle"]
    done = subprocess.run(
        command, check=False, cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_export_is_the_file_grade_writes_from_the_hand_ins_and_overrides(
    world, tmp_path: Path
) -> None:
    server, codes, course = world
    ta = ta_client(server, "ta_a")
    token = csrf_of(ta.get("/ta").text)
    assert ta.post("/ta/a/hw7/publish", data={"csrf": token}).status_code == 303
    _answer_a_regrade(server, codes[STUDENTS[1]], ta)
    # No export reaches a student, whatever their session.
    student = signed_in(server, codes[STUDENTS[0]])
    for export in EXPORTS:
        refused = student.get(f"/ta/a/hw7/{export}")
        assert refused.status_code == 303 and refused.headers["location"] == "/ta/signin"
    served = {}
    for export in EXPORTS:
        response = ta.get(f"/ta/a/hw7/{export}")
        assert (
            response.status_code == 200 and "attachment" in response.headers["content-disposition"]
        ), export
        served[export] = response.content
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(ta.get("/ta/a/hw7/overrides.yaml").text, encoding="utf-8")
    _grade_cli(course, overrides, tmp_path / "out")
    out = tmp_path / "out"
    # grades.csv: grade's columns, then the trail (the answered regrade on it).
    grades = _rows(served["grades.csv"])
    assert [row[:-1] for row in grades] == _rows((out / "grades.csv").read_bytes())
    trail = {row[0]: row[-1] for row in grades[1:]}
    assert grades[0][-1] == "trail" and "(regrade: I said: divided by p" in trail[STUDENTS[1]]
    canvas = _rows(served["exports/canvas.csv"])
    assert canvas == _rows((out / "canvas.csv").read_bytes())
    # The final scores: S0 p 1 + items 1.5 + imported 2; S1 corrected 0.5 + 0.5 + regrade 1.
    assert {row[0]: float(row[-1]) for row in canvas[2:]} == {STUDENTS[0]: 4.5, STUDENTS[1]: 2.0}
    assert _rows(served["exports/moodle.csv"]) == _rows((out / "moodle.csv").read_bytes())
    with zipfile.ZipFile(io.BytesIO(served["exports/gradescope.zip"])) as archive:
        zipped = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    written = {
        f"gradescope/{path.name}": json.loads(path.read_text(encoding="utf-8"))
        for path in (out / "gradescope").glob("*.json")
    }
    assert sorted(zipped) == [f"gradescope/{s}.json" for s in STUDENTS[:2]]
    assert zipped == written


def test_fixing_the_key_lists_exactly_the_students_whose_score_changes(tmp_path: Path) -> None:
    students = ["k1", "k2", "k3", "k4"]
    course, codes = setup(tmp_path, students)
    server = Server(course).start()
    try:
        answers = {"k1": "0.75", "k2": "0.25", "k3": "0.5", "k4": ""}
        for student, p in answers.items():
            hand_in(signed_in(server, codes[student]), {"dropout.p": p, "explain.inverted": "by p"})
        ta = ta_client(server, "ta_a")
        assert 'id="keyfix-same"' in ta.get("/ta/a/hw7/keyfix").text
        rubric_file = course.parent / "rubrics" / "hw7.yaml"
        fixed = yaml.safe_load(rubric_file.read_text(encoding="utf-8"))
        fixed["questions"][0]["params"]["mask"] = [[1, 0], [0, 1]]  # the key becomes p = 0.5
        rubric_file.write_text(yaml.safe_dump(fixed, allow_unicode=True), encoding="utf-8")
        page = ta.get("/ta/a/hw7/keyfix").text
        rows = re.findall(
            r'<tr data-student="(\w+)"><td>\w+</td><td class="old">([^<]*)</td><td class="new">([^<]*)</td>',
            page,
        )
        assert rows == [("k1", "1", "0"), ("k3", "0", "1")]
        # Nothing changed yet: the key in use still gives k1 the point.
        assert _total(ta, "k1") == "1 / 6"
        token = csrf_of(page)
        accepted = ta.post("/ta/a/hw7/keyfix", data={"csrf": token, "why": "the mask was mistyped"})
        assert accepted.status_code == 303 and "count=2" in accepted.headers["location"]
        assert _total(ta, "k1") == "0 / 6" and _total(ta, "k3") == "1 / 6"
        assert _events(course, "k3") == [("dropout.p", 0.0, 1.0, "key", "ta_a")]
        assert 'id="keyfix-same"' in ta.get("/ta/a/hw7/keyfix").text
    finally:
        server.stop()
