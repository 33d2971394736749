"""Keeping the gettext catalogs in step with the code (a developer's tool, run by hand
and by the tests; grading itself reads only the compiled ``.mo`` files).

    python -m grader.catalogs update    # add new message ids to every .po, drop old ones
    python -m grader.catalogs compile   # .po → .mo (committed, so a fresh clone works)
    python -m grader.catalogs check     # exit 1 naming ids that lack a Persian text

Message ids are collected by Babel from ``msg("…")`` and ``N_("…")`` calls in
``grader/`` and ``reference/`` and from ``_("…")``/``{% trans %}`` in the report templates.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from grader.i18n import DOMAIN, LANGS, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"msg": None, "formula": None, "N_": None, "_": None, "gettext": None}
#: What is scanned, and how (the web service keeps its own templates).
SOURCES: tuple[tuple[str, list[tuple[str, str]]], ...] = (
    ("grader", [("web/**", "ignore"), ("**.py", "python"), ("report/templates/**.j2", "jinja2")]),
    ("reference", [("**.py", "python")]),
)


def extract() -> Catalog:
    """Every message id in the code, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="dlgrade")
    for folder, method_map in SOURCES:
        found = extract_from_dir(
            ROOT / folder,
            method_map,
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            if message:
                catalog.add(
                    message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments
                )
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    """The ``.po`` catalog of ``lang`` (empty when there is none yet)."""
    path = po_path(lang)
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN, project="dlgrade")
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def update() -> None:
    """Bring every ``.po`` in step with the code: new ids added untranslated, ids no longer
    used removed, existing translations kept (English ones stay empty: the id is the text)."""
    template = extract()
    for lang in LANGS:
        old = read(lang)
        new = Catalog(locale=lang, domain=DOMAIN, project="dlgrade")
        for message in template:
            if not message.id:
                continue
            known = old.get(message.id)
            new.add(message.id, known.string if known else "", message.locations)
        buffer = io.BytesIO()
        write_po(buffer, new, width=100, sort_output=False, omit_header=False)
        po_path(lang).parent.mkdir(parents=True, exist_ok=True)
        po_path(lang).write_bytes(buffer.getvalue())


def mo_bytes(lang: str) -> bytes:
    """The compiled form of ``lang``'s ``.po``."""
    buffer = io.BytesIO()
    write_mo(buffer, read(lang), use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    for lang in LANGS:
        po_path(lang).with_suffix(".mo").write_bytes(mo_bytes(lang))


def untranslated(lang: str = "fa") -> list[str]:
    """Message ids in the code that ``lang``'s catalog lacks or leaves empty."""
    catalog = read(lang)
    missing = []
    for message in extract():
        if not message.id:
            continue
        known = catalog.get(message.id)
        if known is None or not known.string:
            missing.append(message.id)
    return missing


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        missing = untranslated("fa")
        for text in missing:
            print(f"no Persian for: {text!r}")
        return 1 if missing else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
