"""The learner's side of grading, run inside the sandbox: ``python -I answers.py``.

It runs the learner's solution cells (and nothing else of the notebook) in one fresh
namespace, then answers the checker's requests over a pipe: the value of an answer
(`get`) or a call of the learner's function on the checker's arguments (`call`).
Everything it sends is plain data (`wire`); the checks themselves run in another
interpreter, which the code here cannot reach. This file imports nothing of `helpers`.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import wire  # noqa: E402


def _error(exc: BaseException) -> dict:
    try:
        message = str(exc)[:500]
    except BaseException:  # a learner's exception whose __str__ fails
        message = ""
    return {"raised": type(exc).__name__, "message": message}


def _line(exc: BaseException, name: str) -> str:
    """Where a solution cell failed: "NameError: ... (line 3)"."""
    line = next((f.lineno for f in traceback.extract_tb(exc.__traceback__)
                 if f.filename == name), None)
    where = f" (line {line})" if line else ""
    return f"{type(exc).__name__}: {str(exc)[:300]}{where}"


class CellTookTooLong(BaseException):
    """A solution cell that runs past its time: the next cells still run."""


def _stop(signum, frame):
    raise CellTookTooLong()


def run_cells(job: dict) -> tuple[dict, dict]:
    signal.signal(signal.SIGALRM, _stop)
    seconds = float(job.get("cell_seconds", 20))
    namespace: dict = {"__name__": "__main__"}
    for source in job["preamble"]:
        try:
            exec(compile(source, "<lesson>", "exec"), namespace)
        except Exception:  # a lesson import that is not available here
            pass
    own: set[str] = set()
    ready = {}
    for cell in job["cells"]:
        for name, value in cell["data"].items():
            if name not in own:
                namespace[name] = wire.decode(value)
        before = dict(namespace)
        name = f"<{cell['exercise']}>"
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            exec(compile(cell["source"], name, "exec"), namespace)
            ready[cell["exercise"]] = None
        except CellTookTooLong:
            ready[cell["exercise"]] = f"the cell ran for more than {seconds:g} s"
        except BaseException as exc:  # the learner's error, even SystemExit
            ready[cell["exercise"]] = _line(exc, name)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        own |= {k for k, v in namespace.items() if before.get(k, own) is not v}
    return namespace, ready


def serve(namespace: dict, reply) -> None:
    for line in sys.stdin.buffer:
        message = wire.loads(line)
        out = {"id": message["id"]}
        try:
            value = namespace[message["name"]]
            if "get" in message:
                if callable(value):
                    out["callable"] = True
                else:
                    out["value"] = wire.encode(value)
            else:
                args = [wire.decode(a) for a in message["args"]]
                kwargs = {k: wire.decode(v) for k, v in message["kwargs"].items()}
                result = value(*args, **kwargs)
                out["value"] = wire.encode(result)
                out["args_after"] = [wire.encode(a) if isinstance(a, np.ndarray)
                                     else None for a in args]
        except BaseException as exc:  # the learner's, sent back as its name and text
            out.update(_error(exc))
        data = wire.dumps(out)
        if len(data) > wire.MAX_LINE:
            data = wire.dumps({"id": message["id"], "raised": "MemoryError",
                               "message": "the result is too large to read"})
        reply.write(data)
        reply.flush()


def main() -> None:
    reply = os.fdopen(os.dup(1), "wb")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # the learner's prints go nowhere: no huge outputs
    os.dup2(quiet, 2)
    job = wire.loads(sys.stdin.buffer.readline())
    namespace, ready = run_cells(job)
    reply.write(wire.dumps({"ready": ready}))
    reply.flush()
    serve(namespace, reply)


if __name__ == "__main__":
    main()
