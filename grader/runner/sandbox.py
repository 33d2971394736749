"""Confining a warm worker: the bubblewrap command line.

With bubblewrap (``bwrap``) a worker sees the system read-only (``/dev`` included), no
network (a fresh network namespace: not even the grader's loopback), its own pid namespace
in which it is pid 1, size-limited tmpfs folders for ``/tmp``, ``/dev/shm`` and ``/work``,
and, read-only at ``/inbox``, the one folder into which the grader stages ONE student's
files at a time. The repository, the rubric, the keys, the other students and the reports
are simply not in its filesystem. Each student's process then gives itself fresh private
copies of the writable folders (:func:`grader.runner.zygote._isolate`). Without bubblewrap
the worker runs with resource limits only, and the run says "not sandboxed" wherever its
results are shown. Memory, CPU and process limits for a worker's processes together come
from :mod:`grader.runner.cgroups`.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

#: Where a worker's files appear inside the sandbox.
SANDBOX_WORKDIR = "/work"
SANDBOX_ZYGOTE = "/opt/dlgrade/zygote.py"
SANDBOX_INBOX = "/inbox"
#: The writable folders inside the sandbox; each student gets fresh private ones.
SANDBOX_SCRATCH = ("/tmp", "/dev/shm")
SANDBOX_TMP_MB = 512

NO_SANDBOX_NOTE = "not sandboxed: bwrap (bubblewrap) was not found; resource limits only"
DISABLED_NOTE = "not sandboxed: disabled with --sandbox none; resource limits only"
BROKEN_NOTE = (
    "not sandboxed: bwrap is installed but cannot create namespaces here; resource limits only"
)

_ETC = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "nsswitch.conf",
    "localtime",
    "fonts",
    "mime.types",
    "matplotlibrc",
)


def python_roots() -> list[str]:
    """Folders the Python interpreter and its packages live in (bound read-only)."""
    roots: list[str] = []
    candidates = [
        sys.prefix,
        sys.base_prefix,
        os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))),
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
    ]
    for path in candidates:
        real = os.path.realpath(path)
        if real.startswith("/usr/") or real == "/usr" or not os.path.isdir(real):
            continue
        if any(real == r or real.startswith(r + "/") for r in roots):
            continue
        roots = [r for r in roots if not r.startswith(real + "/")] + [real]
    return roots


def bwrap_path() -> str | None:
    """The bwrap program: ``$DLGRADE_BWRAP`` when set (tests point it elsewhere), else PATH."""
    override = os.environ.get("DLGRADE_BWRAP")
    if override is not None:
        return override if os.access(override, os.X_OK) else None
    return shutil.which("bwrap")


def bwrap_command(inbox: Path, zygote: Path, tmp_mb: int = SANDBOX_TMP_MB) -> list[str]:
    """The bwrap argv that confines one worker, with ``inbox`` read-only at ``/inbox``."""
    bwrap = bwrap_path() or "/usr/bin/bwrap"
    argv = [
        bwrap,
        "--unshare-all",  # no --share-net: the sandbox has no network at all
        "--unshare-user",
        "--uid",
        "1000",
        "--gid",
        "1000",
        "--die-with-parent",
        "--new-session",
        "--as-pid-1",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), f"/{name}"]
    for name in _ETC:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    argv += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp",
        "--size", str(64 * 1024 * 1024), "--tmpfs", "/dev/shm",
        "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", SANDBOX_WORKDIR,
    ]  # fmt: skip
    # After the tmpfs: a Python (or venv) living under /tmp must stay visible inside.
    for root in python_roots():
        argv += ["--ro-bind", root, root]
    argv += [
        "--ro-bind", str(inbox), SANDBOX_INBOX,
        "--ro-bind", str(zygote), SANDBOX_ZYGOTE,
        "--remount-ro", "/dev",  # nothing a student writes in /dev reaches the next one
        "--remount-ro", "/",  # only /work, /tmp and /dev/shm stay writable
        "--chdir", SANDBOX_WORKDIR,
        "--clearenv",
    ]  # fmt: skip
    return argv


@functools.cache
def bwrap_status() -> str:
    """``"ok"``, ``"missing"`` or ``"broken"``: probed once per process, by running Python."""
    if bwrap_path() is None:
        return "missing"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dlgrade-probe-") as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text("import os\nassert os.getpid() == 1 and os.getuid() == 1000\n")
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        argv = bwrap_command(inbox, probe) + [sys.executable, "-I", SANDBOX_ZYGOTE]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return "broken"
    return "ok" if done.returncode == 0 else "broken"
