"""classify-serve and RemoteInferQueue (notebook 06): loopback only, remote == local, errors, no loss.

One server per module (a fixture); the stop test and the port test start their own. Skipped where
the serve extra (kserve, tritonclient) is not installed, except the packaging checks.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import subprocess
import sys
import time
import urllib.error

import numpy as np
import pytest
import tomllib
import yaml

from helpers import images, labels, paths
from helpers.paths import REPO_ROOT
from helpers.serving import process as serve_process
from helpers.serving import server as serve
from helpers.serving import wire

HAS_SERVE = not wire.serve_extra_missing()


def needs_serve(test):
    """Mark a test that needs the serve extra: skipped without it, selected by ``make test-extras``."""
    skip = pytest.mark.skipif(not HAS_SERVE, reason="needs the serve extra: pip install -e '.[serve]'")
    return pytest.mark.serve(skip(test))


PHOTOS = {p.name: images.read_for_model(p) for p in images.list_image_files(paths.IMAGES_DIR)}
LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1", "::1"}


def test_serve_extra_is_pinned_and_matches_environment_yml():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    extra = project["optional-dependencies"]["serve"]
    assert all("==" in req for req in extra), extra
    assert {r.split("[")[0].split("=")[0] for r in extra} == {"kserve", "tritonclient"}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert sorted(r for r in pip if r != "-e .") == sorted(extra)
    assert project["scripts"]["classify-serve"] == "helpers.serving.server:main"


def test_missing_extra_stops_notebook_with_one_line(monkeypatch):
    monkeypatch.setattr(wire.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(wire.ServeExtraMissing) as info:
        wire.require_serve_extra()
    lines = info.value._render_traceback_()
    assert len(lines) == 1 and "pip install -e '.[serve]'" in lines[0]


def load_module(name: str, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nbval_skips_notebook_06_without_the_extra(monkeypatch):
    module = load_module("nb_conftest", REPO_ROOT / "notebooks" / "conftest.py")
    nb06 = REPO_ROOT / "notebooks" / "06-serving.ipynb"
    monkeypatch.setattr(module, "serve_extra_missing", lambda: ["kserve"])
    assert module.pytest_ignore_collect(nb06, None) is True
    assert module.pytest_ignore_collect(REPO_ROOT / "notebooks" / "04-async-infer-queue.ipynb", None) is None
    monkeypatch.setattr(module, "serve_extra_missing", lambda: [])
    assert module.pytest_ignore_collect(nb06, None) is None


def test_browser_test_skips_notebook_06_without_the_extra_and_says_how_to_install_it(monkeypatch):
    # the browser test must not spend its Run All timeout on a notebook that stops at its first cell
    course = load_module("browser_course", REPO_ROOT / "tests" / "browser" / "course.py")
    monkeypatch.setattr(course, "serve_extra_missing", lambda: ["kserve", "tritonclient"])
    reason = course.cannot_run("06-serving.ipynb")
    assert reason and "kserve, tritonclient missing" in reason and "pip install -e '.[dev,serve]'" in reason
    assert course.cannot_run("04-async-infer-queue.ipynb") is None
    monkeypatch.setattr(course, "serve_extra_missing", lambda: [])
    assert course.cannot_run("06-serving.ipynb") is None


@pytest.mark.parametrize(
    ("name", "datatype", "shape", "nbytes", "words"),
    [
        ("x", "UINT8", [1, 224, 224, 3], None, ["'x'", "unknown"]),
        ("image", "FP32", [1, 224, 224, 3], None, ["FP32", "UINT8"]),
        ("image", "UINT8", [1, 3, 224, 224], None, ["[1, 3, 224, 224]", "[1, 224, 224, 3]"]),
        ("image", "UINT8", [1, 224, 224, 3], 1000, ["1000 bytes", "150528"]),
    ],
)
def test_input_check_names_the_problem(name, datatype, shape, nbytes, words):
    with pytest.raises(ValueError) as info:
        serve.check_image_input(name, datatype, shape, nbytes)
    assert all(w in str(info.value) for w in words), str(info.value)
    serve.check_image_input("image", "UINT8", [1, 224, 224, 3], 150528)  # the right one passes


def test_the_bridge_answers_every_coroutine_with_its_own_logits(local_logits):
    """The server's predict without the network: 4 rounds of every photo awaited at once on 2 requests."""
    import openvino as ov

    from helpers import models
    from helpers.serving.bridge import QueueBridge

    compiled = models.build_static_classifier(
        ov.Core(), paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
    )
    bridge = QueueBridge(compiled, 2)
    names = sorted(PHOTOS) * 4

    async def everything() -> list[np.ndarray]:
        return await asyncio.gather(*(bridge.infer(PHOTOS[name]) for name in names))

    got = asyncio.run(everything())
    assert len(bridge) == 2
    bridge.close()
    for name, logits in zip(names, got, strict=True):
        np.testing.assert_allclose(logits, local_logits[name], rtol=1e-5, atol=1e-5)


