"""helpers.layers.keras_reader and .network: a Keras model read once, run in numpy.

Oracles: Keras itself (``model.predict``, ``train_on_batch``, count_params),
TensorFlow's ``GradientTape`` and finite differences (`helpers.gradcheck`). The reader's
steps, the refusals of what the layers cannot compute (each names the layer and the
setting), `numpy_forward`, the training chain, the deterministic twin and the ledger's
hand formulas read through the reader.
"""

import subprocess
import sys

import numpy as np
import pytest

from helpers import cnn
from helpers import layers as layers
from helpers.gradcheck import numerical_gradient, relative_error
from helpers.layers import convolution, keras_reader, network

RNG = np.random.default_rng(42)
FD_TOL = 1e-6


def _rng(seed):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------- the reader
def test_read_model_of_the_series_cnn_gives_steps_every_user_runs(keras):
    model = cnn.build_model(keras)
    steps = layers.read_model(model)
    assert [(s.kind, s.name) for s in steps] == [
        ("conv", "conv1"), ("relu", "conv1"), ("maxpool", "pool1"),
        ("conv", "conv2"), ("relu", "conv2"), ("maxpool", "pool2"),
        ("flatten", "flatten"), ("identity", "dropout"),
        ("dense", "dense"), ("relu", "dense"), ("dense", "output"), ("softmax", "output"),
    ]
    assert all(s.kind in keras_reader.KINDS for s in steps)
    assert set(network._PAIRS) == set(keras_reader.KINDS)  # every kind runs
    assert {s.layer_type for s in steps} <= set(keras_reader.KERAS_LAYERS)
    conv1 = steps[0]
    assert conv1.size == (3, 3) and conv1.stride == (1, 1) and conv1.padding == "same"
    assert steps[2].size == (2, 2) and steps[2].stride == (2, 2)
    assert steps[7].rate == cnn.DROPOUT
    weights = [w for s in steps for w in s.weights]
    assert all(isinstance(w, np.ndarray) for w in weights)
    for ours, theirs in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_read_layer_splits_a_layer_from_its_activation(keras):
    L = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(6, 6, 2)),
        L.Conv2D(3, (3, 2), strides=(1, 2), use_bias=False, activation="sigmoid",
                 name="c"),
        L.AveragePooling2D((2, 1), padding="same", name="p"),
        L.Flatten(name="f"), L.Dense(4, name="d"), L.Activation("linear", name="a"),
        L.ReLU(name="r"), L.Softmax(name="s"),
    ])
    steps = layers.read_model(model)
    assert [(s.kind, s.name, s.layer_type) for s in steps] == [
        ("conv", "c", "Conv2D"), ("sigmoid", "c", "Conv2D"),
        ("avgpool", "p", "AveragePooling2D"), ("flatten", "f", "Flatten"),
        ("dense", "d", "Dense"), ("identity", "a", "Activation"),
        ("relu", "r", "ReLU"), ("softmax", "s", "Softmax"),
    ]
    conv, _, pool = steps[:3]
    assert conv.size == (3, 2) and conv.stride == (1, 2) and len(conv.weights) == 1
    assert conv.weights[0].shape == (3, 2, 2, 3)
    assert pool.size == (2, 1) and pool.stride == (2, 1) and pool.padding == "same"
    with pytest.raises(AttributeError):  # frozen
        conv.kind = "dense"


