"""Graded workshops with nbgrader: ``python -m helpers.tools.grading [--release] [SUBMISSIONS]``.

The lesson notebooks stay free of asserts (a self-study learner must never see an
``AssertionError``); this tool derives nbgrader's *source* notebooks from them:

- every code cell tagged ``solution`` becomes an nbgrader solution cell whose
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region is the answer (the ``def`` line
  and anything outside the region stay, so the signature survives); a function body
  ends in ``raise NotImplementedError`` after the region, and a top-level answer is
  preceded by ``name = ...``, so a released copy says "not done yet", never a traceback;
- the check cell right after it becomes a locked, graded test cell
  ``assert checks.check_x(...)`` worth ``POINTS``: the check prints its verdict and a
  wrong answer fails the assert, so it loses the points.

Course folder (git-ignored): ``workshop/`` with ``nbgrader_config.py``, ``source/``,
``release/`` (hand these out), ``submitted/``, ``autograded/``, ``gradebook.db``. One
assignment per notebook, named like the notebook; the images a notebook shows travel in
its assignment folder (links ``../images/x.png`` become ``images/x.png``).

``--release`` builds the source and the released copies of every notebook. Given a folder
of learners' notebooks, ``SUBMISSIONS/<learner>/NN_name.ipynb`` (or nbgrader's own
``SUBMISSIONS/<learner>/NN_name/NN_name.ipynb``), it autogrades them and writes
``workshop/grades.csv`` (one row per learner and exercise) and ``workshop/grades.png``
(the room's results as a learner x exercise grid).
"""

from __future__ import annotations

import ast
import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.tools import student

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "workshop"
POINTS = 1
BEGIN, END = student.BEGIN, student.END
CONFIG = """\
# Written by helpers.tools.grading: the nbgrader course of this series.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "cnn-course"
# The region becomes this stub; the tool put `raise NotImplementedError` after it in a
# function and `name = ...` before it at the top level, so nothing raises a traceback.
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE"}}
c.ClearSolutions.enforce_metadata = True
# Notebook 09 trains a model: give a cell minutes, not nbgrader's 30 s.
c.Execute.timeout = 900
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
"""


# ------------------------------------------------------------------ nbgrader source
def _mark_regions(source: str) -> str:
    """A solution cell's source with nbgrader markers and learner-safe stubs around them."""
    lines = source.splitlines()
    if not any(line.strip() == BEGIN for line in lines):
        lines = _add_markers(lines)
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line)
        if line.strip() != END:
            continue
        indent = line[: len(line) - len(line.lstrip())]
        rest = [x for x in lines[index + 1 :] if x.strip()]
        body_goes_on = rest and rest[0].startswith(indent) and indent
        if indent and not body_goes_on:
            out.append(f"{indent}raise NotImplementedError")
    # top level: `name = ...` before the region, so the answer exists when left blank
    result: list[str] = []
    begin: int | None = None
    for line in out:
        if line.strip() == BEGIN and not line.startswith((" ", "\t")):
            begin = len(result)
        elif line.strip() == END and begin is not None:
            names = student._assigned_names(result[begin + 1 :])
            result[begin:begin] = [f"{n} = ...  # YOUR ANSWER HERE" for n in names]
            begin = None
        result.append(line)
    return "\n".join(result)


def _add_markers(lines: list[str]) -> list[str]:
    """Wrap each function body and each top-level statement block in markers."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("def "):
            out.append(line)
            body = []
            index += 1
            while index < len(lines) and (
                lines[index].startswith((" ", "\t")) or not lines[index].strip()
            ):
                body.append(lines[index])
                index += 1
            while body and not body[-1].strip():
                body.pop()
            indent = "    "
            out += [f"{indent}{BEGIN}", *body, f"{indent}{END}"]
            continue
        if line.strip() and not line.startswith("#"):
            block = []
            while index < len(lines) and not lines[index].startswith("def "):
                block.append(lines[index])
                index += 1
            while block and not block[-1].strip():
                block.pop()
            out += [BEGIN, *block, END]
            continue
        out.append(line)
        index += 1
    return out


def _graded(source: str) -> str:
    """`checks.check_x(fn)` -> `assert checks.check_x(fn), ...` (the last expression)."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    message = '"the check above says why"'
    if isinstance(last, ast.Assign) and len(last.targets) == 1:
        # `ok = check_x(fn)`: keep it (later cells use `ok`) and assert the result
        target = ast.get_source_segment(source, last.targets[0])
        return f"{source.rstrip()}\nassert {target}, {message}"
    if not isinstance(last, ast.Expr):
        raise ValueError(f"a check cell must end in the check call, got {source!r}")
    lines = source.splitlines()
    head = lines[: last.lineno - 1]
    call = "\n".join(lines[last.lineno - 1 : last.end_lineno])
    return "\n".join([*head, f"assert {call}, {message}"])


