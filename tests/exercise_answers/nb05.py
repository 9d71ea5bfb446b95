"""Wrong but plausible answers to notebook 05's exercises: each must make its check print ✗.

Each value replaces the learner cell of its exercise (the cell tagged ``exercise:<id>``).
"""

WRONG = {
    # Changes the widget inside the callback, on an OpenVINO thread, instead of scheduling it.
    "05-feed-widget": """
status = nb05.watched_html()
display(status)
found = {}


def on_found(request, name):
    found[name] = labels[int(request.get_output_tensor(0).data.argmax())]
    status.value = f"{len(found)} classified"


wrong_queue = ov.AsyncInferQueue(compiled)
wrong_queue.set_callback(SafeCallback(on_found))
for name, batch in prefetch(list_image_files(demo)):
    if not isinstance(batch, ImageReadError):
        wrong_queue.start_async({0: batch}, Path(name).name)
wrong_queue.wait_all()
""",
    # Ignores class_id: stores the probability of the notebook's top-1 class instead.
    "05-patch-callback": """
def make_on_patch(probs, class_id):
    def on_patch(request, index):
        probs[index] = softmax(request.get_output_tensor(0).data[0])[top1_id]

    return on_patch
""",
}
