"""Notebook hygiene checks, shared by the tests and the pre-commit hooks.

``python -m helpers.tools.hygiene [NOTEBOOK ...]`` checks each numbered notebook given (all
of them when none is): valid nbformat, the project's kernel, run top to bottom (execution
counts 1..n), no error output, no stderr, no absolute path and no memory address in any
output, and outputs that hold on any machine: no round-off printed in a compared output
(a number like 3.9e-16 differs with the CPU's BLAS kernel; print a bound instead), and
every ignored output but a widget's guarded by an assert in it, the cell before it or
the next two cells. ``--stale`` checks instead that the generated parts are up to date:
the navigation cells, the contents table of 00 and the README, and the diagrams in
``images/``.
It prints one line per problem and exits 1 when there is any; it never changes a file
(and never strips outputs: nbval compares them).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_NAME = re.compile(r"^\d\d_.*\.ipynb$")
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~])(/(?:work|root|home|tmp|usr|opt|var)/|[A-Z]:\\\\)"
)
MEMORY_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{4,}|0x[0-9a-fA-F]{8,}")
# A number of size 1e-7 or smaller in scientific notation: round-off, in this series.
# A bound ("below 1e-12") is what to print instead.
ROUND_OFF = re.compile(r"(?<!below )\b\d(\.\d+)?e-(0[7-9]|[1-9]\d)\b")
IGNORE_TAG = "nbval-ignore-output"
WIDGET_CELL = re.compile(r"widgets\.|interact|_explorer\(|_stepper\(|sketchpad\.")


def output_texts(cell):
    """Every text a code cell shows: streams, text reprs, tracebacks."""
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            yield out.text
        elif out.output_type in ("execute_result", "display_data"):
            for mime in ("text/plain", "text/html", "text/latex", "text/markdown"):
                if mime in out.data:
                    yield out.data[mime]
        elif out.output_type == "error":
            yield "\n".join(out.traceback)


def ran_top_to_bottom(nb, name: str = "notebook") -> list[str]:
    """Problems with the notebook's validity, kernel and execution order."""
    from helpers.tools.execute import KERNEL_NAME

    problems = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        problems.append(f"{name}: not a valid notebook: {error.message}")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != KERNEL_NAME:
        problems.append(f"{name}: kernel {kernel!r}, expected {KERNEL_NAME!r}")
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(
            f"{name}: execution counts {counts} are not 1..n: run it top to bottom "
            "(`python -m helpers.tools.execute`)"
        )
    return problems


def clean_outputs(nb, name: str = "notebook") -> list[str]:
    """Problems in the outputs: errors, stderr, absolute paths, memory addresses."""
    problems = []
    for number, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"{name} cell {number}: error output {out.ename}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"{name} cell {number}: stderr {out.text[:200]!r}")
        for text in output_texts(cell):
            if ABSOLUTE_PATH.search(text):
                problems.append(f"{name} cell {number}: absolute path in {text[:200]!r}")
            if MEMORY_ADDRESS.search(text):
                problems.append(f"{name} cell {number}: memory address in {text[:200]!r}")
    return problems


def is_ignored(cell) -> bool:
    """True when nbval does not compare the cell's output."""
    # nbval's own rule: a comment line that is exactly the marker (a marker followed by
    # more words, "# NBVAL_IGNORE_OUTPUT (why)", is not one and the output is compared).
    markers = (line.strip().lstrip("#").strip() for line in cell.source.splitlines()
               if line.strip().startswith("#"))
    return IGNORE_TAG in cell.metadata.get("tags", []) or "NBVAL_IGNORE_OUTPUT" in markers


def portable_outputs(nb, name: str = "notebook") -> list[str]:
    """Compared outputs that would differ on another machine, and ignored outputs that
    no assert guards."""
    problems = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for number, cell in enumerate(code):
        if not is_ignored(cell):
            for text in output_texts(cell):
                if found := ROUND_OFF.search(text):
                    problems.append(
                        f"{name} code cell {number}: prints round-off ({found.group()}), "
                        "which differs on another machine: print a bound instead"
                    )
        elif not WIDGET_CELL.search(cell.source):
            around = "\n".join(c.source for c in code[max(number - 1, 0) : number + 3])
            if not re.search(r"^\s*assert ", around, re.M):
                problems.append(
                    f"{name} code cell {number}: its output is ignored, but no assert in "
                    "it, the cell before or the next two cells guards what the prose "
                    "says of it"
                )
    return problems


def notebook_problems(path: Path) -> list[str]:
    """Every per-notebook hygiene problem of the notebook at `path`."""
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # any unreadable file is a problem to report
        return [f"{path.name}: cannot be read: {error}"]
    return (
        ran_top_to_bottom(nb, path.name)
        + clean_outputs(nb, path.name)
        + portable_outputs(nb, path.name)
    )


def stale_problems() -> list[str]:
    """Generated parts that are out of date: navigation, contents, diagrams."""
    import matplotlib.image as mpimg
    import numpy as np

    from helpers.tools import contents, images, navigation

    problems = [
        f"{p.name}: stale navigation: run `make nav`" for p in navigation.update(write=False)
    ]
    problems += [
        f"{Path(p).name}: stale contents table: run `python -m helpers.tools.contents`"
        for p in contents.update(write=False)
    ]
    with tempfile.TemporaryDirectory() as folder:
        for name in sorted(images._figures()):
            committed = images.IMAGES / name
            if not committed.exists():
                problems.append(f"images/{name} is missing: run `make images`")
                continue
            fresh = images.render(name, Path(folder))
            if not np.array_equal(mpimg.imread(fresh), mpimg.imread(committed)):
                problems.append(f"images/{name} is stale: run `make images`")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--stale", action="store_true", help="check navigation, contents and diagrams"
    )
    args = parser.parse_args(argv)
    if args.stale:
        problems = stale_problems()
    else:
        paths = [p for p in args.notebooks if NOTEBOOK_NAME.match(p.name)]
        if not args.notebooks:
            paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        problems = [problem for path in paths for problem in notebook_problems(path)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
