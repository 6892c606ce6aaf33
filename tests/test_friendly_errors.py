"""helpers.friendly_errors, the settings that load it, and the command of `make lab`.

The friendly message is checked here in an in-process IPython shell (what it says, what
it leaves alone); tests/test_learner_copies.py checks it in real kernels on learner
copies run out of order and after a restart.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import friendly_errors
from helpers.tools import lab, labsettings

ROOT = Path(__file__).resolve().parents[1]


def notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A lesson"),
        nbformat.v4.new_code_cell(
            "%matplotlib inline\nimport numpy as np\n\nfrom helpers import data"),
        nbformat.v4.new_markdown_cell("## 1. The image\n\nSome words."),
        nbformat.v4.new_code_cell(
            "image = data.binary_image()\n"
            "for row in range(2):\n    total = row\n"
            "def window_sum(x):\n    inside = 1\n    return x\n"
            "with open(__file__) as handle, open(__file__) as (other):\n    pass\n"
            "(left, *rest), = [(1, 2, 3)]\n"),
        nbformat.v4.new_markdown_cell("### 1.1 Later"),
        nbformat.v4.new_code_cell("print(image)\nshape = image.shape"),
        nbformat.v4.new_code_cell("this is not python"),
    ]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, path)
    return path


def test_defined_names_are_the_top_level_names_of_each_cell(tmp_path):
    cells = nbformat.read(notebook(tmp_path), as_version=4).cells
    found = friendly_errors.defined_names(cells)
    assert found["np"] == friendly_errors.Definition(1, "A lesson", "import numpy as np",
                                                     True)
    assert found["data"].setup and found["data"].line == "from helpers import data"
    image = found["image"]
    assert (image.cell, image.section, image.line, image.setup) == (
        3, "1. The image", "image = data.binary_image()", False)
    for name in ("row", "total", "window_sum", "handle", "other", "left", "rest"):
        assert found[name].cell == 3, name
    assert found["shape"].section == "1.1 Later"
    assert "inside" not in found  # a function's local name is not the notebook's
    assert "x" not in found


def test_explain_names_the_variable_the_cell_and_what_to_do():
    where = friendly_errors.Definition(3, "1. The image", "image = data.binary_image()",
                                       False)
    text = friendly_errors.explain("image", where)
    assert text.startswith("`image` is made in an earlier cell")
    assert '"1. The image"' in text and "`image = data.binary_image()`" in text
    assert "Run → Run All Above Selected Cell" in text
    setup = friendly_errors.Definition(1, "", "import numpy as np", True)
    assert "setup cell" in friendly_errors.explain("np", setup)
    later = friendly_errors.explain("image", where, running=2)
    assert "further down" in later and "earlier" not in later


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """An in-process IPython shell that knows its notebook, friendly errors on."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    monkeypatch.chdir(tmp_path)
    ip.user_ns["__session__"] = str(notebook(tmp_path))
    friendly_errors.install()
    yield ip
    friendly_errors.uninstall()
    ip.user_ns.pop("__session__", None)
    ip.user_ns.pop("image", None)


def run(ip, source, capsys):
    result = ip.run_cell(source, store_history=True)
    return result, re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)


def test_a_name_made_in_an_earlier_cell_gets_a_short_friendly_message(shell, capsys):
    result, out = run(shell, "print(image)\nshape = image.shape", capsys)
    assert isinstance(result.error_in_exec, NameError)  # the cell still fails
    assert "⚠ `image` is made in an earlier cell" in out
    assert "Run → Run All Above Selected Cell" in out and "%tb" in out
    assert "Traceback" not in out and "---->" not in out  # no traceback wall
    assert "NameError: name 'image' is not defined" in out  # one line
    result, out = run(shell, "np.zeros(3)", capsys)
    assert "⚠ `np` comes from the setup cell" in out and "import numpy as np" in out


def test_the_full_error_is_one_click_away(shell, monkeypatch):
    shown = []
    monkeypatch.setattr(shell.display_pub, "publish",
                        lambda data, *args, **kwargs: shown.append(data))
    shell.run_cell("print(image)", store_history=True)
    (html,) = [data["text/html"] for data in shown if "text/html" in data]
    assert "<details><summary>Show the full error</summary><pre>" in html
    full = html.split("<details>")[1]
    assert "NameError" in full and "print(image)" in full  # the whole traceback


