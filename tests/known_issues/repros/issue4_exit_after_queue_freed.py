"""Known issue 4: the interpreter exits right after an AsyncInferQueue is freed, and aborts.

``wait_all`` returns while an OpenVINO worker thread still holds a finished request; freed at that
moment, the queue leaves that thread to drop the last reference to the Python callback, which needs
the GIL of an interpreter that is exiting: "terminate called without an active exception", exit
code -6 (SIGABRT), in some of the runs. Argument ``pause``: sleep
``workarounds.CALLBACK_SETTLE_SECONDS`` (GIL released) before freeing the queue, which avoids it.
"""

import sys
import time

import openvino as ov

from helpers import images, models, paths, workarounds

compiled = models.build_static_classifier(ov.Core(), paths.SHIPPED_MODEL, "CPU")
photo = images.read_for_model(paths.IMAGES_DIR / "cat.png")
queue = ov.AsyncInferQueue(compiled, 2)
queue.set_callback(lambda request, userdata: None)
for i in range(8):
    queue.start_async({0: photo}, i)
queue.wait_all()
if sys.argv[1:] == ["pause"]:
    time.sleep(workarounds.CALLBACK_SETTLE_SECONDS)  # 5 ms, as helpers.queue_runner.run_queue pauses
del queue  # the process exits next
