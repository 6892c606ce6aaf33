"""helpers.cnn (the series' Fashion-MNIST CNN) and the plots of notebooks 09-10.

Oracles: Keras itself (count_params, output shapes, predict) and hand-worked numbers.
Training runs are tiny (256 images, 1 epoch) so the file stays fast.
"""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import checks, cnn, numpy_forward, plots  # noqa: E402
from helpers.data import CLASS_NAMES  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """The series' model trained on 256 images for 1 epoch, saved in a tmp folder."""
    path = tmp_path_factory.mktemp("models") / "fashion_cnn.keras"
    model = cnn.load_or_train(path, epochs=1, n_train=256)
    return model, path


@pytest.fixture(scope="module")
def test_images():
    from helpers.data import load_fashion_mnist

    _, (x_test, y_test) = load_fashion_mnist()
    return cnn.prepare(x_test[:500]), y_test[:500]


# --------------------------------------------------------------------------- import
def test_importing_helpers_cnn_does_not_import_tensorflow():
    code = (
        "import sys, helpers, helpers.cnn, helpers.plots\n"
        "loaded = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_model_path_is_in_the_repos_models_folder():
    assert cnn.MODEL_PATH.is_absolute()
    assert cnn.MODEL_PATH.parent.name == "models"
    assert (cnn.MODEL_PATH.parents[1] / "helpers" / "cnn.py").is_file()


# --------------------------------------------------------------------------- the model
def test_build_model_uses_only_layers_numpy_forward_supports(keras):
    from helpers.layers import _layer_function

    model = cnn.build_model(keras)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert kinds <= {"Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "ReLU"}
    for layer in model.layers:
        assert callable(_layer_function(layer))
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    assert model.layers[-1].get_config()["activation"] == "softmax"


def test_build_model_is_seeded(keras):
    a = cnn.build_model(keras, seed=3).get_weights()
    b = cnn.build_model(keras, seed=3).get_weights()
    c = cnn.build_model(keras, seed=4).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_numpy_forward_matches_predict_with_random_weights(keras, test_images):
    x, _ = test_images
    model = cnn.build_model(keras)
    expected = model.predict(x, verbose=0)
    got = numpy_forward(model, x)
    assert np.array_equal(got.argmax(1), expected.argmax(1))
    assert np.max(np.abs(got - expected)) <= 1e-5


# --------------------------------------------------------------------------- the ledger
def test_ledger_of_the_model_matches_keras_and_hand_numbers(keras):
    model = cnn.build_model(keras)
    rows = cnn.layer_ledger(model)
    assert all(r["agrees"] for r in rows), cnn.ledger_table(rows)
    by_name = {r["name"]: r for r in rows}
    # worked by hand: (3*3*1+1)*32, (3*3*32+1)*64, (7*7*64+1)*128, (128+1)*10
    assert by_name["conv1"]["params"] == 320
    assert by_name["conv1"]["output_shape"] == (28, 28, 32)  # "same": ceil(28 / 1)
    assert by_name["pool2"]["output_shape"] == (7, 7, 64)
    assert by_name["conv2"]["params"] == 18_496
    assert by_name["dense"]["params"] == 401_536
    assert by_name["output"]["params"] == 1_290
    assert sum(r["params"] for r in rows) == model.count_params()


def _small_models(keras):
    L = keras.layers
    return {
        "same padding, stride 2, 5x5": [
            keras.Input(shape=(9, 11, 1)),
            L.Conv2D(4, 5, strides=2, padding="same"),
            L.Flatten(), L.Dense(3),
        ],
        "rgb input, no bias, avg pooling": [
            keras.Input(shape=(12, 12, 3)),
            L.Conv2D(5, (3, 2), use_bias=False), L.ReLU(),
            L.AveragePooling2D(2), L.Flatten(), L.Dense(4, use_bias=False),
        ],
        "overlapping pooling, dropout, softmax": [
            keras.Input(shape=(15, 15, 2)),
            L.Conv2D(6, 3, strides=2, activation="relu"),
            L.MaxPooling2D(pool_size=3, strides=1), L.Dropout(0.5),
            L.Flatten(), L.Dense(7), L.Activation("relu"), L.Dense(2), L.Softmax(),
        ],
        "same pooling, dense on a feature map": [
            keras.Input(shape=(7, 7, 1)),
            L.MaxPooling2D(2, padding="same"), L.Dense(5),
        ],
    }


@pytest.mark.parametrize("case", [0, 1, 2, 3])
def test_ledger_of_other_models_matches_keras(keras, case):
    name, layers = list(_small_models(keras).items())[case]
    model = keras.Sequential(layers)
    rows = cnn.layer_ledger(model)
    assert len(rows) == len(model.layers)
    for row, layer in zip(rows, model.layers, strict=True):
        assert row["formula_shape"] == tuple(layer.output.shape[1:]), (name, row)
        assert row["formula_params"] == layer.count_params(), (name, row)
        assert row["agrees"]


def test_ledger_hand_formula_for_same_padding_and_stride(keras):
    model = keras.Sequential(_small_models(keras)["same padding, stride 2, 5x5"])
    conv, _, dense = cnn.layer_ledger(model)
    assert conv["formula_shape"] == (5, 6, 4)  # ceil(9 / 2), ceil(11 / 2)
    assert conv["formula_params"] == (5 * 5 * 1 + 1) * 4
    assert dense["formula_params"] == (5 * 6 * 4 + 1) * 3


def test_ledger_refuses_a_layer_without_hand_formula(keras):
    model = keras.Sequential([keras.Input(shape=(4, 4, 1)), keras.layers.BatchNormalization()])
    with pytest.raises(ValueError, match="BatchNormalization"):
        cnn.layer_ledger(model)


def test_ledger_table_lists_every_layer_and_the_total(keras):
    model = cnn.build_model(keras)
    table = cnn.ledger_table(cnn.layer_ledger(model))
    for layer in model.layers:
        assert layer.name in table
    assert f"{model.count_params():,}" in table.splitlines()[-1]
    assert "DIFFERS" not in table


# --------------------------------------------------------------------------- prepare, train
def test_prepare_scales_to_float32_in_0_1_with_a_channel():
    images = np.array([[[0] * 28] * 28, [[255] * 28] * 28], dtype=np.uint8)
    images[0, 3, 4] = 51
    x = cnn.prepare(images)
    assert x.dtype == np.float32
    assert x.shape == (2, 28, 28, 1)
    assert x.min() == 0.0 and x.max() == 1.0
    assert x[0, 3, 4, 0] == pytest.approx(0.2)


@pytest.mark.parametrize(
    "images, error",
    [
        (np.zeros((2, 28, 28), dtype=np.float32), TypeError),
        (np.zeros((28, 28), dtype=np.uint8), ValueError),
        (np.zeros((2, 28, 28, 1), dtype=np.uint8), ValueError),
    ],
)
def test_prepare_explains_wrong_input(images, error):
    with pytest.raises(error, match="images"):
        cnn.prepare(images)


def test_train_refuses_unprepared_images(keras):
    model = cnn.build_model(keras)
    with pytest.raises(ValueError, match="prepare"):
        cnn.train(model, np.zeros((4, 28, 28), np.uint8), np.zeros(4, int), epochs=1)


# --------------------------------------------------------------------------- save, load
def test_load_or_train_trains_saves_and_then_loads(tiny_model, monkeypatch, test_images):
    model, path = tiny_model
    assert path.is_file()
    x, _ = test_images

    def no_training(*args, **kwargs):
        raise AssertionError("load_or_train trained although a saved model exists")

    monkeypatch.setattr(cnn, "build_model", no_training)
    monkeypatch.setattr(cnn, "MODEL_PATH", path)
    loaded = cnn.load_or_train()  # the default path, redirected to the tmp file
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x[:50], verbose=0),
                                  model.predict(x[:50], verbose=0))


