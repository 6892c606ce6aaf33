"""Write JupyterLab settings for the project's environment (run by `make lab`/`make setup`).

Keeps every cell in the page (no virtual windowing) and turns off the news pop-up, which
asks the internet and is noise in a workshop room.
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


def main() -> int:
    path = (
        Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(OVERRIDES, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
