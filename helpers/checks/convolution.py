"""Checks for convolution by hand, output shapes and stacks of feature maps."""

from __future__ import annotations

import numpy as np

from helpers import layers
from helpers.checks.core import (
    FAIL,
    PASS,
    TODO,
    _end,
    _name,
    _rng,
    _verdict,
    check_answer,
    check_function,
    compare,
)


def check_conv2d(learner_fn):
    """Notebook 01: the learner's ``conv2d(image, kernel)`` (stride 1, no padding)."""
    from helpers import data

    rng = _rng(1)
    cases = [
        ("the 5x5 image and 3x3 filter of the lesson", (data.binary_image(), data.lesson_kernel())),
        ("a 4x6 image, 2x2 kernel (not square)", (rng.integers(0, 3, (4, 6)).astype(float),
                                                  rng.integers(-1, 2, (2, 2)).astype(float))),
        ("a 6x4 image, 3x2 kernel", (rng.normal(size=(6, 4)), rng.normal(size=(3, 2)))),
        ("kernel as large as the image: one output", (rng.normal(size=(3, 3)),
                                                      rng.normal(size=(3, 3)))),
        ("a 1x1 kernel: scales every pixel", (rng.normal(size=(4, 4)), np.array([[2.0]]))),
    ]
    return check_function(learner_fn, layers.conv2d, cases, _name(learner_fn, "conv2d"))


def check_window_value(answer):
    """Notebook 01: the value at row 1, column 2 of the lesson's feature map."""
    from helpers import data

    expected = layers.conv2d(data.binary_image(), data.lesson_kernel())[1, 2]
    return check_answer(
        answer, expected, "the value at (1, 2)",
        hint="put the kernel's top-left corner on row 1, column 2 of the image "
             "(rows and columns count from 0), multiply the 3x3 window by the kernel "
             "cell by cell, and add the nine products.",
    )


def _window_sum_reference(image, kernel, row, col):
    kh, kw = kernel.shape
    return float(np.sum(image[row : row + kh, col : col + kw] * kernel))


def check_window_sum(learner_fn):
    """Notebook 01: the learner's ``window_sum(image, kernel, row, col)``."""
    from helpers import data

    rng = _rng(2)
    image, kernel = data.binary_image(), data.lesson_kernel()
    tall = rng.integers(0, 4, (6, 4)).astype(float)
    cases = [
        ("the lesson's image and kernel at (0, 0)", (image, kernel, 0, 0)),
        ("the lesson's image and kernel at (1, 2)", (image, kernel, 1, 2)),
        ("the lesson's image and kernel at (2, 0)", (image, kernel, 2, 0)),
        ("a 6x4 image, 2x3 kernel with negatives, at (3, 1)",
         (tall, np.array([[1.0, -2.0, 0.0], [0.5, 3.0, -1.0]]), 3, 1)),
        ("a 6x4 image, 3x2 kernel, at (1, 2)",
         (tall, rng.normal(size=(3, 2)), 1, 2)),
    ]
    return check_function(learner_fn, _window_sum_reference, cases, "window_sum")


OUTPUT_SHAPE_QUESTIONS = {
    "a": ((28, 28), 3, 1, "valid"),
    "b": ((28, 28), 3, 1, "same"),
    "c": ((28, 28), 5, 2, 0),
    "d": ((150, 128), 3, 2, 1),
    "e": ((150, 128), 7, 3, "same"),
}
"""Notebook 02's shape questions: label -> ((H, W), kernel size, stride, padding)."""


def output_shape_answers() -> dict[str, tuple[int, int]]:
    """The (H', W') of each question in `OUTPUT_SHAPE_QUESTIONS` (`output_size`)."""
    return {
        label: tuple(layers.output_size(n, k, s, p) for n in hw)
        for label, (hw, k, s, p) in OUTPUT_SHAPE_QUESTIONS.items()
    }


def check_output_shapes(answers):
    """Notebook 02: the learner's predicted (H', W') for each question, e.g.
    ``{"a": (26, 26), "b": ...}``; one verdict for all, listing the wrong ones."""
    name = "output shapes"
    hint = ("H' = floor((H + 2p - k) / s) + 1 (the same for W'); "
            "'valid' means p = 0 and 'same' gives ceil(H / s).")
    if answers is Ellipsis:
        return _verdict(False, f"{TODO} {name}: not done yet (replace `...`).")
    if not isinstance(answers, dict):
        return _verdict(False, f"{FAIL} {name}: expected a dict like "
                               f'{{"a": (26, 26), ...}}, got {type(answers).__name__}.')
    expected = output_shape_answers()
    missing = [label for label in expected if label not in answers]
    if missing:
        return _verdict(False, f"{FAIL} {name}: no answer for {', '.join(missing)}.")
    if any(answers[label] is Ellipsis for label in expected):
        todo = [label for label in expected if answers[label] is Ellipsis]
        return _verdict(False, f"{TODO} {name}: not done yet for {', '.join(todo)} "
                               "(replace `...`).")
    wrong = []
    for label, (hw, k, s, p) in OUTPUT_SHAPE_QUESTIONS.items():
        problem = compare(answers[label], expected[label], atol=0)
        if problem:
            wrong.append(f"   ({label}) {hw[0]}x{hw[1]} image, {k}x{k} kernel, "
                         f"stride {s}, padding {p!r}: {_end(problem)}")
    if wrong:
        return _verdict(False, f"{FAIL} {name}: {len(wrong)} of {len(expected)} "
                               "wrong.\n" + "\n".join(wrong) + f"\n   Hint: {hint}")
    return _verdict(True, f"{PASS} {name}: all {len(expected)} correct.")


def _feature_maps_reference(image, kernels):
    bias = np.zeros(kernels.shape[3])
    return layers.conv2d_layer(image[None], kernels, bias)[0]


def check_feature_maps(learner_fn):
    """Notebook 02: the learner's ``feature_maps(image, kernels)``: an (H, W, C) image
    and (kh, kw, C, F) kernels give an (H', W', F) stack, stride 1, no padding."""
    rng = _rng(3)
    cases = [
        ("a 6x5 RGB image, four 3x3x3 kernels",
         (rng.random((6, 5, 3)), rng.normal(size=(3, 3, 3, 4)))),
        ("a 5x5 grayscale image (C=1), two 3x3x1 kernels",
         (rng.random((5, 5, 1)), rng.normal(size=(3, 3, 1, 2)))),
        ("a 4x6 image with C=2, three 2x2x2 kernels",
         (rng.random((4, 6, 2)), rng.normal(size=(2, 2, 2, 3)))),
        ("one filter (F=1)", (rng.random((5, 4, 3)), rng.normal(size=(3, 3, 3, 1)))),
    ]
    return check_function(learner_fn, _feature_maps_reference, cases, "feature_maps")
