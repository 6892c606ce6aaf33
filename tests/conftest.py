"""Shared fixtures: TensorFlow as the independent oracle, imported quietly once."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def tf():
    from helpers.keras_setup import import_tensorflow

    return import_tensorflow()


@pytest.fixture(scope="session")
def keras():
    from helpers.keras_setup import import_keras

    return import_keras()


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test opened."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
