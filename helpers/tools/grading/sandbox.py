"""The sandbox a learner's code runs in: bubblewrap (Debian's ``bubblewrap`` package).

What the sandboxed process sees and may do:

- a file system of its own, built from read-only binds of the system's programs and
  libraries (``/usr``, ``/lib*``, ``/bin``), the Python install and the project's venv,
  the grader's own ``sandboxed/`` scripts and, only for the notebooks whose answers
  build on the lesson's functions (02, 03, 10), the ``helpers`` package; nothing else:
  not the repository's notebooks (the answer key), not ``workshop/`` (the gradebook,
  the other submissions), not ``/work`` nor ``/root``. Its only writable place is a
  private, size-capped ``/tmp`` in memory (also its ``/scratch`` and ``HOME``; the
  read-only binds of a repository or venv that lies under ``/tmp`` sit on top of it);
- no network (a network namespace of its own with no interface but loopback);
- its own process ids: when the sandbox's first process ends, the kernel ends every
  process it started (also daemons); ``--die-with-parent`` ends it when the grader
  ends it or dies;
- no capabilities (a user namespace where it is uid 65534), no new privileges;
- a cap on processes (pids cgroup) and on memory (memory cgroup) where the machine
  lets the grader create cgroups (cgroup v1 or v2 mounted writable), else none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SANDBOXED = Path(__file__).resolve().parent / "sandboxed"
SCRATCH_BYTES = 64 * 2**20
MAX_PROCESSES = 64
MAX_MEMORY = 2 * 2**30
CGROUP = Path("/sys/fs/cgroup")


class NoSandbox(RuntimeError):
    """bubblewrap is missing or does not work here: grading refuses to run."""


def bwrap() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise NoSandbox(
            "grading runs each learner's code in a sandbox, and bubblewrap is missing: "
            "install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`)"
        )
    return path


def command(argv: list[str], with_helpers: bool = False) -> list[str]:
    """`argv` (a command inside the sandbox) wrapped in bubblewrap."""
    cmd = [bwrap(), "--unshare-all", "--die-with-parent", "--new-session",
           "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
           "--proc", "/proc", "--dev", "/dev",
           # the writable place first: the read-only binds below may lie under /tmp
           # (a repository cloned there), and then land on top of it
           "--size", str(SCRATCH_BYTES), "--tmpfs", "/tmp", "--symlink", "/tmp", "/scratch"]
    for path in ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin",
                 "/etc/ld.so.cache", "/etc/localtime"):
        cmd += ["--ro-bind-try", path, path]
    for path in {sys.base_prefix, sys.prefix, os.path.realpath(sys.executable)}:
        cmd += ["--ro-bind", path, path]
    cmd += ["--ro-bind", str(SANDBOXED), "/grader"]
    if with_helpers:
        cmd += ["--ro-bind", str(ROOT / "helpers"), str(ROOT / "helpers")]
    cmd += ["--chdir", "/scratch",
            "--clearenv", "--setenv", "HOME", "/scratch",
            "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",
            "--setenv", "MPLBACKEND", "Agg", "--setenv", "MPLCONFIGDIR", "/scratch",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "TF_CPP_MIN_LOG_LEVEL", "3",
            "--"]
    return cmd + argv


def python(script: str, with_helpers: bool = False) -> list[str]:
    """`python -I /grader/<script>` in the sandbox, with the project's interpreter."""
    return command([sys.executable, "-I", f"/grader/{script}"], with_helpers)


class Limits:
    """A pids and a memory cgroup for one learner (best effort), removed by `close`."""

    def __init__(self):
        self.folders: list[Path] = []
        name = f"cnn-grade-{uuid.uuid4().hex[:12]}"
        for controller, settings in [
            ("pids", {"pids.max": MAX_PROCESSES}),
            ("memory", {"memory.limit_in_bytes": MAX_MEMORY}),
        ]:
            base = CGROUP / controller
            own = _own_cgroup(controller)
            if own is not None:
                base = base / own.lstrip("/")
            try:
                folder = base / name
                folder.mkdir()
                for key, value in settings.items():
                    (folder / key).write_text(str(value))
                self.folders.append(folder)
            except OSError:
                continue

    def enter(self) -> None:
        """Put the calling process in the cgroups (run in the child before exec)."""
        for folder in self.folders:
            try:
                (folder / "cgroup.procs").write_text(str(os.getpid()))
            except OSError:
                pass

    def close(self) -> None:
        """End every process still in the cgroups, then remove them."""
        for folder in self.folders:
            for _ in range(50):
                try:
                    pids = (folder / "cgroup.procs").read_text().split()
                except OSError:
                    break
                for pid in pids:
                    try:
                        os.kill(int(pid), 9)
                    except OSError:
                        pass
                try:
                    folder.rmdir()
                    break
                except OSError:
                    import time

                    time.sleep(0.05)


def _own_cgroup(controller: str) -> str | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            if controller in names.split(","):
                return path
    except OSError:
        pass
    return None


def works() -> None:
    """Raise `NoSandbox` unless a sandboxed command runs here."""
    result = subprocess.run(command(["/bin/true"]), capture_output=True, text=True)
    if result.returncode != 0:
        raise NoSandbox(f"bubblewrap does not run here: {result.stderr.strip()}")
