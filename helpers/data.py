"""Data: the worked examples of the lessons, Fashion-MNIST (offline or online), a photo.

The worked examples are functions that return fresh arrays, so a learner who changes one
cannot spoil the next cell.
"""

from __future__ import annotations

import numpy as np


# --------------------------------------------------------------------------- worked examples
def binary_image() -> np.ndarray:
    """The 5x5 black-and-white image of notebook 01 (pixels 0 or 1), shape (5, 5)."""
    return np.array(
        [
            [1, 1, 1, 0, 0],
            [0, 1, 1, 1, 0],
            [0, 0, 1, 1, 1],
            [0, 0, 1, 1, 0],
            [0, 1, 1, 0, 0],
        ],
        dtype=float,
    )


def lesson_kernel() -> np.ndarray:
    """The 3x3 filter of notebook 01 (an "X" of ones), shape (3, 3)."""
    return np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)


def pooling_example() -> np.ndarray:
    """The 4x4 rectified feature map of notebook 04, shape (4, 4)."""
    return np.array(
        [
            [1, 1, 2, 4],
            [5, 6, 7, 8],
            [3, 2, 1, 0],
            [1, 2, 3, 4],
        ],
        dtype=float,
    )
