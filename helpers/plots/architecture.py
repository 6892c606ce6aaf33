"""Figures of notebook 07 (why convolution): locality and weight sharing, shift
equivariance, receptive fields drawn over an item.

Colours follow `helpers.plots.style`: grey `IMAGE_CMAP` for pixels, the diverging
`VALUE_CMAP` centred on 0 for weights, feature maps and differences.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from helpers import architecture
from helpers.plots.describe import describe, number, plural, rows
from helpers.plots.style import (
    HIGHLIGHT,
    IMAGE_CMAP,
    LINE_STYLES,
    VALUE_CMAP,
    WINDOW_COLORS,
    _axes,
    _value_limits,
)
from helpers.validation import as_array

__all__ = ["show_weight_sharing", "show_shift_equivariance", "show_receptive_fields"]


def _square(ax, top, left, size, color, label=None, width=2.5):
    """Outline pixels rows top..top+size-1, columns left..left+size-1."""
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False,
                           edgecolor=color, linewidth=width, label=label))


def _no_ticks(ax):
    ax.set_xticks([])
    ax.set_yticks([])


def show_weight_sharing(dense_maps, kernel, positions, size=2.6):
    """Two dense units against two conv units: which input pixels each one weighs.

    Top row: the weights of two units of a dense layer, each drawn as an (H, W) map
    (one weight per input pixel: every pixel is connected, each with its own weight).
    Bottom row: the weights of the conv unit at each of `positions`, placed on the
    same (H, W) grid: zero (white) outside the kernel's footprint, and the same
    kernel numbers at every position.

    Parameters
    ----------
    dense_maps : (2, H, W) array
        The weights of two dense units, reshaped to the image's size.
    kernel : (kh, kw) array
        The conv kernel (one input channel, one filter).
    positions : two (row, col) pairs
        The top-left corner of each conv unit's window in the input.
    size : float
        Side of one panel in inches.

    Returns
    -------
    matplotlib Figure
    """
    dense_maps = as_array(dense_maps, "dense_maps", (3,))
    kernel = as_array(kernel, "kernel", (2,))
    if dense_maps.shape[0] != 2:
        raise ValueError(f"`dense_maps` must hold 2 maps, got shape {dense_maps.shape}")
    H, W = dense_maps.shape[1:]
    kh, kw = kernel.shape
    try:
        positions = [(int(r), int(c)) for r, c in positions]
    except (TypeError, ValueError):
        raise TypeError(
            f"`positions` must be two (row, col) pairs, got {positions!r}"
        ) from None
    if len(positions) != 2 or any(
        not (0 <= r <= H - kh and 0 <= c <= W - kw) for r, c in positions
    ):
        raise ValueError(
            f"`positions` must be two (row, col) pairs with the {kh}x{kw} window inside "
            f"the {H}x{W} image, got {positions}"
        )
    fig, axes = plt.subplots(2, 2, figsize=(2 * size + 1.6, 2 * size + 1.2))
    low, high = _value_limits(dense_maps)
    for k in range(2):
        image = axes[0, k].imshow(dense_maps[k], cmap=VALUE_CMAP, vmin=low, vmax=high)
        axes[0, k].set_title(f"dense unit {k}\n{H * W} weights", fontsize=10)
        _no_ticks(axes[0, k])
    fig.colorbar(image, ax=axes[0, :].tolist(), shrink=0.8, label="weight")
    low, high = _value_limits(kernel)
    for k, (r, c) in enumerate(positions):
        placed = np.zeros((H, W))
        placed[r:r + kh, c:c + kw] = kernel
        image = axes[1, k].imshow(placed, cmap=VALUE_CMAP, vmin=low, vmax=high)
        _square(axes[1, k], r, c, kh, HIGHLIGHT, width=1.5)
        axes[1, k].set_title(f"conv window at ({r}, {c})\nthe same {kh * kw} weights",
                            fontsize=10)
        _no_ticks(axes[1, k])
    fig.colorbar(image, ax=axes[1, :].tolist(), shrink=0.8, label="weight")
    (r0, c0), (r1, c1) = positions
    describe(fig, f"Top: the weights of two dense units, each drawn as a map of {H}x{W}, "
             f"one weight per input pixel, every pixel connected (weights from "
             f"{number(dense_maps.min())} to {number(dense_maps.max())}, different in "
             f"the two units). Bottom: the weights of two conv units on the same grid: "
             f"0 everywhere except the {kh}x{kw} window at ({r0}, {c0}) and at "
             f"({r1}, {c1}), which hold the same {kh * kw} weights, row by row: "
             f"{rows(kernel)}")
    return fig


def show_shift_equivariance(image, shifted, conv_maps, dense_maps, shift, size=2.3):
    """What a shift of the input does to a conv layer's map and to a dense layer's.

    Columns: the input, the conv feature map, the dense layer's output drawn as a map.
    Row 1: the item; row 2: the item shifted by `shift`; row 3: the output of the
    shifted item minus the output of the item, shifted by the same amount: zero (white)
    where the layer moved its output along with the input.

    Parameters
    ----------
    image, shifted : (H, W) arrays
        The item and the shifted item.
    conv_maps, dense_maps : (2, H, W) arrays
        The layer's output map for `image` and for `shifted` (one channel).
    shift : (rows, cols) pair of ints >= 0
        How far `shifted` is moved down and right.
    size : float
        Side of one panel in inches.

    Returns
    -------
    matplotlib Figure
    """
    image = as_array(image, "image", (2,))
    shifted = as_array(shifted, "shifted", (2,))
    conv_maps = as_array(conv_maps, "conv_maps", (3,))
    dense_maps = as_array(dense_maps, "dense_maps", (3,))
    H, W = image.shape
    for name, arr in (("shifted", shifted[None]), ("conv_maps", conv_maps),
                      ("dense_maps", dense_maps)):
        if arr.shape[1:] != (H, W) or arr.shape[0] not in (1, 2):
            raise ValueError(f"`{name}` must match the image's {H}x{W} size "
                             f"(2 maps for the layers), got shape {arr.shape}")
    dr, dc = (int(v) for v in shift)
    if not (0 <= dr < H and 0 <= dc < W):
        raise ValueError(f"`shift` must be two ints in [0, {H}) and [0, {W}), "
                         f"got {shift!r}")
    fig, axes = plt.subplots(3, 3, figsize=(3 * size + 1.5, 3 * size))
    labels = ["item", f"shifted by ({dr}, {dc})", "difference"]
    for k in range(2):
        axes[k, 0].imshow((image, shifted)[k], cmap=IMAGE_CMAP)
        axes[k, 0].set_ylabel(labels[k])
    axes[2, 0].axis("off")
    axes[2, 0].text(0.5, 0.5, "output(shifted item)\n− shifted output(item)",
                    ha="center", va="center", transform=axes[2, 0].transAxes)
    found = []
    for col, (name, maps) in enumerate((("conv map", conv_maps),
                                        ("dense output", dense_maps)), start=1):
        low, high = _value_limits(maps)
        for k in range(2):
            im = axes[k, col].imshow(maps[k], cmap=VALUE_CMAP, vmin=low, vmax=high)
            axes[k, col].set_title(name)
        fig.colorbar(im, ax=axes[:2, col].tolist(), shrink=0.8)
        moved = np.zeros_like(maps[0])
        moved[dr:, dc:] = maps[0][:H - dr, :W - dc]
        difference = maps[1] - moved
        im = axes[2, col].imshow(difference, cmap=VALUE_CMAP, vmin=low, vmax=high)
        axes[2, col].set_title(f"{name}: difference")
        fig.colorbar(im, ax=axes[2, col], shrink=0.8)
        # Away from the border: the rows and columns the shift brought in, and the last
        # row and column, whose windows reach into the padding.
        inside = np.abs(difference[dr:H - 1, dc:W - 1])
        found.append(f"{name}: largest |difference| {number(inside.max())} away from "
                     f"the border, largest |output| {number(np.abs(maps).max())}")
    for ax in axes.flat:
        _no_ticks(ax)
    describe(fig, f"An item of {H}x{W} pixels and the item shifted by "
             f"{plural(dr, 'row')} down and {plural(dc, 'column')} right, each with a "
             "conv layer's feature map and a dense layer's output drawn as a map; the "
             "bottom row shows the output for the shifted item minus the item's output "
             "shifted by the same amount, 0 where the layer moved its output along with "
             f"the item. {'; '.join(found)}")
    return fig


def show_receptive_fields(image, stack, names=None, unit=(0, 0), ax=None):
    """The receptive field of one unit of each layer of `stack`, over an image.

    For the last layer, the square is the window of `unit`; for every earlier layer,
    the unit whose window starts at the same top-left pixel (so the squares nest and
    grow layer by layer).

    Parameters
    ----------
    image : (H, W) array
        The item to draw under the squares (grey).
    stack : list of (kind, kernel, stride[, pad])
        See `helpers.architecture`.
    names : list of str or None
        One label per layer for the legend (default "layer 1", ...).
    unit : (row, col)
        The unit of the last layer.
    ax : matplotlib Axes or None

    Returns
    -------
    matplotlib Axes
    """
    image = as_array(image, "image", (2,))
    fields = architecture.receptive_fields(stack)
    if names is None:
        names = [f"layer {i + 1}" for i in range(len(fields))]
    names = list(names)
    if len(names) != len(fields):
        raise ValueError(f"`names` must give one label per layer ({len(fields)}), "
                         f"got {len(names)}")
    top, left, _ = architecture.input_window(stack, *unit)
    ax = _axes(ax, size=(4.5, 4.5))
    ax.imshow(image, cmap=IMAGE_CMAP)
    for k, (name, (size, jump)) in enumerate(zip(names, fields, strict=True)):
        _square(ax, top, left, size, WINDOW_COLORS[k % len(WINDOW_COLORS)],
                label=f"{name}: {size}x{size} pixels (jump {jump})")
        ax.patches[-1].set_linestyle(LINE_STYLES[k % len(LINE_STYLES)])
    H, W = image.shape
    ax.set_xlim(min(-0.5, left - 1), max(W - 0.5, left + fields[-1][0]))
    ax.set_ylim(max(H - 0.5, top + fields[-1][0]), min(-0.5, top - 1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title("what one unit of each layer sees")
    seen = ", ".join(f"{name} {size}x{size}" for name, (size, _) in
                     zip(names, fields, strict=True))
    describe(ax, f"What one unit of each layer sees: nested squares over the {H}x{W} "
             f"image, all with their top-left corner at row {top}, column {left}, "
             f"growing layer by layer: {seen} pixels")
    return ax
