"""Figures of notebooks 12 and 13: where a gradient goes in ReLU and max pooling, and training
curves of the numpy CNN beside Keras'."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.patheffects import withStroke

from helpers.plots.describe import describe, muted, number, percent, rows
from helpers.plots.matrices import show_matrix
from helpers.plots.pooling import LABEL_GID, window_label
from helpers.plots.style import (
    LINE_STYLES,
    MARKERS,
    VALUE_CMAP,
    WINDOW_COLORS,
    _value_limits,
)
from helpers.validation import as_array, positive_int


def show_relu_mask(x, grad_out, axes=None, decimals: int = 1):
    """Three panels: the ReLU input, the upstream gradient, and the gradient passed back.

    The cells where ``x <= 0`` (the mask is 0) are crossed out in the upstream gradient
    and come out 0 on the right.

    Parameters
    ----------
    x : (H, W) array
        ReLU's input.
    grad_out : (H, W) array
    axes : three Axes or None

    Returns
    -------
    axes
    """
    from helpers.layers import relu_backward, relu_forward

    x = as_array(x, "x", (2,))
    grad_out = as_array(grad_out, "grad_out", (2,))
    grad_x = relu_backward(grad_out, relu_forward(x)[1])
    if axes is None:
        w = x.shape[1]
        _, axes = plt.subplots(1, 3, figsize=(3 * (0.55 * w + 0.8), 0.55 * x.shape[0] + 1.2))
    vmin, vmax = _value_limits(np.concatenate([grad_out.ravel(), grad_x.ravel()]))
    with muted():
        show_matrix(x, ax=axes[0], title="input x of ReLU", cmap=VALUE_CMAP,
                    decimals=decimals, vmin=_value_limits(x)[0], vmax=_value_limits(x)[1])
        show_matrix(grad_out, ax=axes[1], title="upstream gradient", cmap=VALUE_CMAP,
                    decimals=decimals, vmin=vmin, vmax=vmax)
        show_matrix(grad_x, ax=axes[2], title="gradient passed back\n(0 where x <= 0)",
                    cmap=VALUE_CMAP, decimals=decimals, vmin=vmin, vmax=vmax)
    for i, j in np.argwhere(x <= 0):
        for ax in axes[:2]:
            ax.plot([j - 0.4, j + 0.4], [i - 0.4, i + 0.4], color="0.4", lw=1)
            ax.plot([j - 0.4, j + 0.4], [i + 0.4, i - 0.4], color="0.4", lw=1)
    blocked = int(np.sum(x <= 0))
    describe(axes[0], f"ReLU's backward pass. Its input x, row by row: "
             f"{rows(x, decimals)}; the upstream gradient: {rows(grad_out, decimals)}; "
             f"the gradient passed back: {rows(grad_x, decimals)}, 0 in the {blocked} "
             "cells where x <= 0 (crossed out) and the upstream gradient elsewhere")
    return axes


def show_pool_gradient(x, grad_out, size: int = 2, axes=None, decimals: int = 1):
    """Max pooling's backward pass: each window's upstream gradient lands on its maximum.

    Three panels: the input with every window outlined in its colour and its (first)
    maximum ringed; the upstream gradient, each cell in its window's colour; and the
    gradient passed back, zero except at the maxima.

    Parameters
    ----------
    x : (H, W) array
    grad_out : (H', W') array, ``H' = H // size``
    size : int
        Window side (stride = size).
    axes : three Axes or None

    Returns
    -------
    axes
    """
    from helpers.layers import max_pool2d_layer_backward, max_pool2d_layer_forward

    x = as_array(x, "x", (2,))
    size = positive_int(size, "size")
    grad_out = as_array(grad_out, "grad_out", (2,))
    _, cache = max_pool2d_layer_forward(x[None, :, :, None], size)
    grad_x = max_pool2d_layer_backward(grad_out[None, :, :, None], cache)[0, :, :, 0]
    H, W = x.shape
    oh, ow = grad_out.shape
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(0.55 * (2 * W + ow) + 3.5, 0.55 * H + 1.3),
                               gridspec_kw={"width_ratios": [W, max(ow, 1.5), W]})
    vmin, vmax = _value_limits(np.concatenate([grad_out.ravel(), grad_x.ravel()]))
    with muted():
        show_matrix(x, ax=axes[0], title="input of max pooling", decimals=decimals)
        show_matrix(grad_out, ax=axes[1], title="upstream\ngradient", cmap=VALUE_CMAP,
                    decimals=decimals, vmin=vmin, vmax=vmax)
        show_matrix(grad_x, ax=axes[2], title="gradient passed back", cmap=VALUE_CMAP,
                    decimals=decimals, vmin=vmin, vmax=vmax)
    for k, (i, j) in enumerate(np.ndindex(oh, ow)):
        color = WINDOW_COLORS[k % len(WINDOW_COLORS)]
        window = x[i * size : (i + 1) * size, j * size : (j + 1) * size]
        a, b = np.unravel_index(np.argmax(window), window.shape)
        for ax in (axes[0], axes[2]):
            ax.add_patch(Rectangle((j * size - 0.45, i * size - 0.45), size - 0.1,
                                   size - 0.1, fill=False, edgecolor=color, lw=2.5))
        axes[0].add_patch(plt.Circle((j * size + b, i * size + a), 0.42, fill=False,
                                     edgecolor=color, lw=2))
        axes[1].add_patch(Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False,
                                    edgecolor=color, lw=2.5))
        # The window's letter, in the input, the upstream gradient and the result.
        for ax, (top, left) in ((axes[0], (i * size - 0.45, j * size - 0.45)),
                                (axes[1], (i - 0.45, j - 0.45)),
                                (axes[2], (i * size - 0.45, j * size - 0.45))):
            ax.text(left + 0.06, top + 0.04, window_label(k), ha="left", va="top",
                    fontsize=8, fontweight="bold", color=color, zorder=5,
                    gid=LABEL_GID,
                    path_effects=[withStroke(linewidth=2.5, foreground="white")])
    describe(axes[0], f"Max pooling's backward pass, {size}x{size} windows ("
             f"{window_label(0)} to {window_label(oh * ow - 1)}). The input, row by "
             f"row: {rows(x, decimals)}, with the maximum of each window ringed; the "
             f"upstream gradient, one number per window: {rows(grad_out, decimals)}; "
             f"the gradient passed back: {rows(grad_x, decimals)}, each window's number "
             "at the position of its maximum and 0 elsewhere")
    return axes


def plot_training_match(steps, numpy_loss, keras_loss, eval_steps, accuracy,
                        axes=None):
    """Loss per step of the numpy CNN and of Keras (one on the other), and accuracy.

    Parameters
    ----------
    steps : (S,) array
    numpy_loss, keras_loss : (S,) arrays
        The loss of each SGD step; `keras_loss` may be None (numpy only).
    eval_steps : (E,) array
    accuracy : (E,) array
        Held-out accuracy of the numpy CNN after those steps.
    axes : two Axes or None
    """
    steps = as_array(steps, "steps", (1,))
    numpy_loss = as_array(numpy_loss, "numpy_loss", (1,), allow_nan=True)
    eval_steps = as_array(eval_steps, "eval_steps", (1,))
    accuracy = as_array(accuracy, "accuracy", (1,))
    curves = {"numpy_loss": numpy_loss}
    if keras_loss is not None:
        keras_loss = as_array(keras_loss, "keras_loss", (1,), allow_nan=True)
        curves["keras_loss"] = keras_loss
    for name, curve in curves.items():
        if len(curve) != len(steps):
            raise ValueError(f"`{name}` has {len(curve)} values for {len(steps)} "
                             "`steps`: expected one loss per step")
    if len(accuracy) != len(eval_steps):
        raise ValueError(f"`accuracy` has {len(accuracy)} values for "
                         f"{len(eval_steps)} `eval_steps`")
    if np.any(accuracy < 0) or np.any(accuracy > 1):
        raise ValueError("`accuracy` must be fractions in [0, 1], got values from "
                         f"{accuracy.min():g} to {accuracy.max():g}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    ax_loss, ax_acc = axes
    ax_loss.plot(steps, numpy_loss, color=WINDOW_COLORS[0], lw=3, alpha=0.6,
                 ls=LINE_STYLES[0], label="numpy CNN")
    if keras_loss is not None:
        ax_loss.plot(steps, keras_loss, color=WINDOW_COLORS[1], lw=1, ls=LINE_STYLES[1],
                     label="Keras, same start and batches")
    ax_loss.set(xlabel="SGD step", ylabel="cross-entropy loss (batch)",
                title="loss per step")
    ax_loss.legend()
    ax_acc.plot(eval_steps, 100 * np.asarray(accuracy), marker=MARKERS[0], ls="-",
                color=WINDOW_COLORS[0])
    ax_acc.set(xlabel="SGD step", ylabel="accuracy (%)",
               title="numpy CNN on held-out test items")
    ax_acc.grid(alpha=0.3)
    first, last = numpy_loss[: min(20, len(steps))], numpy_loss[-min(20, len(steps)):]
    text = (f"Left: the loss of each of {len(steps)} SGD steps of the numpy CNN, "
            f"{number(first.mean())} on average over the first {len(first)} steps and "
            f"{number(last.mean())} over the last {len(last)}")
    if keras_loss is not None:
        gap = float(np.nanmax(np.abs(numpy_loss - keras_loss)))
        same = ("the two curves are one (they differ by less than 1e-6)" if gap < 1e-6
                else f"they differ by up to {gap:.2g}")
        text += f"; Keras from the same start and batches: {same}"
    text += (f". Right: the numpy CNN's accuracy on held-out test items, from "
             f"{percent(accuracy[0])} at step {int(eval_steps[0])} to "
             f"{percent(accuracy[-1])} at step {int(eval_steps[-1])}")
    describe(ax_loss, text)
    return axes
