"""One source for every time the series states (helpers.tools.contents).

The learner time of each notebook and path is computed from the notebooks and from the
measured execution seconds (helpers/tools/execution_seconds.json); notebook 00, the
README, the instructor guide and the slides of 00 show those numbers and no other. These
tests fail when a notebook has no measured run, when any copy is stale, when a time is
written by hand outside the generated text, or when the half-day path outgrows a half
day.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.tools import contents, slides

ROOT = Path(__file__).resolve().parents[1]
GENERATED = [
    (contents.MARKER, contents.END),
    (contents.TIMES, contents.TIMES_END),
    (contents.PATHS_MARK, contents.PATHS_END),
]
# How a learner or run time is written in this project: "4 h 20", "| 35 min |",
# "about 3 minutes", "a minute and a half", "a few minutes".
STATED_TIME = re.compile(
    r"\b\d+ h \d\d\b|\|\s*\d+ min\s*\||\b(about|around|roughly) (a|an|one|two|three|four|"
    r"five|\d+)( and a half)? (minutes?|hours?|min)\b|minute and a half|a few minutes",
    re.I,
)


def outside_generated(text: str) -> str:
    for start, end in GENERATED:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), "", text, flags=re.S)
    return text


def markdown_of(path: Path, generated: bool = True) -> str:
    """A notebook's markdown; without 00's generated contents cell if not `generated`."""
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"
                     and (generated or not c.source.startswith(contents.MARKER)))


def test_every_notebook_has_a_measured_run():
    timings = contents.load_timings()
    for path in contents.notebook_paths():
        run = contents.execution_seconds(path.name, timings)  # raises with the command
        assert run["seconds"] > 0 and 0 <= run["training_seconds"] <= run["seconds"]
    stale = set(timings["notebooks"]) - {p.name for p in contents.notebook_paths()}
    assert not stale, f"measured notebooks that no longer exist: {sorted(stale)}"
    assert timings["machine"] and timings["measured"]


def test_00_readme_and_guide_show_the_generated_times():
    stale = contents.update(write=False)
    assert stale == [], (
        f"stale times in {[p.name for p in stale]}: run `python -m helpers.tools.contents`"
    )
    entries = contents.rows()
    readme = contents.README.read_text(encoding="utf-8")
    guide = contents.GUIDE.read_text(encoding="utf-8")
    start = markdown_of(contents.notebook_paths()[0])
    for name, chosen, total in contents.path_times(entries):
        row = f"| {name} | {', '.join(chosen)} | {contents.hours(total)} |"
        for where, text in (("README", readme), ("guide", guide), ("00", start)):
            assert row in text, f"{where} lacks {row!r}"
    nine = next(e for e in entries if e["number"] == "09")
    assert contents._about_minutes(nine["seconds"]) in readme
    assert contents._about_minutes(nine["seconds"]) in guide


@pytest.mark.parametrize("where", ["README.md", "notebooks/INSTRUCTOR_GUIDE.md",
                                   "notebooks/00_start_here.ipynb"])
def test_no_time_is_written_by_hand(where):
    path = ROOT / where
    if path.suffix == ".ipynb":
        text = markdown_of(path, generated=False)
    else:
        text = path.read_text("utf-8")
    found = [m.group() for m in STATED_TIME.finditer(outside_generated(text))]
    assert found == [], (
        f"{where} states {found} outside the text helpers.tools.contents writes: take "
        "the time from there (or refer to it)"
    )


def test_the_drift_check_finds_a_time_written_by_hand():
    assert STATED_TIME.search("Notebook 09 trains for about a minute and a half")
    assert STATED_TIME.search("| half-day workshop | 00, 01 | about 4 h 15 |")
    assert STATED_TIME.search("(09 trains: about 3 minutes)")
    assert not STATED_TIME.search(outside_generated(
        f"{contents.TIMES}\nabout 3 minutes\n{contents.TIMES_END}"))


def test_the_slides_of_00_show_the_same_times():
    nb = slides.build_copy(nbformat.read(contents.notebook_paths()[0], as_version=4))
    shown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"
                      and c.metadata["slideshow"]["slide_type"] != "skip")
    entries = contents.rows()
    for e in entries:
        assert f"| {e['minutes']} min |" in shown, e["file"]
    for _, _, total in contents.path_times(entries):
        assert f"| {contents.hours(total)} |" in shown


def test_the_half_day_fits_a_half_day():
    times = {name: total for name, _, total in contents.path_times(contents.rows())}
    assert times["half-day workshop"] <= contents.HALF_DAY_MINUTES, (
        f"the half-day path takes {contents.hours(times['half-day workshop'])}, more than "
        f"{contents.hours(contents.HALF_DAY_MINUTES)}: lighten its notebooks or change "
        "contents.PATHS (and the guide's plan)"
    )
    assert times["half-day workshop"] < times["full-day workshop"] <= times["self-study"]


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_the_time_model():
    words = " ".join(["word"] * 1000)
    assert contents.minutes(notebook(nbformat.v4.new_markdown_cell(words))) == 10
    figure = nbformat.v4.new_code_cell("show()")
    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "x"})]
    exercise = nbformat.v4.new_code_cell("def f(): pass", metadata={"tags": ["solution"]})
    check = nbformat.v4.new_code_cell("check_f(f)")
    prediction = nbformat.v4.new_code_cell("predicted = 3", metadata={"tags": ["solution"]})
    shown = nbformat.v4.new_code_cell("x = 3\nprint(x)\ncheck_prediction(predicted, x, 'x')")
    nb = notebook(nbformat.v4.new_markdown_cell(words), figure, exercise, check,
                  prediction, shown)
    counts = contents.parts(nb)
    assert (counts["code"], counts["figures"], counts["exercises"],
            counts["predictions"]) == (5, 1, 1, 1)
    # 10 (reading) + 2.5 (5 code cells) + 0.5 (figure) + 5 + 2 = 20 min; + 90 s of run
    assert contents.minutes(nb) == 20
    assert contents.minutes(nb, seconds=90) == 25
    assert contents.minutes(notebook()) == 5  # never 0


def test_a_check_cell_is_a_prediction_only_when_its_last_statement_checks_one():
    solution = nbformat.v4.new_code_cell("predicted = 3", metadata={"tags": ["solution"]})
    later = nbformat.v4.new_code_cell("check_prediction(predicted, 3, 'x')\nprint('done')")
    assert not contents.is_prediction(notebook(solution, later), 0)
    magic = nbformat.v4.new_code_cell("%time check_prediction(predicted, 3, 'x')")
    assert not contents.is_prediction(notebook(solution, magic), 0)


def test_a_missing_measurement_says_what_to_run():
    with pytest.raises(KeyError, match="--measure 42"):
        contents.execution_seconds("42_new.ipynb", {"notebooks": {}})


def test_09_says_same_is_p_1_only_at_stride_1():
    said = 0
    for cell in nbformat.read(ROOT / "notebooks" / "09_keras_cnn.ipynb", as_version=4).cells:
        if cell.cell_type == "markdown":  # sentence by sentence
            parts = re.split(r"(?<=[.;])\s", " ".join(cell.source.split()))
        else:  # line by line
            parts = cell.source.splitlines()
        for part in parts:
            if "same" in part and re.search(r"\bp = 1\b", part):
                said += 1
                assert "stride 1" in part, part
    assert said >= 1  # 09 does say it, with its stride


def test_measured_seconds_separate_training(tmp_path):
    """A kernel runs a small notebook: its seconds, and those of the cell that fits."""
    nb = notebook(
        nbformat.v4.new_code_cell("import time\ntime.sleep(0.2)"),
        nbformat.v4.new_code_cell(
            "class Model:\n    def fit(self):\n        time.sleep(0.6)\n\n\nModel().fit()"),
    )
    path = tmp_path / "99_probe.ipynb"
    nbformat.write(nb, path)
    seconds, training = contents.run_seconds(path)
    assert 0.5 <= training <= 3 and seconds >= training + 0.2


def test_the_guide_plans_the_half_day_path():
    guide = contents.GUIDE.read_text(encoding="utf-8")
    plan = guide.split("**The half-day plan.**", 1)[1].split("It leaves out", 1)
    taken = set(re.findall(r"\b\d\d\b", plan[0]))
    left_out = set(re.findall(r"\b\d\d\b", plan[1].split("whose", 1)[0]))
    path = {"00", *contents.PATHS["half-day workshop"]}
    assert taken == path, f"the guide's half-day plan takes {sorted(taken)}, PATHS {path}"
    assert not left_out & path
