"""Activations: ReLU, sigmoid and softmax, and the gradient of ReLU beside it.

Each works element-wise (softmax along one axis), so any shape comes out as it went in.
``relu_forward`` / ``relu_backward`` are the pair a network's backward pass uses: the
forward keeps its input in a `ReluCache`, the backward lets the upstream gradient
through where that input was positive.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from helpers.validation import as_array, backward_check

__all__ = ["relu", "sigmoid", "softmax", "relu_forward", "relu_backward"]


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit, ``max(0, x)`` element-wise. Any shape in, same shape out."""
    return np.maximum(x, 0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``, element-wise, without overflow."""
    # exp of a large positive number overflows; use the mirrored form for x < 0.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along `axis`: ``exp(x) / sum(exp(x))``, shifted by the max so it never
    overflows (the shift cancels in the ratio).

    ``softmax([1000, 1001])`` is ``[0.269, 0.731]``, finite and summing to 1.
    """
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


class ReluCache(NamedTuple):
    """What `relu_backward` needs from the forward pass."""

    x: np.ndarray  # the layer's input (the mask is taken on it, not on the output)
    out_shape: tuple


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, ReluCache]:
    """`relu` that also returns what its backward pass needs.

    Parameters
    ----------
    x : array, any shape

    Returns
    -------
    out : array, the shape of `x`: ``max(0, x)``
    cache : ReluCache
    """
    out = relu(x)
    return out, ReluCache(x=x, out_shape=out.shape)


def relu_backward(grad_out: np.ndarray, cache: ReluCache) -> np.ndarray:
    """Gradient of ``relu(x) = max(0, x)`` with respect to `x`: a mask.

    The slope of ReLU is 1 where ``x > 0`` and 0 where ``x < 0``; at exactly 0 we take
    0, as TensorFlow does. So the upstream gradient passes where the *input* was
    positive and is blocked elsewhere.

    Parameters
    ----------
    grad_out : array, the shape of `x`
        dL/d out, the gradient of the loss with respect to the layer's output.
    cache : ReluCache
        What `relu_forward` returned.

    Returns
    -------
    grad_x : array, the shape of `x`: ``grad_out * (x > 0)``
    """
    x = cache.x
    # A product with the mask, then + 0.0 so that a blocked negative gradient is 0.0,
    # not -0.0 (printed "-0."): np.where(x > 0, grad_out, 0) gives the same numbers and
    # took 5 times longer.
    grad_x = grad_out * (x > 0)
    grad_x += 0.0
    return grad_x.astype(np.result_type(x, grad_out), copy=False)


# ---- the door: argument checks
def check_relu(x) -> dict:
    """`x`: an array of numbers of any shape (NaN passes through, as in numpy)."""
    return {"x": as_array(x, "x", tuple(range(0, 8)), allow_nan=True)}


check_sigmoid = check_relu_forward = check_relu


def check_softmax(x, axis=-1) -> dict:
    """`x`: a finite array of at least 1 dimension; `axis` an int naming one of them."""
    x = as_array(x, "x", tuple(range(1, 8)))
    message = f"`axis` must be an int in [{-x.ndim}, {x.ndim - 1}], got {axis!r}"
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(message)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(message)
    return {"x": x, "axis": int(axis)}  # numpy integers too


check_relu_backward = backward_check(ReluCache, "relu")
