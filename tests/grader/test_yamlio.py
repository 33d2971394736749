"""YAML with exact decimals and the line of every value (grader.yamlio)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from grader.yamlio import YamlError, format_path, load, loads

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_floats_become_exact_rationals_of_their_text():
    data = loads("a: 0.1\nb: [2.5, -0.35, 1_000.5]\nc: .5\n").data
    assert data["a"] == sympy.Rational(1, 10)
    assert isinstance(data["a"], sympy.Rational)
    assert data["b"] == [sympy.Rational(5, 2), sympy.Rational(-7, 20), sympy.Rational(2001, 2)]
    assert data["c"] == sympy.Rational(1, 2)


def test_sum_of_tenths_is_exact_where_binary_floats_are_not():
    data = loads("xs: [0.1, 0.2]").data
    assert sum(data["xs"]) == sympy.Rational(3, 10)
    assert 0.1 + 0.2 != 0.3  # the trap the exact loader avoids


def test_ints_strings_and_bools_keep_their_yaml_types():
    data = loads("i: 3\ns: L2\nt: true\nq: '0.5'\n").data
    assert data == {"i": 3, "s": "L2", "t": True, "q": "0.5"}
    assert type(data["i"]) is int


def test_non_finite_floats_keep_yamls_reading_for_the_schema_to_reject():
    data = loads("a: .inf\nb: .nan\n").data
    assert data["a"] == float("inf")
    assert data["b"] != data["b"]


def test_line_of_every_value_is_recorded_by_path():
    loaded = loads(
        "assignment: hw2\n"  # 1
        "questions:\n"  # 2
        "  - id: q\n"  # 3
        "    parts:\n"  # 4
        "      - {id: a, points: 1}\n"  # 5
        "      - id: b\n"  # 6
        "        points: 2\n"  # 7
    )
    assert loaded.line(("assignment",)) == 1
    assert loaded.line(("questions", 0, "id")) == 3
    assert loaded.line(("questions", 0, "parts", 0, "points")) == 5
    assert loaded.line(("questions", 0, "parts", 1)) == 6
    assert loaded.line(("questions", 0, "parts", 1, "points")) == 7


def test_line_of_an_absent_path_is_its_nearest_recorded_ancestor():
    loaded = loads("a:\n  b:\n    c: 1\n")
    assert loaded.line(("a", "b", "missing", 3)) == 2
    assert loaded.line(()) == 1


def test_invalid_yaml_error_names_file_and_line():
    with pytest.raises(YamlError) as info:
        loads("a: 1\nb: [1, 2\nc: 3\n", "sheet.yaml")
    message = str(info.value)
    assert message.startswith("sheet.yaml:3: invalid YAML:")
    assert "(while parsing a flow sequence at line 2)" in message


def test_invalid_rubric_file_error_names_its_path_and_line():
    path = FIXTURES / "rubrics" / "invalid_yaml.yaml"
    with pytest.raises(YamlError, match=rf"^{path}:6: invalid YAML: .*flow mapping at line 5"):
        load(path)


def test_unreadable_file_is_a_yaml_error_naming_the_file(tmp_path):
    with pytest.raises(YamlError, match=r"missing\.yaml: cannot read"):
        load(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(YamlError, match=r"binary\.yaml: not UTF-8 text"):
        load(binary)


def test_json_file_indented_with_tabs_is_read_with_exact_floats():
    # Valid JSON that YAML refuses ("found character '\t' that cannot start any token").
    path = FIXTURES / "sheets" / "tab_indented_sheet.json"
    assert "\t" in path.read_text(encoding="utf-8")
    data = load(path).data
    assert data["answers"]["literal.tight"] == sympy.Rational(1, 10)
    assert isinstance(data["answers"]["dropout.p"], sympy.Rational)


def test_invalid_json_error_names_file_and_line(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text('{\n  "answers": {\n    "a": 1,\n  }\n}\n', encoding="utf-8")
    with pytest.raises(YamlError, match=rf"^{path}:4: invalid JSON: "):
        load(path)


def test_empty_document_is_none():
    assert loads("").data is None


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("questions", 0, "parts", 2, "points"), "questions[0].parts[2].points"),
        (("assignment",), "assignment"),
        (("params", "weights", "exp1"), "params.weights.exp1"),
        ((), ""),
    ],
)
def test_format_path_writes_indices_in_brackets(path, text):
    assert format_path(path) == text
