"""Reference implementations of the layers of a CNN, written as plain loops first.

Vocabulary (the same in every notebook): an `image` is (H, W) or (H, W, C), channels last
like Keras; a `kernel` (a.k.a. filter) is (kh, kw) or (kh, kw, C); sliding it over the
image gives a `feature_map` of shape (H', W') with

    H' = floor((H + 2 * padding - kh) / stride) + 1     (the same for W')

The batched, Keras-layout layers at the end of this module (`conv2d_layer`,
`max_pool2d_layer`, `numpy_forward`) are vectorized and tested against the loops.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from helpers.model_graph import chain_of_layers, check_images
from helpers.validation import (
    as_array,
    kernel_channels,
    padding_arg,
    pooled_size,
    positive_int,
)

__all__ = [
    "output_size",
    "pad_amounts",
    "conv2d",
    "relu",
    "sigmoid",
    "softmax",
    "max_pool2d",
    "avg_pool2d",
    "flatten",
    "dense",
    "conv2d_layer",
    "max_pool2d_layer",
    "avg_pool2d_layer",
    "numpy_forward",
]


# --------------------------------------------------------------------------- sizes
def output_size(
    n: int, kernel_size: int, stride: int = 1, padding: int | str = 0
) -> int:
    """Length of the output along one axis of a convolution or pooling.

    ``floor((n + 2 * padding - kernel_size) / stride) + 1``; with ``padding="same"`` it
    is ``ceil(n / stride)`` and with ``"valid"`` it is the formula with padding 0.

    Parameters
    ----------
    n : int
        Input length (H or W).
    kernel_size : int
        Window length (kh or kw).
    stride : int
        Step between windows, >= 1.
    padding : int >= 0, "valid" or "same"
        Zeros added on each side.
    """
    n = positive_int(n, "n")
    kernel_size = positive_int(kernel_size, "kernel_size")
    stride = positive_int(stride, "stride")
    padding = padding_arg(padding)
    if padding == "same":
        return math.ceil(n / stride)
    p = 0 if padding == "valid" else padding
    if kernel_size > n + 2 * p:
        raise ValueError(
            f"`kernel_size` {kernel_size} is larger than the padded input "
            f"({n} + 2 * {p} = {n + 2 * p})"
        )
    return (n + 2 * p - kernel_size) // stride + 1


def pad_amounts(
    n: int, kernel_size: int, stride: int, padding: int | str
) -> tuple[int, int]:
    """Zeros added (before, after) along one axis, with Keras/TensorFlow's "same" rule.

    For "same" the total is ``max((ceil(n / s) - 1) * s + k - n, 0)``; when it is odd the
    extra zero goes after (bottom / right), as in TensorFlow.

    Parameters
    ----------
    n : int >= 1
        Input length (H or W).
    kernel_size : int >= 1
    stride : int >= 1
    padding : int >= 0, "valid" or "same"

    Returns
    -------
    (before, after) : tuple of int
    """
    n = positive_int(n, "n")
    kernel_size = positive_int(kernel_size, "kernel_size")
    stride = positive_int(stride, "stride")
    padding = padding_arg(padding)
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = max((math.ceil(n / stride) - 1) * stride + kernel_size - n, 0)
        return total // 2, total - total // 2
    return padding, padding


# --------------------------------------------------------------------------- convolution
def _check_image_kernel(image, kernel):
    image = as_array(image, "image", (2, 3))
    kernel = as_array(kernel, "kernel", (2, 3))
    if image.ndim == 2:
        image = image[:, :, None]
    if kernel.ndim == 2:
        kernel = kernel[:, :, None]
    if kernel.shape[2] != image.shape[2]:
        raise ValueError(
            f"`kernel` has {kernel.shape[2]} channel(s) but `image` has "
            f"{image.shape[2]}: a (kh, kw, C) kernel needs an (H, W, C) image with the "
            f"same C (kernel shape {kernel.shape}, image shape {image.shape})"
        )
    return image, kernel


def _pad_image(image, kh, kw, stride, padding):
    """Zero-pad an (H, W, C) image; returns the padded image."""
    H, W, _ = image.shape
    top, bottom = pad_amounts(H, kh, stride, padding)
    left, right = pad_amounts(W, kw, stride, padding)
    padded = np.pad(image, ((top, bottom), (left, right), (0, 0)))
    if kh > padded.shape[0] or kw > padded.shape[1]:
        raise ValueError(
            f"`kernel` ({kh}x{kw}) is larger than the padded image "
            f"({padded.shape[0]}x{padded.shape[1]}): use a smaller kernel or more padding"
        )
    return padded


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
    stride = positive_int(stride, "stride")
    padding = padding_arg(padding)
    image, kernel = _check_image_kernel(image, kernel)
    kh, kw, _ = kernel.shape
    padded = _pad_image(image, kh, kw, stride, padding)
    out_h = (padded.shape[0] - kh) // stride + 1
    out_w = (padded.shape[1] - kw) // stride + 1
    feature_map = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = padded[i * stride : i * stride + kh, j * stride : j * stride + kw]
            feature_map[i, j] = np.sum(window * kernel)
    return feature_map


# --------------------------------------------------------------------------- activations
def relu(x) -> np.ndarray:
    """Rectified linear unit, ``max(0, x)`` element-wise. Any shape in, same shape out."""
    x = as_array(x, "x", tuple(range(0, 8)), allow_nan=True)
    return np.maximum(x, 0)


def sigmoid(x) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``, element-wise, without overflow."""
    x = as_array(x, "x", tuple(range(0, 8)), allow_nan=True)
    # exp of a large positive number overflows; use the mirrored form for x < 0.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def softmax(x, axis: int = -1) -> np.ndarray:
    """Softmax along `axis`: ``exp(x) / sum(exp(x))``, shifted by the max so it never overflows.

    ``softmax([1000, 1001])`` is ``[0.269, 0.731]``, finite and summing to 1.
    """
    x = as_array(x, "x", tuple(range(1, 8)))
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(
            f"`axis` must be an int in [{-x.ndim}, {x.ndim - 1}], got {axis!r}"
        )
    axis = int(axis)  # numpy integers too
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"`axis` must be an int in [{-x.ndim}, {x.ndim - 1}], got {axis!r}"
        )
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


