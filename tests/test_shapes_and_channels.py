"""Shapes, parameter counts and channels (notebooks 02 and 03): the checks that compare
predicted shapes and counts exactly, the line-detector and feature-stack checks, the
channel figures, and the facts the notebooks state, against hand-worked numbers and
TensorFlow / Keras."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from learners import not_done, returns_none, run_check  # noqa: E402

import helpers  # noqa: E402
from helpers import checks, data, kernels, layers, plots  # noqa: E402
from helpers.checks import FAIL, PASS, TODO  # noqa: E402
from helpers.checks.convolution import line_detector_reference  # noqa: E402

# Worked by hand: H' = floor((H + 2p - kh) / s) + 1 ("same": ceil(H / s)), depth F,
# params = kh * kw * C * F + F.
#   a: (28 - 3) // 1 + 1 = 26;            3*3*1*32 + 32 = 320
#   b: ceil(32 / 2) = 16;                 5*5*3*16 + 16 = 1216
#   c: 13 - 3 + 1 = 11;                   3*3*32*64 + 64 = 18496
#   d: a 1x1 kernel keeps 64 x 48;        1*1*3*8 + 8 = 32
#   e: (150-3)//2+1 = 74, (128-5)//2+1 = 62;  3*5*3*10 + 10 = 460
BY_HAND = {
    "a": ((26, 26, 32), 320),
    "b": ((16, 16, 16), 1216),
    "c": ((11, 11, 64), 18496),
    "d": ((64, 48, 8), 32),
    "e": ((74, 62, 10), 460),
}


def prediction_check(answers):
    return checks.check_conv_layer_prediction(answers)


def with_answer(label, answer):
    answers = dict(BY_HAND)
    answers[label] = answer
    return answers


def tf_conv(tf, image, kernel, stride=1, padding="VALID"):
    """TensorFlow's conv2d of one (H, W, C) image with one (kh, kw, C) kernel."""
    x = np.asarray(image, np.float64)[None]
    k = np.asarray(kernel, np.float64)[..., None]
    return tf.nn.conv2d(x, k, strides=stride, padding=padding).numpy()[0, :, :, 0]


def keras_conv(keras, question):
    """(output shape, count_params) of a Keras Conv2D on the question's input."""
    conv = keras.layers.Conv2D(question["filters"], question["kernel_size"],
                               strides=question["strides"], padding=question["padding"])
    keras.Sequential([keras.Input(shape=question["input"]), conv])
    return tuple(int(n) for n in conv.output.shape[1:]), int(conv.count_params())


# ---------------------------------------------------------------- answer key vs Keras
def test_conv_layer_answers_by_hand():
    got = {label: checks.conv_layer_answer(q)
           for label, q in checks.CONV_LAYER_QUESTIONS.items()}
    assert got == BY_HAND


def test_conv_layer_answers_match_keras_conv2d(keras):
    for label, q in checks.CONV_LAYER_QUESTIONS.items():
        assert keras_conv(keras, q) == checks.conv_layer_answer(q), label


@pytest.mark.parametrize(
    "shape, kernel_size, filters, strides, padding",
    [((7, 9, 2), (2, 3), 5, 3, "same"), ((10, 11, 4), (4, 1), 3, 2, "valid"),
     ((5, 5, 1), (5, 5), 1, 1, "valid"), ((9, 6, 3), (3, 3), 2, 4, "same")],
)
def test_formulas_match_keras_on_odd_layers(keras, shape, kernel_size, filters, strides,
                                            padding):
    q = {"input": shape, "filters": filters, "kernel_size": kernel_size,
         "strides": strides, "padding": padding}
    assert keras_conv(keras, q) == checks.conv_layer_answer(q)


