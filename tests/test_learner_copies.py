"""Learner copies: blank exercises that run, links that resolve, work never overwritten.

Every learner copy is run top to bottom in a real kernel (nbclient) twice: first with every
exercise left undone (each check must say "not done yet"), then, in the same kernel from
the first exercise on, with a wrong answer in every exercise (each check must say ❌). In
both passes every later cell must run without an error: a lesson cell that needs the
learner's function falls back to the reference. Re-running only from the first exercise
keeps notebook 09's training (before its exercises) to one run.

nbval already ran every lesson in full; here notebooks 09 to 11 run as a quick run
(``CNN_COURSE_QUICK=1``: one short epoch) with the model kept in this test's own folder,
never in ``models/``.
"""

from __future__ import annotations

import copy
import os
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
    them on both cores with --dist loadgroup), except 10 and 11, which run after 09 on
    the same worker: they open the model that 09 saved in that worker's folder."""
    def group(path):
        trained = path.name[:2] in ("09", "10", "11")
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

    Kernels started meanwhile run quick (09 to 11) and keep their model in it.
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


# ------------------------------------------------------------ what `make lab` reports
def test_a_copy_whose_lesson_changed_says_so_in_its_first_cell(tmp_path, capsys):
    path = NOTEBOOKS[1]
    student.make_copies(tmp_path, [path])
    mine = tmp_path / path.name
    nb = nbformat.read(mine, as_version=4)
    nb.metadata[student.ANSWER_KEY_NOTE]["built_from_sha256"] = "an older lesson"
    nb.cells.append(nbformat.v4.new_code_cell("my_answer = 42  # the learner's own work"))
    nbformat.write(nb, mine)
    before = nbformat.read(mine, as_version=4)
    assert student.make_copies(tmp_path, [path]) == {path.name: "kept (lesson changed since)"}
    said = capsys.readouterr().out
    assert "the lesson has changed since, as its first cell now says" in said
    after = nbformat.read(mine, as_version=4)
    first = after.cells[0].source
    assert first.startswith(student.CHANGED_BEGIN) and "rename this file" in first
    assert f"[../notebooks/{path.name}]" in first and "make lab" in first
    assert first.endswith(before.cells[0].source)  # the title cell is still all there
    assert after.cells[1:] == before.cells[1:], "the learner's cells must be kept"
    assert after.metadata == before.metadata
    again = mine.read_bytes()
    student.make_copies(tmp_path, [path])
    assert mine.read_bytes() == again, "the notice is written once"


@pytest.mark.parametrize(
    "content",
    [b"", b'{"cells": [', b"[1, 2]",
     b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 5}'],
    ids=["empty", "cut-short", "not-a-notebook", "no-list-of-cells"])
def test_an_unreadable_copy_is_reported_and_a_fresh_one_written_beside_it(
        tmp_path, capsys, content):
    path = NOTEBOOKS[1]
    broken = tmp_path / path.name
    broken.write_bytes(content)
    done = student.make_copies(tmp_path, [path])
    said = capsys.readouterr().out
    fresh = tmp_path / f"{path.stem}.fresh.ipynb"
    assert done == {path.name: f"unreadable (fresh copy: {fresh.name})"}
    assert f"UNREADABLE {broken}" in said and f"a fresh copy is at {fresh}" in said
    assert broken.read_bytes() == content, "the learner's file is left as it is"
    assert nbformat.read(fresh, as_version=4).metadata[student.ANSWER_KEY_NOTE]
    fresh.write_text(fresh.read_text() + "\n")  # the learner works in the fresh copy
    kept = fresh.read_bytes()
    student.make_copies(tmp_path, [path])
    assert fresh.read_bytes() == kept and "UNREADABLE" in capsys.readouterr().out


def test_a_file_named_learner_gets_a_message_not_a_traceback(tmp_path, capsys):
    learner = tmp_path / "learner"
    learner.write_text("my notes")
    assert student.main([str(learner)]) == 2
    said = capsys.readouterr().out
    assert "is a file, not a folder" in said and "Rename the file" in said
    assert learner.read_text() == "my notes"


