"""helpers.layers against hand-worked numbers, TensorFlow/Keras and properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import data, layers
from helpers.layers import (
    avg_pool2d,
    avg_pool2d_layer,
    conv2d,
    conv2d_layer,
    dense,
    flatten,
    max_pool2d,
    max_pool2d_layer,
    output_size,
    relu,
    sigmoid,
    softmax,
)

RNG = np.random.default_rng(42)


# --------------------------------------------------------------------------- hand-worked
def test_conv2d_lesson_example_by_hand():
    # Worked on paper: the X kernel over the 5x5 image of notebook 01.
    expected = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    np.testing.assert_array_equal(
        conv2d(data.binary_image(), data.lesson_kernel()), expected
    )


def test_conv2d_is_cross_correlation_not_convolution():
    image = np.arange(9.0).reshape(3, 3)
    kernel = np.array(
        [[1.0, 0.0], [0.0, 0.0]]
    )  # picks the top-left pixel of each window
    np.testing.assert_array_equal(conv2d(image, kernel), [[0, 1], [3, 4]])


def test_conv2d_padding_and_stride_by_hand():
    image = np.ones((3, 3))
    kernel = np.ones((3, 3))
    # padding 1: corners see 4 ones, edges 6, the centre 9.
    np.testing.assert_array_equal(
        conv2d(image, kernel, padding=1), [[4, 6, 4], [6, 9, 6], [4, 6, 4]]
    )
    np.testing.assert_array_equal(
        conv2d(image, kernel, stride=2, padding=1), [[4, 4], [4, 4]]
    )


def test_conv2d_channels_are_summed():
    image = RNG.normal(size=(5, 6, 3))
    kernel = RNG.normal(size=(3, 3, 3))
    per_channel = sum(conv2d(image[:, :, c], kernel[:, :, c]) for c in range(3))
    np.testing.assert_allclose(conv2d(image, kernel), per_channel)


def test_pooling_example_by_hand():
    x = data.pooling_example()
    np.testing.assert_array_equal(max_pool2d(x), [[6, 8], [3, 4]])
    np.testing.assert_array_equal(avg_pool2d(x), [[3.25, 5.25], [2, 2]])


def test_pooling_drops_incomplete_edge_windows():
    x = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(max_pool2d(x), [[6, 8], [16, 18]])


@pytest.mark.parametrize(
    "n, k, s, p, expected",
    [
        (5, 3, 1, 0, 3),
        (28, 3, 1, 0, 26),
        (28, 3, 1, 1, 28),
        (7, 3, 2, 0, 3),
        (28, 5, 2, 2, 14),
        (28, 3, 1, "same", 28),
        (28, 3, 2, "same", 14),
        (7, 3, 2, "same", 4),
        (7, 3, 2, "valid", 3),
    ],
)
def test_output_size(n, k, s, p, expected):
    assert output_size(n, k, s, p) == expected


def test_activations_by_hand():
    np.testing.assert_array_equal(relu([-2.0, 0.0, 3.0]), [0, 0, 3])
    np.testing.assert_allclose(sigmoid([0.0]), [0.5])
    np.testing.assert_allclose(sigmoid([-1000.0, 1000.0]), [0.0, 1.0])
    np.testing.assert_allclose(softmax([0.0, np.log(3.0)]), [0.25, 0.75])


def test_softmax_is_stable_for_large_inputs():
    result = softmax([1000.0, 1001.0])
    assert np.all(np.isfinite(result))
    assert result.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(result, [1 / (1 + np.e), np.e / (1 + np.e)])


def test_flatten_and_dense_by_hand():
    x = np.arange(8.0).reshape(2, 2, 2)
    np.testing.assert_array_equal(flatten(x), np.arange(8.0))
    weights = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(
        dense([1.0, 2.0, 3.0], weights, [0.5, -0.5]), [4.5, 4.5]
    )


# --------------------------------------------------------------------------- TensorFlow oracle
def tf_conv(tf, image, kernel, stride, padding):
    """tf.nn.conv2d on one (H, W, C) image and one (kh, kw, C) kernel."""
    x = image[None].astype(np.float64)
    k = kernel[..., None].astype(np.float64)
    if isinstance(padding, int):
        x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
        padding = "valid"
    return tf.nn.conv2d(x, k, stride, padding.upper()).numpy()[0, :, :, 0]


@pytest.mark.parametrize("padding", ["valid", "same", 0, 1, 2])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize(
    "shape, ksize",
    [((7, 7, 1), 3), ((8, 6, 3), 3), ((9, 10, 2), 4), ((6, 6, 1), 2), ((5, 7, 3), 5)],
)
def test_conv2d_matches_tensorflow(tf, shape, ksize, stride, padding):
    image = RNG.normal(size=shape)
    kernel = RNG.normal(size=(ksize, ksize, shape[2]))
    expected = tf_conv(tf, image, kernel, stride, padding)
    np.testing.assert_allclose(
        conv2d(image, kernel, stride, padding), expected, atol=1e-10
    )
    batch = np.stack([image, image * -2])
    got = conv2d_layer(batch, kernel[..., None], np.array([0.5]), stride, padding)
    np.testing.assert_allclose(got[0, :, :, 0], expected + 0.5, atol=1e-10)
    np.testing.assert_allclose(got[1, :, :, 0], -2 * expected + 0.5, atol=1e-10)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_layer_matches_tensorflow_float32(tf, stride, padding):
    x = RNG.normal(size=(5, 14, 13, 4)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 4, 6)).astype(np.float32)
    bias = RNG.normal(size=6).astype(np.float32)
    expected = tf.nn.conv2d(x, kernel, stride, padding.upper()).numpy() + bias
    got = conv2d_layer(x, kernel, bias, stride, padding)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_conv2d_layer_batches_give_the_same_answer(monkeypatch):
    x = RNG.normal(size=(7, 10, 10, 3)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 3, 5)).astype(np.float32)
    bias = RNG.normal(size=5).astype(np.float32)
    whole = conv2d_layer(x, kernel, bias, padding="same")
    monkeypatch.setattr(layers, "BATCH_BYTES", 1)  # one image per batch
    np.testing.assert_array_equal(conv2d_layer(x, kernel, bias, padding="same"), whole)


@pytest.mark.parametrize("size, stride", [(2, None), (3, None), (2, 1), (3, 2)])
@pytest.mark.parametrize("shape", [(8, 8, 3), (7, 9, 2), (5, 5, 1)])
def test_pooling_matches_keras(keras, shape, size, stride):
    x = RNG.normal(size=(2,) + shape).astype(np.float32)
    for layer_cls, loop_fn, batch_fn in [
        (keras.layers.MaxPooling2D, max_pool2d, max_pool2d_layer),
        (keras.layers.AveragePooling2D, avg_pool2d, avg_pool2d_layer),
    ]:
        expected = np.asarray(layer_cls(pool_size=size, strides=stride)(x))
        np.testing.assert_allclose(batch_fn(x, size, stride), expected, atol=1e-6)
        np.testing.assert_allclose(loop_fn(x[1], size, stride), expected[1], atol=1e-6)


def test_flatten_and_dense_match_keras(keras):
    x = RNG.normal(size=(3, 4, 5, 6)).astype(np.float32)
    expected = np.asarray(keras.layers.Flatten()(x))
    for n in range(3):
        np.testing.assert_array_equal(flatten(x[n]), expected[n])
    layer = keras.layers.Dense(7)
    out = np.asarray(layer(expected))
    weights, bias = (np.asarray(w) for w in layer.get_weights())
    np.testing.assert_allclose(dense(expected, weights, bias), out, atol=1e-5)


def test_activations_match_keras(keras):
    x = RNG.normal(scale=5, size=(4, 10)).astype(np.float32)
    ops = keras.ops
    np.testing.assert_allclose(relu(x), np.asarray(ops.relu(x)))
    np.testing.assert_allclose(sigmoid(x), np.asarray(ops.sigmoid(x)), atol=1e-6)
    np.testing.assert_allclose(softmax(x), np.asarray(ops.softmax(x)), atol=1e-6)


# --------------------------------------------------------------------------- properties
conv_cases = st.tuples(
    st.integers(1, 9),
    st.integers(1, 9),
    st.integers(1, 3),  # H, W, C
    st.integers(1, 4),
    st.integers(1, 4),  # kh, kw
    st.integers(1, 3),  # stride
    st.one_of(st.integers(0, 2), st.sampled_from(["valid", "same"])),
    st.integers(1, 3),  # F
)


@settings(max_examples=150, deadline=None)
@given(conv_cases)
def test_conv2d_layer_agrees_with_loop(case):
    H, W, C, kh, kw, stride, padding, F = case
    p = 0 if padding in ("valid", "same") else padding
    if padding != "same" and (kh > H + 2 * p or kw > W + 2 * p):
        with pytest.raises(ValueError, match="larger than the padded"):
            conv2d(np.ones((H, W, C)), np.ones((kh, kw, C)), stride, padding)
        return
    rng = np.random.default_rng(H * 1000 + W * 100 + kh * 10 + kw)
    x = rng.normal(size=(2, H, W, C))
    kernel = rng.normal(size=(kh, kw, C, F))
    bias = rng.normal(size=F)
    got = conv2d_layer(x, kernel, bias, stride, padding)
    assert got.shape == (
        2,
        output_size(H, kh, stride, padding),
        output_size(W, kw, stride, padding),
        F,
    )
    for n in range(2):
        for f in range(F):
            loop = conv2d(x[n], kernel[..., f], stride, padding) + bias[f]
            np.testing.assert_allclose(got[n, :, :, f], loop, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 10),
    st.integers(1, 10),
    st.integers(1, 3),
    st.integers(1, 4),
    st.one_of(st.none(), st.integers(1, 3)),
)
def test_pool_layers_agree_with_loops(H, W, C, size, stride):
    x = np.random.default_rng(H * 10 + W).normal(size=(2, H, W, C))
    if size > min(H, W):
        with pytest.raises(ValueError, match="`size`"):
            max_pool2d_layer(x, size, stride)
        return
    for n in range(2):
        np.testing.assert_allclose(
            max_pool2d_layer(x, size, stride)[n], max_pool2d(x[n], size, stride)
        )
        np.testing.assert_allclose(
            avg_pool2d_layer(x, size, stride)[n], avg_pool2d(x[n], size, stride)
        )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=20))
def test_softmax_is_a_distribution_and_shift_invariant(values):
    p = softmax(values)
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(softmax(np.asarray(values) + 123.0), p, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3))
def test_output_size_matches_conv2d(n, k, s, p):
    if k > n + 2 * p:
        return
    assert (
        conv2d(np.ones((n, n)), np.ones((k, k)), s, p).shape
        == (output_size(n, k, s, p),) * 2
    )


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: conv2d(np.ones((3, 3)), np.ones((4, 4))),
            ValueError,
            "larger than the padded",
        ),
        (
            lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=0),
            ValueError,
            "`stride`",
        ),
        (
            lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=1.5),
            TypeError,
            "`stride`",
        ),
        (
            lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), padding=-1),
            ValueError,
            "`padding`",
        ),
        (
            lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), padding="full"),
            ValueError,
            "`padding`",
        ),
        (lambda: conv2d(np.ones(5), np.ones((3, 3))), ValueError, "`image`"),
        (lambda: conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 2))), ValueError, "channel"),
        (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3, 3))), ValueError, "channel"),
        (
            lambda: conv2d([["a", "b"], ["c", "d"]], np.ones((1, 1))),
            TypeError,
            "`image`",
        ),
        (
            lambda: conv2d(np.array([[1, None]], dtype=object), np.ones((1, 1))),
            TypeError,
            "`image`",
        ),
        (lambda: conv2d(None, np.ones((1, 1))), TypeError, "`image`"),
        (lambda: conv2d([[1, 2], [3]], np.ones((1, 1))), ValueError, "`image`"),
        (lambda: conv2d(np.full((3, 3), np.nan), np.ones((2, 2))), ValueError, "NaN"),
        (lambda: conv2d(np.ones((0, 3)), np.ones((1, 1))), ValueError, "empty"),
        (lambda: output_size(5, 7), ValueError, "larger than the padded"),
        (lambda: max_pool2d(np.ones((3, 3)), size=4), ValueError, "`size`"),
        (lambda: max_pool2d(np.ones((4, 4)), stride=0), ValueError, "`stride`"),
        (lambda: max_pool2d(np.ones((4, 4, 2, 2))), ValueError, "`x`"),
        (
            lambda: dense(np.ones(3), np.ones((4, 2)), np.ones(2)),
            ValueError,
            "`weights`",
        ),
        (lambda: dense(np.ones(3), np.ones((3, 2)), np.ones(3)), ValueError, "`bias`"),
        (lambda: softmax([1.0, 2.0], axis=3), ValueError, "`axis`"),
        (
            lambda: conv2d_layer(np.ones((5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(2)),
            ValueError,
            "`x`",
        ),
        (
            lambda: conv2d_layer(
                np.ones((1, 5, 5, 2)), np.ones((3, 3, 1, 2)), np.ones(2)
            ),
            ValueError,
            "channel",
        ),
        (
            lambda: conv2d_layer(
                np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(3)
            ),
            ValueError,
            "`bias`",
        ),
        (
            lambda: conv2d_layer(
                np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1)), np.ones(1)
            ),
            ValueError,
            "larger than the padded",
        ),
        (lambda: max_pool2d_layer(np.ones((1, 3, 3, 1)), size=4), ValueError, "`size`"),
    ],
)
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_numpy_forward_rejects_non_models_and_unsupported_layers(keras):
    with pytest.raises(TypeError, match="`model`"):
        layers.numpy_forward("model", np.zeros((1, 4, 4, 1)))
    model = keras.Sequential(
        [
            keras.Input(shape=(6, 6, 1)),
            keras.layers.Conv2D(2, 3),
            keras.layers.BatchNormalization(),
        ]
    )
    with pytest.raises(ValueError, match="BatchNormalization"):
        layers.numpy_forward(model, np.zeros((1, 6, 6, 1)))
    model = keras.Sequential(
        [keras.Input(shape=(6, 6, 1)), keras.layers.Conv2D(2, 3, dilation_rate=2)]
    )
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.numpy_forward(model, np.zeros((1, 6, 6, 1)))
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(2, activation="elu")]
    )
    with pytest.raises(ValueError, match="elu"):
        layers.numpy_forward(model, np.zeros((1, 4)))


def test_numpy_forward_matches_predict(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(12, 12, 2)),
            keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(5, 2, strides=2),
            keras.layers.ReLU(),
            keras.layers.AveragePooling2D(pool_size=1),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(8, activation="sigmoid"),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax"),
        ]
    )
    x = RNG.random((50, 12, 12, 2)).astype(np.float32)
    expected = model.predict(x, verbose=0)
    got = layers.numpy_forward(model, x, batch_size=7)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_array_equal(got.argmax(1), expected.argmax(1))


def test_import_helpers_does_not_import_tensorflow():
    import subprocess
    import sys

    code = "import sys, helpers, helpers.layers; print('tensorflow' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------- numpy_forward: chains only
def _small_chain(keras, inputs):
    L = keras.layers
    x = L.Conv2D(3, 3, activation="relu", name="conv")(inputs)
    x = L.MaxPooling2D(name="pool")(x)
    x = L.Flatten(name="flatten")(x)
    return L.Dense(4, activation="softmax", name="out")(x)


def test_numpy_forward_runs_a_functional_chain(keras):
    keras.utils.set_random_seed(1)
    inputs = keras.Input(shape=(8, 7, 2))
    model = keras.Model(inputs, _small_chain(keras, inputs))
    x = RNG.random((9, 8, 7, 2)).astype(np.float32)
    np.testing.assert_allclose(layers.numpy_forward(model, x), model.predict(x, verbose=0),
                               atol=1e-6)


def test_numpy_forward_runs_a_sequential_that_lists_a_layer_twice(keras):
    keras.utils.set_random_seed(2)
    dense = keras.layers.Dense(4, activation="relu")
    model = keras.Sequential([keras.Input(shape=(4,)), dense, dense])
    x = RNG.normal(size=(6, 4)).astype(np.float32)
    np.testing.assert_allclose(layers.numpy_forward(model, x), model.predict(x, verbose=0),
                               atol=1e-6)


def test_numpy_forward_refuses_what_is_not_one_chain(keras):
    L = keras.layers
    inputs = keras.Input(shape=(4,))
    shared = L.Dense(4, name="shared")
    twice = keras.Model(inputs, shared(shared(inputs)))
    with pytest.raises(ValueError, match="'shared' is used twice"):
        layers.numpy_forward(twice, np.zeros((1, 4)))

    a, b = L.Dense(3, name="a")(inputs), L.Dense(3, name="b")(inputs)
    two_outputs = keras.Model(inputs, [a, b])
    with pytest.raises(ValueError, match="2 output"):
        layers.numpy_forward(two_outputs, np.zeros((1, 4)))

    merged = keras.Model(inputs, L.Add(name="add")([L.Dense(3)(inputs),
                                                     L.Dense(3)(inputs)]))
    with pytest.raises(ValueError, match="'add' .* takes 2 inputs"):
        layers.numpy_forward(merged, np.zeros((1, 4)))

    other = keras.Input(shape=(4,))
    two_inputs = keras.Model([inputs, other], L.Dense(2)(other))
    with pytest.raises(ValueError, match="2 input"):
        layers.numpy_forward(two_inputs, np.zeros((1, 4)))

    class Doubler(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, x):
            return self.dense(x) * 2

    subclassed = Doubler()
    subclassed(np.zeros((1, 4), np.float32))
    with pytest.raises(ValueError, match="subclassed model .*Doubler"):
        layers.numpy_forward(subclassed, np.zeros((1, 4)))


def test_numpy_forward_unbuilt_model_is_named(keras):
    model = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="not been built yet.*keras.Input"):
        layers.numpy_forward(model, np.zeros((1, 4)))
    model.build((None, 4))  # built: runs
    assert layers.numpy_forward(model, np.zeros((3, 4))).shape == (3, 2)


@pytest.mark.parametrize("images, words", [
    (np.zeros((2, 10, 10, 1)), r"`images` has shape \(2, 10, 10, 1\).*\(N, 8, 7, 2\)"
                               r".*size \(10 instead of 8"),
    (np.zeros((2, 8, 7, 3)), r"\(N, 8, 7, 2\).*wrong channels \(3 instead of 2"),
    (np.zeros((8, 7, 2)), r"one image without the batch axis.*images\[None\]"),
    (np.zeros((2, 56)), r"`images` has shape \(2, 56\).*\(N, 8, 7, 2\)"),
    ("pixels", r"`images` must hold numbers"),
])
def test_numpy_forward_bad_images_name_images_and_the_expected_shape(keras, images,
                                                                     words):
    inputs = keras.Input(shape=(8, 7, 2))
    model = keras.Model(inputs, _small_chain(keras, inputs))
    with pytest.raises((ValueError, TypeError), match=words):
        layers.numpy_forward(model, images)


# --------------------------------------------------------------- numbers: dtypes and ints
def test_float16_is_computed_in_a_wider_type():
    image = np.full((6, 6), 200.0, np.float16)
    kernel = np.full((3, 3), 100.0, np.float16)
    out = layers.conv2d(image, kernel)  # 9 * 20,000 = 180,000 > float16's 65,504
    assert np.all(np.isfinite(out)) and np.allclose(out, 180_000)
    batch = np.full((1, 4, 4, 1), 60_000.0, np.float16)
    pooled = layers.avg_pool2d_layer(batch, 2)
    assert pooled.dtype == np.float32 and np.allclose(pooled, 60_000)
    conv = layers.conv2d_layer(batch, np.ones((2, 2, 1, 1), np.float16), np.zeros(1))
    assert conv.dtype == np.float32 and np.allclose(conv, 240_000)
    assert np.allclose(layers.softmax(np.array([0.0, 11.0], np.float16)).sum(), 1)


def test_numpy_integers_are_accepted_where_an_int_is():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(layers.softmax(x, axis=np.int64(0)),
                               layers.softmax(x, axis=0))
    assert layers.output_size(np.int32(28), np.int64(3), np.int8(1), np.int16(1)) == 28
    assert layers.pad_amounts(np.int64(5), np.int32(3), np.uint8(2), "same") == (1, 1)
    np.testing.assert_allclose(layers.conv2d(np.ones((5, 5)), np.ones((3, 3)),
                                             stride=np.int64(2), padding=np.int32(1)),
                               layers.conv2d(np.ones((5, 5)), np.ones((3, 3)), 2, 1))
    assert layers.max_pool2d(np.ones((4, 4)), np.int64(2)).shape == (2, 2)
    with pytest.raises(TypeError, match="`axis`"):
        layers.softmax(x, axis=True)
    with pytest.raises(TypeError, match="`axis`"):
        layers.softmax(x, axis=1.0)


@pytest.mark.parametrize("args, error, words", [
    ((5, 3, 0, "same"), ValueError, "`stride` must be >= 1"),
    ((5.5, 3, 1, "same"), TypeError, "`n` must be an integer"),
    ((5, 3.0, 1, "same"), TypeError, "`kernel_size` must be an integer"),
    ((0, 3, 1, "same"), ValueError, "`n` must be >= 1"),
    ((5, -1, 1, 0), ValueError, "`kernel_size` must be >= 1"),
    ((5, 3, True, 0), TypeError, "`stride`"),
    ((5, 3, 1, "full"), ValueError, "`padding`"),
    ((5, 3, 1, -2), ValueError, "`padding` must be >= 0"),
    (("5", 3, 1, 0), TypeError, "`n`"),
])
def test_pad_amounts_validates_every_argument(args, error, words):
    with pytest.raises(error, match=words):
        layers.pad_amounts(*args)


@pytest.mark.parametrize("n, k, s, expected", [
    (5, 3, 1, (1, 1)), (5, 3, 2, (1, 1)), (6, 3, 2, (0, 1)), (4, 1, 1, (0, 0)),
    (28, 5, 1, (2, 2)), (7, 4, 3, (1, 2)),
])
def test_pad_amounts_same_by_hand(n, k, s, expected):
    # total = max((ceil(n / s) - 1) * s + k - n, 0), the odd zero after
    assert layers.pad_amounts(n, k, s, "same") == expected
