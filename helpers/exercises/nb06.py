"""Checks for notebook 06's exercises (serving): the learner's coroutines get clients and queues of the check.

06-remote-local hands ``remote_and_local`` a client that notes every response the server sent and a
``WatchedRequest`` of the checks' own classifier, with a held-out photo. 06-spread hands ``spread`` a
``RemoteInferQueue`` over both replicas that notes each response per photo, and a ``WatchedQueue``.
Only answers that the server sent, and that the local request or queue computed, pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises import is_answered, print_not_answered, report
from helpers.exercises.reference import held_out_batches, reference_model, reference_probs
from helpers.exercises.watch import WatchedQueue, WatchedRequest
from helpers.models import openvino_reason
from helpers.remote import RemoteInferQueue
from helpers.serving.wire import INPUT_NAME, MODEL_NAME, OUTPUT_NAME

ATOL = 1e-2  # remote and local logits: the same f32 classifier on two processes


class WatchedClient:
    """A gRPC client of the check that keeps the logits of every response the server sent."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.responses: list[np.ndarray] = []

    async def infer(self, *args: Any, **kwargs: Any) -> Any:
        """Forward to the real client; note the server's answer."""
        result = await self._client.infer(*args, **kwargs)
        self.responses.append(result.as_numpy(OUTPUT_NAME).copy())
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class WatchedRemoteQueue(RemoteInferQueue):
    """A ``RemoteInferQueue`` that keeps, per userdata, the logits that the server sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.responses: dict[Any, np.ndarray] = {}

    def set_callback(self, callback: Any) -> None:  # noqa: D102
        def noted(result: Any, userdata: Any) -> None:
            self.responses[userdata] = result.as_numpy(OUTPUT_NAME).copy()
            callback(result, userdata)

        super().set_callback(noted)


def _agree(logits: Any, name: str) -> bool:
    """Logits of shape [1, 1000] whose top-1 is the reference's for held-out photo ``name``."""
    array = np.asarray(logits)
    return array.shape == (1, 1000) and int(array.argmax()) == int(reference_probs()[name].argmax())


async def _run(exercise: str, problem_of: Any, answer: Any, *args: Any) -> None:
    """Print ⏳, ✗ or ✅ for an async check; never raise."""
    if not is_answered(answer):
        print_not_answered(exercise, answer)
        return
    try:
        problem = await problem_of(answer, *args)
    except Exception as exc:  # noqa: BLE001 - a check never raises
        problem = f"the check raised {type(exc).__name__}: {openvino_reason(exc)}"
    report(exercise, problem is None, problem or "")


REMOTE_HINT = (
    "ask the server with client.infer(MODEL_NAME, [infer_input(batch)]) and take as_numpy(OUTPUT_NAME); "
    "run the same batch on the local request you are given (request.infer)"
)


async def _remote_local_problem(remote_and_local: Any, client: Any) -> str | None:
    name, batch = next(iter(held_out_batches().items()))
    watched, request = WatchedClient(client), WatchedRequest(reference_model())
    got = await remote_and_local(watched, request, batch)
    if not (isinstance(got, tuple) and len(got) == 2):
        return f"remote_and_local should return (remote logits, local logits): {REMOTE_HINT}"
    remote, local = (np.asarray(v) for v in got)
    if not any(remote.shape == r.shape and np.array_equal(remote, r) for r in watched.responses):
        return f"the remote logits are not what the server answered for this photo: {REMOTE_HINT}"
    if request.count("infer") + request.count("start_async") == 0:
        return f"the local request you were given never ran: {REMOTE_HINT}"
    if not np.array_equal(local, request.get_output_tensor().data):
        return f"the local logits are not that request's output: {REMOTE_HINT}"
    if not (_agree(remote, name) and _agree(local, name) and np.allclose(remote, local, atol=ATOL)):
        return f"remote and local logits disagree: {REMOTE_HINT}"
    return None


async def check_remote_local(remote_and_local: Any, client: Any) -> None:
    """06-remote-local: ``await remote_and_local(client, request, batch)`` -> (remote, local) logits."""
    await _run("06-remote-local", _remote_local_problem, remote_and_local, client)


SPREAD_HINT = (
    "set a callback on each queue you are given, then for every photo: await remote_queue.start_async("
    "{INPUT_NAME: batch}, name) and local_queue.start_async(batch, name); wait for both queues; each "
    "callback keeps a COPY of the logits under its userdata"
)


async def _spread_problem(spread: Any, urls: list[str]) -> str | None:
    photos = held_out_batches()
    remote_queue = WatchedRemoteQueue(urls, MODEL_NAME, jobs=4)
    local_queue = WatchedQueue(reference_model(), 4)
    try:
        got = await spread(remote_queue, local_queue, photos)
        await remote_queue.wait_all()
    finally:
        await remote_queue.close()
    if not (isinstance(got, tuple) and len(got) == 2 and all(isinstance(d, dict) for d in got)):
        return f"spread should return two dicts (remote results, local results): {SPREAD_HINT}"
    remote, local = got
    if remote_queue.errors:
        return f"a remote request failed: {remote_queue.errors[0]}"
    if sorted(remote_queue.responses) != sorted(photos) or not all(remote_queue.sent.values()):
        counts = sorted(remote_queue.sent.values())
        return f"the servers answered {counts} requests, not every photo over both: {SPREAD_HINT}"
    if sorted(map(str, local_queue.started)) != sorted(photos) or len(local_queue.callbacks) != len(photos):
        return f"the local queue saw start_async with userdata {local_queue.started}: {SPREAD_HINT}"
    if local_queue.escaped:
        return f"your local callback raised {local_queue.escaped[0]}"
    if set(remote) != set(photos) or set(local) != set(photos):
        return f"both dicts need one entry per photo name: {SPREAD_HINT}"
    for name in photos:
        if not np.array_equal(np.asarray(remote[name]), remote_queue.responses[name]):
            return f"remote[{name!r}] is not what the server answered for it: {SPREAD_HINT}"
        if not (_agree(local[name], name) and np.allclose(np.asarray(local[name]), remote[name], atol=ATOL)):
            return f"local[{name!r}] disagrees with the server: {SPREAD_HINT}"
    return None


async def check_spread(spread: Any, urls: list[str]) -> None:
    """06-spread: ``await spread(remote_queue, local_queue, photos)`` over both replicas and a local queue."""
    await _run("06-spread", _spread_problem, spread, list(urls))


__all__ = ["INPUT_NAME", "check_remote_local", "check_spread"]
