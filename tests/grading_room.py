"""Shared by the grading tests: a room of notebook 04 submissions, built without nbgrader.

A submission is the nbgrader source of 04 (its cell metadata: grade ids, locked cells)
with the solution cells replaced by the learner's text; an exercise the learner's text
leaves out (the prediction, in most rooms here) is left blank.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import nbformat

from helpers.tools import grading, student

NAME = "04_relu"
RELU, COMBINED = "04_my_relu", "04_combined_kernel"
PREDICTION = "04_predicted_kernel_shape"
RIGHT = {
    RELU: "def my_relu(x):\n    return np.maximum(x, 0)",
    COMBINED: (
        "def combined_kernel(k1, k2):\n"
        "    kh1, kw1 = k1.shape\n"
        "    kh2, kw2 = k2.shape\n"
        "    result = np.zeros((kh1 + kh2 - 1, kw1 + kw2 - 1))\n"
        "    for r in range(kh2):\n"
        "        for s in range(kw2):\n"
        "            result[r : r + kh1, s : s + kw1] += k2[r, s] * k1\n"
        "    return result"
    ),
}
WRONG = {
    RELU: "def my_relu(x):\n    return x",
    COMBINED: "def combined_kernel(k1, k2):\n    return k1",
}
BLANK = {
    RELU: "def my_relu(x):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    COMBINED: "def combined_kernel(k1, k2):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    PREDICTION: "predicted_kernel_shape = ...  # YOUR ANSWER HERE",
}


def source_notebook():
    path = student.NOTEBOOKS / f"{NAME}.ipynb"
    return grading.nbgrader_source(nbformat.read(path, as_version=4), path.name)


def submission(answers: dict[str, str], edit=None):
    """The 04 notebook with `answers` ({exercise: source}) in its solution cells;
    `edit(nb)` may change anything else (unlocked cells, metadata)."""
    nb = source_notebook()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            exercise = meta["grade_id"].removesuffix("_answer")
            cell.source = answers.get(exercise, BLANK[exercise])
    if edit is not None:
        edit(nb)
    return nb


def write(room: Path, learner: str, nb, name: str = f"{NAME}.ipynb") -> Path:
    (room / learner).mkdir(parents=True, exist_ok=True)
    path = room / learner / name
    nbformat.write(nb, path)
    return path


def tree_hash(folder: Path, skip=()) -> dict[str, str]:
    """{relative path: sha256} of every file under `folder` (links not followed)."""
    out = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        rel_root = Path(root).relative_to(folder)
        dirs[:] = [d for d in dirs if str(rel_root / d) not in skip
                   and d not in (".git", ".venv", "__pycache__", ".pytest_cache",
                                 ".ruff_cache", "node_modules")]
        for name in files:
            path = Path(root) / name
            if str(rel_root / name) in skip:
                continue
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            out[str(rel_root / name)] = hashlib.sha256(data).hexdigest()
    return out


def totals(rows: list[dict]) -> dict[str, float]:
    out: dict[str, float] = {}
    for row in rows:
        out[row["learner"]] = out.get(row["learner"], 0.0) + row["score"]
    return out
