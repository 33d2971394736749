"""With a rubric of variants (hw6), each student's page states THEIR parameters, their
checks are graded against THEIR key, and a hidden key of their own variant never reaches
their browser (issue 14: "with their own variant's parameters where the rubric has
variants")."""

from __future__ import annotations

import shutil
from fractions import Fraction

import httpx
import pytest
import yaml

import grader
from tests.web.conftest import REPO, Server, csrf_of, issue_codes, signed_in

pytestmark = pytest.mark.slow

#: Two students whose hw6 variants differ in every parameter (mask, x, lr).
FIVE_EIGHTHS, THREE_QUARTERS = "98416002", "98416005"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("variants")
    (root / "rubrics").mkdir()
    shutil.copy(REPO / "rubrics" / "hw6.yaml", root / "rubrics" / "hw6.yaml")
    hidden = yaml.safe_load((REPO / "rubrics" / "hw6.yaml").read_text(encoding="utf-8"))
    hidden["assignment"] = "hidden6"
    hidden.setdefault("defaults", {})["reveal"] = False
    (root / "rubrics" / "hidden6.yaml").write_text(yaml.safe_dump(hidden, allow_unicode=True))
    course = root / "course"
    for assignment in ("hw6", "hidden6"):
        (course / assignment).mkdir(parents=True)
    students = [FIVE_EIGHTHS, THREE_QUARTERS]
    roster = "student,name,lang\n" + "".join(f"{s},Student {s},en\n" for s in students)
    (root / "roster.csv").write_text(roster, encoding="utf-8")
    codes = issue_codes(course, root / "roster.csv")
    running = Server(course, extra=("--no-notebooks",)).start()
    yield running, codes, root
    running.stop()


def _check(client: httpx.Client, assignment: str, answer: str) -> httpx.Response:
    token = csrf_of(client.get(f"/a/{assignment}").text)
    form = {"csrf": token, "a:dropout.p": answer, "check": "dropout.p"}
    return client.post(f"/a/{assignment}/check", data=form)


def test_each_student_sees_their_own_parameters(server) -> None:
    running, codes, _ = server
    rubric = grader.load_rubric(REPO / "rubrics" / "hw6.yaml")
    for student in (FIVE_EIGHTHS, THREE_QUARTERS):
        own = rubric.for_student(student).variant
        page = signed_in(running, codes[student]).get("/a/hw6").text
        mask_row = "  ".join(str(c) for c in own["dropout"]["mask"][0])
        assert mask_row in page, student
        assert f">{own['gd']['lr']}<" in page.replace(" ", ""), student
    lrs = {rubric.for_student(s).variant["gd"]["lr"] for s in (FIVE_EIGHTHS, THREE_QUARTERS)}
    assert lrs == {"0.03", "0.01"}  # the two pages really differ


def test_a_check_is_graded_against_the_students_own_key(server) -> None:
    running, codes, _ = server
    five = signed_in(running, codes[FIVE_EIGHTHS])
    three = signed_in(running, codes[THREE_QUARTERS])
    assert _check(five, "hw6", "0.625").json()["status"] == "correct"  # mask: 5 of 8 kept
    assert _check(three, "hw6", "0.75").json()["status"] == "correct"  # mask: 6 of 8 kept
    assert _check(three, "hw6", "0.625").json()["status"] == "wrong"  # the other's key


def test_a_hidden_key_of_the_students_own_variant_never_reaches_the_browser(server) -> None:
    running, codes, root = server
    rubric = grader.load_rubric(root / "rubrics" / "hidden6.yaml")
    base_mask = rubric.model.questions[0].params["mask"]  # the variant as written
    for student in (FIVE_EIGHTHS, THREE_QUARTERS):
        own = rubric.for_student(student).variant["dropout"]
        if own["mask"] != base_mask:
            break
    else:
        pytest.fail("both students drew the rubric's own mask: nothing to tell apart")
    mask = own["mask"]
    keep = Fraction(sum(map(sum, mask)), sum(map(len, mask)))
    client = signed_in(running, codes[student])
    # The test output left unscaled: the explanation of that mistake names p, which is
    # this variant's hidden key, not the rubric-as-written's.
    output = rubric.model.questions[0].params["output"]
    token = csrf_of(client.get("/a/hidden6").text)
    form = {"csrf": token, "check": "dropout.standard_test"}
    for r, row in enumerate(output):
        for c, value in enumerate(row):
            form[f"a:dropout.standard_test:{r}:{c}"] = str(value)
    response = client.post("/a/hidden6/check", data=form)
    verdict = response.json()
    assert verdict["status"] == "wrong", verdict
    assert "must be multiplied by p" in response.text  # the explanation is there, p hidden
    pages = [response.text, client.get("/a/hidden6").text, client.get("/a/hidden6/checks").text]
    forms = {f"{keep.numerator}/{keep.denominator}", f"{float(keep):g}", f"{float(keep):g}"[1:]}
    for form_text in forms:
        assert all(form_text not in page for page in pages), form_text
