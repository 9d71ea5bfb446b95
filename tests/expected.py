"""Expected results shared by several test modules (imported like tests/reliability_inputs.py)."""

# Top-1 labels of the sample photos: the model card's table (data/models/README.md). With
# INFERENCE_PRECISION_HINT f32 they are the same on any CPU.
EXPECTED_TOP1 = {
    "cameraman.png": "tripod",
    "cat.png": "Egyptian cat",
    "coffee.png": "espresso",
    "grace_hopper.jpg": "military uniform",
    "motorcycle.png": "moped",
    "rocket.jpg": "missile",
}

# EfficientNet-Lite0's top-1 class id per sample photo (the same table): tells the results apart.
EXPECTED_TOP1_ID = {
    "cameraman.png": 872,
    "cat.png": 285,
    "coffee.png": 967,
    "grace_hopper.jpg": 652,
    "motorcycle.png": 665,
    "rocket.jpg": 657,
}
