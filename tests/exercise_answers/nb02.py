"""Answers to notebook 02's exercises: each check must print ✗ (see ``__init__``)."""

WRONG = {
    # Keeps the view of the output tensor: the next inference overwrites it.
    "02-copy-output": """
def keep_logits(request, x):
    request.get_input_tensor().data[:] = x
    request.infer()
    return request.get_output_tensor().data
""",
    # Forgets the resize: the static classifier refuses a photo of another size.
    "02-classify-photo": """
wrong_request = compiled.create_infer_request()


def classify(path):
    logits = wrong_request.infer(read_image(path)[None])[0]
    return labels[int(logits.argmax())]
""",
}

SHORTCUTS = {
    "02-copy-output": [
        # The request is run, but the logits kept come from calling the notebook's compiled model.
        (
            "request",
            """
def keep_logits(request, x):
    request.infer(x)
    return compiled(x)[0]
""",
        ),
        # The input is filled but the request never runs; the logits come from the compiled model.
        (
            "request",
            """
def keep_logits(request, x):
    request.get_input_tensor().data[:] = x
    return compiled(x)[0].copy()
""",
        ),
    ],
    "02-classify-photo": [
        # The label looked up by file name in results computed earlier, with no inference.
        (
            "InferRequest",
            """
known = {p.name: labels[int(compiled(read_for_model(p))[0].argmax())] for p in list_image_files(IMAGES_DIR)}


def classify(path):
    return known[path.name]
""",
        ),
    ],
}