# --------------------------------------------------------------------------- pooling
def _pool2d(x, size, stride, reduce):
    x = as_array(x, "x", (2, 3))
    size = positive_int(size, "size")
    stride = size if stride is None else positive_int(stride, "stride")
    H, W = x.shape[:2]
    if size > H or size > W:
        raise ValueError(f"`size` {size} is larger than the input ({H}x{W})")
    out_h = (H - size) // stride + 1
    out_w = (W - size) // stride + 1
    out = np.zeros((out_h, out_w) + x.shape[2:])
    for i in range(out_h):
        for j in range(out_w):
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


# --------------------------------------------------------------------------- flatten, dense
def flatten(x) -> np.ndarray:
    """Row-major 1-D copy of `x`: for (H, W, C) the channel index changes fastest,
    the same order as ``keras.layers.Flatten``."""
    x = as_array(x, "x", tuple(range(1, 8)))
    return x.reshape(-1).copy()


def dense(x, weights, bias) -> np.ndarray:
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
    x = as_array(x, "x", (1, 2))
    weights = as_array(weights, "weights", (2,))
    bias = as_array(bias, "bias", (1,))
    if x.shape[-1] != weights.shape[0]:
        raise ValueError(
            f"`x` has {x.shape[-1]} inputs but `weights` has shape {weights.shape}: "
            f"expected weights of shape ({x.shape[-1]}, units)"
        )
    if bias.shape[0] != weights.shape[1]:
        raise ValueError(
            f"`bias` has shape {bias.shape} but `weights` has {weights.shape[1]} units: "
            f"expected bias of shape ({weights.shape[1]},)"
        )
    return x @ weights + bias


# --------------------------------------------------------------------------- batched layers
# im2col columns per batch: small enough to stay in the CPU cache between copy and multiply
BATCH_BYTES = 4 * 2**20


