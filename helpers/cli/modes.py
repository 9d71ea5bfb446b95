"""The command-line sample's three ways to run images: AsyncInferQueue, a restarting request, one batch.

Every runner returns a ``queue_runner.QueueRun``: results in input order (``None`` where an input
failed) and one ``CallbackFault`` per failed input, keyed by its index. Notebook 01 teaches the
``PrePostProcessor`` used here, notebook 03 the restarting request and notebook 04 the queue.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from helpers import models, pipeline, queue_runner, workarounds

# Batch mode polls its one request this often (ms) so that Ctrl-C is handled between polls.
WAIT_SLICE_MS = 100


class ModeError(Exception):
    """A model that cannot run in the chosen mode; ``str()`` is one line."""


def image_input_shape(model: ov.Model) -> tuple[int, int, int]:
    """Return the (channels, height, width) of an NCHW image input; refuse anything else."""
    shape = model.input().get_partial_shape()
    if shape.rank.is_dynamic or shape.rank.get_length() != 4 or not all(d.is_static for d in list(shape)[1:]):
        raise ModeError(f"input shape {shape} is not an image input [N,C,H,W] with static C, H and W")
    channels, height, width = (d.get_length() for d in list(shape)[1:])
    if channels not in (1, 3):
        raise ModeError(f"input shape {shape} has {channels} channels; this sample feeds 1 (gray) or 3 (RGB)")
    return channels, height, width


def with_batch(model: ov.Model, batch: int) -> ov.Model:
    """Reshape the model's input to a static batch of ``batch`` images unless it already is one."""
    shape = model.input().get_partial_shape()
    if shape[0].is_static and shape[0].get_length() == batch:
        return model
    channels, height, width = image_input_shape(model)
    try:
        model.reshape([batch, channels, height, width])
    except RuntimeError as exc:
        reason = models.openvino_reason(exc)
        raise ModeError(f"the model cannot be reshaped to batch {batch} ({reason})") from None
    return model


def reversed_channels(model: ov.Model) -> ov.Model:
    """Put a PPP ``reverse_channels`` step in front of a u8 NHWC input: RGB images reach the model as BGR.

    It runs before the model's own preprocessing, so mean and std apply in the model's channel
    order. PPP edits ``model`` in place and returns it.
    """
    ppp = ov.preprocess.PrePostProcessor(model)
    ppp.input().tensor().set_layout(ov.Layout("NHWC"))
    ppp.input().model().set_layout(ov.Layout("NHWC"))
    ppp.input().preprocess().reverse_channels()
    return ppp.build()


def host_resize_size(model: ov.Model) -> int | None:
    """The side ``S`` to resize to on the host (static PPP, prefetch): RGB square inputs; else None."""
    channels, height, width = image_input_shape(model)
    return height if channels == 3 and height == width else None


def _ppp(
    model: ov.Model, mean: Sequence[float], std: Sequence[float], size: int | None, reverse: bool
) -> ov.Model:
    if size is None:  # u8 NHWC of any size, resize in the graph (notebook 01)
        model = models.add_preprocessing(model, tuple(mean), tuple(std))
    else:
        model = models.add_static_preprocessing(model, size, tuple(mean), tuple(std))
    return reversed_channels(model) if reverse else model


def classifier_with_ppp(
    model: ov.Model,
    mean: Sequence[float],
    std: Sequence[float],
    size: int | None = None,
    reverse: bool = False,
) -> ov.Model:
    """The single-image classifier: batch 1, then PPP (u8 NHWC, [BGR,] mean/std, NCHW).

    With ``size`` the input is a static ``[1, size, size, C]`` that the host has resized to
    (``helpers.images.prefetch``); without it any size is taken and resized in the graph.
    """
    return _ppp(with_batch(model, 1), mean, std, size, reverse)


