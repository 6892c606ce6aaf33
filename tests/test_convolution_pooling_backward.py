"""helpers.layers: convolution and max pooling, forward and backward, at the doors.

The backward passes take ``(grad_out, cache)``, the cache from ``*_forward``; they are
checked against two independent oracles, finite differences (`helpers.gradcheck`,
float64, relative error <= 1e-6) and TensorFlow's ``GradientTape``, over random shapes,
strides and paddings (hypothesis); the loop versions against the vectorized ones;
max-pool ties as TensorFlow breaks them; bad input. The forward passes against
hand-worked numbers, TensorFlow/Keras and properties (one image's loop against the
batched layer, the output size against the shape).
"""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import data, layers
from helpers.gradcheck import numerical_gradient, relative_error
from helpers.layers import convolution

FD_TOL = 1e-6
# Conv is linear in each argument, so a centred difference has no truncation error at
# any step: a large step keeps float64 rounding noise far below the tolerance even where
# a gradient entry nearly cancels. Max pool is piecewise linear (a small step stays on
# one piece).
LINEAR_EPS = 1e-2
SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
RNG = np.random.default_rng(42)


def _rng(seed):
    return np.random.default_rng(seed)


def _tf_padding(padding):
    if isinstance(padding, str):
        return padding.upper()
    return [[0, 0], [padding, padding], [padding, padding], [0, 0]]


@st.composite
def conv_cases(draw):
    """A small conv layer: (x, kernel, bias, stride, padding, rng)."""
    kh = draw(st.integers(1, 3))
    kw = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2]))
    H = draw(st.integers(kh, 6))
    W = draw(st.integers(kw, 6))
    N, C, F = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = _rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(N, H, W, C))
    kernel = rng.normal(size=(kh, kw, C, F))
    bias = rng.normal(size=F)
    return x, kernel, bias, stride, padding, rng


# ------------------------------------------------------------------------ conv backward
@SETTINGS
@given(conv_cases())
def test_conv_backward_agrees_with_finite_differences_and_loops(case):
    x, kernel, bias, stride, padding, rng = case
    out, cache = layers.conv2d_layer_forward(x, kernel, bias, stride, padding)
    g = rng.normal(size=out.shape)

    def loss_x(v):
        return np.sum(layers.conv2d_layer(v, kernel, bias, stride, padding) * g)

    def loss_k(v):
        return np.sum(layers.conv2d_layer(x, v, bias, stride, padding) * g)

    def loss_b(v):
        return np.sum(layers.conv2d_layer(x, kernel, v, stride, padding) * g)

    grads = layers.conv2d_layer_backward(g, cache)
    loops = layers.conv2d_layer_backward_loops(g, cache)
    for f, point, got, loop in zip((loss_x, loss_k, loss_b), (x, kernel, bias),
                                   grads, loops, strict=True):
        assert got.shape == point.shape and got.dtype == np.float64
        assert relative_error(got, numerical_gradient(f, point, LINEAR_EPS)) <= FD_TOL
        np.testing.assert_allclose(got, loop, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(conv_cases())
def test_conv_backward_agrees_with_gradient_tape(tf, case):
    x, kernel, bias, stride, padding, rng = case
    out, cache = layers.conv2d_layer_forward(x, kernel, bias, stride, padding)
    g = rng.normal(size=out.shape)
    tx, tk, tb = (tf.Variable(a) for a in (x, kernel, bias))
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(tx, tk, stride, _tf_padding(padding)) + tb
        loss = tf.reduce_sum(y * g)
    expected = tape.gradient(loss, [tx, tk, tb])
    got = layers.conv2d_layer_backward(g, cache)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-9, atol=1e-9)