# ---------------------------------------------------------------- check_conv_layer_prediction
@pytest.mark.parametrize(
    "answers",
    [
        BY_HAND,
        {k: [list(s), p] for k, (s, p) in BY_HAND.items()},  # lists
        {k: (tuple(np.int64(n) for n in s), np.int32(p)) for k, (s, p) in BY_HAND.items()},
        {k: (np.array(s), np.int64(p)) for k, (s, p) in BY_HAND.items()},  # an array
        {k: (tuple(float(n) for n in s), float(p)) for k, (s, p) in BY_HAND.items()},
        {k: (s, np.float64(p)) for k, (s, p) in BY_HAND.items()},
        {k: (s, 3 * 3 * 1 * 32 + 32 if k == "a" else p) for k, (s, p) in BY_HAND.items()},
    ],
    ids=["tuples", "lists", "numpy-ints", "array-shape", "whole-floats", "np-float",
         "expression"],
)
def test_prediction_check_accepts_right_answers_in_any_form(answers, capsys):
    passed, text = run_check(prediction_check, answers, capsys)
    assert passed and text.startswith(PASS), text


@pytest.mark.parametrize(
    "label, answer, words",
    [
        ("a", ((25, 25, 32), 320), "should be (26, 26, 32)"),  # off by one
        ("a", ((26, 26, 32), 321), "should be 320"),
        ("e", ((62, 74, 10), 460), "H and W swapped"),
        ("a", ((26, 26, 32), 288), "forget the biases"),
        ("c", ((11, 11, 64), 3 * 3 * 64 + 64), "all C channels"),
        ("c", ((11, 11, 64), 3 * 3 * 32 + 1), "one filter"),
        ("c", ((11, 11, 64), (3 * 3 + 1) * 32 * 64), "one bias"),
        ("b", ((16.5, 16, 16), 1216), "whole number"),  # true division
        ("e", ((74, 62.5, 10), 460), "whole number"),
        ("a", ((26, 26, 32), 320.5), "whole number"),
        ("a", ((26, 26, 32), True), "bool"),
        ("a", ((26, 26, 32), np.bool_(True)), "bool"),
        ("a", ((True, 26, 32), 320), "bool"),
        ("a", ((26, 26, 32), "320"), "str"),
        ("a", (("26", "26", "32"), 320), "str"),
        ("a", ("(26, 26, 32)", 320), "tuple of 3"),
        ("a", ((26, 26), 320), "3 numbers"),  # forgot the depth F
        ("a", ((26, 26, 32, 1), 320), "3 numbers"),
        ("a", ((26, 26, 32),), "pair"),
        ("a", 320, "pair"),
        ("a", None, "pair"),
        ("a", ((26, 26, 32), None), "whole number"),
        ("a", ((26, 26, 32), float("nan")), "whole number"),
        ("a", ((26, 26, 32), float("inf")), "whole number"),
        ("a", ((26, 26, 32), 320 + 0j), "whole number"),
        ("a", (np.zeros((3, 1)), 320), "flat"),
        ("c", ((11, 11, 64), 18496 + 1), "should be 18496"),  # off by one on a big count
    ],
)
def test_prediction_check_rejects_wrong_answers(label, answer, words, capsys):
    passed, text = run_check(prediction_check, with_answer(label, answer), capsys)
    assert not passed and text.startswith(FAIL), text
    assert f"({label})" in text and words in text, text
    assert "1 of 5 wrong" in text


@pytest.mark.parametrize(
    "answers, mark, words",
    [
        (..., TODO, "not done"),
        ({k: ... for k in BY_HAND}, TODO, "not done"),
        (with_answer("b", ((..., ..., ...), ...)), TODO, "not done yet for b"),
        ({"a": BY_HAND["a"]}, FAIL, "no answer for b"),
        ([BY_HAND[k] for k in BY_HAND], FAIL, "expected a dict"),
        ("a", FAIL, "expected a dict"),
        (None, FAIL, "expected a dict"),
    ],
)
def test_prediction_check_incomplete(answers, mark, words, capsys):
    passed, text = run_check(prediction_check, answers, capsys)
    assert not passed and text.startswith(mark) and words in text, text


def test_prediction_check_never_raises_on_junk(capsys):
    junk = [object(), [1, [2, 3]], {"x": 1}, b"26", 1e300, -26, 2**70, np.array("26"),
            (np.nan, 26, 32), (26, 26, 32, "x"), lambda: 1, {1, 2}, np.float16(26.5)]
    for value in junk:
        for answer in (value, (value, 320), ((26, 26, 32), value), (value, value)):
            passed, text = run_check(prediction_check, with_answer("a", answer), capsys)
            assert not passed and text.startswith(FAIL), (value, text)


