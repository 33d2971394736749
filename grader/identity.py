"""Student ids: shown as written, compared only to warn, turned into file names safely.

A student's id is the folder's (or file's, or sheet's) own text and stays exactly that in
every report and export: ``9841`` and ``۹۸۴۱``, ``Zoë`` composed and decomposed, ``علی‌رضا``
with and without its zero-width non-joiner and `` 98411387`` with a leading space are four
pairs of *different* students as far as grading goes — merging them would let one
student's result replace another's. Normalising is used only to find such look-alikes and
say so. File names derived from an id carry a hash of the whole id, so no two ids share a
file and any id — 255 bytes, control characters, path separators — gives a valid name.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable

#: Bytes of readable prefix kept in a derived file name (the hash follows it).
STEM_PREFIX_BYTES = 48


def student_id(name: str) -> str:
    """The id of the student whose folder or file is called ``name``: its own text.

    A name that was not valid UTF-8 on disk (Python hands it over with surrogate escapes)
    shows its undecodable bytes as ``\\xNN``, so the id can be written to any report.
    """
    raw = os.fsencode(name)
    return raw.decode("utf-8", errors="backslashreplace")


def lookalike_key(student: str) -> str:
    """What two ids that a person would read as the same student have in common.

    Compatibility-normalised, case-folded, digits of any script as ASCII, invisible
    format characters (ZWNJ, direction marks) and white space dropped."""
    out = []
    for ch in unicodedata.normalize("NFKC", student).casefold():
        if unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp") or ch.isspace():
            continue
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return unicodedata.normalize("NFC", "".join(out))


def shown(student: str) -> str:
    """``student`` quoted for a one-line message, invisible and control characters as
    ``\\uXXXX`` so that look-alikes visibly differ."""
    out = []
    for ch in student:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") or (
            ch.isspace() and ch != " "
        ):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def lookalike_notes(students: Iterable[str]) -> list[str]:
    """One note per group of distinct ids that look alike (see :func:`lookalike_key`)."""
    groups: dict[str, list[str]] = {}
    for student in dict.fromkeys(students):
        groups.setdefault(lookalike_key(student), []).append(student)
    notes = []
    for ids in groups.values():
        if len(ids) > 1:
            names = " and ".join(shown(s) for s in sorted(ids))
            notes.append(f"student ids {names} look alike: kept apart as different students")
    return sorted(notes)


def file_stem(student: str) -> str:
    """A file name stem for ``student``'s own files: a readable prefix of letters, digits,
    ``-`` and ``_`` (at most :data:`STEM_PREFIX_BYTES` bytes) and a hash of the whole id.

    Distinct ids always give distinct stems (``a/b`` and ``a_b``, ``9841`` and ``۹۸۴۱``)."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    prefix = ""
    for ch in unicodedata.normalize("NFC", student):
        piece = ch if (ch.isalnum() or ch in "-_") else "_"
        if len((prefix + piece).encode("utf-8", "surrogatepass")) > STEM_PREFIX_BYTES:
            break
        prefix += piece
    prefix = prefix.strip("_") or "student"
    return f"{prefix}-{digest}"
