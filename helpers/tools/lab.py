"""Start JupyterLab the way a learner gets it: ``python -m helpers.tools.lab [--instructor]``.

``make lab`` runs this (after writing the learner copies), and the browser test starts
its server with the very same `command`, so what the test sees is what a learner sees:

- the server's root is the repository (`ROOT`), so a learner copy's ``../images/...``
  and ``../notebooks/...`` (the answer key) links resolve;
- the page that opens is ``learner/00_start_here.ipynb`` (`START`), through
  ``--LabApp.default_url`` (JupyterLab 4 serves ``/lab/tree/<path>``);
- nbgrader's instructor tools stay off (`helpers.tools.labsettings`), except with
  ``--instructor`` (``make instructor-lab``), which puts `instructor_config` first on
  ``JUPYTER_CONFIG_PATH`` for this server only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from helpers.tools.labsettings import instructor_config

ROOT = Path(__file__).resolve().parents[2]
START = "learner/00_start_here.ipynb"
INSTRUCTOR_CONFIG = ROOT / "build" / "instructor-jupyter-config"


def command(root: Path | None = None, port: int | None = None,
            extra: tuple[str, ...] = ()) -> list[str]:
    """The argv that starts a learner's JupyterLab on `root` (default `ROOT`, the
    repository; the browser test passes a folder laid out like it)."""
    root = ROOT if root is None else root
    argv = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url=/lab/tree/{START}",
    ]
    if os.geteuid() == 0:
        argv.append("--allow-root")  # JupyterLab refuses to start as root without it
    if port is not None:
        argv.append(f"--port={port}")
    return argv + list(extra)


def instructor_env(env: dict | None = None) -> dict:
    """`env` (default os.environ) with nbgrader's instructor tools turned on."""
    env = dict(os.environ if env is None else env)
    folder = str(instructor_config(INSTRUCTOR_CONFIG))
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        p for p in (folder, env.get("JUPYTER_CONFIG_PATH", "")) if p)
    return env


def main(argv: list[str]) -> int:
    instructor = "--instructor" in argv
    rest = [a for a in argv if a != "--instructor"]
    port = next((int(a.split("=", 1)[1]) for a in rest if a.startswith("--port=")), None)
    extra = tuple(a for a in rest if not a.startswith("--port="))
    args = command(port=port, extra=extra)
    if not (ROOT / START).is_file():
        print(f"{START} is missing: run `make learner` (or `make lab`) first.")
        return 2
    env = instructor_env() if instructor else dict(os.environ)
    os.execve(args[0], args, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
