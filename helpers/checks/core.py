"""The machinery of every self-check: verdicts, comparing answers, calling the learner.

A check prints one verdict (✅ right, ❌ wrong with the reason, ⏳ not done yet) and
returns a `CheckResult` that is truthy when everything passed (tests and graded cells
use that). Nothing in here lets the learner's exception escape as a traceback.
"""

from __future__ import annotations

import numbers

import numpy as np

from helpers.checks.timeout import DEFAULT_SECONDS, TookTooLong, call_with_time_limit

PASS = "✅"
FAIL = "❌"
TODO = "⏳"

TIME_LIMIT = DEFAULT_SECONDS
"""Seconds one call of the learner's function may take before "took too long"."""


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
    """Short text for a value the learner returned (never raises)."""
    try:
        return _describe_unsafe(value)
    except Exception:  # an odd object whose conversion or repr fails
        return f"a {type(value).__name__}"


def _describe_unsafe(value) -> str:
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
    """Why `got` differs from `expected`, or None when they match (never raises).

    Shape first (a list is accepted if it converts to the right shape), then NaN, then
    the values to within `atol`.
    """
    try:
        return _compare_values(got, expected, atol)
    except Exception as exc:  # an odd object: a verdict, never a traceback
        return (f"could not read your result as numbers ({type(exc).__name__}: "
                f"{exc}); got {_describe(got)}")


def _compare_values(got, expected, atol):
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
    if np.any(np.isinf(arr)) and not np.any(np.isinf(expected)):
        return "your result contains infinity"
    if np.any(np.isnan(arr)) and not np.any(np.isnan(expected)):
        return "your result contains NaN (not a number)"
    if not np.allclose(arr, expected, atol=atol, rtol=1e-5, equal_nan=True):
        wrong = ~np.isclose(arr, expected, atol=atol, rtol=1e-5, equal_nan=True)
        where = tuple(int(i) for i in np.argwhere(wrong)[0]) if arr.ndim else ()
        first = f" (first at index {where}: expected {expected[where]:.4g}, " \
                f"got {arr[where]:.4g})" if arr.ndim else ""
        return f"{int(wrong.sum())} value(s) differ{first}"
    return None


# ------------------------------------------------------------ counts, shapes, indices
def _type_words(value) -> str:
    return f"{value!r:.40} (a {type(value).__name__})"


def as_exact_int(value, whole_floats: bool = True):
    """`value` as a Python int, or the reason it is not one: ``(int, None)`` or
    ``(None, problem)``. Never raises.

    Accepted: Python and numpy integers (and 0-d integer arrays); with `whole_floats`,
    floats that are whole numbers (``26.0``). Refused, with a reason: bools, strings,
    floats with a fraction (the sign of ``/`` where ``//`` was meant), NaN, infinity,
    sequences, None.
    """
    try:
        if value is None:
            return None, "got None (did you forget `return`?)"
        if isinstance(value, bool | np.bool_):
            return None, f"expected a whole number (an int), got {value!r} (a bool)"
        if isinstance(value, str | bytes):
            return None, (f"expected a whole number (an int), got the text {value!r:.40}"
                          ": return the number itself, not a string")
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, numbers.Integral):
            return int(value), None
        if isinstance(value, numbers.Real):
            number = float(value)
            if not np.isfinite(number):
                return None, f"expected a whole number (an int), got {number}"
            if not number.is_integer():
                return None, (f"expected a whole number (an int), got {number!r} (a "
                              "float with a fraction): use // (floor division), not /")
            if not whole_floats:
                return None, (f"expected an int, got {_type_words(value)}: an index "
                              "must be an int, e.g. int(...) or // instead of /")
            if abs(number) > 2**53:
                return None, (f"expected an int, got the float {number!r}: too "
                              "large to be exact")
            return int(number), None
        return None, f"expected a whole number (an int), got {_describe(value)}"
    except Exception:  # an odd object that breaks isinstance or float()
        return None, f"expected a whole number (an int), got a {type(value).__name__}"


