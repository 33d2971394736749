"""The closed vocabularies of what can happen: how a notebook run ended and how a part
was graded, each with its label in every language and builders for its messages.

Every executor (the local pool, nbclient, Dask) and the grading of answer sheets build a
:class:`~grader.results.RunError` from :data:`RunOutcome` and one of the builders here,
so a page can name the outcome and explain it in the reader's language. The labels are
message ids for the catalogs (``grader/locale``); a test checks each has a Persian one.
"""

from __future__ import annotations

from typing import Literal, get_args

from grader.i18n import N_
from reference.messages import Msg, msg, verbatim

#: correct: full marks · partial: some cells/credit · wrong · missing: not answered ·
#: invalid: the answer could not be read (junk number, wrong type) · error: the
#: submission failed before this part could be read (notebook raised, timed out...) ·
#: ungraded: a written answer waiting for a TA.
Status = Literal["correct", "partial", "wrong", "missing", "invalid", "error", "ungraded"]

#: How a notebook run (or reading a submission) ended when it did not end well.
RunOutcome = Literal[
    "error",
    "timeout",
    "memory_limit",
    "process_limit",
    "output_limit",
    "worker_died",
    "kernel_died",
    "exited",
    "invalid_result",
    "invalid_notebook",
    "invalid_submission",
]
RUN_OUTCOMES: tuple[str, ...] = get_args(RunOutcome)
PART_STATUSES: tuple[str, ...] = get_args(Status)

#: The label of every run outcome, ``graded`` (no failure) and every part status.
LABELS: dict[str, str] = {
    "graded": N_("graded"),
    "error": N_("not graded"),
    "timeout": N_("timed out"),
    "memory_limit": N_("out of memory"),
    "process_limit": N_("too many processes"),
    "output_limit": N_("too much output"),
    "worker_died": N_("the runner failed"),
    "kernel_died": N_("the notebook's process was killed"),
    "exited": N_("the notebook ended itself"),
    "invalid_result": N_("result refused"),
    "invalid_notebook": N_("not a readable notebook"),
    "invalid_submission": N_("not a readable submission"),
    "correct": N_("correct"),
    "partial": N_("partly correct"),
    "wrong": N_("wrong"),
    "missing": N_("not answered"),
    "invalid": N_("unreadable"),
    "ungraded": N_("waiting for a TA"),
}


def _seconds(value: float) -> int | float:
    """Seconds as written in a message: ``3``, not ``3.0``."""
    return int(value) if float(value).is_integer() else value


#: A run's status in one word where it differs from a part's: a part with status
#: ``error`` was not graded, but the run that ended with ``error`` still earned the points
#: of the parts it set before the failing cell.
RUN_LABELS: dict[str, str] = {**LABELS, "error": N_("stopped with an error")}

#: Why a part has no score, in one sentence, for each status that gives none.
NO_SCORE: dict[str, str] = {
    "missing": N_("No score: this part's answer was not found in the submission."),
    "invalid": N_("No score: the answer could not be read as what this part asks for."),
    "error": N_(
        "No score: the submission stopped with an error before this part's answer was set."
    ),
    "ungraded": N_("No score yet: a TA grades this written answer."),
}

#: Why a part of status ``error`` has no score, by how the run ended: a timeout is not
#: "an error", a refused result is not a crash (one sentence each, never the raw id).
NO_SCORE_AFTER: dict[str, str] = {
    "timeout": N_("No score: the notebook was stopped at its time limit before this part's answer was set."),
    "memory_limit": N_("No score: the notebook was stopped at its memory limit before this part's answer was set."),
    "process_limit": N_("No score: the notebook was stopped for starting too many processes before this part's answer was set."),
    "output_limit": N_("No score: the notebook was stopped for writing too much output before this part's answer was set."),
    "worker_died": N_("No score: the grader's runner failed while running the notebook; grading it again should give this part a score."),
    "kernel_died": N_("No score: the notebook's process was killed before this part's answer was set."),
    "exited": N_("No score: the notebook ended its own process before this part's answer was set."),
    "invalid_result": N_("No score: what the notebook's process sent back was refused, so none of its answers were graded."),
    "invalid_notebook": N_("No score: the file is not a notebook that can be run."),
    "invalid_submission": N_("No score: the submission could not be read."),
}  # fmt: skip


def cell_raised(cell: int, ename: str, evalue: str) -> Msg:
    return msg("cell {cell} raised {ename}: {evalue}", cell=cell, ename=ename, evalue=evalue)


def cell_exited(cell: int, code: str) -> Msg:
    return msg("cell {cell} called sys.exit({code})", cell=cell, code=code)


def cell_timeout(cell: int, seconds: float) -> Msg:
    return msg("cell {cell} ran longer than {seconds} s", cell=cell, seconds=_seconds(seconds))


def notebook_timeout(seconds: float, cell: int | None = None) -> Msg:
    if cell is None:
        return msg("the notebook ran longer than {seconds} s", seconds=_seconds(seconds))
    return msg(
        "the notebook ran longer than {seconds} s (stopped in cell {cell})",
        seconds=_seconds(seconds),
        cell=cell,
    )


