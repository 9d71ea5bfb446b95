"""Download every wheel the course needs into ``wheelhouse/``, for offline rooms (``make wheelhouse``).

``python tools/wheelhouse.py`` downloads, for this machine's platform and Python, the wheels of the
course's runtime dependencies (what ``make lab`` and the exercise checks use), of the build backend
(setuptools, wheel) so that the course itself installs from the folder, and of pip. Other targets:
``--platforms "win_amd64 macosx_11_0_arm64 manylinux_2_28_x86_64" --pythons "3.10 3.11 3.12"``
(``make wheelhouse PLATFORMS=... PYTHONS=...``); ``--extras dev`` adds the dev extra (``make test``).
Only binary wheels are taken (``--only-binary=:all:``), so installing needs no compiler.

Beside the wheels it writes ``install.sh`` and ``install.ps1``: each creates ``.venv`` in the course
folder (the wheelhouse's parent) and installs the course with ``pip --no-index --find-links``, and
``SIZES.txt``, the size per target. Downloads already in the folder are reused.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import HeaderParser
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip vendors the same parser
    from pip._vendor import tomli as tomllib
try:
    from packaging.requirements import Requirement
except ModuleNotFoundError:
    from pip._vendor.packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
BUILD = ["pip", "setuptools>=68", "wheel"]
SAVED = re.compile(r"^\s*(?:Saved|File was already downloaded)\s+(.+\.whl)\s*$", re.M)
MB = 1024**2


def requirements(pyproject: Path, extras: list[str]) -> list[str]:
    """Return the course's dependencies (and those of ``extras``) plus its build backend."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    reqs = list(project["project"]["dependencies"])
    for extra in extras:
        reqs += project["project"]["optional-dependencies"][extra]
    backend = project.get("build-system", {}).get("requires", [])
    return reqs + sorted(set(BUILD) | set(backend))


def platform_flags(platform: str) -> list[str]:
    """Return ``--platform`` flags; a ``manylinux_2_N`` target also accepts every older glibc tag."""
    m = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", platform)
    if not m:
        return ["--platform", platform]  # pip expands macosx_* and manylinux2014_* itself
    glibc, arch = int(m[1]), m[2]
    tags = [f"manylinux_2_{n}_{arch}" for n in range(glibc, 16, -1)] + [f"manylinux2014_{arch}"]
    return [flag for tag in tags for flag in ("--platform", tag)]


def python_flags(version: str) -> list[str]:
    """Return the flags that make pip pick CPython ``version``'s wheels."""
    digits = version.replace(".", "")
    return ["--python-version", version, "--implementation", "cp", "--abi", f"cp{digits}"]


