"""Notebooks 01-03 (convolution by hand, filters and feature maps, padding, stride and
channels): their checks, kernels, plots and diagrams, and the facts the notebooks state,
against hand-worked numbers and TensorFlow/Keras."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from learners import not_done, returns_none, run_check  # noqa: E402

import helpers  # noqa: E402
from helpers import checks, data, kernels, plots  # noqa: E402
from helpers.checks import FAIL, PASS, TODO  # noqa: E402
from helpers.tools import images  # noqa: E402

LESSON_MAP = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]  # worked by hand in notebook 01
ASYMMETRIC = np.array([[1, 2, 3], [0, 0, 0], [0, 0, 0]], dtype=float)
ASYMMETRIC_CROSS = [[6, 3, 1], [5, 6, 3], [3, 5, 6]]  # notebook 01, section 4
ASYMMETRIC_TRUE = [[1, 3, 6], [1, 3, 5], [3, 5, 3]]


def raises_type_error(*args, **kwargs):
    raise TypeError("unsupported operand")




# ---------------------------------------------------------------- the learner's solutions
def conv2d_solution(image, kernel):
    kh, kw = kernel.shape
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    feature_map = np.zeros((out_h, out_w))
    for row in range(out_h):
        for col in range(out_w):
            feature_map[row, col] = np.sum(image[row : row + kh, col : col + kw] * kernel)
    return feature_map


def window_sum_solution(image, kernel, row, col):
    kh, kw = kernel.shape
    return np.sum(image[row : row + kh, col : col + kw] * kernel)


def feature_maps_solution(image, kernels):
    maps = [helpers.conv2d(image, kernels[:, :, :, f]) for f in range(kernels.shape[3])]
    return np.stack(maps, axis=-1)


def tf_conv(tf, image, kernel, stride=1, padding="VALID"):
    """TensorFlow's conv2d of one (H, W[, C]) image with one (kh, kw[, C]) kernel."""
    image = np.asarray(image, np.float32)
    kernel = np.asarray(kernel, np.float32)
    if image.ndim == 2:
        image, kernel = image[:, :, None], kernel[:, :, None]
    out = tf.nn.conv2d(image[None], kernel[:, :, :, None], strides=stride,
                       padding=padding)
    return np.asarray(out)[0, :, :, 0]


# ---------------------------------------------------------------- check_conv2d
def test_check_conv2d_passes_the_solution(capsys):
    passed, text = run_check(checks.check_conv2d, conv2d_solution, capsys)
    assert passed and text.startswith(PASS)


def test_check_conv2d_accepts_a_list_of_the_right_numbers(capsys):
    passed, _ = run_check(checks.check_conv2d,
                          lambda i, k: conv2d_solution(i, k).tolist(), capsys)
    assert passed


@pytest.mark.parametrize(
    "broken, words",
    [
        (lambda i, k: conv2d_solution(i, np.flip(k)), "differ"),  # true convolution
        (lambda i, k: conv2d_solution(i, k)[:-1, :-1], "shape"),  # off by one
        (lambda i, k: conv2d_solution(i, k.T), "differ"),
        (lambda i, k: conv2d_solution(i, k).tolist()[:-1], "shape"),
        (lambda i, k: np.full_like(conv2d_solution(i, k), np.nan), "NaN"),
        (returns_none, "None"),
        (raises_type_error, "TypeError"),
        (lambda i, k: "feature map", "expected numbers"),
    ],
)
def test_check_conv2d_rejects_broken_versions(broken, words, capsys):
    passed, text = run_check(checks.check_conv2d, broken, capsys)
    assert not passed
    assert text.startswith(FAIL) and words in text


def test_check_conv2d_flipped_kernel_passes_only_the_symmetric_case(capsys):
    # The lesson's X is symmetric, so a flipped loop fails on a later case, not case 1.
    passed, text = run_check(checks.check_conv2d,
                             lambda i, k: conv2d_solution(i, np.flip(k)), capsys)
    assert not passed and "Case 1 " not in text


