"""helpers.layers: ReLU, flatten, dense, softmax cross-entropy: forward and backward.

The backward passes against two independent oracles: finite differences
(`helpers.gradcheck`, float64, relative error <= 1e-6) and TensorFlow's
``GradientTape``; the loss against Keras. Every call goes through the doors
(``from helpers import layers``), so the bad-input tests read the messages a learner
reads. The forward passes against hand-worked numbers and Keras.
"""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import layers
from helpers.gradcheck import numerical_gradient, relative_error

FD_TOL = 1e-6
# Dense and flatten are linear in each argument, so a centred difference has no
# truncation error at any step: a large step keeps float64 rounding noise far below the
# tolerance even where a gradient entry nearly cancels. ReLU is piecewise linear (a
# small step stays on one piece); softmax cross-entropy is curved.
LINEAR_EPS = 1e-2
SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


RNG = np.random.default_rng(42)


def _rng(seed):
    return np.random.default_rng(seed)


def _ce_gradient(scores, labels, grad_loss=1.0):
    _, cache = layers.softmax_cross_entropy_forward(scores, labels)
    return layers.softmax_cross_entropy_backward(grad_loss, cache)


# --------------------------------------------------------------------------- relu
def test_relu_backward_is_a_mask_on_the_input(tf):
    x = np.array([[-2.0, 0.0, 0.5], [3.0, -1e-9, 1e-9]])
    g = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    got = layers.relu_backward(g, layers.relu_forward(x)[1])
    np.testing.assert_array_equal(got, [[0, 0, 3], [4, 0, 6]])  # 0 at x == 0
    tx = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.relu(tx) * g)
    np.testing.assert_array_equal(got, tape.gradient(loss, tx).numpy())
    # a blocked negative gradient is 0.0, not -0.0 (a learner would see "-0." printed)
    blocked = layers.relu_backward(-g, layers.relu_forward(x)[1])
    assert not np.signbit(blocked[blocked == 0]).any()
    assert str(blocked[0]) == "[ 0.  0. -3.]"
    rng = _rng(2)
    x = rng.normal(size=(2, 3, 3, 2))
    g = rng.normal(size=x.shape)
    numerical = numerical_gradient(lambda v: np.sum(np.maximum(v, 0) * g), x)
    got = layers.relu_backward(g, layers.relu_forward(x)[1])
    assert relative_error(got, numerical) <= FD_TOL


# ------------------------------------------------------------------------ dense, flatten
@SETTINGS
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**16))
def test_dense_backward_agrees_with_finite_differences_and_tape(tf, N, n_in, units,
                                                                seed):
    rng = _rng(seed)
    x, w, b = rng.normal(size=(N, n_in)), rng.normal(size=(n_in, units)), rng.normal(
        size=units)
    g = rng.normal(size=(N, units))
    got = layers.dense_backward(g, layers.dense_forward(x, w, b)[1])
    fd = [numerical_gradient(lambda v: np.sum((v @ w + b) * g), x, LINEAR_EPS),
          numerical_gradient(lambda v: np.sum((x @ v + b) * g), w, LINEAR_EPS),
          numerical_gradient(lambda v: np.sum((x @ w + v) * g), b, LINEAR_EPS)]
    tx, tw, tb = (tf.Variable(a) for a in (x, w, b))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((tx @ tw + tb) * g)
    tape_grads = tape.gradient(loss, [tx, tw, tb])
    for a, n, t in zip(got, fd, tape_grads, strict=True):
        assert relative_error(a, n) <= FD_TOL
        np.testing.assert_allclose(a, t.numpy(), rtol=1e-12, atol=1e-12)


def test_flatten_backward_puts_numbers_back_in_keras_order(tf, keras):
    rng = _rng(3)
    x = rng.normal(size=(2, 3, 2, 4)).astype(np.float32)
    g = rng.normal(size=(2, 24)).astype(np.float32)
    out, cache = layers.flatten_forward(x)
    np.testing.assert_array_equal(out, np.asarray(keras.layers.Flatten()(x)))
    got = layers.flatten_backward(g, cache)
    numerical = numerical_gradient(lambda v: np.sum(v.reshape(2, -1) * g), x)
    assert relative_error(got, numerical) <= 1e-4  # float32 g
    tx = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(keras.layers.Flatten()(tx) * g)
    np.testing.assert_array_equal(got, tape.gradient(loss, tx).numpy())


