"""Isolation faults (issue 9): nothing of one student reaches the next, nothing a student
sends back can stop the class.

One batch runs every fault notebook in ONE warm worker (``jobs=1``), each followed by an
honest student, so "the next student" really is forked from the worker the attacker ran
in. Each test asserts what the attacker got and that the honest student after it kept
exactly their own values. Separate tests cover what needs two workers (CPU), a worker
killed from outside, and the whole class through ``grade --jobs 2``.

The batch runs in a child process (:mod:`isolation_support`): a runner that hangs on a
forged result must fail these tests, not hang pytest.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest
from isolation_support import (
    FIXTURES,
    GOOD_NAMES,
    GOOD_VALUES,
    ISOLATED,
    REPO,
    SCRATCH_NAMES,
    SCRATCH_VALUES,
    Batch,
    Run,
    Spec,
    descendants,
    make_limits,
    processes_named,
    run_batch,
)

pytestmark = pytest.mark.slow


def _bwrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    argv = [bwrap, "--unshare-all", "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
        return done.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# These notebooks signal pid 1, kill(-1) and fill disks: they may only ever run sandboxed.
if not _bwrap_works():
    pytest.skip(
        "bubblewrap is missing or cannot create namespaces here; the isolation fault "
        "notebooks must never run unsandboxed",
        allow_module_level=True,
    )


def limits(**changes: object) -> dict:
    return {**ISOLATED, **changes}


#: (key, fixture, names, limits): the order IS the test — each honest student runs right
#: after the attacker named in its key, in the same worker.
ORDER: list[Spec] = [
    Spec("honest_first", "good_numpy", GOOD_NAMES),
    Spec("steals_answers_from_memory", "steals_answers_from_memory", ("stolen", "p", "answer")),
    Spec("honest_after_thief", "honest_writes_scratch", SCRATCH_NAMES),
    Spec("leaves_markers_in_memory", "leaves_markers_in_memory", ("secret",)),
    Spec(
        "scans_memory_for_the_previous_student",
        "scans_memory_for_the_previous_student",
        ("found", "own_marker_found"),
    ),
    Spec("leaves_scratch_files", "leaves_scratch_files", ("made",)),
    Spec("leaves_setsid_daemons", "leaves_setsid_daemons", ("daemons",)),
    Spec("finds_what_earlier_students_left", "finds_what_earlier_students_left", ("seen",)),
]
ATTACKERS: list[Spec] = [
    Spec("fills_tmp_until_enospc", "fills_tmp_until_enospc", ("stopped_by",)),
    Spec("builds_a_tree_deeper_than_path_max", "builds_a_tree_deeper_than_path_max", ("built",)),
    Spec("creates_100000_files", "creates_100000_files", ("made", "stopped_by")),
    Spec("locks_its_folders", "locks_its_folders", ("locked",)),
    Spec("writes_odd_file_names", "writes_odd_file_names", ("failed",)),
    Spec(
        "holds_memory_in_three_processes",
        "holds_memory_in_three_processes",
        ("before", "held"),
        limits(memory_mb=300),
    ),
    Spec("writes_past_the_disk_quota", "writes_past_the_disk_quota", ("before", "written_mb")),
    Spec(
        "writes_one_file_past_the_disk_quota",
        "writes_one_file_past_the_disk_quota",
        ("before", "written_mb"),
    ),
    Spec("forges_result_types", "forges_result_types", ("before", "p")),
    Spec("forges_a_huge_exponent", "forges_a_huge_exponent", ("before", "p", "answer")),
    Spec("forges_a_deep_list", "forges_a_deep_list", ("before", "p")),
    Spec("replaces_the_json_module", "replaces_the_json_module", ("before", "p")),
    Spec("streams_results_forever", "streams_results_forever", ("before", "after")),
    Spec("writes_one_huge_result_line", "writes_one_huge_result_line", ("before",)),
    Spec(
        "fakes_cell_markers_to_extend_its_time",
        "fakes_cell_markers_to_extend_its_time",
        ("before", "after"),
        limits(notebook_timeout=20.0),
    ),
    Spec("signals_sandbox_pid_1", "signals_sandbox_pid_1", ("before", "sent", "after")),
    Spec(
        "kills_every_process_it_can_see",
        "kills_every_process_it_can_see",
        ("before", "killed", "after"),
    ),
]
for attacker in ATTACKERS:
    ORDER += [
        attacker,
        Spec(f"honest_after_{attacker.key}", "honest_writes_scratch", SCRATCH_NAMES),
    ]
ORDER.append(Spec("finds_nothing_at_the_end", "finds_what_earlier_students_left", ("seen",)))

INVALID_RESULT = "invalid_result"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Every fault notebook and an honest student after each, in one worker."""
    return run_batch([ORDER], tmp_path_factory.mktemp("isolation"), jobs=1, timeout=170)


