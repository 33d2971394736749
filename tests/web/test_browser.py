"""Students as they use the service: real Chromium (Debian's, driven by Playwright) against
a real ``grade serve`` on 127.0.0.1 — sign in, a wrong check with its misconception
hint, a right check typed in Persian digits, a notebook upload run by the sandboxed
runner, hand-ins — in English and Persian, on a desktop and a phone-sized window.

Every response body the browser received is kept, and none may hold a key value of the
``reveal: false`` assignment (computed here from the rubric, independently of the
server's own guard)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sympy

from grader.extract.answersheet import read_answer_sheet
from grader.rubric import load_rubric
from tests.web.conftest import STUDENTS, Server, notebook

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def hidden_key_texts(rubric_path: Path) -> set[str]:
    """ASCII spellings (fraction, 2–6 decimals) of every key value of the hidden rubric's
    number and matrix parts, less those the question itself gives and small integers."""
    rubric = load_rubric(rubric_path)
    texts: set[str] = set()
    for part in rubric.parts:
        if part.check == "choice":
            continue
        question = next(q for q in rubric.model.questions if q.id == part.question)
        given = {abs(sympy.Rational(str(v))) for v in _flat(question.params)}
        for value in _flat(part.expected):
            value = sympy.Rational(value)
            if abs(value) in given or (value.is_integer and abs(value) < 10):
                continue
            if not value.is_integer:
                texts.add(str(abs(value)))
            for places in range(2, 7):
                texts.add(f"{abs(float(value)):.{places}f}".rstrip("0").rstrip("."))
    return texts


def _flat(value: object) -> Iterator[object]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _flat(v)
    elif isinstance(value, list):
        for v in value:
            yield from _flat(v)
    else:
        yield value


class Recorder:
    """Keeps the body of every response the page receives, read as it arrives."""

    def __init__(self, page: playwright_api.Page):
        self.bodies: list[tuple[str, str]] = []
        self.unread: list[str] = []
        page.on("response", lambda response: self._keep(response))

    def _keep(self, response: playwright_api.Response) -> None:
        if 300 <= response.status < 400:
            return
        try:
            self.bodies.append((response.url, response.body().decode("utf-8", "replace")))
        except playwright_api.Error:
            self.unread.append(response.url)

    def drain(self) -> None:
        """Nothing to do: bodies are read on arrival (kept for the steps' readability)."""


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright_api.Browser]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


CASES = [("en", DESKTOP, 0), ("fa", DESKTOP, 1), ("en", PHONE, 2), ("fa", PHONE, 3)]


