"""The warm worker ("zygote"): imports IPython and the preloaded modules once, then forks
one pristine child per notebook — and never holds any student's data.

This file runs as a script inside the sandbox, where the ``grader`` package is not
visible, so it imports only the standard library and IPython.

Why it never touches student data: a child is a copy of its zygote's memory, so anything
the zygote ever read (a previous student's cells, answers or output) would be readable
in the next student's heap. The zygote therefore only passes file descriptors along.
The grader talks to it over one ``SOCK_SEQPACKET`` socket (file descriptor ``argv[1]``),
one JSON object a message:

* zygote → grader, once: ``{"ready": true, "pid": n, "preloaded": [...], "isolation": bool}``
  (``isolation``: a child can get private namespaces, see :func:`_isolate`)
* grader → zygote: ``{"fork": true}`` carrying four descriptors (SCM_RIGHTS): the job
  file, and the write ends of the result, stdout and stderr pipes. The zygote forks and
  closes its copies; it never reads the job nor any pipe.
* zygote → grader: ``{"started": pid}`` or ``{"done": {"exit": "...", "signaled": bool}}``
  once the child has ended (or was killed) and every process it left is gone.
* grader → zygote: ``{"kill": true}``: the grader's watchdog stopped the notebook.

The child reads its job (cells, variable names, extractor, limits) from the job file
AFTER the fork, gives itself fresh size-limited ``/tmp``, ``/dev/shm`` and working folder
and a fresh IPC namespace, runs the cells with ``InteractiveShell.run_cell`` (judging each
from the returned ``ExecutionResult``, never from printed text; a failing cell does not
stop the later ones), and writes JSON lines on descriptor 3, read only by the grader:

* ``{"cell": i}`` before cell ``i``; ``{"error": {...}, "cell": i}`` when it failed;
* ``{"values": "<json>", "after": i}`` the variables after cell ``i`` (kept in case a
  later cell never ends); ``{"extracting": true}``; ``{"final": "<json>"}``;
* ``{"crash": "..."}`` when the grader's own code failed in the child.

Everything on descriptor 3 is written by a process that runs the student's code, so the
grader decodes it as untrusted input (:mod:`grader.runner.channel`).
"""

# This process runs untrusted code: catching everything (and carrying on) is its job, and
# it executes the grader's extractor source by design.
# ruff: noqa: BLE001, S110, SIM115, S102

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import resource
import selectors
import signal
import socket
import sys
import time
import traceback

_dumps = json.dumps
_write = os.write
_format_exception = traceback.format_exception
_format_exception_only = traceback.format_exception_only

PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
#: Largest job file a child reads (cells of a notebook; the grader caps notebooks lower).
MAX_JOB_BYTES = 256 * 1024 * 1024
#: The child's descriptors: the result channel and the job file.
RESULT_FD = 3
JOB_FD = 4
_UNTOUCHABLE = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}
_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> None:
    try:
        _libc.prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


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
    the tree below it is killed until nothing is left (the grader also empties the
    worker's cgroup).
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


# --------------------------------------------------------------------------- the child


def _isolate(job: dict) -> None:
    """Private namespaces for one student: fresh tmpfs scratch and working folder, own IPC.

    A new user namespace (no privilege needed) lets the child mount, for itself only,
    empty size-limited tmpfs folders over ``/tmp``, ``/dev/shm`` and its working folder,
    and gives it System V and POSIX IPC objects of its own. When its last process ends,
    the kernel frees them: nothing is left for the next student, however deep, numerous,
    oddly named or permission-stripped the files were. Capabilities are dropped before
    any student code runs.
    """
    _enter_namespaces()
    size = int(job["limits"]["disk_mb"]) * 1024 * 1024
    for target, extra in [(p, 0) for p in job["scratch"]] + [(job["workdir"], job["inbox_bytes"])]:
        options = f"size={size + int(extra)},mode=1777".encode()
        flags = MS_NOSUID | MS_NODEV
        _check(_libc.mount(b"tmpfs", target.encode(), b"tmpfs", flags, options), f"mount {target}")
    _copy_tree(job["inbox"], job["workdir"])
    hide = MS_NOSUID | MS_NODEV | MS_RDONLY
    _check(_libc.mount(b"tmpfs", job["inbox"].encode(), b"tmpfs", hide, b"size=4096"), "hide inbox")
    _drop_capabilities()


def _enter_namespaces() -> None:
    """A user namespace of one's own (same uid and gid inside), with a private mount
    namespace (mounts never propagate back) and a private IPC namespace."""
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):  # fmt: skip
        with open(f"/proc/self/{name}", "w") as file:
            file.write(text)
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")


