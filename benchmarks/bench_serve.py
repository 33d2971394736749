"""Load and fault test of ``grade serve`` on this machine (loopback only).

    python benchmarks/bench_serve.py                 # 200 students checking at once
    python benchmarks/bench_serve.py --fault         # kill -9 the server mid-load, restart

200 simulated students sign in, then each sends ``--checks`` checks of hw2 parts (bounded:
every student waits for its answer before the next, so at most 200 requests are in
flight), and the script prints the p50/p95 latency of a check and checks per second, then
counts the stored checks in the database. With ``--fault`` every student also hands in
after its checks, the server is killed with SIGKILL halfway through and started again,
and the script verifies that every check and hand-in the server acknowledged is stored,
every acknowledged hand-in's answer sheet is in the class folder, and SQLite's
integrity check passes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.web.conftest import Server, issue_codes, make_course

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
ANSWERS = ["0.75", "0.25", "۰٫۷۵", "3/4", "0.7"]


async def student(
    client: httpx.AsyncClient,
    code: str,
    checks: int,
    latencies: list[float],
    acked: dict,
    think: float,
) -> None:
    for _ in range(60):  # sign in, through a restart if need be
        try:
            token = CSRF.search((await client.get("/signin")).text).group(1)
            await client.post("/signin", data={"csrf": token, "code": code})
            token = CSRF.search((await client.get("/a/hw2")).text).group(1)
            break
        except (httpx.HTTPError, AttributeError):
            await asyncio.sleep(0.5)
    for n in range(checks):
        if think:  # a student reads the verdict and edits before checking again
            await asyncio.sleep(random.uniform(0, 2 * think))
        form = {"csrf": token, "a:dropout.p": ANSWERS[n % len(ANSWERS)], "check": "dropout.p"}
        started = time.perf_counter()
        try:
            response = await client.post("/a/hw2", data=form, headers={"X-Dlgrade-Fragment": "1"})
        except httpx.HTTPError:  # the server is down: this check was not acknowledged
            acked["errors"] += 1
            await asyncio.sleep(1.0)
            continue
        if response.status_code == 200 and "data-status=" in response.text:
            latencies.append(time.perf_counter() - started)
            acked["checks"] += 1
        else:
            acked["errors"] += 1
    if acked.get("handin") is not None:
        for _ in range(40):  # keep trying through a restart
            try:
                response = await client.post("/a/hw2", data={"csrf": token, "handin": "1"})
                if response.status_code == 200 and "handed in" in response.text:
                    acked["handin"].append(code)
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)


async def load(
    server: Server, codes: dict[str, str], checks: int, fault: bool, think: float
) -> dict:
    latencies: list[float] = []
    acked = {"checks": 0, "errors": 0, "handin": [] if fault else None}
    limits = httpx.Limits(max_connections=len(codes))
    started = time.perf_counter()

    async def killer() -> None:
        await asyncio.sleep(2.0)
        server.kill()
        await asyncio.to_thread(server.start)

    async with asyncio.TaskGroup() as group:
        for code in codes.values():
            client = httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits)
            group.create_task(student(client, code, checks, latencies, acked, think))
        if fault:
            group.create_task(killer())
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "acked": acked, "elapsed": elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--checks", type=int, default=5, help="checks per student")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a student waits between checks (0: all 200 in flight at once)",
    )
    parser.add_argument("--fault", action="store_true", help="kill -9 and restart mid-load")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    students = [f"77{n:05d}" for n in range(args.students)]
    course = make_course(root, students, {"checks_per_hour": 1000})
    codes = issue_codes(course, root / "roster.csv")
    server = Server(course, extra=("--no-notebooks",)).start()
    try:
        outcome = asyncio.run(load(server, codes, args.checks, args.fault, args.think))
    finally:
        server.stop()
    lat = sorted(outcome["latencies"])
    acked = outcome["acked"]
    db = sqlite3.connect(course / ".dlgrade-serve" / "serve.sqlite3")
    stored = db.execute("select count(*) from checks").fetchone()[0]
    integrity = db.execute("pragma integrity_check").fetchone()[0]
    print(
        f"{args.students} students × {args.checks} checks: p50 {statistics.median(lat) * 1000:.0f} ms, "
        f"p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.0f} ms, "
        f"{acked['checks'] / outcome['elapsed']:.0f} checks/s; "
        f"{acked['checks']} acknowledged, {stored} stored, {acked['errors']} failed requests"
    )
    ok = stored >= acked["checks"] and integrity == "ok"
    if args.fault:
        handed = {row[0] for row in db.execute("select student from handins")}
        by_code = {c: s for s, c in codes.items()}
        missing = [by_code[c] for c in acked["handin"] if by_code[c] not in handed]
        files = [s for s in handed if not (course / "hw2" / s / "answers.yaml").is_file()]
        print(
            f"fault: server killed (SIGKILL) and restarted mid-load; {len(acked['handin'])} "
            f"hand-ins acknowledged, {len(missing)} missing from the database, "
            f"{len(files)} without their answer sheet; integrity_check: {integrity}"
        )
        ok = ok and not missing and not files
    elif stored != acked["checks"]:
        ok = False
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
