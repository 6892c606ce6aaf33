"""Where the windows of a convolution or a pooling fall: output size, padding, slices.

One axis at a time (the same rule holds for H and for W)::

    H' = floor((H + before + after - k) / stride) + 1

with ``before = after = padding`` for an int padding, 0 for "valid", and for "same"
the amounts Keras/TensorFlow choose so that ``H' = ceil(H / stride)`` (the odd extra
zero goes after: bottom / right). Pooling is the same rule with padding 0.

These functions are bare: they trust their arguments (ints >= 1, padding an int >= 0,
"valid" or "same", a window that fits). The checks at the end of this module are
their doors: `helpers.layers.output_size` and `helpers.layers.pad_amounts` are
the checked functions a notebook calls.
"""

from __future__ import annotations

import math

from helpers.validation import padding_arg, positive_int

__all__ = ["pad_amounts", "output_size"]  # `strided` is for the layers only


def pad_amounts(n: int, kernel_size: int, stride: int = 1,
                padding: int | str = 0) -> tuple[int, int]:
    """Zeros added (before, after) along one axis of length `n`.

    For "same" the total is ``max((ceil(n / stride) - 1) * stride + kernel_size - n, 0)``;
    when it is odd the extra zero goes after (bottom / right), as in TensorFlow.
    """
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = max((math.ceil(n / stride) - 1) * stride + kernel_size - n, 0)
        return total // 2, total - total // 2
    return padding, padding


def output_size(n: int, kernel_size: int, stride: int = 1,
                padding: int | str = 0) -> int:
    """Length of the output along one axis: ``floor((n + before + after - k) / s) + 1``.

    With ``padding="same"`` this is ``ceil(n / stride)``; with "valid" (or 0) the
    windows that do not fit at the end are dropped, as pooling does.
    """
    before, after = pad_amounts(n, kernel_size, stride, padding)
    return (n + before + after - kernel_size) // stride + 1


def strided(offset: int, out_length: int, stride: int) -> slice:
    """The rows (or columns) at `offset` inside every window along one axis.

    Window ``i`` starts at ``i * stride``, so its entry at `offset` is row
    ``i * stride + offset``; for the `out_length` windows that is one strided slice.
    ``x[:, strided(a, H', s), strided(b, W', s)]`` is the (N, H', W', C) block of
    every window's entry (a, b): the vectorized layers take one such view per offset
    instead of one window per output position.
    """
    return slice(offset, offset + (out_length - 1) * stride + 1, stride)


# ---- the door: argument checks
def check_output_size(n, kernel_size, stride=1, padding=0) -> dict:
    """The arguments of `output_size`, checked; refuses a window larger than the padded
    input (the bare function trusts that it fits)."""
    arguments = check_pad_amounts(n, kernel_size, stride, padding)
    n, kernel_size = arguments["n"], arguments["kernel_size"]
    p, after = pad_amounts(**arguments)  # p == after but for "same", which always fits
    if kernel_size > n + p + after:
        raise ValueError(f"`kernel_size` {kernel_size} is larger than the padded "
                         f"input ({n} + 2 * {p} = {n + 2 * p})")
    return arguments


def check_pad_amounts(n, kernel_size, stride=1, padding=0) -> dict:
    """The arguments of `pad_amounts`, checked: ints >= 1 and a valid padding."""
    return {
        "n": positive_int(n, "n"),
        "kernel_size": positive_int(kernel_size, "kernel_size"),
        "stride": positive_int(stride, "stride"),
        "padding": padding_arg(padding),
    }
