"""Checks for notebook 08: the gradient of one kernel weight, one gradient step, and one
step of Adam.

The cases are chosen so that each plausible slip gets ❌: a sign error (target minus
map), a missing factor 2 or 1/M, a flipped kernel (true convolution instead of the
correlation), rows and columns swapped, a step uphill (``+`` instead of ``-``), a
learning rate forgotten, the learner's `kernel` changed in place (`check_function`
refuses a function that changes its input). For Adam: the bias correction left out,
epsilon inside the square root, the gradient not squared in `v`, the square root left out,
the corrected m_hat returned in place of `m`, a step uphill.
"""

from __future__ import annotations

import numpy as np

from helpers import kernel_descent
from helpers.checks.core import (
    _name,
    _rng,
    _with_hint,
    check_function,
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
    result = check_function(learner_fn, _weight_gradient, _gradient_cases(),
                            _name(learner_fn, "my_weight_gradient"), atol=1e-8,
                            one_number="the gradient of weight (p, q)",
                            diagnose=_gradient_slip)
    return _with_hint(result, "the error map is e = maps - targets; the gradient of "
                              "weight (p, q) is 2 / M times the sum of e[n, i, j] * "
                              "images[n, i + p, j + q], M = the number of entries of e.")


def _gradient_slip(got: float, images, kernel, targets, p, q) -> str:
    """Name the slip when the answer matches a known wrong formula."""
    right = _weight_gradient(images, kernel, targets, p, q)
    flipped = kernel_descent.kernel_gradient(images, kernel[::-1, ::-1], targets)
    kh, kw = kernel.shape
    known = {
        "the sign is wrong: the error is maps - targets, not targets - maps": -right,
        "the factor 2 is missing (the derivative of e**2 is 2e)": right / 2,
        "the division by M (the number of error entries) is missing":
            right * np.size(targets),
        "the kernel looks flipped: the forward pass is a correlation (no flip)":
            flipped[kh - 1 - p, kw - 1 - q],
    }
    for why, value in known.items():
        if np.isclose(got, value, rtol=1e-6, atol=1e-9) and not np.isclose(got, right):
            return why
    return ""


def _step(images, kernel, targets, learning_rate):
    return kernel - learning_rate * kernel_descent.kernel_gradient(images, kernel,
                                                                   targets)


def _step_slip(got, images, kernel, targets, rate) -> str:
    """Name the slip when the returned kernel matches a known wrong step."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return ""
    if got.shape != kernel.shape:
        return ""
    gradient = kernel_descent.kernel_gradient(images, kernel, targets)
    if np.allclose(got, kernel + rate * gradient):
        return "This steps uphill: `+` the gradient makes the loss grow. Subtract it."
    if np.allclose(got, kernel - gradient):
        return "The learning rate is missing: multiply the gradient by it."
    if np.allclose(got, -rate * gradient):
        return "This is only the change: add it to the old kernel."
    return ""


@never_raises
def check_step(learner_fn):
    """Notebook 08: ``my_step(images, kernel, targets, learning_rate)`` returns the
    kernel after one step of gradient descent, as a new array."""
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
    return check_function(learner_fn, _step, cases, _name(learner_fn, "my_step"),
                          atol=1e-9, diagnose=_step_slip)


def _adam_slips(kernel, g, m, v, t, rate):
    """The results of the usual wrong Adam steps, by what is wrong."""
    b1, b2, eps = kernel_descent.BETA1, kernel_descent.BETA2, kernel_descent.EPSILON
    right, m_new, v_new = kernel_descent.adam_step(kernel, g, m, v, t, rate)
    m_hat, v_hat = m_new / (1 - b1**t), v_new / (1 - b2**t)
    return {
        "The bias correction is missing: divide m by 1 - beta1**t and v by "
        "1 - beta2**t (both start at 0, so early on they are far too small)":
            (kernel - rate * m_new / (np.sqrt(v_new) + eps), m_new, v_new),
        "Epsilon goes outside the square root: sqrt(v_hat) + eps":
            (kernel - rate * m_hat / np.sqrt(v_hat + eps), m_new, v_new),
        "`v` is a running mean of the *squared* gradients: gradient**2":
            (kernel - rate * m_hat / (np.sqrt(np.abs(
                (b2 * v + (1 - b2) * g) / (1 - b2**t))) + eps), m_new,
             b2 * v + (1 - b2) * g),
        "The step divides by the square root of v_hat, not by v_hat itself":
            (kernel - rate * m_hat / (v_hat + eps), m_new, v_new),
        "Return the running m and v themselves, not the corrected m_hat and v_hat "
        "(the next step starts from them)": (right, m_hat, v_hat),
        "This steps uphill: subtract the step from the kernel": (
            kernel + rate * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new),
    }


def _adam_slip(got, kernel, g, m, v, t, rate) -> str:
    """Name the slip when the returned (kernel, m, v) matches a known wrong step."""
    try:
        parts = [np.asarray(part, dtype=float) for part in got]
    except (TypeError, ValueError):
        return "Return three arrays: the new kernel, m and v (a tuple)."
    if len(parts) != 3 or any(part.shape != kernel.shape for part in parts):
        return ("Return three arrays of the kernel's shape, in this order: the new "
                "kernel, m and v.")
    for why, wrong in _adam_slips(kernel, g, m, v, t, rate).items():
        if all(np.allclose(a, b, rtol=1e-6, atol=1e-12)
               for a, b in zip(parts, wrong, strict=True)):
            return why
    return ""


def _adam_cases():
    """(description, (kernel, gradient, m, v, t, learning_rate)): a first step, later
    steps with running averages, gradients of every size (tiny ones make epsilon's
    place matter), and non-square kernels."""
    rng = _rng(88)
    cases = []
    for (kh, kw), t, rate, scale in [
        ((2, 2), 1, 0.1, 1.0),
        ((3, 3), 5, 0.01, 3.0),
        ((2, 3), 2, 0.05, 1e-6),
        ((3, 2), 40, 0.001, 0.2),
    ]:
        kernel = rng.normal(size=(kh, kw)).round(2)
        gradient = rng.normal(size=(kh, kw)) * scale
        if t == 1:
            m, v = np.zeros((kh, kw)), np.zeros((kh, kw))
        else:
            m = rng.normal(size=(kh, kw)) * scale * 0.5
            v = (rng.normal(size=(kh, kw)) * scale) ** 2
        cases.append((f"a {kh}x{kw} kernel, step t = {t}, learning rate {rate:g}, "
                      f"gradients of size about {scale:g}",
                      (kernel, gradient, m, v, t, rate)))
    return cases


@never_raises
def check_adam_step(learner_fn):
    """Notebook 08: ``my_adam_step(kernel, gradient, m, v, t, learning_rate)`` returns
    ``(kernel, m, v)`` after one step of Adam (Keras's betas 0.9 and 0.999, epsilon
    1e-7), as new arrays."""
    result = check_function(learner_fn, kernel_descent.adam_step, _adam_cases(),
                            _name(learner_fn, "my_adam_step"), atol=1e-9,
                            diagnose=_adam_slip)
    return _with_hint(result, "go through the formula line by line: m, v, then both "
                              "bias corrections with this step's number t, then the "
                              "step; print each on case 1, where m and v start at 0.")
