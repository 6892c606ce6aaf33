"""Activation functions and a feature map before and after ReLU."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from helpers.plots.describe import describe, muted, number, percent, rows
from helpers.plots.matrices import show_matrix
from helpers.plots.style import (
    LINE_STYLES,
    VALUE_CMAP,
    WINDOW_COLORS,
    _axes,
    _value_limits,
)


def plot_activations(ax=None, x_range: tuple[float, float] = (-4.0, 4.0)):
    """Plot ReLU, sigmoid and tanh on one set of axes, with a legend.

    Parameters
    ----------
    ax : matplotlib Axes or None
    x_range : (float, float)
        The inputs shown on the horizontal axis.
    """
    from helpers import layers

    ax = _axes(ax, (5.5, 3.6))
    x = np.linspace(x_range[0], x_range[1], 401)
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.axvline(0, color="#888888", linewidth=0.8)
    curves = [("ReLU: max(0, x)", layers.relu(x)),
              ("sigmoid: 1 / (1 + exp(-x))", layers.sigmoid(x)), ("tanh(x)", np.tanh(x))]
    for k, (label, y) in enumerate(curves):
        ax.plot(x, y, linewidth=2.5, color=WINDOW_COLORS[k], linestyle=LINE_STYLES[k],
                label=label)
    ax.set_xlim(*x_range)
    ax.set_ylim(-1.25, min(3.0, x_range[1]) + 0.25)
    ax.set_xlabel("input x")
    ax.set_ylabel("output f(x)")
    ax.set_title("Three activation functions")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(alpha=0.3)
    low, high = number(x_range[0]), number(x_range[1])
    ends = "; ".join(f"{label.split(':')[0]} from {number(y[0])} to {number(y[-1])}"
                     for label, y in curves)
    describe(ax, f"ReLU, sigmoid and tanh for inputs x from {low} to {high}. ReLU is 0 "
             "for every negative x and equals x for positive x; sigmoid and tanh are "
             "S-shaped and flatten out at both ends. Their values at the two ends: "
             f"{ends}")
    return ax


def show_rectified(feature_map, axes=None, numbers: bool | None = None):
    """Draw a signed feature map beside ``relu(feature_map)``, with the same colours.

    Both panels use `VALUE_CMAP` with the same limits, so a number keeps its colour
    and every negative (blue) cell turns white (zero) on the right.

    Parameters
    ----------
    feature_map : (H, W) array
    axes : sequence of two Axes or None
    numbers : bool or None
        Write the numbers; by default only when the map is at most 12 x 12.

    Returns
    -------
    axes : the two Axes (before, after)
    """
    from helpers import layers
    from helpers.validation import as_array

    feature_map = as_array(feature_map, "feature_map", (2,))
    if feature_map.ndim != 2:
        raise ValueError(f"`feature_map` must be 2-D (H, W), got {feature_map.shape}")
    H, W = feature_map.shape
    if numbers is None:
        numbers = max(H, W) <= 12
    if axes is None:
        size = (0.55 * W + 0.8, 0.55 * H + 0.9) if numbers else (3.6, 3.6 * H / W + 0.4)
        _, axes = plt.subplots(1, 2, figsize=(2 * size[0], size[1]))
    vmin, vmax = _value_limits(feature_map)
    rectified = layers.relu(feature_map)
    for ax, values, title in [(axes[0], feature_map, "feature map"),
                              (axes[1], rectified, "after ReLU")]:
        if numbers:
            with muted():
                show_matrix(values, ax=ax, title=title, cmap=VALUE_CMAP, vmin=vmin,
                            vmax=vmax)
        else:
            image = ax.imshow(values, cmap=VALUE_CMAP, vmin=vmin, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title)
    if not numbers:  # the numbers are not written: a colour bar gives them
        axes[1].figure.colorbar(image, ax=list(axes), shrink=0.8, label="value")
    negative = int(np.sum(feature_map < 0))
    if numbers and feature_map.size <= 64:
        values = (f"Before, row by row: {rows(feature_map)}; after: {rows(rectified)}")
    else:
        values = (f"Before, values from {number(feature_map.min())} to "
                  f"{number(feature_map.max())}; after, from 0 to "
                  f"{number(rectified.max())}")
    describe(axes[0], f"A {H}x{W} feature map beside the same map after ReLU, on one "
             f"scale: its {negative} negative values ({percent(negative / (H * W))}) "
             f"become 0 and the others stay. {values}")
    return axes
