"""Write the table of contents of the series: ``python -m helpers.tools.contents``.

The table (number, title, what you do, learner time) and the learning paths are made from
the notebooks themselves and written between markers into notebook 00 (a markdown cell
that starts with `MARKER`) and into the README (between `MARKER` and `END`), so the two
never drift. A test fails when either is stale.

The learner time is an estimate, computed the same way for every notebook from what it
holds: reading at `WORDS_PER_MINUTE`, `CODE_CELL_MINUTES` to run and read each code cell,
`FIGURE_MINUTES` per figure and `EXERCISE_MINUTES` per exercise (a cell tagged
``solution``), rounded up to 5 minutes.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
MARKER = "<!-- contents -->"
END = "<!-- /contents -->"

WORDS_PER_MINUTE = 150
CODE_CELL_MINUTES = 0.5
FIGURE_MINUTES = 0.5
EXERCISE_MINUTES = 5

# What a learner does in each notebook, one line (the title comes from the notebook).
WHAT_YOU_DO = {
    "00": "the plan, the learning paths, how exercises work, an environment check",
    "01": "slide a 3x3 filter over a 5x5 image by hand; write the double loop; "
          "cross-correlation vs convolution",
    "02": "classic kernels on a photo and on clothes; a kernel as a pattern detector; "
          "a stack of feature maps",
    "03": "padding, stride and the output-size formula; RGB kernels as 3-D blocks; "
          "1x1 convolution; a conv layer's shape and parameter count",
    "04": "ReLU on feature maps; why stacked convolutions need a non-linearity",
    "05": "2x2 max and average pooling; what survives a one-pixel shift, what is lost",
    "06": "flatten, dense, softmax; the cross-entropy loss by hand; "
          "the whole pipeline = helpers = Keras",
    "07": "dense vs conv: parameters, locality, weight sharing, shift equivariance, "
          "receptive fields, accuracy",
    "08": "gradient descent in numpy recovers a hidden 3x3 kernel; learning rates; "
          "a gradient check",
    "09": "build, compile, fit and judge a Keras CNN on Fashion-MNIST; "
          "overfitting, dropout, augmentation",
    "10": "learned kernels and feature maps; your own layers run the trained model; "
          "draw or upload your own item",
    "11": "the backward pass of every layer, checked against TensorFlow; the "
          "convolution's gradients as exercises; a numpy CNN trained to Keras's weights",
}

# Learning paths: which notebooks each one takes (00 is read by all).
PATHS = {
    "half-day workshop": ["01", "02", "04", "05", "06", "09"],
    "full-day workshop": ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"],
    "self-study": None,  # every notebook, in order
}


def notebook_paths() -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title(nb) -> str:
    """The first markdown heading without '# ' and without the 'NN · ' prefix."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return re.sub(r"^\d\d\s*·\s*", "", line[2:].strip())
    return ""


def minutes(nb) -> int:
    """The estimated learner time of a notebook, rounded up to 5 minutes."""
    words = figures = code = exercises = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if not cell.source.startswith(("<!-- nav -->", MARKER)):
                words += len(re.findall(r"[A-Za-z]+", cell.source))
        elif cell.cell_type == "code":
            code += 1
            exercises += "solution" in cell.metadata.get("tags", [])
            figures += sum(
                "image/png" in out.get("data", {}) for out in cell.get("outputs", [])
            )
    estimate = (words / WORDS_PER_MINUTE + code * CODE_CELL_MINUTES
                + figures * FIGURE_MINUTES + exercises * EXERCISE_MINUTES)
    return 5 * max(1, math.ceil(estimate / 5))


def rows(paths: list[Path] | None = None) -> list[dict]:
    """One dict per notebook: number, file, title, what you do, minutes."""
    out = []
    for path in paths or notebook_paths():
        nb = nbformat.read(path, as_version=4)
        number = path.name[:2]
        out.append({
            "number": number, "file": path.name, "title": title(nb),
            "what": WHAT_YOU_DO.get(number, ""), "minutes": minutes(nb),
        })
    return out


def _hours(total: int) -> str:
    h, m = divmod(total, 60)
    return f"{h} h {m:02d}" if h else f"{m} min"


def table(entries: list[dict], link_prefix: str = "") -> str:
    """The markdown table and the learning paths, links relative to `link_prefix`."""
    lines = ["| # | notebook | what you do | time |", "| --- | --- | --- | --- |"]
    for e in entries:
        lines.append(f"| {e['number']} | [{e['title']}]({link_prefix}{e['file']}) "
                     f"| {e['what']} | {e['minutes']} min |")
    by_number = {e["number"]: e["minutes"] for e in entries}
    lines += ["", "| learning path | notebooks | time |", "| --- | --- | --- |"]
    for name, numbers in PATHS.items():
        chosen = [n for n in (numbers or by_number) if n in by_number]
        if numbers is not None:
            chosen = ["00"] * ("00" in by_number) + chosen
        total = sum(by_number[n] for n in chosen)
        lines.append(f"| {name} | {', '.join(chosen)} | {_hours(total)} |")
    lines += [
        "",
        f"Times are estimates for a learner, computed from each notebook: reading at "
        f"{WORDS_PER_MINUTE} words a minute, {round(60 * CODE_CELL_MINUTES)} s per code "
        f"cell, {round(60 * FIGURE_MINUTES)} s per figure, {EXERCISE_MINUTES} min per "
        "exercise (`python -m helpers.tools.contents`).",
    ]
    return "\n".join(lines)


def update(write: bool = True) -> list[Path]:
    """Write the table into notebook 00 and the README; return the files that changed."""
    paths = notebook_paths()
    entries = rows(paths)
    changed = []
    start = paths[0]
    nb = nbformat.read(start, as_version=4)
    text = MARKER + "\n" + table(entries)
    cells = [c for c in nb.cells
             if c.cell_type == "markdown" and c.source.startswith(MARKER)]
    if len(cells) != 1:
        raise ValueError(f"{start.name} needs exactly one markdown cell starting with "
                         f"{MARKER!r}, found {len(cells)}")
    if cells[0].source != text:
        cells[0].source = text
        changed.append(start)
        if write:
            nbformat.write(nb, start)
    readme = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(MARKER) + r".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise ValueError(f"README.md needs {MARKER!r} ... {END!r} around the table")
    new = pattern.sub(lambda _: f"{MARKER}\n{table(entries, 'notebooks/')}\n{END}", readme)
    if new != readme:
        changed.append(README)
        if write:
            README.write_text(new, encoding="utf-8")
    return changed


def main() -> int:
    for path in update():
        print(f"updated {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
