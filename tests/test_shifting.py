"""Whole-pixel shifts of images (helpers.shifting), used by notebook 10.

Oracles: hand-worked 4 x 4 arrays, and an independent formulation (``np.roll``, then
zeros written over the rows and columns that wrapped around).
"""

import numpy as np
import pytest

from helpers.shifting import DIRECTIONS, random_directions, random_shifts, shift

# One 4 x 4 image whose pixel (r, c) holds 10 * r + c + 1 (no zeros inside it).
GRID = np.array([[1, 2, 3, 4],
                 [11, 12, 13, 14],
                 [21, 22, 23, 24],
                 [31, 32, 33, 34]])


def rolled(images, rows, cols):
    """The oracle: np.roll wraps pixels around; zero what wrapped."""
    out = np.roll(images, (rows, cols), axis=(1, 2))
    if rows > 0:
        out[:, :rows] = 0
    elif rows < 0:
        out[:, rows:] = 0
    if cols > 0:
        out[:, :, :cols] = 0
    elif cols < 0:
        out[:, :, cols:] = 0
    return out


# ------------------------------------------------------------------ shift, by hand
def test_one_pixel_right_by_hand():
    expected = np.array([[0, 1, 2, 3],
                         [0, 11, 12, 13],
                         [0, 21, 22, 23],
                         [0, 31, 32, 33]])
    assert np.array_equal(shift(GRID[None], 0, 1)[0], expected)


def test_two_pixels_up_by_hand():
    expected = np.array([[21, 22, 23, 24],
                         [31, 32, 33, 34],
                         [0, 0, 0, 0],
                         [0, 0, 0, 0]])
    assert np.array_equal(shift(GRID[None], -2, 0)[0], expected)


def test_down_and_left_by_hand():
    expected = np.array([[0, 0, 0, 0],
                         [3, 4, 0, 0],
                         [13, 14, 0, 0],
                         [23, 24, 0, 0]])
    assert np.array_equal(shift(GRID[None], 1, -2)[0], expected)


def test_no_move_is_a_copy():
    images = GRID[None].copy()
    moved = shift(images, 0, 0)
    assert np.array_equal(moved, images) and moved is not images
    moved[0, 0, 0] = 99
    assert images[0, 0, 0] == 1  # the input is never changed


def test_the_largest_move_keeps_one_row():
    moved = shift(GRID[None], 3, 0)[0]
    assert np.array_equal(moved[3], GRID[0]) and not moved[:3].any()


@pytest.mark.parametrize("rows, cols", [(0, 3), (0, -3), (3, 0), (-3, 0), (2, -1),
                                        (-5, 7), (27, 0), (0, -27)])
def test_agrees_with_rolling_and_zeroing(rows, cols):
    images = np.random.default_rng(1).random((5, 28, 28, 1)).astype("float32") + 1
    assert np.array_equal(shift(images, rows, cols), rolled(images, rows, cols))


def test_three_pixels_of_a_28_wide_item_keep_25_columns():
    ones = np.ones((2, 28, 28))
    moved = shift(ones, 0, 3)
    kept = moved.any(axis=(0, 1))  # columns with any pixel left
    assert kept.sum() == 25 and not kept[:3].any()
    assert moved.sum() == 2 * 28 * 25
    assert shift(ones, -3, 3).sum() == 2 * 25 * 25


