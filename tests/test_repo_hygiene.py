"""Notebook and repository hygiene: what nbval alone would not catch.

Notebooks must be valid, run top to bottom, free of errors, stderr, absolute paths and
memory addresses, on the project's kernel, with the series' skeleton; generated things
(navigation, diagrams, learner copies) must be up to date. The locks: tests/test_locks.py.
"""

import json
import re
from pathlib import Path

import matplotlib.image as mpimg
import nbformat
import numpy as np
import pytest

from helpers.tools import contents, hygiene, images, navigation, student
from helpers.tools.execute import KERNEL_NAME

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# The lessons: every notebook but 00, 09 (trains the full CNN) and the two whose outputs
# depend on its trained weights (10, 11).
LESSONS = [p for p in NOTEBOOKS if p.name[:2] not in {"00", "09", "10", "11"}]
# What an ignored cell may hold: a widget view, training progress or a timing.
NON_DETERMINISTIC = re.compile(
    r"widgets|interact|sketchpad|\.fit\(|train_on_batch|perf_counter|time\(")
# The per-notebook checks live in helpers.tools.hygiene, shared with the pre-commit hook.
ABSOLUTE_PATH = hygiene.ABSOLUTE_PATH
MEMORY_ADDRESS = hygiene.MEMORY_ADDRESS
output_texts = hygiene.output_texts


def ids(paths):
    return [p.name for p in paths]


def read(path):
    return nbformat.read(path, as_version=4)


def tags(cell):
    return set(cell.metadata.get("tags", []))


