"""YAML with exact decimals and the line of every value (grader.yamlio)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import sympy

from grader.yamlio import YamlError, format_path, json_depth_error, load, loads

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
    assert "the list opened with '[' on line 2 is not closed" in message


def test_invalid_rubric_file_error_names_its_path_and_line():
    path = FIXTURES / "rubrics" / "invalid_yaml.yaml"
    with pytest.raises(
        YamlError,
        match=rf"^{path}:6: invalid YAML: the mapping opened with '{{' on line 5 is not closed",
    ):
        load(path)


def test_unreadable_file_is_a_yaml_error_naming_the_file(tmp_path):
    with pytest.raises(YamlError, match=r"missing\.yaml: cannot read"):
        load(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(YamlError, match=r"binary\.yaml:1: not UTF-8 text \(byte 3\)"):
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


# --- hostile files: every refusal is one YamlError line naming the file and line --------


def test_alias_bomb_is_refused_before_it_expands():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)
    ]
    start = time.perf_counter()
    with pytest.raises(YamlError, match=r"^bomb\.yaml:\d+: invalid YAML: more than 100000 values"):
        loads("\n".join(lines), "bomb.yaml")
    assert time.perf_counter() - start < 5


def test_a_few_aliases_are_still_fine():
    data = loads("base: &b {rtol: 0.01}\nq1: *b\nq2: *b\n").data
    assert data["q1"] == data["q2"] == {"rtol": sympy.Rational(1, 100)}


@pytest.mark.parametrize("depth", [65, 10_000])
def test_deep_nesting_is_refused_with_its_line(depth):
    with pytest.raises(YamlError, match=r"^deep\.yaml:3: invalid YAML: nested more than 64"):
        loads("a: 1\nb:\n  " + "[" * depth + "]" * depth + "\n", "deep.yaml")


def test_deep_json_is_refused_without_recursing(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"answers":\n' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(YamlError, match=rf"^{re.escape(str(path))}:2: nested more than 64"):
        load(path)


def test_nesting_within_the_limit_is_read():
    data, depth = loads("[" * 60 + "]" * 60).data, 0
    while isinstance(data, list):
        data, depth = (data[0] if data else None), depth + 1
    assert depth == 60
    assert json_depth_error("[" * 64 + "]" * 64) is None
    assert json_depth_error('["' + "[" * 100 + '"]') is None  # brackets inside a string


def test_file_over_the_size_cap_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.truncate(200 * 2**20)  # sparse: 200 MB that cost no disk
    with pytest.raises(YamlError, match=r"big\.yaml: larger than the limit of 1048576 bytes"):
        load(path)


@pytest.mark.parametrize("number", ["1.0e+999999999", "9" * 5000, "0." + "1" * 300, "-1e1001"])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_numbers_past_the_reader_caps_stay_text_and_are_not_expanded(tmp_path, number, suffix):
    path = tmp_path / f"sheet{suffix}"
    path.write_text('{"answers": {"q.a": ' + number + "}}", encoding="utf-8")
    start = time.perf_counter()
    assert load(path).data["answers"]["q.a"] == number
    assert time.perf_counter() - start < 2


def test_numbers_within_the_caps_stay_exact(tmp_path):
    path = tmp_path / "sheet.json"
    path.write_text('{"a": 1e3, "b": 12345678901234567890, "c": 2.5e-1000}', encoding="utf-8")
    data = load(path).data
    assert data["a"] == 1000 and data["b"] == 12345678901234567890
    assert data["c"] == sympy.Rational(5, 2) / sympy.Integer(10) ** 1000


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_utf8_byte_order_mark_is_accepted(tmp_path, suffix):
    path = tmp_path / f"sheet{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"answers": {"q.a": 0.5}}')
    assert load(path).data == {"answers": {"q.a": sympy.Rational(1, 2)}}


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ('a: 1\nb: "x\\ud800"\n', 2, "a lone surrogate \\(U\\+D800\\)"),
        ('a: 1\nb: "x\\x07"\n', 2, "a control character \\(U\\+0007\\)"),
        ("a: 1\n\nb: x\x07\n", 3, "a control character \\(U\\+0007\\)"),
        ('a: 1\n"\\x00key": 2\n', 1, "a control character \\(U\\+0000\\)"),
    ],
)
def test_control_characters_and_surrogates_are_refused_with_the_line(text, line, what):
    with pytest.raises(YamlError, match=rf"^s\.yaml:{line}: {what} is not allowed$"):
        loads(text, "s.yaml")


def test_json_escape_of_a_lone_surrogate_is_refused_with_its_line(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"answers": {\n "q.a": "\\ud83d\\ude00",\n "q.b": "\\udc00"}}', "utf-8")
    with pytest.raises(YamlError, match=r"s\.json:3: a lone surrogate \(U\+DC00\) is not"):
        load(path)


def test_tabs_and_newlines_in_strings_are_allowed():
    assert loads('a: "x\\ty\\nz"').data == {"a": "x\ty\nz"}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "a: [1, 2\nb: 3\n",
            2,
            "the list opened with '[' on line 1 is not closed: a ',' or ']' is missing before ':'",
        ),
        (
            "a: {x: 1\n",
            2,
            (
                "the mapping opened with '{' on line 1 is not closed: a ',' or '}' "
                "is missing before the end of the file"
            ),
        ),
        (
            "a: 1\n b: 2\n",
            2,
            (
                "a ':' where it cannot be: indent this line like the lines around "
                "it, or put quotes around a value that contains ': '"
            ),
        ),
        ("a:\n\t- 1\n", 2, "a tab character: YAML indents with spaces only"),
        ('a: "hw1\nb: 2\n', 3, "the quote opened on line 1 is never closed"),
        ("a:\n  - x: 1\n   y: 2\n", 3, "this line is indented differently from the block"),
    ],
)
def test_syntax_errors_say_where_and_what_in_one_plain_line(text, line, words):
    with pytest.raises(YamlError) as info:
        loads(text, "rubric.yaml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"rubric.yaml:{line}: invalid YAML: {words}")
    for jargon in ("flow sequence", "flow mapping", "scalar", "token", "<stream end>"):
        assert jargon not in message