# --------------------------------------------------------------------------- softmax + CE
@SETTINGS
@given(st.integers(1, 5), st.integers(2, 10), st.integers(0, 2**16))
def test_softmax_cross_entropy_gradient_is_p_minus_y_over_n(tf, keras, N, K, seed):
    rng = _rng(seed)
    # moderate scores: an entry of p near 1e-6 would be below finite differences' noise
    scores = rng.normal(size=(N, K))
    labels = rng.integers(0, K, N)
    loss = layers.softmax_cross_entropy(scores, labels)
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(
        labels, scores)
    assert loss == pytest.approx(float(keras_loss), rel=1e-5)  # Keras computes in float32
    got = _ce_gradient(scores, labels)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(got, (p - np.eye(K)[labels]) / N, atol=1e-12)
    numerical = numerical_gradient(
        lambda v: layers.softmax_cross_entropy(v, labels), scores)
    assert relative_error(got, numerical) <= FD_TOL
    ts = tf.Variable(scores)
    with tf.GradientTape() as tape:
        tl = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, ts))
    np.testing.assert_allclose(got, tape.gradient(tl, ts).numpy(), atol=1e-12)


def test_softmax_cross_entropy_does_not_overflow():
    scores = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    assert layers.softmax_cross_entropy(scores, [0, 1]) == pytest.approx(500.0)
    assert np.all(np.isfinite(_ce_gradient(scores, [0, 1])))


def test_grad_loss_scales_the_gradient(tf):
    # L = 2.5 * loss: dL/dscores = 2.5 * (p - y) / N, by the chain rule
    rng = _rng(7)
    scores, labels = rng.normal(size=(4, 3)), rng.integers(0, 3, 4)
    got = _ce_gradient(scores, labels, 2.5)
    np.testing.assert_allclose(got, 2.5 * _ce_gradient(scores, labels), rtol=1e-15)
    numerical = numerical_gradient(
        lambda v: 2.5 * layers.softmax_cross_entropy(v, labels), scores)
    assert relative_error(got, numerical) <= FD_TOL
    ts = tf.Variable(scores)
    with tf.GradientTape() as tape:
        tl = 2.5 * tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels, ts))
    np.testing.assert_allclose(got, tape.gradient(tl, ts).numpy(), atol=1e-12)
    np.testing.assert_array_equal(_ce_gradient(scores, labels, 0), np.zeros((4, 3)))
    for same in (np.float32(2.5), np.array(2.5), 5 / 2):
        np.testing.assert_array_equal(_ce_gradient(scores, labels, same), got)


# ------------------------------------------------------------------------ forward = plain
def test_each_forward_returns_what_the_plain_function_returns():
    rng = _rng(8)
    x = rng.normal(size=(3, 4, 2, 5))
    out, cache = layers.relu_forward(x)
    np.testing.assert_array_equal(out, layers.relu(x))
    assert cache.out_shape == x.shape
    out, cache = layers.flatten_forward(x)
    for n in range(3):
        np.testing.assert_array_equal(out[n], layers.flatten(x[n]))
    assert out.shape == cache.out_shape == (3, 40)
    w, b = rng.normal(size=(40, 6)), rng.normal(size=6)
    dense_out, cache = layers.dense_forward(out, w, b)
    np.testing.assert_array_equal(dense_out, layers.dense(out, w, b))
    assert cache.out_shape == (3, 6)
    labels = [0, 5, 2]
    loss, cache = layers.softmax_cross_entropy_forward(dense_out, labels)
    assert loss == layers.softmax_cross_entropy(dense_out, labels)
    assert isinstance(loss, float) and cache.out_shape == ()
    np.testing.assert_allclose(cache.probabilities, layers.softmax(dense_out), atol=1e-15)


def test_flatten_forward_copies():
    x = np.zeros((2, 3, 3, 1))
    out, _ = layers.flatten_forward(x)
    out[0, 0] = 1.0
    assert x[0, 0, 0, 0] == 0.0