def test_check_conv2d_not_done_and_not_a_function(capsys):
    passed, text = run_check(checks.check_conv2d, not_done, capsys)
    assert not passed and text.startswith(TODO)
    passed, text = run_check(checks.check_conv2d, conv2d_solution(
        data.binary_image(), data.lesson_kernel()), capsys)
    assert not passed and "should be a function" in text


# ---------------------------------------------------------------- exercise 1 and 2 of 01
@pytest.mark.parametrize("answer", [3, 3.0, np.float64(3), np.int64(3)])
def test_check_window_value_correct(answer, capsys):
    passed, text = run_check(checks.check_window_value, answer, capsys)
    assert passed and text.startswith(PASS)


@pytest.mark.parametrize("answer", [4, 2.5, [3], None, float("nan"), "three"])
def test_check_window_value_wrong(answer, capsys):
    passed, text = run_check(checks.check_window_value, answer, capsys)
    assert not passed and text.startswith(FAIL)


def test_check_window_value_hint_and_not_done(capsys):
    _, text = run_check(checks.check_window_value, 4, capsys)
    assert "Hint" in text and "row 1, column 2" in text
    passed, text = run_check(checks.check_window_value, ..., capsys)
    assert not passed and text.startswith(TODO)


def test_window_value_by_hand():
    # Window rows 1-3, columns 2-4: [[1, 1, 0], [1, 1, 1], [1, 1, 0]]; the X keeps the
    # corners 1, 0, 1, 0 and the centre 1.
    assert helpers.conv2d(data.binary_image(), data.lesson_kernel())[1, 2] == 3


def test_check_window_sum_passes_the_solution(capsys):
    passed, text = run_check(checks.check_window_sum, window_sum_solution, capsys)
    assert passed and text.startswith(PASS)


@pytest.mark.parametrize(
    "broken",
    [
        lambda i, k, r, c: window_sum_solution(i, k, c, r),  # row and column swapped
        lambda i, k, r, c: np.sum(i[r : r + 3, c : c + 3] * k[:3, :3]),  # fixed size 3
        lambda i, k, r, c: np.sum(i[r : r + 2, c : c + 2] * k[:2, :2]),  # off by one
        lambda i, k, r, c: np.sum(i[r : r + k.shape[0], c : c + k.shape[1]]),  # no kernel
        returns_none,
        raises_type_error,
    ],
)
def test_check_window_sum_rejects_broken_versions(broken, capsys):
    passed, text = run_check(checks.check_window_sum, broken, capsys)
    assert not passed and text.startswith(FAIL)


def test_check_window_sum_not_done(capsys):
    passed, text = run_check(checks.check_window_sum, not_done, capsys)
    assert not passed and text.startswith(TODO)


# ---------------------------------------------------------------- output shapes (03)
def test_output_shape_answers_by_hand():
    assert checks.output_shape_answers() == {
        "a": (26, 26), "b": (28, 28), "c": (12, 12), "d": (75, 64), "e": (50, 43),
    }


def test_output_shape_answers_match_tensorflow(tf):
    for (H, W), k, s, p in checks.OUTPUT_SHAPE_QUESTIONS.values():
        x = np.zeros((1, H, W, 1), np.float32)
        w = np.zeros((k, k, 1, 1), np.float32)
        if isinstance(p, str):
            padding = p.upper()
        else:
            padding = [[0, 0], [p, p], [p, p], [0, 0]]
        shape = tuple(tf.nn.conv2d(x, w, strides=s, padding=padding).shape[1:3])
        assert shape == (helpers.output_size(H, k, s, p), helpers.output_size(W, k, s, p))


def test_check_output_shapes_correct(capsys):
    passed, text = run_check(checks.check_output_shapes,
                             checks.output_shape_answers(), capsys)
    assert passed and text.startswith(PASS)
    lists = {k: list(v) for k, v in checks.output_shape_answers().items()}
    assert run_check(checks.check_output_shapes, lists, capsys)[0]


