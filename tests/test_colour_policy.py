"""The colour policy of `helpers.plots.style` holds (issue 19).

- Categorical colours that carry meaning together stay clearly apart for the three common
  colour vision deficiencies, simulated with colorspacious (deuteranomaly, protanomaly
  and tritanomaly at severity 100, i.e. dichromacy), and for normal vision: their
  CIECAM02-UCS colour difference is at least `MIN_DISTANCE`. The colours the series used
  before (green against red) fail this test.
- Never colour alone: what a colour says, a mark, a letter, a hatch, a marker or a line
  style says too.
- Panels that compare share one colour scale and a colour bar; a scale per panel only
  when asked for.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from colorspacious import cspace_convert, deltaE  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from helpers import plots  # noqa: E402
from helpers.plots import style  # noqa: E402

DEFICIENCIES = ["deuteranomaly", "protanomaly", "tritanomaly"]
# ΔE in CAM02-UCS: about 1 is the smallest difference one can see side by side; pairs of
# Okabe-Ito colours chosen for colour-blind readers are 22 or more apart; the old green
# and red were 7 apart for deuteranopes.
MIN_DISTANCE = 20.0
NAMES = [f"class {k}" for k in range(10)]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def seen(color, deficiency=None):
    """The sRGB colour a viewer with `deficiency` (None: normal vision) sees."""
    rgb = np.array(to_rgb(color))
    if deficiency is None:
        return rgb
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)


def distance(a, b, deficiency=None) -> float:
    """The CAM02-UCS colour difference of `a` and `b` as `deficiency` sees them."""
    return float(deltaE(seen(a, deficiency), seen(b, deficiency), input_space="sRGB1",
                        uniform_space="CAM02-UCS"))


# The pairs that carry meaning together in one figure.
PAIRS = {
    "right vs wrong prediction (10)": (style.CORRECT, style.WRONG),
    **{f"window {i} vs window {j} of a 2x2 pooling (05, 11)":
       (style.WINDOW_COLORS[i], style.WINDOW_COLORS[j])
       for i, j in itertools.combinations(range(4), 2)},
    "conv1 vs pool1 square (07, 10)": (style.WINDOW_COLORS[0], style.WINDOW_COLORS[1]),
    "the highlighted window vs the next one (03)": (style.HIGHLIGHT, style.BLUE),
}


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_colours_that_mean_different_things_stay_apart(pair, deficiency):
    a, b = PAIRS[pair]
    assert distance(a, b, deficiency) >= MIN_DISTANCE, (pair, deficiency)


def test_the_old_colours_fail_the_same_test():
    """The test can fail: the series' green and red before issue 19."""
    old_correct, old_wrong = "#2a9d3f", "#d62728"
    old_windows = ["#e6194b", "#3cb44b", "#4363d8", "#f58231"]
    assert distance(old_correct, old_wrong, "deuteranomaly") < MIN_DISTANCE / 2
    assert distance(old_windows[0], old_windows[1], "deuteranomaly") < MIN_DISTANCE / 2
    assert distance(old_correct, old_wrong) > MIN_DISTANCE  # fine for normal vision


def test_the_categorical_colours_are_okabe_ito():
    assert len(style.OKABE_ITO) == 8 and len(set(style.OKABE_ITO)) == 8
    assert {c.upper() for c in style._OKABE_ITO_HEX} == set(style.OKABE_ITO)
    if "okabe_ito" in matplotlib.color_sequences:  # matplotlib >= 3.10 ships it
        ours = [to_rgb(c) for c in style.OKABE_ITO]
        assert np.allclose(ours, matplotlib.color_sequences["okabe_ito"], atol=1 / 255)
    assert set(style.WINDOW_COLORS) == set(style.OKABE_ITO)
    assert {style.CORRECT, style.WRONG, style.HIGHLIGHT} <= set(style.OKABE_ITO)


# ---- never colour alone ----------------------------------------------------------------
def test_a_wrong_prediction_is_hatched_and_marked_not_only_coloured():
    probabilities = np.full((2, 10), 0.02)
    probabilities[0, 3] = probabilities[1, 5] = 0.82
    fig = plots.show_predictions(np.zeros((2, 4, 4)), probabilities, [3, 4], NAMES)
    right_bars, wrong_bars = fig.axes[1], fig.axes[3]
    assert right_bars.get_title().startswith("✓") and wrong_bars.get_title().startswith("✗")
    assert right_bars.patches[3].get_hatch() is None
    assert wrong_bars.patches[5].get_hatch()  # the wrong guess: hatched
    fig = plots.show_items(np.zeros((2, 4, 4)), [3, 4], NAMES, predicted=[3, 5])
    titles = [ax.get_title() for ax in fig.axes]
    assert "✓ predicted" in titles[0] and "✗ predicted" in titles[1]


