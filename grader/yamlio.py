"""Every text file we read (rubrics, answer sheets, overrides, notebooks), read defensively.

Rubrics and answer sheets are read with :func:`load`: floats become exact sympy Rationals
built from the text as written (``0.1`` is 1/10, never 0.1000000000000000055…), and every
value's line is recorded under its path (``("questions", 0, "parts", 2, "points")``) so a
schema error can name ``file:line field``.

The files come from students and careless hands, so nothing here trusts them: a file is
refused before parsing when it is larger than :data:`MAX_BYTES`; nesting deeper than
:data:`MAX_DEPTH`, more than :data:`MAX_NODES` values (aliases counted as often as they are
used, so an alias bomb is refused before it expands), control characters and lone
surrogates are refused with the file and line. A number too long for the capped number
reader (:mod:`grader.numbers`: more than ``MAX_LENGTH`` characters or an exponent past
``MAX_EXPONENT``) is kept as its text, so it is refused with a reason where it is used
instead of being expanded here (``1.0e+999999999`` would take hours). A UTF-8 byte order
mark (Notepad writes one) is accepted. Every refusal is a :class:`YamlError` whose message
is one line.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.numbers import MAX_EXPONENT, MAX_LENGTH
from grader.yamlwords import plain
from reference.core import exact

#: Largest file read at all (bytes). A real answer sheet or rubric is a few kilobytes;
#: the pure-Python YAML parser needs ~10 s per megabyte.
MAX_BYTES = 1024 * 1024
#: Deepest nesting of lists and mappings (a matrix is 2 deep, a rubric about 6).
MAX_DEPTH = 64
#: Most values in one document, aliases expanded.
MAX_NODES = 100_000

PathKey = tuple[str | int, ...]


class YamlError(ValueError):
    """The file is not valid YAML; the message names the file and line."""


_NUMBER_TEXT = re.compile(r"[-+]?[0-9_.]*(?:[eE][-+]?0*(?P<exp>[0-9]+))?")


def _too_big_for_exact(text: str) -> bool:
    """Whether a numeric literal's text is past what the capped number reader accepts."""
    if len(text) > MAX_LENGTH:
        return True
    match = _NUMBER_TEXT.fullmatch(text.strip())
    return bool(match and match["exp"] and int(match["exp"]) > MAX_EXPONENT)


