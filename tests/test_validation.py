"""The argument validators: every error names the argument, what came, what was expected."""

import numpy as np
import pytest

from helpers.validation import as_array, padding_arg, positive_int


@pytest.mark.parametrize("value, dtype", [
    ([[1, 2], [3, 4]], np.float64), (np.ones((2, 2), np.int8), np.float64),
    (np.ones((2, 2), bool), np.float64), (np.ones((2, 2), np.float16), np.float32),
    (np.ones((2, 2), np.float32), np.float32), (np.ones((2, 2)), np.float64),
])
def test_as_array_widens_ints_bools_and_float16(value, dtype):
    arr = as_array(value, "image", (2,))
    assert arr.dtype == dtype and arr.shape == (2, 2)


def test_as_array_keeps_float32_and_float64_without_a_copy():
    for dtype in (np.float32, np.float64):
        x = np.ones((3, 3), dtype)
        assert as_array(x, "x", (2,)) is x


def test_float16_widening_avoids_overflow():
    big = np.full((3, 3), 30_000, np.float16)
    assert np.isfinite(as_array(big, "x", (2,)).sum())


@pytest.mark.parametrize("value, error, words", [
    (None, TypeError, "`image` is None"),
    ([[1, 2], [3]], ValueError, "`image` is not a rectangular array"),
    (np.array(["a"]), TypeError, "`image` must hold numbers.*dtype <U1"),
    (np.ones(3), ValueError,
     r"`image` must have 2 or 3 dimensions \(2-D or 3-D\), got shape \(3,\)"),
    (np.ones((0, 3)), ValueError, r"`image` is empty \(shape \(0, 3\)\)"),
    (np.ones((2, 2), complex), TypeError, "`image` must be real"),
    (np.array([[1.0, np.nan]]), ValueError, "`image` contains NaN or infinity"),
    (np.array([[1.0, np.inf]]), ValueError, "`image` contains NaN or infinity"),
    ({"a": 1}, TypeError, "`image` must hold numbers"),
])
def test_as_array_errors_name_the_argument(value, error, words):
    with pytest.raises(error, match=words):
        as_array(value, "image", (2, 3))


def test_as_array_allows_nan_when_asked():
    assert np.isnan(as_array([np.nan, 1.0], "x", (1,), allow_nan=True)[0])


@pytest.mark.parametrize("value", [1, 7, np.int8(3), np.uint64(2), np.int64(10**6)])
def test_positive_int_accepts_any_integer_type(value):
    assert positive_int(value, "stride") == int(value)
    assert type(positive_int(value, "stride")) is int


@pytest.mark.parametrize("value, error", [
    (0, ValueError), (-3, ValueError), (1.0, TypeError), (2.5, TypeError),
    (True, TypeError), ("2", TypeError), (None, TypeError), (np.float64(2), TypeError),
    (np.array([2]), TypeError),
])
def test_positive_int_refuses_the_rest_naming_the_argument(value, error):
    with pytest.raises(error, match="`stride`"):
        positive_int(value, "stride")


@pytest.mark.parametrize("value, expected", [
    (0, 0), (2, 2), (np.int32(1), 1), ("valid", "valid"), ("SAME", "same"),
])
def test_padding_arg_accepts(value, expected):
    assert padding_arg(value) == expected


@pytest.mark.parametrize("value, error", [
    (-1, ValueError), ("full", ValueError), (1.5, TypeError), (True, TypeError),
    (None, TypeError), ([1, 1], TypeError),
])
def test_padding_arg_refuses_naming_padding(value, error):
    with pytest.raises(error, match="`padding`"):
        padding_arg(value)


# --------------------------------------------------------------- the other helpers
def test_gradcheck_names_its_arguments():
    from helpers.gradcheck import numerical_gradient, relative_error

    square = lambda x: float(np.sum(x ** 2))  # noqa: E731
    with pytest.raises(TypeError, match="`x` is None"):
        numerical_gradient(square, None)
    with pytest.raises(TypeError, match="`x` must hold numbers"):
        numerical_gradient(square, "abc")
    with pytest.raises(TypeError, match="`eps`"):
        numerical_gradient(square, np.ones(2), eps=True)
    with pytest.raises(ValueError, match="`eps`"):
        numerical_gradient(square, np.ones(2), eps=0)
    with pytest.raises(TypeError, match="`b` must be an array of numbers"):
        relative_error(np.ones(2), [[1, 2], [3]])
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0
    np.testing.assert_allclose(numerical_gradient(square, [1.0, -2.0]), [2.0, -4.0],
                               atol=1e-6)


def test_cnn_prepare_names_images():
    from helpers import cnn

    with pytest.raises(ValueError, match="`images` is not a rectangular array"):
        cnn.prepare([[1, 2], [3]])
    with pytest.raises(TypeError, match="`images` must be uint8"):
        cnn.prepare(np.zeros((1, 28, 28)))


@pytest.mark.parametrize("value, error", [
    (0, ValueError), (-1.5, ValueError), (float("nan"), ValueError),
    (float("inf"), ValueError), (True, TypeError), ("1", TypeError), (None, TypeError),
])
def test_positive_number_refuses(value, error):
    from helpers.validation import positive_number

    with pytest.raises(error, match="`size`"):
        positive_number(value, "size")


def test_class_labels_and_names():
    from helpers.validation import class_labels, names_arg, sequence_arg

    np.testing.assert_array_equal(class_labels([0, 2.0, np.int8(1)], "labels", 3),
                                  [0, 2, 1])
    with pytest.raises(ValueError, match="look like probabilities.*argmax"):
        class_labels(np.full((4, 3), 1 / 3), "predicted", 3)
    with pytest.raises(ValueError, match="class 3, outside 0..2"):
        class_labels([0, 3], "labels", 3)
    with pytest.raises(TypeError, match="must hold class numbers"):
        class_labels([True, False], "labels", 3)
    with pytest.raises(ValueError, match="has 2 entries for 3 images"):
        class_labels([0, 1], "labels", 3, length=3)
    assert names_arg(("a", 1), "class_names") == ["a", "1"]
    for bad in ("abc", {"a": 1}, np.array([["a"]]), [["a"]]):
        with pytest.raises(TypeError, match="`class_names`"):
            names_arg(bad, "class_names")
    with pytest.raises(ValueError, match="`class_names` is empty"):
        names_arg([], "class_names")
    assert sequence_arg(np.zeros((2, 3)), "maps", "arrays")[1].shape == (3,)
    with pytest.raises(TypeError, match="`stages` must be a list of pairs"):
        sequence_arg(5, "stages", "pairs")