def test_check_output_shapes_names_the_wrong_ones_with_a_hint(capsys):
    answers = checks.output_shape_answers()
    answers["c"] = (11, 11)  # forgot the + 1
    answers["e"] = (50, 43, 1)
    passed, text = run_check(checks.check_output_shapes, answers, capsys)
    assert not passed and text.startswith(FAIL)
    assert "2 of 5 wrong" in text and "(c)" in text and "(e)" in text
    assert "(a)" not in text and "Hint" in text


@pytest.mark.parametrize(
    "answers, mark, words",
    [
        (..., TODO, "not done"),
        ({"a": ..., "b": ..., "c": ..., "d": ..., "e": ...}, TODO, "not done"),
        ({"a": (26, 26)}, FAIL, "no answer for b"),
        ([(26, 26)] * 5, FAIL, "expected a dict"),
        (None, FAIL, "expected a dict"),
    ],
)
def test_check_output_shapes_incomplete(answers, mark, words, capsys):
    passed, text = run_check(checks.check_output_shapes, answers, capsys)
    assert not passed and text.startswith(mark) and words in text


def test_check_output_shapes_survives_junk_values(capsys):
    answers = checks.output_shape_answers()
    answers["a"] = "twenty-six"
    passed, text = run_check(checks.check_output_shapes, answers, capsys)
    assert not passed and "(a)" in text


# ---------------------------------------------------------------- feature_maps (03)
def test_check_feature_maps_passes_the_solution(capsys):
    passed, text = run_check(checks.check_feature_maps, feature_maps_solution, capsys)
    assert passed and text.startswith(PASS)


@pytest.mark.parametrize(
    "broken, words",
    [
        # only the first channel: forgets to add the channels up
        (lambda x, k: np.stack([helpers.conv2d(x[:, :, 0], k[:, :, 0, f])
                                for f in range(k.shape[3])], axis=-1), "differ"),
        # stacked on the wrong axis: (F, H', W')
        (lambda x, k: np.stack([helpers.conv2d(x, k[:, :, :, f])
                                for f in range(k.shape[3])]), "shape"),
        (lambda x, k: feature_maps_solution(x, k)[..., :1], "shape"),
        (returns_none, "None"),
        (raises_type_error, "TypeError"),
    ],
)
def test_check_feature_maps_rejects_broken_versions(broken, words, capsys):
    passed, text = run_check(checks.check_feature_maps, broken, capsys)
    assert not passed and text.startswith(FAIL) and words in text


def test_check_feature_maps_not_done(capsys):
    passed, text = run_check(checks.check_feature_maps, not_done, capsys)
    assert not passed and text.startswith(TODO)


def test_feature_maps_match_keras_conv2d(keras):
    rng = np.random.default_rng(0)
    image = rng.random((9, 7, 3)).astype(np.float32)
    bank = rng.normal(size=(3, 3, 3, 4)).astype(np.float32)
    layer = keras.layers.Conv2D(4, 3)
    layer.build((None, 9, 7, 3))
    layer.set_weights([bank, np.zeros(4, np.float32)])
    theirs = np.asarray(layer(image[None]))[0]
    assert theirs.shape == (7, 5, 4)  # (H', W', F), as notebook 03 says
    np.testing.assert_allclose(feature_maps_solution(image, bank), theirs, atol=1e-5)


# ---------------------------------------------------------------- kernels
def test_classic_kernels_shapes_and_sums():
    classic = kernels.classic_kernels()
    for name, kernel in classic.items():
        assert kernel.shape == (3, 3) and kernel.dtype == float, name
    for name in ["vertical edge", "horizontal edge", "diagonal edge", "outline"]:
        assert classic[name].sum() == pytest.approx(0), name
    for name in ["identity", "box blur", "gaussian blur", "sharpen"]:
        assert classic[name].sum() == pytest.approx(1), name
    np.testing.assert_array_equal(classic["lesson X"], data.lesson_kernel())
    np.testing.assert_array_equal(classic["horizontal edge"], classic["vertical edge"].T)


