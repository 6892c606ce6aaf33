"""Benchmark of the series' CNN: ``python -m helpers.tools.bench_model``.

Trains the notebook-06 model fresh from its seed, with the notebook's code path
(`helpers.cnn`), then times ``numpy_forward`` against ``model.predict`` on the test
images and measures how closely they agree. `helpers.tools.bench` calls `bench_model`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import numpy as np


def bench_model(epochs: int | None = None, n_train: int | None = None,
                n_test: int | None = None, repeats: int = 3) -> dict:
    """Train, evaluate and time the series' CNN.

    Parameters
    ----------
    epochs : int or None
        Default `helpers.cnn.EPOCHS` (what notebook 09 trains).
    n_train, n_test : int or None
        Use only the first images (quick runs and tests); None uses all.
    repeats : int
        Timings of predict / numpy_forward are the median of this many interleaved runs.

    Returns
    -------
    dict
        train_s, epochs, train_images, test_accuracy, keras_predict_s, numpy_forward_s,
        numpy_over_keras (ratio), test_images, same_class (count), max_prob_diff.
    """
    from helpers import cnn
    from helpers.data import load_fashion_mnist
    from helpers.layers import numpy_forward

    epochs = cnn.EPOCHS if epochs is None else epochs
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    x_train, y_train = x_train[:n_train], y_train[:n_train]
    x_test, y_test = x_test[:n_test], y_test[:n_test]
    x_train, x_test = cnn.prepare(x_train), cnn.prepare(x_test)

    model = cnn.build_model()
    start = time.perf_counter()
    cnn.train(model, x_train, y_train, epochs=epochs, verbose=0)
    train_s = time.perf_counter() - start
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)

    model.predict(x_test[:10], verbose=0)  # warm-up: graph tracing is not inference
    numpy_forward(model, x_test[:10])
    keras_times, numpy_times = [], []
    for _ in range(repeats):  # interleaved, so a busy machine slows both alike
        start = time.perf_counter()
        keras_probabilities = model.predict(x_test, verbose=0)
        keras_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        numpy_probabilities = numpy_forward(model, x_test)
        numpy_times.append(time.perf_counter() - start)
    keras_s, numpy_s = statistics.median(keras_times), statistics.median(numpy_times)
    same = np.argmax(numpy_probabilities, 1) == np.argmax(keras_probabilities, 1)
    return {
        "train_s": train_s,
        "epochs": epochs,
        "train_images": len(x_train),
        "test_accuracy": float(test_accuracy),
        "keras_predict_s": keras_s,
        "numpy_forward_s": numpy_s,
        "numpy_over_keras": numpy_s / keras_s,
        "test_images": len(x_test),
        "same_class": int(np.sum(same)),
        "max_prob_diff": float(np.max(np.abs(numpy_probabilities - keras_probabilities))),
    }


if __name__ == "__main__":
    json.dump(bench_model(), sys.stdout, indent=2)
    print()
