"""Soak (issue 8): 20,000 inferences through one AsyncInferQueue with RSS measured every 2,000.

After the first 2,000 (warm-up: allocator pools, OpenVINO's per-shape caches) the resident set may
not grow by 5% or more. The network is EfficientNet-Lite0 reshaped to 96x96 (the same layers and
the same queue, callback and input paths as the course, at ~1/5 of the compute), so the run takes
about a minute on 2 cores. Run with ``make soak``; the figures are printed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import paths

TOTAL = 20_000
EVERY = 2_000
WARM_UP = 2_000
MAX_GROWTH = 0.05
NETWORK_SIZE = 96

SOAK = f"""
import itertools, json, sys, time
import numpy as np
import openvino as ov
import psutil
from helpers import models, paths, queue_runner

core = ov.Core()
model = models.read_model(core, paths.SHIPPED_MODEL)
model.reshape([1, 3, {NETWORK_SIZE}, {NETWORK_SIZE}])
config = {{"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "THROUGHPUT"}}
compiled = core.compile_model(models.add_preprocessing(model), "CPU", config)
rng = np.random.default_rng(0)
pictures = [rng.integers(0, 256, (1, 64, 64, 3), dtype=np.uint8) for _ in range(4)]
expected = [int(np.argmax(compiled(p)[0])) for p in pictures]
process = psutil.Process()
samples = []
t0 = time.perf_counter()

def sample(done):
    if done >= (len(samples) + 1) * {EVERY}:
        samples.append([done, process.memory_info().rss, time.perf_counter() - t0])
        print(json.dumps({{"done": done, "rss": samples[-1][1]}}), flush=True)

def top1(request):
    return int(np.argmax(request.get_output_tensor(0).data))

inputs = (pictures[i % 4] for i in range({TOTAL}))  # lazy: nothing accumulates in the caller
run = queue_runner.run_queue(compiled, inputs, store=top1, progress=sample)
wrong = sum(r != expected[i % 4] for i, r in enumerate(run.results))
print(json.dumps({{"samples": samples, "ok": run.ok, "wrong": wrong, "errors": len(run.errors),
                   "jobs": run.jobs, "seconds": run.seconds}}), flush=True)
"""


@pytest.mark.slow
def test_20000_inferences_through_the_queue_do_not_grow_rss():
    proc = subprocess.Popen(
        [sys.executable, "-c", SOAK],
        cwd=paths.REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in proc.stdout:  # live progress under `make soak` (-s)
        lines.append(line)
        progress = json.loads(line)
        if "done" in progress:
            print(f"  {progress['done']:>6} inferences  RSS {progress['rss'] / 2**20:7.1f} MiB", flush=True)
    err = proc.stderr.read()
    assert proc.wait() == 0, err[-3000:]
    out = json.loads(lines[-1])
    assert out["ok"] == TOTAL and out["wrong"] == 0 and out["errors"] == 0

    samples = out["samples"]
    # one sample per 2,000 completed (taken at the first progress call past each multiple)
    assert [done // EVERY for done, _, _ in samples] == list(range(1, TOTAL // EVERY + 1))
    base = samples[WARM_UP // EVERY - 1][1]
    after = [rss for _, rss, _ in samples[WARM_UP // EVERY :]]
    growth = (max(after) - base) / base
    print(
        f"\nsoak: {TOTAL} inferences, {out['jobs']} infer requests, {out['seconds']:.0f} s "
        f"({TOTAL / out['seconds']:.0f} inferences/s)"
    )
    print(
        f"RSS after warm-up ({WARM_UP}): {base / 2**20:.1f} MiB; max after: {max(after) / 2**20:.1f} MiB; "
        f"growth {growth * 100:+.2f}% (limit {MAX_GROWTH * 100:.0f}%)"
    )
    assert growth < MAX_GROWTH
