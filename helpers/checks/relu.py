"""Checks for ReLU and for two stacked convolutions as one kernel."""

from __future__ import annotations

import numpy as np

from helpers import layers
from helpers.checks.core import (
    _rng,
    check_function,
)


def check_relu(learner_fn):
    """Notebook 04: the learner's ``my_relu(x)`` on scalars, arrays, negatives, zeros."""
    rng = _rng(3)
    cases = [
        ("a positive scalar, 3.0", (3.0,)),
        ("a negative scalar, -2.5", (-2.5,)),
        ("zero", (0.0,)),
        ("a 1-D array with negatives, zeros and positives",
         (np.array([-3.0, -0.5, 0.0, 0.5, 3.0]),)),
        ("a 3x3 feature map with negatives",
         (rng.integers(-4, 5, (3, 3)).astype(float),)),
        ("all negative: every entry becomes 0", (-rng.uniform(0.1, 5, (2, 4)),)),
        ("a random (4, 4, 2) array", (rng.normal(size=(4, 4, 2)),)),
    ]
    return check_function(learner_fn, layers.relu, cases, "my_relu")


def combined_kernel_reference(k1, k2):
    """The answer key of notebook 04's ``combined_kernel`` (the lesson falls back to it
    until the check passes)."""
    # Stacking cross-correlations = one cross-correlation with the full *convolution*
    # of k1 and k2, i.e. k1 zero-padded and cross-correlated with k2 flipped.
    kh2, kw2 = k2.shape
    padded = np.pad(k1, ((kh2 - 1, kh2 - 1), (kw2 - 1, kw2 - 1)))
    return layers.conv2d(padded, k2[::-1, ::-1])


def check_combined_kernel(learner_fn):
    """Notebook 04: ``combined_kernel(k1, k2)``, the one kernel doing k1 then k2."""
    rng = _rng(4)
    cases = [
        ("two 3x3 kernels", (rng.integers(-2, 3, (3, 3)).astype(float),
                             rng.integers(-2, 3, (3, 3)).astype(float))),
        # results that are not square too: a side taken from the heights shows there
        ("a 2x3 kernel then a 3x3 kernel: a 4x5 result", (rng.normal(size=(2, 3)),
                                                          rng.normal(size=(3, 3)))),
        ("not square: 1x3 then 3x1", (np.array([[1.0, 0.0, -1.0]]),
                                      np.array([[1.0], [2.0], [1.0]]))),
        ("1x3 then 1x3: a 1x5 result", (np.array([[1.0, 2.0, -1.0]]),
                                        np.array([[0.5, -1.0, 3.0]]))),
    ]
    return check_function(
        learner_fn, combined_kernel_reference, cases, "combined_kernel"
    )
