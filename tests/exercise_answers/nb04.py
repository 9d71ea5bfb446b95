"""Wrong but plausible answers for notebook 04; each makes its check print ✗ without raising."""

WRONG = {
    # Keeps the output VIEW, not a copy: after wait_all every view shows its request's last photo.
    "04-queue-loop": """
views = {}
my_queue = ov.AsyncInferQueue(queue_model, 3)


def keep_view(request, name):
    views[name] = request.get_output_tensor().data


my_queue.set_callback(keep_view)
for path in files:
    my_queue.start_async(read_for_model(path), path.name)
my_queue.wait_all()
top5_by_name = {name: np.argsort(view[0])[::-1][:5] for name, view in views.items()}
""",
    # Swallows the error: nothing aborts, but the failing photos are lost without a trace.
    "04-safe-callback": """
failed = []
safe_queue = ov.AsyncInferQueue(queue_model, 2)


def quiet_strict(request, name):
    try:
        strict(request, name)
    except Exception:
        pass


safe_queue.set_callback(quiet_strict)
for path in files:
    safe_queue.start_async(read_for_model(path), path.name)
safe_queue.wait_all()
""",
}
