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
    return check_function(learner_fn, layers.conv2d, cases, _name(learner_fn, "conv2d"))


# ---- notebooks 03-05: ReLU, pooling, dense ------------------------------------------
def check_relu(learner_fn):
    """Notebook 03: the learner's ``my_relu(x)`` on scalars, arrays, negatives, zeros."""
    rng = _rng(3)
    cases = [
        ("a positive scalar, 3.0", (3.0,)),
        ("a negative scalar, -2.5", (-2.5,)),
        ("zero", (0.0,)),
        ("a 1-D array with negatives, zeros and positives",
         (np.array([-3.0, -0.5, 0.0, 0.5, 3.0]),)),
        ("a 3x3 feature map with negatives",
         (rng.integers(-4, 5, (3, 3)).astype(float),)),
        ("all negative: every entry becomes 0", (-rng.uniform(0.1, 5, (2, 4)),)),
        ("a random (4, 4, 2) array", (rng.normal(size=(4, 4, 2)),)),
    ]
    return check_function(learner_fn, layers.relu, cases, "my_relu")


def _combined_kernel_reference(k1, k2):
    # Stacking cross-correlations = one cross-correlation with the full *convolution*
    # of k1 and k2, i.e. k1 zero-padded and cross-correlated with k2 flipped.
    kh2, kw2 = k2.shape
    padded = np.pad(k1, ((kh2 - 1, kh2 - 1), (kw2 - 1, kw2 - 1)))
    return layers.conv2d(padded, k2[::-1, ::-1])


def check_combined_kernel(learner_fn):
    """Notebook 03: ``combined_kernel(k1, k2)``, the one kernel doing k1 then k2."""
    rng = _rng(4)
    cases = [
        ("two 3x3 kernels", (rng.integers(-2, 3, (3, 3)).astype(float),
                             rng.integers(-2, 3, (3, 3)).astype(float))),
        ("a 2x2 kernel then a 3x3 kernel", (rng.normal(size=(2, 2)),
                                            rng.normal(size=(3, 3)))),
        ("not square: 1x3 then 3x1", (np.array([[1.0, 0.0, -1.0]]),
                                      np.array([[1.0], [2.0], [1.0]]))),
        ("a 1x1 kernel [[2]] then a 2x2 kernel", (np.array([[2.0]]),
                                                  rng.normal(size=(2, 2)))),
    ]
    return check_function(
        learner_fn, _combined_kernel_reference, cases, "combined_kernel"
    )


def check_max_pool2d(learner_fn):
    """Notebook 04: ``my_max_pool2d(x, size, stride)``, edges dropped as in Keras."""
    rng = _rng(5)
    lesson = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)
    cases = [
        ("the 4x4 map of the lesson, size 2, stride 2", (lesson, 2, 2)),
        ("a 4x6 map (not square)", (rng.integers(0, 9, (4, 6)).astype(float), 2, 2)),
        ("a 5x5 map: the last row and column are dropped",
         (rng.integers(0, 9, (5, 5)).astype(float), 2, 2)),
        ("all negative numbers (the max is negative too)",
         (-rng.uniform(1, 9, (4, 4)), 2, 2)),
        ("size 3, stride 1 (overlapping windows)", (rng.normal(size=(5, 6)), 3, 1)),
        ("size 2, stride 3 (gaps between windows)", (rng.normal(size=(7, 8)), 2, 3)),
        ("channels: a (4, 4, 3) map, each channel pooled on its own",
         (rng.normal(size=(4, 4, 3)), 2, 2)),
    ]
    return check_function(learner_fn, layers.max_pool2d, cases, "my_max_pool2d")


def _with_hint(result: CheckResult, hint: str) -> CheckResult:
    """Print a hint after a failed check (not after "not done yet")."""
    if not result and not result.message.startswith(TODO):
        print(f"   Hint: {hint}")
    return result