def test_conv_backward_keeps_float32():
    rng = _rng(0)
    x = rng.normal(size=(2, 5, 5, 2)).astype(np.float32)
    k = rng.normal(size=(3, 3, 2, 4)).astype(np.float32)
    g = rng.normal(size=(2, 5, 5, 4)).astype(np.float32)
    out, cache = layers.conv2d_layer_forward(x, k, np.zeros(4, np.float32), 1, "same")
    assert out.dtype == np.float32
    grads = layers.conv2d_layer_backward(g, cache)
    assert all(a.dtype == np.float32 for a in grads)
    loops = layers.conv2d_layer_backward_loops(g, cache)
    for a, b in zip(grads, loops, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_conv_input_gradient_is_a_full_convolution_with_the_flipped_kernel():
    # stride 1, valid, one channel: grad_x = correlate(pad(g, k - 1), flip(kernel))
    rng = _rng(1)
    x, k = rng.normal(size=(1, 5, 6, 1)), rng.normal(size=(3, 2, 1, 1))
    g = rng.normal(size=(1, 3, 5, 1))
    _, cache = layers.conv2d_layer_forward(x, k, np.zeros(1))
    grad_x, grad_k, _ = layers.conv2d_layer_backward(g, cache)
    full = layers.conv2d(np.pad(g[0, :, :, 0], ((2, 2), (1, 1))), k[::-1, ::-1, 0, 0])
    np.testing.assert_allclose(grad_x[0, :, :, 0], full, atol=1e-12)
    np.testing.assert_allclose(grad_k[:, :, 0, 0],
                               layers.conv2d(x[0, :, :, 0], g[0, :, :, 0]), atol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, "valid"), (1, "same"), (1, 1),
                                             (1, 3), (2, "same"), (1, (0, 2, 1, 0))])
