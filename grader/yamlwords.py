"""PyYAML's syntax errors in words a TA understands.

PyYAML speaks of "flow sequences", "simple keys" and "block ends"; a TA who left a ``]``
out of a matrix or indented one line with a tab needs to hear that instead. Each rule
here matches one PyYAML problem (and the construct it was parsing) and says what is
wrong in the file; a problem no rule knows is passed on as PyYAML wrote it.
"""

from __future__ import annotations

import re

_OPENERS = {"flow sequence": ("list", "[", "]"), "flow mapping": ("mapping", "{", "}")}


#: PyYAML's names for what it found, as a TA would say them.
_TOKENS = {
    "<stream end>": "the end of the file",
    "<block mapping start>": "a new 'name: value' entry",
    "<block sequence start>": "a new list item",
    "<block end>": "the end of a block",
}


def _got(token: str) -> str:
    token = token.strip().strip("'")
    return _TOKENS.get(token, repr(token))


def plain(problem: str, context: str | None, context_line: int | None) -> str | None:
    """The problem in plain words, or None when no rule knows it. ``context`` is what
    PyYAML was parsing (``while parsing a flow sequence``) and ``context_line`` the
    1-based line where that began."""
    where = f" on line {context_line}" if context_line else ""
    unclosed = re.match(r"expected ',' or '[\]}]', but got (.*)$", problem)
    if unclosed and context:
        for construct, (name, opening, closing) in _OPENERS.items():
            if construct in context:
                return (
                    f"the {name} opened with '{opening}'{where} is not closed: a ',' or "
                    f"'{closing}' is missing before {_got(unclosed.group(1))}"
                )
    if problem.startswith("found character '\\t'"):
        return "a tab character: YAML indents with spaces only"
    if problem == "mapping values are not allowed here":
        return (
            "a ':' where it cannot be: indent this line like the lines around it, or put "
            "quotes around a value that contains ': '"
        )
    if "end of stream" in problem and context and "quoted scalar" in context:
        return f"the quote opened{where} is never closed"
    if problem == "could not find expected ':'":
        return f"a line without ':'{where} among 'name: value' lines (a ':' missing, or a line indented wrongly)"
    if problem.startswith("did not find expected key"):
        return f"this line is indented differently from the 'name: value' lines above it{where}"
    if problem.startswith("did not find expected '-' indicator"):
        return f"this line is indented differently from the list items ('- ...') above it{where}"
    block_end = re.match(r"expected <block end>, but found (.*)$", problem)
    if block_end:
        return (
            f"this line is indented differently from the block that starts{where} "
            f"(found {_got(block_end.group(1))})"
        )
    return None