def honest_after(batch: Batch, attacker: str) -> Run:
    """The honest student graded right after ``attacker``; asserts their values are theirs."""
    run = batch.run(f"honest_after_{attacker}")
    assert run.error is None, (attacker, run.error)
    assert run.values == SCRATCH_VALUES, attacker
    return run


# -- the batch as a whole ---------------------------------------------------------------------
def test_the_batch_ends_without_a_crash_or_a_hang_and_every_student_comes_back(
    batch: Batch,
) -> None:
    assert batch.crash is None, batch.crash
    assert not batch.timed_out, f"still running after {batch.elapsed:.0f} s"
    assert set(batch.runs) == {s.key for s in ORDER}


def test_every_student_ran_in_the_bubblewrap_sandbox(batch: Batch) -> None:
    sandboxes = {key: run.sandbox for key, run in batch.runs.items()}
    assert {k: v for k, v in sandboxes.items() if v != "bwrap"} == {}


def test_every_honest_student_keeps_exactly_the_values_they_have_alone(batch: Batch) -> None:
    first = batch.run("honest_first")
    assert first.error is None and first.values == GOOD_VALUES
    for spec in ORDER:
        if spec.key.startswith("honest_after_"):
            honest_after(batch, spec.key.removeprefix("honest_after_"))


# -- 1. no student data in the fork source --------------------------------------------------
def test_markers_of_the_previous_student_are_not_in_the_next_students_memory(
    batch: Batch,
) -> None:
    leaver = batch.run("leaves_markers_in_memory")
    assert leaver.error is None
    assert leaver.values == {"secret": "QJXZ-ANSWER-5150"}  # the marker in its answer
    assert "QJXZ-OUTPUT-6262" in leaver.output  # the marker in its output
    scanner = batch.run("scans_memory_for_the_previous_student")
    assert scanner.error is None, scanner.error
    # The control: the scan finds the marker the scanner planted in its own memory.
    assert scanner.values == {"found": [], "own_marker_found": True}


def test_the_previous_students_answers_cannot_be_stolen_from_memory(batch: Batch) -> None:
    assert batch.run("honest_first").values == GOOD_VALUES  # what there was to steal
    thief = batch.run("steals_answers_from_memory")
    assert thief.error is None, thief.error
    assert thief.values == {"stolen": []}  # no p, no answer: nothing to hand in as its own
    honest_after(batch, "thief")


# -- 2. a clean machine per student ---------------------------------------------------------
def test_scratch_files_ipc_objects_and_daemons_never_reach_the_next_student(batch: Batch) -> None:
    leaver = batch.run("leaves_scratch_files")
    assert leaver.error is None, leaver.error
    # Everything but /dev (read-only) could be written: the test below is not vacuous.
    assert leaver.values == {
        "made": [
            "/tmp/left_by_a.txt",
            "/tmp/.left_hidden",
            "/tmp/left_dir/left_inner.txt",
            "/dev/shm/left_by_a.txt",
            "left_by_a.txt",
            "/work/.left_hidden_in_work",
            "left_module_by_a.py",
            "sysv_shm",
            "sysv_sem",
            "sysv_msg",
            "posix_mq",
        ]
    }
    daemons = batch.run("leaves_setsid_daemons")
    assert daemons.error is None and daemons.values == {"daemons": 2}
    finder = batch.run("finds_what_earlier_students_left")
    assert finder.error is None, finder.error
    assert finder.values == {"seen": []}


