"""``classify-async`` against its peer, the samples' loop (``sample_loop.py``), as whole processes.

Both read the same folder of photos (the six sample photos repeated, as links), print every
result and exit; what is timed is each process from start to exit (wall time, and its CPU time
from ``getrusage``), start-up included. The two alternate in paired rounds (A B, B A, ...), and
``cli_over_sample_loop_<n>`` is the median over the rounds of the pair's ratio
``sample loop seconds / classify-async seconds``: above 1 the CLI is faster. Both run at the
device's default precision (the CLI's default and the sample's). Over many photos the CLI compiles
with the THROUGHPUT hint, and a third side runs it at the samples' hint (``--hint latency``):
``cli_at_sample_hint_over_sample_loop_<n>`` shows what the hint buys apart from the rest. One
unrecorded run of each side comes first, so that files and libraries are in the page cache and the
CLI's compiled-model cache (``.cache/openvino``, its usual state after a first run) is filled.

``python benchmarks/peer.py [--rounds N] [--photos N ...]`` runs this comparison alone and prints
its table; ``make bench`` runs it as part of the whole benchmark (``bench.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PHOTOS = (1, 600)  # start-up alone, and the six sample photos 100 times each
ROUNDS = {1: 10, 600: 5}
SIDES = ("sample_loop", "cli")
# Over many photos the CLI compiles with the THROUGHPUT hint (``helpers.cli.app.chosen_hint``); a third side
# runs it at the samples' hint (``--hint latency``), so that the hint and the rest are seen apart.
SAMPLE_HINT_SIDE = "cli_at_sample_hint"
TARGETS = {1: 1.0, 600: 1.15}


class PeerError(RuntimeError):
    """A side exited with an error; ``str()`` is one line."""


@dataclass(frozen=True)
class ProcessRun:
    """One whole process: wall seconds from start to exit, and its CPU seconds (user + system)."""

    seconds: float
    cpu_seconds: float


def photo_folder(root: Path, files: Sequence[Path], count: int) -> Path:
    """A folder of ``count`` links to ``files`` in turn, named so that sorting keeps that order."""
    folder = root / f"photos-{count}"
    folder.mkdir()
    for i in range(count):
        source = files[i % len(files)]
        link = folder / f"{i:05d}-{source.name}"
        try:
            link.symlink_to(source)
        except OSError:  # no symlinks (some Windows set-ups): a copy reads the same
            link.write_bytes(source.read_bytes())
    return folder


def commands(folder: Path, sides: Sequence[str] = SIDES) -> dict[str, list[str]]:
    """The sides' command lines over ``folder``, all at the device's default precision."""
    cli = [sys.executable, "-m", "helpers.cli", "-i", str(folder)]
    every = {
        "sample_loop": [sys.executable, str(HERE / "sample_loop.py"), "-i", str(folder)],
        "cli": cli,
        SAMPLE_HINT_SIDE: [*cli, "--hint", "latency"],
    }
    return {side: every[side] for side in sides}


def run_process(cmd: list[str]) -> ProcessRun:
    """Run one side to its exit (results to /dev/null) and time it; raise ``PeerError`` if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise PeerError(f"{Path(cmd[1]).name if cmd[1] != '-m' else cmd[2]} exited {proc.returncode}: {last}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return ProcessRun(seconds, cpu)


def default_precision() -> str:
    """The CPU's default ``INFERENCE_PRECISION_HINT`` (what both sides run at)."""
    import openvino as ov

    return ov.Core().get_property("CPU", "INFERENCE_PRECISION_HINT").get_type_name()


def measure(
    files: Sequence[Path],
    photos: Sequence[int] = PHOTOS,
    rounds: dict[int, int] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Paired rounds for each photo count; the figures and every round, for ``latest.json``."""
    rounds = rounds or {}
    found: dict[str, Any] = {"peer_photos": list(photos), "peer_precision": default_precision(), "peer": {}}
    with tempfile.TemporaryDirectory(prefix="peer-") as tmp:
        for count in photos:
            sides = SIDES if count == 1 else (*SIDES, SAMPLE_HINT_SIDE)
            cmds = commands(photo_folder(Path(tmp), files, count), sides)
            for side in sides:  # warm-up, not recorded
                run_process(cmds[side])
            runs: dict[str, list[ProcessRun]] = {side: [] for side in sides}
            n = rounds.get(count, ROUNDS.get(count, 5))
            for r in range(n):
                for side in sides if r % 2 == 0 else sides[::-1]:
                    runs[side].append(run_process(cmds[side]))
                ratio = runs["sample_loop"][-1].seconds / runs["cli"][-1].seconds
                sample_s, cli_s = runs["sample_loop"][-1].seconds, runs["cli"][-1].seconds
                say(
                    f"peer, {count} photo{'s' if count > 1 else ''}, round {r + 1}/{n}: samples' loop "
                    f"{sample_s:.2f} s, classify-async {cli_s:.2f} s (ratio {ratio:.2f})"
                )
            ratios = [s.seconds / c.seconds for s, c in zip(runs["sample_loop"], runs["cli"], strict=True)]
            found[f"cli_over_sample_loop_{count}"] = float(statistics.median(ratios))
            found["peer"][str(count)] = {
                "ratios": ratios,
                **{f"{side}_seconds": [x.seconds for x in runs[side]] for side in sides},
                **{f"{side}_cpu_seconds": [x.cpu_seconds for x in runs[side]] for side in sides},
                **{
                    f"{side}_median_seconds": float(statistics.median(x.seconds for x in runs[side]))
                    for side in sides
                },
                **{
                    f"{side}_median_cpu_seconds": float(statistics.median(x.cpu_seconds for x in runs[side]))
                    for side in sides
                },
            }
            if SAMPLE_HINT_SIDE in runs:
                at_hint = [
                    s.seconds / c.seconds
                    for s, c in zip(runs["sample_loop"], runs[SAMPLE_HINT_SIDE], strict=True)
                ]
                found["peer"][str(count)]["ratios_at_sample_hint"] = at_hint
                found[f"cli_at_sample_hint_over_sample_loop_{count}"] = float(statistics.median(at_hint))
    found["peer_targets"] = {str(k): v for k, v in TARGETS.items() if k in photos}
    return found


def table_rows(r: dict[str, Any]) -> list[list[str]]:
    """Rows for the bench's table: each side's median seconds, and the ratio against its target."""
    rows = []
    for count in r["peer_photos"]:
        p = r["peer"][str(count)]
        what = "1 photo (start-up)" if count == 1 else f"{count} photos"
        ratio = r[f"cli_over_sample_loop_{count}"]
        target = r["peer_targets"].get(str(count))
        mark = "" if target is None else f"≥ {target:.2f} {'✅' if ratio >= target else '❌'}"
        cpu = {side: p.get(f"{side}_median_cpu_seconds") for side in (*SIDES, SAMPLE_HINT_SIDE)}
        cpu_text = {k: "" if v is None else f", {v:.2f} s CPU" for k, v in cpu.items()}
        rows += [
            [
                f"samples' loop, {what}, whole process",
                f"{p['sample_loop_median_seconds']:.2f} s{cpu_text['sample_loop']}",
                "",
                "",
            ],
            [
                f"classify-async, {what}, whole process",
                f"{p['cli_median_seconds']:.2f} s{cpu_text['cli']}",
                "",
                "",
            ],
            [
                f"→ cli_over_sample_loop_{count} (median of {len(p['ratios'])} pairs: "
                + ", ".join(f"{x:.2f}" for x in p["ratios"])
                + ")",
                "",
                f"{ratio:.2f}",
                mark,
            ],
        ]
        if "ratios_at_sample_hint" in p:
            rows += [
                [
                    f"classify-async at the samples' hint (`--hint latency`), {what}",
                    f"{p[SAMPLE_HINT_SIDE + '_median_seconds']:.2f} s{cpu_text[SAMPLE_HINT_SIDE]}",
                    "",
                    "",
                ],
                [
                    f"→ cli_at_sample_hint_over_sample_loop_{count} (pairs: "
                    + ", ".join(f"{x:.2f}" for x in p["ratios_at_sample_hint"])
                    + ")",
                    "",
                    f"{r[f'cli_at_sample_hint_over_sample_loop_{count}']:.2f}",
                    "",
                ],
            ]
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the comparison alone and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, nargs="+", default=list(PHOTOS), help="photo counts (1 600)")
    parser.add_argument("--rounds", type=int, default=None, help="paired rounds per count (10 at 1, 5 else)")
    parser.add_argument("--json", type=Path, default=None, help="also write every round to this JSON file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from helpers import images, paths

    files = images.list_image_files(paths.IMAGES_DIR)
    rounds = dict.fromkeys(args.photos, args.rounds) if args.rounds else None
    say = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    try:
        r = measure(files, args.photos, rounds, say)
    except PeerError as exc:
        print(f"peer: {exc}", file=sys.stderr)
        return 2
    if args.json is not None:
        args.json.write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
    print(f"precision {r['peer_precision']}, load average {os.getloadavg()}\n")
    print("| measurement | value | ratio | target |\n|---|---:|---:|---|")
    for row in table_rows(r):
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