def _pooled_shape_reference(input_shape, size=2, stride=2):
    H, W, *channels = input_shape
    return (layers.output_size(H, size, stride), layers.output_size(W, size, stride),
            *channels)


def check_pooled_shape(learner_fn):
    """Notebook 04: ``pooled_shape(input_shape, size, stride)`` -> the output shape."""
    cases = [
        ("(4, 4), size 2, stride 2", ((4, 4), 2, 2)),
        ("(5, 5), size 2, stride 2: the odd edge is dropped", ((5, 5), 2, 2)),
        ("(28, 28, 32), size 2, stride 2: channels stay", ((28, 28, 32), 2, 2)),
        ("(13, 13, 64), size 2, stride 2", ((13, 13, 64), 2, 2)),
        ("(7, 7, 8), size 3, stride 2", ((7, 7, 8), 3, 2)),
        ("(6, 9, 3), size 3, stride 1 (not square)", ((6, 9, 3), 3, 1)),
        ("(10, 10, 1), size 2, stride 3", ((10, 10, 1), 2, 3)),
    ]
    result = check_function(learner_fn, _pooled_shape_reference, cases, "pooled_shape")
    return _with_hint(result, "H' = floor((H - size) / stride) + 1, the same for W; "
                              "the channels C do not change.")


def check_dense(learner_fn):
    """Notebook 05: ``my_dense(x, W, b) = x @ W + b``, W of shape (inputs, units)."""
    rng = _rng(6)
    cases = [
        ("3 inputs, 2 units", (np.array([1.0, 2.0, 3.0]),
                               np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
                               np.array([0.5, -0.5]))),
        ("a square W (3 inputs, 3 units): W must not be transposed",
         (rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=3))),
        ("8 inputs, 1 unit", (rng.normal(size=8), rng.normal(size=(8, 1)),
                              rng.normal(size=1))),
        ("5 inputs, 4 units, zero bias", (rng.normal(size=5), rng.normal(size=(5, 4)),
                                          np.zeros(4))),
    ]
    return check_function(learner_fn, layers.dense, cases, "my_dense")


def check_conv_params(learner_fn):
    """Notebook 05: ``conv_params(kernel_size, channels, filters)``, all parameters."""
    cases = [
        ("3x3 kernels, 1 channel, 2 filters", (3, 1, 2)),
        ("3x3 kernels, 1 channel, 32 filters", (3, 1, 32)),
        ("3x3 kernels, 32 channels, 64 filters", (3, 32, 64)),
        ("5x5 kernels, 3 channels (RGB), 16 filters", (5, 3, 16)),
        ("1x1 kernels, 8 channels, 4 filters", (1, 8, 4)),
    ]
    result = check_function(learner_fn, lambda k, c, f: (k * k * c + 1) * f, cases,
                            "conv_params")
    return _with_hint(result, "a filter has kernel_size * kernel_size * channels "
                              "weights and 1 bias; there are `filters` of them.")


def check_dense_params(learner_fn):
    """Notebook 05: ``dense_params(inputs, units)``, weights + biases."""
    cases = [
        ("18 inputs, 3 units", (18, 3)),
        ("1 input, 1 unit", (1, 1)),
        ("5408 inputs, 10 units", (5408, 10)),
        ("1600 inputs, 128 units", (1600, 128)),
    ]
    result = check_function(
        learner_fn, lambda n, u: (n + 1) * u, cases, "dense_params"
    )
    return _with_hint(result, "every unit has one weight per input and 1 bias.")


# ---- notebooks 01-02: convolution by hand, output shapes, stacks of feature maps ---
def check_window_value(answer):
    """Notebook 01: the value at row 1, column 2 of the lesson's feature map."""
    from helpers import data

    expected = layers.conv2d(data.binary_image(), data.lesson_kernel())[1, 2]
    return check_answer(
        answer, expected, "the value at (1, 2)",
        hint="put the kernel's top-left corner on row 1, column 2 of the image "
             "(rows and columns count from 0), multiply the 3x3 window by the kernel "
             "cell by cell, and add the nine products.",
    )


