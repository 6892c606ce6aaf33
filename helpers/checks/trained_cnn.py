"""Checks for the Keras CNN: its layer ledger, the confusion matrix, the trained
model seen from inside.

The model, weights and arrays these checks take come from the notebook, not from the
learner: when they do not fit together (an unbuilt model, too few kernels, expected
probabilities of another length) the check raises TypeError or ValueError naming the
argument, before it calls the learner's function.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from helpers.checks import core
from helpers.checks.core import (
    FAIL,
    PASS,
    _call,
    _describe,
    _end,
    _rng,
    _verdict,
    as_exact_int,
    compare,
    compare_exact,
    never_raises,
)
from helpers.validation import as_array, kernel_channels


def _ledger_answer_key(model) -> dict:
    """{layer name: (kind, output shape, params)} of a built Keras `model`, from Keras.

    The InputLayer that a functional model lists is left out: it is no layer of the
    ledger (a Sequential model does not list it).
    """
    layers = None if isinstance(model, str | bytes) else getattr(model, "layers", None)
    if layers is None:
        raise TypeError("check_layer_predictions: `model` should be a Keras model (with "
                        f"`.layers`), got a {type(model).__name__}")
    key = {}
    for layer in layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        try:
            shape = tuple(int(n) for n in layer.output.shape[1:])
            params = int(layer.count_params())
        except (AttributeError, ValueError) as exc:  # Keras' words for "not built"
            raise ValueError(
                "check_layer_predictions: `model` is not built, so its layers have no "
                f"output shape yet ({exc}). Give it its input first: keras.Input(shape="
                "...) as the first layer of the Sequential, or model.build(...)."
            ) from None
        key[layer.name] = (kind, shape, params)
    if not key:
        raise ValueError("check_layer_predictions: `model` has no layers besides its "
                         "input: nothing to predict")
    return key


def check_layer_predictions(learner_fn, model):
    """Notebook 09: ``learner_fn()`` returns ``{layer name: (output shape, params)}``
    for every layer of the Keras `model` (its InputLayer aside); Keras' own numbers are
    the answer key.

    Raises
    ------
    TypeError, ValueError
        When `model` is no Keras model, is not built, or has no layer to predict.
    """
    key = _ledger_answer_key(model)
    answers, failed = _call(learner_fn, "predict_ledger")
    if failed is not None:
        return failed
    if not isinstance(answers, dict):
        return _verdict(False, f"{FAIL} expected a dict {{layer name: (shape, params)}}, "
                               f"got {_describe(answers)}")
    hints = {
        "Conv2D": 'params = (kh * kw * C + 1) * F; "same" keeps H and W (stride 1), '
                  '"valid" gives H - kh + 1.',
        "MaxPooling2D": "no parameters; H' = floor((H - 2) / 2) + 1 for 2x2 pooling.",
        "Flatten": "no parameters; H * W * C numbers in a row.",
        "Dense": "params = (inputs + 1) * units.",
    }
    for layer_name, (kind, shape, params) in key.items():
        expected = (shape, params)
        if layer_name not in answers:
            return _verdict(False, f"{FAIL} no entry for layer {layer_name!r} "
                                   f"(the dict needs one per layer).")
        entry = answers[layer_name]
        if isinstance(entry, str | bytes | dict) or not hasattr(entry, "__len__") \
                or len(entry) != 2:
            return _verdict(False, f"{FAIL} {layer_name}: expected a pair "
                                   f"(shape tuple, params), got {_describe(entry)}")
        shape, params = entry
        problem = compare_exact(shape, expected[0])
        what = "output shape"
        if problem is None:
            problem, what = compare_exact(params, expected[1]), "parameter count"
        if problem:
            return _verdict(
                False,
                f"{FAIL} {layer_name} ({kind}), {what}: {_end(problem)}"
                f"\n   Hint: {hints.get(kind, '')}",
            )
    return _verdict(True, f"{PASS} all {len(key)} layers: shapes and parameter "
                          "counts match Keras.")


def _most_confused_reference(cm):
    off = np.array(cm, dtype=float)
    np.fill_diagonal(off, -np.inf)
    true, predicted = np.unravel_index(np.argmax(off), off.shape)
    return int(true), int(predicted)


def check_most_confused(learner_fn):
    """Notebook 10: ``most_confused(cm)`` -> (true class, predicted class) of the largest
    entry off the diagonal of a confusion matrix."""
    rng = _rng(6)
    big_diagonal = np.diag([90, 80, 95]) + np.array([[0, 3, 7], [12, 0, 8], [1, 2, 0]])
    cases = [
        ("3 classes: class 1 taken for class 0 most often", (big_diagonal,)),
        ("the diagonal is the largest entry but must be ignored",
         (np.array([[50, 1], [4, 60]]),)),
        ("10 classes of random counts", (rng.integers(0, 50, (10, 10)),)),
        ("a mistake above the diagonal", (np.array([[9, 0, 0], [0, 9, 5], [1, 0, 9]]),)),
    ]
    for number, (description, (cm,)) in enumerate(cases, start=1):
        expected = _most_confused_reference(cm)
        got, failed = _call(learner_fn, "most_confused", np.copy(cm))
        if failed is not None:
            return failed
        problem = compare_exact(got, expected, whole_floats=False)
        if problem:  # a pair of int class indices, exactly
            return _verdict(
                False,
                f"{FAIL} case {number} ({description}): {_end(problem)}"
                "\n   Hint: set the diagonal aside (np.fill_diagonal on a copy), then "
                "np.argmax and np.unravel_index.",
            )
    return _verdict(True, f"{PASS} `most_confused` is correct on all {len(cases)} cases.")


def _feature_map_arguments(image, kernels, biases, expected_maps):
    """The caller's arrays, checked to fit together (ValueError naming the one that
    does not)."""
    image = as_array(image, "image", (3,))
    kernels = as_array(kernels, "kernels", (4,))
    count = kernels.shape[3]
    kernel_channels(kernels, image.shape[2], kernel_name="kernels", input_name="image")
    if count < 2:
        raise ValueError(f"`kernels` {kernels.shape} hold {count} kernel: the check needs "
                         "at least 2, to tell kernel k from kernel 0")
    biases = as_array(biases, "biases", (1,))
    if biases.shape != (count,):
        raise ValueError(f"`biases` should have one number per kernel, shape ({count},), "
                         f"got {biases.shape}")
    expected_maps = as_array(expected_maps, "expected_maps", (3,))
    if expected_maps.shape[2] != count:
        raise ValueError(f"`expected_maps` should be (H', W', {count}), one map per "
                         f"kernel, got {expected_maps.shape}")
    return image, kernels, biases, expected_maps


def check_kernel_feature_map(learner_fn, image, kernels, biases, expected_maps):
    """Notebook 11: ``one_feature_map(image, kernels, biases, k)`` against the feature
    maps Keras computed for the first, a middle and the last kernel k.

    Parameters
    ----------
    learner_fn : callable
    image : (H, W, C) ndarray
    kernels : (kh, kw, C, F) ndarray
        F >= 2 kernels.
    biases : (F,) ndarray
    expected_maps : (H', W', F) ndarray
        The layer's feature maps, as Keras computed them.

    Raises
    ------
    ValueError
        When the arrays do not fit together, or there are fewer than 2 kernels.
    """
    image, kernels, biases, expected_maps = _feature_map_arguments(
        image, kernels, biases, expected_maps)
    count = kernels.shape[3]
    for k in sorted({0, count // 2, count - 1}):
        got, failed = _call(learner_fn, "one_feature_map", np.copy(image),
                            np.copy(kernels), np.copy(biases), k)
        if failed is not None:
            return failed
        problem = compare(got, expected_maps[:, :, k], atol=1e-4)
        if problem:
            return _verdict(
                False,
                f"{FAIL} kernel {k}: {_end(problem)}\n   Hint: conv2d of image[:, :, 0] "
                "with kernels[:, :, 0, k] and the layer's padding, plus biases[k], "
                "then ReLU.",
            )
    return _verdict(True, f"{PASS} `one_feature_map` matches Keras' feature maps.")


def _most_similar_reference(vectors, i):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit[i]
    similarity[i] = -np.inf
    return int(np.argmax(similarity))


def check_most_similar(learner_fn):
    """Notebook 10: ``most_similar(vectors, i)`` -> the index j != i whose row of
    `vectors` has the largest cosine similarity with row i."""
    rng = _rng(7)
    scaled = np.array([[1.0, 0.0], [10.0, 1.0], [0.9, 0.3], [-1.0, 0.0]])
    cases = [
        ("4 vectors in 2-D: cosine, not distance (a long vector can be the most "
         "similar)", (scaled, 0)),
        ("the vector itself does not count", (np.array([[1.0, 2.0], [1.0, 2.0],
                                                        [2.0, 1.0]]), 0)),
        ("100 random vectors of 128 numbers", (rng.random((100, 128)), 17)),
        ("the last row as the query", (rng.normal(size=(20, 8)), 19)),
    ]
    for number, (description, (vectors, i)) in enumerate(cases, start=1):
        expected = _most_similar_reference(vectors, i)
        got, failed = _call(learner_fn, "most_similar", np.copy(vectors), i)
        if failed is not None:
            return failed
        index, problem = as_exact_int(got, whole_floats=False)
        if problem:
            return _verdict(False, f"{FAIL} case {number} ({description}): expected one "
                                   f"index (an int): {_end(problem)}")
        if index != expected:
            return _verdict(
                False,
                f"{FAIL} case {number} ({description}): expected index {expected}, "
                f"got {index}.\n   Hint: divide each row by its length "
                "(np.linalg.norm), take dot products with row i, leave row i out.",
            )
    return _verdict(True, f"{PASS} `most_similar` is correct on all {len(cases)} cases.")


def most_confused_answer(cm):
    """The answer key of notebook 10's `most_confused` exercise: (true class,
    predicted class) of the largest count off the diagonal of `cm`. Notebook 10 uses
    it when the learner's function is not done yet."""
    return _most_confused_reference(cm)


def most_similar_answer(vectors, i):
    """The answer key of notebook 10's `most_similar` exercise (index j != i whose row
    has the largest cosine similarity with row i)."""
    return _most_similar_reference(np.asarray(vectors, dtype=float), int(i))


LOOP_FORWARD_LAYERS = ("conv1", "conv2", "dense", "output")
"""The layers of the series' CNN whose weights `check_loop_forward` takes."""

MULTIPLY_ADDS_PER_TIME_LIMIT = 2_000_000
"""Multiply-adds of one forward pass that `check_loop_forward` allows the learner's
function per `core.TIME_LIMIT` (10 s). Loops in pure Python do about 1.7 million a
second (0.6 µs each, measured on the series' CNN with 4 and 8 kernels), so this leaves
a margin of about 8 for a busy machine and slower code. Notebook 11's CNN (4.2 million
per image) gets 21 s per image; a small CNN gets the time limit itself."""


def forward_multiply_adds(image_shape, weights) -> int:
    """Multiply-adds of the series' CNN on one image of `image_shape` (H, W, C):
    two "same" convolutions each followed by 2x2 pooling, then two dense layers."""
    height, width = image_shape[:2]
    total = 0
    for name in ("conv1", "conv2"):
        kh, kw, channels, count = np.shape(weights[name][0])
        total += height * width * kh * kw * channels * count  # one output per pixel
        height, width = height // 2, width // 2
    for name in ("dense", "output"):
        total += int(np.prod(np.shape(weights[name][0])))
    return int(total)


def time_limit_per_image(image, weights) -> float:
    """Seconds `check_loop_forward` gives the learner's function for one image: the
    time limit, longer in proportion to the multiply-adds of a larger CNN (see
    `MULTIPLY_ADDS_PER_TIME_LIMIT`). An endless loop is stopped after this."""
    work = forward_multiply_adds(np.shape(image), weights)
    return core.TIME_LIMIT * max(1.0, work / MULTIPLY_ADDS_PER_TIME_LIMIT)


def _loop_forward_arguments(weights, images, expected):
    """The caller's weights, images and expected probabilities, checked to fit
    together and to agree with the answer key on the first image (TypeError or
    ValueError naming the argument that does not)."""
    if not isinstance(weights, Mapping):
        raise TypeError("check_loop_forward: `weights` should be a dict {'conv1': "
                        "(kernels, biases), 'conv2': ..., 'dense': (weights, bias), "
                        f"'output': ...}}, got a {type(weights).__name__}")
    pairs = {}
    for name in LOOP_FORWARD_LAYERS:
        if name not in weights:
            raise ValueError(f"check_loop_forward: `weights` has no entry {name!r}: it "
                             "needs one (weights, biases) pair for each of "
                             f"{', '.join(LOOP_FORWARD_LAYERS)}, as "
                             "model.get_layer(name).get_weights() gives them")
        pair = weights[name]
        if isinstance(pair, str | bytes | Mapping) or not hasattr(pair, "__len__") \
                or len(pair) != 2:
            raise ValueError(f"check_loop_forward: `weights`[{name!r}] should be a pair "
                             f"(weights, biases), got a {type(pair).__name__}")
        ndims = (4,) if name.startswith("conv") else (2,)
        pairs[name] = (as_array(pair[0], f"weights[{name!r}][0]", ndims),
                       as_array(pair[1], f"weights[{name!r}][1]", (1,)))
    if np.ndim(images) >= 1 and len(images) == 0:
        raise ValueError("check_loop_forward: `images` holds no image, so there would "
                         "be nothing to test; give at least one")
    images = as_array(images, "images", (4,))
    expected = as_array(expected, "expected", (2,))
    if len(expected) != len(images):
        raise ValueError(f"check_loop_forward: `expected` has {len(expected)} rows of "
                         f"probabilities for {len(images)} `images`: give "
                         "model.predict(images), one row per image")
    try:
        want = loop_forward_answer(images[0], pairs)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"check_loop_forward: `weights` do not fit `images` "
                         f"{images.shape[1:]} (the answer key fails: {exc})") from None
    if expected.shape[1] != want.shape[0]:
        raise ValueError(f"check_loop_forward: `expected` has {expected.shape[1]} "
                         f"probabilities per image, the output layer in `weights` "
                         f"gives {want.shape[0]}")
    if not np.allclose(want, expected[0], atol=1e-4):
        raise ValueError("check_loop_forward: `expected`[0] is not what `weights` give "
                         "for `images`[0] (largest difference "
                         f"{np.abs(want - expected[0]).max():.3g}): are they from the "
                         "same model, and `expected` = model.predict(images)?")
    return pairs, images, expected


def check_loop_forward(learner_fn, weights, images, expected):
    """Notebook 11: ``loop_forward(image, weights)`` runs the trained CNN on one
    (28, 28, 1) image with the loop layers of notebooks 01-06 and returns its 10
    probabilities; compared with ``model.predict`` on each of `images`.

    Each image gets `time_limit_per_image` seconds (the time limit, more for a larger
    CNN), so an endless loop is stopped after one image's budget.

    Parameters
    ----------
    learner_fn : callable
    weights : dict
        {"conv1": (kernels, biases), "conv2": ..., "dense": (weights, bias),
        "output": ...}, Keras layout, as the notebook reads them from the model.
    images : (N, H, W, C) array
        N >= 1, small (each image takes the loops about a second).
    expected : (N, classes) array
        ``model.predict(images)``.

    Raises
    ------
    TypeError, ValueError
        When `weights`, `images` and `expected` do not fit together, or hold nothing
        to test (the caller's mistake: never blamed on the learner).
    """
    weights, images, expected = _loop_forward_arguments(weights, images, expected)
    return _check_loop_forward(learner_fn, weights, images, expected)


@never_raises
def _check_loop_forward(learner_fn, weights, images, expected):
    slow = time_limit_per_image(images[0], weights) / core.TIME_LIMIT
    hint = ("conv2d per kernel (padding 'same') plus its bias, stacked on the last "
            "axis, relu, max_pool2d(x, 2); twice; flatten, dense + relu, dense, "
            "softmax.")
    for number, (image, want) in enumerate(zip(images, expected, strict=True), 1):
        copies = {name: tuple(np.copy(a) for a in pair) for name, pair in weights.items()}
        got, failed = _call(learner_fn, "loop_forward", np.copy(image), copies,
                            where=f"\n   on image {number} of {len(images)}.", slow=slow)
        if failed is not None:
            return failed
        problem = compare(got, want, atol=1e-4)
        if problem is None:
            continue
        arr = np.asarray(got, dtype=float) if np.shape(got) == want.shape else None
        if arr is not None and np.all(np.isfinite(arr)) and abs(arr.sum() - 1) > 1e-3:
            more = "these do not sum to 1: is softmax missing?"
        elif arr is not None and int(np.argmax(arr)) != int(np.argmax(want)):
            more = (f"you predict class {int(np.argmax(arr))}, the model class "
                    f"{int(np.argmax(want))}.")
        else:
            more = "close, but not the model's probabilities."
        return _verdict(
            False,
            f"{FAIL} image {number}: {_end(problem)} {_end(more)}\n"
            f"   Expected {_describe(want)}\n   Got {_describe(got)}\n   Hint: {hint}",
        )
    return _verdict(True, f"{PASS} `loop_forward` gives the model's 10 probabilities "
                          f"for all {len(images)} test images (to 1e-4).")


def loop_forward_answer(image, weights):
    """The answer key of notebook 11's `loop_forward` exercise: the series' CNN on one
    (H, W, C) image with the loop layers of `helpers.layers`; returns (10,)
    probabilities. Notebook 11 uses it when the learner's function is not done yet."""
    from helpers.layers import conv2d, dense, flatten, max_pool2d, relu, softmax

    x = np.asarray(image, dtype=float)
    for name in ("conv1", "conv2"):
        kernels, biases = weights[name]
        maps = [conv2d(x, kernels[:, :, :, k], padding="same") + biases[k]
                for k in range(kernels.shape[-1])]
        x = max_pool2d(relu(np.stack(maps, axis=-1)), 2)
    x = relu(dense(flatten(x), *weights["dense"]))
    return softmax(dense(x, *weights["output"]))


# ---- notebook 11's debugging task: a batched forward pass with the wrong flatten ----
def batch_forward(images, weights, channels_first: bool = False):
    """The series' CNN on a batch of (N, H, W, C) images with the fast layers of
    `helpers.layers`; returns (N, 10) probabilities. ``channels_first=True`` is notebook
    10's bug: flatten lines the maps up one after the other (channel slowest), which
    every shape allows and the trained dense layer does not."""
    from helpers.layers import conv2d_layer, dense, max_pool2d_layer, relu, softmax

    x = np.asarray(images, dtype=float)
    for name in ("conv1", "conv2"):
        x = max_pool2d_layer(relu(conv2d_layer(x, *weights[name], padding="same")), 2)
    if channels_first:
        x = x.transpose(0, 3, 1, 2)
    x = relu(dense(x.reshape(len(x), -1), *weights["dense"]))
    return softmax(dense(x, *weights["output"]))


def check_fixed_forward(learner_fn, weights, images, expected):
    """Notebook 11's debugging task: ``fixed_forward(images, weights)`` returns the
    trained CNN's (N, 10) probabilities for a batch of (N, 28, 28, 1) images, compared
    with ``model.predict(images)``; a result that still flattens channel by channel
    (the bug) is named.

    Parameters
    ----------
    learner_fn : callable
    weights : dict
        As for `check_loop_forward`.
    images : (N, H, W, C) array
    expected : (N, classes) array
        ``model.predict(images)``.

    Raises
    ------
    TypeError, ValueError
        When `weights`, `images` and `expected` do not fit together (as
        `check_loop_forward`).
    """
    weights, images, expected = _loop_forward_arguments(weights, images, expected)
    return _check_fixed_forward(learner_fn, weights, images, expected)


@never_raises
def _check_fixed_forward(learner_fn, weights, images, expected):
    copies = {name: tuple(np.copy(a) for a in pair) for name, pair in weights.items()}
    got, failed = _call(learner_fn, "fixed_forward", np.copy(images), copies)
    if failed is not None:
        return failed
    problem = compare(got, expected, atol=1e-4)
    if problem is None:
        return _verdict(True, f"{PASS} `fixed_forward` gives the model's probabilities "
                              f"for all {len(images)} test images (to 1e-4).")
    bug = batch_forward(images, weights, channels_first=True)
    if compare(got, bug, atol=1e-4) is None:
        more = ("these are still the colleague's numbers: the bug is not fixed yet. "
                "Which line puts the 3,136 numbers in an order the dense layer was "
                "not trained on?")
    else:
        arr = np.asarray(got, dtype=float) if np.shape(got) == expected.shape else None
        same = None if arr is None else int(np.sum(arr.argmax(1) == expected.argmax(1)))
        more = ("not the model's probabilities." if same is None else
                f"the same class as the model for {same} of {len(images)} images.")
    return _verdict(
        False,
        f"{FAIL} {_end(problem)} {_end(more)}\n   Hint: change only what the bug needs; "
        "compare the flatten line with helpers.flatten (notebook 06): which index "
        "changes fastest in Keras's order?",
    )