def test_conv_input_gradient_by_full_correlation_matches_loops_and_gradient_tape(
        tf, stride, padding):
    # enough channels for the full-correlation path at stride 1; padding 3 (> kh - 1)
    # and stride 2 take col2im: all must give the loops' and TensorFlow's numbers
    rng = _rng(11)
    C = convolution.FULL_CORRELATION_CHANNELS
    x, kernel = rng.normal(size=(2, 7, 6, C)), rng.normal(size=(3, 2, C, 5))
    bias = rng.normal(size=5)
    if isinstance(padding, tuple):  # uneven zeros (top, bottom, left, right) by hand
        xp = np.pad(x, ((0, 0), padding[:2], padding[2:], (0, 0)))
        out, cache = layers.conv2d_layer_forward(xp, kernel, bias, 1, "valid")
        cache = cache._replace(x=x, pads=padding)
    else:
        out, cache = layers.conv2d_layer_forward(x, kernel, bias, stride, padding)
    g = rng.normal(size=out.shape)
    got = layers.conv2d_layer_backward(g, cache)
    loops = layers.conv2d_layer_backward_loops(g, cache)
    for a, b in zip(got, loops, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
    if not isinstance(padding, tuple):
        tx = tf.Variable(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(
                (tf.nn.conv2d(tx, kernel, stride, _tf_padding(padding)) + bias) * g)
        np.testing.assert_allclose(got[0], tape.gradient(loss, tx).numpy(), rtol=1e-9,
                                   atol=1e-9)
    cache32 = cache._replace(x=cache.x.astype(np.float32),
                             kernel=kernel.astype(np.float32))
    got32 = layers.conv2d_layer_backward(g.astype(np.float32), cache32)
    assert all(a.dtype == np.float32 for a in got32)
    for a, b in zip(got32, loops, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_conv_weight_gradients_are_the_backward_pass_without_grad_x():
    rng = _rng(12)
    for C, stride, padding in [(1, 1, "same"), (8, 1, "same"), (3, 2, 1)]:
        x = rng.normal(size=(3, 9, 8, C)).astype(np.float32)
        kernel = rng.normal(size=(3, 3, C, 4)).astype(np.float32)
        out, cache = layers.conv2d_layer_forward(x, kernel, np.zeros(4, np.float32),
                                                 stride, padding)
        g = rng.normal(size=out.shape).astype(np.float32)
        _, *expected = layers.conv2d_layer_backward(g, cache)
        got = convolution.conv2d_layer_weight_gradients(g, cache)
        assert len(got) == 2
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)


# -------------------------------------------------------------------- max-pool backward
@st.composite
def pool_cases(draw):
    size = draw(st.integers(1, 3))
    stride = draw(st.one_of(st.none(), st.integers(1, 3)))
    H, W = draw(st.integers(size, 7)), draw(st.integers(size, 7))
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    rng = _rng(draw(st.integers(0, 2**16)))
    ties = draw(st.booleans())
    # with ties: small integers, so windows often hold two equal maxima
    x = rng.integers(0, 3, (N, H, W, C)).astype(float) if ties else rng.normal(
        size=(N, H, W, C))
    return x, size, stride, rng, ties


@SETTINGS
@given(pool_cases())
def test_max_pool_backward_agrees_with_loops_and_gradient_tape(tf, case):
    x, size, stride, rng, _ = case
    out, cache = layers.max_pool2d_layer_forward(x, size, stride)
    g = rng.normal(size=out.shape)
    got = layers.max_pool2d_layer_backward(g, cache)
    np.testing.assert_allclose(got, layers.max_pool2d_layer_backward_loops(g, cache),
                               rtol=1e-12, atol=1e-12)
    tx = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.max_pool2d(tx, size, stride or size, "VALID") * g)
    np.testing.assert_allclose(got, tape.gradient(loss, tx).numpy(), atol=1e-12)


@SETTINGS
@given(pool_cases())
def test_max_pool_backward_agrees_with_finite_differences_without_ties(case):
    x, size, stride, rng, _ = case
    # The maximum is not differentiable at a tie, so: distinct integers (gaps >= 1),
    # and a step of 0.01 that never changes which entry is a window's maximum (the
    # function is linear there, so the centred difference is exact).
    x = rng.permutation(x.size).reshape(x.shape).astype(float)
    out, cache = layers.max_pool2d_layer_forward(x, size, stride)
    g = rng.normal(size=out.shape)
    numerical = numerical_gradient(
        lambda v: np.sum(layers.max_pool2d_layer(v, size, stride) * g), x, eps=1e-2)
    got = layers.max_pool2d_layer_backward(g, cache)
    assert relative_error(got, numerical) <= FD_TOL


def test_max_pool_tie_goes_to_the_first_maximum_in_row_major_order(tf):
    # windows: [[1, 3], [3, 2]] -> (0, 1); [[3, 0], [1, 1]] -> (0, 2);
    # [[5, 5], [5, 5]] -> (2, 0); [[2, 2], [2, 2]] -> (2, 2)
    x = np.array([[1, 3, 3, 0], [3, 2, 1, 1], [5, 5, 2, 2], [5, 5, 2, 2]], float)
    g = np.array([[1.0, 10.0], [100.0, 1000.0]])
    expected = np.zeros((4, 4))
    expected[0, 1], expected[0, 2], expected[2, 0], expected[2, 2] = 1, 10, 100, 1000
    _, cache = layers.max_pool2d_layer_forward(x[None, :, :, None])
    for backward in (layers.max_pool2d_layer_backward,
                     layers.max_pool2d_layer_backward_loops):
        got = backward(g[None, :, :, None], cache)
        np.testing.assert_array_equal(got[0, :, :, 0], expected)
    tx = tf.Variable(x[None, :, :, None])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.max_pool2d(tx, 2, 2, "VALID") * g[None, :, :, None])
    np.testing.assert_array_equal(tape.gradient(loss, tx).numpy()[0, :, :, 0], expected)


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_max_pool_backward_gives_no_negative_zeros(stride):
    # inputs that are not a maximum get 0.0, not -0.0, under a negative gradient (a
    # learner prints the gradient: notebook 12 shows "0.", never "-0.")
    x = _rng(13).normal(size=(2, 7, 7, 3))
    out, cache = layers.max_pool2d_layer_forward(x, 2, stride)
    for dtype in (np.float64, np.float32):
        got = layers.max_pool2d_layer_backward(-np.ones(out.shape, dtype), cache)
        assert np.count_nonzero(got == 0) > 0
        assert not np.signbit(got[got == 0]).any()


def test_overlapping_windows_add_up_at_a_shared_maximum():
    x = np.zeros((1, 3, 3, 1))
    x[0, 1, 1, 0] = 9.0  # the maximum of all four 2x2 windows of stride 1
    g = np.arange(1.0, 5.0).reshape(1, 2, 2, 1)
    _, cache = layers.max_pool2d_layer_forward(x, 2, 1)
    got = layers.max_pool2d_layer_backward(g, cache)
    assert got[0, 1, 1, 0] == 10.0 and np.count_nonzero(got) == 1


