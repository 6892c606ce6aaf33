"""Drawing: small matrices with their numbers, sliding windows, grids of kernels and maps.

One colour scheme throughout the series:

- `IMAGE_CMAP` ("gray") for pixel intensities: 0 is black, the brightest pixel white.
- `VALUE_CMAP` ("RdBu_r") for signed numbers (kernels, feature maps): negative blue,
  zero white, positive red, always centred on zero so the colours mean the same thing in
  every figure.

Every function takes ``ax=None`` (a new figure when None) and returns the Axes, so
figures compose. No function calls ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

IMAGE_CMAP = "gray"
VALUE_CMAP = "RdBu_r"
HIGHLIGHT = "#f5a623"  # the sliding window and the current output cell


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
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"`matrix` must be 2-D, got shape {matrix.shape}")
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
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"`image` must be 2-D (H, W), got shape {image.shape}")
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
    if isinstance(maps, np.ndarray) and maps.ndim == 3:
        maps = [maps[:, :, k] for k in range(maps.shape[2])]
    maps = list(maps)
    if not maps:
        raise ValueError("`maps` is empty: expected at least one 2-D array")
    if titles is not None and len(titles) != len(maps):
        raise ValueError(f"`titles` has {len(titles)} entries for {len(maps)} maps")
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


# ---- notebooks 03-05: activations, pooling, the whole pipeline ----------------------
# Colours of the pooling windows: window k of the input and output cell k share one.
WINDOW_COLORS = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4",
    "#42d4f4", "#f032e6", "#bfef45", "#9a6324", "#469990",
]


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
    ax.plot(x, layers.relu(x), linewidth=2.5, label="ReLU: max(0, x)")
    ax.plot(x, layers.sigmoid(x), linewidth=2, label="sigmoid: 1 / (1 + exp(-x))")
    ax.plot(x, np.tanh(x), linewidth=2, linestyle="--", label="tanh(x)")
    ax.set_xlim(*x_range)
    ax.set_ylim(-1.25, min(3.0, x_range[1]) + 0.25)
    ax.set_xlabel("input x")
    ax.set_ylabel("output f(x)")
    ax.set_title("Three activation functions")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(alpha=0.3)
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

    feature_map = np.asarray(feature_map, dtype=float)
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
            show_matrix(values, ax=ax, title=title, cmap=VALUE_CMAP, vmin=vmin,
                        vmax=vmax)
        else:
            ax.imshow(values, cmap=VALUE_CMAP, vmin=vmin, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title)
    return axes

def show_pooling(
    x,
    size: int = 2,
    stride: int | None = None,
    kind: str = "max",
    axes=None,
    numbers: bool = True,
    decimals: int = 2,
):
    """Draw a 2-D map beside its pooled output; a window and its output share a colour.

    Pixels that no window covers (the dropped right / bottom edge of "valid" pooling)
    are hatched in grey. For max pooling, the winning pixel of each window is tinted.

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
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"`x` must be 2-D (H, W), got shape {x.shape}")
    stride = size if stride is None else stride
    pool = layers.max_pool2d if kind == "max" else layers.avg_pool2d
    out = pool(x, size, stride)
    H, W = x.shape
    oh, ow = out.shape
    if axes is None:
        _, axes = plt.subplots(
            1, 2, figsize=(0.55 * (W + ow) + 3, 0.55 * max(H, 3) + 1.2),
            gridspec_kw={"width_ratios": [W, max(ow, 1.5)]},
        )
    ax_in, ax_out = axes
    limits = {"vmin": min(0.0, x.min()), "vmax": max(1.0, x.max())}
    show_matrix(x, ax=ax_in, numbers=numbers, decimals=decimals, **limits,
                cmap=IMAGE_CMAP if x.min() >= 0 else VALUE_CMAP,
                title=f"input {H}x{W}")
    name = "max" if kind == "max" else "average"
    show_matrix(out, ax=ax_out, numbers=numbers, decimals=decimals, **limits,
                cmap=IMAGE_CMAP if x.min() >= 0 else VALUE_CMAP,
                title=f"{name} pool -> {oh}x{ow}")
    covered = np.zeros((H, W), dtype=bool)
    overlap = stride < size
    # Overlapping windows would hide each other: outline only the first one and its
    # neighbours to the right and below, which is enough to see the stride.
    shown = {(0, 0), (0, 1), (1, 0)} if overlap else set(np.ndindex(oh, ow))
    for k, (i, j) in enumerate(np.ndindex(oh, ow)):
        r, c = i * stride, j * stride
        covered[r : r + size, c : c + size] = True
        if (i, j) not in shown:
            continue
        color = WINDOW_COLORS[k % len(WINDOW_COLORS)]
        inset = 0.06 + 0.1 * (k > 0) if overlap else 0.06
        ax_in.add_patch(Rectangle(
            (c - 0.5 + inset, r - 0.5 + inset), size - 2 * inset, size - 2 * inset,
            fill=False, edgecolor=color, linewidth=3,
        ))
        ax_out.add_patch(Rectangle(
            (j - 0.5 + 0.06, i - 0.5 + 0.06), 0.88, 0.88,
            fill=False, edgecolor=color, linewidth=3,
        ))
        window = x[r : r + size, c : c + size]
        if kind == "max" and not overlap and window.max() > window.min():
            wi, wj = np.unravel_index(np.argmax(window), window.shape)
            ax_in.add_patch(Rectangle(
                (c + wj - 0.5, r + wi - 0.5), 1, 1, facecolor=color, alpha=0.45,
                edgecolor="none",
            ))
    for i, j in zip(*np.nonzero(~covered), strict=True):
        ax_in.add_patch(Rectangle(
            (j - 0.5, i - 0.5), 1, 1, facecolor="none", hatch="//",
            edgecolor="#9a9a9a", linewidth=0,
        ))
    label = f"window {size}x{size}, stride {stride}"
    if overlap:
        label += f"\n(3 of the {oh * ow} overlapping windows outlined)"
    if (~covered).any():
        label += f"; {int((~covered).sum())} pixels dropped (hatched)"
    ax_in.set_xlabel(label)
    return axes



