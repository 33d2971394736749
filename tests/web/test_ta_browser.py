"""TAs grading the written demo assignment in real Chromium against a real ``grade serve``:
written answers typed on the page, typed in Persian and written in a notebook's markdown
cell reach one queue; a TA grades them by question with the keyboard (items, next,
previous, save), reuses a comment and edits a rubric item; a second TA saving the same
answer at the same time is refused, not merged; grades are published; a student asks for
a regrade, the TA answers it, and the student's report (in their language) and grades.csv
show the final scores and the trail."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tests.web.conftest import Server, csrf_of, signed_in
from tests.web.grading import TAS, hand_in, setup

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

EN, FA, NB = "98417201", "98417202", "98417203"
GRADE = "/ta/a/hw7/grade/explain.overfitting"


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright_api.Browser]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    course, codes = setup(tmp_path_factory.mktemp("ta"), [EN, FA, NB], {EN: "en", FA: "fa"})
    server = Server(course).start()
    yield server, codes
    server.stop()


def _notebook_handin(server: Server, code: str) -> None:
    """Upload a notebook answering the written parts in markdown cells, and hand it in."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("dropout_p = 0.75"),
        nbformat.v4.new_markdown_cell("## explain.overfitting\nOverfitting. Use weight decay."),
        nbformat.v4.new_markdown_cell("## explain_inverted\nScaled by 1/p while training."),
    ]
    client = signed_in(server, code)
    token = csrf_of(client.get("/a/hw7").text)
    files = {"notebook": ("hw7.ipynb", nbformat.writes(nb).encode(), "application/json")}
    job = client.post("/a/hw7/upload", data={"csrf": token}, files=files).headers["location"]
    deadline = time.monotonic() + 120
    while 'data-status="done"' not in client.get(job).text:
        assert time.monotonic() < deadline, "the notebook did not run"
        time.sleep(0.5)
    assert client.post(job + "/handin", data={"csrf": token}).status_code == 200


def _ta_page(browser: playwright_api.Browser, server: Server, name: str) -> playwright_api.Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(server.url + "/ta/signin")
    page.fill("#ta-name", name)
    page.fill("#ta-password", TAS[name])
    page.click("#ta-signin")
    page.wait_for_selector("#ta-who")
    return page


def _keys(page: playwright_api.Page, *keys: str) -> None:
    page.locator("body").click(position={"x": 5, "y": 5})  # focus off any text field
    for key in keys:
        page.keyboard.press(key)


