"""Grading a room: every learner's notebook on its own, each under a wall-clock limit.

For each notebook of the series that somebody handed in:

1. the exercises are read from the solved lesson (the answer key): each solution cell,
   the check right after it, and the names the check takes from the solution;
2. each learner's solution cells are matched by nbgrader's cell ids; the rest of the
   learner's notebook (setup cells, extra cells, outputs) is never run or read;
3. `policy` refuses solutions that call the reference or read the answer key;
4. `checker` (a clean interpreter) runs the checks against the learner's answers,
   which run in the sandbox; a learner's row says why an exercise earned nothing.

A malformed file, a hang, a crash, a killed process: that learner gets rows with the
reason, and the rest of the room is still graded.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from helpers.tools import student
from helpers.tools.grading import policy, sandbox, source
from helpers.tools.grading.collect import collect, read_bytes

SECONDS = float(os.environ.get("GRADE_SECONDS", 180))
"""Wall-clock limit for one learner's notebook (``GRADE_SECONDS`` or ``--seconds``)."""

CELL_SECONDS = 20.0
"""One solution cell's run, at most (then the learner's next cells still run)."""

REFERENCE_SECONDS = 1800.0


@dataclass
class Exercise:
    id: str
    cell_id: str
    answer_key: str
    names: list[str]  # what the solution cell defines
    check: str  # the check's name, e.g. "checks.check_conv2d"
    args: list[list]  # ["answer", name] or ["reference", index]
    evaluate: list[str]  # the lesson expressions of the "reference" arguments
    check_source: str


@dataclass
class Notebook:
    name: str
    lesson: policy.Lesson
    lesson_cells: list[str]  # every non-solution code cell, as Python
    exercises: list[Exercise] = field(default_factory=list)
    with_helpers: bool = False


def _python(source: str) -> str:
    return TransformerManager().transform_cell(source)


def read_notebook(name: str) -> Notebook:
    path = student.NOTEBOOKS / f"{name}.ipynb"
    lesson_nb = nbformat.read(path, as_version=4)
    graded = source.nbgrader_source(nbformat.read(path, as_version=4), path.name)
    cells = [c for c in lesson_nb.cells if c.cell_type == "code"]
    solution = [student.TAG in c.metadata.get("tags", []) for c in cells]
    lesson_cells = [_python(c.source) for c, s in zip(cells, solution, strict=True)
                    if not s]
    notebook = Notebook(name, policy.read_lesson(lesson_cells), lesson_cells)
    ids = iter(source.exercises(graded))
    for index, cell in enumerate(cells):
        if not solution[index]:
            continue
        names = policy.top_level_names(cell.source)
        check_cell = cells[index + 1]
        last = ast.parse(check_cell.source).body[-1]
        call = last.value
        args, evaluate = [], []
        for arg in call.args:
            if isinstance(arg, ast.Name) and arg.id in names:
                args.append(["answer", arg.id])
            else:
                args.append(["reference", len(evaluate)])
                evaluate.append(ast.get_source_segment(check_cell.source, arg))
        notebook.exercises.append(Exercise(
            next(ids), cell.get("id", ""), cell.source, names,
            ast.get_source_segment(check_cell.source, call.func), args, evaluate,
            check_cell.source))
    notebook.with_helpers = any(policy.references(e.answer_key, notebook.lesson, {})
                                for e in notebook.exercises)
    return notebook