@pytest.mark.parametrize(
    ("lang", "window", "who"), CASES, ids=["en-desktop", "fa-desktop", "en-phone", "fa-phone"]
)
def test_student_checks_uploads_and_hands_in_without_seeing_a_hidden_key(
    browser: playwright_api.Browser,
    server: Server,
    codes: dict[str, str],
    course: Path,
    lang: str,
    window: dict,
    who: int,
) -> None:
    student = STUDENTS[who]
    context = browser.new_context(**window)
    page = context.new_page()
    seen = Recorder(page)

    page.goto(server.url + "/signin")
    if lang == "fa":
        page.click("button[lang=fa]")
        page.wait_for_selector("html[dir=rtl]")
    seen.drain()
    page.fill("#code", codes[student])
    page.click("#signin")
    page.wait_for_selector("#open-secret")
    assert student in page.inner_text("header").translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    seen.drain()

    page.click("#open-secret")
    page.wait_for_selector("#answers")
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "fa" else "ltr")
    # Matrices keep their left-to-right order inside a Persian page.
    assert page.eval_on_selector("table.grid", "e => getComputedStyle(e).direction") == "ltr"
    assert page.eval_on_selector("pre.ltr", "e => getComputedStyle(e).direction") == "ltr"
    # Nothing sticks out sideways on a phone: wide grids scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    seen.drain()

    # A wrong check: p taken as the drop probability, named with its hint.
    page.fill("input[name='a:dropout.p']", "0.25")
    page.click("#check-part-dropout-p")
    page.wait_for_selector("#result-part-dropout-p[data-status=wrong]")
    box = page.inner_text("#result-part-dropout-p")
    hint = "احتمال نگه\u200cداشتن" if lang == "fa" else "keep probability"  # the reader's tongue
    assert "p_as_drop_probability" in box and hint in box
    seen.drain()

    # A right check, typed in Persian digits with the Persian decimal separator.
    page.fill("input[name='a:dropout.p']", "۰٫۷۵")
    page.click("#check-part-dropout-p")
    page.wait_for_selector("#result-part-dropout-p[data-status=correct]")
    seen.drain()

    # A matrix whose explanation quotes another part's key ("multiplied by p = 3/4"):
    # the hint is shown with the hidden value blanked out.
    output = [
        [1.6, -0.7, -0.2, 1.9],
        [-2.3, 2.5, 2.5, -0.9],
        [-0.5, 3.2, 3.7, -0.4],
        [1.3, -0.4, -2.6, 1.2],
    ]  # the given output, not multiplied by p
    for r, row in enumerate(output):
        for c, cell in enumerate(row):
            page.fill(f"input[name='a:dropout.standard_test:{r}:{c}']", str(cell))
    page.click("#check-part-dropout-standard_test")
    page.wait_for_selector("#result-part-dropout-standard_test[data-status=wrong]")
    box = page.inner_text("#result-part-dropout-standard_test")
    assert "standard_test_not_scaled" in box and "p = …" in box
    assert page.locator("#part-dropout-standard_test input.wrong").count() == 16
    seen.drain()

    # A notebook upload: queued, run in the sandboxed runner, graded, then handed in.
    page.set_input_files(
        "#notebook-file",
        files=[
            {
                "name": "mine.ipynb",
                "mimeType": "application/x-ipynb+json",
                "buffer": notebook("dropout_p = 0.25\nregularizer_exp1 = 'L2'"),
            }
        ],
    )
    page.click("#upload")
    page.wait_for_selector("#job-status[data-status=done]", timeout=120_000)
    run = page.inner_text("main")
    assert "p_as_drop_probability" in run
    seen.drain()
    page.click("#handin-notebook")
    page.wait_for_selector("#notebook-handed-in")
    seen.drain()
    handed = course / "secret" / student
    assert (handed / "notebook.ipynb").is_file()

    # The answers handed in last replace the notebook, as an answer sheet `grade` reads.
    page.goto(f"{server.url}/a/secret")
    page.click("#handin")
    page.wait_for_selector("#notice")
    seen.drain()
    assert not (handed / "notebook.ipynb").exists()
    sheet = read_answer_sheet(handed / "answers.yaml")
    assert sheet.student == student and sheet.answers["dropout.p"] == "۰٫۷۵"
    context.close()

    secrets = hidden_key_texts(course.parent / "rubrics" / "secret.yaml")
    assert "0.75" in secrets and "3/4" in secrets  # the test's own list is not empty
    pattern = re.compile(r"(?<![\d.])(?:" + "|".join(map(re.escape, secrets)) + r")(?![\d])")
    leaks = [(url, m.group(0)) for url, body in seen.bodies for m in pattern.finditer(body)]
    assert len(seen.bodies) >= 10
    # Only a refreshing job page or a static file can be navigated away from unread; the
    # static files are read from disk instead.
    assert [u for u in seen.unread if "/jobs/" not in u and "/static/" not in u] == []
    static = Path(__file__).resolve().parents[2] / "grader" / "web" / "static"
    seen.bodies += [(str(f), f.read_text(encoding="utf-8")) for f in static.iterdir()]
    assert leaks == []


def test_checking_works_with_javascript_off(
    browser: playwright_api.Browser, server: Server, codes: dict[str, str]
) -> None:
    context = browser.new_context(java_script_enabled=False, **DESKTOP)
    page = context.new_page()
    page.goto(server.url + "/signin")
    page.fill("#code", codes[STUDENTS[4]])
    page.click("#signin")
    page.click("#open-hw2")
    page.fill("input[name='a:dropout.p']", "0.25")
    page.click("#check-part-dropout-p")
    page.wait_for_selector("#result-part-dropout-p[data-status=wrong]")
    # The revealed assignment shows its key: the same page machinery, reveal: true.
    assert "0.75" in page.inner_text("#result-part-dropout-p")
    assert page.input_value("input[name='a:dropout.p']") == "0.25"
    context.close()
