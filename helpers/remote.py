"""The remote twin of ``AsyncInferQueue``: KServe v2 requests over gRPC (notebook 06).

``RemoteInferQueue`` keeps at most ``jobs`` requests in flight on ``tritonclient.grpc.aio``
clients, calls ``callback(result, userdata)`` as each completes (in completion order, like
notebook 04's queue), and spreads the requests over several server URLs, one client each.
Notebook 06 first writes the same loop by hand with ``InferenceServerClient.infer`` and an
``asyncio.Semaphore``; this class is that loop, with errors collected instead of raised.

It works against any KServe v2 server: ``classify-serve``, OpenVINO Model Server or Triton.
``tritonclient`` and ``kserve`` register the same protobuf names, so never import this module
in the server's process.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import tritonclient.grpc.aio as grpcclient

# numpy dtype -> KServe v2 datatype (the subset a classifier sends).
DATATYPES = {
    np.dtype(np.uint8): "UINT8",
    np.dtype(np.int8): "INT8",
    np.dtype(np.int32): "INT32",
    np.dtype(np.int64): "INT64",
    np.dtype(np.float16): "FP16",
    np.dtype(np.float32): "FP32",
    np.dtype(np.float64): "FP64",
}


@dataclass(frozen=True)
class RemoteFault:
    """One failed request (or callback), with its userdata and the server it went to."""

    userdata: Any
    url: str
    error: BaseException

    def __str__(self) -> str:
        """One line: userdata, server and the error's message."""
        message = getattr(self.error, "message", None)
        text = message() if callable(message) else str(self.error)
        return f"userdata={self.userdata!r} on {self.url}: {type(self.error).__name__}: {text}"


def infer_inputs(inputs: Mapping[str, np.ndarray]) -> list[grpcclient.InferInput]:
    """Wrap named numpy arrays as gRPC ``InferInput`` objects (datatype from the dtype)."""
    wrapped = []
    for name, array in inputs.items():
        array = np.ascontiguousarray(array)
        datatype = DATATYPES.get(array.dtype)
        if datatype is None:
            raise TypeError(f"input {name!r}: dtype {array.dtype} has no KServe v2 datatype here")
        item = grpcclient.InferInput(name, list(array.shape), datatype)
        item.set_data_from_numpy(array)
        wrapped.append(item)
    return wrapped


class RemoteInferQueue:
    """At most ``jobs`` KServe v2 gRPC requests in flight, spread round-robin over ``urls``.

    Use it inside a running event loop (a notebook cell, ``asyncio.run``)::

        queue = RemoteInferQueue(["127.0.0.1:8081"], "efficientnet-lite0", jobs=8)
        queue.set_callback(lambda result, name: done.update({name: result.as_numpy("logits")}))
        for name, batch in batches:
            await queue.start_async({"image": batch}, name)  # waits while `jobs` are in flight
        await queue.wait_all()
        await queue.close()

    A failed request, or an exception raised by the callback, is kept in ``errors`` as a
    ``RemoteFault``; it never stops the other requests and is never re-raised. ``sent`` counts
    the requests per URL, ``peak_in_flight`` the most that were ever in flight at once.
    """

    def __init__(
        self,
        urls: str | Sequence[str],
        model_name: str,
        jobs: int = 8,
        timeout: float = 30.0,
    ) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls:
            raise ValueError("give at least one server URL (host:port)")
        if jobs < 1:
            raise ValueError(f"jobs must be >= 1, got {jobs}")
        self.model_name = model_name
        self.jobs = jobs
        self.timeout = timeout
        self.errors: list[RemoteFault] = []
        self.sent: dict[str, int] = dict.fromkeys(self.urls, 0)
        self.in_flight = 0
        self.peak_in_flight = 0
        self._clients: dict[str, grpcclient.InferenceServerClient] = {}
        self._callback: Callable[[Any, Any], None] = lambda result, userdata: None
        self._next_url = itertools.cycle(self.urls)
        self._slots: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task] = set()

    def __len__(self) -> int:
        """The bound on requests in flight (like ``len(AsyncInferQueue)``)."""
        return self.jobs

    def set_callback(self, callback: Callable[[Any, Any], None]) -> None:
        """Call ``callback(result, userdata)`` on the event loop as each request completes."""
        self._callback = callback

    def client(self, url: str) -> grpcclient.InferenceServerClient:
        """The (lazily created) client of one server."""
        if url not in self._clients:
            self._clients[url] = grpcclient.InferenceServerClient(url)
        return self._clients[url]

    async def start_async(self, inputs: Mapping[str, np.ndarray], userdata: Any = None) -> None:
        """Send one request; wait first while ``jobs`` requests are in flight."""
        if self._slots is None:  # bound to the running loop
            self._slots = asyncio.Semaphore(self.jobs)
        wrapped = infer_inputs(inputs)  # a bad input raises here, in the caller
        await self._slots.acquire()
        url = next(self._next_url)
        self.sent[url] += 1
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        task = asyncio.create_task(self._run(url, wrapped, userdata))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, url: str, wrapped: list[grpcclient.InferInput], userdata: Any) -> None:
        try:
            result = await self.client(url).infer(self.model_name, wrapped, client_timeout=self.timeout)
        except Exception as exc:  # noqa: BLE001 - collected, never re-raised
            self.errors.append(RemoteFault(userdata, url, exc))
        else:
            try:
                self._callback(result, userdata)
            except Exception as exc:  # noqa: BLE001 - a callback error costs one result only
                self.errors.append(RemoteFault(userdata, url, exc))
        finally:
            self.in_flight -= 1
            self._slots.release()

    async def wait_all(self) -> None:
        """Wait until every request sent so far has completed (or failed)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Wait for the requests in flight, then close the gRPC channels."""
        await self.wait_all()
        for client in self._clients.values():
            await client.close()
        self._clients.clear()

    async def __aenter__(self) -> RemoteInferQueue:
        """Use as ``async with RemoteInferQueue(...) as queue``."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the channels."""
        await self.close()
