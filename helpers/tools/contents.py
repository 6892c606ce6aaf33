"""The contents and the learner times of the series: ``python -m helpers.tools.contents``.

One source for every time the series states. The table (number, title, what you do,
learner time), the learning paths and the sentences about notebook 09's run are made from
the notebooks themselves and from the measured execution seconds in `TIMINGS`, and written
between markers: into notebook 00 (a markdown cell that starts with `MARKER`), the README
(`MARKER` ... `END`, and `TIMES` ... `TIMES_END`) and the instructor guide (`PATHS_MARK`
... `PATHS_END`). The slides of 00 are built from 00. A test fails when any is stale.

The learner time of a notebook is computed the same way for every notebook:

- reading at `WORDS_PER_MINUTE` = 100 words a minute. An adult reads English non-fiction
  silently at 238 words a minute on average, most adults between 175 and 300 (Brysbaert
  2019, a meta-analysis of 190 studies); reading to learn is slower, about 200 words a
  minute, and reading to remember about 140 (Carver 1992, college students on ordinary
  text). These lessons ask more than either: every formula is worked through and every
  claim checked against the output under it, the count includes the symbols of formulas
  and the names of code in the prose, and many learners read English as a second
  language (slower again, Brysbaert 2019). 100 words a minute is the low end of reading to
  learn (100-200 words a minute);
- `CODE_CELL_MINUTES` to read and run each code cell, `FIGURE_MINUTES` to look at each
  figure, `EXERCISE_MINUTES` per exercise (a cell tagged ``solution``) and
  `PREDICTION_MINUTES` per prediction question (a ``solution`` cell whose check cell ends
  with ``check_prediction``: one number or shape to write down);
- the notebook's execution: the seconds measured by ``--measure`` (stored in `TIMINGS`),
  run as a learner runs it (`make lab`: TensorFlow's oneDNN on, default threads) on the
  reference 2-core machine; for notebook 09 that is mostly training;

summed and rounded up to 5 minutes. A path's time is the sum of its notebooks' times.
``python -m helpers.tools.contents --measure [NN ...]`` executes copies of the notebooks
(all, or those numbered) in a temporary folder, updates `TIMINGS` and rewrites the tables.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import re
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
GUIDE = NOTEBOOKS / "INSTRUCTOR_GUIDE.md"
TIMINGS = Path(__file__).with_name("execution_seconds.json")
MARKER = "<!-- contents -->"
END = "<!-- /contents -->"
TIMES, TIMES_END = "<!-- times -->", "<!-- /times -->"
PATHS_MARK, PATHS_END = "<!-- paths -->", "<!-- /paths -->"

WORDS_PER_MINUTE = 100
CODE_CELL_MINUTES = 0.5
FIGURE_MINUTES = 0.5
EXERCISE_MINUTES = 5
PREDICTION_MINUTES = 2
# A half day: at most this much learner time (a morning of 4 hours holds it, a break
# and questions).
HALF_DAY_MINUTES = 210
# Cells that train a network: their seconds are the "training" of a notebook's run.
TRAINING = re.compile(r"\.fit\(|train_on_batch|train_small\(|\bcnn\.train\(")

# What a learner does in each notebook, one line (the title comes from the notebook).
WHAT_YOU_DO = {
    "00": "the plan, the learning paths, how exercises work, an environment check",
    "01": "slide a 3x3 filter over a 5x5 image by hand; write the double loop; "
          "cross-correlation vs convolution",
    "02": "classic kernels on a photo and on clothes; a kernel as a pattern detector; "
          "a stack of feature maps",
    "03": "padding, stride and the output-size formula; RGB kernels as 3-D blocks; "
          "1x1 convolution; a conv layer's shape and parameter count",
    "04": "ReLU on feature maps; why stacked convolutions need a non-linearity",
    "05": "2x2 max and average pooling; what survives a one-pixel shift, what is lost",
    "06": "flatten, dense, softmax; the cross-entropy loss by hand; "
          "the whole pipeline = helpers = Keras",
    "07": "dense vs conv: parameters, locality, weight sharing, shift equivariance, "
          "receptive fields, accuracy",
    "08": "gradient descent in numpy recovers a hidden 3x3 kernel; learning rates; "
          "a gradient check",
    "09": "build, compile, fit, evaluate and save a Keras CNN on Fashion-MNIST; every "
          "shape and parameter of its summary by hand; items moved 3 pixels, and two "
          "epochs on moved items that win the accuracy back",
    "10": "judge the trained CNN: confusion matrix, mistakes, confidence, nearest "
          "neighbours; what a 3-pixel shift still costs; overfitting, dropout, "
          "augmentation",
    "11": "learned kernels and feature maps; your own layers run the trained model; "
          "a debugging task (the flatten order); draw or upload your own item",
    "12": "each layer's backward pass, checked against finite differences and "
          "TensorFlow; a convolution's kernel and input gradients (stride 1, then 2) "
          "as exercises",
    "13": "the whole CNN's backward pass against tf.GradientTape; a quarter-width numpy "
          "CNN trained 200 SGD steps, step for step on Keras's weights; max-pool and "
          "dense backward as exercises",
}

# Learning paths: which notebooks each one takes (00 is read by all). The half day must
# fit `HALF_DAY_MINUTES`: it keeps the three operations of 09's feature extractor by hand
# (convolution, ReLU, max pooling) and the Keras CNN; the instructor says what it skips
# from 02, 03 and 06 in a few sentences (the guide's plan).
PATHS = {
    "half-day workshop": ["01", "04", "05", "09"],
    "full-day workshop": ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10",
                          "11"],
    "self-study": None,  # every notebook, in order
}


def notebook_paths() -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title(nb) -> str:
    """The first markdown heading without '# ' and without the 'NN · ' prefix."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return re.sub(r"^\d\d\s*·\s*", "", line[2:].strip())
    return ""


