"""Backward passes of flatten and of the dense layer ``x @ weights + bias``."""

from __future__ import annotations

import numpy as np

from helpers.backprop._check import float_array, grad_like, result_dtype

__all__ = ["dense_backward", "flatten_backward"]


def flatten_backward(x, grad_out) -> np.ndarray:
    """Gradient of flatten: the upstream gradient put back in the input's shape.

    Flatten only moves numbers (row-major, channel fastest, like Keras), so its
    gradient moves them back: a reshape.

    Parameters
    ----------
    x : (N, H, W, C) array (or any (N, ...) array)
        The layer's input in the forward pass.
    grad_out : (N, H * W * C) array

    Returns
    -------
    grad_x : array, the shape of `x`
    """
    x = float_array(x, "x", tuple(range(2, 9)))
    grad = grad_like(grad_out, (x.shape[0], x[0].size), "flatten")
    return grad.reshape(x.shape)


def dense_backward(x, weights, grad_out):
    """Gradients of the batched dense layer ``out = x @ weights + bias``.

    ``out[n, u] = sum_i x[n, i] * weights[i, u] + bias[u]``, so::

        grad_x[n, i]       = sum_u grad_out[n, u] * weights[i, u]   (grad_out @ weights.T)
        grad_weights[i, u] = sum_n x[n, i] * grad_out[n, u]        (x.T @ grad_out)
        grad_bias[u]       = sum_n grad_out[n, u]

    The weight and bias gradients sum over the batch: every image used the same weights.

    Parameters
    ----------
    x : (N, n_inputs) array
    weights : (n_inputs, units) array
    grad_out : (N, units) array

    Returns
    -------
    grad_x : (N, n_inputs) array
    grad_weights : (n_inputs, units) array
    grad_bias : (units,) array
    """
    x = float_array(x, "x", (2,))
    weights = float_array(weights, "weights", (2,))
    if x.shape[1] != weights.shape[0]:
        raise ValueError(
            f"`x` has {x.shape[1]} inputs but `weights` has shape {weights.shape}: "
            f"expected weights of shape ({x.shape[1]}, units)"
        )
    grad = grad_like(grad_out, (x.shape[0], weights.shape[1]), "dense")
    dtype = result_dtype(x, weights, grad)
    x, weights, grad = x.astype(dtype), weights.astype(dtype), grad.astype(dtype)
    return grad @ weights.T, x.T @ grad, grad.sum(axis=0)
