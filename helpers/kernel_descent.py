"""Learning one kernel by gradient descent (notebook 08): the loss, its gradient, the steps.

A hidden (kh, kw) kernel turned N images into target feature maps. A guess `kernel`
gives its own maps; the loss is their mean squared error

    L = (1 / M) * sum_{n, i, j} (y[n, i, j] - t[n, i, j]) ** 2,   M = N * H' * W',
    y[n, i, j] = sum_{p, q} kernel[p, q] * x[n, i + p, j + q],

and its gradient with respect to one weight is a sum over every position:

    dL / dkernel[p, q] = (2 / M) * sum_{n, i, j} e[n, i, j] * x[n, i + p, j + q],

with the error map ``e = y - t``. That is the cross-correlation of each image with its
error map (the same sliding window as the forward pass), summed over the images.

`kernel_gradient_loop` writes that sum as loops over the nine weights and the positions
(as the notebook derives it); `kernel_gradient` is the vectorized twin, tested against
it. `gradient_descent` runs the update ``kernel -= learning_rate * gradient``;
`adam_step` is one step of Adam, the optimizer Keras trains with (notebook 08's exercise
writes it from the formula; tests hold it against ``keras.optimizers.Adam``).
Everything here is float64 so that finite differences can check it to ~1e-8.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from helpers.validation import as_array, positive_int, positive_number


def _images_kernel(images, kernel):
    """(N, H, W) images and a (kh, kw) kernel that fits them, as float64 arrays."""
    images = as_array(images, "images", (2, 3))
    if images.ndim == 2:
        images = images[None]
    kernel = as_array(kernel, "kernel", (2,))
    kh, kw = kernel.shape
    if kh > images.shape[1] or kw > images.shape[2]:
        raise ValueError(f"`kernel` ({kh}x{kw}) is larger than the images "
                         f"({images.shape[1]}x{images.shape[2]})")
    return images, kernel


def feature_maps(images, kernel) -> np.ndarray:
    """The valid cross-correlation of every image with one kernel (vectorized).

    Parameters
    ----------
    images : (N, H, W) or (H, W) array
    kernel : (kh, kw) array

    Returns
    -------
    maps : (N, H - kh + 1, W - kw + 1) float64 array
        ``maps[n]`` equals ``helpers.conv2d(images[n], kernel)``.
    """
    images, kernel = _images_kernel(images, kernel)
    windows = sliding_window_view(images, kernel.shape, axis=(1, 2))
    return np.einsum("nijpq,pq->nij", windows, kernel)


def _targets(targets, shape):
    targets = as_array(targets, "targets", (2, 3))
    if targets.ndim == 2:
        targets = targets[None]
    if targets.shape != shape:
        raise ValueError(f"`targets` must have the shape of the feature maps {shape}, "
                         f"got {targets.shape}")
    return targets


def _error(images, kernel, targets):
    """The checked (N, H, W) images and kernel, and the error maps
    ``feature_maps(images, kernel) - targets`` of shape (N, H', W')."""
    images, kernel = _images_kernel(images, kernel)
    maps = feature_maps(images, kernel)
    return images, kernel, maps - _targets(targets, maps.shape)


def kernel_loss(images, kernel, targets) -> float:
    """Mean squared error between the feature maps of `kernel` and the `targets`.

    Parameters
    ----------
    images : (N, H, W) or (H, W) array
    kernel : (kh, kw) array
    targets : (N, H', W') or (H', W') array
        The hidden kernel's feature maps, ``H' = H - kh + 1``, ``W' = W - kw + 1``.

    Returns
    -------
    loss : float
        ``mean((feature_maps(images, kernel) - targets) ** 2)`` over all N * H' * W'.
    """
    _, _, error = _error(images, kernel, targets)
    return float(np.mean(error**2))


def kernel_gradient_loop(images, kernel, targets) -> np.ndarray:
    """The gradient of `kernel_loss` with respect to each weight, as plain loops.

    For each weight (p, q): ``(2 / M) * sum over n, i, j of e[n, i, j] * x[n, i+p, j+q]``
    with the error map ``e = maps - targets`` and ``M = N * H' * W'``.

    Parameters
    ----------
    images : (N, H, W) or (H, W) array
    kernel : (kh, kw) array
    targets : (N, H', W') or (H', W') array

    Returns
    -------
    gradient : (kh, kw) float64 array
    """
    images, kernel, error = _error(images, kernel, targets)
    n_images, out_h, out_w = error.shape
    kh, kw = kernel.shape
    gradient = np.zeros((kh, kw))
    for p in range(kh):
        for q in range(kw):
            for n in range(n_images):
                for i in range(out_h):
                    for j in range(out_w):
                        gradient[p, q] += error[n, i, j] * images[n, i + p, j + q]
    return 2 * gradient / error.size


def kernel_gradient(images, kernel, targets) -> np.ndarray:
    """`kernel_gradient_loop` vectorized (same arguments, same (kh, kw) result): the
    image correlated with the error map.

    ``gradient[p, q] = (2 / M) * sum_n sum_{i, j} x[n, i + p, j + q] * e[n, i, j]``,
    i.e. the error map slid over each image like a kernel, summed over the images.
    """
    images, kernel, error = _error(images, kernel, targets)
    # Windows of the error map's size, one per kernel position (p, q).
    windows = sliding_window_view(images, error.shape[1:], axis=(1, 2))
    return 2 * np.einsum("npqij,nij->pq", windows, error) / error.size


def gradient_descent(images, targets, start, learning_rate: float, steps: int):
    """Run ``kernel -= learning_rate * kernel_gradient(...)`` for `steps` steps.

    Parameters
    ----------
    images : (N, H, W) or (H, W) array
    targets : (N, H', W') or (H', W') array
    start : (kh, kw) array
        The first guess (not modified).
    learning_rate : float > 0
    steps : int >= 1

    Returns
    -------
    kernels : (steps + 1, kh, kw) float64 array
        The kernel before the first step and after each step.
    losses : (steps + 1,) float64 array
        The loss of each of those kernels. A learning rate that is too large makes
        them grow without bound; once they overflow they are ``inf`` or ``nan``.
    """
    learning_rate = positive_number(learning_rate, "learning_rate")
    steps = positive_int(steps, "steps")
    start = as_array(start, "start", (2,))  # named as the caller knows it
    images, kernel = _images_kernel(images, start)
    targets = _targets(targets, feature_maps(images, kernel).shape).reshape(-1)
    # Every window as one row: maps = windows @ weights, and the gradient (the
    # correlation of the images with the error maps) = 2 windows^T error / M.
    windows = sliding_window_view(images, kernel.shape, axis=(1, 2))
    windows = windows.reshape(-1, kernel.size)
    kernels = np.empty((steps + 1, kernel.size))  # row `step`: the weights to use
    kernels[0] = kernel.reshape(-1)
    losses = np.empty(steps + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            error = windows @ kernels[step] - targets
            losses[step] = np.mean(error**2)
            if step < steps:
                gradient = 2 * (windows.T @ error) / error.size
                kernels[step + 1] = kernels[step] - learning_rate * gradient
    return kernels.reshape((steps + 1,) + kernel.shape), losses


def largest_stable_rate(images, kernel_shape=(3, 3)) -> float:
    """The learning rate above which gradient descent on `kernel_loss` diverges.

    The loss is a quadratic bowl; its curvature along the steepest direction is the
    largest eigenvalue ``lam`` of ``(2 / M) * sum of window window^T`` over every
    (flattened) window. A step ``learning_rate * lam`` larger than 2 overshoots more
    each time, so the limit is ``2 / lam``.

    Parameters
    ----------
    images : (N, H, W) or (H, W) array
    kernel_shape : (kh, kw)

    Returns
    -------
    float
    """
    images, kernel = _images_kernel(images, np.zeros(kernel_shape))
    windows = sliding_window_view(images, kernel.shape, axis=(1, 2))
    flat = windows.reshape(-1, kernel.size)
    curvature = 2 * flat.T @ flat / flat.shape[0]
    return float(2 / np.linalg.eigvalsh(curvature)[-1])


BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-7
"""Adam's defaults in Keras: the decay of the running mean and of the running mean
square of the gradients, and the epsilon that keeps the division finite."""


def adam_step(kernel, gradient, m, v, t: int, learning_rate: float,
              beta1: float = BETA1, beta2: float = BETA2, epsilon: float = EPSILON):
    """One step of Adam (Kingma and Ba, 2015) for every weight of `kernel`.

    ::

        m = beta1 * m + (1 - beta1) * gradient          running mean
        v = beta2 * v + (1 - beta2) * gradient ** 2     running mean square
        m_hat = m / (1 - beta1 ** t)                     bias correction (m, v start at 0)
        v_hat = v / (1 - beta2 ** t)
        kernel = kernel - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Each weight's step is divided by the root mean square of its recent gradients, so
    it is about `learning_rate` long whatever the gradient's size (exactly that, up to
    epsilon, at the first step).

    Parameters
    ----------
    kernel, gradient, m, v : arrays of one shape, e.g. (kh, kw)
        The weights, their gradient, and the running mean and mean square before this
        step (zeros before the first). None of them is modified.
    t : int >= 1
        The number of this step (1 for the first).
    learning_rate : float > 0
    beta1, beta2 : floats in [0, 1)
    epsilon : float > 0

    Returns
    -------
    kernel, m, v : new float64 arrays of the same shape
    """
    kernel = as_array(kernel, "kernel", tuple(range(1, 5)))
    arrays = {"gradient": gradient, "m": m, "v": v}
    for name, value in arrays.items():
        arrays[name] = as_array(value, name, tuple(range(1, 5)))
        if arrays[name].shape != kernel.shape:
            raise ValueError(f"`{name}` has shape {arrays[name].shape}, but `kernel` "
                             f"has shape {kernel.shape}: one value per weight")
    if np.any(arrays["v"] < 0):
        raise ValueError("`v` is a running mean of squares: it cannot be negative")
    t = positive_int(t, "t")
    learning_rate = positive_number(learning_rate, "learning_rate")
    epsilon = positive_number(epsilon, "epsilon")
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        if isinstance(beta, bool) or not isinstance(beta, (int, float, np.floating)) \
                or not 0 <= beta < 1:
            raise ValueError(f"`{name}` must be a number in [0, 1), got {beta!r}")
    g = arrays["gradient"].astype(np.float64)
    m = beta1 * arrays["m"] + (1 - beta1) * g
    v = beta2 * arrays["v"] + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return kernel - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v
