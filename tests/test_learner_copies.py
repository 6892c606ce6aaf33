"""Learner copies: blank exercises that run, links that resolve, work never overwritten.

Every learner copy is run top to bottom in a real kernel (nbclient) twice: first with every
exercise left undone (each check must say "not done yet"), then, in the same kernel from
the first exercise on, with a wrong answer in every exercise (each check must say ❌). In
both passes every later cell must run without an error: a lesson cell that needs the
learner's function falls back to the reference. Re-running only from the first exercise
keeps notebook 09's training (before its exercises) to one run.

nbval already ran every lesson in full; here notebooks 09 and 10 run as a quick run
(``CNN_COURSE_QUICK=1``: one short epoch) with the model kept in this test's own folder,
never in ``models/``.
"""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path

import nbformat
import pytest

from helpers.cnn import MODEL_ENV, QUICK_ENV
from helpers.tools import student
from helpers.tools.execute import KERNEL_NAME

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WRONG_FUNCTION_BODY = "return -1  # a wrong answer"
WRONG_VALUE = "-1  # a wrong answer"


def ids(paths):
    return [p.name for p in paths]


def runs(paths):
    """One run per notebook, each its own unit of work for pytest-xdist (make test runs
    them on both cores with --dist loadgroup), except 10, which runs after 09 on the
    same worker: it opens the model that 09 saved in that worker's folder."""
    def group(path):
        trained = path.name[:2] in ("09", "10")
        return "learner-copy-trained-cnn" if trained else f"learner-copy-{path.stem}"

    return [pytest.param(p, id=p.name, marks=pytest.mark.xdist_group(group(p)))
            for p in paths]


def text_of(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            for mime in ("text/plain", "text/markdown", "text/html"):
                parts.append(str(out.get("data", {}).get(mime, "")))
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback))
    return "".join(parts)


def errors(cells, start=0):
    """(index, first line of source, error name) of every cell that failed."""
    found = []
    for index, cell in enumerate(cells[start:], start):
        for out in cell.get("outputs", []):
            bad_stream = out.output_type == "stream" and (
                "Traceback (most recent call last)" in out.text
            )
            if out.output_type == "error" or bad_stream:
                name = out.get("ename", "Traceback in output")
                found.append((index, cell.source.splitlines()[:1], name))
    return found


def wrong_answer(source: str) -> str:
    """A learner copy's blank solution cell with a wrong answer filled in."""
    source = source.replace("raise NotImplementedError", WRONG_FUNCTION_BODY)
    return re.sub(r"= \.\.\.  # YOUR ANSWER HERE", f"= {WRONG_VALUE}", source)


def solution_indices(nb):
    return [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and student.TAG in c.metadata.get("tags", [])
    ]


def check_index(nb, solution: int) -> int:
    """The check cell of an exercise: the first code cell after its solution cell."""
    for index in range(solution + 1, len(nb.cells)):
        if nb.cells[index].cell_type == "code":
            return index
    raise AssertionError(f"no check cell after cell {solution}")


def cell_timeout(cell) -> int:
    """Seconds a cell may take: a quick training on a busy 2-core machine takes a minute
    or two; a hang is not."""
    trains = re.search(r"\.fit\(|load_or_train|train", cell.source)
    return 900 if trains else 300


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    """A folder shaped like the repository: learner/ beside notebooks/ and images/.

    Kernels started meanwhile run quick (09 and 10) and keep their model in it.
    """
    root = tmp_path_factory.mktemp("repo")
    (root / "images").symlink_to(ROOT / "images")
    (root / "notebooks").symlink_to(ROOT / "notebooks")
    (root / "learner").mkdir()
    with pytest.MonkeyPatch.context() as env:
        env.setenv(QUICK_ENV, "1")
        env.setenv(MODEL_ENV, str(root / "models" / "fashion_cnn.keras"))
        yield root


