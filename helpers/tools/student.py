"""Make learner copies without solutions: ``python -m helpers.tools.student [OUT]``.

Every code cell tagged ``solution`` keeps its first line when that line defines the
function (``def my_relu(x):``) and gets the body ``# YOUR CODE HERE`` /
``raise NotImplementedError`` (nbgrader's convention); other solution cells become
``# YOUR CODE HERE`` with ``...`` answers. Outputs of solution cells and of the checks
that follow them are cleared, so no answer leaks. Copies go to ``student/`` (git-ignored).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
TAG = "solution"


def blank(source: str) -> str:
    """The learner's version of a solution cell's source."""
    lines = source.splitlines()
    out: list[str] = []
    in_def = False
    for line in lines:
        if line.startswith("def "):
            out += [line, "    # YOUR CODE HERE", "    raise NotImplementedError", ""]
            in_def = True
            continue
        if in_def and (line.startswith((" ", "\t")) or not line.strip()):
            continue  # the body of the solution
        in_def = False
        match = re.match(r"^(\w+)\s*=", line)
        if match:  # an answer like `my_shape = (26, 26, 32)`
            out.append(f"{match.group(1)} = ...  # YOUR ANSWER HERE")
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) if out else "# YOUR CODE HERE"


def student_copy(nb):
    """Return a learner copy of notebook `nb` (modified in place)."""
    cleared_next = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if TAG in cell.metadata.get("tags", []):
            cell.source = blank(cell.source)
            cell.outputs = []
            cell.execution_count = None
            cleared_next = True
        elif cleared_next:  # the check right after a solution shows its verdict
            cell.outputs = []
            cell.execution_count = None
            cleared_next = False
    return nb


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "student"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = student_copy(nbformat.read(path, as_version=4))
        nbformat.write(nb, out / path.name)
        print(f"{(out / path.name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
