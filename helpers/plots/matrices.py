"""Small matrices with a number in every cell, images, outlined windows, grids of maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from helpers.plots.describe import (
    capital,
    describe,
    map_words,
    matrix_words,
    muted,
    number,
    one_line,
)
from helpers.plots.style import (
    HIGHLIGHT,
    IMAGE_CMAP,
    VALUE_CMAP,
    _axes,
    _fmt,
    _shared_limits,
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
    describe(ax, matrix_words(matrix, title, decimals, read=numbers))
    return ax


def show_image(image, ax=None, title: str | None = None, cmap: str | None = None,
               colorbar: str | None = None):
    """Draw an image or feature map without numbers (for anything larger than ~12 x 12).

    Parameters
    ----------
    image : (H, W) array
        Signed values get `VALUE_CMAP` centred on zero, others `IMAGE_CMAP`.
    colorbar : str or None
        The label of a colour bar beside the panel (for a map on a scale of its own);
        None for a picture.
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
    if colorbar is not None:
        ax.figure.colorbar(ax.images[-1], ax=ax, shrink=0.8, label=colorbar)
    describe(ax, map_words(image, title))
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
    what = (f"cell ({row}, {col})" if height == width == 1 else
            f"{height}x{width} window at row {row}, column {col}")
    describe(ax, f"Outlined: the {what}")
    return ax


def show_grid(
    maps,
    titles=None,
    ncols: int | None = None,
    suptitle: str | None = None,
    numbers: bool = False,
    size: float = 2.0,
    scale: str = "shared",
    colorbar: str | None = "value",
    saturate: float | None = None,
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
    scale : "shared" or "each"
        "shared": the panels compare. Signed maps share one colour scale centred on 0,
        the others one from 0 (or their smallest value) to the largest; a colour bar
        gives the numbers (unless they are written). "each": every panel is scaled to
        its own values, for shapes rather than sizes: the notebook must say so.
    colorbar : str or None
        The colour bar's label, drawn with a shared scale for the signed maps (for all
        maps when none is signed); None for pictures, whose gray needs no legend.
    saturate : float or None
        With a shared scale, signed maps saturate at this percentile of all their
        |values| (e.g. 99: the strongest 1% get the end colours, the colour bar's
        pointed ends say so), so that rare strong responses do not pale all others.

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
    if scale not in ("shared", "each"):
        raise ValueError(f'`scale` must be "shared" or "each", got {scale!r}')
    if saturate is not None and not 0 < positive_number(saturate, "saturate") <= 100:
        raise ValueError(f"`saturate` is a percentile, in (0, 100], got {saturate!r}")
    if ncols is not None:
        ncols = int_arg(ncols, "ncols", minimum=1)
    size = positive_number(size, "size")
    ncols = ncols or min(len(maps), 8)
    nrows = -(-len(maps) // ncols)
    signed = [bool(np.nanmin(m) < 0) if np.isfinite(m).any() else False for m in maps]
    limits = {kind: _shared_limits([m for m, s in zip(maps, signed, strict=True)
                                    if s == kind])
              for kind in set(signed)} if scale == "shared" else {}
    clipped = False
    if saturate is not None and True in limits:
        values = np.abs(np.concatenate([m[np.isfinite(m)] for m, s in
                                        zip(maps, signed, strict=True) if s]))
        bound = float(np.percentile(values, saturate)) or limits[True][2]
        clipped = bound < values.max()
        limits[True] = (VALUE_CMAP, -bound, bound)
    bar = scale == "shared" and not numbers and colorbar is not None
    fig, axes = plt.subplots(
        nrows, ncols, squeeze=False, layout="constrained",
        figsize=(size * ncols + (0.9 if bar else 0),
                 size * nrows + (0.4 if suptitle else 0)),
    )
    with muted():
        for k, ax in enumerate(axes.flat):
            if k >= len(maps):
                ax.axis("off")
                continue
            title = titles[k] if titles is not None else None
            cmap, low, high = limits.get(signed[k], (None, None, None))
            if numbers:
                show_matrix(maps[k], ax=ax, title=title, cmap=cmap, vmin=low, vmax=high)
                ax.set_xticks([])
                ax.set_yticks([])
            else:
                show_image(maps[k], ax=ax, title=title, cmap=cmap)
                if low is not None:
                    ax.images[-1].set_clim(low, high)
                elif not signed[k] and np.isfinite(maps[k]).any():  # black is 0
                    top = float(np.nanmax(maps[k]))
                    ax.images[-1].set_clim(min(0.0, float(np.nanmin(maps[k]))),
                                           top if top > 0 else 1.0)
    if bar:
        kind = True if True in limits else False
        shown = [ax for ax, s in zip(axes.flat, signed, strict=False) if s == kind]
        fig.colorbar(shown[0].images[-1], ax=axes.ravel().tolist(), shrink=0.8,
                     label=colorbar, extend="both" if clipped and kind else "neither")
    if suptitle:
        fig.suptitle(suptitle)
    describe(fig, _grid_words(maps, titles, suptitle, numbers, scale, limits, clipped))
    return fig


def _grid_words(maps, titles, suptitle, numbers, scale, limits, clipped=False) -> str:
    """The description of `show_grid`'s figure: one sentence per panel, or a summary."""
    names = titles or [f"panel {k + 1}" for k in range(len(maps))]
    sentences = [suptitle] if suptitle else []
    if scale == "each":
        sentences.append("Each panel on its own scale")
    elif True in limits:
        bound = number(limits[True][2])
        sentences.append(f"The signed maps share one colour scale from -{bound} to "
                         f"{bound}" + (", beyond which they saturate" if clipped else ""))
    if len(maps) <= 12:
        words = matrix_words if numbers else map_words
        sentences += [words(m, t) for m, t in zip(maps, names, strict=True)]
    else:
        H, W = maps[0].shape
        peaks = np.array([np.nanmax(np.abs(m)) for m in maps])
        order = np.argsort(-peaks, kind="stable")[:3]
        zero = int(np.sum(peaks == 0))
        top = ", ".join(f"{names[k]} ({number(peaks[k])})" for k in order)
        sentences.append(f"{len(maps)} maps of {H}x{W}; the largest values in {top}"
                         + (f"; {zero} maps are all 0" if zero else ""))
    return ". ".join(capital(one_line(t)) for t in sentences)
