"""The CI workflow file for the public repository's host: valid YAML, and it runs .ci/run.

It cannot run here; this test holds it to the conventions (push and pull request, path
filters that skip doc-only changes, concurrency that cancels superseded runs, a pip cache,
Python 3.11, a time limit) and to `.ci/run` being the one place that says what CI does.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def load():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def steps():
    return [step for job in load()["jobs"].values() for step in job["steps"]]


def test_the_workflow_is_valid_yaml_with_jobs():
    workflow = load()
    assert workflow["name"]
    assert workflow["jobs"]
    for name, job in workflow["jobs"].items():
        assert job.get("runs-on"), name
        assert 0 < job["timeout-minutes"] <= 90, name  # CI's own limit is 90 minutes
        assert job["steps"], name


def test_it_runs_on_push_and_pull_request_but_not_for_doc_only_changes():
    triggers = load()["on"]
    assert {"push", "pull_request"} <= set(triggers)
    for event in ("push", "pull_request"):
        ignored = triggers[event]["paths-ignore"]
        assert "**/*.md" in ignored, event
        assert not any(p.startswith(("notebooks/**", "helpers", "tests")) for p in ignored)


def test_a_new_push_cancels_the_superseded_run():
    concurrency = load()["concurrency"]
    assert concurrency["cancel-in-progress"] is True
    assert "github.ref" in concurrency["group"]


def test_python_311_and_a_pip_cache():
    workflow = load()
    job = next(iter(workflow["jobs"].values()))
    text = WORKFLOW.read_text()
    assert "3.11" in str(job.get("container", "")) or any(
        step.get("with", {}).get("python-version") == "3.11" for step in steps()
    )
    cached = [s for s in steps() if str(s.get("uses", "")).startswith("actions/cache")
              or s.get("with", {}).get("cache") == "pip"]
    assert cached, "no pip cache"
    assert "~/.cache/pip" in text or any(s.get("with", {}).get("cache") == "pip"
                                          for s in cached)


def test_ci_run_is_the_one_place_that_says_what_ci_does():
    commands = [step["run"] for step in steps() if "run" in step]
    assert [c for c in commands if re.search(r"(^|\s)bash \.ci/run\b", c)], commands
    for command in commands:  # no step runs the tests itself
        assert not re.search(r"\b(pytest|make test|ruff)\b", command), command
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script
