"""Softmax followed by the cross-entropy loss, and its gradient ``(p - y) / N``.

The loss takes the scores (logits, the last dense layer's outputs before softmax) and
integer labels: what ``keras.losses.SparseCategoricalCrossentropy(from_logits=True)``
computes, ``-mean_n log softmax(scores)[n, labels[n]]``. Taking the log of the softmax
in one step (``shifted - log(sum(exp(shifted)))``) keeps a very wrong score finite
where ``log(softmax(...))`` would give ``log(0)``.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from helpers.layers.activations import softmax
from helpers.validation import as_array, class_labels, forward_cache

__all__ = ["softmax_cross_entropy", "softmax_cross_entropy_forward",
           "softmax_cross_entropy_backward"]


def softmax_cross_entropy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy of ``softmax(scores)`` against integer labels.

    Parameters
    ----------
    scores : (N, K) array
        The last dense layer's outputs before softmax (the logits).
    labels : (N,) int array, values 0..K-1

    Returns
    -------
    float
        ``-mean_n log p[n, labels[n]]`` with ``p = softmax(scores)``.
    """
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(labels)), labels]))


class LossCache(NamedTuple):
    """What `softmax_cross_entropy_backward` needs from the forward pass."""

    probabilities: np.ndarray  # softmax(scores), (N, K)
    labels: np.ndarray
    out_shape: tuple  # () : the loss is one number


def softmax_cross_entropy_forward(scores: np.ndarray,
                                  labels: np.ndarray) -> tuple[float, LossCache]:
    """`softmax_cross_entropy` that also returns what its backward pass needs.

    Returns
    -------
    loss : float
    cache : LossCache
    """
    loss = softmax_cross_entropy(scores, labels)
    return loss, LossCache(probabilities=softmax(scores, axis=1), labels=labels,
                           out_shape=())


def softmax_cross_entropy_backward(grad_loss: float, cache: LossCache) -> np.ndarray:
    """Gradient of the loss with respect to the scores: ``grad_loss * (p - y) / N``.

    ``p = softmax(scores)`` and ``y`` is the one-hot encoding of the labels; the 1 / N
    comes from the mean over the batch.

    Parameters
    ----------
    grad_loss : float
        dL/d loss: 1.0 when the loss is the end of the chain (L is the loss itself).
    cache : LossCache
        What `softmax_cross_entropy_forward` returned.

    Returns
    -------
    grad_scores : (N, K) array
    """
    labels = cache.labels
    p_minus_y = cache.probabilities.copy()
    p_minus_y[np.arange(len(labels)), labels] -= 1
    return grad_loss * p_minus_y / len(labels)


# ---- the door: argument checks
def check_softmax_cross_entropy(scores, labels) -> dict:
    """`scores` a finite (N, K) array; `labels` N classes in 0..K-1."""
    scores = as_array(scores, "scores", (2,))
    labels = class_labels(labels, "labels", scores.shape[1],
                          rows_of=("scores", scores.shape))
    return {"scores": scores, "labels": labels}


check_softmax_cross_entropy_forward = check_softmax_cross_entropy


def check_softmax_cross_entropy_backward(grad_loss, cache) -> dict:
    """`cache` from `softmax_cross_entropy_forward`; `grad_loss` a finite number."""
    cache = forward_cache(cache, LossCache, "softmax_cross_entropy_forward")
    if isinstance(grad_loss, np.ndarray) and grad_loss.shape == ():
        grad_loss = grad_loss[()]  # a 0-d array: its number
    if isinstance(grad_loss, bool | np.bool_) or not isinstance(grad_loss, numbers.Real):
        raise TypeError("`grad_loss` must be a number (dL/d loss, 1.0 when the loss "
                        f"ends the chain), got {grad_loss!r:.60}")
    if not np.isfinite(grad_loss):
        raise ValueError(f"`grad_loss` must be a finite number, got {grad_loss}")
    # a Python float, so float32 scores give a float32 gradient
    return {"grad_loss": float(grad_loss), "cache": cache}
