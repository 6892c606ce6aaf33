"""Checks for the dense layer and the parameter counts of conv and dense layers."""

from __future__ import annotations

import numpy as np

from helpers import architecture, layers
from helpers.checks.core import (
    _rng,
    _with_hint,
    check_function,
)


def check_dense(learner_fn):
    """Notebook 06: ``my_dense(x, W, b) = x @ W + b``, W of shape (inputs, units)."""
    rng = _rng(6)
    cases = [
        ("3 inputs, 2 units", (np.array([1.0, 2.0, 3.0]),
                               np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
                               np.array([0.5, -0.5]))),
        ("a square W (3 inputs, 3 units): W must not be transposed",
         (rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=3))),
        ("8 inputs, 1 unit", (rng.normal(size=8), rng.normal(size=(8, 1)),
                              rng.normal(size=1))),
        ("5 inputs, 4 units, zero bias", (rng.normal(size=5), rng.normal(size=(5, 4)),
                                          np.zeros(4))),
    ]
    return check_function(learner_fn, layers.dense, cases, "my_dense")


def _conv_params(kernel_size, channels, filters):
    """Notebook 06's square-kernel signature of `architecture.conv_params`."""
    return architecture.conv_params(kernel_size, kernel_size, channels, filters)


def check_conv_params(learner_fn):
    """Notebook 06: ``conv_params(kernel_size, channels, filters)``, all parameters."""
    cases = [
        ("3x3 kernels, 1 channel, 2 filters", (3, 1, 2)),
        ("3x3 kernels, 1 channel, 32 filters", (3, 1, 32)),
        ("3x3 kernels, 32 channels, 64 filters", (3, 32, 64)),
        ("5x5 kernels, 3 channels (RGB), 16 filters", (5, 3, 16)),
        ("1x1 kernels, 8 channels, 4 filters", (1, 8, 4)),
    ]
    result = check_function(learner_fn, _conv_params, cases, "conv_params", exact=True)
    return _with_hint(result, "a filter has kernel_size * kernel_size * channels "
                              "weights and 1 bias; there are `filters` of them.")


def check_dense_params(learner_fn):
    """Notebook 06: ``dense_params(inputs, units)``, weights + biases."""
    cases = [
        ("18 inputs, 3 units", (18, 3)),
        ("1 input, 1 unit", (1, 1)),
        ("5408 inputs, 10 units", (5408, 10)),
        ("1600 inputs, 128 units", (1600, 128)),
    ]
    result = check_function(learner_fn, architecture.dense_params, cases, "dense_params",
                            exact=True)
    return _with_hint(result, "every unit has one weight per input and 1 bias.")
