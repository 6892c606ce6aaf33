"""Benchmark of the series' CNN: ``python -m helpers.tools.bench_model``.

Trains the model of notebook 09 fresh from its seed with its recipe: notebook 09 asserts
that its own ``keras.Sequential`` has the starting weights of `helpers.cnn.build_model`
and that its ``compile``/``fit`` numbers are the constants of `helpers.cnn`, which
`cnn.build_model`, `cnn.train` and `cnn.train_on_moved` use here. It measures the test
accuracy on the test items as they are and moved (`helpers.shifting.random_shifts` by
`cnn.MOVE` pixels, seed 0) after the plain epochs and again after the moved ones, as
notebook 09 does. Then times ``numpy_forward`` against ``model.predict`` on the test
images and measures how closely they agree.
`helpers.tools.bench` calls `bench_model`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import numpy as np


def bench_model(epochs: int | None = None, moved_epochs: int | None = None,
                n_train: int | None = None, n_test: int | None = None,
                repeats: int = 3) -> dict:
    """Train, evaluate and time the series' CNN.

    Parameters
    ----------
    epochs, moved_epochs : int or None
        Default `helpers.cnn.EPOCHS` and `helpers.cnn.MOVED_EPOCHS` (what notebook 09
        trains: plain epochs, then epochs on moved images).
    n_train, n_test : int or None
        Use only the first images (quick runs and tests); None uses all.
    repeats : int
        Timings of predict / numpy_forward are the median of this many interleaved runs.

    Returns
    -------
    dict
        train_s (both trainings), epoch_s (list, one per epoch, the moved ones last),
        train_cpu_s (CPU seconds of this process while training: on a shared machine
        it grows less than the wall time), epochs, moved_epochs, batch_size,
        learning_rate, lr_decay, train_images (fitted and validated),
        plain_accuracy and plain_moved_accuracy (after the plain epochs: test items
        as they are and moved), test_accuracy and moved_accuracy (the final model),
        keras_predict_s, numpy_forward_s, numpy_over_keras
        (ratio), test_images, same_class (count), max_prob_diff.
    """
    from helpers import cnn
    from helpers.data import load_fashion_mnist
    from helpers.layers import numpy_forward
    from helpers.shifting import random_shifts

    epochs = cnn.EPOCHS if epochs is None else epochs
    moved_epochs = cnn.MOVED_EPOCHS if moved_epochs is None else moved_epochs
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    x_train, y_train = x_train[:n_train], y_train[:n_train]
    x_test, y_test = x_test[:n_test], y_test[:n_test]
    x_train, x_test = cnn.prepare(x_train), cnn.prepare(x_test)
    moved_test = random_shifts(x_test, cnn.MOVE, seed=0)

    from helpers.keras_setup import import_keras

    keras = import_keras()

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_s.append(time.perf_counter() - self.start)

    epoch_s: list[float] = []
    model = cnn.build_model(keras)
    cpu_start, start = time.process_time(), time.perf_counter()
    cnn.train(model, x_train, y_train, epochs=epochs, verbose=0, callbacks=[EpochTimer()])
    train_s = time.perf_counter() - start
    train_cpu_s = time.process_time() - cpu_start
    _, plain_accuracy = model.evaluate(x_test, y_test, verbose=0)
    _, plain_moved_accuracy = model.evaluate(moved_test, y_test, verbose=0)
    cpu_start, start = time.process_time(), time.perf_counter()
    cnn.train_on_moved(model, x_train, y_train, epochs=moved_epochs, verbose=0,
                       callbacks=[EpochTimer()])
    train_s += time.perf_counter() - start
    train_cpu_s += time.process_time() - cpu_start
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    _, moved_accuracy = model.evaluate(moved_test, y_test, verbose=0)

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
        "epoch_s": epoch_s,
        "train_cpu_s": train_cpu_s,
        "epochs": epochs,
        "moved_epochs": moved_epochs,
        "batch_size": cnn.BATCH_SIZE,
        "learning_rate": cnn.LEARNING_RATE,
        "lr_decay": cnn.LR_DECAY,
        "train_images": len(x_train),
        "plain_accuracy": float(plain_accuracy),
        "plain_moved_accuracy": float(plain_moved_accuracy),
        "test_accuracy": float(test_accuracy),
        "moved_accuracy": float(moved_accuracy),
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