@SETTINGS
@given(pool_cases())
def test_max_pool_cache_keeps_the_maxima_and_a_cache_without_them_still_works(case):
    # the backward takes the window maxima from the cache (the forward's output); a
    # cache built without them (maxima=None) finds them again: same gradient, ties too
    x, size, stride, rng, _ = case
    out, cache = layers.max_pool2d_layer_forward(x, size, stride)
    assert cache.maxima is out
    g = rng.normal(size=out.shape)
    got = layers.max_pool2d_layer_backward(g, cache)
    bare = cache._replace(maxima=None)
    np.testing.assert_array_equal(layers.max_pool2d_layer_backward(g, bare), got)
    np.testing.assert_allclose(layers.max_pool2d_layer_backward_loops(g, bare), got,
                               rtol=1e-12, atol=1e-12)  # overlaps add in another order


def test_max_pool_backward_keeps_float32():
    rng = _rng(7)
    x = rng.normal(size=(2, 6, 6, 3)).astype(np.float32)
    out, cache = layers.max_pool2d_layer_forward(x, 3, 2)
    g = rng.normal(size=out.shape).astype(np.float32)
    assert out.dtype == np.float32
    assert layers.max_pool2d_layer_backward(g, cache).dtype == np.float32
    assert layers.max_pool2d_layer_backward(g.astype(float), cache).dtype == np.float64


# --------------------------------------------------------------------------- the caches
def test_the_plain_forward_is_the_first_result_of_forward():
    rng = _rng(8)
    for stride, padding in [(1, "valid"), (2, "same"), (3, 2)]:
        x = rng.normal(size=(3, 7, 8, 2))
        kernel, bias = rng.normal(size=(3, 2, 2, 4)), rng.normal(size=4)
        out, cache = layers.conv2d_layer_forward(x, kernel, bias, stride, padding)
        np.testing.assert_array_equal(out, layers.conv2d_layer(x, kernel, bias, stride,
                                                               padding))
        assert cache.out_shape == out.shape
        pooled, cache = layers.max_pool2d_layer_forward(x, 2, stride)
        np.testing.assert_array_equal(pooled, layers.max_pool2d_layer(x, 2, stride))
        assert cache.out_shape == pooled.shape


def test_integer_input_comes_back_as_float64():
    x = np.arange(2 * 5 * 5 * 2).reshape(2, 5, 5, 2)
    kernel, bias = np.ones((3, 3, 2, 3), int), np.arange(3)
    out = layers.conv2d_layer(x, kernel, bias, 1, "same")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, layers.conv2d_layer(x.astype(float), kernel,
                                                           bias.astype(float), 1, "same"))
    out, cache = layers.conv2d_layer_forward(x, kernel, bias)
    assert out.dtype == np.float64
    grads = layers.conv2d_layer_backward(np.ones(out.shape, int), cache)
    assert all(a.dtype == np.float64 for a in grads)
    for pool in (layers.max_pool2d_layer, layers.avg_pool2d_layer):
        assert pool(x).dtype == np.float64
        np.testing.assert_array_equal(pool(x), pool(x.astype(float)))
    out, cache = layers.max_pool2d_layer_forward(x.astype(np.int8))
    assert out.dtype == np.float64
    assert layers.max_pool2d_layer_backward(np.ones(out.shape, int), cache).dtype == \
        np.float64


# --------------------------------------------------------------------------- bad input
X = np.ones((1, 4, 4, 2))


def _conv(stride=1, padding="valid", kernel=None):
    """The cache of a conv layer on X with 5 filters of 3x3."""
    kernel = np.ones((3, 3, 2, 5)) if kernel is None else kernel
    return layers.conv2d_layer_forward(X, kernel, np.zeros(5), stride, padding)[1]


def _pool(size=2):
    return layers.max_pool2d_layer_forward(X, size)[1]


