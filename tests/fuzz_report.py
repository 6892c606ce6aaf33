"""Fuzz every learner-facing function and self-check of `helpers`; print one table.

    .venv/bin/python tests/fuzz_report.py            # everything (a few minutes)
    .venv/bin/python tests/fuzz_report.py --no-keras # without numpy_forward

Functions: one good call each, then every argument in turn replaced by each value of
`BAD` (None, a string, -1, 0, 2.5, True, NaN, an empty array, a 5-D array, a ragged
list, a complex number, an object, a dict). Each call is sorted into:

- ran: returned (for a good call, or for a bad value the function can use, e.g. a list);
- clear: TypeError / ValueError (or an OSError / a data error) whose message names the
  argument that was replaced;
- unclear: any other exception, or a message that does not name the argument;
- hang: still running after `SECONDS`.

Checks: the right answers, wrong answers and garbage of tests/test_checks_adversarial.py
(so the table counts exactly what the test suite asserts), plus the endless loops and
the endless values (an endless generator, a list whose iteration never ends, an object
whose conversion to an array never ends), returned or given as the answer. Each
verdict is sorted into right-passed, wrong-accepted (must be 0), raised (must be 0) and
hangs (must be 0).

The test suite runs `fuzz_checks` and a few rows of `fuzz_functions` (see
test_checks_adversarial.py), so this script cannot rot.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import data, layers, plots  # noqa: E402
from helpers.checks import core  # noqa: E402
from helpers.checks.timeout import TookTooLong, call_with_time_limit  # noqa: E402

SECONDS = 60.0
"""A call that runs longer counts as a hang (generous: the machine is shared)."""

BAD = {
    "None": None, "a string": "abc", "-1": -1, "0": 0, "2.5": 2.5, "True": True,
    "NaN": float("nan"), "an empty array": np.zeros((0,)),
    "a 5-D array": np.zeros((2, 2, 2, 2, 2)), "a ragged list": [[1, 2], [3]],
    "a complex number": 1j, "an object": object(), "a dict": {},
}

RNG = np.random.default_rng(0)
IMG = RNG.random((6, 6))
K3 = RNG.normal(size=(3, 3))
NAMES = [f"class {k}" for k in range(10)]


def _functions():
    """name -> (function, good keyword arguments)."""
    table = {
        "layers.output_size": (layers.output_size,
                               dict(n=28, kernel_size=3, stride=1, padding="same")),
        "layers.pad_amounts": (layers.pad_amounts,
                               dict(n=5, kernel_size=3, stride=1, padding="same")),
        "layers.conv2d": (layers.conv2d, dict(image=IMG, kernel=K3, stride=1, padding=0)),
        "layers.relu": (layers.relu, dict(x=K3)),
        "layers.sigmoid": (layers.sigmoid, dict(x=K3)),
        "layers.softmax": (layers.softmax, dict(x=K3, axis=-1)),
        "layers.max_pool2d": (layers.max_pool2d, dict(x=IMG, size=2, stride=2)),
        "layers.avg_pool2d": (layers.avg_pool2d, dict(x=IMG, size=2, stride=2)),
        "layers.flatten": (layers.flatten, dict(x=IMG)),
        "layers.dense": (layers.dense, dict(x=np.ones(3), weights=np.ones((3, 2)),
                                            bias=np.zeros(2))),
        "layers.conv2d_layer": (layers.conv2d_layer,
                                dict(x=IMG[None, :, :, None], kernel=K3[:, :, None, None],
                                     bias=np.zeros(1), stride=1, padding="valid")),
        "layers.max_pool2d_layer": (layers.max_pool2d_layer,
                                    dict(x=IMG[None, :, :, None], size=2, stride=2)),
        "layers.avg_pool2d_layer": (layers.avg_pool2d_layer,
                                    dict(x=IMG[None, :, :, None], size=2, stride=2)),
        "data.sample_photo": (data.sample_photo, dict(size=32)),
        "data.load_folder": (data.load_folder, dict(folder=str(data.DEBIAN_DIR))),
        "plots.show_matrix": (plots.show_matrix, dict(matrix=K3, decimals=1)),
        "plots.show_image": (plots.show_image, dict(image=IMG)),
        "plots.show_grid": (plots.show_grid, dict(maps=[IMG, IMG], ncols=2, size=2.0)),
        "plots.show_conv_step": (plots.show_conv_step,
                                 dict(image=IMG[:5, :5], kernel=K3, row=1, col=1)),
        "plots.show_conv_steps": (plots.show_conv_steps,
                                  dict(image=IMG[:4, :4], kernel=K3)),
        "plots.show_kernels_and_maps": (plots.show_kernels_and_maps,
                                        dict(kernels=[K3], feature_maps=[IMG[:4, :4]],
                                             ncols=1, size=2.0)),
        "plots.show_kernel_effect": (plots.show_kernel_effect,
                                     dict(image=IMG, kernel=K3,
                                          feature_map=layers.conv2d(IMG, K3))),
        "plots.show_patch_vs_kernel": (plots.show_patch_vs_kernel,
                                       dict(image=IMG, kernel=K3, row=1, col=2)),
        "plots.show_padding_stride": (plots.show_padding_stride,
                                      dict(image=IMG[:5, :5], kernel_size=3, stride=2,
                                           padding="same")),
        "plots.show_pooling": (plots.show_pooling, dict(x=IMG[:4, :4], size=2, stride=2)),
        "plots.show_rectified": (plots.show_rectified, dict(feature_map=K3)),
        "plots.show_flatten": (plots.show_flatten, dict(x=RNG.random((2, 2, 2)))),
        "plots.plot_history": (plots.plot_history,
                               dict(history={"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]})),
        "plots.plot_confusion": (plots.plot_confusion,
                                 dict(cm=np.eye(10) * 5, class_names=NAMES)),
        "plots.show_items": (plots.show_items,
                             dict(images=RNG.random((4, 8, 8)), labels=np.arange(4),
                                  class_names=NAMES, ncols=2)),
        "plots.show_predictions": (plots.show_predictions,
                                   dict(images=RNG.random((2, 8, 8)),
                                        probabilities=RNG.dirichlet(np.ones(10), 2),
                                        labels=np.arange(2), class_names=NAMES,
                                        ncols=2)),
        "plots.show_learned_kernels": (plots.show_learned_kernels,
                                       dict(kernels=RNG.normal(size=(3, 3, 4)), ncols=2)),
    }
    optional = {  # modules that other work is adding: fuzzed when present
        "show_rgb_channels": dict(image=RNG.random((6, 6, 3))),
        "show_kernel_block": dict(image=RNG.random((5, 5, 3)),
                                  kernel=RNG.normal(size=(3, 3, 3)), row=0, col=1),
        "show_conv_volumes": dict(input_shape=(8, 8, 3), kernel_size=3, filters=4),
        "show_receptive_fields": dict(image=RNG.random((28, 28)),
                                      stack=[("conv", 3, 1), ("pool", 2, 2)]),
        "plot_loss_curve": dict(losses=np.linspace(1, 0.1, 20)),
        "show_kernel_snapshots": dict(kernels=RNG.normal(size=(5, 3, 3)), steps=[0, 4]),
        "show_pipeline": dict(stages=[("image", (6, 6, 1)), ("conv", (4, 4, 2))]),
        "plot_histories": dict(histories={"a": {"loss": [1.0, 0.5],
                                                "accuracy": [0.5, 0.7]}}),
        "show_channel_sum": dict(per_channel=[K3, K3], titles=["r", "g"]),
        "show_weight_sharing": dict(dense_maps=RNG.normal(size=(2, 6, 6)), kernel=K3,
                                    positions=[(0, 0), (2, 3)]),
        "show_relu_mask": dict(x=K3, grad_out=K3),
        "show_pool_gradient": dict(x=IMG[:4, :4], grad_out=K3[:2, :2], size=2),
        "plot_training_match": dict(steps=np.arange(5), numpy_loss=np.ones(5),
                                    keras_loss=np.ones(5), eval_steps=np.arange(2),
                                    accuracy=np.ones(2) / 2),
    }
    for name, kwargs in optional.items():
        if hasattr(plots, name):
            table[f"plots.{name}"] = (getattr(plots, name), kwargs)
    table.update(_other_modules())
    return table


def _other_modules():
    """Widgets, and the helpers of notebooks 06-08 (when present)."""
    import importlib

    images = RNG.random((2, 6, 6))
    hidden = np.array([[1.0, 0.0, -1.0]] * 3)
    table = {}
    try:
        from helpers import widgets
    except ImportError:  # ipywidgets missing: nothing to fuzz
        widgets = None
    if widgets is not None:
        table.update({
            "widgets.conv_stepper": (widgets.conv_stepper, dict(image=IMG[:5, :5],
                                                                 kernel=K3)),
            "widgets.pooling_explorer": (widgets.pooling_explorer, dict(x=IMG[:4, :4])),
            "widgets.kernel_explorer": (widgets.kernel_explorer,
                                        dict(image=IMG, preset="vertical edge")),
        })
    wanted = {
        "architecture.conv_params": dict(kh=3, kw=3, c_in=1, filters=32),
        "architecture.dense_params": dict(inputs=1600, units=10),
        "architecture.receptive_fields": dict(stack=[("conv", 3, 1), ("pool", 2, 2)]),
        "architecture.input_window": dict(stack=[("conv", 3, 1), ("pool", 2, 2)],
                                          row=1, col=2),
        "kernel_descent.feature_maps": dict(images=images, kernel=hidden),
        "kernel_descent.kernel_loss": dict(images=images, kernel=hidden,
                                           targets=np.zeros((2, 4, 4))),
        "kernel_descent.kernel_gradient": dict(images=images, kernel=hidden,
                                               targets=np.zeros((2, 4, 4))),
        "kernel_descent.gradient_descent": dict(images=images,
                                                targets=np.zeros((2, 4, 4)),
                                                start=np.zeros((3, 3)),
                                                learning_rate=0.1, steps=3),
        "losses.cross_entropy": dict(probabilities=np.array([0.2, 0.8]), labels=1),
        "gradcheck.numerical_gradient": dict(f=lambda x: float(np.sum(x ** 2)),
                                             x=np.ones(3), eps=1e-6),
        "gradcheck.relative_error": dict(a=np.ones(3), b=np.ones(3) * 1.1),
        "cnn.prepare": dict(images=RNG.integers(0, 256, (2, 28, 28)).astype(np.uint8)),
    }
    for dotted, kwargs in wanted.items():
        module, name = dotted.split(".")
        try:
            function = getattr(importlib.import_module(f"helpers.{module}"), name)
        except (ImportError, AttributeError):
            continue
        table[dotted] = (function, kwargs)
    return table


def _names_argument(message: str, argument: str) -> bool:
    return argument in message


def _classify(function, kwargs, argument):
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            call_with_time_limit(function, (), kwargs, seconds=SECONDS)
        return "ran", ""
    except TookTooLong:
        return "hang", ""
    except (TypeError, ValueError, OSError, RuntimeError) as exc:
        text = f"{type(exc).__name__}: {exc}"
        if argument is None or _names_argument(str(exc), argument):
            return "clear", text
        return "unclear", text
    except Exception as exc:  # numpy's or matplotlib's own error: not clear
        return "unclear", f"{type(exc).__name__}: {exc}"
    finally:
        plt.close("all")


def fuzz_functions(names=None, keras=False):
    """Rows {name, tried, ran, clear, unclear, hangs, good_call, examples}."""
    table = _functions()
    if keras:
        table["layers.numpy_forward"] = _numpy_forward_case()
    rows = []
    for name, (function, good) in table.items():
        if names is not None and name not in names:
            continue
        row = {"name": name, "tried": 0, "ran": 0, "clear": 0, "unclear": 0,
               "hangs": 0, "examples": []}
        status, text = _classify(function, good, None)
        row["good_call"] = status
        for argument in good:
            for label, value in BAD.items():
                status, text = _classify(function, {**good, argument: value}, argument)
                row["tried"] += 1
                row["hangs" if status == "hang" else status] += 1
                if status == "unclear":
                    row["examples"].append(f"{argument}={label}: {text[:150]}")
                elif status == "ran":
                    row["examples"].append(f"{argument}={label}: ran (check the figure)")
        rows.append(row)
    return rows


def _numpy_forward_case():
    from helpers.keras_setup import import_keras

    keras = import_keras(0)
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.Flatten(), keras.layers.Dense(3)])
    return layers.numpy_forward, dict(model=model, images=np.zeros((2, 6, 6, 1)),
                                      batch_size=8)


def fuzz_checks(names=None, endless=True):
    """Rows {name, tried, right, right_passed, wrong, wrong_accepted, raised, hangs}.

    `names`: only these checks; `endless`: also try the two endless loops on every
    check that calls a function (about 2 s each), and the endless values
    (`ENDLESS_ANSWERS` of the tests) on every check, returned or given."""
    import test_checks_adversarial as adv

    rows = []
    loops = {"endless loop": adv._endless, "endless numpy loop": adv._endless_numpy,
             "raises an endless message": adv._raises(adv._EndlessMessage()),
             **{f"returns {label}": adv._returns(value)
                for label, value in adv.ENDLESS_ANSWERS.items()}} if endless else {}
    endless_answers = dict(adv.ENDLESS_ANSWERS) if endless else {}
    old_limit = core.TIME_LIMIT
    core.TIME_LIMIT = 1.0
    try:
        for name, (check, rights, wrongs) in {**adv.FUNCTION_CHECKS,
                                              **adv.ANSWER_CHECKS}.items():
            if names is not None and name not in names:
                continue
            is_function_check = name in adv.FUNCTION_CHECKS
            garbage = adv.BAD_FUNCTIONS if is_function_check else adv.GARBAGE
            more_wrongs = {**wrongs, **garbage,
                           **(loops if is_function_check else endless_answers)}
            row = {"name": name, "tried": 0, "right": len(rights), "right_passed": 0,
                   "wrong": len(more_wrongs), "wrong_accepted": 0, "raised": 0,
                   "hangs": 0, "examples": []}
            for expected, group in ((True, rights), (False, more_wrongs)):
                for label, answer in group.items():
                    row["tried"] += 1
                    try:
                        with contextlib.redirect_stdout(io.StringIO()):
                            passed = bool(call_with_time_limit(check, (answer,),
                                                               seconds=SECONDS))
                    except TookTooLong:
                        row["hangs"] += 1
                        continue
                    except BaseException as exc:  # noqa: BLE001 - counted, shown
                        row["raised"] += 1
                        row["examples"].append(f"{label}: raised {exc!r:.100}")
                        continue
                    if expected and passed:
                        row["right_passed"] += 1
                    elif expected:
                        row["examples"].append(f"{label}: right answer refused")
                    elif passed:
                        row["wrong_accepted"] += 1
                        row["examples"].append(f"{label}: WRONG ANSWER ACCEPTED")
            rows.append(row)
    finally:
        core.TIME_LIMIT = old_limit
    return rows


def table(rows, columns) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row[c]) for c in columns) + " |")
    totals = {c: sum(row[c] for row in rows) if isinstance(rows[0][c], int) else ""
              for c in columns}
    totals[columns[0]] = "**total**"
    lines.append("| " + " | ".join(str(totals[c]) for c in columns) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-keras", action="store_true")
    parser.add_argument("--examples", action="store_true",
                        help="list the unclear errors and refused right answers")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    functions = fuzz_functions(keras=not args.no_keras)
    print("## Functions\n")
    print(table(functions, ["name", "good_call", "tried", "ran", "clear", "unclear",
                            "hangs"]))
    checks = fuzz_checks()
    print("\n## Checks\n")
    print(table(checks, ["name", "tried", "right", "right_passed", "wrong",
                         "wrong_accepted", "raised", "hangs"]))
    if args.examples:
        for row in functions + checks:
            for example in row["examples"]:
                print(f"- {row['name']}: {example}")
    bad = sum(r["wrong_accepted"] + r["raised"] + r["hangs"] for r in checks) + \
        sum(r["hangs"] for r in functions)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
