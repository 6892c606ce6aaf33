"""The output-size explorer (03) and the receptive-field explorer (07), driven without a
browser: set a control, check the result against `helpers.layers` and against
TensorFlow (which input pixels a unit's gradient reaches)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import architecture, data, layers, plots, widgets  # noqa: E402

SERIES_STACK = [("conv", 3, 1, 1), ("pool", 2, 2), ("conv", 3, 1, 1), ("pool", 2, 2)]
SERIES_NAMES = ["conv1", "pool1", "conv2", "pool2"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def displayed(ui) -> str:
    """The text/plain of what the widget's Output shows (a Figure's repr)."""
    return ui.output.outputs[0]["data"]["text/plain"]


# ---------------------------------------------------------------- output size (03)
def test_output_size_explorer_starts_on_the_lesson_image():
    ui = widgets.output_size_explorer()
    assert ui.result == {"output_shape": (3, 3), "position": (0, 0), "pads": (0, 0, 0, 0)}
    assert (ui.step.min, ui.step.max, ui.step.value) == (1, 9, 1)
    assert len(ui.output.outputs) == 1 and "Figure" in displayed(ui)


def test_every_setting_gives_the_shape_conv2d_gives(monkeypatch):
    drawn = []

    def figure_of(*args):  # the wiring only: the figure is tested below
        drawn.append(args)
        return [plt.figure()] * 2

    monkeypatch.setattr(plots, "show_output_size", lambda *args: figure_of(*args))
    image = np.arange(42.0).reshape(6, 7) % 5
    ui = widgets.OutputSizeExplorer(image)
    for kernel_size in (1, 2, 3, 4, 5):
        for stride in (1, 2, 3):
            for padding in (0, 1, 2, "valid", "same"):
                ui.kernel_size.value, ui.stride.value = kernel_size, stride
                ui.padding.value = padding
                expected = layers.conv2d(image, np.ones((kernel_size, kernel_size)),
                                         stride, padding).shape
                assert ui.result["output_shape"] == expected
                assert ui.step.max == expected[0] * expected[1]
                ui.step.value = ui.step.max  # the last cell's window is inside the padding
                row, col = ui.result["position"]
                assert (row, col) == (expected[0] - 1, expected[1] - 1)
                assert drawn[-1][1:] == (kernel_size, stride, padding, (row, col))
                top, bottom, left, right = ui.result["pads"]
                assert row * stride + kernel_size <= 6 + top + bottom
                assert col * stride + kernel_size <= 7 + left + right
                plt.close("all")


def test_the_step_slider_follows_a_smaller_output():
    ui = widgets.output_size_explorer()
    ui.step.value = 9
    assert ui.result["position"] == (2, 2)
    ui.stride.value = 2  # 5x5, kernel 3, stride 2: a 2x2 output
    assert ui.step.max == 4 and ui.step.value == 4
    assert ui.result == {"output_shape": (2, 2), "position": (1, 1), "pads": (0, 0, 0, 0)}


def test_a_kernel_that_does_not_fit_says_so_in_the_widget():
    ui = widgets.OutputSizeExplorer(np.ones((2, 2)))
    assert "does not fit" in ui.result["error"] and "❌" in ui.message.value
    assert ui.output.outputs == ()
    ui.padding.value = "same"  # fits again
    assert ui.result["output_shape"] == (2, 2) and ui.message.value == ""


def test_the_figure_fills_the_formula_in():
    axes = plots.show_output_size(data.binary_image(), 3, 2, 1, (1, 2))
    title = axes[0].figure.get_suptitle()
    assert "⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3" in title
    assert "padding 1" in title and "stride 2" in title
    assert axes[1].get_title() == "output 3x3\ncell (1, 2)"
    same = plots.show_output_size(np.ones((6, 6)), 2, 1, "same", (0, 0))
    assert "⌈6 / 1⌉ = 6   (zeros added: 0 before, 1 after)" in same[0].figure.get_suptitle()


@pytest.mark.parametrize("position, words", [((3, 0), r"`position\[0\]`"),
                                             ((0, -1), r"`position\[1\]`")])
def test_a_position_outside_the_output_is_named(position, words):
    with pytest.raises(ValueError, match=words):
        plots.show_output_size(data.binary_image(), 3, 1, 0, position)


def test_a_large_image_is_refused_with_the_alternative():
    with pytest.raises(ValueError, match="corner"):
        widgets.OutputSizeExplorer(np.ones((20, 20)))


# ---------------------------------------------------------------- receptive field (07)
def test_receptive_field_explorer_starts_on_the_last_layer():
    item = np.zeros((28, 28))
    ui = widgets.receptive_field_explorer(item, SERIES_STACK, SERIES_NAMES)
    assert ui.layer.value == "pool2" and (ui.row.max, ui.col.max) == (6, 6)
    assert ui.result == {"layer": "pool2", "unit": (0, 0), "window": (-3, -3, 10)}


def test_the_sliders_follow_the_layer_and_the_window_moves_with_the_unit():
    ui = widgets.ReceptiveFieldExplorer(np.zeros((28, 20)), SERIES_STACK, SERIES_NAMES)
    ui.layer.value = "conv1"
    assert (ui.row.max, ui.col.max) == (27, 19)
    ui.row.value, ui.col.value = 27, 19
    assert ui.result["window"] == (26, 18, 3)
    ui.layer.value = "pool1"  # 14 x 10: the unit is moved inside
    assert (ui.row.value, ui.col.value) == (13, 9)
    assert ui.result == {"layer": "pool1", "unit": (13, 9),
                         "window": architecture.input_window(SERIES_STACK[:2], 13, 9)}


@pytest.mark.parametrize("layer, unit", [("conv1", (0, 0)), ("pool1", (5, 2)),
                                         ("conv2", (13, 0)), ("pool2", (3, 4)),
                                         ("pool2", (6, 6))])
def test_the_window_is_where_the_gradient_of_the_unit_reaches(tf, keras, layer, unit):
    """TensorFlow as the oracle: with positive weights and average pooling (the same
    windows as max pooling, but every pixel of a window passes the gradient on), the
    unit's gradient with respect to the input is nonzero exactly on its receptive
    field, cut to the image."""
    ui = widgets.ReceptiveFieldExplorer(np.zeros((28, 28)), SERIES_STACK, SERIES_NAMES)
    ui.layer.value = layer
    ui.row.value, ui.col.value = unit
    top, left, size = ui.result["window"]
    L = keras.layers
    model = keras.Sequential([keras.Input((28, 28, 1)),
                              L.Conv2D(1, 3, padding="same", kernel_initializer="ones"),
                              L.AveragePooling2D(2),
                              L.Conv2D(1, 3, padding="same", kernel_initializer="ones"),
                              L.AveragePooling2D(2)])
    upto = keras.Model(model.inputs, model.layers[SERIES_NAMES.index(layer)].output)
    x = tf.constant(np.ones((1, 28, 28, 1)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = upto(x)[0, unit[0], unit[1], 0]
    reached = np.argwhere(tape.gradient(out, x).numpy()[0, :, :, 0] != 0)
    expected = np.zeros((28, 28), bool)
    expected[max(top, 0): top + size, max(left, 0): left + size] = True
    np.testing.assert_array_equal(reached, np.argwhere(expected))


def test_the_receptive_field_explorer_names_a_bad_argument():
    with pytest.raises(ValueError, match="`names` must give one name per layer"):
        widgets.ReceptiveFieldExplorer(np.zeros((28, 28)), SERIES_STACK, ["a"])
    with pytest.raises(ValueError, match="kind must be"):
        widgets.ReceptiveFieldExplorer(np.zeros((28, 28)), [("dense", 3, 1)], ["d"])
    with pytest.raises(ValueError, match="`item`"):
        widgets.ReceptiveFieldExplorer(np.zeros(28), SERIES_STACK, SERIES_NAMES)
