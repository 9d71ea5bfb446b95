"""`make bench` runs end to end: a quick run writes latest.json with every key, a chart and the table.

Behaviour only: the numbers are checked to be measured (positive, consistent ratios), never timed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from types import SimpleNamespace

import pytest

from helpers import paths
from helpers.paths import REPO_ROOT

REQUIRED_KEYS = [
    "benchmark_app_fps",
    "queue_fps",
    "queue_over_benchmark_app",
    "main_thread_us_per_image",
    "decode_cpu_ms_per_image",
    "infer_cpu_ms_per_image",
    "limit_fps",
    "async_over_limit",
    "async_equal_priority_fps",
    "equal_priority_over_limit",
    "async_e2e_cpu_ms_per_image",
    "sync_e2e_fps",
    "async_e2e_fps",
    "async_over_sync",
    "ppp_over_python_prep",
    "cpu_count",
    "seconds_per_round",
    "cli_over_sample_loop_1",
]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, dict, object]:
    out = tmp_path_factory.mktemp("bench")
    # The comparison with the samples' loop runs whole processes: 1 photo and 12 here, not 600.
    env = {**os.environ, "BENCH_SECONDS": "0.3", "BENCH_RESULTS_DIR": str(out), "BENCH_PEER_PHOTOS": "12"}
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "bench.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        cwd=out,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc, json.loads((out / "latest.json").read_text(encoding="utf-8")), out


def test_latest_json_has_every_key_measured(quick_run) -> None:
    _, results, _ = quick_run
    for key in REQUIRED_KEYS:
        assert isinstance(results[key], (int, float)) and results[key] > 0, key
    assert results["openvino_version"].startswith("20")
    assert results["seconds_per_round"] == pytest.approx(0.3)


def test_ratios_are_the_ratios_of_the_reported_rates(quick_run) -> None:
    _, r, _ = quick_run
    assert r["queue_over_benchmark_app"] == pytest.approx(r["queue_fps"] / r["benchmark_app_fps"])
    assert r["async_over_sync"] == pytest.approx(r["async_e2e_fps"] / r["sync_e2e_fps"])
    assert r["ppp_over_python_prep"] == pytest.approx(r["async_e2e_fps"] / r["python_prep_async_fps"])
    per_image_ms = r["decode_cpu_ms_per_image"] + r["infer_cpu_ms_per_image"]
    assert r["limit_fps"] == pytest.approx(r["cores"] * 1000 / per_image_ms)
    assert r["async_over_limit"] == pytest.approx(r["async_e2e_fps"] / r["limit_fps"])
    assert r["equal_priority_over_limit"] == pytest.approx(r["async_equal_priority_fps"] / r["limit_fps"])


def test_every_round_is_kept_and_each_figure_is_their_median(quick_run) -> None:
    _, r, _ = quick_run
    rounds = r["rounds"]
    for key, comparison in (
        ("benchmark_app_fps", "ceiling"),
        ("queue_fps", "ceiling"),
        ("main_thread_us_per_image", "ceiling"),
        ("decode_cpu_ms_per_image", "e2e"),
    ):
        assert len(rounds[key]) == r["rounds_per_comparison"][comparison] == 1, key
        assert r[key] == pytest.approx(statistics.median(rounds[key])), key
    assert r["async_e2e_fps"] == pytest.approx(statistics.median(rounds["async_ppp_fps"]))
    equal = rounds["async_equal_priority_fps"]
    assert r["async_equal_priority_fps"] == pytest.approx(statistics.median(equal))


def test_the_cli_is_compared_with_the_samples_loop_as_whole_processes(quick_run) -> None:
    proc, r, _ = quick_run
    assert r["peer_photos"] == [1, 12]
    assert r["peer_precision"] in {"f32", "bf16", "f16"}
    for count in (1, 12):
        runs = r["peer"][str(count)]
        assert len(runs["ratios"]) == 1  # --quick: one pair per count
        for side in ("sample_loop", "cli"):
            # a whole process: it took time and used CPU
            assert runs[f"{side}_seconds"][0] > 0 and runs[f"{side}_cpu_seconds"][0] > 0, side
        assert runs["ratios"][0] == pytest.approx(runs["sample_loop_seconds"][0] / runs["cli_seconds"][0])
        assert r[f"cli_over_sample_loop_{count}"] == pytest.approx(statistics.median(runs["ratios"]))
        assert f"cli_over_sample_loop_{count}" in proc.stdout
    # over many photos the CLI also runs at the samples' hint, to take the speed-up apart
    at_hint = r["peer"]["12"]["ratios_at_sample_hint"]
    assert at_hint[0] == pytest.approx(
        r["peer"]["12"]["sample_loop_seconds"][0] / r["peer"]["12"]["cli_at_sample_hint_seconds"][0]
    )
    assert r["cli_at_sample_hint_over_sample_loop_12"] == pytest.approx(at_hint[0])
    assert "ratios_at_sample_hint" not in r["peer"]["1"]
    # the bigger folder takes both sides longer than one photo does
    assert r["peer"]["12"]["sample_loop_cpu_seconds"][0] > r["peer"]["1"]["sample_loop_cpu_seconds"][0]
    assert r["peer"]["12"]["cli_cpu_seconds"][0] > r["peer"]["1"]["cli_cpu_seconds"][0]


def test_the_samples_loop_classifies_like_the_cli(tmp_path) -> None:
    sample = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "sample_loop.py"), "-i", str(paths.IMAGES_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert sample.returncode == 0, sample.stderr[-2000:]
    lines = sample.stdout.splitlines()
    paths_seen = [ln.split("Image path: ")[1] for ln in lines if "Image path: " in ln]
    assert [os.path.basename(p) for p in paths_seen] == sorted(
        p.name for p in paths.IMAGES_DIR.iterdir() if p.suffix in {".png", ".jpg"}
    )
    top1 = {}
    for i, line in enumerate(lines):
        if "Image path: " in line:
            top1[os.path.basename(line.split("Image path: ")[1])] = int(lines[i + 4].split()[3])
    assert top1 == {  # the model card's top-1 (data/models/README.md)
        "cameraman.png": 872,
        "cat.png": 285,
        "coffee.png": 967,
        "grace_hopper.jpg": 652,
        "motorcycle.png": 665,
        "rocket.jpg": 657,
    }


def test_bad_bench_peer_photos_is_one_clear_line(tmp_path) -> None:
    env = {**os.environ, "BENCH_PEER_PHOTOS": "1", "BENCH_RESULTS_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "bench.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip() == "bench: BENCH_PEER_PHOTOS='1' is not a number of photos above 1"


def test_the_pipeline_and_the_ceiling_run_the_static_classifier(quick_run) -> None:
    _, r, _ = quick_run
    assert r["input_shape"] == [1, 224, 224, 3]
    assert "-data_shape" not in r["benchmark_app_args"]  # a static IR: benchmark_app needs no shape
    assert r["e2e_files"] == sorted(
        p.name for p in paths.IMAGES_DIR.iterdir() if p.suffix in {".png", ".jpg"}
    )


def test_an_extra_measurement_is_merged_into_the_results(tmp_path) -> None:
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    try:
        import bench
    finally:
        sys.path.pop(0)
    (tmp_path / "fake.py").write_text(
        "def measure(seconds, rounds, say):\n"
        "    return {'fake_fps': seconds * rounds, 'table_rows': [['fake', f'{seconds:g}', '', '']]}\n"
    )
    (tmp_path / "absent.py").write_text(
        "UNAVAILABLE = 'it needs an extra'\n"
        "def available():\n    return False\n"
        "def measure(seconds, rounds, say):\n    raise AssertionError('measured although unavailable')\n"
    )
    said: list[str] = []
    ctx = SimpleNamespace(seconds=2.0, rounds=5, say=said.append)
    found = bench.extras(ctx, ("missing", "fake", "absent"), tmp_path)
    assert found == {"fake_fps": 10.0, "table_rows": [["fake", "2", "", ""]]}
    assert "absent.py: skipped, it needs an extra" in said


def test_sweep_covers_both_hints_and_every_job_count(quick_run) -> None:
    _, r, _ = quick_run
    points = {(p["hint"], p["jobs"]) for p in r["sweep"] if p["fps"] > 0}
    assert points == {(h, j) for h in ("LATENCY", "THROUGHPUT") for j in (1, 2, 4, 8)}
    assert r["benchmark_app_inference_only"] is True
    assert r["benchmark_app_num_streams"] == [r["num_streams"]["THROUGHPUT"]]


def test_chart_and_table_are_written(quick_run) -> None:
    proc, r, out = quick_run
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| benchmark_app, THROUGHPUT, nireq" in proc.stdout
    assert f"{r['queue_over_benchmark_app']:.2f}" in proc.stdout
    assert "round 1/1" in proc.stderr  # progress lines for a person watching
    assert str(REPO_ROOT) not in proc.stdout  # no machine paths in what gets pasted into the README


def test_bad_bench_seconds_is_one_clear_line(tmp_path) -> None:
    env = {**os.environ, "BENCH_SECONDS": "fast", "BENCH_RESULTS_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "bench.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip() == "bench: BENCH_SECONDS='fast' is not a positive number of seconds"
    assert not (tmp_path / "latest.json").exists()
