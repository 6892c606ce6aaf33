"""Jupyter settings of the project's environment (run by `make lab`/`make setup`).

Everything is written inside the venv (``sys.prefix``), never in the user's home:

- JupyterLab keeps every cell in the page (no virtual windowing) and does not fetch news
  (a question to the internet, noise in a workshop room);
- the project's kernel, ``Python 3 (cnn-course)``, loads `helpers.friendly_errors` when
  it starts, so a cell run before the setup cell or after a restart gets a friendly
  message instead of a `NameError` traceback (the setup cells install it too);
- nbgrader's instructor tools (the formgrader, the course list and the "create
  assignment" toolbar; its JupyterLab plugins and its server extensions) are off:
  they are for instructors, and ``make instructor-lab`` turns them on for its own
  server only (`instructor_config`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
KERNEL = "cnn-course"
EXTENSION = "--ext=helpers.friendly_errors"
# nbgrader 0.9.6's instructor plugins (JupyterLab) and server extensions
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:create-assignment",
)
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
# Loaded after nbgrader's own nbgrader.json (config.d files are read in name order).
LEARNER_SERVER_CONFIG = "zz_cnn_course_learner.json"


def page_config(instructor: bool) -> dict:
    """JupyterLab's page config: the instructor plugins off (learners) or on."""
    return {"disabledExtensions": {name: not instructor for name in INSTRUCTOR_PLUGINS}}


def server_config(instructor: bool) -> dict:
    return {"ServerApp": {"jpserver_extensions": {
        name: instructor for name in INSTRUCTOR_SERVER_EXTENSIONS}}}


def instructor_config(folder: Path) -> Path:
    """A Jupyter config folder that turns nbgrader's instructor tools on.

    Put first on ``JUPYTER_CONFIG_PATH`` (``make instructor-lab`` does), it takes
    precedence over the learner's settings in the venv.
    """
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "labconfig" / "page_config.json").write_text(
        json.dumps(page_config(instructor=True), indent=2) + "\n")
    (folder / "jupyter_server_config.json").write_text(
        json.dumps(server_config(instructor=True), indent=2) + "\n")
    return folder


def kernel_loads_friendly_errors(prefix: Path) -> bool:
    """Add `EXTENSION` to the project's kernel.json; False if there is no such kernel."""
    spec = prefix / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json"
    if not spec.is_file():
        return False
    kernel = json.loads(spec.read_text())
    if EXTENSION not in kernel["argv"]:
        kernel["argv"].append(EXTENSION)
        spec.write_text(json.dumps(kernel, indent=1) + "\n")
    return True


def main() -> int:
    prefix = Path(sys.prefix)
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(OVERRIDES, indent=2) + "\n")
    kernel_loads_friendly_errors(prefix)
    labconfig = prefix / "etc" / "jupyter" / "labconfig" / "page_config.json"
    labconfig.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(labconfig.read_text()) if labconfig.is_file() else {}
    disabled = current.setdefault("disabledExtensions", {})
    if isinstance(disabled, list):  # the list form of older JupyterLab versions
        disabled = current["disabledExtensions"] = dict.fromkeys(disabled, True)
    disabled.update(page_config(instructor=False)["disabledExtensions"])
    labconfig.write_text(json.dumps(current, indent=2) + "\n")
    server = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / LEARNER_SERVER_CONFIG
    server.parent.mkdir(parents=True, exist_ok=True)
    server.write_text(json.dumps(server_config(instructor=False), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
