"""Known issue 5: AsyncInferQueue.start_async(share_inputs=True) with a strided numpy view.

The data dispatcher makes a contiguous copy of the view and shares it, but the only reference
to that copy lives on a temporary request wrapper that is freed while the request still runs:
the request reads freed memory. Prints how many of RUNS results differ from the reference, in
shared mode, in copy mode, and in shared mode with a contiguous copy the caller keeps alive or
drops at once (the queue keeps no reference to any shared input, so that one is read after free too).
"""

import json

import numpy as np
import openvino as ov

from helpers import images, models, paths

RUNS = 20
compiled = models.build_static_classifier(
    ov.Core(), paths.SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
)
view = images.read_for_model(paths.IMAGES_DIR / "coffee.png", 448)[:, ::2, ::2, :]  # not contiguous
reference = compiled(np.ascontiguousarray(view), share_inputs=False)[0].copy()


def wrong_results(make_input, share: bool, keep: bool = True) -> int:
    queue = ov.AsyncInferQueue(compiled, 2)
    out, kept = {}, []
    queue.set_callback(lambda request, i: out.__setitem__(i, request.get_output_tensor(0).data.copy()))
    for i in range(RUNS):
        x = make_input()
        if keep:
            kept.append(x)
        queue.start_async({0: x}, i, share_inputs=share)
    queue.wait_all()
    return sum(not np.allclose(out[i], reference, atol=1e-3) for i in range(RUNS))


print(
    json.dumps(
        {
            "contiguous": bool(view.flags.c_contiguous),
            "wrong_shared": wrong_results(lambda: view, True),
            "wrong_copied": wrong_results(lambda: view, False),
            "wrong_own_copy": wrong_results(lambda: np.ascontiguousarray(view), True),
            "wrong_own_copy_dropped": wrong_results(lambda: np.ascontiguousarray(view), True, keep=False),
            "runs": RUNS,
        }
    )
)
