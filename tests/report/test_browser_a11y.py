"""The reports in Chromium through Playwright, at desktop and phone widths, in fa and en:
a mixed class gets one class page per assignment in its rubric's language; numbers and
header words never break across lines; chart labels stay legible on a phone; sortable
headers work from the keyboard; axe-core finds no serious or critical violation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader.report import write_reports
from grader.report.exports import page_names
from tests.report import sample

CHROMIUM = Path("/usr/bin/chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed"),
]

#: A desktop window, and a phone held upright (iPhone 12-15: 390 CSS pixels).
WIDTHS = {"desktop": 1280, "phone": 390}
#: The smallest chart label a phone reader can still read: the line box, in CSS pixels, of
#: a label drawn about 10 px high (9-point labels scaled to a phone drew 8.6 px).
MIN_LABEL_PX = 12

MEASURE = """() => {
  const broken = [];
  // A value (score, count, matrix cell, a number inside an answer) on more than one line.
  document.querySelectorAll(".score, .num, .n, table.grid td, td[data-sort]").forEach(el => {
    const tops = new Set(Array.from(el.getClientRects()).map(r => Math.round(r.top)));
    if (el.textContent.trim() && tops.size > 1) broken.push(el.textContent.trim());
  });
  // A header word split across two lines.
  const split = [];
  document.querySelectorAll("th, h1, h2, h3, h4, figcaption").forEach(h => {
    const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
        if (tops.size > 1) split.push(m[0]);
      }
    }
  });
  const labels = Array.from(document.querySelectorAll("svg text"))
    .map(t => t.getBoundingClientRect().height).filter(h => h > 0);
  return {broken, split, smallest: labels.length ? Math.min(...labels) : null,
          labels: labels.length, dir: document.documentElement.dir,
          lang: document.documentElement.lang,
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


#: Wider than a phone: eight columns of negative decimals, some typed right to left.
WIDE_GRID = [[f"-{r}.{c}25" if c % 2 else f"{r}.{c}75-" for c in range(8)] for r in range(3)]
#: A free-text answer full of numbers with a minus before or after them.
LONG_TEXT = ", ".join(f"-{i}.125, {i}.875-" for i in range(12))


def stressed_classes():
    """The sample class with one student's answers made as hard to lay out as they come."""
    classes = sample.classes()
    rubric, results = classes[0]
    target = next(r for r in results if r.student == "99100200")
    parts = list(target.parts)
    parts[0] = dataclasses.replace(parts[0], got=LONG_TEXT)
    grid = next(i for i, p in enumerate(parts) if isinstance(p.got, list))
    parts[grid] = dataclasses.replace(parts[grid], got=WIDE_GRID)
    results = [dataclasses.replace(r, parts=parts) if r is target else r for r in results]
    return [(rubric, results), *classes[1:]]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The class (hw2 in Persian, hw3 in English) as written, and forced to English."""
    folders = {}
    for lang in ("fa", "en"):
        out = tmp_path_factory.mktemp(f"a11y-{lang}")
        write_reports(
            out, stressed_classes(), lang=None if lang == "fa" else "en", formats=("html",)
        )
        folders[lang] = out
    return folders


def pages(reports: dict[str, Path]) -> list[tuple[str, Path]]:
    student = page_names(["99100200"])["99100200"]
    return [
        ("fa", reports["fa"] / "class-hw2.html"),
        ("fa", reports["fa"] / f"{student}.html"),
        ("en", reports["fa"] / "class-hw3.html"),
        ("en", reports["fa"] / "index.html"),
        ("en", reports["en"] / f"{student}.html"),
        ("en", reports["en"] / "class-hw2.html"),
    ]


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def open_page(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("document.documentElement.dataset.sortable === 'ready'")
    return page


def test_a_mixed_class_gets_a_class_page_per_assignment_in_its_language(reports) -> None:
    out = reports["fa"]
    hw2 = (out / "class-hw2.html").read_text("utf-8")
    hw3 = (out / "class-hw3.html").read_text("utf-8")
    overview = (out / "index.html").read_text("utf-8")
    assert '<html lang="fa" dir="rtl">' in hw2 and '<html lang="en" dir="ltr">' in hw3
    assert '<html lang="en" dir="ltr">' in overview  # the rubrics differ: English
    assert 'href="class-hw2.html"' in overview and 'href="class-hw3.html"' in overview
    assert "HW3" not in hw2 and "dropout" not in hw3  # each page holds its assignment only
    assert "Total" not in overview  # no total over assignments a student never took


@pytest.mark.parametrize("size", WIDTHS)
def test_numbers_and_header_words_never_break_and_charts_stay_legible(browser, reports, size):
    for lang, path in pages(reports):
        page = open_page(browser, path, WIDTHS[size])
        got = page.evaluate(MEASURE)
        page.close()
        where = f"{path.name} ({lang}, {size})"
        assert (got["lang"], got["dir"]) == (lang, "rtl" if lang == "fa" else "ltr"), where
        assert got["broken"] == [], where
        assert got["split"] == [], where
        assert got["overflow"] <= 0, where
        if path.name.startswith("class-"):
            assert got["labels"] > 5 and got["smallest"] >= MIN_LABEL_PX, (where, got)


@pytest.mark.parametrize("size", WIDTHS)
def test_sortable_headers_work_with_enter_and_space(browser, reports, size) -> None:
    for lang, path in pages(reports):
        if not path.name.startswith(("class-", "index")):
            continue
        page = open_page(browser, path, WIDTHS[size])
        header = page.locator("#students thead th").nth(0)
        names = page.locator("#students tbody td.who")
        header.locator("button").focus()
        page.keyboard.press("Enter")
        assert header.get_attribute("aria-sort") == "ascending", path.name
        ascending = names.all_text_contents()
        page.keyboard.press("Space")
        assert header.get_attribute("aria-sort") == "descending", path.name
        assert names.all_text_contents() == ascending[::-1]
        page.close()


@pytest.mark.parametrize("size", WIDTHS)
def test_pages_pass_axe_with_no_serious_or_critical_violation(browser, reports, size) -> None:
    axe = axe_module.Axe()
    for lang, path in pages(reports):
        page = open_page(browser, path, WIDTHS[size])
        results = axe.run(page)
        page.close()
        bad = [
            (v["id"], v["impact"], len(v["nodes"]))
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], f"{path.name} ({lang}, {size}): {bad}"
