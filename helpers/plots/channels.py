"""Colour channels: an RGB image as three channels, a (kh, kw, C) kernel drawn as a 3-D
block on the stack of channels, per-channel maps adding up to one feature map, and the
boxes of a conv layer's input, filters and output."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from mpl_toolkits.mplot3d.art3d import Line3DCollection, Poly3DCollection

from helpers import architecture
from helpers.plots.describe import describe, muted, number
from helpers.plots.matrices import show_image
from helpers.plots.style import (
    HIGHLIGHT,
    IMAGE_CMAP,
    VALUE_CMAP,
    WINDOW_COLORS,
    _value_limits,
)

CHANNEL_NAMES = ("red", "green", "blue")
_TINTS = np.array([[1.0, 0.0, 0.0], [0.0, 0.75, 0.0], [0.0, 0.25, 1.0]])


def _rgb_image(image, name="image"):
    from helpers.validation import as_array

    image = as_array(image, name, (3,))
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"`{name}` must be an (H, W, 3) RGB image, got shape {image.shape}")
    return image


def show_rgb_channels(image, size: float = 2.4):
    """The colour image and each of its three channels as a gray image.

    Parameters
    ----------
    image : (H, W, 3) array, values in [0, 1]
    size : float
        Inches per panel.

    Returns
    -------
    fig : matplotlib Figure with 4 Axes
    """
    image = _rgb_image(image)
    fig, axes = plt.subplots(1, 4, figsize=(4 * size, 1.2 * size))
    axes[0].imshow(np.clip(image, 0, 1))
    axes[0].set_title(f"colour image {image.shape}")
    axes[0].axis("off")
    with muted():
        for c, name in enumerate(CHANNEL_NAMES):
            show_image(image[:, :, c], ax=axes[c + 1], title=f"channel {c}: {name}",
                       cmap=IMAGE_CMAP)
            axes[c + 1].images[-1].set_clim(0, 1)
    fig.tight_layout()
    means = ", ".join(f"{name} {number(image[:, :, c].mean())}"
                      for c, name in enumerate(CHANNEL_NAMES))
    describe(fig, f"A colour image of {image.shape[0]}x{image.shape[1]} pixels and its "
             "three channels, red, green and blue, each a gray image from 0 (black) to 1 "
             f"(white); their mean values: {means}")
    return fig


def show_channel_sum(per_channel, titles, size: float = 2.6):
    """Per-channel feature maps, ``+`` between them and ``=`` their sum.

    Parameters
    ----------
    per_channel : sequence of C (H', W') arrays
        Channel c of the image convolved with slice c of the kernel.
    titles : sequence of C str
    size : float
        Inches per panel.

    Returns
    -------
    fig : matplotlib Figure with C + 1 Axes, all on one colour scale centred on 0
    """
    from helpers.validation import as_array, names_arg, sequence_arg

    maps = [as_array(m, f"per_channel[{k}]", (2,)) for k, m in
            enumerate(sequence_arg(per_channel, "per_channel", "(H', W') arrays"))]
    if not maps:
        raise ValueError("`per_channel` is empty: expected one (H', W') map per channel")
    titles = names_arg(titles, "titles", length=len(maps))
    if not maps or any(m.ndim != 2 or m.shape != maps[0].shape for m in maps):
        raise ValueError("`per_channel` must hold 2-D maps of one shape, got shapes "
                         f"{[m.shape for m in maps]}")
    if len(titles) != len(maps):
        raise ValueError(f"`titles` has {len(titles)} entries for {len(maps)} maps")
    total = np.sum(maps, axis=0)
    vmin, vmax = _value_limits(np.concatenate([np.ravel(m) for m in maps + [total]]))
    fig, axes = plt.subplots(1, len(maps) + 1, figsize=(size * (len(maps) + 1), size))
    for k, (ax, m) in enumerate(zip(axes, maps + [total], strict=True)):
        image = ax.imshow(m, cmap=VALUE_CMAP, vmin=vmin, vmax=vmax)
        ax.set_title(titles[k] if k < len(maps) else "sum: the feature map")
        ax.set_xticks([])
        ax.set_yticks([])
        if k:
            ax.text(-0.1, 0.5, "=" if k == len(maps) else "+", transform=ax.transAxes,
                    ha="center", va="center", fontsize=22)
    fig.tight_layout(w_pad=2.2)
    fig.colorbar(image, ax=list(axes), shrink=0.8, pad=0.02, label="response")
    sizes = ", ".join(f"{title} {number(np.abs(m).mean())}"
                      for title, m in zip(titles, maps, strict=True))
    describe(fig, f"{len(maps)} per-channel feature maps of {total.shape[0]}x"
             f"{total.shape[1]} added up to one feature map, all on one scale from "
             f"{number(vmin)} to {number(vmax)}. Mean |value|: {sizes}; the sum "
             f"{number(np.abs(total).mean())}")
    return fig


# ------------------------------------------------------------------ 3-D drawings
def _squares(colors, x0, y0, z):
    """One flat unit square per pixel of an (H, W, 4) colour array, at height z.

    Row 0 is at the back (largest y), as when the image lies on a table."""
    H, W = colors.shape[:2]
    quads, faces = [], []
    for i in range(H):
        for j in range(W):
            x, y = x0 + j, y0 + (H - 1 - i)
            quads.append([(x, y, z), (x + 1, y, z), (x + 1, y + 1, z), (x, y + 1, z)])
            faces.append(colors[i, j])
    return Poly3DCollection(quads, facecolors=faces, edgecolors=(0.35, 0.35, 0.35, 0.6),
                            linewidths=0.3)


def _box_edges(x, y, z, dx, dy, dz):
    """The 12 edges of the box [x, x+dx] x [y, y+dy] x [z, z+dz]."""
    corners = np.array([[x + a * dx, y + b * dy, z + c * dz]
                        for a in (0, 1) for b in (0, 1) for c in (0, 1)])
    pairs = [(i, j) for i in range(8) for j in range(i + 1, 8)
             if bin(i ^ j).count("1") == 1]
    return [(corners[i], corners[j]) for i, j in pairs]


def _box_faces(x, y, z, dx, dy, dz):
    """The 6 faces of the same box, as polygons."""
    X, Y, Z = x + dx, y + dy, z + dz
    return [
        [(x, y, z), (X, y, z), (X, Y, z), (x, Y, z)],
        [(x, y, Z), (X, y, Z), (X, Y, Z), (x, Y, Z)],
        [(x, y, z), (X, y, z), (X, y, Z), (x, y, Z)],
        [(x, Y, z), (X, Y, z), (X, Y, Z), (x, Y, Z)],
        [(x, y, z), (x, Y, z), (x, Y, Z), (x, y, Z)],
        [(X, y, z), (X, Y, z), (X, Y, Z), (X, y, Z)],
    ]


def show_kernel_block(image, kernel, row: int = 0, col: int = 0, ax=None):
    """A (kh, kw, C) kernel drawn as a 3-D block on the stack of an image's channels.

    The C channels are drawn as separate layers, one above the other (an "exploded"
    view of the (H, W, C) array; RGB channels are tinted red, green and blue). The
    kernel is the orange block at window (row, col): it covers a kh x kw window of
    *every* channel at once. To the right, the (H', W') feature map of
    ``conv2d(image, kernel)`` (stride 1, no padding), whose cell (row, col) the block's
    kh * kw * C products add up to.

    Parameters
    ----------
    image : (H, W, C) array, values in [0, 1]; H, W <= 16, C <= 4
    kernel : (kh, kw, C) array
    row, col : int
        Top-left corner of the window, ``0 <= row <= H - kh``, ``0 <= col <= W - kw``.
    ax : a 3-D matplotlib Axes or None

    Returns
    -------
    ax : the 3-D Axes
    """
    from helpers import layers
    from helpers.validation import as_array, int_arg

    image = as_array(image, "image", (3,))
    kernel = as_array(kernel, "kernel", (3,))
    row, col = int_arg(row, "row"), int_arg(col, "col")
    if image.ndim != 3 or kernel.ndim != 3 or kernel.shape[2] != image.shape[2]:
        raise ValueError(f"`image` must be (H, W, C) and `kernel` (kh, kw, C) with the "
                         f"same C, got shapes {image.shape} and {kernel.shape}")
    H, W, C = image.shape
    if H > 16 or W > 16 or C > 4:
        raise ValueError(f"`image` must be at most 16x16 with at most 4 channels to be "
                         f"drawn in 3-D, got shape {image.shape}: shrink it first")
    kh, kw, _ = kernel.shape
    feature_map = layers.conv2d(image, kernel)
    out_h, out_w = feature_map.shape
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(f"(row, col) must be within 0..{out_h - 1} and 0..{out_w - 1} "
                         f"for this {image.shape} image and {kernel.shape} kernel, "
                         f"got ({row}, {col})")
    if ax is None:
        fig = plt.figure(figsize=(10, 6.5))
        ax = fig.add_subplot(projection="3d", computed_zorder=False)
    gap = 0.55 * H  # vertical distance between two channel layers
    tints = _TINTS if C == 3 else np.ones((C, 3))
    layer_z = [(C - 1 - c) * gap for c in range(C)]  # channel 0 on top
    window_y = H - row - kh  # the block's front edge (row 0 is at the back)
    for c in range(C):
        values = np.clip(image[:, :, c], 0, 1)[:, :, None]
        colors = np.ones((H, W, 4))  # dark at 0, the channel's colour at 1
        colors[:, :, :3] = values * (0.25 + 0.75 * tints[c]) + (1 - values) * 0.05
        ax.add_collection3d(_squares(colors, 0, 0, layer_z[c]))
        name = CHANNEL_NAMES[c] if C == 3 else f"channel {c}"
        ax.text(-1.0, 0, layer_z[c], name, ha="right", va="center", fontsize=11,
                color=tints[c] * 0.8 if C == 3 else "black", zorder=10)
        window = _box_edges(col, window_y, layer_z[c], kw, kh, 0)
        ax.add_collection3d(Line3DCollection(window, colors=HIGHLIGHT, linewidths=2.5))
    bottom, top = -0.4, layer_z[0] + 0.4
    block = Poly3DCollection(_box_faces(col, window_y, bottom, kw, kh, top - bottom),
                             facecolors=(0.96, 0.65, 0.14, 0.13), edgecolors="none")
    ax.add_collection3d(block)
    ax.add_collection3d(Line3DCollection(
        _box_edges(col, window_y, bottom, kw, kh, top - bottom),
        colors=HIGHLIGHT, linewidths=2.0))
    # The feature map, to the right, at the height of the middle layer.
    x0, z_map = W + 0.45 * W + 2, layer_z[C // 2] if C > 1 else 0.0
    y0 = (H - out_h) / 2
    vmin, vmax = _value_limits(feature_map)
    cmap = plt.get_cmap(VALUE_CMAP)
    colors = cmap((feature_map - vmin) / (vmax - vmin))
    ax.add_collection3d(_squares(colors, x0, y0, z_map))
    cell_x, cell_y = x0 + col, y0 + (out_h - 1 - row)
    ax.add_collection3d(Line3DCollection(_box_edges(cell_x, cell_y, z_map, 1, 1, 0),
                                         colors=HIGHLIGHT, linewidths=3.0))
    lines = [((col + a * kw, window_y + b * kh, top), (cell_x + a, cell_y + b, z_map))
             for a in (0, 1) for b in (0, 1)]
    ax.add_collection3d(Line3DCollection(lines, colors=HIGHLIGHT, linewidths=1.0,
                                         linestyles="--"))
    ax.text(x0 + out_w / 2, y0 + out_h + 1, z_map + 1.5,
            f"feature map {out_h}x{out_w}", ha="center", fontsize=11)
    ax.text(col + kw / 2, window_y + kh + 1, top + 0.3 * gap,
            f"kernel {kh}x{kw}x{C}", ha="center", fontsize=11, color="#b36b00")
    ax.set_xlim(-1, x0 + out_w + 1)
    ax.set_ylim(-1, H + 1)
    ax.set_zlim(-1, layer_z[0] + 1)
    ax.set_box_aspect((x0 + out_w + 2, H + 2, layer_z[0] + 2), zoom=1.15)
    ax.view_init(elev=28, azim=-62)
    ax.set_axis_off()
    ax.set_title(f"image {H}x{W}x{C}: the kernel block covers a {kh}x{kw} window of "
                 f"all {C} channels;\nits {kh * kw * C} products add up to one number "
                 f"of the feature map, at ({row}, {col})")
    names = ", ".join(CHANNEL_NAMES) if C == 3 else f"channels 0 to {C - 1}"
    describe(ax, f"The {H}x{W}x{C} image as {C} layers, one per channel ({names}), and a "
             f"{kh}x{kw}x{C} kernel as a block over the window at row {row}, column {col} "
             f"of every layer: its {kh * kw * C} products add up to "
             f"{number(feature_map[row, col])}, the number at ({row}, {col}) of the "
             f"{out_h}x{out_w} feature map beside it")
    return ax


_FILTER_COLORS = WINDOW_COLORS[:8]


def _draw_box(ax, x, y, z, dx, dy, dz, color, alpha=0.35, edge="#333333"):
    ax.add_collection3d(Poly3DCollection(_box_faces(x, y, z, dx, dy, dz),
                                         facecolors=color, alpha=alpha, edgecolors="none"))
    ax.add_collection3d(Line3DCollection(_box_edges(x, y, z, dx, dy, dz), colors=edge,
                                         linewidths=1.0))


def show_conv_volumes(input_shape, kernel_size, filters: int, stride: int = 1,
                      padding="valid", ax=None):
    """A conv layer as boxes: the (H, W, C) input, its F kernel blocks (kh, kw, C) and
    the (H', W', F) output, with one colour per filter and its layer of the output.

    At most 8 kernel blocks are drawn (with more, the layers of the output that
    belong to the others are gray). The title gives the output shape and the parameter count
    ``kh * kw * C * F + F``.

    Parameters
    ----------
    input_shape : (H, W, C) tuple of int
    kernel_size : int or (kh, kw)
    filters : int
        F, the number of kernels.
    stride : int
    padding : "valid", "same" or int
    ax : a 3-D matplotlib Axes or None

    Returns
    -------
    ax : the 3-D Axes
    """
    from helpers import layers
    from helpers.validation import positive_int, sequence_arg

    input_shape = sequence_arg(input_shape, "input_shape", "3 ints (H, W, C)")
    if not isinstance(kernel_size, int | np.integer) and not (
            isinstance(kernel_size, tuple | list) and len(kernel_size) == 2
            and all(isinstance(k, int | np.integer) for k in kernel_size)):
        raise ValueError(f"`kernel_size` must be an int or (kh, kw), got {kernel_size!r}")
    if len(tuple(input_shape)) != 3:
        raise ValueError(f"`input_shape` must be (H, W, C), got {input_shape!r}")
    H, W, C = (positive_int(n, "input_shape") for n in input_shape)
    kh, kw = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else kernel_size
    kh, kw = positive_int(kh, "kernel_size"), positive_int(kw, "kernel_size")
    F = positive_int(filters, "filters")
    out_h = layers.output_size(H, kh, stride, padding)
    out_w = layers.output_size(W, kw, stride, padding)
    if ax is None:
        fig = plt.figure(figsize=(11, 4.0))
        ax = fig.add_subplot(projection="3d", computed_zorder=False)
    unit = min(1.0, 0.8 * max(H, W) / max(C, F))  # height of one channel
    _draw_box(ax, 0, 0, 0, W, H, C * unit, "#bbbbbb")
    ax.text(W / 2, -2, 0, f"input {H}x{W}x{C}", ha="center", va="top", fontsize=11)
    shown = min(F, len(_FILTER_COLORS))
    x_k = W + 3
    for f in range(shown):
        color = _FILTER_COLORS[f % len(_FILTER_COLORS)]
        _draw_box(ax, x_k + f * (kw + 1.5), H / 2 - kh / 2, 0, kw, kh, C * unit, color,
                  alpha=0.6)
    label = f"{F} kernels, each {kh}x{kw}x{C}" + (f" ({shown} drawn)" if F > shown else "")
    ax.text(x_k + shown * (kw + 1.5) / 2, H / 2 + kh / 2, C * unit + 2, label,
            ha="center", va="bottom", fontsize=11)
    x_out = x_k + shown * (kw + 1.5) + 2
    y_out = (H - out_h) / 2
    for f in reversed(range(F)):  # map 0 on top, like channel 0 of the input
        color = _FILTER_COLORS[f] if f < shown else "#bbbbbb"
        _draw_box(ax, x_out, y_out, (F - 1 - f) * unit, out_w, out_h, unit, color,
                  alpha=0.6, edge="#555555" if F <= 16 else "#999999")
    ax.text(x_out + out_w / 2, y_out - 2, 0, f"output {out_h}x{out_w}x{F}",
            ha="center", va="top", fontsize=11)
    right, depth = x_out + out_w, max(C, F) * unit
    ax.set_xlim(0, right)
    ax.set_ylim(0, H)
    ax.set_zlim(0, depth)
    ax.set_box_aspect((right, H, depth), zoom=1.0)
    ax.set_proj_type("ortho")
    ax.view_init(elev=22, azim=-70)
    ax.set_axis_off()
    params = architecture.conv_params(kh, kw, C, F)
    ax.set_title(f"Conv2D({F}, ({kh}, {kw}), strides={stride}, padding={padding!r}): "
                 f"({H}, {W}, {C}) → ({out_h}, {out_w}, {F})\nparameters: "
                 f"{kh}·{kw}·{C}·{F} weights + {F} biases = {params}")
    drawn = f" ({shown} drawn)" if F > shown else ""
    describe(ax, f"A conv layer as boxes: the {H}x{W}x{C} input, {F} kernels of "
             f"{kh}x{kw}x{C}{drawn}, and the {out_h}x{out_w}x{F} output, one layer per "
             f"kernel. Conv2D({F}, ({kh}, {kw}), strides={stride}, padding={padding!r}) "
             f"has {kh}·{kw}·{C}·{F} weights + {F} biases = {params} parameters")
    return ax
