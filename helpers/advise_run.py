"""The advisor's measurements in order: costs and limit, sync against the queue, the requests x hint sweep.

``Advisor`` holds the model (``helpers.advise``), the photos and the compiled models; each step
returns plain numbers that ``helpers.advise_verdict`` turns into the bound and the advice.
Competing loops take turns (AB, BA, ...) and report medians, so a burst of load hits all alike.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openvino as ov
from tqdm.auto import tqdm

from helpers import advise, images, pipeline
from helpers.advise import Run, percentiles_ms, timed_paths

SWEEP_JOBS = (1, 2, 4, 8)
HINTS = ("LATENCY", "THROUGHPUT")
LOOPS = ("sync", "queue", "queue + decode-ahead")


@dataclass(frozen=True)
class Costs:
    """CPU per image: decode + resize on the host, inference per hint; the physical limit they give."""

    cores: int
    decode_ms: float
    infer_ms: dict[str, float]

    @property
    def best_infer_ms(self) -> float:
        """The cheaper hint's inference CPU per image."""
        return min(self.infer_ms.values())

    @property
    def limit_fps(self) -> float:
        """cores / (decode CPU + inference CPU per image): no pipeline on these cores can beat it."""
        return self.cores / ((self.decode_ms + self.best_infer_ms) / 1e3)


@dataclass(frozen=True)
class Point:
    """One measured setting: images/s and per-image latency percentiles."""

    name: str
    hint: str
    jobs: int
    fps: float
    latency_ms: dict[str, float]
    callback_busy: float = 0.0  # share of the wall time a callback was running

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "hint": self.hint,
            "jobs": self.jobs,
            "fps": self.fps,
            **{f"{k}_ms": v for k, v in self.latency_ms.items()},
        }


@contextmanager
def progress_bar(bar: Any, total: int, desc: str) -> Iterator[Any]:
    """``bar`` if given (a caller's bar counts every step); else a new one of ``total`` steps (tqdm.auto)."""
    if bar is not None:
        yield bar
        return
    with tqdm(total=total, desc=desc, leave=False) as own:
        yield own


def cpu_ticks() -> tuple[int, int] | None:
    """(idle, total) CPU ticks of the whole machine since boot, from /proc/stat (Linux); else None."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            values = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return values[3] + (values[4] if len(values) > 4 else 0), sum(values[:8])


def idle_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """Share of the machine's CPU time that was idle between two ``cpu_ticks`` readings."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def summarise(name: str, hint: str, jobs: int, runs: list[Run]) -> Point:
    """Median images/s over runs; latency percentiles over every image of every run."""
    latencies = [x for r in runs for x in r.latencies]
    busy = sum(r.callback_seconds for r in runs) / max(sum(r.seconds for r in runs), 1e-9)
    return Point(name, hint, jobs, statistics.median(r.fps for r in runs), percentiles_ms(latencies), busy)


def best_point(points: list[Point]) -> Point:
    """The most images/s; among settings within 5 % of it, the lowest p95 latency."""
    top = max(p.fps for p in points)
    return min((p for p in points if p.fps >= 0.95 * top), key=lambda p: p.latency_ms["p95"])


