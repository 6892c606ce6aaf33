"""Learning a kernel (notebook 08): loss curves, kernel snapshots, learning rates compared.

The numbers come from `helpers.kernel_descent` (or the notebook's own loop); these functions
only draw them. Losses are drawn on a log scale, because gradient descent on a
quadratic loss shrinks the loss by about the same factor every step.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from helpers.plots.describe import describe, muted, number, rows
from helpers.plots.matrices import show_image, show_matrix
from helpers.plots.style import (
    LINE_STYLES,
    VALUE_CMAP,
    WINDOW_COLORS,
    _axes,
    _value_limits,
)


def _losses(losses, name="losses"):
    from helpers.validation import as_array

    losses = as_array(losses, name, (0, 1, 2), allow_nan=True)  # NaN: a diverged run
    if losses.ndim != 1 or losses.size < 2:
        raise ValueError(
            f"`{name}` must be a 1-D sequence of at least 2 losses (one per step), "
            f"got shape {losses.shape}"
        )
    return losses


def plot_loss_curve(losses, ax=None, label: str | None = None,
                    title: str = "loss during gradient descent"):
    """The loss after each step, on a log scale.

    Parameters
    ----------
    losses : (steps + 1,) array
        ``losses[0]`` is the loss of the starting kernel. Entries that overflowed
        (``inf``/``nan``, a diverging run) are left out and the curve ends at the
        last finite value.
    ax : matplotlib Axes or None
    label : str or None
        Legend entry.
    """
    losses = _losses(losses)
    ax = _axes(ax, size=(5, 3.2))
    finite = np.isfinite(losses) & (losses > 0)
    steps = np.arange(losses.size)
    k = len(ax.get_lines())  # the k-th curve on these axes: its own colour and style
    ax.plot(steps[finite], losses[finite], label=label, linewidth=2,
            color=WINDOW_COLORS[k % len(WINDOW_COLORS)],
            linestyle=LINE_STYLES[k % len(LINE_STYLES)])
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (mean squared error)")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    if label:
        ax.legend()
    last = int(steps[finite][-1]) if finite.any() else 0
    describe(ax, f"{label or title}, over {losses.size - 1} steps: from "
             f"{_loss(losses[0])} at step 0 to "
             f"{_loss(losses[last])} at step {last}"
             + (" (then it overflows)" if last < losses.size - 1 else ""))
    return ax


def _loss(value) -> str:
    """A loss as the log-scale axis shows it: 2 significant digits."""
    return f"{value:.2g}" if np.isfinite(value) else "overflow"


def show_kernel_snapshots(kernels, steps, hidden=None, decimals: int = 2):
    """Kernels at a few steps of gradient descent, then the hidden kernel.

    Every panel shares one diverging colour scale centred on 0 (`VALUE_CMAP`), so a
    colour means the same weight everywhere; one colour bar on the right.

    Parameters
    ----------
    kernels : (steps + 1, kh, kw) array
        The kernel before the first step and after each step.
    steps : sequence of int
        Which steps to draw, each in ``0 .. len(kernels) - 1``.
    hidden : (kh, kw) array or None
        The kernel to recover, drawn last.

    Returns
    -------
    fig : matplotlib Figure
    """
    from helpers.validation import as_array, int_arg, sequence_arg

    kernels = as_array(kernels, "kernels", (3,), allow_nan=True)
    if kernels.ndim != 3:
        raise ValueError(f"`kernels` must be (steps + 1, kh, kw), got shape "
                         f"{kernels.shape}")
    steps = [int_arg(s, "steps", 0, len(kernels) - 1)
             for s in sequence_arg(steps, "steps", "step numbers (ints)")]
    if not steps or any(not 0 <= s < len(kernels) for s in steps):
        raise ValueError(f"`steps` must be a non-empty list of steps in "
                         f"0..{len(kernels) - 1}, got {steps}")
    if len(steps) > 24:
        raise ValueError(f"`steps` lists {len(steps)} steps: at most 24 panels fit in "
                         "one row; pick a few, e.g. steps[::10]")
    panels = [(kernels[s], f"step {s}") for s in steps]
    if hidden is not None:
        panels.append((np.asarray(hidden, dtype=float), "hidden kernel"))
    vmin, vmax = _value_limits(np.stack([p for p, _ in panels]))
    fig, axes = plt.subplots(1, len(panels), figsize=(2.5 * len(panels) + 1, 2.7))
    axes = np.atleast_1d(axes)
    with muted():
        for ax, (matrix, title) in zip(axes, panels, strict=True):
            show_matrix(matrix, ax=ax, title=title, cmap=VALUE_CMAP, decimals=decimals,
                        vmin=vmin, vmax=vmax)
    fig.colorbar(axes[-1].images[-1], ax=list(axes), shrink=0.8, label="weight")
    describe(fig, "The kernel during gradient descent, on one scale: " + "; ".join(
        f"{title}: {rows(matrix, decimals)}" for matrix, title in panels))
    return fig


def plot_learning_rates(runs: dict, ax=None, limit: float | None = None):
    """Loss curves of several learning rates on one log-scale axis.

    Parameters
    ----------
    runs : dict
        ``{learning_rate: losses}``, each losses a (steps + 1,) array.
    ax : matplotlib Axes or None
    limit : float or None
        If given, draw a dashed line at this loss (e.g. the starting loss): a
        curve above it has made things worse.

    Returns
    -------
    ax : matplotlib Axes
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError("`runs` must be a non-empty dict {learning_rate: losses}")
    ax = _axes(ax, size=(6.5, 3.6))
    for rate, losses in runs.items():
        losses = _losses(losses, f"runs[{rate}]")
        finite = np.isfinite(losses)
        note = ""
        if not finite.all() or losses[finite][-1] > losses[0]:
            note = " (diverges)"
        with muted():
            plot_loss_curve(losses, ax=ax, label=f"learning rate {rate:g}{note}")
    if limit is not None:
        ax.axhline(limit, color="grey", linestyle="--", linewidth=1,
                   label="starting loss")
    top = max(np.nanmax(np.where(np.isfinite(v), v, np.nan)) for v in runs.values())
    bottom = min(np.nanmin(np.where(np.isfinite(v) & (np.asarray(v) > 0), v, np.nan))
                 for v in runs.values())
    # Diverging curves would stretch the axis to 1e300: cap it at 1e6 x the start.
    start = max(float(np.asarray(v)[0]) for v in runs.values())
    ax.set_ylim(max(bottom, 1e-12) / 2, min(top, start * 1e6) * 2)
    ax.set_title("the same start, three learning rates")
    ax.legend(fontsize=8, loc="upper right")
    ends = []
    for rate, losses in runs.items():
        losses = np.asarray(losses, dtype=float)
        grows = not np.isfinite(losses[-1]) or losses[-1] > losses[0]
        ends.append(f"learning rate {rate:g} ends at {_loss(losses[-1])}"
                    + (", growing at every step: it diverges" if grows else ""))
    first = np.asarray(next(iter(runs.values())), dtype=float)
    describe(ax, f"The loss over {first.size - 1} steps of gradient descent from the "
             f"same start (loss {_loss(first[0])}) for {len(runs)} learning rates: "
             + "; ".join(ends))
    return ax


