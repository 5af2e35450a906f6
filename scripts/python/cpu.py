"""CPU-bound work and process costs in CPython: claims C10, C11 and C16.

Usage: python3 cpu.py [--scale 0.02] [--runs 5]; prints one JSON object (see common.py).
Times are medians of --runs wall times (time.perf_counter), in seconds. Pools use the
platform's default multiprocessing start method (named in the labels); every pool worker
dies with this process (PR_SET_PDEATHSIG) and every pool is shut down before the next step.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # run from the source tree: leave no __pycache__ behind

import asyncio
import math
import multiprocessing
import os
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import common
import memory
from common import claim, figure

TASKS = 16
TARGET = 0.015  # seconds for one factorial task
THREAD_STARTS = 1_000
PROCESS_STARTS = 20


def _allow_long_ints() -> None:
    if hasattr(sys, "set_int_max_str_digits"):  # 3.11+: str() of a huge int is capped
        sys.set_int_max_str_digits(0)


def _worker_init() -> None:
    common.die_with_parent()
    _allow_long_ints()


def digit_sum_factorial(n: int) -> int:
    """The CPU task: the sum of the decimal digits of n! (pure Python-level work, holds the GIL)."""
    return sum(map(int, str(math.factorial(n))))


def _noop() -> None:
    pass


def calibrate(target: float = TARGET) -> tuple[int, float]:
    """An n whose digit_sum_factorial takes about `target` seconds here, and its time."""
    n = 1000

    def cost(k: int) -> float:
        return common.median_time(lambda: digit_sum_factorial(k), 3)

    t = cost(n)
    while t < target / 4:
        n *= 2
        t = cost(n)
    for _ in range(3):  # cost grows about as n^2 (str() of the result is quadratic)
        n = max(100, round(n * math.sqrt(target / t)))
        t = cost(n)
    return n, t


# ---------------------------------------------------------------- C10


def c10(runs: int) -> tuple[dict, dict]:
    p = os.cpu_count() or 1
    n, one = calibrate()
    args = [n] * TASKS
    expected = [digit_sum_factorial(n)] * TASKS
    method = multiprocessing.get_start_method()

    def check(got: list[int]) -> None:
        if got != expected:
            raise AssertionError("wrong digit sums")

    seq = common.median_time(lambda: check([digit_sum_factorial(a) for a in args]), runs)
    with ThreadPoolExecutor(max_workers=p) as pool:
        list(pool.map(digit_sum_factorial, [n] * p))  # warm: threads started
        thr = common.median_time(lambda: check(list(pool.map(digit_sum_factorial, args))), runs)
    with ProcessPoolExecutor(max_workers=p, initializer=_worker_init) as pool:
        list(pool.map(digit_sum_factorial, [n] * p))  # warm: workers started
        prc = common.median_time(lambda: check(list(pool.map(digit_sum_factorial, args))), runs)

    def cold() -> None:
        with ProcessPoolExecutor(max_workers=p, initializer=_worker_init) as pool:
            check(list(pool.map(digit_sum_factorial, args)))

    prc_cold = common.median_time(cold, runs)
    speed = {"threads": seq / thr, "processes": seq / prc}
    out = claim(
        [figure("cores (os.cpu_count())", p, "count"),
         figure("factorial n (calibrated to ~15 ms per task)", n, "count"),
         figure("one task", one, "s"),
         figure("16 tasks sequential", seq, "s"),
         figure(f"16 tasks ThreadPoolExecutor({p}), started pool", thr, "s"),
         figure(f"16 tasks ProcessPoolExecutor({p}) ({method}), started pool", prc, "s"),
         figure(f"16 tasks ProcessPoolExecutor({p}) ({method}), incl. pool start and shutdown",
                prc_cold, "s"),
         figure("speed-up threads", speed["threads"], "x"),
         figure("speed-up processes", speed["processes"], "x"),
         figure("speed-up processes incl. pool start", seq / prc_cold, "x"),
         figure("ideal speed-up min(P, 16)", min(p, TASKS), "x")],
        {"p": p, "threads": speed["threads"], "processes": speed["processes"]})
    return out, {"p": p, "threads": speed["threads"], "processes": speed["processes"]}


# ---------------------------------------------------------------- C11


def c11(runs: int, c10_inputs: dict) -> dict:
    def threads() -> None:
        for _ in range(THREAD_STARTS):
            t = threading.Thread(target=_noop)
            t.start()
            t.join()

    def processes() -> None:
        for _ in range(PROCESS_STARTS):
            subprocess.run([sys.executable, "-c", "pass"], check=True)

    ctx = multiprocessing.get_context()

    def forks() -> None:
        for _ in range(PROCESS_STARTS):
            pr = ctx.Process(target=_noop)
            pr.start()
            pr.join()

    async def tasks() -> float:
        t0 = time.perf_counter()
        for _ in range(THREAD_STARTS):
            await asyncio.create_task(asyncio.sleep(0))
        return time.perf_counter() - t0

    thread = common.median_time(threads, runs) / THREAD_STARTS
    process = common.median_time(processes, runs) / PROCESS_STARTS
    mp_process = common.median_time(forks, runs) / PROCESS_STARTS
    task = common.median(asyncio.run(tasks()) for _ in range(runs)) / THREAD_STARTS
    return claim(
        [figure("start+await one asyncio task (1,000 in a row)", task, "s"),
         figure("start+join one empty thread (1,000 in a row)", thread, "s"),
         figure("start+wait one process: subprocess.run([python3, -c, pass]) (20 in a row)",
                process, "s"),
         figure(f"start+join one multiprocessing.Process ({ctx.get_start_method()}) (20 in a row)",
                mp_process, "s"),
         figure("process / thread start cost", process / thread, "x"),
         figure("process pool speed-up (C10)", c10_inputs["processes"], "x"),
         figure("thread pool speed-up (C10)", c10_inputs["threads"], "x")],
        {"p": c10_inputs["p"], "thread": thread, "process": process,
         "process_speedup": c10_inputs["processes"]})


# ---------------------------------------------------------------- C16


def c16(scale: float, runs: int) -> dict:
    n, lat = 50, common.scaled(1.0, scale)
    method = multiprocessing.get_start_method()

    def sequential() -> None:
        for _ in range(n):
            time.sleep(lat)

    def per_process() -> None:
        with ProcessPoolExecutor(max_workers=n, initializer=_worker_init) as pool:
            for f in [pool.submit(time.sleep, lat) for _ in range(n)]:
                f.result()

    async def gathered() -> float:
        t0 = time.perf_counter()
        await asyncio.gather(*(asyncio.sleep(lat) for _ in range(n)))
        return time.perf_counter() - t0

    seq = common.median_time(sequential, runs)
    prc = common.median_time(per_process, runs)
    aio = common.median(asyncio.run(gathered()) for _ in range(runs))
    proc_b = memory.process_bytes(memory.PROCESS_COUNTS[-1])["pss"]
    task_b = memory.task_bytes()
    return claim(
        [figure("50 x time.sleep(L) sequential", seq, "s"),
         figure(f"50 x time.sleep(L), ProcessPoolExecutor(50) ({method}), "
                "incl. pool start and shutdown", prc, "s"),
         figure("50 x asyncio.sleep(L), asyncio.gather (for comparison)", aio, "s"),
         figure("ideal sequential N*L", n * lat, "s"),
         figure("ideal concurrent L", lat, "s"),
         figure("speed-up processes over sequential", seq / prc, "x"),
         figure("processes / asyncio time", prc / aio, "x"),
         figure(f"per idle process, Pss ({memory.PROCESS_COUNTS[-1]} python3 -c children)",
                proc_b, "B"),
         figure("per idle asyncio task (VmRSS slope, 10,000 -> 50,000)", task_b, "B"),
         figure("process / task memory", proc_b / task_b, "x")],
        {"seq": seq, "processes": prc, "process_bytes": proc_b, "task_bytes": task_b})


def main() -> None:
    common.exit_on_sigterm()
    args = common.parse_args(__doc__.splitlines()[0])
    _allow_long_ints()
    c10_claim, c10_inputs = c10(args.runs)
    common.emit({"C10": c10_claim,
                 "C11": c11(args.runs, c10_inputs),
                 "C16": c16(args.scale, args.runs)})


if __name__ == "__main__":
    main()
