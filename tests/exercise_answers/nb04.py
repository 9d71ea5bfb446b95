"""Answers to notebook 04's exercises: each check must print ✗ (see ``__init__``)."""

WRONG = {
    # Keeps the output VIEW, not a copy: after wait_all every view shows its request's last photo.
    "04-queue-loop": """
def queue_top5(queue, paths):
    views = {}
    queue.set_callback(lambda request, name: views.update({name: request.get_output_tensor().data}))
    for path in paths:
        queue.start_async(read_for_model(path), path.name)
    queue.wait_all()
    return {name: np.argsort(view[0])[::-1][:5] for name, view in views.items()}
""",
    # Swallows the error: nothing aborts, but the failing photos are lost without a trace.
    "04-safe-callback": """
def make_safe(check, failed):
    def quiet(request, name):
        try:
            check(request, name)
        except Exception:
            pass

    return quiet
""",
}

SHORTCUTS = {
    "04-queue-loop": [
        # np.argsort over synchronous results: the queue is never used.
        (
            "start_async",
            """
def queue_top5(queue, paths):
    return {p.name: np.argsort(queue_model(read_for_model(p))[0][0])[::-1][:5] for p in paths}
""",
        ),
        # A queue of its own instead of the one given: the check's queue sees nothing.
        (
            "start_async",
            """
def queue_top5(queue, paths):
    top5, mine = {}, ov.AsyncInferQueue(queue_model, 3)

    def store(request, name):
        top5[name] = np.argsort(request.get_output_tensor().data[0])[::-1][:5]

    mine.set_callback(store)
    for path in paths:
        mine.start_async(read_for_model(path), path.name)
    mine.wait_all()
    return top5
""",
        ),
        # No userdata: results keyed by the order in which callbacks happen to run.
        (
            "userdata",
            """
def queue_top5(queue, paths):
    top5, names = {}, iter([p.name for p in paths])

    def by_order(request, _):
        top5[next(names)] = np.argsort(request.get_output_tensor().data[0])[::-1][:5]

    queue.set_callback(by_order)
    for path in paths:
        queue.start_async(read_for_model(path))
    queue.wait_all()
    return top5
""",
        ),
    ],
    "04-safe-callback": [
        # The failures read off the notebook's sync results and EXPECTED; the callback does nothing.
        (
            "try/except",
            """
def make_safe(check, failed):
    failed.extend(name for name, label in reference.items() if EXPECTED.get(name) != label)
    return lambda request, name: None
""",
        ),
        # The check itself as the callback: its errors escape into the queue.
        (
            "try/except",
            """
def make_safe(check, failed):
    return check
""",
        ),
    ],
}
