""" "Did you mean …?" for the command line: a mistyped subcommand, flag or choice.

Python 3.11's argparse names what it did not understand but never what was meant, so a
TA who types ``grade chek`` is told the folder ``chek`` does not exist. :class:`Parser`
adds the closest known word to argparse's own error message.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Iterable
from typing import NoReturn

#: How alike a typo and the word meant must be (difflib's ratio; 0.6 is its default).
CUTOFF = 0.6


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word ``word`` most likely misspells, or None when none is close."""
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=CUTOFF)
    return matches[0] if matches else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean `X`?)`` for the closest known word, else ``""``."""
    match = closest(word, known)
    return f" (did you mean `{match}`?)" if match else ""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors suggest the flag or choice closest to a typo."""

    def error(self, message: str) -> NoReturn:
        unknown = re.match(r"unrecognized arguments: (.*)", message)
        if unknown:
            flags = [s for a in self._actions for s in a.option_strings]
            for word in unknown.group(1).split():
                if word.startswith("-"):
                    hint = did_you_mean(word.split("=", 1)[0], flags)
                    if hint:
                        message += hint
                        break
        choice = re.match(r"argument .*: invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            options = [c.strip().strip("'") for c in choice.group(2).split(",")]
            message += did_you_mean(choice.group(1), options)
        super().error(message)