@pytest.mark.parametrize("make, words", [
    (lambda L: L.BatchNormalization(name="bn"),
     r"layer 'bn' is a BatchNormalization, which helpers.layers does not support"),
    (lambda L: L.BatchNormalization(name="bn"),  # every layer read_layer reads, in order
     r"does not support \(supported: Conv2D, MaxPooling2D, AveragePooling2D, Flatten, "
     r"Dense, Dropout, ReLU, Activation, Softmax\)$"),
    (lambda L: L.Conv2D(2, 3, dilation_rate=2, name="c"),
     r"layer 'c' \(Conv2D\): dilation_rate=\(2, 2\) is not supported"),
    (lambda L: L.Conv2D(2, 3, groups=2, name="c"), r"groups=2"),
    (lambda L: L.MaxPooling2D(data_format="channels_first", name="p"),
     r"data_format='channels_first'"),
    (lambda L: L.Conv2D(2, 3, activation="elu", name="c"),
     r"layer 'c': activation 'elu' is not supported"),
    (lambda L: L.Activation("tanh", name="a"), r"activation 'tanh'"),
    (lambda L: L.ReLU(max_value=6.0, name="r"), r"max_value / negative_slope"),
    (lambda L: L.ReLU(negative_slope=0.1, name="r"), r"max_value / negative_slope"),
    (lambda L: L.ReLU(threshold=0.5, name="r"), r"threshold=0.5"),
    (lambda L: L.Softmax(axis=1, name="s"), r"axis=1"),
])
def test_read_layer_refuses_what_no_layer_computes_naming_it(keras, make, words):
    model = keras.Sequential([keras.Input(shape=(6, 6, 4)), make(keras.layers)])
    with pytest.raises(ValueError, match=words):
        layers.read_layer(model.layers[-1])
    with pytest.raises(ValueError, match=words):
        layers.read_model(model)


def test_read_layer_and_read_model_doors(keras):
    with pytest.raises(TypeError, match="`layer` must be a Keras layer, got str"):
        layers.read_layer("conv")
    with pytest.raises(ValueError, match="'d' has not been built yet"):
        layers.read_layer(keras.layers.Dense(2, name="d"))
    with pytest.raises(TypeError, match="`model` must be a Keras model, got list"):
        layers.read_model([])
    with pytest.raises(ValueError, match="not been built yet"):
        layers.read_model(keras.Sequential([keras.layers.Dense(2)]))


# --------------------------------------------------------------------------- numpy_forward
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


@pytest.mark.parametrize("make, words", [
    (lambda L: L.Conv2D(2, 3, strides=(1, 2), name="c"),
     r"layer 'c' \(Conv2D\): strides=\(1, 2\) is not supported by numpy_forward"),
    (lambda L: L.MaxPooling2D(2, padding="same", name="p"),
     r"layer 'p' \(MaxPooling2D\): padding='same' is not supported by numpy_forward"),
    (lambda L: L.AveragePooling2D((2, 3), name="p"),
     r"pool_size=\(2, 3\), strides=\(2, 3\) is not supported by numpy_forward"),
    (lambda L: L.MaxPooling2D(2, strides=(1, 2), name="p"),
     r"pool_size=\(2, 2\), strides=\(1, 2\)"),
])
def test_numpy_forward_refuses_what_its_layers_cannot_run(keras, make, words):
    # the ledger reads these layers (non-square strides and windows, "same" pooling);
    # numpy_forward's layers take one stride and one window side, pools no padding
    model = keras.Sequential([keras.Input(shape=(6, 6, 1)), make(keras.layers)])
    with pytest.raises(ValueError, match=words):
        layers.numpy_forward(model, np.zeros((1, 6, 6, 1)))


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


def test_numpy_forward_runs_no_bias_non_square_kernels_and_dense_on_a_feature_map(keras):
    keras.utils.set_random_seed(3)
    L = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(9, 8, 3)),
        L.Conv2D(4, (3, 2), use_bias=False, activation="relu"),
        L.Dense(5, use_bias=False), L.Flatten(), L.Dense(3), L.Softmax(),
    ])
    x = RNG.random((5, 9, 8, 3)).astype(np.float32)
    np.testing.assert_allclose(layers.numpy_forward(model, x), model.predict(x, verbose=0),
                               atol=1e-6)


