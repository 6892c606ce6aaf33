"""Rooms of notebook 04 with honest learners and attacking submissions (shared by
``test_grading_attacks_code.py`` and ``test_grading_attacks_files.py``, two rooms so that
two workers share them).

Every attack must earn only what its honest part earns (`expected`), no honest score may
change, nothing outside the attacker's scratch may change (the repository and the
workshop folder are hashed before and after), and the room must finish in its limits.
The attacks come in the families of issue 16: shadowing and patching, unlocked-cell
edits, the reference and the answer key, writes and deletes outside the learner's
folder, killing the grader or the process, hangs, huge outputs, malformed and oddly
named files. `tests/test_grading_sandbox.py` attacks the sandbox without the policy.
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import nbformat
from grading_room import (
    BLANK,
    COMBINED,
    NAME,
    RELU,
    RIGHT,
    WRONG,
    submission,
    totals,
    tree_hash,
    write,
)

from helpers.tools import grading
from helpers.tools.grading import room as room_module

ROOT = grading.ROOT
CANARY = "PWNED-by-a-learner-16"
HONEST = {  # learner: (answers, points)
    "ada": ({**RIGHT}, 2.0),
    "bob": ({**WRONG}, 0.0),
    "cy": ({RELU: RIGHT[RELU], COMBINED: BLANK[COMBINED]}, 1.0),
    "dee": ({**BLANK}, 0.0),
    "eve": ({RELU: WRONG[RELU], COMBINED: RIGHT[COMBINED]}, 1.0),
}
TARGETS = ["helpers/checks/relu.py", "helpers/layers/activations.py", "notebooks/04_relu.ipynb",
           "README.md"]


def relu(line: str, right: bool = True) -> str:
    """The relu cell: the (right or wrong) answer, then `line` at the top level."""
    return f"{(RIGHT if right else WRONG)[RELU]}\n{line}"


def in_relu(body: str) -> str:
    return f"def my_relu(x):\n    {body}"


def setup_edit(line: str):
    def edit(nb):
        setup = next(c for c in nb.cells if c.cell_type == "code")
        setup.source += f"\n{line}"
    return edit


def check_edit(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = "pass"
            cell.metadata["nbgrader"]["points"] = 100


def added_cell(nb):
    nb.cells.append(nbformat.v4.new_code_cell(
        "check_relu = check_combined_kernel = lambda f: True"))


def no_metadata(nb):
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        cell["id"] = f"x{abs(hash(cell.source)) % 10**8}"


def paths(room: Path, course: Path):
    return {"repo": ROOT, "room": room, "course": course}


# (name, family, answers, edit, expected points). Paths use {repo}, {room}, {course}.
ATTACKS = [
    ("shadow-check", "shadowing", {RELU: relu("check_relu = lambda f: True", False),
                                   COMBINED: WRONG[COMBINED]}, None, 0),
    ("patch-compare", "shadowing", {RELU: relu(
        "import helpers.checks.core as core\ncore.compare = lambda *a, **k: None", False),
        COMBINED: WRONG[COMBINED]}, None, 0),
    ("patch-builtins", "shadowing", {RELU: relu("import builtins\nbuiltins.bool = "
                                                "lambda *a: True", False),
                                     COMBINED: RIGHT[COMBINED]}, None, 1),
    ("patch-numpy", "shadowing", {RELU: relu("np.allclose = lambda *a, **k: True\n"
                                             "np.array_equal = lambda *a, **k: True",
                                             False),
                                  COMBINED: WRONG[COMBINED]}, None, 0),
    ("always-equal", "shadowing", {RELU: "class Yes(float):\n    def __eq__(self, o):\n"
                                   "        return True\n\n" + in_relu("return Yes(0)"),
                                   COMBINED: RIGHT[COMBINED]}, None, 1),
    ("array-subclass", "shadowing", {RELU: "class A(np.ndarray):\n    pass\n\n"
                                     + in_relu("return np.zeros(3).view(A)"),
                                     COMBINED: RIGHT[COMBINED]}, None, 1),
    ("generator", "shadowing", {RELU: in_relu("return (v for v in [0])"),
                                COMBINED: RIGHT[COMBINED]}, None, 1),
    ("setup-cell", "unlocked cells", {**WRONG},
     setup_edit("check_relu = check_combined_kernel = lambda f: True"), 0),
    ("added-cell", "unlocked cells", {**WRONG}, added_cell, 0),
    ("check-cell", "unlocked cells", {RELU: WRONG[RELU], COMBINED: RIGHT[COMBINED]},
     check_edit, 1),
    ("no-metadata", "unlocked cells", {RELU: RIGHT[RELU], COMBINED: WRONG[COMBINED]},
     no_metadata, 1),
    ("import-reference", "reference", {RELU: "from helpers import relu as my_relu",
                                       COMBINED: RIGHT[COMBINED]}, None, 1),
    ("alias-reference", "reference", {RELU: "import helpers\nmy_relu = helpers.relu",
                                      COMBINED: WRONG[COMBINED]}, None, 0),
    ("call-reference", "reference", {RELU: in_relu("return helpers.relu(x)"),
                                     COMBINED: RIGHT[COMBINED]}, None, 1),
    ("getattr-reference", "reference", {RELU: in_relu(
        "return getattr(helpers, 're' + 'lu')(x)"), COMBINED: RIGHT[COMBINED]}, None, 1),
    ("dunder-import", "reference", {RELU: "my_relu = __import__('helpers').relu",
                                    COMBINED: RIGHT[COMBINED]}, None, 1),
    ("importlib", "reference", {RELU: in_relu(
        "import importlib\n    return importlib.import_module('helpers.layers').relu(x)"),
        COMBINED: RIGHT[COMBINED]}, None, 1),
    ("vars-reference", "reference", {RELU: in_relu("return vars(helpers)['relu'](x)"),
                                     COMBINED: RIGHT[COMBINED]}, None, 1),
    ("numpy-sys", "reference", {RELU: in_relu(
        "return np.testing.sys.modules['helpers'].relu(x)"),
        COMBINED: RIGHT[COMBINED]}, None, 1),
    ("conv-reference", "reference", {RELU: RIGHT[RELU], COMBINED: (
        "def combined_kernel(k1, k2):\n    kh, kw = k2.shape\n"
        "    big = np.pad(k1, ((kh - 1, kh - 1), (kw - 1, kw - 1)))\n"
        "    return helpers.conv2d(big, k2[::-1, ::-1])")}, None, 1),
    ("cross-cell-alias", "reference", {RELU: relu("import helpers as h", False),
                                       COMBINED: (
        "def combined_kernel(k1, k2):\n    kh, kw = k2.shape\n"
        "    big = np.pad(k1, ((kh - 1, kh - 1), (kw - 1, kw - 1)))\n"
        "    return h.conv2d(big, k2[::-1, ::-1])")}, None, 0),
    ("answer-key-nbformat", "answer key", {RELU: (
        "import nbformat\nkey = nbformat.read('{repo}/notebooks/04_relu.ipynb', 4)\n"
        "exec([c.source for c in key.cells if 'def my_relu' in c.source][0])"),
        COMBINED: RIGHT[COMBINED]}, None, 1),
    ("answer-key-open", "answer key", {RELU: "exec(open('../notebooks/04_relu.ipynb')"
                                             ".read())",
                                       COMBINED: WRONG[COMBINED]}, None, 0),
    ("answer-key-numpy", "answer key", {RELU: relu(
        "key = np.loadtxt('{repo}/notebooks/04_relu.ipynb', dtype=str)", False),
        COMBINED: RIGHT[COMBINED]}, None, 1),
    ("write-check", "writes", {RELU: relu(
        "np.savetxt('{repo}/helpers/checks/relu.py', [0], header='" + CANARY + "')"),
        COMBINED: RIGHT[COMBINED]}, None, 2),
    ("write-notebook", "writes", {RELU: relu(
        "np.arange(3).tofile('{repo}/helpers/layers/activations.py')"),
        COMBINED: WRONG[COMBINED]}, None, 1),
    ("write-other-learner", "writes", {RELU: relu(
        "np.savetxt('{room}/ada/extra.txt', [0], header='" + CANARY + "')"),
        COMBINED: RIGHT[COMBINED]}, None, 2),
    ("write-gradebook", "writes", {RELU: relu(
        "np.save('{course}/gradebook.db', np.zeros(3))"),
        COMBINED: WRONG[COMBINED]}, None, 1),
    ("delete-submissions", "deletes", {RELU: relu(
        "import shutil\nshutil.rmtree('{room}')"), COMBINED: RIGHT[COMBINED]}, None, 1),
    ("delete-repo-file", "deletes", {RELU: RIGHT[RELU], COMBINED: (
        "import os\nos.remove('{repo}/helpers/checks/relu.py')\n"
        + RIGHT[COMBINED])}, None, 1),
    ("kill-grader", "killing", {RELU: relu("import os, signal\n"
                                           "os.kill(os.getppid(), signal.SIGKILL)"),
                                COMBINED: RIGHT[COMBINED]}, None, 1),
    ("exit-top-level", "killing", {RELU: relu("raise SystemExit(0)", False),
                                   COMBINED: RIGHT[COMBINED]}, None, 1),
    ("exit-in-call", "killing", {RELU: in_relu("raise SystemExit(0)"),
                                 COMBINED: RIGHT[COMBINED]}, None, 1),
    ("os-exit", "killing", {RELU: RIGHT[RELU], COMBINED: "import os\nos._exit(0)"},
     None, 1),
    ("recursion", "killing", {RELU: in_relu("return my_relu(x)"),
                              COMBINED: RIGHT[COMBINED]}, None, 1),
    ("memory-bomb", "killing", {RELU: in_relu("return np.ones((30000, 30000)) @ x"),
                                COMBINED: RIGHT[COMBINED]}, None, 1),
    ("hang-top-level", "hangs", {RELU: relu("while True:\n    pass", False),
                                 COMBINED: RIGHT[COMBINED]}, None, 1),
    ("hang-in-call", "hangs", {RELU: in_relu("while True:\n        pass"),
                               COMBINED: RIGHT[COMBINED]}, None, 1),
    ("sleep", "hangs", {RELU: relu("import time\ntime.sleep(10**6)"),
                        COMBINED: RIGHT[COMBINED]}, None, 2),
    ("print-flood", "huge outputs", {RELU: relu("print('x' * 10**8)"),
                                     COMBINED: RIGHT[COMBINED]}, None, 2),
    ("deep-nesting", "malformed code", {RELU: "x = " + "-" * 200000 + "1",
                                        COMBINED: RIGHT[COMBINED]}, None, 1),
    ("nul-byte", "malformed code", {RELU: RIGHT[RELU] + "\x00",
                                    COMBINED: RIGHT[COMBINED]}, None, 1),
    ("huge-return", "huge outputs", {RELU: in_relu("return np.zeros(2 * 10**8)"),
                                     COMBINED: RIGHT[COMBINED]}, None, 1),
]
MALFORMED = [  # (learner, file name, bytes or None (a notebook), expected, reason words)
    ("bad-json", f"{NAME}.ipynb", b"{not json", 0, "malformed"),
    ("empty-file", f"{NAME}.ipynb", b"", 0, "empty"),
    ("no-cells", f"{NAME}.ipynb", b'{"nbformat": 4, "nbformat_minor": 5, '
     b'"metadata": {}, "cells": []}', 0, "without cells"),
    ("deep-json", f"{NAME}.ipynb", b"[" * 100000 + b"]" * 100000, 0, "malformed"),
    ("cells-not-list", f"{NAME}.ipynb", b'{"nbformat": 4, "nbformat_minor": 5, '
     b'"metadata": {}, "cells": 7}', 0, "malformed"),
]
LIMIT = 60.0  # seconds per learner in this room


def nbformat3(answers) -> bytes:
    """A v3 notebook (worksheets) holding the right answers, no nbgrader metadata."""
    cells = [{"cell_type": "code", "input": "import numpy as np", "outputs": [],
              "language": "python", "metadata": {}}]
    cells += [{"cell_type": "code", "input": text, "outputs": [], "language": "python",
               "metadata": {}} for text in answers.values()]
    return json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
                       "worksheets": [{"cells": cells, "metadata": {}}]}).encode()


CODE = {"shadowing", "unlocked cells", "reference", "answer key"}


def graded_room(tmp_path_factory, families: set[str], odd_files: bool):
    """Grade the honest learners, the attacks of `families` and, if `odd_files`, the
    malformed and oddly named files; return what the tests below read."""
    base = tmp_path_factory.mktemp("attacks")
    room, course = base / "submissions", base / "workshop"
    (course / "source").mkdir(parents=True)
    (course / "gradebook.db").write_bytes(b"the instructor's gradebook")
    (course / "source" / "notes.txt").write_text("the instructor's files")
    expected = {}
    for learner, (answers, points) in HONEST.items():
        write(room, learner, submission(answers))
        expected[learner] = points
    where = {k: str(v) for k, v in paths(room, course).items()}
    for name, family, answers, edit, points in ATTACKS:
        if family not in families:
            continue
        answers = {k: v.format(**where) for k, v in answers.items()}
        write(room, name, submission(answers, edit))
        expected[name] = float(points)
    if odd_files:
        add_odd_files(room, expected)
    return grade_and_hash(room, course, expected)


def add_odd_files(room: Path, expected: dict) -> None:
    for learner, file_name, data, points, _ in MALFORMED:
        (room / learner).mkdir()
        (room / learner / file_name).write_bytes(data)
        expected[learner] = float(points)
    # oddly named files and folders
    write(room, "download-copy", submission(RIGHT), f"{NAME} (1).ipynb")
    expected["download-copy"] = 2.0
    write(room, "=HYPERLINK(1)", submission({RELU: in_relu("raise ValueError('=1+1')"),
                                             COMBINED: RIGHT[COMBINED]}))
    expected["=HYPERLINK(1)"] = 1.0  # a formula in a spreadsheet
    old = write(room, "two-copies", submission(WRONG))
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    write(room, "two-copies", submission(RIGHT), f"{NAME} (1).ipynb")
    expected["two-copies"] = 2.0
    (room / "v3").mkdir()
    (room / "v3" / f"{NAME}.ipynb").write_bytes(nbformat3(RIGHT))
    expected["v3"] = 2.0
    write(room, "big-outputs", submission(RIGHT, lambda nb: nb.cells[1].outputs.append(
        nbformat.v4.new_output("stream", text="y" * 15 * 2**20))))
    expected["big-outputs"] = 2.0
    (room / "link-learner").mkdir()
    (room / "link-learner" / f"{NAME}.ipynb").symlink_to(
        ROOT / "notebooks" / f"{NAME}.ipynb")
    (room / "link-folder").symlink_to(ROOT / "notebooks")
    (room / "empty-folder").mkdir()
    (room / "loose.ipynb").write_text("{}")
    (room / "nested" / f"{NAME}").mkdir(parents=True)  # nbgrader's own layout
    nbformat.write(submission(RIGHT), room / "nested" / NAME / f"{NAME}.ipynb")
    expected["nested"] = 2.0


def grade_and_hash(room: Path, course: Path, expected: dict) -> dict:
    written = {"grades.csv", "skipped.csv", "grades.png", "grading"}
    before = {"room": tree_hash(room), "course": tree_hash(course, skip=written),
              "repo": tree_hash(ROOT, skip={"workshop", "learner", "slides", "models"}),
              "targets": {t: (ROOT / t).read_bytes() for t in TARGETS}}
    room_module.CELL_SECONDS = 5.0
    start = time.monotonic()
    rows = grading.grade(room, course=course, seconds=LIMIT)
    seconds = time.monotonic() - start
    after = {"room": tree_hash(room), "course": tree_hash(course, skip=written),
             "repo": tree_hash(ROOT, skip={"workshop", "learner", "slides", "models"}),
             "targets": {t: (ROOT / t).read_bytes() for t in TARGETS}}
    return {"rows": rows, "expected": expected, "before": before, "after": after,
            "seconds": seconds, "course": course, "room": room}


def check_at_least_30_attacks_in_every_family():
    families = {family for _, family, *_ in ATTACKS}
    assert len(ATTACKS) + len(MALFORMED) + 6 >= 30
    assert {"shadowing", "unlocked cells", "reference", "answer key", "writes",
            "deletes", "killing", "hangs", "huge outputs"} <= families


def check_scores(graded):
    got = totals(graded["rows"])
    unearned = {k: got.get(k) for k, v in graded["expected"].items() if got.get(k) != v}
    report = {r["learner"]: r["reason"] for r in graded["rows"] if r["learner"] in unearned}
    assert not unearned, f"scores differ from the honest part: {unearned}\n{report}"
    for learner, (_, points) in HONEST.items():
        assert got[learner] == points


def check_reasons_code(graded):
    reasons = {(r["learner"], r["exercise"]): r["reason"] for r in graded["rows"]}
    assert "reference" in reasons[("import-reference", RELU)]
    assert "reference" in reasons[("call-reference", RELU)]
    assert "getattr" in reasons[("getattr-reference", RELU)]
    assert "notebook" in reasons[("answer-key-open", RELU)] \
        or "open" in reasons[("answer-key-open", RELU)]
    check_every_zero_says_why(graded)


def check_reasons_files(graded):
    reasons = {(r["learner"], r["exercise"]): r["reason"] for r in graded["rows"]}
    assert "took too long" in reasons[("hang-in-call", RELU)]
    for learner, _, _, _, words in MALFORMED:
        assert words in reasons[(learner, RELU)], reasons[(learner, RELU)]
    check_every_zero_says_why(graded)
    with (graded["course"] / "grades.csv").open() as f:
        cells = [value for row in csv.reader(f) for value in row]
    assert "'=HYPERLINK(1)" in cells
    assert not [c for c in cells if c[:1] in "=+-@" and c], "a formula in grades.csv"


def check_every_zero_says_why(graded):
    for row in graded["rows"]:
        if row["score"] < row["max_score"]:
            assert row["reason"], row


def check_no_damage(graded):
    before, after = graded["before"], graded["after"]
    assert after["room"] == before["room"]
    assert after["course"] == before["course"]
    assert after["targets"] == before["targets"]
    changed = {p for p in set(before["repo"]) | set(after["repo"])
               if before["repo"].get(p) != after["repo"].get(p)}
    # other work in the repository may change files meanwhile; never with the canary,
    # and no file of the sources (what the graders and the lessons run) disappears
    for path in changed:
        full = ROOT / path
        assert not full.exists() or CANARY.encode() not in full.read_bytes(), path
    gone = [path for path in before["repo"] if path not in after["repo"]
            and path.startswith(("helpers/", "notebooks/", "tests/", "images/"))]
    assert not gone, f"deleted from the repository: {gone}"


def check_skipped(graded):
    with (graded["course"] / "skipped.csv").open() as f:
        skipped = {row["path"]: row["reason"] for row in csv.DictReader(f)}
    assert "link" in skipped[f"link-learner/{NAME}.ipynb"]
    assert "link" in skipped["link-folder"]
    assert "no notebook" in skipped["empty-folder"]
    assert "learner's folder" in skipped["loose.ipynb"]
    assert "another copy" in skipped[f"two-copies/{NAME}.ipynb"]
    learners = {r["learner"] for r in graded["rows"]}
    assert not {"link-learner", "link-folder", "empty-folder"} & learners


def check_finished(graded):
    learners = {r["learner"] for r in graded["rows"]}
    assert learners == set(graded["expected"])
    assert all(r["seconds"] <= LIMIT + 5 for r in graded["rows"])
    assert graded["seconds"] < 600
    leftovers = [p for p in os.listdir("/proc") if p.isdigit()
                 and "answers.py" in _cmdline(p)
                 and _cwd(p).startswith(str(graded["course"]))]
    assert not leftovers
    print(f"room of {len(learners)} graded in {graded['seconds']:.0f} s")


def _cwd(pid: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
