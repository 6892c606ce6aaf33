"""The cross-entropy loss: hand-worked numbers, Keras as the oracle, and its self-check."""

import math

import numpy as np
import pytest

from helpers import layers, losses
from helpers.checks import check_cross_entropy


# ---------------------------------------------------------------- hand-worked numbers
def test_two_classes_by_hand():
    assert losses.cross_entropy([0.8, 0.2], 0) == pytest.approx(0.22314355, abs=1e-8)
    assert losses.cross_entropy([0.8, 0.2], 1) == pytest.approx(1.60943791, abs=1e-8)


def test_uniform_guess_over_ten_classes_is_ln_10():
    assert losses.cross_entropy(np.full(10, 0.1), 3) == pytest.approx(math.log(10))


def test_certain_and_right_is_zero_and_a_batch_is_the_mean():
    assert losses.cross_entropy([0.0, 1.0, 0.0], 1) == pytest.approx(0, abs=1e-6)
    batch = [[0.8, 0.2], [0.8, 0.2]]
    assert losses.cross_entropy(batch, [0, 1]) == pytest.approx(
        (-math.log(0.8) - math.log(0.2)) / 2)


def test_probability_zero_is_clipped_like_keras():
    assert losses.cross_entropy([1.0, 0.0], 1) == pytest.approx(-math.log(1e-7))


# ---------------------------------------------------------------- Keras as the oracle
@pytest.mark.parametrize("seed, n, k", [(0, 1, 2), (1, 5, 10), (2, 64, 10), (3, 7, 3)])
def test_agrees_with_keras_sparse_categorical_crossentropy(keras, seed, n, k):
    rng = np.random.default_rng(seed)
    probabilities = layers.softmax(rng.normal(scale=3, size=(n, k)), axis=-1)
    labels = rng.integers(0, k, size=n)
    keras_mean = float(keras.losses.SparseCategoricalCrossentropy()(labels, probabilities))
    per_item = np.asarray(
        keras.losses.SparseCategoricalCrossentropy(reduction=None)(labels, probabilities))
    # Keras computes in float32: -log(p) for p near 1 is off by up to ~1e-7.
    close = {"rel": 1e-5, "abs": 1e-6}
    assert losses.cross_entropy(probabilities, labels) == pytest.approx(keras_mean, **close)
    for row, label, expected in zip(probabilities, labels, per_item, strict=True):
        assert losses.cross_entropy(row, int(label)) == pytest.approx(expected, **close)


def test_agrees_with_keras_on_a_confident_mistake(keras):
    probabilities = np.array([[1e-9, 1 - 1e-9]])
    expected = float(keras.losses.SparseCategoricalCrossentropy()(np.array([0]),
                                                               probabilities))
    assert losses.cross_entropy(probabilities, [0]) == pytest.approx(expected, rel=1e-4)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("probabilities, labels, name", [
    ([0.5, 0.6], 0, "probabilities"),
    ([-0.1, 1.1], 0, "probabilities"),
    ([0.5, 0.5], 2, "labels"),
    ([0.5, 0.5], -1, "labels"),
    ([0.5, 0.5], 0.5, "labels"),
    ([0.5, 0.5], True, "labels"),
    ([[0.5, 0.5], [0.5, 0.5]], [0], "labels"),
    ("abc", 0, "probabilities"),
])
def test_bad_input_names_the_argument(probabilities, labels, name):
    with pytest.raises((TypeError, ValueError), match=name):
        losses.cross_entropy(probabilities, labels)


# ---------------------------------------------------------------- the learner's check
def cross_entropy_loop(probabilities, label):
    for k, p in enumerate(probabilities):
        if k == label:
            return -math.log(p)
    return None


def cross_entropy_one_hot(probabilities, label):
    one_hot = np.eye(len(probabilities))[label]
    return -np.sum(one_hot * np.log(np.asarray(probabilities, dtype=float)))


RIGHT = {
    "math.log in a loop": cross_entropy_loop,
    "one-hot sum": cross_entropy_one_hot,
    "float32": lambda p, y: np.float32(-np.log(p[y])),
    "0-d array": lambda p, y: np.array(-np.log(np.asarray(p)[y])),
    "log of 1 / p": lambda p, y: math.log(1 / p[y]),
}

WRONG = {
    "no minus sign": lambda p, y: np.log(p[y]),
    "log10": lambda p, y: -np.log10(p[y]),
    "log2": lambda p, y: -np.log2(p[y]),
    "probability of the most likely class": lambda p, y: -np.log(max(p)),
    "sum over every class": lambda p, y: -np.sum(np.log(p)),
    "mean over the classes": lambda p, y: -np.mean(np.log(p)),
    "1 - p": lambda p, y: 1 - p[y],
    "-log(1 - p)": lambda p, y: -np.log(1 - p[y]),
    "label off by one": lambda p, y: -np.log(p[y - 1]),
    "the probability itself": lambda p, y: p[y],
    "hard-coded case 1": lambda p, y: 0.2231435513,
    "all the probabilities": lambda p, y: p,
    "None": lambda p, y: None,
    "a string": lambda p, y: "0.223",
    "NaN": lambda p, y: float("nan"),
}


@pytest.mark.parametrize("name", RIGHT)
def test_check_accepts_right_answers(name, capsys):
    assert check_cross_entropy(RIGHT[name])
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("name", WRONG)
def test_check_rejects_wrong_answers(name, capsys):
    assert not check_cross_entropy(WRONG[name])
    assert "❌" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [
    ("no minus sign", "minus sign"),
    ("log10", "natural logarithm"),
    ("probability of the most likely class", "true class"),
])
def test_check_names_the_slip(wrong, reason, capsys):
    check_cross_entropy(WRONG[wrong])
    assert reason in capsys.readouterr().out


def test_check_never_raises(capsys):
    def raises(p, y):
        raise IndexError("list index out of range")

    def not_done(p, y):
        raise NotImplementedError

    assert not check_cross_entropy(raises)
    assert "IndexError" in capsys.readouterr().out
    assert not check_cross_entropy(not_done)
    assert "not done yet" in capsys.readouterr().out
    assert not check_cross_entropy(42)
    assert not check_cross_entropy(lambda p, y: object())
    assert not check_cross_entropy(lambda p, y: [[1.0]])


# ---------------------------------------------------------------- from the scores
def test_scores_check_accepts_keras_from_logits_and_names_the_overflow(keras, capsys):
    """Keras's loss from the scores (from_logits=True, float32) is an independent right
    answer; -log(softmax(scores)[label]) computed in that order gets the overflow named."""
    from helpers.checks import check_cross_entropy_from_scores

    def by_keras(scores, label):
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        return float(loss(np.array([int(label)]),
                          np.asarray(scores, np.float32)[None]))

    assert check_cross_entropy_from_scores(by_keras)
    assert capsys.readouterr().out.startswith("✅")

    def naive(scores, label):
        with np.errstate(all="ignore"):
            e = np.exp(np.asarray(scores, float))
            return -np.log(e[label] / e.sum())

    assert not check_cross_entropy_from_scores(naive)
    out = capsys.readouterr().out
    assert "overflows" in out and "Traceback" not in out
    assert math.isclose(layers.softmax_cross_entropy(np.array([[0.0, 1000.0]]),
                                                     np.array([0])), 1000.0)
