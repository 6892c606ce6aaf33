"""Checks for notebooks 12 and 13: the backward passes of a convolution (its kernel's gradient,
its input's gradient, with a stride), ReLU, max pooling and a dense layer.

Each reference is a forward/backward pair of `helpers.layers`; the cases are chosen so
that the plausible wrong answers fail: a kernel's gradient flipped or averaged; the
input's gradient without the flip, with one ring of padding for any kernel, or with the
windows one pixel apart at stride 2; a mask taken from the gradient or the output values
instead of the input, ``>= 0`` instead of ``> 0``, the gradient sent to every position of
a window (or split between tied maxima, or to the last of them), weights' gradient
transposed, for the first image only, or averaged instead of summed over the batch.
"""

from __future__ import annotations

import numpy as np

from helpers import layers
from helpers.checks.core import _rng, _with_hint, check_function


def _relu_reference(x, grad_out):
    return layers.relu_backward(grad_out, layers.relu_forward(x)[1])


def check_relu_backward(learner_fn):
    """``my_relu_backward(x, grad_out)``: the upstream gradient where ``x > 0``, else 0."""
    rng = _rng(11)
    cases = [
        ("a 1-D input with negatives and positives, gradient all ones",
         (np.array([-2.0, -0.5, 0.5, 2.0]), np.ones(4))),
        ("negative upstream gradients where x > 0",
         (np.array([[1.0, -1.0], [3.0, -2.0]]), np.array([[-2.0, 5.0], [-0.5, 4.0]]))),
        ("exact zeros in x: the slope at 0 is taken as 0, as TensorFlow does",
         (np.array([0.0, 1.0, 0.0, -1.0]), np.array([3.0, 3.0, 3.0, 3.0]))),
        ("a random (2, 3, 3, 2) batch of feature maps",
         (rng.normal(size=(2, 3, 3, 2)), rng.normal(size=(2, 3, 3, 2)))),
    ]
    return _with_hint(
        check_function(learner_fn, _relu_reference, cases, "my_relu_backward"),
        "the mask comes from the *input* x (x > 0), and it multiplies grad_out: "
        "np.where(x > 0, grad_out, 0).",
    )


def _pool_reference(x, grad_out):
    x, grad_out = np.asarray(x, float), np.asarray(grad_out, float)
    _, cache = layers.max_pool2d_layer_forward(x[None, :, :, None], 2)
    return layers.max_pool2d_layer_backward(grad_out[None, :, :, None], cache)[0, :, :, 0]


def check_max_pool_backward(learner_fn):
    """``my_max_pool_backward(x, grad_out)``: 2x2 windows, stride 2, on an (H, W) map."""
    rng = _rng(12)
    x = rng.permutation(16).reshape(4, 4).astype(float)
    cases = [
        ("a 4x4 map of distinct numbers", (x, np.array([[1.0, 2.0], [3.0, 4.0]]))),
        ("negative numbers only (the maximum is still the largest)",
         (-1 - x, np.array([[1.0, -2.0], [3.0, 0.5]]))),
        ("a 5x6 map: the last row does not fit a window and gets 0",
         (rng.normal(size=(5, 6)), rng.normal(size=(2, 3)))),
        ("ties: the gradient goes to the first maximum in row-major order",
         (np.array([[1.0, 3.0, 2.0, 2.0], [3.0, 0.0, 2.0, 2.0]]),
          np.array([[5.0, 7.0]]))),
        ("a 2x8 map", (rng.normal(size=(2, 8)), rng.normal(size=(1, 4)))),
    ]
    return _with_hint(
        check_function(learner_fn, _pool_reference, cases, "my_max_pool_backward"),
        "start from zeros like x; for each window (i, j) find the position of its "
        "maximum with np.argmax (the first one on a tie) and add grad_out[i, j] there "
        "only. np.unravel_index turns argmax's flat index into (row, column).",
    )


def _dense_weight_grad(x, grad_out):
    weights = np.zeros((np.shape(x)[1], np.shape(grad_out)[1]))
    _, cache = layers.dense_forward(x, weights, np.zeros(np.shape(grad_out)[1]))
    return layers.dense_backward(grad_out, cache)[1]


