"""Known issue 6: a cancelled request raises from wait() until it runs again, and so does its queue.

``cancel()`` on a running request makes its ``wait()`` raise "Infer Request was canceled" (that
is ``ov::Cancelled``, by design) until the request is started again. An AsyncInferQueue waits on
the request before each ``start_async``, so every ``start_async`` raises until that request runs
``infer()`` once. Prints what each call did over RUNS trials. A cancel can arrive after the
inference has ended (a race of a few microseconds against a few milliseconds): such a trial shows
"ok" everywhere and says nothing, so each trial records whether its cancel took effect (the first
``wait()`` raised "canceled", which is by design).
"""

import json

import openvino as ov

from helpers import images, models, paths

RUNS = 8
compiled = models.build_static_classifier(ov.Core(), paths.SHIPPED_MODEL, "CPU")
photo = images.read_for_model(paths.IMAGES_DIR / "cat.png")


def outcome(call) -> str:
    try:
        call()
        return "ok"
    except RuntimeError as exc:
        return "canceled" if "canceled" in str(exc) else f"other: {str(exc).splitlines()[-1][:80]}"


def trial() -> dict:
    request = compiled.create_infer_request()
    request.start_async({0: photo})
    request.cancel()
    plain = [outcome(request.wait), outcome(request.wait)]
    request.start_async({0: photo})
    plain.append(outcome(request.wait))  # restarted: fine again

    queue = ov.AsyncInferQueue(compiled, 1)
    queue.start_async({0: photo})
    queue[0].cancel()
    queue_cancelled = outcome(queue[0].wait) == "canceled"  # wait() is read-only: allowed on queue[i]
    in_queue = [outcome(lambda: queue.start_async({0: photo})) for _ in range(3)]
    if in_queue[-1] == "ok":  # the cancel came too late (or no longer poisons): that run may still go on
        queue.wait_all()
    queue[0].infer()  # one synchronous run clears the cancelled state
    in_queue.append(outcome(lambda: (queue.start_async({0: photo}), queue.wait_all())))
    return {"request": plain, "queue": in_queue, "queue_cancel_took_effect": queue_cancelled}


print(json.dumps({"trials": [trial() for _ in range(RUNS)], "runs": RUNS}))
