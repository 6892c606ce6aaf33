"""Pooling windows on a feature map and the pooled output, colour-tied."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.patheffects import withStroke

from helpers.plots.describe import MAX_READ_CELLS, describe, muted, number, rows
from helpers.plots.matrices import show_matrix
from helpers.plots.style import (
    IMAGE_CMAP,
    VALUE_CMAP,
    WINDOW_COLORS,
    _value_limits,
)


def show_pooling(
    x,
    size: int = 2,
    stride: int | None = None,
    kind: str = "max",
    axes=None,
    numbers: bool = True,
    decimals: int = 2,
):
    """Draw a 2-D map beside its pooled output; a window and its output cell share a
    colour and a letter (window "a" gives output cell "a").

    Every window is outlined (overlapping ones at different insets, so none hides
    another). Pixels that no window covers (the dropped right / bottom edge of "valid"
    pooling) are hatched in grey. For max pooling, the winning pixel of each window is
    ringed in its colour.

    Parameters
    ----------
    x : (H, W) array
    size : int
        Window side.
    stride : int or None
        Step between windows; defaults to `size`.
    kind : "max" or "avg"
    axes : sequence of two Axes or None
        (input, output); a new figure when None.
    numbers : bool
        Write the numbers in the cells.
    decimals : int
        Decimals for non-integer numbers.

    Returns
    -------
    axes : the two Axes (input, output)
    """
    from helpers import layers

    if kind not in ("max", "avg"):
        raise ValueError(f'`kind` must be "max" or "avg", got {kind!r}')
    from helpers.validation import as_array, positive_int

    x = as_array(x, "x", (2,))
    size = positive_int(size, "size")
    stride = size if stride is None else positive_int(stride, "stride")
    pool = layers.max_pool2d if kind == "max" else layers.avg_pool2d
    out = pool(x, size, stride)
    H, W = x.shape
    oh, ow = out.shape
    overlap = stride < size
    if axes is None:
        _, axes = plt.subplots(
            1, 2, figsize=(0.55 * (W + ow) + 3, 0.55 * max(H, 3) + 1.2 + 0.3 * overlap),
            gridspec_kw={"width_ratios": [W, max(ow, 1.5)]},
        )
    ax_in, ax_out = axes
    # One colour scale for input and output; signed maps centred on 0 (style.py).
    if x.min() >= 0:
        cmap, (vmin, vmax) = IMAGE_CMAP, (0.0, max(1.0, float(x.max())))
    else:
        cmap, (vmin, vmax) = VALUE_CMAP, _value_limits(x)
    limits = {"vmin": vmin, "vmax": vmax, "cmap": cmap}
    name = "max" if kind == "max" else "average"
    with muted():
        show_matrix(x, ax=ax_in, numbers=numbers, decimals=decimals, **limits,
                    title=f"input {H}x{W}")
        show_matrix(out, ax=ax_out, numbers=numbers, decimals=decimals, **limits,
                    title=f"{name} pool -> {oh}x{ow}")
    halo = [withStroke(linewidth=5, foreground="white")]  # visible on black cells too
    covered = np.zeros((H, W), dtype=bool)
    for k, (i, j) in enumerate(np.ndindex(oh, ow)):
        r, c = i * stride, j * stride
        covered[r : r + size, c : c + size] = True
        color = WINDOW_COLORS[k % len(WINDOW_COLORS)]
        # Overlapping windows would hide each other's outline: neighbours (odd vs even
        # row or column of windows) are drawn at different insets, so every one shows.
        inset = 0.06 + (0.11 * (2 * (i % 2) + j % 2) if overlap else 0)
        ax_in.add_patch(Rectangle(
            (c - 0.5 + inset, r - 0.5 + inset), size - 2 * inset, size - 2 * inset,
            fill=False, edgecolor=color, linewidth=3 if not overlap else 2.5,
            path_effects=halo,
        ))
        ax_out.add_patch(Rectangle(
            (j - 0.5 + 0.06, i - 0.5 + 0.06), 0.88, 0.88,
            fill=False, edgecolor=color, linewidth=3, path_effects=halo,
        ))
        # The letter ties window and output cell without colour.
        # In the window's first cell, in its corner, away from the cell's number.
        for ax, (top, left) in ((ax_in, (r - 0.5, c - 0.5)), (ax_out, (i - 0.5, j - 0.5))):
            ax.text(left + 0.1, top + 0.08, window_label(k), ha="left", va="top",
                    fontsize=8, fontweight="bold", color=color, zorder=5,
                    gid=LABEL_GID,
                    path_effects=[withStroke(linewidth=2.5, foreground="white")])
        window = x[r : r + size, c : c + size]
        # Rings of many overlapping windows would pile up into mud: few windows only.
        if kind == "max" and window.max() > window.min() and (not overlap or oh * ow <= 6):
            wi, wj = np.unravel_index(np.argmax(window), window.shape)
            ax_in.add_patch(plt.Circle((c + wj, r + wi), 0.36, fill=False,
                                       edgecolor=color, linewidth=2.5, zorder=4,
                                       path_effects=halo, gid=WINNER_GID))
    for i, j in zip(*np.nonzero(~covered), strict=True):
        ax_in.add_patch(Rectangle(
            (j - 0.5, i - 0.5), 1, 1, facecolor="none", hatch="//",
            edgecolor="#9a9a9a", linewidth=0,
        ))
    label = f"window {size}x{size}, stride {stride}"
    if overlap:
        label += f"\n(all {oh * ow} windows outlined; they overlap)"
    if (~covered).any():
        label += f"; {int((~covered).sum())} pixels dropped (hatched)"
    ax_in.set_xlabel(label)
    dropped = int((~covered).sum())
    values = (f", row by row: {rows(x)}" if x.size <= MAX_READ_CELLS else
              f", values from {number(x.min())} to {number(x.max())}")
    result = (f", row by row: {rows(out)}" if out.size <= MAX_READ_CELLS else
              f", values from {number(out.min())} to {number(out.max())}")
    letters = (f" ({window_label(0)} to {window_label(oh * ow - 1)})"
               if oh * ow > 1 else f" ({window_label(0)})")
    describe(ax_in, f"{name.capitalize()} pooling with {size}x{size} windows and stride "
             f"{stride} of the {H}x{W} input{values}. Its {oh * ow} windows{letters}"
             f"{', which overlap,' if overlap else ''} give the {oh}x{ow} output"
             f"{result}"
             + (f". {dropped} pixels that no window covers are dropped" if dropped
                else ""))
    return axes


LABEL_GID = "window-label"  # the letters' gid, to tell them from the numbers
WINNER_GID = "window-maximum"  # the rings around each window's largest number


def window_label(k: int) -> str:
    """The letter of window `k` (a, b, ..., z, then 27, 28, ...)."""
    return chr(ord("a") + k) if k < 26 else str(k + 1)
