"""helpers.own_item: an uploaded photo or a drawing made a Fashion-MNIST item, against
hand-made pictures whose item we can work out on paper."""

import io

import numpy as np
import pytest
from PIL import Image

from helpers import own_item


def png(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_square_on_black_fills_the_frame():
    picture = np.zeros((100, 100))
    picture[10:30, 60:80] = 200  # a 20 x 20 grey square, off centre
    item = own_item.fashion_item(picture)
    assert item.shape == (28, 28)
    # trimmed to the square, shrunk 20 -> 28 (grown), no border left; sharpening keeps
    # a flat square flat
    np.testing.assert_allclose(item, 200 / 255, atol=1 / 255)


def test_a_dark_item_on_white_is_negated_and_centred_in_proportion():
    picture = np.full((200, 120, 3), 255, np.uint8)
    picture[40:180, 20:100] = (0, 0, 0)  # a 140 x 80 black rectangle on white
    item = own_item.fashion_item(own_item.read_upload(png(picture)))
    bright = np.argwhere(item > 0.5)
    # 140 x 80 -> 28 x 16, centred: rows 0..27, columns 6..21
    assert bright.min(axis=0).tolist() == [0, 6]
    assert bright.max(axis=0).tolist() == [27, 21]
    assert item[:, :6].max() == 0 and item[:, 22:].max() == 0  # the black margins
    assert item[14, 14] == 1.0  # the black item became white


def test_the_levels_are_eight_bit_and_in_range():
    rng = np.random.default_rng(0)
    picture = np.zeros((60, 90))
    picture[5:55, 10:80] = rng.random((50, 70))
    item = own_item.fashion_item(picture)
    assert 0 <= item.min() and item.max() <= 1
    np.testing.assert_array_equal(item * 255, np.round(item * 255))


def test_grey_and_rgb_give_the_same_item():
    grey = np.zeros((40, 30), np.uint8)
    grey[8:30, 5:25] = 180
    rgb = np.stack([grey] * 3, axis=-1)
    np.testing.assert_array_equal(own_item.fashion_item(grey), own_item.fashion_item(rgb))


def test_a_drawing_in_0_to_1_is_not_negated():
    drawing = np.zeros((28, 28))
    drawing[4:24, 10:18] = 1.0  # a light bar on the black canvas
    item = own_item.fashion_item(drawing)
    assert item[14, 14] == 1.0 and item[0, 0] == 0.0


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"hello, this is text", "not a picture"),
    (png(np.zeros((2, 2)))[:20], "not a picture"),  # a cut-off PNG
])
def test_a_bad_upload_says_what_is_wrong(data, words):
    with pytest.raises(ValueError, match=words):
        own_item.read_upload(data)


def test_an_upload_that_is_not_bytes_is_named():
    with pytest.raises(TypeError, match="`data` must be the bytes"):
        own_item.read_upload("photo.png")


def test_a_huge_picture_is_refused_before_it_is_decoded():
    with pytest.raises(ValueError, match="at most 4000 pixels"):
        own_item.read_upload(png(np.zeros((1, 4001))))


def test_a_flat_picture_has_no_item():
    with pytest.raises(ValueError, match="one flat colour"):
        own_item.fashion_item(np.full((50, 50, 3), 255, np.uint8))


def test_a_bad_shape_is_named():
    with pytest.raises(ValueError, match="`picture`"):
        own_item.fashion_item(np.zeros((10, 10, 4)))
