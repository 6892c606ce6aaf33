"""Convolution step by step, kernels beside their feature maps, padding and stride."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from helpers.plots.describe import (
    describe,
    map_words,
    matrix_words,
    muted,
    number,
    plural,
    rows,
)
from helpers.plots.matrices import highlight_window, show_image, show_matrix
from helpers.plots.style import (
    BLUE,
    IMAGE_CMAP,
    PADDING_COLOR,
    VALUE_CMAP,
    _axes,
    _fmt,
    _map_limits,
    _write_numbers,
)


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
    from helpers.validation import as_array, int_arg

    image = as_array(image, "image", (2,))
    kernel = as_array(kernel, "kernel", (2,))
    row, col = int_arg(row, "row"), int_arg(col, "col")
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
    filled = np.arange(out_h * out_w).reshape(out_h, out_w) <= row * out_w + col
    with muted():
        show_matrix(image, ax=ax_img, title=f"window at ({row}, {col})")
        highlight_window(ax_img, row, col, kh, kw)
        if with_kernel:
            show_matrix(kernel, ax=axes[1], title="kernel")
        show_matrix(product, ax=ax_prod, title="window × kernel")
        ax_prod.set_xlabel(f"sum = {_fmt(product.sum(), 2)}", fontsize=12)
        cmap, vmin, vmax = _map_limits(feature_map)
        show_matrix(np.where(filled, feature_map, np.nan), ax=ax_map, title="feature map",
                    cmap=cmap, vmin=vmin, vmax=vmax, numbers=False)
        _write_numbers(ax_map, feature_map, filled)
        highlight_window(ax_map, row, col, 1, 1)
    window = image[row : row + kh, col : col + kw]
    done = ", ".join(number(v) for v in feature_map[filled])
    describe(ax_img, f"The {kh}x{kw} window at row {row}, column {col} of the "
             f"{image.shape[0]}x{image.shape[1]} image, row by row: {rows(window)}"
             + (f"; the kernel: {rows(kernel)}" if with_kernel else "")
             + f"; window times kernel: {rows(product)}; their sum, "
             f"{number(product.sum())}, is cell ({row}, {col}) of the {out_h}x{out_w} "
             f"feature map, filled so far in reading order: {done}")
    return axes


MAX_STEPS_SIDE = 8
"""`show_conv_steps` draws every position: at most an 8x8 image (36 rows of panels for
a 3x3 kernel); a 28x28 item would need 2,028 Axes and minutes."""


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
    from helpers.validation import as_array, small_enough

    image = as_array(image, "image", (2,))
    small_enough(image.shape, "image", MAX_STEPS_SIDE,
                 "use the widget for images larger than "
                 f"{MAX_STEPS_SIDE}x{MAX_STEPS_SIDE}: widgets.conv_stepper(image, kernel)")
    out_h, out_w = layers.conv2d(image, kernel).shape
    n = out_h * out_w
    fig, axes = plt.subplots(n, 3, figsize=(7.2, 2.25 * n + 0.4), squeeze=False)
    with muted():
        for k, (i, j) in enumerate(np.ndindex(out_h, out_w)):
            show_conv_step(image, kernel, i, j, axes=axes[k])
            axes[k][0].set_ylabel(f"step {k + 1}", fontsize=12, fontweight="bold")
    # Fixed margins: tight_layout over this many Axes costs about a second.
    height = fig.get_figheight()
    fig.suptitle(f"Sliding the {np.shape(kernel)[0]}x{np.shape(kernel)[1]} kernel: "
                 f"{n} positions, {n} numbers", fontsize=13, y=1 - 0.12 / height)
    fig.subplots_adjust(left=0.08, right=0.98, top=1 - 0.8 / height,
                        bottom=0.45 / height, hspace=0.55, wspace=0.35)
    feature_map = layers.conv2d(image, kernel)
    kh, kw = np.shape(kernel)
    describe(fig, f"The {kh}x{kw} kernel slides over the {image.shape[0]}x"
             f"{image.shape[1]} image in {n} steps, left to right and top to bottom; at "
             "each step the window is multiplied by the kernel, cell by cell, and the "
             "products are added. The sums, step by step: "
             f"{', '.join(number(v) for v in feature_map.ravel())}: the {out_h}x{out_w} "
             f"feature map, row by row: {rows(feature_map)}")
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
    from helpers.validation import (
        as_array,
        int_arg,
        names_arg,
        positive_number,
        sequence_arg,
    )

    kernels = [as_array(k, f"kernels[{i}]", (2,)) for i, k in
               enumerate(sequence_arg(kernels, "kernels", "(kh, kw) arrays"))]
    feature_maps = [as_array(m, f"feature_maps[{i}]", (2,)) for i, m in
                    enumerate(sequence_arg(feature_maps, "feature_maps",
                                           "(H', W') arrays"))]
    if not kernels:
        raise ValueError("`kernels` is empty: expected at least one (kh, kw) kernel")
    ncols = int_arg(ncols, "ncols", minimum=1)
    size = positive_number(size, "size")
    if names is not None:
        names = names_arg(names, "names")
    if len(kernels) > 64:
        raise ValueError(f"`kernels` holds {len(kernels)} kernels: at most 64 "
                         "kernel/map pairs fit in one figure; pass a slice")
    if len(kernels) != len(feature_maps):
        raise ValueError(f"`kernels` holds {len(kernels)} kernels but `feature_maps` "
                         f"{len(feature_maps)} maps: expected one feature map per kernel")
    if names is not None and len(names) != len(kernels):
        raise ValueError(f"`names` has {len(names)} entries for {len(kernels)} kernels")
    ncols = max(1, min(ncols, len(kernels)))
    groups = -(-len(kernels) // ncols)
    fig, axes = plt.subplots(
        2 * groups, ncols, figsize=(size * ncols, 1.75 * size * groups),
        gridspec_kw={"height_ratios": [0.75, 1] * groups}, squeeze=False,
    )
    with muted():
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
    names = names or [f"kernel {k}" for k in range(len(kernels))]
    describe(fig, f"{len(kernels)} kernels, each above the feature map it gives: " + "; ".join(
        f"{name} (weights sum to {number(round(k.sum(), 4))}): map {m.shape[0]}x"
        f"{m.shape[1]}, values {number(m.min())} to {number(m.max())}"
        for name, k, m in zip(names, kernels, feature_maps, strict=True)))
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
    from helpers.validation import as_array

    image = as_array(image, "image", (2,))
    kernel = as_array(kernel, "kernel", (2,))
    feature_map = as_array(feature_map, "feature_map", (2,))
    fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.4),
                             gridspec_kw={"width_ratios": [1, 0.8, 1]})
    with muted():
        show_image(image, ax=axes[0], title=f"image {np.shape(image)[0]}x"
                                            f"{np.shape(image)[1]}")
        show_matrix(kernel, ax=axes[1], decimals=2, cmap=VALUE_CMAP,
                    title=f"kernel: {name}" if name else "kernel")
        axes[1].set_xlabel(f"sum of weights = {_fmt(round(kernel.sum(), 4), 2)}")
        _show_response(feature_map, kernel, axes[2], title="feature map")
    fig.tight_layout()
    describe(fig, f"Left: {map_words(image, 'the image')}. Middle: "
             f"{matrix_words(kernel, f'the kernel {name}' if name else 'the kernel')}, "
             f"weights summing to {number(round(kernel.sum(), 4))}. Right: "
             f"{map_words(feature_map, 'the feature map')}")
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
    from helpers.validation import as_array, int_arg

    image = as_array(image, "image", (2,))
    kernel = as_array(kernel, "kernel", (2,))
    row, col = int_arg(row, "row"), int_arg(col, "col")  # no negative windows
    kh, kw = kernel.shape
    patch = image[row : row + kh, col : col + kw]
    if patch.shape != kernel.shape:
        raise ValueError(f"the patch at ({row}, {col}) leaves the {image.shape} image")
    fig, axes = plt.subplots(1, 4, figsize=(11, 3.0),
                             gridspec_kw={"width_ratios": [1.4, 1, 1, 1]})
    with muted():
        show_image(image, ax=axes[0], title=f"image, patch at ({row}, {col})")
        highlight_window(axes[0], row, col, kh, kw)
        show_matrix(patch, ax=axes[1], decimals=2, title="the patch")
        show_matrix(patch - patch.mean(), ax=axes[2], decimals=2, title="patch − its mean")
        show_matrix(kernel, ax=axes[3], decimals=2, title="the kernel", cmap=VALUE_CMAP)
    fig.tight_layout()
    describe(fig, f"The {kh}x{kw} patch at row {row}, column {col} of the "
             f"{image.shape[0]}x{image.shape[1]} image, outlined; its pixels, row by row: "
             f"{rows(patch)}; minus their mean: {rows(patch - patch.mean())}; the kernel: "
             f"{rows(kernel)}")
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
    from helpers.validation import as_array, small_enough

    image = as_array(image, "image", (2,))
    small_enough(image.shape, "image", 30, "show a corner, e.g. image[:8, :8]")
    H, W = image.shape
    top, bottom = layers.pad_amounts(H, kernel_size, stride, padding)
    left, right = layers.pad_amounts(W, kernel_size, stride, padding)
    padded = np.pad(image, ((top, bottom), (left, right)))
    out_h = layers.output_size(H, kernel_size, stride, padding)
    out_w = layers.output_size(W, kernel_size, stride, padding)
    ax = _axes(ax, (0.45 * padded.shape[1] + 1, 0.45 * padded.shape[0] + 1.2))
    with muted():
        show_matrix(padded, ax=ax, vmin=0, vmax=max(1.0, float(padded.max())))
    is_pad = np.ones(padded.shape, dtype=bool)
    is_pad[top : top + H, left : left + W] = False
    for (i, j), text in zip(np.ndindex(padded.shape), ax.texts, strict=True):
        if is_pad[i, j]:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=PADDING_COLOR,
                                   edgecolor="#888888", linewidth=0.8))
            text.set_color("#333333")
    with muted():
        highlight_window(ax, 0, 0, kernel_size, kernel_size)
    ax.patches[-1].set(zorder=4, clip_on=False)
    if out_w > 1:
        ax.add_patch(Rectangle(
            (stride - 0.5 + 0.1, -0.5 + 0.1), kernel_size - 0.2, kernel_size - 0.2,
            fill=False, edgecolor=BLUE, linewidth=3, linestyle="--", zorder=4,
        ))
    name = f"'{padding}'" if isinstance(padding, str) else str(padding)
    ax.set_title(f"padding {name}, stride {stride}\n{H}x{W} → {out_h}x{out_w}")
    ax.set_xticks([])
    ax.set_yticks([])
    nxt = f", the next one {stride} column{'s' * (stride > 1)} to the right" * (out_w > 1)
    describe(ax, f"Padding {name}, stride {stride}: the {H}x{W} image with "
             f"{plural(top, 'row')} of zeros above, {bottom} below, "
             f"{plural(left, 'column')} left and {right} right, row by row: "
             f"{rows(padded)}. The first {kernel_size}x{kernel_size} window is at "
             f"the top-left corner{nxt}; the output is {out_h}x{out_w}")
    return ax


def _size_formula(n: int, kernel_size: int, stride: int, padding, before: int,
                  after: int) -> str:
    """The output-size formula along one axis, with this call's numbers filled in."""
    from helpers import layers

    out = layers.output_size(n, kernel_size, stride, padding)
    if padding == "same":
        return (f"⌈{n} / {stride}⌉ = {out}   (zeros added: {before} before, "
                f"{after} after)")
    p = 0 if padding == "valid" else padding
    return f"⌊({n} + 2·{p} − {kernel_size}) / {stride}⌋ + 1 = {out}"


