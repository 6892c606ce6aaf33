"""The machinery of every self-check: verdicts, comparing answers, calling the learner.

A check prints one verdict (✅ right, ❌ wrong with the reason, ⏳ not done yet) and
returns a `CheckResult` that is truthy when everything passed (tests and graded cells
use that). Nothing in here lets the learner's exception escape as a traceback, and
every value taken from the learner (a function's result, an answer) is read as plain
data under the time limit and a size bound (`checks.plain`) before a check looks at it.

The caller's mistakes are another matter: a check given nothing to test, or arguments
that do not fit together, raises TypeError or ValueError naming the argument; it never
prints a verdict that blames the learner, and never says ✅ for nothing tested.
"""

from __future__ import annotations

import numbers
import types

import numpy as np

from helpers.checks.plain import MAX_VALUES, TooManyValues, plain
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


def compare(got, expected, atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """Why `got` differs from `expected`, or None when they match (never raises).

    Shape first (a list is accepted if it converts to the right shape), then NaN, then
    the values to within ``atol + rtol * |expected|``.
    """
    try:
        return _compare_values(got, expected, atol, rtol)
    except Exception as exc:  # an odd object: a verdict, never a traceback
        return (f"could not read your result as numbers ({type(exc).__name__}: "
                f"{exc}); got {_describe(got)}")


def _compare_values(got, expected, atol, rtol):
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
    if raw.shape != expected.shape:  # before a float copy of a huge array
        return f"expected shape {expected.shape}, got shape {raw.shape}"
    arr = raw.astype(float)
    if np.any(np.isinf(arr)) and not np.any(np.isinf(expected)):
        return "your result contains infinity"
    if np.any(np.isnan(arr)) and not np.any(np.isnan(expected)):
        return "your result contains NaN (not a number)"
    if not np.allclose(arr, expected, atol=atol, rtol=rtol, equal_nan=True):
        if arr.ndim == 0:  # one number: the expected one is the exercise's answer
            return f"got {float(arr):.12g}, not the expected value"
        wrong = ~np.isclose(arr, expected, atol=atol, rtol=rtol, equal_nan=True)
        where = tuple(int(i) for i in np.argwhere(wrong)[0])
        first = f" (first at index {where}: expected {expected[where]:.4g}, " \
                f"got {arr[where]:.4g})"
        return f"{int(wrong.sum())} value(s) differ{first}"
    return None


# ------------------------------------------------------------ counts, shapes, indices
def _type_words(value) -> str:
    return f"{value!r:.40} (a {type(value).__name__})"


def as_exact_int(value, whole_floats: bool = True):
    """`value` as a Python int, or the reason it is not one: ``(int, None)`` or
    ``(None, problem)``. Never raises. The one reader of a whole number the learner
    gave (a count, a size, an index).

    Accepted: Python and numpy integers (and 0-d arrays holding one); with
    `whole_floats`, floats that are whole numbers (``26.0``). Refused, with a reason:
    bools, strings, floats with a fraction (the sign of ``/`` where ``//`` was meant),
    NaN, infinity, sequences, None.
    """
    wanted = "expected a whole number (an int)"
    try:
        if value is None:
            return None, f"{wanted}, got None (did you forget `return`?)"
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, bool | np.bool_):
            return None, f"{wanted}, got {value!r} (a bool)"
        if isinstance(value, str | bytes):
            return None, (f"{wanted}, got the text {value!r:.40}: remove the quotes "
                          "(return the number itself, not a string)")
        if isinstance(value, numbers.Integral):
            return int(value), None
        if isinstance(value, numbers.Real):
            number = float(value)
            if not np.isfinite(number):
                return None, f"{wanted}, got {number}"
            if not number.is_integer():
                return None, (f"{wanted}, got {number!r} (a float with a fraction): "
                              "use // (floor division), not /")
            if not whole_floats:
                return None, (f"expected an int, got {_type_words(value)}: an index "
                              "must be an int, e.g. int(...) or // instead of /")
            if abs(number) > 2**53:
                return None, (f"expected an int, got the float {number!r}: too "
                              "large to be exact")
            return int(number), None
        if isinstance(value, list | tuple):  # e.g. [320] or a (size, jump) pair
            return None, f"{wanted}, got the {type(value).__name__} {value!r:.40}"
        return None, f"{wanted}, got {_describe(value)}"
    except Exception:  # an odd object that breaks isinstance or float()
        return None, f"{wanted}, got a {type(value).__name__}"


