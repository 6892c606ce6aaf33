"""Checks for notebook 06: the cross-entropy of one example, ``-log(p[label])``, from its
probabilities, and from its scores (before softmax), where no score may overflow and no
probability may underflow to 0 on the way."""

from __future__ import annotations

import numpy as np

from helpers import layers, losses
from helpers.checks.core import _name, _with_hint, check_function, never_raises

# (description, probabilities, label): each wrong formula fails at least one case.
_CASES = [
    ("two classes, the true one likely", [0.8, 0.2], 0),
    ("two classes, the true one unlikely", [0.9, 0.1], 1),
    ("ten classes, the true class is not the most likely",
     [0.02, 0.05, 0.4, 0.03, 0.2, 0.1, 0.05, 0.05, 0.06, 0.04], 4),
    ("ten classes, the true class is the last one",
     [0.1, 0.1, 0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2], 9),
    ("three classes as a numpy array, a numpy integer label",
     np.array([0.25, 0.5, 0.25]), np.int64(0)),
    ("a confident, wrong answer", [0.001, 0.998, 0.001], 0),
]


def _reference(probabilities, label):
    return losses.cross_entropy(probabilities, int(label))


def _slip(got: float, probabilities, label) -> str:
    """Name the slip when the answer matches a known wrong formula."""
    p, label = np.asarray(probabilities, dtype=float), int(label)
    right = -np.log(p[label])
    known = {
        "the minus sign is missing: log(p) is negative, the loss must not be":
            np.log(p[label]),
        "use the natural logarithm np.log, not log10": -np.log10(p[label]),
        "use the natural logarithm np.log, not log2": -np.log2(p[label]),
        "use the probability of the true class, p[label], not the largest one":
            -np.log(p.max()),
        "the loss uses only the true class's probability, not a sum over all "
        "classes": -np.sum(np.log(p)),
        "the loss is -log(p[label]), not 1 - p[label]": 1 - p[label],
        "the loss is -log(p[label]), not -log(1 - p[label])": -np.log(1 - p[label]),
    }
    for why, wrong in known.items():
        if np.isclose(got, wrong) and not np.isclose(got, right):
            return why
    return ""


@never_raises
def check_cross_entropy(learner_fn):
    """Notebook 06: ``my_cross_entropy(probabilities, label)`` for one example."""
    cases = [(f"{description}, label {int(label)}", (probabilities, label))
             for description, probabilities, label in _CASES]
    result = check_function(learner_fn, _reference, cases,
                            _name(learner_fn, "my_cross_entropy"),
                            one_number="the loss", diagnose=_slip)
    return _with_hint(result, "the loss looks at one probability only, the one the "
                              "model gave the true class, and takes minus its natural "
                              "logarithm.")


# (description, scores, label): the large and very negative ones break the naive way,
# -log(softmax(scores)[label]), with an overflow (NaN) or a probability of 0 (infinity).
_SCORE_CASES = [
    ("three scores, the true one largest", [2.0, 1.0, 0.1], 0),
    ("three scores, the true one in the middle", [-5.0, 3.0, 0.5], 2),
    ("large scores: e**1000 overflows", [1000.0, 1001.0], 1),
    ("large scores, the true one smallest", [1000.0, 1001.0, 999.0], 2),
    ("a very wrong answer: softmax gives the true class 0.0 in floats",
     [0.0, 1000.0], 0),
    ("ten scores as a numpy array, a numpy integer label",
     np.array([0.3, -1.2, 2.5, 0.0, 1.1, -0.4, 0.9, 3.1, -2.0, 0.7]), np.int64(7)),
]


def _from_scores(scores, label):
    scores = np.asarray(scores, dtype=float)
    return layers.softmax_cross_entropy(scores[None], np.array([int(label)]))


def _score_slip(got: float, scores, label) -> str:
    """Name the slip when the answer matches a known wrong formula."""
    s, label = np.asarray(scores, dtype=float), int(label)
    right = _from_scores(s, label)
    if not np.isfinite(got):
        return ("softmax of these scores overflows (e**1000) or gives the true class "
                "exactly 0.0, and log(0) is -infinity: take the log of the softmax "
                "formula by hand first, and shift by the largest score")
    with np.errstate(all="ignore"):
        shifted = s - s.max()
        p = np.exp(shifted) / np.exp(shifted).sum()
        known = {
            "the minus sign is missing: the loss is minus the log of a probability":
                -right,
            "use the natural logarithm, not log10": right / np.log(10),
            "the loss is about the true class's score, not the largest one":
                -shifted.max() + np.log(np.exp(shifted).sum()),
            "that is a probability clipped at 1e-7 (as Keras does with probabilities): "
            "from the scores, the loss needs no clipping":
                -np.log(np.clip(p[label], 1e-7, 1 - 1e-7)),
        }
    for why, wrong in known.items():
        if np.isfinite(wrong) and np.isclose(got, wrong) and not np.isclose(got, right):
            return why
    return ""


@never_raises
def check_cross_entropy_from_scores(learner_fn):
    """Notebook 06: ``my_cross_entropy_from_scores(scores, label)``, the loss
    ``-log(softmax(scores)[label])`` of one example, finite for any finite scores."""
    cases = [(f"{description}, label {int(label)}", (scores, label))
             for description, scores, label in _SCORE_CASES]
    result = check_function(learner_fn, _from_scores, cases,
                            _name(learner_fn, "my_cross_entropy_from_scores"),
                            one_number="the loss", diagnose=_score_slip)
    return _with_hint(result, "write -ln of the softmax formula with the largest score "
                              "subtracted, and simplify it before computing: the log "
                              "of a fraction is a difference, and ln(e**a) = a.")
