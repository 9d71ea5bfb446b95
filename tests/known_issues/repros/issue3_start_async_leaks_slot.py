"""Known issue 3: a failed AsyncInferQueue.start_async (wrong shape) never gives its request back.

A queue of JOBS requests; JOBS calls with a wrong shape raise, and afterwards the queue has no
idle request although nothing runs: the next start_async would wait forever. A plain InferRequest
given the same bad input stays usable. A wrong dtype is converted silently in copy mode (by design).
"""

import json

import numpy as np
import openvino as ov
import openvino.opset13 as ops

JOBS = 2
param = ops.parameter([1, 8], np.float32)
compiled = ov.Core().compile_model(ov.Model([ops.relu(param)], [param]), "CPU")
queue = ov.AsyncInferQueue(compiled, JOBS)
good, wrong_shape = np.ones((1, 8), np.float32), np.ones((1, 9), np.float32)

ready, errors = [queue.is_ready()], 0
for _ in range(JOBS):
    try:
        queue.start_async({0: wrong_shape})
    except RuntimeError:
        errors += 1
    queue.wait_all()  # nothing is running
    ready.append(queue.is_ready())

request = compiled.create_infer_request()
try:
    request.infer({0: wrong_shape})
except RuntimeError:
    pass
plain_ok = bool(np.array_equal(request.infer({0: good})[0], good))

converted = compiled.create_infer_request().infer({0: np.full((1, 8), 2, np.float64)})[0]
print(
    json.dumps(
        {
            "errors": errors,
            "is_ready": ready,
            "plain_request_ok": plain_ok,
            "float64_converted_to": str(converted.dtype),
        }
    )
)
