"""Limiting concurrency in CPython: claims C04, C05 and C06.

Usage: python3 limits.py [--scale 0.02] [--runs 5]; prints one JSON object (see common.py).
Times are medians of --runs wall times (time.perf_counter), in seconds, except C05's, which
are one run each (each already spans 64 rounds of 10 calls; see its labels).
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # run from the source tree: leave no __pycache__ behind

import asyncio
import math
import random
import time
from concurrent.futures import ThreadPoolExecutor

import common
from common import claim, figure
from waiting import amedian


# ---------------------------------------------------------------- C04


def c04(scale: float, runs: int) -> dict:
    n, c, lat = 20, 5, common.scaled(1.0, scale)

    async def bounded() -> None:
        sem = asyncio.Semaphore(c)

        async def call() -> None:
            async with sem:
                await asyncio.sleep(lat)

        await asyncio.gather(*(asyncio.create_task(call()) for _ in range(n)))

    def pooled() -> None:
        with ThreadPoolExecutor(max_workers=c) as pool:
            for f in [pool.submit(time.sleep, lat) for _ in range(n)]:
                f.result()

    aio = asyncio.run(amedian(bounded, runs))
    thr = common.median_time(pooled, runs)
    ideal = math.ceil(n / c) * lat
    return claim(
        [figure("asyncio.Semaphore(5), 20 x asyncio.sleep(L)", aio, "s"),
         figure("ThreadPoolExecutor(max_workers=5), 20 x time.sleep(L)", thr, "s"),
         figure("ideal ceil(N/C)*L", ideal, "s"),
         figure("asyncio / ideal", aio / ideal, "x"),
         figure("threads / ideal", thr / ideal, "x")],
        {"n": n, "c": c, "latency": lat, "walls": {"asyncio": aio, "threads": thr}})


# ---------------------------------------------------------------- C05

C05_CALLS, C05_LIMIT, C05_SEED = 637, 10, 42


def c05_latencies(kind: str, base: float, n: int) -> list[float]:
    rng = random.Random(C05_SEED)
    if kind == "fixed":
        return [base] * n
    if kind == "uniform":
        return [base * rng.uniform(0.5, 1.5) for _ in range(n)]
    if kind == "long-tailed":  # lognormal, median = base, sigma 0.99, capped at 50 x base
        return [base * min(50.0, rng.lognormvariate(0.0, 0.99)) for _ in range(n)]
    raise ValueError(kind)


async def with_semaphore(lats: list[float], limit: int) -> None:
    sem = asyncio.Semaphore(limit)

    async def call(lat: float) -> None:
        async with sem:
            await asyncio.sleep(lat)

    await asyncio.gather(*(asyncio.create_task(call(x)) for x in lats))


async def in_batches(lats: list[float], limit: int) -> None:
    for i in range(0, len(lats), limit):  # the notes' "for loop + gather"
        await asyncio.gather(*(asyncio.sleep(x) for x in lats[i:i + limit]))


def c05(scale: float, runs: int) -> dict:
    base = common.scaled(0.5, scale)
    n, limit = C05_CALLS, C05_LIMIT
    ratios, figures = {}, []

    async def measure() -> None:
        for kind in ("fixed", "uniform", "long-tailed"):
            lats = c05_latencies(kind, base, n)
            sem = await amedian(lambda: with_semaphore(lats, limit), 1)
            bat = await amedian(lambda: in_batches(lats, limit), 1)
            batches = [lats[i:i + limit] for i in range(0, n, limit)]
            ratios[kind] = bat / sem
            figures.extend([
                figure(f"{kind}: Semaphore(10), one run", sem, "s"),
                figure(f"{kind}: batches of 10 (for-loop of gathers), one run", bat, "s"),
                figure(f"{kind}: ideal semaphore >= max(sum/10, max latency)",
                       max(sum(lats) / limit, max(lats)), "s"),
                figure(f"{kind}: ideal batches sum of batch maxima",
                       sum(max(b) for b in batches), "s"),
                figure(f"{kind}: batches / semaphore", bat / sem, "x"),
            ])

    asyncio.run(measure())
    figures[:0] = [figure("calls", n, "count"), figure("limit", limit, "count"),
                   figure("base latency (median)", base, "s")]
    return claim(figures, {"ratios": ratios})


# ---------------------------------------------------------------- C06


class Server:
    """A simulated server: at most `capacity` calls in flight; a call that arrives while
    `capacity` are in flight is rejected at once."""

    def __init__(self, capacity: int, latency: float) -> None:
        self.capacity, self.latency = capacity, latency
        self.in_flight = self.peak = self.rejected = self.served = 0

    async def call(self) -> bool:
        if self.in_flight >= self.capacity:
            self.rejected += 1
            return False
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
        self.served += 1
        return True


async def notes_server_call(latency: float) -> None:
    """The notes' own check (001, example 4): fail if more than 10 tasks are not done."""
    if len([t for t in asyncio.all_tasks() if not t.done()]) > 10:
        raise RuntimeError("Rate limit exceeded!")
    await asyncio.sleep(latency)


def c06(scale: float, runs: int) -> dict:
    n, cap, lat = 50, 10, common.scaled(1.0, scale)

    async def one_round(bounded: bool) -> tuple[int, int]:
        server = Server(cap, lat)
        sem = asyncio.Semaphore(cap)

        async def client() -> bool:
            if not bounded:
                return await server.call()
            async with sem:
                return await server.call()

        await asyncio.gather(*(asyncio.create_task(client()) for _ in range(n)))
        if server.rejected + server.served != n:
            raise AssertionError("lost calls")
        return server.rejected, server.peak

    async def notes_round(bounded: bool) -> int:
        sem = asyncio.Semaphore(cap)

        async def client() -> None:
            if not bounded:
                return await notes_server_call(lat)
            async with sem:
                return await notes_server_call(lat)

        res = await asyncio.gather(*(client() for _ in range(n)), return_exceptions=True)
        return sum(isinstance(r, Exception) for r in res)

    async def measure() -> dict:
        out = {}
        for bounded in (False, True):
            rounds = [await one_round(bounded) for _ in range(runs)]
            out[bounded] = (common.median(r[0] for r in rounds), max(r[1] for r in rounds))
            out[("notes", bounded)] = await notes_round(bounded)
        return out

    m = asyncio.run(measure())
    (rej_u, peak_u), (rej_b, peak_b) = m[False], m[True]
    return claim(
        [figure("rejected of 50, no limit", rej_u, "count"),
         figure("rejected of 50, asyncio.Semaphore(10)", rej_b, "count"),
         figure("peak in flight, no limit", peak_u, "count"),
         figure("peak in flight, Semaphore(10)", peak_b, "count"),
         figure("the notes' own check (len(all_tasks()) > 10): failed, no limit",
                m[("notes", False)], "count"),
         figure("the notes' own check (len(all_tasks()) > 10): failed, Semaphore(10)",
                m[("notes", True)], "count")],
        {"counts": {"asyncio": [rej_u, rej_b]}})


def main() -> None:
    common.exit_on_sigterm()
    args = common.parse_args(__doc__.splitlines()[0])
    common.emit({"C04": c04(args.scale, args.runs),
                 "C05": c05(args.scale, args.runs),
                 "C06": c06(args.scale, args.runs)})


if __name__ == "__main__":
    main()