def as_exact_shape(value, length: int, what: str = "your answer",
                   whole_floats: bool = True):
    """`value` as a tuple of `length` ints (a shape), or the reason it is not one:
    ``(tuple, None)`` or ``(None, problem)``. Never raises.

    A tuple, a list or a 1-D integer array is accepted; each number is read by
    `as_exact_int`. Every problem names the value as `what`.
    """
    example = repr((26,) * length)
    try:
        if isinstance(value, np.ndarray) and value.ndim != 1:
            return None, (f"expected {what} as a flat tuple of {length} whole numbers "
                          f"such as {example}, got an array of shape {value.shape}")
        if isinstance(value, str | bytes | dict | set) or not hasattr(value, "__len__"):
            return None, (f"expected {what} as a tuple of {length} whole numbers such "
                          f"as {example}, got {_describe(value)}")
        items = list(value)
        if len(items) != length:
            return None, (f"expected {what} to have {length} numbers such as {example}, "
                          f"got {len(items)}: {tuple(items)!r:.60}")
        shape = []
        for position, item in enumerate(items):
            number, problem = as_exact_int(item, whole_floats)
            if problem:
                return None, f"number {position} of {what}: {problem}"
            shape.append(number)
        return tuple(shape), None
    except Exception as exc:  # an odd object that breaks len() or list()
        return None, f"could not read {what} ({type(exc).__name__})"


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
            expected = tuple(int(e) for e in expected)
            shape, problem = as_exact_shape(got, len(expected), whole_floats=whole_floats)
            if problem is None and shape != expected:
                problem = f"expected {expected}, got {shape}"
            return problem
        number, problem = as_exact_int(got, whole_floats)
        if problem is None and number != int(expected):
            problem = f"expected {int(expected)}, got {number}"
        return problem
    except Exception as exc:  # never let an odd answer raise
        return f"could not read your answer ({type(exc).__name__}: {exc})"


def _is_count_or_shape(expected) -> bool:
    """True for an int or a tuple of ints (not bools): answers compared exactly."""
    def is_int(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)
    if isinstance(expected, tuple):
        return len(expected) > 0 and all(is_int(v) for v in expected)
    return is_int(expected)


def _is_whole_float(expected) -> bool:
    """True for one real float that is a whole number, such as 5e6 or 26.0."""
    if isinstance(expected, np.ndarray) and expected.ndim == 0:
        expected = expected[()]
    if not isinstance(expected, numbers.Real) or isinstance(expected, numbers.Integral):
        return False
    number = float(expected)
    return bool(np.isfinite(number)) and number.is_integer()


def check_count(answer, expected, name: str, hint: str = "") -> CheckResult:
    """`check_answer` for a count or a shape (an int or a tuple of ints, or a list):
    always compared exactly, as integers (`compare_exact`)."""
    return _check_value(answer, name, hint, lambda value: compare_exact(value, expected))


def _name(learner_fn, default: str) -> str:
    """The learner's own name for their function (``my_conv2d``), else `default`.

    Read only from plain functions: another object's ``__name__`` may be the learner's
    own property, code that could run on and on outside the time limit.
    """
    if not isinstance(learner_fn, types.FunctionType | types.MethodType
                      | types.BuiltinFunctionType):
        return default
    name = learner_fn.__name__
    return name if isinstance(name, str) and name.isidentifier() else default


def _read(learner_fn, args):
    """Call the learner's function and read its result as plain data (in the worker
    thread, so both run under the time limit)."""
    return plain(learner_fn(*args))


