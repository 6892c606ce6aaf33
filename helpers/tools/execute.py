"""Re-run notebooks top to bottom in place: ``python -m helpers.tools.execute NB [NB ...]``.

The only way stored outputs change, so they are always what a clean run produced. Each
notebook runs in its own folder, on the project's kernel, with TensorFlow's logs off and
its oneDNN kernels off (``TF_ENABLE_ONEDNN_OPTS=0``): `make notebooks` then compares the
outputs with oneDNN on, OpenBLAS's AVX2 kernels on one thread and numpy without its
AVX-512 code (`NBVAL_NUMERICS` in the Makefile), so every compared output is shown to hold
under other numerics. A quick test run (``CNN_COURSE_QUICK``) is refused: its outputs
are not the lesson's.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import nbformat
from nbclient import NotebookClient

from helpers.cnn import MODEL_ENV, QUICK_ENV, quick_run

ROOT = Path(__file__).resolve().parents[2]

KERNEL_NAME = "cnn-course"
KERNELSPEC = {
    "name": KERNEL_NAME,
    "display_name": "Python 3 (cnn-course)",
    "language": "python",
}


def execute(path: Path, timeout: int = 900) -> float:
    """Execute one notebook in place; return the seconds it took."""
    if quick_run():
        raise SystemExit(f"unset {QUICK_ENV}: a quick run's outputs are never stored")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        # True, though the state is dropped below: with False, nbclient 0.10 raises
        # KeyError as soon as an ipywidgets Output (e.g. `interactive`) gets output.
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)  # widget views are not compared and bloat the file
    for cell in nb.cells:  # keep diffs small: no per-run timestamps
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return seconds


# How a learner's JupyterLab runs the notebooks: TensorFlow's oneDNN kernels on (its
# default; `execute` turns them off to store outputs, and trains about twice as slowly).
LEARNER_RUN = {"TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}


@contextmanager
def copied_notebooks():
    """Yield a temporary copy of notebooks/ with images/ linked beside it, as in the
    repository, so that a measurement's runs never touch the notebooks; deleted after."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "notebooks"
        shutil.copytree(ROOT / "notebooks", copy)
        (Path(tmp) / "images").symlink_to(ROOT / "images")
        yield copy


def learner_environment(model: Path):
    """A context in which kernels run as a learner's do (`LEARNER_RUN`) and 09 saves its
    model at `model` (10 and 11 read it there); the environment is restored after."""
    return mock.patch.dict(os.environ, {**LEARNER_RUN, MODEL_ENV: str(model)})


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m helpers.tools.execute NOTEBOOK.ipynb [...]")
        return 2
    total = 0.0
    for name in argv:
        seconds = execute(Path(name))
        total += seconds
        print(f"{name}: {seconds:.1f} s")
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
