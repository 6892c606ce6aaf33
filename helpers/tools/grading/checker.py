"""The clean interpreter that grades one learner's notebook:
``python -m helpers.tools.grading.checker JOB.json``.

It starts the learner's sandboxed process (`sandboxed/answers.py`), which runs only the
learner's solution cells, then runs each exercise's check here, in an interpreter where
no learner code ever ran: a value answer arrives as plain data, and a function answer is
a stand-in that sends each call's arguments to the sandbox and brings back the result
as plain data. Shadowing a check, patching `helpers.checks` or anything else done in the
learner's process changes nothing here. It prints one JSON line: the rows.
"""

from __future__ import annotations

import builtins
import contextlib
import inspect
import io
import json
import os
import select
import subprocess
import sys
import threading
import time

import numpy as np

from helpers.tools.grading import sandbox
from helpers.tools.grading.sandboxed import wire

CALL_SECONDS = 30.0
"""One call of a learner's function, at most (the checks' own limit is usually less)."""

RESPAWNS = 3
"""A learner's process that hangs or dies is started again this many times, at most."""


class Gone(RuntimeError):
    """The learner's process ended or stopped answering."""


class Answers:
    """The learner's sandboxed process: its answers, read as plain data."""

    def __init__(self, job: dict):
        self.job = job
        self.process = None
        self.ready: dict = {}
        self.starts = 0
        self.next_id = 0
        self.lock = threading.Lock()
        self.buffer = b""

    def start(self) -> dict:
        if self.starts > RESPAWNS:
            raise Gone("your code stopped its process too often; gave up")
        self.starts += 1
        self.process = subprocess.Popen(
            sandbox.python("answers.py", self.job["with_helpers"]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.buffer = b""
        self.process.stdin.write(wire.dumps({
            "preamble": self.job["preamble"], "cells": self.job["cells"],
            "cell_seconds": self.job.get("cell_seconds", 20)}))
        self.process.stdin.flush()
        message = self._read(self.job["startup_seconds"])
        self.ready = message.get("ready", {})
        return self.ready

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def _read(self, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        fd = self.process.stdout.fileno()
        try:
            while b"\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Gone(f"no answer within {seconds:g} s (a loop that never ends?)")
                ready, _, _ = select.select([fd], [], [], min(left, 0.05))
                if ready:
                    chunk = os.read(fd, 1 << 20)
                    if not chunk:
                        raise Gone("your code ended its own process (exit, a crash or "
                                   "a kill)")
                    self.buffer += chunk
                    if len(self.buffer) > wire.MAX_LINE:
                        raise Gone("the answer is too large to read")
            line, _, self.buffer = self.buffer.partition(b"\n")
            return wire.loads(line)
        except BaseException:  # a hang, a death, or the check's own time limit
            self.stop()
            raise

    def ask(self, message: dict, seconds: float = CALL_SECONDS) -> dict:
        with self.lock:
            if self.process is None:
                self.start()
            self.next_id += 1
            message["id"] = self.next_id
            try:
                self.process.stdin.write(wire.dumps(message))
                self.process.stdin.flush()
            except OSError as exc:
                self.stop()
                raise Gone("your code ended its own process") from exc
            while True:
                reply = self._read(seconds)
                if reply.get("id") == self.next_id:
                    return reply

    def call(self, name: str, args, kwargs):
        reply = self.ask({"name": name, "args": [wire.encode(a) for a in args],
                          "kwargs": {k: wire.encode(v) for k, v in kwargs.items()}})
        if "raised" in reply:
            raise _exception(reply)
        for arg, after in zip(args, reply.get("args_after") or [], strict=False):
            if isinstance(arg, np.ndarray) and after is not None:
                after = wire.decode(after)
                if after.shape == arg.shape:  # the learner changed it in place
                    np.copyto(arg, after, casting="unsafe")
        return wire.decode(reply["value"])


def _exception(reply: dict) -> Exception:
    kind = getattr(builtins, str(reply.get("raised")), None)
    message = str(reply.get("message", ""))
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(message)
        except Exception:
            pass
    return RuntimeError(f"{reply.get('raised')}: {message}")


def stand_in(answers: Answers, name: str, params: list[str]):
    """A plain function named like the learner's, whose calls run in the sandbox."""

    def function(*args, **kwargs):
        return answers.call(name, args, kwargs)

    function.__name__ = function.__qualname__ = name
    function.__signature__ = inspect.Signature(
        [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in params])
    return function


def grade(job: dict) -> list[dict]:
    rows = []
    answers = Answers(job)
    try:
        ready = answers.start()
        startup = None
    except Exception as exc:
        ready, startup = {}, f"your solution cells did not run: {exc}"
    namespace: dict = {}
    for source in job["imports"]:
        exec(source, namespace)  # the lesson's own imports: the checks
    reference = job.get("reference") or {}
    for exercise in job["exercises"]:
        row = {"exercise": exercise["id"], "score": 0.0,
               "max_score": float(exercise["points"])}
        rows.append(row)
        if exercise["problems"]:
            row["reason"] = "; ".join(exercise["problems"])
            continue
        if startup:
            row["reason"] = startup
            continue
        try:
            args = []
            for kind, what in exercise["args"]:
                if kind == "answer":
                    args.append(_answer(answers, what, exercise["params"].get(what, [])))
                else:
                    from helpers.tools.grading.reference import decode

                    args.append(decode(reference[exercise["id"]][what]))
            check = eval(exercise["check"], namespace)  # the lesson's check, by name
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                passed = bool(check(*args))
            verdict = " ".join(out.getvalue().split())
        except Gone as exc:
            passed, verdict = False, str(exc)
        except Exception as exc:  # e.g. the answer is missing or not plain data
            passed, verdict = False, f"{type(exc).__name__}: {str(exc)[:300]}"
        error = ready.get(exercise["id"])
        if not passed and error:
            verdict = f"{verdict} (your cell raised {error})"
        row["score"] = row["max_score"] if passed else 0.0
        row["reason"] = verdict[:600]
    answers.stop()
    return rows


def _answer(answers: Answers, name: str, params: list[str]):
    reply = answers.ask({"name": name, "get": True})
    if "raised" in reply:
        if reply["raised"] == "KeyError":
            raise NameError(f"`{name}` is not defined by your solution")
        raise _exception(reply)
    if reply.get("callable"):
        return stand_in(answers, name, params)
    return wire.decode(reply["value"])


def main(argv: list[str]) -> int:
    with open(argv[0]) as f:
        job = json.load(f)
    out = os.fdopen(os.dup(1), "w")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    out.write(json.dumps(grade(job)) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
