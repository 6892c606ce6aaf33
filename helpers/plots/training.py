"""Training curves, the confusion matrix, items with their (predicted) classes, and the
learned kernels of a trained model."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from helpers.plots.describe import describe, number, percent, plural
from helpers.plots.style import (
    CORRECT,
    COUNT_CMAP,
    IMAGE_CMAP,
    MARKERS,
    VALUE_CMAP,
    WINDOW_COLORS,
    WRONG,
    _axes,
    _value_limits,
)

RIGHT_MARK, WRONG_MARK = "✓", "✗"  # what says right or wrong besides the colour


def _curves(history, name="history"):
    """The dict of lists inside a Keras History (or the dict itself), checked."""
    values = getattr(history, "history", history)
    if not isinstance(values, dict) or "loss" not in values:
        raise ValueError(
            f"`{name}` must be a Keras History or its .history dict with a 'loss' list, "
            f"got {type(history).__name__}"
        )
    if "accuracy" not in values:
        raise ValueError(
            f"`{name}` has no 'accuracy' values (keys: {sorted(values)}): compile the "
            'model with metrics=["accuracy"]'
        )
    return values


def plot_history(history, axes=None, title: str | None = None):
    """Learning curves: loss and accuracy per epoch, training vs validation.

    Parameters
    ----------
    history : keras History or dict
        ``model.fit(...)`` or its ``.history``: lists per epoch under "loss",
        "accuracy" and, with validation data, "val_loss" and "val_accuracy".
    axes : two matplotlib Axes or None
    title : str or None
        A title over both panels (what was trained, on what).

    Returns
    -------
    axes : the two Axes (loss, accuracy)
    """
    return plot_histories({"": history}, axes=axes, title=title)


def plot_histories(histories, axes=None, title: str | None = None):
    """Learning curves of several runs on the same two panels, to compare them.

    Each run has one colour and one marker (circles, then triangles, ...); training is
    a solid line, validation a dashed one.

    Parameters
    ----------
    histories : dict {run name: keras History or its .history dict}
    axes : two matplotlib Axes or None
    title : str or None

    Returns
    -------
    axes : the two Axes (loss, accuracy)
    """
    if not isinstance(histories, dict) or not histories:
        raise ValueError("`histories` must be a non-empty dict {run name: history}")
    runs = {name: _curves(h, f"histories[{name!r}]") for name, h in histories.items()}
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.4))
    longest = max(len(values["loss"]) for values in runs.values())
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        for k, (name, values) in enumerate(runs.items()):
            style = {"color": WINDOW_COLORS[k % len(WINDOW_COLORS)],
                     "marker": MARKERS[k % len(MARKERS)], "markersize": 4}
            epochs = np.arange(1, len(values[metric]) + 1)
            prefix = f"{name}: " if name else ""
            ax.plot(epochs, values[metric], "-", **style, label=f"{prefix}training")
            if f"val_{metric}" in values:
                ax.plot(epochs, values[f"val_{metric}"], "--", **style,
                        label=f"{prefix}validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel("cross-entropy loss" if metric == "loss" else "accuracy")
        ax.set_title(f"{metric} per epoch")
        ticks = np.arange(1, longest + 1)
        ax.set_xticks(ticks if longest <= 10 else ticks[::max(1, longest // 10)])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        axes[0].figure.suptitle(title)
    axes[0].figure.tight_layout()
    describe(axes[0], (f"{title}. " if title else "") + "Loss and accuracy per epoch, "
             "first epoch to last. "
             + " ".join(_run_words(name, values) for name, values in runs.items()))
    return axes


def _run_words(name, values) -> str:
    """How one run's curves go, first epoch to last (and the lowest validation loss)."""
    epochs = len(values["loss"])
    words = [f"{name + ', ' if name else ''}{plural(epochs, 'epoch')}: training "
             f"loss {number(values['loss'][0])} to {number(values['loss'][-1])}, training "
             f"accuracy {percent(values['accuracy'][0])} to "
             f"{percent(values['accuracy'][-1])}"]
    if "val_loss" in values:
        loss = np.asarray(values["val_loss"], dtype=float)
        words.append(f"validation loss {number(loss[0])} to {number(loss[-1])} (lowest "
                     f"{number(loss.min())}, epoch {int(np.argmin(loss)) + 1})")
    if "val_accuracy" in values:
        words.append(f"validation accuracy {percent(values['val_accuracy'][0])} to "
                     f"{percent(values['val_accuracy'][-1])}")
    return "; ".join(words) + "."


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
    from helpers.validation import as_array, names_arg

    class_names = names_arg(class_names, "class_names")
    if len(class_names) > 40:
        raise ValueError(f"`class_names` has {len(class_names)} classes: at most 40 fit "
                         "in one confusion matrix with its numbers")
    cm = as_array(cm, "cm", (2,))
    if np.any(cm < 0):
        raise ValueError(f"`cm` must hold counts (>= 0), got {cm.min():g}")
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] != len(class_names):
        raise ValueError(
            f"`cm` must be ({len(class_names)}, {len(class_names)}) for "
            f"{len(class_names)} class names, got shape {cm.shape}"
        )
    values = cm
    if normalize:
        values = 100 * cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    ax = _axes(ax, (7.5, 6.5))
    im = ax.imshow(values, cmap=COUNT_CMAP, vmin=0, vmax=100 if normalize else None)
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
    unit = "%" if normalize else ""
    diagonal = np.diag(values)
    worst, best = int(np.argmin(diagonal)), int(np.argmax(diagonal))
    off = np.where(np.eye(len(class_names), dtype=bool), -1, values)
    mistakes = [np.unravel_index(k, off.shape) for k in np.argsort(-off, axis=None)[:3]]
    mixed = "; ".join(f"{class_names[i]} taken for {class_names[j]} "
                      f"{values[i, j]:.0f}{unit}" for i, j in mistakes if off[i, j] > 0)
    describe(ax, f"Confusion matrix of {len(class_names)} classes, rows the true class, "
             f"columns the predicted one ({'% of each true class' if normalize else 'counts'})"
             f". On the diagonal, right answers from {class_names[worst]} "
             f"{diagonal[worst]:.0f}{unit} to {class_names[best]} {diagonal[best]:.0f}{unit}"
             + (f". The largest mistakes: {mixed}" if mixed else ""))
    return ax


