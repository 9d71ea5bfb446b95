"""``classify-serve``: the shipped classifier behind a KServe v2 model server (notebook 06).

The server speaks the KServe v2 inference protocol: gRPC for inference, REST for health and
metadata. Inside, one ``AsyncInferQueue`` (notebook 04) runs the requests; ``predict`` awaits
``helpers.serving.bridge.QueueBridge.infer``, so the event loop keeps serving while OpenVINO computes.

The wire format: one input ``image``, ``UINT8`` ``[1, 224, 224, 3]`` (RGB, NHWC, resized on the
client with ``helpers.images.read_for_model``); one output ``logits``, ``FP32`` ``[1, 1000]``.

KServe binds every interface (``0.0.0.0`` and ``[::]``); this server binds ``--host`` only,
127.0.0.1 by default. ``kserve`` and ``tritonclient`` register the same protobuf names, so
this module runs in its own process and never imports ``tritonclient``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
import warnings
from typing import Any

import numpy as np

from helpers.serving.wire import (
    INPUT_DATATYPE,
    INPUT_NAME,
    INPUT_SHAPE,
    MODEL_NAME,
    OUTPUT_DATATYPE,
    OUTPUT_NAME,
    serve_extra_missing,
)

# A request is one 150 KB image; anything above 1 MiB is refused by gRPC itself (RESOURCE_EXHAUSTED).
MAX_MESSAGE_BYTES = 1 << 20
# Seconds that in-flight requests get to finish after Ctrl-C / SIGTERM.
GRACE_SECONDS = 0.5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line of ``classify-serve``."""
    parser = argparse.ArgumentParser(
        prog="classify-serve",
        description="Serve the shipped classifier over KServe v2: gRPC inference, REST health and metadata.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1 only)")
    free = "0: any free port, printed at start"
    parser.add_argument("--grpc-port", type=int, default=8081, help=f"gRPC inference port (8081; {free})")
    parser.add_argument(
        "--http-port", type=int, default=8080, help=f"REST health and metadata port (8080; {free})"
    )
    parser.add_argument("--device", default=os.environ.get("COURSE_DEVICE", "CPU"), help="OpenVINO device")
    parser.add_argument("--jobs", type=int, default=0, help="infer requests (0: the device's optimal number)")
    parser.add_argument("--hint", default="THROUGHPUT", choices=["THROUGHPUT", "LATENCY"])
    parser.add_argument(
        "--precision", default="f32", help="INFERENCE_PRECISION_HINT (f32: same logits as a local f32 model)"
    )
    parser.add_argument("--model-name", default=MODEL_NAME, help=f"served model name (default {MODEL_NAME})")
    parser.add_argument("--parent-pid", type=int, default=0, help="stop when this process is gone")
    return parser.parse_args(argv)


def check_image_input(name: str, datatype: str, shape: list[int], nbytes: int | None) -> None:
    """Raise ``ValueError`` naming what is wrong with a request's input, if anything."""
    if name != INPUT_NAME:
        raise ValueError(f"input {name!r} is unknown: the model takes one input {INPUT_NAME!r}")
    if datatype != INPUT_DATATYPE:
        raise ValueError(f"input {INPUT_NAME!r} has datatype {datatype}, expected {INPUT_DATATYPE}")
    if list(shape) != INPUT_SHAPE:
        raise ValueError(f"input {INPUT_NAME!r} has shape {list(shape)}, expected {INPUT_SHAPE}")
    expected = int(np.prod(INPUT_SHAPE))
    if nbytes is not None and nbytes != expected:
        raise ValueError(
            f"input {INPUT_NAME!r} carries {nbytes} bytes, expected {expected} for {INPUT_SHAPE}"
        )