# ------------------------------------------------------------------ one learner
def solutions(raw: bytes, notebook: Notebook) -> dict[str, str]:
    """{exercise id: the learner's solution source}; raises ValueError if malformed."""
    if not raw.strip():
        raise ValueError("an empty file")
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:
        raise ValueError(f"not a readable notebook ({type(exc).__name__}: "
                         f"{str(exc)[:120]})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or not cells:
        raise ValueError("a notebook without cells")
    code = [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"
            and isinstance(c.get("source"), str)]
    found = {}
    for exercise in notebook.exercises:
        by_grade = [c for c in code if _grade_id(c) == f"{exercise.id}_answer"]
        by_id = [c for c in code if exercise.cell_id and c.get("id") == exercise.cell_id]
        by_name = [c for c in code if exercise.names and
                   _defines(c["source"], exercise.names[0])]
        cell = (by_grade or by_id or by_name or [None])[0]
        if cell is not None:
            found[exercise.id] = cell["source"]
    return found


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _defines(text: str, name: str) -> bool:
    try:
        return name in policy.top_level_names(text)
    except SyntaxError:
        return False


def params(text: str, name: str, fallback: str) -> list[str]:
    for source_text in (text, fallback):
        try:
            for node in policy.parse(source_text).body:
                if isinstance(node, ast.FunctionDef) and node.name == name:
                    return [a.arg for a in node.args.posonlyargs + node.args.args]
        except SyntaxError:
            continue
    return []


def plan(notebook: Notebook, answers: dict[str, str]) -> tuple[list, dict]:
    """The sandbox's cells and each exercise's problems, for one learner."""
    imports = policy.own_imports(list(answers.values()))
    flagged: set[str] = set()
    cells, problems = [], {}
    for exercise in notebook.exercises:
        text = answers.get(exercise.id)
        if text is None:
            problems[exercise.id] = ["the solution cell is missing from the notebook"]
            continue
        found = policy.problems(text, exercise.answer_key, notebook.lesson, imports)
        leaked = sorted(policy.free_names(text) & flagged)
        if leaked:
            found.append(f"uses `{leaked[0]}`, set by a solution that earned nothing")
        problems[exercise.id] = found
        if found:
            try:
                flagged |= set(policy.top_level_names(text))
            except SyntaxError:
                pass
            continue  # a refused solution never runs
        cells.append({"exercise": exercise.id, "source": text})
    return cells, problems


def job_for(notebook: Notebook, answers: dict[str, str], reference: dict,
            seconds: float) -> dict:
    cells, problems = plan(notebook, answers)
    used = set().union(*(policy.free_names(c["source"]) for c in cells)) | {"np"}
    preamble = []
    for text in notebook.lesson_cells:
        try:
            tree = policy.parse(text)
        except SyntaxError:
            continue
        for node in tree.body:
            seg = ast.get_source_segment(text, node)
            if isinstance(node, ast.Import | ast.ImportFrom):
                bound = policy._imported(node)
                free = all(q.split(".")[0] in policy.FREE_MODULES for q in bound.values())
                if (free and set(bound) & used) or notebook.with_helpers:
                    preamble.append(seg)
            elif isinstance(node, ast.FunctionDef) and notebook.with_helpers:
                preamble.append(seg)
    for cell in cells:
        cell["data"] = reference.get("data", {}).get(cell["exercise"], {})
    check_roots = {e.check.split(".")[0] for e in notebook.exercises}
    check_imports = [ast.get_source_segment(t, n) for t in notebook.lesson_cells
                     for n in _safe_body(t) if isinstance(n, ast.Import | ast.ImportFrom)
                     and set(policy._imported(n)) & check_roots]
    return {
        "with_helpers": notebook.with_helpers,
        "preamble": preamble,
        "cells": cells,
        "cell_seconds": CELL_SECONDS,
        "startup_seconds": min(60.0, seconds / 2),
        "imports": check_imports,
        "reference": reference.get("args", {}),
        "exercises": [{
            "id": e.id, "points": source.POINTS, "problems": problems[e.id],
            "check": e.check, "args": e.args,
            "params": {n: params(answers.get(e.id, ""), n, e.answer_key)
                       for n in e.names},
        } for e in notebook.exercises],
    }


def _safe_body(text: str):
    try:
        return policy.parse(text).body
    except SyntaxError:
        return []


def run_checker(job: dict, seconds: float, folder: Path) -> tuple[list[dict], str]:
    """Run one learner's checker under the wall-clock limit; (rows, what went wrong)."""
    limits = sandbox.Limits()
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=folder,
                                     delete=False) as f:
        json.dump(job, f)
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-m", "helpers.tools.grading.checker", f.name],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=limits.enter, cwd=folder)
        try:
            out, err = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return [], f"grading stopped after {seconds:g} s (the wall-clock limit)"
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # anything left behind
            except ProcessLookupError:
                pass
        try:
            return json.loads(out.decode().strip().splitlines()[-1]), ""
        except (ValueError, IndexError):
            tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            return [], f"the grader failed on this notebook ({tail[0][:200]})"
    finally:
        limits.close()
        os.unlink(f.name)