# ---------------------------------------------------------------- check_output_shapes (03)
@pytest.mark.parametrize(
    "label, answer, accepted",
    [
        ("a", (26.0, 26.0), True),
        ("a", (np.int64(26), np.uint8(26)), True),
        ("a", np.array([26, 26]), True),
        ("a", (26.5, 26), False),
        ("a", (True, 26), False),
        ("a", ("26", "26"), False),
        ("a", (25, 25), False),
        ("d", (64, 75), False),  # H and W swapped
        ("a", (26, 26, 1), False),
        ("a", 26, False),
    ],
)
def test_check_output_shapes_compares_whole_numbers_exactly(label, answer, accepted, capsys):
    answers = checks.output_shape_answers()
    answers[label] = answer
    passed, text = run_check(checks.check_output_shapes, answers, capsys)
    assert passed == accepted, text
    if not accepted:
        assert f"({label})" in text and text.startswith(FAIL)
    if label == "d":
        assert "swapped" in text


def test_output_shape_answers_match_keras(keras):
    for label, ((H, W), k, s, p) in checks.OUTPUT_SHAPE_QUESTIONS.items():
        if isinstance(p, int) and p:  # Keras knows only "valid" and "same"
            layer = keras.layers.ZeroPadding2D(p)
            x = keras.Input(shape=(H, W, 1))
            y = keras.layers.Conv2D(1, k, strides=s)(layer(x))
        else:
            x = keras.Input(shape=(H, W, 1))
            y = keras.layers.Conv2D(1, k, strides=s, padding=p or "valid")(x)
        assert tuple(y.shape[1:3]) == checks.output_shape_answers()[label], label


# ---------------------------------------------------------------- check_line_detector (02)
@pytest.mark.parametrize(
    "kernel",
    [
        line_detector_reference(),
        0.5 * line_detector_reference(),
        line_detector_reference().astype(int).tolist(),  # a list of ints
        np.array([[-1, -2, -1], [2, 4, 2], [-1, -2, -1]], dtype=np.float32),
        np.array([[0, 0, 0], [1, 1, 1], [-1, -1, -1]]) + np.array([[-1, -1, -1],
                                                                   [1, 1, 1], [0, 0, 0]]),
    ],
)
def test_check_line_detector_accepts_line_detectors(kernel, capsys):
    passed, text = run_check(checks.check_line_detector, kernel, capsys)
    assert passed and text.startswith(PASS), text


@pytest.mark.parametrize(
    "kernel, words",
    [
        (-line_detector_reference(), "largest"),  # a dark-line detector
        (line_detector_reference().T, "vertical line"),  # a vertical-line detector
        ([[0, 0, 0], [1, 1, 1], [-1, -1, -1]], "edge"),  # an edge detector
        ([[-1, -1, -1], [1, 1, 1], [0, 0, 0]], "edge"),
        (kernels.classic_kernels()["horizontal edge"], "largest"),
        (np.zeros((3, 3)), "largest"),
        (np.ones((3, 3)), "add up to 0"),
        ([[0, 0, 0], [1, 1, 1], [0, 0, 0]], "add up to 0"),  # no negative rows
        (kernels.classic_kernels()["outline"], "vertical line"),
        (np.full((3, 3), np.nan), "NaN"),
        (np.ones((3, 3), bool), "True/False"),
        ("[[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]", "3x3 array"),
        ([[1, 2], [3, 4]], "shape (2, 2)"),
        (None, "3x3 array"),
        ([[1, 2, 3], [4, 5]], "3x3 array"),
    ],
)
def test_check_line_detector_rejects_what_is_not_one(kernel, words, capsys):
    passed, text = run_check(checks.check_line_detector, kernel, capsys)
    assert not passed and text.startswith(FAIL) and words in text, text


def test_check_line_detector_not_done(capsys):
    passed, text = run_check(checks.check_line_detector, ..., capsys)
    assert not passed and text.startswith(TODO)