class _OneLineErrors(logging.Filter):
    """Log a refused request as one line (kserve attaches the whole traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from kserve.errors import InvalidInput

        if record.exc_info and isinstance(record.exc_info[1], InvalidInput):
            record.exc_info, record.exc_text = None, None
        return True


def quiet_logs() -> None:
    """Keep the server's log to startup, refused requests and errors (no per-request lines)."""
    warnings.filterwarnings("ignore", message="ORJSONResponse is deprecated")
    for name in ("kserve", "kserve.trace", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("kserve").addFilter(_OneLineErrors())


def build_model(args: argparse.Namespace) -> Any:
    """Return the kserve model object (imports kserve and OpenVINO only when called)."""
    import kserve
    import openvino as ov
    from kserve.errors import InvalidInput

    from helpers import models, paths
    from helpers.serving.bridge import QueueBridge

    class QueueClassifier(kserve.Model):
        """EfficientNet-Lite0 on a ``QueueBridge``; ``predict`` awaits the queue's callback."""

        def __init__(self) -> None:
            super().__init__(args.model_name)
            self.bridge: QueueBridge | None = None

        def load(self) -> bool:
            config = {"PERFORMANCE_HINT": args.hint}
            if args.precision and args.precision != "default":
                config["INFERENCE_PRECISION_HINT"] = args.precision
            compiled = models.build_static_classifier(ov.Core(), paths.SHIPPED_MODEL, args.device, config)
            self.bridge = QueueBridge(compiled, args.jobs)
            self.ready = True
            return self.ready

        def get_input_types(self) -> list[dict]:
            return [{"name": INPUT_NAME, "datatype": INPUT_DATATYPE, "shape": INPUT_SHAPE}]

        def get_output_types(self) -> list[dict]:
            return [{"name": OUTPUT_NAME, "datatype": OUTPUT_DATATYPE, "shape": [1, 1000]}]

        def _image(self, payload: kserve.InferRequest) -> np.ndarray:
            if len(payload.inputs) != 1:
                names = [i.name for i in payload.inputs]
                raise InvalidInput(f"expected one input {INPUT_NAME!r}, got {names}")
            given = payload.inputs[0]
            raw = given._raw_data  # gRPC raw_input_contents; None for JSON/typed contents
            try:
                check_image_input(given.name, given.datatype, given.shape, None if raw is None else len(raw))
                return given.as_numpy()
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None

        async def predict(self, payload: kserve.InferRequest, headers: dict | None = None, **_: Any) -> Any:
            if not isinstance(payload, kserve.InferRequest):
                raise InvalidInput("send a KServe v2 inference request (gRPC ModelInfer or /v2/.../infer)")
            logits = await self.bridge.infer(self._image(payload))
            output = kserve.InferOutput(OUTPUT_NAME, list(logits.shape), OUTPUT_DATATYPE)
            output.set_data_from_numpy(logits, binary_data=True)
            return kserve.InferResponse(payload.id, self.name, [output], use_binary_outputs=True)

        def stop(self) -> None:
            if self.bridge is not None:
                self.bridge.close()
            self.bridge = None  # releases the compiled model while the interpreter is whole
            self.ready = False

    return QueueClassifier()


async def _watch_parent(parent_pid: int, rest_server: Any) -> None:
    """Stop uvicorn once ``parent_pid`` is gone (a killed kernel must not leave its server behind)."""
    while os.getppid() == parent_pid:
        await asyncio.sleep(0.5)
    rest_server.should_exit = True


class _StopOnSignal:
    """The SIGINT/SIGTERM handler outside uvicorn's own (before it starts, after it stops)."""

    def __init__(self) -> None:
        self.requested = False
        self.rest_server: Any = None

    def __call__(self, *_: Any) -> None:
        self.requested = True
        if self.rest_server is not None:
            self.rest_server.should_exit = True


def _listen(host: str, port: int) -> socket.socket:
    """Bind the REST socket here, so that port 0 gives a port nobody else holds (raise OSError if taken)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart at once
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"REST cannot listen on {_address(host, port)}: {exc.strerror}") from None
    return sock


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def _serve(server: Any, model: Any, args: argparse.Namespace, stop: _StopOnSignal) -> None:
    """Run REST (uvicorn) and gRPC on ``args.host`` until a signal stops uvicorn, then stop gRPC.

    Both ports are bound before the start line is printed, with the ports they got: a caller that
    waits for that line (``helpers.serving.process``) knows that what answers there is this server.
    """
    from grpc import aio
    from kserve.model_server import FASTAPI_APP_IMPORT_STRING
    from kserve.protocol.grpc import grpc_predict_v2_pb2_grpc
    from kserve.protocol.grpc.interceptors import ExceptionToStatusInterceptor
    from kserve.protocol.grpc.servicer import InferenceServicer
    from kserve.protocol.rest.server import RESTServer

    rest = RESTServer(
        FASTAPI_APP_IMPORT_STRING,
        server.dataplane,
        server.model_repository_extension,
        server.http_port,
        grace_period=1,
        timeout_keep_alive=5,
    )
    host = rest.config.host = args.host  # kserve hard-codes 0.0.0.0
    stop.rest_server = rest._server
    rest_socket = _listen(host, server.http_port)
    grpc_server = aio.server(
        interceptors=(ExceptionToStatusInterceptor(),),
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),  # a second replica on the same port must fail, not share
        ],
    )
    servicer = InferenceServicer(server.dataplane, server.model_repository_extension)
    grpc_predict_v2_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(servicer, grpc_server)
    grpc_port = grpc_server.add_insecure_port(_address(host, server.grpc_port))
    await grpc_server.start()
    rest_address = _address(host, rest_socket.getsockname()[1])
    print(
        f"classify-serve: model {model.name!r} on gRPC {_address(host, grpc_port)}, REST http://{rest_address}",
        flush=True,
    )
    watcher = asyncio.create_task(_watch_parent(args.parent_pid, rest._server)) if args.parent_pid else None
    try:
        if not stop.requested:  # no signal arrived while starting
            rest.create_application()  # what rest.start() does, then serve on the socket bound above
            await rest._server.serve(sockets=[rest_socket])  # returns after SIGINT/SIGTERM
    finally:
        if watcher is not None:
            watcher.cancel()
        rest_socket.close()
        await grpc_server.stop(grace=GRACE_SECONDS)
        model.stop()


def run(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM; return the exit code."""
    args = parse_args(argv)
    # kserve parses sys.argv when imported: give it none of ours.
    sys.argv = sys.argv[:1]
    if serve_extra_missing():
        print("classify-serve needs the serve extra: pip install -e '.[serve]'", file=sys.stderr)
        return 2
    from kserve import ModelServer

    try:
        model = build_model(args)
        model.load()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, no traceback
        print(f"classify-serve: cannot load the model: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    server = ModelServer(http_port=args.http_port, grpc_port=args.grpc_port, workers=1, enable_grpc=False)
    server.register_model(model)
    quiet_logs()
    # Uvicorn handles SIGINT/SIGTERM while it runs; before and after, this handler stops it.
    stop = _StopOnSignal()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    try:
        asyncio.run(_serve(server, model, args, stop))
    except (OSError, RuntimeError) as exc:  # the gRPC port is in use
        print(f"classify-serve: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except SystemExit:  # uvicorn exits when it cannot bind the REST port (and logs why)
        print(f"classify-serve: cannot listen on {args.host}:{args.http_port} (in use?)", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> None:
    """``classify-serve``: serve, then exit at once (kserve's own interpreter teardown takes ~1 s)."""
    code = run(argv)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
