"""Wrong but plausible answers to notebook 02's exercises: each check must print its hint (✗)."""

WRONG = {
    # Keeps the view of the output tensor: the next inference overwrites it.
    "02-copy-output": """
ex_request = compiled.create_infer_request()
ex_request.get_input_tensor().data[:] = cat
ex_request.infer()
cat_logits = ex_request.get_output_tensor().data
""",
    # Forgets the resize: the static classifier refuses a photo of another size.
    "02-classify-photo": """
wrong_request = compiled.create_infer_request()


def classify(path):
    logits = wrong_request.infer(read_image(path)[None])[0]
    return labels[int(logits.argmax())]
""",
}
