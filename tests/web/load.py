"""Simulated students for the load benchmark and the restart test: real HTTP clients on
127.0.0.1 that sign in, check answers through ``POST /a/<assignment>/check`` (the
endpoint the page's script uses) and hand in, each waiting for its answer before the next
request (a student has one request in flight at most).

A student behaves as a browser and a person do when the server restarts: a request that
fails on the network is sent again (the server may or may not have stored it: only an
answered request counts as acknowledged), a form refused for its CSRF token reloads the
page for a fresh one, and a sign-in notices when the session cookie already works (the
sign-in was stored though its answer was lost) instead of waiting for a sign-in page.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
#: Right answers written several ways and wrong ones (p as the drop probability, …).
ANSWERS = ["0.75", "0.25", "۰٫۷۵", "3/4", "0.7", "75%", "0.5", "۰٫۲۵", "1/4", "0.8"]
PART = "dropout.p"


class GaveUp(Exception):
    """A student's request kept failing past the retry deadline."""


@dataclass
class Tally:
    """What the students saw: latencies of answered checks, what was acknowledged."""

    latencies: list[float] = field(default_factory=list)
    #: (student, check id, answer) of every check the server answered.
    checks: list[tuple[str, int, str]] = field(default_factory=list)
    handins: list[str] = field(default_factory=list)
    #: Network failures and refusals (by kind) that were retried.
    retried: Counter[str] = field(default_factory=Counter)
    gave_up: list[str] = field(default_factory=list)


class SimulatedStudent:
    """One student with their own connection (as one browser tab)."""

    def __init__(
        self, url: str, student: str, code: str, tally: Tally, assignment: str = "hw2"
    ) -> None:
        self.student, self.code, self.tally, self.assignment = student, code, tally, assignment
        self.client = httpx.AsyncClient(
            base_url=url, timeout=30, limits=httpx.Limits(max_connections=1)
        )
        self.token = ""

    async def close(self) -> None:
        await self.client.aclose()

    async def _send(self, method: str, path: str, retry_for: float, **kwargs: object):
        """One request, sent again after a network failure until ``retry_for`` seconds
        have passed (a backoff of 0.2–1 s between tries, jittered)."""
        deadline = time.monotonic() + retry_for
        pause = 0.2
        while True:
            try:
                return await self.client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                self.tally.retried[type(exc).__name__] += 1
                if time.monotonic() > deadline:
                    raise GaveUp(f"{self.student}: {method} {path}: {exc!r}") from exc
                await asyncio.sleep(pause * random.uniform(0.5, 1.5))
                pause = min(1.0, pause * 2)

    async def sign_in(self, retry_for: float = 60) -> None:
        """Hold a session and the assignment page's CSRF token."""
        deadline = time.monotonic() + retry_for
        while time.monotonic() < deadline:
            page = await self._send("GET", f"/a/{self.assignment}", retry_for)
            found = CSRF.search(page.text) if page.status_code == 200 else None
            if found:  # signed in (perhaps by a sign-in whose answer was lost)
                self.token = found.group(1)
                return
            form = await self._send("GET", "/signin", retry_for)
            found = CSRF.search(form.text) if form.status_code == 200 else None
            if found:
                data = {"csrf": found.group(1), "code": self.code}
                await self._send("POST", "/signin", retry_for, data=data)
            else:
                self.tally.retried[f"signin {form.status_code}"] += 1
                await asyncio.sleep(0.2)
        raise GaveUp(f"{self.student}: could not sign in")

    async def check(self, answer: str, retry_for: float = 60) -> int:
        """Check ``answer`` for the part until the server answers; returns the check id."""
        deadline = time.monotonic() + retry_for
        while time.monotonic() < deadline:
            data = {"csrf": self.token, f"a:{PART}": answer, "check": PART}
            started = time.perf_counter()
            response = await self._send("POST", f"/a/{self.assignment}/check", retry_for, data=data)
            if response.status_code == 200:
                verdict = response.json()
                if verdict.get("check") is None:
                    raise GaveUp(f"{self.student}: check refused: {verdict.get('message')}")
                self.tally.latencies.append(time.perf_counter() - started)
                self.tally.checks.append((self.student, verdict["check"], answer))
                return verdict["check"]
            self.tally.retried[f"check {response.status_code}"] += 1
            if response.status_code in (401, 403):
                await self.sign_in(retry_for)
            else:
                await asyncio.sleep(0.2)
        raise GaveUp(f"{self.student}: check not answered")

    async def hand_in(self, retry_for: float = 60) -> None:
        """Hand in the stored answers until the server confirms it."""
        deadline = time.monotonic() + retry_for
        while time.monotonic() < deadline:
            data = {"csrf": self.token, "handin": "1"}
            response = await self._send("POST", f"/a/{self.assignment}", retry_for, data=data)
            if response.status_code == 200 and 'id="notice"' in response.text:
                self.tally.handins.append(self.student)
                return
            self.tally.retried[f"handin {response.status_code}"] += 1
            if response.status_code in (303, 401, 403):
                await self.sign_in(retry_for)
            else:
                await asyncio.sleep(0.2)
        raise GaveUp(f"{self.student}: hand-in not confirmed")

    async def work(self, checks: int, think: float, hand_in: bool) -> None:
        """``checks`` checks (waiting ``think`` seconds on average before each), then
        perhaps a hand-in; a student that gives up is listed in the tally."""
        try:
            for n in range(checks):
                if think:
                    await asyncio.sleep(random.uniform(0, 2 * think))
                await self.check(ANSWERS[(n + sum(map(ord, self.student))) % len(ANSWERS)])
            if hand_in:
                await self.hand_in()
        except GaveUp as exc:
            self.tally.gave_up.append(str(exc))


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (``fraction`` 0.95 → p95)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]
