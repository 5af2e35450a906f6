"""Memory per waiting unit in CPython: claims C07 and C08.

Usage: python3 memory.py [--scale 0.02] [--runs 5]; prints one JSON object (see common.py).
Tasks and threads are measured in fresh interpreters (`memory.py --probe ...`), so that memory
freed by earlier work does not hide what they cost; each figure is the median of 3 probes.
Processes are idle `python3 -c` children (common.idle_process_pss); bytes are Pss from
/proc/<pid>/smaps_rollup, tasks and threads VmRSS/VmSize from /proc/self/status.
(--scale is accepted for uniformity; nothing here waits for a scaled duration.)
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # run from the source tree: leave no __pycache__ behind

import asyncio
import json
import os
import threading
import time

import common
from common import claim, figure

PROBES = 3
TASK_COUNTS = (10_000, 50_000)
THREAD_COUNTS = (200, 1_000)
PROCESS_COUNTS = (4, 16)
EXACT = 100  # C08


# ---------------------------------------------------------------- probes (child side)


async def _idle(ev: asyncio.Event) -> None:
    await ev.wait()


async def _tasks_probe(counts: list[int]) -> dict:
    ev = asyncio.Event()
    warm = asyncio.create_task(_idle(ev))  # kept waiting: first-use costs land in the baseline
    await asyncio.sleep(0)
    tasks: list[asyncio.Task] = []
    rss = []
    for target in counts:
        while len(tasks) < target:
            tasks.append(asyncio.create_task(_idle(ev)))
        await asyncio.sleep(0)  # every new task runs to its await
        await asyncio.sleep(0)
        rss.append(common.rss_bytes())
    waiting = sum(not t.done() for t in tasks)
    ev.set()
    await asyncio.gather(warm, *tasks)
    return {"counts": counts, "rss": rss, "waiting": waiting}


def _threads_probe(counts: list[int]) -> dict:
    ev = threading.Event()
    warm = threading.Thread(target=ev.wait, daemon=True)
    warm.start()
    threads: list[threading.Thread] = []
    rss, vms = [], []
    try:
        for target in counts:
            while len(threads) < target:
                t = threading.Thread(target=ev.wait, daemon=True)
                t.start()
                threads.append(t)
            time.sleep(0.05)  # let every thread reach its wait
            rss.append(common.rss_bytes())
            vms.append(common.vmsize_bytes())
        waiting = sum(t.is_alive() for t in threads)
    finally:
        ev.set()
        for t in [warm, *threads]:
            t.join()
    return {"counts": counts, "rss": rss, "vmsize": vms, "waiting": waiting}


def probe_main(argv: list[str]) -> None:
    common.die_with_parent()
    kind, counts = argv[0], [int(x) for x in argv[1:]]
    if kind == "tasks":
        out = asyncio.run(_tasks_probe(counts))
    elif kind == "threads":
        out = _threads_probe(counts)
    else:
        raise SystemExit(f"unknown probe {kind!r}")
    if out["waiting"] != counts[-1]:
        raise SystemExit(f"only {out['waiting']} of {counts[-1]} {kind} were waiting")
    json.dump(out, sys.stdout)


# ---------------------------------------------------------------- parent side

HERE = os.path.abspath(__file__)


def probe(kind: str, counts: tuple[int, ...]) -> list[dict]:
    return [common.run_probe(HERE, [kind, *map(str, counts)]) for _ in range(PROBES)]


def slope(results: list[dict], key: str) -> float:
    """Median over probes of (value at the last count - value at the first) / count difference."""
    return common.median((r[key][-1] - r[key][0]) / (r["counts"][-1] - r["counts"][0])
                         for r in results)


def growth(results: list[dict], key: str) -> float:
    return common.median(r[key][-1] - r[key][0] for r in results)


def task_bytes(counts: tuple[int, int] = TASK_COUNTS) -> float:
    """Resident bytes per idle asyncio task (slope of VmRSS between the two counts)."""
    return slope(probe("tasks", counts), "rss")


def process_bytes(count: int) -> dict[str, float]:
    """Pss and Rss per idle `python3 -c` child, with `count` of them alive."""
    m = common.idle_process_pss(count)
    return {"pss": m["pss"] / count, "rss": m["rss"] / count}


def c07() -> dict:
    tasks = probe("tasks", TASK_COUNTS)
    threads = probe("threads", THREAD_COUNTS)
    procs = {n: process_bytes(n) for n in PROCESS_COUNTS}
    lo, hi = PROCESS_COUNTS
    task_b = slope(tasks, "rss")
    thread_b = slope(threads, "rss")
    thread_v = slope(threads, "vmsize")
    proc_b = procs[hi]["pss"]
    proc_marginal = (procs[hi]["pss"] * hi - procs[lo]["pss"] * lo) / (hi - lo)
    return claim(
        [figure("per idle asyncio task (VmRSS slope, 10,000 -> 50,000 tasks)", task_b, "B"),
         figure("per idle thread, resident (VmRSS slope, 200 -> 1,000 threads)", thread_b, "B"),
         figure("per idle thread, virtual (VmSize slope, 200 -> 1,000 threads)", thread_v, "B"),
         figure(f"per idle process, Pss, {lo} python3 -c children", procs[lo]["pss"], "B"),
         figure(f"per idle process, Pss, {hi} python3 -c children", proc_b, "B"),
         figure(f"per idle process, Rss (shared pages counted in full), {hi} children",
                procs[hi]["rss"], "B"),
         figure(f"per idle process, marginal Pss ({lo} -> {hi} children)", proc_marginal, "B"),
         figure("thread / task (resident)", thread_b / task_b, "x"),
         figure("process / task", proc_b / task_b, "x")],
        {"task": task_b, "thread": thread_b, "thread_virtual": thread_v, "process": proc_b})


def c08() -> dict:
    tasks = growth(probe("tasks", (0, EXACT)), "rss")
    threads = probe("threads", (0, EXACT))
    thr = growth(threads, "rss")
    thr_v = growth(threads, "vmsize")
    return claim(
        [figure("VmRSS growth, 100 idle asyncio tasks", tasks, "B"),
         figure("VmRSS growth, 100 idle threads", thr, "B"),
         figure("VmSize growth, 100 idle threads (reserved: 8 MiB stacks and malloc arenas)", thr_v, "B")],
        {"tasks": tasks, "threads": thr})


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        probe_main(sys.argv[2:])
        return
    common.exit_on_sigterm()
    common.parse_args(__doc__.splitlines()[0])
    common.emit({"C07": c07(), "C08": c08()})


if __name__ == "__main__":
    main()
