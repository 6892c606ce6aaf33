"""Argument checks shared by the layers: each error names the argument and what it needs.

A learner who passes a list, a wrong shape or a string should read what went wrong in
their own words, not an IndexError from deep inside numpy.
"""

from __future__ import annotations

import functools
import inspect
import numbers

import numpy as np


def checked(function, check):
    """`function` behind a door that checks its arguments once.

    The call's arguments are bound to `function`'s signature (defaults applied) and
    passed to ``check(**arguments)``, which raises a clear error naming the argument or
    returns the arguments cleaned (a dict: arrays made float, ints made int); then
    ``function(**cleaned)`` runs. `function` itself stays bare: code inside `helpers`
    calls it directly, so the math is never re-checked or rewritten to avoid checks.
    The bare function is the door's ``__wrapped__``.
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def door(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{function.__name__}(): {exc}") from None
        bound.apply_defaults()
        return function(**check(**bound.arguments))

    return door


def backward_check(cache_type: type, layer: str):
    """The door's check of `layer`'s backward passes ``f(grad_out, cache)``.

    `cache` must be what ``<layer>_forward`` returned (a `cache_type`); `grad_out`, the
    upstream gradient dL/d output, a float array of the shape of the layer's output
    (``cache.out_shape``). A wrong one gets an error naming it and both shapes.
    """

    def check(grad_out, cache) -> dict:
        cache = forward_cache(cache, cache_type, f"{layer}_forward")
        grad = as_array(grad_out, "grad_out", tuple(range(9)))
        expected = tuple(cache.out_shape)
        if grad.shape != expected:
            raise ValueError(f"`grad_out` has shape {grad.shape} but the output of "
                             f"{layer} has shape {expected}: the upstream gradient "
                             "must have the shape of the layer's output")
        return {"grad_out": grad, "cache": cache}

    return check


def forward_cache(cache, cache_type: type, forward: str):
    """`cache` if it is a `cache_type` (what `forward` returned), or a TypeError.

    A backward pass reads its forward pass's inputs from the cache; anything else
    (the input itself, a tuple in the wrong order, another layer's cache) is refused.
    """
    if not isinstance(cache, cache_type):
        raise TypeError(f"`cache` must be what {forward} returned (a "
                        f"{cache_type.__name__}), got {type(cache).__name__}")
    return cache


def as_array(value, name: str, ndims: tuple[int, ...],
             allow_nan: bool = False) -> np.ndarray:
    """`value` as a float ndarray with one of `ndims` dimensions (e.g. ``(2, 3)`` for
    (H, W) or (H, W, C)), or an error naming the argument `name`; NaN and infinity are
    refused unless `allow_nan`.

    Integers and bools become float64, float16 becomes float32 (so that sums do not
    overflow); float32 and float64 arrays come back as they are (not copied).
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
        raise TypeError(f"`{name}` must hold numbers, got an array of dtype "
                        f"{arr.dtype}")
    if arr.ndim not in ndims:
        expected = " or ".join(str(n) for n in ndims)
        short = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"`{name}` must have {expected} dimensions ({short}), got "
                         f"shape {arr.shape} ({arr.ndim} dimensions)")
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


def padding_arg(padding) -> int | str:
    """Return `padding` as an int >= 0, "valid" or "same", or raise."""
    if isinstance(padding, str) and padding.lower() in ("valid", "same"):
        return padding.lower()
    if isinstance(padding, str | bool) or not isinstance(padding, numbers.Integral):
        raise (ValueError if isinstance(padding, str) else TypeError)(
            f'`padding` must be an int >= 0, "valid" or "same", got {padding!r}'
        )
    if padding < 0:
        raise ValueError(f"`padding` must be >= 0, got {padding}")
    return int(padding)