def _nbgrader_meta(grade_id: str, *, solution: bool, grade: bool, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return meta


def nbgrader_source(nb, name: str):
    """nbgrader's source notebook of lesson notebook `nb` (file name `name`), in place."""
    stem = name.split("_")[0]
    solutions = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and student.TAG in c.metadata.get("tags", [])
    ]
    for number, index in enumerate(solutions, 1):
        cell = nb.cells[index]
        exercise = f"{stem}_{_answer_name(cell.source, number)}"
        cell.source = _mark_regions(cell.source)
        cell.metadata["nbgrader"] = _nbgrader_meta(
            f"{exercise}_answer", solution=True, grade=False
        )
        check = next(
            j for j in range(index + 1, len(nb.cells)) if nb.cells[j].cell_type == "code"
        )
        nb.cells[check].source = _graded(nb.cells[check].source)
        nb.cells[check].metadata["nbgrader"] = _nbgrader_meta(
            exercise, solution=False, grade=True, points=POINTS
        )
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("](../images/", "](images/").replace(
                'src="../images/', 'src="images/'
            )
            cell.source = re.sub(
                r"\]\((\d\d_[\w-]+)\.ipynb", r"](../\1/\1.ipynb", cell.source
            )
    return nb


def _answer_name(source: str, number: int) -> str:
    """The exercise's name: its function or answer variable (`ex2` if none)."""
    match = re.search(r"^def (\w+)", source, re.M)
    names = student._assigned_names(source.splitlines())
    return match.group(1) if match else names[0] if names else f"ex{number}"


def exercises(nb) -> list[str]:
    """The grade ids of the graded cells of an nbgrader source notebook."""
    return [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    ]


def write_source(course: Path, path: Path) -> Path:
    """Write nbgrader's source of the lesson at `path` with the images it shows."""
    folder = course / "source" / path.stem
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbgrader_source(nbformat.read(path, as_version=4), path.name)
    nbformat.write(nb, folder / path.name)
    text = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for image in set(re.findall(r"images/([\w.-]+\.(?:png|svg|jpg))", text)):
        (folder / "images").mkdir(exist_ok=True)
        shutil.copy2(ROOT / "images" / image, folder / "images" / image)
    return folder / path.name


def setup_course(course: Path = COURSE) -> None:
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG.format(root=str(course)))


def nbgrader(course: Path, *args: str) -> None:
    """Run an nbgrader command in the course folder (the venv's bin on PATH: alembic)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stderr[-3000:]}")


def release(names: list[str] | None = None, course: Path = COURSE) -> list[Path]:
    """Source and released (blank) copies of the lessons; returns the released paths."""
    setup_course(course)
    paths = [p for p in student.notebooks() if names is None or p.stem in names]
    released = []
    for path in paths:
        write_source(course, path)
        nbgrader(course, "generate_assignment", path.stem, "--force")
        released.append(course / "release" / path.stem / path.name)
    return released


# ------------------------------------------------------------------ grading
def collect(submissions: Path, course: Path = COURSE) -> dict[str, list[str]]:
    """Copy `submissions` into nbgrader's layout; {assignment: [learner, ...]}."""
    lessons = {p.stem for p in student.notebooks()}
    found: dict[str, list[str]] = {}
    for learner in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for nb in sorted(learner.rglob("[0-9][0-9]_*.ipynb")):
            if nb.stem not in lessons or ".ipynb_checkpoints" in nb.parts:
                continue
            target = course / "submitted" / learner.name / nb.stem / f"{nb.stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(nb, target)
            found.setdefault(nb.stem, []).append(learner.name)
    return found