def test_tas_grade_by_question_and_a_regrade_reaches_the_published_report(
    browser: playwright_api.Browser, world: tuple[Server, dict[str, str]]
) -> None:
    server, codes = world
    # Three ways to answer a written part, one queue.
    student = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    student.goto(server.url + "/signin")
    student.fill("#code", codes[EN])
    student.click("#signin")
    student.click("#open-hw7")
    student.fill("input[name='a:dropout.p']", "0.75")
    student.fill(
        "textarea[name='a:explain.overfitting']",
        "It overfits the noise. Stop early or add dropout.",
    )
    student.fill(
        "textarea[name='a:explain.inverted']", "Kept outputs are divided by p in training."
    )
    student.click("#handin")
    student.wait_for_selector("#notice")
    hand_in(
        signed_in(server, codes[FA]),
        {"dropout.p": "۰٫۷۵", "explain.overfitting": "مدل دچار کم‌برازش شده است."},
    )
    _notebook_handin(server, codes[NB])

    a, b = _ta_page(browser, server, "ta_a"), _ta_page(browser, server, "ta_b")
    a.goto(f"{server.url}{GRADE}?student={EN}")
    b.goto(f"{server.url}{GRADE}?student={EN}")
    assert a.inner_text("#answer") == "It overfits the noise. Stop early or add dropout."
    assert "remedies" in (a.text_content("#hints") or "")

    # TA A ticks two items with the keyboard, keeps a comment and saves with "s".
    _keys(a, "1", "2")
    assert a.is_checked("#item-1") and a.is_checked("#item-2") and not a.is_checked("#item-3")
    a.fill("#comment", "Both remedies are fine.")
    a.check("#keep-comment")
    _keys(a, "s")
    a.wait_for_selector(f"#student[data-student='{FA}']")

    # TA B had the same answer open: their save is refused and A's marks are shown.
    _keys(b, "4", "s")
    b.wait_for_selector("#notice.bad")
    assert "ta_a" in b.inner_text("#notice")
    assert b.is_checked("#item-1") and b.is_checked("#item-2") and not b.is_checked("#item-4")

    # A goes on: the Persian answer, the kept comment reused with a click.
    assert "کم‌برازش" in a.inner_text("#answer")
    a.click("#reuse-1")
    assert a.input_value("#comment") == "Both remedies are fine."
    a.fill("#comment", "Underfitting is the opposite: the validation loss would not rise.")
    _keys(a, "4", "s")
    # The notebook's markdown cell is the third student's answer; k and j move back and on.
    a.wait_for_selector(f"#student[data-student='{NB}']")
    assert a.inner_text("#answer") == "Overfitting. Use weight decay."
    _keys(a, "k")
    a.wait_for_selector(f"#student[data-student='{FA}']")
    assert a.is_checked("#item-4")
    _keys(a, "j")
    a.wait_for_selector(f"#student[data-student='{NB}']")
    _keys(a, "1", "2", "s")
    a.wait_for_selector("#notice")

    # Editing an item reaches everyone who has it: "one valid remedy" is now worth 0.5.
    a.goto(f"{server.url}{GRADE}?student={EN}")
    a.click("#edit-items summary")
    a.fill("#edit-first_remedy input[name=points]", "0.5")
    a.click("#save-item-first_remedy")
    a.wait_for_selector("#notice")
    assert "2 students" in a.inner_text("#notice")
    assert "1.5 / 3" in a.inner_text("#queue")

    # Publish; the English student asks for a regrade of the part, the TA answers it.
    a.goto(server.url + "/ta")
    a.click("#publish-hw7")
    a.wait_for_selector("#notice")
    student.goto(server.url + "/")
    student.click("#grades-hw7")
    student.select_option("#regrade-part", "explain.overfitting")
    student.fill("#regrade-reason", "I named two remedies, early stopping and dropout.")
    student.click("#regrade-send")
    student.wait_for_selector("#notice")
    a.goto(server.url + "/ta/a/hw7/regrades")
    assert "early stopping and dropout" in a.inner_text("#regrade-1")
    a.fill("#answer-1", "Right: two remedies, full marks.")
    a.fill("#score-1", "3")
    a.click("#answer-button-1")
    a.wait_for_selector("#regrade-1 .answered")

    # The student's published report: final score and the trail, in English.
    student.goto(server.url + "/a/hw7/grades")
    assert "full marks" in student.inner_text("#requests")
    student.click("#report")
    student.wait_for_load_state()
    report = student.inner_text("body")
    assert "4 / 6" in report  # p 1 + overfitting 3 (regrade) + inverted not graded 0
    assert "0 → 2" in report and "1.5 → 3" in report  # graded, then the regrade
    assert "ta_a" in report and "early stopping and dropout" in report and "full marks" in report
    assert "rubric item changed" in report
    # The Persian student's report speaks Persian, right to left, with the trail.
    fa = browser.new_context().new_page()
    fa.goto(server.url + "/signin")
    fa.fill("#code", codes[FA])
    fa.click("#signin")
    fa.goto(server.url + "/a/hw7/report")
    assert fa.get_attribute("html", "dir") == "rtl"
    fa_report = fa.inner_text("body")
    assert "آن را کم‌برازش می‌نامد" in fa_report and "تغییرات نمره" in fa_report

    # grades.csv: the final scores and every change with who, when and why.
    rows = {
        r["student"]: r
        for r in csv.DictReader(
            io.StringIO(a.request.get(server.url + "/ta/a/hw7/grades.csv").text())
        )
    }
    assert rows[EN]["hw7.explain.overfitting"] == "3" and rows[EN]["hw7.total"] == "4"
    assert (
        rows[FA]["hw7.explain.overfitting"] == "0" and rows[NB]["hw7.explain.overfitting"] == "1.5"
    )
    trail = rows[EN]["trail"]
    assert "0 -> 2 by ta_a" in trail and "2 -> 1.5 by ta_a" in trail and "1.5 -> 3 by ta_a" in trail
    assert "regrade: I named two remedies" in trail
    assert json.dumps(trail)  # one cell, whatever it holds