def int_arg(value, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    """Return `value` as an int in [minimum, maximum], or raise naming `name`.

    Any integer type is accepted (Python or numpy); bools, floats and strings are not.
    """
    where = f">= {minimum}" if maximum is None else f"in {minimum}..{maximum}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer {where}, got {value!r:.60}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"`{name}` must be {where}, got {value}")
    return int(value)


def positive_int(value, name: str) -> int:
    """Return `value` as an int >= 1, or raise naming `name` (`int_arg`)."""
    return int_arg(value, name, minimum=1)


def positive_number(value, name: str) -> float:
    """Return `value` as a float > 0 (finite), or raise naming `name`."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number > 0, got {value!r:.60}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be a finite number > 0, got {value}")
    return float(value)


def class_labels(value, name: str, n_classes: int, length: int | None = None,
                 rows_of: tuple[str, tuple[int, ...]] | None = None) -> np.ndarray:
    """Return `value` as an (N,) int64 array of classes in 0..n_classes-1, or raise.

    The one check of class labels (plots, `losses`, the loss layer). Ints and whole
    floats are accepted; bools, strings, ragged lists (TypeError), fractions, NaN, a
    shape other than (N,) and classes out of range (ValueError) are not. A 2-D
    (N, n_classes) float array is recognised as probabilities (``model.predict``) or
    one-hot rows, and the message says how to turn them into classes. `name` is the
    argument's name in the messages; `length`, the number of images the labels go with;
    `rows_of`, the name and shape of the (N, n_classes) array whose rows the labels
    label (e.g. ``("scores", scores.shape)``): a length mismatch names both shapes.
    """
    if value is None:
        raise TypeError(f"`{name}` is None: expected {n_classes}-class labels (ints)")
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"`{name}` must be a flat list or (N,) array of class numbers, "
                        f"got a ragged nested list: {exc}") from None
    if arr.ndim == 2 and arr.shape[1] == n_classes and arr.dtype.kind == "f":
        raise ValueError(f"`{name}` has shape {arr.shape}: these look like "
                         f"probabilities (one row of {n_classes} per item), not "
                         f"classes; pass {name}.argmax(axis=1)")
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"`{name}` must hold class numbers (ints), got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and (not np.all(np.isfinite(arr))
                                  or np.any(arr != np.round(arr))):
        raise ValueError(f"`{name}` must hold whole class numbers, got "
                         f"{arr.ravel()[:5]}...")
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one class per item, shape (N,), got shape "
                         f"{arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        bad = arr[(arr < 0) | (arr >= n_classes)][0]
        raise ValueError(f"`{name}` holds class {bad:g}, outside 0..{n_classes - 1}: "
                         f"`{name}` must name one of the {n_classes} classes")
    if rows_of is not None:
        other, shape = rows_of
        if len(arr) != shape[0]:
            raise ValueError(f"`{name}` has shape {arr.shape} but `{other}` has shape "
                             f"{shape}: expected one label per row, shape "
                             f"({shape[0]},)")
    if length is not None and len(arr) != length:
        raise ValueError(f"`{name}` has {len(arr)} entries for {length} images")
    return arr.astype(np.int64)


def names_arg(value, name: str, length: int | None = None) -> list[str]:
    """Return `value` as a list of str (e.g. class names or titles), or raise."""
    if isinstance(value, str | bytes | dict | set) or not hasattr(value, "__len__") \
            or (isinstance(value, np.ndarray) and value.ndim != 1):
        raise TypeError(f"`{name}` must be a list of str, got {type(value).__name__}"
                        + (f" of shape {value.shape}" if isinstance(value, np.ndarray)
                           else ""))
    items = list(value)
    if not items:
        raise ValueError(f"`{name}` is empty: expected a list of str")
    if length is not None and len(items) != length:
        raise ValueError(f"`{name}` has {len(items)} entries, expected {length}")
    odd = [item for item in items if not isinstance(item, str | numbers.Number)]
    if odd:
        raise TypeError(f"`{name}` must be a list of str, got an entry {odd[0]!r:.40}")
    return [str(item) for item in items]


def small_enough(shape, name: str, max_side: int, alternative: str) -> None:
    """Refuse an array whose height or width passes `max_side` (a figure that would
    take minutes to draw), naming the alternative."""
    if max(shape[:2]) > max_side:
        raise ValueError(f"`{name}` is {shape[0]}x{shape[1]}: too large to draw step "
                         f"by step (at most {max_side}x{max_side}); {alternative}")


def sequence_arg(value, name: str, what: str, length: int | None = None) -> list:
    """Return `value` (a list, tuple or array along its first axis) as a list, or raise
    a TypeError naming `name` and saying what it should hold (`what`)."""
    if isinstance(value, str | bytes | dict | set) or not hasattr(value, "__iter__") \
            or (isinstance(value, np.ndarray) and value.ndim == 0):
        raise TypeError(f"`{name}` must be a list of {what}, got {type(value).__name__}")
    items = list(value)
    if length is not None and len(items) != length:
        raise ValueError(f"`{name}` must hold {length} {what}, got {len(items)}")
    return items


def kernel_channels(kernel: np.ndarray, channels: int, kernel_name: str = "kernel",
                    input_name: str = "x") -> None:
    """Refuse a (kh, kw, C', F) kernel whose C' is not the input's `channels`; the
    message names both arguments (`kernel_name`, `input_name`)."""
    if kernel.shape[2] != channels:
        raise ValueError(f"`{kernel_name}` has shape {kernel.shape} "
                         f"(C={kernel.shape[2]}) but `{input_name}` has {channels} "
                         "channel(s): expected a kernel of shape "
                         f"(kh, kw, {channels}, F)")
