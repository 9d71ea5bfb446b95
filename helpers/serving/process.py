"""Start ``classify-serve`` from Python (notebook 06, tests, ``make bench``) and stop it for sure.

This module runs in the client's process: it starts the server as a subprocess and talks to it
only over loopback HTTP (readiness, metadata). It imports neither ``kserve`` nor ``tritonclient``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref

from helpers.serving.wire import MODEL_NAME

# What the server prints once both of its ports are bound (helpers/serving/server.py).
_STARTED = re.compile(r"^classify-serve: model .* on gRPC \S+:(\d+), REST http://\S+:(\d+)$", re.M)


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now (another process may take it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _http_get(url: str, timeout: float = 2.0) -> bytes:
    # No proxy, ever: the server is on loopback and nothing else may be contacted.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as response:
        return response.read()


def _stop_process(proc: subprocess.Popen, seconds: float) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ServerProcess:
    """``classify-serve`` in a subprocess on free loopback ports, stopped on ``stop()`` or exit.

    Ports left at 0 are chosen by the server when it binds them; ``grpc_port`` and ``http_port``
    hold the real ones once ``start()`` returns.

    ``with ServerProcess() as server:`` starts it and waits until the model is ready; leaving
    the block (or the interpreter exiting, or the object being collected) stops it with SIGINT,
    then SIGKILL after ``stop_seconds``.
    """

    def __init__(self, *extra_args: str, grpc_port: int = 0, http_port: int = 0, stop_seconds: float = 5.0):
        # 0 lets the server bind a free port itself; start() reads which one from its start line.
        # (A port picked here and bound there seconds later can be taken in between by another server.)
        self.grpc_port = grpc_port
        self.http_port = http_port
        self.extra_args = list(extra_args)
        self.stop_seconds = stop_seconds
        self.proc: subprocess.Popen | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def grpc_url(self) -> str:
        """``host:port`` of the gRPC endpoint (what a KServe v2 gRPC client takes)."""
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def http_url(self) -> str:
        """Base URL of the REST endpoint (health, metadata)."""
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, ready_seconds: float = 90.0) -> ServerProcess:
        """Start the server and wait until its model reports ready; raise ``RuntimeError`` if not."""
        command = [sys.executable, "-m", "helpers.serving", "--grpc-port", str(self.grpc_port)]
        command += ["--http-port", str(self.http_port), "--parent-pid", str(os.getpid()), *self.extra_args]
        # The log goes to an anonymous file: a pipe nobody reads would block the server once full.
        self.log = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        self._finalizer = weakref.finalize(self, _stop_process, self.proc, self.stop_seconds)
        deadline = time.monotonic() + ready_seconds
        started = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                output = self.log.read().strip().splitlines()
                raise RuntimeError(f"classify-serve exited ({self.proc.returncode}): {output[-1:] or ''}")
            if started is None:
                # Until the start line, what answers on these ports may be another process.
                started = _STARTED.search(self._log_text())
                if started is not None:
                    self.grpc_port, self.http_port = int(started[1]), int(started[2])
            if started is not None:
                try:
                    _http_get(f"{self.http_url}/v2/models/{MODEL_NAME}/ready")
                    return self
                except (OSError, http.client.HTTPException):
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"classify-serve was not ready after {ready_seconds:.0f} s")

    def _log_text(self) -> str:
        # pread leaves the file offset alone: the server writes through the same open file.
        return os.pread(self.log.fileno(), 1 << 20, 0).decode(errors="replace")

    def metadata(self) -> dict:
        """The model's KServe v2 metadata, read over REST."""
        return json.loads(_http_get(f"{self.http_url}/v2/models/{MODEL_NAME}"))

    def stop(self) -> int | None:
        """Stop the server (SIGINT, then SIGKILL); return its exit code."""
        if self._finalizer is not None:
            self._finalizer()
        return None if self.proc is None else self.proc.returncode

    def __enter__(self) -> ServerProcess:
        """Start and wait for readiness."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop."""
        self.stop()
