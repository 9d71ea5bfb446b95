"""Wrong but plausible answers for notebook 03; each makes its check print ✗ without raising."""

WRONG = {
    # Reads the output before starting the photo: every label belongs to the photo before it.
    "03-poll": """
polled = []
for path in files:
    x = read_for_model(path)
    while not request.wait_for(1):
        pass
    polled.append(labels[request.get_output_tensor().data.argmax()])
    request.start_async(x)
request.wait()
""",
    # The comparison is the wrong way round: it rejects the confident photos.
    "03-unsure": """
def confident(name):
    if softmax(request.get_output_tensor().data[0]).max() > 0.5:
        raise ValueError(name)


request.set_callback(confident, None)
unsure = []
for path in files:
    request.start_async(read_for_model(path), path.name)
    try:
        request.wait()
    except RuntimeError:
        unsure.append(path.name)
""",
}