def show_descent(kernels, losses, hidden, learning_rate: float, axes=None):
    """One run of gradient descent: its loss curve, and its last kernel beside the
    hidden one (same colour scale). What the learning-rate widget draws.

    Parameters
    ----------
    kernels : (steps + 1, kh, kw) array
    losses : (steps + 1,) array
    hidden : (kh, kw) array
    learning_rate : float
        For the title.
    axes : three matplotlib Axes or None

    Returns
    -------
    axes : the three Axes (loss, last kernel, hidden kernel)
    """
    from helpers.validation import as_array

    kernels = as_array(kernels, "kernels", (3,), allow_nan=True)
    losses = _losses(losses)
    hidden = as_array(hidden, "hidden", (2,))
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(10, 3),
                                 gridspec_kw={"width_ratios": [2.2, 1, 1]})
    else:
        fig = axes[0].figure
    last = kernels[-1]
    steps = len(losses) - 1
    diverged = not (np.all(np.isfinite(last)) and np.max(np.abs(last)) < 1e3)
    with muted():
        plot_loss_curve(losses, ax=axes[0],
                        title=f"learning rate {learning_rate:g}")
        if not diverged:
            vmin, vmax = _value_limits(np.stack([last, hidden]))
            show_matrix(last, ax=axes[1], title=f"after {steps} steps",
                        cmap=VALUE_CMAP, decimals=2, vmin=vmin, vmax=vmax)
        else:
            vmin, vmax = _value_limits(hidden)
            axes[1].text(0.5, 0.5, "diverged:\nweights beyond\n±1000", ha="center",
                         va="center", transform=axes[1].transAxes, fontsize=11)
            axes[1].set_xticks([])
            axes[1].set_yticks([])
            axes[1].set_title(f"after {steps} steps")
        show_matrix(hidden, ax=axes[2], title="hidden kernel", cmap=VALUE_CMAP,
                    decimals=2, vmin=vmin, vmax=vmax)
    fig.colorbar(axes[2].images[-1], ax=list(axes[1:]), shrink=0.8, label="weight")
    kernel = ("diverged, its weights beyond ±1000" if diverged else
              f"row by row: {rows(last)}")
    describe(axes[0], f"Gradient descent with learning rate {learning_rate:g}: the loss "
             f"goes from {_loss(losses[0])} to {_loss(losses[-1])} in {steps} steps. "
             f"The kernel after {steps} steps, {kernel}; the hidden kernel, on the same "
             f"scale: {rows(hidden)}")
    return axes