def cpu_time(cell: int | None) -> Msg:
    if cell is None:
        return msg("the notebook used up its CPU time")
    return msg("the notebook used up its CPU time in cell {cell}", cell=cell)


def memory(megabytes: int, cell: int | None) -> Msg:
    if cell is None:
        return msg(
            "the notebook's processes together needed more than the {mb} MB of memory allowed",
            mb=megabytes,
        )
    return msg(
        "the notebook's processes together needed more than the {mb} MB of memory allowed "
        "(stopped in cell {cell})",
        mb=megabytes,
        cell=cell,
    )


def cell_memory(cell: int, megabytes: int, ename: str) -> Msg:
    return msg(
        "cell {cell} needed more than the {mb} MB of memory allowed ({ename})",
        cell=cell,
        mb=megabytes,
        ename=ename,
    )


def processes(cell: int, limit: int, detail: str) -> Msg:
    return msg(
        "cell {cell} could not start another process: the notebook may run {limit} "
        "processes at most ({detail})",
        cell=cell,
        limit=limit,
        detail=detail,
    )


def output(written: int, limit: int, cell: int | None) -> Msg:
    if cell is None:
        return msg(
            "the notebook wrote more than {written} bytes of output and was stopped "
            "(limit {limit} bytes)",
            written=written,
            limit=limit,
        )
    return msg(
        "the notebook wrote more than {written} bytes of output in cell {cell} and was "
        "stopped (limit {limit} bytes)",
        written=written,
        cell=cell,
        limit=limit,
    )


def unstageable(detail: str) -> Msg:
    return msg("the submission's files could not be prepared: {detail}", detail=detail)


def not_started(detail: str) -> Msg:
    return msg("could not start the notebook: {detail}", detail=detail)


def no_namespaces(fresh_sandbox: bool) -> Msg:
    """Said once for a run where the kernel refuses namespaces per student."""
    if fresh_sandbox:
        return msg(
            "this kernel gives no private namespaces per student: each student gets a "
            "freshly started sandbox (slower)"
        )
    return msg(
        "this kernel gives no private namespaces per student: scratch folders are "
        "emptied between students"
    )


def worker_died() -> Msg:
    return msg("the worker running this notebook died; a fresh worker took over")


#: What a signal that ended a student's process means, in words.
SIGNALS: dict[str, str] = {
    "SIGSEGV": N_("a segmentation fault"),
    "SIGBUS": N_("a bus error"),
    "SIGABRT": N_("an abort"),
    "SIGKILL": N_("SIGKILL (out of memory or killed)"),
    "SIGXCPU": N_("its CPU-time limit"),
    "SIGFPE": N_("a floating-point exception"),
}


def killed(signal: str, cell: int | None) -> Msg:
    meaning = msg(SIGNALS[signal]) if signal in SIGNALS else verbatim(signal)
    if cell is None:
        return msg("the notebook's process was killed by {signal}", signal=meaning)
    return msg(
        "the notebook's process was killed by {signal} in cell {cell}", signal=meaning, cell=cell
    )


def kernel_died(detail: str | None = None) -> Msg:
    if detail is None:
        return msg("the kernel died")
    return msg("the kernel could not start: {detail}", detail=detail)


def exited(status: str, cell: int | None) -> Msg:
    if cell is None:
        return msg(
            "the notebook ended its own process ({status}) before its variables could be read",
            status=status,
        )
    return msg(
        "the notebook ended its own process ({status}) in cell {cell} before its variables "
        "could be read",
        status=status,
        cell=cell,
    )


def invalid_result(problem: str | None) -> Msg:
    return msg(
        "the notebook's process sent back a result the grader cannot accept ({problem}); "
        "none of its values were graded",
        problem=str(problem),
    )


def invalid_notebook(detail: str) -> Msg:
    return msg("not a notebook the grader can read: {detail}", detail=detail)


def no_submission(path: str) -> Msg:
    return msg("{path}: no notebook (.ipynb) or answer sheet (.yaml/.json) found", path=path)


# --------------------------------------------------------------------------- run notes


def output_truncated(limit: int, written: int | None = None) -> Msg:
    if written is None:
        return msg("output truncated at {limit} bytes", limit=limit)
    return msg("output truncated at {limit} bytes (of {written})", limit=limit, written=written)


def read_after(cell: int) -> Msg:
    return msg("variables read as they were after cell {cell}, the last cell that ended", cell=cell)


def cells_failed(failures: list[tuple[int, str]]) -> Msg:
    listed = ", ".join(f"{cell} ({ename})" for cell, ename in failures)
    return msg(
        "{count} cells failed: cells {listed}; the cells after each failure still ran",
        count=len(failures),
        listed=listed,
    )


def set_after_failure(cell: int, names: list[str]) -> Msg:
    return msg("set after the failure in cell {cell}: {names}", cell=cell, names=", ".join(names))


def not_utf8(file: str, byte: int) -> Msg:
    return msg(
        "{file} is not valid UTF-8 (byte {byte}); undecodable bytes were replaced",
        file=file,
        byte=byte,
    )


def no_code_cells(file: str) -> Msg:
    return msg("{file} has no code cells", file=file)