def _drop_capabilities() -> None:
    """No capabilities at all (those of the new user namespace included), for good."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    _check(_libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _copy_tree(source: str, dest: str) -> None:
    """Copy the grader-staged files into the private working folder (no recursion)."""
    todo = [""]
    while todo:
        relative = todo.pop()
        for entry in os.scandir(os.path.join(source, relative) if relative else source):
            name = os.path.join(relative, entry.name) if relative else entry.name
            if entry.is_dir(follow_symlinks=False):
                os.mkdir(os.path.join(dest, name))
                todo.append(name)
            elif entry.is_file(follow_symlinks=False):
                with open(entry.path, "rb") as src, open(os.path.join(dest, name), "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)


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
        "ename": type(exc).__name__[:200],
        "evalue": evalue[:2000],
        "traceback": text[:20000],
        "memory": isinstance(exc, MemoryError),
        "exit": isinstance(exc, SystemExit),
    }


def _apply_limits(limits: dict, base_vm: int) -> None:
    """rlimits of the child: memory on top of the warm process, files, cpu, processes.

    These bind one process each; the grader's cgroup bounds all of them together.
    """

    def setlimit(which: int, value: int) -> None:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    setlimit(resource.RLIMIT_AS, base_vm + int(limits["memory_mb"]) * 1024 * 1024)
    setlimit(resource.RLIMIT_CORE, 0)
    setlimit(resource.RLIMIT_FSIZE, int(limits["disk_mb"]) * 1024 * 1024)
    setlimit(resource.RLIMIT_CPU, int(limits["notebook_timeout"]) + 5)
    if os.getuid() != 0 and not limits.get("pids_cgroup"):
        # Without a pids cgroup: the limit counts all of this user's tasks, so add those.
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


def _read_job() -> dict:
    chunks = []
    total = 0
    while chunk := os.read(JOB_FD, 1 << 20):
        total += len(chunk)
        if total > MAX_JOB_BYTES:
            raise ValueError("job file too large")
        chunks.append(chunk)
    os.close(JOB_FD)
    return json.loads(b"".join(chunks))


def _take_descriptors(fds: list[int]) -> None:
    """The job file on 4, the result channel on 3, output on 1 and 2, nothing else open
    (the zygote's socket above all); default signals, as a fresh Python has them."""
    os.setsid()
    _set_all_signals(signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for number in (signal.SIGPIPE, signal.SIGXFSZ):  # as Python starts: OSError instead
        signal.signal(number, signal.SIG_IGN)
    # Move the four descriptors to 4, 3, 1, 2 without clobbering one another.
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds]
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, target in zip(moved, (JOB_FD, RESULT_FD, 1, 2), strict=True):
        os.dup2(fd, target, inheritable=target in (1, 2))
    os.closerange(JOB_FD + 1, 1 << 16)


def _settle_in(job: dict, base_vm: int) -> None:
    """A private working folder (namespaces where the kernel allows them), standard
    streams, and the limits — everything before the first line of student code."""
    if job.get("isolate"):
        _isolate(job)
    else:
        _copy_tree(job["inbox"], job["workdir"])
    os.chdir(job["workdir"])
    try:
        with open("/proc/self/oom_score_adj", "w") as adj:
            adj.write("1000")  # under memory pressure the student's process goes first
    except OSError:
        pass
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="backslashreplace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="backslashreplace")
    sys.stdin = open(0, closefd=False)
    sys.argv = ["notebook.ipynb"]
    _apply_limits(job["limits"], base_vm)


def _report(message: dict) -> None:
    """One JSON line on the result channel (read only by the grader)."""
    data = (_dumps(message) + "\n").encode()
    while data:
        data = data[_write(RESULT_FD, data) :]


def _run_cells(job: dict, shell) -> None:
    """Every cell in order (a failing one does not stop the next), each announced, its
    failure and the variables after it sent; then the final variables."""
    run_cell = shell.run_cell
    namespace: dict = {}
    exec(job["extract"], namespace)
    extract = namespace["_dlgrade_extract"]
    names = job["names"]
    for index, source in job["cells"]:
        _report({"cell": index})
        result = run_cell(source, store_history=True, silent=False)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        if result.error_before_exec is not None:
            _report({"error": _error_info(result.error_before_exec, True), "cell": index})
        elif result.error_in_exec is not None:
            _report({"error": _error_info(result.error_in_exec, False), "cell": index})
        _report({"values": extract(names, shell.user_ns), "after": index})
    _report({"extracting": True})
    _report({"final": extract(names, shell.user_ns)})


def _child(fds: list[int], shell, base_vm: int) -> None:
    """Read the job, isolate, run the student's cells; never returns (``os._exit``)."""
    try:
        _take_descriptors(fds)
        job = _read_job()
        _settle_in(job, base_vm)
        _run_cells(job, shell)
    except BaseException as exc:  # our own failure: report it, never fall back into the zygote
        try:
            text = "".join(_format_exception(type(exc), exc, exc.__traceback__))
            _write(RESULT_FD, (_dumps({"crash": text[-4000:]}) + "\n").encode())
        except Exception:
            pass
    finally:
        os._exit(0)


# --------------------------------------------------------------------------- the zygote


def _describe_exit(status: int) -> dict:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return {"exit": name, "signaled": True}
    return {"exit": f"exit code {os.WEXITSTATUS(status)}", "signaled": False}


def _send(control: socket.socket, message: dict) -> None:
    control.send(json.dumps(message).encode())


def serve_one(control: socket.socket, fds: list[int], shell, base_vm: int, pid_ns: bool) -> None:
    """Fork a child for one notebook, wait for it (or the grader's kill), clean up, report."""
    try:
        pid = os.fork()
    except OSError as exc:
        for fd in fds:
            os.close(fd)
        _send(control, {"done": {"exit": f"fork failed: {exc.strerror}", "signaled": False}})
        return
    if pid == 0:
        control.close()
        _child(fds, shell, base_vm)
    for fd in fds:
        os.close(fd)
    _send(control, {"started": pid})
    pidfd = os.pidfd_open(pid)
    selector = selectors.DefaultSelector()
    selector.register(pidfd, selectors.EVENT_READ, "child")
    selector.register(control, selectors.EVENT_READ, "control")
    status = None
    try:
        while status is None:
            for key, _ in selector.select():
                if key.data == "child":
                    _, status = os.waitpid(pid, 0)
                    break
                data = control.recv(4096)
                if not data:  # the grader is gone: stop everything
                    kill_leftovers(pid_ns)
                    os._exit(0)
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    finally:
        selector.close()
        os.close(pidfd)
    kill_leftovers(pid_ns)
    _send(control, {"done": _describe_exit(status)})


def _probe_isolation(job_dirs: dict) -> bool:
    """Can a child here get private namespaces and tmpfs mounts? (tried in a throwaway fork)"""
    pid = os.fork()
    if pid == 0:
        try:
            _enter_namespaces()  # exactly as a student's child will
            for target in job_dirs["mounts"]:
                _check(_libc.mount(b"tmpfs", target.encode(), b"tmpfs", 0, b"size=4096"), target)
            _drop_capabilities()
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _set_all_signals(handler: signal.Handlers) -> None:
    """Every signal a handler may be set for gets ``handler``.

    The zygote ignores them all (a student may signal pid 1 of the sandbox: nothing they
    send can stop it); its child puts the defaults back before running student code.
    """
    for number in signal.valid_signals():
        if number not in _UNTOUCHABLE:
            try:
                signal.signal(number, handler)
            except (OSError, ValueError):
                pass


def main() -> None:
    """Warm up, announce readiness, then fork one child per ``fork`` message."""
    control = socket.socket(fileno=int(sys.argv[1]))
    mounts = json.loads(sys.argv[2])
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # a stray print of a preloaded module goes nowhere
        os.dup2(null, fd)
    _set_all_signals(signal.SIG_IGN)
    pid_ns = os.getpid() == 1
    if not pid_ns:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
    preloaded = []
    for name in sys.argv[3:]:
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
    isolation = _probe_isolation({"mounts": mounts})
    _prctl(PR_SET_DUMPABLE, 0)  # a child may not ptrace its zygote and poison later forks
    _send(
        control, {"ready": True, "pid": os.getpid(), "preloaded": preloaded, "isolation": isolation}
    )
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 4096, 8)
        except OSError:
            break
        if not data:
            break
        try:
            command = json.loads(data)
        except ValueError:
            command = {}
        if command.get("fork") and len(fds) == 4:
            serve_one(control, fds, shell, base_vm, pid_ns)
        else:
            for fd in fds:
                os.close(fd)
    kill_leftovers(pid_ns)


if __name__ == "__main__":
    main()
