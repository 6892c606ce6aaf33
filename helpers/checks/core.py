"""The machinery of every self-check: verdicts, comparing answers, calling the learner.

A check prints one verdict (✅ right, ❌ wrong with the reason, ⏳ not done yet) and
returns a `CheckResult` that is truthy when everything passed (tests and graded cells
use that). Nothing in here lets the learner's exception escape as a traceback.
"""

from __future__ import annotations

import numpy as np

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
    try:
        arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
    except ValueError:  # a ragged list such as [[1, 2], [3]]
        return f"a {type(value).__name__} that is not a rectangular array"
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
        raw = np.asarray(got)
    except (TypeError, ValueError):
        return f"expected numbers, got {type(got).__name__}: {got!r:.80}"
    if raw.dtype.kind == "c":
        return f"expected real numbers, got complex ones: {got!r:.80}"
    if raw.dtype.kind not in "biuf":  # strings and other objects
        return f"expected numbers, got {type(got).__name__}: {got!r:.80}"
    arr = raw.astype(float)
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


def _name(learner_fn, default: str) -> str:
    """The learner's own name for their function (``my_conv2d``), else `default`."""
    name = getattr(learner_fn, "__name__", "")
    return name if name.isidentifier() else default


def _copies(args):
    """Fresh copies of array arguments, so no call can spoil the next one's inputs."""
    return [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]


def _call(learner_fn, name, *args, where: str = ""):
    """Run the learner's function: (result, None) or (None, the verdict to return).

    `where` (e.g. " on case 2 (a 4x6 image)") is added when the function raises.
    """
    if not callable(learner_fn):
        return None, _verdict(
            False,
            f"{FAIL} `{name}` should be a function, got {type(learner_fn).__name__}. "
            "Pass the function itself, without parentheses.",
        )
    try:
        return learner_fn(*args), None
    except NotImplementedError:
        return None, _verdict(
            False,
            f"{TODO} `{name}` is not done yet: replace "
            "`raise NotImplementedError` with your code.",
        )
    except Exception as exc:  # the learner's bug, reported, never re-raised
        return None, _verdict(
            False, f"{FAIL} `{name}` raised {type(exc).__name__}: {exc}{where}"
        )


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
    for number, (description, args) in enumerate(cases, start=1):
        expected = reference_fn(*_copies(args))
        got, failed = _call(
            learner_fn, name, *_copies(args),
            where=f"\n   on case {number} ({description}).",
        )
        if failed is not None:
            return failed
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


def _rng(seed=0):
    return np.random.default_rng(seed)


def _with_hint(result: CheckResult, hint: str) -> CheckResult:
    """Print a hint after a failed check (not after "not done yet")."""
    if not result and not result.message.startswith(TODO):
        print(f"   Hint: {hint}")
    return result