def test_setsid_double_forked_daemons_are_gone_after_their_notebook(batch: Batch) -> None:
    assert batch.crash is None and not batch.timed_out  # leftovers are counted at the end
    assert batch.leftovers == []
    assert batch.run("finds_what_earlier_students_left").values == {"seen": []}


def test_nothing_any_attacker_left_is_visible_to_the_last_student(batch: Batch) -> None:
    last = batch.run("finds_nothing_at_the_end")
    assert last.error is None, last.error
    assert last.values == {"seen": []}


def test_a_full_tmp_does_not_cost_the_next_honest_student_their_marks(batch: Batch) -> None:
    filler = batch.run("fills_tmp_until_enospc")
    assert filler.error is None, filler.error
    assert filler.values == {"stopped_by": {"/tmp": "ENOSPC", "/dev/shm": "ENOSPC"}}
    honest_after(batch, "fills_tmp_until_enospc")


def test_a_tree_deeper_than_path_max_is_removed_and_the_next_student_is_graded(
    batch: Batch,
) -> None:
    tree = batch.run("builds_a_tree_deeper_than_path_max")
    assert tree.error is None, tree.error
    assert tree.values == {"built": ["/tmp", "/dev/shm", "/work"]}
    honest_after(batch, "builds_a_tree_deeper_than_path_max")


def test_100000_files_are_removed_and_the_next_student_is_graded(batch: Batch) -> None:
    many = batch.run("creates_100000_files")
    assert many.error is None, many.error
    made, stopped_by = many.values["made"], many.values["stopped_by"]
    # Either all were made, or a file-count quota stopped them: never anything else.
    assert (made, stopped_by) == (100_000, None) or stopped_by in ("ENOSPC", "EDQUOT"), (
        made,
        stopped_by,
    )
    honest_after(batch, "creates_100000_files")


def test_folders_with_permissions_removed_are_cleaned_and_the_next_student_is_graded(
    batch: Batch,
) -> None:
    locker = batch.run("locks_its_folders")
    assert locker.error is None, locker.error
    assert locker.values == {"locked": ["/tmp", "/dev/shm", "/work"]}
    honest_after(batch, "locks_its_folders")


def test_odd_file_names_fifos_sockets_and_symlinks_are_cleaned_and_the_next_is_graded(
    batch: Batch,
) -> None:
    odd = batch.run("writes_odd_file_names")
    assert odd.error is None, odd.error
    assert odd.values == {"failed": []}
    honest_after(batch, "writes_odd_file_names")


# -- 3. limits per student --------------------------------------------------------------------
def test_memory_is_limited_for_all_of_a_students_processes_together(batch: Batch) -> None:
    run = batch.run("holds_memory_in_three_processes")
    # 3 x 200 MB under a 300 MB limit: the three must never hold it all at once.
    assert "held" not in run.values, run.values
    assert run.values == {"before": 1}
    assert run.error is not None and run.error["cell_index"] == 1, run.error
    killed_helper = (
        run.kind == "error"
        and run.error["ename"] == "RuntimeError"
        and run.error["evalue"].endswith("was killed by signal 9")
    )
    assert run.kind in ("memory_limit", "kernel_died") or killed_helper, run.error
    honest_after(batch, "holds_memory_in_three_processes")


def test_writing_past_the_disk_quota_is_the_students_own_oserror(batch: Batch) -> None:
    run = batch.run("writes_past_the_disk_quota")
    assert run.values == {"before": 1}  # 256 MB never fitted in the 64 MB quota
    assert run.kind == "error", run.error
    assert run.error["cell_index"] == 1 and run.error["ename"] == "OSError"
    assert run.error["evalue"].startswith(
        ("[Errno 28] No space left on device", "[Errno 122] Disk quota exceeded")
    ), run.error["evalue"]
    honest_after(batch, "writes_past_the_disk_quota")


