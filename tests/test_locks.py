"""The two exact dependency locks: the learner's (`make lab`) and the maintainer's.

requirements-learner.txt must hold everything the learner's packages require (closed under
the installed packages' Requires-Dist, markers evaluated for this Python) and no maintainer's
tool; requirements-dev.txt adds the maintainer's tools on top without repeating a learner's
pin. The Makefile's `lab` never reaches the maintainer's lock; the tests, the book, the slides
and grading do. Regenerate both with `python -m helpers.tools.locks`.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers.tools import locks

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][A-Za-z0-9.+!-]*$")
INCLUDE = "-r requirements-learner.txt"
# What a learner never needs: tests, lint, the browser test, grading, the book, hooks.
MAINTAINER_TOOLS = ["nbval", "pytest", "pytest-xdist", "hypothesis", "ruff", "playwright",
                    "nbgrader", "sphinx", "myst-nb", "sphinx-book-theme", "pre-commit",
                    "colorspacious"]
# The commands of the maintainer's side: each must install the maintainer's lock.
MAINTAINER_TARGETS = ["test", "test-fast", "lint", "unit", "notebooks", "book", "slides",
                      "grade", "bench", "execute", "precommit"]


def entries(path: Path) -> list[str]:
    """The lines pip reads: no blank line, no comment."""
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def missing_from(pins: dict[str, str]) -> set[str]:
    """What the packages of `pins` require (as installed here) that `pins` does not hold."""
    return set(locks.closure(pins)) - set(pins)


def test_every_line_is_an_exact_pin():
    learner = entries(locks.LEARNER_LOCK)
    assert learner, "the learner's lock pins nothing"
    assert [line for line in learner if not PIN.match(line)] == []
    dev = entries(locks.DEV_LOCK)
    assert dev[0] == INCLUDE, "the maintainer's lock starts from the learner's"
    assert [line for line in dev[1:] if not PIN.match(line)] == []


def test_no_package_is_pinned_twice():
    learner, dev = locks.read_lock(locks.LEARNER_LOCK), locks.read_lock(locks.DEV_LOCK)
    assert len(learner) == len(entries(locks.LEARNER_LOCK))
    assert len(dev) == len(entries(locks.DEV_LOCK)) - 1
    assert set(learner) & set(dev) == set()


def test_the_learner_lock_holds_no_maintainer_tool():
    learner, dev = locks.read_lock(locks.LEARNER_LOCK), locks.read_lock(locks.DEV_LOCK)
    assert [tool for tool in MAINTAINER_TOOLS if tool in learner] == []
    assert [tool for tool in MAINTAINER_TOOLS if tool not in dev] == []


def test_this_environment_is_the_locked_one():
    # The closure below reads the installed packages' metadata: they must be the pinned ones.
    pins = {**locks.read_lock(locks.LEARNER_LOCK), **locks.read_lock(locks.DEV_LOCK)}
    installed = {name: metadata.version(name) for name in pins}
    wrong = {n: (v, installed[n]) for n, v in pins.items() if installed[n] != v}
    assert wrong == {}, f"(pinned, installed): rebuild .venv with `make test` ({wrong})"


def test_the_learner_lock_is_closed_under_requires_dist():
    learner = locks.read_lock(locks.LEARNER_LOCK)
    assert missing_from(learner) == set(), "regenerate: python -m helpers.tools.locks"
    roots = {canonicalize_name(name) for name in locks.LEARNER}
    assert roots <= set(learner)


def test_both_locks_together_are_closed():
    pins = {**locks.read_lock(locks.LEARNER_LOCK), **locks.read_lock(locks.DEV_LOCK)}
    assert missing_from(pins) == set()


@pytest.mark.parametrize(
    "dropped",
    [
        "jsonschema-specifications",  # jsonschema requires it
        # only through an extra: jupyter-events requires jsonschema[format-nongpl]
        "rfc3339-validator",
        "astunparse",  # tensorflow requires it
    ],
)
def test_the_closure_check_finds_a_dropped_dependency(dropped):
    learner = locks.read_lock(locks.LEARNER_LOCK)
    del learner[dropped]
    assert dropped in missing_from(learner)


def test_the_learner_lock_satisfies_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needs = project["dependencies"] + project["optional-dependencies"]["keras"]
    learner = locks.read_lock(locks.LEARNER_LOCK)
    requirements = [Requirement(text) for text in needs]
    assert "threadpoolctl" in {r.name for r in requirements}
    unmet = [str(r) for r in requirements
             if not r.specifier.contains(learner.get(canonicalize_name(r.name), "none"))]
    assert unmet == []


def test_environment_yml_follows_the_learner_lock():
    text = (ROOT / "environment.yml").read_text()
    pins = {}
    for line in text.splitlines():
        match = re.match(r"^\s*-\s*([A-Za-z0-9_.\-]+)==(\S+)", line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    learner = locks.read_lock(locks.LEARNER_LOCK)
    assert {canonicalize_name(name) for name in locks.LEARNER} <= set(pins)
    disagree = {n: (v, learner.get(n)) for n, v in pins.items() if learner.get(n) != v}
    assert disagree == {}, f"environment.yml vs requirements-learner.txt: {disagree}"
    assert "requirements-dev.txt" in text  # says where the maintainer's pins are


# ---- the Makefile


def makefile() -> tuple[dict[str, list[str]], dict[str, str]]:
    """({target: prerequisites}, {target: recipe}) of the Makefile, variables expanded."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    variables = dict(re.findall(r"^(?:export )?(\w+)\s*[:?]?=\s*(.*)$", text, re.M))

    def expand(value: str) -> str:
        while (found := re.search(r"\$\((\w+)\)", value)) and found[1] in variables:
            value = value.replace(found[0], variables[found[1]].strip())
        return value

    prerequisites, recipes, current = {}, {}, []
    for line in text.splitlines():
        if line.startswith("\t"):
            for target in current:
                recipes[target] = recipes.get(target, "") + line + "\n"
        elif (rule := re.match(r"^([^#=\s][^=]*?):(?!=)(.*)$", line)) is not None:
            current = expand(rule[1]).split()
            for target in current:
                prerequisites[target] = expand(rule[2]).split()
                recipes.setdefault(target, "")
        elif line and not line.startswith("#"):
            current = []
    return prerequisites, {target: expand(recipe) for target, recipe in recipes.items()}