# ---------------------------------------------------------------- check_feature_stack (02)
def feature_stack_solution(image, kernels_):
    maps = [helpers.conv2d(image, kernels_[:, :, f]) for f in range(kernels_.shape[2])]
    return np.stack(maps, axis=-1)


def feature_stack_loops(image, kernels_):
    kh, kw, F = kernels_.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1, F))
    for f in range(F):
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j, f] = np.sum(image[i : i + kh, j : j + kw] * kernels_[:, :, f])
    return out.tolist()


@pytest.mark.parametrize("solution", [feature_stack_solution, feature_stack_loops])
def test_check_feature_stack_passes_right_versions(solution, capsys):
    passed, text = run_check(checks.check_feature_stack, solution, capsys)
    assert passed and text.startswith(PASS), text


@pytest.mark.parametrize(
    "broken, words",
    [
        (lambda x, k: np.stack([helpers.conv2d(x, k[:, :, f])
                                for f in range(k.shape[2])]), "shape"),  # (F, H', W')
        (lambda x, k: feature_stack_solution(x, k)[..., :1], "shape"),  # first only
        (lambda x, k: feature_stack_solution(x, np.flip(k, axis=(0, 1))), "differ"),
        (lambda x, k: np.repeat(x[..., None], k.shape[2], axis=-1), "shape"),  # input
        (returns_none, "None"),
    ],
)
def test_check_feature_stack_rejects_broken_versions(broken, words, capsys):
    passed, text = run_check(checks.check_feature_stack, broken, capsys)
    assert not passed and text.startswith(FAIL) and words in text, text


def test_check_feature_stack_not_done(capsys):
    passed, text = run_check(checks.check_feature_stack, not_done, capsys)
    assert not passed and text.startswith(TODO)


# ---------------------------------------------------------------- channel figures
def rgb_kernel():
    classic = kernels.classic_kernels()
    return np.stack([classic["vertical edge"], classic["horizontal edge"],
                     classic["outline"]], axis=-1)


def test_show_rgb_channels_draws_the_image_and_three_channels():
    fig = plots.show_rgb_channels(data.sample_photo_rgb(12))
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes[1:]] == [
        "channel 0: red", "channel 1: green", "channel 2: blue"]
    assert fig.axes[1].images[0].get_cmap().name == plots.IMAGE_CMAP
    with pytest.raises(ValueError, match="image"):
        plots.show_rgb_channels(np.zeros((5, 5)))


def test_show_channel_sum_draws_each_map_and_the_sum_on_one_scale():
    rng = np.random.default_rng(0)
    maps = [rng.normal(size=(4, 5)) for _ in range(3)]
    fig = plots.show_channel_sum(maps, titles=["r", "g", "b"])
    assert len(fig.axes) == 5  # three maps, the sum, the colour bar
    assert fig.axes[3].get_title() == "sum: the feature map"
    np.testing.assert_allclose(fig.axes[3].images[0].get_array(), sum(maps))
    limits = {ax.images[0].get_clim() for ax in fig.axes[:4]}
    assert len(limits) == 1 and list(limits)[0][0] == -list(limits)[0][1]  # centred
    assert [t.get_text() for ax in fig.axes[1:4] for t in ax.texts] == ["+", "+", "="]
    with pytest.raises(ValueError, match="titles"):
        plots.show_channel_sum(maps, titles=["r"])
    with pytest.raises(ValueError, match="per_channel"):
        plots.show_channel_sum([np.zeros((2, 2)), np.zeros((3, 3))], titles=["a", "b"])


def test_show_kernel_block_draws_the_stack_the_block_and_the_map():
    small = data.sample_photo_rgb(12)
    ax = plots.show_kernel_block(small, rgb_kernel(), row=4, col=5)
    assert len(ax.figure.axes) == 1 and ax.name == "3d"
    assert "27 products" in ax.get_title() and "(4, 5)" in ax.get_title()
    # One flat square per pixel of each channel and of the (12, 10) feature map.
    ax.figure.canvas.draw()  # 3-D collections get their 2-D paths when drawn
    squares = [c for c in ax.collections if type(c).__name__ == "Poly3DCollection"]
    sizes = sorted(len(c.get_paths()) for c in squares)
    assert sizes == sorted([14 * 12] * 3 + [12 * 10] + [6])  # + the block's 6 faces
    texts = [t.get_text() for t in ax.texts]
    assert {"red", "green", "blue", "kernel 3x3x3", "feature map 12x10"} <= set(texts)


