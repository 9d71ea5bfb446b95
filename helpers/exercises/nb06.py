"""Checks for notebook 06 (serving): references computed here, on a local model of their own."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from helpers.exercises import check


@functools.lru_cache(maxsize=1)
def _reference_logits() -> dict[str, np.ndarray]:
    """f32 logits of every sample photo from a CPU model compiled here (not the notebook's)."""
    import openvino as ov

    from helpers import images, models, paths

    compiled = models.build_static_classifier(
        ov.Core(), paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
    )
    request = compiled.create_infer_request()
    return {
        p.name: request.infer({0: images.read_for_model(p)})[0].copy()
        for p in images.list_image_files(paths.IMAGES_DIR)
    }


def _same_class(logits: Any, photo: str) -> bool:
    array = np.asarray(logits)
    reference = _reference_logits()[photo]
    return array.shape == reference.shape and int(array.argmax()) == int(reference.argmax())


def check_remote_local(my_remote: Any, my_local: Any, photo: str = "coffee.png") -> None:
    """06-remote-local: the coffee photo's logits from the server and from the local model agree."""

    def test(remote: Any, local: Any) -> bool:
        return (
            _same_class(remote, photo)
            and _same_class(local, photo)
            and np.allclose(np.asarray(remote), np.asarray(local), atol=1e-2)
        )

    check(
        "06-remote-local",
        (my_remote, my_local),
        test,
        f"send {photo} (read_for_model) to the server and to `compiled`; both logits arrays [1, 1000]",
    )


def check_spread(
    my_queue: Any, my_results: Mapping[str, Any], my_local_results: Mapping[str, Any], urls: Sequence[str]
) -> None:
    """06-spread: every photo right remotely and locally, the two agree, and both replicas served."""

    def test(queue: Any, results: Mapping[str, Any], local: Mapping[str, Any]) -> bool:
        served = getattr(queue, "sent", {})
        photos = set(_reference_logits())
        return (
            all(served.get(url, 0) > 0 for url in urls)
            and not getattr(queue, "errors", [True])
            and set(results) == photos
            and set(local) == photos
            and all(_same_class(results[name], name) and _same_class(local[name], name) for name in photos)
            and all(np.allclose(np.asarray(results[n]), np.asarray(local[n]), atol=1e-2) for n in photos)
        )

    check(
        "06-spread",
        (my_queue, my_results, my_local_results),
        test,
        "one RemoteInferQueue over both URLs, one AsyncInferQueue locally; each callback keeps its own "
        "copy of the logits under the photo name",
    )
