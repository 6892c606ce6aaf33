"""The backward pass of `helpers.layers.max_pool2d_layer`.

A window's output is one of its inputs, the largest, so only that input moved the
output: the whole upstream gradient goes to it and the other inputs of the window get 0.
When overlapping windows (stride < size) share a maximum, it collects the gradient of
each. On a tie (two inputs equal to the maximum, common after ReLU turns a region to 0
or on a flat background) the gradient goes to the *first* of them in row-major order
(top-left first, then along the row), as TensorFlow's ``MaxPoolGrad`` does; it is not
split between them.
"""

from __future__ import annotations

import numpy as np

from helpers.backprop._check import float_array, grad_like, result_dtype
from helpers.validation import pooled_size, positive_int

__all__ = ["max_pool2d_layer_backward", "max_pool2d_layer_backward_loops"]


def _prepare(x, grad_out, size, stride):
    x = float_array(x, "x", (4,))
    size = positive_int(size, "size")
    stride = size if stride is None else positive_int(stride, "stride")
    N, H, W, C = x.shape
    out_h, out_w = pooled_size(H, W, size, stride)
    grad = grad_like(grad_out, (N, out_h, out_w, C), "max_pool2d_layer")
    dtype = result_dtype(x, grad)
    return x, grad.astype(dtype), size, stride


def max_pool2d_layer_backward_loops(x, grad_out, size: int = 2,
                                    stride: int | None = None):
    """Gradient of `max_pool2d_layer` with respect to its input, window by window.

    Parameters
    ----------
    x : (N, H, W, C) array
        The layer's input in the forward pass.
    grad_out : (N, H', W', C) array, ``H' = floor((H - size) / stride) + 1``
    size, stride : as in the forward pass (stride defaults to size)

    Returns
    -------
    grad_x : (N, H, W, C) array
        Zero except at each window's (first) maximum, which gets the window's
        upstream gradient (summed over the windows it is the maximum of).
    """
    x, grad, size, s = _prepare(x, grad_out, size, stride)
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


def max_pool2d_layer_backward(x, grad_out, size: int = 2, stride: int | None = None):
    """Gradient of `max_pool2d_layer`, vectorized: one pass per offset in the window.

    The window maxima are computed as in the forward pass; then, for each offset
    (a, b) in row-major order, the inputs at that offset that equal their window's
    maximum, in windows not yet served, take the window's gradient. Same arguments and
    result as `max_pool2d_layer_backward_loops`.
    """
    x, grad, size, s = _prepare(x, grad_out, size, stride)
    N, out_h, out_w, C = grad.shape
    span_h, span_w = (out_h - 1) * s + 1, (out_w - 1) * s + 1
    views = [
        (a, b, x[:, a : a + span_h : s, b : b + span_w : s])
        for a in range(size)
        for b in range(size)
    ]
    maxima = views[0][2].copy()
    for _, _, view in views[1:]:
        np.maximum(maxima, view, out=maxima)
    grad_x = np.zeros(x.shape, dtype=grad.dtype)
    served = np.zeros(grad.shape, dtype=bool)  # windows whose maximum is found
    for a, b, view in views:
        first = (view == maxima) & ~served
        served |= first
        grad_x[:, a : a + span_h : s, b : b + span_w : s] += np.where(first, grad, 0)
    return grad_x