def test_one_file_larger_than_the_quota_is_an_oserror_not_a_killed_kernel(batch: Batch) -> None:
    # A dataset cache written as one big file: the student must read why it failed.
    run = batch.run("writes_one_file_past_the_disk_quota")
    assert run.values == {"before": 1}
    assert run.kind == "error", run.error
    assert run.error["cell_index"] == 1 and run.error["ename"] == "OSError"
    assert run.error["evalue"].startswith(
        (
            "[Errno 27] File too large",
            "[Errno 28] No space left on device",
            "[Errno 122] Disk quota exceeded",
        )
    ), run.error["evalue"]
    honest_after(batch, "writes_one_file_past_the_disk_quota")


def test_limits_have_a_disk_quota_of_512_mb_by_default() -> None:
    from grader.runner.base import Limits

    assert Limits().disk_mb == 512
    assert make_limits(ISOLATED).disk_mb == 64


# -- 4. the result channel is untrusted input -------------------------------------------------
@pytest.mark.parametrize(
    "attacker",
    [
        "forges_result_types",
        "forges_a_huge_exponent",
        "forges_a_deep_list",
        "replaces_the_json_module",
        "streams_results_forever",
        "writes_one_huge_result_line",
    ],
)
def test_a_forged_malformed_or_endless_result_is_invalid_result_and_the_next_is_graded(
    batch: Batch, attacker: str
) -> None:
    run = batch.run(attacker)
    assert run.kind == INVALID_RESULT, run.error
    assert run.error["message"], run.error  # a clear sentence for the student
    assert "p" not in run.values and "answer" not in run.values, run.values
    honest_after(batch, attacker)


def test_fake_cell_markers_are_found_out_and_never_extend_the_time_limit(batch: Batch) -> None:
    # Cell 1 is announced again (and the extraction early): only a forger writes that.
    run = batch.run("fakes_cell_markers_to_extend_its_time")
    assert run.kind == "invalid_result", run.error
    assert "a cell marker out of order (forged)" in run.error["message"]
    assert run.values == {}
    assert run.duration < 10, run.duration  # the cell limit was 3 s, the notebook's 20 s
    honest_after(batch, "fakes_cell_markers_to_extend_its_time")


# -- 5. signals and dead workers ---------------------------------------------------------------
def test_signalling_pid_1_of_the_sandbox_is_ignored_or_reported_as_worker_died(
    batch: Batch,
) -> None:
    run = batch.run("signals_sandbox_pid_1")
    sent = ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGPIPE"]
    if run.error is None:
        assert run.values == {"before": 1, "sent": sent, "after": 2}
    else:
        assert run.kind == "worker_died", run.error
    honest_after(batch, "signals_sandbox_pid_1")


def test_killing_every_process_in_sight_harms_nobody_else(batch: Batch) -> None:
    run = batch.run("kills_every_process_it_can_see")
    if run.error is None:  # alone in its namespace, or what it killed was its own
        assert run.values["killed"] in ("something", "nothing in sight"), run.values
        assert run.values == {"before": 1, "killed": run.values["killed"], "after": 2}
    else:
        assert run.kind == "worker_died", run.error
    honest_after(batch, "kills_every_process_it_can_see")


