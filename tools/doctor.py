"""Workshop preflight check (``make doctor``, ``python tools/doctor.py``): one line per check.

Each line starts with ✓ or ✗; a failing line ends with a one-line fix. Checks marked "(optional)"
only warn. The exit status is 0 only when every needed check passes. Nothing is downloaded and
nothing is left behind: each course folder gets a temporary file, removed at once. OpenVINO and
Jupyter are imported inside their checks, so a missing package is one failing line, not a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers import paths

MIN_PYTHON = (3, 10)
MIN_OPENVINO = (2025, 0)
NEED_DISK_GB = 1.0
NEED_RAM_GB = 1.5
JUPYTER_PORT = 8888
WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
# The sample photo and its top-1 label, from the model card's table (data/models/README.md).
SAMPLE_PHOTO, SAMPLE_TOP1 = "coffee.png", "espresso"
INSTALL_FIX = "install the course: make lab, or offline wheelhouse/install.sh (install.ps1 on Windows)"
GB = 1024**3
# The register of known issues per release, written by `make releases` (docs/known-issues.md).
REGISTER = paths.REPO_ROOT / "tests" / "known_issues" / "register.json"


@dataclass(frozen=True)
class Check:
    """The outcome of one check: a short name, what was found, and the fix when it failed."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    needed: bool = True
    notes: tuple[str, ...] = ()  # printed indented under the check's line


def python_version(version: Sequence[int] | None = None) -> Check:
    """Python >= 3.10 (the course's requires-python)."""
    v = tuple(version or sys.version_info[:3])
    return Check(
        "Python", v[:2] >= MIN_PYTHON, ".".join(map(str, v)), "install Python 3.10, 3.11 or 3.12 (python.org)"
    )


def disk_space(folder: Path = paths.REPO_ROOT) -> Check:
    """Free space on the drive of the course folder."""
    free = shutil.disk_usage(folder).free / GB
    return Check(
        "free disk",
        free >= NEED_DISK_GB,
        f"{free:.1f} GB free (need {NEED_DISK_GB:.0f} GB)",
        "free disk space on the drive that holds the course folder",
    )


def available_memory() -> int | None:
    """Return the RAM available to new programs in bytes (total RAM where that is unknown), or None."""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    if sys.platform == "win32":
        import ctypes

        class MemoryStatus(ctypes.Structure):
            _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong)] + [
                (name, ctypes.c_ulonglong)
                for name in ("total", "avail", "pagefile", "availpage", "virtual", "availvirtual", "ext")
            ]

        status = MemoryStatus()
        status.dwLength = ctypes.sizeof(MemoryStatus)
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return int(status.avail)
        return None
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory() -> Check:
    """RAM available for JupyterLab, the kernel and OpenVINO."""
    avail = available_memory()
    if avail is None:
        return Check("RAM", True, "unknown on this system", needed=False)
    gb = avail / GB
    return Check(
        "RAM",
        gb >= NEED_RAM_GB,
        f"{gb:.1f} GB available (need {NEED_RAM_GB} GB)",
        "close other programs (browsers, IDEs, virtual machines) before the workshop",
    )


def cores() -> Check:
    """CPU cores; the course runs on one, async wins show best with two or more."""
    n = os.cpu_count() or 1
    return Check("CPU cores", n >= 2, f"{n}", "one core works, but async gains are small", needed=False)


def openvino_version() -> str:
    """The installed OpenVINO's full version string, e.g. 2026.4.1-20975-...; raises when it is missing."""
    ov = importlib.import_module("openvino")
    return ov.get_version() if hasattr(ov, "get_version") else ov.__version__


def openvino_runtime() -> Check:
    """OpenVINO importable, and recent enough; names the release (and the build, when it says more)."""
    version = openvino_version()
    release = version.split("-")[0]
    digits = [int(part) for part in release.split(".")[:2] if part.isdigit()]
    ok = tuple(digits) >= MIN_OPENVINO
    detail = f"release {release}" + (f" (build {version})" if version != release else "")
    return Check("OpenVINO", ok, detail, f"OpenVINO >= {MIN_OPENVINO[0]}.{MIN_OPENVINO[1]}: {INSTALL_FIX}")