def scores(course: Path, found: dict[str, list[str]]) -> list[dict]:
    """One row per learner and exercise from nbgrader's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment, learners in sorted(found.items()):
            for learner in learners:
                try:
                    nb = gb.find_submission_notebook(assignment, assignment, learner)
                except MissingEntry:
                    continue
                source = course / "source" / assignment / f"{assignment}.ipynb"
                order = exercises(nbformat.read(source, as_version=4))
                for grade in sorted(nb.grades, key=lambda g: order.index(g.name)):
                    if grade.max_score == 0:
                        continue
                    rows.append(
                        {
                            "learner": learner,
                            "notebook": assignment,
                            "exercise": grade.name,
                            "score": float(grade.score),
                            "max_score": float(grade.max_score),
                        }
                    )
    return rows


def write_csv(rows: list[dict], path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(
            f, fieldnames=["learner", "notebook", "exercise", "score", "max_score"]
        )
        writer.writeheader()
        writer.writerows(rows)


def plot_room(rows: list[dict], path: Path) -> None:
    """A learner x exercise grid of scores (share of the points), with totals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    learners = sorted({r["learner"] for r in rows})
    ex = list(dict.fromkeys((r["notebook"], r["exercise"]) for r in rows))
    grid = np.full((len(learners), len(ex)), np.nan)
    for r in rows:
        i = learners.index(r["learner"])
        j = ex.index((r["notebook"], r["exercise"]))
        grid[i, j] = r["score"] / r["max_score"]
    fig, ax = plt.subplots(
        figsize=(max(6, 0.8 * len(ex) + 4), max(3.5, 0.45 * len(learners) + 2.5))
    )
    image = ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(grid):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(ex)), [e for _, e in ex], rotation=45, ha="right")
    totals = [
        f"{name} ({sum(r['score'] for r in rows if r['learner'] == name):g}/"
        f"{sum(r['max_score'] for r in rows if r['learner'] == name):g})"
        for name in learners
    ]
    ax.set_yticks(range(len(learners)), totals)
    ax.set_xlabel("exercise (notebook_function)")
    ax.set_ylabel("learner (points)")
    done = np.nanmean(grid, axis=0)
    ax.set_title(
        f"The room: {len(learners)} learners, {len(ex)} exercises\n"
        f"hardest: {ex[int(np.nanargmin(done))][1]} ({np.nanmin(done):.0%} of points)",
        fontsize=10,
    )
    fig.colorbar(image, ax=ax, label="share of the points")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def grade(submissions: Path, course: Path = COURSE) -> list[dict]:
    """Autograde every learner's notebooks in `submissions`; write the CSV and figure."""
    if not submissions.is_dir():
        raise FileNotFoundError(
            f"SUBMISSIONS={submissions} is not a folder: put each learner's notebooks in "
            "SUBMISSIONS/<learner>/NN_name.ipynb"
        )
    setup_course(course)
    found = collect(submissions, course)
    if not found:
        raise FileNotFoundError(f"no NN_name.ipynb under {submissions}/<learner>/")
    for assignment, learners in sorted(found.items()):
        path = student.NOTEBOOKS / f"{assignment}.ipynb"
        write_source(course, path)
        nbgrader(course, "generate_assignment", assignment, "--force")
        for learner in learners:
            nbgrader(course, "autograde", assignment, f"--student={learner}", "--force")
        print(f"graded  {assignment}: {len(learners)} learner(s)")
    rows = scores(course, found)
    write_csv(rows, course / "grades.csv")
    plot_room(rows, course / "grades.png")
    print(f"wrote   {course / 'grades.csv'} ({len(rows)} rows) and {course / 'grades.png'}")
    return rows


def main(argv: list[str]) -> int:
    if "--release" in argv:
        for path in release():
            print(f"released {path}")
        return 0
    if not argv:
        print(__doc__)
        return 2
    grade(Path(argv[0]).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
