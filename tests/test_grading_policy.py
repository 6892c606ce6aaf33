"""The policy alone (`helpers.tools.grading.policy`): every answer key passes its own
rule, honest variants pass, and the ways around a name check are refused, here for the
notebooks whose sandbox holds `helpers` (02, 03, 10), where the policy is the only wall."""

from __future__ import annotations

import pytest

from helpers.tools import student
from helpers.tools.grading import policy, room

NOTEBOOKS = [p.stem for p in student.notebooks()]


@pytest.fixture(scope="module")
def lessons():
    return {name: room.read_notebook(name) for name in NOTEBOOKS}


def refused(notebook, exercise_id: str, text: str) -> list[str]:
    exercise = next(e for e in notebook.exercises if e.id == exercise_id)
    return policy.problems(text, exercise.answer_key, notebook.lesson,
                           policy.own_imports([text]))


def test_every_answer_key_passes_its_own_rule(lessons):
    for notebook in lessons.values():
        for exercise in notebook.exercises:
            assert refused(notebook, exercise.id, exercise.answer_key) == [], exercise.id


def test_only_02_03_and_11_need_helpers_in_the_sandbox(lessons):
    needs = {name for name, nb in lessons.items() if nb.with_helpers}
    assert needs == {"02_filters_and_feature_maps", "03_padding_stride_channels",
                     "11_inside_the_trained_cnn"}


HONEST = [
    ("04_relu", "04_my_relu", "def my_relu(x):\n    return x * (np.asarray(x) > 0)"),
    ("04_relu", "04_my_relu", "import copy\n\ndef my_relu(x):\n"
                              "    y = copy.deepcopy(np.asarray(x, dtype=float))\n"
                              "    y[y < 0] = 0\n    return y"),
    ("03_padding_stride_channels", "03_feature_maps",
     "from helpers import conv2d\n\ndef feature_maps(image, kernels):\n"
     "    return np.stack([conv2d(image, kernels[..., f])\n"
     "                     for f in range(kernels.shape[-1])], axis=-1)"),
    ("03_padding_stride_channels", "03_feature_maps",
     "def feature_maps(image, kernels):\n    import helpers\n"
     "    return np.stack([helpers.conv2d(image, kernels[..., f])\n"
     "                     for f in range(kernels.shape[-1])], axis=-1)"),
    ("01_convolution_by_hand", "01_value_at_1_2",
     "value_at_1_2 = int((image[1:4, 2:5] * kernel).sum())"),
]


@pytest.mark.parametrize("name, exercise, text", HONEST)
def test_honest_variants_pass(lessons, name, exercise, text):
    assert refused(lessons[name], exercise, text) == []


# For 03's feature_maps: the answer key may call conv2d, nothing else of helpers.
BYPASSES = [
    "def feature_maps(image, kernels):\n    return helpers.conv2d_layer(image, kernels)",
    "from helpers.layers import conv2d_layer as feature_maps",
    "import helpers.layers as L\nfeature_maps = L.conv2d_layer",
    "feature_maps = getattr(helpers, 'conv2d_' + 'layer')",
    "feature_maps = vars(helpers)['conv2d_layer']",
    "feature_maps = helpers.__dict__['conv2d_layer']",
    "feature_maps = conv2d.__globals__['conv2d_layer']",
    "feature_maps = __import__('helpers').conv2d_layer",
    "import importlib\nfeature_maps = importlib.import_module('helpers').conv2d_layer",
    "import sys\nfeature_maps = sys.modules['helpers'].conv2d_layer",
    "feature_maps = np.testing.sys.modules['helpers'].conv2d_layer",
    "import operator\nfeature_maps = operator.attrgetter('conv2d_layer')(helpers)",
    "import gc\nfeature_maps = [o for o in gc.get_objects() if 1][0]",
    "feature_maps = plt.inspect.getmodule(conv2d).conv2d_layer",
    "import inspect\nfeature_maps = inspect.getmodule(conv2d).conv2d_layer",
    "feature_maps = eval('helpers.conv2d_layer')",
    "exec('feature_maps = helpers.conv2d_layer')",
    "feature_maps = compile",
    "feature_maps = [f for f in globals().values()][0]",
    "def feature_maps(image, kernels):\n    return checks.check_feature_maps",
    "feature_maps = layer_demo if False else helpers",
    "import pickle\nfeature_maps = pickle.loads(b'')",
    "feature_maps = open('../notebooks/03_padding_stride_channels.ipynb').read()",
    "import nbformat\nfeature_maps = nbformat.read('x', 4)",
    "import json\nfeature_maps = json.load(0)",
    "import os\nos.system('true')",
    "def feature_maps(image, kernels):\n    global image\n    return image",
    "from . import helpers as feature_maps",
    "feature_maps = type(conv2d)(conv2d.__code__, {})",
    "feature_maps = np.load('/work/main/notebooks/key.npy')",
]


@pytest.mark.parametrize("text", BYPASSES)
def test_ways_around_the_reference_are_refused(lessons, text):
    assert refused(lessons["03_padding_stride_channels"], "03_feature_maps", text)


def test_a_room_of_03_where_helpers_is_in_the_sandbox(tmp_path):
    """End to end where the sandbox holds `helpers`: the answer key's own use of
    conv2d earns the points, the reference layer earns nothing."""
    import nbformat

    from helpers.tools import grading

    path = student.NOTEBOOKS / "03_padding_stride_channels.ipynb"
    cheats = {"honest": None,
              "layer": "from helpers.layers import conv2d_layer\n\n"
                       "def feature_maps(image, kernels):\n"
                       "    return conv2d_layer(image, kernels)",
              "import": "def feature_maps(image, kernels):\n    import helpers.layers\n"
                        "    return helpers.layers.conv2d_layer(image, kernels)"}
    for learner, text in cheats.items():
        nb = grading.nbgrader_source(nbformat.read(path, as_version=4), path.name)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if text and meta.get("grade_id") == "03_feature_maps_answer":
                cell.source = text
        (tmp_path / "room" / learner).mkdir(parents=True)
        nbformat.write(nb, tmp_path / "room" / learner / path.name)
    rows = grading.grade(tmp_path / "room", course=tmp_path / "workshop")
    got = {(r["learner"], r["exercise"]): r for r in rows}
    assert got[("honest", "03_feature_maps")]["score"] == 1.0
    for learner in ("layer", "import"):
        row = got[(learner, "03_feature_maps")]
        assert row["score"] == 0.0 and "conv2d_layer" in row["reason"], row
        assert got[(learner, "03_answers")]["score"] == 1.0


def test_solutions_are_parsed_one_at_a_time(monkeypatch):
    """The room grades learners in threads; CPython 3.11's ast.parse is not thread-safe
    (a loaded run raised "AST constructor recursion depth mismatch"), so every parse
    holds the policy's lock."""
    import ast

    from helpers.tools.grading import policy

    held = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse",
                        lambda source: held.append(policy._PARSE_LOCK.locked()) or real(source))
    policy.parse("def f(x):\n    return x")
    assert held == [True]
