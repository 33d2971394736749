"""Confining a warm worker: the bubblewrap command line, and cgroup process limits.

With bubblewrap (``bwrap``) a worker sees the system read-only, its own empty ``/tmp``,
no network (a fresh network namespace: not even the grader's loopback), its own pid
namespace in which it is pid 1, and one writable folder, ``/work``, into which the
grader copies ONE student's files at a time. The repository, the rubric, the keys, the
other students and the reports are simply not in its filesystem. Without bubblewrap the
worker runs with resource limits only, and every run says so in a note.

RLIMIT_NPROC does not bind root (nor bwrap's sandbox uid, which maps back to root here),
so processes are capped with the cgroup v1 ``pids`` controller when it is mounted and
writable; the worker is moved into its own cgroup before it starts.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

#: Where a worker's files appear inside the sandbox.
SANDBOX_WORKDIR = "/work"
SANDBOX_ZYGOTE = "/opt/dlgrade/zygote.py"
SANDBOX_TMP_MB = 512
PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")

NO_SANDBOX_NOTE = "no sandbox (bwrap not found): resource limits only"
DISABLED_NOTE = "no sandbox (disabled with sandbox='none'): resource limits only"
BROKEN_NOTE = (
    "no sandbox (bwrap is installed but cannot create namespaces here): resource limits only"
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


def bwrap_command(slot: Path, zygote: Path, tmp_mb: int = SANDBOX_TMP_MB) -> list[str]:
    """The bwrap argv that confines one worker with ``slot`` as its ``/work``."""
    bwrap = shutil.which("bwrap") or "/usr/bin/bwrap"
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
    ]  # fmt: skip
    # After the tmpfs: a Python (or venv) living under /tmp must stay visible inside.
    for root in python_roots():
        argv += ["--ro-bind", root, root]
    argv += [
        "--bind", str(slot), SANDBOX_WORKDIR,
        "--ro-bind", str(zygote), SANDBOX_ZYGOTE,
        "--remount-ro", "/",  # only /work, /tmp and /dev/shm stay writable
        "--chdir", SANDBOX_WORKDIR,
        "--clearenv",
    ]  # fmt: skip
    return argv


@functools.cache
def bwrap_status() -> str:
    """``"ok"``, ``"missing"`` or ``"broken"``: probed once per process, by running Python."""
    if shutil.which("bwrap") is None:
        return "missing"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dlgrade-probe-") as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text("import os\nassert os.getpid() == 1 and os.getuid() == 1000\n")
        slot = Path(tmp) / "slot"
        slot.mkdir()
        argv = bwrap_command(slot, probe) + [sys.executable, "-I", SANDBOX_ZYGOTE]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return "broken"
    return "ok" if done.returncode == 0 else "broken"


class PidsCgroup:
    """A cgroup v1 ``pids`` group for one worker; absent (no-op) where not writable."""

    def __init__(self, name: str) -> None:
        self.path: Path | None = None
        parent = PIDS_CGROUP_ROOT / f"dlgrade-{os.getpid()}"
        try:
            parent.mkdir(exist_ok=True)
            (parent / name).mkdir(exist_ok=True)
            self.path = parent / name
        except OSError:
            self.path = None

    @property
    def active(self) -> bool:
        return self.path is not None

    def set_max(self, processes: int) -> None:
        """Allow at most ``processes`` tasks (threads count) in the group."""
        if self.path is not None:
            try:
                (self.path / "pids.max").write_text(str(processes))
            except OSError:
                pass

    def join_command(self) -> str | None:
        """The ``cgroup.procs`` file a starting worker writes its pid into."""
        return str(self.path / "cgroup.procs") if self.path is not None else None

    def remove(self) -> None:
        """Remove the group (it must be empty) and its parent when that is empty too."""
        if self.path is None:
            return
        give_up = time.monotonic() + 5.0
        while True:  # killed processes take a moment to leave the group
            try:
                self.path.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                if time.monotonic() > give_up:
                    break
                time.sleep(0.02)
        try:
            self.path.parent.rmdir()
        except OSError:
            pass  # another worker's group is still there
        self.path = None
