"""Known issue 4: the interpreter exits right after an AsyncInferQueue is freed, and aborts.

``wait_all`` returns while an OpenVINO thread still holds the Python callback; freeing the queue
and exiting at once leaves that thread waiting for the GIL of a finalizing interpreter:
"terminate called without an active exception", exit code -6 (SIGABRT), in some of the runs.
Argument ``pause``: sleep 5 ms (GIL released) before freeing the queue, which avoids it.
"""

import sys
import time

import openvino as ov

from helpers import images, models, paths

compiled = models.build_static_classifier(ov.Core(), paths.SHIPPED_MODEL, "CPU")
photo = images.read_for_model(paths.IMAGES_DIR / "cat.png")
queue = ov.AsyncInferQueue(compiled, 2)
queue.set_callback(lambda request, userdata: None)
for i in range(8):
    queue.start_async({0: photo}, i)
queue.wait_all()
if sys.argv[1:] == ["pause"]:
    time.sleep(0.005)
del queue  # the process exits next
