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
