"""Checks for predicted shapes and parameter counts of convolutions (notebook 03).

Shapes and counts are whole numbers, so they are compared exactly, as integers. An answer
is first read by `as_exact_int` / `as_exact_shape` (`checks.core`): ints and numpy
integers pass, a float passes only when it is whole (``26.0``), and bools, strings,
``None`` and non-whole floats (``26.5``) are refused with a verdict that says a whole
number was expected. A relative tolerance would let an off-by-one pass on a large count,
so there is none.
"""

from __future__ import annotations

from helpers import architecture, layers
from helpers.checks.core import (
    FAIL,
    PASS,
    TODO,
    _end,
    _verdict,
    as_exact_int,
    as_exact_shape,
    read_answer,
)

# ------------------------------------------------------------------ output shapes
OUTPUT_SHAPE_QUESTIONS = {
    "a": ((28, 28), 3, 1, "valid"),
    "b": ((28, 28), 3, 1, "same"),
    "c": ((28, 28), 5, 2, 0),
    "d": ((150, 128), 3, 2, 1),
    "e": ((150, 128), 7, 3, "same"),
}
"""Notebook 03's shape questions: label -> ((H, W), kernel size, stride, padding)."""


def output_shape_answers() -> dict[str, tuple[int, int]]:
    """The (H', W') of each question in `OUTPUT_SHAPE_QUESTIONS` (`output_size`)."""
    return {
        label: tuple(layers.output_size(n, k, s, p) for n in hw)
        for label, (hw, k, s, p) in OUTPUT_SHAPE_QUESTIONS.items()
    }


def _answers_dict(answers, expected_keys, name, example):
    """None when `answers` (read by `read_answer`) is a complete dict, else the
    verdict to return."""
    if answers is Ellipsis:
        return _verdict(False, f"{TODO} {name}: not done yet (replace `...`).")
    if not isinstance(answers, dict):
        return _verdict(False, f"{FAIL} {name}: expected a dict like {example}, "
                               f"got {type(answers).__name__}.")
    missing = [label for label in expected_keys if label not in answers]
    if missing:
        return _verdict(False, f"{FAIL} {name}: no answer for {', '.join(missing)}.")
    todo = [label for label in expected_keys if _has_ellipsis(answers[label])]
    if todo:
        return _verdict(False, f"{TODO} {name}: not done yet for {', '.join(todo)} "
                               "(replace `...`).")
    return None


def _has_ellipsis(value) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, (tuple, list)):
        return any(_has_ellipsis(item) for item in value)
    return False


def check_output_shapes(answers):
    """Notebook 03: the learner's predicted (H', W') for each question, e.g.
    ``{"a": (26, 26), "b": ...}``; one verdict for all, listing the wrong ones."""
    name = "output shapes"
    hint = ("H' = floor((H + 2p - k) / s) + 1 (the same for W'); "
            "'valid' means p = 0 and 'same' gives ceil(H / s).")
    expected = output_shape_answers()
    answers, failed = read_answer(answers, name)
    if failed is None:
        failed = _answers_dict(answers, expected, name, '{"a": (26, 26), ...}')
    if failed is not None:
        return failed
    wrong = []
    for label, (hw, k, s, p) in OUTPUT_SHAPE_QUESTIONS.items():
        shape, problem = as_exact_shape(answers[label], 2, "the shape (H', W')")
        if problem is None and shape != expected[label]:
            problem = f"expected {expected[label]}, got {shape}"
            if shape == expected[label][::-1]:
                problem += " (H and W swapped?)"
        if problem:
            wrong.append(_end(f"   ({label}) {hw[0]}x{hw[1]} image, {k}x{k} kernel, "
                              f"stride {s}, padding {p!r}: {problem}"))
    if wrong:
        return _verdict(False, f"{FAIL} {name}: {len(wrong)} of {len(expected)} "
                               "wrong.\n" + "\n".join(wrong) + f"\n   Hint: {hint}")
    return _verdict(True, f"{PASS} {name}: all {len(expected)} correct.")


