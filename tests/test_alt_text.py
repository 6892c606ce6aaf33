"""Every figure says what it shows: alt text from the numbers drawn (issue 19).

- every figure stored in a notebook carries alt text in its output's metadata
  (``{"image/png": {"alt": ...}}``), a sentence, not a file name;
- `plots.show` displays a figure with its description and refuses one without;
- every plot function of `helpers.plots` describes its figure, with the numbers it drew
  (checked against numbers worked out by hand);
- the book's staging carries each alt text to where myst-nb reads it.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import data, layers, plots  # noqa: E402
from helpers.tools import book  # noqa: E402
from helpers.tools.book import audit as book_audit  # noqa: E402

NOTEBOOKS = book.notebook_paths()
NAMES = [f"class {k}" for k in range(10)]
RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def figures(path):
    """(cell index, output) of every figure stored in the notebook at `path`."""
    nb = nbformat.read(path, as_version=4)
    return [(i, out) for i, cell in enumerate(nb.cells) for out in cell.get("outputs", [])
            if "image/png" in out.get("data", {})]


def alt_of(output):
    return output.get("metadata", {}).get("image/png", {}).get("alt")


# ---- the notebooks -------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_figure_of_the_notebook_says_what_it_shows(path):
    for index, output in figures(path):
        alt = alt_of(output)
        where = f"{path.name} cell {index}"
        assert alt, f"{where}: a figure without alt text (show it with plots.show)"
        assert 40 <= len(alt) <= 1000, f"{where}: {len(alt)} characters: {alt!r}"
        assert not book_audit.FILE_NAME.match(alt), f"{where}: alt is a file name"
        assert re.search(r"\d", alt), f"{where}: no number of the figure in {alt!r}"
        assert "<Figure" not in alt and "Axes" not in alt, where


def test_the_series_has_figures_and_each_cell_one():
    counts = {path.name: len(figures(path)) for path in NOTEBOOKS}
    assert sum(counts.values()) >= 60, counts
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            shown = sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
            assert shown <= 1, f"{path.name} cell {index}: {shown} figures (the book " \
                               "gives one alt text per cell)"


def test_the_alt_text_tells_the_numbers_of_the_lesson():
    """Spot checks against the numbers the notebooks' prose works out by hand."""
    alts = {path.name[:2]: [alt_of(o) for _, o in figures(path)] for path in NOTEBOOKS}
    assert any("4, 3, 4, 2, 4, 3, 2, 3, 4" in alt for alt in alts["01"])  # the 9 steps
    assert any("6 8; 3 4" in alt and "3.25 5.25; 2 2" in alt for alt in alts["05"])
    trouser = next(alt for alt in alts["02"] if "Trouser" in alt)
    assert "mean |value| 0.99" in trouser and "mean |value| 0.15" in trouser
    assert any("conv1 3x3, pool1 4x4, conv2 8x8, pool2 10x10" in alt for alt in alts["07"])


# ---- plots.show ----------------------------------------------------------------------
def test_show_displays_the_figure_with_its_description_as_alt(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda obj, metadata=None: shown.append((obj, metadata)))
    ax = plots.show_matrix(np.array([[1, 2], [3, 4]]), title="m")
    fig = ax.figure
    plots.show(fig, alt="A small example")
    (obj, metadata), = shown
    assert obj is fig
    assert metadata == {"image/png": {"alt": "A small example. m, 2x2, row by row: "
                                             "1 2; 3 4."}}
    assert not plt.fignum_exists(fig.number)  # closed: the inline backend shows it once


def test_show_refuses_a_figure_that_says_nothing(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    with pytest.raises(ValueError, match="no description"):
        plots.show(fig)
    plots.show(fig, alt="a falling line from 1 to 0")  # a sentence of the notebook's own


def test_panels_drawn_inside_a_plot_function_are_described_once():
    fig = plots.show_conv_steps(data.binary_image(), data.lesson_kernel())
    text = plots.description(fig)
    assert text.count("The 3x3 kernel slides") == 1
    assert "window at" not in text  # the 27 panels are not read out one by one


# ---- every plot function describes its figure, with its numbers -----------------------
POOL = data.pooling_example()  # [[1 1 2 4] [5 6 7 8] [3 2 1 0] [1 2 3 4]]
PROBS = np.full((2, 10), 0.02)
PROBS[0, 3], PROBS[1, 5] = 0.82, 0.82  # item 0 (class 3) right, item 1 (class 4) wrong
PROBS[1, 4] = 0.1
HISTORY = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "val_loss": [0.9, 0.7],
           "val_accuracy": [0.55, 0.75]}
