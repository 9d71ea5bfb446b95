"""``remote_over_local``: KServe v2 gRPC (classify-serve) against a local AsyncInferQueue, 8 in flight.

Both sides run the static-shape classifier (u8 NHWC, PPP on the device) under the THROUGHPUT
hint on CPU with the same images, already resized, so the difference is the remote path: gRPC,
KServe's Python request handling and the client. Server and client share this machine's cores.
Rounds alternate (local, remote, remote, local, ...); each side reports its median.

On a busy machine two processes can get a larger share of the cores than one, which favours the
remote side's images/s; ``remote_over_local_per_cpu`` compares images per CPU-second instead
(this process's CPU time, plus the server's for the remote side; needs psutil).

``python benchmarks/remote_over_local.py`` prints the JSON; ``make bench`` adds these keys to latest.json when
the serve extra is installed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import images, models, paths  # noqa: E402

IN_FLIGHT = 8
ROUNDS = 3


def serve_extra_installed() -> bool:
    """Tell whether kserve and tritonclient (the serve extra) are importable."""
    return all(importlib.util.find_spec(name) is not None for name in ("kserve", "tritonclient"))


def _photos() -> list[np.ndarray]:
    return [images.read_for_model(p) for p in images.list_image_files(paths.IMAGES_DIR)]


def cpu_meter(server_pid: int) -> Callable[[str], float]:
    """CPU seconds so far of this process (``"local"``) or of this process and the server (``"remote"``)."""
    try:
        import psutil
    except ImportError:
        return lambda side: 0.0
    processes = {"local": [psutil.Process()], "remote": [psutil.Process(), psutil.Process(server_pid)]}
    return lambda side: sum(sum(p.cpu_times()[:2]) for p in processes[side])


def local_fps(compiled: ov.CompiledModel, photos: list[np.ndarray], seconds: float) -> float:
    """Images/s of an ``AsyncInferQueue`` with ``IN_FLIGHT`` jobs, fed for ``seconds``."""
    queue = ov.AsyncInferQueue(compiled, IN_FLIGHT)
    count = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        queue.start_async({0: photos[count % len(photos)]})
        count += 1
    queue.wait_all()
    return count / (time.perf_counter() - t0)


async def remote_fps(url: str, photos: list[np.ndarray], seconds: float) -> float:
    """Images/s of a ``RemoteInferQueue`` with ``IN_FLIGHT`` requests in flight, fed for ``seconds``."""
    from helpers.remote import RemoteInferQueue
    from helpers.serving.wire import MODEL_NAME

    async with RemoteInferQueue(url, MODEL_NAME, jobs=IN_FLIGHT) as queue:
        count = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            await queue.start_async({"image": photos[count % len(photos)]}, count)
            count += 1
        await queue.wait_all()
        elapsed = time.perf_counter() - t0
        if queue.errors:
            raise RuntimeError(f"{len(queue.errors)} remote requests failed, first: {queue.errors[0]}")
    return count / elapsed


UNAVAILABLE = "it needs the serve extra: pip install -e '.[serve]'"


def available() -> bool:
    """Tell whether the serve extra (kserve, tritonclient) is installed, as ``make bench`` asks."""
    return serve_extra_installed()


def measure(seconds: float = 5.0, rounds: int = ROUNDS, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the alternating rounds; return ``remote_over_local`` and what it came from."""
    from helpers.serving.process import ServerProcess

    photos = _photos()
    config = {"PERFORMANCE_HINT": "THROUGHPUT"}
    compiled = models.build_static_classifier(ov.Core(), paths.SHIPPED_MODEL, "CPU", config)
    runs: dict[str, list[float]] = {"local": [], "remote": []}
    per_cpu: dict[str, list[float]] = {"local": [], "remote": []}
    with ServerProcess("--device", "CPU", "--hint", "THROUGHPUT", "--precision", "default") as server:
        cpu = cpu_meter(server.proc.pid)
        say(f"remote: classify-serve ready on {server.grpc_url}; {rounds} rounds of {seconds:g} s per side")
        local_fps(compiled, photos, 0.2)  # warm-up, both sides
        asyncio.run(remote_fps(server.grpc_url, photos, 0.2))
        for r in range(rounds):
            order = ("local", "remote") if r % 2 == 0 else ("remote", "local")
            for side in order:
                t0, c0 = time.perf_counter(), cpu(side)
                if side == "local":
                    runs[side].append(local_fps(compiled, photos, seconds))
                else:
                    runs[side].append(asyncio.run(remote_fps(server.grpc_url, photos, seconds)))
                used = cpu(side) - c0
                if used > 0:
                    per_cpu[side].append(runs[side][-1] * (time.perf_counter() - t0) / used)
            say(
                f"remote: round {r + 1}: local {runs['local'][-1]:.1f}, remote {runs['remote'][-1]:.1f} img/s"
            )
    local, remote = statistics.median(runs["local"]), statistics.median(runs["remote"])
    results = {
        "remote_in_flight": IN_FLIGHT,
        "remote_local_fps": local,
        "remote_fps": remote,
        "remote_over_local": remote / local,
        "remote_rounds": runs,
        "table_rows": [
            [f"remote KServe v2 gRPC, {IN_FLIGHT} in flight", f"{remote:.1f} images/s", "", ""],
            [f"local AsyncInferQueue, {IN_FLIGHT} in flight", f"{local:.1f} images/s", "", ""],
            ["→ remote_over_local", "", f"{remote / local:.2f}", ""],
        ],
    }
    if per_cpu["local"] and per_cpu["remote"]:
        results["remote_over_local_per_cpu"] = statistics.median(per_cpu["remote"]) / statistics.median(
            per_cpu["local"]
        )
        results["remote_images_per_cpu_second"] = per_cpu
    return results


if __name__ == "__main__":
    if not serve_extra_installed():
        print(
            "benchmarks/remote_over_local.py needs the serve extra: pip install -e '.[serve]'",
            file=sys.stderr,
        )
        sys.exit(2)
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    print(json.dumps(measure(seconds, say=lambda m: print(m, file=sys.stderr)), indent=2))
