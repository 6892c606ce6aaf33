"""Widgets of notebooks 01-02 driven without a browser: set a control, check the result."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import helpers  # noqa: E402
from helpers import data, kernels, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def numbers(ax):
    return [t.get_text() for t in ax.texts]


# ---------------------------------------------------------------- conv_stepper (01)
def test_conv_stepper_starts_at_the_first_position():
    ui = widgets.conv_stepper()
    slider = ui.children[0]
    assert (slider.min, slider.max, slider.value) == (1, 9, 1)
    image_ax, kernel_ax, product_ax, map_ax = ui.result
    assert image_ax.get_title() == "window at (0, 0)"
    assert kernel_ax.get_title() == "kernel"
    assert product_ax.get_xlabel() == "sum = 4"
    assert numbers(map_ax) == ["4"]


def test_moving_the_slider_moves_the_window_and_fills_the_map():
    ui = widgets.conv_stepper()
    ui.children[0].value = 6
    image_ax, _, product_ax, map_ax = ui.result
    assert image_ax.get_title() == "window at (1, 2)"
    assert image_ax.patches[-1].get_xy() == (1.5, 0.5)
    assert product_ax.get_xlabel() == "sum = 3"
    assert numbers(map_ax) == ["4", "3", "4", "2", "4", "3"]
    ui.children[0].value = 9
    image_ax, _, _, map_ax = ui.result
    assert image_ax.get_title() == "window at (2, 2)"
    assert numbers(map_ax) == ["4", "3", "4", "2", "4", "3", "2", "3", "4"]


def test_conv_stepper_takes_any_image_and_kernel():
    image = np.arange(30, dtype=float).reshape(5, 6)
    kernel = np.array([[1.0, -1.0]])
    ui = widgets.conv_stepper(image, kernel)
    assert ui.children[0].max == 5 * 5
    ui.children[0].value = 7  # reading order: row 1, column 1
    assert ui.result[0].get_title() == "window at (1, 1)"
    assert ui.result[2].get_xlabel() == "sum = -1"


# ---------------------------------------------------------------- kernel_explorer (02)
@pytest.fixture
def small_image():
    return data.sample_photo(100)[40:52, 30:44]


def test_kernel_explorer_starts_with_the_vertical_edge(small_image):
    ui = widgets.kernel_explorer(small_image)
    vertical = kernels.classic_kernels()["vertical edge"]
    assert ui.preset.value == "vertical edge"
    np.testing.assert_array_equal([b.value for b in ui.boxes], vertical.ravel())
    np.testing.assert_array_equal(ui.result["kernel"], vertical)
    np.testing.assert_allclose(ui.result["feature_map"],
                               helpers.conv2d(small_image, vertical))


def test_picking_a_preset_fills_the_boxes_and_redraws_once(small_image):
    ui = widgets.kernel_explorer(small_image)
    calls = []
    original = ui.update

    def counting_update():
        calls.append(1)
        return original()

    ui.update = counting_update
    ui.preset.value = "box blur"
    blur = kernels.classic_kernels()["box blur"]
    assert len(calls) == 1, "a preset must redraw once, not once per box"
    np.testing.assert_allclose([b.value for b in ui.boxes], blur.ravel())
    np.testing.assert_allclose(ui.result["kernel"], blur)
    np.testing.assert_allclose(ui.result["feature_map"],
                               helpers.conv2d(small_image, blur))
    assert ui.result["name"] == "box blur"


def test_editing_a_box_updates_the_feature_map(small_image):
    ui = widgets.kernel_explorer(small_image, preset="identity")
    np.testing.assert_allclose(ui.result["feature_map"], small_image[1:-1, 1:-1])
    ui.boxes[4].value = 0.0
    ui.boxes[5].value = 1.0  # copy the right-hand neighbour: the image shifts
    expected = np.zeros((3, 3))
    expected[1, 2] = 1
    np.testing.assert_array_equal(ui.result["kernel"], expected)
    np.testing.assert_allclose(ui.result["feature_map"], small_image[1:-1, 2:])
    assert ui.result["name"] == "your own"


def test_kernel_explorer_rejects_an_unknown_preset(small_image):
    with pytest.raises(ValueError, match="vertical edge"):
        widgets.kernel_explorer(small_image, preset="emboss")