CONFUSION = np.eye(10, dtype=int) * 90 + np.eye(10, k=1, dtype=int) * 10
CONFUSION[9, 0] = 10
CONFUSION[0, 1] = 0  # class 0: 90 of 90 right
CONFUSION[6, 6], CONFUSION[6, 7], CONFUSION[6, 0] = 60, 0, 40  # class 6: 60 of 100
KERNELS = np.zeros((3, 3, 4))
KERNELS[:, :, 0] = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]  # the largest, cancelling
KERNELS[1, 1, 1] = 0.1  # pale
KERNELS[:, :, 2] = 0.2  # pale, one sign
KERNELS[0, 0, 3], KERNELS[2, 2, 3] = 1.5, -1.5

CALLS = {
    # function: (call, what the description must say)
    "show_matrix": (lambda: plots.show_matrix([[1, 0], [0, 1]], title="eye"),
                    ["Eye, 2x2, row by row: 1 0; 0 1"]),
    "show_image": (lambda: plots.show_image(np.arange(12.0).reshape(3, 4) - 5, title="m"),
                   ["m, 3x4, values from -5 to 6 (mean |value| 3)"]),
    "highlight_window": (lambda: plots.highlight_window(plt.gca(), 1, 2, 3, 3),
                         ["the 3x3 window at row 1, column 2"]),
    "show_grid": (lambda: plots.show_grid([np.array([[-2.0, 1.0]]), np.array([[0.5, 1.0]])],
                                          titles=["a", "b"], numbers=True),
                  ["one colour scale from -2 to 2. a, 1x2, row by row: -2 1. b, 1x2, "
                   "row by row: 0.50 1"]),
    "show_conv_step": (lambda: plots.show_conv_step(data.binary_image(), data.lesson_kernel(),
                                                    0, 1),
                       ["window at row 0, column 1", "sum, 3, is cell (0, 1)",
                        "filled so far in reading order: 4, 3"]),
    "show_conv_steps": (lambda: plots.show_conv_steps(data.binary_image(),
                                                      data.lesson_kernel()),
                        ["9 steps", "4 3 4; 2 4 3; 2 3 4"]),
    "show_kernels_and_maps": (lambda: plots.show_kernels_and_maps(
        [np.ones((2, 2)) / 4], [np.array([[0.25, 0.5], [1.0, 0.0]])], names=["avg"]),
        ["avg (weights sum to 1): map 2x2, values 0 to 1"]),
    "show_kernel_effect": (lambda: plots.show_kernel_effect(
        np.eye(4), np.array([[1.0, -1.0]]), layers.conv2d(np.eye(4), np.array([[1.0, -1.0]])),
        name="diff"), ["the kernel diff, 1x2, row by row: 1 -1", "summing to 0",
                       "values from -1 to 1"]),
    "show_patch_vs_kernel": (lambda: plots.show_patch_vs_kernel(
        np.arange(16.0).reshape(4, 4), np.eye(2), 1, 2),
        ["row 1, column 2", "its pixels, row by row: 6 7; 10 11",
         "minus their mean: -2.50 -1.50; 1.50 2.50"]),
    "show_padding_stride": (lambda: plots.show_padding_stride(np.ones((3, 3)), 3, 2, 1),
                            ["1 row of zeros above", "the next one 2 columns to the right",
                             "the output is 2x2"]),
    "show_output_size": (lambda: plots.show_output_size(data.binary_image(), 3, 2, "same",
                                                        (1, 2)),
                         ["gives a 3x3 output", "covers rows 2..4 and columns 4..6"]),
    "show_rgb_channels": (lambda: plots.show_rgb_channels(np.ones((2, 2, 3)) * [0.2, 0.4, 1]),
                          ["mean values: red 0.20, green 0.40, blue 1"]),
    "show_channel_sum": (lambda: plots.show_channel_sum([np.ones((2, 2)), -3 * np.ones((2, 2))],
                                                        titles=["r", "g"]),
                         ["from -3 to 3", "r 1, g 3; the sum 2"]),
    "show_kernel_block": (lambda: plots.show_kernel_block(np.ones((4, 4, 2)),
                                                          np.ones((3, 3, 2)), 1, 0),
                          ["its 18 products add up to 18, the number at (1, 0)"]),
    "show_conv_volumes": (lambda: plots.show_conv_volumes((8, 8, 3), 3, 4),
                          ["the 6x6x4 output", "3·3·3·4 weights + 4 biases = 112"]),
    "plot_activations": (lambda: plots.plot_activations(),
                         ["ReLU from 0 to 4", "sigmoid from 0.02 to 0.98"]),
    "show_rectified": (lambda: plots.show_rectified(np.array([[1.0, -2.0], [-3.0, 4.0]])),
                       ["its 2 negative values (50%) become 0",
                        "Before, row by row: 1 -2; -3 4; after: 1 0; 0 4"]),
    "show_pooling": (lambda: plots.show_pooling(POOL),
                     ["1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4", "(a to d)", "6 8; 3 4"]),
    "show_flatten": (lambda: plots.show_flatten(np.arange(8.0).reshape(2, 2, 2)),
                     ["0 1 2 3 4 5 6 7", "their channels: 0 1 0 1 0 1 0 1"]),
    "show_pipeline": (lambda: plots.show_pipeline([("image", (6, 6, 1)), ("conv", (4, 4, 2))]),
                      ["image (6, 6, 1), then conv (4, 4, 2)"]),
    "plot_cross_entropy": (lambda: plots.plot_cross_entropy((0.5,)),
                           ["at p = 0.5, -ln p = 0.69 and 1 - p = 0.500"]),
    "plot_loss_curve": (lambda: plots.plot_loss_curve([2.0, 1.0, 0.5]),
                        ["over 2 steps: from 2 at step 0 to 0.5 at step 2"]),
    "show_kernel_snapshots": (lambda: plots.show_kernel_snapshots(
        np.stack([np.zeros((1, 2)), np.ones((1, 2))]), [0, 1], hidden=np.ones((1, 2))),
        ["step 0: 0 0; step 1: 1 1; hidden kernel: 1 1"]),
    "plot_learning_rates": (lambda: plots.plot_learning_rates({0.1: [1.0, 0.5],
                                                              0.9: [1.0, 3.0]}),
                            ["learning rate 0.1 ends at 0.5",
                             "learning rate 0.9 ends at 3, growing at every step"]),
    "show_descent": (lambda: plots.show_descent(np.stack([np.zeros((1, 2)), np.ones((1, 2))]),
                                                [2.0, 0.5], np.ones((1, 2)), 0.1),
                     ["learning rate 0.1: the loss goes from 2 to 0.5 in 1 steps",
                      "row by row: 1 1"]),
    "show_targets": (lambda: plots.show_targets(np.zeros((2, 4, 4)),
                                                np.array([np.eye(2), -2 * np.eye(2)]),
                                                items=(0, 1)),
                     ["on one scale from -2 to 2", "values from -2 to 0"]),
    "show_weight_sharing": (lambda: plots.show_weight_sharing(
        np.zeros((2, 6, 6)), np.eye(3), positions=[(0, 0), (2, 3)]),
        ["window at (0, 0) and at (2, 3)", "1 0 0; 0 1 0; 0 0 1"]),
    "show_shift_equivariance": (lambda: plots.show_shift_equivariance(
        np.eye(6), np.roll(np.eye(6), 1, axis=1), np.ones((2, 6, 6)), np.ones((2, 6, 6)),
        shift=(0, 1)), ["0 rows down and 1 column right",
                        "largest |difference| 0 away from the border"]),
    "show_receptive_fields": (lambda: plots.show_receptive_fields(
        np.zeros((28, 28)), [("conv", 3, 1), ("pool", 2, 2)], names=["c", "p"]),
        ["c 3x3, p 4x4 pixels"]),
    "show_relu_mask": (lambda: plots.show_relu_mask(np.array([[1.0, -1.0]]),
                                                    np.array([[2.0, 3.0]])),
                       ["the gradient passed back: 2 0", "0 in the 1 cells where x <= 0"]),
    "show_pool_gradient": (lambda: plots.show_pool_gradient(POOL, np.array([[1.0, 2.0],
                                                                            [3.0, 4.0]])),
                           ["(a to d)", "one number per window: 1 2; 3 4",
                            "0 0 0 0; 0 1 0 2; 3 0 0 0; 0 0 0 4"]),
    "plot_training_match": (lambda: plots.plot_training_match(
        np.arange(1, 4), np.array([3.0, 2.0, 1.0]), np.array([3.0, 2.0, 1.0]),
        np.array([0, 3]), np.array([0.1, 0.6])),
        ["the two curves are one", "from 10% at step 0 to 60% at step 3"]),
    "plot_history": (lambda: plots.plot_history(HISTORY, title="run"),
                     ["Run. Loss and accuracy per epoch",
                      "training loss 1 to 0.50", "validation accuracy 55% to 75%",
                      "(lowest 0.70, epoch 2)"]),
    "plot_histories": (lambda: plots.plot_histories({"a": HISTORY, "b": HISTORY}),
                       ["a, 2 epochs: training loss 1 to 0.50", "b, 2 epochs:"]),
    "plot_confusion": (lambda: plots.plot_confusion(CONFUSION, NAMES),
                       ["from class 6 60% to class 0 100%",
                        "The largest mistakes: class 6 taken for class 0 40%; class 1 taken "
                        "for class 2 10%"]),
    "show_items": (lambda: plots.show_items(np.zeros((2, 4, 4)), [3, 4], NAMES,
                                            predicted=[3, 5]),
                   ["1 right and 1 wrong", "class 3, predicted class 3 (right)",
                    "class 4, predicted class 5 (wrong)"]),
    "show_predictions": (lambda: plots.show_predictions(np.zeros((2, 4, 4)), PROBS, [3, 4],
                                                        NAMES),
                         ["class 3: predicted class 3 82%, right",
                          "class 4: predicted class 5 82%, wrong; the true class got 10%"]),
    "show_learned_kernels": (lambda: plots.show_learned_kernels(KERNELS),
                             ["on one scale from -2.00 to 2.00",
                              "2 of them have no weight beyond a quarter of the largest",
                              "in 2 of them the positive and negative weights cancel"]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_plot_function_describes_its_figure_with_its_numbers(name):
    plt.figure()  # for the functions that draw on the current Axes
    call, expected = CALLS[name]
    drawn = call()
    text = plots.description(drawn if drawn is not None else plt.gcf())
    for words in expected:
        assert words in text, f"{name}: {words!r} not in {text!r}"


def test_every_plot_function_is_in_the_table_above():
    """A new plot function must describe its figure too."""
    drawing = {name for name in plots.__all__
               if name.startswith(("show_", "plot_", "highlight_")) and name != "show"}
    assert drawing - set(CALLS) == set()


def test_each_kernel_on_its_own_scale_is_described_so():
    fig = plots.show_learned_kernels(KERNELS, scale="each")
    text = plots.description(fig)
    assert "each on its own scale" in text
    assert "from 0.10 (kernel 1) to 2.00 (kernel 0)" in text


# ---- the book ------------------------------------------------------------------------
def figure_cell(*alts):
    cell = nbformat.v4.new_code_cell("plots.show(fig)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
        metadata={"image/png": {"alt": alt}} if alt else {}) for alt in alts]
    return cell


def test_the_book_carries_the_alt_text_to_where_myst_nb_reads_it():
    nb = nbformat.v4.new_notebook()
    nb.cells = [figure_cell("A 2x2 grid of 1s.")]
    staged, problems = book.prepare_notebook(nb)
    assert problems == []
    assert staged.cells[0].metadata["mystnb"]["image"]["alt"] == "A 2x2 grid of 1s."
    assert "mystnb" not in nb.cells[0].metadata  # the notebook itself is not changed


@pytest.mark.parametrize("alts, expected", [
    ((None,), "a figure without alt text"),
    (("one", "two"), "2 figures in one cell"),
])
def test_the_book_refuses_what_it_cannot_describe(alts, expected):
    nb = nbformat.v4.new_notebook()
    nb.cells = [figure_cell(*alts)]
    _, problems = book.prepare_notebook(nb, "07_x.ipynb")
    assert len(problems) == 1 and expected in problems[0] and "07_x.ipynb cell 0" in problems[0]
