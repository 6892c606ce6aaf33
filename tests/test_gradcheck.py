"""helpers.gradcheck: the finite-difference oracle, checked on gradients known by hand."""

import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, relative_error


def test_gradient_of_a_quadratic_is_known_by_hand():
    # f(x) = sum(x**2) + 3 x0 x1 has gradient 2x + 3 (x1, x0, 0)
    x = np.array([1.0, -2.0, 0.5])
    grad = numerical_gradient(lambda v: np.sum(v**2) + 3 * v[0] * v[1], x)
    expected = 2 * x + 3 * np.array([x[1], x[0], 0.0])
    assert relative_error(grad, expected) < 1e-8


def test_works_on_matrices_and_leaves_the_input_alone():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-8, atol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_relative_error_sees_a_wrong_gradient():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 2.0], [1.0, -2.0]) == pytest.approx(2.0)


@pytest.mark.parametrize("bad", [dict(f=3), dict(eps=0), dict(eps=-1e-3)])
def test_bad_input_names_the_argument(bad):
    args = dict(f=np.sum, x=np.ones(2), eps=1e-6) | bad
    name = next(iter(bad))
    with pytest.raises((TypeError, ValueError), match=f"`{name}`"):
        numerical_gradient(**args)


def test_shapes_must_match():
    with pytest.raises(ValueError, match="`a` has shape"):
        relative_error(np.ones(2), np.ones(3))
