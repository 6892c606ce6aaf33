"""Notebooks 04-06 (ReLU, pooling, flatten and dense): their checks, plots, widget and
the facts the notebooks state, against hand-worked numbers and TensorFlow/Keras."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from learners import not_done, returns_none, run_check  # noqa: E402

import helpers  # noqa: E402
from helpers import checks, data, plots, widgets  # noqa: E402
from helpers.checks import FAIL, PASS, TODO  # noqa: E402
from helpers.checks.relu import combined_kernel_reference  # noqa: E402
from helpers.tools import images  # noqa: E402


def raises_value_error(*args, **kwargs):
    raise ValueError("boom")




# The learner's functions as a notebook would show them (the worked solutions).
def relu_solution(x):
    return np.maximum(x, 0)


def combined_kernel_solution(k1, k2):
    kh1, kw1 = k1.shape
    kh2, kw2 = k2.shape
    result = np.zeros((kh1 + kh2 - 1, kw1 + kw2 - 1))
    for r in range(kh2):
        for s in range(kw2):
            result[r : r + kh1, s : s + kw1] += k2[r, s] * k1
    return result


def max_pool_solution(x, size=2, stride=2, reduce=np.max, out_extra=0):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1 + out_extra
    out_w = (x.shape[1] - size) // stride + 1 + out_extra
    pooled = np.zeros((out_h, out_w) + x.shape[2:])
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride : i * stride + size, j * stride : j * stride + size]
            pooled[i, j] = reduce(window, axis=(0, 1))
    return pooled


# --------------------------------------------------------------------------- checks
# Functions that are not done, not functions, or return nonsense: never a traceback.
ODD_LEARNERS = [
    not_done,
    raises_value_error,
    returns_none,
    None,
    42,
    "my_function",
    lambda *a, **k: "text",
    lambda *a, **k: object(),
    lambda *a, **k: {"a": 1},
    lambda *a, **k: [[1, 2], [3]],
    lambda *a, **k: np.nan,
    lambda *a, **k: np.full((2, 2), np.nan),
    lambda *a, **k: np.full((2, 2), np.inf),
    lambda *a, **k: np.zeros((200, 200)),
    lambda *a: a[0],  # the input back unchanged
]

FUNCTION_CHECKS = [
    checks.check_relu,
    checks.check_combined_kernel,
    checks.check_max_pool2d,
    checks.check_pooled_shape,
    checks.check_dense,
    checks.check_conv_params,
    checks.check_dense_params,
]


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("learner", ODD_LEARNERS)
def test_checks_never_raise_and_fail_on_odd_input(check, learner, capsys):
    passed, text = run_check(check, learner, capsys)
    assert not passed
    assert FAIL in text or TODO in text
    if learner is not_done:
        assert TODO in text and "not done yet" in text


@pytest.mark.parametrize(
    "check, solution",
    [
        (checks.check_relu, relu_solution),
        (checks.check_relu, helpers.relu),
        (checks.check_relu, lambda x: np.clip(x, 0, None)),
        (checks.check_combined_kernel, combined_kernel_solution),
        (checks.check_max_pool2d, max_pool_solution),
        (checks.check_max_pool2d, helpers.max_pool2d),
        (checks.check_max_pool2d, lambda *a: max_pool_solution(*a).tolist()),  # a list
        (checks.check_pooled_shape,
         lambda s, size=2, stride=2: ((s[0] - size) // stride + 1,
                                      (s[1] - size) // stride + 1, *s[2:])),
        (checks.check_pooled_shape,
         lambda s, size=2, stride=2: helpers.max_pool2d(np.zeros(s), size, stride).shape),
        (checks.check_dense, lambda x, W, b: x @ W + b),
        (checks.check_dense, helpers.dense),
        (checks.check_conv_params, lambda k, c, f: (k * k * c + 1) * f),
        (checks.check_dense_params, lambda n, u: (n + 1) * u),
        (checks.check_dense_params, lambda n, u: float((n + 1) * u)),
    ],
)
def test_checks_pass_correct_solutions(check, solution, capsys):
    passed, text = run_check(check, solution, capsys)
    assert passed, text
    assert text.startswith(PASS)


def mutating_relu(x):
    x = np.asarray(x, dtype=float)
    x[x < 0] = 0  # changes the caller's array: the next cell would see it changed
    return x


@pytest.mark.parametrize(
    "broken, why",
    [
        (np.abs, "abs instead of max(0, x)"),
        (lambda x: x, "identity"),
        (lambda x: max(0, x), "Python max: fails on arrays"),
        (lambda x: np.where(x > 0, x, 0.01 * x), "leaky ReLU"),
        (lambda x: np.maximum(x, 0).tolist() if np.ndim(x) else [max(0, x)],
         "a list for a scalar"),
        (lambda x: np.maximum(x, 0).ravel(), "loses the shape"),
        (lambda x: np.where(np.asarray(x) > 0, x, np.nan), "NaN for negatives"),
    ],
)
def test_check_relu_rejects_broken(broken, why, capsys):
    passed, text = run_check(checks.check_relu, broken, capsys)
    assert not passed, why
    assert FAIL in text


def test_check_relu_rejects_a_solution_that_changes_its_input(capsys):
    passed, text = run_check(checks.check_relu, mutating_relu, capsys)
    assert not passed and "changed its input `x`" in text and "copy" in text


def combined_kernel_not_flipped(k1, k2):
    kh2, kw2 = k2.shape
    padded = np.pad(k1, ((kh2 - 1, kh2 - 1), (kw2 - 1, kw2 - 1)))
    return helpers.conv2d(padded, k2)


@pytest.mark.parametrize(
    "broken",
    [
        combined_kernel_not_flipped,  # the "full cross-correlation" trap
        lambda k1, k2: combined_kernel_solution(k1.T, k2.T),  # transposed
        lambda k1, k2: combined_kernel_solution(k1, k2)[:-1, :-1],  # one too small
        lambda k1, k2: np.zeros((k1.shape[0] + k2.shape[0], k1.shape[1] + k2.shape[1])),
        lambda k1, k2: helpers.conv2d(k1, k2) if k1.shape >= k2.shape else k1,
    ],
)
def test_check_combined_kernel_rejects_broken(broken, capsys):
    passed, text = run_check(checks.check_combined_kernel, broken, capsys)
    assert not passed and FAIL in text


def pool_wrong_axis(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    pooled = np.zeros((out_h, out_w) + x.shape[2:])
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride : i * stride + size, j * stride : j * stride + size]
            pooled[i, j] = window.max(axis=0)[0]  # only over rows, first column
    return pooled


def pool_channels_collapsed(x, size=2, stride=2):
    x = np.asarray(x, dtype=float)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    pooled = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            pooled[i, j] = x[i * stride : i * stride + size,
                             j * stride : j * stride + size].max()
    return pooled


def pool_from_zero(x, size=2, stride=2):
    return np.maximum(max_pool_solution(x, size, stride), 0)


@pytest.mark.parametrize(
    "broken, why",
    [
        (pool_wrong_axis, "max over the wrong axis"),
        (lambda x, size=2, stride=2: max_pool_solution(x, size, size), "stride ignored"),
        (lambda x, size=2, stride=2: max_pool_solution(x, size, 1), "stride always 1"),
        (lambda x, size=2, stride=2: max_pool_solution(x, 2, 2), "size and stride fixed"),
        (lambda x, size=2, stride=2: max_pool_solution(x, size, stride, np.mean),
         "average instead of max"),
        (pool_channels_collapsed, "all channels in one max"),
        (pool_from_zero, "starts from 0: wrong for negative maps"),
        (lambda x, size=2, stride=2: max_pool_solution(
            x[: x.shape[0] - 1], size, stride), "off by one: drops a row"),
        (lambda x, size=2, stride=2: max_pool_solution(
            np.pad(x, [(0, 1), (0, 1)] + [(0, 0)] * (np.ndim(x) - 2)), size, stride),
         "pads odd edges (like padding='same' with zeros)"),
        (lambda x, size=2, stride=2: np.asarray(x)[::stride, ::stride], "subsamples"),
        (lambda x, size=2, stride=2: max_pool_solution(x, size, stride) * np.nan,
         "NaN"),
    ],
)
def test_check_max_pool2d_rejects_broken(broken, why, capsys):
    passed, text = run_check(checks.check_max_pool2d, broken, capsys)
    assert not passed, why
    assert FAIL in text


@pytest.mark.parametrize(
    "broken",
    [
        lambda s, size=2, stride=2: (s[0] // size, s[1] // size, *s[2:]),  # no formula
        lambda s, size=2, stride=2: ((s[0] - size) // stride + 1,
                                     (s[1] - size) // stride + 1),  # loses C
        lambda s, size=2, stride=2: (-(-s[0] // stride), -(-s[1] // stride), *s[2:]),
        lambda s, size=2, stride=2: str(s),
    ],
)
def test_check_pooled_shape_rejects_broken(broken, capsys):
    passed, text = run_check(checks.check_pooled_shape, broken, capsys)
    assert not passed and FAIL in text
    assert "Hint" in text


@pytest.mark.parametrize(
    "broken",
    [
        lambda x, W, b: W @ x + b if W.shape[0] == W.shape[1] else x @ W + b,
        lambda x, W, b: x @ W.T + b,  # raises on non-square W: reported, not raised
        lambda x, W, b: x @ W,  # forgets the bias
        lambda x, W, b: x @ W - b,
        lambda x, W, b: (x @ W + b).reshape(1, -1),  # a (1, units) row
        lambda x, W, b: np.sum(x @ W + b),
    ],
)
def test_check_dense_rejects_broken(broken, capsys):
    passed, text = run_check(checks.check_dense, broken, capsys)
    assert not passed and FAIL in text


@pytest.mark.parametrize(
    "check, broken",
    [
        (checks.check_conv_params, lambda k, c, f: k * k * c * f),  # no biases
        (checks.check_conv_params, lambda k, c, f: (k * k + 1) * c * f),  # bias per C
        (checks.check_conv_params, lambda k, c, f: (k * k * c + 1) * f + 1),
        (checks.check_dense_params, lambda n, u: n * u),
        (checks.check_dense_params, lambda n, u: (n + u) * u),
    ],
)
def test_param_checks_reject_broken_with_a_hint(check, broken, capsys):
    passed, text = run_check(check, broken, capsys)
    assert not passed and FAIL in text
    assert "Hint" in text


def test_not_done_gets_no_hint(capsys):
    passed, text = run_check(checks.check_conv_params, not_done, capsys)
    assert not passed and text.startswith(TODO) and "Hint" not in text


# --------------------------------------------------------------------------- widget
def test_pooling_explorer_follows_its_controls():
    ui = widgets.pooling_explorer()
    size, stride, kind = ui.children[:3]
    x = data.pooling_example()
    np.testing.assert_array_equal(ui.result, [[6, 8], [3, 4]])
    assert size.max == 4 and stride.max == 4
    size.value = 3
    stride.value = 1
    np.testing.assert_array_equal(ui.result, helpers.max_pool2d(x, 3, 1))
    np.testing.assert_array_equal(ui.result, [[7, 8], [7, 8]])
    kind.value = "avg"
    np.testing.assert_allclose(ui.result, helpers.avg_pool2d(x, 3, 1))
    size.value = 1
    np.testing.assert_array_equal(ui.result, x)  # a 1x1 window copies the map


def test_pooling_explorer_on_another_map():
    grid = np.random.default_rng(0).integers(0, 10, (6, 7)).astype(float)
    ui = widgets.pooling_explorer(grid)
    size, stride, _ = ui.children[:3]
    assert size.max == 6
    size.value, stride.value = 3, 2
    assert ui.result.shape == (2, 3)
    np.testing.assert_array_equal(ui.result, helpers.max_pool2d(grid, 3, 2))
    stride.value = 6
    assert ui.result.shape == (1, 1)


# --------------------------------------------------------------------------- plots
def test_show_pooling_ties_windows_to_outputs():
    ax_in, ax_out = plots.show_pooling(data.pooling_example())
    outlines = [p for p in ax_in.patches if not p.get_fill() and p.get_gid() is None]
    assert len(outlines) == 4 and len(ax_out.patches) == 4
    rings = [p for p in ax_in.patches if p.get_gid() == "window-maximum"]
    assert [(int(p.center[1]), int(p.center[0])) for p in rings] == [
        (1, 1), (1, 3), (2, 0), (3, 3)]  # the 6, 8, 3 and 4 of each window
    for window, cell in zip(outlines, ax_out.patches, strict=True):
        assert window.get_edgecolor() == cell.get_edgecolor()
    assert len({tuple(p.get_edgecolor()) for p in outlines}) == 4
    numbers = sorted(t.get_text() for t in _numbers(ax_out))
    assert numbers == ["3", "4", "6", "8"]
    # Not colour alone: window "a" of the input is output cell "a", in the same colour.
    letters_in, letters_out = _letters(ax_in), _letters(ax_out)
    assert [t.get_text() for t in letters_in] == ["a", "b", "c", "d"]
    assert [t.get_text() for t in letters_out] == ["a", "b", "c", "d"]
    for window, letter in zip(outlines, letters_in, strict=True):
        assert window.get_edgecolor()[:3] == mcolors.to_rgb(letter.get_color())
        x, y = letter.get_position()  # inside its window
        assert window.get_x() < x < window.get_x() + window.get_width()
        assert window.get_y() < y < window.get_y() + window.get_height()


def _letters(ax):
    return [t for t in ax.texts if t.get_gid() == "window-label"]


def _numbers(ax):
    return [t for t in ax.texts if t.get_gid() != "window-label"]


def test_show_pooling_outlines_every_overlapping_window():
    grid = np.array([[3, 1, 0, 2, 8, 1], [0, 9, 2, 4, 1, 0], [1, 3, 4, 0, 5, 2],
                     [2, 0, 1, 6, 2, 3], [7, 1, 2, 0, 5, 1], [4, 2, 6, 1, 3, 9]], float)
    ax_in, ax_out = plots.show_pooling(grid, size=3, stride=2)
    outlines = [p for p in ax_in.patches if not p.get_fill() and p.get_gid() is None
                and p.get_width() > 1]
    assert len(outlines) == 4  # all four windows, not three
    assert len({(p.get_x(), p.get_y(), p.get_width()) for p in outlines}) == 4
    # each window keeps a different maximum: 9, 8, 7, 6 (by hand)
    assert sorted(t.get_text() for t in _numbers(ax_out)) == ["6", "7", "8", "9"]
    assert "all 4 windows outlined" in ax_in.get_xlabel()
    # overlapping neighbours are drawn at different insets, so none hides another
    widths = sorted({round(p.get_width(), 2) for p in outlines})
    assert len(widths) == 4


def test_show_pooling_centres_signed_maps_on_zero():
    ax_in, ax_out = plots.show_pooling(np.array([[-1.0, 2.0], [0.5, 3.0]]))
    assert ax_in.images[0].get_clim() == ax_out.images[0].get_clim() == (-3.0, 3.0)
    assert ax_in.images[0].get_cmap().name == plots.VALUE_CMAP


def test_show_pooling_marks_the_dropped_edge():
    ax_in, _ = plots.show_pooling(np.arange(25.0).reshape(5, 5))
    assert "9 pixels dropped" in ax_in.get_xlabel()
    ax_in, _ = plots.show_pooling(data.pooling_example())
    assert "dropped" not in ax_in.get_xlabel()


def test_show_pooling_average_and_errors():
    _, ax_out = plots.show_pooling(data.pooling_example(), kind="avg")
    assert sorted(t.get_text() for t in _numbers(ax_out)) == ["2", "2", "3.25", "5.25"]
    with pytest.raises(ValueError, match="kind"):
        plots.show_pooling(data.pooling_example(), kind="min")
    with pytest.raises(ValueError, match="2-D"):
        plots.show_pooling(np.zeros((4, 4, 2)))


def test_plot_activations_has_three_labelled_curves():
    ax = plots.plot_activations()
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label()
              .startswith("_")]
    assert len(labels) == 3 and "ReLU" in labels[0]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert ax.get_legend() is not None


def test_show_rectified_uses_the_same_colours():
    fm = np.array([[3.0, -3.0], [1.0, 0.0]])
    before, after = plots.show_rectified(fm)
    assert before.images[0].get_clim() == after.images[0].get_clim() == (-3.0, 3.0)
    assert [t.get_text() for t in after.texts] == ["3", "0", "1", "0"]


def test_show_flatten_follows_keras_order():
    x = np.array([[[10, 20], [11, 21]], [[12, 22], [13, 23]]], dtype=float)
    fig = plots.show_flatten(x)
    vector_ax = fig.axes[-1]
    assert [t.get_text() for t in vector_ax.texts] == [
        "10", "20", "11", "21", "12", "22", "13", "23"]
    fig = plots.show_flatten(x, order="channels first")
    assert [t.get_text() for t in fig.axes[-1].texts][:4] == ["10", "11", "12", "13"]


def test_show_pipeline_writes_every_shape():
    ax = plots.show_pipeline([("image", (8, 8, 1)), ("flatten", (64,))])
    texts = [t.get_text() for t in ax.texts]
    assert "(8, 8, 1)" in texts and "(64,)" in texts


@pytest.mark.parametrize("name", ["max_pooling_2x2.png", "cnn_pipeline.png"])
def test_diagrams_draw(name):
    fig = images._figures()[name]()
    assert fig.axes


# --------------------------------------------------------------------------- facts (hand)
def test_relu_of_the_lesson_feature_map():
    from helpers.kernels import classic_kernels

    fm = helpers.conv2d(data.binary_image(), classic_kernels()["vertical edge"])
    np.testing.assert_array_equal(fm, [[3, 0, -3], [4, 3, -2], [4, 2, -3]])
    assert np.count_nonzero(helpers.relu(fm)) == 5


def test_pooling_of_the_lesson_map_by_hand():
    x = data.pooling_example()
    np.testing.assert_array_equal(helpers.max_pool2d(x, 2, 2), [[6, 8], [3, 4]])
    np.testing.assert_allclose(helpers.avg_pool2d(x, 2, 2), [[3.25, 5.25], [2, 2]])
    odd = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(helpers.max_pool2d(odd, 2, 2), [[6, 8], [16, 18]])


def test_relu_breaks_superposition():
    rng = np.random.default_rng(1)
    k1, k2 = rng.normal(size=(3, 3)), rng.normal(size=(2, 2))
    a, b = rng.normal(size=(7, 7)), rng.normal(size=(7, 7))

    def stack(x):
        return helpers.conv2d(helpers.relu(helpers.conv2d(x, k1)), k2)

    assert np.max(np.abs(stack(a + b) - stack(a) - stack(b))) > 0.1


# --------------------------------------------------------------------------- oracles (TF)
POOL_CASES = [  # H, W, C, size, stride
    (4, 4, 3, 2, 2),
    (5, 5, 2, 2, 2),
    (7, 6, 3, 3, 2),
    (6, 7, 1, 2, 1),
    (9, 9, 4, 3, 3),
    (8, 5, 2, 2, 3),
    (3, 3, 1, 3, 1),
]


@pytest.mark.parametrize("H, W, C, size, stride", POOL_CASES)
def test_pooling_matches_keras(keras, H, W, C, size, stride):
    x = np.random.default_rng(H * W + size).normal(size=(H, W, C)).astype(np.float32)
    for ours, layer in [(helpers.max_pool2d, keras.layers.MaxPooling2D),
                        (helpers.avg_pool2d, keras.layers.AveragePooling2D)]:
        theirs = np.asarray(layer(pool_size=size, strides=stride)(x[None]))[0]
        np.testing.assert_allclose(ours(x, size, stride), theirs, atol=1e-6)
        assert theirs.shape == (helpers.output_size(H, size, stride),
                                helpers.output_size(W, size, stride), C)
    # and the learner's loop of notebook 05
    np.testing.assert_allclose(max_pool_solution(x, size, stride),
                               helpers.max_pool2d(x, size, stride))


def test_flatten_matches_keras(keras):
    x = np.random.default_rng(2).normal(size=(3, 4, 5)).astype(np.float32)
    theirs = np.asarray(keras.layers.Flatten()(x[None]))[0]
    np.testing.assert_array_equal(helpers.flatten(x), theirs)
    assert not np.array_equal(x.transpose(2, 0, 1).reshape(-1), theirs)


def test_dense_and_activations_match_keras(keras):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(18,)).astype(np.float32)
    W = rng.normal(size=(18, 3)).astype(np.float32)
    b = rng.normal(size=3).astype(np.float32)
    layer = keras.layers.Dense(3)
    layer.build((None, 18))
    layer.set_weights([W, b])
    np.testing.assert_allclose(helpers.dense(x, W, b), np.asarray(layer(x[None]))[0],
                               rtol=1e-5, atol=1e-5)
    z = np.array([[1000.0, 1001.0, -5.0]], dtype=np.float32)
    np.testing.assert_allclose(helpers.softmax(z), keras.activations.softmax(z),
                               atol=1e-6)
    v = np.linspace(-30, 30, 13).astype(np.float32)
    np.testing.assert_allclose(helpers.sigmoid(v), keras.activations.sigmoid(v),
                               atol=1e-6)
    np.testing.assert_array_equal(helpers.relu(v), keras.layers.ReLU()(v))


@pytest.mark.parametrize("shape1, shape2", [((3, 3), (2, 2)), ((2, 3), (3, 1)),
                                            ((1, 1), (3, 3))])
def test_stacked_convolutions_collapse_in_tensorflow(tf, shape1, shape2):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(9, 10))
    k1, k2 = rng.normal(size=shape1), rng.normal(size=shape2)

    def tf_conv(image, kernel):  # TensorFlow's cross-correlation, "VALID"
        return tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None],
                            strides=1, padding="VALID").numpy()[0, :, :, 0]

    two_steps = tf_conv(tf_conv(x, k1), k2)
    combined = combined_kernel_solution(k1, k2)
    np.testing.assert_allclose(tf_conv(x, combined), two_steps, atol=1e-10)
    np.testing.assert_allclose(helpers.conv2d(x, combined), two_steps, atol=1e-10)
    np.testing.assert_allclose(combined_kernel_reference(k1, k2), combined)
    if shape2 != (1, 1):  # without the flip it is wrong (unless k2 is symmetric)
        wrong = combined_kernel_not_flipped(k1, k2)
        assert not np.allclose(tf_conv(x, wrong), two_steps)


def numpy_pipeline(image, kernel, conv_bias, weights, bias):
    """conv -> ReLU -> 2x2 max pool -> flatten -> dense -> softmax, as notebook 06."""
    maps = np.stack([helpers.conv2d(image, kernel[:, :, :, f]) + conv_bias[f]
                     for f in range(kernel.shape[-1])], axis=-1)
    pooled = helpers.max_pool2d(helpers.relu(maps), 2, 2)
    return helpers.softmax(helpers.dense(helpers.flatten(pooled), weights, bias))


def keras_pipeline(keras, H, W, C, F, units):
    return keras.Sequential([
        keras.Input(shape=(H, W, C)),
        keras.layers.Conv2D(F, 3),
        keras.layers.ReLU(),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(units),
        keras.layers.Softmax(),
    ])


def test_tiny_pipeline_three_ways(keras):
    """The case notebook 06 works out by hand in markdown."""
    tiny = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 1]],
                    dtype=float)[:, :, None]
    vertical = np.array([[-1, 0, 1]] * 3, dtype=float)
    kernel = np.stack([vertical, vertical.T], axis=-1)[:, :, None, :]
    weights = [kernel, np.array([-1.0, -1.0]), np.array([[1.0, -1.0], [0.5, 1.0]]),
               np.array([0.0, 0.5])]
    by_hand = np.array([1, np.exp(-3.0)]) / (1 + np.exp(-3.0))  # softmax([2.5, -0.5])
    ours = numpy_pipeline(tiny, *weights)
    model = keras_pipeline(keras, 4, 4, 1, 2, 2)
    model.set_weights(weights)
    np.testing.assert_allclose(ours, by_hand, atol=1e-12)
    np.testing.assert_allclose(np.asarray(model(tiny[None]))[0], by_hand, atol=1e-6)
    assert model.count_params() == (3 * 3 * 1 + 1) * 2 + (2 + 1) * 2


@pytest.mark.parametrize("H, W, C, F, units", [(8, 8, 1, 2, 3), (9, 7, 3, 4, 5)])
def test_pipeline_matches_keras(keras, H, W, C, F, units):
    rng = np.random.default_rng(H + W + C)
    image = rng.uniform(size=(H, W, C))
    inputs = ((H - 2) // 2) * ((W - 2) // 2) * F
    weights = [rng.normal(size=(3, 3, C, F)), rng.normal(size=F),
               rng.normal(size=(inputs, units)), rng.normal(size=units)]
    model = keras_pipeline(keras, H, W, C, F, units)
    model.set_weights(weights)
    theirs = np.asarray(model(image[None].astype(np.float32)))[0]
    np.testing.assert_allclose(numpy_pipeline(image, *weights), theirs, atol=1e-5)
    np.testing.assert_allclose(helpers.numpy_forward(model, image[None])[0], theirs,
                               atol=1e-5)
    assert model.count_params() == (3 * 3 * C + 1) * F + (inputs + 1) * units


def test_compare_rejects_strings_and_complex_numbers_without_warnings():
    import warnings

    from helpers.checks import compare

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "expected numbers, got str" in compare("20", 20)
        assert "real numbers" in compare(np.array([1 + 2j]), [1.0])
        assert compare([1, 2], np.array([1.0, 2.0])) is None
