"""Graded results kept on disk, one file per student, so nothing is lost.

Each result is written atomically the moment it is graded, under a fingerprint of
everything it depends on: the submission's files, the rubric file, the key the solvers
compute from it (so a solver fix re-grades) and the toolkit's version. A later run
re-uses a stored result only while its fingerprint still matches, so an interrupted run
resumes where it stopped and a re-run re-grades only what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import grader
from grader.fsutil import atomic_write_text
from grader.identity import file_stem
from grader.results import SubmissionResult
from grader.rubric import Rubric
from grader.runner.base import Limits
from grader.submissions import Submission


def fingerprint(rubric: Rubric, submission: Submission, limits: Limits) -> str:
    """A digest of the submission's files, the rubric file, the key it computes, the
    limits and the toolkit version."""
    h = hashlib.sha256()
    h.update(
        f"dlgrade {grader.__version__}\n{rubric.digest}\n{rubric.key_digest}\n{limits!r}\n".encode()
    )
    for f in submission.files():
        h.update(os.fsencode(f.relative_to(submission.folder)) + b"\0")
        h.update(_file_digest(f))
    return h.hexdigest()


def _file_digest(path: Path) -> bytes:
    """The file's SHA-256, read in pieces; a file that cannot be read hashes as such (the
    grading itself reports it)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except OSError as exc:
        return f"unreadable: {exc.errno}".encode()


#: An assignment id that is its own folder name (rubric ids are; see rubric.ID_PATTERN).
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class ResultStore:
    """Stored results under ``root/<assignment>/<student>.json``, both names made by
    :func:`grader.identity.file_stem`."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, assignment: str, student: str) -> Path:
        # A readable prefix and a hash of the whole id: distinct ids never share a file
        # (9841 and ۹۸۴۱ are two students), and a 255-byte id still makes a valid name.
        folder = assignment if _PLAIN.fullmatch(assignment) else file_stem(assignment)
        return self.root / folder / f"{file_stem(student)}.json"

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

    def previous(self, assignment: str, student: str) -> SubmissionResult | None:
        """The stored result whatever its fingerprint (what the last run gave this
        student), or None; a re-run compares it with the new one."""
        try:
            data = json.loads(self._path(assignment, student).read_text(encoding="utf-8"))
            return SubmissionResult.from_json(data["result"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, result: SubmissionResult, digest: str) -> None:
        """Store ``result`` atomically under ``digest``."""
        payload = {"fingerprint": digest, "result": result.to_json()}
        atomic_write_text(
            self._path(result.assignment, result.student),
            # ASCII escapes: whatever an id or answer holds (even a lone surrogate from
            # an undecodable file name) can be written and read back.
            json.dumps(payload, ensure_ascii=True, indent=1),
        )
