"""Wrong but plausible answers to notebook 01's exercises: each check must print its hint (✗)."""

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
throughput_model = core.compile_model(static_model, device.value)
n_requests = throughput_model.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")
""",
}
