"""Self-checks for the exercises: friendly verdicts, never a traceback from in here.

Each ``check_*`` function takes the learner's function or answer, tests the shape first
and then the values on several cases (edge cases included), prints one verdict, and
returns a `CheckResult` that is truthy when everything passed (tests use that). A
function that still raises ``NotImplementedError`` gets "not done yet".

The generic machinery is `check_function` (compare a function with a reference on a list
of cases) and `check_answer` (compare a value with the expected one); the exercise
checks below it are short lists of cases.
"""

from __future__ import annotations

import numpy as np

from helpers import layers

PASS = "✅"
FAIL = "❌"
TODO = "⏳"


class CheckResult:
    """Outcome of a check: truthy when it passed. Displays as nothing in a notebook
    (the verdict has already been printed)."""

    def __init__(self, passed: bool, message: str):
        self.passed = passed
        self.message = message

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return f"CheckResult(passed={self.passed})"

    def _ipython_display_(self):
        pass


def _verdict(passed: bool, message: str) -> CheckResult:
    print(message)
    return CheckResult(passed, message)


def _describe(value) -> str:
    """Short text for a value the learner returned."""
    if value is None:
        return "None (did you forget `return`?)"
    arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if arr.dtype == object:
        return f"a {type(value).__name__} that is not a numeric array"
    if arr.ndim == 0:
        return repr(value)
    text = np.array2string(arr, precision=3, suppress_small=True, max_line_width=70)
    text = text.replace("\n", "\n      ")
    return f"an array of shape {arr.shape}:\n      {text}"


def _end(sentence: str) -> str:
    return sentence if sentence.endswith(("?", ".", "!")) else sentence + "."


def compare(got, expected, atol: float = 1e-6) -> str | None:
    """Why `got` differs from `expected`, or None when they match.

    Shape first (a list is accepted if it converts to the right shape), then NaN, then
    the values to within `atol`.
    """
    if got is None:
        return "your code returned None: did you forget `return`?"
    expected = np.asarray(expected, dtype=float)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected numbers, got {type(got).__name__}: {got!r:.80}"
    if arr.shape != expected.shape:
        return f"expected shape {expected.shape}, got shape {arr.shape}"
    if np.any(np.isnan(arr)) and not np.any(np.isnan(expected)):
        return "your result contains NaN (not a number)"
    if not np.allclose(arr, expected, atol=atol, rtol=1e-5, equal_nan=True):
        wrong = ~np.isclose(arr, expected, atol=atol, rtol=1e-5, equal_nan=True)
        where = tuple(int(i) for i in np.argwhere(wrong)[0]) if arr.ndim else ()
        first = f" (first at index {where}: expected {expected[where]:.4g}, " \
                f"got {arr[where]:.4g})" if arr.ndim else ""
        return f"{int(wrong.sum())} value(s) differ{first}"
    return None


def check_function(learner_fn, reference_fn, cases, name: str, atol: float = 1e-6):
    """Compare `learner_fn` with `reference_fn` on every case.

    Parameters
    ----------
    learner_fn : callable
        The learner's function.
    reference_fn : callable
        The reference (usually from `helpers.layers`).
    cases : list of (description, args) pairs
        `args` is a tuple of positional arguments; each is copied before each call, so
        a function that modifies its input cannot spoil the next case.
    name : str
        How to call the function in the verdict.
    """
    if not callable(learner_fn):
        return _verdict(
            False,
            f"{FAIL} `{name}` should be a function, got {type(learner_fn).__name__}. "
            f"Pass the function itself, without parentheses.",
        )
    for number, (description, args) in enumerate(cases, start=1):
        expected = reference_fn(*[np.copy(a) if isinstance(a, np.ndarray) else a
                                  for a in args])
        try:
            got = learner_fn(*[np.copy(a) if isinstance(a, np.ndarray) else a
                               for a in args])
        except NotImplementedError:
            return _verdict(
                False,
                f"{TODO} `{name}` is not done yet: replace "
                "`raise NotImplementedError` with your code.",
            )
        except Exception as exc:  # the learner's bug, reported, never re-raised
            return _verdict(
                False,
                f"{FAIL} `{name}` raised {type(exc).__name__}: {exc}\n"
                f"   on case {number} ({description}).",
            )
        problem = compare(got, expected, atol)
        if problem:
            return _verdict(
                False,
                f"{FAIL} Case {number} ({description}): {_end(problem)}\n"
                f"   Expected {_describe(expected)}\n   Got {_describe(got)}",
            )
    return _verdict(True, f"{PASS} `{name}` is correct on all {len(cases)} cases.")


def check_answer(answer, expected, name: str, hint: str = "", atol: float = 1e-6):
    """Compare a value the learner computed (number, shape tuple or array).

    Parameters
    ----------
    answer : number, tuple or array-like
    expected : number, tuple or array-like
    name : str
        What the answer is, e.g. "the output shape".
    hint : str
        Added to the verdict when the answer is wrong.
    """
    if answer is Ellipsis:
        return _verdict(False, f"{TODO} {name}: not done yet (replace `...`).")
    problem = compare(answer, expected, atol)
    if problem:
        more = f"\n   Hint: {hint}" if hint else ""
        return _verdict(False, f"{FAIL} {name}: {_end(problem)}{more}")
    return _verdict(True, f"{PASS} {name}: correct.")


# --------------------------------------------------------------------------- exercises
def _rng(seed=0):
    return np.random.default_rng(seed)


def check_conv2d(learner_fn):
    """Notebook 01: the learner's ``conv2d(image, kernel)`` (stride 1, no padding)."""
    from helpers import data

    rng = _rng(1)
    cases = [
        ("the 5x5 image and 3x3 filter of the lesson", (data.binary_image(), data.lesson_kernel())),
        ("a 4x6 image, 2x2 kernel (not square)", (rng.integers(0, 3, (4, 6)).astype(float),
                                                  rng.integers(-1, 2, (2, 2)).astype(float))),
        ("a 6x4 image, 3x2 kernel", (rng.normal(size=(6, 4)), rng.normal(size=(3, 2)))),
        ("kernel as large as the image: one output", (rng.normal(size=(3, 3)),
                                                      rng.normal(size=(3, 3)))),
        ("a 1x1 kernel: scales every pixel", (rng.normal(size=(4, 4)), np.array([[2.0]]))),
    ]
    return check_function(learner_fn, layers.conv2d, cases, "conv2d")