# --------------------------------------------------------------------------- dtypes
def test_backward_passes_keep_float32_and_widen_mixed_inputs():
    rng = _rng(9)
    x32 = rng.normal(size=(3, 4)).astype(np.float32)
    w32, b32 = (rng.normal(size=s).astype(np.float32) for s in ((4, 2), (2,)))
    g32 = rng.normal(size=(3, 2)).astype(np.float32)
    _, cache = layers.dense_forward(x32, w32, b32)
    assert all(a.dtype == np.float32 for a in layers.dense_backward(g32, cache))
    assert all(a.dtype == np.float64
               for a in layers.dense_backward(g32.astype(np.float64), cache))
    _, cache = layers.dense_forward(x32.astype(np.float64), w32, b32)
    assert all(a.dtype == np.float64 for a in layers.dense_backward(g32, cache))
    _, cache = layers.relu_forward(x32)
    assert layers.relu_backward(np.ones((3, 4), np.float32), cache).dtype == np.float32
    assert layers.relu_backward(np.ones((3, 4)), cache).dtype == np.float64
    _, cache = layers.relu_forward(x32.astype(np.float64))
    assert layers.relu_backward(np.ones((3, 4), np.float32), cache).dtype == np.float64
    assert layers.relu_backward(np.ones((3, 4), int), cache).dtype == np.float64
    _, cache = layers.flatten_forward(x32[:, :, None])
    assert layers.flatten_backward(x32, cache).dtype == np.float32
    assert _ce_gradient(x32, [0, 1, 3]).dtype == np.float32
    assert _ce_gradient(x32.astype(np.float64), [0, 1, 3]).dtype == np.float64
    assert _ce_gradient(np.ones((2, 3), int), [0, 1]).dtype == np.float64


# --------------------------------------------------------------------------- bad input
X = np.ones((1, 4, 4, 2))


def _dense_cache():
    return layers.dense_forward(np.ones((2, 3)), np.ones((3, 5)), np.ones(5))[1]


@pytest.mark.parametrize("call, match", [
    (lambda: layers.relu_backward(np.ones((3, 2)),
                                  layers.relu_forward(np.ones((2, 3)))[1]),
     r"`grad_out` has shape \(3, 2\) but the output of relu has shape \(2, 3\)"),
    (lambda: layers.relu_forward(None), r"`x` is None"),
    (lambda: layers.flatten_backward(np.ones((1, 16)), layers.flatten_forward(X)[1]),
     r"`grad_out` has shape \(1, 16\) but the output of flatten has shape \(1, 32\)"),
    (lambda: layers.dense_forward(np.ones((2, 3)), np.ones((4, 5)), np.ones(5)),
     r"`x` has 3 inputs but `weights` has shape \(4, 5\)"),
    (lambda: layers.dense_backward(np.ones((5, 2)), _dense_cache()),
     r"`grad_out` has shape \(5, 2\) but the output of dense has shape \(2, 5\)"),
    (lambda: layers.dense_backward(np.full((2, 5), np.nan), _dense_cache()),
     r"`grad_out` contains NaN"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), [0, 3]), r"`labels` must"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), [0.5, 1]), r"`labels`"),
    (lambda: layers.softmax_cross_entropy_forward(np.ones((2, 3)), [0, 1, 2]),
     r"`labels` has shape \(3,\) but `scores` has shape \(2, 3\)"),
    (lambda: layers.softmax_cross_entropy_forward(np.ones(3), [0]), r"`scores`"),
])
def test_bad_input_gets_a_clear_error(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


@pytest.mark.parametrize("call, error, match", [
    (lambda: layers.flatten_forward(np.ones(5)), ValueError, r"`x` must have 2"),
    (lambda: layers.flatten_forward(np.full((2, 2), np.inf)), ValueError,
     r"`x` contains NaN"),
    (lambda: layers.dense_forward(np.ones(3), np.ones((3, 5)), np.ones(5)), ValueError,
     r"`x` must have 2 dimensions"),
    (lambda: layers.dense_forward(np.ones((2, 3)), np.ones((3, 5)), np.ones(4)),
     ValueError, r"`bias` has shape \(4,\) but `weights` has 5 units"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), [[0, 1], [1]]), TypeError,
     r"`labels` must be a flat list"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), [True, False]), TypeError,
     r"`labels` must hold class numbers"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), None), TypeError,
     r"`labels` is None"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), np.eye(3)[[0, 1]]),
     ValueError, r"look like probabilities.*labels.argmax\(axis=1\)"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), [[0], [1]]), ValueError,
     r"`labels` must be one class per item, shape \(N,\), got shape \(2, 1\)"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), [0, np.nan]), ValueError,
     r"`labels` must hold whole class numbers"),
    (lambda: layers.softmax_cross_entropy(np.ones((2, 3)), [0, -1]), ValueError,
     r"`labels` holds class -1, outside 0..2"),
    (lambda: _ce_gradient(np.ones((2, 3)), [0, 1], np.nan), ValueError,
     r"`grad_loss` must be a finite number, got nan"),
    (lambda: _ce_gradient(np.ones((2, 3)), [0, 1], "1"), TypeError,
     r"`grad_loss` must be a number"),
    (lambda: _ce_gradient(np.ones((2, 3)), [0, 1], np.ones((2, 3))), TypeError,
     r"`grad_loss` must be a number"),
    (lambda: _ce_gradient(np.ones((2, 3)), [0, 1], True), TypeError,
     r"`grad_loss` must be a number"),
    (lambda: _ce_gradient(np.ones((2, 3)), [0, 1], None), TypeError,
     r"`grad_loss` must be a number"),
])
def test_more_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_labels_may_be_whole_floats_or_any_integer_type():
    scores = _rng(10).normal(size=(3, 4))
    expected = layers.softmax_cross_entropy(scores, [0, 3, 1])
    for labels in ([0.0, 3.0, 1.0], np.array([0, 3, 1], np.uint8), (0, 3, 1)):
        assert layers.softmax_cross_entropy(scores, labels) == expected


