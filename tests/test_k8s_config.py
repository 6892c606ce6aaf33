"""The Kubernetes route: Zero to JupyterHub's values file and the learners' Dockerfile.

Nothing here runs Kubernetes, Helm or Docker (none is on these machines). What is tested:
values.yaml is valid YAML and, merged over the chart's defaults as Helm merges them
(maps merged key by key, lists replaced, null removes a key), valid against the chart's
own schema: version 4.4.0's values.yaml and values.schema.yaml from
github.com/jupyterhub/zero-to-jupyterhub-k8s (descriptions stripped as the chart's
tools/generate-json-schema.py does; BSD-3 licence in helpers/tools/hub/k8s/Z2JH-LICENSE),
which is what ``helm install`` checks. The schema refuses a misspelt key, so the check can
fail; and values.yaml and the Dockerfile agree with the project (the lock, the paths
copied, the kernel, the learner-name rule, the memory limit against the measurement).
Not tested: that the image builds, that the chart installs, that pods start.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from helpers.tools.hub import limits, room

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "helpers" / "tools" / "hub" / "k8s"
VALUES = K8S / "values.yaml"
DOCKERFILE = K8S / "Dockerfile"
SCHEMA = K8S / "z2jh-4.4.0.values.schema.json"
DEFAULTS = K8S / "z2jh-4.4.0.values.yaml"
MEASURED = ROOT / "build" / "room-usage" / "room_usage.json"


def helm_merge(defaults, override):
    """`override` over `defaults` as Helm merges a values file over a chart's values."""
    if not isinstance(defaults, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    merged = copy.deepcopy(defaults)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = helm_merge(merged.get(key), value)
    return merged


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES.read_text())


@pytest.fixture(scope="module")
def merged(values):
    return helm_merge(yaml.safe_load(DEFAULTS.read_text()), values)


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(validator, values) -> list[str]:
    return [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(values)]


def test_values_are_valid_for_the_chart(validator, merged):
    assert errors(validator, merged) == []


def test_the_merge_is_helms():
    merged = helm_merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}, "d": None})
    assert merged == {"a": {"b": 1, "c": [3]}}


@pytest.mark.parametrize("path, value", [
    (("singleuser", "memroy"), {"limit": "3G"}),          # a misspelt key
    (("singleuser", "storage", "type"), "ssd"),             # not one of the types
    (("cull", "timeout"), "an hour"),                       # not a number
])
def test_the_schema_refuses_a_wrong_value(validator, merged, path, value):
    wrong = copy.deepcopy(merged)
    node = wrong
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert errors(validator, wrong) != []


def test_learners_get_the_series_as_on_one_machine(values):
    user = values["singleuser"]
    assert user["defaultUrl"] == "/lab/tree/learner/00_start_here.ipynb"
    assert (room.student.NOTEBOOKS / "00_start_here.ipynb").is_file()
    hook = " ".join(user["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "python -m helpers.tools.student /home/jovyan/learner" in hook
    assert "--MappingKernelManager.default_kernel_name=cnn-course" in user["cmd"]
    home = user["storage"]["homeMountPath"]
    assert user["extraEnv"]["CNN_COURSE_MODEL"].startswith(home + "/")
    pattern = values["hub"]["config"]["Authenticator"]["username_pattern"]
    assert pattern == room.NAME.pattern
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"


def test_the_passwords_are_not_in_the_file(values):
    shared = values["hub"]["config"]["SharedPasswordAuthenticator"]
    assert shared["user_password"] is None and shared["admin_password"] is None


def test_the_dockerfile_builds_from_the_projects_pins():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11[-.\w]*$", text, re.M)
    assert "pip install --no-cache-dir -r /opt/cnn-course/requirements-learner.txt" in text
    for source in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), f"the Dockerfile copies {path}, which is missing"
    # The chart's hub (4.4.0) is JupyterHub 5.5.0; the learners' side must be the same.
    assert re.findall(r"jupyterhub==([\d.]+)", text) == ["5.5.0"]
    assert "--name cnn-course" in text


def test_the_memory_limit_holds_what_was_measured(values):
    if not MEASURED.is_file():
        pytest.skip("no measurement here: run `make room-usage` first")
    measured = json.loads(MEASURED.read_text())
    rows = {r["notebook"][:2]: r for r in measured["rows"]}
    if "09" not in rows:
        pytest.skip("notebook 09 was not measured")
    idle = max(r["end_rss"] for n, r in rows.items() if n != "09")
    need = measured["server_rss"] + rows["09"]["peak_rss"] + idle
    limit = limits.parse_bytes(values["singleuser"]["memory"]["limit"])
    assert limit >= need, f"limit {limit / 2**30:.1f} GB < measured {need / 2**30:.1f} GB"
