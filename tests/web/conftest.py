"""A course folder, a real ``grade serve`` process on 127.0.0.1 and signed-in clients.

The course has two assignments built from the demo rubric hw2: ``hw2`` as the course
ships it (keys revealed) and ``secret``, the same questions with ``reveal: false``. The
notebooks preload only numpy so an upload runs in about a second.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def make_course(root: Path, students: list[str], serve_yaml: dict | None = None) -> Path:
    """A class folder ``root/course`` with rubrics ``hw2`` and ``secret`` beside it."""
    rubric = yaml.safe_load((REPO / "rubrics" / "hw2.yaml").read_text(encoding="utf-8"))
    rubric["preload"] = ["numpy"]
    (root / "rubrics").mkdir(parents=True)
    (root / "rubrics" / "hw2.yaml").write_text(yaml.safe_dump(rubric, allow_unicode=True))
    rubric["assignment"] = "secret"
    rubric["title"] = {"en": "Secret key", "fa": "کلید پنهان"}
    rubric["defaults"]["reveal"] = False
    rubric["defaults"]["show_solution"] = False
    (root / "rubrics" / "secret.yaml").write_text(yaml.safe_dump(rubric, allow_unicode=True))
    course = root / "course"
    for assignment in ("hw2", "secret"):
        (course / assignment).mkdir(parents=True)
    roster = "student,name,lang\n" + "".join(f"{s},Student {s},\n" for s in students)
    (root / "roster.csv").write_text(roster, encoding="utf-8")
    if serve_yaml:
        (course / "serve.yaml").write_text(yaml.safe_dump(serve_yaml), encoding="utf-8")
    return course


def issue_codes(course: Path, roster: Path, db: str | None = None) -> dict[str, str]:
    """Run ``grade serve tokens`` and read back student → code."""
    out = course.parent / "tokens.csv"
    command = [sys.executable, "-m", "grader.cli", "serve", "tokens", str(course)]
    command += ["--roster", str(roster), "--out", str(out)] + (["--db", db] if db else [])
    subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    lines = out.read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",")[0]: line.split(",")[2] for line in lines}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A ``grade serve`` process; ``kill()`` is kill -9, ``start()`` starts it again."""

    course: Path
    db: str | None = None
    port: int = 0
    proc: subprocess.Popen | None = None
    extra: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.port = self.port or free_port()
        command = [sys.executable, "-m", "grader.cli", "serve", str(self.course)]
        command += ["--port", str(self.port), *(["--db", self.db] if self.db else []), *self.extra]
        log = open(self.course.parent / f"serve-{self.port}.log", "ab")  # noqa: SIM115
        # A session of its own, so that kill() reaches every --workers process too.
        self.proc = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"grade serve exited: {self.log()}")
            try:
                if httpx.get(self.url + "/signin", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"grade serve did not answer: {self.log()}")

    def log(self) -> str:
        return (self.course.parent / f"serve-{self.port}.log").read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the server and every process it started (as a power cut of the
        process would: no shutdown code runs)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def signed_in(server: Server, code: str) -> httpx.Client:
    """An HTTP client holding a session of the student whose code is ``code``."""
    client = httpx.Client(base_url=server.url, timeout=30)
    token = csrf_of(client.get("/signin").text)
    response = client.post("/signin", data={"csrf": token, "code": code})
    assert response.status_code == 303, response.text
    return client


STUDENTS = [f"9900{n:04d}" for n in range(1, 13)]


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_course(tmp_path_factory.mktemp("web"), STUDENTS)


@pytest.fixture(scope="module")
def codes(course: Path) -> dict[str, str]:
    return issue_codes(course, course.parent / "roster.csv")


@pytest.fixture(scope="module")
def server(course: Path, codes: dict[str, str]) -> Iterator[Server]:
    running = Server(course).start()
    yield running
    running.stop()


def notebook(source: str) -> bytes:
    """A one-cell notebook running ``source``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nbformat.writes(nb).encode("utf-8")
