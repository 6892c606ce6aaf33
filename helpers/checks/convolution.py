"""Checks for convolution by hand, kernels as detectors and stacks of feature maps.

(Predicted output shapes and parameter counts are in `checks.shapes`.)
"""

from __future__ import annotations

import numpy as np

from helpers import layers
from helpers.checks.core import (
    FAIL,
    PASS,
    TODO,
    _name,
    _rng,
    _verdict,
    check_answer,
    check_function,
    read_answer,
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


def _feature_maps_reference(image, kernels):
    bias = np.zeros(kernels.shape[3])
    return layers.conv2d_layer(image[None], kernels, bias)[0]


def check_feature_maps(learner_fn):
    """Notebook 03: the learner's ``feature_maps(image, kernels)``: an (H, W, C) image
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


# ------------------------------------------------------------ notebook 02: detectors
def line_detector_reference() -> np.ndarray:
    """A 3x3 kernel for bright horizontal lines one pixel thick (rows -1, 2, -1)."""
    return np.array([[-1.0, -1.0, -1.0], [2.0, 2.0, 2.0], [-1.0, -1.0, -1.0]])


def _line_test_images():
    """name -> 7x7 test image: flat, a bright row, a bright column, two steps."""
    flat = np.full((7, 7), 0.6)
    row = np.zeros((7, 7))
    row[3] = 1.0
    column = np.zeros((7, 7))
    column[:, 3] = 1.0
    bright_above = np.zeros((7, 7))
    bright_above[:4] = 1.0
    return {"flat": flat, "row": row, "column": column,
            "bright above": bright_above, "bright below": 1.0 - bright_above}


def check_line_detector(kernel):
    """Notebook 02: the learner's 3x3 `kernel` for bright horizontal lines.

    It must give 0 on a flat region and on a vertical line, its largest response to a
    bright one-pixel row when centred on it, and more for that line than for any
    horizontal step edge (an edge is not a line).
    """
    name = "line detector"
    kernel, failed = read_answer(kernel, name)
    if failed is not None:
        return failed
    if kernel is Ellipsis:
        return _verdict(False, f"{TODO} {name}: not done yet (replace `...`).")
    try:
        raw = np.asarray(kernel)
    except Exception:  # ragged lists, or an object that refuses to be an array
        raw = np.asarray(None)
    if raw.dtype.kind not in "iuf" or raw.shape != (3, 3):
        got = f"a {type(kernel).__name__}"
        if raw.dtype.kind == "b":
            got = "True/False values"
        elif raw.dtype.kind in "iuf":
            got = f"shape {raw.shape}"
        return _verdict(False, f"{FAIL} {name}: expected a 3x3 array of numbers, e.g. "
                               f"`np.array([[...], [...], [...]])`, got {got}.")
    kernel = raw.astype(float)
    if not np.all(np.isfinite(kernel)):
        return _verdict(False, f"{FAIL} {name}: the kernel holds NaN or inf.")
    tol = 1e-9 * max(1.0, float(np.abs(kernel).sum()))
    maps = {key: layers.conv2d(img, kernel) for key, img in _line_test_images().items()}
    line = maps["row"][:, 2]  # row 2 of the map: windows centred on the bright row
    reasons = []
    if np.abs(maps["flat"]).max() > tol:
        reasons.append(f"a flat gray region gives {maps['flat'][0, 0]:.3g}, not 0: "
                       f"the weights add up to {kernel.sum():.3g}, they should add up to 0")
    if np.abs(maps["column"]).max() > tol:
        reasons.append("a vertical line gives a response: each column of the kernel "
                       "should add up to 0")
    if not reasons and (line[2] <= tol or line[2] < line.max() - tol
                        or np.sum(np.isclose(line, line[2], atol=tol)) > 1):
        reasons.append(f"a bright row gives {line[2]:.3g} when the kernel is centred "
                       f"on it and {line[1]:.3g} / {line[3]:.3g} one row below / above: "
                       "the centred response should be positive and the largest")
    if not reasons:
        edge = max(maps["bright above"].max(), maps["bright below"].max())
        if edge >= line[2] - tol:
            reasons.append(f"a step edge (bright above, dark below, or the reverse) "
                           f"gives {edge:.3g}, as much as the line ({line[2]:.3g}): it "
                           "detects edges, not lines; a line is dark on both sides")
    if reasons:
        return _verdict(False, f"{FAIL} {name}: " + "; ".join(reasons) + ".\n"
                               "   Hint: put positive weights on the middle row and "
                               "negative ones above and below it.")
    return _verdict(True, f"{PASS} {name}: 0 on flat regions and vertical lines, "
                          "largest when centred on a bright row, more for a line than "
                          "for an edge.")


def feature_stack_reference(image, kernels):
    """The answer key of notebook 02's ``feature_stack``: (H, W) image, (kh, kw, F)
    kernels -> (H', W', F) stack (the lesson falls back to it until the check passes)."""
    maps = [layers.conv2d(image, kernels[:, :, f]) for f in range(kernels.shape[2])]
    return np.stack(maps, axis=-1)


def check_feature_stack(learner_fn):
    """Notebook 02: the learner's ``feature_stack(image, kernels)``: an (H, W) image
    and (kh, kw, F) kernels give an (H', W', F) stack, stride 1, no padding."""
    rng = _rng(4)
    cases = [
        ("a 6x5 image, four 3x3 kernels",
         (rng.random((6, 5)), rng.normal(size=(3, 3, 4)))),
        ("a 5x7 image, three 2x2 kernels", (rng.random((5, 7)), rng.normal(size=(2, 2, 3)))),
        ("a 6x6 image, two 3x2 kernels (not square)",
         (rng.random((6, 6)), rng.normal(size=(3, 2, 2)))),
        ("one kernel (F=1)", (rng.random((4, 5)), rng.normal(size=(3, 3, 1)))),
    ]
    return check_function(learner_fn, feature_stack_reference, cases,
                          _name(learner_fn, "feature_stack"))