def show_targets(images, targets, items=(0, 3), bound=None):
    """Items beside their target feature maps, all maps on one colour scale.

    Parameters
    ----------
    images : (N, H, W) array
    targets : (N, H', W') array
        The feature maps to learn, one per image.
    items : sequence of int
        Which items to draw.
    bound : float or None
        The colour scale runs from -bound to bound (default: the largest |value| of
        the maps drawn).

    Returns
    -------
    fig : matplotlib Figure
    """
    from helpers.validation import as_array, int_arg, sequence_arg

    images = as_array(images, "images", (3,))
    targets = as_array(targets, "targets", (3,))
    items = [int_arg(n, "items", 0, len(images) - 1)
             for n in sequence_arg(items, "items", "item numbers (ints)")]
    maps = targets[items]
    bound = float(np.max(np.abs(maps))) if bound is None else float(bound)
    if np.max(np.abs(maps)) > bound:
        raise ValueError(f"`bound` {bound:g} is below the largest |value| of the maps, "
                         f"{np.max(np.abs(maps)):g}: the colours would clip")
    fig, axes = plt.subplots(1, 2 * len(items), figsize=(2.75 * 2 * len(items), 2.9))
    with muted():
        for col, n in enumerate(items):
            show_image(images[n], ax=axes[2 * col], title=f"item {n}")
            show_image(targets[n], ax=axes[2 * col + 1], title=f"target map of item {n}")
            axes[2 * col + 1].images[-1].set_clim(-bound, bound)
    fig.colorbar(axes[-1].images[0], ax=list(axes), shrink=0.8, label="target value")
    describe(fig, f"{len(items)} items beside their target feature maps, on one scale "
             f"from -{number(bound)} to {number(bound)}: " + "; ".join(
                 f"item {n}, {images.shape[1]}x{images.shape[2]} pixels; its target map, "
                 f"{targets.shape[1]}x{targets.shape[2]}, values from "
                 f"{number(targets[n].min())} to {number(targets[n].max())}"
                 for n in items))
    return fig
