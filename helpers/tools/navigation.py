"""Write the prev / contents / next links of every notebook: ``python -m helpers.tools.navigation``.

Each notebook's last cell is a markdown cell that starts with `MARKER`; this tool replaces
its content, so running it twice changes nothing. A test fails when a notebook's links
are missing or stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MARKER = "<!-- nav -->"


def notebook_paths() -> list[Path]:
    """The numbered notebooks, in order."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title(path: Path) -> str:
    """The notebook's first markdown heading, without the '#'."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def nav_text(paths: list[Path], index: int) -> str:
    """Markdown links for notebook `index` of `paths`."""
    parts = []
    if index > 0:
        prev = paths[index - 1]
        parts.append(f"[← {title(prev)}]({prev.name})")
    parts.append(f"[Contents]({paths[0].name})")
    if index + 1 < len(paths):
        nxt = paths[index + 1]
        parts.append(f"[{title(nxt)} →]({nxt.name})")
    return MARKER + "\n---\n" + " | ".join(parts)


def update(paths: list[Path] | None = None, write: bool = True) -> list[Path]:
    """Set the navigation cell of each notebook; return the ones that changed."""
    paths = paths or notebook_paths()
    changed = []
    for index, path in enumerate(paths):
        nb = nbformat.read(path, as_version=4)
        text = nav_text(paths, index)
        last = nb.cells[-1] if nb.cells else None
        if (
            last is not None
            and last.cell_type == "markdown"
            and last.source.startswith(MARKER)
        ):
            if last.source == text:
                continue
            last.source = text
        else:
            nb.cells.append(nbformat.v4.new_markdown_cell(text))
        changed.append(path)
        if write:
            nbformat.write(nb, path)
    return changed


def main() -> int:
    for path in update():
        print(f"updated {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
