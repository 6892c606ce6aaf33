"""Flatten and the dense (fully connected) layer, each with its gradient beside it.

Flatten only moves numbers: row-major, so for an (H, W, C) image the channel index
changes fastest, the order of ``keras.layers.Flatten``. Its gradient moves them back.
The dense layer is ``x @ weights + bias`` with weights in Keras layout
(n_inputs, units).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from helpers.validation import as_array, backward_check

__all__ = ["flatten", "dense", "flatten_forward", "flatten_backward", "dense_forward",
           "dense_backward"]


def flatten(x: np.ndarray) -> np.ndarray:
    """Row-major 1-D copy of one image `x`: for (H, W, C) the channel index changes
    fastest, the same order as ``keras.layers.Flatten``."""
    return x.reshape(-1).copy()


def dense(x: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Fully connected layer ``x @ weights + bias``.

    Parameters
    ----------
    x : (n_inputs,) or (N, n_inputs) array
    weights : (n_inputs, units) array, Keras layout
    bias : (units,) array

    Returns
    -------
    (units,) or (N, units) array
    """
    return x @ weights + bias


class FlattenCache(NamedTuple):
    """What `flatten_backward` needs: the shape to put the numbers back in."""

    in_shape: tuple
    out_shape: tuple


def flatten_forward(x: np.ndarray) -> tuple[np.ndarray, FlattenCache]:
    """Flatten every image of a batch: row ``n`` of the output is ``flatten(x[n])``.

    Parameters
    ----------
    x : (N, H, W, C) array (or any (N, ...) array)

    Returns
    -------
    out : (N, H * W * C) array, a copy
    cache : FlattenCache
    """
    out = x.reshape(x.shape[0], -1).copy()
    return out, FlattenCache(in_shape=x.shape, out_shape=out.shape)


def flatten_backward(grad_out: np.ndarray, cache: FlattenCache) -> np.ndarray:
    """Gradient of flatten: the upstream gradient put back in the input's shape.

    Parameters
    ----------
    grad_out : (N, H * W * C) array
    cache : FlattenCache
        What `flatten_forward` returned.

    Returns
    -------
    grad_x : (N, H, W, C) array, the shape of the forward's input
    """
    return grad_out.reshape(cache.in_shape)


class DenseCache(NamedTuple):
    """What `dense_backward` needs from the forward pass."""

    x: np.ndarray
    weights: np.ndarray
    out_shape: tuple


def dense_forward(x: np.ndarray, weights: np.ndarray,
                  bias: np.ndarray) -> tuple[np.ndarray, DenseCache]:
    """`dense` on a batch, also returning what its backward pass needs.

    Parameters
    ----------
    x : (N, n_inputs) array
    weights : (n_inputs, units) array
    bias : (units,) array

    Returns
    -------
    out : (N, units) array
    cache : DenseCache
    """
    out = dense(x, weights, bias)
    return out, DenseCache(x=x, weights=weights, out_shape=out.shape)


def dense_backward(grad_out: np.ndarray, cache: DenseCache):
    """Gradients of the batched dense layer ``out = x @ weights + bias``.

    ``out[n, u] = sum_i x[n, i] * weights[i, u] + bias[u]``, so::

        grad_x[n, i]       = sum_u grad_out[n, u] * weights[i, u]   (grad_out @ weights.T)
        grad_weights[i, u] = sum_n x[n, i] * grad_out[n, u]        (x.T @ grad_out)
        grad_bias[u]       = sum_n grad_out[n, u]

    The weight and bias gradients sum over the batch: every image used the same weights.

    Parameters
    ----------
    grad_out : (N, units) array
    cache : DenseCache
        What `dense_forward` returned.

    Returns
    -------
    grad_x : (N, n_inputs) array
    grad_weights : (n_inputs, units) array
    grad_bias : (units,) array
    """
    x, weights = cache.x, cache.weights
    grad = grad_out.astype(np.result_type(x, weights, grad_out), copy=False)
    return grad @ weights.T, x.T @ grad, grad.sum(axis=0)


# ---- the door: argument checks
def check_flatten(x) -> dict:
    """`x`: a finite array of at least 1 dimension (one image)."""
    return {"x": as_array(x, "x", tuple(range(1, 8)))}


def check_flatten_forward(x) -> dict:
    """`x`: a finite batch, (N, ...) with at least 2 dimensions."""
    return {"x": as_array(x, "x", tuple(range(2, 9)))}


def _check_dense(x, weights, bias, x_ndims: tuple[int, ...]) -> dict:
    """`x` one input (n_inputs,) or a batch (N, n_inputs), as `x_ndims` allows;
    `weights` (n_inputs, units); `bias` (units,)."""
    x = as_array(x, "x", x_ndims)
    weights = as_array(weights, "weights", (2,))
    bias = as_array(bias, "bias", (1,))
    if x.shape[-1] != weights.shape[0]:
        raise ValueError(f"`x` has {x.shape[-1]} inputs but `weights` has shape "
                         f"{weights.shape}: expected weights of shape "
                         f"({x.shape[-1]}, units)")
    if bias.shape[0] != weights.shape[1]:
        raise ValueError(f"`bias` has shape {bias.shape} but `weights` has "
                         f"{weights.shape[1]} units: expected bias of shape "
                         f"({weights.shape[1]},)")
    return {"x": x, "weights": weights, "bias": bias}


check_dense = functools.partial(_check_dense, x_ndims=(1, 2))
check_dense_forward = functools.partial(_check_dense, x_ndims=(2,))
check_flatten_backward = backward_check(FlattenCache, "flatten")
check_dense_backward = backward_check(DenseCache, "dense")
