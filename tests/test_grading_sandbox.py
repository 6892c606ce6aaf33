"""The sandbox on its own, without the policy: code that `policy` would refuse runs
here as a learner's solution cell, and must still do no harm."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.tools.grading import checker, sandbox

ROOT = sandbox.ROOT
PROBE = '''
import os, socket, subprocess, signal
found = {}
def attempt(name, action):
    try:
        action()
        found[name] = "done"
    except BaseException as exc:
        found[name] = type(exc).__name__
def write_repo():
    open(REPO + "/helpers/checks/relu.py", "a").write("PWNED")
def read_key():
    open(REPO + "/notebooks/04_relu.ipynb").read()
def delete_room():
    os.remove(ROOM)
def network():
    socket.create_connection(("1.1.1.1", 80), timeout=2)
def kill_parent():
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(1, signal.SIGKILL) if os.getpid() != 1 else None
def daemon():
    subprocess.Popen(["/bin/sleep", "987654"], start_new_session=True)
def forks():
    children = []
    for _ in range(500):
        children.append(os.fork())
        if children[-1] == 0:
            import time
            time.sleep(30)
            os._exit(0)
def scratch():
    open("/scratch/mine.txt", "w").write("ok")
for name, action in [("write_repo", write_repo), ("read_key", read_key),
                     ("delete_room", delete_room), ("network", network),
                     ("kill_parent", kill_parent), ("daemon", daemon),
                     ("forks", forks), ("scratch", scratch)]:
    attempt(name, action)
visible = sorted(os.listdir("/"))
work = sorted(os.listdir(REPO)) if os.path.isdir(REPO) else []
'''


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    victim = tmp_path_factory.mktemp("room") / "ada.ipynb"
    victim.write_text("ada's work")
    source = f"REPO = {str(ROOT)!r}\nROOM = {str(victim)!r}\n{PROBE}"
    job = {"with_helpers": True, "preamble": [], "cell_seconds": 20,
           "startup_seconds": 60, "cells": [{"exercise": "probe", "source": source,
                                            "data": {}}]}
    before = (ROOT / "helpers" / "checks" / "relu.py").read_bytes()
    limits = sandbox.Limits()
    pid = os.fork()
    if pid == 0:  # the answers' process in the cgroups, as the room grades it
        try:  # the forked copy of pytest must end here, whatever happens
            limits.enter()
            answers = checker.Answers(job)
            answers.start()
            for name, suffix in [("found", ".out"), ("visible", ".ls"), ("work", ".work")]:
                reply = answers.ask({"name": name, "get": True})
                Path(victim.with_suffix(suffix)).write_text(str(reply))
            answers.stop()
        except BaseException as exc:
            Path(victim.with_suffix(".error")).write_text(repr(exc))
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    limits.close()
    time.sleep(0.5)
    error = victim.with_suffix(".error")
    assert status == 0, error.read_text() if error.exists() else f"status {status}"
    import ast

    from helpers.tools.grading.sandboxed import wire

    def read(suffix):
        return wire.decode(ast.literal_eval(victim.with_suffix(suffix).read_text())["value"])

    return {"found": read(".out"), "visible": read(".ls"), "work": read(".work"),
            "victim": victim, "before": before}


def test_the_repository_and_the_room_are_out_of_reach(probed):
    found = probed["found"]
    assert found["write_repo"] != "done" and found["read_key"] != "done"
    assert found["delete_room"] != "done" and probed["victim"].read_text() == "ada's work"
    assert (ROOT / "helpers" / "checks" / "relu.py").read_bytes() == probed["before"]
    assert found["scratch"] == "done"
    assert "notebooks" not in probed["work"] and "workshop" not in probed["work"]
    # the system's folders, plus the first folder of the paths bound read-only (the
    # interpreter's prefixes and the repository's helpers: /work here, /check on CI)
    bound = {Path(path).resolve().parts[1] for path in
             (sys.prefix, sys.base_prefix, sys.executable, ROOT)}
    assert set(probed["visible"]) <= {"bin", "dev", "etc", "grader", "lib", "lib32",
                                      "lib64", "proc", "sbin", "scratch", "tmp",
                                      "usr"} | bound


def test_no_network_and_no_way_out(probed):
    found = probed["found"]
    assert found["network"] != "done"
    assert found["forks"] != "done"  # 500 processes: over the pids cap
    assert os.getpid() > 0  # this process (the grader's side) was not killed


def test_every_process_ends_with_the_grading(probed):
    sleepers = [p for p in os.listdir("/proc") if p.isdigit()
                and b"987654" in _cmdline(p)]
    assert not sleepers


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_the_sandbox_runs_when_the_repository_lies_under_tmp(tmp_path, monkeypatch):
    """A clone in /tmp (`git clone . /tmp/check`): bwrap binds its helpers read-only on
    top of the sandbox's own /tmp; it once refused to start there ("Can't make symlink
    at /tmp") and the grader waited."""
    assert str(tmp_path).startswith("/tmp/")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "lesson.py").write_text("kept\n")
    monkeypatch.setattr(sandbox, "ROOT", tmp_path)
    script = (f"cat {tmp_path}/helpers/lesson.py; echo mine > /scratch/a; cat /tmp/a; "
              f"echo no > {tmp_path}/helpers/lesson.py || echo refused")
    result = subprocess.run(sandbox.command(["/bin/sh", "-c", script], with_helpers=True),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["kept", "mine", "refused"]
    assert (tmp_path / "helpers" / "lesson.py").read_text() == "kept\n"
