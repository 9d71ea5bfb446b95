"""Start JupyterLab on the course (``make lab``): as root or not, on a free port, URL printed last.

JupyterLab refuses to start as root unless told ``--allow-root``; containers, cloud VMs, WSL and CI
often run as root, so the launcher adds it there and says why in one line. It picks a free port
from 8888 on, makes the access token itself, and prints the URL to open (with that token) as the
last line before the server's own log. The server's root is the repository, so both the learner's
copies (``learner/``, from ``make exercises``) and the committed notebooks (``notebooks/``, with
solutions) are at hand; the URL opens the learner's copy of notebook 01 when it exists.
Extra arguments go to ``jupyter lab``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIRST_NOTEBOOK = "01-model-loading.ipynb"


def first_page() -> str:
    """Return the repository-relative notebook to open: the learner's copy of 01 when it exists."""
    folder = "learner" if (REPO / "learner" / FIRST_NOTEBOOK).is_file() else "notebooks"
    return f"{folder}/{FIRST_NOTEBOOK}"


def is_root() -> bool:
    """Tell whether this process runs as root (never on Windows)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def free_port(start: int = 8888, tries: int = 50) -> int:
    """Return the first port from ``start`` on that nothing listens on at 127.0.0.1."""
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"lab: no free port in {start}-{start + tries - 1}; stop another Jupyter server first")


def lab_command(port: int, token: str, extra: list[str]) -> list[str]:
    """Return the ``jupyter lab`` command line for the course's notebooks folder."""
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--notebook-dir={REPO}",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.default_url=/lab/tree/{first_page()}",
    ]
    if is_root():
        cmd.append("--allow-root")
    return cmd + extra


def main(argv: list[str] | None = None) -> int:
    """Write the learner copies, say why root is allowed (when it is), print the URL, exec JupyterLab."""
    extra = list(sys.argv[1:] if argv is None else argv)
    # The learner's copies (solutions removed); copies that exist are kept, they hold the answers.
    if subprocess.run([sys.executable, str(REPO / "tools" / "strip_solutions.py")]).returncode:
        print("[lab] the learner copies could not all be written; the line above says why")
    port = int(os.environ.get("LAB_PORT", "0")) or free_port()
    token = os.environ.get("LAB_TOKEN") or secrets.token_hex(24)
    cmd = lab_command(port, token, extra)
    if is_root():
        print("[lab] running as root (container, VM or CI): starting JupyterLab with --allow-root")
    print(f"[lab] open http://127.0.0.1:{port}/lab/tree/{first_page()}?token={token}", flush=True)
    os.execv(sys.executable, cmd)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
