"""Answers to notebook 07's exercises: WRONG, SHORTCUTS (the harness), SHORTCUT, RIGHT (tests/test_advise.py).

Each value replaces the learner cell of its exercise (the cell tagged ``exercise:<id>``). A
shortcut passes on the notebook's own model but not on the check's models: it must print ✗.
"""

WRONG = {
    # Takes every input as NCHW: an NHWC model's (H, W, C) comes out as (W, C, H).
    "07-read-input": """
def image_size(model):
    n, c, h, w = model.input().get_partial_shape().to_shape()
    return h, w, c
""",
    # Forgets the BGR flip: right for RGB models only.
    "07-preprocess": """
def with_preprocessing(model, mean, scale, bgr):
    ppp = ov.preprocess.PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC"))
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    ppp.input().preprocess().convert_element_type(ov.Type.f32).mean(mean).scale(scale)
    return ppp.build()
""",
}

SHORTCUT = {
    # The shipped model's numbers, typed in.
    "07-read-input": """
def image_size(model):
    return 224, 224, 3
""",
    # No preprocessing at all: the model still wants f32 NCHW.
    "07-preprocess": """
def with_preprocessing(model, mean, scale, bgr):
    return model
""",
}

RIGHT = {
    "07-read-input": """
def image_size(model):
    shape = model.input().get_partial_shape().to_shape()
    if shape[1] in (1, 3):
        return shape[2], shape[3], shape[1]
    return shape[1], shape[2], shape[3]
""",
    "07-preprocess": """
def with_preprocessing(model, mean, scale, bgr):
    ppp = ov.preprocess.PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC"))
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    steps = ppp.input().preprocess()
    if bgr:
        steps.reverse_channels()
    steps.convert_element_type(ov.Type.f32).mean(mean).scale(scale)
    return ppp.build()
""",
}

# For the harness: each shortcut with the word its ✗ line must contain (the concept it skipped).
SHORTCUTS = {
    "07-read-input": [("model.input()", SHORTCUT["07-read-input"])],
    "07-preprocess": [("PrePostProcessor", SHORTCUT["07-preprocess"])],
}
