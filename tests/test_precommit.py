"""pre-commit: the configuration parses, every hook is local, and every hook's entry runs.

Each hook is run through its own configured command (entry + args), on files made here that
it must pass and files it must fail, so a hook that cannot fail or cannot start is caught.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".pre-commit-config.yaml"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def hooks():
    config = yaml.safe_load(CONFIG.read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def run_hook(hook_id, *files, timeout=300):
    hook = hooks()[hook_id]
    command = shlex.split(hook["entry"]) + list(hook.get("args", [])) + [str(f) for f in files]
    return subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def test_config_parses_and_every_hook_is_local():
    config = yaml.safe_load(CONFIG.read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    found = hooks()
    assert {"ruff", "notebook-hygiene", "generated-up-to-date", "links"} <= set(found)
    for hook_id, hook in found.items():
        assert hook["language"] in {"system", "python"}, hook_id
        assert hook["name"] and hook["entry"], hook_id
        text = json.dumps(hook)
        assert "nbstripout" not in text and "clear-output" not in text, (
            f"{hook_id}: outputs stay committed (nbval compares them)"
        )


def test_pre_commit_validates_the_config():
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_entry_exists():
    for hook_id, hook in hooks().items():
        program = shlex.split(hook["entry"])[0]
        assert shutil.which(program), f"{hook_id}: {program} not found"
        args = hook.get("args", [])
        if "-m" in args:
            module = args[args.index("-m") + 1]
            result = subprocess.run(
                [sys.executable, "-c", f"import importlib.util as u; "
                 f"assert u.find_spec({module!r})"],
                capture_output=True,
            )
            assert result.returncode == 0, f"{hook_id}: no module {module}"


def test_pre_commit_runs_a_hook_end_to_end():
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "ruff", "--files",
         "helpers/tools/links.py", "helpers/tools/hygiene.py"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0 and "Passed" in result.stdout, result.stdout + result.stderr


def test_ruff_hook_passes_clean_code_and_fails_an_unused_import(tmp_path):
    good = tmp_path / "good.py"
    good.write_text("import math\n\nprint(math.pi)\n")
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    assert run_hook("ruff", good).returncode == 0
    result = run_hook("ruff", bad)
    assert result.returncode == 1 and "F401" in result.stdout, result.stdout


def make_notebook(path, outputs, counts=(1, 2), kernel="cnn-course"):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": kernel, "display_name": "k", "language": "python"}
    for count in counts:
        cell = nbformat.v4.new_code_cell("print(1)", execution_count=count)
        nb.cells.append(cell)
    nb.cells[-1].outputs = [nbformat.v4.new_output(**o) for o in outputs]
    nbformat.write(nb, path)
    return path


def test_hygiene_hook_passes_a_clean_notebook_and_names_each_problem(tmp_path):
    good = make_notebook(tmp_path / "01_good.ipynb",
                         [{"output_type": "stream", "name": "stdout", "text": "1\n"}])
    result = run_hook("notebook-hygiene", good)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = make_notebook(
        tmp_path / "02_bad.ipynb",
        [{"output_type": "stream", "name": "stderr", "text": "warning\n"},
         {"output_type": "execute_result", "execution_count": 1,
          "data": {"text/plain": "<Line2D at 0x7f3a2b1c9d90>"}}],
        counts=(2, 1),
        kernel="python3",
    )
    result = run_hook("notebook-hygiene", bad)
    assert result.returncode == 1
    for expected in ("kernel 'python3'", "execution counts [2, 1]", "stderr",
                     "memory address"):
        assert expected in result.stdout, (expected, result.stdout)
    # A file that is not a numbered notebook is not the hook's business.
    other = tmp_path / "notes.ipynb"
    shutil.copy(bad, other)
    assert run_hook("notebook-hygiene", other).returncode == 0


def test_hygiene_agrees_with_the_hygiene_test_on_absolute_paths(tmp_path):
    from helpers.tools import hygiene

    leaky = make_notebook(tmp_path / "03_leaky.ipynb", [
        {"output_type": "stream", "name": "stdout", "text": "saved to /home/ada/x.png\n"}])
    assert any("absolute path" in p for p in hygiene.notebook_problems(leaky))


def test_links_hook_checks_the_files_it_is_given(tmp_path):
    (tmp_path / "a.md").write_text("[b](b.md)\n")
    (tmp_path / "b.md").write_text("# B\n")
    assert run_hook("links", tmp_path / "a.md").returncode == 0
    (tmp_path / "c.md").write_text("[gone](gone.md)\n")
    result = run_hook("links", tmp_path / "c.md")
    assert result.returncode == 1 and "broken link gone.md" in result.stdout


@pytest.mark.parametrize("hook_id", ["links", "generated-up-to-date"])
def test_repository_wide_hooks_run(hook_id):
    """They start and report (their verdict on the repository is the hygiene tests')."""
    result = run_hook(hook_id)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0 or result.stdout.strip(), "failed without saying why"


def test_hygiene_counts_a_cell_ignored_only_as_nbval_does():
    """nbval ignores a cell's output for the tag or a comment that is exactly the marker;
    a marker followed by more words is compared, so hygiene must not trust it."""
    import nbformat

    from helpers.tools import hygiene

    def cell(source, tags=()):
        return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})

    assert hygiene.is_ignored(cell("# NBVAL_IGNORE_OUTPUT\nprint(1)"))
    assert hygiene.is_ignored(cell("print(1)", tags=["nbval-ignore-output"]))
    assert not hygiene.is_ignored(cell("# NBVAL_IGNORE_OUTPUT (timings)\nprint(1)"))
    assert not hygiene.is_ignored(cell('print("NBVAL_IGNORE_OUTPUT")'))
