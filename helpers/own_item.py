"""Your own item as the series' CNN sees it: a photo or a drawing made Fashion-MNIST-like.

Fashion-MNIST was made from product photos on white backgrounds (Xiao, Rasul and
Vollgraf, 2017): trim the edges that have the colour of the corners, shrink the longest
side to 28 pixels, sharpen, centre on a 28 x 28 canvas, negate (a light item on a dark
background), 8-bit grey. `fashion_item` does the same to any picture, with two
differences said here: it shrinks with a box filter instead of skipping rows and
columns (a photo larger than 28 pixels keeps its thin lines), and it negates only when
the background is light (a drawing on the black canvas is light on dark already).

``read_upload(data)`` turns the bytes of an uploaded file into an RGB array, or says
why it cannot. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import io

import numpy as np

__all__ = ["read_upload", "fashion_item", "SIDE"]

SIDE = 28  # Fashion-MNIST's items are 28 x 28
LARGEST_UPLOAD = 4000  # pixels on a side: a photo from a phone, not a poster
CORNER_TOLERANCE = 0.05  # "close to the corners' colour": within 5% of the full range


def read_upload(data) -> np.ndarray:
    """The picture in the bytes of an uploaded file, as an (H, W, 3) uint8 RGB array.

    Parameters
    ----------
    data : bytes
        The file's content (ipywidgets ``FileUpload``'s ``value[0].content``): PNG,
        JPEG, GIF, BMP, WebP... (whatever Pillow reads).

    Raises
    ------
    ValueError
        The bytes are empty, not a picture, or a picture larger than
        `LARGEST_UPLOAD` pixels on a side.
    """
    from PIL import Image, UnidentifiedImageError

    if isinstance(data, memoryview):
        data = data.tobytes()
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"`data` must be the bytes of a file, got {type(data).__name__}")
    if not data:
        raise ValueError("the file is empty: choose a picture (PNG or JPEG)")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if max(picture.size) > LARGEST_UPLOAD:
                raise ValueError(
                    f"the picture is {picture.size[0]} x {picture.size[1]} pixels: "
                    f"choose one at most {LARGEST_UPLOAD} pixels on a side")
            return np.asarray(picture.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError("this file is not a picture that can be read: choose a PNG or "
                         f"JPEG file ({type(exc).__name__})") from None


def _grey(picture) -> np.ndarray:
    """(H, W) floats in [0, 1] from an (H, W) or (H, W, 3) array of 0..255 or 0..1."""
    from helpers.validation import as_array

    picture = as_array(picture, "picture", (2, 3))
    if picture.ndim == 3:
        if picture.shape[2] != 3:
            raise ValueError(f"`picture` must be (H, W) grey or (H, W, 3) RGB, got shape "
                             f"{picture.shape}")
        picture = picture @ np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma, as Pillow
    if picture.min() < 0:
        raise ValueError("`picture` must hold intensities >= 0 (0..1 or 0..255)")
    return picture / 255.0 if picture.max() > 1 else picture.astype(float)


def _trimmed(grey: np.ndarray) -> np.ndarray:
    """`grey` cut to the box of the pixels that differ from the corners' colour."""
    corners = np.median([grey[0, 0], grey[0, -1], grey[-1, 0], grey[-1, -1]])
    rows, cols = np.nonzero(np.abs(grey - corners) > CORNER_TOLERANCE)
    if rows.size == 0:
        raise ValueError("the picture is one flat colour: there is no item to find "
                         "(draw something, or choose another picture)")
    return grey[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]


def _shrunk(grey: np.ndarray) -> np.ndarray:
    """The longest side made `SIDE` pixels (box filter), the other in proportion."""
    from PIL import Image, ImageFilter

    h, w = grey.shape
    scale = SIDE / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # Pillow: (width, height)
    picture = Image.fromarray(np.uint8(np.round(grey * 255)))
    picture = picture.resize(size, Image.Resampling.BOX)
    picture = picture.filter(ImageFilter.UnsharpMask(radius=1, percent=50, threshold=0))
    return np.asarray(picture, dtype=float) / 255.0


def fashion_item(picture) -> np.ndarray:
    """`picture` made a Fashion-MNIST item: (28, 28), a light item on black, in [0, 1].

    Steps (see the module docstring): grey; trim the edges of the corners' colour;
    negate when that colour is light; the longest side to 28 pixels; centred on black;
    8-bit levels.

    Parameters
    ----------
    picture : (H, W) or (H, W, 3) array
        Intensities 0..255 (an upload) or 0..1 (a drawing).

    Returns
    -------
    (28, 28) float array in [0, 1], multiples of 1/255 (Fashion-MNIST's 8-bit levels)

    Raises
    ------
    ValueError
        A picture of one flat colour (nothing to find), or a bad shape.
    """
    grey = _grey(picture)
    background = np.median([grey[0, 0], grey[0, -1], grey[-1, 0], grey[-1, -1]])
    item = _trimmed(grey)
    if background > 0.5:
        item = 1.0 - item  # a product photo on white: Fashion-MNIST negated those
    item = _shrunk(item)
    canvas = np.zeros((SIDE, SIDE))
    top, left = (SIDE - item.shape[0]) // 2, (SIDE - item.shape[1]) // 2
    canvas[top: top + item.shape[0], left: left + item.shape[1]] = item
    return np.round(canvas * 255) / 255