def download(dest: Path, reqs: list[str], platform: str | None, python: str | None) -> list[str]:
    """Run ``pip download`` for one target; return the wheel file names it saved or found."""
    cmd = [sys.executable, "-m", "pip", "download", "--dest", str(dest), "--only-binary=:all:"]
    cmd += ["--progress-bar", "off", "--disable-pip-version-check"]
    if platform:
        cmd += platform_flags(platform)
    if python:
        cmd += python_flags(python)
    run = subprocess.run([*cmd, *reqs], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        tail = [line for line in (run.stderr or run.stdout).strip().splitlines() if line.strip()][-3:]
        raise RuntimeError(" | ".join(tail) or f"pip exited with {run.returncode}")
    return sorted({Path(m.strip()).name for m in SAVED.findall(run.stdout)})


def canonical(name: str) -> str:
    """Return a distribution name in PEP 503 normal form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def marker_environment(platform: str, python: str) -> dict[str, str]:
    """Return the PEP 508 marker values of a CPython ``python`` on ``platform`` (a wheel platform tag)."""
    arch = re.search(r"(x86_64|aarch64|arm64|i686|ppc64le|s390x|armv7l|universal2|intel)$", platform)
    machine = "x86_64" if arch is None or arch[1] in ("intel", "universal2") else arch[1]
    if platform.startswith("win"):
        system, machine = ("Windows", "win32", "nt"), "ARM64" if "arm64" in platform else "AMD64"
    elif platform.startswith("macosx"):
        system = ("Darwin", "darwin", "posix")
    else:
        system = ("Linux", "linux", "posix")
    return {
        "platform_system": system[0],
        "sys_platform": system[1],
        "os_name": system[2],
        "platform_machine": machine,
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "implementation_version": f"{python}.0",
        "platform_release": "",
        "platform_version": "",
    }


def wheel_requirements(wheel: Path) -> list[Requirement]:
    """Return the ``Requires-Dist`` entries of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        headers = HeaderParser().parsestr(z.read(meta).decode("utf-8", "replace"))
    return [Requirement(r) for r in headers.get_all("Requires-Dist") or []]


def missing_for(dest: Path, files: list[str], reqs: list[str], env: dict[str, str]) -> list[str]:
    """Return requirements that ``env``'s markers need but ``files`` lack.

    ``pip download --platform`` evaluates markers for the machine it runs on, so a Windows target
    misses ``colorama; sys_platform == "win32"`` and the like when built on Linux.
    """
    by_name = {canonical(f.split("-")[0]): dest / f for f in files}
    wanted: dict[str, set[str]] = {}
    todo = [(Requirement(r), "") for r in reqs]
    missing = {}
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate({**env, "extra": extra}):
            continue
        name = canonical(req.name)
        if name not in by_name:
            missing[name] = (
                f"{req.name}{'[' + ','.join(sorted(req.extras)) + ']' if req.extras else ''}{req.specifier}"
            )
            continue
        new = {""} | set(req.extras) - wanted.get(name, set())
        if name in wanted and not new - wanted[name]:
            continue
        wanted.setdefault(name, set()).update(new)
        todo += [(dep, e) for dep in wheel_requirements(by_name[name]) for e in new]
    return sorted(missing.values())


def version_warnings(manifest: dict[str, list[str]], package: str) -> list[str]:
    """Name the targets that got another version of ``package`` than the newest one downloaded."""
    found = {
        target: f.split("-")[1]
        for target, files in manifest.items()
        for f in files
        if canonical(f.split("-")[0]) == package
    }
    if len(set(found.values())) < 2:
        return []
    newest = max(found.values(), key=lambda v: [int(p) if p.isdigit() else 0 for p in v.split(".")])
    return [
        f"{target} gets {package} {version}, not {newest}: no newer wheel for that platform tag"
        for target, version in sorted(found.items())
        if version != newest
    ]


INSTALL_SH = """\
#!/bin/sh
# Install the course offline from this wheelhouse: creates .venv in the course folder (the folder
# above this one, or the first argument) and installs with pip --no-index --find-links.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
course=$(cd "${{1:-$here/..}}" && pwd)
python=${{PYTHON:-python3}}
export PIP_CONFIG_FILE=/dev/null  # os.devnull: no index, proxy or find-links from this machine's pip config
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {{
  echo "install.sh: $python is older than Python 3.10; set PYTHON=python3.11 (or another >= 3.10)" >&2
  exit 1
}}
echo "This wheelhouse covers: {targets}"
"$python" -m venv "$course/.venv"
pip() {{ "$course/.venv/bin/python" -m pip "$@"; }}
pip install --quiet --no-index --find-links "$here" --upgrade pip setuptools wheel
pip install --quiet --no-index --find-links "$here" -e "$course{extras}" || {{
  echo "install.sh: a wheel is missing for this Python or platform (see the list above);" >&2
  echo "  build the wheelhouse for it: make wheelhouse PLATFORMS=... PYTHONS=..." >&2
  exit 1
}}
touch "$course/.venv/.installed-{stamp}"  # make lab sees the course installed
echo "Installed. Next: cd $course && make doctor && make lab"
"""

INSTALL_PS1 = """\
# Install the course offline from this wheelhouse (Windows PowerShell): creates .venv in the course
# folder (the folder above this one, or -Course) and installs with pip --no-index --find-links.
# If scripts are blocked: powershell -ExecutionPolicy Bypass -File wheelhouse\\install.ps1
param([string]$Course = "")
$ErrorActionPreference = "Stop"
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
if (-not $Course) {{ $Course = Split-Path -Parent $here }}
$Course = (Resolve-Path $Course).Path
$env:PIP_CONFIG_FILE = "nul"  # os.devnull: no index, proxy or find-links from this machine's pip config
if ($env:PYTHON) {{ $py = @($env:PYTHON) }}
elseif (Get-Command py -ErrorAction SilentlyContinue) {{ $py = @("py", "-3") }}
else {{ $py = @("python") }}
$pyArgs = @($py | Select-Object -Skip 1)
& $py[0] @pyArgs -c "import sys; sys.exit(sys.version_info < (3, 10))"
if ($LASTEXITCODE -ne 0) {{
  Write-Error "install.ps1: Python 3.10 or newer is needed (python.org; tick 'Add python.exe to PATH')"
}}
Write-Host "This wheelhouse covers: {targets}"
& $py[0] @pyArgs -m venv "$Course\\.venv"
if ($LASTEXITCODE -ne 0) {{ Write-Error "install.ps1: python -m venv failed" }}
$venvPy = "$Course\\.venv\\Scripts\\python.exe"
& $venvPy -m pip install --quiet --no-index --find-links "$here" --upgrade pip setuptools wheel
if ($LASTEXITCODE -ne 0) {{ Write-Error "install.ps1: pip could not install from $here" }}
& $venvPy -m pip install --quiet --no-index --find-links "$here" -e "$Course{extras}"
if ($LASTEXITCODE -ne 0) {{
  Write-Error ("install.ps1: a wheel is missing for this Python or platform; " +
    "build it: make wheelhouse PLATFORMS=win_amd64 PYTHONS=3.x")
}}
New-Item -ItemType File -Force "$Course\\.venv\\.installed-{stamp}" | Out-Null
Write-Host "Installed. Next, in $Course :"
Write-Host "  .venv\\Scripts\\python.exe tools\\doctor.py"
Write-Host "  .venv\\Scripts\\jupyter-lab.exe --notebook-dir=."
"""


def write_scripts(dest: Path, targets: list[str], extras: list[str]) -> None:
    """Write install.sh and install.ps1 beside the wheels."""
    fields = {
        "targets": ", ".join(targets),
        "extras": f"[{','.join(extras)}]" if extras else "",
        "stamp": "-".join(extras) if extras else "base",
    }
    sh = dest / "install.sh"
    sh.write_text(INSTALL_SH.format(**fields), encoding="utf-8", newline="\n")
    sh.chmod(0o755)
    (dest / "install.ps1").write_text(INSTALL_PS1.format(**fields), encoding="utf-8", newline="\r\n")


def main(argv: list[str] | None = None) -> int:
    """Download the wheels for each target, write the install scripts, print the size per target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=REPO / "wheelhouse")
    parser.add_argument(
        "--platforms", default="", help='e.g. "win_amd64 macosx_11_0_arm64" (default: this one)'
    )
    parser.add_argument("--pythons", default="", help='e.g. "3.10 3.11 3.12" (default: this Python)')
    parser.add_argument("--extras", default="", help='course extras to add, e.g. "dev"')
    args = parser.parse_args(argv)
    extras = args.extras.replace(",", " ").split()
    reqs = requirements(REPO / "pyproject.toml", extras)
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    pythons = args.pythons.split() or [None]
    targets = [(p, v) for p in args.platforms.split() for v in pythons] or [(None, v) for v in pythons]
    args.dest.mkdir(parents=True, exist_ok=True)
    manifest_path = args.dest / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    failed = []
    for platform, python in targets:
        name = f"{platform or sysconfig.get_platform()}-py{python or here}"
        print(f"{name}: downloading ...", flush=True)
        try:
            files = download(args.dest, reqs, platform, python)
            env = marker_environment(platform, python or here) if platform else None
            for _ in range(5 if env else 0):  # pip judged the markers for this machine: add the rest
                missing = missing_for(args.dest, files, reqs, env)
                if not missing:
                    break
                print(f"{name}: adding what {platform} needs: {' '.join(missing)}", flush=True)
                files = sorted(set(files) | set(download(args.dest, missing, platform, python)))
            manifest[name] = files
        except RuntimeError as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            failed.append(name)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    write_scripts(args.dest, sorted(manifest), extras)
    rows = [f"{'target':<36} {'wheels':>6} {'MB':>8}"]
    for name, files in sorted(manifest.items()):
        size = sum((args.dest / f).stat().st_size for f in files if (args.dest / f).is_file())
        rows.append(f"{name:<36} {len(files):>6} {size / MB:>8.1f}")
    total = sum(f.stat().st_size for f in args.dest.glob("*.whl"))
    rows.append(
        f"{'all (shared wheels counted once)':<36} {len(list(args.dest.glob('*.whl'))):>6} {total / MB:>8.1f}"
    )
    (args.dest / "SIZES.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))
    for warning in version_warnings(manifest, "openvino"):
        print(f"warning: {warning}", file=sys.stderr)
    shown = args.dest.resolve().relative_to(REPO) if args.dest.resolve().is_relative_to(REPO) else args.dest
    print(
        f"Wheelhouse: {Path(shown).as_posix()}/ (install: sh {Path(shown).as_posix()}/install.sh, "
        f"or install.ps1 on Windows)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