def read_answer(answer, name: str):
    """The learner's `answer` read as plain data under the time limit and the size
    bound of `checks.plain`: ``(value, None)``, or ``(None, the verdict to return)``.

    Every check of a value (not of a function) reads it with this first, so that an
    endless iterator or an object of the learner's own class cannot hang the check.
    """
    try:
        return call_with_time_limit(plain, (answer,), seconds=TIME_LIMIT), None
    except TookTooLong as late:
        return None, _verdict(False, f"{FAIL} {name}: reading your answer took too "
                                     f"long (more than {late.seconds:.3g} s): is it an "
                                     "object whose code runs in a loop that never ends?")
    except TooManyValues:
        return None, _verdict(False, f"{FAIL} {name}: your answer holds more than "
                                     f"{MAX_VALUES:,} values: is it an endless generator?"
                                     " Give a number, a tuple or an array.")
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # the answer's own code raised while being read
        return None, _verdict(False, f"{FAIL} {name}: could not read your answer "
                                     f"({type(exc).__name__}).")


def _copies(args):
    """Fresh copies of array arguments, so no call can spoil the next one's inputs."""
    return [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]


def _argument_names(learner_fn, count):
    """The names of the learner's first `count` parameters, else "argument 1", ...

    Read only from plain functions (another callable's signature may be the learner's
    own code)."""
    names = []
    if isinstance(learner_fn, types.FunctionType | types.MethodType):
        try:
            import inspect

            names = list(inspect.signature(learner_fn).parameters)[:count]
        except Exception:  # a __signature__ or __wrapped__ that is not one
            names = []
    return [f"`{names[i]}`" if i < len(names) else f"argument {i + 1}"
            for i in range(count)]


MAX_MESSAGE = 500
"""Characters of the learner's exception message shown in a verdict."""