def reference_run(notebook: Notebook, needed: set[str], folder: Path) -> dict:
    """The lesson values the checks and answers need, from one run of the answer key."""
    wanted = any(e.evaluate for e in notebook.exercises)
    if not wanted and not needed:
        return {}
    nb = nbformat.read(student.NOTEBOOKS / f"{notebook.name}.ipynb", as_version=4)
    steps, exercises = [], iter(notebook.exercises)
    code = [c for c in nb.cells if c.cell_type == "code"]
    last = max(i for i, c in enumerate(code) if student.TAG in c.metadata.get("tags", []))
    pending = None
    for cell in code[: last + 2]:
        if student.TAG in cell.metadata.get("tags", []):
            pending = next(exercises)
            steps.append({"key": pending.id, "names": sorted(needed)})
            steps.append({"run": cell.source})
        elif pending is not None:
            # after the check cell ran: a prediction's check cell computes the value it
            # compares with (`check_prediction(guess, out.shape, ...)`)
            steps.append({"run": cell.source})
            steps.append({"key": pending.id, "evaluate": pending.evaluate})
            pending = None
        else:
            steps.append({"run": cell.source})
    job, out = folder / f"{notebook.name}.reference.json", folder / f"{notebook.name}.values.json"
    job.write_text(json.dumps(steps))
    subprocess.run([sys.executable, "-m", "helpers.tools.grading.reference",
                    str(job), str(out)], cwd=folder, timeout=REFERENCE_SECONDS,
                   capture_output=True)
    return json.loads(out.read_text()) if out.exists() else {}


def grade_notebook(name: str, learners: dict[str, Path], folder: Path,
                   seconds: float, workers: int) -> list[dict]:
    notebook = read_notebook(name)
    parsed: dict[str, dict | str] = {}
    for learner, path in learners.items():
        try:
            parsed[learner] = solutions(read_bytes(path), notebook)
        except (ValueError, OSError) as exc:
            parsed[learner] = str(exc)
        except Exception as exc:  # nbformat's own failure on a hostile file
            parsed[learner] = f"unreadable ({type(exc).__name__})"
    needed = set()
    for answers in parsed.values():
        if isinstance(answers, dict):
            for text in answers.values():
                needed |= policy.free_names(text) & notebook.lesson.data
    reference = reference_run(notebook, needed, folder)

    def one(learner: str) -> list[dict]:
        answers = parsed[learner]
        start = time.monotonic()
        if isinstance(answers, str):
            found, why = [], f"malformed notebook: {answers}"
        else:
            try:
                job = job_for(notebook, answers, reference, seconds)
                found, why = run_checker(job, seconds, folder)
            except Exception as exc:  # the room goes on whatever one notebook holds
                found, why = [], f"the grader could not grade this notebook ({exc!r:.200})"
        rows = {r["exercise"]: r for r in found}
        return [{
            "learner": learner, "notebook": name, "exercise": e.id,
            "score": rows.get(e.id, {}).get("score", 0.0),
            "max_score": float(source.POINTS),
            "reason": rows.get(e.id, {}).get("reason", why),
            "seconds": round(time.monotonic() - start, 1),
        } for e in notebook.exercises]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [row for rows in pool.map(one, sorted(learners)) for row in rows]


def grade_room(submissions: Path, course: Path, seconds: float = SECONDS,
               workers: int | None = None) -> tuple[list[dict], list[tuple[str, str]]]:
    sandbox.works()
    lessons = {p.stem for p in student.notebooks()}
    room = collect(submissions, lessons)
    folder = course / "grading"
    folder.mkdir(parents=True, exist_ok=True)
    by_notebook: dict[str, dict[str, Path]] = {}
    for (learner, name), path in room.notebooks.items():
        by_notebook.setdefault(name, {})[learner] = path
    rows = []
    for name, learners in sorted(by_notebook.items()):
        rows += grade_notebook(name, learners, folder, seconds,
                               workers or max(1, os.cpu_count() or 1))
    return rows, room.skipped