# --------------------------------------------------- cells run out of order, restarts
def _kernel(nb, folder, monkeypatch, name):
    """An nbclient client for `nb`, whose kernel is told its notebook's path (as
    JupyterLab tells it) and runs in `folder`."""
    from nbclient import NotebookClient

    nbformat.write(nb, folder / name)
    monkeypatch.setenv("JPY_SESSION_NAME", str(folder / name))
    return NotebookClient(nb, timeout_func=cell_timeout, kernel_name=KERNEL_NAME,
                          allow_errors=True, store_widget_state=True,
                          resources={"metadata": {"path": str(folder)}})


def friendly_or_wall(cells):
    """For every cell that failed: (index, error name, friendly message or None,
    number of traceback lines)."""
    found = []
    for index, cell in enumerate(cells):
        for out in cell.get("outputs", []):
            if out.output_type != "error":
                continue
            friendly = next((o.data["text/plain"] for o in cell.outputs
                             if o.output_type == "display_data"
                             and "⚠" in o.data.get("text/plain", "")), None)
            lines = sum(part.count("\n") + 1 for part in out.traceback)
            found.append((index, out.ename, friendly, lines))
    return found


def assert_friendly(found, nb, where):
    assert found, f"{where}: no cell failed, so nothing was checked"
    for index, ename, friendly, lines in found:
        assert ename == "NameError", f"{where} cell {index}: {ename}"
        assert friendly is not None, f"{where} cell {index}: a bare NameError traceback"
        assert lines <= 4, f"{where} cell {index}: a traceback of {lines} lines"
        name = re.search(r"`(\w+)`", friendly).group(1)
        assert name in nb.cells[index].source, (index, friendly)
        assert "Run All Above Selected Cell" in friendly or "further down" in friendly


@pytest.mark.xdist_group("learner-copy-01_convolution_by_hand")
def test_a_learner_copy_run_bottom_to_top_gets_friendly_messages(layout, monkeypatch):
    path = ROOT / "notebooks" / "01_convolution_by_hand.ipynb"
    nb = student.build(path)
    client = _kernel(nb, layout / "learner", monkeypatch, "01-bottom-to-top.ipynb")
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    with client.setup_kernel():
        for index in reversed(code):
            client.execute_cell(nb.cells[index], index)
    found = friendly_or_wall(nb.cells)
    print(f"01 bottom to top: {len(found)} cells failed, all with a friendly message")
    assert_friendly(found, nb, "01 run bottom to top")
    assert len(found) >= 10  # every cell but the setup cell and the self-contained ones