# --- with a running server -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    if not HAS_SERVE:
        pytest.skip("needs the serve extra: pip install -e '.[serve]'")
    with serve_process.ServerProcess("--device", "CPU", "--precision", "f32") as running:
        yield running


@pytest.fixture(scope="module")
def local_logits():
    import openvino as ov

    from helpers import models

    compiled = models.build_static_classifier(
        ov.Core(), paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
    )
    request = compiled.create_infer_request()
    return {name: request.infer({0: batch})[0].copy() for name, batch in PHOTOS.items()}


def run_queue_remote(urls, batches, jobs=8, **queue_args):
    """Send (userdata, batch) pairs through a RemoteInferQueue; return (results, queue)."""
    from helpers.remote import RemoteInferQueue

    async def go():
        results = {}
        queue = RemoteInferQueue(urls, wire.MODEL_NAME, jobs=jobs, **queue_args)
        queue.set_callback(lambda result, key: results.__setitem__(key, result.as_numpy("logits")))
        for key, batch in batches:
            await queue.start_async({"image": batch}, key)
        await queue.wait_all()
        await queue.close()
        return results, queue

    return asyncio.run(go())


def listening(pid: int) -> list[tuple[str, int]]:
    import psutil

    process = psutil.Process(pid)
    # psutil < 6 (what kserve 0.21.0 pins) has connections(); 6+ renamed it net_connections().
    connections = getattr(process, "net_connections", None) or process.connections
    return [(c.laddr.ip, c.laddr.port) for c in connections(kind="inet") if c.status == psutil.CONN_LISTEN]


@needs_serve
def test_listens_only_on_loopback(server):
    sockets = listening(server.proc.pid)
    assert {port for _, port in sockets} == {server.grpc_port, server.http_port}, sockets
    assert {ip for ip, _ in sockets} <= LOOPBACK, sockets


@needs_serve
def test_health_and_metadata_over_rest(server):
    assert json.loads(serve_process._http_get(f"{server.http_url}/v2/health/live")) == {"live": True}
    assert json.loads(serve_process._http_get(f"{server.http_url}/v2/health/ready")) == {"ready": True}
    meta = server.metadata()
    assert meta["name"] == "efficientnet-lite0"
    assert meta["inputs"] == [{"name": "image", "datatype": "UINT8", "shape": [1, 224, 224, 3]}]
    assert meta["outputs"] == [{"name": "logits", "datatype": "FP32", "shape": [1, 1000]}]
    with pytest.raises(urllib.error.HTTPError) as info:
        serve_process._http_get(f"{server.http_url}/v2/models/no-such-model/ready")
    assert info.value.code == 404


@needs_serve
def test_remote_top5_equals_local_top5_on_every_photo(server, local_logits):
    results, queue = run_queue_remote([server.grpc_url], PHOTOS.items(), jobs=4)
    assert queue.errors == []
    assert sorted(results) == sorted(PHOTOS)
    for name, remote in results.items():
        local = local_logits[name]
        assert [c for c, _ in labels.top_k(remote[0], 5)] == [c for c, _ in labels.top_k(local[0], 5)], name
        np.testing.assert_allclose(remote, local, atol=1e-3, err_msg=name)


def bad_requests():
    cat = PHOTOS["cat.png"]
    return {
        "wrong datatype": ([("image", cat.astype(np.float32), "FP32")], "INVALID_ARGUMENT", "FP32"),
        "wrong shape": ([("image", cat[:, :100], "UINT8")], "INVALID_ARGUMENT", "[1, 100, 224, 3]"),
        "missing input": ([("pixels", cat, "UINT8")], "INVALID_ARGUMENT", "'pixels'"),
        "no input": ([], "INVALID_ARGUMENT", "expected one input"),
        "two inputs": ([("image", cat, "UINT8"), ("extra", cat, "UINT8")], "INVALID_ARGUMENT", "'extra'"),
        "oversize": (
            [("image", np.zeros((1, 1024, 1024, 3), np.uint8), "UINT8")],
            "RESOURCE_EXHAUSTED",
            "larger than max",
        ),
    }


