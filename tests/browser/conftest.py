"""A throwaway JupyterLab server and a headless Debian Chromium driven by Playwright.

Nothing global is touched: the notebooks are copied (outputs cleared) into a temporary folder, and
Jupyter's config, data, runtime, settings and workspace folders all live in temporary folders too.
News, update checks and the extension manager are off, so the browser makes no outside requests.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from course import CHROMIUM, VIEWPORT, browser_missing, course_notebooks

from helpers.paths import REPO_ROOT

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
SERVER_START_TIMEOUT = 90

# JupyterLab user settings: no news or update checks, no extension manager (it queries PyPI),
# and every cell attached to the DOM so that the test can see all outputs.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,  # what "Always start the preferred kernel" in the dialog sets
    },
}
SERVER_CONFIG = {
    "LabApp": {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "extension_manager": "readonly",
    }
}


@dataclass
class LabServer:
    """A running JupyterLab: where it listens, its token and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API; return the decoded JSON (None for an empty reply)."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def wait_for_kernel(self, notebook: str, timeout: float = 90) -> None:
        """Wait until the notebook's session has a kernel that reports idle."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for session in self.api("GET", "/api/sessions") or []:
                kernel = session.get("kernel") or {}
                if session.get("path") == notebook and kernel.get("execution_state") == "idle":
                    return
            time.sleep(0.25)
        pytest.fail(f"no idle kernel for {notebook} within {timeout} s:\n{self.log.read_text()[-2000:]}")

    def shutdown_session(self, notebook: str) -> None:
        """Stop the kernel of one notebook's session (others keep running)."""
        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path") == notebook:
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def shutdown_kernels(self) -> None:
        """Stop every session's kernel (each test starts from a fresh kernel)."""
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")


def _require_browser() -> None:
    """Skip (with the reason in pytest's -ra summary) where Chromium or Playwright is missing."""
    reason = browser_missing()
    if reason:
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_notebooks(target: Path) -> None:
    """Copy the course notebooks without their outputs, so a run shows only its own results."""
    target.mkdir(parents=True)
    for path in course_notebooks():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, target / path.name)


def _stop(process: subprocess.Popen) -> None:
    """Terminate the server (it shuts its kernels down), then kill its process group if needed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    try:
        os.killpg(process.pid, signal.SIGKILL)  # kernels left behind by a killed server
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """Start ``jupyter lab --no-browser`` on 127.0.0.1 with a random token; stop it whatever happens."""
    _require_browser()
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    _copy_notebooks(root)
    config_dir, settings_dir = base / "config", base / "lab-settings"
    config_dir.mkdir()
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
    for name, values in LAB_SETTINGS.items():
        (settings_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (settings_dir / name).write_text(json.dumps(values))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "IPYTHONDIR": str(base / "ipython"),
        "MPLCONFIGDIR": str(base / "matplotlib"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        # The device dropdown's default in every kernel: the browser run is the course's AUTO pass.
        "COURSE_DEVICE": "AUTO",
    }
    token = secrets.token_hex(16)
    log = base / "jupyterlab.log"
    process, server = _launch(root, env, token, log)
    try:
        yield server
    finally:
        _stop(process)


def _launch(root: Path, env: dict[str, str], token: str, log: Path) -> tuple[subprocess.Popen, LabServer]:
    """Start JupyterLab and wait until it answers; pick another port if one was taken meanwhile.

    A free port can be taken by another process between ``_free_port()`` and the server's bind
    (other test runs on the same machine); that attempt exits at once and the next port is tried.
    """
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # CI containers
    for _attempt in range(3):
        port = _free_port()
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jupyter",
                    "lab",
                    "--no-browser",
                    "--ip=127.0.0.1",
                    f"--port={port}",
                    "--port-retries=0",
                    f"--IdentityProvider.token={token}",
                    f"--ServerApp.root_dir={root}",
                    *as_root,
                ],
                cwd=root,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so its kernels can be stopped with it
            )
        server = LabServer(f"http://127.0.0.1:{port}", token, root, log)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while process.poll() is None:
            try:
                server.api("GET", "/api/status")
                return process, server
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    _stop(process)
                    pytest.fail(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s")
                time.sleep(0.25)
        _stop(process)
        if f"port {port} is not available" not in log.read_text():
            break
    pytest.fail(f"jupyter lab exited with {process.returncode}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, launched by Playwright (its own browser download is not used).

    Module scope: Playwright's sync API owns an event loop, which must be gone before other tests
    call ``asyncio.run``.
    """
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def lab_page(chromium, lab_server: LabServer) -> Iterator[object]:
    """A fresh browser page; afterwards its kernels are shut down and the page closed."""
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
        lab_server.shutdown_kernels()