@dataclass
class Advisor:
    """One model on one device with one folder of photos; ``callback(request, name)`` is the per-result work.

    ``seconds`` is the length of one timed run (each also does at least a few images).
    """

    core: ov.Core
    info: advise.ModelInfo
    files: list[Path]
    prep: advise.Preprocessing = advise.IMAGENET
    device: str = "CPU"
    callback: advise.UserCallback | None = None
    seconds: float = 0.5
    rounds: int = 3
    workers: int = field(default_factory=pipeline.default_workers)
    callback_errors: list[str] = field(default_factory=list)
    idle: float | None = None  # the machine's idle CPU share during the sweep (Linux)
    _compiled: dict[str, ov.CompiledModel] = field(default_factory=dict, repr=False)
    _queues: dict[tuple[str, int], ov.AsyncInferQueue] = field(default_factory=dict, repr=False)

    def compiled(self, hint: str) -> ov.CompiledModel:
        """The preprocessed model compiled under ``hint`` (once)."""
        if hint not in self._compiled:
            device = "AUTO" if hint == "CUMULATIVE_THROUGHPUT" else self.device
            model = advise.preprocessed(self.core, self.info, self.prep)
            self._compiled[hint] = advise.compile_for(self.core, model, device, hint)
        return self._compiled[hint]

    def queue(self, hint: str, jobs: int) -> ov.AsyncInferQueue:
        """An ``AsyncInferQueue`` of ``jobs`` requests (0: OPTIMAL_NUMBER_OF_INFER_REQUESTS), warmed up."""
        if (hint, jobs) not in self._queues:
            q = ov.AsyncInferQueue(self.compiled(hint), jobs)
            if self.callback is not None:
                advise.with_callback(q, self.callback)
            batches = advise.decoded_here(self.files[:1] * 2 * len(q), self.info)
            advise.timed_queue_run(q, batches, self.callback)
            self._queues[hint, jobs] = q
        return self._queues[hint, jobs]

    def hints(self) -> tuple[str, ...]:
        """LATENCY and THROUGHPUT; CUMULATIVE_THROUGHPUT (on AUTO) where more than one device exists."""
        many = len(self.core.available_devices) > 1
        return HINTS + ("CUMULATIVE_THROUGHPUT",) if many else HINTS

    def paths(self, min_images: int = 0) -> Any:
        """The photos, cycled for one run of ``seconds``."""
        return timed_paths(self.files, self.seconds, max(min_images, 3))

    def costs(self, bar: Any = None) -> Costs:
        """Decode + resize CPU per photo and inference CPU per image under LATENCY and THROUGHPUT."""
        with progress_bar(bar, 1 + len(HINTS), "costs") as bar:
            decode = advise.decode_cpu(self.files, self.info, self.seconds)
            bar.update(1)
            batches = [advise.host_work(p, self.info) for p in self.files[:4]]
            infer = {}
            for h in HINTS:
                infer[h] = advise.infer_cpu(self.compiled(h), batches, self.seconds)
                bar.update(1)
        return Costs(advise.usable_cores(), decode * 1e3, {h: v * 1e3 for h, v in infer.items()})

    def loops(self) -> dict[str, Callable[[], Run]]:
        """The three loops of the comparison: sync (LATENCY), queue, queue + decode-ahead (THROUGHPUT)."""
        request = self.compiled("LATENCY").create_infer_request()
        plain = self.queue("THROUGHPUT", 0)
        ahead = self.queue("THROUGHPUT", pipeline.default_jobs(self.compiled("THROUGHPUT")))
        return {
            "sync": lambda: advise.run_sync(request, self.paths(), self.info, self.callback),
            "queue": lambda: advise.timed_queue_run(
                plain, advise.decoded_here(self.paths(len(plain) + 2), self.info), self.callback
            ),
            "queue + decode-ahead": lambda: self.ahead(ahead),
        }

    def ahead(self, queue: ov.AsyncInferQueue) -> Run:
        """The pipeline of notebook 04: decode ahead on ``workers`` threads, feed ``queue``."""
        depth = len(queue) + self.workers
        decoded = advise.decoded_ahead(self.paths(len(queue) + 2), self.info, self.workers, depth)
        return advise.timed_queue_run(queue, decoded, self.callback)

    def in_turns(
        self, loops: dict[Any, Callable[[], Run]], rounds: int, bar: Any, desc: str
    ) -> dict[Any, list[Run]]:
        """Each loop once per round, in reverse order every other round; callback errors kept."""
        runs: dict[Any, list[Run]] = {key: [] for key in loops}
        keys = list(loops)
        with progress_bar(bar, rounds * len(keys), desc) as bar:
            for r in range(rounds):
                for key in keys if r % 2 == 0 else keys[::-1]:
                    runs[key].append(loops[key]())
                    self.callback_errors += runs[key][-1].callback_errors
                    bar.update(1)
        return runs

    def compare(self, bar: Any = None) -> dict[str, Point]:
        """Sync, queue and queue + decode-ahead in alternating rounds; medians and latency percentiles."""
        loops = self.loops()
        runs = self.in_turns(loops, self.rounds, bar, "sync vs queue")
        jobs = {"sync": 1, "queue": len(self.queue("THROUGHPUT", 0))}
        jobs["queue + decode-ahead"] = pipeline.default_jobs(self.compiled("THROUGHPUT"))
        hint = {"sync": "LATENCY"}
        return {n: summarise(n, hint.get(n, "THROUGHPUT"), jobs[n], runs[n]) for n in loops}

    def sweep(self, bar: Any = None, rounds: int = 2) -> list[Point]:
        """Decode-ahead pipeline at 1, 2, 4, 8 requests under each hint, in alternating rounds."""
        settings = [(h, n) for h in self.hints() for n in SWEEP_JOBS]
        ticks = cpu_ticks()
        # each queue is made (and warmed up) at its first run, as the rounds reach it
        pipelines = {(h, n): lambda h=h, n=n: self.ahead(self.queue(h, n)) for h, n in settings}
        runs = self.in_turns(pipelines, rounds, bar, "sweep")
        self.idle = idle_share(ticks, cpu_ticks())
        return [summarise(f"{h} x{n}", h, n, runs[h, n]) for h, n in settings]

    def confirm(self, best: Point, bar: Any = None) -> tuple[Point, Point]:
        """Sync and ``best`` again, in alternating rounds: the gain over sync from runs taken together.

        ``best`` won among many short runs, so its own figure leans high, and sync's figure comes
        from other runs; this pair is what the verdict's ``x sync`` divides.
        """
        loops = self.loops()
        if best.name not in loops:  # a point of the sweep: its decode-ahead pipeline
            queue = self.queue(best.hint, best.jobs)
            loops[best.name] = lambda: self.ahead(queue)
        pair = {"sync": loops["sync"], best.name: loops[best.name]}
        runs = self.in_turns(pair, self.rounds, bar, "best against sync")
        return (
            summarise("sync", "LATENCY", 1, runs["sync"]),
            summarise(best.name, best.hint, best.jobs, runs[best.name]),
        )

    def steps(self, sweep_rounds: int = 2) -> int:
        """How many timed runs ``measure`` makes (for a progress bar)."""
        sweep = sweep_rounds * len(self.hints()) * len(SWEEP_JOBS)
        return 1 + len(HINTS) + len(LOOPS) * self.rounds + sweep + 2 * self.rounds

    def measure(self, progress: bool = True, sweep_rounds: int = 2) -> Measurements:
        """Every measurement, with a progress bar (stderr; a widget in Jupyter) unless ``progress``."""
        with tqdm(total=self.steps(sweep_rounds), desc="measuring", disable=not progress, leave=False) as bar:
            costs = self.costs(bar)
            compared = self.compare(bar)
            swept = self.sweep(bar, sweep_rounds)
            found = Measurements(costs, compared, swept, self.callback is not None, self.workers, self.idle)
            confirmed = self.confirm(found.best, bar)
        return replace(found, confirmed=confirmed)


@dataclass(frozen=True)
class Measurements:
    """What the advisor measured: costs, the three loops, the sweep."""

    costs: Costs
    compared: dict[str, Point]
    sweep: list[Point]
    has_callback: bool = False
    workers: int = 2
    idle: float | None = None  # the machine's idle CPU share during the sweep, where known
    confirmed: tuple[Point, Point] | None = None  # sync and the best, run again in turns (Advisor.confirm)

    @property
    def best(self) -> Point:
        """The best setting of the sweep and the comparison's queues."""
        return best_point([*self.sweep, *(p for n, p in self.compared.items() if n != "sync")])


def photo_files(folder: str | os.PathLike[str]) -> tuple[list[Path], list[str]]:
    """The image files of a folder (or the given files) that decode; one line per file that does not."""
    good: list[Path] = []
    bad: list[str] = []
    for item in images.expand_inputs([folder] if isinstance(folder, str | os.PathLike) else folder):
        if isinstance(item, images.ImageReadError):
            bad.append(str(item))
            continue
        try:
            images.read_for_model(item, 8)
        except images.ImageReadError as exc:
            bad.append(str(exc))
            continue
        good.append(item)
    return good, bad
