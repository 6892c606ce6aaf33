"""The series' Fashion-MNIST CNN: its recipe, build it, train it, load it, its ledger.

Notebook 09 writes every Keras call of the lesson in plain sight (``keras.Sequential``,
``compile``, ``fit``, ``save``) with the numbers below, and asserts that they are these
constants; this module builds and trains the very same model for the benchmark
(``make bench``), the tests and notebooks 10 and 11 (which load the model 09 saved, or on a
fresh clone train one with this code).

The model uses only the layers that `helpers.numpy_forward` can run, so notebook 11 can
re-run it with the learner's numpy layers. TensorFlow and Keras are imported inside the
functions, through `helpers.keras_setup.import_keras`: ``import helpers.cnn`` stays light.

The architecture (shapes for one 28 x 28 grey image)::

    input   (28, 28, 1)
    conv1   (28, 28, 32)   32 kernels of 3 x 3 x 1, "same" padding, ReLU
    pool1   (14, 14, 32)   2 x 2 max pooling
    conv2   (14, 14, 64)   64 kernels of 3 x 3 x 32, "same" padding, ReLU
    pool2   (7, 7, 64)     2 x 2 max pooling
    flatten (3136,)
    dropout (3136,)        while training only: a random 25% of the numbers set to 0
    dense   (128,)         ReLU: the image's vector representation
    output  (10,)          softmax: one probability per class

The recipe: Adam, learning rate 0.002 times 0.7 after every epoch (a staircase
`ExponentialDecay`), batches of 128, the last 10% of the 60,000 training images held
out for validation (54,000 fitted), 4 epochs; then 2 more epochs (the schedule going on)
on the training images moved anew each epoch by up to 3 whole pixels along each axis
(`mover`, `train_on_moved`): data augmentation, so that a test item moved 3 pixels
costs the model far less. The measurements behind it are in the README (Performance:
how the recipe was chosen).
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from pathlib import Path

import numpy as np

from helpers.architecture import conv_params, dense_params
from helpers.layers.geometry import output_size
from helpers.layers.keras_reader import KERAS_LAYERS, keras_model, read_layer

__all__ = [
    "SEED",
    "FILTERS",
    "DENSE_UNITS",
    "DROPOUT",
    "EPOCHS",
    "BATCH_SIZE",
    "LEARNING_RATE",
    "LR_DECAY",
    "VALIDATION_SPLIT",
    "TRAIN_IMAGES",
    "MOVE",
    "MOVED_EPOCHS",
    "STEPS_PER_EPOCH",
    "MODEL_PATH",
    "MODEL_ENV",
    "QUICK_ENV",
    "model_path",
    "quick_run",
    "build_model",
    "deterministic_twin",
    "learning_rate_schedule",
    "prepare",
    "train",
    "mover",
    "train_on_moved",
    "NotTrainedError",
    "mark_checked",
    "check_trained",
    "save_model",
    "load_or_train",
    "layer_ledger",
    "ledger_table",
]

SEED = 6  # notebook 09
FILTERS = (32, 64)  # kernels of conv1 and conv2
DENSE_UNITS = 128
DROPOUT = 0.25
EPOCHS = 4
BATCH_SIZE = 128
LEARNING_RATE = 2e-3  # Adam's step size in the first epoch ...
LR_DECAY = 0.7  # ... times 0.7 after each epoch: big steps first, then fine ones
VALIDATION_SPLIT = 0.1  # the last 10% of the training images, never trained on
TRAIN_IMAGES = 60_000  # Fashion-MNIST's training set, before the validation split
# 54,000 fitted images in batches of 128: 422 steps (the last batch holds 112 images)
STEPS_PER_EPOCH = math.ceil(round(TRAIN_IMAGES * (1 - VALIDATION_SPLIT)) / BATCH_SIZE)
# Then the model trains on moved items (notebook 09, section 9): every training image
# moved by up to MOVE whole pixels down or up and right or left, drawn at random per
# image, for MOVED_EPOCHS more epochs. MOVE is also the move of the shifted test set
# (`helpers.shifting.random_shifts(x_test, MOVE, seed=0)`, notebook 07's 3 pixels).
MOVE = 3
MOVED_EPOCHS = 2

# <repo>/models/ is git-ignored: the trained weights are a product, not a source.
MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "fashion_cnn.keras"
# Test runs point this at a folder of their own, so they never replace the model that
# a learner's notebook 09 saved (`make test` uses build/test-models/).
MODEL_ENV = "CNN_COURSE_MODEL"
# The learner-copy test sets this to 1 (the browser test too, though it runs no notebook
# that trains): notebook 09 then trains one short epoch and skips its checks of how well
# training went; nbval runs the full notebook.
QUICK_ENV = "CNN_COURSE_QUICK"


def model_path() -> Path:
    """Where notebook 09 saves the trained model and notebooks 10 and 11 load it.

    `MODEL_PATH` (``<repository>/models/fashion_cnn.keras``), unless the environment
    variable ``CNN_COURSE_MODEL`` names another file (test runs do).
    """
    return Path(os.environ.get(MODEL_ENV) or MODEL_PATH)


def quick_run() -> bool:
    """True when ``CNN_COURSE_QUICK`` is set (to anything but "" or "0").

    Only the project's own tests set it, to run notebooks 09 to 11 again without the
    full training; a learner's run and nbval's are never quick.
    """
    return os.environ.get(QUICK_ENV, "") not in ("", "0")


# --------------------------------------------------------------------------- the model
@contextlib.contextmanager
def _no_keras_array_warning():
    """Keras 3.15 with numpy 2.4 warns about its own ``__array__`` when it logs the
    learning rate or saves a model: not the learner's business, so not shown."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "__array__ implementation", DeprecationWarning)
        yield