def _exception_text(exc: BaseException) -> str:
    """The message of the learner's exception, cut to `MAX_MESSAGE` characters; read
    under the time limit, since its ``__str__`` may be the learner's code too."""
    try:
        text = call_with_time_limit(str, (exc,), seconds=TIME_LIMIT)
    except KeyboardInterrupt:
        raise
    except BaseException:  # a __str__ that fails, or runs on: no message
        return ""
    if not isinstance(text, str):
        return ""
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ..."


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

    The call, and the reading of its result as plain data (`checks.plain`: at most
    `MAX_VALUES` items, so an endless generator is stopped too), run under the time
    limit `TIME_LIMIT`; a function that changes one of its array arguments in place
    gets a verdict too (the notebook's next cell would see the changed array). `where`
    (e.g. " on case 2 (a 4x6 image)") is added to the verdict. `slow` multiplies the
    time limit, for exercises whose right answer legitimately takes seconds (a whole
    CNN run with loops).
    """
    if not callable(learner_fn):
        return None, _verdict(
            False,
            f"{FAIL} `{name}` should be a function, got {type(learner_fn).__name__}. "
            "Pass the function itself, without parentheses.",
        )
    before = [np.copy(a) if isinstance(a, np.ndarray) else None for a in args]
    try:
        result = call_with_time_limit(_read, (learner_fn, args),
                                      seconds=TIME_LIMIT * slow)
    except TookTooLong as late:
        still = ("\n   It is still running in the background: restart the kernel "
                 "(Kernel > Restart) if the notebook becomes slow.") \
            if late.still_running else ""
        return None, _verdict(
            False,
            f"{FAIL} `{name}` took too long (more than {late.seconds:.3g} s)"
            f"{' ' + where.strip().rstrip('.') if where else ''}: is there a loop "
            f"that never ends?{still}",
        )
    except TooManyValues:
        return None, _verdict(
            False,
            f"{FAIL} `{name}` returned more than {MAX_VALUES:,} values{where or '.'}"
            f"\n   Is it an endless generator? Return a list or an array.",
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
        return None, _verdict(
            False, f"{FAIL} `{name}` raised {type(exc).__name__}: "
                   f"{_exception_text(exc)}{where}"
        )
    changed = _changed_inputs(learner_fn, args, before)
    if changed:
        return None, _verdict(False, f"{FAIL} `{name}`: {changed}{where}")
    return result, None


def check_function(learner_fn, reference_fn, cases, name: str, atol: float = 1e-6,
                   exact: bool = False, one_number: str = "", diagnose=None):
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
    one_number : str
        The answer is one number; this says which (e.g. "the loss"). A 1-element list
        or array counts as one number, and the verdict shows both numbers.
    diagnose : callable, optional
        ``diagnose(got, *args) -> str``, called on a wrong answer (with `one_number`,
        only on one number, and `got` is then that float): the known slip that gives
        it, or "" (it is added to the verdict).

    Raises
    ------
    ValueError
        When `cases` is empty: a check with nothing to test never says ✅.
    """
    cases = list(cases)
    if not cases:
        raise ValueError(f"check_function: `cases` is empty, so `{name}` would be "
                         "called correct without a test; give at least one "
                         "(description, args) pair")
    for number, (description, args) in enumerate(cases, start=1):
        expected = reference_fn(*_copies(args))
        got, failed = _call(
            learner_fn, name, *_copies(args),
            where=f"\n   on case {number} ({description}).",
        )
        if failed is not None:
            return failed
        if one_number:
            got, problem, shown = _number_problem(got, expected, atol, one_number)
        elif exact:
            problem = compare_exact(got, expected)
            shown = f"\n   Expected {expected!r}, got {_describe(got)}"
        else:
            problem = compare(got, expected, atol)
            shown = f"\n   Expected {_describe(expected)}\n   Got {_describe(got)}"
        if problem:
            known = diagnose is not None and (not one_number or isinstance(got, float))
            why = diagnose(got, *args) if known else ""
            return _verdict(
                False, f"{FAIL} Case {number} ({description}): {_end(problem)}{shown}"
                       + (f"\n   {_end(why)}" if why else "")
            )
    return _verdict(True, f"{PASS} `{name}` is correct on all {len(cases)} cases.")


def _number_problem(got, expected, atol, what):
    """(the answer as a float when it is one number, why it is wrong or None, the
    text showing both numbers) for a function whose answer is one number."""
    try:
        arr = np.asarray(got)
        value = float(arr.reshape(())) if arr.dtype.kind in "biuf" \
            and arr.size == 1 else None
    except (TypeError, ValueError, OverflowError):  # ragged lists, odd objects
        arr, value = None, None
    if value is None:
        problem = compare(got, expected, atol)
        if problem and arr is not None and arr.ndim > 0:
            problem = f"expected one number ({what})"
        return got, problem, f"\n   Expected {expected:.6g}, got {_describe(got)}"
    return value, compare(value, expected, atol), \
        f"\n   Expected {expected:.6g}, got {value:.6g}"


def check_answer(answer, expected, name: str, hint: str = "", atol: float = 1e-6):
    """Compare a value the learner computed (number, shape tuple or array).

    An `expected` int or tuple of ints (a count, a shape) is compared exactly
    (`compare_exact`). An `expected` float that is a whole number (``5e6``, ``26.0``)
    is compared without a relative tolerance, to within `atol` only (round-off), so
    5,000,020 is not 5e6; a bool is refused. Anything else (a fraction, an array) is
    compared to within ``atol + 1e-5 * |expected|``.

    Parameters
    ----------
    answer : number, tuple or array-like
        The learner's answer (``...`` while not done yet).
    expected : number, tuple or array-like
    name : str
        What the answer is, e.g. "the output shape".
    hint : str
        Added to the verdict when the answer is wrong.
    """
    return _check_value(answer, name, hint,
                        lambda value: answer_problem(value, expected, atol))


def answer_problem(value, expected, atol: float = 1e-6) -> str | None:
    """What is wrong with `value` as an answer `expected` (None when right), by the rules
    of `check_answer`."""
    if _is_count_or_shape(expected):  # whole numbers: exactly, never a tolerance
        return compare_exact(value, expected)
    if _is_whole_float(expected):  # a count written as a float: no relative slack
        return (f"expected a number, got {value!r} (a bool)"
                if isinstance(value, bool | np.bool_) else
                compare(value, expected, atol, rtol=0.0))
    return compare(value, expected, atol)


def _check_value(answer, name: str, hint: str, problem_of) -> CheckResult:
    """The verdict on one `answer` (a value, not a function): read it (`read_answer`),
    "not done yet" for ``...``, else ``problem_of(answer)`` (None when right)."""
    answer, failed = read_answer(answer, name)
    if failed is not None:
        return failed
    if answer is Ellipsis:
        return _verdict(False, f"{TODO} {name}: not done yet (replace `...`).")
    problem = problem_of(answer)
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