def _check_batch(x, name="x"):
    x = as_array(x, name, (4,))
    if not np.issubdtype(x.dtype, np.floating) or x.dtype == np.float16:
        x = x.astype(np.float32)  # float16 sums overflow at 65504: use float32
    return x


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
    (N, H', W', F) array in the dtype of `x` (float32 stays float32; float16 and
    integers are computed and returned as float32), with
    ``H' = floor((H + 2p - kh) / stride) + 1`` (``ceil(H / stride)`` for "same")
    """
    x = _check_batch(x)
    kernel = as_array(kernel, "kernel", (4,))
    bias = as_array(bias, "bias", (1,))
    stride = positive_int(stride, "stride")
    padding = padding_arg(padding)
    N, H, W, C = x.shape
    kh, kw, _, F = kernel.shape
    kernel_channels(kernel, C)
    if bias.shape != (F,):
        raise ValueError(
            f"`bias` has shape {bias.shape}, expected ({F},) for {F} filters"
        )
    top, bottom = pad_amounts(H, kh, stride, padding)
    left, right = pad_amounts(W, kw, stride, padding)
    Hp, Wp = H + top + bottom, W + left + right
    if kh > Hp or kw > Wp:
        raise ValueError(
            f"`kernel` ({kh}x{kw}) is larger than the padded images ({Hp}x{Wp})"
        )
    out_h, out_w = (Hp - kh) // stride + 1, (Wp - kw) // stride + 1
    dtype = x.dtype
    depth = kh * kw * C + 1  # one column per kernel weight, plus the bias column
    weights = np.vstack([kernel.reshape(kh * kw * C, F), bias[None, :]]).astype(dtype)
    batch = max(1, BATCH_BYTES // (out_h * out_w * depth * dtype.itemsize))
    out = np.empty((N, out_h, out_w, F), dtype=dtype)
    for start in range(0, N, batch):
        xb = x[start : start + batch]
        n = xb.shape[0]
        if Hp != H or Wp != W:
            padded = np.zeros((n, Hp, Wp, C), dtype=dtype)
            padded[:, top : top + H, left : left + W] = xb
        else:
            padded = xb
        cols = np.empty((n, out_h, out_w, depth), dtype=dtype)
        for i in range(kh):
            for j in range(kw):
                k = (i * kw + j) * C
                cols[..., k : k + C] = padded[
                    :,
                    i : i + (out_h - 1) * stride + 1 : stride,
                    j : j + (out_w - 1) * stride + 1 : stride,
                ]
        cols[..., -1] = 1
        np.matmul(
            cols.reshape(-1, depth), weights, out=out[start : start + n].reshape(-1, F)
        )
    return out


def _pool_layer(x, size, stride, reduce):
    x = _check_batch(x)
    size = positive_int(size, "size")
    stride = size if stride is None else positive_int(stride, "stride")
    N, H, W, C = x.shape
    out_h, out_w = pooled_size(H, W, size, stride)
    result = None
    # One strided view per offset inside the window: size * size cheap passes.
    for di in range(size):
        for dj in range(size):
            view = x[
                :,
                di : di + (out_h - 1) * stride + 1 : stride,
                dj : dj + (out_w - 1) * stride + 1 : stride,
            ]
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
    (N, H', W', C) array, ``H' = floor((H - size) / stride) + 1``
    """
    return _pool_layer(x, size, stride, np.maximum)


