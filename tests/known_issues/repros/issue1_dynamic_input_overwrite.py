"""Known issue 1: a copy-mode inference writes into an array that ANOTHER request has bound.

CPU plugin, dynamic-shape inputs only. Request ``a`` binds the caller's array (``share_inputs=True``);
request ``b`` of the same compiled model then runs in copy mode (the default) on a photo. Prints
how many of RUNS bound arrays now hold ``b``'s photo. Argument: ``dynamic`` or ``static``.
"""

import json
import sys

import numpy as np
import openvino as ov

from helpers import images, models, paths

RUNS = 10
build = models.build_classifier if sys.argv[1] == "dynamic" else models.build_static_classifier
compiled = build(ov.Core(), paths.SHIPPED_MODEL, "CPU")
photo = images.read_for_model(paths.IMAGES_DIR / "cat.png")  # u8 [1, 224, 224, 3]

overwritten = 0
for _ in range(RUNS):
    a, b = compiled.create_infer_request(), compiled.create_infer_request()
    bound = np.zeros_like(photo)
    a.infer({0: bound}, share_inputs=True)  # a's input tensor is now the caller's array
    b.infer({0: photo})  # copy mode, on the OTHER request
    overwritten += bool(np.array_equal(bound, photo))
shape = str(compiled.input(0).get_partial_shape())
print(json.dumps({"input": shape, "overwritten": overwritten, "runs": RUNS}))