@pytest.mark.parametrize(
    "image, kernel, where, match",
    [
        (np.zeros((5, 5, 3)), np.zeros((3, 3, 2)), (0, 0), "same C"),
        (np.zeros((40, 40, 3)), np.zeros((3, 3, 3)), (0, 0), "at most 16x16"),
        (np.zeros((5, 5, 3)), np.zeros((3, 3, 3)), (3, 0), "0..2"),
        (np.zeros((5, 5)), np.zeros((3, 3)), (0, 0), "image"),
    ],
)
def test_show_kernel_block_refuses_bad_input(image, kernel, where, match):
    with pytest.raises(ValueError, match=match):
        plots.show_kernel_block(image, kernel, *where)


def test_show_conv_volumes_title_agrees_with_keras(keras):
    ax = plots.show_conv_volumes((12, 12, 3), 3, 4)
    q = {"input": (12, 12, 3), "filters": 4, "kernel_size": (3, 3), "strides": 1,
         "padding": "valid"}
    shape, params = keras_conv(keras, q)
    assert f"→ {shape}" in ax.get_title() and f"= {params}" in ax.get_title()
    ax = plots.show_conv_volumes((9, 7, 2), (3, 2), 12, stride=2, padding="same")
    q = {"input": (9, 7, 2), "filters": 12, "kernel_size": (3, 2), "strides": 2,
         "padding": "same"}
    shape, params = keras_conv(keras, q)
    assert f"→ {shape}" in ax.get_title() and f"= {params}" in ax.get_title()
    assert "8 drawn" in " ".join(t.get_text() for t in ax.texts)
    with pytest.raises(ValueError, match="input_shape"):
        plots.show_conv_volumes((12, 12), 3, 4)
    with pytest.raises(ValueError, match="filters"):
        plots.show_conv_volumes((12, 12, 3), 3, 0)


# ---------------------------------------------------------------- facts of notebook 03
def test_padding_same_makes_border_edges_on_the_photo():
    # Section 1: the "same" map's left column is positive on average, the right negative.
    photo = data.sample_photo(100)
    same = helpers.conv2d(photo, kernels.classic_kernels()["vertical edge"], padding="same")
    assert same.shape == photo.shape
    assert same[:, 0].mean() > 0 > same[:, -1].mean()
    assert np.abs(same[:, 1:-1]).mean() < min(same[:, 0].mean(), -same[:, -1].mean())


def test_colour_regions_of_section_2():
    rgb = data.sample_photo_rgb(100)
    background, ribbon = rgb[5:15, 85:100], rgb[99:104, 80:92]
    assert background[..., 2].mean() > background[..., 0].mean()
    assert ribbon[..., 0].mean() > ribbon[..., 2].mean()


def test_block_value_is_27_products_and_matches_tensorflow(tf):
    small = data.sample_photo_rgb(12)
    kernel = rgb_kernel()
    value = np.sum(small[4:7, 5:8] * kernel)
    per_channel = sum(np.sum(small[4:7, 5:8, c] * kernel[:, :, c]) for c in range(3))
    assert np.isclose(value, per_channel)
    assert np.isclose(value, tf_conv(tf, small, kernel)[4, 5])
    assert helpers.conv2d(small, kernel).shape == (12, 10)


