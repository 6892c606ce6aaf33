"""helpers.backprop: every backward pass against two independent oracles.

Finite differences (`helpers.gradcheck`, float64, relative error <= 1e-6) and
TensorFlow's ``GradientTape`` on the same inputs, over random shapes, strides and
paddings (hypothesis); the loop versions against the vectorized ones; max-pool ties as
TensorFlow breaks them; bad input.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import backprop
from helpers.backprop import network
from helpers.gradcheck import numerical_gradient, relative_error
from helpers.layers import conv2d_layer, max_pool2d_layer

FD_TOL = 1e-6
# Conv, dense and flatten are linear in each argument, so a centred difference has no
# truncation error at any step: a large step keeps float64 rounding noise far below the
# tolerance even where a gradient entry nearly cancels. Max pool and ReLU are piecewise
# linear (a small step stays on one piece); softmax cross-entropy is curved.
LINEAR_EPS = 1e-2
SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _rng(seed):
    return np.random.default_rng(seed)


def _tf_padding(padding):
    if isinstance(padding, str):
        return padding.upper()
    return [[0, 0], [padding, padding], [padding, padding], [0, 0]]


@st.composite
def conv_cases(draw):
    """A small conv layer: (x, kernel, bias, grad_out seed, stride, padding)."""
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


# --------------------------------------------------------------------------- conv
@SETTINGS
@given(conv_cases())
def test_conv_backward_agrees_with_finite_differences_and_loops(case):
    x, kernel, bias, stride, padding, rng = case
    out = conv2d_layer(x, kernel, bias, stride, padding)
    g = rng.normal(size=out.shape)

    def loss_x(v):
        return np.sum(conv2d_layer(v, kernel, bias, stride, padding) * g)

    def loss_k(v):
        return np.sum(conv2d_layer(x, v, bias, stride, padding) * g)

    def loss_b(v):
        return np.sum(conv2d_layer(x, kernel, v, stride, padding) * g)

    grads = backprop.conv2d_layer_backward(x, kernel, g, stride, padding)
    loops = backprop.conv2d_layer_backward_loops(x, kernel, g, stride, padding)
    for f, point, got, loop in zip((loss_x, loss_k, loss_b), (x, kernel, bias),
                                   grads, loops, strict=True):
        assert got.shape == point.shape and got.dtype == np.float64
        assert relative_error(got, numerical_gradient(f, point, LINEAR_EPS)) <= FD_TOL
        np.testing.assert_allclose(got, loop, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(conv_cases())
def test_conv_backward_agrees_with_gradient_tape(tf, case):
    x, kernel, bias, stride, padding, rng = case
    out = conv2d_layer(x, kernel, bias, stride, padding)
    g = rng.normal(size=out.shape)
    tx, tk, tb = (tf.Variable(a) for a in (x, kernel, bias))
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(tx, tk, stride, _tf_padding(padding)) + tb
        loss = tf.reduce_sum(y * g)
    expected = tape.gradient(loss, [tx, tk, tb])
    got = backprop.conv2d_layer_backward(x, kernel, g, stride, padding)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-9, atol=1e-9)


def test_conv_backward_keeps_float32():
    rng = _rng(0)
    x = rng.normal(size=(2, 5, 5, 2)).astype(np.float32)
    k = rng.normal(size=(3, 3, 2, 4)).astype(np.float32)
    g = rng.normal(size=(2, 5, 5, 4)).astype(np.float32)
    grads = backprop.conv2d_layer_backward(x, k, g, 1, "same")
    assert all(a.dtype == np.float32 for a in grads)
    loops = backprop.conv2d_layer_backward_loops(x, k, g, 1, "same")
    for a, b in zip(grads, loops, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_conv_input_gradient_is_a_full_convolution_with_the_flipped_kernel():
    # stride 1, valid, one channel: grad_x = correlate(pad(g, k - 1), flip(kernel))
    from helpers.layers import conv2d

    rng = _rng(1)
    x, k, g = rng.normal(size=(1, 5, 6, 1)), rng.normal(size=(3, 2, 1, 1)), None
    g = rng.normal(size=(1, 3, 5, 1))
    grad_x, grad_k, _ = backprop.conv2d_layer_backward(x, k, g)
    full = conv2d(np.pad(g[0, :, :, 0], ((2, 2), (1, 1))), k[::-1, ::-1, 0, 0])
    np.testing.assert_allclose(grad_x[0, :, :, 0], full, atol=1e-12)
    np.testing.assert_allclose(grad_k[:, :, 0, 0], conv2d(x[0, :, :, 0], g[0, :, :, 0]),
                               atol=1e-12)


# --------------------------------------------------------------------------- max pool
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
    out = max_pool2d_layer(x, size, stride)
    g = rng.normal(size=out.shape)
    got = backprop.max_pool2d_layer_backward(x, g, size, stride)
    np.testing.assert_allclose(got, backprop.max_pool2d_layer_backward_loops(
        x, g, size, stride), rtol=1e-12, atol=1e-12)
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
    g = rng.normal(size=max_pool2d_layer(x, size, stride).shape)
    numerical = numerical_gradient(
        lambda v: np.sum(max_pool2d_layer(v, size, stride) * g), x, eps=1e-2)
    got = backprop.max_pool2d_layer_backward(x, g, size, stride)
    assert relative_error(got, numerical) <= FD_TOL


def test_max_pool_tie_goes_to_the_first_maximum_in_row_major_order(tf):
    # windows: [[1, 3], [3, 2]] -> (0, 1); [[3, 0], [1, 1]] -> (0, 2);
    # [[5, 5], [5, 5]] -> (2, 0); [[2, 2], [2, 2]] -> (2, 2)
    x = np.array([[1, 3, 3, 0], [3, 2, 1, 1], [5, 5, 2, 2], [5, 5, 2, 2]], float)
    g = np.array([[1.0, 10.0], [100.0, 1000.0]])
    expected = np.zeros((4, 4))
    expected[0, 1], expected[0, 2], expected[2, 0], expected[2, 2] = 1, 10, 100, 1000
    got = backprop.max_pool2d_layer_backward(x[None, :, :, None], g[None, :, :, None])
    np.testing.assert_array_equal(got[0, :, :, 0], expected)
    tx = tf.Variable(x[None, :, :, None])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.max_pool2d(tx, 2, 2, "VALID") * g[None, :, :, None])
    np.testing.assert_array_equal(tape.gradient(loss, tx).numpy()[0, :, :, 0], expected)


def test_overlapping_windows_add_up_at_a_shared_maximum():
    x = np.zeros((1, 3, 3, 1))
    x[0, 1, 1, 0] = 9.0  # the maximum of all four 2x2 windows of stride 1
    g = np.arange(1.0, 5.0).reshape(1, 2, 2, 1)
    got = backprop.max_pool2d_layer_backward(x, g, 2, 1)
    assert got[0, 1, 1, 0] == 10.0 and np.count_nonzero(got) == 1


# --------------------------------------------------------------------------- relu
def test_relu_backward_is_a_mask_on_the_input(tf):
    x = np.array([[-2.0, 0.0, 0.5], [3.0, -1e-9, 1e-9]])
    g = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    got = backprop.relu_backward(x, g)
    np.testing.assert_array_equal(got, [[0, 0, 3], [4, 0, 6]])  # 0 at x == 0
    tx = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.relu(tx) * g)
    np.testing.assert_array_equal(got, tape.gradient(loss, tx).numpy())
    rng = _rng(2)
    x = rng.normal(size=(2, 3, 3, 2))
    g = rng.normal(size=x.shape)
    numerical = numerical_gradient(lambda v: np.sum(np.maximum(v, 0) * g), x)
    assert relative_error(backprop.relu_backward(x, g), numerical) <= FD_TOL


# --------------------------------------------------------------------------- dense, flatten
@SETTINGS
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**16))
def test_dense_backward_agrees_with_finite_differences_and_tape(tf, N, n_in, units,
                                                                seed):
    rng = _rng(seed)
    x, w, b = rng.normal(size=(N, n_in)), rng.normal(size=(n_in, units)), rng.normal(
        size=units)
    g = rng.normal(size=(N, units))
    got = backprop.dense_backward(x, w, g)
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
    got = backprop.flatten_backward(x, g)
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
    loss = backprop.softmax_cross_entropy(scores, labels)
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(
        labels, scores)
    assert loss == pytest.approx(float(keras_loss), rel=1e-5)  # Keras computes in float32
    got = backprop.softmax_cross_entropy_backward(scores, labels)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(got, (p - np.eye(K)[labels]) / N, atol=1e-12)
    numerical = numerical_gradient(
        lambda v: backprop.softmax_cross_entropy(v, labels), scores)
    assert relative_error(got, numerical) <= FD_TOL
    ts = tf.Variable(scores)
    with tf.GradientTape() as tape:
        tl = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, ts))
    np.testing.assert_allclose(got, tape.gradient(tl, ts).numpy(), atol=1e-12)


def test_softmax_cross_entropy_does_not_overflow():
    scores = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    assert backprop.softmax_cross_entropy(scores, [0, 1]) == pytest.approx(500.0)
    assert np.all(np.isfinite(backprop.softmax_cross_entropy_backward(scores, [0, 1])))


# --------------------------------------------------------------------------- bad input
X = np.ones((1, 4, 4, 2))


@pytest.mark.parametrize("call, match", [
    (lambda: backprop.conv2d_layer_backward(X, np.ones((3, 3, 2, 5)),
                                            np.ones((1, 4, 4, 4)), 1, "same"),
     r"`grad_out` has shape \(1, 4, 4, 4\) but the output of conv2d_layer has shape "
     r"\(1, 4, 4, 5\)"),
    (lambda: backprop.conv2d_layer_backward(X, np.ones((3, 3, 2, 5)),
                                            np.ones((4, 4, 5))),
     r"`grad_out` has shape \(4, 4, 5\) but .* \(1, 2, 2, 5\)"),
    (lambda: backprop.conv2d_layer_backward(X, np.ones((3, 3, 1, 5)),
                                            np.ones((1, 2, 2, 5))), r"`kernel`"),
    (lambda: backprop.conv2d_layer_backward(X[0], np.ones((3, 3, 2, 5)),
                                            np.ones((1, 2, 2, 5))), r"`x` must have 4"),
    (lambda: backprop.conv2d_layer_backward(X, np.ones((3, 3, 2, 5)),
                                            np.ones((1, 2, 2, 5)), 0), r"`stride`"),
    (lambda: backprop.conv2d_layer_backward(X, np.ones((3, 3, 2, 5)),
                                            np.ones((1, 2, 2, 5)), 1, "full"),
     r"`padding`"),
    (lambda: backprop.conv2d_layer_backward_loops(X, np.ones((3, 3, 2, 5)),
                                                  np.ones((1, 3, 3, 5))),
     r"`grad_out` has shape \(1, 3, 3, 5\) .* \(1, 2, 2, 5\)"),
    (lambda: backprop.max_pool2d_layer_backward(X, np.ones((1, 4, 4, 2))),
     r"`grad_out` has shape \(1, 4, 4, 2\) but the output of max_pool2d_layer has "
     r"shape \(1, 2, 2, 2\)"),
    (lambda: backprop.max_pool2d_layer_backward(X, np.ones((1, 1, 1, 2)), 5),
     r"`size` 5 is larger"),
    (lambda: backprop.max_pool2d_layer_backward_loops(X, "abc"), r"`grad_out` must"),
    (lambda: backprop.relu_backward(np.ones((2, 3)), np.ones((3, 2))),
     r"`grad_out` has shape \(3, 2\) but the output of relu has shape \(2, 3\)"),
    (lambda: backprop.relu_backward(None, np.ones(2)), r"`x` is None"),
    (lambda: backprop.flatten_backward(X, np.ones((1, 16))),
     r"`grad_out` has shape \(1, 16\) but the output of flatten has shape \(1, 32\)"),
    (lambda: backprop.dense_backward(np.ones((2, 3)), np.ones((4, 5)), np.ones((2, 5))),
     r"`x` has 3 inputs but `weights` has shape \(4, 5\)"),
    (lambda: backprop.dense_backward(np.ones((2, 3)), np.ones((3, 5)), np.ones((5, 2))),
     r"`grad_out` has shape \(5, 2\) but the output of dense has shape \(2, 5\)"),
    (lambda: backprop.dense_backward(np.ones((2, 3)), np.ones((3, 5)),
                                     np.full((2, 5), np.nan)), r"`grad_out` contains NaN"),
    (lambda: backprop.softmax_cross_entropy(np.ones((2, 3)), [0, 3]), r"`labels` must"),
    (lambda: backprop.softmax_cross_entropy(np.ones((2, 3)), [0.5, 1]), r"`labels`"),
    (lambda: backprop.softmax_cross_entropy_backward(np.ones((2, 3)), [0, 1, 2]),
     r"`labels` has shape \(3,\) but `scores` has shape \(2, 3\)"),
    (lambda: backprop.softmax_cross_entropy_backward(np.ones(3), [0]), r"`scores`"),
])
def test_bad_input_gets_a_clear_error(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_inputs_are_not_modified():
    rng = _rng(4)
    x, k, g = rng.normal(size=(1, 4, 4, 2)), rng.normal(size=(3, 3, 2, 2)), None
    g = rng.normal(size=(1, 4, 4, 2))
    copies = [a.copy() for a in (x, k, g)]
    backprop.conv2d_layer_backward(x, k, g, 1, "same")
    backprop.max_pool2d_layer_backward(x, g[:, :2, :2], 2)
    backprop.relu_backward(x, g)
    for a, b in zip((x, k, g), copies, strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- network
def _small_cnn(keras):
    layers = keras.layers
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(3, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.0),
        layers.Dense(5, activation="relu"),
        layers.Dense(3, activation="softmax"),
    ])


@pytest.fixture
def keras64(keras):
    """Keras computing in float64 for one test (every layer, the input included)."""
    # the policy too: once a layer exists, Keras keeps the policy it derived from floatx
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    try:
        yield keras
    finally:
        keras.config.set_floatx("float32")
        keras.config.set_dtype_policy("float32")


def test_network_gradients_agree_with_gradient_tape_and_finite_differences(tf, keras64):
    model = _small_cnn(keras64)
    specs = network.layer_specs(model)
    params = [w.astype(np.float64) for w in model.get_weights()]
    rng = _rng(5)
    x = rng.uniform(size=(4, 8, 8, 1))
    y = rng.integers(0, 3, 4)
    loss, grads = network.loss_and_gradients(specs, params, x, y)
    with tf.GradientTape() as tape:  # the loss in float64 (Keras' losses use float32)
        probs = model(x)
        tape_loss = -tf.reduce_mean(tf.math.log(tf.gather(probs, y, batch_dims=1)))
    tape_grads = tape.gradient(tape_loss, model.trainable_variables)
    assert loss == pytest.approx(float(tape_loss), rel=1e-9)
    for a, b in zip(grads, tape_grads, strict=True):
        assert relative_error(a, b.numpy()) < 1e-6 or np.allclose(a, b.numpy(),
                                                                  atol=1e-12)
    # finite differences on the first conv layer's bias and a slice of the dense weights
    assert params[0].dtype == np.float64
    for index in (1, 6):
        def f(v, index=index):
            trial = list(params)
            trial[index] = v
            return network.loss_and_gradients(specs, trial, x, y)[0]
        assert relative_error(grads[index], numerical_gradient(f, params[index])) \
            <= FD_TOL


def test_sgd_step_matches_keras_train_on_batch(keras):
    model = _small_cnn(keras)
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss="sparse_categorical_crossentropy")
    specs = network.layer_specs(model)
    params = [w.copy() for w in model.get_weights()]
    rng = _rng(6)
    for _ in range(3):
        x = rng.uniform(size=(8, 8, 8, 1)).astype(np.float32)
        y = rng.integers(0, 3, 8)
        ours = network.sgd_step(specs, params, x, y, 0.1)
        theirs = model.train_on_batch(x, y)
        assert ours == pytest.approx(float(np.ravel(theirs)[0]), rel=1e-5)
    for a, b in zip(params, model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_layer_specs_refuse_what_they_cannot_train(keras):
    model = keras.Sequential([keras.Input(shape=(4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dropout(0.5),
                              keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="dropout rate 0.5"):
        network.layer_specs(model)
    model = keras.Sequential([keras.Input(shape=(4,)),
                              keras.layers.Dense(2, activation="relu")])
    with pytest.raises(ValueError, match="softmax"):
        network.layer_specs(model)
    with pytest.raises(TypeError, match="`model`"):
        network.layer_specs("model")


# --------------------------------------------------------------------------- self-checks
def _pool_loop(x, g):
    out = np.zeros_like(x, dtype=float)
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            w = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            a, b = np.unravel_index(np.argmax(w), w.shape)
            out[2 * i + a, 2 * j + b] += g[i, j]
    return out


def _pool_all_positions(x, g):
    out = np.zeros_like(x, dtype=float)
    out[:2 * g.shape[0], :2 * g.shape[1]] = np.kron(g, np.ones((2, 2)))
    return out


def _pool_every_tied_max(x, g):
    out = np.zeros_like(x, dtype=float)
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            w = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            out[2 * i:2 * i + 2, 2 * j:2 * j + 2] += (w == w.max()) * g[i, j]
    return out


def _pool_last_max(x, g):
    flipped = _pool_loop(x[::-1, ::-1][-2 * g.shape[0]:, -2 * g.shape[1]:],
                         g[::-1, ::-1]) if x.shape[0] % 2 == 0 and x.shape[1] % 2 == 0 \
        else _pool_loop(x, g)
    return flipped[::-1, ::-1] if flipped.shape == x.shape else flipped


def _not_done(*args):
    raise NotImplementedError


@pytest.mark.parametrize("check, right, wrongs", [
    ("check_relu_backward",
     [lambda x, g: np.where(x > 0, g, 0), lambda x, g: g * (np.asarray(x) > 0)],
     [lambda x, g: np.where(x >= 0, g, 0),  # slope 1 at 0
      lambda x, g: np.maximum(g, 0),  # mask from the gradient
      lambda x, g: g * np.maximum(x, 0),  # times the output values
      lambda x, g: np.where(x > 0, 1.0, 0.0),  # forgets the upstream gradient
      lambda x, g: g]),
    ("check_max_pool_backward",
     [_pool_loop, lambda x, g: _pool_loop(np.array(x).tolist() and np.asarray(x), g)],
     [_pool_all_positions, lambda x, g: _pool_all_positions(x, g) / 4,
      _pool_every_tied_max, _pool_last_max,
      lambda x, g: _pool_loop(np.maximum(x, 0), g),  # mask by x > 0 first
      lambda x, g: np.kron(g, np.ones((2, 2)))]),  # wrong shape on odd sizes
    ("check_dense_weight_grad",
     [lambda x, g: x.T @ g, lambda x, g: np.einsum("ni,nu->iu", x, g)],
     [lambda x, g: g.T @ x,  # transposed
      lambda x, g: np.outer(x[0], g[0]),  # first image only
      lambda x, g: x.T @ g / len(x),  # mean, not sum
      lambda x, g: x.T @ np.ones_like(g),
      lambda x, g: (x.T @ g).T]),
])
def test_checks_accept_right_and_reject_wrong_answers(check, right, wrongs, capsys):
    from helpers import checks

    fn = getattr(checks, check)
    for answer in right:
        assert fn(answer), capsys.readouterr().out
    for answer in wrongs:
        assert not fn(answer)
        assert "❌" in capsys.readouterr().out
    result = fn(_not_done)
    assert not result and "not done yet" in result.message
    assert not fn("not a function")


# --------------------------------------------------------------------------- twin, BLAS, bench
def test_keras_twin_is_the_series_cnn_without_dropout_and_narrower(keras):
    from helpers import cnn

    model = cnn.build_model(keras)
    twin = network.keras_twin(keras, model, shrink=4)
    kinds = [type(layer).__name__ for layer in twin.layers]
    assert kinds == [type(layer).__name__ for layer in model.layers]
    widths = [w.shape[-1] for w in twin.get_weights()[::2]]
    original = [w.shape[-1] for w in model.get_weights()[::2]]
    assert widths[:-1] == [w // 4 for w in original[:-1]] and widths[-1] == original[-1]
    assert all(layer.get_config()["rate"] == 0 for layer in twin.layers
               if type(layer).__name__ == "Dropout")
    assert twin.layers[-1].activation.__name__ == "linear"
    assert network.layer_specs(twin)[-1]["activation"] == "linear"
    with pytest.raises(ValueError, match="`shrink`"):
        network.keras_twin(keras, model, shrink=0)


def test_blas_threads_restores_the_thread_count():
    from helpers.backprop import blas

    if blas._FUNCTIONS is None:
        pytest.skip("numpy's BLAS exposes no thread setting here")
    get, _ = blas._FUNCTIONS
    before = get()
    with blas.blas_threads(1):
        assert get() == 1
    assert get() == before


def test_bench_backprop_reports_a_ratio_and_the_layers(keras):
    from helpers.tools.bench_backprop import bench_backprop

    result = bench_backprop(batch_size=8, repeats=1, shrink=8)
    assert result["ratio"] == pytest.approx(result["numpy_s"] / result["keras_s"])
    assert result["batch"] == 8 and result["widths"]["conv1"] == 4
    assert set(result["backward_by_layer_s"]) >= {"conv1", "pool1", "conv2", "dense"}
    assert result["slowest_backward"] in result["backward_by_layer_s"]
