"""Small matrices with a number in every cell, images, outlined windows, grids of maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from helpers.plots.style import (
    HIGHLIGHT,
    IMAGE_CMAP,
    VALUE_CMAP,
    _axes,
    _fmt,
    _value_limits,
)


def show_matrix(
    matrix,
    ax=None,
    title: str | None = None,
    cmap: str | None = None,
    decimals: int = 1,
    numbers: bool = True,
    vmin: float | None = None,
    vmax: float | None = None,
):
    """Draw a small 2-D matrix as coloured cells with each number written in its cell.

    Parameters
    ----------
    matrix : (H, W) array
    ax : matplotlib Axes or None
    title : str or None
    cmap : str or None
        Defaults to `IMAGE_CMAP` for non-negative matrices, `VALUE_CMAP` (centred on
        zero) when there are negative numbers.
    decimals : int
        Decimals for non-integer numbers.
    numbers : bool
        Write the numbers (turn off for matrices larger than about 12 x 12).
    vmin, vmax : float or None
        Colour limits; default from the data.
    """
    from helpers.validation import as_array, int_arg

    matrix = as_array(matrix, "matrix", (2,), allow_nan=True)
    decimals = int_arg(decimals, "decimals", 0, 10)
    if numbers and max(matrix.shape) > 40:
        raise ValueError(
            f"`matrix` is {matrix.shape[0]}x{matrix.shape[1]}: too large to write every "
            "number (at most 40x40); pass numbers=False, or use show_image"
        )
    ax = _axes(ax, (0.5 * matrix.shape[1] + 1, 0.5 * matrix.shape[0] + 1))
    signed = np.any(matrix < 0)
    if cmap is None:
        cmap = VALUE_CMAP if signed else IMAGE_CMAP
    if vmin is None and vmax is None:
        if cmap == VALUE_CMAP:
            vmin, vmax = _value_limits(matrix)
        else:
            vmin, vmax = min(0.0, matrix.min()), max(1.0, matrix.max())
    im = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax)
    if numbers:
        norm = im.norm
        for (i, j), value in np.ndenumerate(matrix):
            shade = plt.get_cmap(cmap)(norm(value))
            luminance = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2]
            ax.text(
                j, i, _fmt(value, decimals), ha="center", va="center",
                color="black" if luminance > 0.5 else "white", fontsize=11,
            )
    ax.set_xticks(np.arange(matrix.shape[1]))
    ax.set_yticks(np.arange(matrix.shape[0]))
    ax.set_xticks(np.arange(matrix.shape[1] + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(matrix.shape[0] + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="#888888", linewidth=0.8)
    ax.tick_params(which="both", length=0, labelsize=8)
    if title:
        ax.set_title(title)
    return ax


def show_image(image, ax=None, title: str | None = None, cmap: str | None = None):
    """Draw an image or feature map without numbers (for anything larger than ~12 x 12).

    Parameters
    ----------
    image : (H, W) array
        Signed values get `VALUE_CMAP` centred on zero, others `IMAGE_CMAP`.
    """
    from helpers.validation import as_array

    image = as_array(image, "image", (2,), allow_nan=True)
    ax = _axes(ax)
    if cmap is None:
        cmap = VALUE_CMAP if np.any(image < 0) else IMAGE_CMAP
    if cmap == VALUE_CMAP:
        vmin, vmax = _value_limits(image)
        ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
    else:
        ax.imshow(image, cmap=cmap)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def highlight_window(ax, row: int, col: int, height: int, width: int, color=HIGHLIGHT):
    """Outline the cells rows ``row..row+height-1``, cols ``col..col+width-1`` on `ax`."""
    from helpers.validation import int_arg

    row, col = int_arg(row, "row"), int_arg(col, "col")  # a window never starts at -1
    height, width = int_arg(height, "height", 1), int_arg(width, "width", 1)
    ax.add_patch(
        Rectangle(
            (col - 0.5, row - 0.5), width, height,
            fill=False, edgecolor=color, linewidth=3.5,
        )
    )
    return ax


def show_grid(
    maps,
    titles=None,
    ncols: int | None = None,
    suptitle: str | None = None,
    numbers: bool = False,
    size: float = 2.0,
):
    """Draw several 2-D arrays side by side (kernels, feature maps, images).

    Parameters
    ----------
    maps : sequence of (H, W) arrays, or an (H, W, K) array (one map per channel)
    titles : sequence of str or None
    ncols : int or None
        Defaults to all in one row, up to 8.
    numbers : bool
        Write numbers in the cells (small arrays only).
    size : float
        Inches per panel.

    Returns
    -------
    fig : matplotlib Figure
    """
    from helpers.validation import as_array, int_arg, names_arg, positive_number

    if isinstance(maps, np.ndarray) and maps.ndim == 3:
        maps = [maps[:, :, k] for k in range(maps.shape[2])]
    if isinstance(maps, np.ndarray) or not hasattr(maps, "__iter__"):
        maps = as_array(maps, "maps", (3,))  # raises: a 1-D or 2-D array, a number
    maps = [as_array(m, f"maps[{k}]", (2,), allow_nan=True) for k, m in enumerate(maps)]
    if not maps:
        raise ValueError("`maps` is empty: expected at least one 2-D array")
    if len(maps) > 200:
        raise ValueError(f"`maps` holds {len(maps)} arrays: at most 200 fit in one "
                         "figure; pass a slice such as maps[:32]")
    if titles is not None:
        titles = names_arg(titles, "titles")
    if titles is not None and len(titles) != len(maps):
        raise ValueError(f"`titles` has {len(titles)} entries for {len(maps)} maps")
    if ncols is not None:
        ncols = int_arg(ncols, "ncols", minimum=1)
    size = positive_number(size, "size")
    ncols = ncols or min(len(maps), 8)
    nrows = -(-len(maps) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)),
        squeeze=False,
    )
    for k, ax in enumerate(axes.flat):
        if k >= len(maps):
            ax.axis("off")
            continue
        title = titles[k] if titles is not None else None
        if numbers:
            show_matrix(maps[k], ax=ax, title=title)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            show_image(maps[k], ax=ax, title=title)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