def test_save_model_creates_the_folder(tiny_model, tmp_path, monkeypatch):
    model, _ = tiny_model
    monkeypatch.setattr(cnn, "MODEL_PATH", tmp_path / "new" / "m.keras")
    assert cnn.save_model(model) == tmp_path / "new" / "m.keras"
    assert (tmp_path / "new" / "m.keras").is_file()


def test_numpy_forward_matches_predict_on_the_trained_model(tiny_model, test_images):
    model, _ = tiny_model
    x, y = test_images
    expected = model.predict(x, verbose=0)
    got = numpy_forward(model, x)
    assert np.array_equal(got.argmax(1), expected.argmax(1))
    assert np.max(np.abs(got - expected)) <= 1e-5
    assert np.mean(expected.argmax(1) == y) > 0.3  # it learned something in 1 epoch


# --------------------------------------------------------------------------- plots
def test_plot_history_draws_training_and_validation():
    history = {"loss": [0.6, 0.4, 0.3], "val_loss": [0.5, 0.4, 0.35],
               "accuracy": [0.8, 0.85, 0.9], "val_accuracy": [0.82, 0.86, 0.88]}
    axes = plots.plot_history(history)
    assert len(axes) == 2
    assert all(isinstance(ax, plt.Axes) for ax in axes)
    assert [len(ax.lines) for ax in axes] == [2, 2]
    np.testing.assert_array_equal(axes[1].lines[1].get_ydata(), history["val_accuracy"])