def test_a_worker_killed_from_outside_mid_notebook_is_worker_died_and_replaced(
    tmp_path: Path,
) -> None:
    from grader.runner.base import NotebookJob
    from grader.runner.pool import LocalExecutor

    jobs = []
    for key, fixture, names in (
        ("victim", "waits_while_its_worker_is_killed", ("before", "after")),
        ("after_victim", "honest_writes_scratch", SCRATCH_NAMES),
    ):
        (tmp_path / key).mkdir()
        shutil.copyfile(FIXTURES / f"{fixture}.ipynb", tmp_path / key / "notebook.ipynb")
        jobs.append(
            NotebookJob(key, tmp_path / key / "notebook.ipynb", names, make_limits(ISOLATED))
        )
    killed: list[int] = []
    with LocalExecutor(jobs=1, sandbox="bwrap") as executor:

        def kill_the_worker_once_the_victim_runs() -> None:
            give_up = time.monotonic() + 60
            while time.monotonic() < give_up and not killed:
                worker = executor.workers[0] if executor.workers else None
                proc = getattr(worker, "proc", None)
                if proc is not None and set(processes_named("dlg-victim")) & set(
                    descendants(proc.pid)
                ):
                    proc.kill()
                    killed.append(proc.pid)
                time.sleep(0.05)

        killer = threading.Thread(target=kill_the_worker_once_the_victim_runs, daemon=True)
        killer.start()
        runs = {job.key: run for job, run in executor.run_many(jobs)}
        killer.join(5)
    assert killed, "the victim never started"
    victim = runs["victim"]
    assert victim.error is not None and victim.error.kind == "worker_died", victim.error
    after = runs["after_victim"]
    assert after.error is None, after.error
    assert after.values == SCRATCH_VALUES


# -- 5 (host side). files parsed before the sandbox ------------------------------------------
def test_a_100000_deep_notebook_is_refused_for_that_student_only(tmp_path: Path) -> None:
    # Alone in its own batch: on a runner that parses it unguarded, the whole batch is lost.
    batch = run_batch(
        [
            [
                Spec("honest_before", "honest_writes_scratch", SCRATCH_NAMES),
                Spec("deeply_nested_notebook_json", "deeply_nested_notebook_json", ("x",)),
                Spec(
                    "honest_after_deeply_nested_notebook_json",
                    "honest_writes_scratch",
                    SCRATCH_NAMES,
                ),
            ]
        ],
        tmp_path,
        timeout=60,
    )
    run = batch.run("deeply_nested_notebook_json")
    assert run.kind in ("invalid_notebook", "invalid_submission"), run.error
    assert run.values == {}
    assert batch.run("honest_before").values == SCRATCH_VALUES
    honest_after(batch, "deeply_nested_notebook_json")


