"""Unpacking a class's submissions from a zip: plain folders or Moodle's download.

Two layouts are understood:

* one folder per student (``98411387/hw2.ipynb``), optionally all inside one wrapper folder;
* Moodle's "Download all submissions": ``Full Name_12345_assignsubmission_file_/hw2.ipynb``
  (Moodle 3.1–4.0 add the trailing ``_``; the number is a per-assignment participant id),
  or, in flat mode, ``Full Name_12345_assignsubmission_file_hw2.ipynb``.

Every student ends up in ``dest/<student>/``. Entries that could write outside ``dest`` —
``..`` components, absolute paths, drive letters, symlinks — are refused with a message and
the rest are unpacked; caps on entry count and unpacked size stop zip bombs.
"""

from __future__ import annotations

import mmap
import re
import shutil
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_ENTRIES = 20_000
MAX_FILE_BYTES = 100 * 2**20
MAX_TOTAL_BYTES = 2 * 2**30
MAX_DEPTH = 32

_MOODLE_FOLDER = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_[a-z]+_?$")
_MOODLE_FLAT = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_[a-z]+_(?P<file>.+)$")
_DRIVE = re.compile(r"^[A-Za-z]:")
# Bidirectional controls can make a name display as another; ZWNJ/ZWJ are kept because
# Persian spelling needs them (می‌خواهم).
_DIRECTION_MARKS = set(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
_SKIP = ("__MACOSX/",)
_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


class IngestError(ValueError):
    """The archive cannot be unpacked at all (not a zip, too many entries)."""


@dataclass(frozen=True)
class Ingested:
    """Where the submissions were unpacked, and one message per archive entry refused."""

    root: Path
    refused: list[str] = field(default_factory=list)
    #: Student folder → Moodle participant id, for folders from Moodle's download (the
    #: Moodle and Canvas exports match students by it; the folder holds only the name).
    participants: dict[str, str] = field(default_factory=dict)


def safe_name(text: str) -> str:
    """A folder or file name made from ``text``: letters of any script kept, path
    separators, reserved and control characters replaced by ``_``, direction marks dropped."""
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        if ch in _DIRECTION_MARKS:
            continue
        if (
            ch in '/\\:*?"<>|'
            or unicodedata.category(ch) in ("Cc", "Cs")
            or (unicodedata.category(ch) == "Cf" and ch not in "\u200c\u200d")
        ):
            out.append("_")
        else:
            out.append(ch)
    name = re.sub(r"\s+", " ", "".join(out)).strip(" .")
    # 120 bytes, not characters: 120 four-byte characters pass the 255-byte name limit.
    return name.encode("utf-8")[:120].decode("utf-8", "ignore").rstrip(" .") or "_"


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name: UTF-8 whether or not the archive flags it; a name in no UTF-8 at
    all keeps zipfile's cp437 reading (old Windows tools), which is at least a valid name."""
    name = info.filename
    if not info.flag_bits & 0x800:
        # No UTF-8 flag: zipfile decoded the name as cp437; most tools wrote UTF-8 anyway.
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


_EOCD = struct.Struct("<4s4H2LH")
_CDIR = struct.Struct("<4s6H3L5H2L")
_UTF8_FLAG = 0x800


def _open_zip(archive: Path, scratch: Path) -> tuple[zipfile.ZipFile, dict[str, str]]:
    """Open ``archive``; entries flagged UTF-8 whose names are not UTF-8 are named, not fatal.

    zipfile refuses the whole archive over one such name. Then a copy is opened whose
    central directory has the flag cleared for exactly those entries (zipfile reads them
    as cp437), and the returned mapping (zipfile's name → the raw name, escaped) tells
    the caller which entries to refuse, by name.
    """
    try:
        return zipfile.ZipFile(archive), {}
    except UnicodeDecodeError:
        pass
    copy = scratch / "archive-names-repaired.zip"
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archive, copy)
    bad: dict[str, str] = {}
    with open(copy, "r+b") as file, mmap.mmap(file.fileno(), 0) as data:
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
        if end < 0:
            raise zipfile.BadZipFile("no end of central directory")
        _, _, _, _, count, _, offset, _ = _EOCD.unpack_from(data, end)
        for _ in range(count):
            if data[offset : offset + 4] != b"PK\x01\x02":
                raise zipfile.BadZipFile("a broken central directory")
            fields = _CDIR.unpack_from(data, offset)
            flags, name_len, extra_len, comment_len = fields[3], fields[10], fields[11], fields[12]
            raw = bytes(data[offset + 46 : offset + 46 + name_len])
            if flags & _UTF8_FLAG:
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    struct.pack_into("<H", data, offset + 8, flags & ~_UTF8_FLAG)
                    bad[raw.decode("cp437")] = raw.decode("utf-8", "backslashreplace")
            offset += 46 + name_len + extra_len + comment_len
    return zipfile.ZipFile(copy), bad


