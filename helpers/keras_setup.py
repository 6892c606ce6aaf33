"""A quiet, seeded import of TensorFlow and Keras (the only module that imports them).

TensorFlow writes a few C++ log lines straight to file descriptor 2 while it is imported
("oneDNN custom operations are on", CUDA not found, ...). Notebooks must stay free of
stderr, so `import_keras` points fd 2 at /dev/null for the import only. It does not set
``TF_ENABLE_ONEDNN_OPTS=0``: that would silence them too, but makes training about 2x
slower on a CPU.
"""

from __future__ import annotations

import os
import sys


def import_keras(seed: int | None = None):
    """Import TensorFlow and Keras without log noise; return the ``keras`` module.

    Parameters
    ----------
    seed : int or None
        If given, ``keras.utils.set_random_seed(seed)`` seeds Python, numpy and
        TensorFlow, so a run is repeatable on the same machine and thread count.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" not in sys.modules or "tensorflow" not in sys.modules:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
    import keras

    if seed is not None:
        keras.utils.set_random_seed(seed)
    return keras


def import_tensorflow():
    """Return the ``tensorflow`` module, imported quietly by `import_keras`."""
    import_keras()
    import tensorflow

    return tensorflow