# -- 3 (CPU). busy processes in one worker do not slow the other -------------------------------
def test_busy_daemons_in_one_worker_do_not_make_the_other_workers_student_time_out(
    tmp_path: Path,
) -> None:
    honest = limits(cell_timeout=6.0, notebook_timeout=10.0)
    attacker = limits(cell_timeout=10.0, notebook_timeout=14.0, max_processes=64)
    names = ("checksum", "p", "answer")
    batch = run_batch(
        [
            [Spec("alone", "honest_cpu_bound", names, honest)],
            [
                Spec("daemons", "starts_30_busy_daemons", ("before", "after"), attacker),
                Spec("beside_daemons", "honest_cpu_bound", names, honest),
            ],
        ],
        tmp_path,
        jobs=2,
        timeout=90,
    )
    n = 8_000_000
    expected = {"checksum": n // 7 * 21 + (n % 7) * (n % 7 - 1) // 2, "p": Fraction(1, 2)}
    expected["answer"] = Fraction(7, 20)
    alone = batch.run("alone")
    assert alone.error is None and alone.values == expected  # the control: ~1 s of CPU
    daemons = batch.run("daemons")
    assert daemons.values.get("before") == 1, daemons  # the 30 daemons were started
    beside = batch.run("beside_daemons")
    assert beside.error is None, (beside.error, f"alone it took {alone.duration:.1f} s")
    assert beside.values == expected
    assert batch.leftovers == []


# -- all of it: one class, grade --jobs 2 -------------------------------------------------------
CLASS_RUBRIC = FIXTURES / "isolation_rubric.yaml"
CLASS_FAULTS = sorted(
    {s.fixture for s in ORDER if not s.fixture.startswith(("honest", "good"))}
    | {"starts_30_busy_daemons", "waits_while_its_worker_is_killed", "answers_with_20_mb_of_text"}
)
#: Honest notebooks that score 2/2 on CLASS_RUBRIC alone.
CLASS_HONEST = ("good_numpy", "honest_writes_scratch")
#: At most this much of any report per student (issue 9, item 7: ~1 MB).
REPORT_BYTES = 1_500_000


def _grade(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(REPO),
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every fault notebook with an honest student after each, graded by ``grade --jobs 2``."""
    root = tmp_path_factory.mktemp("klass")
    folder = root / "isolation"
    students: dict[str, str] = {}
    for i, fault in enumerate(CLASS_FAULTS):
        honest = CLASS_HONEST[i % len(CLASS_HONEST)]
        for student, fixture in (
            (f"s{2 * i:02d}_{fault}", fault),
            (f"s{2 * i + 1:02d}_honest", honest),
        ):
            (folder / student).mkdir(parents=True)
            shutil.copyfile(FIXTURES / f"{fixture}.ipynb", folder / student / "notebook.ipynb")
            students[student] = fixture
    alone = {}
    for fixture in CLASS_HONEST:
        done = _grade(
            "check", str(FIXTURES / f"{fixture}.ipynb"), "--rubric", str(CLASS_RUBRIC), "--json",
            timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        alone[fixture] = json.loads(done.stdout)["score"]
    out = root / "out"
    start = time.monotonic()
    try:
        done = _grade(
            str(folder), "--rubric", str(CLASS_RUBRIC), "--out", str(out), "--jobs", "2",
            timeout=240,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        done = subprocess.CompletedProcess(exc.cmd, -9, str(exc.stdout), str(exc.stderr))
    results_file = out / "results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    return {
        "done": done,
        "elapsed": time.monotonic() - start,
        "students": students,
        "alone": alone,
        "results": {r["student"]: r for r in results},
        "out": out,
    }


def test_the_class_run_exits_0_and_stores_every_student(klass: dict) -> None:
    done = klass["done"]
    assert done.returncode == 0, (done.returncode, done.stderr[-3000:], done.stdout[-3000:])
    assert set(klass["results"]) == set(klass["students"])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]


def test_every_honest_student_in_the_class_scores_what_they_score_alone(klass: dict) -> None:
    assert klass["alone"] == {"good_numpy": 2.0, "honest_writes_scratch": 2.0}  # the control
    for student, fixture in klass["students"].items():
        if fixture in CLASS_HONEST:
            result = klass["results"].get(student)
            assert result is not None, f"{student} is not in results.json"
            assert (result["status"], result["score"]) == ("graded", klass["alone"][fixture]), (
                student,
                result["status"],
                result["error"],
                [p["feedback"] for p in result["parts"]],
            )


def test_no_attacker_in_the_class_gets_full_marks(klass: dict) -> None:
    for student, fixture in klass["students"].items():
        if fixture not in CLASS_HONEST:
            result = klass["results"].get(student)
            assert result is not None, f"{student} is not in results.json"
            full = result["status"] == "graded" and result["score"] == result["max_score"]
            assert not full, (student, result["parts"])


def test_a_20_mb_answer_is_cut_in_every_report(klass: dict) -> None:
    student = next(s for s, f in klass["students"].items() if f == "answers_with_20_mb_of_text")
    result = klass["results"][student]
    assert len(json.dumps(result, ensure_ascii=False).encode()) <= REPORT_BYTES
    out: Path = klass["out"]
    pages = [p for p in out.rglob("*") if p.is_file() and student in p.name]
    assert pages, f"no report page for {student}"
    for page in pages:
        assert page.stat().st_size <= REPORT_BYTES, (page, page.stat().st_size)
    for shared in ("index.html", "grades.csv"):
        path = out / shared
        assert path.stat().st_size <= REPORT_BYTES * 2, (shared, path.stat().st_size)
