"""The backward pass of the batched convolution layer `helpers.layers.conv2d_layer`.

Forward (padded input ``xp``, stride ``s``)::

    out[n, i, j, f] = sum_{a, b, c} xp[n, i*s + a, j*s + b, c] * kernel[a, b, c, f] + bias[f]

Each kernel weight touches every output position, so its gradient sums over them; each
input pixel touches the outputs whose windows cover it::

    grad_bias[f]         = sum_{n, i, j} grad_out[n, i, j, f]
    grad_kernel[a, b, c, f] = sum_{n, i, j} xp[n, i*s + a, j*s + b, c] * grad_out[n, i, j, f]
    grad_xp[n, i*s + a, j*s + b, c] += sum_f kernel[a, b, c, f] * grad_out[n, i, j, f]

The first is a correlation of the input with the upstream gradient (notebook 08); with
stride 1 the last is a "full" convolution of the upstream gradient with the kernel
turned by 180 degrees (notebook 11). The padding is cut off ``grad_xp`` at the end:
the zeros added around the image have no input to pass a gradient to.
"""

from __future__ import annotations

import numpy as np

from helpers.backprop._check import float_array, grad_like, result_dtype
from helpers.layers import pad_amounts
from helpers.validation import kernel_channels, padding_arg, positive_int

__all__ = ["conv2d_layer_backward", "conv2d_layer_backward_loops"]


def _prepare(x, kernel, grad_out, stride, padding):
    """Check the arguments like `conv2d_layer`; return them with the padded input."""
    x = float_array(x, "x", (4,))
    kernel = float_array(kernel, "kernel", (4,))
    stride = positive_int(stride, "stride")
    padding = padding_arg(padding)
    N, H, W, C = x.shape
    kh, kw, _, F = kernel.shape
    kernel_channels(kernel, C)
    top, bottom = pad_amounts(H, kh, stride, padding)
    left, right = pad_amounts(W, kw, stride, padding)
    Hp, Wp = H + top + bottom, W + left + right
    if kh > Hp or kw > Wp:
        raise ValueError(
            f"`kernel` ({kh}x{kw}) is larger than the padded images ({Hp}x{Wp})"
        )
    out_h, out_w = (Hp - kh) // stride + 1, (Wp - kw) // stride + 1
    grad = grad_like(grad_out, (N, out_h, out_w, F), "conv2d_layer")
    dtype = result_dtype(x, kernel, grad)
    xp = np.zeros((N, Hp, Wp, C), dtype=dtype)
    xp[:, top : top + H, left : left + W] = x
    return xp, kernel.astype(dtype), grad.astype(dtype), stride, (top, left, H, W)


def conv2d_layer_backward_loops(x, kernel, grad_out, stride: int = 1,
                                padding: str | int = "valid"):
    """Gradients of `conv2d_layer`, one output position at a time (the readable one).

    Parameters
    ----------
    x : (N, H, W, C) array
        The layer's input in the forward pass.
    kernel : (kh, kw, C, F) array
    grad_out : (N, H', W', F) array
        Gradient of the loss with respect to the layer's output.
    stride, padding : as in the forward pass

    Returns
    -------
    grad_x : (N, H, W, C) array
    grad_kernel : (kh, kw, C, F) array
    grad_bias : (F,) array
    """
    xp, kernel, grad, s, (top, left, H, W) = _prepare(x, kernel, grad_out, stride,
                                                      padding)
    kh, kw = kernel.shape[:2]
    N, out_h, out_w, _ = grad.shape
    grad_xp = np.zeros_like(xp)
    grad_kernel = np.zeros_like(kernel)
    for n in range(N):
        for i in range(out_h):
            for j in range(out_w):
                g = grad[n, i, j]  # (F,): how much the loss cares about each output
                rows = slice(i * s, i * s + kh)
                cols = slice(j * s, j * s + kw)
                # out[n, i, j, f] = sum(window * kernel[..., f]) + bias[f], so:
                grad_kernel += xp[n, rows, cols, :, None] * g  # window times g
                grad_xp[n, rows, cols] += kernel @ g  # kernel weighted by g
    grad_bias = grad.sum(axis=(0, 1, 2))
    return grad_xp[:, top : top + H, left : left + W], grad_kernel, grad_bias


def conv2d_layer_backward(x, kernel, grad_out, stride: int = 1,
                          padding: str | int = "valid"):
    """Gradients of `conv2d_layer`, vectorized: im2col, two matmuls, col2im.

    The forward pass multiplies a column array ``cols`` of shape
    (N * H' * W', kh * kw * C), one row per window, by the kernel reshaped to
    (kh * kw * C, F). The backward pass of that one matmul gives both gradients::

        grad_kernel = cols.T @ grad_out   (kh * kw * C, F)
        grad_cols   = grad_out @ kernel.T (N * H' * W', kh * kw * C)

    and col2im adds every row of ``grad_cols`` back onto the window it came from: one
    strided add per kernel offset (a, b), kh * kw in all. Same arguments and results as
    `conv2d_layer_backward_loops`; float32 inputs give float32 gradients.
    """
    xp, kernel, grad, s, (top, left, H, W) = _prepare(x, kernel, grad_out, stride,
                                                      padding)
    N, Hp, Wp, C = xp.shape
    kh, kw, _, F = kernel.shape
    _, out_h, out_w, _ = grad.shape
    rows_h = (out_h - 1) * s + 1  # the span of the window tops, for strided slices
    rows_w = (out_w - 1) * s + 1
    depth = kh * kw * C
    cols = np.empty((N, out_h, out_w, depth), dtype=xp.dtype)
    for a in range(kh):
        for b in range(kw):
            k = (a * kw + b) * C
            cols[..., k : k + C] = xp[:, a : a + rows_h : s, b : b + rows_w : s]
    grad2 = grad.reshape(-1, F)
    kernel2 = kernel.reshape(depth, F)
    grad_kernel = (cols.reshape(-1, depth).T @ grad2).reshape(kernel.shape)
    grad_bias = grad2.sum(axis=0)
    grad_cols = (grad2 @ kernel2.T).reshape(N, out_h, out_w, depth)
    grad_xp = np.zeros_like(xp)
    for a in range(kh):
        for b in range(kw):
            k = (a * kw + b) * C
            grad_xp[:, a : a + rows_h : s, b : b + rows_w : s] += grad_cols[..., k : k + C]
    return grad_xp[:, top : top + H, left : left + W], grad_kernel, grad_bias