@needs_serve
@pytest.mark.parametrize("case", list(bad_requests()))
def test_bad_request_gets_a_named_error_and_the_server_keeps_serving(server, case):
    import tritonclient.grpc.aio as grpcclient
    from tritonclient.utils import InferenceServerException

    tensors, status, words = bad_requests()[case]

    async def go():
        async with grpcclient.InferenceServerClient(server.grpc_url) as client:
            inputs = []
            for name, array, datatype in tensors:
                item = grpcclient.InferInput(name, list(array.shape), datatype)
                item.set_data_from_numpy(np.ascontiguousarray(array))
                inputs.append(item)
            with pytest.raises(InferenceServerException) as info:
                await client.infer(wire.MODEL_NAME, inputs)
            good = grpcclient.InferInput("image", [1, 224, 224, 3], "UINT8")
            good.set_data_from_numpy(PHOTOS["coffee.png"])
            after = await client.infer(wire.MODEL_NAME, [good])
            return info.value, after.as_numpy("logits")

    error, logits = asyncio.run(go())
    assert status in str(error.status()) and words in error.message(), (error.status(), error.message())
    assert logits.shape == (1, 1000) and int(logits.argmax()) == 967  # espresso: still serving
    assert server.proc.poll() is None


@needs_serve
def test_200_requests_with_8_in_flight_lose_nothing(server, local_logits):
    names = sorted(PHOTOS)
    batches = [(i, PHOTOS[names[i % len(names)]]) for i in range(200)]
    results, queue = run_queue_remote([server.grpc_url], batches, jobs=8)
    assert queue.errors == []
    assert sorted(results) == list(range(200))
    assert 1 < queue.peak_in_flight <= 8
    for i, logits in results.items():
        expected = local_logits[names[i % len(names)]]
        assert int(logits.argmax()) == int(expected.argmax()), i


@needs_serve
def test_unreachable_server_errors_are_collected_not_raised():
    dead = f"127.0.0.1:{serve_process.free_port()}"
    results, queue = run_queue_remote([dead], [(i, PHOTOS["cat.png"]) for i in range(3)], jobs=2, timeout=5)
    assert results == {}
    assert sorted(f.userdata for f in queue.errors) == [0, 1, 2]
    assert all(dead in str(f) for f in queue.errors)


@needs_serve
def test_two_replicas_share_the_requests_and_ctrl_c_stops_within_2_s(server):
    import psutil

    replica = serve_process.ServerProcess("--device", "CPU", "--precision", "f32").start()
    try:
        batches = [(i, PHOTOS["rocket.jpg"]) for i in range(40)]
        results, queue = run_queue_remote([server.grpc_url, replica.grpc_url], batches, jobs=8)
        assert queue.errors == [] and len(results) == 40
        assert queue.sent == {server.grpc_url: 20, replica.grpc_url: 20}
        process = psutil.Process(replica.proc.pid)
        family = [process, *process.children(recursive=True)]
        t0 = time.perf_counter()
        code = replica.stop()  # SIGINT, as Ctrl-C
        elapsed = time.perf_counter() - t0
    finally:
        replica.stop()
    assert code == 0
    assert elapsed < 2.0, f"stopping took {elapsed:.2f} s"
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert server.proc.poll() is None  # the other replica is untouched


@needs_serve
def test_free_ports_are_bound_by_the_server_and_named_in_its_start_line():
    unstarted = serve_process.ServerProcess("--device", "CPU", "--precision", "f32")
    assert (unstarted.grpc_port, unstarted.http_port) == (0, 0)  # nothing is picked before the bind
    with unstarted as running:
        ports = {port for _, port in listening(running.proc.pid)}
        assert ports == {running.grpc_port, running.http_port} and 0 not in ports


