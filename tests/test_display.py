"""helpers.display: what a reader of the plots relies on."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers.display import stacked_bars  # noqa: E402


def test_stacked_bars_legend_reads_top_down_like_the_stack():
    parts = {
        "a.jpg": {"decode": 3.0, "resize": 1.0, "inference": 9.0},
        "b.jpg": {"decode": 2.0, "inference": 8.0},
    }
    figure = stacked_bars(parts, "ms", "t")
    ax = figure.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    stacked_bottom_up = [container.get_label() for container in ax.containers]
    assert stacked_bottom_up == ["decode", "resize", "inference"]
    assert labels == stacked_bottom_up[::-1]
    plt.close(figure)