def learning_rate_schedule(keras, steps_per_epoch: int = STEPS_PER_EPOCH):
    """`LEARNING_RATE` for the first epoch, times `LR_DECAY` after each one.

    A staircase ``keras.optimizers.schedules.ExponentialDecay``: the rate after `step`
    batches is ``LEARNING_RATE * LR_DECAY ** (step // steps_per_epoch)``.
    """
    return keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=LEARNING_RATE, decay_steps=steps_per_epoch,
        decay_rate=LR_DECAY, staircase=True,
    )


def build_model(keras=None, seed: int | None = SEED):
    """The series' CNN, compiled with the recipe of notebook 09 (module docstring).

    Parameters
    ----------
    keras : module or None
        The ``keras`` module; imported quietly with `import_keras` when None.
    seed : int or None
        Seeds Python, numpy and TensorFlow before the weights are drawn, so the same
        seed gives the same initial weights (on the same machine and thread count).

    Returns
    -------
    keras.Sequential
        Input (28, 28, 1) floats in [0, 1] (see `prepare`); output (10,) probabilities.
    """
    if keras is None:
        from helpers.keras_setup import import_keras

        keras = import_keras()
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(FILTERS[0], 3, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(FILTERS[1], 3, padding="same", activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dropout(DROPOUT, name="dropout"),
            layers.Dense(DENSE_UNITS, activation="relu", name="dense"),
            layers.Dense(10, activation="softmax", name="output"),
        ],
        name="fashion_cnn",
    )
    model.compile(
        loss="sparse_categorical_crossentropy",  # labels are class numbers 0..9
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate_schedule(keras)),
        metrics=["accuracy"],
    )
    return model


