"""A friendly message for the errors of running a notebook's cells out of order.

Run a cell before the setup cell, or after a kernel restart, and Python answers with a
`NameError` traceback. This module replaces that traceback, and only that one, with a
short message under the cell: which name is missing, which cell of the notebook makes
it (its section and first line), and what to do (Run -> Run All Above Selected Cell).
The full traceback stays one click away (a collapsed "Show the full error"; in a plain
text front end, ``%tb``), and a one-line ``NameError`` is still reported as the cell's
error, so "Run All" stops there as before.

It uses IPython's own mechanism, ``get_ipython().set_custom_exc((NameError,), ...)``:

- every setup cell calls `install()`;
- the project's kernel (``Python 3 (cnn-course)``) also loads this module as an IPython
  extension when it starts (``--ext=helpers.friendly_errors`` in its kernel.json, written
  by ``python -m helpers.tools.labsettings``), so a cell run before the setup cell or
  after a restart is explained too.

What is *not* touched, so no real error is hidden:

- a `NameError` raised inside a library or inside `helpers` (its last frame is not in a
  notebook cell);
- a name that no cell of the notebook defines at its top level (a typo, say);
- `UnboundLocalError` and every other exception;
- a kernel that does not know its notebook (JupyterLab, Notebook 7 and VS Code tell it;
  a bare kernel does not).

The notebook is read from disk when the error happens (the saved version; the lesson's
answer key in ``notebooks/`` when the copy cannot be read).
"""

from __future__ import annotations

import ast
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["install", "uninstall", "explain", "defined_names", "load_ipython_extension"]

ROOT = Path(__file__).resolve().parents[1]
ADVICE = "Run → Run All Above Selected Cell"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STATE = {"notebook": None}  # the notebook named by install(), if any


@dataclass(frozen=True)
class Definition:
    """Where a notebook makes a name: its cell index, section, the line that makes it
    and whether that cell is the setup cell (the notebook's first code cell)."""

    cell: int
    section: str
    line: str
    setup: bool


