"""The series' one colour scheme and the small drawing utilities every figure shares.

- `IMAGE_CMAP` ("gray") for pixel intensities: 0 is black, the brightest pixel white.
- `VALUE_CMAP` ("RdBu_r") for signed numbers (kernels, feature maps, gradients): negative
  blue, zero white, positive red, always centred on zero so a colour means the same
  number in every figure.
- `COUNT_CMAP` ("Blues") for counts and percentages, which are never negative and are
  not pictures (the confusion matrix): white is 0, dark blue the most.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

IMAGE_CMAP = "gray"
VALUE_CMAP = "RdBu_r"
COUNT_CMAP = "Blues"  # counts and percentages (the confusion matrix): 0 is white
HIGHLIGHT = "#f5a623"  # the sliding window and the current output cell
PADDING_COLOR = "#cfe3f3"  # the zeros added around an image
# Colours of the pooling windows: window k of the input and output cell k share one.
WINDOW_COLORS = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4",
    "#42d4f4", "#f032e6", "#bfef45", "#9a6324", "#469990",
]
CORRECT = "#2a9d3f"  # a right prediction
WRONG = "#d62728"  # a wrong one


def _axes(ax, size=(3, 3)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _fmt(value, decimals):
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.{decimals}f}"


def _value_limits(values):
    """Symmetric colour limits around 0, so white always means zero."""
    bound = float(np.max(np.abs(values))) if np.size(values) else 1.0
    return -(bound or 1.0), bound or 1.0


def _write_numbers(ax, matrix, mask, decimals=1):
    """Write matrix[i, j] where `mask` is True, in black or white for contrast."""
    image = ax.images[-1]
    cmap, norm = image.get_cmap(), image.norm
    for (i, j), value in np.ndenumerate(matrix):
        if mask[i, j]:
            shade = cmap(norm(value))
            luminance = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2]
            ax.text(j, i, _fmt(value, decimals), ha="center", va="center",
                    color="black" if luminance > 0.5 else "white", fontsize=11)


def _map_limits(values):
    """(cmap, vmin, vmax) for a feature map: signed maps centred on 0, others from 0."""
    if np.any(values < 0):
        vmin, vmax = _value_limits(values)
        return VALUE_CMAP, vmin, vmax
    return IMAGE_CMAP, 0.0, max(1.0, float(np.max(values)))