def deterministic_twin(keras, model, shrink: int = 1, seed: int | None = 0,
                       logits: bool = True):
    """A copy of `model`'s architecture that trains deterministically.

    Every layer is rebuilt from its config, with dropout rate 0 (random masks cannot be
    matched by a second implementation) and, if ``shrink > 1``, every conv layer's
    filters and every hidden dense layer's units divided by `shrink` (at least 1) so a
    numpy training run stays quick. The output layer keeps its size. New random
    weights (seeded); not compiled.

    With ``logits=True`` the output layer has no activation: it returns the scores
    and the softmax belongs in the loss, ``SparseCategoricalCrossentropy(
    from_logits=True)``, as in `softmax_cross_entropy`. Keras' cross-entropy of
    *probabilities* clips them to [1e-7, 1 - 1e-7], which sets the gradient of a very
    confident wrong answer to 0 instead of ``(p - y) / N``; a numpy twin would drift
    away from it at the first such answer.

    Parameters
    ----------
    keras : module
    model : keras.Sequential
    shrink : int >= 1
    seed : int or None
    """
    keras_model(model)
    if isinstance(shrink, bool) or not isinstance(shrink, int) or shrink < 1:
        raise ValueError(f"`shrink` must be an int >= 1, got {shrink!r}")
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers = []
    last = len(model.layers) - 1
    for index, layer in enumerate(model.layers):
        config = layer.get_config()
        kind = type(layer).__name__
        if kind == "Conv2D":
            config["filters"] = max(1, config["filters"] // shrink)
        elif kind == "Dense" and index != last:
            config["units"] = max(1, config["units"] // shrink)
        elif kind == "Dropout":
            config["rate"] = 0.0
        if index == last and logits:
            config["activation"] = "linear"
        layers.append(type(layer).from_config(config))
    return keras.Sequential([keras.Input(shape=model.input_shape[1:]), *layers],
                            name=f"{model.name}_twin")


def prepare(images) -> np.ndarray:
    """Scale Fashion-MNIST images for the model.

    Parameters
    ----------
    images : (N, 28, 28) uint8 array
        Pixels 0..255, as `helpers.data.load_fashion_mnist` returns them.

    Returns
    -------
    (N, 28, 28, 1) float32 array in [0, 1]: one channel, channels last like Keras.
    """
    try:
        images = np.asarray(images)
    except ValueError:  # ragged nested lists
        raise ValueError("`images` is not a rectangular array: expected (N, 28, 28) "
                         "uint8 pixels") from None
    if images.dtype != np.uint8:
        raise TypeError(
            f"`images` must be uint8 pixels 0..255, got dtype {images.dtype} "
            "(were they prepared already?)"
        )
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"`images` must have shape (N, 28, 28), got {images.shape}; for one image "
            "use images[None] or x[i:i + 1]"
        )
    return (images.astype(np.float32) / 255.0)[..., None]


def _training_arrays(x, y):
    """(x, y) as arrays, or raise: x (N, 28, 28, 1) float32 from `prepare`, y (N,)."""
    x = np.asarray(x)
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1) or x.dtype != np.float32:
        raise ValueError(
            f"`x` must be a (N, 28, 28, 1) float32 array from `prepare`, got "
            f"shape {x.shape} and dtype {x.dtype}"
        )
    y = np.asarray(y)
    if y.shape != (x.shape[0],):
        raise ValueError(f"`y` must have shape ({x.shape[0]},), got {y.shape}")
    return x, y


def train(
    model,
    x,
    y,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    validation_split: float = VALIDATION_SPLIT,
    verbose: int = 2,
    seed: int | None = SEED,
    callbacks=None,
):
    """Fit `model` on prepared images, holding out the last `validation_split` of them.

    Parameters
    ----------
    model : keras.Model
        From `build_model` (compiled).
    x : (N, 28, 28, 1) float32 array
        From `prepare`.
    y : (N,) int array
        Class numbers 0..9.
    epochs, batch_size : int
    validation_split : float
        Keras takes the last fraction of `x` (before shuffling) as validation data.
    verbose : 0, 1 or 2
        Keras' progress display: 2 prints one line per epoch.
    seed : int or None
        Seeds the shuffling of the batches.
    callbacks : list of keras.callbacks.Callback or None
        Only to observe training (the benchmark times each epoch); they must not
        change it.

    The learning rate follows the schedule `build_model` compiled in
    (`learning_rate_schedule`). Notebook 09 calls ``model.fit`` with these very
    arguments; `seed` is set just before, as there.

    Returns
    -------
    keras.callbacks.History
        ``history.history`` maps "loss", "accuracy", "val_loss", "val_accuracy" to
        one value per epoch.
    """
    x, y = _training_arrays(x, y)
    from helpers.keras_setup import import_keras

    import_keras(seed=seed)
    with _no_keras_array_warning():
        return model.fit(
            x, y, epochs=epochs, batch_size=batch_size,
            validation_split=validation_split, verbose=verbose, callbacks=callbacks,
        )