@pytest.mark.parametrize("call, match", [
    (lambda: layers.conv2d_layer_backward(np.ones((1, 4, 4, 4)), _conv(1, "same")),
     r"`grad_out` has shape \(1, 4, 4, 4\) but the output of conv2d_layer has shape "
     r"\(1, 4, 4, 5\)"),
    (lambda: layers.conv2d_layer_backward(np.ones((4, 4, 5)), _conv()),
     r"`grad_out` has shape \(4, 4, 5\) but .* \(1, 2, 2, 5\)"),
    (lambda: _conv(kernel=np.ones((3, 3, 1, 5))), r"`kernel`"),
    (lambda: layers.conv2d_layer_forward(X[0], np.ones((3, 3, 2, 5)), np.zeros(5)),
     r"`x` must have 4"),
    (lambda: _conv(0), r"`stride`"),
    (lambda: _conv(1, "full"), r"`padding`"),
    (lambda: layers.conv2d_layer_forward(X, np.ones((5, 3, 2, 5)), np.zeros(5)),
     r"`kernel` \(5x3\) is larger than the padded images \(4x4\)"),
    (lambda: layers.conv2d_layer_backward_loops(np.ones((1, 3, 3, 5)), _conv()),
     r"`grad_out` has shape \(1, 3, 3, 5\) .* \(1, 2, 2, 5\)"),
    (lambda: layers.conv2d_layer_backward(np.full((1, 2, 2, 5), np.nan), _conv()),
     r"`grad_out` contains NaN"),
    (lambda: layers.max_pool2d_layer_backward(np.ones((1, 4, 4, 2)), _pool()),
     r"`grad_out` has shape \(1, 4, 4, 2\) but the output of max_pool2d_layer has "
     r"shape \(1, 2, 2, 2\)"),
    (lambda: layers.max_pool2d_layer_forward(X, 5), r"`size` 5 is larger"),
    (lambda: layers.max_pool2d_layer_backward_loops("abc", _pool()), r"`grad_out` must"),
    # a cache that is not the forward's
    (lambda: layers.conv2d_layer_backward(np.ones((1, 2, 2, 2)), _pool()),
     re.escape("`cache` must be what conv2d_layer_forward returned (a ConvCache), "
               "got PoolCache")),
    (lambda: layers.conv2d_layer_backward_loops(np.ones((1, 2, 2, 5)), (X, X)),
     re.escape("`cache` must be what conv2d_layer_forward returned (a ConvCache), "
               "got tuple")),
    (lambda: layers.max_pool2d_layer_backward(np.ones((1, 2, 2, 5)), _conv()),
     re.escape("`cache` must be what max_pool2d_layer_forward returned (a PoolCache), "
               "got ConvCache")),
    (lambda: layers.max_pool2d_layer_backward_loops(np.ones((1, 2, 2, 2)), None),
     re.escape("`cache` must be what max_pool2d_layer_forward returned (a PoolCache), "
               "got NoneType")),
    # today's call, (x, kernel, grad_out), is refused by the signature
    (lambda: layers.conv2d_layer_backward(X, np.ones((3, 3, 2, 5)),
                                          np.ones((1, 2, 2, 5))),
     r"conv2d_layer_backward\(\): too many positional arguments"),
])
def test_bad_input_gets_a_clear_error(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_a_wrong_cache_is_a_type_error():
    for backward in (layers.conv2d_layer_backward, layers.conv2d_layer_backward_loops,
                     layers.max_pool2d_layer_backward,
                     layers.max_pool2d_layer_backward_loops):
        with pytest.raises(TypeError, match="`cache` must be what"):
            backward(np.ones((1, 2, 2, 2)), {"x": X})


def test_inputs_are_not_modified():
    rng = _rng(4)
    x, k = rng.normal(size=(1, 4, 4, 2)), rng.normal(size=(3, 3, 2, 2))
    g = rng.normal(size=(1, 4, 4, 2))
    b = rng.normal(size=2)
    copies = [a.copy() for a in (x, k, b, g)]
    _, cache = layers.conv2d_layer_forward(x, k, b, 1, "same")
    layers.conv2d_layer_backward(g, cache)
    layers.conv2d_layer_backward_loops(g, cache)
    _, cache = layers.max_pool2d_layer_forward(x, 2)
    layers.max_pool2d_layer_backward(g[:, :2, :2], cache)
    layers.max_pool2d_layer_backward_loops(g[:, :2, :2], cache)
    for array, copy in zip((x, k, b, g), copies, strict=True):
        np.testing.assert_array_equal(array, copy)


# =========================================================================== forward
# Hand-worked numbers, TensorFlow/Keras and properties, through helpers.layers' doors.
def test_conv2d_lesson_example_by_hand():
    # Worked on paper: the X kernel over the 5x5 image of notebook 01.
    expected = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    np.testing.assert_array_equal(
        layers.conv2d(data.binary_image(), data.lesson_kernel()), expected
    )


def test_conv2d_is_cross_correlation_not_convolution():
    image = np.arange(9.0).reshape(3, 3)
    kernel = np.array([[1.0, 0.0], [0.0, 0.0]])  # picks the top-left pixel of each window
    np.testing.assert_array_equal(layers.conv2d(image, kernel), [[0, 1], [3, 4]])


def test_conv2d_padding_and_stride_by_hand():
    image = np.ones((3, 3))
    kernel = np.ones((3, 3))
    # padding 1: corners see 4 ones, edges 6, the centre 9.
    np.testing.assert_array_equal(
        layers.conv2d(image, kernel, padding=1), [[4, 6, 4], [6, 9, 6], [4, 6, 4]]
    )
    np.testing.assert_array_equal(
        layers.conv2d(image, kernel, stride=2, padding=1), [[4, 4], [4, 4]]
    )


def test_conv2d_channels_are_summed():
    image = RNG.normal(size=(5, 6, 3))
    kernel = RNG.normal(size=(3, 3, 3))
    per_channel = sum(layers.conv2d(image[:, :, c], kernel[:, :, c]) for c in range(3))
    np.testing.assert_allclose(layers.conv2d(image, kernel), per_channel)


def test_pooling_example_by_hand():
    x = data.pooling_example()
    np.testing.assert_array_equal(layers.max_pool2d(x), [[6, 8], [3, 4]])
    np.testing.assert_array_equal(layers.avg_pool2d(x), [[3.25, 5.25], [2, 2]])


def test_pooling_drops_incomplete_edge_windows():
    x = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(layers.max_pool2d(x), [[6, 8], [16, 18]])


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
    assert layers.output_size(n, k, s, p) == expected


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
        layers.conv2d(image, kernel, stride, padding), expected, atol=1e-10
    )
    batch = np.stack([image, image * -2])
    got = layers.conv2d_layer(batch, kernel[..., None], np.array([0.5]), stride,
                              padding)
    np.testing.assert_allclose(got[0, :, :, 0], expected + 0.5, atol=1e-10)
    np.testing.assert_allclose(got[1, :, :, 0], -2 * expected + 0.5, atol=1e-10)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_layer_matches_tensorflow_float32(tf, stride, padding):
    x = RNG.normal(size=(5, 14, 13, 4)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 4, 6)).astype(np.float32)
    bias = RNG.normal(size=6).astype(np.float32)
    expected = tf.nn.conv2d(x, kernel, stride, padding.upper()).numpy() + bias
    got = layers.conv2d_layer(x, kernel, bias, stride, padding)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_conv2d_layer_batches_give_the_same_answer(monkeypatch):
    x = RNG.normal(size=(7, 10, 10, 3)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 3, 5)).astype(np.float32)
    bias = RNG.normal(size=5).astype(np.float32)
    batches = []  # images per im2col batch: proves the patch below reaches the layer
    im2col = convolution._im2col
    monkeypatch.setattr(convolution, "_im2col",
                        lambda xp, *rest: batches.append(len(xp)) or im2col(xp, *rest))
    whole = layers.conv2d_layer(x, kernel, bias, padding="same")
    assert batches == [7]
    monkeypatch.setattr(convolution, "BATCH_BYTES", 1)  # one image per batch
    batches.clear()
    np.testing.assert_array_equal(layers.conv2d_layer(x, kernel, bias, padding="same"),
                                  whole)
    assert batches == [1] * 7


