"""The reports in a real headless Chromium: layout, right-to-left text, no injected script.

Each page is loaded twice. As written (its Content-Security-Policy intact) for a screenshot
and to see that the page's own sorting script is allowed to run. Then as a probe copy with
the policy removed and a measuring script appended: with no policy to hide behind, an
injected ``<script>`` would run only if escaping failed, so the probe checks escaping itself.
The probe writes its measurements into the DOM, which ``--dump-dom`` prints.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.report import write_reports
from grader.report.exports import page_names
from tests.report.sample import EVIL

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
    ),
]

PROBE = """
<script>
window.addEventListener("load", function () {
  var width = window.innerWidth, wide = [];
  function clipped(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      var o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return true;
    }
    return false;
  }
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width && (r.right > width + 0.5 || r.left < -0.5) && !clipped(el))
      wide.push(el.tagName + "." + el.className + " " + Math.round(r.left) + ".." + Math.round(r.right));
  });
  var table = document.getElementById("students"), order = null;
  if (table) {
    var headers = table.querySelectorAll("thead th");
    headers[headers.length - 2].querySelector("button").click();  // the total column, ascending
    order = Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[0].textContent.trim(); });
  }
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({
    dir: document.documentElement.getAttribute("dir"),
    lang: document.documentElement.getAttribute("lang"),
    innerWidth: width,
    scrollWidth: document.documentElement.scrollWidth,
    wide: wide,
    pwned: typeof window.__pwned,
    title: document.title,
    order: order,
    sortable: document.documentElement.getAttribute("data-sortable")
  });
  document.body.appendChild(out);
});
</script>
"""


def _chromium(url: str, width: int, screenshot: Path | None = None) -> str:
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        f"--window-size={width},900",
        "--virtual-time-budget=3000",
        "--dump-dom",
    ]
    if screenshot is not None:
        args.append(f"--screenshot={screenshot}")
    done = subprocess.run(
        [*args, url],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=screenshot.parent if screenshot else None,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _probe(page: Path, width: int, screenshot: Path | None = None) -> dict:
    text = page.read_text("utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    probe_page = page.with_name(f"probe-{width}-{page.name}")
    probe_page.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(probe_page.as_uri(), width, screenshot)
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert match, dom[-2000:]
    return json.loads(html.unescape(match.group(1)))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, classes) -> Path:
    path = tmp_path_factory.mktemp("browser")
    write_reports(path, classes, formats=("html",))
    return path


def _student_page(out: Path, student: str) -> Path:
    return out / f"{page_names([student])[student]}.html"


def test_pages_as_written_run_only_their_own_script(out: Path) -> None:
    for page in (out / "index.html", _student_page(out, f"mallory{EVIL}")):
        shot = out / f"shot-{page.stem[:20]}.png"
        dom = _chromium(page.as_uri(), 1280, shot)
        assert 'data-sortable="ready"' in dom  # the CSP hash lets the sorting script run
        assert shot.stat().st_size > 10_000
        assert "<title>pwned</title>" not in dom


# Chromium's smallest window is 500 pixels wide: about a phone held sideways.
@pytest.mark.parametrize("width", [1280, 500])
def test_persian_student_report_is_rtl_and_fits_the_viewport(out: Path, width: int) -> None:
    page = _student_page(out, "99100200")
    got = _probe(page, width, out / f"student-fa-{width}.png")
    assert (got["dir"], got["lang"]) == ("rtl", "fa")
    assert got["innerWidth"] == width
    assert got["scrollWidth"] <= got["innerWidth"], got
    assert got["wide"] == []


@pytest.mark.parametrize("width", [1280, 500])
def test_class_summary_fits_the_viewport_and_sorts(out: Path, width: int) -> None:
    page = out / "index.html"
    got = _probe(page, width)
    assert got["innerWidth"] == width and got["pwned"] == "undefined"
    assert got["scrollWidth"] <= got["innerWidth"], got
    assert got["wide"] == []
    assert got["sortable"] == "ready"
    assert got["order"][0].startswith("mallory") and got["order"][-1] == "98411387"


def test_injected_script_in_names_outputs_and_tracebacks_does_not_run(out: Path) -> None:
    page = _student_page(out, f"mallory{EVIL}")
    got = _probe(page, 1280)
    assert got["pwned"] == "undefined"
    assert got["title"] == f"mallory{EVIL}"  # the name is the title, as text
    assert got["scrollWidth"] <= got["innerWidth"] and got["wide"] == []
