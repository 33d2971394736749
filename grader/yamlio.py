"""YAML that remembers where each value came from, and keeps decimals exact.

Rubrics and answer sheets are read with :func:`load`: floats become exact sympy Rationals
built from the text as written (``0.1`` is 1/10, never 0.1000000000000000055…), and every
value's line is recorded under its path (``("questions", 0, "parts", 2, "points")``) so a
schema error can name ``file:line field``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reference.core import exact

PathKey = tuple[str | int, ...]


class YamlError(ValueError):
    """The file is not valid YAML; the message names the file and line."""


class _ExactLoader(yaml.SafeLoader):
    """SafeLoader whose floats are exact Rationals of their decimal text."""


def _construct_exact_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    try:
        return exact(str(text).replace("_", ""))
    except ValueError:  # .inf / .nan: keep YAML's reading, the schema rejects it
        return yaml.SafeLoader.construct_yaml_float(loader, node)


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_exact_float)


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


def loads(text: str, source: str = "<string>") -> Loaded:
    """Parse YAML (JSON included) text; raises :class:`YamlError` naming ``source:line``."""
    loader = _ExactLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark and mark and context_mark.line != mark.line:
            # the parser notices an unclosed bracket lines later; name where it was opened
            problem += f" ({context} at line {context_mark.line + 1})"
        raise YamlError(f"{where}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    lines: dict[PathKey, int] = {}
    if node is not None:
        _record_lines(node, (), lines)
    return Loaded(data, lines, source)


def load(path: Path) -> Loaded:
    """Read and parse a YAML file; raises :class:`YamlError` for unreadable or invalid files."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise YamlError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise YamlError(f"{path}: cannot read: {exc.strerror}") from None
    if Path(path).suffix == ".json":
        return _loads_json(text, str(path))
    return loads(text, str(path))


def _loads_json(text: str, source: str) -> Loaded:
    # Valid JSON is not always valid YAML: a tab indenting a line (json.dump(indent="\t"),
    # many editors) "cannot start any token" for YAML. Floats stay exact as in YAML.
    try:
        data = json.loads(text, parse_float=exact)
    except json.JSONDecodeError as exc:
        raise YamlError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
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