def _other_caches():
    x = np.ones((2, 3))
    return {
        "relu_backward": layers.relu_forward(x)[1],
        "flatten_backward": layers.flatten_forward(x)[1],
        "dense_backward": _dense_cache(),
        "softmax_cross_entropy_backward":
            layers.softmax_cross_entropy_forward(x, [0, 1])[1],
    }


@pytest.mark.parametrize("backward, forward, cache_name", [
    ("relu_backward", "relu_forward", "ReluCache"),
    ("flatten_backward", "flatten_forward", "FlattenCache"),
    ("dense_backward", "dense_forward", "DenseCache"),
    ("softmax_cross_entropy_backward", "softmax_cross_entropy_forward", "LossCache"),
])
def test_a_wrong_cache_is_a_type_error_naming_the_forward(backward, forward,
                                                         cache_name):
    function = getattr(layers, backward)
    caches = _other_caches()
    own = caches.pop(backward)
    grad = 1.0 if backward.startswith("softmax") else np.ones(own.out_shape)
    wrongs = [(cache, type(cache).__name__) for cache in caches.values()] + [
        (np.ones((2, 3)), "ndarray"), (None, "NoneType"),
        (tuple(own), "tuple"),  # the same fields, not the forward's cache
        ((np.ones((2, 3)), own), "tuple"),  # the forward's (out, cache), not unpacked
    ]
    for wrong, type_name in wrongs:
        message = (f"`cache` must be what {forward} returned (a {cache_name}), "
                   f"got {type_name}")
        with pytest.raises(TypeError, match=re.escape(message)):
            function(grad, wrong)
    function(grad, own)  # and its own cache passes


def test_inputs_are_not_modified():
    rng = _rng(4)
    x, g = rng.normal(size=(1, 4, 4, 2)), rng.normal(size=(1, 4, 4, 2))
    w, b, gd = rng.normal(size=(32, 3)), rng.normal(size=3), rng.normal(size=(1, 3))
    labels = np.array([2])
    arrays = (x, g, w, b, gd, labels)
    copies = [a.copy() for a in arrays]
    layers.relu_backward(g, layers.relu_forward(x)[1])
    flat, cache = layers.flatten_forward(x)
    layers.flatten_backward(g.reshape(1, -1), cache)
    scores, cache = layers.dense_forward(flat, w, b)
    layers.dense_backward(gd, cache)
    loss, cache = layers.softmax_cross_entropy_forward(scores, labels)
    layers.softmax_cross_entropy_backward(1.0, cache)
    layers.softmax_cross_entropy_backward(1.0, cache)  # the cache is not used up
    np.testing.assert_array_equal(_ce_gradient(scores, labels),
                                  layers.softmax_cross_entropy_backward(1.0, cache))
    for a, c in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, c)


# ------------------------------------------------- the forward passes, by hand and Keras
def test_activations_by_hand():
    np.testing.assert_array_equal(layers.relu([-2.0, 0.0, 3.0]), [0, 0, 3])
    np.testing.assert_allclose(layers.sigmoid([0.0]), [0.5])
    np.testing.assert_allclose(layers.sigmoid([-1000.0, 1000.0]), [0.0, 1.0])
    np.testing.assert_allclose(layers.softmax([0.0, np.log(3.0)]), [0.25, 0.75])