def show_flatten(x, order: str = "keras"):
    """Draw the channels of an (H, W, C) array above the vector that flattening gives.

    Each channel has its own colour, on its cells and on its entries in the vector, so
    the order of the vector can be read at a glance.

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
    x = np.asarray(x, dtype=float)
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
    for c in range(C):
        ax = fig.add_subplot(grid[0, c])
        show_matrix(x[:, :, c], ax=ax, title=f"channel {c}", cmap=IMAGE_CMAP,
                    **limits)
        for i, j in np.ndindex(H, W):
            ax.add_patch(Rectangle((j - 0.42, i - 0.42), 0.84, 0.84, fill=False,
                                   edgecolor=WINDOW_COLORS[c % 10], linewidth=2.5))
    ax = fig.add_subplot(grid[1, :])
    show_matrix(vector[None, :], ax=ax, cmap=IMAGE_CMAP, **limits,
                title=f"flattened, {label} order: {n} numbers")
    for k, c in enumerate(channels):
        ax.add_patch(Rectangle((k - 0.42, -0.42), 0.84, 0.84, fill=False,
                               edgecolor=WINDOW_COLORS[c % 10], linewidth=2.5))
    ax.set_yticks([])
    fig.tight_layout()
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
    stages = list(stages)
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
    return ax


# ---- notebooks 01-02: convolution step by step, kernels and their feature maps ---
PADDING_COLOR = "#cfe3f3"  # the zeros added around an image


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


def show_conv_step(
    image, kernel, row: int, col: int, axes=None, with_kernel: bool = False
):
    """Draw one step of a convolution: the window, its product with the kernel, the sum.

    The feature map is filled in reading order up to the current position (row, col),
    whose cell is outlined; later cells are still empty.

    Parameters
    ----------
    image : (H, W) array
    kernel : (kh, kw) array
    row, col : int
        Top-left corner of the window, ``0 <= row <= H - kh``, ``0 <= col <= W - kw``.
    axes : sequence of 3 Axes (4 with `with_kernel`) or None
        (image, [kernel,] window x kernel, feature map); a new figure when None.
    with_kernel : bool
        Also draw the kernel, between the image and the product.

    Returns
    -------
    axes : the Axes drawn on
    """
    from helpers import layers

    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"`image` and `kernel` must be 2-D, got shapes {image.shape} "
                         f"and {kernel.shape}")
    feature_map = layers.conv2d(image, kernel)
    out_h, out_w = feature_map.shape
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(f"(row, col) must be within 0..{out_h - 1} and 0..{out_w - 1} "
                         f"for this {image.shape} image and {kernel.shape} kernel, "
                         f"got ({row}, {col})")
    kh, kw = kernel.shape
    product = image[row : row + kh, col : col + kw] * kernel
    n_panels = 4 if with_kernel else 3
    if axes is None:
        _, axes = plt.subplots(1, n_panels, figsize=(2.4 * n_panels, 2.6))
    axes = list(axes)
    if len(axes) != n_panels:
        raise ValueError(f"`axes` must hold {n_panels} Axes, got {len(axes)}")
    ax_img, ax_prod, ax_map = axes[0], axes[-2], axes[-1]
    show_matrix(image, ax=ax_img, title=f"window at ({row}, {col})")
    highlight_window(ax_img, row, col, kh, kw)
    if with_kernel:
        show_matrix(kernel, ax=axes[1], title="kernel")
    show_matrix(product, ax=ax_prod, title="window × kernel")
    ax_prod.set_xlabel(f"sum = {_fmt(product.sum(), 2)}", fontsize=12)
    filled = np.arange(out_h * out_w).reshape(out_h, out_w) <= row * out_w + col
    cmap, vmin, vmax = _map_limits(feature_map)
    show_matrix(np.where(filled, feature_map, np.nan), ax=ax_map, title="feature map",
                cmap=cmap, vmin=vmin, vmax=vmax, numbers=False)
    _write_numbers(ax_map, feature_map, filled)
    highlight_window(ax_map, row, col, 1, 1)
    return axes


def show_conv_steps(image, kernel):
    """All positions of a convolution, one row per step (see `show_conv_step`).

    Parameters
    ----------
    image : (H, W) array
    kernel : (kh, kw) array

    Returns
    -------
    fig : matplotlib Figure with 3 Axes per position
    """
    from helpers import layers

    out_h, out_w = layers.conv2d(image, kernel).shape
    n = out_h * out_w
    fig, axes = plt.subplots(n, 3, figsize=(7.2, 2.25 * n + 0.4), squeeze=False)
    for k, (i, j) in enumerate(np.ndindex(out_h, out_w)):
        show_conv_step(image, kernel, i, j, axes=axes[k])
        axes[k][0].set_ylabel(f"step {k + 1}", fontsize=12, fontweight="bold")
    # Fixed margins: tight_layout over this many Axes costs about a second.
    height = fig.get_figheight()
    fig.suptitle(f"Sliding the {np.shape(kernel)[0]}x{np.shape(kernel)[1]} kernel: "
                 f"{n} positions, {n} numbers", fontsize=13, y=1 - 0.12 / height)
    fig.subplots_adjust(left=0.08, right=0.98, top=1 - 0.8 / height,
                        bottom=0.45 / height, hspace=0.55, wspace=0.35)
    return fig


def show_kernels_and_maps(kernels, feature_maps, names=None, ncols: int = 4,
                          size: float = 2.2):
    """Each kernel (numbers in its cells) above the feature map it produces.

    Kernels are drawn in `VALUE_CMAP`. A kernel whose weights sum to 0 (an edge
    detector) gives a signed response, drawn with `VALUE_CMAP` centred on 0 (the
    strongest 1% of responses saturate, so that weak edges show too); any other kernel
    gives an image, drawn in `IMAGE_CMAP` between 0 and 1 (brighter or darker values
    are clipped, as an image viewer would show them).

    Parameters
    ----------
    kernels : sequence of (kh, kw) arrays
    feature_maps : sequence of (H', W') arrays, one per kernel
    names : sequence of str or None
        Titles of the kernels.
    ncols : int
        Kernel/map pairs per row.
    size : float
        Inches per feature-map panel.

    Returns
    -------
    fig : matplotlib Figure
    """
    kernels = [np.asarray(k, dtype=float) for k in kernels]
    feature_maps = [np.asarray(m, dtype=float) for m in feature_maps]
    if len(kernels) != len(feature_maps):
        raise ValueError(f"{len(kernels)} kernels but {len(feature_maps)} feature "
                         "maps: expected one feature map per kernel")
    if names is not None and len(names) != len(kernels):
        raise ValueError(f"`names` has {len(names)} entries for {len(kernels)} kernels")
    ncols = max(1, min(ncols, len(kernels)))
    groups = -(-len(kernels) // ncols)
    fig, axes = plt.subplots(
        2 * groups, ncols, figsize=(size * ncols, 1.75 * size * groups),
        gridspec_kw={"height_ratios": [0.75, 1] * groups}, squeeze=False,
    )
    for k in range(groups * ncols):
        top, col = 2 * (k // ncols), k % ncols
        ax_k, ax_m = axes[top, col], axes[top + 1, col]
        if k >= len(kernels):
            ax_k.axis("off")
            ax_m.axis("off")
            continue
        kernel, fmap = kernels[k], feature_maps[k]
        show_matrix(kernel, ax=ax_k, decimals=2, title=names[k] if names else None,
                    cmap=VALUE_CMAP)
        ax_k.set_xticks([])
        ax_k.set_yticks([])
        for text in ax_k.texts:
            text.set_fontsize(9)
        _show_response(fmap, kernel, ax_m)
    fig.tight_layout()
    return fig


def _show_response(feature_map, kernel, ax, title=None):
    """A feature map, coloured by its kernel's kind (see `show_kernels_and_maps`)."""
    if abs(np.sum(kernel)) < 1e-9:
        show_image(feature_map, ax=ax, cmap=VALUE_CMAP, title=title)
        # Most edge responses are weak: saturating the strongest 1% shows them all.
        bound = float(np.percentile(np.abs(feature_map), 99)) or 1.0
        ax.images[-1].set_clim(-bound, bound)
    else:
        show_image(feature_map, ax=ax, cmap=IMAGE_CMAP, title=title)
        ax.images[-1].set_clim(0, 1)
    ax.set_xlabel(f"{feature_map.shape[0]}x{feature_map.shape[1]}, values "
                  f"{feature_map.min():.2f} to {feature_map.max():.2f}", fontsize=8)
    return ax


