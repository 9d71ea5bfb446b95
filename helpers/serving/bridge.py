"""An ``AsyncInferQueue`` awaited from ``asyncio``: the server's ``predict`` (notebook 06 shows its core).

Notebook 04 teaches the queue and its callback; notebook 06 teaches coroutines. The bridge gives
each request a future of the event loop, passes ``(loop, future)`` as the request's userdata, and
the callback, on an OpenVINO thread, resolves the future with ``loop.call_soon_threadsafe``: a
future may only be completed on its own loop. The loop keeps serving while OpenVINO computes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import openvino as ov


def _resolve(future: asyncio.Future, value: Any, error: BaseException | None) -> None:
    """Complete ``future`` on the event loop unless the awaiting coroutine already gave up on it."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def resolve_from_callback(
    request: ov.InferRequest, userdata: tuple[asyncio.AbstractEventLoop, asyncio.Future]
) -> None:
    """The queue's callback: copy the output and hand it (or the error) to the future's loop.

    The copy is needed because the request's next inference reuses the buffer. Nothing escapes:
    the queue would store an escaping exception forever (docs/known-issues.md, issue 2).
    """
    loop, future = userdata
    try:
        value, error = request.get_output_tensor(0).data.copy(), None
    except Exception as exc:  # noqa: BLE001 - handed to the awaiting coroutine
        value, error = None, exc
    try:
        loop.call_soon_threadsafe(_resolve, future, value, error)
    except RuntimeError:  # the loop is closed: the server is shutting down
        pass


class QueueBridge:
    """``await bridge.infer(array)``: one ``AsyncInferQueue`` shared by every coroutine of a loop."""

    def __init__(self, compiled: ov.CompiledModel, jobs: int = 0) -> None:
        self.queue = ov.AsyncInferQueue(compiled, jobs)
        self.queue.set_callback(resolve_from_callback)
        self.slots: asyncio.Semaphore | None = None  # made on first use, on the loop that awaits

    def __len__(self) -> int:
        """Number of infer requests, the bound of requests in flight."""
        return len(self.queue)

    async def infer(self, array: np.ndarray) -> np.ndarray:
        """Run ``array`` on a free request and return a copy of its first output."""
        if self.slots is None:
            self.slots = asyncio.Semaphore(len(self.queue))
        loop = asyncio.get_running_loop()
        async with self.slots:  # a free request exists, so start_async never blocks the loop
            future = loop.create_future()
            self.queue.start_async({0: array}, (loop, future))
            return await future

    def close(self) -> None:
        """Wait for the requests in flight, then release the queue (and the compiled model)."""
        self.queue.wait_all()
        self.queue = None
