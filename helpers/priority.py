"""Compile on a lower-priority thread, so that OpenVINO's inference threads yield the cores to the host's.

On a CPU the decoders and the inference streams share the cores, and the scheduler gives every
runnable thread an equal share. When a stream needs less CPU per image than a decoder, the
streams empty the prefetch buffer and wait, and while they wait the decoders alone rarely keep
every core busy (they take turns on the GIL). With the streams at a lower priority, the decoders
run first whenever both want a core: the buffer stays full, and the streams take every cycle the
decoders leave. When the streams are the slower side, nothing waits for a decode anyway, and the
priority changes little. ``make bench`` measures the pipeline both ways (docs/performance.md).

What it relies on, for OpenVINO 2026.4 (``releases/2026/4``):

- On Linux a thread's nice value is its own (setpriority(2), BUGS: "the nice value is a
  per-thread attribute" under NPTL); a thread started by a lowered thread starts lowered
  (``tests/test_priority.py``).
- OpenVINO's CPU plugin starts its stream threads while compiling, one thread per stream
  (docs/performance.md names the code). ``tests/test_priority.py`` checks that more than 90 % of the
  inference's CPU time then runs lowered, under THROUGHPUT and LATENCY, on CPU and AUTO.
- Two things carry a priority from one model to another:

  - OpenVINO keeps a freed model's executor and hands it to the next model compiled with the same
    settings (docs/performance.md names the code). So a lowered model's threads can serve a later
    plain compile, and a plain model's threads a later lowered one. Compiling every model a lesson
    needs in one expression keeps the old ones alive until all are compiled, so each gets threads of
    its own.
  - Under LATENCY a stream also uses worker threads that the whole process shares (oneTBB's):
    once an earlier model has started them at the usual priority, a lowered model's inference
    runs partly at that priority (the test shows both cases).

``run_lowered`` uses Linux's per-thread nice value only; elsewhere it compiles at the usual
priority. A nice value ranks threads within their scheduling group (sched(7), "The autogroup
feature"), so what it does to other programs depends on how the system groups them.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: How many steps lower than the compiling thread. Each step is about a factor 1.25 in CPU share
#: (sched(7)); at 5 steps a busy decoder gets about three quarters of a contended core.
INFERENCE_NICE = 5


def per_thread_nice() -> bool:
    """True where one thread can lower its own priority without lowering the process's (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "setpriority") and hasattr(os, "getpriority")


def compile_model(core: Any, model: Any, device: str, config: dict, *, yield_to_host: bool = False) -> Any:
    """``core.compile_model(model, device, config)``; with ``yield_to_host`` through ``run_lowered``."""
    if yield_to_host:
        return run_lowered(lambda: core.compile_model(model, device, config))
    return core.compile_model(model, device, config)


def run_lowered(work: Callable[[], T], nice: int = INFERENCE_NICE) -> T:
    """Return ``work()`` run on a new thread ``nice`` steps lower in priority (Linux; elsewhere: here).

    Threads that ``work`` starts (OpenVINO's stream threads, when it compiles) keep that priority
    after it returns; this thread's own priority is untouched. An exception from ``work`` is raised
    here. Where the system refuses the change, ``work`` runs at the usual priority, with a warning.
    """
    if nice <= 0 or not per_thread_nice():
        return work()
    box: dict[str, Any] = {}

    def lowered() -> None:
        tid = threading.get_native_id()
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        except OSError as exc:
            box["refused"] = exc
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=lowered, name="compile-lowered")
    thread.start()
    thread.join()
    if "refused" in box:
        warnings.warn(f"inference threads keep the usual priority: {box['refused']}", stacklevel=2)
    if "error" in box:
        raise box["error"]
    return box["value"]


def cpu_by_nice() -> dict[int, int]:
    """CPU time so far of this process's threads, in clock ticks, summed by nice value (Linux; else {})."""
    out: dict[int, int] = {}
    for stat in Path("/proc/self/task").glob("*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "(comm)", which may hold spaces
        except (OSError, IndexError):
            continue  # a thread that ended meanwhile
        nice, ticks = int(fields[16]), int(fields[11]) + int(fields[12])  # proc(5): nice, utime + stime
        out[nice] = out.get(nice, 0) + ticks
    return out


def lowered_share(run: Callable[[], object], nice: int = INFERENCE_NICE) -> float:
    """The share of the CPU time ``run()`` adds to this process that ran ``nice`` steps below this thread."""
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) if per_thread_nice() else 0
    target = min(19, own + nice) if per_thread_nice() else 0
    before = cpu_by_nice()
    run()
    after = cpu_by_nice()
    added = {k: v - before.get(k, 0) for k, v in after.items()}
    return added.get(target, 0) / max(1, sum(added.values())) if per_thread_nice() else 0.0