def _window_sum_reference(image, kernel, row, col):
    kh, kw = kernel.shape
    return float(np.sum(image[row : row + kh, col : col + kw] * kernel))


def check_window_sum(learner_fn):
    """Notebook 01: the learner's ``window_sum(image, kernel, row, col)``."""
    from helpers import data

    rng = _rng(2)
    image, kernel = data.binary_image(), data.lesson_kernel()
    tall = rng.integers(0, 4, (6, 4)).astype(float)
    cases = [
        ("the lesson's image and kernel at (0, 0)", (image, kernel, 0, 0)),
        ("the lesson's image and kernel at (1, 2)", (image, kernel, 1, 2)),
        ("the lesson's image and kernel at (2, 0)", (image, kernel, 2, 0)),
        ("a 6x4 image, 2x3 kernel with negatives, at (3, 1)",
         (tall, np.array([[1.0, -2.0, 0.0], [0.5, 3.0, -1.0]]), 3, 1)),
        ("a 6x4 image, 3x2 kernel, at (1, 2)",
         (tall, rng.normal(size=(3, 2)), 1, 2)),
    ]
    return check_function(learner_fn, _window_sum_reference, cases, "window_sum")


OUTPUT_SHAPE_QUESTIONS = {
    "a": ((28, 28), 3, 1, "valid"),
    "b": ((28, 28), 3, 1, "same"),
    "c": ((28, 28), 5, 2, 0),
    "d": ((150, 128), 3, 2, 1),
    "e": ((150, 128), 7, 3, "same"),
}
"""Notebook 02's shape questions: label -> ((H, W), kernel size, stride, padding)."""


def output_shape_answers() -> dict[str, tuple[int, int]]:
    """The (H', W') of each question in `OUTPUT_SHAPE_QUESTIONS` (`output_size`)."""
    return {
        label: tuple(layers.output_size(n, k, s, p) for n in hw)
        for label, (hw, k, s, p) in OUTPUT_SHAPE_QUESTIONS.items()
    }


def check_output_shapes(answers):
    """Notebook 02: the learner's predicted (H', W') for each question, e.g.
    ``{"a": (26, 26), "b": ...}``; one verdict for all, listing the wrong ones."""
    name = "output shapes"
    hint = ("H' = floor((H + 2p - k) / s) + 1 (the same for W'); "
            "'valid' means p = 0 and 'same' gives ceil(H / s).")
    if answers is Ellipsis:
        return _verdict(False, f"{TODO} {name}: not done yet (replace `...`).")
    if not isinstance(answers, dict):
        return _verdict(False, f"{FAIL} {name}: expected a dict like "
                               f'{{"a": (26, 26), ...}}, got {type(answers).__name__}.')
    expected = output_shape_answers()
    missing = [label for label in expected if label not in answers]
    if missing:
        return _verdict(False, f"{FAIL} {name}: no answer for {', '.join(missing)}.")
    if any(answers[label] is Ellipsis for label in expected):
        todo = [label for label in expected if answers[label] is Ellipsis]
        return _verdict(False, f"{TODO} {name}: not done yet for {', '.join(todo)} "
                               "(replace `...`).")
    wrong = []
    for label, (hw, k, s, p) in OUTPUT_SHAPE_QUESTIONS.items():
        problem = compare(answers[label], expected[label], atol=0)
        if problem:
            wrong.append(f"   ({label}) {hw[0]}x{hw[1]} image, {k}x{k} kernel, "
                         f"stride {s}, padding {p!r}: {_end(problem)}")
    if wrong:
        return _verdict(False, f"{FAIL} {name}: {len(wrong)} of {len(expected)} "
                               "wrong.\n" + "\n".join(wrong) + f"\n   Hint: {hint}")
    return _verdict(True, f"{PASS} {name}: all {len(expected)} correct.")


