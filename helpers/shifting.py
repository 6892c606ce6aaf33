"""Move images by whole pixels: what a shift does to a trained model (notebook 10).

Notebook 07 moved every test item 3 pixels to the right, and both of its networks lost
more than 20 points of accuracy. Notebook 10 asks the same of the trained CNN of
notebook 09, with each item moved 3 pixels in a random direction:

- `shift(images, rows, cols)` moves every image of a batch by the same whole number of
  pixels; zeros (the black background) fill what the move uncovers;
- `random_shifts(images, pixels, seed)` moves each image `pixels` pixels up, down, left
  or right, one direction per image, drawn by a seeded random generator;
  `random_directions(count, seed)` names the directions it draws.

Both keep the shape and the dtype of the images, so the result goes straight into
``model.evaluate``. Unlike Keras's ``RandomTranslation`` they never blur: a pixel moves
whole, or falls off the edge.
"""

from __future__ import annotations

import numpy as np

from helpers.validation import int_arg

__all__ = ["DIRECTIONS", "shift", "random_directions", "random_shifts"]

# (name, rows, cols) of a move by one pixel; `random_shifts` multiplies by `pixels`.
DIRECTIONS = (("up", -1, 0), ("down", 1, 0), ("left", 0, -1), ("right", 0, 1))


def _images_arg(images) -> np.ndarray:
    """`images` as an (N, H, W) or (N, H, W, C) ndarray of numbers, or raise."""
    if not isinstance(images, np.ndarray):
        raise TypeError(f"`images` must be a numpy array of shape (N, H, W) or "
                        f"(N, H, W, C), got {type(images).__name__}")
    if images.ndim not in (3, 4):
        raise ValueError(f"`images` must have shape (N, H, W) or (N, H, W, C), got "
                         f"shape {images.shape}; for one image use image[None]")
    if not (np.issubdtype(images.dtype, np.number) or images.dtype == bool):
        raise TypeError(f"`images` must hold numbers, got dtype {images.dtype}")
    return images


def _kept(size: int, move: int) -> tuple[slice, slice]:
    """(from, to): the `size - |move|` positions along one axis that stay in the
    frame when that axis moves by `move` pixels (positive: towards larger indexes)."""
    if move >= 0:
        return slice(0, size - move), slice(move, size)
    return slice(-move, size), slice(0, size + move)


def shift(images, rows: int, cols: int) -> np.ndarray:
    """Move every image by `rows` pixels down and `cols` pixels right.

    A pixel at (r, c) goes to (r + rows, c + cols); pixels moved past an edge are
    lost, and the positions nothing moves into are 0. Negative values move up or
    left. Each image keeps (H - |rows|) x (W - |cols|) of its pixels.

    Parameters
    ----------
    images : (N, H, W) or (N, H, W, C) ndarray
        A batch of images, channels last (one image: ``image[None]``).
    rows : int, -(H - 1) <= rows <= H - 1
        Pixels down (negative: up).
    cols : int, -(W - 1) <= cols <= W - 1
        Pixels right (negative: left).

    Returns
    -------
    moved : ndarray, the same shape and dtype as `images`
        A new array; `images` is not changed.
    """
    images = _images_arg(images)
    height, width = images.shape[1:3]
    rows = int_arg(rows, "rows", minimum=-(height - 1), maximum=height - 1)
    cols = int_arg(cols, "cols", minimum=-(width - 1), maximum=width - 1)
    from_rows, to_rows = _kept(height, rows)
    from_cols, to_cols = _kept(width, cols)
    moved = np.zeros_like(images)
    moved[:, to_rows, to_cols] = images[:, from_rows, from_cols]
    return moved


def _direction_indexes(count: int, seed: int | None) -> np.ndarray:
    """(count,) indexes into `DIRECTIONS`, each of the four with probability 1/4."""
    if seed is not None:
        seed = int_arg(seed, "seed", minimum=0)
    return np.random.default_rng(seed).integers(len(DIRECTIONS), size=count)


def random_directions(count: int, seed: int = 0) -> list[str]:
    """The names ("up", "down", "left" or "right") of the directions in which
    ``random_shifts`` of `count` images with this `seed` moves each image, in order."""
    count = int_arg(count, "count", minimum=0)
    return [DIRECTIONS[d][0] for d in _direction_indexes(count, seed)]


def random_shifts(images, pixels: int = 3, seed: int | None = 0) -> np.ndarray:
    """Move each image `pixels` pixels up, down, left or right, chosen at random.

    Image i moves in direction ``DIRECTIONS[d[i]]`` with
    ``d = np.random.default_rng(seed).integers(4, size=N)``: each of the four with
    probability 1/4, independently per image. The same seed gives the same
    directions, so the same moved images.

    Parameters
    ----------
    images : (N, H, W) or (N, H, W, C) ndarray
    pixels : int, 0 <= pixels < min(H, W)
        How far every image moves.
    seed : int >= 0 or None
        Seed of the random directions (None: different on every call).

    Returns
    -------
    moved : ndarray, the same shape and dtype as `images`
    """
    images = _images_arg(images)
    pixels = int_arg(pixels, "pixels", minimum=0, maximum=min(images.shape[1:3]) - 1)
    directions = _direction_indexes(len(images), seed)
    moved = np.zeros_like(images)
    for i, d in enumerate(directions):  # one image at a time, each in its direction
        _name, down, right = DIRECTIONS[d]
        moved[i] = shift(images[i : i + 1], down * pixels, right * pixels)[0]
    return moved
