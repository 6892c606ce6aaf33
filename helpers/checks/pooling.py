"""Checks for max pooling and the pooled shape."""

from __future__ import annotations

import numpy as np

from helpers import layers
from helpers.checks.core import (
    _rng,
    _with_hint,
    check_function,
)


def check_max_pool2d(learner_fn):
    """Notebook 05: ``my_max_pool2d(x, size, stride)``, edges dropped as in Keras."""
    rng = _rng(5)
    lesson = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)
    cases = [
        ("the 4x4 map of the lesson, size 2, stride 2", (lesson, 2, 2)),
        ("a 4x6 map (not square)", (rng.integers(0, 9, (4, 6)).astype(float), 2, 2)),
        ("a 5x5 map: the last row and column are dropped",
         (rng.integers(0, 9, (5, 5)).astype(float), 2, 2)),
        ("all negative numbers (the max is negative too)",
         (-rng.uniform(1, 9, (4, 4)), 2, 2)),
        ("size 3, stride 1 (overlapping windows)", (rng.normal(size=(5, 6)), 3, 1)),
        ("size 2, stride 3 (gaps between windows)", (rng.normal(size=(7, 8)), 2, 3)),
        ("channels: a (4, 4, 3) map, each channel pooled on its own",
         (rng.normal(size=(4, 4, 3)), 2, 2)),
    ]
    return check_function(learner_fn, layers.max_pool2d, cases, "my_max_pool2d")


def _pooled_shape_reference(input_shape, size=2, stride=2):
    H, W, *channels = input_shape
    return (layers.output_size(H, size, stride), layers.output_size(W, size, stride),
            *channels)


def check_pooled_shape(learner_fn):
    """Notebook 05: ``pooled_shape(input_shape, size, stride)`` -> the output shape."""
    cases = [
        ("(4, 4), size 2, stride 2", ((4, 4), 2, 2)),
        ("(5, 5), size 2, stride 2: the odd edge is dropped", ((5, 5), 2, 2)),
        ("(28, 28, 32), size 2, stride 2: channels stay", ((28, 28, 32), 2, 2)),
        ("(13, 13, 64), size 2, stride 2", ((13, 13, 64), 2, 2)),
        ("(7, 7, 8), size 3, stride 2", ((7, 7, 8), 3, 2)),
        ("(6, 9, 3), size 3, stride 1 (not square)", ((6, 9, 3), 3, 1)),
        ("(10, 10, 1), size 2, stride 3", ((10, 10, 1), 2, 3)),
    ]
    result = check_function(learner_fn, _pooled_shape_reference, cases, "pooled_shape",
                            exact=True)
    return _with_hint(result, "H' = floor((H - size) / stride) + 1, the same for W; "
                              "the channels C do not change.")
