"""One run of the solved lesson, for the values the checks take from the lesson:
``python -m helpers.tools.grading.reference JOB.json OUT.json``.

A check such as 11's ``check_loop_forward(loop_forward, weights, ...)`` takes the
lesson's trained weights, and a learner's answer may read a lesson value (``image``).
These come from this run of the answer key (trusted code: the solved notebook), never
from the learner's process, so a learner cannot swap them. It runs once per notebook
and room, and only when a check or an answer needs a lesson value.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import sys

from helpers.tools.grading.sandboxed import wire


def run(steps: list[dict]) -> dict:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.enable_gui = lambda gui=None: None  # `%matplotlib inline` without a front end
    out: dict = {"data": {}, "args": {}, "errors": []}
    for step in steps:
        if "run" in step:
            result = shell.run_cell(step["run"], silent=True)
            if not result.success:
                out["errors"].append(repr(result.error_in_exec or result.error_before_exec))
            continue
        key = step["key"]
        if "names" in step:
            found = {}
            for name in step["names"]:
                try:
                    found[name] = wire.encode(shell.user_ns[name])
                except (KeyError, TypeError):
                    continue  # not a lesson value, or not plain data
            out["data"][key] = found
        else:
            values = []
            for expression in step["evaluate"]:
                try:
                    values.append(encode(eval(expression, shell.user_ns)))
                except Exception as exc:
                    values.append(None)
                    out["errors"].append(f"{key}: {expression}: {exc!r}")
            out["args"][key] = values
    return out


def encode(value):
    """Plain data, else a pickle (a Keras model): this run is the answer key's own
    code, so the checker may unpickle what it wrote; a learner's reply never is."""
    try:
        return wire.encode(value)
    except wire.NotPlainData:
        return {"pickle": base64.b64encode(pickle.dumps(value)).decode("ascii")}


def decode(data):
    if isinstance(data, dict) and set(data) == {"pickle"}:
        return pickle.loads(base64.b64decode(data["pickle"]))
    return wire.decode(data)


def main(argv: list[str]) -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    with open(argv[0]) as f:
        steps = json.load(f)
    result = run(steps)
    with open(argv[1], "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
