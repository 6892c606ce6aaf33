"""Classic hand-made 3x3 kernels (a.k.a. filters): edges, blur, sharpen.

Before CNNs learned their kernels, image processing used these hand-designed ones.
Notebook 02 slides each over a photo; the kernel explorer widget offers them as presets.
`classic_kernels` returns fresh arrays on every call, so editing one in a notebook
cannot change the next cell's.

Two families, told apart by the sum of their weights:

- edge detectors sum to 0: on a flat region (all pixels equal) they give 0; only a
  change of brightness gives a response, positive or negative by its direction;
- blur, sharpen and identity sum to 1: they keep the average brightness of the image.
"""

from __future__ import annotations

import numpy as np

__all__ = ["classic_kernels"]


def classic_kernels() -> dict[str, np.ndarray]:
    """Name -> (3, 3) float kernel, in the order notebook 02 shows them.

    Returns
    -------
    dict of str -> (3, 3) ndarray
        ``"identity"``: copies the image (the centre pixel only).
        ``"vertical edge"``: Sobel; positive where brightness rises left to right.
        ``"horizontal edge"``: Sobel; positive where brightness rises top to bottom.
        ``"diagonal edge"``: positive where brightness rises towards the top right.
        ``"box blur"``: the mean of the 3x3 window.
        ``"gaussian blur"``: a weighted mean, the centre counting most.
        ``"sharpen"``: the centre minus its four neighbours, added to the image.
        ``"outline"``: the centre minus the mean of all eight neighbours (Laplacian).
        ``"lesson X"``: the "X" of ones from notebook 01.
    """
    kernels = {
        "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "vertical edge": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        "horizontal edge": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        "diagonal edge": [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],
        "box blur": np.ones((3, 3)) / 9,
        "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
        "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
        "lesson X": [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
    }
    return {name: np.array(k, dtype=float) for name, k in kernels.items()}
