"""Student ids are never merged; look-alikes are only named (grader.identity)."""

from __future__ import annotations

import os

from grader.identity import file_stem, lookalike_notes, shown, student_id


def test_lookalike_ids_are_named_and_kept_apart():
    ids = ["9841", "۹۸۴۱", "Zoë", "Zoe\u0308", "علی\u200cرضا", "علیرضا", " 98411387", "98411387"]
    assert lookalike_notes(ids) == [
        "student ids ' 98411387' and '98411387' look alike: kept apart as different students",
        "student ids '9841' and '۹۸۴۱' look alike: kept apart as different students",
        "student ids 'Zoe\u0308' and 'Zoë' look alike: kept apart as different students",
        "student ids 'علیرضا' and 'علی\\u200cرضا' look alike: kept apart as different students",
    ]


def test_distinct_ids_give_no_notes():
    assert lookalike_notes(["98411387", "98411402", "Sara", "sara2"]) == []


def test_an_undecodable_folder_name_shows_its_bytes():
    name = os.fsdecode(b"caf\xe9")
    assert student_id(name) == "caf\\xe9"
    assert student_id("۹۸۴۱۱۳۸۷") == "۹۸۴۱۱۳۸۷"


def test_shown_makes_invisible_characters_visible():
    assert shown("a\rb\u200f") == "'a\\u000db\\u200f'"


def test_file_stems_are_distinct_short_and_safe():
    ids = ["a/b", "a_b", "a b", "9841", "۹۸۴۱", "ب" * 127 + "x", "..", "", "\r=cmd"]
    stems = [file_stem(s) for s in ids]
    assert len(set(stems)) == len(ids)
    assert all(len(s.encode()) <= 48 + 17 for s in stems)
    assert all("/" not in s and "\r" not in s and not s.startswith(".") for s in stems)
    assert stems[0].startswith("a_b-") and stems[4].startswith("۹۸۴۱-")
