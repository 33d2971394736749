"""The HTML reports: what a student and a TA see, in Persian and English, and escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.report import write_reports
from grader.report.exports import page_names
from tests.report import sample
from tests.report.sample import EVIL


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, classes) -> Path:
    path = tmp_path_factory.mktemp("html")
    write_reports(path, classes, formats=("html",))
    return path


def _page(out: Path, student: str) -> str:
    return (out / f"{page_names([student])[student]}.html").read_text("utf-8")


def _part(page: str, part_id: str) -> str:
    """The HTML of one part's box on a student page."""
    start = page.index(f'id="hw2.{part_id}"')
    ends = [
        i for i in (page.find('<div class="part ', start), page.find("</section>", start)) if i > 0
    ]
    return page[start : min(ends)]


def test_persian_rubric_gives_a_right_to_left_page_with_persian_digits(out: Path) -> None:
    page = _page(out, "سارا احمدی")
    assert '<html lang="fa" dir="rtl">' in page
    assert "۳٫۷۵ از ۷" in page  # hw2 total
    assert "نیمه‌درست" in page and "نادرست" in page and "پاسخ شما" in page
    assert "Vazirmatn" in page and "Noto Naskh Arabic" in page


def test_lang_argument_overrides_the_rubric(tmp_path: Path, classes) -> None:
    write_reports(tmp_path, classes, lang="en", formats=("html",))
    page = (tmp_path / "99100200.html").read_text("utf-8")
    assert '<html lang="en" dir="ltr">' in page
    assert "5.125 / 7" in page
    assert "partly correct" in page


def test_unknown_language_is_refused(tmp_path: Path, classes) -> None:
    with pytest.raises(ValueError, match="'de'"):
        write_reports(tmp_path, classes, lang="de")


def test_matrix_part_marks_exactly_the_wrong_cells(out: Path) -> None:
    box = _part(_page(out, "99100200"), "dropout.standard_train")
    your, expected = box.split("پاسخ درست", 1)
    wrong = re.findall(r'<td class="wrong"[^>]*>([^<]*)</td>', your)
    assert wrong == ["-0.7", "0", "3.2", "2.5"]
    assert 'class="wrong"' not in expected  # the key's grid is not marked
    assert expected.count("<td") == 16


def test_key_is_hidden_where_the_rubric_does_not_reveal_it(out: Path) -> None:
    box = _part(_page(out, "99100200"), "dropout.inverted_train")
    assert "نمایش داده نمی‌شود" in box
    assert "3.8" not in box and "7.4" not in box  # cells of inverted.train's key


def test_worked_solution_is_shown_when_the_rubric_allows(out: Path) -> None:
    page = _page(out, "98411387")
    assert "حل گام‌به‌گام" in page
    # the rubric's language is Persian: the worked steps are too, formulas kept as written
    assert "p = (تعداد یک‌های ماسک) / (تعداد خانه‌ها) = 8/16 = 1/2" in page


def test_notebook_error_shows_the_failing_cell_and_traceback_as_text(out: Path) -> None:
    page = _page(out, f"mallory{EVIL}")
    assert "اجرای نوت‌بوک با خطا متوقف شد" in page
    assert "(سلول ۳)" in page  # cell_index 2, shown counting from one
    assert "<pre>print(&#39;&lt;script&gt;" in page
    assert "Traceback (most recent call last):" in page


def test_notes_and_readings_are_shown(out: Path) -> None:
    assert "no sandbox: ran without isolation" in _page(out, "سارا احمدی")
    assert "۰٫۵ read as 0.5" in _page(out, "99100200")


def test_student_controlled_text_never_becomes_markup(out: Path) -> None:
    escaped = "&lt;script&gt;document.title=&#39;pwned&#39;;window.__pwned=1&lt;/script&gt;"
    for page in out.glob("*.html"):
        text = page.read_text("utf-8")
        assert "<script>document" not in text, page.name
        assert text.count("<script") == 1, page.name  # only the page's own sorting script
    page = _page(out, f"mallory{EVIL}")
    assert page.count(escaped) >= 7  # name, title, source, answer, feedback, evalue, note…
    assert f"<title>mallory{escaped}</title>" in page
    assert escaped in (out / "index.html").read_text("utf-8")


def test_class_summary_counts_misconceptions_and_wrong_values(out: Path) -> None:
    index = (out / "class-hw2.html").read_text("utf-8")  # hw2's own class page
    section = index.split("<code>dropout.inverted_train</code>", 1)[1].split('<div class="part">')[
        0
    ]
    assert "۲ از ۴" in section  # two of the four students
    assert "در dropout وارون، واحدهای نگه‌داشته‌شده هنگام آموزش بر p = 1/2 تقسیم می‌شوند" in section
    assert "inverted_train_not_scaled" in section
    assert re.search(r"×۲</span>", section)  # the unscaled grid, written twice
    p_section = index.split("<code>dropout.p</code>", 1)[1].split('<div class="part">')[0]
    assert "×۱" in p_section and "0.6" in p_section


def test_class_summary_embeds_deterministic_svg_plots(tmp_path: Path, out: Path) -> None:
    pages = {name: (out / name).read_text("utf-8") for name in ("class-hw2.html", "class-hw3.html")}
    for page in pages.values():
        assert page.count("<svg ") == 2  # the distribution and the per-part difficulty
        assert "<?xml" not in page and "<!DOCTYPE svg" not in page
        assert "dc:date" not in page.lower()
    write_reports(tmp_path, sample.classes(), formats=("html",))
    for name, page in pages.items():
        assert (tmp_path / name).read_text("utf-8") == page


def test_student_table_is_sortable_and_links_each_page(out: Path) -> None:
    index = (out / "index.html").read_text("utf-8")
    assert '<table class="sortable" id="students">' in index
    assert 'href="سارا_احمدی.html"' in index
    assert re.search(r'<td data-sort="-1">ارسال نشده</td>|data-sort="-1"', index)


def test_overridden_part_shows_the_ta_comment(tmp_path: Path, classes) -> None:
    from grader.overrides import Override, apply_overrides

    rubric, results = classes[0]
    results = apply_overrides(results, rubric, [Override("98411387", "dropout.p", 0.5, "late")])
    write_reports(tmp_path, [(rubric, results)], formats=("html",))
    box = _part((tmp_path / "98411387.html").read_text("utf-8"), "dropout.p")
    assert "نمره توسط دستیار آموزشی تغییر کرد" in box and "late" in box
    assert "۰٫۵ از ۱" in box


def test_wrong_values_in_persian_and_ascii_digits_count_as_one() -> None:
    from grader.report.html import _wrong_values
    from grader.results import PartResult

    answers = ["۰٫۴", "0.4", "−۰٫۴", "0.4-", "0.5"]
    results = [PartResult("q.a", 0.0, 1.0, "wrong", "", got=a) for a in answers]
    rows = [(r["value"]["text"], r["count"]) for r in _wrong_values(results, "en")]
    assert rows == [("-0.4", "2"), ("0.4", "2"), ("0.5", "1")]
