"""Per-worker control groups: memory, CPU and process limits for ALL of a student's processes.

Resource limits (``setrlimit``) bind one process each: three processes hold three times
the memory limit, thirty busy ones starve the neighbouring worker. A control group counts
everything a worker runs together, so a student's limits hold whatever they spawn.

Both hierarchies are handled: cgroup v2 (one tree, ``memory.max``, ``cpu.max``,
``pids.max``) and v1 (one tree per controller, ``memory.limit_in_bytes``,
``cpu.cfs_quota_us``, ``pids.max``). Groups are named ``dlgrade-<grader pid>/worker<n>``,
so a later run can find and remove what a killed run left behind
(:func:`remove_stale_groups`). A controller that is missing or not writable is reported
once (:meth:`WorkerCgroup.missing`), never silently ignored.
"""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.runner.scratch import process_alive

CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "cpu", "pids")
_GROUP_NAME = re.compile(r"dlgrade-(\d+)$")
CPU_PERIOD_US = 100_000


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _roots() -> dict[str, Path]:
    """Where each controller's tree is mounted: v1 per-controller folders, else v2."""
    roots: dict[str, Path] = {}
    for name in CONTROLLERS:
        v1 = CGROUP_ROOT / name
        if (v1 / "cgroup.procs").exists() and not (v1 / "cgroup.controllers").exists():
            roots[name] = v1
    unified = CGROUP_ROOT if (CGROUP_ROOT / "cgroup.controllers").exists() else None
    if unified is None and (CGROUP_ROOT / "unified" / "cgroup.controllers").exists():
        unified = CGROUP_ROOT / "unified"
    if unified is not None:
        try:
            enabled = (unified / "cgroup.controllers").read_text().split()
        except OSError:
            enabled = []
        for name in CONTROLLERS:
            if name not in roots and name in enabled:
                roots[name] = unified
    return roots


@dataclass
class WorkerCgroup:
    """The groups of one worker, one per available controller (v1) or one shared (v2)."""

    name: str
    paths: dict[str, Path] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, name: str, owner: int | None = None) -> WorkerCgroup:
        """Create ``dlgrade-<owner>/<name>`` under every writable controller."""
        owner = os.getpid() if owner is None else owner
        group = cls(name)
        for controller, root in _roots().items():
            parent = root / f"dlgrade-{owner}"
            try:
                parent.mkdir(exist_ok=True)
                if root.name != controller:  # v2: the parent must delegate the controllers
                    _write(parent.parent / "cgroup.subtree_control", f"+{controller}")
                    _write(parent / "cgroup.subtree_control", f"+{controller}")
                (parent / name).mkdir(exist_ok=True)
            except OSError:
                continue
            group.paths[controller] = parent / name
        group.missing = [c for c in CONTROLLERS if c not in group.paths]
        return group

    def _is_v2(self, controller: str) -> bool:
        path = self.paths.get(controller)
        return path is not None and (path / "cgroup.controllers").exists()

    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a starting worker writes its pid into (one per tree)."""
        return sorted({str(p / "cgroup.procs") for p in self.paths.values()})

    # -- limits -------------------------------------------------------------------------
    def set_memory(self, limit_bytes: int | None) -> None:
        """All processes together may use at most ``limit_bytes`` (None: no limit)."""
        path = self.paths.get("memory")
        if path is None:
            return
        if self._is_v2("memory"):
            _write(path / "memory.max", "max" if limit_bytes is None else str(limit_bytes))
            _write(path / "memory.swap.max", "0")
        else:  # memsw must stay >= the limit: the order that works both up and down
            value = "-1" if limit_bytes is None else str(limit_bytes)
            for name in ("limit_in_bytes", "memsw.limit_in_bytes", "limit_in_bytes"):
                _write(path / f"memory.{name}", value)

    def memory_usage(self) -> int | None:
        path = self.paths.get("memory")
        if path is None:
            return None
        name = "memory.current" if self._is_v2("memory") else "memory.usage_in_bytes"
        return _read_int(path / name)

    def oom_kills(self) -> int:
        """How many processes the OOM killer has killed in this group so far."""
        path = self.paths.get("memory")
        if path is None:
            return 0
        name = "memory.events" if self._is_v2("memory") else "memory.oom_control"
        try:
            text = (path / name).read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def set_cpu(self, cores: float) -> None:
        """At most ``cores`` CPUs' worth of time for the worker's processes together."""
        path = self.paths.get("cpu")
        if path is None:
            return
        quota = max(1000, int(cores * CPU_PERIOD_US))
        if self._is_v2("cpu"):
            _write(path / "cpu.max", f"{quota} {CPU_PERIOD_US}")
        else:
            _write(path / "cpu.cfs_period_us", str(CPU_PERIOD_US))
            _write(path / "cpu.cfs_quota_us", str(quota))

    def set_pids(self, processes: int) -> None:
        """At most ``processes`` tasks (threads count) at once."""
        path = self.paths.get("pids")
        if path is not None:
            _write(path / "pids.max", str(processes))

    # -- life cycle ---------------------------------------------------------------------
    def members(self) -> list[int]:
        pids: set[int] = set()
        for path in self.paths.values():
            try:
                pids.update(int(p) for p in (path / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        return sorted(pids)

    def kill_all(self) -> None:
        """SIGKILL every process in the group until none is left (a fork bomb included)."""
        for _ in range(200):
            pids = self.members()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left, remove the groups and their parent once that is empty."""
        self.kill_all()
        for path in self.paths.values():
            _rmdir_patiently(path)
            try:
                path.parent.rmdir()
            except OSError:
                pass  # another worker's group is still there
        self.paths = {}


def _rmdir_patiently(path: Path, seconds: float = 5.0) -> None:
    give_up = time.monotonic() + seconds
    while True:  # killed processes take a moment to leave the group
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > give_up:
                return
            time.sleep(0.02)


def remove_stale_groups() -> list[str]:
    """Remove the groups of grader runs that are gone (killed with SIGKILL); their paths."""
    removed: list[str] = []
    for root in set(_roots().values()):
        try:
            entries = list(root.iterdir())
        except OSError:
            continue
        for entry in entries:
            match = _GROUP_NAME.match(entry.name)
            if not match or not entry.is_dir() or process_alive(int(match.group(1))):
                continue
            children = [c for c in entry.iterdir() if c.is_dir()]
            for child in children:
                WorkerCgroup(child.name, {"any": child}).kill_all()
                _rmdir_patiently(child)
            _rmdir_patiently(entry)
            if not entry.exists():
                removed.append(str(entry))
    return removed