def prose_words(nb) -> int:
    """Words of a notebook's markdown (not its navigation nor 00's contents table)."""
    return sum(len(re.findall(r"[A-Za-z]+", cell.source)) for cell in nb.cells
               if cell.cell_type == "markdown"
               and not cell.source.startswith(("<!-- nav -->", MARKER)))


def is_prediction(nb, index: int) -> bool:
    """True when solution cell `index` is a prediction question: the next code cell's
    last statement calls ``check_prediction``."""
    for cell in nb.cells[index + 1:]:
        if cell.cell_type == "code":
            try:
                body = ast.parse(cell.source).body
            except SyntaxError:  # a magic: not a check cell
                return False
            last = body[-1] if body else None
            return (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
                    and getattr(last.value.func, "id", "") == "check_prediction")
    return False


def parts(nb) -> dict:
    """What a notebook holds, counted for its time."""
    counts = {"words": prose_words(nb), "code": 0, "figures": 0, "exercises": 0,
              "predictions": 0}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        counts["code"] += 1
        counts["figures"] += sum("image/png" in out.get("data", {})
                                 for out in cell.get("outputs", []))
        if "solution" in cell.metadata.get("tags", []):
            counts["predictions" if is_prediction(nb, i) else "exercises"] += 1
    return counts


def load_timings(path: Path = TIMINGS) -> dict:
    """The measured execution seconds (`TIMINGS`), or an empty record."""
    if not path.exists():
        return {"notebooks": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def execution_seconds(name: str, timings: dict | None = None) -> dict:
    """The measured run of notebook file `name`: {"seconds", "training_seconds", ...}."""
    timings = load_timings() if timings is None else timings
    try:
        return timings["notebooks"][name]
    except KeyError:
        raise KeyError(
            f"no measured execution time for {name} in {TIMINGS.name}: run "
            f"`python -m helpers.tools.contents --measure {name[:2]}`"
        ) from None


def minutes(nb, seconds: float = 0.0) -> int:
    """The learner time of a notebook that executes in `seconds`, rounded up to 5 min."""
    c = parts(nb)
    estimate = (c["words"] / WORDS_PER_MINUTE + c["code"] * CODE_CELL_MINUTES
                + c["figures"] * FIGURE_MINUTES + c["exercises"] * EXERCISE_MINUTES
                + c["predictions"] * PREDICTION_MINUTES + seconds / 60)
    return 5 * max(1, math.ceil(estimate / 5))


def rows(paths: list[Path] | None = None, timings: dict | None = None) -> list[dict]:
    """One dict per notebook: number, file, title, what you do, minutes, seconds."""
    timings = load_timings() if timings is None else timings
    out = []
    for path in paths or notebook_paths():
        nb = nbformat.read(path, as_version=4)
        number = path.name[:2]
        run = execution_seconds(path.name, timings)
        out.append({
            "number": number, "file": path.name, "title": title(nb),
            "what": WHAT_YOU_DO.get(number, ""),
            "minutes": minutes(nb, run["seconds"]),
            "seconds": run["seconds"], "training_seconds": run["training_seconds"],
        })
    return out


def hours(total: int) -> str:
    """Minutes as '3 h 25' or '50 min'."""
    h, m = divmod(total, 60)
    return f"{h} h {m:02d}" if h else f"{m} min"


def path_times(entries: list[dict]) -> list[tuple[str, list[str], int]]:
    """(path name, its notebooks with 00 first, its minutes) for each learning path."""
    by_number = {e["number"]: e["minutes"] for e in entries}
    out = []
    for name, numbers in PATHS.items():
        chosen = [n for n in (numbers or by_number) if n in by_number]
        if numbers is not None:
            chosen = ["00"] * ("00" in by_number) + chosen
        out.append((name, chosen, sum(by_number[n] for n in chosen)))
    return out


def _about_minutes(seconds: float) -> str:
    """Seconds said to the nearest half minute (at least 1): "about 1.5 minutes"."""
    m = max(1.0, round(seconds / 30) / 2)
    return f"about {m:g} minute{'s' * (m != 1)}"


def model_note() -> str:
    """How the times are computed, one paragraph."""
    return (
        f"Times are estimates for a learner, computed from each notebook "
        f"(`python -m helpers.tools.contents`): reading at {WORDS_PER_MINUTE} words a "
        f"minute (mathematical prose, read to learn), {round(60 * CODE_CELL_MINUTES)} s "
        f"per code cell, {round(60 * FIGURE_MINUTES)} s per figure, {EXERCISE_MINUTES} "
        f"min per exercise, {PREDICTION_MINUTES} min per prediction question, plus the "
        "notebook's own execution time measured on a 2-core machine."
    )


def run_note(entries: list[dict]) -> str:
    """What the slow notebooks cost in execution, from `TIMINGS`."""
    timings = load_timings()
    slow = [e for e in entries if e["seconds"] >= 60]
    said = []
    for e in slow:
        text = f"{e['number']} runs for {_about_minutes(e['seconds'])}"
        if e["training_seconds"] >= 0.5 * e["seconds"]:
            text += f" ({_about_minutes(e['training_seconds'])} of it training)"
        said.append(text)
    rest = max((e["seconds"] for e in entries if e not in slow), default=0)
    loads = [run.get(key, 0) for run in timings["notebooks"].values()
             for key in ("load_before", "load_after")]
    # the notebooks' own runs load the 2 cores too (09's training: about 2)
    load = f"at a 1-minute load of at most {max(loads, default=0):.1f}, its own runs included"
    return (
        f"Executed top to bottom as a learner runs them (TensorFlow's oneDNN on), "
        f"{'; '.join(said) or 'no notebook runs for a minute'}; every other notebook "
        f"runs in under {max(1, math.ceil(rest / 10)) * 10} s. Measured on "
        f"{timings.get('machine', 'a 2-core machine')} ({timings.get('measured', '')}) "
        f"{load}: a quieter or faster machine takes less."
    )


def table(entries: list[dict], link_prefix: str = "") -> str:
    """The markdown table and the learning paths, links relative to `link_prefix`."""
    lines = ["| # | notebook | what you do | time |", "| --- | --- | --- | --- |"]
    for e in entries:
        lines.append(f"| {e['number']} | [{e['title']}]({link_prefix}{e['file']}) "
                     f"| {e['what']} | {e['minutes']} min |")
    lines += ["", "| learning path | notebooks | time |", "| --- | --- | --- |"]
    for name, chosen, total in path_times(entries):
        lines.append(f"| {name} | {', '.join(chosen)} | {hours(total)} |")
    lines += ["", model_note()]
    return "\n".join(lines)


def guide_paths(entries: list[dict]) -> str:
    """The instructor guide's table of paths and the run times (between PATHS_MARK)."""
    lines = ["| path | notebooks | learner time |", "| --- | --- | --- |"]
    for name, chosen, total in path_times(entries):
        lines.append(f"| {name} | {', '.join(chosen)} | {hours(total)} |")
    lines += ["| the mathematics | 12 and 13 (backpropagation, layer by layer and through "
              "the whole CNN), after 08 and 09 | in self-study |", "", model_note(), "",
              run_note(entries)]
    return "\n".join(lines)


def readme_times(entries: list[dict]) -> str:
    """The README's timings bullet (between TIMES and TIMES_END)."""
    return (f"- **Timings:** the times in the table above come from one source "
            f"(`helpers/tools/contents.py` and the measured seconds in "
            f"`helpers/tools/{TIMINGS.name}`, written by `python -m helpers.tools.contents "
            f"--measure`). {run_note(entries)}")


def _replace_between(text: str, start: str, end: str, body: str, name: str) -> str:
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"{name} needs {start!r} ... {end!r} around the generated text")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)