def known_issues(version: str | None = None, register: Path | None = None) -> Check:
    """The known issues that the register says the installed release has (the course works around them)."""
    release = (version or openvino_version()).split("-")[0]
    data = json.loads((register or REGISTER).read_text(encoding="utf-8"))
    recorded = sorted(data["releases"], key=lambda r: tuple(int(p) for p in r.split(".") if p.isdigit()))
    statuses = data["releases"].get(release)
    if statuses is None:
        checked = f"{recorded[0]} to {recorded[-1]}" if recorded else "none yet"
        return Check(
            "known issues",
            False,
            f"OpenVINO {release} is not in the register (tests/known_issues/register.json), issues unknown",
            f"the course is checked on {checked} (docs/releases.md): install one of those, "
            f"or record {release} with make releases RELEASES={release}",
            needed=False,
        )
    apply = [n for n in sorted(statuses, key=int) if statuses[n] == "present"]
    notes = tuple(f"#{n} {data['issues'][n]['title']}" for n in apply)
    if not apply:
        return Check(
            "known issues", True, f"none of the {len(statuses)} applies to OpenVINO {release}", needed=False
        )
    detail = (
        f"{len(apply)} of {len(statuses)} apply to OpenVINO {release} ({', '.join('#' + n for n in apply)}); "
        "the course works around them (docs/known-issues.md)"
    )
    return Check("known issues", True, detail, needed=False, notes=notes)


def devices() -> Check:
    """The devices OpenVINO sees; CPU is the one the course needs."""
    import openvino as ov

    found = ov.Core().available_devices
    return Check(
        "devices", "CPU" in found, ", ".join(found) or "none", "OpenVINO sees no CPU: " + INSTALL_FIX
    )


def shipped_model(model: Path | None = None) -> Check:
    """The shipped model is present and its SHA-256 matches the model card."""
    from helpers import models

    model = model or paths.SHIPPED_MODEL
    if not model.is_file():
        return Check(
            "model checksum", False, f"{paths.display_path(model)} is missing", "copy the course again"
        )
    if models.shipped_checksums().get(model.name) is None:
        return Check("model checksum", False, f"{model.name} not in the model card", "copy the course again")
    try:
        models.verify_shipped(model)
    except models.ModelError as exc:
        return Check("model checksum", False, str(exc).split(";")[0], "restore it: git checkout data/models")
    return Check("model checksum", True, f"{paths.display_path(model)} matches the model card")


def classification(model: Path | None = None, device: str = "CPU", seconds: float = 1.0) -> Check:
    """Classify the sample photo for about ``seconds``; report images/s and the top-1 label."""
    import openvino as ov

    from helpers import images, labels, models

    model = model or paths.SHIPPED_MODEL
    compiled = models.build_static_classifier(ov.Core(), model, device, {"PERFORMANCE_HINT": "LATENCY"})
    batch = images.read_for_model(paths.IMAGES_DIR / SAMPLE_PHOTO)
    request = compiled.create_infer_request()
    count, start = 0, time.perf_counter()
    while count == 0 or time.perf_counter() - start < seconds:
        request.infer(batch)
        count += 1
    rate = count / (time.perf_counter() - start)
    names, _ = labels.load_labels(paths.SHIPPED_LABELS, 1000)
    probs = labels.to_probabilities(request.get_output_tensor().data[0])
    top1 = labels.label_of(labels.top_k(probs, 1)[0][0], names)
    return Check(
        f"classification on {device}",
        top1 == SAMPLE_TOP1,
        f"{SAMPLE_PHOTO} -> {top1}, {rate:.1f} images/s",
        f"expected {SAMPLE_TOP1}: restore data/ (git checkout data) and reinstall OpenVINO",
    )


def jupyter() -> Check:
    """JupyterLab and ipywidgets importable."""
    found = []
    for name in ("jupyterlab", "ipywidgets"):
        found.append(f"{name} {importlib.import_module(name).__version__}")
    return Check("JupyterLab, ipywidgets", True, ", ".join(found), INSTALL_FIX)


def widget_extension() -> Check:
    """The ipywidgets front-end extension is installed in JupyterLab and not disabled."""
    from jupyter_core.paths import jupyter_config_path, jupyter_path

    installed = any(
        (Path(root) / WIDGET_EXTENSION / "package.json").is_file() for root in jupyter_path("labextensions")
    )
    if not installed:
        return Check(
            "widget extension", False, "not installed", f"{INSTALL_FIX} (it brings jupyterlab_widgets)"
        )
    for root in jupyter_config_path():
        config = Path(root) / "labconfig" / "page_config.json"
        try:
            disabled = json.loads(config.read_text(encoding="utf-8")).get("disabledExtensions", {})
        except (OSError, ValueError):
            continue
        if any(name.split(":")[0] == WIDGET_EXTENSION and disabled_flag(disabled, name) for name in disabled):
            return Check(
                "widget extension",
                False,
                f"disabled in {config}",
                f"jupyter labextension enable {WIDGET_EXTENSION}",
            )
    return Check("widget extension", True, f"{WIDGET_EXTENSION} enabled")


def disabled_flag(disabled: dict | list, name: str) -> bool:
    """Tell whether ``disabledExtensions`` (dict of flags, or an old list) disables ``name``."""
    return bool(disabled[name]) if isinstance(disabled, dict) else True


