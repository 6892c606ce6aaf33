"""Numerical gradients: the independent check of every gradient the series derives.

The centred difference ``(f(x + eps) - f(x - eps)) / (2 eps)`` has an error of order
``eps**2``; in float64 with ``eps = 1e-6`` it agrees with an exact gradient to about
1e-8 relative error, which is why the derived gradients are checked in float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.validation import as_array, positive_number


def numerical_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-6):
    """Centred finite-difference gradient of a scalar function, one entry at a time.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``, a scalar function of an array shaped like `x`.
    x : array-like
        The point; it is not modified (each entry is nudged on a float64 copy).
    eps : float
        The nudge, > 0.

    Returns
    -------
    grad : ndarray, same shape as `x`, float64
        ``grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``.
    """
    if not callable(f):
        raise TypeError(f"`f` must be a function of x, got {type(f).__name__}")
    eps = positive_number(eps, "eps")
    # a float64 copy: the caller's array is never touched
    x = np.array(as_array(x, "x", tuple(range(8))), dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = float(f(x))
        x[index] = saved - eps
        f_minus = float(f(x))
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def _float64(value, name: str) -> np.ndarray:
    """`value` as a float64 array (empty allowed), or an error naming `name`."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be an array of numbers, got "
                        f"{type(value).__name__} ({exc})") from None


def relative_error(a, b) -> float:
    """The largest ``|a - b| / max(|a|, |b|, 1e-12)``: 0 for equal arrays, ~1 for unrelated.

    Parameters
    ----------
    a, b : arrays of the same shape
    """
    a, b = _float64(a, "a"), _float64(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"`a` has shape {a.shape} but `b` has shape {b.shape}")
    if a.size == 0:
        return 0.0
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)
    return float(np.max(np.abs(a - b) / scale))
