"""The result channel: what a student's process sends back, read as untrusted input.

The child that runs a student's cells writes JSON lines on descriptor 3 (see
:mod:`grader.runner.zygote`). That process runs the student's code, so anything on the
channel may be forged: wrong types, numbers like ``1e999999999`` (sympy would expand them
exactly, for minutes), 20 000-deep lists, an endless stream, or cell markers meant to
stretch a time limit. So:

* :class:`ResultStream` takes bytes as they arrive and keeps only what grading needs:
  cell markers (recognised by one exact pattern; each cell exactly once, in the
  notebook's order, then the extraction — any other marker is a forgery), per-cell errors (a few, each small), the first snapshot after a
  failing cell, the last snapshot and the final values — each line at most
  :data:`MAX_LINE_BYTES`, the whole stream at most :data:`MAX_STREAM_BYTES`. Its memory
  and the time it spends per byte are bounded whatever arrives.
* :func:`decode_stream` turns what was kept into a :class:`ChildReport` with a strict
  schema (types, string sizes, nesting depth, node count, numbers through a capped
  reader), or raises :class:`InvalidResult` naming what was wrong.

Timers never come from here alone: the notebook's limit runs on the grader's clock from
the fork; markers can only move the per-cell clock, never past the notebook's limit, and
a forged marker is found out by the real one that follows it (``invalid_result``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from grader.extract.variables import DecodeError, decode, parse_tags

MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_STREAM_BYTES = 512 * 1024 * 1024
MAX_ERRORS = 20
_MARKER = re.compile(rb'\{"cell": (\d{1,9})\}')
_EXTRACTING = b'{"extracting": true}'


class InvalidResult(Exception):
    """What the student's process sent back cannot be accepted; the message says why."""


@dataclass
class CellError:
    """One failing cell, as the child reported it (already checked and cut to size)."""

    cell: int
    ename: str
    evalue: str
    traceback: str
    memory: bool
    exit: bool


@dataclass
class ChildReport:
    """The decoded channel: values (final, or the last snapshot) and per-cell errors."""

    values: dict[str, Any] | None
    snapshot_after: int | None
    errors: list[CellError] = field(default_factory=list)
    set_after_failure: list[str] = field(default_factory=list)
    extracting: bool = False
    crash: str | None = None


class ResultStream:
    """Bytes of the result channel, fed as they arrive; bounded in memory and time."""

    def __init__(self, cells: list[int]) -> None:
        self.cells = cells
        self._next = 0  # index into cells of the first marker still acceptable
        self.cell: int | None = None
        self.extracting = False
        self.total = 0
        self.problem: str | None = None
        self._partial = bytearray()
        self.error_lines: list[bytes] = []
        self.first_failure_snapshot: bytes | None = None
        self._failure_seen = False
        self.last_snapshot: bytes | None = None
        self.final: bytes | None = None
        self.crash: bytes | None = None

    def feed(self, data: bytes) -> bool:
        """Take ``data``; True when a new cell (or the extraction) began. Sets ``problem``
        (and ignores the rest) once the stream breaks a limit or the protocol."""
        if self.problem is not None:
            return False
        self.total += len(data)
        if self.total > MAX_STREAM_BYTES:
            self.problem = f"it sent more than {MAX_STREAM_BYTES // (1024 * 1024)} MB"
            return False
        self._partial += data
        began = False
        while self.problem is None:
            end = self._partial.find(b"\n")
            if end < 0:
                if len(self._partial) > MAX_LINE_BYTES:
                    self.problem = f"a line longer than {MAX_LINE_BYTES // (1024 * 1024)} MB"
                break
            line = bytes(self._partial[:end])
            del self._partial[: end + 1]
            if len(line) > MAX_LINE_BYTES:
                self.problem = f"a line longer than {MAX_LINE_BYTES // (1024 * 1024)} MB"
                break
            began |= self._take(line)
        return began

    def _take(self, line: bytes) -> bool:
        marker = _MARKER.fullmatch(line)
        if marker is not None or line == _EXTRACTING:
            # The child announces every cell once, in order, then the extraction. Anything
            # else (a repeat, a skip, going back) can only be forged: a forger gains at most
            # one cell's time before the real marker that follows exposes it.
            expected = self.cells[self._next] if self._next < len(self.cells) else None
            if marker is not None and expected is not None and int(marker.group(1)) == expected:
                self._next += 1
                self.cell = expected
                return True
            if line == _EXTRACTING and expected is None and not self.extracting:
                self.extracting = True
                return True
            self.problem = "a cell marker out of order (forged)"
            return False
        if line.startswith(b'{"values": '):
            self.last_snapshot = line
            if self._failure_seen and self.first_failure_snapshot is None:
                self.first_failure_snapshot = line
        elif line.startswith(b'{"error": '):
            if len(self.error_lines) < MAX_ERRORS and len(line) <= 64 * 1024:
                self.error_lines.append(line)
            self._failure_seen = True
        elif line.startswith(b'{"final": ') and self.final is None:
            self.final = line
        elif line.startswith(b'{"crash": ') and self.crash is None:
            self.crash = line[:8192]
        else:
            self.problem = "a line the grader's code never writes"
        return False


