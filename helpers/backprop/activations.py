"""Backward passes of ReLU and of softmax followed by the cross-entropy loss."""

from __future__ import annotations

import numpy as np

from helpers.backprop._check import float_array, grad_like, result_dtype

__all__ = ["relu_backward", "softmax_cross_entropy", "softmax_cross_entropy_backward"]


def relu_backward(x, grad_out) -> np.ndarray:
    """Gradient of ``relu(x) = max(0, x)`` with respect to `x`: a mask.

    The slope of ReLU is 1 where ``x > 0`` and 0 where ``x < 0``; at exactly 0 we take
    0, as TensorFlow does. So the upstream gradient passes where the *input* was
    positive and is blocked elsewhere.

    Parameters
    ----------
    x : array, any shape
        The layer's input in the forward pass (not its output).
    grad_out : array, the shape of `x`

    Returns
    -------
    grad_x : array, the shape of `x`: ``grad_out * (x > 0)``
    """
    x = float_array(x, "x", tuple(range(0, 9)))
    grad = grad_like(grad_out, x.shape, "relu")
    return np.where(x > 0, grad, 0).astype(result_dtype(x, grad), copy=False)


def _check_scores_labels(scores, labels):
    scores = float_array(scores, "scores", (2,))
    N, K = scores.shape
    raw = np.asarray(labels)
    if raw.dtype == np.bool_ or not (
        np.issubdtype(raw.dtype, np.integer)
        or (np.issubdtype(raw.dtype, np.floating) and np.all(raw == np.round(raw)))
    ):
        raise TypeError(
            f"`labels` must be class numbers (integers 0..{K - 1}), got dtype {raw.dtype}"
        )
    if raw.shape != (N,):
        raise ValueError(
            f"`labels` has shape {raw.shape} but `scores` has shape {scores.shape}: "
            f"expected one label per row, shape ({N},)"
        )
    labels = raw.astype(np.int64)
    if labels.min() < 0 or labels.max() >= K:
        raise ValueError(
            f"`labels` must be in 0..{K - 1} for {K} classes, got values from "
            f"{labels.min()} to {labels.max()}"
        )
    return scores, labels


def _log_softmax(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(scores, labels) -> float:
    """Mean cross-entropy of ``softmax(scores)`` against integer labels.

    What ``keras.losses.SparseCategoricalCrossentropy`` computes after a softmax layer:
    ``-mean_n log p[n, labels[n]]``.

    Parameters
    ----------
    scores : (N, K) array
        The last dense layer's outputs before softmax (the logits).
    labels : (N,) int array, values 0..K-1

    Returns
    -------
    float
    """
    scores, labels = _check_scores_labels(scores, labels)
    log_p = _log_softmax(scores)
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


def softmax_cross_entropy_backward(scores, labels) -> np.ndarray:
    """Gradient of `softmax_cross_entropy` with respect to the scores: ``(p - y) / N``.

    ``p = softmax(scores)`` and ``y`` is the one-hot encoding of the labels; the 1 / N
    comes from the mean over the batch.

    Parameters
    ----------
    scores : (N, K) array
    labels : (N,) int array, values 0..K-1

    Returns
    -------
    grad_scores : (N, K) array
    """
    scores, labels = _check_scores_labels(scores, labels)
    N = len(labels)
    p = np.exp(_log_softmax(scores))
    p[np.arange(N), labels] -= 1
    return p / N