@pytest.mark.parametrize("path", runs(NOTEBOOKS))
def test_learner_copy_runs_undone_and_wrong(path, layout):
    from nbclient import NotebookClient

    nb = student.build(path)
    solutions = solution_indices(nb)
    checks = [check_index(nb, s) for s in solutions]
    client = NotebookClient(
        nb,
        timeout_func=cell_timeout,
        kernel_name=KERNEL_NAME,
        allow_errors=True,
        store_widget_state=True,
        resources={"metadata": {"path": str(layout / "learner")}},
    )
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        undone_errors = errors(nb.cells)
        undone_verdicts = [text_of(nb.cells[i]) for i in checks]
        wrong = copy.deepcopy(nb)
        if solutions:
            for i in solutions:
                wrong.cells[i].source = wrong_answer(wrong.cells[i].source)
            client.nb = wrong
            for index in range(solutions[0], len(wrong.cells)):
                cell = wrong.cells[index]
                if cell.cell_type == "code":
                    cell.outputs = []
                    client.execute_cell(cell, index)
    seconds = time.perf_counter() - start
    print(f"{path.name}: {len(solutions)} exercises, both passes in {seconds:.0f} s")

    assert not undone_errors, (
        f"{path.name} with every exercise undone: a later cell failed {undone_errors}"
    )
    for i, verdict in zip(checks, undone_verdicts, strict=True):
        assert "not done yet" in verdict, (
            f"{path.name} cell {i}: the check of an undone exercise said {verdict!r}"
        )
    if solutions:
        wrong_errors = errors(wrong.cells, start=solutions[0])
        assert not wrong_errors, (
            f"{path.name} with a wrong answer in every exercise: a later cell failed "
            f"{wrong_errors}"
        )
        for i in checks:
            verdict = text_of(wrong.cells[i])
            assert "❌" in verdict and "not done yet" not in verdict, (
                f"{path.name} cell {i}: the check of a wrong answer said {verdict!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_learner_copy_blanks_every_exercise_and_links_the_answer_key(path):
    nb = student.build(path)
    solved = nbformat.read(path, as_version=4)
    key = f"../notebooks/{path.name}"
    assert key in nb.cells[0].source, "the title cell must link the answer key"
    assert nb.metadata[student.ANSWER_KEY_NOTE]["answer_key"] == key
    for i in solution_indices(nb):
        cell = nb.cells[i]
        assert not cell.outputs
        assert "NotImplementedError" in cell.source or "..." in cell.source
        previous = nb.cells[i - 1]
        assert student.is_hint(previous) and key in previous.source, (
            f"{path.name} cell {i}: the hint before an exercise must say where the "
            "answer key is"
        )
        assert text_of(nb.cells[check_index(nb, i)]) == "", "a verdict leaks"
    n_solved = sum(student.TAG in c.metadata.get("tags", []) for c in solved.cells)
    assert len(solution_indices(nb)) == n_solved


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_relative_links_of_a_learner_copy_resolve(path):
    """learner/ sits beside notebooks/: ../images/... and ../notebooks/... resolve."""
    nb = student.build(path)
    folder = ROOT / "learner"
    link = re.compile(r"(?:\]\(|src=[\"'])((?:\.\./|\./)?[\w./-]+\.(?:png|svg|ipynb|md))")
    targets = {
        m.group(1)
        for c in nb.cells
        if c.cell_type == "markdown"
        for m in link.finditer(c.source)
        if "://" not in m.group(1)
    }
    assert any(t.startswith("../notebooks/") for t in targets)
    missing = [
        t
        for t in targets
        if not (folder / t).resolve().exists()
        # links to sibling learner copies resolve once `make lab` made them all
        and not (t.endswith(".ipynb") and (ROOT / "notebooks" / Path(t).name).exists())
    ]
    assert not missing, f"{path.name}: links that do not resolve from learner/: {missing}"


def test_blank_keeps_the_signature_and_code_outside_the_markers():
    source = (
        "def window_sum(image, kernel, row, col):\n"
        "    kh, kw = kernel.shape\n"
        "    ### BEGIN SOLUTION\n"
        "    window = image[row : row + kh, col : col + kw]\n"
        "    return np.sum(window * kernel)\n"
        "    ### END SOLUTION\n"
    )
    assert student.blank(source) == (
        "def window_sum(image, kernel, row, col):\n"
        "    kh, kw = kernel.shape\n"
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError"
    )
    answers = '### BEGIN SOLUTION\nanswers = {\n    "a": (26, 26),\n}\n### END SOLUTION'
    assert student.blank(answers) == "answers = ...  # YOUR ANSWER HERE"


def test_rebuilding_never_overwrites_a_learners_work(tmp_path, capsys):
    paths = NOTEBOOKS[:2]
    done = student.make_copies(tmp_path, paths)
    assert set(done.values()) == {"created"}
    mine = tmp_path / paths[-1].name
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("my_answer = 42  # the learner's own work"))
    nbformat.write(nb, mine)
    before = mine.read_bytes()
    (tmp_path / paths[0].name).unlink()  # a missing copy is made again
    capsys.readouterr()
    done = student.make_copies(tmp_path, paths)
    said = capsys.readouterr().out
    assert mine.read_bytes() == before, "a learner's copy was overwritten"
    assert done == {paths[0].name: "created", paths[-1].name: "kept"}
    assert f"kept    {mine}" in said and "not overwritten" in said
    assert f"created {tmp_path / paths[0].name}" in said
    assert student.main([str(tmp_path), "--force"]) == 2
    assert mine.read_bytes() == before