def _feature_maps_reference(image, kernels):
    bias = np.zeros(kernels.shape[3])
    return layers.conv2d_layer(image[None], kernels, bias)[0]


def check_feature_maps(learner_fn):
    """Notebook 02: the learner's ``feature_maps(image, kernels)``: an (H, W, C) image
    and (kh, kw, C, F) kernels give an (H', W', F) stack, stride 1, no padding."""
    rng = _rng(3)
    cases = [
        ("a 6x5 RGB image, four 3x3x3 kernels",
         (rng.random((6, 5, 3)), rng.normal(size=(3, 3, 3, 4)))),
        ("a 5x5 grayscale image (C=1), two 3x3x1 kernels",
         (rng.random((5, 5, 1)), rng.normal(size=(3, 3, 1, 2)))),
        ("a 4x6 image with C=2, three 2x2x2 kernels",
         (rng.random((4, 6, 2)), rng.normal(size=(2, 2, 2, 3)))),
        ("one filter (F=1)", (rng.random((5, 4, 3)), rng.normal(size=(3, 3, 3, 1)))),
    ]
    return check_function(learner_fn, _feature_maps_reference, cases, "feature_maps")


# ---- notebooks 06-07: the Keras CNN, its ledger, the trained model from inside ----
def check_layer_predictions(learner_fn, model):
    """Notebook 06: ``learner_fn()`` returns ``{layer name: (output shape, params)}``
    for every layer of the Keras `model`; Keras' own numbers are the answer key."""
    answers, failed = _call(learner_fn, "predict_ledger")
    if failed is not None:
        return failed
    if not isinstance(answers, dict):
        return _verdict(False, f"{FAIL} expected a dict {{layer name: (shape, params)}}, "
                               f"got {_describe(answers)}")
    hints = {
        "Conv2D": 'params = (kh * kw * C + 1) * F; "same" keeps H and W (stride 1), '
                  '"valid" gives H - kh + 1.',
        "MaxPooling2D": "no parameters; H' = floor((H - 2) / 2) + 1 for 2x2 pooling.",
        "Flatten": "no parameters; H * W * C numbers in a row.",
        "Dense": "params = (inputs + 1) * units.",
    }
    for layer in model.layers:
        kind = type(layer).__name__
        expected = (tuple(int(n) for n in layer.output.shape[1:]),
                    int(layer.count_params()))
        if layer.name not in answers:
            return _verdict(False, f"{FAIL} no entry for layer {layer.name!r} "
                                   f"(the dict needs one per layer).")
        try:
            shape, params = answers[layer.name]
            shape = tuple(int(n) for n in shape)
            ok = shape == expected[0] and params == expected[1]
        except (TypeError, ValueError):
            return _verdict(False, f"{FAIL} {layer.name}: expected a pair "
                                   f"(shape tuple, params), got {answers[layer.name]!r:.60}")
        if not ok:
            return _verdict(
                False,
                f"{FAIL} {layer.name} ({kind}): you said shape {shape} and "
                f"{params!r} parameters.\n   Hint: {hints.get(kind, '')}",
            )
    return _verdict(True, f"{PASS} all {len(model.layers)} layers: shapes and parameter "
                          "counts match Keras.")


def _most_confused_reference(cm):
    off = np.array(cm, dtype=float)
    np.fill_diagonal(off, -np.inf)
    true, predicted = np.unravel_index(np.argmax(off), off.shape)
    return int(true), int(predicted)


