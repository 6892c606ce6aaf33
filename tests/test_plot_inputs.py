"""Bad input to the figures a notebook shows: an error naming the argument, what came and
what was expected; never minutes of drawing; never a silently wrong figure."""

from __future__ import annotations

import time

import matplotlib
import matplotlib.figure

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402

RNG = np.random.default_rng(0)
NAMES = [f"class {k}" for k in range(10)]
IMAGES = RNG.random((6, 8, 8))
LABELS = np.array([0, 1, 2, 3, 4, 9])
PROBS = RNG.dirichlet(np.ones(10), size=6)


def _history(**extra):
    return {"loss": [1.0, 0.5], "accuracy": [0.6, 0.8], **extra}


CASES = [
    # --- show_items: probabilities for classes, labels out of range, ncols
    (lambda: plots.show_items(IMAGES, LABELS, NAMES, predicted=PROBS), ValueError,
     r"`predicted` has shape \(6, 10\): these look like probabilities.*argmax"),
    (lambda: plots.show_items(IMAGES, LABELS + 1, NAMES), ValueError,
     r"`labels` holds class 10, outside 0..9"),
    (lambda: plots.show_items(IMAGES, -LABELS, NAMES), ValueError, "outside 0..9"),
    (lambda: plots.show_items(IMAGES, LABELS, NAMES, ncols=0), ValueError,
     "`ncols` must be >= 1, got 0"),
    (lambda: plots.show_items(IMAGES, LABELS, NAMES, ncols=2.5), TypeError, "`ncols`"),
    (lambda: plots.show_items(IMAGES, LABELS[:3], NAMES), ValueError,
     "`labels` has 3 entries for 6 images"),
    (lambda: plots.show_items(IMAGES, LABELS + 0.5, NAMES), ValueError,
     "whole class numbers"),
    (lambda: plots.show_items(IMAGES, LABELS, "abc"), TypeError, "`class_names`"),
    (lambda: plots.show_items(IMAGES[0], LABELS, NAMES), ValueError,
     r"`images` must have 3 or 4 dimensions"),
    (lambda: plots.show_items(np.zeros((500, 4, 4)), np.zeros(500, int), NAMES),
     ValueError, r"at most 200"),
    (lambda: plots.show_items(IMAGES, LABELS, NAMES, titles=["a"]), ValueError,
     "`titles` has 1 entries, expected 6"),
    (lambda: plots.show_items(IMAGES, LABELS, NAMES, size=0), ValueError, "`size`"),
    # --- show_predictions
    (lambda: plots.show_predictions(IMAGES, PROBS, LABELS, NAMES, ncols=0), ValueError,
     "`ncols` must be >= 1"),
    (lambda: plots.show_predictions(IMAGES, PROBS[0], LABELS, NAMES), ValueError,
     r"`probabilities` must have 2 dimensions"),
    (lambda: plots.show_predictions(IMAGES, PROBS * 5, LABELS, NAMES), ValueError,
     "between 0 and 1"),
    (lambda: plots.show_predictions(IMAGES, PROBS, LABELS + 4, NAMES), ValueError,
     r"`labels` holds class 1\d, outside 0..9"),
    # --- plot_history / plot_confusion
    (lambda: plots.plot_history({"loss": [1.0, 0.5]}), ValueError,
     r"no 'accuracy' values.*metrics=\[\"accuracy\"\]"),
    (lambda: plots.plot_history([1, 2]), ValueError, "Keras History"),
    (lambda: plots.plot_confusion(np.eye(3), NAMES), ValueError,
     r"`cm` must be \(10, 10\)"),
    (lambda: plots.plot_confusion(-np.eye(10), NAMES), ValueError, "counts"),
    (lambda: plots.plot_confusion(np.eye(10), 10), TypeError, "`class_names`"),
    # --- convolution figures
    (lambda: plots.show_padding_stride(np.ones((5, 5)), 3, 0, "same"), ValueError,
     "`stride` must be >= 1, got 0"),
    (lambda: plots.show_padding_stride(np.ones((5, 5)), 3, 1, -1), ValueError,
     "`padding` must be >= 0"),
    (lambda: plots.show_padding_stride(np.ones((5, 5)), 3.0, 1, 0), TypeError,
     "`kernel_size`"),
    (lambda: plots.show_padding_stride(np.ones((5, 5, 3)), 3, 1, 0), ValueError,
     "`image` must have 2 dimensions"),
    (lambda: plots.show_padding_stride(np.ones((100, 100)), 3, 1, 0), ValueError,
     "too large"),
    (lambda: plots.show_conv_steps(np.ones((28, 28)), np.ones((3, 3))), ValueError,
     r"`image` is 28x28.*use the widget for images larger than 8x8"),
    (lambda: plots.show_conv_step(np.ones((5, 5)), np.ones((3, 3)), -1, 0),
     ValueError, "`row` must be >= 0"),
    (lambda: plots.show_conv_step(np.ones((5, 5)), np.ones((3, 3)), 3, 0),
     ValueError, r"\(row, col\) must be within"),
    (lambda: plots.show_conv_step(np.ones((5, 5)), np.ones((3, 3)), 0.5, 0),
     TypeError, "`row`"),
    (lambda: plots.show_patch_vs_kernel(np.ones((6, 6)), np.ones((3, 3)), -1, 0),
     ValueError, "`row` must be >= 0"),
    (lambda: plots.show_patch_vs_kernel(np.ones((6, 6)), np.ones((3, 3)), 5, 0),
     ValueError, "leaves the"),
    (lambda: plots.show_kernels_and_maps([np.ones((3, 3))], [np.ones((4, 4))], ncols=0),
     ValueError, "`ncols` must be >= 1"),
    (lambda: plots.show_kernels_and_maps([], []), ValueError, "`kernels` is empty"),
    (lambda: plots.show_kernels_and_maps([np.ones(3)], [np.ones((4, 4))]), ValueError,
     r"`kernels\[0\]` must have 2 dimensions"),
    (lambda: plots.show_kernel_effect(np.ones((6, 6)), "edge", np.ones((4, 4))),
     TypeError, "`kernel` must hold numbers"),
    # --- matrices, grids, pooling
    (lambda: plots.show_matrix(np.ones(4)), ValueError, "`matrix` must have 2 dim"),
    (lambda: plots.show_matrix(np.ones((100, 100))), ValueError,
     "too large to write every number"),
    (lambda: plots.show_matrix(np.ones((3, 3)), decimals=-1), ValueError, "`decimals`"),
    (lambda: plots.show_image(np.ones((2, 2, 2, 2))), ValueError, "`image`"),
    (lambda: plots.show_image("photo"), TypeError, "`image` must hold numbers"),
    (lambda: plots.show_grid([np.ones((3, 3))] * 3, ncols=0), ValueError,
     "`ncols` must be >= 1"),
    (lambda: plots.show_grid([np.ones((3, 3))] * 3, ncols=-2), ValueError, "`ncols`"),
    (lambda: plots.show_grid([]), ValueError, "`maps` is empty"),
    (lambda: plots.show_grid([np.ones(3)]), ValueError, r"`maps\[0\]`"),
    (lambda: plots.show_grid(np.ones((3, 3))), ValueError, "`maps` must have 3"),
    (lambda: plots.show_grid([np.ones((3, 3))] * 2, titles=["a"]), ValueError,
     "`titles`"),
    (lambda: plots.show_pooling(np.ones((4, 4)), size=0), ValueError, "`size`"),
    (lambda: plots.show_pooling(np.ones((4, 4)), stride=0), ValueError, "`stride`"),
    (lambda: plots.show_pooling(np.ones((4, 4)), kind="min"), ValueError, "`kind`"),
    (lambda: plots.show_pooling(np.ones((4, 4, 2))), ValueError, "`x` must have 2"),
    (lambda: plots.show_learned_kernels(np.ones((3, 3, 4)), ncols=0), ValueError,
     "`ncols`"),
    (lambda: plots.plot_confusion(np.eye(100), [str(k) for k in range(100)]),
     ValueError, "at most 40"),
    (lambda: plots.show_learned_kernels(np.ones((3, 3, 1000))), ValueError,
     "at most 256"),
    (lambda: plots.show_kernels_and_maps([np.ones((3, 3))] * 100,
                                         [np.ones((4, 4))] * 100), ValueError,
     "at most 64"),
    (lambda: plots.show_kernel_snapshots(np.ones((101, 3, 3)), list(range(100))),
     ValueError, "at most 24"),
    (lambda: plots.show_channel_sum([np.ones((3, 3))] * 2, None), TypeError,
     "`titles` must be a list of str"),
    (lambda: plots.show_channel_sum([np.ones((3, 3))] * 2, ["r"]), ValueError,
     "`titles` has 1 entries, expected 2"),
    (lambda: plots.plot_training_match(np.arange(5), np.ones(4), None, [0, 4],
                                       [0.5, 0.6]), ValueError,
     "`numpy_loss` has 4 values for 5 `steps`"),
    (lambda: plots.plot_training_match(np.arange(5), np.ones(5), None, [0, 4],
                                       [50, 60]), ValueError,
     r"`accuracy` must be fractions in \[0, 1\]"),
    (lambda: plots.plot_training_match(None, np.ones(5), None, [0, 4], [0.5, 0.6]),
     TypeError, "`steps` is None"),
    (lambda: plots.highlight_window(plt.gca(), -1, 0, 2, 2), ValueError,
     "`row` must be >= 0"),
    (lambda: plots.highlight_window(plt.gca(), 0, 0, 0, 2), ValueError,
     "`height` must be >= 1"),
]