@pytest.mark.parametrize("size, stride", [(2, None), (3, None), (2, 1), (3, 2)])
@pytest.mark.parametrize("shape", [(8, 8, 3), (7, 9, 2), (5, 5, 1)])
def test_pooling_matches_keras(keras, shape, size, stride):
    x = RNG.normal(size=(2,) + shape).astype(np.float32)
    for layer_cls, loop_fn, batch_fn in [
        (keras.layers.MaxPooling2D, layers.max_pool2d, layers.max_pool2d_layer),
        (keras.layers.AveragePooling2D, layers.avg_pool2d, layers.avg_pool2d_layer),
    ]:
        expected = np.asarray(layer_cls(pool_size=size, strides=stride)(x))
        np.testing.assert_allclose(batch_fn(x, size, stride), expected, atol=1e-6)
        np.testing.assert_allclose(loop_fn(x[1], size, stride), expected[1], atol=1e-6)


forward_conv_cases = st.tuples(
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
@given(forward_conv_cases)
def test_conv2d_layer_agrees_with_loop(case):
    H, W, C, kh, kw, stride, padding, F = case
    p = 0 if padding in ("valid", "same") else padding
    if padding != "same" and (kh > H + 2 * p or kw > W + 2 * p):
        with pytest.raises(ValueError, match="larger than the padded"):
            layers.conv2d(np.ones((H, W, C)), np.ones((kh, kw, C)), stride, padding)
        return
    rng = np.random.default_rng(H * 1000 + W * 100 + kh * 10 + kw)
    x = rng.normal(size=(2, H, W, C))
    kernel = rng.normal(size=(kh, kw, C, F))
    bias = rng.normal(size=F)
    got = layers.conv2d_layer(x, kernel, bias, stride, padding)
    assert got.shape == (
        2,
        layers.output_size(H, kh, stride, padding),
        layers.output_size(W, kw, stride, padding),
        F,
    )
    for n in range(2):
        for f in range(F):
            loop = layers.conv2d(x[n], kernel[..., f], stride, padding) + bias[f]
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
            layers.max_pool2d_layer(x, size, stride)
        return
    for n in range(2):
        np.testing.assert_allclose(
            layers.max_pool2d_layer(x, size, stride)[n],
            layers.max_pool2d(x[n], size, stride),
        )
        np.testing.assert_allclose(
            layers.avg_pool2d_layer(x, size, stride)[n],
            layers.avg_pool2d(x[n], size, stride),
        )


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3))
def test_output_size_matches_conv2d(n, k, s, p):
    if k > n + 2 * p:
        return
    assert (
        layers.conv2d(np.ones((n, n)), np.ones((k, k)), s, p).shape
        == (layers.output_size(n, k, s, p),) * 2
    )


