"""The environment check of notebook 00: versions, the kernel, and where the data is.

It never raises: each line says ✅ or ❌ and, when something is wrong, what to do. It
reads package versions from their metadata, so it does not import TensorFlow (3 s).
"""

from __future__ import annotations

import sys
from importlib import metadata

# What the series was built and tested with (requirements-learner.txt pins the exact versions).
EXPECTED = {
    "numpy": "2.4",
    "matplotlib": "3.11",
    "ipywidgets": "8.1",
    "jupyterlab": "4.6",
    "tensorflow": "2.21",
    "keras": "3.15",
}
FIX = "run `make lab` from the project folder (it builds .venv from requirements-learner.txt)"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def check_versions() -> list[tuple[bool, str]]:
    """(ok, line) for Python and each package of `EXPECTED`."""
    lines = []
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    lines.append((python == "3.11", f"Python {python} (expected 3.11)"))
    for package, expected in EXPECTED.items():
        found = _version(package)
        if found is None:
            lines.append((False, f"{package} is not installed: {FIX}"))
            continue
        ok = found == expected or found.startswith(expected + ".")
        note = "" if ok else f" (expected {expected}.x: {FIX})"
        lines.append((ok, f"{package} {found}{note}"))
    return lines


def check_data() -> tuple[bool, str, str]:
    """(ok, summary, where): whether Fashion-MNIST loads, and from where.

    The summary is the same on every machine; `where` names the folder and differs.
    """
    from helpers import data

    try:
        (x_train, _), (x_test, _) = data.load_fashion_mnist(download=False)
    except (data.DataNotFoundError, data.CorruptFileError) as exc:
        return False, "Fashion-MNIST not found", str(exc)
    summary = (
        f"Fashion-MNIST: {len(x_train):,} training and {len(x_test):,} test images, "
        "verified (sizes and sha256)"
    )
    return True, summary, f"Fashion-MNIST came from {data.where_from()}"


def report() -> bool:
    """Print the check, one line per item; return True when everything is ready."""
    lines = check_versions()
    data_ok, summary, _ = check_data()
    lines.append((data_ok, summary if data_ok else f"{summary}: run `python -m helpers.data`"))
    for ok, line in lines:
        print(("✅ " if ok else "❌ ") + line)
    ready = all(ok for ok, _ in lines)
    print("Ready to go!" if ready else "Something is missing: see the ❌ lines above.")
    return ready