@pytest.mark.parametrize("call, error, words", CASES,
                         ids=[f"case{i}-{w[:30]}" for i, (_, _, w) in enumerate(CASES)])
def test_bad_input_gets_a_clear_error_quickly(call, error, words):
    start = time.monotonic()
    with pytest.raises(error, match=words):
        call()
    assert time.monotonic() - start < 5


def test_good_input_still_draws():
    figures = [
        plots.show_items(IMAGES, LABELS, NAMES, predicted=PROBS.argmax(1), ncols=3),
        plots.show_items(IMAGES[..., None], list(LABELS), tuple(NAMES)),
        plots.show_predictions(IMAGES, PROBS, LABELS, NAMES, ncols=np.int64(3)),
        plots.show_conv_steps(np.ones((4, 4)), np.ones((3, 3))),
        plots.show_grid(np.ones((3, 3, 2)), ncols=np.int32(1)),
        plots.show_kernels_and_maps([np.ones((3, 3))], [np.ones((4, 4))],
                                    names=("box",)),
    ]
    assert all(isinstance(fig, matplotlib.figure.Figure) for fig in figures)
    ax = plots.show_padding_stride(np.ones((5, 5)), np.int64(3), 2, "same")
    assert ax.get_title().endswith("5x5 → 3x3")
    assert len(plots.plot_history(_history(val_loss=[1.1, 0.7],
                                           val_accuracy=[0.5, 0.7]))) == 2
    assert plots.plot_confusion(np.eye(10, dtype=int) * 7, NAMES) is not None
    axes = plots.show_conv_step(np.ones((5, 5), np.uint8), np.ones((3, 3)), 2, 2)
    assert len(axes) == 3


