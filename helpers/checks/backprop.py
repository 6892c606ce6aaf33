"""Checks for notebook 11: the backward passes of ReLU, max pooling and a dense layer.

Each reference is a forward/backward pair of `helpers.layers`; the cases are chosen so
that the plausible wrong answers fail: a mask taken from the gradient or the output
values instead of the input, ``>= 0`` instead of ``> 0``, the gradient sent to every
position of a window (or split between tied maxima, or to the last of them), weights'
gradient transposed, for the first image only, or averaged instead of summed over the
batch.
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
        "gradient is the sum over n of x[n, i] * grad_out[n, u]: x.T @ grad_out, "
        "shape (n_inputs, units).",
    )
