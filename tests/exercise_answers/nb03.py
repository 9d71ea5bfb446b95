"""Answers to notebook 03's exercises: each check must print ✗ (see ``__init__``)."""

WRONG = {
    # Reads the output before starting the photo: every label belongs to the photo before it.
    "03-poll": """
def poll_labels(request, paths):
    polled = []
    for path in paths:
        x = read_for_model(path)
        while not request.wait_for(1):
            pass
        polled.append(labels[request.get_output_tensor().data.argmax()])
        request.start_async(x)
    request.wait()
    return polled
""",
    # The comparison is the wrong way round: it rejects the confident photos.
    "03-unsure": """
def unsure_names(request, paths, threshold):
    def confident(name):
        if softmax(request.get_output_tensor().data[0]).max() > threshold:
            raise ValueError(name)

    request.set_callback(confident, None)
    unsure = []
    for path in paths:
        request.start_async(read_for_model(path), path.name)
        try:
            request.wait()
        except RuntimeError:
            unsure.append(path.name)
    return unsure
""",
}

SHORTCUTS = {
    "03-poll": [
        # The labels from a synchronous model call: the request is never started, nothing is polled.
        (
            "wait_for",
            """
def poll_labels(request, paths):
    return [labels[int(latency_model(read_for_model(p))[0].argmax())] for p in paths]
""",
        ),
        # start_async, then wait(): right labels, but the thread blocks instead of polling.
        (
            "wait_for",
            """
def poll_labels(request, paths):
    polled = []
    for path in paths:
        request.start_async(read_for_model(path))
        request.wait()
        polled.append(labels[request.get_output_tensor().data.argmax()])
    return polled
""",
        ),
        # Synchronous infer() on the given request.
        (
            "wait_for",
            """
def poll_labels(request, paths):
    return [labels[int(request.infer(read_for_model(p))[0].argmax())] for p in paths]
""",
        ),
    ],
    "03-unsure": [
        # A filter on probabilities computed synchronously: no callback, no wait().
        (
            "set_callback",
            """
def unsure_names(request, paths, threshold):
    return [p.name for p in paths if softmax(latency_model(read_for_model(p))[0][0]).max() < threshold]
""",
        ),
        # A callback that records the name instead of raising: wait() never brings an error back.
        (
            "re-raises",
            """
def unsure_names(request, paths, threshold):
    unsure = []

    def note(name):
        if softmax(request.get_output_tensor().data[0]).max() < threshold:
            unsure.append(name)

    request.set_callback(note, None)
    for path in paths:
        request.start_async(read_for_model(path), path.name)
        request.wait()
    return unsure
""",
        ),
    ],
}
