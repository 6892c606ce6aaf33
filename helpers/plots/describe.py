"""What a figure shows, in words: the alt text a screen reader reads and the book shows.

Every plot function of `helpers.plots` describes what it drew, from the very numbers it
drew (`describe`), and `show` displays a figure with that description as its alt text:
the output's metadata ``{"image/png": {"alt": ...}}``, which nbconvert's HTML and the
book use. In a notebook, ``plots.show(fig)`` replaces ``plt.show()``; a figure drawn
with plain matplotlib, or one whose plot functions cannot know what the picture is of,
passes a sentence of its own: ``plots.show(fig, alt="...")``.

A description says what the figure shows (its numbers, shapes, where the largest value
is), not how it is drawn. Numbers are rounded as the figure writes them, so the text is
the same on every machine.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np

_PARTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Figure -> [str]
_MUTED = [0]  # > 0 while a plot function draws panels it describes itself

# More than this many cells and a matrix is summed up (size, range), not read out.
MAX_READ_CELLS = 64


def _figure(target):
    """The Figure of a Figure, an Axes or a sequence of Axes."""
    if hasattr(target, "savefig"):
        return target
    if hasattr(target, "figure"):
        return target.figure
    return _figure(np.ravel(target)[0])


def describe(target, text: str) -> None:
    """Add `text` (a sentence about what was drawn) to the description of the figure
    that `target` (a Figure or Axes) belongs to. Sentences are read in drawing order."""
    if _MUTED[0] or not text:
        return
    _PARTS.setdefault(_figure(target), []).append(" ".join(text.split()))


@contextmanager
def muted():
    """Panels drawn inside add nothing: the plot function that draws them describes
    the whole figure itself, once, at the end."""
    _MUTED[0] += 1
    try:
        yield
    finally:
        _MUTED[0] -= 1


def description(fig=None) -> str:
    """The description of `fig` (default: the current figure), "" when none."""
    fig = plt.gcf() if fig is None else _figure(fig)
    return " ".join(_sentence(p) for p in _PARTS.get(fig, []))


def _sentence(text: str) -> str:
    """`text` as a sentence: a capital first letter and a full stop."""
    text = capital(text.strip())
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def capital(text: str) -> str:
    """`text` with a capital first letter, unless its first word is a name that a capital
    would change: one letter ("k flipped"), or with digits or symbols ("conv1",
    "dL/dk")."""
    first = text.split(" ", 1)[0].rstrip(",:;.")
    if len(first) > 1 and first.isalpha() and first.islower():
        return text[:1].upper() + text[1:]
    return text


def show(fig=None, alt: str | None = None) -> None:
    """Display `fig` (default: the current figure) with its description as alt text.

    Parameters
    ----------
    fig : matplotlib Figure, Axes or None
    alt : str or None
        A sentence of the notebook's own, read first: what the picture is of, when the
        plot functions cannot know it, or the whole description of a figure drawn with
        plain matplotlib.

    Raises
    ------
    ValueError
        When the figure has no description and no `alt` is given: every figure of the
        series says what it shows.
    """
    from IPython.display import display

    fig = plt.gcf() if fig is None else _figure(fig)
    text = " ".join(t for t in (_sentence(alt) if alt else "", description(fig)) if t)
    if not text:
        raise ValueError(
            "this figure has no description: draw it with helpers.plots, or pass "
            "alt='what it shows' (a sentence for readers who cannot see it)"
        )
    display(fig, metadata={"image/png": {"alt": text}})
    plt.close(fig)  # shown once: the inline backend must not show it again


# ---- words for numbers ---------------------------------------------------------------
def number(value, decimals: int = 2) -> str:
    """`value` as a figure writes it: integers bare, others with `decimals` decimals,
    never "-0"."""
    value = float(value)
    if not np.isfinite(value):
        return "blank" if np.isnan(value) else ("infinity" if value > 0 else "-infinity")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


def rows(matrix, decimals: int = 2) -> str:
    """A small matrix read row by row: "1 0 1; 0 1 0; 1 0 1"."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    return "; ".join(" ".join(number(v, decimals) for v in row) for row in matrix)


def span(values, decimals: int = 2) -> str:
    """ "from a to b" over the finite values."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not values.size:
        return "no values"
    low, high = number(values.min(), decimals), number(values.max(), decimals)
    return f"all {low}" if low == high else f"from {low} to {high}"


def matrix_words(matrix, title=None, decimals: int = 2, read=True) -> str:
    """ "title, HxW: row by row ..." for a small matrix, its range for a larger one."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    H, W = matrix.shape
    name = one_line(title)
    shape = f"{H}x{W}"
    head = f"{name}, {shape}" if name and shape not in name else (name or shape)
    if read and matrix.size <= MAX_READ_CELLS:
        return f"{head}, row by row: {rows(matrix, decimals)}"
    return f"{head}, values {span(matrix, decimals)}"


def map_words(values, title=None, decimals: int = 2) -> str:
    """ "title, HxW, values a to b" (and the mean size of a signed map's values)."""
    values = np.asarray(values, dtype=float)
    words = matrix_words(values, title, decimals, read=False)
    if np.nanmin(values) < 0:
        words += f" (mean |value| {number(np.nanmean(np.abs(values)), decimals)})"
    return words


def one_line(title) -> str:
    """A title on one line: its line breaks become commas."""
    return " ".join(str(title).replace("\n", ", ").split()) if title else ""


def plural(count: int, word: str) -> str:
    """ "1 row", "2 rows"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def percent(fraction) -> str:
    return f"{100 * float(fraction):.0f}%"