def compare_exact(got, expected, whole_floats: bool = True) -> str | None:
    """Why `got` differs from `expected` (an int, or a tuple of ints such as a shape),
    or None when they are exactly equal. Never raises.

    Counts and shapes are compared exactly, as integers, never with a tolerance: an
    off-by-one on 5,000,000 parameters is wrong. Every number is first checked with
    `as_exact_int` (no bools, no strings, no 12.5). A shape may come as a tuple, a list
    or a 1-D integer array, but it must have as many numbers as the expected one.
    """
    try:
        if isinstance(expected, tuple | list):
            if got is None:
                return "your code returned None: did you forget `return`?"
            if isinstance(got, str | bytes | dict | set) or not hasattr(got, "__len__") \
                    or (isinstance(got, np.ndarray) and got.ndim != 1):
                return (f"expected a tuple of {len(expected)} whole numbers like "
                        f"{tuple(expected)!r:.40} in form, got {_describe(got)}")
            got = list(got)
            if len(got) != len(expected):
                return (f"expected {len(expected)} numbers, got {len(got)}: "
                        f"{tuple(got)!r:.60}")
            numbers_got = []
            for position, item in enumerate(got):
                number, problem = as_exact_int(item, whole_floats)
                if problem:
                    return f"number {position} of your answer: {problem}"
                numbers_got.append(number)
            if tuple(numbers_got) != tuple(int(e) for e in expected):
                return f"expected {tuple(int(e) for e in expected)}, " \
                       f"got {tuple(numbers_got)}"
            return None
        number, problem = as_exact_int(got, whole_floats)
        if problem:
            return problem
        if number != int(expected):
            return f"expected {int(expected)}, got {number}"
        return None
    except Exception as exc:  # never let an odd answer raise
        return f"could not read your answer ({type(exc).__name__}: {exc})"


def _is_count_or_shape(expected) -> bool:
    """True for an int or a tuple of ints (not bools): answers compared exactly."""
    def is_int(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)
    if isinstance(expected, tuple):
        return len(expected) > 0 and all(is_int(v) for v in expected)
    return is_int(expected)


def check_count(answer, expected, name: str, hint: str = "") -> CheckResult:
    """`check_answer` for a count or a shape: compared exactly, as integers.

    Parameters
    ----------
    answer : int or tuple of int
        The learner's answer (``...`` while not done yet).
    expected : int or tuple of int
    name : str
        What the answer is, e.g. "the parameters of conv1".
    hint : str
        Added to the verdict when the answer is wrong.
    """
    if answer is Ellipsis:
        return _verdict(False, f"{TODO} {name}: not done yet (replace `...`).")
    problem = compare_exact(answer, expected)
    if problem:
        more = f"\n   Hint: {hint}" if hint else ""
        return _verdict(False, f"{FAIL} {name}: {_end(problem)}{more}")
    return _verdict(True, f"{PASS} {name}: correct.")


def _name(learner_fn, default: str) -> str:
    """The learner's own name for their function (``my_conv2d``), else `default`."""
    name = getattr(learner_fn, "__name__", "")
    return name if name.isidentifier() else default


def _copies(args):
    """Fresh copies of array arguments, so no call can spoil the next one's inputs."""
    return [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]


def _argument_names(learner_fn, count):
    """The names of the learner's first `count` parameters, else "argument 1", ..."""
    try:
        import inspect

        names = list(inspect.signature(learner_fn).parameters)[:count]
    except (TypeError, ValueError):
        names = []
    return [f"`{names[i]}`" if i < len(names) else f"argument {i + 1}"
            for i in range(count)]


def _changed_inputs(learner_fn, args, before) -> str | None:
    """A verdict text when the learner's call changed one of its array arguments."""
    changed = [i for i, (a, b) in enumerate(zip(args, before, strict=True))
               if b is not None and not (a.shape == b.shape and
                                         np.array_equal(a, b, equal_nan=True))]
    if not changed:
        return None
    name = _argument_names(learner_fn, len(args))[changed[0]]
    return (f"it changed its input {name} (the caller's array is not the same any "
            "more): work on a copy, e.g. `x = x.copy()` first, or build a new array")


