"""The reference executor: each notebook in a fresh Jupyter kernel driven by nbclient.

Slow (a kernel start and stop per notebook, ~1.2 s) and not sandboxed, but it is the
behaviour every other executor is compared with: a real ipykernel, real display hooks.
Values are read through the execute request's ``user_expressions`` after the student's
cells, so nothing the student prints can be mistaken for an answer.
"""

from __future__ import annotations

import ast
import asyncio
import json
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async

from grader import outcomes
from grader.extract.variables import EXTRACT_FUNCTION, EXTRACT_SOURCE, decode
from grader.outcomes import RunOutcome
from grader.results import RunError, cell_no
from grader.runner.base import Limits, NotebookJob, NotebookRun
from grader.runner.notebook import (
    Cell,
    InvalidNotebook,
    copy_student_files,
    load_notebook,
    strip_ansi,
    student_files,
)
from reference.messages import Msg, msg

#: Seconds allowed for reading the variables back after the cells.
EXTRACT_TIMEOUT = 10.0


class _CappedClient(NotebookClient):
    """A NotebookClient that stops keeping output past ``max_output_bytes``."""

    def __init__(self, nb: Any, max_output_bytes: int, **kw: Any) -> None:
        super().__init__(nb, **kw)
        self.max_output_bytes = max_output_bytes
        self.output_bytes = 0
        self.captured: list[str] = []
        self.truncated = False

    def output(self, outs: list, msg: dict, display_id: str, cell_index: int) -> Any:
        content = msg.get("content", {})
        text = content.get("text") or json.dumps(content.get("data", {}))[:2000]
        self.output_bytes += len(text.encode("utf-8", "replace"))
        if self.output_bytes > self.max_output_bytes:
            self.truncated = True
            return None
        if msg.get("msg_type") == "stream":
            self.captured.append(text)
        return super().output(outs, msg, display_id, cell_index)


def _cell_error(
    kind: RunOutcome, message: Msg, cell: Cell, content: dict[str, Any] | None
) -> RunError:
    content = content or {}
    tb = content.get("traceback")
    return RunError(
        kind=kind,
        message=message,
        cell_index=cell.index,
        ename=content.get("ename"),
        evalue=content.get("evalue"),
        traceback=strip_ansi("\n".join(tb)) if tb else None,
        source=cell.source,
    )


async def _extract(client: NotebookClient, names: tuple[str, ...]) -> dict[str, Any]:
    """Define the extractor in the kernel and evaluate it as a user expression.

    After an interrupted cell ipykernel aborts requests queued behind it for a moment
    (``status: aborted``), so an aborted extraction is retried a few times.
    """
    assert client.kc is not None
    expression = f"{EXTRACT_FUNCTION}({list(names)!r}, globals())"
    for _attempt in range(5):
        msg_id = await ensure_async(
            client.kc.execute(
                EXTRACT_SOURCE,
                silent=True,
                store_history=False,
                user_expressions={"values": expression},
            )
        )
        reply = await asyncio.wait_for(client.async_wait_for_reply(msg_id), EXTRACT_TIMEOUT)
        if reply is None:
            raise RuntimeError("no reply to the extraction request")
        if reply["content"].get("status") != "aborted":
            break
        await asyncio.sleep(0.3)
    result = reply["content"].get("user_expressions", {}).get("values", {})
    if result.get("status") != "ok":
        raise RuntimeError(f"extraction failed: {result.get('ename')}: {result.get('evalue')}")
    tagged = json.loads(ast.literal_eval(result["data"]["text/plain"]))
    return {name: decode(tag) for name, tag in tagged.items()}