def _grayscale_stack(images) -> np.ndarray:
    """(N, H, W) or (N, H, W, 1) images as an (N, H, W) array, or a ValueError."""
    from helpers.validation import as_array

    images = as_array(images, "images", (3, 4))
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"`images` must be (N, H, W) or (N, H, W, 1), got {images.shape}")
    return images


MAX_ITEMS = 200
"""The most images `show_items` and `show_predictions` draw in one figure."""


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
        Predicted classes: titles become "true: ... / predicted: ...", marked ✓ and in
        `CORRECT` when right, ✗ and in `WRONG` when wrong.
    titles : sequence of N str or None
        Replace the automatic titles.
    ncols : int

    Returns
    -------
    fig : matplotlib Figure
    """
    from helpers.validation import class_labels, int_arg, names_arg, positive_number

    images = _grayscale_stack(images)
    n = len(images)
    if n > MAX_ITEMS:
        raise ValueError(f"`images` holds {n} items: at most {MAX_ITEMS} fit in one "
                         f"figure; pass a slice such as images[:{MAX_ITEMS}]")
    class_names = names_arg(class_names, "class_names")
    labels = class_labels(labels, "labels", len(class_names), length=n)
    if predicted is not None:
        predicted = class_labels(predicted, "predicted", len(class_names), length=n)
    if titles is not None:
        titles = names_arg(titles, "titles", length=n)
    ncols = int_arg(ncols, "ncols", minimum=1)
    size = positive_number(size, "size")
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
            title = (f"true: {class_names[labels[k]]}\n"
                     f"{RIGHT_MARK if right else WRONG_MARK} predicted: "
                     f"{class_names[predicted[k]]}")
        else:
            title = class_names[labels[k]]
        ax.set_title(title, fontsize=8, color=color)
    fig.tight_layout()
    H, W = images.shape[1:]
    if titles is not None:
        each = "; ".join(" ".join(t.split()) for t in titles)
        describe(fig, f"{n} images of {H}x{W} pixels, titled: {each}")
    elif predicted is not None:
        right = int(np.sum(predicted == labels))
        each = "; ".join(
            f"{class_names[t]}, predicted {class_names[p]} "
            f"({'right' if t == p else 'wrong'})" for t, p in zip(labels, predicted,
                                                                strict=True))
        describe(fig, f"{n} images of {H}x{W} pixels with their true and predicted "
                 f"class, {right} right and {n - right} wrong: {each}")
    else:
        describe(fig, f"{n} images of {H}x{W} pixels, with their classes: "
                 + ", ".join(class_names[t] for t in labels))
    return fig


def show_predictions(images, probabilities, labels, class_names, ncols: int = 2):
    """Each image beside a bar chart of the probabilities the model gives each class.

    The predicted class's bar is `CORRECT` (blue) when right; `WRONG` (vermillion) and
    hatched when wrong, and the title marks it ✓ or ✗. The true class is named in the
    image's title, and its bar is outlined in black with its name in bold (so a mistake
    shows where the right answer stood).

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
    from helpers.validation import as_array, class_labels, int_arg, names_arg

    images = _grayscale_stack(images)
    probabilities = as_array(probabilities, "probabilities", (2,))
    n, k = probabilities.shape
    if n > MAX_ITEMS:
        raise ValueError(f"`probabilities` has {n} rows: at most {MAX_ITEMS} fit in "
                         f"one figure; pass a slice such as [:{MAX_ITEMS}]")
    if np.any(probabilities < 0) or np.any(probabilities > 1):
        raise ValueError("`probabilities` must be between 0 and 1 (softmax outputs), "
                         f"got values from {probabilities.min():.3g} to "
                         f"{probabilities.max():.3g}")
    class_names = names_arg(class_names, "class_names")
    labels = class_labels(labels, "labels", len(class_names))
    ncols = int_arg(ncols, "ncols", minimum=1)
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
        right = guess == labels[i]
        colors = ["#bbbbbb"] * k
        colors[guess] = CORRECT if right else WRONG
        edges = ["none"] * k
        edges[int(labels[i])] = "black"  # the true class, outlined and in bold
        bars = ax_bar.barh(positions, probabilities[i], color=colors, edgecolor=edges,
                           linewidth=1.2)
        if not right:
            bars[guess].set_hatch("///")  # wrong, without relying on its colour
        ax_bar.set_yticks(positions, class_names, fontsize=7)
        ax_bar.get_yticklabels()[int(labels[i])].set_fontweight("bold")
        ax_bar.invert_yaxis()
        ax_bar.set_xlim(0, 1)
        ax_bar.set_xlabel("probability", fontsize=8)
        ax_bar.tick_params(axis="x", labelsize=7)
        ax_bar.set_title(f"{RIGHT_MARK if right else WRONG_MARK} predicted: "
                         f"{class_names[guess]} ({probabilities[i, guess]:.0%})",
                         fontsize=9)
    fig.tight_layout()
    each = []
    for i in range(n):
        guess, true = int(np.argmax(probabilities[i])), int(labels[i])
        text = (f"{class_names[true]}: predicted {class_names[guess]} "
                f"{probabilities[i, guess]:.0%}")
        each.append(text + (", right" if guess == true else
                            f", wrong; the true class got {probabilities[i, true]:.0%}"))
    describe(fig, f"{n} images, each beside the probabilities the model gives the "
             f"{k} classes: " + "; ".join(each))
    return fig


