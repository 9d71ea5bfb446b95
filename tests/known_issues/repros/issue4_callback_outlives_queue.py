"""Known issue 4, its precondition counted without exiting: who drops the callback's last reference.

While the queue lives, ``wait_all`` leaves no extra reference to the callback. Once the queue is
freed right after ``wait_all``, the callback is still referenced in many rounds: a worker thread
drops it later, and needs the GIL for that. A pause (GIL released) before freeing the queue lets
the worker finish first. Prints, for no pause and for ``workarounds.CALLBACK_SETTLE_SECONDS``, in how
many of ROUNDS rounds an extra reference remained with the queue alive and after it was freed.
"""

import json
import sys
import time

import openvino as ov

from helpers import images, models, paths, workarounds

ROUNDS = 30
compiled = models.build_static_classifier(ov.Core(), paths.SHIPPED_MODEL, "CPU")
photo = images.read_for_model(paths.IMAGES_DIR / "cat.png")


def lingering(pause_s: float) -> dict:
    alive = freed = 0
    for _ in range(ROUNDS):
        callback = lambda request, userdata: None  # noqa: E731
        before = sys.getrefcount(callback)
        queue = ov.AsyncInferQueue(compiled, 2)
        queue.set_callback(callback)
        with_queue = sys.getrefcount(callback)
        for i in range(4):
            queue.start_async({0: photo}, i)
        queue.wait_all()
        if pause_s:
            time.sleep(pause_s)  # releases the GIL
        alive += sys.getrefcount(callback) > with_queue
        del queue
        freed += sys.getrefcount(callback) > before
    return {"pause_ms": pause_s * 1000, "queue_alive": alive, "queue_freed": freed}


SETTLE = workarounds.CALLBACK_SETTLE_SECONDS
print(json.dumps({"rounds": ROUNDS, "results": [lingering(0), lingering(SETTLE)]}))