def check_most_confused(learner_fn):
    """Notebook 06: ``most_confused(cm)`` -> (true class, predicted class) of the largest
    entry off the diagonal of a confusion matrix."""
    rng = _rng(6)
    big_diagonal = np.diag([90, 80, 95]) + np.array([[0, 3, 7], [12, 0, 8], [1, 2, 0]])
    cases = [
        ("3 classes: class 1 taken for class 0 most often", (big_diagonal,)),
        ("the diagonal is the largest entry but must be ignored",
         (np.array([[50, 1], [4, 60]]),)),
        ("10 classes of random counts", (rng.integers(0, 50, (10, 10)),)),
        ("a mistake above the diagonal", (np.array([[9, 0, 0], [0, 9, 5], [1, 0, 9]]),)),
    ]
    for number, (description, (cm,)) in enumerate(cases, start=1):
        expected = _most_confused_reference(cm)
        got, failed = _call(learner_fn, "most_confused", np.copy(cm))
        if failed is not None:
            return failed
        try:
            got = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            return _verdict(False, f"{FAIL} case {number} ({description}): expected a "
                                   f"pair (true, predicted), got {_describe(got)}")
        if got != expected:
            return _verdict(
                False,
                f"{FAIL} case {number} ({description}): expected {expected}, got {got}."
                "\n   Hint: set the diagonal aside (np.fill_diagonal on a copy), then "
                "np.argmax and np.unravel_index.",
            )
    return _verdict(True, f"{PASS} `most_confused` is correct on all {len(cases)} cases.")


def check_kernel_feature_map(learner_fn, image, kernels, biases, expected_maps):
    """Notebook 07: ``one_feature_map(image, kernels, biases, k)`` against the feature
    maps Keras computed (`expected_maps`, (H', W', F)) for a few kernels k."""
    expected_maps = np.asarray(expected_maps)
    for k in sorted({0, 5, expected_maps.shape[-1] - 1}):
        got, failed = _call(learner_fn, "one_feature_map", np.copy(image),
                            np.copy(kernels), np.copy(biases), k)
        if failed is not None:
            return failed
        problem = compare(got, expected_maps[:, :, k], atol=1e-4)
        if problem:
            return _verdict(
                False,
                f"{FAIL} kernel {k}: {_end(problem)}\n   Hint: conv2d of image[:, :, 0] "
                "with kernels[:, :, 0, k] and the layer's padding, plus biases[k], "
                "then ReLU.",
            )
    return _verdict(True, f"{PASS} `one_feature_map` matches Keras' feature maps.")


def _most_similar_reference(vectors, i):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit[i]
    similarity[i] = -np.inf
    return int(np.argmax(similarity))


def check_most_similar(learner_fn):
    """Notebook 07: ``most_similar(vectors, i)`` -> the index j != i whose row of
    `vectors` has the largest cosine similarity with row i."""
    rng = _rng(7)
    scaled = np.array([[1.0, 0.0], [10.0, 1.0], [0.9, 0.3], [-1.0, 0.0]])
    cases = [
        ("4 vectors in 2-D: cosine, not distance (a long vector can be the most "
         "similar)", (scaled, 0)),
        ("the vector itself does not count", (np.array([[1.0, 2.0], [1.0, 2.0],
                                                        [2.0, 1.0]]), 0)),
        ("100 random vectors of 128 numbers", (rng.random((100, 128)), 17)),
        ("the last row as the query", (rng.normal(size=(20, 8)), 19)),
    ]
    for number, (description, (vectors, i)) in enumerate(cases, start=1):
        expected = _most_similar_reference(vectors, i)
        got, failed = _call(learner_fn, "most_similar", np.copy(vectors), i)
        if failed is not None:
            return failed
        if isinstance(got, bool | float | str) or np.ndim(got) != 0 \
                or not np.issubdtype(np.asarray(got).dtype, np.integer):
            return _verdict(False, f"{FAIL} case {number} ({description}): expected one "
                                   f"index (an int), got {_describe(got)}")
        if int(got) != expected:
            return _verdict(
                False,
                f"{FAIL} case {number} ({description}): expected index {expected}, "
                f"got {int(got)}.\n   Hint: divide each row by its length "
                "(np.linalg.norm), take dot products with row i, leave row i out.",
            )
    return _verdict(True, f"{PASS} `most_similar` is correct on all {len(cases)} cases.")