def reached(target: str, prerequisites: dict[str, list[str]]) -> set[str]:
    """Every file and target `target` depends on, directly or not."""
    seen, todo = set(), [target]
    while todo:
        for name in prerequisites.get(todo.pop(), []):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def test_lab_installs_only_the_learner_lock():
    prerequisites, recipes = makefile()
    needed = reached("lab", prerequisites)
    assert "requirements-learner.txt" in needed
    assert "requirements-dev.txt" not in needed
    assert ".venv/.installed-dev" not in needed
    for target in needed | {"lab"}:
        assert "requirements-dev.txt" not in recipes.get(target, ""), target


@pytest.mark.parametrize("target", MAINTAINER_TARGETS)
def test_the_maintainer_commands_install_the_dev_lock(target):
    prerequisites, recipes = makefile()
    needed = reached(target, prerequisites)
    assert "requirements-dev.txt" in needed
    installs = [name for name in needed if "-r requirements-dev.txt" in recipes.get(name, "")]
    assert installs, f"no prerequisite of {target} installs requirements-dev.txt"


def test_the_wheelhouse_is_the_learner_lock():
    recipe = makefile()[1]["wheelhouse"]
    assert "-r requirements-learner.txt" in recipe and "requirements-dev" not in recipe


def test_ci_checks_the_learner_environment_before_adding_the_dev_lock():
    script = (ROOT / ".ci" / "run").read_text()
    learner = script.index("make setup learner")
    assert learner < script.index("import helpers, tensorflow, ipywidgets")
    assert learner < script.index("jupyter lab --version")
    assert script.index("jupyter lab --version") < script.index("make mathjax")
    assert script.index("make mathjax") < script.index("make test")


def test_no_file_names_the_old_single_lock():
    paths = ["Makefile", "README.md", "notebooks/INSTRUCTOR_GUIDE.md", "pyproject.toml",
             "environment.yml", ".ci/run", ".github/workflows/ci.yml",
             "helpers/environment.py"]
    old = re.compile(r"(?<![\w-])requirements\.txt")
    assert [p for p in paths if old.search((ROOT / p).read_text())] == []