def test_each_layer_of_a_receptive_field_figure_has_its_own_line_style():
    stack = [("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1), ("pool", 2, 2)]
    ax = plots.show_receptive_fields(np.zeros((28, 28)), stack)
    squares = ax.patches
    assert len({p.get_linestyle() for p in squares}) == 4
    assert len({tuple(p.get_edgecolor()) for p in squares}) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()][0].startswith("layer 1")


def test_runs_curves_and_activations_differ_by_more_than_colour():
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "val_loss": [0.9, 0.7],
               "val_accuracy": [0.5, 0.7]}
    loss_ax, _ = plots.plot_histories({"a": history, "b": history})
    lines = loss_ax.get_lines()
    assert {line.get_marker() for line in lines[:2]} != {line.get_marker()
                                                          for line in lines[2:]}
    assert {line.get_linestyle() for line in lines[:2]} == {"-", "--"}  # training, validation
    ax = plots.plot_activations()
    assert len({line.get_linestyle() for line in ax.get_lines()[2:]}) == 3
    ax = plots.plot_learning_rates({0.1: [1.0, 0.5], 0.2: [1.0, 0.4], 0.9: [1.0, 3.0]})
    assert len({line.get_linestyle() for line in ax.get_lines()[:3]}) == 3
    loss_ax, _ = plots.plot_training_match(np.arange(3), np.ones(3), np.ones(3),
                                           np.arange(2), np.ones(2) / 2)
    assert loss_ax.get_lines()[0].get_linestyle() != loss_ax.get_lines()[1].get_linestyle()


def test_flattened_entries_say_their_channel_in_words():
    fig = plots.show_flatten(np.arange(8.0).reshape(2, 2, 2))
    vector = fig.axes[-1]
    labels = [t.get_text() for t in vector.get_xticklabels()]
    assert labels == [f"{k}\nc{k % 2}" for k in range(8)]


# ---- shared scales ---------------------------------------------------------------------
def test_panels_that_compare_share_one_scale_and_a_colour_bar():
    strong, weak = np.array([[-4.0, 4.0]]), np.array([[-0.5, 0.2]])
    fig = plots.show_grid([strong, weak], titles=["strong", "weak"])
    limits = {ax.images[0].get_clim() for ax in fig.axes if ax.images}
    assert limits == {(-4.0, 4.0)}  # the weak map looks weak
    assert len(fig.axes) == 3  # two panels and a colour bar
    fig = plots.show_grid([strong, weak], scale="each")
    limits = [ax.images[0].get_clim() for ax in fig.axes if ax.images]
    assert limits == [(-4.0, 4.0), (-0.5, 0.5)] and len(fig.axes) == 2
    assert "Each panel on its own scale" in plots.description(fig)


def test_a_grid_of_pictures_and_maps_shares_a_scale_per_kind():
    picture, edges = np.array([[0.0, 1.0]]), [np.array([[-3.0, 1.0]]), np.array([[0.5, -1]])]
    fig = plots.show_grid([picture, *edges], colorbar="edge response")
    panels = [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]
    assert panels[0].images[0].get_cmap().name == style.IMAGE_CMAP
    assert {ax.images[0].get_clim() for ax in panels[1:]} == {(-3.0, 3.0)}
    assert fig.axes[-1].get_ylabel() == "edge response"


def test_a_saturated_shared_scale_says_so():
    maps = [np.linspace(-1, 1, 100).reshape(10, 10),
            np.linspace(-0.1, 0.1, 100).reshape(10, 10)]
    maps[0][0, 0] = -50  # one rare strong response
    fig = plots.show_grid(maps, saturate=99)
    (low, high), = {ax.images[0].get_clim() for ax in fig.axes[:2]}
    assert high < 2 and low == -high
    bar = fig.axes[0].images[0].colorbar
    assert bar is not None and bar.extend == "both"  # pointed ends: values beyond
    assert "beyond which they saturate" in plots.description(fig)
    fig = plots.show_grid(maps)  # without: the one strong response pales all others
    assert {ax.images[0].get_clim() for ax in fig.axes[:2]} == {(-50.0, 50.0)}


def test_learned_kernels_on_one_scale_and_each_on_its_own():
    kernels = np.stack([np.eye(3), 0.01 * np.eye(3)], axis=-1)
    fig = plots.show_learned_kernels(kernels)
    assert {ax.images[0].get_clim() for ax in fig.axes[:2]} == {(-1.0, 1.0)}
    fig = plots.show_learned_kernels(kernels, scale="each")
    shown = [ax.images[0].get_array() for ax in fig.axes[:2]]
    assert np.allclose(shown[0], shown[1])  # the same shape, whatever the size
    assert fig.axes[1].get_title() == "kernel 1\n±0.01"
    with pytest.raises(ValueError, match="scale"):
        plots.show_learned_kernels(kernels, scale="own")


def test_relu_before_and_after_share_a_scale_and_a_colour_bar_without_numbers():
    axes = plots.show_rectified(np.linspace(-2, 1, 400).reshape(20, 20))
    assert axes[0].images[0].get_clim() == axes[1].images[0].get_clim() == (-2.0, 2.0)
    assert len(axes[0].figure.axes) == 3  # and a colour bar: no number is written
