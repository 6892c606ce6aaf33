"""Convolution: one image as a loop, a batch vectorized, and the batch's backward pass.

An `image` (H, W, C) and a `kernel` (kh, kw, C) give a `feature_map` (H', W'): at each
position the window under the kernel is multiplied element-wise with the kernel and
summed (a cross-correlation, no kernel flip: what deep-learning frameworks call
convolution). The batched layer, Keras's ``Conv2D``, has F kernels and a bias; with the
padded input ``xp`` and the stride ``s``::

    out[n, i, j, f] = sum_{a,b,c} xp[n, i*s+a, j*s+b, c] * kernel[a, b, c, f] + bias[f]
    H' = floor((H + before + after - kh) / s) + 1       (W' the same way)

the zeros added before and after coming from `helpers.layers.geometry`.

Backward. Each kernel weight touches every output position, so its gradient sums over
them; each input pixel touches the outputs whose windows cover it::

    grad_bias[f]            = sum_{n,i,j} grad_out[n, i, j, f]
    grad_kernel[a, b, c, f] = sum_{n,i,j} xp[n, i*s+a, j*s+b, c] * grad_out[n, i, j, f]
    grad_xp[n, i*s+a, j*s+b, c] += sum_f kernel[a, b, c, f] * grad_out[n, i, j, f]

The first is a correlation of the input with the upstream gradient (notebook 08); with
stride 1 the last is a "full" convolution of the upstream gradient with the kernel
turned by 180 degrees (notebook 12). The padding is cut off ``grad_xp`` at the end:
the zeros added around the image have no input to pass a gradient to.
`conv2d_layer_backward` computes the last with that full convolution when the stride is
1 and the input has at least `FULL_CORRELATION_CHANNELS` channels (it is then the
faster way), otherwise by adding every window's gradient back where it came from.

The functions are bare (they trust their arguments); the checks at the end of the
module are their doors, which `helpers.layers` puts in front of them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from helpers.layers.geometry import output_size, pad_amounts, strided
from helpers.validation import (
    as_array,
    backward_check,
    kernel_channels,
    padding_arg,
    positive_int,
)

__all__ = ["conv2d", "conv2d_layer", "conv2d_layer_forward",
           "conv2d_layer_backward_loops", "conv2d_layer_backward"]

# im2col columns per batch: small enough to stay in the CPU cache from copy to multiply
BATCH_BYTES = 4 * 2**20
# From this many input channels on, a stride-1 layer's input gradient is a full
# correlation (`_input_gradient_by_correlation`); with fewer, its matrix product, with C
# columns, is too thin. Measured on batches of 64 (ms): C = 1 (F = 32, 28x28): 1.4 by
# col2im, 9 by correlation; C = 3: 11 vs 17; C = 8: 18 vs 12; C = 32 (F = 64, 14x14):
# 12 vs 10 (15 vs 9 on a quieter run).
FULL_CORRELATION_CHANNELS = 8


class ConvCache(NamedTuple):
    """What `conv2d_layer_backward` needs from the forward pass."""

    x: np.ndarray  # (N, H, W, C), the layer's input
    kernel: np.ndarray  # (kh, kw, C, F)
    stride: int
    pads: tuple[int, int, int, int]  # zeros added: top, bottom, left, right
    out_shape: tuple[int, int, int, int]  # (N, H', W', F)


def _pads(height, width, kh, kw, stride, padding) -> tuple[int, int, int, int]:
    """Zeros added (top, bottom, left, right) around an H x W input."""
    return pad_amounts(height, kh, stride, padding) + pad_amounts(width, kw, stride,
                                                                  padding)


def _padded(x, pads):
    """The (N, H, W, C) batch `x` with zeros around each image (`x` itself if none)."""
    top, bottom, left, right = pads
    if not any(pads):
        return x
    N, H, W, C = x.shape
    xp = np.zeros((N, H + top + bottom, W + left + right, C), dtype=x.dtype)
    xp[:, top : top + H, left : left + W] = x
    return xp


def _im2col(xp, kh, kw, stride, cols):
    """Copy each window of `xp` (n, Hp, Wp, C) into `cols` (n, H', W', >= kh * kw * C):
    entry (a, b, c) of window (i, j) goes to ``cols[:, i, j, (a * kw + b) * C + c]``,
    one strided view per kernel offset (a, b)."""
    _, out_h, out_w, _ = cols.shape
    C = xp.shape[3]
    for a in range(kh):
        for b in range(kw):
            k = (a * kw + b) * C
            cols[..., k : k + C] = xp[:, strided(a, out_h, stride),
                                      strided(b, out_w, stride)]
    return cols


def _correlate(x, weights, kh, kw, stride, pads, out):
    """Write into `out` (N, H', W', F) every window of `x` (N, H, W, C), with `pads`
    zeros around it, as one row of im2col columns times `weights` (kh * kw * C, F). A
    last, extra row of `weights` is a bias: its column is all ones. The batch goes in
    pieces of about `BATCH_BYTES` of columns (see `conv2d_layer`), all copied into one
    buffer: a fresh array per piece cost the SGD step of the series' CNN 12% (the
    memory of each new array is mapped page by page as it is first written)."""
    _, out_h, out_w, F = out.shape
    depth = weights.shape[0]
    batch = max(1, BATCH_BYTES // (out_h * out_w * depth * x.dtype.itemsize))
    buffer = np.empty((min(batch, x.shape[0]), out_h, out_w, depth), x.dtype)
    if depth > kh * kw * x.shape[3]:
        buffer[..., -1] = 1  # _im2col fills the other columns
    for start in range(0, x.shape[0], batch):
        xp = _padded(x[start : start + batch], pads)
        n = xp.shape[0]
        cols = _im2col(xp, kh, kw, stride, buffer[:n])
        np.matmul(
            cols.reshape(-1, depth), weights, out=out[start : start + n].reshape(-1, F)
        )
    return out


# --------------------------------------------------------------------------- one image
def conv2d(image, kernel, stride: int = 1, padding: int | str = 0) -> np.ndarray:
    """2-D cross-correlation of one image with one kernel (no kernel flip).

    This is what deep-learning frameworks call "convolution": at every position the
    window under the kernel is multiplied element-wise with the kernel and summed.
    With channels, the products of all channels are summed into one number.

    Parameters
    ----------
    image : (H, W) or (H, W, C) array
    kernel : (kh, kw) or (kh, kw, C) array
        C must match the image's.
    stride : int >= 1
    padding : int >= 0, "valid" or "same"
        An int adds that many zeros on every side; "same" follows Keras (output
        ``ceil(H / stride)``, the odd extra zero at the bottom / right).

    Returns
    -------
    feature_map : (H', W') float array
        ``H' = floor((H + 2p - kh) / stride) + 1`` (``ceil(H / stride)`` for "same").
    """
    image, kernel = np.atleast_3d(image, kernel)  # (H, W) -> (H, W, 1)
    (H, W, _), (kh, kw, _) = image.shape, kernel.shape
    top, bottom, left, right = _pads(H, W, kh, kw, stride, padding)
    padded = np.pad(image, ((top, bottom), (left, right), (0, 0)))
    feature_map = np.zeros((output_size(H, kh, stride, padding),
                            output_size(W, kw, stride, padding)))
    for i in range(feature_map.shape[0]):
        for j in range(feature_map.shape[1]):
            window = padded[i * stride : i * stride + kh, j * stride : j * stride + kw]
            feature_map[i, j] = np.sum(window * kernel)
    return feature_map


# --------------------------------------------------------------------------- the layer
def conv2d_layer(x, kernel, bias, stride: int = 1, padding: str | int = "valid"):
    """Batched, multi-filter convolution in Keras layout (what ``Conv2D`` computes).

    Vectorized with im2col: for each of the kh * kw kernel offsets (i, j), one strided
    slice of the padded batch, ``x[:, i::stride, j::stride, :]`` cut to (H', W'), is
    copied into its block of a (n, H', W', kh * kw * C + 1) column array; the last
    column is all ones so the bias rides along in the weights. One matrix multiply with
    the (kh * kw * C + 1, F) weights then writes every output position at once. The
    batch is cut into small pieces (about `BATCH_BYTES` of columns each) so that the
    columns stay in the CPU cache between the copy and the multiply: that keeps the
    copy, the usual cost of im2col, cheap.

    Parameters
    ----------
    x : (N, H, W, C) array
    kernel : (kh, kw, C, F) array
    bias : (F,) array
    stride : int >= 1
    padding : "valid", "same" or int >= 0

    Returns
    -------
    (N, H', W', F) array in the dtype of `x` (float32 stays float32; through the
    door, integers come in and go out as float64, float16 as float32), with
    ``H' = floor((H + 2p - kh) / stride) + 1`` (``ceil(H / stride)`` for "same")
    """
    return conv2d_layer_forward(x, kernel, bias, stride, padding)[0]


def conv2d_layer_forward(x, kernel, bias, stride: int = 1,
                         padding: str | int = "valid"):
    """`conv2d_layer` (im2col, as its docstring says), and the cache its backward
    pass needs.

    Returns
    -------
    out : (N, H', W', F) array, as `conv2d_layer`
    cache : ConvCache
        The input, the kernel, the stride, the zeros added and the output's shape.
    """
    N, H, W, C = x.shape
    kh, kw, _, F = kernel.shape
    pads = _pads(H, W, kh, kw, stride, padding)
    out_h = output_size(H, kh, stride, padding)
    out_w = output_size(W, kw, stride, padding)
    # one row per kernel weight, plus the bias's row (its column is all ones)
    weights = np.vstack([kernel.reshape(kh * kw * C, F), bias[None, :]]).astype(x.dtype)
    out = np.empty((N, out_h, out_w, F), dtype=x.dtype)
    _correlate(x, weights, kh, kw, stride, pads, out)
    return out, ConvCache(x, kernel, stride, pads, out.shape)


# --------------------------------------------------------------------------- backward
def _backward_arrays(grad_out, cache):
    """The padded input, the kernel and grad_out in their common float dtype
    (float32 only when all three are float32)."""
    dtype = np.result_type(cache.x.dtype, cache.kernel.dtype, grad_out.dtype)
    xp = _padded(cache.x.astype(dtype, copy=False), cache.pads)
    return xp, cache.kernel.astype(dtype, copy=False), grad_out.astype(dtype, copy=False)


def _unpadded(grad_xp, pads):
    """`grad_xp` (N, Hp, Wp, C) without the rows and columns of the zeros added."""
    top, bottom, left, right = pads
    _, Hp, Wp, _ = grad_xp.shape
    return grad_xp[:, top : Hp - bottom, left : Wp - right]


def conv2d_layer_backward_loops(grad_out, cache: ConvCache):
    """Gradients of `conv2d_layer`, one output position at a time (the readable one).

    Parameters
    ----------
    grad_out : (N, H', W', F) array
        Gradient of the loss with respect to the layer's output.
    cache : ConvCache
        What `conv2d_layer_forward` returned with that output.

    Returns
    -------
    grad_x : (N, H, W, C) array
    grad_kernel : (kh, kw, C, F) array
    grad_bias : (F,) array
    """
    xp, kernel, grad = _backward_arrays(grad_out, cache)
    s = cache.stride
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
    return _unpadded(grad_xp, cache.pads), grad_kernel, grad_bias


def _weight_gradients(xp, kernel, grad, stride):
    """(grad_kernel, grad_bias): ``cols.T @ grad_out``, the bias riding along as in
    the forward pass (a column of ones in ``cols``, so its row of the product is
    ``grad_out`` summed over the windows)."""
    kh, kw, C, F = kernel.shape
    depth = kh * kw * C + 1
    cols = _im2col(xp, kh, kw, stride, np.empty((*grad.shape[:3], depth), xp.dtype))
    cols[..., -1] = 1
    both = cols.reshape(-1, depth).T @ grad.reshape(-1, F)  # (kh * kw * C + 1, F)
    return both[:-1].reshape(kernel.shape), both[-1]


def _input_gradient_by_col2im(xp, kernel, grad, cache):
    """grad_x: ``grad_cols = grad_out @ kernel.T``, each row added back onto its
    window, one strided add per kernel offset (a, b), then the padding cut off."""
    s = cache.stride
    kh, kw, C, F = kernel.shape
    _, out_h, out_w, _ = grad.shape
    grad_cols = grad.reshape(-1, F) @ kernel.reshape(-1, F).T  # one row per window
    grad_cols = grad_cols.reshape(*grad.shape[:3], -1)  # (N, H', W', kh * kw * C)
    grad_xp = np.zeros_like(xp)
    for a in range(kh):
        for b in range(kw):
            k = (a * kw + b) * C
            grad_xp[:, strided(a, out_h, s), strided(b, out_w, s)] += grad_cols[
                ..., k : k + C]
    return _unpadded(grad_xp, cache.pads)


def _input_gradient_by_correlation(kernel, grad, cache):
    """grad_x of a stride-1 layer: the full correlation of grad_out with the kernel
    turned by 180 degrees, its C and F axes swapped. "Full" is kh - 1 zeros above
    grad_out (kw - 1 left, ...); the rows of zeros the forward pass added are not
    wanted, so kh - 1 - top are added above, kh - 1 - bottom below."""
    kh, kw, C, F = kernel.shape
    top, bottom, left, right = cache.pads
    turned = kernel[::-1, ::-1].transpose(0, 1, 3, 2).reshape(kh * kw * F, C)
    pads = (kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right)
    grad_x = np.empty(cache.x.shape, grad.dtype)
    return _correlate(grad, turned, kh, kw, 1, pads, grad_x)


def conv2d_layer_backward(grad_out, cache: ConvCache):
    """Gradients of `conv2d_layer`, vectorized: im2col and matmuls.

    The forward pass multiplies a column array ``cols`` of shape
    (N * H' * W', kh * kw * C), one row per window, by the kernel reshaped to
    (kh * kw * C, F). The backward pass of that one matmul gives both gradients::

        grad_kernel = cols.T @ grad_out   (kh * kw * C, F)
        grad_cols   = grad_out @ kernel.T (N * H' * W', kh * kw * C)

    and col2im adds every row of ``grad_cols`` back onto the window it came from: one
    strided add per kernel offset (a, b), kh * kw in all. With stride 1 and at least
    `FULL_CORRELATION_CHANNELS` input channels, grad_x is instead the full correlation
    of ``grad_out`` with the turned kernel (module docstring), run as `conv2d_layer`
    runs. Same arguments and results as `conv2d_layer_backward_loops`; float32 inputs
    give float32 gradients.
    """
    xp, kernel, grad = _backward_arrays(grad_out, cache)
    kh, kw, C, _ = kernel.shape
    top, bottom, left, right = cache.pads
    # the full correlation needs stride 1 and no more than kh - 1 zeros on a side
    if (cache.stride == 1 and C >= FULL_CORRELATION_CHANNELS
            and max(top, bottom) < kh and max(left, right) < kw):
        grad_x = _input_gradient_by_correlation(kernel, grad, cache)
    else:
        grad_x = _input_gradient_by_col2im(xp, kernel, grad, cache)
    return grad_x, *_weight_gradients(xp, kernel, grad, cache.stride)


def conv2d_layer_weight_gradients(grad_out, cache: ConvCache):
    """`conv2d_layer_backward` without grad_x: (grad_kernel, grad_bias).

    For the first layer of a network, whose input is the data: nothing upstream needs
    its gradient (`helpers.layers.network.backward`). Same arguments as
    `conv2d_layer_backward`.
    """
    return _weight_gradients(*_backward_arrays(grad_out, cache), cache.stride)


# ---- the door: argument checks
def _kernel_fits(H, W, kh, kw, stride, padding, what: str, advice: str = "") -> None:
    """Refuse a kh x kw kernel larger than the H x W input with its zeros added."""
    top, bottom, left, right = _pads(H, W, kh, kw, stride, padding)
    Hp, Wp = H + top + bottom, W + left + right
    if kh > Hp or kw > Wp:
        raise ValueError(f"`kernel` ({kh}x{kw}) is larger than the padded {what} "
                         f"({Hp}x{Wp}){advice}")


def check_conv2d(image, kernel, stride=1, padding=0) -> dict:
    """The arguments of `conv2d`, checked; image and kernel come back (H, W, C) and
    (kh, kw, C)."""
    stride = positive_int(stride, "stride")
    padding = padding_arg(padding)
    image, kernel = np.atleast_3d(as_array(image, "image", (2, 3)),
                                  as_array(kernel, "kernel", (2, 3)))
    if kernel.shape[2] != image.shape[2]:
        raise ValueError(f"`kernel` has {kernel.shape[2]} channel(s) but `image` has "
                         f"{image.shape[2]}: a (kh, kw, C) kernel needs an (H, W, C) "
                         f"image with the same C (kernel shape {kernel.shape}, image "
                         f"shape {image.shape})")
    (H, W, _), (kh, kw, _) = image.shape, kernel.shape
    _kernel_fits(H, W, kh, kw, stride, padding, "image",
                 ": use a smaller kernel or more padding")
    return {"image": image, "kernel": kernel, "stride": stride, "padding": padding}


def check_conv2d_layer(x, kernel, bias, stride=1, padding="valid") -> dict:
    """The arguments of `conv2d_layer` (and of `conv2d_layer_forward`), checked."""
    x = as_array(x, "x", (4,))
    kernel = as_array(kernel, "kernel", (4,))
    bias = as_array(bias, "bias", (1,))
    stride = positive_int(stride, "stride")
    padding = padding_arg(padding)
    N, H, W, C = x.shape
    kh, kw, _, F = kernel.shape
    kernel_channels(kernel, C)
    if bias.shape != (F,):
        raise ValueError(f"`bias` has shape {bias.shape}, expected ({F},) for "
                         f"{F} filters")
    _kernel_fits(H, W, kh, kw, stride, padding, "images")
    return {"x": x, "kernel": kernel, "bias": bias, "stride": stride,
            "padding": padding}


check_conv2d_layer_forward = check_conv2d_layer
check_conv2d_layer_backward = backward_check(ConvCache, "conv2d_layer")
check_conv2d_layer_backward_loops = check_conv2d_layer_backward
