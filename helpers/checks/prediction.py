"""Prediction questions: the learner writes down a number, a shape or a choice *before*
the cell that shows it runs, then checks the prediction against what the cell computed.

A wrong prediction that is one of the usual mistakes gets that mistake named::

    prediction = ...  # the learner's guess, e.g. (26, 26, 32)
    (a cell computes `out` and shows it)
    check_prediction(prediction, out.shape, "the output shape",
                     mistakes={(28, 28, 32): "that is padding 'same': 'valid' adds no "
                                             "zeros, so the 3x3 window fits 26 times"})
"""

from __future__ import annotations

from helpers.checks.core import (
    FAIL,
    PASS,
    TODO,
    _end,
    _verdict,
    answer_problem,
    never_raises,
    read_answer,
)


def _choice(value: str) -> str:
    return " ".join(value.split()).lower()


def _problem(value, expected) -> str | None:
    """None when `value` is `expected` (choices: without case or extra spaces)."""
    if isinstance(expected, str):
        if not isinstance(value, str):
            return (f"write your choice as a string, e.g. {expected!r}, got "
                    f"{type(value).__name__}")
        return None if _choice(value) == _choice(expected) else "not that one"
    if isinstance(value, str):
        return f"write a number or a shape, not the string {value!r}"
    return answer_problem(value, expected)


def _validated(name, mistakes, expected) -> dict:
    if not isinstance(name, str) or not name:
        raise TypeError("`name` must be a non-empty str saying what is predicted")
    if mistakes is not None and not isinstance(mistakes, dict):
        raise TypeError("`mistakes` must be a dict: usual wrong answer -> why, got "
                        f"{type(mistakes).__name__}")
    mistakes = mistakes or {}
    if any(_problem(wrong, expected) is None for wrong in mistakes):
        raise ValueError("`mistakes` lists the expected answer itself as a mistake")
    return mistakes


def check_prediction(answer, expected, name: str, mistakes: dict | None = None,
                     hint: str = ""):
    """The verdict on a prediction: ✅ when `answer` is `expected`, else ❌ with the
    reason of the usual mistake it matches (or `hint`).

    Parameters
    ----------
    answer : number, tuple of ints, array-like or str
        The learner's prediction (``...`` while not done yet). A str is a choice among
        named options ("a", "b", "edges"...), compared without case or extra spaces.
    expected : same kind as `answer`
        What the cell computed. Numbers, shapes and arrays are compared as
        `check_answer` does (counts and shapes exactly).
    name : str
        What is predicted, e.g. "the output shape".
    mistakes : dict, optional
        Usual wrong answer -> why someone gives it (a sentence that explains the slip).
    hint : str
        Said when the prediction is wrong and no listed mistake matches it.

    Returns
    -------
    CheckResult, truthy when the prediction is right.
    """
    mistakes = _validated(name, mistakes, expected)  # the notebook's mistakes raise
    return _verdict_on(answer, expected, name, mistakes, hint)


@never_raises
def _verdict_on(answer, expected, name, mistakes, hint):
    value, failed = read_answer(answer, name)
    if failed is not None:
        return failed
    if value is Ellipsis:
        return _verdict(False, f"{TODO} {name}: not done yet (replace `...`).")
    problem = _problem(value, expected)
    if problem is None:
        return _verdict(True, f"{PASS} {name}: correct.")
    shown = repr(value) if isinstance(value, str | int | float | tuple) else "that"
    for wrong, why in mistakes.items():
        if isinstance(wrong, str) == isinstance(value, str) and _problem(value, wrong) is None:
            return _verdict(False, f"{FAIL} {name}: you predicted {shown}, a usual slip. "
                                   f"{_end(why)}")
    more = f"\n   Hint: {hint}" if hint else ""
    if isinstance(expected, str) and isinstance(value, str):
        problem = f"you predicted {shown}; the cell shows {expected!r}"
    return _verdict(False, f"{FAIL} {name}: {_end(problem)}{more}")
