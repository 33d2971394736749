"""The warm worker ("zygote"): imports IPython and the preloaded modules once, then forks
one pristine child per notebook.

This file runs as a script inside the sandbox, where the ``grader`` package is not
visible, so it imports only the standard library and IPython. It talks to the grader over
its stdin/stdout, one JSON object a line:

* zygote → grader, once: ``{"ready": true, "pid": ..., "preloaded": [...]}``
* grader → zygote: ``{"cells": [[index, source], ...], "names": [...], "extract": "...",
  "limits": {...}, "workdir": "...", "scratch": [...]}``
* zygote → grader: ``{"status": "ok"|"error"|"timeout"|"exited"|"killed"|"memory_limit"|
  "output_limit", "cell": index|null, "error": {...}|null, "values": "<json>"|null,
  "output": "...", "output_bytes": n, "exit": "..."}``

The child runs the cells with ``InteractiveShell.run_cell`` and judges each from the
returned ``ExecutionResult`` (never from printed tracebacks); after the last cell it runs
the grader's extractor and writes ``{"final": ...}`` on a pipe of its own, separate from
the captured stdout/stderr, so printed lines are never read as results. The zygote is
the watchdog: it kills the child on a cell or notebook timeout or an output flood, and
after every notebook kills every process the child left behind and empties the scratch
folders, so the next student starts from a clean fork.
"""

# This process runs untrusted code: catching everything (and carrying on) is its job, and
# it executes the grader's extractor source by design.
# ruff: noqa: BLE001, S110, SIM115, S102

from __future__ import annotations

import ctypes
import json
import os
import resource
import selectors
import signal
import sys
import time
import traceback

_dumps = json.dumps
_write = os.write
_format_exception = traceback.format_exception
_format_exception_only = traceback.format_exception_only