@pytest.mark.parametrize("dtype", ["uint8", "float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("shape", [(3, 4, 4), (3, 4, 4, 1), (2, 4, 4, 3)])
def test_shape_and_dtype_are_kept(dtype, shape):
    images = np.ones(shape, dtype=dtype)
    moved = shift(images, 1, -1)
    assert moved.shape == images.shape and moved.dtype == images.dtype


def test_every_channel_moves_alike():
    images = np.stack([GRID, 2 * GRID, 3 * GRID], axis=-1)[None]  # (1, 4, 4, 3)
    moved = shift(images, 1, 1)
    for c in range(3):
        assert np.array_equal(moved[..., c], shift(images[..., c], 1, 1))


# ------------------------------------------------------------------ shift, errors
def test_a_list_is_refused_by_name():
    with pytest.raises(TypeError, match=r"`images` must be a numpy array.*got list"):
        shift(GRID.tolist(), 0, 1)


@pytest.mark.parametrize("shape", [(4, 4), (1, 1, 4, 4, 1), (4,)])
def test_a_wrong_number_of_axes_is_refused(shape):
    with pytest.raises(ValueError, match="`images` must have shape") as error:
        shift(np.zeros(shape), 0, 1)
    assert f"got shape {shape}" in str(error.value)


def test_text_is_refused():
    with pytest.raises(TypeError, match="`images` must hold numbers"):
        shift(np.full((1, 4, 4), "a"), 0, 1)


@pytest.mark.parametrize("name, rows, cols", [("rows", 4, 0), ("rows", -4, 0),
                                              ("cols", 0, 4), ("cols", 0, -30)])
def test_a_move_out_of_the_frame_is_refused(name, rows, cols):
    with pytest.raises(ValueError, match=rf"`{name}` must be in -3\.\.3"):
        shift(GRID[None], rows, cols)


@pytest.mark.parametrize("name, rows, cols", [("rows", 1.0, 0), ("cols", 0, "2"),
                                              ("rows", True, 0)])
def test_a_move_that_is_not_an_int_is_refused(name, rows, cols):
    with pytest.raises(TypeError, match=rf"`{name}` must be an integer"):
        shift(GRID[None], rows, cols)


def test_numpy_ints_are_accepted():
    assert np.array_equal(shift(GRID[None], np.int64(0), np.int32(1)),
                          shift(GRID[None], 0, 1))


# ------------------------------------------------------------------ random_shifts
def test_each_item_moves_in_one_of_the_four_directions():
    images = np.random.default_rng(2).random((200, 28, 28, 1)).astype("float32") + 1
    moved = random_shifts(images, pixels=3, seed=0)
    seen = set()
    for image, result in zip(images, moved, strict=True):
        matches = [name for name, down, right in DIRECTIONS
                   if np.array_equal(result, shift(image[None], 3 * down, 3 * right)[0])]
        assert len(matches) == 1  # exactly one direction (the image has no zeros)
        seen.add(matches[0])
    assert seen == {"up", "down", "left", "right"}


def test_the_directions_come_from_the_seeded_generator():
    images = np.random.default_rng(3).random((50, 6, 6)) + 1
    chosen = np.random.default_rng(7).integers(4, size=50)
    moved = random_shifts(images, pixels=2, seed=7)
    for i, d in enumerate(chosen):
        _, down, right = DIRECTIONS[d]
        assert np.array_equal(moved[i], shift(images[i : i + 1], 2 * down, 2 * right)[0])


def test_random_directions_name_the_moves_of_random_shifts():
    images = np.random.default_rng(5).random((60, 7, 7)) + 1
    moved = random_shifts(images, pixels=2, seed=11)
    names = random_directions(60, seed=11)
    assert len(names) == 60 and set(names) == {"up", "down", "left", "right"}
    by_name = {name: (down, right) for name, down, right in DIRECTIONS}
    for image, result, name in zip(images, moved, names, strict=True):
        down, right = by_name[name]
        assert np.array_equal(result, shift(image[None], 2 * down, 2 * right)[0])


def test_random_directions_refuses_a_bad_count():
    with pytest.raises(ValueError, match="count"):
        random_directions(-1)
    assert random_directions(0) == []


def test_the_same_seed_gives_the_same_images():
    images = np.random.default_rng(4).random((100, 8, 8, 1))
    assert np.array_equal(random_shifts(images, 2, seed=5), random_shifts(images, 2, seed=5))
    assert not np.array_equal(random_shifts(images, 2, seed=5),
                              random_shifts(images, 2, seed=6))


def test_about_a_quarter_of_the_items_go_each_way():
    images = np.zeros((4000, 4, 4))
    images[:, 0, 0] = 1  # a bright top-left pixel: moving up or left drops it
    moved = random_shifts(images, pixels=1, seed=0)
    lost = moved.sum(axis=(1, 2)) == 0
    assert abs(lost.mean() - 0.5) < 0.03  # up or left: 2 directions of 4


def test_random_shifts_keep_shape_and_dtype_and_the_input():
    images = (np.arange(3 * 28 * 28) % 256).astype("uint8").reshape(3, 28, 28)
    before = images.copy()
    moved = random_shifts(images, 3)
    assert moved.shape == images.shape and moved.dtype == np.uint8
    assert np.array_equal(images, before)


def test_zero_pixels_changes_nothing():
    images = np.random.default_rng(5).random((10, 5, 5, 2))
    assert np.array_equal(random_shifts(images, 0, seed=1), images)


@pytest.mark.parametrize("pixels, error, match", [
    (28, ValueError, r"`pixels` must be in 0\.\.27"),
    (-1, ValueError, r"`pixels` must be in 0\.\.27"),
    (2.5, TypeError, "`pixels` must be an integer"),
])
def test_bad_pixels_are_refused(pixels, error, match):
    with pytest.raises(error, match=match):
        random_shifts(np.zeros((2, 28, 28)), pixels)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), ("0", TypeError),
                                         (1.5, TypeError)])
def test_bad_seeds_are_refused(seed, error):
    with pytest.raises(error, match="`seed` must be"):
        random_shifts(np.zeros((2, 28, 28)), 3, seed=seed)


def test_bad_images_are_refused_by_random_shifts_too():
    with pytest.raises(ValueError, match="`images` must have shape"):
        random_shifts(np.zeros((28, 28)), 3)
