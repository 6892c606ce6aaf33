"""Figures of notebook 06: flatten order, the pipeline of layer shapes, and the
cross-entropy loss against the probability given to the true class."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from helpers.plots.describe import describe, muted, number, rows
from helpers.plots.matrices import show_matrix
from helpers.plots.style import (
    BLACK,
    IMAGE_CMAP,
    LINE_STYLES,
    WINDOW_COLORS,
    _axes,
)


def show_flatten(x, order: str = "keras"):
    """Draw the channels of an (H, W, C) array above the vector that flattening gives.

    Each channel has its own colour, on its cells and on its entries in the vector, so
    the order of the vector can be read at a glance; under each entry of the vector,
    its position and its channel (``c0``, ``c1``, ...) say the same in words.

    Parameters
    ----------
    x : (H, W, C) array
        Small: every number is written.
    order : "keras" or "channels first"
        "keras": row-major (H, W, C), the channel changes fastest (``Flatten``);
        "channels first": all of channel 0, then channel 1, ... (a (C, H, W) layout).

    Returns
    -------
    fig : matplotlib Figure
    """
    from helpers.validation import as_array

    x = as_array(x, "x", (3,))
    if x.ndim != 3:
        raise ValueError(f"`x` must be (H, W, C), got shape {x.shape}")
    if order not in ("keras", "channels first"):
        raise ValueError(f'`order` must be "keras" or "channels first", got {order!r}')
    H, W, C = x.shape
    channel_of = np.broadcast_to(np.arange(C), x.shape)
    if order == "keras":
        vector, channels = x.reshape(-1), channel_of.reshape(-1)
    else:
        vector = x.transpose(2, 0, 1).reshape(-1)
        channels = channel_of.transpose(2, 0, 1).reshape(-1)
    n = vector.size
    label = "Keras" if order == "keras" else "channels-first"
    fig = plt.figure(figsize=(max(0.55 * n + 1, 1.6 * C + 1), 0.55 * H + 2.4))
    grid = fig.add_gridspec(2, C, height_ratios=[H, 1.6])
    limits = {"vmin": min(0.0, x.min()), "vmax": max(1.0, x.max())}
    colors = [WINDOW_COLORS[c % len(WINDOW_COLORS)] for c in range(C)]
    with muted():
        for c in range(C):
            ax = fig.add_subplot(grid[0, c])
            show_matrix(x[:, :, c], ax=ax, title=f"channel {c}", cmap=IMAGE_CMAP,
                        **limits)
            for i, j in np.ndindex(H, W):
                ax.add_patch(Rectangle((j - 0.42, i - 0.42), 0.84, 0.84, fill=False,
                                       edgecolor=colors[c], linewidth=2.5))
        ax = fig.add_subplot(grid[1, :])
        show_matrix(vector[None, :], ax=ax, cmap=IMAGE_CMAP, **limits,
                    title=f"flattened, {label} order: {n} numbers")
    for k, c in enumerate(channels):
        ax.add_patch(Rectangle((k - 0.42, -0.42), 0.84, 0.84, fill=False,
                               edgecolor=colors[c], linewidth=2.5))
    ax.set_xticks(np.arange(n), [f"{k}\nc{c}" for k, c in enumerate(channels)])
    ax.set_yticks([])
    fig.tight_layout()
    each = "; ".join(f"channel {c}: {rows(x[:, :, c])}" for c in range(C))
    describe(fig, f"The {H}x{W}x{C} array, channel by channel, row by row ({each}), "
             f"above the {n} numbers flattening gives, in {label} order: "
             f"{' '.join(number(v) for v in vector)}; their channels: "
             f"{' '.join(str(c) for c in channels)}")
    return fig


def show_pipeline(stages, ax=None, title: str | None = None):
    """Draw the layers of a small CNN as boxes, each with the shape it outputs.

    Parameters
    ----------
    stages : sequence of (label, shape) pairs
        e.g. ``[("image", (6, 6, 1)), ("conv 3x3, 2 filters", (4, 4, 2)), ...]``: each
        box shows the label and the shape of that stage's output.
    ax : matplotlib Axes or None
    title : str or None
    """
    from helpers.validation import sequence_arg

    stages = sequence_arg(stages, "stages", "(label, shape) pairs")
    if not stages:
        raise ValueError("`stages` is empty: expected (label, shape) pairs")
    for k, stage in enumerate(stages):
        if isinstance(stage, str) or not hasattr(stage, "__len__") or len(stage) != 2 \
                or not isinstance(stage[0], str) or not hasattr(stage[1], "__len__"):
            raise TypeError(f"`stages[{k}]` must be a (label, shape) pair such as "
                            f"('conv 3x3', (4, 4, 2)), got {stage!r:.60}")
    ax = _axes(ax, (1.75 * len(stages), 1.7))
    for k, (label, shape) in enumerate(stages):
        x0 = 1.75 * k
        ax.add_patch(Rectangle((x0, 0), 1.4, 1, facecolor="#f3f3f3",
                               edgecolor="#444444", linewidth=1.2))
        ax.text(x0 + 0.7, 0.66, label, ha="center", va="center", fontsize=9,
                wrap=True)
        ax.text(x0 + 0.7, 0.28, str(tuple(int(s) for s in shape)), ha="center",
                va="center", fontsize=9, color="#b35900", family="monospace")
        if k:
            ax.annotate("", xy=(x0, 0.5), xytext=(x0 - 0.35, 0.5),
                        arrowprops={"arrowstyle": "->", "color": "#444444"})
    ax.set_xlim(-0.1, 1.75 * len(stages) - 0.25)
    ax.set_ylim(-0.1, 1.1)
    ax.axis("off")
    if title:
        ax.set_title(title)
    steps = ", then ".join(f"{label} {tuple(int(s) for s in shape)}"
                           for label, shape in stages)
    describe(ax, f"{title + ': ' if title else ''}the layers in order, each with the "
             f"shape of its output: {steps}")
    return ax


def plot_cross_entropy(marked=(0.3, 0.001), ax=None):
    """The cross-entropy loss ``-ln p`` and ``1 - p`` against the probability `p` that a
    model gives the true class, with the losses at the `marked` probabilities.

    Parameters
    ----------
    marked : sequence of float in (0, 1]
        Probabilities to mark on the cross-entropy curve, with their loss.
    ax : matplotlib Axes or None

    Returns
    -------
    ax : matplotlib Axes
    """
    from helpers.validation import sequence_arg

    marked = [float(v) for v in sequence_arg(marked, "marked", "probabilities")]
    if any(not 0 < v <= 1 for v in marked):
        raise ValueError(f"`marked` must hold probabilities in (0, 1], got {marked}")
    ax = _axes(ax, (6, 3.6))
    p = np.linspace(0.001, 1, 500)
    ax.plot(p, -np.log(p), color=WINDOW_COLORS[0], linestyle=LINE_STYLES[0],
            label=r"cross-entropy  $-\ln p$")
    ax.plot(p, 1 - p, color=WINDOW_COLORS[1], linestyle=LINE_STYLES[1],
            label="$1 - p$, for comparison")
    for value in marked:
        ax.plot(value, -np.log(value), "o", color=BLACK)
        ax.annotate(f"p = {value:g}: loss {-np.log(value):.2f}", (value, -np.log(value)),
                    xytext=(12, -4), textcoords="offset points")
    ax.set_xlabel("probability given to the true class, p")
    ax.set_ylabel("loss")
    ax.set_title("a confident wrong answer costs most")
    ax.legend()
    points = "; ".join(f"at p = {v:g}, -ln p = {-np.log(v):.2f} and 1 - p = "
                       f"{number(1 - v, 3)}" for v in marked)
    describe(ax, "The loss against the probability p given to the true class, for p "
             f"from 0.001 to 1: the cross-entropy -ln p falls from {-np.log(0.001):.2f} "
             "to 0, steeply near p = 0, while 1 - p falls in a straight line from 1 to "
             f"0. Marked: {points}")
    return ax
