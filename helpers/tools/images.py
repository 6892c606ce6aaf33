"""Regenerate the diagrams in images/ from the plotting code: ``python -m helpers.tools.images``.

Every figure the notebooks' markdown shows is listed in `FIGURES`, made by a function of
`helpers.plots` on the worked examples, so a diagram can never drift from the code. A
test re-draws each one and fails when the committed PNG is missing or stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

IMAGES = Path(__file__).resolve().parents[2] / "images"


def _figures():
    """name -> function returning a matplotlib Figure. Add new diagrams here."""
    return {}


def render(name: str, folder: Path) -> Path:
    """Draw figure `name` into `folder`/`name` (a PNG without timestamps)."""
    matplotlib.rcParams["svg.hashsalt"] = "cnn-course"
    fig = _figures()[name]()
    path = folder / name
    fig.savefig(path, dpi=100, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return path


def main(argv: list[str]) -> int:
    IMAGES.mkdir(exist_ok=True)
    names = argv or sorted(_figures())
    for name in names:
        print(render(name, IMAGES).relative_to(IMAGES.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
