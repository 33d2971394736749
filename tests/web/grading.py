"""A course with the written demo assignment hw7, TAs with passwords, and helpers to sign
TAs in and hand answers in — shared by the grading tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import yaml

from tests.web.conftest import REPO, Server, csrf_of, issue_codes

TAS = {"ta_a": "correct-horse-battery", "ta_b": "staple-lantern-river"}


def make_grading_course(
    root: Path, students: list[str], langs: dict[str, str] | None = None
) -> Path:
    """``root/course`` serving the demo rubric hw7 (copied to ``root/rubrics``)."""
    rubric = yaml.safe_load((REPO / "rubrics" / "hw7.yaml").read_text(encoding="utf-8"))
    (root / "rubrics").mkdir(parents=True)
    (root / "rubrics" / "hw7.yaml").write_text(
        yaml.safe_dump(rubric, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    course = root / "course"
    (course / "hw7").mkdir(parents=True)
    langs = langs or {}
    roster = "student,name,lang\n" + "".join(
        f"{s},Student {s},{langs.get(s, '')}\n" for s in students
    )
    (root / "roster.csv").write_text(roster, encoding="utf-8")
    return course


def add_tas(course: Path, db: str | None = None) -> None:
    """Create the TAs of :data:`TAS` with ``grade serve ta``."""
    for name, password in TAS.items():
        command = [sys.executable, "-m", "grader.cli", "serve", "ta", str(course), name]
        command += ["--password-stdin", *(["--db", db] if db else [])]
        subprocess.run(
            command, input=password + "\n", check=True, capture_output=True, text=True, cwd=REPO
        )


def setup(
    root: Path, students: list[str], langs: dict[str, str] | None = None
) -> tuple[Path, dict[str, str]]:
    course = make_grading_course(root, students, langs)
    codes = issue_codes(course, root / "roster.csv")
    add_tas(course)
    return course, codes


def ta_client(server: Server, name: str) -> httpx.Client:
    """An HTTP client signed in as the TA ``name``."""
    client = httpx.Client(base_url=server.url, timeout=30)
    token = csrf_of(client.get("/ta/signin").text)
    response = client.post("/ta/signin", data={"csrf": token, "name": name, "password": TAS[name]})
    assert response.status_code == 303 and response.headers["location"] == "/ta", response.text
    return client


def hand_in(client: httpx.Client, answers: dict[str, str], assignment: str = "hw7") -> None:
    """Save ``answers`` (part id → text) on the assignment page and hand them in."""
    token = csrf_of(client.get(f"/a/{assignment}").text)
    data = {"csrf": token, "handin": "1", **{f"a:{k}": v for k, v in answers.items()}}
    response = client.post(f"/a/{assignment}", data=data)
    assert response.status_code == 200 and 'id="notice"' in response.text, response.text