def test_numpy_forward_checks_once_at_the_door_not_in_the_layers(keras, monkeypatch):
    # the door checks the images once; the layers behind it run bare (no per-batch
    # as_array, no isfinite pass over every activation)
    calls = []
    checked = convolution.as_array
    monkeypatch.setattr(convolution, "as_array",
                        lambda *a, **k: calls.append(a[1]) or checked(*a, **k))
    model = keras.Sequential([keras.Input(shape=(5, 5, 1)), keras.layers.Conv2D(2, 3)])
    layers.numpy_forward(model, np.ones((3, 5, 5, 1)), batch_size=1)
    assert calls == []
    layers.conv2d_layer(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(2))
    assert calls  # the conv layer's own door does use it


def test_numpy_forward_runs_its_layers_on_one_blas_thread(keras, monkeypatch):
    # many BLAS threads on small matrix products made it 3x slower on a busy machine
    from threadpoolctl import threadpool_info

    seen = []
    step_forward, step_backward = network._PAIRS["conv"]

    def spy(x, s, w):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return step_forward(x, s, w)

    monkeypatch.setitem(network._PAIRS, "conv", (spy, step_backward))
    model = keras.Sequential([keras.Input(shape=(5, 5, 1)), keras.layers.Conv2D(2, 3)])
    layers.numpy_forward(model, np.ones((3, 5, 5, 1)), batch_size=2)
    assert seen and set(seen) == {1}


