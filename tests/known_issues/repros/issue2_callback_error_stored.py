"""Known issue 2: an exception escaping an AsyncInferQueue callback is stored and never cleared.

ONE callback raises. Every later queue call re-raises the stored error, and the second re-raise
aborts the process (pybind11: "restore() called a second time"). Prints one line per call; a
line missing after "call 1" means the process died there.
"""

import numpy as np
import openvino as ov
import openvino.opset13 as ops

param = ops.parameter([1, 8], np.float32)
compiled = ov.Core().compile_model(ov.Model([ops.relu(param)], [param]), "CPU")
queue = ov.AsyncInferQueue(compiled, 2)


def callback(request, userdata):
    if userdata == 0:
        raise ValueError("callback failed on input 0")


queue.set_callback(callback)
x = np.ones((1, 8), np.float32)
queue.start_async({0: x}, 0)  # the only failing input
calls = [queue.wait_all, lambda: queue.start_async({0: x}, 1), queue.wait_all, queue.is_ready]
for i, call in enumerate(calls):
    try:
        call()
        print(f"call {i}: ok", flush=True)
    except Exception as exc:  # noqa: BLE001 - the repro reports what each call raises
        print(f"call {i}: {type(exc).__name__}: {exc}", flush=True)
print("the process survived", flush=True)