def ppp_alone(
    model: ov.Model,
    mean: Sequence[float],
    std: Sequence[float],
    size: int | None = None,
    reverse: bool = False,
) -> ov.Model:
    """PPP alone: an identity model with the network's input, so images become [1,C,H,W] (``size``: as above).

    Batch mode runs this per image, then the network once on the stacked batch. Without ``size``
    images of different sizes cannot share one u8 NHWC tensor (``set_input_tensors`` needs equal
    shapes); batch mode takes the same inputs as queue mode (host-resized or not), and the same PPP
    ops compiled separately give the same network inputs, so ``--batch`` prints queue mode's top-k.
    """
    channels, height, width = image_input_shape(model)
    param = ops.parameter([1, channels, height, width], model.input().get_element_type(), name="image")
    identity = ov.Model([ops.result(param)], [param], "preprocessing")
    return _ppp(identity, mean, std, size, reverse)


def run_queue_mode(
    compiled: ov.CompiledModel, queue: ov.AsyncInferQueue, arrays: Iterable[np.ndarray]
) -> queue_runner.QueueRun:
    """Python-sample mode: every image through an ``AsyncInferQueue`` (``pipeline.run_batches``).

    No Python callback: the main thread reads each result when its request comes back idle. On a
    static-shape input the queue takes the batches without a copy.
    """
    return pipeline.run_batches(compiled, arrays, queue=queue)


def run_callback_mode(
    compiled: ov.CompiledModel, request: ov.InferRequest, arrays: Sequence[np.ndarray]
) -> queue_runner.QueueRun:
    """C++-sample mode: one request restarted from its own callback (``run_restarting_request``)."""
    check = workarounds.input_checker(compiled.input(0))  # reads the port once, not per image
    faults: list[workarounds.CallbackFault] = []
    good: list[int] = []
    for i, array in enumerate(arrays):
        try:
            check(array)  # a failed start_async inside the chain would end it
            good.append(i)
        except workarounds.InputMismatch as exc:
            faults.append(workarounds.CallbackFault(i, exc, ""))
    t0 = time.perf_counter()
    run = queue_runner.run_restarting_request(request, [arrays[i] for i in good])
    results: list[object] = [None] * len(arrays)
    for i, result in zip(good, run.results, strict=True):
        results[i] = result
    return queue_runner.QueueRun(results, faults, seconds=time.perf_counter() - t0, jobs=1)


def run_batch_mode(
    pre: ov.CompiledModel, network: ov.CompiledModel, arrays: Sequence[np.ndarray]
) -> queue_runner.QueueRun:
    """C++ ``set_batch`` mode: preprocess each image, then ONE request on the batch of all of them.

    ``network`` must be compiled for exactly ``len(arrays)`` images (``with_batch``); images that
    do not fit are reported and their slot is filled with the first good image's data.
    """
    check = workarounds.input_checker(pre.input(0))
    faults: list[workarounds.CallbackFault] = []
    net_input = network.input(0)
    batch = np.zeros(tuple(net_input.get_shape()), dtype=net_input.get_element_type().to_dtype())
    good: list[int] = []
    for i, array in enumerate(arrays):
        try:
            check(array)
        except workarounds.InputMismatch as exc:
            faults.append(workarounds.CallbackFault(i, exc, ""))
            continue
        # share_inputs=False: the PPP input is dynamic, and a shared array can be overwritten by a
        # later inference of the same compiled model (known issue 1, helpers.workarounds.detach_inputs).
        batch[i] = pre(array, share_inputs=False)[0][0]
        good.append(i)
    results: list[object] = [None] * len(arrays)
    t0 = time.perf_counter()
    if good:
        for i in set(range(len(arrays))) - set(good):
            batch[i] = batch[good[0]]
        request = network.create_infer_request()
        request.start_async({0: batch}, share_inputs=True)
        try:
            while not request.wait_for(WAIT_SLICE_MS):
                pass
        except KeyboardInterrupt:
            workarounds.stop_requests([request], shared=False)
            raise
        out = request.get_output_tensor(0).data.copy()
        for i in good:
            results[i] = out[i : i + 1]
    return queue_runner.QueueRun(results, faults, seconds=time.perf_counter() - t0, jobs=1)