def show_kernel_effect(image, kernel, feature_map, name: str | None = None):
    """Three panels: the image, the kernel with its numbers, the feature map.

    Parameters
    ----------
    image : (H, W) array
    kernel : (kh, kw) array
    feature_map : (H', W') array
        The image convolved with the kernel.
    name : str or None
        The kernel's name, for its title.

    Returns
    -------
    fig : matplotlib Figure with 3 Axes
    """
    kernel = np.asarray(kernel, dtype=float)
    feature_map = np.asarray(feature_map, dtype=float)
    fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.4),
                             gridspec_kw={"width_ratios": [1, 0.8, 1]})
    show_image(image, ax=axes[0], title=f"image {np.shape(image)[0]}x"
                                        f"{np.shape(image)[1]}")
    show_matrix(kernel, ax=axes[1], decimals=2, cmap=VALUE_CMAP,
                title=f"kernel: {name}" if name else "kernel")
    axes[1].set_xlabel(f"sum of weights = {_fmt(round(kernel.sum(), 4), 2)}")
    _show_response(feature_map, kernel, axes[2], title="feature map")
    fig.tight_layout()
    return fig


def show_patch_vs_kernel(image, kernel, row: int, col: int):
    """The patch of `image` at (row, col) beside the kernel, to compare their patterns.

    Panels: the image with the patch outlined; the patch's pixels; the patch minus its
    mean (what a kernel whose weights sum to 0 responds to); the kernel.

    Parameters
    ----------
    image : (H, W) array
    kernel : (kh, kw) array
    row, col : int
        Top-left corner of the patch.

    Returns
    -------
    fig : matplotlib Figure with 4 Axes
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    patch = image[row : row + kh, col : col + kw]
    if patch.shape != kernel.shape:
        raise ValueError(f"the patch at ({row}, {col}) leaves the {image.shape} image")
    fig, axes = plt.subplots(1, 4, figsize=(11, 3.0),
                             gridspec_kw={"width_ratios": [1.4, 1, 1, 1]})
    show_image(image, ax=axes[0], title=f"image, patch at ({row}, {col})")
    highlight_window(axes[0], row, col, kh, kw)
    show_matrix(patch, ax=axes[1], decimals=2, title="the patch")
    show_matrix(patch - patch.mean(), ax=axes[2], decimals=2, title="patch − its mean")
    show_matrix(kernel, ax=axes[3], decimals=2, title="the kernel", cmap=VALUE_CMAP)
    fig.tight_layout()
    return fig


def show_padding_stride(image, kernel_size: int, stride: int = 1, padding=0, ax=None):
    """An image with its zero padding (shaded) and the first two windows of one row.

    The solid window is the first position, the dashed one the next, `stride` cells
    to the right. The title gives the output size ``floor((H + 2p - k) / s) + 1``.

    Parameters
    ----------
    image : (H, W) array
    kernel_size : int
    stride : int >= 1
    padding : int >= 0, "valid" or "same"
    ax : matplotlib Axes or None
    """
    from helpers import layers

    image = np.asarray(image, dtype=float)
    H, W = image.shape
    top, bottom = layers.pad_amounts(H, kernel_size, stride, padding)
    left, right = layers.pad_amounts(W, kernel_size, stride, padding)
    padded = np.pad(image, ((top, bottom), (left, right)))
    out_h = layers.output_size(H, kernel_size, stride, padding)
    out_w = layers.output_size(W, kernel_size, stride, padding)
    ax = _axes(ax, (0.45 * padded.shape[1] + 1, 0.45 * padded.shape[0] + 1.2))
    show_matrix(padded, ax=ax, vmin=0, vmax=max(1.0, float(padded.max())))
    is_pad = np.ones(padded.shape, dtype=bool)
    is_pad[top : top + H, left : left + W] = False
    for (i, j), text in zip(np.ndindex(padded.shape), ax.texts, strict=True):
        if is_pad[i, j]:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=PADDING_COLOR,
                                   edgecolor="#888888", linewidth=0.8))
            text.set_color("#333333")
    highlight_window(ax, 0, 0, kernel_size, kernel_size)
    ax.patches[-1].set(zorder=4, clip_on=False)
    if out_w > 1:
        ax.add_patch(Rectangle(
            (stride - 0.5 + 0.1, -0.5 + 0.1), kernel_size - 0.2, kernel_size - 0.2,
            fill=False, edgecolor="#4363d8", linewidth=3, linestyle="--", zorder=4,
        ))
    name = f"'{padding}'" if isinstance(padding, str) else str(padding)
    ax.set_title(f"padding {name}, stride {stride}\n{H}x{W} → {out_h}x{out_w}")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


# ---- notebooks 06-07: training curves, confusion matrix, items and predictions ----
CORRECT = "#2a9d3f"  # a right prediction
WRONG = "#d62728"  # a wrong one


def plot_history(history, axes=None):
    """Learning curves: loss and accuracy per epoch, training vs validation.

    Parameters
    ----------
    history : keras History or dict
        ``model.fit(...)`` or its ``.history``: lists per epoch under "loss",
        "accuracy" and, with a validation split, "val_loss" and "val_accuracy".
    axes : two matplotlib Axes or None

    Returns
    -------
    axes : the two Axes (loss, accuracy)
    """
    values = getattr(history, "history", history)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    epochs = np.arange(1, len(values["loss"]) + 1)
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        ax.plot(epochs, values[metric], "o-", label="training")
        if f"val_{metric}" in values:
            ax.plot(epochs, values[f"val_{metric}"], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel("cross-entropy loss" if metric == "loss" else "accuracy")
        ax.set_title(f"{metric} per epoch")
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
        ax.legend()
    return axes


def plot_confusion(cm, class_names, ax=None, normalize: bool = True):
    """A confusion matrix: row = true class, column = predicted class.

    Parameters
    ----------
    cm : (K, K) array of counts
        ``cm[i, j]`` = test images of class i predicted as class j.
    class_names : sequence of K str
    normalize : bool
        Show each row as percentages of that class (each row sums to 100); the
        diagonal is then the accuracy per class.
    """
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] != len(class_names):
        raise ValueError(
            f"`cm` must be ({len(class_names)}, {len(class_names)}) for "
            f"{len(class_names)} class names, got shape {cm.shape}"
        )
    values = cm
    if normalize:
        values = 100 * cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    ax = _axes(ax, (7.5, 6.5))
    im = ax.imshow(values, cmap="Blues", vmin=0, vmax=100 if normalize else None)
    threshold = 0.5 * (100 if normalize else values.max())
    for (i, j), value in np.ndenumerate(values):
        if round(value) == 0 and i != j:
            continue  # empty cells stay blank, so the mistakes stand out
        ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=9,
                color="white" if value > threshold else "black")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title("confusion matrix (% of each true class)" if normalize
                 else "confusion matrix (counts)")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax


def _grayscale_stack(images) -> np.ndarray:
    """(N, H, W) or (N, H, W, 1) images as an (N, H, W) array, or a ValueError."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"`images` must be (N, H, W) or (N, H, W, 1), got {images.shape}")
    return images