def test_show_items_draws_the_given_classes():
    fig = plots.show_items(IMAGES, LABELS, NAMES, predicted=LABELS[::-1])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0] == "true: class 0\n✗ predicted: class 9"
    assert len(titles) == 6


def test_show_conv_steps_stops_above_8x8():
    fig = plots.show_conv_steps(np.ones((8, 8)), np.ones((8, 8)))  # 8x8: allowed
    assert len(fig.axes) == 3
    with pytest.raises(ValueError, match="9x9"):
        plots.show_conv_steps(np.ones((9, 9)), np.ones((3, 3)))


# --------------------------------------------------------------- widgets: checked at once
@pytest.mark.parametrize("make, error, words", [
    (lambda w: w.conv_stepper(np.ones((5, 5, 3)), np.ones((3, 3))), ValueError,
     "`image` must have 2 dimensions"),
    (lambda w: w.conv_stepper(np.ones((3, 3)), np.ones((4, 4))), ValueError,
     r"`kernel` \(4, 4\) is larger than `image`"),
    (lambda w: w.conv_stepper(np.ones((100, 100)), np.ones((3, 3))), ValueError,
     "too large"),
    (lambda w: w.conv_stepper("image", np.ones((3, 3))), TypeError,
     "`image` must hold numbers"),
    (lambda w: w.pooling_explorer(np.ones(5)), ValueError, "`x` must have 2"),
    (lambda w: w.pooling_explorer(np.ones((500, 500))), ValueError, "too large"),
    (lambda w: w.kernel_explorer(np.ones((2, 2))), ValueError, "at least 3x3"),
    (lambda w: w.kernel_explorer(np.ones((8, 8)), preset=["edge"]), ValueError,
     "`preset` must be one of"),
    (lambda w: w.learning_rate_explorer(np.ones((2, 6, 6)), np.zeros((2, 4, 4)),
                                        np.zeros((3, 3)), np.zeros((2, 2))),
     ValueError, "`hidden` has shape"),
    (lambda w: w.learning_rate_explorer(np.ones((2, 6, 6)), np.zeros((2, 4, 4)),
                                        np.zeros((3, 3)), np.zeros((3, 3)), steps=0),
     ValueError, "`steps` must be >= 1"),
    (lambda w: w.learning_rate_explorer(np.ones((2, 6, 6)), np.zeros((2, 5, 5)),
                                        np.zeros((3, 3)), np.zeros((3, 3))),
     ValueError, "`targets`"),
])
def test_widgets_check_their_input_before_drawing(make, error, words):
    from helpers import widgets

    with pytest.raises(error, match=words):
        make(widgets)


def test_gradient_descent_and_cross_entropy_name_the_argument():
    from helpers import kernel_descent, losses

    with pytest.raises(ValueError, match="`start` must have 2 dimensions"):
        kernel_descent.gradient_descent(np.ones((2, 6, 6)), np.zeros((2, 4, 4)),
                                   np.zeros(3), 0.1, 3)
    with pytest.raises(TypeError, match="`labels`"):
        losses.cross_entropy(np.array([[0.5, 0.5], [0.5, 0.5]]), [[1, 0], [1]])