def update(write: bool = True) -> list[Path]:
    """Write the tables and times into 00, the README and the guide; return the files
    that changed."""
    paths = notebook_paths()
    entries = rows(paths)
    changed = []
    start = paths[0]
    nb = nbformat.read(start, as_version=4)
    text = MARKER + "\n" + table(entries)
    cells = [c for c in nb.cells
             if c.cell_type == "markdown" and c.source.startswith(MARKER)]
    if len(cells) != 1:
        raise ValueError(f"{start.name} needs exactly one markdown cell starting with "
                         f"{MARKER!r}, found {len(cells)}")
    if cells[0].source != text:
        cells[0].source = text
        changed.append(start)
        if write:
            nbformat.write(nb, start)
    readme = README.read_text(encoding="utf-8")
    new = _replace_between(readme, MARKER, END, table(entries, "notebooks/"), "README.md")
    new = _replace_between(new, TIMES, TIMES_END, readme_times(entries), "README.md")
    if new != readme:
        changed.append(README)
        if write:
            README.write_text(new, encoding="utf-8")
    guide = GUIDE.read_text(encoding="utf-8")
    new = _replace_between(guide, PATHS_MARK, PATHS_END, guide_paths(entries), GUIDE.name)
    if new != guide:
        changed.append(GUIDE)
        if write:
            GUIDE.write_text(new, encoding="utf-8")
    return changed