def test_classic_kernels_are_fresh_arrays():
    first = kernels.classic_kernels()
    first["sharpen"][1, 1] = 100
    assert kernels.classic_kernels()["sharpen"][1, 1] == 5


def test_edge_kernels_give_zero_on_a_flat_region_and_blur_keeps_it():
    classic = kernels.classic_kernels()
    flat = np.full((5, 6), 0.7)
    for name, kernel in classic.items():
        expected = 0.7 * kernel.sum()
        np.testing.assert_allclose(helpers.conv2d(flat, kernel), expected, atol=1e-12,
                                   err_msg=name)


def test_vertical_edge_sign_by_hand_and_tensorflow(tf):
    # Dark on the left, bright on the right: each window sees columns (0, 0, 1) or
    # (0, 1, 1), and 1*1 + 2*1 + 1*1 = 4 either way.
    step = np.array([[0, 0, 1, 1]] * 3, dtype=float)
    vertical = kernels.classic_kernels()["vertical edge"]
    np.testing.assert_array_equal(helpers.conv2d(step, vertical), [[4, 4]])
    np.testing.assert_array_equal(helpers.conv2d(step[:, ::-1], vertical), [[-4, -4]])
    np.testing.assert_allclose(tf_conv(tf, step, vertical), [[4, 4]])
    horizontal = kernels.classic_kernels()["horizontal edge"]
    np.testing.assert_array_equal(helpers.conv2d(step.T, horizontal), [[4], [4]])


# ---------------------------------------------------------------- facts of notebook 01
def test_lesson_feature_map_by_hand_and_tensorflow(tf):
    image, kernel = data.binary_image(), data.lesson_kernel()
    np.testing.assert_array_equal(conv2d_solution(image, kernel), LESSON_MAP)
    np.testing.assert_array_equal(helpers.conv2d(image, kernel), LESSON_MAP)
    np.testing.assert_allclose(tf_conv(tf, image, kernel), LESSON_MAP)


def test_first_window_sum_is_four():
    window = data.binary_image()[0:3, 0:3]
    assert np.sum(window * data.lesson_kernel()) == 4


def test_deep_learning_convolution_is_cross_correlation(tf):
    image = data.binary_image()
    theirs = tf_conv(tf, image, ASYMMETRIC)
    np.testing.assert_allclose(theirs, ASYMMETRIC_CROSS)
    np.testing.assert_array_equal(helpers.conv2d(image, ASYMMETRIC), ASYMMETRIC_CROSS)
    flipped = helpers.conv2d(image, np.flip(ASYMMETRIC))
    np.testing.assert_array_equal(flipped, ASYMMETRIC_TRUE)
    assert not np.allclose(theirs, flipped)
    # The X is symmetric under a 180-degree rotation, so both agree for it.
    np.testing.assert_array_equal(np.flip(data.lesson_kernel()), data.lesson_kernel())


def test_true_convolution_matches_a_textbook_definition():
    # (I * K)[i, j] = sum_{m, n} I[i + m, j + n] K[kh - 1 - m, kw - 1 - n], written
    # out directly; np.flip(kernel) then cross-correlation must give the same.
    image, kernel = data.binary_image(), ASYMMETRIC
    kh, kw = kernel.shape
    direct = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            direct[i, j] = sum(image[i + m, j + n] * kernel[kh - 1 - m, kw - 1 - n]
                               for m in range(kh) for n in range(kw))
    np.testing.assert_array_equal(direct, ASYMMETRIC_TRUE)


# ---------------------------------------------------------------- facts of notebooks 02-03
def test_photo_sizes_of_notebook_02():
    photo = data.sample_photo(100)
    assert photo.shape == (120, 102)
    vertical = kernels.classic_kernels()["vertical edge"]
    assert helpers.conv2d(photo, vertical).shape == (118, 100)
    assert helpers.conv2d(photo, vertical, 2, "same").shape == (60, 51)
    assert helpers.conv2d(photo, vertical, 3, 0).shape == (40, 34)


