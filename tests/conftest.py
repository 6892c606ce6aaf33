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


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Under pytest-xdist's --dist loadgroup (make test), a test file runs on one worker,
    so its module fixtures (a JupyterLab server, the book, the decks) are built once;
    tests that name an xdist_group of their own (the learner-copy runs) are shared out."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.path.name))
