"""The benchmark: ``python -m helpers.tools.bench [--quick] [--no-model] [--no-notebooks]``.

Every figure is measured in this one run on this machine, and speed is reported as a
ratio to TensorFlow measured right beside it (interleaved, median of several repeats), so
a busy machine slows both sides. Prints a markdown table for the README and writes
``.bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _interleaved(fn_a, fn_b, repeats: int) -> tuple[float, float]:
    """Median seconds of a and b, run alternately so load hits both alike."""
    a, b = [], []
    for _ in range(repeats):
        for fn, store in ((fn_a, a), (fn_b, b)):
            start = time.perf_counter()
            fn()
            store.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def bench_import(repeats: int = 5) -> float:
    """Seconds for ``import helpers`` in a fresh interpreter (median)."""
    code = "import time; t = time.perf_counter(); import helpers; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def memory_mb(fn) -> tuple[float, float]:
    """(output, working) memory in MB of one call of `fn`, measured with tracemalloc:
    the size of the array it returns, and the peak it allocates beyond that array."""
    tracemalloc.start()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    output = np.asarray(result).nbytes
    return output / 2**20, (peak - output) / 2**20


def bench_layers(n: int, repeats: int) -> list[dict]:
    """conv2d_layer and max_pool2d_layer against TensorFlow on Fashion-MNIST-sized data."""
    from helpers.keras_setup import import_tensorflow
    from helpers.layers import conv2d_layer, max_pool2d_layer

    tf = import_tensorflow()
    rng = np.random.default_rng(0)
    rows = []
    cases = [
        ("conv2d_layer", (n, 28, 28, 1), 32),
        ("conv2d_layer", (n, 14, 14, 32), 64),
        ("max_pool2d_layer", (n, 26, 26, 32), None),
    ]
    for name, shape, filters in cases:
        x = rng.random(shape, dtype=np.float32)
        if filters:
            kernel = rng.normal(size=(3, 3, shape[-1], filters)).astype(np.float32)
            bias = np.zeros(filters, np.float32)

            def ours(x=x, kernel=kernel, bias=bias):
                return conv2d_layer(x, kernel, bias)

            def theirs(x=x, kernel=kernel, bias=bias):
                return (tf.nn.conv2d(x, kernel, 1, "VALID") + bias).numpy()

            label = f"{name}, {shape} * 3x3x{shape[-1]}x{filters}"
        else:

            def ours(x=x):
                return max_pool2d_layer(x, 2)

            def theirs(x=x):
                return tf.nn.max_pool2d(x, 2, 2, "VALID").numpy()

            label = f"{name}, {shape}, 2x2"
        theirs()  # warm up TensorFlow's kernels
        assert np.allclose(ours(), theirs(), atol=1e-4), f"{label}: results differ"
        t_ours, t_tf = _interleaved(ours, theirs, repeats)
        output_mb, working_mb = memory_mb(ours)
        rows.append(
            {
                "what": label,
                "numpy_s": t_ours,
                "tensorflow_s": t_tf,
                "ratio": t_ours / t_tf,
                "peak_extra_mb": working_mb,
                "output_mb": output_mb,
            }
        )
    return rows


def bench_notebooks() -> dict:
    """Wall time of executing every notebook as a learner runs it (oneDNN on), on copies
    in a temporary folder; 09's model is saved there too (and 10, 11 read it), never over
    the learner's models/."""
    from helpers.tools.execute import copied_notebooks, execute, learner_environment

    times = {}
    with copied_notebooks() as copy, \
            learner_environment(copy.parent / "models" / "fashion_cnn.keras"):
        for path in sorted(copy.glob("[0-9][0-9]_*.ipynb")):
            times[path.name] = execute(path)
    return times


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, no GPU"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 images, 1 repeat")
    parser.add_argument("--no-model", action="store_true", help="skip training the CNN")
    parser.add_argument(
        "--no-notebooks", action="store_true", help="skip the series run"
    )
    parser.add_argument(
        "--no-backprop", action="store_true", help="skip the SGD-step comparison"
    )
    args = parser.parse_args(argv)
    n, repeats = (1000, 1) if args.quick else (10000, 3)
    results: dict = {"machine": machine(), "images": n}
    results["import_helpers_s"] = bench_import()
    results["layers"] = bench_layers(n, repeats)
    if not args.no_model:
        from helpers.tools.bench_model import bench_model

        results["model"] = bench_model()
    if not args.no_backprop:
        try:
            from helpers.tools.bench_backprop import bench_backprop
        except ImportError:  # the backward passes are not installed
            pass
        else:
            results["backprop"] = bench_backprop()
    if not args.no_notebooks:
        results["notebooks_s"] = bench_notebooks()
    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=float))
    print(report(results))
    return 0


def report(results: dict) -> str:
    """The results as the README's markdown table."""
    lines = [
        f"Machine: {results['machine']}; {results['images']:,} images.",
        "",
        "| measurement | result | target |",
        "| --- | --- | --- |",
        f"| `import helpers` | {results['import_helpers_s']:.2f} s | < 0.5 s |",
    ]
    for row in results["layers"]:
        lines.append(
            f"| {row['what']} | {row['numpy_s']:.2f} s vs TensorFlow "
            f"{row['tensorflow_s']:.2f} s = **{row['ratio']:.1f}x**; "
            f"output {row['output_mb']:.0f} MB + working memory "
            f"{row['peak_extra_mb']:.0f} MB | <= 3x, < 1 GB |"
        )
    model = results.get("model")
    if model:
        lines += [
            f"| notebook 09 CNN: training ({model['epochs']} epochs, then "
            f"{model['moved_epochs']} on moved images; {model['train_images']:,} "
            f"images) | {model['train_s']:.1f} s | <= 60 s |",
            f"| notebook 09 CNN: test accuracy, items as they are / moved 3 pixels "
            f"| plain {100 * model['plain_accuracy']:.2f}% / "
            f"{100 * model['plain_moved_accuracy']:.2f}%; final "
            f"**{100 * model['test_accuracy']:.2f}% / "
            f"{100 * model['moved_accuracy']:.2f}%** | final >= 92% / >= 85% |",
            f"| `numpy_forward` vs `model.predict`, {model['test_images']:,} test images "
            f"| {model['numpy_forward_s']:.2f} s vs {model['keras_predict_s']:.2f} s = "
            f"**{model['numpy_over_keras']:.1f}x** | <= 1.2x |",
            f"| same predicted class | {model['same_class']:,} of {model['test_images']:,} "
            "| all |",
            f"| largest probability difference | {model['max_prob_diff']:.1e} | <= 1e-5 |",
        ]
    backprop = results.get("backprop")
    if backprop:
        lines.append(
            f"| one SGD step of the numpy CNN vs Keras `train_on_batch` "
            f"(batch {backprop['batch']}) | {backprop['numpy_s'] * 1000:.0f} ms vs "
            f"{backprop['keras_s'] * 1000:.0f} ms = **{backprop['ratio']:.1f}x** | <= 2.5x |"
        )
    notebooks = results.get("notebooks_s")
    if notebooks:
        for name, seconds in notebooks.items():
            budget = "<= 60 s of training" if name.startswith("09") else "<= 20 s"
            lines.append(f"| `{name}` executed | {seconds:.1f} s | {budget} |")
        lines.append(
            f"| whole series executed ({len(notebooks)} notebooks) "
            f"| {sum(notebooks.values()):.1f} s | <= 180 s |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
