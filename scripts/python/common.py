"""Shared helpers for rtbench's CPython scripts (standard library only, Python >= 3.10).

Each script measures, in CPython, the pattern behind some of the claims in CLAIMS.md and
prints ONE JSON object to stdout:

    {"claims": {"Cxx": {"figures": [{"label", "value", "unit"}, ...], "inputs": {...}}}}

Durations: a duration of S seconds in the notes becomes round(S * scale * 1000) ms
(at least 1 ms); `--scale` defaults to 0.02 (1 s -> 20 ms).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Iterable

DEFAULT_SCALE = 0.02
DEFAULT_RUNS = 5
UNITS = ("s", "B", "x", "count", "/s")


# ---------------------------------------------------------------- arguments and scaling


def parse_args(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                   help="a duration of S s in the notes becomes round(S*scale*1000) ms, "
                        "at least 1 ms (default %(default)s)")
    p.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                   help="timed runs per measurement; the median is reported (default %(default)s)")
    args = p.parse_args(argv)
    if not (math.isfinite(args.scale) and args.scale > 0):
        p.error("--scale must be a positive number")
    if args.runs < 1:
        p.error("--runs must be at least 1")
    return args


def scaled(seconds: float, scale: float) -> float:
    """The notes' `seconds`, scaled: round(S*X*1000) ms, at least 1 ms, returned in seconds."""
    return max(1, round(seconds * scale * 1000)) / 1000.0


# ---------------------------------------------------------------- timing


def timed(fn: Callable[[], Any]) -> float:
    """Wall time of one call of fn, in seconds (time.perf_counter)."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_time(fn: Callable[[], Any], runs: int) -> float:
    """Median wall time of `runs` calls of fn, in seconds."""
    return statistics.median(timed(fn) for _ in range(runs))


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


# ---------------------------------------------------------------- memory


def _status_kb(path: str, key: str) -> int:
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(f"{key} not in {path}")


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size (VmRSS from /proc/<pid>/status), in bytes."""
    return _status_kb(f"/proc/{pid}/status", "VmRSS")


def vmsize_bytes(pid: int | str = "self") -> int:
    """Virtual size (VmSize from /proc/<pid>/status), in bytes."""
    return _status_kb(f"/proc/{pid}/status", "VmSize")


def pss_bytes(pid: int | str = "self") -> int:
    """Proportional set size (Pss from /proc/<pid>/smaps_rollup), in bytes."""
    return _status_kb(f"/proc/{pid}/smaps_rollup", "Pss")


# ---------------------------------------------------------------- child processes

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG).

    Called first thing in every child this project starts (probe children, pool workers), so
    that no child outlives a script that is itself killed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks and `with` pools clean up children."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


# A child that costs what an idle Python process costs: it says it is ready once the
# interpreter is up and exits at EOF on stdin. Only the parent holds the pipe's write end
# (close_fds), so the child also ends when the parent ends, however it ends.
IDLE_CHILD_CODE = "import sys; print('ready', flush=True); sys.stdin.read()"


def idle_process_pss(count: int, timeout: float = 30.0) -> dict[str, float]:
    """Start `count` idle `python3 -c` children, wait until each is ready, and return
    {"pss": sum of their Pss, "rss": sum of their VmRSS} in bytes. Every child is ended
    (stdin closed, then killed if it lingers) and reaped before this returns."""
    procs: list[subprocess.Popen] = []
    try:
        for _ in range(count):
            procs.append(subprocess.Popen(
                [sys.executable, "-c", IDLE_CHILD_CODE],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + timeout
        for p in procs:
            line = p.stdout.readline()
            if line.strip() != b"ready" or time.monotonic() > deadline:
                raise RuntimeError("an idle child did not start")
        time.sleep(0.05)  # let the last page faults of start-up settle
        return {"pss": float(sum(pss_bytes(p.pid) for p in procs)),
                "rss": float(sum(rss_bytes(p.pid) for p in procs))}
    finally:
        reap(procs)


def reap(procs: list[subprocess.Popen], grace: float = 5.0) -> None:
    """Close each child's stdin, wait for it, and kill whatever is still alive after `grace`."""
    for p in procs:
        try:
            if p.stdin:
                p.stdin.close()
        except OSError:
            pass
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        finally:
            if p.stdout:
                p.stdout.close()


def run_probe(script: str, probe_args: list[str], timeout: float = 30.0) -> dict[str, Any]:
    """Run `python3 <script> --probe ...` in a fresh interpreter and return the JSON it prints.

    Memory is measured in a fresh process so that what earlier experiments freed (and the
    allocator kept) does not hide what the units under test cost."""
    out = subprocess.run([sys.executable, script, "--probe", *probe_args],
                         capture_output=True, timeout=timeout, check=True, text=True)
    return json.loads(out.stdout)


# ---------------------------------------------------------------- output


def figure(label: str, value: float, unit: str) -> dict[str, Any]:
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} not in {UNITS}")
    return {"label": label, "value": float(value), "unit": unit}


def claim(figures: list[dict[str, Any]], inputs: dict[str, Any]) -> dict[str, Any]:
    return {"figures": figures, "inputs": inputs}


def emit(claims: dict[str, Any]) -> None:
    """Print the script's one JSON object to stdout."""
    json.dump({"claims": claims}, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    sys.stdout.flush()