def test_channel_sum_combines_all_three_channels_and_matches_tensorflow(tf):
    # Issue 12: with vertical / horizontal / outline slices the sum visibly holds each
    # channel's map (correlation > 0.4 with each), unlike the old kernels whose green
    # and blue maps cancelled (0.22 for green).
    rgb = data.sample_photo_rgb(100)
    kernel = rgb_kernel()
    per_channel = [helpers.conv2d(rgb[:, :, c], kernel[:, :, c]) for c in range(3)]
    total = sum(per_channel)
    np.testing.assert_allclose(tf_conv(tf, rgb, kernel), total, atol=1e-9)
    corr = [np.corrcoef(total.ravel(), m.ravel())[0, 1] for m in per_channel]
    assert min(corr) > 0.4, corr
    classic = kernels.classic_kernels()
    old = np.stack([classic["vertical edge"], classic["horizontal edge"],
                    classic["diagonal edge"]], axis=-1)
    old_maps = [helpers.conv2d(rgb[:, :, c], old[:, :, c]) for c in range(3)]
    old_corr = [np.corrcoef(sum(old_maps).ravel(), m.ravel())[0, 1] for m in old_maps]
    assert min(old_corr) < 0.3 < min(corr)


def test_filter_bank_of_section_4_matches_keras(keras):
    classic = kernels.classic_kernels()
    names = ["vertical edge", "horizontal edge", "diagonal edge", "outline"]
    bank = np.stack([np.stack([classic[n] / 3] * 3, axis=-1) for n in names], axis=-1)
    rgb = data.sample_photo_rgb(100)[:30, :25]
    conv = keras.layers.Conv2D(4, 3)
    conv.build((None, 30, 25, 3))
    conv.set_weights([bank.astype(np.float32), np.zeros(4, np.float32)])
    theirs = np.asarray(conv(rgb[None].astype(np.float32)))[0]
    ours = layers.conv2d_layer(rgb[None], bank, np.zeros(4))[0]
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    assert conv.count_params() == bank.size + 4 == 112


def test_one_by_one_kernels_of_section_5(tf, keras):
    rgb = data.sample_photo_rgb(100)
    gray = helpers.conv2d(rgb, np.array(data.LUMINANCE).reshape(1, 1, 3))
    np.testing.assert_allclose(gray, data.sample_photo(100), atol=1e-12)
    np.testing.assert_allclose(tf_conv(tf, rgb, np.array(data.LUMINANCE).reshape(1, 1, 3)),
                               gray, atol=1e-9)
    red_minus_green = helpers.conv2d(rgb, np.array([1.0, -1.0, 0.0]).reshape(1, 1, 3))
    row, col = np.unravel_index(np.argmax(red_minus_green), red_minus_green.shape)
    assert 99 <= row < 104 and 80 <= col < 92  # the ribbons
    blue_minus_yellow = helpers.conv2d(rgb, np.array([-0.5, -0.5, 1.0]).reshape(1, 1, 3))
    assert blue_minus_yellow[5:15, 85:100].mean() > 0 > blue_minus_yellow[55:70, 35:60].mean()
    conv = keras.layers.Conv2D(3, 1)
    conv.build((None, 120, 102, 3))
    assert conv.count_params() == 1 * 1 * 3 * 3 + 3 == 12


def test_keras_same_padding_is_ceil_of_h_over_s(keras):
    for H, k, s in [(28, 3, 2), (28, 5, 1), (150, 7, 3), (7, 4, 3)]:
        x = keras.Input(shape=(H, H, 1))
        y = keras.layers.Conv2D(1, k, strides=s, padding="same")(x)
        assert y.shape[1] == -(-H // s) == layers.output_size(H, k, s, "same")


# ---------------------------------------------------------------- facts of notebook 02
def test_line_detector_finds_a_bright_row_on_the_photo():
    photo = data.sample_photo(100)
    scores = helpers.conv2d(photo, line_detector_reference())
    row, col = np.unravel_index(np.argmax(scores), scores.shape)
    rows = photo[row : row + 3, col : col + 3].mean(axis=1)
    assert rows[1] > max(rows[0], rows[2])


def test_feature_stack_of_four_classic_kernels_matches_tensorflow(tf):
    classic = kernels.classic_kernels()
    names = ["vertical edge", "horizontal edge", "diagonal edge", "outline"]
    bank = np.stack([classic[n] for n in names], axis=-1)
    photo = data.sample_photo(100)
    stack = feature_stack_solution(photo, bank)
    assert stack.shape == (118, 100, 4)
    theirs = tf.nn.conv2d(photo[None, :, :, None], bank[:, :, None, :], 1, "VALID")
    np.testing.assert_allclose(stack, theirs.numpy()[0], atol=1e-9)

