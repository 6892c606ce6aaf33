"""Pooling: every window of a feature map replaced by its maximum or its mean.

A `size` x `size` window slides over the first two axes by `stride` (by default
`size`: windows side by side); windows that do not fit at the edge are dropped
(Keras's padding "valid"), so::

    H' = floor((H - size) / stride) + 1       (W' the same way)

which is `helpers.layers.geometry.output_size` with padding 0.

Backward (max pooling). A window's output is one of its inputs, the largest, so only
that input moved the output: the whole upstream gradient goes to it and the other
inputs of the window get 0. When overlapping windows (stride < size) share a maximum,
it collects the gradient of each. On a tie (two inputs equal to the maximum, common
after ReLU turns a region to 0 or on a flat background) the gradient goes to the
*first* of them in row-major order (top-left first, then along the row), as
TensorFlow's ``MaxPoolGrad`` does; it is not split between them.

The functions are bare (they trust their arguments); the checks at the end of the
module are their doors, which `helpers.layers` puts in front of them.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from helpers.layers.geometry import output_size, strided
from helpers.validation import as_array, backward_check, positive_int

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_layer", "avg_pool2d_layer",
           "max_pool2d_layer_forward", "max_pool2d_layer_backward_loops",
           "max_pool2d_layer_backward"]


class PoolCache(NamedTuple):
    """What `max_pool2d_layer_backward` needs from the forward pass."""

    x: np.ndarray  # (N, H, W, C), the layer's input
    size: int
    stride: int
    out_shape: tuple[int, int, int, int]  # (N, H', W', C)
    maxima: np.ndarray | None = None  # (N, H', W', C), the output (None: recomputed)


# --------------------------------------------------------------------------- one image
def _pool2d(x, size, stride, reduce):
    stride = size if stride is None else stride
    H, W = x.shape[:2]
    out = np.zeros((output_size(H, size, stride), output_size(W, size, stride))
                   + x.shape[2:])
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = x[i * stride : i * stride + size, j * stride : j * stride + size]
            out[i, j] = reduce(window, axis=(0, 1))
    return out


def max_pool2d(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling over the first two axes; edge windows that do not fit are dropped.

    Parameters
    ----------
    x : (H, W) or (H, W, C) array
    size : int
        Window side.
    stride : int or None
        Step between windows; defaults to `size` (non-overlapping windows).

    Returns
    -------
    (H', W') or (H', W', C) array, ``H' = floor((H - size) / stride) + 1``
    """
    return _pool2d(x, size, stride, np.max)