def test_real_errors_keep_their_traceback(shell, capsys, tmp_path, monkeypatch):
    # A typo: no cell of the notebook makes this name.
    _, out = run(shell, "imgae", capsys)
    assert "⚠" not in out and "Traceback" in out
    # A NameError inside a module (a bug in a helper) keeps its whole traceback.
    (tmp_path / "buggy_helper.py").write_text("def f():\n    return image\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _, out = run(shell, "import buggy_helper\nbuggy_helper.f()", capsys)
    assert "⚠" not in out and "buggy_helper.py" in out and "Traceback" in out
    # UnboundLocalError is a NameError, but never an out-of-order symptom.
    _, out = run(shell, "def g():\n    image += 1\ng()", capsys)
    assert "⚠" not in out and "UnboundLocalError" in out
    # Other exceptions are IPython's business as usual.
    _, out = run(shell, "1 / 0", capsys)
    assert "⚠" not in out and "ZeroDivisionError" in out


def test_a_kernel_that_does_not_know_its_notebook_keeps_the_traceback(shell, capsys):
    shell.user_ns.pop("__session__")
    _, out = run(shell, "print(image)", capsys)
    assert "⚠" not in out and "Traceback" in out


def test_labsettings_make_the_kernel_load_it_and_turn_instructor_tools_off(
        tmp_path, monkeypatch):
    spec = tmp_path / "share" / "jupyter" / "kernels" / labsettings.KERNEL / "kernel.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(json.dumps({"argv": ["python", "-m", "ipykernel_launcher", "-f",
                                         "{connection_file}"]}))
    labconfig = tmp_path / "etc" / "jupyter" / "labconfig" / "page_config.json"
    labconfig.parent.mkdir(parents=True)
    labconfig.write_text(json.dumps({"disabledExtensions": ["some:plugin"]}))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert labsettings.main() == 0
    assert labsettings.main() == 0  # twice: nothing is added twice
    argv = json.loads(spec.read_text())["argv"]
    assert argv.count("--ext=helpers.friendly_errors") == 1
    disabled = json.loads(labconfig.read_text())["disabledExtensions"]
    assert disabled == {"some:plugin": True, "@jupyter/nbgrader:formgrader": True,
                        "@jupyter/nbgrader:course-list": True,
                        "@jupyter/nbgrader:create-assignment": True}
    server = json.loads((tmp_path / "etc" / "jupyter" / "jupyter_server_config.d"
                         / labsettings.LEARNER_SERVER_CONFIG).read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False}
    folder = labsettings.instructor_config(tmp_path / "instructor")
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert not any(page["disabledExtensions"].values())


def test_this_environments_kernel_loads_friendly_errors():
    """`make setup` ran labsettings: the project's kernel explains out-of-order cells
    even before its setup cell has run (or after a restart)."""
    spec = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "cnn-course" / "kernel.json"
    assert "--ext=helpers.friendly_errors" in json.loads(spec.read_text())["argv"], (
        "run `python -m helpers.tools.labsettings` (make setup does)")


def test_make_lab_serves_the_repository_and_opens_the_first_learner_copy():
    made = subprocess.run(["make", "-n", "lab", "STAMP=Makefile", "DEV_STAMP=Makefile"],
                          cwd=ROOT, capture_output=True, text=True)
    lines = [line for line in made.stdout.splitlines() if "helpers.tools.lab " in line
             or line.endswith("helpers.tools.lab")]
    assert lines and "--port=8888" in lines[-1], made.stdout + made.stderr
    argv = lab.command(port=9999)
    assert f"--ServerApp.root_dir={ROOT}" in argv
    assert "--LabApp.default_url=/lab/tree/learner/00_start_here.ipynb" in argv
    assert lab.START == "learner/00_start_here.ipynb" and "--port=9999" in argv
    env = lab.instructor_env({"JUPYTER_CONFIG_PATH": "/elsewhere"})
    first, rest = env["JUPYTER_CONFIG_PATH"].split(":", 1)
    assert Path(first, "labconfig", "page_config.json").is_file() and rest == "/elsewhere"