BAD_FORWARD_CALLS = [
    ("conv2d", (np.ones((3, 3)), np.ones((4, 4))), {}, ValueError,
     "larger than the padded"),
    ("conv2d", (np.ones((5, 5)), np.ones((3, 3))), {"stride": 0}, ValueError,
     "`stride`"),
    ("conv2d", (np.ones((5, 5)), np.ones((3, 3))), {"stride": 1.5}, TypeError,
     "`stride`"),
    ("conv2d", (np.ones((5, 5)), np.ones((3, 3))), {"padding": -1}, ValueError,
     "`padding`"),
    ("conv2d", (np.ones((5, 5)), np.ones((3, 3))), {"padding": "full"}, ValueError,
     "`padding`"),
    ("conv2d", (np.ones(5), np.ones((3, 3))), {}, ValueError, "`image`"),
    ("conv2d", (np.ones((5, 5, 3)), np.ones((3, 3, 2))), {}, ValueError, "channel"),
    ("conv2d", (np.ones((5, 5)), np.ones((3, 3, 3))), {}, ValueError, "channel"),
    ("conv2d", ([["a", "b"], ["c", "d"]], np.ones((1, 1))), {}, TypeError, "`image`"),
    ("conv2d", (np.array([[1, None]], dtype=object), np.ones((1, 1))), {}, TypeError,
     "`image`"),
    ("conv2d", (None, np.ones((1, 1))), {}, TypeError, "`image`"),
    ("conv2d", ([[1, 2], [3]], np.ones((1, 1))), {}, ValueError, "`image`"),
    ("conv2d", (np.full((3, 3), np.nan), np.ones((2, 2))), {}, ValueError, "NaN"),
    ("conv2d", (np.ones((0, 3)), np.ones((1, 1))), {}, ValueError, "empty"),
    ("output_size", (5, 7), {}, ValueError, "larger than the padded"),
    ("max_pool2d", (np.ones((3, 3)),), {"size": 4}, ValueError, "`size`"),
    ("max_pool2d", (np.ones((4, 4)),), {"stride": 0}, ValueError, "`stride`"),
    ("max_pool2d", (np.ones((4, 4, 2, 2)),), {}, ValueError, "`x`"),
    ("conv2d_layer", (np.ones((5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(2)), {},
     ValueError, "`x`"),
    ("conv2d_layer", (np.ones((1, 5, 5, 2)), np.ones((3, 3, 1, 2)), np.ones(2)), {},
     ValueError, "channel"),
    ("conv2d_layer", (np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(3)), {},
     ValueError, "`bias`"),
    ("conv2d_layer", (np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1)), np.ones(1)), {},
     ValueError, "larger than the padded"),
    ("max_pool2d_layer", (np.ones((1, 3, 3, 1)),), {"size": 4}, ValueError, "`size`"),
    # the average pooling's own doors
    ("avg_pool2d", (np.ones((4, 4)),), {"size": 5}, ValueError, "`size` 5"),
    ("avg_pool2d_layer", (np.ones((4, 4)),), {"size": 0}, ValueError, "`size`"),
    ("avg_pool2d_layer", (np.ones((1, 4, 4, 1)),), {"stride": True}, TypeError,
     "`stride`"),
    ("max_pool2d_layer", (np.ones((1, 4, 3, 1)),), {"size": 4}, ValueError,
     r"`size` 4 is larger than the images \(4x3\)"),
    ("conv2d_layer", (np.ones((1, 5, 5, 1)), np.ones((3, 3, 1)), np.ones(1)), {},
     ValueError, "`kernel` must have 4"),
    ("conv2d_layer", (np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), 1.0), {},
     ValueError, "`bias` must have 1"),
    ("conv2d_layer", (np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), np.ones(1)),
     {"padding": 1.0}, TypeError, "`padding`"),
    ("conv2d", (np.ones((2, 5)), np.ones((3, 3))), {"padding": "valid"}, ValueError,
     r"`kernel` \(3x3\) is larger than the padded image \(2x5\): use a smaller"),
    ("output_size", (5, 8, 1, 1), {}, ValueError,
     re.escape("`kernel_size` 8 is larger than the padded input (5 + 2 * 1 = 7)")),
    ("output_size", (5, 3, 0), {}, ValueError, "`stride` must be >= 1"),
]


