"""Graded results kept on disk, one file per student, so nothing is lost.

Each result is written atomically the moment it is graded, under a fingerprint of
everything it depends on: the submission's files, the rubric file and the toolkit's
version. A later run re-uses a stored result only while its fingerprint still matches,
so an interrupted run resumes where it stopped and a re-run re-grades only what changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import grader
from grader.fsutil import atomic_write_text
from grader.results import SubmissionResult
from grader.rubric import Rubric
from grader.runner.base import Limits
from grader.submissions import Submission


def fingerprint(rubric: Rubric, submission: Submission, limits: Limits) -> str:
    """A digest of the submission's files, the rubric, the limits and the toolkit version."""
    h = hashlib.sha256()
    h.update(f"dlgrade {grader.__version__}\n{rubric.digest}\n{limits!r}\n".encode())
    for f in submission.files():
        h.update(str(f.relative_to(submission.folder)).encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


class ResultStore:
    """Stored results under ``root/<assignment>/<student>.json``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, assignment: str, student: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in student)
        if safe != student:  # "a/b" and "a_b" must not share a file
            safe += "-" + hashlib.sha256(student.encode()).hexdigest()[:10]
        return self.root / assignment / f"{safe}.json"

    def get(self, assignment: str, student: str, digest: str) -> SubmissionResult | None:
        """The stored result if it was graded under ``digest``; None if absent or stale."""
        path = self._path(assignment, student)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("fingerprint") != digest:
            return None
        try:
            return SubmissionResult.from_json(data["result"])
        except (KeyError, TypeError):
            return None

    def put(self, result: SubmissionResult, digest: str) -> None:
        """Store ``result`` atomically under ``digest``."""
        payload = {"fingerprint": digest, "result": result.to_json()}
        atomic_write_text(
            self._path(result.assignment, result.student),
            json.dumps(payload, ensure_ascii=False, indent=1),
        )