def port_free(port: int = JUPYTER_PORT) -> Check:
    """JupyterLab's port is free on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            return Check(
                f"port {port}",
                False,
                f"in use ({exc.strerror or exc}); JupyterLab would need another port",
                f"stop the other server (jupyter server stop {port}) or run jupyter lab --port {port + 11}",
                needed=False,
            )
    return Check(f"port {port}", True, "free", needed=False)


def course_folders() -> list[Path]:
    """The folders the course writes to: notebooks/, the repository (learner/) and the cache."""
    learner = paths.REPO_ROOT / "learner"
    return [
        paths.REPO_ROOT / "notebooks",
        learner if learner.is_dir() else paths.REPO_ROOT,
        paths.cache_dir(),
    ]


def folders_writable(folders: Sequence[Path] | None = None) -> Check:
    """Each course folder accepts a new file."""
    refused = []
    folders = course_folders() if folders is None else folders
    for folder in folders:
        try:
            fd, name = tempfile.mkstemp(prefix=".doctor-", dir=folder)
            os.close(fd)
            os.unlink(name)
        except OSError as exc:
            refused.append(f"{paths.display_path(folder)} ({exc.strerror or type(exc).__name__})")
    return Check(
        "course folders writable",
        not refused,
        "; ".join(refused) or ", ".join(paths.display_path(f) + "/" for f in folders),
        "copy the course to a folder you own (not a USB stick or Program Files)",
    )


def guarded(name: str, fix: str, check: Callable[[], Check], needed: bool = True) -> Check:
    """Run one check; an exception becomes a failing line naming it."""
    try:
        return check()
    except ModuleNotFoundError as exc:
        return Check(name, False, f"{exc.name} is not installed", INSTALL_FIX, needed)
    except Exception as exc:  # a preflight check reports anything as one line
        reason = paths.first_line(exc, 160).split("; ")[0] if str(exc).strip() else ""
        return Check(name, False, f"{type(exc).__name__}: {reason}", fix, needed)


def run_checks(port: int = JUPYTER_PORT, device: str = "CPU", seconds: float = 1.0) -> list[Check]:
    """Run every check in order; return their results."""
    plan: list[tuple[str, str, Callable[[], Check]]] = [
        ("Python", "install Python 3.10-3.12", python_version),
        ("free disk", "", disk_space),
        ("RAM", "", memory),
        ("CPU cores", "", cores),
        ("OpenVINO", INSTALL_FIX, openvino_runtime),
        ("known issues", "restore it: git checkout tests/known_issues/register.json", known_issues),
        ("devices", INSTALL_FIX, devices),
        ("model checksum", "restore it: git checkout data/models", shipped_model),
        (
            f"classification on {device}",
            "fix the lines above, then run the doctor again",
            lambda: classification(device=device, seconds=seconds),
        ),
        ("JupyterLab, ipywidgets", INSTALL_FIX, jupyter),
        ("widget extension", INSTALL_FIX, widget_extension),
        (f"port {port}", f"run jupyter lab --port {port + 11}", lambda: port_free(port)),
        ("course folders writable", "copy the course to a folder you own", folders_writable),
    ]
    # The port: `make lab` moves to the next free one. Known issues: the course works around them.
    optional = ("CPU cores", "port", "known issues")
    return [guarded(name, fix, check, not name.startswith(optional)) for name, fix, check in plan]


def marks() -> tuple[str, str]:
    """Return the pass and fail marks, in ASCII where the console cannot print ✓ and ✗."""
    try:
        "✓✗".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "[ok]", "[X]"
    return "✓", "✗"


def line(check: Check, ok_mark: str = "✓", fail_mark: str = "✗") -> str:
    """Format one check as one line: mark, name, what was found, and the fix when it failed."""
    optional = "" if check.needed else " (optional)"
    text = f"{ok_mark if check.ok else fail_mark} {check.name}{optional}: {check.detail}"
    return text if check.ok or not check.fix else f"{text} -- fix: {check.fix}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print one line per check and a verdict; return 0 when every needed check passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("COURSE_PORT", JUPYTER_PORT)))
    parser.add_argument("--device", default=os.environ.get("COURSE_DEVICE", "CPU"))
    parser.add_argument("--seconds", type=float, default=1.0, help="length of the sample classification")
    args = parser.parse_args(argv)
    ok_mark, fail_mark = marks()
    results = run_checks(args.port, args.device, args.seconds)
    for check in results:
        print(line(check, ok_mark, fail_mark), flush=True)
        for note in check.notes:
            print(f"    {note}")
    failed = [c.name for c in results if c.needed and not c.ok]
    if failed:
        print(f"{fail_mark} not ready: {len(failed)} needed check(s) failed ({', '.join(failed)})")
        return 1
    print(f"{ok_mark} ready for the workshop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
