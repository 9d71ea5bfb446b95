"""A request and a queue of the check's own model that note how the learner's code uses them.

The checks hand these to the learner's function in place of the notebook's objects: they are real
``ov.InferRequest`` / ``ov.AsyncInferQueue`` objects, so the learner's code runs unchanged, and
afterwards the check reads what happened (``start_async`` calls, userdata, callback threads,
``wait_for`` answers, errors escaping a callback).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import openvino as ov

from helpers.models import openvino_reason

POLL_LIMIT_S = 10.0  # an inference of the checks' model takes milliseconds


class WatchedRequest(ov.InferRequest):
    """An InferRequest whose callback completes only after the learner has polled ``wait_for`` once.

    Until the first ``wait_for`` after a ``start_async`` (at most ``hold_s``), the request stays
    unfinished, so a poll loop sees ``False`` at least once: the result did not exist yet.
    """

    def __init__(self, compiled: ov.CompiledModel, hold_s: float = 2.0) -> None:
        super().__init__(compiled.create_infer_request())
        self.events: list[tuple[str, Any]] = []  # (what, detail) in call order
        self.callbacks: list[tuple[int, Any, bool]] = []  # (thread id, userdata, raised)
        self._hold_s = hold_s
        self._started_at: float | None = None  # when the last start_async ran
        self._polled = threading.Event()
        self._learner: Callable[[Any], None] | None = None
        super().set_callback(self._run_callback, None)

    def _run_callback(self, userdata: Any) -> None:
        self._polled.wait(self._hold_s)
        raised = False
        try:
            if self._learner is not None:
                self._learner(userdata)
        except BaseException:
            raised = True
            raise  # wait() brings it back to the learner's thread
        finally:
            self.callbacks.append((threading.get_ident(), userdata, raised))

    def set_callback(self, callback: Callable[[Any], None], userdata: Any) -> None:  # noqa: D102
        self.events.append(("set_callback", userdata))
        self._learner = callback
        super().set_callback(self._run_callback, userdata)

    def start_async(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102
        self._polled.clear()
        userdata = kwargs.get("userdata", args[1] if len(args) > 1 else None)
        self.events.append(("start_async", userdata))
        self._started_at = time.monotonic()
        super().start_async(*args, **kwargs)

    def wait_for(self, timeout: int) -> bool:  # noqa: D102
        if self._started_at is None:  # a poll loop would never end
            raise RuntimeError("wait_for on a request that was never started answers False forever")
        if time.monotonic() - self._started_at > POLL_LIMIT_S:
            raise RuntimeError(f"still polling {POLL_LIMIT_S:.0f} s after start_async")
        done = super().wait_for(timeout)
        self.events.append(("wait_for", done))
        self._polled.set()
        return done

    def wait(self) -> None:  # noqa: D102
        self.events.append(("wait", None))
        self._polled.set()
        super().wait()

    def infer(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        self.events.append(("infer", None))
        self._polled.set()
        return super().infer(*args, **kwargs)

    def count(self, what: str) -> int:
        """How many times ``what`` (a method name) was called."""
        return sum(1 for name, _ in self.events if name == what)


class WatchedQueue(ov.AsyncInferQueue):
    """An AsyncInferQueue that counts ``start_async`` calls and callbacks; no error escapes to it.

    An exception escaping the learner's callback is caught here and noted in ``escaped`` (a real
    queue would store it and re-raise it from every later call).
    """

    def __init__(self, compiled: ov.CompiledModel, jobs: int = 3) -> None:
        super().__init__(compiled, jobs)
        self.started: list[Any] = []  # userdata of each start_async
        self.callbacks: list[tuple[int, Any]] = []  # (thread id, userdata)
        self.escaped: list[str] = []
        self.waited = 0
        self._learner: Callable[[ov.InferRequest, Any], None] | None = None
        super().set_callback(self._run_callback)

    def _run_callback(self, request: ov.InferRequest, userdata: Any) -> None:
        self.callbacks.append((threading.get_ident(), userdata))
        if self._learner is None:
            return
        try:
            self._learner(request, userdata)
        except Exception as exc:  # noqa: BLE001 - noted for the check, never re-raised
            self.escaped.append(f"{type(exc).__name__}: {openvino_reason(exc)}")

    def set_callback(self, callback: Callable[[ov.InferRequest, Any], None]) -> None:  # noqa: D102
        self._learner = callback

    def start_async(self, inputs: Any = None, userdata: Any = None, share_inputs: bool = False) -> None:  # noqa: D102
        self.started.append(userdata)
        super().start_async(inputs, userdata, share_inputs)

    def wait_all(self) -> None:  # noqa: D102
        self.waited += 1
        super().wait_all()

    def off_main_thread(self) -> bool:
        """Whether every callback ran on a thread other than the main one (an OpenVINO thread)."""
        main = threading.main_thread().ident
        return all(thread != main for thread, _ in self.callbacks)