def _load(line: bytes, what: str) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise InvalidResult(f"{what} is not JSON the grader wrote ({type(exc).__name__})") from None
    if not isinstance(message, dict):
        raise InvalidResult(f"{what} is not an object")
    return message


def _int_field(message: dict[str, Any], key: str, allowed: list[int], what: str) -> int:
    value = message.get(key)
    if type(value) is not int or value not in allowed:
        raise InvalidResult(f"{what} names no cell of the notebook")
    return value


def _tags(line: bytes, key: str, what: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(checked tags, the whole message) of a snapshot or final line, each parsed once."""
    message = _load(line, what)
    payload = message.get(key)
    if not isinstance(payload, str):
        raise InvalidResult(f"{what} carries no variables")
    try:
        return parse_tags(payload), message
    except DecodeError as exc:
        raise InvalidResult(f"{what}: {exc}") from None


def _error(line: bytes, cells: list[int]) -> CellError:
    message = _load(line, "an error report")
    info = message.get("error")
    if not isinstance(info, dict):
        raise InvalidResult("an error report has no error")
    texts = {k: info.get(k) for k in ("ename", "evalue", "traceback")}
    flags = {k: info.get(k) for k in ("memory", "exit")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise InvalidResult("an error report has fields of the wrong type")
    if not all(isinstance(v, bool) for v in flags.values()):
        raise InvalidResult("an error report has fields of the wrong type")
    return CellError(
        cell=_int_field(message, "cell", cells, "an error report"),
        ename=texts["ename"][:200],
        evalue=texts["evalue"][:2000],
        traceback=texts["traceback"][:20000],
        memory=flags["memory"],
        exit=flags["exit"],
    )


def decode_stream(stream: ResultStream) -> ChildReport:
    """The checked content of ``stream``; raises :class:`InvalidResult` on anything forged."""
    if stream.problem is not None:
        raise InvalidResult(stream.problem)
    errors = [_error(line, stream.cells) for line in stream.error_lines]
    crash = None
    if stream.crash is not None:
        message = _load(stream.crash, "a crash report")
        crash = message.get("crash") if isinstance(message.get("crash"), str) else None
    values: dict[str, Any] | None = None
    tags: dict[str, Any] = {}
    after = None
    if stream.final is not None:
        tags, _ = _tags(stream.final, "final", "the final values")
    elif stream.last_snapshot is not None:
        tags, message = _tags(stream.last_snapshot, "values", "a snapshot")
        after = _int_field(message, "after", stream.cells, "a snapshot")
    if stream.final is not None or stream.last_snapshot is not None:
        values = {name: decode(tag) for name, tag in tags.items()}
    changed: list[str] = []
    if stream.first_failure_snapshot is not None and errors:
        before, _ = _tags(stream.first_failure_snapshot, "values", "a snapshot")
        changed = [name for name, tag in tags.items() if before.get(name) != tag]
    return ChildReport(
        values=values,
        snapshot_after=after,
        errors=errors,
        set_after_failure=changed,
        extracting=stream.extracting,
        crash=crash,
    )
