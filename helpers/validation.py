"""Argument checks shared by the layers: each error names the argument and what was expected.

A learner who passes a list, a wrong shape or a string should read what went wrong in
their own words, not an IndexError from deep inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_array(
    value, name: str, ndims: tuple[int, ...], allow_nan: bool = False
) -> np.ndarray:
    """Return `value` as a float ndarray, checking its type, ndim and values.

    Integers and bools become float64, float16 becomes float32 (so that sums do not
    overflow); float32 and float64 arrays come back as they are (not copied).

    Parameters
    ----------
    value : array-like
        What the caller passed.
    name : str
        The argument's name, used in error messages.
    ndims : tuple of int
        The numbers of dimensions accepted, e.g. ``(2, 3)`` for (H, W) or (H, W, C).
    allow_nan : bool
        Whether NaN and infinity are acceptable.
    """
    if value is None:
        raise TypeError(f"`{name}` is None: expected a numeric array")
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"`{name}` is not a rectangular array: {exc}") from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise TypeError(
            f"`{name}` must hold numbers, got an array of dtype {arr.dtype}"
        )
    if arr.ndim not in ndims:
        expected = " or ".join(str(n) for n in ndims)
        raise ValueError(
            f"`{name}` must have {expected} dimensions, got shape {arr.shape} "
            f"({arr.ndim} dimensions)"
        )
    if arr.size == 0:
        raise ValueError(f"`{name}` is empty (shape {arr.shape})")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"`{name}` must be real, got complex dtype {arr.dtype}")
    if arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float64)
    elif arr.dtype == np.float16:  # sums of float16 overflow at 65504: widen
        arr = arr.astype(np.float32)
    if not allow_nan and not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` contains NaN or infinity")
    return arr


def positive_int(value, name: str) -> int:
    """Return `value` as an int >= 1, or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"`{name}` must be >= 1, got {value}")
    return int(value)


def padding_arg(padding) -> int | str:
    """Return `padding` as an int >= 0, "valid" or "same", or raise."""
    if isinstance(padding, str):
        lowered = padding.lower()
        if lowered in ("valid", "same"):
            return lowered
        raise ValueError(
            f'`padding` must be an int >= 0, "valid" or "same", got {padding!r}'
        )
    if isinstance(padding, bool) or not isinstance(padding, numbers.Integral):
        raise TypeError(
            f'`padding` must be an int >= 0, "valid" or "same", got {padding!r}'
        )
    if padding < 0:
        raise ValueError(f"`padding` must be >= 0, got {padding}")
    return int(padding)
