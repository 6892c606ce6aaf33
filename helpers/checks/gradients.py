"""Checks for notebook 08: the gradient of one kernel weight, and one gradient step.

The cases are chosen so that each plausible slip gets ❌: a sign error (target minus
map), a missing factor 2 or 1/M, a flipped kernel (true convolution instead of the
correlation), rows and columns swapped, a step uphill (``+`` instead of ``-``), a
learning rate forgotten, the learner's `kernel` changed in place.
"""

from __future__ import annotations

import numpy as np

from helpers import kernel_descent
from helpers.checks.core import (
    FAIL,
    PASS,
    _call,
    _copies,
    _describe,
    _end,
    _name,
    _rng,
    _verdict,
    _with_hint,
    compare,
    never_raises,
)


def _gradient_cases():
    """(description, (images, kernel, targets, p, q)) with lopsided, non-square data."""
    rng = _rng(8)
    tiny = np.array([[[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]]])
    tiny_kernel = np.array([[1.0, 0.0], [0.0, 0.0]])
    tiny_targets = kernel_descent.feature_maps(tiny, np.array([[0.0, 1.0], [-1.0, 0.0]]))
    cases = [("the worked example of section 3, weight (0, 1)",
              (tiny, tiny_kernel, tiny_targets, 0, 1))]
    for n, (h, w), (kh, kw), (p, q) in [
        (1, (5, 6), (3, 3), (0, 2)),
        (2, (6, 5), (3, 3), (2, 1)),
        (3, (7, 8), (2, 3), (1, 0)),
        (2, (6, 6), (3, 2), (0, 0)),
    ]:
        images = rng.integers(0, 5, size=(n, h, w)).astype(float)
        kernel = rng.normal(size=(kh, kw)).round(2)
        targets = kernel_descent.feature_maps(images, rng.normal(size=(kh, kw)))
        cases.append((f"{n} image(s) of {h}x{w}, a {kh}x{kw} kernel, weight ({p}, {q})",
                       (images, kernel, targets, p, q)))
    return cases


def _weight_gradient(images, kernel, targets, p, q):
    return kernel_descent.kernel_gradient(images, kernel, targets)[p, q]


@never_raises
def check_weight_gradient(learner_fn):
    """Notebook 08: ``my_weight_gradient(images, kernel, targets, p, q)``: the number
    dL/dkernel[p, q] for the mean squared error L over all N * H' * W' positions."""
    name = _name(learner_fn, "my_weight_gradient")
    cases = _gradient_cases()
    for number, (description, args) in enumerate(cases, start=1):
        expected = _weight_gradient(*args)
        got, failed = _call(learner_fn, name, *_copies(args),
                            where=f"\n   on case {number} ({description}).")
        if failed is not None:
            return failed
        if _numeric(got) and np.size(got) != 1:
            return _verdict(False, f"{FAIL} Case {number} ({description}): expected one "
                                   f"number (the gradient of weight (p, q)), got "
                                   f"{_describe(got)}")
        problem = compare(np.reshape(got, ()) if _numeric(got) else got, expected,
                          atol=1e-8)
        if problem:
            why = _diagnose(got, args)
            shown = (f"{float(np.reshape(np.asarray(got, dtype=float), ())):.6g}"
                     if _numeric(got) else _describe(got))
            return _with_hint(_verdict(
                False,
                f"{FAIL} Case {number} ({description}): {_end(problem)}\n"
                f"   Expected {expected:.6g}, got {shown}"
                + (f"\n   {why}." if why else ""),
            ), "the error map is e = maps - targets; the gradient of weight (p, q) "
               "is 2 / M times the sum of e[n, i, j] * images[n, i + p, j + q], "
               "M = the number of entries of e.")
    return _verdict(True, f"{PASS} `{name}` is correct on all {len(cases)} cases.")


def _numeric(value) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def _diagnose(got, args):
    """Name the slip when the answer matches a known wrong formula."""
    if not _numeric(got) or np.size(got) != 1:
        return ""
    got = float(np.reshape(np.asarray(got, dtype=float), ()))
    images, kernel, targets, p, q = args
    right = _weight_gradient(*args)
    size = np.size(targets)
    flipped = kernel_descent.kernel_gradient(images, kernel[::-1, ::-1], targets)
    known = {
        "the sign is wrong: the error is maps - targets, not targets - maps": -right,
        "the factor 2 is missing (the derivative of e**2 is 2e)": right / 2,
        "the division by M (the number of error entries) is missing": right * size,
    }
    kh, kw = kernel.shape
    known["the kernel looks flipped: the forward pass is a correlation (no flip)"] = \
        flipped[kh - 1 - p, kw - 1 - q]
    for why, value in known.items():
        if np.isclose(got, value, rtol=1e-6, atol=1e-9) and not np.isclose(got, right):
            return why
    return ""


def _step(images, kernel, targets, learning_rate):
    gradient = kernel_descent.kernel_gradient(images, kernel, targets)
    return kernel - learning_rate * gradient


@never_raises
def check_step(learner_fn):
    """Notebook 08: ``my_step(images, kernel, targets, learning_rate)`` returns the
    kernel after one step of gradient descent, as a new array."""
    name = _name(learner_fn, "my_step")
    rng = _rng(80)
    cases = []
    for n, (h, w), (kh, kw), rate in [
        (1, (6, 5), (3, 3), 0.01),
        (2, (5, 7), (3, 3), 0.05),
        (3, (6, 6), (2, 3), 0.002),
    ]:
        images = rng.integers(0, 5, size=(n, h, w)).astype(float)
        kernel = rng.normal(size=(kh, kw)).round(2)
        targets = kernel_descent.feature_maps(images, rng.normal(size=(kh, kw)))
        cases.append((f"{n} image(s) of {h}x{w}, a {kh}x{kw} kernel, learning rate "
                      f"{rate:g}", (images, kernel, targets, rate)))
    for number, (description, args) in enumerate(cases, start=1):
        expected = _step(*args)
        given = _copies(args)
        got, failed = _call(learner_fn, name, *given,
                            where=f"\n   on case {number} ({description}).")
        if failed is not None:
            return failed
        problem = compare(got, expected, atol=1e-9)
        if problem:
            images, kernel, targets, rate = args
            gradient = kernel_descent.kernel_gradient(images, kernel, targets)
            why = ""
            if _numeric(got) and np.shape(got) == kernel.shape:
                got_arr = np.asarray(got, dtype=float)
                if np.allclose(got_arr, kernel + rate * gradient):
                    why = ("This steps uphill: `+` the gradient makes the loss grow. "
                           "Subtract it.")
                elif np.allclose(got_arr, kernel - gradient):
                    why = "The learning rate is missing: multiply the gradient by it."
                elif np.allclose(got_arr, -rate * gradient):
                    why = "This is only the change: add it to the old kernel."
            return _verdict(
                False,
                f"{FAIL} Case {number} ({description}): {_end(problem)}\n"
                f"   Expected {_describe(expected)}\n   Got {_describe(got)}"
                + (f"\n   {why}" if why else ""),
            )
        if not np.array_equal(given[1], args[1]):
            return _verdict(
                False,
                f"{FAIL} Case {number} ({description}): the numbers are right, but "
                "`kernel` itself was changed. Return a new array "
                "(`kernel - learning_rate * gradient`), so the caller's kernel stays "
                "as it was (`kernel -= ...` changes it in place).",
            )
    return _verdict(True, f"{PASS} `{name}` is correct on all {len(cases)} cases.")