def mover(keras, seed: int | None = SEED):
    """The Keras layer that moves each image by a random whole number of pixels.

    ``RandomTranslation`` by up to `MOVE` pixels along each axis (a factor of
    ``MOVE / 28`` of the 28-pixel side), drawn anew for every image it is called on;
    ``interpolation="nearest"`` keeps the moves whole (no blur) and ``fill_mode=
    "constant"`` fills what a move uncovers with 0, the black background. It moves only
    when called with ``training=True``.
    """
    return keras.layers.RandomTranslation(
        MOVE / 28, MOVE / 28, fill_mode="constant", interpolation="nearest", seed=seed)


def train_on_moved(
    model,
    x,
    y,
    epochs: int = MOVED_EPOCHS,
    batch_size: int = BATCH_SIZE,
    validation_split: float = VALIDATION_SPLIT,
    verbose: int = 2,
    seed: int | None = SEED,
    callbacks=None,
):
    """Go on training `model` for `epochs` more epochs on moved copies of `x`.

    Each epoch moves every image of `x` anew with `mover` (up to `MOVE` pixels along
    each axis) and fits one epoch on the moved images, holding out the last
    `validation_split` of them as `train` does (the validation images are moved too).
    The learning-rate schedule goes on where it was (it counts the optimizer's steps).
    Notebook 09, section 9, makes the same calls. Arguments as `train`'s; returns a
    ``history.history``-like dict of the moved epochs' "loss", "accuracy", "val_loss"
    and "val_accuracy".
    """
    x, y = _training_arrays(x, y)
    from helpers.keras_setup import import_keras

    keras = import_keras(seed=seed)
    moving = mover(keras, seed)
    curves: dict[str, list[float]] = {}
    for _ in range(epochs):
        moved = np.asarray(moving(x, training=True))
        with _no_keras_array_warning():
            history = model.fit(
                moved, y, epochs=1, batch_size=batch_size,
                validation_split=validation_split, verbose=verbose, callbacks=callbacks,
            )
        for key, values in history.history.items():
            curves.setdefault(key, []).extend(float(v) for v in values)
    return curves


# ---------------------------------------------------------------------- save and load
class NotTrainedError(RuntimeError):
    """A model that has not finished training, or not passed its checks, is not saved."""


# id(model) -> (model's optimizer steps when its checks passed, a weak reference to it)
_CHECKED: dict[int, tuple[int, object]] = {}


def _steps(model) -> int:
    """How many batches the model's optimizer has stepped through (0: never trained)."""
    optimizer = getattr(model, "optimizer", None)
    iterations = getattr(optimizer, "iterations", None)
    return 0 if iterations is None else int(iterations)


def _unfinished(model) -> str | None:
    """Why `model`'s training has not finished, or None if its last fit ran to the end.

    Keras keeps the last fit's record in ``model.history``, from the moment that fit
    starts: a fit that was stopped (KeyboardInterrupt, an error) leaves fewer epochs
    in it than were asked for.
    """
    history = getattr(model, "history", None)
    params = getattr(history, "params", None) or {}
    if _steps(model) == 0 or history is None or "epochs" not in params:
        return "`model` has not been trained yet (model.fit has not run to the end)"
    done, planned = len(history.epoch), params["epochs"]
    if done < planned:
        return (f"`model`'s training was stopped before it finished (the last run of "
                f"model.fit completed {done} of its {planned} epochs)")
    return None


def _refusal(problem: str) -> NotTrainedError:
    return NotTrainedError(
        f"{problem}, so it is not saved. Run section 7 (the training cell) and let it "
        "finish, then the cells after it down to this one (Run -> Run All Above "
        "Selected Cell does all of it). Nothing was written to "
        f"{_show_path(model_path())}."
    )