def check_dense_weight_grad(learner_fn):
    """``my_dense_weight_grad(x, grad_out)``: ``x.T @ grad_out``, (n_inputs, units)."""
    rng = _rng(13)
    cases = [
        ("one image: N=1, 3 inputs, 2 units",
         (np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, -1.0]]))),
        ("a batch of 4, 3 inputs, 2 units (summed over the batch)",
         (rng.integers(-3, 4, (4, 3)).astype(float),
          rng.integers(-3, 4, (4, 2)).astype(float))),
        ("a batch of 5, 6 inputs, 4 units", (rng.normal(size=(5, 6)),
                                             rng.normal(size=(5, 4)))),
        ("as many inputs as units (3 and 3), batch of 2",
         (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)))),
    ]
    return _with_hint(
        check_function(learner_fn, _dense_weight_grad, cases, "my_dense_weight_grad"),
        "weights[i, u] multiplies x[n, i] in output [n, u] for every image n, so its "
        "gradient is the sum over n of x[n, i] * grad_out[n, u]. Which matrix product "
        "sums over n and has shape (n_inputs, units)?",
    )


# ---- the gradient of a convolution (section 2): kernel, input, stride ----------------
def _as_matrix(got):
    """`got` as a 2-D float array, or None (the verdict already says what is wrong)."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    return got if got.ndim == 2 else None


def _kernel_grad_reference(x, grad_out):
    return layers.conv2d(np.asarray(x, float), np.asarray(grad_out, float))


def _kernel_grad_slip(got, x, grad_out):
    got = _as_matrix(got)
    if got is None:
        return ""
    right = _kernel_grad_reference(x, grad_out)
    if got.shape == right.shape and np.allclose(got, right[::-1, ::-1]):
        return "   That is the right gradient turned by 180 degrees: here nothing is flipped."
    if got.shape == right.shape and np.allclose(got, right / np.size(grad_out)):
        return "   That is the mean over the outputs: the gradient is their sum."
    return ""


def check_conv_kernel_grad(learner_fn):
    """``my_conv_kernel_grad(x, grad_out)``: dL/dk of ``out = conv2d(x, k)`` (stride 1,
    no padding): ``sum_{i,j} grad_out[i, j] * x[i + a, j + b]``, shape
    (H - H' + 1, W - W' + 1)."""
    rng = _rng(14)
    cases = [
        ("section 2's 4x4 input with a 3x3 upstream gradient (a 2x2 kernel)",
         (np.array([[1.0, 2, 0, 1], [0, 1, 3, 2], [2, 1, 0, 1], [1, 0, 2, 3]]),
          np.array([[1.0, 0, -1], [2, 1, 0], [0, -1, 1]]))),
        ("a 6x5 input, 4x2 upstream gradient: a 3x4 kernel (not square)",
         (rng.integers(-3, 4, (6, 5)).astype(float),
          rng.integers(-2, 3, (4, 2)).astype(float))),
        ("a 1x1 upstream gradient: the kernel is the size of the input",
         (rng.normal(size=(3, 3)), np.array([[2.0]]))),
        ("a 7x7 input, 5x5 upstream gradient", (rng.normal(size=(7, 7)),
                                                 rng.normal(size=(5, 5)))),
    ]
    return _with_hint(
        check_function(learner_fn, _kernel_grad_reference, cases, "my_conv_kernel_grad",
                       diagnose=_kernel_grad_slip),
        "the kernel has kh = H - H' + 1 rows and kw = W - W' + 1 columns; weight (a, b) "
        "meets one pixel of x in every output (i, j), which one? Those pixels form a "
        "block of x shaped like grad_out, each meeting the grad_out of its output.",
    )


def _full_correlation(grad_out, kernel):
    """Each output's gradient sent back onto its window: the input's gradient."""
    grad_out, kernel = np.asarray(grad_out, float), np.asarray(kernel, float)
    kh, kw = kernel.shape
    padded = np.pad(grad_out, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    return layers.conv2d(padded, kernel[::-1, ::-1])


def _input_grad_slip(got, grad_out, kernel):
    got = _as_matrix(got)
    if got is None:
        return ""
    kernel = np.asarray(kernel, float)
    kh, kw = kernel.shape
    padded = np.pad(np.asarray(grad_out, float), ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    unflipped = layers.conv2d(padded, kernel)
    if got.shape == unflipped.shape and np.allclose(got, unflipped):
        return ("   That is the correlation with the kernel as it is: the input's "
                "gradient needs it turned by 180 degrees (k[::-1, ::-1]).")
    if got.shape == unflipped.shape and np.allclose(got, layers.conv2d(padded,
                                                                      kernel[::-1])):
        return ("   The kernel is flipped upside down only: turn it by 180 degrees, "
                "k[::-1, ::-1] (rows and columns).")
    return ""


def check_conv_input_grad(learner_fn):
    """``my_conv_input_grad(grad_out, kernel)``: dL/dx of ``out = conv2d(x, kernel)``
    (stride 1, no padding), shape (H' + kh - 1, W' + kw - 1)."""
    rng = _rng(15)
    cases = [
        ("section 2's 3x3 upstream gradient and 2x2 kernel",
         (np.array([[1.0, 0, -1], [2, 1, 0], [0, -1, 1]]),
          np.array([[1.0, -1], [2, 0]]))),
        ("a 2x3 kernel (pad 1 row and 2 columns of zeros on each side)",
         (rng.integers(-2, 3, (3, 4)).astype(float),
          rng.integers(-3, 4, (2, 3)).astype(float))),
        ("a 3x3 kernel with a 1x1 upstream gradient: the kernel times it",
         (np.array([[-2.0]]), rng.normal(size=(3, 3)))),
        ("a 1x1 kernel: the upstream gradient times it",
         (rng.normal(size=(4, 5)), np.array([[3.0]]))),
        ("a random 5x4 upstream gradient, 3x2 kernel",
         (rng.normal(size=(5, 4)), rng.normal(size=(3, 2)))),
    ]
    return _with_hint(
        check_function(learner_fn, _full_correlation, cases, "my_conv_input_grad",
                       diagnose=_input_grad_slip),
        "start from zeros of shape (H' + kh - 1, W' + kw - 1); every output (i, j) "
        "sends grad_out[i, j] times the kernel back onto the window it came from, whose "
        "top-left corner is (i, j), and pixels under several windows add up what they "
        "get.",
    )


def _strided_input_grad(grad_out, kernel, stride, input_shape):
    grad_out, kernel = np.asarray(grad_out, float), np.asarray(kernel, float)
    x = np.zeros((1, *input_shape, 1))
    _, cache = layers.conv2d_layer_forward(x, kernel[:, :, None, None], np.zeros(1),
                                           stride)
    return layers.conv2d_layer_backward(grad_out[None, :, :, None], cache)[0][0, :, :, 0]


def _strided_slip(got, grad_out, kernel, stride, input_shape):
    got = _as_matrix(got)
    if got is None:
        return ""
    if got.shape != tuple(input_shape):
        return (f"   The gradient has the input's shape {tuple(input_shape)}: rows or "
                "columns that no window reaches get 0.")
    one_step = _full_correlation(grad_out, kernel)
    h, w = min(one_step.shape[0], got.shape[0]), min(one_step.shape[1], got.shape[1])
    if np.allclose(got[:h, :w], one_step[:h, :w]):
        return ("   The windows were taken one pixel apart: with a stride, window (i, j) "
                "starts at (i * stride, j * stride).")
    return ""


def check_conv_input_grad_strided(learner_fn):
    """``my_conv_input_grad_strided(grad_out, kernel, stride, input_shape)``: dL/dx of a
    strided convolution (no padding), shape `input_shape`."""
    rng = _rng(16)
    cases = [
        ("a 3x3 kernel at stride 2 on a 5x5 input (2x2 outputs)",
         (np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((3, 3)), 2, (5, 5))),
        ("stride 2 on a 6x6 input: the last row and column are in no window",
         (rng.integers(-2, 3, (2, 2)).astype(float),
          rng.integers(-2, 3, (3, 3)).astype(float), 2, (6, 6))),
        ("a 2x2 kernel at stride 2: the windows do not overlap",
         (rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), 2, (6, 4))),
        ("stride 3, a 2x3 kernel on a 7x8 input",
         (rng.normal(size=(2, 2)), rng.normal(size=(2, 3)), 3, (7, 8))),
        ("stride 1 still works", (rng.normal(size=(3, 3)), rng.normal(size=(2, 2)), 1,
                                  (4, 4))),
    ]
    return _with_hint(
        check_function(learner_fn, _strided_input_grad, cases,
                       "my_conv_input_grad_strided", diagnose=_strided_slip),
        "start from np.zeros(input_shape); send each output's gradient times the kernel "
        "back onto its window as at stride 1, but window (i, j) now starts at row "
        "i * stride and column j * stride.",
    )


def conv_kernel_grad_answer(x, grad_out):
    """The answer key of notebook 12's `my_conv_kernel_grad` (stride 1, no padding):
    the (kh, kw) gradient of the kernel. Notebook 12 uses it when the learner's
    function is not done yet."""
    return _kernel_grad_reference(x, grad_out)


def conv_input_grad_answer(grad_out, kernel):
    """The answer key of notebook 12's `my_conv_input_grad` (stride 1, no padding):
    the (H' + kh - 1, W' + kw - 1) gradient of the input."""
    return _full_correlation(grad_out, kernel)
