"""Compile on a lower-priority thread, so that OpenVINO's inference threads yield the cores to the host's.

On a CPU the decoders and the inference streams share the cores, and the scheduler gives every
runnable thread an equal share. A stream needs less CPU per image than a decoder, so under equal
shares the streams empty the prefetch buffer and wait; while they wait, the decoders alone rarely
keep every core busy (they take turns on the GIL). With the streams at a lower priority, the
decoders run first whenever both want a core: the buffer stays full, and the streams take every
cycle the decoders leave (``make bench``: busy cores and ``async_over_limit``; docs/performance.md).

What it relies on:

- On Linux a thread's nice value is its own (setpriority(2), NOTES: "the nice value is a per-thread
  attribute" under NPTL), and a new thread starts with its creator's (sched(7)).
- OpenVINO's CPU plugin starts its stream threads while compiling: the constructor of
  ``CPUStreamsExecutor::Impl`` (``src/inference/src/dev/threading/cpu_streams_executor.cpp``)
  starts one thread per stream. ``tests/test_priority.py`` checks that the inference runs on threads
  with the lowered nice value, on CPU and under AUTO.
- OpenVINO keeps a freed model's executor and hands it to the next model compiled with the same
  settings (``get_idle_cpu_streams_executor`` in ``src/inference/src/dev/threading/
  executor_manager.cpp``): the priority travels with its threads, which that test also shows.
  So a model compiled with ``yield_to_host`` while an identical one was just freed may keep the
  usual priority: compile the models a lesson needs before the old ones are let go.

Elsewhere (macOS, Windows) the nice value belongs to the whole process, so nothing is lowered.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: How many steps lower than the compiling thread: weight 335 against 1024 at nice 0 (sched(7)), so
#: a busy decoder gets about three quarters of a contended core.
INFERENCE_NICE = 5


def supported() -> bool:
    """True where one thread can lower its own priority without lowering the process's (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "setpriority") and hasattr(os, "getpriority")


def run_lowered(work: Callable[[], T], nice: int = INFERENCE_NICE) -> T:
    """Return ``work()`` run on a new thread ``nice`` steps lower in priority (Linux; elsewhere: here).

    Threads that ``work`` starts (OpenVINO's stream threads, when it compiles) keep that priority
    after it returns; this thread's own priority is untouched. An exception from ``work`` is raised
    here.
    """
    if nice <= 0 or not supported():
        return work()
    box: dict[str, Any] = {}

    def lowered() -> None:
        tid = threading.get_native_id()
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        except OSError:  # a sandbox that forbids it: compile at the usual priority
            pass
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=lowered, name="compile-lowered", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