def show_output_size(image, kernel_size: int, stride: int = 1, padding=0,
                     position=(0, 0), axes=None):
    """Where the window is for one output cell, and why the output has its size.

    Left: the image with its zero padding (shaded) and the window of output cell
    `position`; right: the output grid with that cell outlined. The title is the
    output-size formula with the numbers of this call filled in, for rows and columns.

    Parameters
    ----------
    image : (H, W) array
    kernel_size : int >= 1
    stride : int >= 1
    padding : int >= 0, "valid" or "same"
    position : (row, col)
        The output cell, ``0 <= row < H'``, ``0 <= col < W'``.
    axes : two Axes or None

    Returns
    -------
    the two Axes
    """
    from helpers import layers
    from helpers.validation import as_array, int_arg, small_enough

    image = as_array(image, "image", (2,))
    small_enough(image.shape, "image", 16, "show a corner, e.g. image[:8, :8]")
    H, W = image.shape
    top, bottom = layers.pad_amounts(H, kernel_size, stride, padding)
    left, right = layers.pad_amounts(W, kernel_size, stride, padding)
    out_h = layers.output_size(H, kernel_size, stride, padding)
    out_w = layers.output_size(W, kernel_size, stride, padding)
    row = int_arg(position[0], "position[0]", 0, out_h - 1)
    col = int_arg(position[1], "position[1]", 0, out_w - 1)
    padded = np.pad(image, ((top, bottom), (left, right)))
    if axes is None:
        width = 0.45 * (padded.shape[1] + out_w) + 2.5
        _, axes = plt.subplots(1, 2, figsize=(width, 0.45 * padded.shape[0] + 2.2),
                               gridspec_kw={"width_ratios": [padded.shape[1], out_w]},
                               layout="constrained")
    with muted():
        show_matrix(padded, ax=axes[0], vmin=0, vmax=max(1.0, float(padded.max())),
                    title=f"input {H}x{W} with padding")
    for i, j in np.ndindex(padded.shape):
        if not (top <= i < top + H and left <= j < left + W):
            axes[0].add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1,
                                        facecolor=PADDING_COLOR, edgecolor="#888888",
                                        linewidth=0.8, zorder=2.5))
    with muted():
        highlight_window(axes[0], row * stride, col * stride, kernel_size, kernel_size)
    axes[0].patches[-1].set(zorder=4, clip_on=False)  # above the padding's shading
    visited = np.zeros((out_h, out_w))
    visited.flat[: row * out_w + col + 1] = 1
    axes[1].imshow(visited, cmap="Greys", vmin=0, vmax=4)
    axes[1].set_xticks(np.arange(out_w + 1) - 0.5, minor=True)
    axes[1].set_yticks(np.arange(out_h + 1) - 0.5, minor=True)
    axes[1].grid(which="minor", color="#888888", linewidth=0.8)
    axes[1].tick_params(which="minor", length=0)
    with muted():
        highlight_window(axes[1], row, col, 1, 1)
    axes[1].set_title(f"output {out_h}x{out_w}\ncell ({row}, {col})")
    axes[1].set_xlabel("grey: this cell\nand those before it")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    name = f"'{padding}'" if isinstance(padding, str) else str(padding)
    rows_formula = _size_formula(H, kernel_size, stride, padding, top, bottom)
    cols_formula = _size_formula(W, kernel_size, stride, padding, left, right)
    axes[0].figure.suptitle(
        f"kernel {kernel_size}, stride {stride}, padding {name}\n"
        f"rows: H' = {rows_formula}\ncolumns: W' = {cols_formula}", fontsize=10)
    r0, c0, last = row * stride, col * stride, kernel_size - 1
    describe(axes[0], f"Kernel {kernel_size}, stride {stride}, padding {name}: the "
             f"{H}x{W} input with zeros added ({plural(top, 'row')} above, {bottom} "
             f"below, {plural(left, 'column')} left, {right} right) gives a "
             f"{out_h}x{out_w} output. The window of output cell ({row}, {col}) "
             f"covers rows {r0}..{r0 + last} and columns {c0}..{c0 + last} of the "
             f"padded input. Rows: H' = {rows_formula}; columns: W' = {cols_formula}")
    return axes