async def _run_cells(
    client: _CappedClient, cells: list[Cell], nb: Any, job: NotebookJob
) -> tuple[RunError | None, dict[str, Any], list[str]]:
    """Run the cells in the already started kernel, then read the variables back."""
    error: RunError | None = None
    notes: list[str] = []
    for cell in cells:
        try:
            await client.async_execute_cell(nb.cells[cell.index], cell.index)
        except CellTimeoutError:
            error = RunError(
                kind="timeout",
                message=outcomes.cell_timeout(cell_no(cell.index), job.limits.cell_timeout),
                cell_index=cell.index,
                source=cell.source,
            )
            assert client.km is not None
            await ensure_async(client.km.interrupt_kernel())
            break
        except CellExecutionError as exc:
            error = RunError(
                kind="error",
                message=outcomes.cell_raised(cell_no(cell.index), exc.ename, exc.evalue),
                cell_index=cell.index,
                ename=exc.ename,
                evalue=exc.evalue,
                traceback=strip_ansi(exc.traceback),
                source=cell.source,
            )
            break
        except DeadKernelError:
            return (
                RunError(
                    kind="kernel_died",
                    message=msg(
                        "the kernel died while running cell {cell}", cell=cell_no(cell.index)
                    ),
                    cell_index=cell.index,
                    source=cell.source,
                ),
                {},
                notes,
            )
    try:
        values = await _extract(client, job.names)
    except (TimeoutError, RuntimeError, ValueError, SyntaxError, KeyError) as exc:
        values = {}
        notes.append(f"variables could not be read back: {exc or type(exc).__name__}")
    except DeadKernelError:
        values = {}
        notes.append("the kernel died before the variables could be read back")
    return error, values, notes


async def run_notebook_async(job: NotebookJob) -> NotebookRun:
    """Run one notebook in a fresh kernel; never raises for anything the student did."""
    start = time.monotonic()
    try:
        loaded = load_notebook(job.notebook)
    except InvalidNotebook as exc:
        return NotebookRun(values={}, error=exc.error, duration=time.monotonic() - start)
    notes = list(loaded.notes)
    nb = nbformat.v4.new_notebook()
    by_index = {c.index: c for c in loaded.cells}
    last = max(by_index, default=-1)
    nb.cells = [
        nbformat.v4.new_code_cell(by_index[i].source)
        if i in by_index
        else nbformat.v4.new_markdown_cell("")
        for i in range(last + 1)
    ]
    limits: Limits = job.limits
    with tempfile.TemporaryDirectory(prefix="dlgrade-nb-") as tmp:
        source, more = student_files(job.notebook, job.workdir)
        notes += more + copy_student_files(source, Path(tmp))
        client = _CappedClient(
            nb,
            max_output_bytes=limits.max_output_bytes,
            timeout=max(1, round(limits.cell_timeout)),
            kernel_name="python3",
            shutdown_kernel="immediate",
            resources={"metadata": {"path": tmp}},
        )
        error: RunError | None = None
        values: dict[str, Any] = {}
        try:
            async with client.async_setup_kernel():
                error, values, more = await asyncio.wait_for(
                    _run_cells(client, loaded.cells, nb, job), limits.notebook_timeout
                )
                notes += more
        except TimeoutError:
            error = RunError(
                kind="timeout",
                message=outcomes.notebook_timeout(limits.notebook_timeout),
            )
        except DeadKernelError:
            error = RunError(kind="kernel_died", message=outcomes.kernel_died())
        except RuntimeError as exc:  # kernel failed to start: the grader's problem, reported
            error = RunError(kind="kernel_died", message=outcomes.kernel_died(str(exc)))
    if client.truncated:
        notes.append(outcomes.output_truncated(limits.max_output_bytes))
    return NotebookRun(
        values=values,
        error=error,
        duration=time.monotonic() - start,
        sandbox="none",
        notes=notes + ["no sandbox (nbclient executor): the student's code ran unconfined"],
        output="".join(client.captured)[: limits.max_output_bytes],
    )


#: The reference executor runs a plain Jupyter kernel: no sandbox, limits per process.
NOT_SANDBOXED_NOTE = (
    "not sandboxed: the nbclient executor runs plain Jupyter kernels; use the default "
    "executor for sandboxed runs"
)


class NbclientExecutor:
    """Runs each notebook in its own fresh kernel, ``jobs`` kernels at a time."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = max(1, jobs)
        self.notes = [NOT_SANDBOXED_NOTE]

    def run_many(self, jobs: Iterable[NotebookJob]) -> Iterator[tuple[NotebookJob, NotebookRun]]:
        """Yield ``(job, run)`` as each notebook finishes (not in input order)."""
        pending_jobs = list(jobs)
        if not pending_jobs:
            return
        loop = asyncio.new_event_loop()
        try:
            gate = asyncio.Semaphore(self.jobs)

            async def one(job: NotebookJob) -> tuple[NotebookJob, NotebookRun]:
                async with gate:
                    return job, await run_notebook_async(job)

            pending = {loop.create_task(one(job)) for job in pending_jobs}
            while pending:
                done, pending = loop.run_until_complete(
                    asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                )
                for task in done:
                    yield task.result()
        finally:
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    def close(self) -> None:
        """Nothing to release: every kernel is stopped when its notebook ends."""