def test_plot_confusion_rows_are_percentages():
    cm = np.diag([10] * 10)
    cm[6, 0] = 10  # half of class 6 predicted as class 0
    ax = plots.plot_confusion(cm, CLASS_NAMES)
    assert isinstance(ax, plt.Axes)
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    assert texts[(6, 0)] == "50" and texts[(6, 6)] == "50" and texts[(0, 0)] == "100"
    with pytest.raises(ValueError, match="cm"):
        plots.plot_confusion(np.ones((3, 3)), CLASS_NAMES)


def test_show_items_and_show_predictions_return_figures():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28))
    labels = np.array([0, 1, 2, 3, 9])
    fig = plots.show_items(images, labels, CLASS_NAMES, predicted=[0, 1, 6, 3, 9])
    assert isinstance(fig, plt.Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[2] == "Pullover\n→ Shirt"
    probabilities = rng.dirichlet(np.ones(10), size=5)
    fig = plots.show_predictions(images[..., None], probabilities, labels, CLASS_NAMES)
    assert isinstance(fig, plt.Figure)
    assert len(fig.axes) == 12  # 3 rows of 2 image-and-bars pairs
    with pytest.raises(ValueError):
        plots.show_predictions(images, probabilities[:, :9], labels, CLASS_NAMES)


# --------------------------------------------------------------------------- benchmark
def test_bench_model_reports_every_measurement():
    from helpers.tools.bench_model import bench_model

    result = bench_model(epochs=1, n_train=256, n_test=200, repeats=1)
    assert set(result) == {
        "train_s", "epochs", "train_images", "test_accuracy", "keras_predict_s",
        "numpy_forward_s", "numpy_over_keras", "test_images", "same_class",
        "max_prob_diff",
    }
    assert result["epochs"] == 1 and result["train_images"] == 256
    assert result["same_class"] == result["test_images"] == 200
    assert result["max_prob_diff"] <= 1e-5
    assert result["numpy_over_keras"] == pytest.approx(
        result["numpy_forward_s"] / result["keras_predict_s"])
    assert 0 < result["test_accuracy"] <= 1


# --------------------------------------------------------------------------- checks
def _todo(*args):
    raise NotImplementedError


def _boom(*args):
    raise IndexError("index 99 is out of bounds")


@pytest.fixture(scope="module")
def variant(keras):
    L = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        L.Conv2D(16, 5, padding="same", activation="relu", name="conv1"),
        L.MaxPooling2D(2, name="pool1"),
        L.Flatten(name="flatten"),
        L.Dense(10, activation="softmax", name="output"),
    ])


def _right_ledger():
    return {"conv1": ((28, 28, 16), 416), "pool1": ((14, 14, 16), 0),
            "flatten": ((3136,), 0), "output": ((10,), 31_370)}


def test_check_layer_predictions(variant, capsys):
    assert checks.check_layer_predictions(_right_ledger, variant)
    assert "✅" in capsys.readouterr().out

    def no_bias():
        answers = _right_ledger()
        answers["conv1"] = ((28, 28, 16), 5 * 5 * 16)
        return answers

    def valid_shape():
        answers = _right_ledger()
        answers["conv1"] = ((24, 24, 16), 416)
        return answers

    for wrong in (no_bias, valid_shape):
        assert not checks.check_layer_predictions(wrong, variant)
        out = capsys.readouterr().out
        assert "❌ conv1" in out and "Hint" in out
    assert not checks.check_layer_predictions(_todo, variant)
    assert "⏳" in capsys.readouterr().out
    assert not checks.check_layer_predictions(_boom, variant)
    assert "IndexError" in capsys.readouterr().out
    for returns in (None, [1, 2], {"conv1": None}, {"conv1": ((28, 28, 16), 416)}):
        assert not checks.check_layer_predictions(lambda r=returns: r, variant)
        assert "❌" in capsys.readouterr().out
    assert not checks.check_layer_predictions(None, variant)


