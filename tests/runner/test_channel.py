"""The result channel read as untrusted input: markers, limits and the schema (issue 9.4)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from grader.runner.channel import InvalidResult, ResultStream, decode_stream


def _values(**tags: object) -> str:
    return json.dumps(tags)


def _line(message: dict) -> bytes:
    return (json.dumps(message) + "\n").encode()


def _honest(cells: list[int], final: str) -> ResultStream:
    stream = ResultStream(cells)
    for index in cells:
        assert stream.feed(_line({"cell": index})) is True
        stream.feed(_line({"values": final, "after": index}))
    assert stream.feed(_line({"extracting": True})) is True
    stream.feed(_line({"final": final}))
    return stream


def test_an_honest_stream_decodes_to_exact_values() -> None:
    final = _values(p={"num": "0.5"}, m={"list": [{"num": "1.6"}, {"num": "-2e-3"}]})
    report = decode_stream(_honest([0, 2, 3], final))
    assert report.values == {"p": Fraction(1, 2), "m": [Fraction(8, 5), Fraction(-1, 500)]}
    assert report.errors == [] and report.snapshot_after is None


def test_bytes_split_anywhere_are_read_the_same() -> None:
    stream = ResultStream([0])
    data = _line({"cell": 0}) + _line({"final": _values(x={"num": "3"})})
    for byte in data:
        stream.feed(bytes([byte]))
    assert decode_stream(stream).values == {"x": 3}


@pytest.mark.parametrize(
    "markers",
    [
        [0, 0],  # the current cell announced again
        [0, 2],  # a cell skipped: announced ahead of its time
        [0, 1, 0],  # going back
        [0, 7],  # a cell the notebook does not have
    ],
)
def test_a_marker_out_of_order_is_a_forgery(markers: list[int]) -> None:
    stream = ResultStream([0, 1, 2])
    for index in markers:
        stream.feed(_line({"cell": index}))
    assert stream.problem == "a cell marker out of order (forged)"
    with pytest.raises(InvalidResult, match="forged"):
        decode_stream(stream)


def test_an_early_extraction_marker_is_a_forgery_and_buys_no_time() -> None:
    stream = ResultStream([0, 1])
    stream.feed(_line({"cell": 0}))
    assert stream.feed(_line({"extracting": True})) is False
    assert stream.problem is not None and not stream.extracting


def test_a_marker_in_another_spelling_is_not_the_grader_s() -> None:
    stream = ResultStream([0])
    stream.feed(b'{"cell":0}\n')
    assert stream.problem == "a line the grader's code never writes"


@pytest.mark.parametrize(
    "final, reason",
    [
        (json.dumps({"x": {"num": "1e999999999"}}), "malformed number"),
        (json.dumps({"x": {"num": "1e5000"}}), "out of range"),
        (json.dumps({"x": 5}), "not a tag"),
        (json.dumps({"x": {"bool": "yes"}}), "not a bool"),
        (json.dumps({"x": {"list": [None]}, "y": {"klass": 1}}), "unknown tag"),
        ('{"x": ' + '{"list": [' * 20_000 + "]}" * 20_000 + "}", "not JSON"),
        (json.dumps({"x": {"list": [{"list": []}] * 3}} | {"z" * 300: None}), "longer than 200"),
    ],
)
def test_forged_values_are_refused_with_the_reason(final: str, reason: str) -> None:
    stream = ResultStream([0])
    stream.feed(_line({"cell": 0}))
    stream.feed(_line({"final": final}))
    with pytest.raises(InvalidResult, match=reason):
        decode_stream(stream)


def test_forged_message_types_are_refused() -> None:
    stream = ResultStream([0])
    stream.feed(_line({"cell": 0}))
    stream.feed(_line({"final": {"values": 5, "error": "x"}}))
    with pytest.raises(InvalidResult, match="carries no variables"):
        decode_stream(stream)
    stream = ResultStream([0])
    stream.feed(_line({"error": {"ename": 1, "evalue": [], "traceback": None}, "cell": 0}))
    with pytest.raises(InvalidResult, match="wrong type"):
        decode_stream(stream)


def test_an_endless_line_is_stopped_at_the_line_limit_without_keeping_it(monkeypatch) -> None:
    monkeypatch.setattr("grader.runner.channel.MAX_LINE_BYTES", 1000)
    stream = ResultStream([0])
    for _ in range(50):
        stream.feed(b"x" * 100)
    assert stream.problem == "a line longer than 0 MB"
    assert len(stream._partial) <= 1100  # it stopped growing once the problem was found


def test_values_set_after_the_first_failure_are_named() -> None:
    before = _values(a={"num": "1"}, b={"num": "2"})
    after = _values(a={"num": "1"}, b={"num": "5"}, c={"num": "7"})
    stream = ResultStream([0, 1, 2])
    stream.feed(_line({"cell": 0}))
    stream.feed(_line({"error": {"ename": "NameError", "evalue": "x", "traceback": "t",
                                 "memory": False, "exit": False}, "cell": 0}))  # fmt: skip
    stream.feed(_line({"values": before, "after": 0}))
    for index in (1, 2):
        stream.feed(_line({"cell": index}))
        stream.feed(_line({"values": after, "after": index}))
    stream.feed(_line({"extracting": True}))
    stream.feed(_line({"final": after}))
    report = decode_stream(stream)
    assert [e.ename for e in report.errors] == ["NameError"]
    assert sorted(report.set_after_failure) == ["b", "c"]