@needs_serve
def test_a_port_another_server_holds_is_one_clear_error_not_its_answer(server):
    """CI once failed here: the REST probe reached another server's gRPC port (BadStatusLine)."""
    for taken in ({"http_port": server.grpc_port}, {"http_port": server.http_port}):
        replica = serve_process.ServerProcess("--device", "CPU", "--precision", "f32", **taken)
        with pytest.raises(RuntimeError, match=r"classify-serve exited \(1\).*in use"):
            replica.start()  # not "ready" on the other server's answer, not BadStatusLine
    assert server.proc.poll() is None


@needs_serve
@pytest.mark.parametrize("taken", ["grpc", "http"])
def test_port_in_use_is_one_line_and_nonzero(server, taken):
    grpc_port = server.grpc_port if taken == "grpc" else serve_process.free_port()
    http_port = server.http_port if taken == "http" else serve_process.free_port()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers.serving",
            "--grpc-port",
            str(grpc_port),
            "--http-port",
            str(http_port),
        ],  # noqa: E501
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if line.startswith("classify-serve:")]
    assert len(errors) == 1 and re.search(r"bind|address|port|in use", errors[0], re.I), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr


# --- canaries: kserve behaviour that helpers/serving/server.py works around ---------------------------


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@needs_serve
def test_canary_kserve_binds_every_interface():
    """When this fails, kserve binds a chosen host itself: drop the host override in serving/server.py."""
    proc = run_python(
        "import inspect, sys; sys.argv = sys.argv[:1]\n"
        "from kserve.protocol.rest.server import RESTServer\n"
        "from kserve.protocol.grpc.server import GRPCServer\n"
        "from kserve.protocol.dataplane import DataPlane\n"
        "from kserve.model_repository import ModelRepository\n"
        "from kserve.protocol.model_repository_extension import ModelRepositoryExtension\n"
        "repo = ModelRepository()\n"
        "ext = ModelRepositoryExtension(repo)\n"
        "rest = RESTServer('kserve.model_server:app', DataPlane(repo), ext, 8080)\n"
        "print(rest.config.host, '[::]:' in inspect.getsource(GRPCServer.start))\n"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-2:] == ["0.0.0.0", "True"]


@needs_serve
def test_canary_kserve_and_tritonclient_cannot_share_a_process():
    """When this fails, both import together: the server could stop being a separate process."""
    proc = run_python("import sys; sys.argv = sys.argv[:1]; import kserve; import tritonclient.grpc")
    assert proc.returncode != 0 and "duplicate symbol 'inference." in proc.stderr, proc.stderr[-2000:]


@needs_serve
def test_server_exits_when_its_parent_is_killed():
    """A kernel killed with SIGKILL runs no finalizer: the server notices its parent is gone."""
    import psutil

    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from helpers.serving.process import ServerProcess\n"
            "import time\ns = ServerProcess().start()\nprint(s.proc.pid, flush=True)\ntime.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        server_pid = int(parent.stdout.readline())
        server = psutil.Process(server_pid)
        parent.kill()
        parent.wait()
        server.wait(timeout=5)  # raises psutil.TimeoutExpired if the server is still there
    finally:
        parent.kill()
    assert not psutil.pid_exists(server_pid) or server.status() == psutil.STATUS_ZOMBIE


@needs_serve
def test_many_refused_requests_do_not_stall_the_server(server):
    """Each refused request logs one line; 300 of them must not fill a pipe and block the server."""
    import tritonclient.grpc.aio as grpcclient
    from tritonclient.utils import InferenceServerException

    async def go():
        async with grpcclient.InferenceServerClient(server.grpc_url) as client:
            bad = grpcclient.InferInput("image", [1, 224, 224, 3], "FP32")
            bad.set_data_from_numpy(PHOTOS["cat.png"].astype(np.float32))
            refused = 0
            for _ in range(300):
                try:
                    await client.infer(wire.MODEL_NAME, [bad], client_timeout=10)
                except InferenceServerException as exc:
                    refused += "INVALID_ARGUMENT" in str(exc.status())
            good = grpcclient.InferInput("image", [1, 224, 224, 3], "UINT8")
            good.set_data_from_numpy(PHOTOS["cat.png"])
            result = await client.infer(wire.MODEL_NAME, [good], client_timeout=10)
            return refused, result.as_numpy("logits")

    refused, logits = asyncio.run(go())
    assert refused == 300
    assert labels.top_k(logits[0], 1)[0][0] == 285  # Egyptian cat