def test_check_most_confused(capsys):
    def reference(cm):
        off = np.array(cm, dtype=float)
        np.fill_diagonal(off, -np.inf)
        return tuple(int(i) for i in np.unravel_index(off.argmax(), off.shape))

    def keeps_diagonal(cm):
        return tuple(int(i) for i in np.unravel_index(np.argmax(cm), np.shape(cm)))

    def transposed(cm):
        return reference(cm)[::-1]

    assert checks.check_most_confused(reference)
    assert "✅" in capsys.readouterr().out
    for wrong in (keeps_diagonal, transposed, lambda cm: None, lambda cm: "0, 1",
                  lambda cm: float("nan"), _boom):
        assert not checks.check_most_confused(wrong)
        assert "❌" in capsys.readouterr().out
    assert not checks.check_most_confused(_todo)
    assert "⏳" in capsys.readouterr().out


def test_check_kernel_feature_map_against_keras(keras, capsys):
    from helpers.layers import conv2d, relu

    rng = np.random.default_rng(0)
    image = rng.random((28, 28, 1)).astype(np.float32)
    conv = keras.layers.Conv2D(8, 3, activation="relu")
    expected = np.asarray(conv(image[None]))[0]  # Keras is the oracle
    kernels, biases = (np.asarray(w) for w in conv.get_weights())

    def right(image, kernels, biases, k):
        return relu(conv2d(image[:, :, 0], kernels[:, :, 0, k]) + biases[k])

    def no_relu(image, kernels, biases, k):
        return conv2d(image[:, :, 0], kernels[:, :, 0, k]) + biases[k] - 1

    def first_kernel_only(image, kernels, biases, k):
        return right(image, kernels, biases, 0)

    assert checks.check_kernel_feature_map(right, image, kernels, biases, expected)
    assert "✅" in capsys.readouterr().out
    for wrong in (no_relu, first_kernel_only, lambda *a: None,
                  lambda *a: np.full((26, 26), np.nan), lambda *a: np.zeros((28, 28)),
                  _boom):
        assert not checks.check_kernel_feature_map(wrong, image, kernels, biases,
                                                   expected)
        assert "❌" in capsys.readouterr().out
    assert not checks.check_kernel_feature_map(_todo, image, kernels, biases, expected)
    assert "⏳" in capsys.readouterr().out


def test_check_most_similar(capsys):
    def right(vectors, i):
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        similarity = unit @ unit[i]
        similarity[i] = -np.inf
        return int(np.argmax(similarity))

    def euclidean(vectors, i):
        distance = np.linalg.norm(vectors - vectors[i], axis=1)
        distance[i] = np.inf
        return int(np.argmin(distance))

    def includes_itself(vectors, i):
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return int(np.argmax(unit @ unit[i]))

    assert checks.check_most_similar(right)
    assert "✅" in capsys.readouterr().out
    assert checks.check_most_similar(lambda v, i: np.int64(right(v, i)))
    capsys.readouterr()
    for wrong in (euclidean, includes_itself, lambda v, i: None, lambda v, i: 1.0,
                  lambda v, i: [1], lambda v, i: True, _boom):
        assert not checks.check_most_similar(wrong)
        assert "❌" in capsys.readouterr().out
    assert not checks.check_most_similar(_todo)
    assert "⏳" in capsys.readouterr().out


def test_train_shrinks_the_learning_rate_each_epoch(keras):
    rng = np.random.default_rng(0)
    x = rng.random((128, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, 128)
    history = cnn.train(cnn.build_model(keras), x, y, epochs=3, verbose=0)
    expected = [cnn.LEARNING_RATE * cnn.LR_DECAY**epoch for epoch in range(3)]
    np.testing.assert_allclose(history.history["learning_rate"], expected, rtol=1e-6)
    assert len(history.history["val_accuracy"]) == 3  # the validation split is on