# ------------------------------------------------------------------ reading a notebook
def _bound_names(tree: ast.AST) -> dict[str, int]:
    """``{name: line number}`` of the names a cell binds at the top level (not inside
    functions or classes), each at the first line that binds it."""
    names: dict[str, int] = {}

    def add(name: str, node: ast.AST) -> None:
        names.setdefault(name, getattr(node, "lineno", 1))

    def targets(node):
        if isinstance(node, ast.Name):
            add(node.id, node)
        elif isinstance(node, ast.Starred):
            targets(node.value)
        elif isinstance(node, ast.Tuple | ast.List):
            for element in node.elts:
                targets(element)

    def walk(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                add(child.name, child)
                continue  # their bodies are another scope
            if isinstance(child, ast.Lambda):
                continue
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    targets(target)
            elif isinstance(child, ast.AnnAssign | ast.AugAssign | ast.For):
                targets(child.target)
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                targets(child.optional_vars)
            elif isinstance(child, ast.NamedExpr):
                targets(child.target)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                for alias in child.names:
                    add((alias.asname or alias.name).split(".")[0], child)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                add(child.name, child)
            walk(child)

    walk(tree)
    return names


def _python(source: str) -> str:
    """A cell's source as plain Python (``%matplotlib inline`` and the like removed)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def defined_names(cells: list[dict]) -> dict[str, Definition]:
    """``{name: where it is first made}`` for a notebook's cells (nbformat dicts)."""
    found: dict[str, Definition] = {}
    section = ""
    first_code = True
    for index, cell in enumerate(cells):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "markdown":
            headings = re.findall(r"^#{1,4}\s+(.+)$", source, flags=re.MULTILINE)
            if headings:
                section = headings[-1].strip()
            continue
        if cell.get("cell_type") != "code":
            continue
        try:
            names = _bound_names(ast.parse(_python(source)))
        except (SyntaxError, ValueError):
            names = {}  # a cell that does not parse defines nothing we can name
        lines = source.splitlines()
        for name, lineno in names.items():
            line = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
            found.setdefault(name, Definition(index, section, line, first_code))
        first_code = False
    return found


def _read_cells(path: Path) -> list[dict] | None:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _notebook_path(ip) -> Path | None:
    """The notebook this kernel runs: named by install(), or by the front end."""
    named = _STATE["notebook"] or ip.user_ns.get("__session__") \
        or ip.user_ns.get("__vsc_ipynb_file__") or os.environ.get("JPY_SESSION_NAME")
    if not named:
        return None
    path = Path(named)
    return path if path.is_absolute() else Path.cwd() / path


def _notebook_cells(ip) -> tuple[list[dict], Path] | None:
    path = _notebook_path(ip)
    if path is None or path.suffix != ".ipynb":
        return None
    for candidate in (path, ROOT / "notebooks" / path.name):  # the copy, the answer key
        cells = _read_cells(candidate)
        if cells is not None:
            return cells, candidate
    return None


# ------------------------------------------------------------------------ the message
def _in_a_cell(ip, tb) -> bool:
    """True if the error was raised in code typed in a notebook cell."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    cells = getattr(getattr(ip, "compile", None), "_filename_map", {})
    filename = tb.tb_frame.f_code.co_filename
    return filename in cells or filename.startswith("<ipython-input-")


def _running_cell(ip, cells: list[dict]) -> int | None:
    """Index of the cell being run, when its source is found in the notebook."""
    history = getattr(getattr(ip, "history_manager", None), "input_hist_raw", None)
    if not history:
        return None
    running = history[-1].strip()
    for index, cell in enumerate(cells):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code" and source.strip() == running:
            return index
    return None


def explain(name: str, where: Definition, running: int | None = None) -> str:
    """The friendly message, in markdown-ish plain text (also used for the HTML)."""
    line = where.line if len(where.line) <= 60 else where.line[:57] + "..."
    place = f'section "{where.section}"' if where.section else "near the top"
    if where.setup:
        made = f"`{name}` comes from the setup cell at the top of this notebook (`{line}`)"
    elif running is not None and running < where.cell:
        return (f"`{name}` is made further down this notebook, in {place} (`{line}`), "
                f"not above this cell. Run the cells down to that one first, or move "
                f"your code below it.")
    else:
        made = f"`{name}` is made in an earlier cell, in {place} (`{line}`)"
    return (f"{made}, and that cell has not run since the kernel (re)started. Run the "
            f"notebook from the top: click this cell, then {ADVICE}, then run this cell "
            f"again.")


def _markdown_to_html(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def _show(ip, etype, value, tb, tb_offset=None):
    """The handler given to IPython's set_custom_exc."""
    explained = None
    if etype is NameError and getattr(value, "name", None) and _in_a_cell(ip, tb):
        found = _notebook_cells(ip)
        if found is not None:
            cells, _ = found
            where = defined_names(cells).get(value.name)
            if where is not None:
                explained = explain(value.name, where, _running_cell(ip, cells))
    if explained is None:  # not an out-of-order symptom: the usual traceback
        ip.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    from IPython.display import display

    stb = ip.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    full = _ANSI.sub("", ip.InteractiveTB.stb2text(stb))
    display(
        {
            "text/plain": f"⚠ {explained}\n(The full error: run %tb in a new cell.)",
            "text/html": (
                '<div class="cnn-course-friendly-error">'
                f"<p>⚠ {_markdown_to_html(explained)}</p>"
                "<details><summary>Show the full error</summary>"
                f"<pre>{html.escape(full, quote=False)}</pre></details></div>"
            ),
        },
        raw=True,
    )
    # The cell still fails (Run All stops here), with one line instead of a traceback.
    ip.showtraceback((etype, value, tb), exception_only=True)
    return None


def _handler(ip, etype, value, tb, tb_offset=None):
    try:
        return _show(ip, etype, value, tb, tb_offset)
    except Exception:  # never lose the learner's error because of this module
        ip.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None


# ------------------------------------------------------------------- install / remove
def install(notebook: str | os.PathLike | None = None) -> None:
    """Explain out-of-order `NameError`s in this IPython kernel; shows nothing.

    Outside IPython it does nothing. It returns None, so a setup cell that ends with
    it has no output.

    Parameters
    ----------
    notebook : path or None
        The notebook's file; None: the one the front end names (JupyterLab sets
        ``JPY_SESSION_NAME`` for its kernels).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None:
        return
    if notebook is not None:
        _STATE["notebook"] = os.fspath(notebook)
    ip.set_custom_exc((NameError,), _handler)


def uninstall() -> None:
    """Back to IPython's usual tracebacks."""
    from IPython import get_ipython

    ip = get_ipython()
    if ip is not None:
        ip.set_custom_exc((), None)
    _STATE["notebook"] = None


def load_ipython_extension(ip) -> None:
    """``--ext=helpers.friendly_errors`` (the project's kernel): install at start."""
    ip.set_custom_exc((NameError,), _handler)