def test_padding_and_stride_values_match_tensorflow(tf):
    photo = data.sample_photo(100)[:31, :26]  # odd and even sides
    kernel = kernels.classic_kernels()["diagonal edge"]
    for stride in (1, 2, 3):
        for padding in ("valid", "same"):
            ours = helpers.conv2d(photo, kernel, stride, padding)
            theirs = tf_conv(tf, photo, kernel, stride, padding.upper())
            np.testing.assert_allclose(ours, theirs, atol=1e-5,
                                       err_msg=f"stride {stride}, {padding}")


def test_colour_kernel_is_the_sum_of_channel_maps_and_matches_tensorflow(tf):
    rgb = data.sample_photo_rgb(100)[:20, :17]
    classic = kernels.classic_kernels()
    kernel = np.stack([classic["vertical edge"], classic["horizontal edge"],
                       classic["outline"]], axis=-1)  # notebook 03, section 3
    per_channel = sum(helpers.conv2d(rgb[:, :, c], kernel[:, :, c]) for c in range(3))
    np.testing.assert_allclose(helpers.conv2d(rgb, kernel), per_channel, atol=1e-12)
    np.testing.assert_allclose(tf_conv(tf, rgb, kernel), per_channel, atol=1e-5)


def test_best_diagonal_patch_has_the_kernel_signs():
    photo = data.sample_photo(100)
    diagonal = kernels.classic_kernels()["diagonal edge"]
    scores = helpers.conv2d(photo, diagonal)
    row, col = np.unravel_index(np.argmax(scores), scores.shape)
    patch = photo[row : row + 3, col : col + 3]
    nonzero = diagonal != 0
    np.testing.assert_array_equal(np.sign(patch - patch.mean())[nonzero],
                                  np.sign(diagonal)[nonzero])


# ---------------------------------------------------------------- plots
def test_show_conv_step_panels_and_partial_map():
    image, kernel = data.binary_image(), data.lesson_kernel()
    axes = plots.show_conv_step(image, kernel, 1, 2)
    assert len(axes) == 3
    assert [ax.get_title() for ax in axes] == [
        "window at (1, 2)", "window × kernel", "feature map"]
    assert axes[1].get_xlabel() == "sum = 3"
    # Filled in reading order up to (1, 2): 6 of 9 cells carry a number.
    assert [t.get_text() for t in axes[2].texts] == ["4", "3", "4", "2", "4", "3"]
    window = axes[0].patches[-1]
    assert window.get_xy() == (1.5, 0.5) and window.get_width() == 3
    assert axes[2].patches[-1].get_xy() == (1.5, 0.5)


def test_show_conv_step_with_kernel_and_bad_position():
    image, kernel = data.binary_image(), data.lesson_kernel()
    axes = plots.show_conv_step(image, kernel, 0, 0, with_kernel=True)
    assert len(axes) == 4 and axes[1].get_title() == "kernel"
    with pytest.raises(ValueError, match="0..2"):
        plots.show_conv_step(image, kernel, 3, 0)
    with pytest.raises(ValueError, match="4 Axes"):
        _, three = plt.subplots(1, 3)
        plots.show_conv_step(image, kernel, 0, 0, axes=three, with_kernel=True)


def test_show_conv_steps_has_every_step():
    fig = plots.show_conv_steps(data.binary_image(), data.lesson_kernel())
    assert len(fig.axes) == 27
    labels = [ax.get_ylabel() for ax in fig.axes[::3]]
    assert labels == [f"step {k}" for k in range(1, 10)]
    last_map = fig.axes[-1]
    assert [int(t.get_text()) for t in last_map.texts] == sum(LESSON_MAP, [])
    sums = [ax.get_xlabel() for ax in fig.axes[1::3]]
    assert sums == [f"sum = {v}" for v in sum(LESSON_MAP, [])]