#: Result pipe data kept at most (bytes): values of 100 000 numbers fit easily.
MAX_RESULT_BYTES = 64 * 1024 * 1024
#: A notebook writing this many times its output limit is stopped (output_limit).
FLOOD_FACTOR = 10
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _vm_size() -> int:
    """Virtual memory of this process in bytes (the base the memory limit is added to)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    """Pids whose parent chain leads to ``root`` (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_leftovers(pid_namespace: bool) -> None:
    """Kill every process but this one, then reap them.

    In a pid namespace of its own (bwrap ``--unshare-pid --as-pid-1``) this zygote is
    pid 1 and ``kill(-1)`` reaches every other process in it, atomically, fork bombs
    included. Without one, the zygote is a child subreaper: orphans come back to it and
    the tree below it is killed until nothing is left.
    """
    give_up = time.monotonic() + 10.0
    while time.monotonic() < give_up:
        if pid_namespace:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            for pid in _descendants(os.getpid()):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        reaped_any = False
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                break
            reaped_any = True
        if not reaped_any:
            time.sleep(0.005)


def _empty(folder: str) -> None:
    """Remove everything inside ``folder`` (the student may have left anything there)."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for name in entries:
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
                _empty(path)
                os.rmdir(path)
            else:
                os.unlink(path)
        except OSError:
            pass


def _error_info(exc: BaseException, before_exec: bool) -> dict:
    """ename/evalue/traceback of a cell's exception, without IPython's own frames."""
    try:
        evalue = str(exc)
    except Exception:  # a hostile __str__
        evalue = "<unprintable>"
    tb = exc.__traceback__
    while tb is not None and "IPython" in tb.tb_frame.f_code.co_filename:
        tb = tb.tb_next
    try:
        if before_exec:
            text = "".join(_format_exception_only(type(exc), exc))
        else:
            text = "".join(_format_exception(type(exc), exc, tb))
    except Exception:
        text = f"{type(exc).__name__}: {evalue}"
    return {
        "ename": type(exc).__name__,
        "evalue": evalue,
        "traceback": text[:20000],
        "memory": isinstance(exc, MemoryError),
        "exit": isinstance(exc, SystemExit),
    }


def _apply_limits(limits: dict, base_vm: int) -> None:
    """rlimits of the child: memory on top of the warm process, files, cpu, processes."""

    def setlimit(which: int, value: int) -> None:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    setlimit(resource.RLIMIT_AS, base_vm + int(limits["memory_mb"]) * 1024 * 1024)
    setlimit(resource.RLIMIT_CORE, 0)
    setlimit(resource.RLIMIT_FSIZE, 512 * 1024 * 1024)
    setlimit(resource.RLIMIT_CPU, int(limits["notebook_timeout"]) + 5)
    if os.getuid() != 0:  # the limit never binds root, and counts all of a user's tasks
        setlimit(resource.RLIMIT_NPROC, _tasks_of_user() + int(limits["max_processes"]))


def _tasks_of_user() -> int:
    """Tasks (threads included) this user runs now, as RLIMIT_NPROC counts them."""
    uid = str(os.getuid())
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                text = status.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [uid]:
            total += int(fields.get("Threads", "1").strip() or 1)
    return total


def _child(job: dict, shell, result_fd: int, out_fd: int, err_fd: int, base_vm: int) -> None:
    """Run the student's cells; never returns (``os._exit``)."""
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        keep = os.dup2(result_fd, 3) if result_fd != 3 else 3
        os.closerange(4, 1 << 16)
        result_fd = keep
        try:
            with open("/proc/self/oom_score_adj", "w") as adj:
                adj.write("1000")  # under memory pressure the student's process goes first
        except OSError:
            pass
        sys.stdout = open(1, "w", buffering=1, closefd=False, errors="backslashreplace")
        sys.stderr = open(2, "w", buffering=1, closefd=False, errors="backslashreplace")
        sys.stdin = open(0, closefd=False)
        os.chdir(job["workdir"])
        sys.argv = ["notebook.ipynb"]
        _apply_limits(job["limits"], base_vm)
        run_cell = shell.run_cell

        def send(message: dict) -> None:
            data = (_dumps(message) + "\n").encode()
            while data:
                data = data[_write(result_fd, data) :]

        namespace: dict = {}
        exec(job["extract"], namespace)
        extract = namespace["_dlgrade_extract"]
        error = None
        for index, source in job["cells"]:
            send({"cell": index})
            result = run_cell(source, store_history=True, silent=False)
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
            if result.error_before_exec is not None:
                error = {"cell": index, **_error_info(result.error_before_exec, True)}
                break
            if result.error_in_exec is not None:
                error = {"cell": index, **_error_info(result.error_in_exec, False)}
                break
            if job.get("snapshots"):  # values so far, in case a later cell never ends
                send({"snapshot": extract(job["names"], shell.user_ns), "after": index})
        send({"extracting": True})
        values = extract(job["names"], shell.user_ns)
        send({"final": {"error": error, "values": values}})
    except BaseException as exc:  # our own failure: report it, never fall back into the zygote
        try:
            data = _dumps({"crash": "".join(_format_exception(type(exc), exc, exc.__traceback__))})
            _write(3, (data + "\n").encode())
        except Exception:
            pass
    finally:
        os._exit(0)


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return name
    return f"exit code {os.WEXITSTATUS(status)}"


def run_job(job: dict, shell, base_vm: int, pid_namespace: bool) -> dict:
    """Fork a child for one notebook, watch it, clean up after it; the report."""
    limits = job["limits"]
    result_r, result_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        for fd in (result_r, out_r, err_r):
            os.close(fd)
        _child(job, shell, result_w, out_w, err_w, base_vm)
    for fd in (result_w, out_w, err_w):
        os.close(fd)

    start = time.monotonic()
    notebook_deadline = start + float(limits["notebook_timeout"])
    cell_deadline = start + float(limits["cell_timeout"])
    max_output = int(limits["max_output_bytes"])
    selector = selectors.DefaultSelector()
    for fd in (result_r, out_r, err_r):
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    result_buf = bytearray()
    output = bytearray()
    output_bytes = 0
    lines_seen = 0
    cell = None
    stopped = None  # why the zygote stopped the child, if it did
    exit_status = None
    exited_at = None

    def parse_new_lines() -> None:
        nonlocal lines_seen, cell, cell_deadline
        lines = bytes(result_buf).split(b"\n")
        for line in lines[lines_seen : len(lines) - 1]:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and isinstance(message.get("cell"), int):
                cell = message["cell"]
                cell_deadline = time.monotonic() + float(limits["cell_timeout"])
            elif isinstance(message, dict) and message.get("extracting"):
                cell_deadline = time.monotonic() + 30.0
        lines_seen = len(lines) - 1

    while selector.get_map():
        now = time.monotonic()
        if stopped is None and now >= min(notebook_deadline, cell_deadline):
            stopped = "cell_timeout" if cell_deadline < notebook_deadline else "notebook_timeout"
            break
        if exited_at is not None and now - exited_at > 0.2:
            break  # the child is gone; what still holds the pipes is a leftover
        timeout = min(notebook_deadline, cell_deadline) - now
        if exit_status is None:
            timeout = min(timeout, 0.1)
        else:
            timeout = min(timeout, exited_at + 0.2 - now)
        for key, _ in selector.select(max(0.0, timeout)):
            fd = key.fd
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            if not data:
                selector.unregister(fd)
                continue
            if fd == result_r:
                if len(result_buf) < MAX_RESULT_BYTES:
                    result_buf += data
                    parse_new_lines()
            else:
                output_bytes += len(data)
                if len(output) < max_output:
                    output += data[: max_output - len(output)]
                if output_bytes > FLOOD_FACTOR * max_output:
                    stopped = "output_limit"
        if stopped is not None:
            break
        if exit_status is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                exit_status = status
                exited_at = time.monotonic()

    if exit_status is None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, exit_status = os.waitpid(pid, 0)
        except ChildProcessError:
            exit_status = 0
    kill_leftovers(pid_namespace)
    selector.close()
    for fd in (result_r, out_r, err_r):
        os.close(fd)
    for folder in job.get("scratch", []):
        _empty(folder)

    final = None
    crash = None
    snapshot = None
    for line in bytes(result_buf).split(b"\n"):
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and isinstance(message.get("final"), dict):
            final = message["final"]
        elif isinstance(message, dict) and isinstance(message.get("snapshot"), str):
            snapshot = message
        elif isinstance(message, dict) and "crash" in message:
            crash = str(message["crash"])
    report = {
        "cell": cell,
        "output": output.decode("utf-8", "replace"),
        "output_bytes": output_bytes,
        "exit": _describe_exit(exit_status),
        "elapsed": time.monotonic() - start,
        "error": None,
        "values": None,
        "crash": crash,
        "snapshot_after": None,
    }
    if final is None and snapshot is not None:
        report["values"] = snapshot["snapshot"]
        report["snapshot_after"] = snapshot.get("after")
    if stopped is not None:
        report["status"] = stopped
        return report
    if final is None:
        report["status"] = "killed" if os.WIFSIGNALED(exit_status) else "exited"
        return report
    report["values"] = final.get("values")
    report["error"] = final.get("error")
    report["status"] = "error" if final.get("error") else "ok"
    return report


def main() -> None:
    """Warm up, announce readiness, then serve one notebook a line until stdin closes."""
    control_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    control_out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)  # a stray print of a preloaded module must not corrupt the protocol
    sys.stdout = open(1, "w", closefd=False)
    pid_namespace = os.getpid() == 1
    if not pid_namespace:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
    preloaded = []
    for name in sys.argv[1:]:
        try:
            __import__(name)
            preloaded.append(name)
        except Exception:
            pass
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    config.InteractiveShell.xmode = "Plain"
    shell = InteractiveShell.instance(config=config)
    shell.run_cell("pass", store_history=False, silent=True)
    base_vm = _vm_size()
    _prctl(PR_SET_DUMPABLE, 0)  # a child may not ptrace its zygote and poison later forks
    control_out.write(
        json.dumps({"ready": True, "pid": os.getpid(), "preloaded": preloaded}) + "\n"
    )
    for line in control_in:
        job = json.loads(line)
        report = run_job(job, shell, base_vm, pid_namespace)
        control_out.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