@pytest.mark.parametrize("name, args, kwargs, error, words", BAD_FORWARD_CALLS)
def test_bad_input_names_the_argument(name, args, kwargs, error, words):
    with pytest.raises(error, match=words):
        getattr(layers, name)(*args, **kwargs)


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


def test_numpy_integers_are_accepted_where_an_int_is():
    assert layers.output_size(np.int32(28), np.int64(3), np.int8(1), np.int16(1)) == 28
    assert layers.pad_amounts(np.int64(5), np.int32(3), np.uint8(2), "same") == (1, 1)
    np.testing.assert_allclose(layers.conv2d(np.ones((5, 5)), np.ones((3, 3)),
                                             stride=np.int64(2), padding=np.int32(1)),
                               layers.conv2d(np.ones((5, 5)), np.ones((3, 3)), 2, 1))
    assert layers.max_pool2d(np.ones((4, 4)), np.int64(2)).shape == (2, 2)


PAD_AMOUNTS_BAD = [
    ((5, 3, 0, "same"), ValueError, "`stride` must be >= 1"),
    ((5.5, 3, 1, "same"), TypeError, "`n` must be an integer"),
    ((5, 3.0, 1, "same"), TypeError, "`kernel_size` must be an integer"),
    ((0, 3, 1, "same"), ValueError, "`n` must be >= 1"),
    ((5, -1, 1, 0), ValueError, "`kernel_size` must be >= 1"),
    ((5, 3, True, 0), TypeError, "`stride`"),
    ((5, 3, 1, "full"), ValueError, "`padding`"),
    ((5, 3, 1, -2), ValueError, "`padding` must be >= 0"),
    (("5", 3, 1, 0), TypeError, "`n`"),
]


@pytest.mark.parametrize("args, error, words", PAD_AMOUNTS_BAD)
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
