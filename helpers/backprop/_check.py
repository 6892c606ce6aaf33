"""Argument checks shared by the backward passes (the forward layers' rules, plus one:
the upstream gradient must have the shape of the layer's output)."""

from __future__ import annotations

import numpy as np

from helpers.validation import as_array


def float_array(value, name: str, ndims: tuple[int, ...]) -> np.ndarray:
    """`value` as a float array (integers become float64), checked like the layers do."""
    arr = as_array(value, name, ndims)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


def grad_like(grad_out, expected_shape: tuple[int, ...], layer: str) -> np.ndarray:
    """Check `grad_out` against the shape of `layer`'s output; return it as an array.

    Raises
    ------
    ValueError
        Naming both shapes when they differ.
    """
    grad = float_array(grad_out, "grad_out", tuple(range(0, 9)))
    if grad.shape != tuple(expected_shape):
        raise ValueError(
            f"`grad_out` has shape {grad.shape} but the output of {layer} has shape "
            f"{tuple(expected_shape)}: the upstream gradient must have the shape of "
            "the layer's output"
        )
    return grad


def result_dtype(*arrays) -> np.dtype:
    """float32 when every input is float32 (as in the forward layers), else float64."""
    return np.result_type(*[a.dtype for a in arrays], np.float32)
