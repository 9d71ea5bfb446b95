import numpy as np

from helpers import labels as L


def test_softmax_sums_to_one_and_is_stable():
    p = L.softmax(np.array([1000.0, 1000.0, -1000.0]))
    np.testing.assert_allclose(p, [0.5, 0.5, 0.0], atol=1e-6)


def test_top_k_orders_by_probability_then_id():
    best = L.top_k(np.array([0.1, 0.4, 0.4, 0.1]), 3)
    assert [cid for cid, _ in best] == [1, 2, 0]
    np.testing.assert_allclose([p for _, p in best], [0.4, 0.4, 0.1], rtol=1e-6)
    assert len(L.top_k(np.ones(3) / 3, 10)) == 3


def test_table_matches_the_sample_format():
    probs = np.zeros(1000, np.float32)
    probs[[281, 285, 7]] = [0.5, 0.3, 0.2]
    names = [f"c{i}" for i in range(1000)]
    text = L.format_result("data/images/cat.png", probs, names, k=3)
    assert text.splitlines() == [
        "Image path: data/images/cat.png",
        "Top 3 results:",
        "",
        "class_id probability label",
        "-------- ----------- -----",
        "281      0.5000000   c281",
        "285      0.3000000   c285",
        "7        0.2000000   c7",
    ]
    no_labels = L.format_top_table(probs, None, 1).splitlines()
    assert no_labels == ["class_id probability", "-------- -----------", "281      0.5000000"]


def test_labels_with_wrong_line_count_fall_back(tmp_path):
    p = tmp_path / "m.labels"
    p.write_text("a\nb\nc\n")
    names, warning = L.load_labels(p, 1000)
    assert names is None and "has 3 lines but the model has 1000 classes" in warning
    assert L.label_of(5, names) == "5"
    names, warning = L.load_labels(p, 3)
    assert names == ["a", "b", "c"] and warning is None


def test_shipped_labels_are_unique_and_classic(labels):
    assert len(labels) == 1000 and len(set(labels)) == 1000
    assert labels[281] == "tabby, tabby cat" and labels[967] == "espresso"
    assert labels[652] == "military uniform" and labels[657] != labels[744]