def _call(learner_fn, name, *args, where: str = "", slow: float = 1.0):
    """Run the learner's function: (result, None) or (None, the verdict to return).

    The call runs under the time limit `TIME_LIMIT`; a function that changes one of
    its array arguments in place gets a verdict too (the notebook's next cell would
    see the changed array). `where` (e.g. " on case 2 (a 4x6 image)") is added to
    the verdict. `slow` multiplies the time limit, for exercises whose right answer
    legitimately takes seconds (a whole CNN run with loops).
    """
    if not callable(learner_fn):
        return None, _verdict(
            False,
            f"{FAIL} `{name}` should be a function, got {type(learner_fn).__name__}. "
            "Pass the function itself, without parentheses.",
        )
    before = [np.copy(a) if isinstance(a, np.ndarray) else None for a in args]
    try:
        result = call_with_time_limit(learner_fn, args, seconds=TIME_LIMIT * slow)
    except TookTooLong as late:
        still = ("\n   It is still running in the background: restart the kernel "
                 "(Kernel > Restart) if the notebook becomes slow.") \
            if late.still_running else ""
        return None, _verdict(
            False,
            f"{FAIL} `{name}` took too long (more than {late.seconds:g} s)"
            f"{' ' + where.strip().rstrip('.') if where else ''}: is there a loop "
            f"that never ends?{still}",
        )
    except NotImplementedError:
        return None, _verdict(
            False,
            f"{TODO} `{name}` is not done yet: replace "
            "`raise NotImplementedError` with your code.",
        )
    except KeyboardInterrupt:  # the notebook's stop button stops the check too
        raise
    except BaseException as exc:  # the learner's bug (even sys.exit), never re-raised
        try:
            text = str(exc)
        except Exception:
            text = ""
        return None, _verdict(
            False, f"{FAIL} `{name}` raised {type(exc).__name__}: {text}{where}"
        )
    changed = _changed_inputs(learner_fn, args, before)
    if changed:
        return None, _verdict(False, f"{FAIL} `{name}`: {changed}{where}")
    return result, None


def check_function(learner_fn, reference_fn, cases, name: str, atol: float = 1e-6,
                   exact: bool = False):
    """Compare `learner_fn` with `reference_fn` on every case.

    Each call of `learner_fn` runs under the time limit `TIME_LIMIT`.

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
    atol : float
        Tolerance for arrays of numbers.
    exact : bool
        The answers are counts or shapes: compared exactly as integers
        (`compare_exact`), never with a tolerance.
    """
    for number, (description, args) in enumerate(cases, start=1):
        expected = reference_fn(*_copies(args))
        got, failed = _call(
            learner_fn, name, *_copies(args),
            where=f"\n   on case {number} ({description}).",
        )
        if failed is not None:
            return failed
        if exact:
            problem = compare_exact(got, expected)
            shown = f"\n   Expected {expected!r}, got {_describe(got)}" if problem else ""
        else:
            problem = compare(got, expected, atol)
            shown = f"\n   Expected {_describe(expected)}\n   Got {_describe(got)}"
        if problem:
            return _verdict(
                False, f"{FAIL} Case {number} ({description}): {_end(problem)}{shown}"
            )
    return _verdict(True, f"{PASS} `{name}` is correct on all {len(cases)} cases.")


def check_answer(answer, expected, name: str, hint: str = "", atol: float = 1e-6):
    """Compare a value the learner computed (number, shape tuple or array).

    An `expected` int or tuple of ints (a count, a shape) is compared exactly
    (`compare_exact`); anything else to within `atol`.

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
    if _is_count_or_shape(expected):  # whole numbers: exactly, never with a tolerance
        problem = compare_exact(answer, expected)
    else:
        problem = compare(answer, expected, atol)
    if problem:
        more = f"\n   Hint: {hint}" if hint else ""
        return _verdict(False, f"{FAIL} {name}: {_end(problem)}{more}")
    return _verdict(True, f"{PASS} {name}: correct.")


def never_raises(check):
    """Decorator: a check that meets an answer it cannot read prints a ❌ verdict
    instead of raising (a learner's odd return value must never end in a traceback).

    A safety net under the checks' own type checks, not a replacement for them.
    """
    import functools

    @functools.wraps(check)
    def safe(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            try:
                text = f"{type(exc).__name__}: {exc}"
            except Exception:
                text = type(exc).__name__
            return _verdict(False, f"{FAIL} the check could not read your answer "
                                   f"({text[:200]}). Return numbers in the shape the "
                                   "exercise asks for.")
    return safe


def _rng(seed=0):
    return np.random.default_rng(seed)


def _with_hint(result: CheckResult, hint: str) -> CheckResult:
    """Print a hint after a failed check (not after "not done yet")."""
    if not result and not result.message.startswith(TODO):
        print(f"   Hint: {hint}")
    return result
