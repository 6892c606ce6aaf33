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


# The slowest units of work, longest first (measured: the learner-copy runs of 09 and 10
# about 140 s together, the other learner copies 5-40 s each, the browser about 110 s,
# the decks 50 s, grading 35 s, the book 20 s; the workshop server 2-5 min, by load).
SLOW_FIRST = ("test_hub.py", "learner-copy-trained-cnn", "test_browser.py",
              "test_slides.py", "test_grading.py", "test_grading_attacks", "test_book.py",
              "learner-copy-")


def _group(item) -> str:
    return item.get_closest_marker("xdist_group").args[0]


def _rank(item) -> int:
    group = _group(item)
    return next((i for i, slow in enumerate(SLOW_FIRST) if group.startswith(slow)),
                len(SLOW_FIRST))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Under pytest-xdist's --dist loadgroup (make test), a test file runs on one worker,
    so its module fixtures (a JupyterLab server, the book, the decks) are built once;
    tests that name an xdist_group of their own (the learner-copy runs) are shared out.
    The slowest groups go first (xdist hands out groups in this order), so that no
    worker is left with a long one at the end while the other waits."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.path.name))
    items.sort(key=_rank)  # stable: the order within a group is kept
