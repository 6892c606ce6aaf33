"""Training curves, the confusion matrix, items with their (predicted) classes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from helpers.plots.style import (
    CORRECT,
    IMAGE_CMAP,
    WRONG,
    _axes,
)


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
