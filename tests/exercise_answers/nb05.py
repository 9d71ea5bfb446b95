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
    # Swaps row and column: the patch lands at top=32, left=96.
    "05-patch-drop": """
patch_request = compiled.create_infer_request()
patch_request.infer({0: occlude(square[0], 32, 96, PATCH)[None]})
patch_drop = base_prob - softmax(patch_request.get_output_tensor(0).data[0])[top1_id]
""",
}
