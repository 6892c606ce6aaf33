"""The series' colour policy and the small drawing utilities every figure shares.

Colour maps, one per kind of quantity:

- `IMAGE_CMAP` ("gray") for pixel intensities: the smallest value black, the largest white.
- `VALUE_CMAP` ("RdBu_r") for signed numbers (kernels, feature maps, gradients): negative
  blue, zero white, positive red, always centred on zero, so white means 0 everywhere.
- `COUNT_CMAP` ("Blues") for counts and percentages, which are never negative and are
  not pictures (the confusion matrix): white is 0, dark blue the most.

Scales. Panels that a reader is to compare share one colour scale, and the figure says
what the colours mean: a colour bar, or the number written in every cell. A colour then
means the same number in every panel of that figure (not across figures: each figure
states its own scale). A panel gets a scale of its own only where the notebook's prose
says so (e.g. notebook 11's feature maps, "each map is scaled to its own largest value").

Categorical colours (things told apart, not amounts) come from the Okabe-Ito set, chosen
to stay distinct for the common colour vision deficiencies (`OKABE_ITO`; matplotlib ships
it as ``matplotlib.color_sequences["okabe_ito"]``):

- `CORRECT` (blue) and `WRONG` (vermillion): right and wrong predictions (10);
- `WINDOW_COLORS`: pooling windows and their output cells (05), the layers of a
  receptive-field figure (07, 10), the channels of a flattened array, the kernels of a
  conv layer, and the curves of a line plot. Its first four colours (blue, vermillion,
  black, sky blue), the ones that meet in one figure most often, stay apart under
  deuteranomaly, protanomaly and tritanomaly (``tests/test_colour_policy.py`` simulates
  them with colorspacious);
- `HIGHLIGHT` (orange) for the one window or cell being discussed.

Never colour alone: whatever a colour says, a label, a letter, a marker, a line style or a
hatch says too (a wrong prediction is also hatched and marked ✗; window "a" of the input
is output cell "a"; each layer's square has its own line style and a legend entry).
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_hex

IMAGE_CMAP = "gray"
VALUE_CMAP = "RdBu_r"
COUNT_CMAP = "Blues"  # counts and percentages (the confusion matrix): 0 is white

# Okabe & Ito (2008), "Color Universal Design": black, orange, sky blue, bluish green,
# yellow, blue, vermillion, reddish purple.
_OKABE_ITO_HEX = ("#000000", "#E69F00", "#56B4E9", "#009E73",
                  "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
OKABE_ITO = tuple(
    to_hex(c).upper()
    for c in matplotlib.color_sequences.get("okabe_ito", _OKABE_ITO_HEX)
)
(BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION,
 REDDISH_PURPLE) = OKABE_ITO

CORRECT = BLUE  # a right prediction
WRONG = VERMILLION  # a wrong one (also hatched and marked ✗)
HIGHLIGHT = ORANGE  # the sliding window and the current output cell
PADDING_COLOR = "#cfe3f3"  # the zeros added around an image (also labelled "0")
# Categorical colours in order: the first four stay apart under every simulated colour
# vision deficiency (see the module docstring); the others follow for larger counts.
WINDOW_COLORS = [BLUE, VERMILLION, BLACK, SKY_BLUE, ORANGE, BLUISH_GREEN,
                 REDDISH_PURPLE, YELLOW]
# What tells categories apart besides their colour, in the same order.
LINE_STYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "^", "s", "D", "v", "P", "X", "*"]


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


def _shared_limits(maps):
    """(cmap, vmin, vmax) shared by all `maps`: signed ones centred on 0 (the largest
    |value| of any map), others from 0 (or their smallest value) to the largest."""
    values = np.concatenate([np.ravel(m)[np.isfinite(np.ravel(m))] for m in maps])
    if values.size and values.min() < 0:
        return (VALUE_CMAP, *_value_limits(values))
    if not values.size:
        return IMAGE_CMAP, 0.0, 1.0
    low, high = min(0.0, float(values.min())), float(values.max())
    return IMAGE_CMAP, low, high if high > low else low + 1.0