@pytest.mark.xdist_group("learner-copy-08_learning_a_kernel")
def test_a_learner_copy_after_a_kernel_restart_gets_friendly_messages(layout, monkeypatch):
    from jupyter_core.utils import run_sync

    path = ROOT / "notebooks" / "08_learning_a_kernel.ipynb"
    nb = student.build(path)
    client = _kernel(nb, layout / "learner", monkeypatch, "08-restarted.ipynb")
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    half = code[len(code) // 2]
    with client.setup_kernel():
        for index in code:
            if index < half:
                client.execute_cell(nb.cells[index], index)
        assert not friendly_or_wall(nb.cells), "the first half must run cleanly"
        run_sync(client.km.restart_kernel)(now=True)  # as Kernel -> Restart Kernel
        run_sync(client.kc.wait_for_ready)(timeout=60)
        for index in code:
            if index >= half:
                client.execute_cell(nb.cells[index], index)
        found = friendly_or_wall(nb.cells)
        print(f"08 after a restart: {len(found)} cells failed, all friendly")
        assert_friendly(found, nb, "08 after a restart")
        # What the message advises works: from the top, nothing fails.
        for index in code:
            nb.cells[index].outputs = []
            client.execute_cell(nb.cells[index], index)
    assert not friendly_or_wall(nb.cells), "run from the top after the advice"


# ------------------------------------------------- a stopped training saves no model
def _stop_after(client, seconds):
    """Press the stop button (SIGINT to the kernel, as JupyterLab's ■) in `seconds`."""
    import signal
    import threading

    pid = client.km.provisioner.process.pid
    timer = threading.Timer(seconds, os.kill, (pid, signal.SIGINT))
    timer.start()
    return timer


def _cell(nb, text):
    return next(i for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and text in c.source)


@pytest.mark.xdist_group("learner-copy-09-stopped")  # its own model: any worker
def test_09_stopped_mid_training_saves_no_model_and_10_says_so(
        layout, tmp_path, monkeypatch):
    saved = tmp_path / "models" / "fashion_cnn.keras"
    monkeypatch.setenv(MODEL_ENV, str(saved))  # quick runs (layout), a model of its own
    nb = student.build(ROOT / "notebooks" / "09_keras_cnn.ipynb")
    client = _kernel(nb, layout / "learner", monkeypatch, "09-stopped.ipynb")
    fit, save = _cell(nb, "model.fit(x_train_scaled"), _cell(nb, "model.save(path)")
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    with client.setup_kernel():
        for index in code:
            if index < fit:
                client.execute_cell(nb.cells[index], index)
        assert not errors(nb.cells)
        client.execute_cell(nb.cells[save], save)  # skipped ahead: nothing trained
        before = text_of(nb.cells[save])
        timer = _stop_after(client, 8)
        client.execute_cell(nb.cells[fit], fit)  # stopped midway
        timer.cancel()
        stopped = [o.ename for o in nb.cells[fit].outputs if o.output_type == "error"]
        for index in code:  # and the learner goes on, cell after cell
            if index > fit:
                nb.cells[index].outputs = []
                client.execute_cell(nb.cells[index], index)
    after = text_of(nb.cells[save])
    assert "NotTrainedError" in before and "has not been trained yet" in before
    assert stopped == ["KeyboardInterrupt"], "the training cell was not stopped midway"
    assert "NotTrainedError" in after and "stopped before it finished" in after, after
    assert "Nothing was written" in after
    assert not saved.parent.exists() or not any(saved.parent.iterdir()), (
        f"a model was saved after a stopped training: {list(saved.parent.iterdir())}")

    # Notebook 10 (and 11, the same call) then says that there is no trained model,
    # and what to do.
    nb10 = student.build(ROOT / "notebooks" / "10_judging_a_cnn.ipynb")
    client = _kernel(nb10, layout / "learner", monkeypatch, "10-no-model.ipynb")
    load = _cell(nb10, "cnn.load_or_train()")
    untrained = nbformat.v4.new_code_cell(  # what an older notebook 09 could leave
        "_ = cnn.save_model(cnn.build_model(keras), cnn.model_path())")
    nb10.cells.append(untrained)
    said = []
    with client.setup_kernel():
        for index in [i for i in range(load) if nb10.cells[i].cell_type == "code"]:
            client.execute_cell(nb10.cells[index], index)
        for step in ("missing", "untrained"):
            if step == "untrained":
                client.execute_cell(untrained, len(nb10.cells) - 1)
                assert not errors([untrained]) and saved.is_file()
            nb10.cells[load].outputs = []
            timer = _stop_after(client, 12)  # the learner stops the training it began
            client.execute_cell(nb10.cells[load], load)
            timer.cancel()
            said.append(text_of(nb10.cells[load]))
    missing, not_trained = said
    assert "No trained model was found at" in missing
    assert "is not trained" in not_trained and "it is not used" in not_trained
    for text in said:
        assert "notebook 09 saves it when its training has finished" in text
        assert "wait for this cell to finish, or stop it" in text
        assert "run notebook 09 first" in text
        assert "AssertionError" not in text
