"""helpers.cnn (the series' Fashion-MNIST CNN) and the plots of notebooks 09-11.

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


def test_a_test_run_redirects_the_model_path(monkeypatch, tmp_path):
    monkeypatch.delenv(cnn.MODEL_ENV, raising=False)
    assert cnn.model_path() == cnn.MODEL_PATH
    monkeypatch.setenv(cnn.MODEL_ENV, str(tmp_path / "test.keras"))
    assert cnn.model_path() == tmp_path / "test.keras"
    monkeypatch.setenv(cnn.MODEL_ENV, "")
    assert cnn.model_path() == cnn.MODEL_PATH


@pytest.mark.parametrize(
    "value, quick", [(None, False), ("", False), ("0", False), ("1", True), ("yes", True)]
)
def test_quick_run_is_only_what_the_environment_says(monkeypatch, value, quick):
    if value is None:
        monkeypatch.delenv(cnn.QUICK_ENV, raising=False)
    else:
        monkeypatch.setenv(cnn.QUICK_ENV, value)
    assert cnn.quick_run() is quick


def test_execute_refuses_a_quick_run(monkeypatch, tmp_path):
    from helpers.tools import execute

    monkeypatch.setenv(cnn.QUICK_ENV, "1")
    with pytest.raises(SystemExit, match="CNN_COURSE_QUICK"):
        execute.execute(tmp_path / "never_read.ipynb")


# --------------------------------------------------------------------------- the model
def test_build_model_is_a_chain_the_reference_layers_run(keras):
    from helpers import layers

    model = cnn.build_model(keras)
    assert [step.kind for step in layers.read_model(model)] == [
        "conv", "relu", "maxpool", "conv", "relu", "maxpool", "flatten", "identity",
        "dense", "relu", "dense", "softmax"]
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)


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
    assert titles[2] == "true: Pullover\n✗ predicted: Shirt"
    assert titles[0] == "true: T-shirt/top\n✓ predicted: T-shirt/top"
    probabilities = rng.dirichlet(np.ones(10), size=5)
    fig = plots.show_predictions(images[..., None], probabilities, labels, CLASS_NAMES)
    assert isinstance(fig, plt.Figure)
    assert len(fig.axes) == 12  # 3 rows of 2 image-and-bars pairs
    bars = fig.axes[1]  # the bars of image 0, true class 0
    edges = [patch.get_edgecolor() for patch in bars.patches]
    assert edges[0] == (0.0, 0.0, 0.0, 1.0)  # the true class is outlined in black
    assert all(edge[3] == 0 for edge in edges[1:])  # and no other bar is
    weights = [label.get_fontweight() for label in bars.get_yticklabels()]
    assert weights[0] == "bold" and weights.count("bold") == 1
    with pytest.raises(ValueError):
        plots.show_predictions(images, probabilities[:, :9], labels, CLASS_NAMES)


# --------------------------------------------------------------------------- benchmark
def test_bench_model_reports_every_measurement():
    from helpers.tools.bench_model import bench_model

    result = bench_model(epochs=1, moved_epochs=1, n_train=256, n_test=200, repeats=1)
    assert set(result) == {
        "train_s", "epoch_s", "train_cpu_s", "epochs", "moved_epochs", "batch_size",
        "learning_rate", "lr_decay", "train_images", "plain_accuracy",
        "plain_moved_accuracy", "test_accuracy", "moved_accuracy", "keras_predict_s",
        "numpy_forward_s", "numpy_over_keras", "test_images", "same_class",
        "max_prob_diff",
    }
    assert result["epochs"] == result["moved_epochs"] == 1
    assert result["train_images"] == 256
    assert len(result["epoch_s"]) == 2  # the plain epoch, then the moved one
    assert 0 < sum(result["epoch_s"]) <= result["train_s"]
    assert (result["batch_size"], result["learning_rate"], result["lr_decay"]) == (
        cnn.BATCH_SIZE, cnn.LEARNING_RATE, cnn.LR_DECAY)
    assert result["same_class"] == result["test_images"] == 200
    assert result["max_prob_diff"] <= 1e-5
    assert result["numpy_over_keras"] == pytest.approx(
        result["numpy_forward_s"] / result["keras_predict_s"])
    for key in ("plain_accuracy", "plain_moved_accuracy", "test_accuracy",
                "moved_accuracy"):
        assert 0 < result[key] <= 1


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


def test_steps_per_epoch_by_hand():
    # 60,000 - 6,000 validation = 54,000 fitted; 54,000 / 128 = 421.9 -> 422 batches
    assert cnn.STEPS_PER_EPOCH == 422
    assert 421 * cnn.BATCH_SIZE < 54_000 <= 422 * cnn.BATCH_SIZE


def test_learning_rate_schedule_steps_down_once_per_epoch(keras):
    schedule = cnn.learning_rate_schedule(keras)
    rates = [float(schedule(step)) for step in (0, 421, 422, 843, 844, 5 * 422)]
    expected = [2e-3, 2e-3, 2e-3 * 0.7, 2e-3 * 0.7, 2e-3 * 0.49, 2e-3 * 0.7**5]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)


def test_build_model_compiles_the_recipe_of_notebook_09(keras):
    model = cnn.build_model(keras)
    rate = model.optimizer.learning_rate  # after 0 steps
    assert float(rate) == pytest.approx(cnn.LEARNING_RATE)
    assert type(model.optimizer).__name__ == "Adam"
    assert model.get_layer("dropout").rate == cnn.DROPOUT
    assert [model.get_layer(n).filters for n in ("conv1", "conv2")] == list(cnn.FILTERS)
    assert model.get_layer("dense").units == cnn.DENSE_UNITS


def test_mover_moves_each_image_by_whole_pixels_up_to_move(keras, test_images):
    from helpers.shifting import shift

    images = test_images[0][:64]
    moved = np.asarray(cnn.mover(keras, seed=0)(images, training=True))
    moves = set()
    for image, image_moved in zip(images, moved, strict=True):
        found = [(r, c) for r in range(-cnn.MOVE, cnn.MOVE + 1)
                 for c in range(-cnn.MOVE, cnn.MOVE + 1)
                 if np.array_equal(shift(image[None], r, c)[0], image_moved)]
        assert found, "a moved image is not the image moved by whole pixels"
        moves.add(found[0])
    assert len(moves) > 10  # a move drawn per image, not one for the batch
    assert np.array_equal(np.asarray(cnn.mover(keras)(images, training=False)), images)


def test_train_on_moved_goes_on_training_on_moved_images(keras):
    rng = np.random.default_rng(0)
    x = rng.random((256, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, 256)
    model = cnn.build_model(keras)
    cnn.train(model, x, y, epochs=1, batch_size=64, verbose=0)
    seen = []
    callback = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.append(cnn._steps(model)))
    curves = cnn.train_on_moved(model, x, y, epochs=2, batch_size=64, verbose=0,
                                callbacks=[callback])
    # 230 fitted images in batches of 64: 4 steps per epoch, the steps go on counting
    assert seen == [4, 8] and cnn._steps(model) == 12
    assert set(curves) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 2 for values in curves.values())
    with pytest.raises(ValueError, match="from `prepare`"):
        cnn.train_on_moved(model, np.zeros((4, 28, 28), np.uint8), np.zeros(4, int))


def test_train_shrinks_the_learning_rate_each_epoch(keras):
    rng = np.random.default_rng(0)
    x = rng.random((128, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, 128)
    model = cnn.build_model(keras)
    # The schedule counts batches: 422 per epoch of the full training set. With a
    # schedule of 2 batches per "epoch" the same rule shows in 3 short epochs.
    model.optimizer.learning_rate = cnn.learning_rate_schedule(keras, steps_per_epoch=2)
    rates = []
    callback = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: rates.append(
            float(model.optimizer.learning_rate)))
    history = cnn.train(model, x, y, epochs=3, batch_size=64, verbose=0,
                        callbacks=[callback])
    # 115 fitted images in batches of 64: 2 steps per epoch, so the rate after epoch e
    # is the one of epoch e + 1
    expected = [cnn.LEARNING_RATE * cnn.LR_DECAY**epoch for epoch in (1, 2, 3)]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    assert len(history.history["val_accuracy"]) == 3  # the validation split is on


# --------------------------------------------------------------------------- new figures
def test_plot_histories_one_colour_per_run_and_validation_dashed():
    a = {"loss": [1.0, 0.5], "accuracy": [0.6, 0.8], "val_loss": [0.9, 0.7],
         "val_accuracy": [0.7, 0.75]}
    b = {"loss": [1.2, 0.9], "accuracy": [0.5, 0.6], "val_loss": [1.0, 0.8],
         "val_accuracy": [0.6, 0.7]}
    loss_ax, acc_ax = plots.plot_histories({"plain": a, "dropout": b}, title="t")
    assert len(loss_ax.lines) == len(acc_ax.lines) == 4
    plain_train, plain_val, drop_train, drop_val = acc_ax.lines
    assert plain_train.get_color() == plain_val.get_color() != drop_train.get_color()
    assert plain_val.get_linestyle() == "--" and plain_train.get_linestyle() == "-"
    np.testing.assert_array_equal(drop_val.get_ydata(), b["val_accuracy"])
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == [
        "plain: training", "plain: validation", "dropout: training",
        "dropout: validation"]
    assert loss_ax.figure._suptitle.get_text() == "t"


@pytest.mark.parametrize("bad", [{}, {"loss": [1.0]}, [1, 2], {"plain": {"acc": [1]}}])
def test_plot_histories_refuses_what_it_cannot_draw(bad):
    with pytest.raises(ValueError):
        if isinstance(bad, dict) and "loss" in bad:
            plots.plot_history(bad)  # no accuracy: compiled without the metric
        else:
            plots.plot_histories(bad)


def test_show_learned_kernels_one_centred_scale_and_a_colour_bar():
    rng = np.random.default_rng(0)
    kernels = rng.normal(size=(3, 3, 1, 12))
    kernels[0, 0, 0, 5] = 4.0  # the largest weight anywhere
    fig = plots.show_learned_kernels(kernels, ncols=6)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 12
    assert {im.get_clim() for im in images} == {(-4.0, 4.0)}  # shared, centred on 0
    assert {im.get_cmap().name for im in images} == {plots.VALUE_CMAP}
    assert len(fig.axes) == 13  # 12 kernels and the colour bar
    assert fig.axes[0].get_title() == "kernel 0"
    with pytest.raises(ValueError, match="kernels"):
        plots.show_learned_kernels(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="ncols"):
        plots.show_learned_kernels(kernels, ncols=0)


# --------------------------------------------------------------------------- loop_forward
def _loop_reference(image, weights):
    return checks.loop_forward_answer(image, weights)


@pytest.fixture(scope="module")
def small_cnn(keras):
    """A small CNN of the series' shape with random weights, 12x12 inputs; Keras's
    predict is the oracle."""
    keras.utils.set_random_seed(3)
    L = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(12, 12, 1)),
        L.Conv2D(4, 3, padding="same", activation="relu", name="conv1"),
        L.MaxPooling2D(2), L.Conv2D(6, 3, padding="same", activation="relu", name="conv2"),
        L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.25),
        L.Dense(8, activation="relu", name="dense"),
        L.Dense(10, activation="softmax", name="output"),
    ])
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.6, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    images = rng.random((3, 12, 12, 1)).astype(np.float32)
    weights = {name: tuple(model.get_layer(name).get_weights())
               for name in ("conv1", "conv2", "dense", "output")}
    return weights, images, model.predict(images, verbose=0)


def _forward(image, weights, conv=None, pool=None, order="C", activation=True,
             soft=True, bias=True):
    from helpers.layers import conv2d, dense, max_pool2d, relu, softmax

    conv = conv or (lambda x, k: conv2d(x, k, padding="same"))
    pool = pool or (lambda x: max_pool2d(x, 2))
    x = np.asarray(image, dtype=float)
    for name in ("conv1", "conv2"):
        kernels, biases = weights[name]
        maps = np.stack([conv(x, kernels[:, :, :, k]) + (biases[k] if bias else 0)
                         for k in range(kernels.shape[-1])], axis=-1)
        x = pool(relu(maps) if activation else maps)
    x = x.reshape(-1, order=order)
    x = relu(dense(x, *weights["dense"]))
    scores = dense(x, *weights["output"])
    return softmax(scores) if soft else scores


def test_loop_forward_answer_matches_keras(small_cnn):
    weights, images, expected = small_cnn
    for image, want in zip(images, expected, strict=True):
        np.testing.assert_allclose(_loop_reference(image, weights), want, atol=1e-5)


def test_check_loop_forward_accepts_right_answers_written_differently(small_cnn, capsys):
    weights, images, expected = small_cnn
    assert checks.check_loop_forward(_loop_reference, weights, images, expected)
    assert "✅" in capsys.readouterr().out
    as_list = lambda image, w: [float(v) for v in _forward(image, w)]  # noqa: E731
    as_float32 = lambda image, w: _forward(image, w).astype(np.float32)  # noqa: E731
    for right in (_forward, as_list, as_float32):
        assert checks.check_loop_forward(right, weights, images, expected)
        capsys.readouterr()


def test_check_loop_forward_refuses_wrong_answers(small_cnn, capsys):
    from helpers.layers import avg_pool2d, conv2d

    weights, images, expected = small_cnn
    first = _forward(images[0], weights)

    def mutates_weights(image, w):
        w["conv1"][0][...] = 0
        return _forward(image, w)

    wrong_answers = {
        "no bias": lambda im, w: _forward(im, w, bias=False),
        "no ReLU after the convolutions": lambda im, w: _forward(im, w, activation=False),
        "no softmax": lambda im, w: _forward(im, w, soft=False),
        "flattened channel first": lambda im, w: _forward(im, w, order="F"),
        "flipped kernel (true convolution)": lambda im, w: _forward(
            im, w, conv=lambda x, k: conv2d(x, k[::-1, ::-1], padding="same")),
        "average pooling": lambda im, w: _forward(im, w, pool=lambda x: avg_pool2d(x, 2)),
        "valid padding": lambda im, w: _forward(im, w, conv=lambda x, k: conv2d(x, k)),
        "hard-coded for the first image": lambda im, w: first,
        "a batch axis": lambda im, w: _forward(im, w)[None],
        "uniform guess": lambda im, w: np.full(10, 0.1),
        "the input back": lambda im, w: im,
        "None": lambda im, w: None,
        "NaN": lambda im, w: np.full(10, np.nan),
        "a string": lambda im, w: "Ankle boot",
        "raises": _boom,
        "mutates the weights": mutates_weights,
    }
    for name, wrong in wrong_answers.items():
        result = checks.check_loop_forward(wrong, weights, images, expected)
        out = capsys.readouterr().out
        assert not result, name
        assert "❌" in out, name
    assert not checks.check_loop_forward(_todo, weights, images, expected)
    assert "⏳" in capsys.readouterr().out
    # a wrong answer never spoils the weights the next check uses
    assert checks.check_loop_forward(_loop_reference, weights, images, expected)


def test_check_loop_forward_names_a_missing_softmax(small_cnn, capsys):
    weights, images, expected = small_cnn
    checks.check_loop_forward(lambda im, w: _forward(im, w, soft=False), weights,
                              images, expected)
    assert "softmax" in capsys.readouterr().out


def test_answer_keys_agree_with_hand_worked_examples():
    cm = np.array([[50, 2, 9], [12, 40, 1], [0, 3, 60]])
    assert checks.most_confused_answer(cm) == (1, 0)  # 12 is the largest off-diagonal
    vectors = np.array([[1.0, 0.0], [10.0, 1.0], [0.9, 0.3], [-1.0, 0.0]])
    # cosines with row 0: 0.995, 0.949, -1 -> row 1, although row 2 is closer
    assert checks.most_similar_answer(vectors, 0) == 1