def test_show_kernels_and_maps_layout_and_colours():
    classic = kernels.classic_kernels()
    names = ["vertical edge", "box blur", "sharpen"]
    image = data.sample_photo(100)[:20, :20]
    maps = [helpers.conv2d(image, classic[n]) for n in names]
    fig = plots.show_kernels_and_maps([classic[n] for n in names], maps, names, ncols=2)
    assert len(fig.axes) == 8  # 2 groups x (kernel row + map row) x 2 columns
    assert [fig.axes[i].get_title() for i in (0, 1, 4)] == names
    assert fig.axes[2].images[0].get_cmap().name == plots.VALUE_CMAP  # edge: signed
    assert fig.axes[3].images[0].get_cmap().name == plots.IMAGE_CMAP  # blur: image
    assert not fig.axes[5].axison and not fig.axes[7].axison  # the empty slot
    with pytest.raises(ValueError, match="one feature map per kernel"):
        plots.show_kernels_and_maps([classic["sharpen"]], maps)


def test_show_patch_vs_kernel_and_kernel_effect():
    photo = data.sample_photo(100)[:30, :30]
    diagonal = kernels.classic_kernels()["diagonal edge"]
    fig = plots.show_patch_vs_kernel(photo, diagonal, 4, 5)
    assert [ax.get_title() for ax in fig.axes] == [
        "image, patch at (4, 5)", "the patch", "patch − its mean", "the kernel"]
    with pytest.raises(ValueError, match="leaves"):
        plots.show_patch_vs_kernel(photo, diagonal, 29, 0)
    fig = plots.show_kernel_effect(photo, diagonal, helpers.conv2d(photo, diagonal),
                                   name="diagonal edge")
    assert len(fig.axes) == 3
    assert fig.axes[1].get_title() == "kernel: diagonal edge"
    assert fig.axes[1].get_xlabel() == "sum of weights = 0"


@pytest.mark.parametrize(
    "padding, stride, title",
    [(0, 1, "padding 0, stride 1\n5x5 → 3x3"),
     (1, 1, "padding 1, stride 1\n5x5 → 5x5"),
     (1, 2, "padding 1, stride 2\n5x5 → 3x3"),
     ("same", 2, "padding 'same', stride 2\n5x5 → 3x3")],
)
def test_show_padding_stride_titles(padding, stride, title):
    ax = plots.show_padding_stride(data.binary_image(), 3, stride, padding)
    assert ax.get_title() == title
    side = 5 + 2 * (padding if isinstance(padding, int) else 1)
    assert len(ax.texts) == side * side


@pytest.mark.parametrize(
    "name", ["conv_step.png", "cross_correlation_flip.png", "padding_stride.png"]
)
def test_diagrams_of_notebooks_01_02_are_registered(name):
    fig = images._figures()[name]()
    assert isinstance(fig, plt.Figure) and fig.axes


def test_reading_the_lesson_feature_map():
    # Notebook 01: four positions score 4, none 5; the 2s of the left column are
    # windows whose centre and two left-hand corners are black.
    image, kernel = data.binary_image(), data.lesson_kernel()
    feature_map = helpers.conv2d(image, kernel)
    assert np.sum(feature_map == 4) == 4 and feature_map.max() == 4
    np.testing.assert_array_equal(feature_map[:, 0], [4, 2, 2])
    for row in (1, 2):
        window = image[row : row + 3, 0:3]
        assert window[1, 1] == window[0, 0] == window[2, 0] == 0
        assert window[0, 2] == window[2, 2] == 1


def test_fashion_items_edge_directions():
    # Notebook 02, section 3: test items 2 (trouser) and 9 (sneaker).
    (_, _), (x_test, y_test) = data.load_fashion_mnist()
    assert [data.CLASS_NAMES[y_test[i]] for i in (2, 9, 0)] == [
        "Trouser", "Sneaker", "Ankle boot"]
    classic = kernels.classic_kernels()

    def energy(i, name):
        return np.abs(helpers.conv2d(x_test[i] / 255.0, classic[name])).mean()

    assert energy(2, "vertical edge") > 3 * energy(2, "horizontal edge")
    assert energy(9, "horizontal edge") > 2 * energy(9, "vertical edge")