def mark_checked(model) -> None:
    """Record that `model`, as trained now, passed the checks of notebook 09.

    Notebook 09 calls this after its last check of the trained model (test accuracy);
    `check_trained` then lets it be saved, unless it has trained further since.
    Raises `NotTrainedError` if its training did not finish (an interrupted
    ``model.fit`` changes the weights without finishing).
    """
    import weakref

    problem = _unfinished(model)
    if problem is not None:
        raise _refusal(problem)
    _CHECKED[id(model)] = (_steps(model), weakref.ref(model))


def check_trained(model) -> None:
    """Raise `NotTrainedError` unless `model` finished training and passed its checks.

    Notebook 09 calls it just before ``model.save``, so that no untrained or
    half-trained model is ever written for notebooks 10 and 11.
    """
    problem = _unfinished(model)
    checked, ref = _CHECKED.get(id(model), (None, None))
    if ref is not None and ref() is not model:
        checked = None  # another model that happened to get the same id
    if problem is None and checked is None:
        problem = "`model`'s training has not passed the checks after it yet"
    elif problem is None and checked != _steps(model):
        problem = ("`model` has trained further since its checks passed (a training "
                   "run was stopped midway?)")
    if problem is not None:
        raise _refusal(problem)


def _show_path(path: Path) -> str:
    root = MODEL_PATH.parents[1]
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def save_model(model, path=None) -> Path:
    """Save `model` to `path` (default `model_path()`), making the folder; return it.

    The file is written beside the target first and then renamed, so a save that is
    interrupted never leaves a broken model where notebooks 10 and 11 look.
    """
    path = Path(model_path() if path is None else path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial.keras")
    with _no_keras_array_warning():
        model.save(partial)
    os.replace(partial, path)
    return path


def _load(keras, path: Path):
    """(model, None) for a trained model at `path`, else (None, why it cannot be used)."""
    if not path.exists():
        return None, "missing"
    try:
        with warnings.catch_warnings():
            # A model saved before any training has no optimizer state to restore.
            warnings.filterwarnings("ignore", "Skipping variable loading for optimizer")
            model = keras.models.load_model(path)
    except Exception as error:  # a truncated or foreign file
        return None, f"cannot be read ({type(error).__name__})"
    if _steps(model) == 0:
        return None, "is not trained (it was saved before its training ran)"
    return model, None


def load_or_train(path=None, epochs: int | None = None, n_train: int | None = None,
                  verbose: int = 0, moved_epochs: int | None = None):
    """The model notebook 09 saved, or, if there is none, one trained now the same way.

    When the file is missing, cannot be read or holds a model that was never trained,
    it says so (printed) and what to do, then trains a model and saves it in its place.

    Parameters
    ----------
    path : str, Path or None
        Where the model is (or will be) saved; default `model_path()`.
    epochs : int or None
        Epochs if it has to train; None: `EPOCHS`, or 1 in a quick test run
        (`quick_run`).
    moved_epochs : int or None
        Then epochs on moved images (`train_on_moved`); None: `MOVED_EPOCHS`, or 0
        when `epochs` is given or in a quick test run.
    n_train : int or None
        Train on the first `n_train` training images only (tests); None uses all.
    verbose : int
        Keras' progress display while training.

    Returns
    -------
    keras.Sequential
    """
    from helpers.keras_setup import import_keras

    keras = import_keras()
    path = Path(model_path() if path is None else path)
    model, problem = _load(keras, path)
    if model is not None:
        return model
    if moved_epochs is None:
        moved_epochs = 0 if epochs is not None or quick_run() else MOVED_EPOCHS
    if epochs is None:
        epochs = 1 if quick_run() else EPOCHS
    moved = f" and {moved_epochs} on moved images" if moved_epochs else ""
    found = (f"No trained model was found at {_show_path(path)}" if problem == "missing"
             else f"The model at {_show_path(path)} {problem}, so it is not used")
    print(
        f"{found}: notebook 09 saves it when its training has "
        f"finished and passed its checks.\nTraining one now, the same way ({epochs} "
        f"epoch{'s' if epochs != 1 else ''}{moved}, a few minutes on a laptop): wait "
        "for this "
        "cell to finish, or stop it "
        "(the ■ button) and run notebook 09 first."
    )
    from helpers.data import load_fashion_mnist

    (x_train, y_train), _ = load_fashion_mnist()
    if n_train is not None:
        x_train, y_train = x_train[:n_train], y_train[:n_train]
    model = build_model(keras)
    x_train = prepare(x_train)
    train(model, x_train, y_train, epochs=epochs, verbose=verbose)
    train_on_moved(model, x_train, y_train, epochs=moved_epochs, verbose=verbose)
    save_model(model, path)
    print(f"Trained and saved to {_show_path(path)}.")
    return model


# --------------------------------------------------------------------------- the ledger
def _formula(layer, shape):
    """(output shape, parameter count, how the count was worked out) from the hand
    formulas of notebooks 03 and 06, given the layer's input `shape` (no batch axis).

    The settings come from `helpers.layers.read_layer` (the layer's first step holds
    its window, strides, padding and weights); the counts from
    `helpers.architecture.conv_params` and `dense_params`.
    """
    kind = type(layer).__name__
    if kind not in KERAS_LAYERS:
        raise ValueError(f"layer {layer.name!r}: no hand formula for a {kind} layer")
    step = read_layer(layer)[0]
    if step.kind in ("conv", "maxpool", "avgpool"):
        (H, W, C), (kh, kw), (sh, sw) = shape, step.size, step.stride
        out = (output_size(H, kh, sh, step.padding), output_size(W, kw, sw, step.padding))
        if step.kind != "conv":
            return out + (C,), 0, "no weights"
        F, bias = step.weights[0].shape[-1], len(step.weights) == 2
        formula = f"({kh}*{kw}*{C} + {int(bias)}) * {F}"
        return out + (F,), conv_params(kh, kw, C, F, bias), formula
    if step.kind == "flatten":
        return (math.prod(shape),), 0, "no weights"
    if step.kind == "dense":
        units, bias, n = step.weights[0].shape[1], len(step.weights) == 2, shape[-1]
        return (shape[:-1] + (units,), dense_params(n, units, bias),
                f"({n} + {int(bias)}) * {units}")
    return tuple(shape), 0, "no weights"  # dropout, activations, the input


def layer_ledger(model) -> list[dict]:
    """Each layer's output shape and parameter count, from Keras and by hand.

    Parameters
    ----------
    model : keras.Sequential
        Built with ``keras.Input`` (so the shapes are known).

    Returns
    -------
    list of dict, one per layer, with keys
        "name", "kind", "output_shape" and "params" (what Keras says),
        "formula_shape" and "formula_params" (the hand formulas:
        ``floor((H + 2p - k) / s) + 1`` or ``ceil(H / s)`` for "same",
        ``(kh * kw * C + 1) * F`` for a Conv2D, ``(inputs + 1) * units`` for a Dense),
        "formula" (the parameter count written out) and "agrees" (bool).
    """
    shape = tuple(model.input_shape[1:])
    rows = []
    for layer in model.layers:
        formula_shape, formula_params, formula = _formula(layer, shape)
        keras_shape = tuple(layer.output.shape[1:])
        params = int(layer.count_params())
        rows.append({
            "name": layer.name,
            "kind": type(layer).__name__,
            "output_shape": keras_shape,
            "params": params,
            "formula_shape": formula_shape,
            "formula_params": formula_params,
            "formula": formula,
            "agrees": keras_shape == formula_shape and params == formula_params,
        })
        shape = formula_shape
    return rows


def ledger_table(rows) -> str:
    """The ledger as a fixed-width text table (one line per layer, and the total)."""
    head = f"{'layer':<9}{'kind':<14}{'output shape':<15}{'params':>9}   by hand"
    lines = [head, "-" * len(head)]
    for r in rows:
        mark = "✓" if r["agrees"] else "✗ DIFFERS"
        lines.append(
            f"{r['name']:<9}{r['kind']:<14}{str(r['output_shape']):<15}"
            f"{r['params']:>9,}   {r['formula']} {mark}"
        )
    total = sum(r["params"] for r in rows)
    lines.append(f"{'total':<38}{total:>9,}")
    return "\n".join(lines)