def test_the_series_is_complete():
    names = [p.name[:2] for p in NOTEBOOKS]
    assert names == [f"{n:02d}" for n in range(len(NOTEBOOKS))], names
    assert names == sorted(contents.WHAT_YOU_DO), (
        f"the curriculum has notebooks {sorted(contents.WHAT_YOU_DO)}, found {names}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_is_valid_and_ran_top_to_bottom(path):
    nb = read(path)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == KERNEL_NAME
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n: run `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_outputs_are_clean(path):
    for number, cell in enumerate(read(path).cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", (
                f"{path.name} cell {number}: error output"
            )
            if out.output_type == "stream":
                assert out.name != "stderr", (
                    f"{path.name} cell {number}: stderr {out.text!r}"
                )
        for text in output_texts(cell):
            assert not ABSOLUTE_PATH.search(text), (
                f"{path.name} cell {number}: path in {text!r}"
            )
            assert not MEMORY_ADDRESS.search(text), (
                f"{path.name} cell {number}: {text!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_skeleton(path):
    nb = read(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert nb.cells[-1].source.startswith(navigation.MARKER)
    if path.name.startswith("00"):
        return
    assert re.search(r"what you will learn", markdown, re.I), "no 'What you will learn'"
    assert re.search(r"^#+ .*summary", markdown, re.I | re.M), "no Summary section"
    solutions = [c for c in nb.cells if "solution" in tags(c)]
    assert len(solutions) >= (2 if path in LESSONS else 1), "too few exercises"
    for image in re.findall(r"\]\((\.\./images/[^)]+)\)", markdown):
        assert (path.parent / image).exists(), f"{path.name}: missing {image}"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lessons_compare_most_outputs(path):
    with_output = [c for c in read(path).cells if c.cell_type == "code" and c.outputs]
    ignored = [c for c in with_output if hygiene.is_ignored(c)]
    # a widget's view is never compared (nbval skips it), so widget cells do not count
    compared_text = [c for c in ignored if not hygiene.WIDGET_CELL.search(c.source)]
    assert len(compared_text) <= 0.1 * len(with_output), (
        f"{path.name}: {len(compared_text)} of {len(with_output)} cells with output have "
        "their text ignored"
    )
    for cell in ignored:  # only widgets, training progress and timings may be ignored
        assert NON_DETERMINISTIC.search(cell.source), cell.source[:200]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_ignored_training_output_is_guarded_by_an_assert(path):
    """An ignored cell that trains or times something is followed by an assert on a bound."""
    code = [c for c in read(path).cells if c.cell_type == "code"]
    for k, cell in enumerate(code):
        ignored = hygiene.is_ignored(cell)
        trains_or_times = re.search(r"\.fit\(|train_on_batch|perf_counter|time\(", cell.source)
        if not ignored or not trains_or_times:
            continue
        after = "\n".join(c.source for c in code[k : k + 3])
        assert re.search(r"^\s*assert ", after, re.M), (
            f"{path.name}: no assert guards the ignored cell {cell.source[:120]!r}"
        )


TOOLING_NOISE = re.compile(r"NBVAL|noqa|extra code|type: ?ignore|pragma", re.I)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_code_cells_carry_no_tooling_noise(path):
    """Notes to the tools (nbval, linters) go in cell tags and pyproject, not in the code
    a learner reads."""
    noisy = [c.source[:120] for c in read(path).cells
             if c.cell_type == "code" and TOOLING_NOISE.search(c.source)]
    assert noisy == [], f"{path.name}: tooling noise in {noisy}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_compared_outputs_hold_on_any_machine(path):
    """No round-off in a compared output; every ignored output (but a widget's) guarded."""
    assert hygiene.portable_outputs(read(path), path.name) == []


def test_the_portability_check_finds_round_off_and_unguarded_ignored_cells():
    def notebook(*cells):
        nb = nbformat.v4.new_notebook()
        for source, text, tags in cells:
            cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
            nb.cells.append(cell)
        return nb

    printed = notebook(("print(gap)", "largest difference 3.9e-16\n", []))
    assert "round-off (3.9e-16)" in hygiene.portable_outputs(printed)[0]
    bound = notebook(("print(gap < 1e-12)", "difference below 1e-12: True\n", []))
    assert hygiene.portable_outputs(bound) == []
    unguarded = notebook(("print(pair)", "Shirt taken for T-shirt/top\n",
                          ["nbval-ignore-output"]))
    assert "no assert" in hygiene.portable_outputs(unguarded)[0]
    guarded = notebook(("print(pair)", "Shirt taken for T-shirt/top\n",
                        ["nbval-ignore-output"]), ("assert 'Shirt' in pair", "", []))
    assert hygiene.portable_outputs(guarded) == []
    widget = notebook(("widgets.kernel_explorer()", "", ["nbval-ignore-output"]))
    assert hygiene.portable_outputs(widget) == []


def test_contents_table_is_up_to_date():
    stale = contents.update(write=False)
    assert stale == [], (
        f"stale table of contents in {[p.name for p in stale]}: "
        "run `python -m helpers.tools.contents`"
    )


def test_navigation_is_up_to_date():
    stale = navigation.update(write=False)
    assert stale == [], f"stale navigation in {[p.name for p in stale]}: run `make nav`"


@pytest.mark.parametrize("name", sorted(images._figures()))
def test_diagram_is_up_to_date(name, tmp_path):
    committed = images.IMAGES / name
    assert committed.exists(), f"images/{name} is missing: run `make images`"
    fresh = images.render(name, tmp_path)
    assert np.array_equal(mpimg.imread(fresh), mpimg.imread(committed)), (
        f"images/{name} is stale: run `make images`"
    )


def test_every_image_is_generated():
    made = set(images._figures())
    for path in images.IMAGES.glob("*.png"):
        assert path.name in made, (
            f"images/{path.name} is not made by helpers.tools.images"
        )


def test_student_copies_hide_solutions():
    for path in NOTEBOOKS:
        original = read(path)
        solutions = [c.source for c in original.cells if "solution" in tags(c)]
        copy = student.student_copy(read(path))
        blanked = [c for c in copy.cells if "solution" in tags(c)]
        for cell, solution in zip(blanked, solutions, strict=True):
            assert not cell.outputs
            body = [
                line
                for line in solution.splitlines()
                if line.strip() and not line.startswith(("def ", "#"))
            ]
            for line in body:
                assert line not in cell.source.splitlines(), (
                    f"{path.name}: {line!r} leaks"
                )


def test_student_blank_keeps_signature():
    source = "def my_relu(x):\n    return np.maximum(x, 0)\n\nanswer = 3"
    assert student.blank(source) == (
        "def my_relu(x):\n    # YOUR CODE HERE\n    raise NotImplementedError\n\n"
        "answer = ...  # YOUR ANSWER HERE"
    )


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"README does not list {path.name}"


def test_lab_settings_are_valid_json():
    from helpers.tools import labsettings

    assert json.loads(json.dumps(labsettings.OVERRIDES))
