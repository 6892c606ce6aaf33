"""Benchmark of the numpy backward pass: one SGD step of the numpy CNN vs Keras.

``python -m helpers.tools.bench_backprop`` prints the dict of `bench_backprop`.

Both sides run the same model (the series' CNN from `helpers.cnn.build_model`, at full
width, dropout set to 0 so both compute the same thing) on the same batch of
Fashion-MNIST items: numpy runs `helpers.layers.network.sgd_step` (forward, backward
and the update), Keras runs ``train_on_batch`` with plain SGD. They are timed
alternately in one run (median of the repeats), so a busy machine slows both alike, and
the ratio is numpy's time over Keras'. The backward pass is also timed layer by layer.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

BATCH = 64
LEARNING_RATE = 0.01


def bench_backprop(batch_size: int = BATCH, repeats: int = 7, shrink: int = 1) -> dict:
    """Time one SGD step, numpy vs Keras, and the numpy backward pass by layer.

    Parameters
    ----------
    batch_size : int
        Fashion-MNIST items in the batch.
    repeats : int
        Steps timed on each side (after one warm-up step each); medians are reported.
    shrink : int
        Divide the widths of the conv and hidden dense layers (1: the series' CNN).

    Returns
    -------
    dict with keys
        "batch", "widths" (filters / units of each conv and dense layer),
        "numpy_s" and "keras_s" (median seconds per SGD step),
        "ratio" (numpy / Keras), "forward_s" (median seconds of the numpy forward pass
        including the loss), "backward_s" (median seconds of the whole numpy backward
        pass), "backward_by_layer_s" (layer name -> median seconds of its backward
        pass, ReLU included in its conv / dense layer), "slowest_backward" (the layer
        name with the largest share), "repeats", "blas_threads" (numpy's matmuls run
        on one thread, see `helpers.layers.network`).
    """
    from helpers import cnn, data
    from helpers.keras_setup import import_keras
    from helpers.layers import network
    from helpers.layers.loss import (
        softmax_cross_entropy_backward,
        softmax_cross_entropy_forward,
    )

    keras = import_keras(seed=0)
    twin = cnn.deterministic_twin(keras, cnn.build_model(keras), shrink)
    twin.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE),
                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    steps, params = network.trainable(twin)
    (x_train, y_train), _ = data.load_fashion_mnist()
    x = cnn.prepare(x_train[:batch_size])
    y = y_train[:batch_size].astype(np.int64)

    def numpy_step():
        network.sgd_step(steps, params, x, y, LEARNING_RATE)

    def keras_step():
        twin.train_on_batch(x, y)

    numpy_step()  # warm-up: first calls allocate, Keras traces its step function
    keras_step()
    numpy_times, keras_times = [], []
    forward_times, backward_times, by_layer = [], [], {}
    for _ in range(repeats):
        for fn, store in ((numpy_step, numpy_times), (keras_step, keras_times)):
            start = time.perf_counter()
            fn()
            store.append(time.perf_counter() - start)
        # the same step again, split into forward and backward, layer by layer
        start = time.perf_counter()
        scores, caches = network.forward(steps, params, x)
        _, loss_cache = softmax_cross_entropy_forward(scores, y)
        grad = softmax_cross_entropy_backward(1.0, loss_cache).astype(scores.dtype)
        middle = time.perf_counter()
        timings = {}
        network.backward(steps, caches, grad, timings)
        backward_times.append(time.perf_counter() - middle)
        forward_times.append(middle - start)
        for name, seconds in timings.items():
            by_layer.setdefault(name, []).append(seconds)
    numpy_s = statistics.median(numpy_times)
    keras_s = statistics.median(keras_times)
    layer_s = {name: statistics.median(t) for name, t in by_layer.items()}
    widths = {s.name: s.weights[0].shape[-1] for s in steps if s.weights}
    return {
        "batch": batch_size,
        "widths": widths,
        "numpy_s": numpy_s,
        "keras_s": keras_s,
        "ratio": numpy_s / keras_s,
        "forward_s": statistics.median(forward_times),
        "backward_s": statistics.median(backward_times),
        "backward_by_layer_s": layer_s,
        "slowest_backward": max(layer_s, key=layer_s.get),
        "repeats": repeats,
        "blas_threads": 1,
    }


def main():
    result = bench_backprop()
    for key, value in result.items():
        if isinstance(value, dict):
            value = {k: round(v, 4) if isinstance(v, float) else v
                     for k, v in value.items()}
        elif isinstance(value, float):
            value = round(value, 4)
        print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


