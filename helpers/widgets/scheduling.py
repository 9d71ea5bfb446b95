"""Hand work from OpenVINO's callback threads to the kernel's main thread (notebook 05).

An ``AsyncInferQueue`` callback runs on an OpenVINO thread. A widget change made there would run
every observer of that widget on the same thread (traitlets calls observers in the setter's
thread) and send the change to the browser from outside the kernel's main thread. So callbacks
only store results and call ``schedule(fn)``; ``fn`` then runs on the main thread, through the
kernel's event loop (``loop.call_soon_threadsafe``), once that thread is free.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable


class LoopScheduler:
    """``schedule(fn)`` from any thread; ``fn`` runs once, on the thread that created the scheduler.

    In a Jupyter kernel, cell code runs inside the kernel's asyncio loop on the main thread, so a
    scheduled function runs there as soon as the running cell returns. ``flush()`` runs what is
    still pending at once (on the owner thread); a call runs only once either way. Without a
    running loop (plain Python), calls wait for ``flush()``.
    """

    def __init__(self) -> None:
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self.owner = threading.get_ident()
        self.errors: list[str] = []
        self._pending: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()

    @property
    def has_loop(self) -> bool:
        """Whether scheduled calls run by themselves (a running event loop was found)."""
        return self._loop is not None

    @property
    def pending(self) -> int:
        """How many scheduled calls have not run yet."""
        with self._lock:
            return len(self._pending)

    def on_owner_thread(self) -> bool:
        """Tell whether the caller is on the thread that runs the scheduled calls."""
        return threading.get_ident() == self.owner

    def __call__(self, fn: Callable[[], None]) -> None:
        """Schedule ``fn()`` on the owner thread; safe to call from any thread, never raises."""
        with self._lock:
            key = next(self._ids)
            self._pending[key] = fn
        if self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(self._run, key)
            except RuntimeError:  # the loop is closed: the kernel is shutting down
                pass

    def flush(self) -> int:
        """Run every pending call now, in scheduling order; return how many ran (owner thread only)."""
        if not self.on_owner_thread():
            raise RuntimeError("flush() runs widget code: call it on the thread that created the scheduler")
        with self._lock:
            keys = sorted(self._pending)
        return sum(self._run(key) for key in keys)

    def _run(self, key: int) -> bool:
        """Run one pending call unless it already ran; record (never raise) its error."""
        with self._lock:
            fn = self._pending.pop(key, None)
        if fn is None:
            return False
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - an error here must not stop the event loop
            self.errors.append(f"{getattr(fn, '__name__', 'scheduled call')}: {type(exc).__name__}: {exc}")
        return True