def show_items(images, labels, class_names, predicted=None, titles=None,
               ncols: int = 8, size: float = 1.5):
    """A grid of grey images with their class names (and predictions, if given).

    Parameters
    ----------
    images : (N, H, W) or (N, H, W, 1) array
    labels : (N,) ints
        True classes, indexes into `class_names`.
    class_names : sequence of str
    predicted : (N,) ints or None
        Predicted classes: titles become "true / predicted", green when right and
        red when wrong.
    titles : sequence of N str or None
        Replace the automatic titles.
    ncols : int

    Returns
    -------
    fig : matplotlib Figure
    """
    images = _grayscale_stack(images)
    n = len(images)
    if len(labels) != n:
        raise ValueError(f"{n} images but {len(labels)} labels")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, (size + 0.45) * nrows), squeeze=False
    )
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k], cmap=IMAGE_CMAP)
        color = "black"
        if titles is not None:
            title = titles[k]
        elif predicted is not None:
            right = predicted[k] == labels[k]
            color = CORRECT if right else WRONG
            title = f"{class_names[labels[k]]}\n→ {class_names[predicted[k]]}"
        else:
            title = class_names[labels[k]]
        ax.set_title(title, fontsize=8, color=color)
    fig.tight_layout()
    return fig


def show_predictions(images, probabilities, labels, class_names, ncols: int = 2):
    """Each image beside a bar chart of the probabilities the model gives each class.

    The predicted class's bar is green when right, red when wrong; the true class is
    named in the image's title.

    Parameters
    ----------
    images : (N, H, W) or (N, H, W, 1) array
    probabilities : (N, K) array
        Softmax outputs, e.g. ``model.predict(x)``.
    labels : (N,) ints
    class_names : sequence of K str
    ncols : int
        Image-and-bars pairs per row.

    Returns
    -------
    fig : matplotlib Figure
    """
    images = _grayscale_stack(images)
    probabilities = np.asarray(probabilities, dtype=float)
    n, k = probabilities.shape
    if len(images) != n or len(labels) != n or len(class_names) != k:
        raise ValueError(
            f"got {len(images)} images, {n} rows of probabilities, "
            f"{len(labels)} labels; "
            f"{k} probabilities per row for {len(class_names)} class names"
        )
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, 2 * ncols, figsize=(5.2 * ncols, 1.9 * nrows), squeeze=False,
        gridspec_kw={"width_ratios": [1, 2.2] * ncols},
    )
    positions = np.arange(k)
    for i in range(nrows * ncols):
        row, col = divmod(i, ncols)
        ax_img, ax_bar = axes[row, 2 * col], axes[row, 2 * col + 1]
        if i >= n:
            ax_img.axis("off")
            ax_bar.axis("off")
            continue
        ax_img.imshow(images[i], cmap=IMAGE_CMAP)
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        ax_img.set_title(f"true: {class_names[labels[i]]}", fontsize=9)
        guess = int(np.argmax(probabilities[i]))
        colors = ["#bbbbbb"] * k
        colors[guess] = CORRECT if guess == labels[i] else WRONG
        ax_bar.barh(positions, probabilities[i], color=colors)
        ax_bar.set_yticks(positions, class_names, fontsize=7)
        ax_bar.invert_yaxis()
        ax_bar.set_xlim(0, 1)
        ax_bar.set_xlabel("probability", fontsize=8)
        ax_bar.tick_params(axis="x", labelsize=7)
        ax_bar.set_title(f"predicted: {class_names[guess]} "
                         f"({probabilities[i, guess]:.0%})", fontsize=9)
    fig.tight_layout()
    return fig
