"""Parameter counts and receptive fields (helpers.architecture), their checks and figures.

Oracles: Keras's ``count_params`` of real layers, hand-worked receptive fields, and the
input pixels that really reach one output unit (the gradient of that unit with respect
to the input in TensorFlow, and perturbing pixels one at a time in numpy).
"""

import contextlib
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import architecture, checks, plots  # noqa: E402
from helpers import layers as L  # noqa: E402
from helpers.checks.architecture import RECEPTIVE_FIELD_CASES  # noqa: E402

SERIES = [("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1), ("pool", 2, 2)]


def run_quietly(check, *args):
    """Run a check, returning (result, printed text)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = check(*args)
    return result, out.getvalue()


# ------------------------------------------------------------------ parameter counts
@pytest.mark.parametrize("kh, kw, c_in, filters, bias", [
    (3, 3, 1, 32, True), (3, 3, 32, 64, True), (5, 5, 3, 16, True),
    (1, 1, 8, 4, True), (3, 5, 2, 7, False), (7, 1, 1, 1, True),
])
def test_conv_params_matches_keras(keras, kh, kw, c_in, filters, bias):
    layer = keras.layers.Conv2D(filters, (kh, kw), use_bias=bias)
    layer.build((None, 16, 16, c_in))
    assert architecture.conv_params(kh, kw, c_in, filters, bias=bias) == \
        layer.count_params()


@pytest.mark.parametrize("inputs, units, bias", [
    (784, 128, True), (3136, 10, True), (1, 1, True), (18, 3, True), (50, 7, False),
])
def test_dense_params_matches_keras(keras, inputs, units, bias):
    layer = keras.layers.Dense(units, use_bias=bias)
    layer.build((None, inputs))
    assert architecture.dense_params(inputs, units, bias=bias) == layer.count_params()


def test_the_notebook_layers_by_hand():
    assert architecture.dense_params(28 * 28, 28 * 28 * 32) == 785 * 25088 == 19_694_080
    assert architecture.conv_params(3, 3, 1, 32) == 320
    assert architecture.conv_params(3, 3, 1, 32, bias=False) == 288
    count = architecture.conv_params(np.int64(3), np.int32(3), 1, 32)
    assert count == 320 and type(count) is int


# ------------------------------------------------------------------- receptive fields
def test_receptive_fields_of_the_series_cnn_by_hand():
    assert architecture.receptive_fields(SERIES) == [(3, 1), (4, 2), (8, 2), (10, 4)]
    assert architecture.receptive_fields(architecture.SERIES_STACK) == \
        [(3, 1), (4, 2), (8, 2), (10, 4)]


@pytest.mark.parametrize("stack, expected", [
    ([("conv", 5, 1)], [(5, 1)]),
    ([("conv", 3, 1)] * 2 + [("pool", 2, 2)] + [("conv", 3, 1)] * 2 + [("pool", 2, 2)],
     [(3, 1), (5, 1), (6, 2), (10, 2), (14, 2), (16, 4)]),
    ([("conv", 3, 2), ("conv", 3, 1), ("conv", 3, 1)], [(3, 2), (7, 2), (11, 2)]),
    ([("pool", 2, 2)] * 3, [(2, 2), (4, 4), (8, 8)]),
    ([("conv", 1, 1), ("pool", 3, 3), ("conv", 5, 1)], [(1, 1), (3, 3), (15, 3)]),
    ([("conv", 7, 2), ("pool", 3, 2)], [(7, 2), (11, 4)]),  # a ResNet stem
])
def test_receptive_fields_by_hand(stack, expected):
    assert architecture.receptive_fields(stack) == expected


def test_padding_moves_the_window_but_keeps_its_size():
    assert architecture.input_window(architecture.SERIES_STACK, 3, 3) == (9, 9, 10)
    assert architecture.input_window(SERIES, 3, 3) == (12, 12, 10)
    assert architecture.input_window(SERIES, 0, 0) == (0, 0, 10)
    assert architecture.input_window([("conv", 3, 1, 1)], 0, 0) == (-1, -1, 3)


ORACLE_STACKS = [
    SERIES,
    architecture.SERIES_STACK,
    [("conv", 3, 2), ("conv", 3, 1), ("pool", 2, 2)],
    [("conv", 5, 1, 2), ("pool", 3, 3), ("conv", 3, 1)],
    [("pool", 2, 2), ("conv", 1, 1), ("conv", 3, 1, 1), ("pool", 2, 2), ("conv", 3, 2)],
]


def _keras_stack(keras, stack, size):
    """A linear Keras model of `stack`: all-ones kernels, average pooling (every pixel
    in a window reaches the output, unlike max pooling, so no gradient is lost)."""
    model = [keras.Input(shape=(size, size, 1))]
    for kind, kernel, stride, *pad in stack:
        padding = "same" if pad and pad[0] > 0 else "valid"
        if padding == "same":
            assert stride == 1 and pad[0] == (kernel - 1) // 2  # Keras's "same"
        if kind == "conv":
            model.append(keras.layers.Conv2D(1, kernel, strides=stride, padding=padding,
                                             use_bias=False, kernel_initializer="ones"))
        else:
            model.append(keras.layers.AveragePooling2D(kernel, strides=stride,
                                                       padding=padding))
    return keras.Sequential(model)


@pytest.mark.parametrize("stack", ORACLE_STACKS, ids=range(len(ORACLE_STACKS)))
def test_receptive_field_is_where_the_gradient_is_not_zero(tf, keras, stack):
    size = 40
    model = _keras_stack(keras, stack, size)
    out_h = model.output_shape[1]
    row = col = out_h // 2  # a unit whose window lies inside the image
    x = tf.Variable(tf.random.uniform((1, size, size, 1), 0.5, 1.0, seed=1))
    with tf.GradientTape() as tape:
        unit = model(x)[0, row, col, 0]
    grad = tape.gradient(unit, x).numpy()[0, :, :, 0]
    rows, cols = np.nonzero(grad)
    top, left, side = architecture.input_window(stack, row, col)
    assert side == architecture.receptive_fields(stack)[-1][0]
    assert (rows.min(), cols.min()) == (top, left)
    assert rows.max() - rows.min() + 1 == side == cols.max() - cols.min() + 1
    assert len(rows) == side * side  # every pixel of the square, and only those


def test_receptive_field_by_perturbing_pixels_in_numpy():
    """Independent of TensorFlow: change one pixel at a time and see whether the
    output unit moves (the series' stack with "valid" convolutions and average
    pooling, on a 22x22 image)."""
    rng = np.random.default_rng(0)
    image = rng.uniform(0.5, 1.0, size=(22, 22))
    kernel = np.ones((3, 3))

    def unit(img):
        x = L.conv2d(img, kernel)
        x = L.avg_pool2d(x, size=2, stride=2)
        x = L.conv2d(x, kernel)
        x = L.avg_pool2d(x, size=2, stride=2)
        return x[1, 1]

    base = unit(image)
    seen = np.zeros_like(image, dtype=bool)
    for i in range(22):
        for j in range(22):
            poked = image.copy()
            poked[i, j] += 1.0
            seen[i, j] = not np.isclose(unit(poked), base, rtol=0, atol=1e-12)
    top, left, side = architecture.input_window(SERIES, 1, 1)
    expected = np.zeros_like(seen)
    expected[top:top + side, left:left + side] = True
    assert side == 10 and np.array_equal(seen, expected)


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, error, words", [
    (lambda: architecture.conv_params(0, 3, 1, 32), ValueError, "`kh`"),
    (lambda: architecture.conv_params(3, 3.0, 1, 32), TypeError, "`kw`"),
    (lambda: architecture.conv_params(3, 3, True, 32), TypeError, "`c_in`"),
    (lambda: architecture.conv_params(3, 3, 1, "32"), TypeError, "`filters`"),
    (lambda: architecture.conv_params(3, 3, 1, 32, bias=1), TypeError, "`bias`"),
    (lambda: architecture.dense_params(-1, 3), ValueError, "`inputs`"),
    (lambda: architecture.dense_params(784, None), TypeError, "`units`"),
    (lambda: architecture.receptive_fields("conv"), TypeError, "`stack`"),
    (lambda: architecture.receptive_fields(3), TypeError, "`stack`"),
    (lambda: architecture.receptive_fields([]), ValueError, "`stack`"),
    (lambda: architecture.receptive_fields([("dense", 3, 1)]), ValueError,
     "`stack[0]`"),
    (lambda: architecture.receptive_fields([("conv", 3)]), ValueError, "`stack[0]`"),
    (lambda: architecture.receptive_fields([("conv", 3, 1), ("pool", 0, 2)]),
     ValueError, "`stack[1]` kernel"),
    (lambda: architecture.receptive_fields([("pool", 2, 2.0)]), TypeError,
     "`stack[0]` stride"),
    (lambda: architecture.receptive_fields([("conv", 3, 1, -1)]), ValueError,
     "`stack[0]` pad"),
    (lambda: architecture.input_window(SERIES, -1, 0), ValueError, "`row`"),
    (lambda: architecture.input_window(SERIES, 0, 1.5), TypeError, "`col`"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        call()


# ------------------------------------------------------------------------- the checks
def _reference_sizes(stack):
    return [size for size, _ in architecture.receptive_fields(stack)]


def _loop_floats(stack):
    size, jump, out = 1.0, 1.0, []
    for _kind, kernel, stride in stack:
        size += (kernel - 1) * jump
        jump *= stride
        out.append(size)
    return out


RIGHT = {
    "reference": _reference_sizes,
    "tuple": lambda stack: tuple(_reference_sizes(stack)),
    "numpy int64 array": lambda stack: np.array(_reference_sizes(stack), dtype=np.int64),
    "numpy int32 items": lambda stack: [np.int32(s) for s in _reference_sizes(stack)],
    "whole floats": _loop_floats,
    "float array": lambda stack: np.array(_loop_floats(stack)),
    "generator": lambda stack: (s for s in _reference_sizes(stack)),
}


def _off_by_one(stack):
    return [s + 1 for s in _reference_sizes(stack)]


def _no_jump(stack):
    size, out = 1, []
    for _kind, kernel, _stride in stack:
        size += kernel - 1
        out.append(size)
    return out


def _jump_too_early(stack):
    size, jump, out = 1, 1, []
    for _kind, kernel, stride in stack:
        jump *= stride
        size += (kernel - 1) * jump
        out.append(size)
    return out


def _kernel_times_jump(stack):
    size, jump, out = 1, 1, []
    for _kind, kernel, stride in stack:
        size += kernel * jump
        jump *= stride
        out.append(size)
    return out


def _sum_of_kernels(stack):
    out, size = [], 0
    for _kind, kernel, _stride in stack:
        size += kernel
        out.append(size)
    return out


def _bad_iterable(stack):
    class Broken:
        def __iter__(self):
            raise RuntimeError("boom")
    return Broken()


WRONG = {
    "off by one": _off_by_one,
    "forgot the jump (stride ignored)": _no_jump,
    "jump multiplied before growing": _jump_too_early,
    "kernel instead of kernel - 1": _kernel_times_jump,
    "sum of kernels": _sum_of_kernels,
    "hard-coded for the series' CNN": lambda stack: [3, 4, 8, 10],
    "(size, jump) pairs": architecture.receptive_fields,
    "jumps instead of sizes": lambda stack: [j for _, j in
                                             architecture.receptive_fields(stack)],
    "only the last size": lambda stack: _reference_sizes(stack)[-1],
    "strings": lambda stack: [str(s) for s in _reference_sizes(stack)],
    "bools": lambda stack: [True for _ in stack],
    "halves": lambda stack: [s + 0.5 for s in _reference_sizes(stack)],
    "one too many": lambda stack: [1] + _reference_sizes(stack),
    "None": lambda stack: None,
    "raises": lambda stack: 1 / 0,
    "iteration raises": _bad_iterable,
    "not a function": [3, 4, 8, 10],
}


@pytest.mark.parametrize("name", RIGHT)
def test_receptive_field_check_accepts_right_answers(name):
    result, text = run_quietly(checks.check_receptive_fields, RIGHT[name])
    assert result, text
    assert "✅" in text


@pytest.mark.parametrize("name", WRONG)
def test_receptive_field_check_rejects_wrong_answers(name):
    result, text = run_quietly(checks.check_receptive_fields, WRONG[name])
    assert not result, text
    assert "❌" in text


def test_receptive_field_check_names_common_mistakes():
    _, text = run_quietly(checks.check_receptive_fields, _no_jump)
    assert "jump was left out" in text
    _, text = run_quietly(checks.check_receptive_fields, _jump_too_early)
    assert "before growing the size" in text
    _, text = run_quietly(checks.check_receptive_fields, architecture.receptive_fields)
    assert "not (size, jump) pairs" in text


def test_receptive_field_check_says_not_done_yet():
    def my_receptive_fields(stack):
        raise NotImplementedError

    result, text = run_quietly(checks.check_receptive_fields, my_receptive_fields)
    assert not result and "not done yet" in text and "Hint" not in text


def test_receptive_field_check_cases_cover_strides_and_kernels():
    strides = {layer[2] for _, stack in RECEPTIVE_FIELD_CASES for layer in stack}
    kernels = {layer[1] for _, stack in RECEPTIVE_FIELD_CASES for layer in stack}
    assert {1, 2, 3} <= strides and {1, 2, 3, 5} <= kernels
    # every plausible mistake differs from the truth on at least one case
    for wrong in (_off_by_one, _no_jump, _jump_too_early, _kernel_times_jump):
        assert any(wrong(stack) != _reference_sizes(stack)
                   for _, stack in RECEPTIVE_FIELD_CASES)


DENSE, CONV = 50_348_032, 1_216


@pytest.mark.parametrize("dense, conv", [
    (DENSE, CONV),
    (np.int64(DENSE), np.int32(CONV)),
    (float(DENSE), 1216.0),
    (np.float64(DENSE), np.array(CONV)),
    ((32 * 32 * 3 + 1) * (32 * 32 * 16), (5 * 5 * 3 + 1) * 16),
])
def test_layer_count_check_accepts_right_answers(dense, conv):
    result, text = run_quietly(checks.check_layer_counts, dense, conv)
    assert result, text


@pytest.mark.parametrize("dense, conv", [
    (DENSE + 1, CONV),                      # off by one on a big number
    (DENSE, CONV - 1),
    (32 * 32 * 3 * 32 * 32 * 16, CONV),     # biases forgotten
    (DENSE, (5 * 5 + 1) * 16),              # channels forgotten
    (DENSE, 5 * 5 * 3 * 16),                # biases forgotten
    (CONV, DENSE),                          # swapped
    (DENSE, True),
    (str(DENSE), CONV),
    (DENSE, 1216.5),
    (None, CONV),
    (DENSE, [CONV]),
    (DENSE, float("nan")),
    (DENSE, float("inf")),
    (DENSE, ...),
])
def test_layer_count_check_rejects_wrong_answers(dense, conv):
    result, text = run_quietly(checks.check_layer_counts, dense, conv)
    assert not result, text


def test_layer_count_check_not_done_and_messages():
    result, text = run_quietly(checks.check_layer_counts, ..., ...)
    assert not result and "not done yet" in text  # the learner-copy test looks for it
    _, text = run_quietly(checks.check_layer_counts, DENSE + 1, "1216")
    assert "off by one" in text and "remove the quotes" in text
    _, text = run_quietly(checks.check_layer_counts, DENSE, True)
    assert "bool" in text


# ------------------------------------------------------------------------- the figures
def test_figures_draw():
    rng = np.random.default_rng(0)
    fig = plots.show_weight_sharing(rng.normal(size=(2, 28, 28)),
                                    rng.normal(size=(3, 3)), [(4, 4), (14, 17)])
    assert len(fig.axes) == 6  # 4 panels and 2 colour bars
    image = rng.uniform(size=(28, 28))
    maps = rng.normal(size=(2, 28, 28))
    fig = plots.show_shift_equivariance(image, image, maps, maps, shift=(2, 3))
    assert len(fig.axes) >= 9
    ax = plots.show_receptive_fields(image, architecture.SERIES_STACK,
                                     names=["a", "b", "c", "d"], unit=(3, 3))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-1].startswith("d: 10x10") and len(ax.patches) == 4


@pytest.mark.parametrize("call, error, words", [
    (lambda: plots.show_weight_sharing(np.zeros((3, 28, 28)), np.ones((3, 3)),
                                       [(0, 0), (1, 1)]), ValueError, "`dense_maps`"),
    (lambda: plots.show_weight_sharing(np.zeros((2, 28, 28)), np.ones((3, 3)),
                                       [(0, 0), (26, 0)]), ValueError, "`positions`"),
    (lambda: plots.show_weight_sharing(np.zeros((2, 28, 28)), np.ones((3, 3)),
                                       "ab"), TypeError, "`positions`"),
    (lambda: plots.show_shift_equivariance(np.zeros((28, 28)), np.zeros((27, 28)),
                                           np.zeros((2, 28, 28)), np.zeros((2, 28, 28)),
                                           (1, 1)), ValueError, "`shifted`"),
    (lambda: plots.show_shift_equivariance(np.zeros((28, 28)), np.zeros((28, 28)),
                                           np.zeros((2, 28, 28)), np.zeros((2, 28, 28)),
                                           (-1, 1)), ValueError, "`shift`"),
    (lambda: plots.show_receptive_fields(np.zeros((28, 28)), SERIES, names=["a"]),
     ValueError, "`names`"),
    (lambda: plots.show_receptive_fields(np.zeros((28, 28)), "conv"), TypeError,
     "`stack`"),
])
def test_figures_refuse_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