# ------------------------------------------------------------------ measured execution
def _machine() -> str:
    from helpers.tools.bench import machine

    return machine().split(", Python")[0]


def run_seconds(path: Path) -> tuple[float, float]:
    """(seconds, training seconds) of executing the notebook at `path` in place."""
    from jupyter_client import KernelManager
    from nbclient import NotebookClient

    from helpers.tools.execute import KERNEL_NAME

    nb = nbformat.read(path, as_version=4)
    # IPC sockets, not TCP ports: kernels started at once by other runs cannot collide
    km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc",
                       ip=str(path.parent / f".kernel-{path.stem[:2]}"))
    client = NotebookClient(nb, km=km, timeout=1200, kernel_name=KERNEL_NAME,
                            record_timing=True, store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    training = 0.0
    for cell in nb.cells:
        stamps = cell.metadata.get("execution", {})
        if cell.cell_type == "code" and TRAINING.search(cell.source) and stamps:
            began = datetime.fromisoformat(stamps["iopub.execute_input"].rstrip("Z"))
            ended = datetime.fromisoformat(stamps["shell.execute_reply"].rstrip("Z"))
            training += (ended - began).total_seconds()
    return total, training


def measure(numbers: list[str] | None = None, out: Path = TIMINGS) -> dict:
    """Execute copies of the notebooks (all, or those numbered) as a learner would
    (oneDNN on, default threads, the model in a temporary folder) and store the seconds."""
    from helpers import cnn
    from helpers.tools.execute import copied_notebooks, learner_environment

    if cnn.quick_run():
        raise SystemExit(f"unset {cnn.QUICK_ENV}: a quick run is not a learner's run")
    timings = load_timings(out)
    with copied_notebooks() as copy:
        model = copy.parent / "models" / cnn.MODEL_PATH.name
        model.parent.mkdir()
        if cnn.model_path().exists():  # 10 or 11 alone loads it rather than train one
            shutil.copy(cnn.model_path(), model)
        with learner_environment(model):
            for path in sorted(copy.glob("[0-9][0-9]_*.ipynb")):
                if not numbers or path.name[:2] in numbers:
                    _measure_one(path, timings, out)
    return _write(timings, out)


def _measure_one(path: Path, timings: dict, out: Path) -> None:
    """Run one copied notebook and store its seconds at once."""
    load = os.getloadavg()[0]
    seconds, training = run_seconds(path)
    timings["notebooks"][path.name] = {
        "seconds": round(seconds, 1), "training_seconds": round(training, 1),
        "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2),
    }
    print(f"{path.name}: {seconds:.1f} s ({training:.1f} s training), "
          f"1-minute load {load:.2f}", flush=True)
    _write(timings, out)


def _write(timings: dict, out: Path) -> dict:
    timings["notebooks"] = {k: timings["notebooks"][k]
                            for k in sorted(timings["notebooks"])
                            if (NOTEBOOKS / k).exists()}
    timings["machine"] = _machine()
    timings["measured"] = datetime.now(UTC).strftime("%Y-%m-%d")
    timings["how"] = ("python -m helpers.tools.contents --measure: wall seconds of each "
                      "notebook executed top to bottom as `make lab` runs it (oneDNN on, "
                      "default threads); training = the cells that call fit or train")
    out.write_text(json.dumps(timings, indent=1) + "\n", encoding="utf-8")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", nargs="*", metavar="NN",
                        help="execute the notebooks (all, or those numbered) and store "
                             "their seconds first")
    args = parser.parse_args(argv)
    if args.measure is not None:
        measure(args.measure or None)
    for path in update():
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
