"""The advisor's verdict: what bounds the pipeline (host, inference, requests, callback) and what to try.

Rules, in order, on ``helpers.advise_run.Measurements``:

1. **callback**: a per-result callback was given and was running for at least half of the wall
   time of the queue runs: the results wait for it, whatever the requests and cores do;
2. **requests**: the best setting is well below the physical limit (< 70 %), it uses the most
   requests swept, throughput still climbs from 2 to 8 requests (x1.3 or more), and the cores sat
   idle (>= 25 % of the machine's CPU time during the sweep, where the OS tells): a busy machine
   is not a sign of too few requests;
3. otherwise the larger side of the CPU cost per image: **host** (decode + resize) or **inference**.

Async cannot beat the limit ``cores / (decode + inference CPU per image)``; when the best
setting, run again in turns with sync (``Measurements.confirmed``), is within 15 % of sync, the
verdict says that async cannot help much here.
"""

from __future__ import annotations

import json
from typing import Any

from helpers.advise_run import SWEEP_JOBS, Measurements, Point

BOUNDS = ("host", "inference", "requests", "callback")
CALLBACK_BUSY = 0.5
BELOW_LIMIT = 0.7
STILL_CLIMBING = 1.3
LITTLE_GAIN = 1.15
IDLE = 0.25


def callback_busy(m: Measurements) -> float:
    """Largest share of wall time a callback was running, over the queue runs."""
    return max((p.callback_busy for p in [*m.sweep, *m.compared.values()] if p.name != "sync"), default=0.0)


def climbing(m: Measurements, hint: str) -> float:
    """images/s at the most requests over images/s at 2 requests, for one hint."""
    fps = {p.jobs: p.fps for p in m.sweep if p.hint == hint}
    low, high = fps.get(2), fps.get(max(SWEEP_JOBS))
    return high / low if low and high else 1.0


def bottleneck(m: Measurements) -> str:
    """One of ``BOUNDS`` (see the module docstring for the rules)."""
    if m.has_callback and callback_busy(m) >= CALLBACK_BUSY:
        return "callback"
    best = m.best
    if (
        best.fps < BELOW_LIMIT * m.costs.limit_fps
        and best.jobs == max(SWEEP_JOBS)
        and climbing(m, best.hint) >= STILL_CLIMBING
        and (m.idle is None or m.idle >= IDLE)
    ):
        return "requests"
    return "host" if m.costs.decode_ms >= m.costs.best_infer_ms else "inference"


def lever(m: Measurements, bound: str, devices: list[str]) -> str:
    """What to try next: a real lever for the bound."""
    c = m.costs
    if bound == "callback":
        cb_ms = 1e3 * m.best.callback_busy / max(m.best.fps, 1e-9)
        return (
            f"Next: move the work out of the callback (about {cb_ms:.0f} ms per result): store the output "
            "and process it in another thread, or read results without a callback as helpers.pipeline does."
        )
    if bound == "requests":
        return (
            f"Next: more requests in flight (throughput still rose {climbing(m, m.best.hint):.1f}x from 2 "
            f"to {max(SWEEP_JOBS)}): try AsyncInferQueue(compiled, {2 * max(SWEEP_JOBS)}) or --jobs "
            f"{2 * max(SWEEP_JOBS)}."
        )
    if bound == "host":
        more = (
            f"more decode workers (up to the {c.cores} cores; {m.workers} now), "
            if m.workers < c.cores
            else ""
        )
        return (
            f"Next: make the host work cheaper: {more}resize inside the graph with PrePostProcessor, "
            f"or store the photos nearer the model's input size; a faster device would not help, decoding is "
            f"{c.decode_ms / (c.decode_ms + c.best_infer_ms):.0%} of the CPU per image."
        )
    others = [d for d in devices if d != "CPU"]
    device = f"another device ({', '.join(others)})" if others else "another device (GPU or NPU)"
    return (
        f"Next: make the inference cheaper: a quantized INT8 model (NNCF), a smaller input, or {device}; "
        f"inference is {c.best_infer_ms / (c.decode_ms + c.best_infer_ms):.0%} of the CPU per image."
    )


def _gain(sync: Point, best: Point) -> float:
    return best.fps / sync.fps if sync.fps else 0.0


