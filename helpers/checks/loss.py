"""Check for notebook 06: the cross-entropy of one example, ``-log(p[label])``."""

from __future__ import annotations

import numpy as np

from helpers import losses
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
