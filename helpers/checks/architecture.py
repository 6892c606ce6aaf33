"""Checks for notebook 07 (why convolution): receptive fields and parameter counts.

Counts are compared exactly, as integers (`checks.core.as_exact_int`): a float is
accepted only when it is a whole number (``4.0``), and bools, strings and non-whole floats
are refused with a verdict that says what type was expected. A relative tolerance would
let an off-by-one pass on large numbers, so there is none.
"""

from __future__ import annotations

from helpers import architecture
from helpers.checks.core import (
    FAIL,
    PASS,
    TODO,
    _call,
    _name,
    _verdict,
    _with_hint,
    as_exact_int,
    read_answer,
)

# Stacks the receptive-field check tries: (description, stack, expected sizes).
RECEPTIVE_FIELD_CASES = [
    ("the series' CNN: conv 3, pool 2, conv 3, pool 2",
     [("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1), ("pool", 2, 2)]),
    ("one 5x5 convolution", [("conv", 5, 1)]),
    ("two 3x3 convolutions, then 2x2 pooling, twice (a VGG-style block)",
     [("conv", 3, 1), ("conv", 3, 1), ("pool", 2, 2),
      ("conv", 3, 1), ("conv", 3, 1), ("pool", 2, 2)]),
    ("a 3x3 convolution with stride 2, then two 3x3 convolutions",
     [("conv", 3, 2), ("conv", 3, 1), ("conv", 3, 1)]),
    ("a 1x1 convolution, then 3x3 pooling with stride 3, then a 5x5 convolution",
     [("conv", 1, 1), ("pool", 3, 3), ("conv", 5, 1)]),
    ("2x2 pooling three times", [("pool", 2, 2), ("pool", 2, 2), ("pool", 2, 2)]),
]

FIELD_HINT = ("start from size 1 and jump 1; after each layer, size grows by "
              "(kernel - 1) * jump (the jump *before* the layer), then jump is "
              "multiplied by the layer's stride.")


def _as_counts(values):
    """(list of int, None) for a sequence of whole numbers, else (None, why not)."""
    if values is None:
        return None, "your code returned None: did you forget `return`?"
    if isinstance(values, (str, bytes)):
        return None, f"expected a list of whole numbers, got the text {values!r:.60}"
    try:
        items = list(values)
    except TypeError:
        return None, f"expected a list of whole numbers, got {type(values).__name__}"
    counts = []
    for number, item in enumerate(items):
        count, problem = as_exact_int(item)
        if problem:
            extra = (" (return only the sizes, not (size, jump) pairs)"
                     if isinstance(item, (tuple, list)) else "")
            return None, f"item {number}: {problem}{extra}"
        counts.append(count)
    return counts, None


def check_receptive_fields(learner_fn):
    """Notebook 07: ``my_receptive_fields(stack)`` returns the receptive field size
    after each layer of `stack` (a list of (kind, kernel, stride) tuples), as a list
    of whole numbers, e.g. [3, 4, 8, 10] for the series' CNN."""
    name = _name(learner_fn, "my_receptive_fields")
    for number, (description, stack) in enumerate(RECEPTIVE_FIELD_CASES, start=1):
        expected = [size for size, _ in architecture.receptive_fields(stack)]
        got, failed = _call(
            learner_fn, name, [tuple(layer) for layer in stack],
            where=f"\n   on case {number} ({description}).",
        )
        if failed is not None:
            return _with_hint(failed, FIELD_HINT)
        try:
            counts, problem = _as_counts(got)
        except Exception as exc:  # a strange object the learner returned
            counts, problem = None, f"could not read your result ({type(exc).__name__})"
        if problem is None and len(counts) != len(expected):
            problem = (f"expected {len(expected)} sizes (one per layer), "
                       f"got {len(counts)}")
        if problem is None and counts != expected:
            problem = f"expected {expected}, got {counts}"
        if problem is not None:
            message = f"{FAIL} Case {number} ({description}): {problem}."
            if counts is not None and len(counts) == len(expected):
                message += _diagnose(stack, counts)
            return _with_hint(_verdict(False, message), FIELD_HINT)
    return _verdict(
        True, f"{PASS} `{name}` is correct on all {len(RECEPTIVE_FIELD_CASES)} stacks."
    )


def _diagnose(stack, counts) -> str:
    """A sentence naming a common mistake when `counts` matches it."""
    kernels = [layer[1] for layer in stack]
    no_jump = [1 + sum(k - 1 for k in kernels[: i + 1]) for i in range(len(kernels))]
    if counts == no_jump:
        return ("\n   It looks as if the jump was left out: after a layer with "
                "stride 2, one more step of the next window moves 2 input pixels.")
    size, jump, late = 1, 1, []
    for _kind, kernel, stride in stack:
        jump *= stride  # the new jump used too early
        size += (kernel - 1) * jump
        late.append(size)
    if counts == late:
        return ("\n   It looks as if the jump was multiplied by the stride before "
                "growing the size: a layer's own stride only affects the layers after it.")
    return ""


def check_layer_counts(dense_count, conv_count):
    """Notebook 07, exercise 2: the parameters of a dense layer from a 32x32 RGB image
    to 32x32x16 outputs, and of a 5x5 convolution with 16 filters on it."""
    expected = {
        "dense_count": architecture.dense_params(32 * 32 * 3, 32 * 32 * 16),
        "conv_count": architecture.conv_params(5, 5, 3, 16),
    }
    hints = {
        "dense_count": "a dense layer has (inputs + 1) * units parameters; the inputs "
                       "are 32 * 32 * 3 pixel values, the units 32 * 32 * 16 outputs.",
        "conv_count": "each of the 16 filters is a 5 x 5 x 3 block of weights plus "
                      "1 bias; the image size does not matter.",
    }
    answers = {}
    for key, answer in (("dense_count", dense_count), ("conv_count", conv_count)):
        answers[key], failed = read_answer(answer, f"`{key}`")
        if failed is not None:
            return failed
    if all(answer is Ellipsis for answer in answers.values()):
        return _verdict(False, f"{TODO} `dense_count` and `conv_count` are not done yet: "
                        "replace each `...` with a number.")
    lines, passed = [], True
    for key, answer in answers.items():
        if answer is Ellipsis:
            lines.append(f"{TODO} `{key}`: not done yet (replace `...`).")
            passed = False
            continue
        count, problem = as_exact_int(answer)
        if problem is None and count != expected[key]:
            off = count - expected[key]
            problem = ("off by one" if abs(off) == 1 else "not the right count")
            problem += f": got {count:,}"
        if problem is None:
            lines.append(f"{PASS} `{key}` = {count:,}: correct.")
        else:
            lines.append(f"{FAIL} `{key}`: {problem}.\n   Hint: {hints[key]}")
            passed = False
    return _verdict(passed, "\n".join(lines))