def test_import_helpers_layers_does_not_import_tensorflow():
    code = ("import sys, helpers.layers, helpers.cnn; "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False False"


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


def test_a_branch_that_does_not_reach_the_output_is_not_run(keras):
    """Keras 3 leaves such a branch out of the model: the chain is what computes the
    output (why `chain_of_layers` needs no check of it)."""
    keras.utils.set_random_seed(3)
    inputs = keras.Input(shape=(8, 7, 2))
    keras.layers.Dense(5, name="dead_end")(inputs)  # built on the input, not used
    model = keras.Model(inputs, _small_chain(keras, inputs))
    chain = keras_reader.chain_of_layers(model)
    assert [layer.name for layer in chain] == ["conv", "pool", "flatten", "out"]
    x = RNG.random((3, 8, 7, 2)).astype(np.float32)
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


def test_numpy_forward_bad_batch_size_is_named(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="`batch_size` must be >= 1"):
        layers.numpy_forward(model, np.zeros((1, 4)), batch_size=0)


# --------------------------------------------------------------------------- training chain
def _small_cnn(keras):
    L = keras.layers
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        L.Conv2D(3, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(4, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dropout(0.0),
        L.Dense(5, activation="relu"),
        L.Dense(3, activation="softmax"),
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


def test_trainable_gives_the_steps_up_to_the_scores_and_weight_copies(keras):
    model = _small_cnn(keras)
    steps, params = layers.trainable(model)
    assert [s.kind for s in steps] == ["conv", "relu", "maxpool", "conv", "relu",
                                       "maxpool", "flatten", "identity", "dense", "relu",
                                       "dense"]  # the last softmax belongs to the loss
    weights = model.get_weights()
    assert [w.shape for w in params] == [w.shape for w in weights]
    for ours, theirs in zip(params, weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    params[0] += 1  # copies: the model's weights do not move
    np.testing.assert_array_equal(model.get_weights()[0], weights[0])


def test_network_gradients_agree_with_gradient_tape_and_finite_differences(tf, keras64):
    model = _small_cnn(keras64)
    steps, params = layers.trainable(model)
    params = [w.astype(np.float64) for w in params]
    rng = _rng(5)
    x = rng.uniform(size=(4, 8, 8, 1))
    y = rng.integers(0, 3, 4)
    loss, grads = layers.loss_and_gradients(steps, params, x, y)
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
            return layers.loss_and_gradients(steps, trial, x, y)[0]
        assert relative_error(grads[index], numerical_gradient(f, params[index])) \
            <= FD_TOL


def test_forward_and_backward_are_loss_and_gradients_split(keras64):
    model = _small_cnn(keras64)
    steps, params = layers.trainable(model)
    rng = _rng(7)
    x, y = rng.uniform(size=(3, 8, 8, 1)), rng.integers(0, 3, 3)
    scores, caches = layers.forward(steps, params, x)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, model(x).numpy(), rtol=1e-12, atol=1e-14)
    grad_scores = (probs - np.eye(3)[y]) / 3
    timings = {}
    grads = layers.backward(steps, caches, grad_scores, timings)
    _, expected = layers.loss_and_gradients(steps, params, x, y)
    for a, b in zip(grads, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert set(timings) == {layer.name for layer in model.layers}


def test_sgd_step_matches_keras_train_on_batch(keras):
    model = _small_cnn(keras)
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss="sparse_categorical_crossentropy")
    steps, params = layers.trainable(model)
    rng = _rng(6)
    for _ in range(3):
        x = rng.uniform(size=(8, 8, 8, 1)).astype(np.float32)
        y = rng.integers(0, 3, 8)
        ours = layers.sgd_step(steps, params, x, y, 0.1)
        theirs = model.train_on_batch(x, y)
        assert ours == pytest.approx(float(np.ravel(theirs)[0]), rel=1e-5)
    assert all(w.dtype == np.float32 for w in params)
    for a, b in zip(params, model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_the_training_chain_calls_each_layers_forward_and_backward(keras, monkeypatch):
    from threadpoolctl import threadpool_info

    model = _small_cnn(keras)
    steps, params = layers.trainable(model)
    seen = []
    for kind, (step_forward, step_backward) in list(network._PAIRS.items()):
        def spy_forward(x, s, w, f=step_forward, kind=kind):
            blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
            seen.append(("forward", kind, blas))
            return f(x, s, w)

        def spy_backward(g, c, f=step_backward, kind=kind):
            seen.append(("backward", kind, None))
            return f(g, c)

        monkeypatch.setitem(network._PAIRS, kind, (spy_forward, spy_backward))
    weight_gradients = convolution.conv2d_layer_weight_gradients

    def spy_first(g, c):  # a first conv layer's backward: no grad_x (the data's)
        seen.append(("backward", "conv", None))
        return weight_gradients(g, c)

    monkeypatch.setattr(convolution, "conv2d_layer_weight_gradients", spy_first)
    x = _rng(8).uniform(size=(2, 8, 8, 1)).astype(np.float32)
    layers.loss_and_gradients(steps, params, x, np.array([0, 2]))
    kinds = [s.kind for s in steps]
    assert [(d, k) for d, k, _ in seen] == [("forward", k) for k in kinds] + [
        ("backward", k) for k in kinds[::-1]]
    assert all(set(blas) <= {1} for _, _, blas in seen[:len(kinds)])  # one BLAS thread


@pytest.mark.parametrize("make, error, words", [
    (lambda k, L: [L.Flatten(), L.Dropout(0.5), L.Dense(2, activation="softmax")],
     ValueError, "dropout rate 0.5"),
    (lambda k, L: [L.Flatten(), L.Dense(2, activation="relu")], ValueError, "softmax"),
    (lambda k, L: [L.Conv2D(2, 3, strides=(1, 2), name="c"), L.Flatten(), L.Dense(2)],
     ValueError, "layer 'c': only square strides, no dilation and a bias are supported"),
    (lambda k, L: [L.Conv2D(2, 3, use_bias=False, name="c"), L.Flatten(), L.Dense(2)],
     ValueError, "layer 'c': only square strides"),
    (lambda k, L: [L.MaxPooling2D(2, padding="same", name="p"), L.Flatten(), L.Dense(2)],
     ValueError, "layer 'p': only square 'valid' pooling is supported"),
    (lambda k, L: [L.MaxPooling2D((2, 1), name="p"), L.Flatten(), L.Dense(2)],
     ValueError, "only square 'valid' pooling"),
    (lambda k, L: [L.AveragePooling2D(2, name="p"), L.Flatten(), L.Dense(2)],
     ValueError, "layer 'p' is a AveragePooling2D: not supported"),
    (lambda k, L: [L.Flatten(), L.Dense(3, activation="sigmoid", name="d"), L.Dense(2)],
     ValueError, "layer 'd': activation 'sigmoid' is not supported"),
    (lambda k, L: [L.Flatten(), L.Dense(3, activation="softmax", name="d"), L.Dense(2)],
     ValueError, "layer 'd': activation 'softmax' is not supported"),
    (lambda k, L: [L.Flatten(), L.Dense(2, use_bias=False, name="d")],
     ValueError, "layer 'd': a bias is required"),
    (lambda k, L: [L.Conv2D(2, 3, dilation_rate=2, name="c"), L.Flatten(), L.Dense(2)],
     ValueError, "dilation_rate"),
])
def test_trainable_refuses_what_it_cannot_train(keras, make, error, words):
    model = keras.Sequential([keras.Input(shape=(6, 6, 1)), *make(keras, keras.layers)])
    with pytest.raises(error, match=words):
        layers.trainable(model)


def test_trainable_refuses_non_models_and_a_layer_listed_twice(keras):
    with pytest.raises(TypeError, match="`model`"):
        layers.trainable("model")
    dense = keras.layers.Dense(4, name="twice")
    model = keras.Sequential([keras.Input(shape=(4,)), dense, dense])
    with pytest.raises(ValueError, match="'twice' is used twice"):
        layers.trainable(model)


def test_trainable_takes_relu_and_softmax_layers_of_their_own(keras):
    keras.utils.set_random_seed(4)
    L = keras.layers
    model = keras.Sequential([keras.Input(shape=(5,)), L.Dense(4), L.ReLU(),
                              L.Dense(3), L.Activation("softmax")])
    steps, params = layers.trainable(model)
    assert [s.kind for s in steps] == ["dense", "relu", "dense"]
    x = _rng(9).normal(size=(4, 5)).astype(np.float32)
    scores, _ = layers.forward(steps, params, x)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, model.predict(x, verbose=0), atol=1e-6)


def test_training_chain_doors_name_the_argument(keras):
    steps, params = layers.trainable(_small_cnn(keras))
    x = np.zeros((2, 8, 8, 1), np.float32)
    y = np.array([0, 1])
    cases = [
        (lambda: layers.forward("steps", params, x), TypeError, "`steps` must be"),
        (lambda: layers.forward(steps, params[:-1], x), ValueError,
         "`params` must be a list of 8 arrays"),
        (lambda: layers.forward(steps, [p.T for p in params], x), ValueError,
         r"`params\[0\]` must be a float array of shape \(3, 3, 1, 3\)"),
        (lambda: layers.forward(steps, params, x[..., 0]), ValueError, "`x` must have"),
        (lambda: layers.forward(steps, params, np.zeros((2, 8, 8, 2))), ValueError,
         "channel"),
        (lambda: layers.loss_and_gradients(steps, params, x, [0, 3]), ValueError, "`y`"),
        (lambda: layers.loss_and_gradients(steps, params, x, [0]), ValueError, "`y`"),
        (lambda: layers.sgd_step(steps, params, x, y, 0), ValueError,
         "`learning_rate`"),
        (lambda: layers.backward(steps, [], np.zeros((2, 3))), ValueError,
         "`caches` must be the list of 11 caches"),
    ]
    for call, error, words in cases:
        with pytest.raises(error, match=words):
            call()


def test_training_chain_does_not_modify_its_inputs(keras):
    steps, params = layers.trainable(_small_cnn(keras))
    x = _rng(10).uniform(size=(2, 8, 8, 1)).astype(np.float32)
    copies = [w.copy() for w in params] + [x.copy()]
    layers.loss_and_gradients(steps, params, x, np.array([0, 1]))
    for a, b in zip([*params, x], copies, strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- twin, bench
def test_deterministic_twin_is_the_series_cnn_without_dropout_and_narrower(keras):
    model = cnn.build_model(keras)
    twin = cnn.deterministic_twin(keras, model, shrink=4)
    kinds = [type(layer).__name__ for layer in twin.layers]
    assert kinds == [type(layer).__name__ for layer in model.layers]
    widths = [w.shape[-1] for w in twin.get_weights()[::2]]
    original = [w.shape[-1] for w in model.get_weights()[::2]]
    assert widths[:-1] == [w // 4 for w in original[:-1]] and widths[-1] == original[-1]
    assert all(layer.get_config()["rate"] == 0 for layer in twin.layers
               if type(layer).__name__ == "Dropout")
    assert twin.layers[-1].activation.__name__ == "linear"
    # read through the reader: the output layer is a dense step with no activation step
    assert [s.kind for s in layers.read_layer(twin.layers[-1])] == ["dense"]
    assert [s.kind for s in layers.read_layer(model.layers[-1])] == ["dense", "softmax"]
    assert [s.rate for s in layers.read_model(twin) if s.layer_type == "Dropout"] == [0]
    with pytest.raises(ValueError, match="`shrink`"):
        cnn.deterministic_twin(keras, model, shrink=0)
    with pytest.raises(TypeError, match="`model`"):
        cnn.deterministic_twin(keras, "model")


def test_deterministic_twin_keeps_the_softmax_when_asked_and_is_seeded(keras):
    model = cnn.build_model(keras)
    twin = cnn.deterministic_twin(keras, model, shrink=8, logits=False)
    assert twin.layers[-1].activation.__name__ == "softmax"
    again = cnn.deterministic_twin(keras, model, shrink=8, logits=False)
    for a, b in zip(twin.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_bench_backprop_reports_a_ratio_and_the_layers(keras):
    from helpers.tools.bench_backprop import bench_backprop

    result = bench_backprop(batch_size=8, repeats=1, shrink=8)
    assert result["ratio"] == pytest.approx(result["numpy_s"] / result["keras_s"])
    assert result["batch"] == 8 and result["widths"]["conv1"] == 4
    assert set(result["backward_by_layer_s"]) >= {"conv1", "pool1", "conv2", "dense"}
    assert result["slowest_backward"] in result["backward_by_layer_s"]


# --------------------------------------------------------------------------- the ledger
def test_ledger_uses_each_strides_own_axis(keras):
    # the hand formula once took the first stride for both axes: (7, 9) here
    model = keras.Sequential([keras.Input(shape=(9, 11, 1)),
                              keras.layers.Conv2D(4, 3, strides=(1, 2), name="c"),
                              keras.layers.Flatten(), keras.layers.Dense(2)])
    conv, flatten, dense = cnn.layer_ledger(model)
    assert conv["formula_shape"] == conv["output_shape"] == (7, 5, 4)
    assert conv["formula_params"] == (3 * 3 * 1 + 1) * 4
    assert flatten["formula_shape"] == (140,) and dense["formula_params"] == 141 * 2
    assert all(row["agrees"] for row in (conv, flatten, dense))


def test_ledger_pools_with_non_square_windows_and_strides(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input(shape=(9, 10, 2)),
                              L.MaxPooling2D((2, 3), strides=(1, 2)),
                              L.AveragePooling2D((3, 1), padding="same")])
    rows = cnn.layer_ledger(model)
    assert [r["formula_shape"] for r in rows] == [(8, 4, 2), (3, 4, 2)]
    assert all(r["agrees"] for r in rows)


def test_ledger_refuses_what_the_reader_refuses(keras):
    model = keras.Sequential([keras.Input(shape=(6, 6, 1)),
                              keras.layers.Conv2D(2, 3, dilation_rate=2, name="c")])
    with pytest.raises(ValueError, match="dilation_rate"):
        cnn.layer_ledger(model)
    model = keras.Sequential([keras.Input(shape=(4, 4, 1)),
                              keras.layers.BatchNormalization(name="bn")])
    with pytest.raises(ValueError, match="layer 'bn': no hand formula for a "
                                         "BatchNormalization layer"):
        cnn.layer_ledger(model)
