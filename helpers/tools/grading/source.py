"""nbgrader's source and released notebooks, derived from the lessons.

The lesson notebooks stay free of asserts (a self-study learner must never see an
``AssertionError``); this module derives nbgrader's *source* notebooks from them:

- every code cell tagged ``solution`` becomes an nbgrader solution cell whose
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region is the answer (the ``def`` line
  and anything outside the region stay, so the signature survives); a function body
  ends in ``raise NotImplementedError`` after the region, and a top-level answer is
  preceded by ``name = ...``, so a released copy says "not done yet", never a traceback;
  comments just above a top-level answer belong to it (they often work it out);
- the check cell right after it becomes a locked, graded test cell
  ``assert checks.check_x(...)`` worth ``POINTS``.

Course folder (git-ignored): ``workshop/`` with ``nbgrader_config.py``, ``source/``,
``release/`` (hand these out). One assignment per notebook, named like the notebook; the
images a notebook shows travel in its assignment folder.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.tools import student

ROOT = Path(__file__).resolve().parents[3]
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
        if line.strip():  # a top-level answer, with the comments that work it out
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