class _ExactLoader(yaml.SafeLoader):
    """SafeLoader whose floats are exact Rationals of their decimal text, and whose
    composer refuses deep nesting and alias bombs before they are built."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._total = 0
        self._sizes: dict[str, int] = {}

    def _grow(self, count: int, mark: Any) -> None:
        self._total += count
        if self._total > MAX_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"more than {MAX_NODES} values (aliases expanded)", mark
            )

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self._grow(self._sizes.get(event.anchor, 1), event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        before = self._total
        self._grow(1, event.start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if event.anchor is not None:
            self._sizes[event.anchor] = self._total - before
        return node


def _construct_exact_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node))
    if _too_big_for_exact(text):
        return text
    try:
        return exact(text.replace("_", ""))
    except ValueError:  # .inf / .nan: keep YAML's reading, the schema rejects it
        return yaml.SafeLoader.construct_yaml_float(loader, node)


def _construct_capped_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node))
    if len(text) > MAX_LENGTH:
        return text
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_exact_float)
_ExactLoader.add_constructor("tag:yaml.org,2002:int", _construct_capped_int)


@dataclass(frozen=True)
class Loaded:
    """A YAML document's data and the 1-based line of every value, keyed by path."""

    data: Any
    lines: dict[PathKey, int]
    source: str

    def line(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest recorded ancestor."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _record_lines(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                _record_lines(value_node, (*path, key_node.value), lines)
                lines[(*path, key_node.value)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, (*path, i), lines)


def _bad_character(text: str) -> str | None:
    """A description of the first control character or lone surrogate in ``text``."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            return f"a lone surrogate (U+{ord(ch):04X})"
        if category == "Cc" and ch not in "\t\n\r":
            return f"a control character (U+{ord(ch):04X})"
    return None


_BAD_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")


def _check_characters(data: Any) -> tuple[PathKey, str] | None:
    """The path and description of the first string (key or value) with a bad character.

    Walked with an explicit stack: the data is shallow by now, but this must never be
    the thing that recurses."""
    stack: list[tuple[PathKey, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            bad = _bad_character(value)
            if bad:
                return path, bad
        elif isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(key, str) and (bad := _bad_character(key)):
                    return path, bad
                stack.append(((*path, key if isinstance(key, (str, int)) else str(key)), inner))
        elif isinstance(value, list):
            stack.extend(((*path, i), inner) for i, inner in enumerate(value))
    return None


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def loads(text: str, source: str = "<string>") -> Loaded:
    """Parse YAML (JSON included) text; raises :class:`YamlError` naming ``source:line``."""
    text = text.removeprefix("\ufeff")
    # PyYAML's reader refuses raw control characters too, but with an offset, not a line.
    bad = _BAD_RAW.search(text)
    if bad:
        what = _bad_character(bad.group())
        raise YamlError(f"{source}:{_line_at(text, bad.start())}: {what} is not allowed")
    loader = _ExactLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        opened = context_mark.line + 1 if context_mark else None
        words = plain(problem, context, opened)
        if words is not None:
            problem = words
        elif context and context_mark and mark and context_mark.line != mark.line:
            # the parser notices an unclosed bracket lines later; name where it was opened
            problem += f" ({context} at line {opened})"
        raise YamlError(f"{where}: invalid YAML: {problem}") from None
    except RecursionError:  # a constructor (merge keys) deeper than the depth check saw
        raise YamlError(f"{source}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    lines: dict[PathKey, int] = {}
    if node is not None:
        _record_lines(node, (), lines)
    loaded = Loaded(data, lines, source)
    found = _check_characters(data)
    if found:
        path, bad = found
        raise YamlError(f"{source}:{loaded.line(path)}: {bad} is not allowed")
    return loaded


def read_capped(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``; raises :class:`YamlError` when it cannot be read or is larger
    than ``max_bytes`` (checked before reading it all, so a 200 MB file costs nothing)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise YamlError(f"{path}: cannot read: {exc.strerror}") from None
    if len(raw) > max_bytes:
        raise YamlError(f"{path}: larger than the limit of {max_bytes} bytes")
    return raw


def load(path: Path, max_bytes: int = MAX_BYTES) -> Loaded:
    """Read and parse a YAML or JSON file within the limits above; raises
    :class:`YamlError` (one line naming the file and, where known, the line)."""
    raw = read_capped(Path(path), max_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(f"{path}:{line}: not UTF-8 text (byte {exc.start})") from None
    if Path(path).suffix == ".json":
        return _loads_json(text, str(path))
    return loads(text, str(path))


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth_error(text: str, max_depth: int = MAX_DEPTH) -> int | None:
    """The line where JSON ``text`` first nests deeper than ``max_depth``, or None.

    Counted without parsing (strings skipped), so ``json`` never sees a document deep
    enough to exhaust Python's recursion limit."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return _line_at(text, match.start())
        elif token in "]}":
            depth -= 1
    return None


def _capped_int(text: str) -> int | str:
    # int() of more than 4300 digits raises ValueError (CPython's limit); keep the text
    # so the capped number reader refuses it where it is used.
    return text if len(text) > MAX_LENGTH else int(text)


def _capped_float(text: str) -> Any:
    return text if _too_big_for_exact(text) else exact(text)


_SURROGATE_OR_CONTROL_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|\\u(?:00[01][0-8b-cB-Ce-fE-F]|001[0-9a-fA-F]|007[fF])"
)


def parse_json(text: str, source: str, *, exact_numbers: bool = True) -> Any:
    """Parse JSON within the depth and number limits; raises :class:`YamlError`.

    With ``exact_numbers`` decimals become exact Rationals (as in YAML); otherwise floats.
    Strings are not checked for control characters here (notebooks may hold them)."""
    text = text.removeprefix("\ufeff")
    deep = json_depth_error(text)
    if deep is not None:
        raise YamlError(f"{source}:{deep}: nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(
            text,
            parse_float=_capped_float if exact_numbers else float,
            parse_int=_capped_int,
        )
    except json.JSONDecodeError as exc:
        raise YamlError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise YamlError(f"{source}: invalid JSON: nested too deeply") from None


def _loads_json(text: str, source: str) -> Loaded:
    # Valid JSON is not always valid YAML: a tab indenting a line (json.dump(indent="\t"),
    # many editors) "cannot start any token" for YAML. Floats stay exact as in YAML.
    data = parse_json(text, source)
    found = _check_characters(data)
    if found:
        escape = _SURROGATE_OR_CONTROL_ESCAPE.search(text)
        line = _line_at(text, escape.start()) if escape else 1
        raise YamlError(f"{source}:{line}: {found[1]} is not allowed")
    return Loaded(data, {(): 1}, source)


def format_path(path: PathKey) -> str:
    """``("questions", 0, "parts", 2, "points")`` → ``questions[0].parts[2].points``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