def test_softmax_is_stable_for_large_inputs():
    result = layers.softmax([1000.0, 1001.0])
    assert np.all(np.isfinite(result))
    assert result.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(result, [1 / (1 + np.e), np.e / (1 + np.e)])


def test_flatten_and_dense_by_hand():
    x = np.arange(8.0).reshape(2, 2, 2)
    np.testing.assert_array_equal(layers.flatten(x), np.arange(8.0))
    weights = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(
        layers.dense([1.0, 2.0, 3.0], weights, [0.5, -0.5]), [4.5, 4.5])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=20))
def test_softmax_is_a_distribution_and_shift_invariant(values):
    p = layers.softmax(values)
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(layers.softmax(np.asarray(values) + 123.0), p, atol=1e-12)


def test_flatten_and_dense_match_keras(keras):
    x = RNG.normal(size=(3, 4, 5, 6)).astype(np.float32)
    expected = np.asarray(keras.layers.Flatten()(x))
    for n in range(3):
        np.testing.assert_array_equal(layers.flatten(x[n]), expected[n])
    layer = keras.layers.Dense(7)
    out = np.asarray(layer(expected))
    weights, bias = (np.asarray(w) for w in layer.get_weights())
    np.testing.assert_allclose(layers.dense(expected, weights, bias), out, atol=1e-5)


def test_activations_match_keras(keras):
    x = RNG.normal(scale=5, size=(4, 10)).astype(np.float32)
    ops = keras.ops
    np.testing.assert_allclose(layers.relu(x), np.asarray(ops.relu(x)))
    np.testing.assert_allclose(layers.sigmoid(x), np.asarray(ops.sigmoid(x)), atol=1e-6)
    np.testing.assert_allclose(layers.softmax(x), np.asarray(ops.softmax(x)), atol=1e-6)


@pytest.mark.parametrize("call, error, words", [
    (lambda: layers.dense(np.ones(3), np.ones((4, 2)), np.ones(2)), ValueError, "`weights`"),
    (lambda: layers.dense(np.ones(3), np.ones((3, 2)), np.ones(3)), ValueError, "`bias`"),
    (lambda: layers.softmax([1.0, 2.0], axis=3), ValueError, "`axis`"),
])
def test_forward_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_import_helpers_does_not_import_tensorflow():
    import subprocess
    import sys

    code = "import sys, helpers, helpers.layers; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_softmax_door_widens_float16_and_takes_numpy_integer_axes():
    # float16 is computed in a wider type; numpy integers are ints
    assert np.allclose(layers.softmax(np.array([0.0, 11.0], np.float16)).sum(), 1)
    assert layers.softmax(np.array([0.0, 11.0], np.float16)).dtype == np.float32
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(layers.softmax(x, axis=np.int64(0)),
                               layers.softmax(x, axis=0))
    with pytest.raises(TypeError, match="`axis`"):
        layers.softmax(x, axis=True)
    with pytest.raises(TypeError, match="`axis`"):
        layers.softmax(x, axis=1.0)
    with pytest.raises(ValueError, match=r"`axis` must be an int in \[-2, 1\], got -3"):
        layers.softmax(x, axis=-3)


def test_relu_and_sigmoid_let_nan_through_as_today():
    x = np.array([np.nan, -1.0, 2.0])
    assert np.isnan(layers.relu(x)[0]) and np.isnan(layers.sigmoid(x)[0])
    assert np.isnan(layers.relu_forward(x)[0][0])
    np.testing.assert_array_equal(layers.relu(np.array(-3)), 0.0)  # 0-d is any shape
    with pytest.raises(ValueError, match="`x` contains NaN"):
        layers.softmax(x)
    with pytest.raises(ValueError, match="`x` contains NaN"):
        layers.flatten(x)


def test_sigmoid_never_overflows():
    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(over="raise"):  # a naive 1 / (1 + exp(-x)) overflows at -1000
        got = layers.sigmoid(x)
        got32 = layers.sigmoid(x.astype(np.float32))
    np.testing.assert_allclose(got, [0.0, 9.357622968839299e-14, 0.5,
                                     1 - 9.357622968839299e-14, 1.0], rtol=1e-12)
    assert got32.dtype == np.float32 and np.all(np.isfinite(got32))
