"""Check for notebook 06: the cross-entropy of one example, ``-log(p[label])``."""

from __future__ import annotations

import numpy as np

from helpers import losses
from helpers.checks.core import (
    FAIL,
    PASS,
    _call,
    _copies,
    _describe,
    _end,
    _name,
    _verdict,
    _with_hint,
    compare,
    never_raises,
)

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


def _diagnose(got, probabilities, label):
    p = np.asarray(probabilities, dtype=float)
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
    try:
        value = float(np.reshape(np.asarray(got, dtype=float), ()))
    except (TypeError, ValueError):
        return ""
    for why, wrong in known.items():
        if np.isclose(value, wrong) and not np.isclose(value, right):
            return why
    return ""


def _shown(got, single: bool) -> str:
    if single:
        return f"{float(np.reshape(np.asarray(got, dtype=float), ())):.6g}"
    return _describe(got)


@never_raises
def check_cross_entropy(learner_fn):
    """Notebook 06: ``my_cross_entropy(probabilities, label)`` for one example."""
    name = _name(learner_fn, "my_cross_entropy")
    for number, (description, probabilities, label) in enumerate(_CASES, start=1):
        expected = losses.cross_entropy(probabilities, int(label))
        args = _copies((probabilities, label))
        got, failed = _call(learner_fn, name, *args,
                            where=f"\n   on case {number} ({description}).")
        if failed is not None:
            return failed
        try:
            single = np.asarray(got).dtype.kind in "biuf" and np.size(got) == 1
        except (TypeError, ValueError):
            single = False
        problem = compare(np.reshape(np.asarray(got), ()) if single else got, expected)
        if problem and not single and got is not None and np.ndim(got) > 0:
            problem = "expected one number (the loss)"
        if problem:
            why = _diagnose(got, probabilities, int(label)) if single else ""
            return _with_hint(_verdict(
                False,
                f"{FAIL} Case {number} ({description}, label {int(label)}): "
                f"{_end(problem)}\n   Expected {expected:.6g}, got {_shown(got, single)}"
                + (f"\n   {why}." if why else ""),
            ), "the loss is minus the natural log of the probability the model gave "
               "the true class: -np.log(probabilities[label]).")
    return _verdict(True, f"{PASS} `{name}` is correct on all {len(_CASES)} cases.")
