"""Answers to notebook 01's exercises: each check must print ✗ (see ``__init__``)."""

WRONG = {
    # The colour order is forgotten: the model takes BGR pixels as if they were RGB.
    "01-bgr-ppp": """
wrong_ppp = ov.preprocess.PrePostProcessor(model.clone())
wrong_ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")).set_shape(
    [1, 224, 224, 3]
)
wrong_ppp.input().model().set_layout(ov.Layout("NCHW"))
wrong_ppp.input().preprocess().convert_element_type(ov.Type.f32).mean(list(IMAGENET_MEAN)).scale(list(IMAGENET_STD))
bgr_classifier = core.compile_model(wrong_ppp.build(), device.value, F32)
""",
    # The default hint (LATENCY) is kept, so the number read is the latency one.
    "01-throughput-requests": """
def throughput_compile(core, model, device):
    compiled = core.compile_model(model, device)
    return compiled, compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")
""",
}

SHORTCUTS = {
    "01-bgr-ppp": [
        # The colour flip done on the host in Python, around the RGB classifier: no PrePostProcessor.
        (
            "PrePostProcessor",
            """
rgb_classifier = build_static_classifier(core, SHIPPED_MODEL, device.value, F32)


def bgr_classifier(bgr):
    return rgb_classifier(np.ascontiguousarray(bgr[..., ::-1]))
""",
        ),
    ],
    "01-throughput-requests": [
        # The THROUGHPUT hint, but the number typed in from the table printed above.
        (
            "OPTIMAL_NUMBER_OF_INFER_REQUESTS",
            """
def throughput_compile(core, model, device):
    return core.compile_model(model, device, {"PERFORMANCE_HINT": "THROUGHPUT"}), 2
""",
        ),
        # Streams set by hand instead of the hint, the number read from the compiled model.
        (
            "THROUGHPUT",
            """
def throughput_compile(core, model, device):
    compiled = core.compile_model(model, device, {"NUM_STREAMS": "2"})
    return compiled, compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")
""",
        ),
    ],
}