def avg_pool2d(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Average pooling; same shapes and rules as `max_pool2d`."""
    return _pool2d(x, size, stride, np.mean)


# --------------------------------------------------------------------------- the layers
def _views(x, size, stride):
    """(a, b, view) for each offset (a, b) in the window, in row-major order: `view` is
    the (N, H', W', C) block of every window's entry (a, b), a strided view of `x`."""
    _, H, W, _ = x.shape
    out_h, out_w = output_size(H, size, stride), output_size(W, size, stride)
    return [(a, b, x[:, strided(a, out_h, stride), strided(b, out_w, stride)])
            for a in range(size) for b in range(size)]


def _pool_layer(x, size, stride, reduce):
    # One strided view per offset inside the window: size * size cheap passes.
    stride = size if stride is None else stride
    result = None
    for _, _, view in _views(x, size, stride):
        result = view.copy() if result is None else reduce(result, view, out=result)
    return result


def max_pool2d_layer(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Batched max pooling in Keras layout (``MaxPooling2D``, padding "valid").

    Parameters
    ----------
    x : (N, H, W, C) array
    size, stride : as in `max_pool2d`

    Returns
    -------
    (N, H', W', C) array in the dtype of `x`, ``H' = floor((H - size) / stride) + 1``
    (through the door, integers come in and go out as float64, float16 as float32)
    """
    return _pool_layer(x, size, stride, np.maximum)


def avg_pool2d_layer(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Batched average pooling in Keras layout (``AveragePooling2D``, padding "valid");
    same shapes and dtypes as `max_pool2d_layer`."""
    return _pool_layer(x, size, stride, np.add) / (size * size)


def max_pool2d_layer_forward(x, size: int = 2, stride: int | None = None):
    """`max_pool2d_layer`, and the cache its backward pass needs.

    Returns
    -------
    out : (N, H', W', C) array, as `max_pool2d_layer`
    cache : PoolCache
        The input, the window size, the stride, the output's shape and the output
        itself, the window maxima, so that the backward pass need not find them again
        (the cache holds `out`, not a copy: change neither before the backward pass).
    """
    stride = size if stride is None else stride
    out = max_pool2d_layer(x, size, stride)
    return out, PoolCache(x, size, stride, out.shape, maxima=out)


# --------------------------------------------------------------------------- backward
def max_pool2d_layer_backward_loops(grad_out, cache: PoolCache) -> np.ndarray:
    """Gradient of `max_pool2d_layer` with respect to its input, window by window.

    Parameters
    ----------
    grad_out : (N, H', W', C) array
        Gradient of the loss with respect to the layer's output.
    cache : PoolCache
        What `max_pool2d_layer_forward` returned with that output.

    Returns
    -------
    grad_x : (N, H, W, C) array
        Zero except at each window's (first) maximum, which gets the window's
        upstream gradient (summed over the windows it is the maximum of).
    """
    x, size, s = cache.x, cache.size, cache.stride
    grad = grad_out.astype(np.result_type(x.dtype, grad_out.dtype), copy=False)
    N, out_h, out_w, C = grad.shape
    grad_x = np.zeros(x.shape, dtype=grad.dtype)
    for n in range(N):
        for i in range(out_h):
            for j in range(out_w):
                for c in range(C):
                    window = x[n, i * s : i * s + size, j * s : j * s + size, c]
                    # argmax returns the first maximum in row-major order
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    grad_x[n, i * s + a, j * s + b, c] += grad[n, i, j, c]
    return grad_x


def max_pool2d_layer_backward(grad_out, cache: PoolCache) -> np.ndarray:
    """Gradient of `max_pool2d_layer`, vectorized: one pass per offset in the window.

    The window maxima come from the cache (the forward pass's output); then, for each
    offset (a, b) in row-major order, the inputs at that offset that equal their
    window's maximum, in windows not yet served, take the window's gradient. Same
    arguments and result as `max_pool2d_layer_backward_loops`.
    """
    x, size, s = cache.x, cache.size, cache.stride
    grad = grad_out.astype(np.result_type(x.dtype, grad_out.dtype), copy=False)
    _, out_h, out_w, _ = grad.shape
    maxima = max_pool2d_layer(x, size, s) if cache.maxima is None else cache.maxima
    grad_x = np.zeros(x.shape, dtype=grad.dtype)
    served = np.zeros(grad.shape, dtype=bool)  # windows whose maximum is found
    for a, b, view in _views(x, size, s):
        first = np.greater(view == maxima, served)  # a maximum, and the first one
        served |= first
        target = grad_x[:, strided(a, out_h, s), strided(b, out_w, s)]
        # grad * first is np.where(first, grad, 0), several times faster, but a
        # negative gradient times False is -0.0: the + 0.0 below makes it 0.0
        if s >= size:  # windows apart: each input is in one window at most
            np.multiply(grad, first, out=target)
        else:  # overlapping windows: an input collects the gradient of each
            target += grad * first
    grad_x += 0.0
    return grad_x


# ---- the door: argument checks
def _check_pooling(x, size, stride, batch: bool) -> dict:
    """`x` one image, (H, W) or (H, W, C), or a `batch` (N, H, W, C); a window `size`
    that fits in H and W; `stride` None -> `size`."""
    size = positive_int(size, "size")
    stride = size if stride is None else positive_int(stride, "stride")
    x = as_array(x, "x", (4,) if batch else (2, 3))
    (H, W), what = (x.shape[1:3], "images") if batch else (x.shape[:2], "input")
    if size > H or size > W:
        raise ValueError(f"`size` {size} is larger than the {what} ({H}x{W})")
    return {"x": x, "size": size, "stride": stride}


check_max_pool2d = check_avg_pool2d = functools.partial(_check_pooling, batch=False)
check_max_pool2d_layer = check_max_pool2d_layer_forward = check_avg_pool2d_layer = \
    functools.partial(_check_pooling, batch=True)


check_max_pool2d_layer_backward = backward_check(PoolCache, "max_pool2d_layer")
check_max_pool2d_layer_backward_loops = check_max_pool2d_layer_backward
