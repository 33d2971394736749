"""Load and fault test of ``grade serve`` on this machine (loopback only).

    python benchmarks/bench_serve.py                  # both load models, one server process
    python benchmarks/bench_serve.py --workers 2      # the same with 2 server processes
    python benchmarks/bench_serve.py --fault          # kill -9 the server mid-load, restart

Two models of 200 students (``--students``), each a real HTTP client with one request in
flight at most (tests/web/load.py), every one signed in before the clock starts:

- **burst**: all students check at once, back to back (``--checks`` each): 200 requests in
  flight for the whole run. A check's latency here is mostly its wait in the queue.
- **think**: the same students, each waiting a random 0–2×``--think`` seconds (mean
  ``--think``, default 5) before each check, as a student reading a verdict does.

Each model prints the p50/p95 latency of a check, checks per second, the server's CPU
time per check, and verifies that every acknowledged check is stored (by its id, with
the student and answer sent). ``--fault`` runs the burst model with a hand-in after each
student's checks, kills the server with SIGKILL when half the checks are acknowledged,
starts it again, and verifies that every student still checked and handed in, every
acknowledged check and hand-in is stored (hand-ins also as answer sheets in the class
folder), and SQLite's integrity check passes. Exit status 0 only when every verification
holds.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.web.conftest import Server, issue_codes, make_course
from tests.web.load import SimulatedStudent, Tally, percentile


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its children still running (``--workers``)."""
    total = 0.0
    tick = 100.0  # os.sysconf("SC_CLK_TCK") on Linux
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def verify(course: Path, tally: Tally) -> list[str]:
    """What the database lacks of what the students were told; [] when nothing."""
    db = sqlite3.connect(course / ".dlgrade-serve" / "serve.sqlite3")
    problems = []
    stored = {
        row[0]: (row[1], row[2]) for row in db.execute("select id, student, answer from checks")
    }
    for student, check_id, answer in tally.checks:
        if stored.get(check_id) != (student, f'"{answer}"'):
            problems.append(f"check {check_id} of {student} ({answer}) is not stored")
    handed = {row[0] for row in db.execute("select student from handins")}
    for student in tally.handins:
        if student not in handed:
            problems.append(f"hand-in of {student} is not stored")
        elif not (course / "hw2" / student / "answers.yaml").is_file():
            problems.append(f"hand-in of {student} has no answer sheet")
    integrity = db.execute("pragma integrity_check").fetchone()[0]
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    problems += [f"gave up: {reason}" for reason in tally.gave_up]
    return problems


async def run_model(
    server: Server,
    codes: dict[str, str],
    checks: int,
    think: float,
    fault: bool,
) -> tuple[Tally, float, float]:
    """Sign every student in, then run the load; returns the tally, the seconds the load
    took and the server's CPU seconds during it."""
    tally = Tally()
    students = [SimulatedStudent(server.url, s, c, tally) for s, c in codes.items()]
    await asyncio.gather(*(s.sign_in() for s in students))
    assert server.proc is not None
    cpu_before = cpu_seconds(server.proc.pid)
    started = time.perf_counter()
    total = checks * len(students)

    async def killer() -> None:
        while len(tally.checks) < total // 2:
            await asyncio.sleep(0.05)
        server.kill()
        await asyncio.to_thread(server.start)

    work = [s.work(checks, think, hand_in=fault) for s in students]
    if fault:
        await asyncio.gather(killer(), *work)
        cpu = float("nan")  # the killed process's time is gone with it
    else:
        await asyncio.gather(*work)
        cpu = cpu_seconds(server.proc.pid) - cpu_before
    elapsed = time.perf_counter() - started
    for student in students:
        await student.close()
    return tally, elapsed, cpu


def report(name: str, tally: Tally, elapsed: float, cpu: float, problems: list[str]) -> None:
    lat = tally.latencies
    n = len(tally.checks)
    print(
        f"{name}: {n} checks, p50 {percentile(lat, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(lat, 0.95) * 1000:.0f} ms, {n / elapsed:.0f} checks/s"
        + (f", server CPU {cpu / n * 1000:.1f} ms/check" if not math.isnan(cpu) else "")
        + f"; {n} acknowledged, {n - sum(1 for p in problems if p.startswith('check '))} "
        f"verified stored"
    )
    if tally.retried:
        print(f"  retried: {dict(tally.retried)}")
    for problem in problems[:10]:
        print(f"  PROBLEM: {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--checks", type=int, default=5, help="checks per student (default 5)")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time (default 5 s)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.add_argument(
        "--model", choices=("burst", "think", "both"), default="both", help="default both"
    )
    parser.add_argument("--fault", action="store_true", help="kill -9 and restart mid-load")
    args = parser.parse_args()
    models = {"burst": 0.0, "think": args.think}
    chosen = ["burst"] if args.fault else list(models) if args.model == "both" else [args.model]
    ok = True
    print(
        f"{args.students} students × {args.checks} checks, grade serve --workers {args.workers}"
        " (SQLite, WAL), loopback"
    )
    for model in chosen:
        root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
        students = [f"77{n:05d}" for n in range(args.students)]
        course = make_course(root, students, {"checks_per_hour": 1000})
        codes = issue_codes(course, root / "roster.csv")
        extra = ("--no-notebooks", "--workers", str(args.workers))
        server = Server(course, extra=extra).start()
        try:
            tally, elapsed, cpu = asyncio.run(
                run_model(server, codes, args.checks, models[model], args.fault)
            )
        finally:
            server.stop()
        problems = verify(course, tally)
        if args.fault:
            missing = sorted(set(students) - set(tally.handins))
            problems += [f"{s} could not hand in" for s in missing]
        label = f"{model} (think {models[model]:g} s)" + (
            ", kill -9 mid-load" if args.fault else ""
        )
        report(label, tally, elapsed, cpu, problems)
        if args.fault:
            print(
                f"  fault: {len(tally.handins)}/{len(students)} students handed in after the "
                f"restart; every acknowledged check and hand-in stored: "
                f"{not any(p.startswith(('check', 'hand-in')) for p in problems)}; "
                f"integrity_check ok: {not any('integrity' in p for p in problems)}"
            )
        ok = ok and not problems
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
