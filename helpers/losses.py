"""The cross-entropy loss (notebook 06): how "wrong" a vector of probabilities is.

For one example with true class `label`, the loss is ``-log(p[label])``: 0 when the
model gave the true class probability 1, growing without bound as that probability
goes to 0. The other classes' probabilities enter only through softmax (they take
probability away from the true class). Keras's ``SparseCategoricalCrossentropy`` is
the mean of this over a batch, with labels given as integers (not one-hot vectors).
"""

from __future__ import annotations

import numbers

import numpy as np

from helpers.validation import as_array, class_labels

# Keras clips probabilities to [EPSILON, 1 - EPSILON] before the log, so that a
# probability of exactly 0 gives a large finite loss (about 16.1) instead of infinity.
EPSILON = 1e-7


def cross_entropy(probabilities, labels) -> float:
    """Mean of ``-log(probabilities[n, labels[n]])`` over the examples.

    Parameters
    ----------
    probabilities : (K,) or (N, K) array
        Softmax outputs: entries in [0, 1], each row summing to 1 (within 1e-3).
    labels : int or (N,) array of int
        The true class of each example, in ``0 .. K - 1``.

    Returns
    -------
    loss : float
        ``-log(p[label])`` for one example; the mean over N examples for a batch.
        Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` first, as Keras does.
    """
    p = as_array(probabilities, "probabilities", (1, 2))
    if p.ndim == 1:
        p = p[None]  # one example: a batch of 1
    if np.any(p < 0) or np.any(p > 1) or not np.allclose(p.sum(axis=1), 1, atol=1e-3):
        raise ValueError("`probabilities` must be in [0, 1] with each row summing "
                         "to 1 (softmax outputs), got rows summing to "
                         f"{np.round(p.sum(axis=1), 4)}")
    if isinstance(labels, numbers.Real) and not isinstance(labels, bool):
        labels = [labels]  # one example's class
    labels = class_labels(labels, "labels", p.shape[1],
                          rows_of=("probabilities", p.shape))
    p_true = np.clip(p[np.arange(len(labels)), labels], EPSILON, 1 - EPSILON)
    return float(np.mean(-np.log(p_true)))