# ------------------------------------------------------------------ conv layers
CONV_LAYER_QUESTIONS = {
    "a": {"input": (28, 28, 1), "filters": 32, "kernel_size": (3, 3), "strides": 1,
          "padding": "valid"},
    "b": {"input": (32, 32, 3), "filters": 16, "kernel_size": (5, 5), "strides": 2,
          "padding": "same"},
    "c": {"input": (13, 13, 32), "filters": 64, "kernel_size": (3, 3), "strides": 1,
          "padding": "valid"},
    "d": {"input": (64, 48, 3), "filters": 8, "kernel_size": (1, 1), "strides": 1,
          "padding": "valid"},
    "e": {"input": (150, 128, 3), "filters": 10, "kernel_size": (3, 5), "strides": 2,
          "padding": "valid"},
}
"""Notebook 03's conv layers to predict: label -> the input shape (H, W, C) and the
arguments of a Keras ``Conv2D(filters, kernel_size, strides, padding)``."""


def conv_layer_answer(question: dict) -> tuple[tuple[int, int, int], int]:
    """((H', W', F), parameter count) of one layer of `CONV_LAYER_QUESTIONS`.

    ``H' = output_size(H, kh, strides, padding)`` (the same for W' with kw) and
    ``params = kh * kw * C * F + F``: every filter has kh * kw * C weights and 1 bias.
    """
    H, W, C = question["input"]
    kh, kw = question["kernel_size"]
    F, s, p = question["filters"], question["strides"], question["padding"]
    shape = (layers.output_size(H, kh, s, p), layers.output_size(W, kw, s, p), F)
    return shape, architecture.conv_params(kh, kw, C, F)


def _describe_layer(q: dict) -> str:
    kh, kw = q["kernel_size"]
    return (f"input {q['input']}, Conv2D({q['filters']}, ({kh}, {kw}), "
            f"strides={q['strides']}, padding={q['padding']!r})")


def _params_mistake(params: int, q: dict) -> str:
    """A guess at the learner's mistake in a parameter count, or ''."""
    kh, kw = q["kernel_size"]
    C, F = q["input"][2], q["filters"]
    guesses = {
        kh * kw * C * F: "did you forget the biases, one per filter?",
        kh * kw * F + F: "each filter spans all C channels, kh * kw * C weights",
        kh * kw * C + 1: "that is one filter; the layer has F of them",
        (kh * kw + 1) * C * F: "a filter has one bias, not one per channel",
    }
    return guesses.get(params, "")


def check_conv_layer_prediction(predictions):
    """Notebook 03: the learner's predicted ``(output shape, parameter count)`` of each
    conv layer in `CONV_LAYER_QUESTIONS`, e.g. ``{"a": ((26, 26, 32), 320), ...}``.

    Shapes and counts are compared exactly as integers (see `as_exact_int`). One
    verdict for all layers, naming each wrong one with what was expected.
    """
    name = "conv layer predictions"
    hint = ("H' = floor((H + 2p - kh) / s) + 1 ('same': ceil(H / s)), W' the same with "
            "kw, and the depth is F; params = kh * kw * C * F + F.")
    predictions, failed = read_answer(predictions, name)
    if failed is None:
        failed = _answers_dict(predictions, CONV_LAYER_QUESTIONS, name,
                               '{"a": ((26, 26, 32), 320), ...}')
    if failed is not None:
        return failed
    wrong = []
    for label, q in CONV_LAYER_QUESTIONS.items():
        expected_shape, expected_params = conv_layer_answer(q)
        answer = predictions[label]
        problems = []
        if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)) \
                or len(answer) != 2:
            problems.append("expected a pair (shape, params) such as "
                            f"((26, 26, 32), 320), got {answer!r:.50}")
        else:
            shape, problem = as_exact_shape(answer[0], 3, "the shape (H', W', F)")
            if problem:
                problems.append(problem)
            elif shape != expected_shape:
                text = f"the shape should be {expected_shape}, not {shape}"
                if shape == (expected_shape[1], expected_shape[0], expected_shape[2]):
                    text += " (H and W swapped?)"
                problems.append(text)
            params, problem = as_exact_int(answer[1])
            if problem:
                problems.append(f"the parameter count: {problem}")
            elif params != expected_params:
                guess = _params_mistake(params, q)
                problems.append(f"the parameter count should be {expected_params}, "
                                f"not {params}" + (f": {guess}" if guess else ""))
        if problems:
            wrong.append(_end(f"   ({label}) {_describe_layer(q)}: "
                              + "; ".join(problems)))
    if wrong:
        return _verdict(False, f"{FAIL} {name}: {len(wrong)} of "
                               f"{len(CONV_LAYER_QUESTIONS)} wrong.\n" + "\n".join(wrong)
                        + f"\n   Hint: {hint}")
    return _verdict(True, f"{PASS} {name}: all {len(CONV_LAYER_QUESTIONS)} shapes and "
                          "parameter counts correct.")
