"""Answers to notebook 05's exercises: each check must print ✗ (see ``__init__``)."""

WRONG = {
    # Changes the widget inside the callback, on an OpenVINO thread, instead of scheduling it.
    "05-feed-widget": """
def make_on_found(found, status, schedule):
    def on_found(request, name):
        found[name] = labels[int(request.get_output_tensor(0).data.argmax())]
        status.value = f"{len(found)} classified"

    return on_found
""",
    # Ignores class_id: stores the probability of the notebook's top-1 class instead.
    "05-patch-callback": """
def make_on_patch(probs, class_id):
    def on_patch(request, index):
        probs[index] = softmax(request.get_output_tensor(0).data[0])[top1_id]

    return on_patch
""",
}

SHORTCUTS = {
    "05-feed-widget": [
        # A sync compiled() loop over the notebook's photos, the widget set directly on the main
        # thread; the callback does nothing.
        (
            "schedule",
            """
def make_on_found(found, status, schedule):
    for path in list_image_files(IMAGES_DIR):
        found[path.name] = labels[int(compiled(read_for_model(path))[0].argmax())]
    status.value = f"{len(found)} classified"
    return lambda request, name: None
""",
        ),
        # The labels stored by the callback, but the widget set once on the main thread: no scheduling.
        (
            "schedule",
            """
def make_on_found(found, status, schedule):
    def on_found(request, name):
        found[name] = labels[int(request.get_output_tensor(0).data.argmax())]

    status.value = "5 classified"
    return on_found
""",
        ),
    ],
    "05-patch-callback": [
        # The notebook's occlusion map copied slot by slot: the request's output is never read.
        (
            "class_id",
            """
def make_on_patch(probs, class_id):
    def on_patch(request, index):
        probs[index] = occluded_probs[index % len(occluded_probs)]

    return on_patch
""",
        ),
    ],
}
