"""Waiting patterns in CPython: claims C01, C02, C03, C12 and C17.

Usage: python3 waiting.py [--scale 0.02] [--runs 5]; prints one JSON object (see common.py).
Every time is the median of --runs wall times (time.perf_counter), in seconds.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # run from the source tree: leave no __pycache__ behind

import asyncio
import math
import os
import threading
import time
from typing import Awaitable, Callable

import common
from common import claim, figure


async def amedian(factory: Callable[[], Awaitable[object]], runs: int) -> float:
    """Median wall time of `runs` awaits of factory(), timed inside the running loop."""
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await factory()
        walls.append(time.perf_counter() - t0)
    return common.median(walls)


def threads_wall(n: int, target: Callable[[], object]) -> None:
    threads = [threading.Thread(target=target) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# ---------------------------------------------------------------- C01


def c01(scale: float, runs: int) -> dict:
    n, lat = 4, common.scaled(2.0, scale)

    def sequential() -> None:
        for _ in range(n):
            time.sleep(lat)

    async def gathered() -> None:
        await asyncio.gather(*(asyncio.sleep(lat) for _ in range(n)))

    seq = common.median_time(sequential, runs)
    aio = asyncio.run(amedian(gathered, runs))
    thr = common.median_time(lambda: threads_wall(n, lambda: time.sleep(lat)), runs)
    return claim(
        [figure("sequential (4 x time.sleep(L))", seq, "s"),
         figure("asyncio.gather (4 x asyncio.sleep(L))", aio, "s"),
         figure("4 threads (time.sleep(L) each)", thr, "s"),
         figure("ideal sequential N*L", n * lat, "s"),
         figure("ideal concurrent L", lat, "s"),
         figure("speed-up asyncio.gather over sequential", seq / aio, "x"),
         figure("speed-up threads over sequential", seq / thr, "x")],
        {"n": n, "latency": lat, "sequential": seq,
         "concurrent": {"asyncio": aio, "threads": thr}})


# ---------------------------------------------------------------- C02


def c02(scale: float, runs: int) -> dict:
    n, lat = 5, common.scaled(1.0, scale)

    async def work() -> None:
        await asyncio.sleep(lat)

    async def one_by_one() -> None:
        coros = [work() for _ in range(n)]
        for c in coros:
            await c

    async def gathered() -> None:
        tasks = [asyncio.create_task(work()) for _ in range(n)]
        await asyncio.gather(*tasks)

    async def both() -> tuple[float, float]:
        return await amedian(one_by_one, runs), await amedian(gathered, runs)

    obo, gat = asyncio.run(both())
    return claim(
        [figure("await each coroutine in a for-loop", obo, "s"),
         figure("create_task each, then asyncio.gather", gat, "s"),
         figure("ideal sequential N*L", n * lat, "s"),
         figure("ideal concurrent L", lat, "s"),
         figure("one-by-one / gathered", obo / gat, "x")],
        {"n": n, "latency": lat, "pairs": {"asyncio": [obo, gat]}})


# ---------------------------------------------------------------- C03


def c03(scale: float, runs: int) -> dict:
    n, lat = 5, common.scaled(1.0, scale)

    async def blocking() -> None:
        time.sleep(lat)  # the anti-pattern under test: blocks the event loop

    async def gathered() -> None:
        await asyncio.gather(*(asyncio.create_task(blocking()) for _ in range(n)))

    cur = asyncio.run(amedian(gathered, runs))
    return claim(
        [figure("5 tasks with time.sleep(L) inside, gathered on one loop", cur, "s"),
         figure("ideal if serialised N*L", n * lat, "s"),
         figure("ideal if concurrent L", lat, "s"),
         figure("measured / L", cur / lat, "x")],
        {"n": n, "latency": lat, "current": cur})


# ---------------------------------------------------------------- C12

STEPS = (10, 4, 6)  # the notes' tasks A, B and C


def c12(scale: float, runs: int) -> dict:
    lat = common.scaled(1.0, scale)
    expected = [math.factorial(k) for k in STEPS]

    async def async_factorial(n: int) -> int:
        result = 1
        for i in range(1, n + 1):
            result *= i
            await asyncio.sleep(lat)
        return result

    async def blocking_factorial(n: int) -> int:
        result = 1
        for i in range(1, n + 1):
            result *= i
            time.sleep(lat)  # blocks the loop: the notes' "time.sleep" variant
        return result

    def main_of(body: Callable[[int], Awaitable[int]]) -> Callable[[], Awaitable[None]]:
        async def main() -> None:
            tasks = [asyncio.create_task(body(k)) for k in STEPS]
            got = await asyncio.gather(*tasks)
            if list(got) != expected:
                raise AssertionError(f"factorials {got} != {expected}")
        return main

    async def both() -> tuple[float, float]:
        return (await amedian(main_of(async_factorial), runs),
                await amedian(main_of(blocking_factorial), runs))

    aio, blk = asyncio.run(both())
    return claim(
        [figure("tasks of 10, 4, 6 steps awaiting asyncio.sleep(L)", aio, "s"),
         figure("same with time.sleep(L)", blk, "s"),
         figure("ideal async max(steps)*L", max(STEPS) * lat, "s"),
         figure("ideal blocking sum(steps)*L", sum(STEPS) * lat, "s"),
         figure("blocking / async", blk / aio, "x")],
        {"latency": lat, "asyncs": {"asyncio": aio}, "blocking": blk})


# ---------------------------------------------------------------- C17


def c17(scale: float, runs: int) -> dict:
    n, lat = 20, common.scaled(1.0, scale)
    workers = min(32, (os.cpu_count() or 1) + 4)  # the default executor's size (3.8+)

    async def inline() -> None:
        time.sleep(lat)

    async def offloaded() -> None:
        await asyncio.to_thread(time.sleep, lat)

    def gathered(body: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def main() -> None:
            await asyncio.gather(*(asyncio.create_task(body()) for _ in range(n)))
        return main

    async def both() -> tuple[float, float]:
        await gathered(offloaded)()  # warm-up: the default executor starts its threads
        return await amedian(gathered(inline), runs), await amedian(gathered(offloaded), runs)

    blk, off = asyncio.run(both())
    return claim(
        [figure("20 tasks, time.sleep(L) inside the coroutine", blk, "s"),
         figure("20 tasks, asyncio.to_thread(time.sleep, L)", off, "s"),
         figure("default executor threads", workers, "count"),
         figure("ideal blocking N*L", n * lat, "s"),
         figure("ideal to_thread ceil(N/threads)*L", math.ceil(n / workers) * lat, "s"),
         figure("blocking / to_thread", blk / off, "x")],
        {"latency": lat, "pairs": {"asyncio": [blk, off]}})


def main() -> None:
    common.exit_on_sigterm()
    args = common.parse_args(__doc__.splitlines()[0])
    claims = {}
    for cid, fn in (("C01", c01), ("C02", c02), ("C03", c03), ("C12", c12), ("C17", c17)):
        claims[cid] = fn(args.scale, args.runs)
    common.emit(claims)


if __name__ == "__main__":
    main()