def advice(m: Measurements, devices: list[str]) -> list[str]:
    """The verdict: two or three sentences with the numbers."""
    c, best, sync = m.costs, m.best, m.compared["sync"]
    bound = bottleneck(m)
    what = {
        "host": "the host work (decode + resize)",
        "inference": "the inference",
        "requests": "too few requests in flight",
        "callback": "the callback",
    }[bound]
    first = (
        f"Bound by {what}: {c.decode_ms:.1f} ms decode + {c.best_infer_ms:.1f} ms inference CPU per image on "
        f"{c.cores} cores give a ceiling of {c.limit_fps:.1f} images/s."
    )
    gain = _gain(sync, best)
    second = (
        f"Best: {best.hint} with {best.jobs} requests, {best.fps:.1f} images/s "
        f"({best.fps / c.limit_fps:.0%} of the ceiling), p95 latency "
        f"{best.latency_ms['p95']:.0f} ms against sync's {sync.latency_ms['p95']:.0f} ms"
    )
    if m.confirmed is not None:  # the gain from runs taken in turns, not the winner of many short runs
        again_sync, again_best = m.confirmed
        gain = _gain(again_sync, again_best)
        second += (
            f"; run again in turns with sync, {again_best.fps:.1f} against {again_sync.fps:.1f} images/s: "
            f"{gain:.2f}x sync"
        )
    else:
        second += f"; {gain:.2f}x sync"
    if gain < LITTLE_GAIN:
        second += "; async cannot help much here"
    if m.idle is not None and m.idle < 0.1 and best.fps < 0.5 * c.limit_fps:
        second += f"; other programs kept the cores busy (idle {m.idle:.0%}), so every rate here is low"
    second += "."
    return [first, second, lever(m, bound, devices)]


def to_json(m: Measurements, devices: list[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON object of ``--advise --format json``."""
    sync, ahead = m.compared["sync"], m.compared["queue + decode-ahead"]
    best = m.best
    return {
        **(extra or {}),
        "bottleneck": bottleneck(m),
        "limit_fps": m.costs.limit_fps,
        "cores": m.costs.cores,
        "decode_cpu_ms": m.costs.decode_ms,
        "infer_cpu_ms": m.costs.best_infer_ms,
        "infer_cpu_ms_by_hint": m.costs.infer_ms,
        "sync_fps": sync.fps,
        "async_fps": ahead.fps,
        "queue_fps": m.compared["queue"].fps,
        "latency_ms": {"sync": sync.latency_ms, "async": ahead.latency_ms},
        "callback_busy": callback_busy(m) if m.has_callback else None,
        "machine_idle": m.idle,
        "best": {"hint": best.hint, "jobs": best.jobs, "fps": best.fps, "p95_ms": best.latency_ms["p95"]},
        "confirmed": None
        if m.confirmed is None
        else {"sync_fps": m.confirmed[0].fps, "best_fps": m.confirmed[1].fps, "gain": _gain(*m.confirmed)},
        "sweep": [p.as_dict() for p in m.sweep],
        "advice": advice(m, devices),
    }


def _row(name: str, p: Point) -> str:
    lat = p.latency_ms
    cells = f"{p.fps:9.1f} {lat['p50']:8.1f} {lat['p95']:8.1f} {lat['p99']:8.1f}"
    return f"{name:24} {p.hint:22} {p.jobs:>4} {cells}"


def table(m: Measurements) -> str:
    """The measurements as a text table: costs, the three loops, the sweep (best marked)."""
    c = m.costs
    lines = [
        f"decode + resize CPU per image: {c.decode_ms:8.2f} ms",
        *(f"inference CPU per image, {h:10}: {v:6.2f} ms" for h, v in c.infer_ms.items()),
        f"physical limit: {c.cores} cores / ({c.decode_ms:.2f} + {c.best_infer_ms:.2f} ms) = "
        f"{c.limit_fps:.1f} images/s",
        "",
        f"{'loop':24} {'hint':22} {'jobs':>4} {'images/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
        *(_row(name + (" (best)" if p == m.best else ""), p) for name, p in m.compared.items()),
        *(_row("sweep" + (" (best)" if p == m.best else ""), p) for p in m.sweep),
    ]
    return "\n".join(lines)


def dumps(obj: dict[str, Any]) -> str:
    """One line of JSON (NaN written as null)."""
    return json.dumps(obj, allow_nan=False, default=str) if _finite(obj) else json.dumps(_clean(obj))


def _finite(obj: Any) -> bool:
    try:
        json.dumps(obj, allow_nan=False, default=str)
    except ValueError:
        return False
    return True


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and obj != obj:
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj
