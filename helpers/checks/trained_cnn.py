"""Checks for the Keras CNN: its layer ledger, the confusion matrix, the trained
model seen from inside."""

from __future__ import annotations

import numpy as np

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


def check_layer_predictions(learner_fn, model):
    """Notebook 09: ``learner_fn()`` returns ``{layer name: (output shape, params)}``
    for every layer of the Keras `model`; Keras' own numbers are the answer key."""
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
    for layer in model.layers:
        kind = type(layer).__name__
        expected = (tuple(int(n) for n in layer.output.shape[1:]),
                    int(layer.count_params()))
        if layer.name not in answers:
            return _verdict(False, f"{FAIL} no entry for layer {layer.name!r} "
                                   f"(the dict needs one per layer).")
        entry = answers[layer.name]
        if isinstance(entry, str | bytes | dict) or not hasattr(entry, "__len__") \
                or len(entry) != 2:
            return _verdict(False, f"{FAIL} {layer.name}: expected a pair "
                                   f"(shape tuple, params), got {_describe(entry)}")
        shape, params = entry
        problem = compare_exact(shape, expected[0])
        what = "output shape"
        if problem is None:
            problem, what = compare_exact(params, expected[1]), "parameter count"
        if problem:
            return _verdict(
                False,
                f"{FAIL} {layer.name} ({kind}), {what}: {_end(problem)}"
                f"\n   Hint: {hints.get(kind, '')}",
            )
    return _verdict(True, f"{PASS} all {len(model.layers)} layers: shapes and parameter "
                          "counts match Keras.")


def _most_confused_reference(cm):
    off = np.array(cm, dtype=float)
    np.fill_diagonal(off, -np.inf)
    true, predicted = np.unravel_index(np.argmax(off), off.shape)
    return int(true), int(predicted)


def check_most_confused(learner_fn):
    """Notebook 09: ``most_confused(cm)`` -> (true class, predicted class) of the largest
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


def check_kernel_feature_map(learner_fn, image, kernels, biases, expected_maps):
    """Notebook 10: ``one_feature_map(image, kernels, biases, k)`` against the feature
    maps Keras computed (`expected_maps`, (H', W', F)) for a few kernels k."""
    expected_maps = np.asarray(expected_maps)
    for k in sorted({0, 5, expected_maps.shape[-1] - 1}):
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
    """The answer key of notebook 09's `most_confused` exercise: (true class,
    predicted class) of the largest count off the diagonal of `cm`. Notebook 09 uses
    it when the learner's function is not done yet."""
    return _most_confused_reference(cm)


def most_similar_answer(vectors, i):
    """The answer key of notebook 10's `most_similar` exercise (index j != i whose row
    has the largest cosine similarity with row i)."""
    return _most_similar_reference(np.asarray(vectors, dtype=float), int(i))


@never_raises
def check_loop_forward(learner_fn, weights, images, expected):
    """Notebook 10: ``loop_forward(image, weights)`` runs the trained CNN on one
    (28, 28, 1) image with the loop layers of notebooks 01-06 and returns its 10
    probabilities; compared with ``model.predict`` on each of `images`.

    Parameters
    ----------
    learner_fn : callable
    weights : dict
        {"conv1": (kernels, biases), "conv2": ..., "dense": (weights, bias),
        "output": ...}, Keras layout, as the notebook reads them from the model.
    images : (N, 28, 28, 1) array
        N small (each image takes the loops about a second).
    expected : (N, 10) array
        ``model.predict(images)``.
    """
    images, expected = np.asarray(images), np.asarray(expected)
    hint = ("conv2d per kernel (padding 'same') plus its bias, stacked on the last "
            "axis, relu, max_pool2d(x, 2); twice; flatten, dense + relu, dense, "
            "softmax.")
    for number, (image, want) in enumerate(zip(images, expected, strict=True), 1):
        copies = {name: tuple(np.copy(a) for a in pair) for name, pair in weights.items()}
        # a whole CNN with loops: seconds per image, more with pure-Python loops
        got, failed = _call(learner_fn, "loop_forward", np.copy(image), copies,
                            where=f"\n   on image {number} of {len(images)}.", slow=12)
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
    """The answer key of notebook 10's `loop_forward` exercise: the series' CNN on one
    (H, W, C) image with the loop layers of `helpers.layers`; returns (10,)
    probabilities. Notebook 10 uses it when the learner's function is not done yet."""
    from helpers.layers import conv2d, dense, flatten, max_pool2d, relu, softmax

    x = np.asarray(image, dtype=float)
    for name in ("conv1", "conv2"):
        kernels, biases = weights[name]
        maps = [conv2d(x, kernels[:, :, :, k], padding="same") + biases[k]
                for k in range(kernels.shape[-1])]
        x = max_pool2d(relu(np.stack(maps, axis=-1)), 2)
    x = relu(dense(flatten(x), *weights["dense"]))
    return softmax(dense(x, *weights["output"]))