def _why_unsafe(name: str, info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if info.flag_bits & 0x1:
        return "is encrypted (password-protected); zip it again without a password"
    if len([p for p in name.replace("\\", "/").split("/") if p]) > MAX_DEPTH:
        return f"is nested more than {MAX_DEPTH} folders deep"
    if "\x00" in name:
        return "has a NUL byte in its name"
    posix = name.replace("\\", "/")
    if posix.startswith("/") or _DRIVE.match(posix):
        return "is an absolute path"
    if ".." in posix.split("/"):
        return "leaves the archive's folder ('..')"
    return None


def _student_of(parts: list[str]) -> tuple[str, str, list[str]] | None:
    """``(student, participant id or "", path inside the student's folder)``."""
    folder = _MOODLE_FOLDER.match(parts[0])
    if folder and len(parts) > 1:
        return folder["name"], folder["pid"], parts[1:]
    if len(parts) == 1:
        flat = _MOODLE_FLAT.match(parts[0])
        if flat:
            return flat["name"], flat["pid"], [flat["file"]]
        return None
    return parts[0], "", parts[1:]


def unpack_submissions(
    archive: Path,
    dest: Path,
    *,
    max_entries: int = MAX_ENTRIES,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> Ingested:
    """Unpack ``archive`` into ``dest/<student>/<files>``.

    ``student`` is the Moodle participant's name (the part before
    ``_<digits>_assignsubmission``) or the plain folder's name, made safe with
    :func:`safe_name`; two Moodle participants with the same name get their participant id
    appended. Each Moodle folder's participant id is kept in ``participants``. Unsafe
    entries, files outside any student folder, files over ``max_file_bytes`` and whatever
    would pass ``max_total_bytes`` are refused, one message each. Raises :class:`IngestError` if ``archive`` is not a zip or holds more than
    ``max_entries`` entries.
    """
    dest = Path(dest)
    try:
        zf, misnamed = _open_zip(archive, dest.parent / f".{dest.name}-zip")
    except (zipfile.BadZipFile, OSError, struct.error) as exc:
        raise IngestError(f"{archive}: not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_entries:
            raise IngestError(
                f"{archive}: {len(infos)} entries, more than the limit of "
                f"{max_entries}; is it a zip bomb?"
            )
        refused: list[str] = []
        wanted: list[tuple[zipfile.ZipInfo, str, list[str]]] = []
        for info in infos:
            if info.filename in misnamed:
                refused.append(
                    f"{misnamed[info.filename]}: refused: its name is marked as UTF-8 but is "
                    "not UTF-8; zip it again with another tool"
                )
                continue
            name = _entry_name(info)
            if name.startswith(_SKIP) or PurePosixPath(name).name in _SKIP_NAMES:
                continue
            why = _why_unsafe(name, info)
            if why:
                refused.append(f"{name}: refused: {why}")
                continue
            if info.is_dir():
                continue
            parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
            if parts:
                wanted.append((info, name, parts))
        wanted = _strip_wrapper(wanted)
        participants: dict[str, str] = {}
        placed = _place(wanted, refused, participants)
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        total = 0
        seen: set[Path] = set()
        for info, name, target in placed:
            path = (root / target).resolve()
            if not path.is_relative_to(root) or path == root:
                refused.append(f"{name}: refused: leaves the destination folder")
                continue
            if path in seen:
                refused.append(f"{name}: refused: a second file with the same name")
                continue
            seen.add(path)
            if info.file_size > max_file_bytes:
                refused.append(
                    f"{name}: refused: {info.file_size} bytes, more than the limit "
                    f"of {max_file_bytes}"
                )
                continue
            try:
                written = _extract(zf, info, path, min(max_file_bytes, max_total_bytes - total))
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                refused.append(f"{name}: refused: cannot be unpacked ({exc})")
                continue
            except (NotADirectoryError, IsADirectoryError, FileExistsError):
                refused.append(f"{name}: refused: a file and a folder of the same name")
                continue
            except OSError as exc:
                refused.append(f"{name}: refused: cannot be written ({exc.strerror})")
                continue
            if written is None:
                refused.append(
                    f"{name}: refused: unpacks to more than the size limit "
                    f"({max_file_bytes} bytes a file, {max_total_bytes} in all)"
                )
                continue
            total += written
    if misnamed:
        shutil.rmtree(dest.parent / f".{dest.name}-zip", ignore_errors=True)
    return Ingested(root=root, refused=refused, participants=participants)


def _strip_wrapper(
    wanted: list[tuple[zipfile.ZipInfo, str, list[str]]],
) -> list[tuple[zipfile.ZipInfo, str, list[str]]]:
    """Drop one folder that wraps every student folder (``class/98411387/hw2.ipynb``)."""
    tops = {parts[0] for _, _, parts in wanted}
    if len(tops) != 1 or any(len(parts) < 3 for _, _, parts in wanted):
        return wanted
    if _MOODLE_FOLDER.match(next(iter(tops))):
        return wanted
    return [(info, name, parts[1:]) for info, name, parts in wanted]


def _place(
    wanted: list[tuple[zipfile.ZipInfo, str, list[str]]],
    refused: list[str],
    participants: dict[str, str],
) -> list[tuple[zipfile.ZipInfo, str, Path]]:
    students: list[tuple[zipfile.ZipInfo, str, str, str, list[str]]] = []
    pids_by_name: dict[str, set[str]] = {}
    for info, name, parts in wanted:
        found = _student_of(parts)
        if found is None:
            refused.append(f"{name}: refused: not inside a student's folder")
            continue
        student, pid, rest = found
        folder = safe_name(student)
        pids_by_name.setdefault(folder, set()).add(pid)
        students.append((info, name, folder, pid, rest))
    placed = []
    for info, name, folder, pid, rest in students:
        if len(pids_by_name[folder]) > 1 and pid:
            folder = f"{folder}_{pid}"
        if pid:
            participants[folder] = pid
        target = Path(folder, *(safe_name(p) for p in rest))
        placed.append((info, name, target))
    return placed


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limit: int) -> int | None:
    """Copy one entry, counting the bytes really unpacked (headers can lie); None if it
    passes ``limit``, in which case nothing is left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    written = 0
    try:
        with zf.open(info) as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 16):
                written += len(chunk)
                if written > limit:
                    raise _TooBig
                out.write(chunk)
        tmp.replace(path)
    except _TooBig:
        tmp.unlink(missing_ok=True)
        return None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written


class _TooBig(Exception):
    pass


__all__ = ["IngestError", "Ingested", "safe_name", "unpack_submissions"]
