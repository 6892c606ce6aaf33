"""Graded workshops: nbgrader source derived from the lessons, and a room graded.

Three made-up learners hand in notebook 04 (three exercises, a prediction among them):
one right everywhere, one wrong everywhere, one who did only the first exercise. The
grader (each learner's answers in the sandbox, the checks outside) must give 3, 0 and 1
points in the table and figure.
The released copies must hold no answer. Attacks: `test_grading_attacks_*.py`,
`test_grading_sandbox.py`.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import matplotlib.image as mpimg
import nbformat
import pytest

from helpers.tools import grading, student

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = student.notebooks()
GRADED = "04_relu"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_nbgrader_source_grades_every_exercise(path):
    lesson = nbformat.read(path, as_version=4)
    nb = grading.nbgrader_source(nbformat.read(path, as_version=4), path.name)
    solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    n = sum(student.TAG in c.metadata.get("tags", []) for c in lesson.cells)
    assert len(solutions) == len(graded) == n
    for cell in solutions:
        assert student.BEGIN in cell.source and student.END in cell.source
        region_free = student.blank(cell.source)
        if re.search(r"^def \w+\(", cell.source, re.M):
            # the signature survives; the blank body says "not done yet", no traceback
            signature = re.search(r"^def .*$", cell.source, re.M).group(0)
            assert region_free.startswith(signature)
            assert "raise NotImplementedError" in cell.source.split(student.END)[-1]
        else:
            assert "= ...  # YOUR ANSWER HERE" in cell.source.split(student.BEGIN)[0]
    for cell in graded:
        meta = cell.metadata["nbgrader"]
        assert meta["points"] == grading.POINTS and meta["locked"]
        assert re.search(r"^assert ", cell.source, re.M), "a graded cell must assert"
    # the lesson notebook itself never asserts a check (self-study learners)
    assert not any(
        c.source.startswith("assert check") for c in lesson.cells if c.cell_type == "code"
    )


def test_graded_cell_asserts_the_checks_result():
    assert grading._graded("checks.check_relu(my_relu)") == (
        'assert checks.check_relu(my_relu), "the check above says why"'
    )
    assert grading._graded("ok = check_step(my_step)") == (
        'ok = check_step(my_step)\nassert ok, "the check above says why"'
    )


def learner_notebook(released, source, answered: int, wrong: bool):
    """A released notebook with the first `answered` exercises done (right or wrong)."""
    nb = nbformat.read(released, as_version=4)
    solved = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(source, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    done = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution") or done >= answered:
            continue
        done += 1
        if wrong:
            cell.source = cell.source.replace("raise NotImplementedError", "return -1")
        else:
            cell.source = "\n".join(
                line
                for line in solved[meta["grade_id"]].splitlines()
                if line.strip() not in (student.BEGIN, student.END)
            )
    return nb


def answer_lines(nb) -> set[str]:
    """The lines of a lesson's solutions that the lesson's other cells do not show."""
    taught = {line.strip() for c in nb.cells if c.cell_type == "code"
              and student.TAG not in c.metadata.get("tags", []) for line in c.source.splitlines()}
    lines = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and student.TAG in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                line = line.strip()
                if len(line) > 6 and not line.startswith(("def ", "###")) \
                        and line not in taught:
                    lines.add(line)
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_only_solution_regions_hold_answers(path):
    """nbgrader blanks the regions: no answer line (a comment that works it out
    included) may stand outside one. (Hints may show a loop's skeleton, with the line
    that computes the answer left as `...`: 01's third exercise.)"""
    lesson = nbformat.read(path, as_version=4)
    lines = answer_lines(lesson)
    nb = grading.nbgrader_source(nbformat.read(path, as_version=4), path.name)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        outside = cell.source
        while student.BEGIN in outside:
            head, _, rest = outside.partition(student.BEGIN)
            outside = head + rest.partition(student.END)[2]
        leaked = {line.strip() for line in outside.splitlines()} & lines
        assert not leaked, f"{path.name}: {leaked}"


def test_three_learners_are_autograded(tmp_path):
    course = tmp_path / "workshop"
    both = grading.release([GRADED, "01_convolution_by_hand"], course=course)
    released = next(p for p in both if p.stem == GRADED)
    for path in both:  # the release holds no answers, no outputs
        lesson = nbformat.read(student.NOTEBOOKS / path.name, as_version=4)
        nb = nbformat.read(path, as_version=4)
        text = {line.strip() for c in nb.cells if c.cell_type == "code"
                for line in c.source.splitlines()}
        assert not text & answer_lines(lesson), path.name
        assert not [c for c in nb.cells if c.cell_type == "code" and c.outputs
                    and c.metadata.get("nbgrader", {}).get("grade_id")]
    assert released.exists()
    source = course / "source" / GRADED / f"{GRADED}.ipynb"
    n = len(grading.exercises(nbformat.read(source, as_version=4)))
    assert n == 3
    room = tmp_path / "submissions"
    for name, answered, wrong in [("ada", n, False), ("bob", n, True), ("cy", 1, False)]:
        (room / name).mkdir(parents=True)
        nb = learner_notebook(released, source, answered, wrong)
        nbformat.write(nb, room / name / f"{GRADED}.ipynb")
    rows = grading.grade(room, course=course)
    total = {}
    for row in rows:
        total[row["learner"]] = total.get(row["learner"], 0) + row["score"]
    # ada's prediction scores: its check compares with a value the check cell computes
    assert total == {"ada": 3.0, "bob": 0.0, "cy": 1.0}
    cy = {r["exercise"]: r["score"] for r in rows if r["learner"] == "cy"}
    assert cy == {"04_my_relu": 1.0, "04_predicted_kernel_shape": 0.0,
                  "04_combined_kernel": 0.0}
    with (course / "grades.csv").open() as f:
        table = list(csv.DictReader(f))
    assert len(table) == 3 * n
    assert {r["learner"] for r in table} == {"ada", "bob", "cy"}
    assert all(r["reason"] for r in table if float(r["score"]) == 0)
    figure = mpimg.imread(course / "grades.png")
    assert figure.shape[0] > 150 and figure.shape[1] > 300
    shutil.copy2(course / "grades.png", tmp_path.parent / "grades.png")  # to look at