def show_learned_kernels(kernels, ncols: int = 8, size: float = 1.45, title=None,
                         scale: str = "shared"):
    """The learned kernels of a trained conv layer, as colours.

    `VALUE_CMAP`, centred on 0 (white) and symmetric (blue negative, red positive).

    - ``scale="shared"``: one scale for every kernel, so colours compare across kernels
      (a pale kernel has small weights); the colour bar gives the weights.
    - ``scale="each"``: every kernel on its own scale, its largest |weight| at full
      colour and written in its title, so even a kernel of small weights shows its
      shape; the colour bar gives a weight as a fraction of its kernel's largest.

    Parameters
    ----------
    kernels : (kh, kw, F) or (kh, kw, 1, F) array
        Keras layout, e.g. ``model.get_layer("conv1").get_weights()[0]``.
    ncols : int
        Kernels per row.
    size : float
        Inches per kernel.
    title : str or None
    scale : "shared" or "each"

    Returns
    -------
    fig : matplotlib Figure
    """
    from helpers.validation import as_array

    kernels = as_array(kernels, "kernels", (3, 4))
    if kernels.ndim == 4 and kernels.shape[2] == 1:
        kernels = kernels[:, :, 0, :]
    if kernels.ndim != 3:
        raise ValueError(
            f"`kernels` must be (kh, kw, F) or (kh, kw, 1, F), got shape {kernels.shape}"
        )
    if isinstance(ncols, bool) or not isinstance(ncols, int | np.integer) or ncols < 1:
        raise ValueError(f"`ncols` must be an int >= 1, got {ncols!r}")
    if scale not in ("shared", "each"):
        raise ValueError(f'`scale` must be "shared" or "each", got {scale!r}')
    count = kernels.shape[-1]
    if count > 256:
        raise ValueError(f"`kernels` holds {count} kernels: at most 256 fit in one "
                         "figure; pass a slice such as kernels[..., :64]")
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    peaks = np.abs(kernels).max(axis=(0, 1))  # each kernel's largest |weight|
    each = scale == "each"
    vmin, vmax = (-1.0, 1.0) if each else _value_limits(kernels)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(size * ncols + 1.0,
                                      (size + 0.15 * each) * nrows + 0.6))
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= count:
            ax.axis("off")
            continue
        shown = kernels[:, :, k] / (peaks[k] or 1.0) if each else kernels[:, :, k]
        im = ax.imshow(shown, cmap=VALUE_CMAP, vmin=vmin, vmax=vmax)
        ax.set_title(f"kernel {k}\n±{peaks[k]:.2f}" if each else f"kernel {k}",
                     fontsize=8)
    fig.colorbar(im, ax=axes.ravel().tolist(), fraction=0.025, pad=0.02,
                 label="weight / the kernel's largest |weight|" if each
                 else "weight (0 = white)")
    if title:
        fig.suptitle(title)
    kh, kw = kernels.shape[:2]
    order = np.argsort(-peaks, kind="stable")
    balance = np.abs(kernels.sum(axis=(0, 1))) / np.maximum(np.abs(kernels).sum(axis=(0, 1)),
                                                            1e-12)
    cancel = (f"in {int(np.sum(balance < 0.1))} of them the positive and negative "
              "weights cancel to within 10%")
    if each:
        text = (f"The {count} kernels of {kh}x{kw}, each on its own scale, its largest "
                f"|weight| at full colour: from {peaks[order[-1]]:.2f} (kernel "
                f"{order[-1]}) to {peaks[order[0]]:.2f} (kernel {order[0]}); {cancel}")
    else:
        pale = int(np.sum(peaks < 0.25 * peaks.max()))
        top = ", ".join(f"kernel {k} ({peaks[k]:.2f})" for k in order[:3])
        text = (f"The {count} kernels of {kh}x{kw} on one scale from {vmin:.2f} to "
                f"{vmax:.2f}: {pale} of them have no weight beyond a quarter of the "
                f"largest, so they are pale; the largest weights are in {top}; {cancel}")
    describe(fig, (f"{title}. " if title else "") + text)
    return fig
