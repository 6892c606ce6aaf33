"""How many threads numpy's matrix multiply (OpenBLAS) may use, set for a while.

Why this exists: on a 2-core machine whose cores are busy with other work, OpenBLAS's
threads spend their time waiting for each other. One SGD step of the series' CNN in
numpy, measured on the shared 2-core machine under load: 0.62 s with OpenBLAS's default
threads, 0.08 s with one. The backward passes therefore run their matrix multiplies on
one thread (see `helpers.backprop.network`).

numpy has no public switch for this; OpenBLAS has ``openblas_set_num_threads``, which
numpy's wheels export under a prefixed name. When no such function is found (another
BLAS, another platform), `blas_threads` changes nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os

import numpy as np

__all__ = ["blas_threads"]

_PREFIXES = ("scipy_openblas_", "openblas_")
_SUFFIXES = ("64_", "", "_64_")


def _openblas():
    """(get, set) functions of the OpenBLAS numpy uses, or None."""
    base = os.path.dirname(os.path.dirname(np.__file__))
    candidates = glob.glob(os.path.join(base, "numpy.libs", "*openblas*")) + glob.glob(
        os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*"))
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                get = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                    return get, put
    return None


_FUNCTIONS = _openblas()


@contextlib.contextmanager
def blas_threads(n: int = 1):
    """Run the block with at most `n` OpenBLAS threads, then restore the number.

    >>> with blas_threads(1):
    ...     c = a @ b          # doctest: +SKIP
    """
    if _FUNCTIONS is None:
        yield
        return
    get, put = _FUNCTIONS
    before = get()
    put(min(n, before))
    try:
        yield
    finally:
        put(before)