def avg_pool2d_layer(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Batched average pooling in Keras layout (``AveragePooling2D``, padding "valid")."""
    size = positive_int(size, "size")
    total = _pool_layer(x, size, stride, np.add)
    total /= size * size
    return total


# --------------------------------------------------------------------------- a whole model
_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: sigmoid(z).astype(z.dtype),
    "softmax": lambda z: softmax(z, axis=-1).astype(z.dtype),
}


def _activation(layer, name):
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"layer {layer.name!r}: activation {name!r} is not supported by "
            f"numpy_forward (supported: {sorted(_ACTIVATIONS)})"
        )
    return _ACTIVATIONS[name]


def _activation_name(layer):
    act = layer.activation
    return getattr(act, "__name__", str(act))


def _layer_function(layer):
    """Return a numpy function running one Keras layer with its weights, or raise."""
    kind = type(layer).__name__
    config = layer.get_config()

    def unsupported(setting):
        return ValueError(
            f"layer {layer.name!r} ({kind}): {setting} is not supported by numpy_forward"
        )

    if kind == "InputLayer":
        return lambda x: x
    if config.get("data_format", "channels_last") != "channels_last":
        raise unsupported(f"data_format={config['data_format']!r}")
    if kind == "Conv2D":
        if tuple(config["dilation_rate"]) != (1, 1):
            raise unsupported(f"dilation_rate={config['dilation_rate']}")
        if config.get("groups", 1) != 1:
            raise unsupported(f"groups={config['groups']}")
        sh, sw = config["strides"]
        if sh != sw:
            raise unsupported(f"strides={config['strides']}")
        kernel = np.asarray(layer.kernel)
        F = kernel.shape[-1]
        bias = np.asarray(layer.bias) if config["use_bias"] else np.zeros(F, np.float32)
        act = _activation(layer, _activation_name(layer))
        return lambda x: act(conv2d_layer(x, kernel, bias, sh, config["padding"]))
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        if config["padding"] != "valid":
            raise unsupported(f"padding={config['padding']!r}")
        ph, pw = config["pool_size"]
        sh, sw = config["strides"] or (ph, pw)
        if ph != pw or sh != sw:
            raise unsupported(
                f"pool_size={config['pool_size']}, strides={config['strides']}"
            )
        pool = max_pool2d_layer if kind == "MaxPooling2D" else avg_pool2d_layer
        return lambda x: pool(x, ph, sh)
    if kind == "Flatten":
        return lambda x: x.reshape(x.shape[0], -1)
    if kind == "Dense":
        weights = np.asarray(layer.kernel)
        units = weights.shape[1]
        bias = (
            np.asarray(layer.bias)
            if config["use_bias"]
            else np.zeros(units, np.float32)
        )
        act = _activation(layer, _activation_name(layer))
        return lambda x: act(x @ weights + bias)
    if kind == "Dropout":
        return lambda x: x  # dropout is off at inference time
    if kind == "ReLU":
        if config.get("max_value") is not None or config.get("negative_slope", 0) != 0:
            raise unsupported("max_value / negative_slope")
        if config.get("threshold", 0) != 0:
            raise unsupported(f"threshold={config['threshold']}")
        return lambda x: np.maximum(x, 0)
    if kind == "Activation":
        return _activation(layer, config["activation"])
    if kind == "Softmax":
        if config.get("axis", -1) != -1:
            raise unsupported(f"axis={config['axis']}")
        return _ACTIVATIONS["softmax"]
    raise ValueError(
        f"layer {layer.name!r} is a {kind}, which numpy_forward does not support "
        "(supported: Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dense, Dropout, "
        "ReLU, Activation, Softmax)"
    )


def numpy_forward(model, images, batch_size: int = 256) -> np.ndarray:
    """Run a trained Keras model with the numpy layers of this module.

    Parameters
    ----------
    model : keras.Sequential, or a functional keras.Model that is one chain
        Made of Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dense, Dropout, ReLU,
        Activation and Softmax layers (channels last), built (it has weights). A model
        that is not one chain from input to output (a layer used twice, a merge, two
        outputs, a subclassed model) is refused with the reason.
    images : (N, H, W, C) array (or (N, features) for a model without convolutions)
        Already scaled the way the model was trained; the shape must match the model's
        input (one image needs its batch axis: ``image[None]``).
    batch_size : int
        Images run through the whole network at a time (bounds memory).

    Returns
    -------
    (N, outputs) float32 array: what ``model.predict(images)`` returns, to float32
    rounding.
    """
    if not hasattr(model, "layers"):
        raise TypeError(f"`model` must be a Keras model, got {type(model).__name__}")
    batch_size = positive_int(batch_size, "batch_size")
    chain = chain_of_layers(model)
    functions = [_layer_function(layer) for layer in chain]
    images = check_images(images, model)
    outputs = []
    for start in range(0, images.shape[0], batch_size):
        x = images[start : start + batch_size]
        for function in functions:
            x = function(x)
        outputs.append(x)
    return np.concatenate(outputs).astype(np.float32)
